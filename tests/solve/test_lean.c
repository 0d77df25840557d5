/* Lean chain storage and solve (docs/chains.md, "Storage"): the rate table and
 * the row-form SOR must give today's stored-matrix results.
 *
 * Reference ("today's" solve): the same generator with one double per rate
 * (val) solved by the former SOR form that gathers over a built Q^T
 * (variant gather = 1, Anderson history in double).  Checked on every bundled
 * model (models/NAME.ini and tests/models/three-8-4-2.ini) with every policy at
 * scales 1 and 2, and on explicit per-server chains:
 *  - the rate table holds exactly the rates of the val form (bit for bit), so
 *    a solve on either storage gives bit-identical pi (same arithmetic);
 *  - the row-form solve and the gather-form solve, both to residual 2e-16
 *    (LEAN_TOL: at 1e-14 the lean solve's E[T] came out 1.0e-12 from the
 *    reference on at-target m=1 jiq B=6, the residual times the chain's
 *    conditioning; the tolerance is set below it, not the comparison above),
 *    agree to 1e-12 in every pi_i (absolute: a residual test bounds the
 *    error of the large probabilities, not the relative error of 1e-12
 *    ones) and in E[T] (Little's law, relative);
 *  - the lean solve that chains of ACCQ_SOR_LEAN_STATES states and more get
 *    (one inflow vector, Anderson depth 3), forced here on the small chains,
 *    agrees with the gather-form reference the same way, and on a
 *    matrix-free chain numbered as the stored one it gives the stored lean
 *    solve's pi bit for bit (the same arithmetic).
 */
#include <glob.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "chain/chain_internal.h"
#include "solve/solve_internal.h"
#include "testutil.h"

#define LEAN_TOL 2e-16

/* The SOR solve `auto` runs (omega 1.4), in the row form or the former gather
 * form, lean or not (-1: by size), to residual tol. */
static void solve_variant(const accq_generator_t *Q, int gather, int lean, double tol, double *pi) {
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  opt.omega = ACCQ_AUTO_OMEGA;
  opt.tol = tol;
  accq_stationary_stats_t st;
  memset(&st, 0, sizeof st);
  accq_err_t err;
  accq_err_clear(&err);
  accq_i_sor_variant_t v;
  accq_i_sor_variant_default(&v);
  v.gather = gather;
  v.lean = lean;
  if (gather) v.aa_float = 0;
  accq_i_solve_t s = {.Q = Q, .opt = opt, .pi = pi, .stats = &st, .err = &err, .t0 = accq_i_now(),
                      .maxexit = accq_i_max_exit(Q)};
  int rc = Q->n <= 2 ? (accq_i_solve_tiny(Q, pi, NULL), accq_i_finish(&s, ACCQ_SUCCESS))
                     : accq_i_finish(&s, accq_i_solve_sor(&s, &v));
  ck_assert_msg(rc == ACCQ_SUCCESS, "%s solve of %lld states: %s", gather ? "gather" : "row",
                (long long)Q->n, err.msg);
}

/* E[T] = E[N] / X (Little), X = the departure rate under pi. */
static double chain_et(const accq_chain_t *c, const double *pi) {
  int K = c->model.ntypes, L = c->buffer + 1;
  int *cnt = malloc((size_t)K * L * sizeof *cnt);
  double en = 0, x = 0;
  for (int64_t i = 0; i < c->nstates; i++) {
    accq_chain_state_counts(c, i, cnt);
    for (int k = 0; k < K; k++)
      for (int q = 1; q < L; q++) {
        en += pi[i] * q * cnt[k * L + q];
        x += pi[i] * cnt[k * L + q] * c->model.types[k].rate;
      }
  }
  free(cnt);
  return en / x;
}

/* pi against the reference to 1e-12 in every entry (absolute) and in E[T]
 * (relative). */
