/* The compact forms of a stored generator (docs/chains.md, "Storage"): the
 * rate index in 1 byte (ridx8) when the rate table has at most 256 entries,
 * and the diagonal as a 2-byte index into its distinct values (didx, dtab)
 * when there are at most 65,535 of them.
 *
 * The references are independent of the compact forms: the matrix-free chain
 * of the same model (its rows regenerated from the state's rank, each
 * diagonal summed again; no table involved) and a copy of the generator in
 * the plain form (one double per rate and per diagonal, filled through the
 * accessors) solved by the same default solver.  Same doubles and the same
 * arithmetic in the same order: the stationary laws are expected identical
 * bit for bit, and E[T] through the normal measures path equal to 1e-12 at
 * least. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "chain/chain_internal.h"
#include "solve/solve_internal.h"
#include "testutil.h"

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static accq_model_t load_model(const char *rel, int scale) {
  accq_model_t m;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_model_load(&m, accq_src_path(rel), NULL, 0, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(accq_lp_model_resolve(&m, &err), 0);
  m.scale = scale;
  return m;
}

/* Builds the chain (explicit or lumped) stored and matrix-free; checks the
 * stored one holds the compact forms and that every rate and diagonal read
 * through the accessors is the matrix-free row's, bit for bit; then solves the
 * compact and the plain form and compares pi (bits) and E[T]. */
static void check_chain(const char *rel, int scale, const char *policy, int B, int explicit_chain) {
  accq_model_t m = load_model(rel, scale);
  accq_err_t err;
  accq_err_clear(&err);
  accq_policy_t *pol = NULL;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  po.finite_buffer = 1;
  ck_assert_msg(accq_policy_alloc(&pol, policy, &m, &po, &err) == 0, "%s", err.msg);
  accq_chain_t *c[2] = {NULL, NULL};
  for (int s = 0; s < 2; s++) {
    accq_chain_options_t o;
    accq_chain_options_init(&o);
    o.storage = s ? ACCQ_STORAGE_MATRIX_FREE : ACCQ_STORAGE_STORED;
    int rc = explicit_chain ? accq_chain_build_explicit(&c[s], &m, pol, B, &o, &err)
                            : accq_chain_build(&c[s], &m, pol, B, &o, &err);
    ck_assert_msg(rc == 0, "%s %s B=%d: %s", rel, policy, B, err.msg);
  }
  char what[256];
  snprintf(what, sizeof what, "%s m=%d %s B=%d %s (%lld states, %d rates, %d diagonals)", rel,
           scale, policy, B, explicit_chain ? "explicit" : "lumped", (long long)c[0]->nstates,
           (int)c[0]->Q.nrtab, (int)c[0]->Q.ndtab);
  const accq_generator_t *Q = &c[0]->Q, *F = &c[1]->Q;
  const int64_t n = Q->n;
  ck_assert(n > 100);
  /* the compact forms were chosen (a few dozen distinct rates and diagonals) */
  ck_assert_msg(Q->val == NULL && Q->ridx == NULL && Q->ridx8 != NULL, "%s: 1-byte rate index", what);
  ck_assert_msg(Q->nrtab >= 2 && Q->nrtab <= 256, "%s", what);
  ck_assert_msg(Q->diag == NULL && Q->didx != NULL && Q->dtab != NULL, "%s: diagonal table", what);
  ck_assert_msg(Q->ndtab >= 2 && Q->ndtab <= 65535, "%s", what);
  /* the chain's bytes count the compact forms: key 8, row pointer 8,
   * diagonal index 2 per state, column 4 and rate index 1 per entry, tables */
  ck_assert_msg(accq_i_generator_bytes(Q) == 8.0 * (double)(n + 1) + 2.0 * (double)n +
                                                 8.0 * Q->ndtab + 5.0 * (double)Q->nnz + 8.0 * Q->nrtab,
                "%s: generator bytes %.0f", what, accq_i_generator_bytes(Q));
  /* entries and diagonals through the accessors = the matrix-free rows (the
   * matrix-free chain keeps the breadth-first numbering, or, when every
   * product state is reachable, numbers the states by rank: state i of the
   * stored chain is then state_key[i] there) */
  ck_assert_int_eq(F->n, n);
  const int same_order =
      memcmp(c[0]->state_key, c[1]->state_key, (size_t)n * sizeof *c[0]->state_key) == 0;
  if (!same_order) ck_assert_uint_eq(c[1]->product_states, (uint64_t)n);
  int32_t *col = malloc((size_t)(F->max_row + 1) * sizeof *col);
  double *rate = malloc((size_t)(F->max_row + 1) * sizeof *rate);
  int64_t checked = 0;
  for (int64_t i = 0; i < n; i++) {
    double d;
    int ne = F->row(F->row_ctx, same_order ? i : (int64_t)c[0]->state_key[i], 1, col, rate, &d);
    ck_assert_int_eq(ne, (int)(Q->rowptr[i + 1] - Q->rowptr[i]));
    ck_assert(Q->didx[i] < Q->ndtab);
    ck_assert_msg(same_bits(accq_generator_diag(Q, i), d), "%s: diagonal of state %lld", what,
                  (long long)i);
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) {
      const int32_t want = same_order ? Q->col[e] : (int32_t)c[0]->state_key[Q->col[e]];
      int k = 0;
      while (k < ne && col[k] != want) k++;
      ck_assert_msg(k < ne, "%s: entry %lld not in the matrix-free row", what, (long long)e);
      ck_assert(Q->ridx8[e] < Q->nrtab);
      ck_assert_msg(same_bits(accq_generator_rate(Q, e), rate[k]), "%s: rate %lld", what,
                    (long long)e);
      checked++;
    }
  }
  ck_assert_int_eq(checked, Q->nnz);
  free(col);
  free(rate);
  /* the default solver on the compact and on the plain form */
  accq_generator_t V;
  accq_test_generator_plain(Q, &V);
  double *pi[2];
  accq_stationary_stats_t st[2];
  accq_measures_t meas[2];
  for (int s = 0; s < 2; s++) {
    pi[s] = malloc((size_t)n * sizeof *pi[s]);
    accq_stationary_options_t so;
    accq_stationary_options_init(&so);
    const accq_generator_t *G = s ? &V : Q;
    ck_assert_msg(accq_stationary_solve(G, &so, pi[s], &st[s], &err) == 0, "%s: %s", what, err.msg);
    /* E[T] by the normal path, with the chain holding that generator */
    accq_generator_t keep = c[0]->Q;
    c[0]->Q = *G;
    int rc = accq_measures_compute(c[0], pol, pi[s], &meas[s], &err);
    c[0]->Q = keep;
    ck_assert_msg(rc == 0, "%s: measures: %s", what, err.msg);
  }
  ck_assert_int_eq(st[0].iterations, st[1].iterations);
  ck_assert_msg(memcmp(pi[0], pi[1], (size_t)n * sizeof *pi[0]) == 0,
                "%s: the compact form's pi differs from the plain form's", what);
  for (int64_t i = 0; i < n; i++) ACCQ_CK_CLOSE(pi[0][i], pi[1][i], 1e-14, 0, what);
  ACCQ_CK_CLOSE(meas[0].mean_response_time, meas[1].mean_response_time, 1e-12, 0, what);
  ck_assert(isfinite(meas[0].mean_response_time) && meas[0].mean_response_time > 0);
  accq_generator_free(&V);
  for (int s = 0; s < 2; s++) {
    free(pi[s]);
    accq_chain_free(c[s]);
  }
  accq_policy_free(pol);
}

START_TEST(test_lumped_chain_compact) {
  check_chain("models/llm-three-tier.ini", 2, "pop", 3, 0);
  check_chain("models/two-tier.ini", 3, "rjiq", 4, 0); /* every product state: rank order */
}
END_TEST

START_TEST(test_explicit_chain_compact) {
  check_chain("models/two-tier.ini", 1, "jsq", 5, 1);
}
END_TEST

/* A chain with MMPP arrivals (docs/chains.md, "MMPP arrivals"): its phases
 * are added to the stored rows through the builder, which chooses the compact
 * forms again; solved against the plain copy, pi is the same bit for bit. */
START_TEST(test_mmpp_chain_compact) {
  accq_model_t m = load_model("models/arrivals/bursty-mmpp.ini", 1);
  accq_err_t err;
  accq_err_clear(&err);
  accq_policy_t *pol = NULL;
  ck_assert_msg(accq_policy_alloc(&pol, "pop", &m, NULL, &err) == 0, "%s", err.msg);
  accq_chain_t *c = NULL;
  ck_assert_msg(accq_chain_build(&c, &m, pol, 4, NULL, &err) == 0, "%s", err.msg);
  ck_assert_int_gt(c->nphases, 1);
  const accq_generator_t *Q = &c->Q;
  ck_assert(Q->val == NULL && Q->ridx8 != NULL && Q->diag == NULL && Q->didx != NULL);
  accq_generator_t V;
  accq_test_generator_plain(Q, &V);
  const int64_t n = Q->n;
  ck_assert_int_gt(n, 100); /* 150: 75 occupancies in 2 phases */
  double *pi[2];
  for (int s = 0; s < 2; s++) {
    pi[s] = malloc((size_t)n * sizeof *pi[s]);
    accq_stationary_options_t so;
    accq_stationary_options_init(&so);
    ck_assert_msg(accq_stationary_solve(s ? &V : Q, &so, pi[s], NULL, &err) == 0, "%s", err.msg);
  }
  ck_assert_msg(memcmp(pi[0], pi[1], (size_t)n * sizeof *pi[0]) == 0,
                "mmpp chain (%lld states): the compact form's pi differs from the plain form's",
                (long long)n);
  for (int s = 0; s < 2; s++) free(pi[s]);
  accq_generator_free(&V);
  accq_chain_free(c);
  accq_policy_free(pol);
}
END_TEST