static void same_pi(const accq_chain_t *c, const double *pi, const double *ref, const char *form,
                    const char *what) {
  double worst = 0;
  int64_t at = 0;
  for (int64_t i = 0; i < c->nstates; i++) {
    double d = fabs(pi[i] - ref[i]);
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  ck_assert_msg(worst <= 1e-12, "%s: pi[%lld] = %.17g (%s) vs %.17g (gather): diff %.3g", what,
                (long long)at, pi[at], form, ref[at], worst);
  ACCQ_CK_CLOSE(chain_et(c, pi), chain_et(c, ref), 1e-12, 0, what);
}

/* The comparisons of the file header on one chain; returns 1 when run. */
static int compare_chain(const accq_chain_t *c, const accq_policy_t *pol, const char *what) {
  const accq_generator_t *Q = &c->Q;
  int64_t n = Q->n;
  accq_generator_t V;
  accq_test_generator_plain(Q, &V);
  double *p_table = malloc((size_t)n * sizeof *p_table), *p_val = malloc((size_t)n * sizeof *p_val);
  double *p_ref = malloc((size_t)n * sizeof *p_ref);
  ck_assert(p_table && p_val && p_ref);
  /* storage: identical arithmetic, identical bits */
  solve_variant(Q, 0, -1, LEAN_TOL, p_table);
  solve_variant(&V, 0, -1, LEAN_TOL, p_val);
  ck_assert_msg(memcmp(p_table, p_val, (size_t)n * sizeof *p_val) == 0,
                "%s: rate table and val storage give different pi", what);
  /* form: today's gather over Q^T on the val storage */
  solve_variant(&V, 1, -1, LEAN_TOL, p_ref);
  same_pi(c, p_table, p_ref, "row form", what);
  /* the lean solve of the largest chains, forced */
  solve_variant(Q, 0, 1, LEAN_TOL, p_val);
  same_pi(c, p_val, p_ref, "lean row form", what);
  if (c->kind == ACCQ_CHAIN_LUMPED) {
    /* ... and matrix-free, numbered as the stored chain unless every
     * product state is reachable (then by rank: not the same sums) */
    accq_chain_options_t copt;
    accq_chain_options_init(&copt);
    copt.storage = ACCQ_STORAGE_MATRIX_FREE;
    accq_chain_t *mf = NULL;
    accq_err_t err;
    ck_assert_msg(accq_chain_build(&mf, &c->model, pol, c->buffer, &copt, &err) == 0, "%s", err.msg);
    if (memcmp(mf->state_key, c->state_key, (size_t)n * sizeof *c->state_key) == 0) {
      solve_variant(&mf->Q, 0, 1, LEAN_TOL, p_table);
      ck_assert_msg(memcmp(p_table, p_val, (size_t)n * sizeof *p_val) == 0,
                    "%s: the lean matrix-free solve differs from the lean stored one", what);
    }
    accq_chain_free(mf);
  }
  accq_generator_free(&V);
  free(p_table);
  free(p_val);
  free(p_ref);
  return 1;
}

static int run_model(accq_model_t *m, int explicit_chain, int max_states) {
  int runs = 0;
  for (int p = 0; p < accq_policy_nnames; p++) {
    accq_policy_t *pol = NULL;
    accq_policy_options_t po;
    accq_policy_options_init(&po);
    accq_err_t err;
    accq_err_clear(&err);
    if (accq_policy_alloc(&pol, accq_policy_names[p], m, &po, &err)) continue;   /* e.g. unstable */
    for (int B = 2; B <= 6; B += 4) {
      accq_chain_options_t copt;
      accq_chain_options_init(&copt);
      copt.max_states = max_states;
      accq_chain_t *c = NULL;
      int st = explicit_chain ? accq_chain_build_explicit(&c, m, pol, B, &copt, &err)
                              : accq_chain_build(&c, m, pol, B, &copt, &err);
      if (st == ACCQ_ETOOBIG) continue;
      ck_assert_msg(st == 0, "%s/%s B=%d: %s", m->name, accq_policy_names[p], B, err.msg);
      char what[256];
      snprintf(what, sizeof what, "%s m=%d %s B=%d (%s, %lld states, %d distinct rates)", m->name,
               m->scale, accq_policy_names[p], B, explicit_chain ? "explicit" : "lumped",
               (long long)c->nstates, (int)c->Q.nrtab);
      /* the builders keep rates in the table on these models */
      ck_assert_msg(c->Q.val == NULL && c->Q.nrtab >= 1, "%s: no rate table", what);
      runs += compare_chain(c, pol, what);
      accq_chain_free(c);
    }
    accq_policy_free(pol);
  }
  return runs;
}

START_TEST(test_bundled_models_lean_equals_stored) {
  glob_t g;
  char pattern[4096];
  snprintf(pattern, sizeof pattern, "%s/models/*.ini", ACCQ_SOURCE_DIR);
  ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
  snprintf(pattern, sizeof pattern, "%s/tests/models/*.ini", ACCQ_SOURCE_DIR);
  ck_assert_int_eq(glob(pattern, GLOB_APPEND, NULL, &g), 0);
  ck_assert_int_ge((int)g.gl_pathc, 6);
  int runs = 0;
  for (size_t f = 0; f < g.gl_pathc; f++) {
    for (int scale = 1; scale <= 2; scale++) {
      accq_model_t m;
      accq_err_t err;
      accq_err_clear(&err);
      ck_assert_msg(accq_model_load(&m, g.gl_pathv[f], NULL, 0, &err) == 0, "%s", err.msg);
      ck_assert_int_eq(accq_lp_model_resolve(&m, &err), 0);
      m.scale = scale;
      runs += run_model(&m, 0, 40000);
    }
  }
  globfree(&g);
  ck_assert_int_ge(runs, 60);
}
END_TEST

START_TEST(test_explicit_chains_lean_equals_stored) {
  glob_t g;
  char pattern[4096];
  snprintf(pattern, sizeof pattern, "%s/models/*.ini", ACCQ_SOURCE_DIR);
  ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
  int runs = 0;
  for (size_t f = 0; f < g.gl_pathc; f++) {
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    ck_assert_msg(accq_model_load(&m, g.gl_pathv[f], NULL, 0, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(accq_lp_model_resolve(&m, &err), 0);
    runs += run_model(&m, 1, 20000);
  }
  globfree(&g);
  ck_assert_int_ge(runs, 10);
}
END_TEST

/* More distinct rates than the table holds: the builder switches to one
 * double per entry and keeps every rate exactly. */
START_TEST(test_rate_table_overflow) {
  accq_generator_t q;
  accq_i_builder_t b;
  ck_assert_int_eq(accq_i_builder_init(&b, &q, 16, 64), 0);
  const int64_t n = 70001;   /* a cycle: row i -> i+1 at rate 1 + i/2^20 (all distinct) */
  for (int64_t i = 0; i < n; i++) {
    accq_i_entry_t e = {.col = (int32_t)((i + 1) % n), .rate = 1.0 + (double)i / 1048576.0};
    ck_assert_int_eq(accq_i_builder_add_row(&b, &e, 1), 0);
    if (i == ACCQ_RATE_TABLE_MAX - 1) ck_assert(q.val == NULL && q.nrtab == ACCQ_RATE_TABLE_MAX);
  }
  accq_i_builder_finish(&b);
  ck_assert(q.val != NULL && q.ridx == NULL);
  ck_assert_int_eq(q.nnz, n);
  for (int64_t i = 0; i < n; i++) {
    ck_assert(accq_generator_rate(&q, i) == 1.0 + (double)i / 1048576.0);
    ck_assert(accq_generator_diag(&q, i) == -(1.0 + (double)i / 1048576.0));
  }
  /* the stationary law of a cycle is proportional to 1/rate (closed form) */
  double *pi = malloc((size_t)n * sizeof *pi), z = 0;
  for (int64_t i = 0; i < n; i++) z += 1.0 / (1.0 + (double)i / 1048576.0);
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  opt.solver = ACCQ_SOLVER_SOR;
  accq_err_t err;
  ck_assert_msg(accq_stationary_solve(&q, &opt, pi, NULL, &err) == 0, "%s", err.msg);
  for (int64_t i = 0; i < n; i += 997)
    ACCQ_CK_CLOSE(pi[i], 1.0 / (1.0 + (double)i / 1048576.0) / z, 1e-9, 0, "cycle pi");
  free(pi);
  accq_generator_free(&q);
}
END_TEST

/* A birth-death chain whose states are numbered in a scrambled order: the
 * layer labelling by passes over the rows cannot finish in its pass limit,
 * and the queue BFS takes over; the result is the product form. */
START_TEST(test_scrambled_birth_death) {
  const int n = 3000;
  const double lam = 0.9, mu = 1.0;
  int *perm = malloc((size_t)n * sizeof *perm);   /* level k is state perm[k] */
  for (int k = 0; k < n; k++) perm[k] = k;
  uint64_t r = 12345;
  for (int k = n - 1; k > 1; k--) {   /* keep level 0 at state 0 */
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    int j = 1 + (int)((r >> 33) % (uint64_t)k);
    int t = perm[k];
    perm[k] = perm[j];
    perm[j] = t;
  }
  int *level = malloc((size_t)n * sizeof *level);
  for (int k = 0; k < n; k++) level[perm[k]] = k;
  accq_generator_t q;
  accq_i_builder_t b;
  ck_assert_int_eq(accq_i_builder_init(&b, &q, n, 2 * n), 0);
  for (int i = 0; i < n; i++) {
    accq_i_entry_t e[2];
    int ne = 0, k = level[i];
    if (k + 1 < n) e[ne++] = (accq_i_entry_t){.col = perm[k + 1], .rate = lam};
    if (k > 0) e[ne++] = (accq_i_entry_t){.col = perm[k - 1], .rate = mu};
    ck_assert_int_eq(accq_i_builder_add_row(&b, e, ne), 0);
  }
  accq_i_builder_finish(&b);
  double *pi = malloc((size_t)n * sizeof *pi);
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  opt.solver = ACCQ_SOLVER_AUTO;
  accq_stationary_stats_t st;
  accq_err_t err;
  ck_assert_msg(accq_stationary_solve(&q, &opt, pi, &st, &err) == 0, "%s", err.msg);
  double rho = lam / mu, z = (1 - pow(rho, n)) / (1 - rho);
  for (int k = 0; k < n; k += 37)
    ACCQ_CK_CLOSE(pi[perm[k]], pow(rho, k) / z, 1e-9, 1e-300, "birth-death pi (product form)");
  free(pi);
  free(perm);
  free(level);
  accq_generator_free(&q);
}
END_TEST

/* The hashed rank map gives the same chain as the array over all ranks:
 * pop on tests/models/three-8-4-2.ini at B = 6 has 264,600 reachable states of
 * 17.7e6 ranks (tests/chain/test_count.c); under --max-states 300000 the size
 * is counted and the map hashed (2^20 slots < 17.7e6 / 4), under the default
 * limit the product fits and the map is the array. */
START_TEST(test_hashed_rank_map_same_chain) {
  accq_model_t m;
  accq_err_t err;
  accq_err_clear(&err);
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/models/three-8-4-2.ini", ACCQ_SOURCE_DIR);
  ck_assert_msg(accq_model_load(&m, path, NULL, 0, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(accq_lp_model_resolve(&m, &err), 0);
  accq_policy_t *pol = NULL;
  ck_assert_int_eq(accq_policy_alloc(&pol, "pop", &m, NULL, &err), 0);
  accq_chain_options_t o1, o2;
  accq_chain_options_init(&o1);
  accq_chain_options_init(&o2);
  o1.max_states = 300000;   /* counted: hashed map */
  accq_chain_t *h = NULL, *d = NULL;
  ck_assert_msg(accq_chain_build(&h, &m, pol, 6, &o1, &err) == 0, "%s", err.msg);
  ck_assert_msg(accq_chain_build(&d, &m, pol, 6, &o2, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(h->nstates, 264600);
  ck_assert_int_eq(d->nstates, h->nstates);
  ck_assert_int_eq(d->Q.nnz, h->Q.nnz);
  ck_assert(memcmp(h->state_key, d->state_key, (size_t)h->nstates * 8) == 0);
  ck_assert(memcmp(h->Q.rowptr, d->Q.rowptr, (size_t)(h->nstates + 1) * 8) == 0);
  ck_assert(memcmp(h->Q.col, d->Q.col, (size_t)h->Q.nnz * 4) == 0);
  for (int64_t i = 0; i < h->nstates; i++) {
    double dh = accq_generator_diag(&h->Q, i), dd = accq_generator_diag(&d->Q, i);
    ck_assert(memcmp(&dh, &dd, sizeof dh) == 0);
  }
  for (int64_t e = 0; e < h->Q.nnz; e++)
    ck_assert(accq_generator_rate(&h->Q, e) == accq_generator_rate(&d->Q, e));
  accq_chain_free(h);
  accq_chain_free(d);
  accq_policy_free(pol);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lean");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_bundled_models_lean_equals_stored);
  tcase_add_test(tc, test_explicit_chains_lean_equals_stored);
  tcase_add_test(tc, test_rate_table_overflow);
  tcase_add_test(tc, test_scrambled_birth_death);
  tcase_add_test(tc, test_hashed_rank_map_same_chain);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