/* Rows through the builder API: row i goes to i+1 and i+2 (mod n, n >= 3)
 * at rates r[ia[i]] and r[ib[i]]; checks every rate and diagonal read back
 * through the accessors (the builder sums r_a + r_b, as here) and returns the
 * number of distinct diagonals. */
static int cmp_bits(const void *x, const void *y) {
  uint64_t a, b;
  memcpy(&a, x, 8);
  memcpy(&b, y, 8);
  return a < b ? -1 : a > b;
}

static int64_t build_two_step(accq_generator_t *q, int64_t n, const double *r, const int *ia,
                              const int *ib) {
  accq_i_builder_t b;
  ck_assert_int_eq(accq_i_builder_init(&b, q, 16, 64), 0);
  for (int64_t i = 0; i < n; i++) {
    accq_i_entry_t e[2] = {{.col = (int32_t)((i + 1) % n), .rate = r[ia[i]]},
                           {.col = (int32_t)((i + 2) % n), .rate = r[ib[i]]}};
    ck_assert_int_eq(accq_i_builder_add_row(&b, e, 2), 0);
  }
  accq_i_builder_finish(&b);
  ck_assert_int_eq(q->n, n);
  ck_assert_int_eq(q->nnz, 2 * n);
  double *d = malloc((size_t)n * sizeof *d);
  for (int64_t i = 0; i < n; i++) {
    for (int64_t e = q->rowptr[i]; e < q->rowptr[i + 1]; e++)
      ck_assert(accq_generator_rate(q, e) == (q->col[e] == (i + 1) % n ? r[ia[i]] : r[ib[i]]));
    d[i] = -(r[ia[i]] + r[ib[i]]);
    ck_assert(same_bits(accq_generator_diag(q, i), d[i]));
  }
  qsort(d, (size_t)n, sizeof *d, cmp_bits);
  int64_t distinct = 1;
  for (int64_t i = 1; i < n; i++) distinct += cmp_bits(&d[i - 1], &d[i]) != 0;
  free(d);
  accq_err_t err;
  ck_assert_msg(accq_i_check_generator(q, &err) == 0, "%s", err.msg);
  return distinct;
}

/* 256 distinct rates: 1 byte; 257: the 2-byte index stays.  Every rate is
 * kept exactly (r_k = 1 + k/1024) and the diagonals r_k + r_{k+1} by the
 * table. */
START_TEST(test_rate_index_width) {
  for (int nr = 256; nr <= 257; nr++) {
    double r[257];
    for (int k = 0; k < nr; k++) r[k] = 1.0 + k / 1024.0;
    const int64_t n = 3 * nr;
    int *ia = malloc((size_t)n * sizeof *ia), *ib = malloc((size_t)n * sizeof *ib);
    for (int64_t i = 0; i < n; i++) ia[i] = (int)(i % nr), ib[i] = (int)((i + 1) % nr);
    accq_generator_t q;
    int64_t nd = build_two_step(&q, n, r, ia, ib);
    ck_assert(q.val == NULL);
    ck_assert_int_eq(q.nrtab, nr);
    if (nr == 256) ck_assert(q.ridx8 != NULL && q.ridx == NULL);
    else ck_assert(q.ridx8 == NULL && q.ridx != NULL);
    ck_assert(q.diag == NULL && q.didx != NULL);
    ck_assert_int_eq(q.ndtab, nd);
    accq_generator_free(&q);
    free(ia);
    free(ib);
  }
}
END_TEST

/* More than 65,535 distinct diagonals: diag stays (and 400 rates: the 2-byte
 * index).  With r_k = sqrt(2 + k) the sums r_a + r_b of the 80,200 pairs
 * a <= b are distinct but for rounding: the count is the test's own. */
START_TEST(test_many_diagonals_keep_diag) {
  enum { NR = 400 };
  double r[NR];
  for (int k = 0; k < NR; k++) r[k] = sqrt(2.0 + k);
  const int64_t n = (int64_t)NR * (NR + 1) / 2;
  int *ia = malloc((size_t)n * sizeof *ia), *ib = malloc((size_t)n * sizeof *ib);
  int64_t i = 0;
  for (int a = 0; a < NR; a++)
    for (int b = a; b < NR; b++, i++) ia[i] = a, ib[i] = b;
  ck_assert_int_eq(i, n);
  accq_generator_t q;
  int64_t nd = build_two_step(&q, n, r, ia, ib);
  ck_assert_int_gt(nd, 65535);
  ck_assert(q.diag != NULL && q.didx == NULL && q.dtab == NULL && q.ndtab == 0);
  ck_assert(q.val == NULL && q.ridx != NULL && q.ridx8 == NULL && q.nrtab == NR);
  accq_generator_free(&q);
  free(ia);
  free(ib);
}
END_TEST

int main(void) {
  Suite *s = suite_create("compact");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_lumped_chain_compact);
  tcase_add_test(tc, test_explicit_chain_compact);
  tcase_add_test(tc, test_mmpp_chain_compact);
  tcase_add_test(tc, test_rate_index_width);
  tcase_add_test(tc, test_many_diagonals_keep_diag);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
