/* Matrix-free storage (docs/chains.md, "Storage"): rows regenerated from each
 * state's rank must give the stored-matrix solves.
 *
 * Reference: the same chain built with stored rows.  The matrix-free rows hold
 * the same rates and diagonals bit for bit (the same loops and arithmetic as
 * lumped_entries in src/chain/chain.c, which feeds the stored build; checked
 * row by row here).  Two numberings:
 *  - breadth-first, as the stored build (a policy that does not reach every
 *    product state, and every explicit chain): the row-form sweeps do the
 *    same arithmetic in the same order, so pi must be bit-identical;
 *  - by rank (every product state reachable: state i = rank i, no rank map):
 *    the same Gauss-Seidel iteration in exact arithmetic on a consistent
 *    ordering, not the same sums; both solves then run to tol 2e-16 and pi
 *    must agree to 1e-12 (absolute; pi sums to 1) state by state, through
 *    the permutation the state keys give.  (At the default tol 1e-12 two
 *    solves that do not do the same arithmetic agree only to about 1e-9 in
 *    E[T]: the residual does not pin E[T] closer.  Even at tol 1e-15 the
 *    boundary mass of nonbinding m=2 pod B=6 (0.024) came out 5e-12 apart
 *    between two such solves: its error is the residual times the chain's
 *    conditioning, so the tolerance is set below it, not the comparison
 *    above it.)
 * Every measure (accq_measures_compute) is then compared to 1e-12 relative,
 * the acceptance figure.  Checked on every bundled model (models/NAME.ini and
 * tests/models/NAME.ini), every policy, scales 1 and 2, B = 2 and 6.
 * Also: the route memo's fallback to the policy, the sign of the accepted SOR
 * iterate (a chain where omega = 1.4 left pi[551] = -1.1e-15), the storage
 * choice and the refusals.
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

#define GIB (1024.0 * 1024.0 * 1024.0)

static void load(accq_model_t *m, const char *path, int scale) {
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_model_load(m, path, NULL, 0, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(accq_lp_model_resolve(m, &err), 0);
  m->scale = scale;
}

/* Every measure of the result, relative 1e-12 (NaNs must agree); abs_tol
 * for the measures that are zero up to rounding (flow_balance_error). */
static void same_measures(const accq_measures_t *a, const accq_measures_t *b, int K,
                          double abs_tol, const char *what) {
  const double va[] = {a->throughput_total, a->loss_probability, a->mean_jobs,
                       a->mean_response_time, a->accuracy, a->p_wait, a->p50, a->p90, a->p95,
                       a->p99, a->boundary_mass, a->t_lp, a->gap, a->flow_balance_error};
  const double vb[] = {b->throughput_total, b->loss_probability, b->mean_jobs,
                       b->mean_response_time, b->accuracy, b->p_wait, b->p50, b->p90, b->p95,
                       b->p99, b->boundary_mass, b->t_lp, b->gap, b->flow_balance_error};
  for (size_t i = 0; i < sizeof va / sizeof va[0]; i++) {
    if (isnan(va[i]) || isnan(vb[i])) {
      ck_assert_msg(isnan(va[i]) && isnan(vb[i]), "%s: measure %zu %g vs %g", what, i, va[i], vb[i]);
      continue;
    }
    char w2[200];
    snprintf(w2, sizeof w2, "%s: measure %zu", what, i);
    ACCQ_CK_CLOSE(vb[i], va[i], 1e-12, abs_tol, w2);
  }
  for (int k = 0; k < K; k++) {
    ACCQ_CK_CLOSE(b->throughput[k], a->throughput[k], 1e-12, 1e-300, what);
    ACCQ_CK_CLOSE(b->utilization[k], a->utilization[k], 1e-12, 1e-300, what);
  }
}

/* Row i of the stored chain a and its state's row in the matrix-free chain b
 * (numbered by rank: b's index of a's state i is a->state_key[i]): the same
 * diagonal and the same rates to the same states, bit for bit. */
static void same_row_permuted(const accq_chain_t *a, const accq_chain_t *b, int64_t i,
                              int32_t *col, double *rate, const char *what) {
  const accq_generator_t *qa = &a->Q, *qb = &b->Q;
  double d, da = accq_generator_diag(qa, i);
  int ne = qb->row(qb->row_ctx, (int64_t)a->state_key[i], 1, col, rate, &d);
  ck_assert_int_eq(ne, (int)(qa->rowptr[i + 1] - qa->rowptr[i]));
  ck_assert_msg(memcmp(&d, &da, sizeof d) == 0, "%s: diagonal of state %lld", what,
                (long long)i);
  for (int64_t p = qa->rowptr[i]; p < qa->rowptr[i + 1]; p++) {
    const int32_t want = (int32_t)a->state_key[qa->col[p]];
    const double r = accq_generator_rate(qa, p);
    int e = 0;
    while (e < ne && col[e] != want) e++;
    ck_assert_msg(e < ne && memcmp(&rate[e], &r, sizeof r) == 0, "%s: rate of state %lld",
                  what, (long long)i);
  }
}

/* Builds the chain in both storages, solves both (`auto`), compares. */
static int compare(const accq_model_t *m, const accq_policy_t *pol, int B, int explicit_chain,
                   const char *name) {
  accq_chain_t *c[2] = {NULL, NULL};
  double *pi[2];
  accq_measures_t meas[2];
  accq_stationary_stats_t st[2];
  char what[256];
  accq_err_t err;
  for (int s = 0; s < 2; s++) {
    accq_chain_options_t o;
    accq_chain_options_init(&o);
    o.max_states = 20000;
    o.storage = s ? ACCQ_STORAGE_MATRIX_FREE : ACCQ_STORAGE_STORED;
    accq_err_clear(&err);
    int rc = explicit_chain ? accq_chain_build_explicit(&c[s], m, pol, B, &o, &err)
                            : accq_chain_build(&c[s], m, pol, B, &o, &err);
    if (rc == ACCQ_ETOOBIG) {
      ck_assert_int_eq(s, 0);
      return 0;
    }
    ck_assert_msg(rc == 0, "%s %s B=%d: %s", m->name, name, B, err.msg);
    ck_assert_int_eq(c[s]->storage, s ? ACCQ_STORAGE_MATRIX_FREE : ACCQ_STORAGE_STORED);
    ck_assert_int_eq(accq_generator_implicit(&c[s]->Q), s);
  }
  snprintf(what, sizeof what, "%s m=%d %s B=%d%s (%lld states)", m->name, m->scale, name, B,
           explicit_chain ? " explicit" : "", (long long)c[0]->nstates);
  ck_assert_int_eq(c[0]->nstates, c[1]->nstates);
  ck_assert_int_eq(c[0]->Q.nnz, c[1]->Q.nnz);
  const int64_t n = c[0]->nstates;
  /* the numbering: the lumped matrix-free chain is numbered by rank exactly
   * when every product state is reachable; the others keep the stored
   * build's breadth-first numbering */
  int ranked = 0;
  if (!explicit_chain) {
    int64_t lists = 0, diags = 0;
    ck_assert_int_eq(accq_i_chain_mf_info(c[1], &ranked, &lists, &diags), 0);
    ck_assert_int_eq(ranked, (uint64_t)n == c[1]->product_states);
    ck_assert_int_gt(lists, 0); /* these chains have at most 20,000 states: memo kept */
    for (int64_t i = 0; ranked && i < n; i++) ck_assert_uint_eq(c[1]->state_key[i], (uint64_t)i);
  }
  const int same_order = memcmp(c[0]->state_key, c[1]->state_key, (size_t)n * 8) == 0;
  ck_assert(same_order || ranked);
  if (!same_order) {
    int32_t *col = malloc((size_t)(c[1]->Q.max_row + 1) * sizeof *col);
    double *rate = malloc((size_t)(c[1]->Q.max_row + 1) * sizeof *rate);
    for (int64_t i = 0; i < n; i++) same_row_permuted(c[0], c[1], i, col, rate, what);
    free(col);
    free(rate);
  }
  for (int s = 0; s < 2; s++) {
    int rc;
    pi[s] = malloc((size_t)c[s]->nstates * sizeof *pi[s]);
    accq_stationary_options_t so;
    accq_stationary_options_init(&so);
    if (!same_order) so.tol = 2e-16;
    rc = accq_stationary_solve(&c[s]->Q, &so, pi[s], &st[s], &err);
    ck_assert_msg(rc == 0, "%s (%s): %s", what, s ? "matrix-free" : "stored", err.msg);
    rc = accq_measures_compute(c[s], pol, pi[s], &meas[s], &err);
    ck_assert_msg(rc == 0 || rc == ACCQ_ENOCONV, "%s: measures: %s", what, err.msg);
  }
  if (same_order) {
    ck_assert_int_eq(st[0].iterations, st[1].iterations);
    ck_assert_msg(memcmp(pi[0], pi[1], (size_t)n * sizeof *pi[0]) == 0,
                  "%s: matrix-free pi differs from the stored solve's", what);
    ck_assert_msg(st[0].residual == st[1].residual, "%s: residual %.17g vs %.17g", what,
                  st[0].residual, st[1].residual);
    same_measures(&meas[0], &meas[1], m->ntypes, 1e-300, what);
  } else {
    for (int64_t i = 0; i < n; i++)
      ACCQ_CK_CLOSE(pi[1][c[0]->state_key[i]], pi[0][i], 0, 1e-12, what);
    same_measures(&meas[0], &meas[1], m->ntypes, 1e-13, what);
  }
  for (int s = 0; s < 2; s++) {
    accq_chain_free(c[s]);
    free(pi[s]);
  }
  return 1;
}

static int run_model(const accq_model_t *m, int explicit_chain) {
  int runs = 0;
  for (int p = 0; p < accq_policy_nnames; p++) {
    accq_policy_t *pol = NULL;
    accq_policy_options_t po;
    accq_policy_options_init(&po);
    po.finite_buffer = 1;
    accq_err_t err;
    accq_err_clear(&err);
    if (accq_policy_alloc(&pol, accq_policy_names[p], m, &po, &err)) continue; /* e.g. infeasible */
    for (int B = 2; B <= 6; B += 4) runs += compare(m, pol, B, explicit_chain, accq_policy_names[p]);
    accq_policy_free(pol);
  }
  return runs;
}

static void model_glob(glob_t *g, int with_tests) {
  char pattern[4096];
  snprintf(pattern, sizeof pattern, "%s/models/*.ini", ACCQ_SOURCE_DIR);
  ck_assert_int_eq(glob(pattern, 0, NULL, g), 0);
  if (with_tests) {
    snprintf(pattern, sizeof pattern, "%s/tests/models/*.ini", ACCQ_SOURCE_DIR);
    ck_assert_int_eq(glob(pattern, GLOB_APPEND, NULL, g), 0);
  }
}

START_TEST(test_bundled_models_matrix_free_equals_stored) {
  glob_t g;
  model_glob(&g, 1);
  ck_assert_int_ge((int)g.gl_pathc, 6);
  int runs = 0;
  for (size_t f = 0; f < g.gl_pathc; f++)
    for (int scale = 1; scale <= 2; scale++) {
      accq_model_t m;
      load(&m, g.gl_pathv[f], scale);
      runs += run_model(&m, 0);
    }
  globfree(&g);
  ck_assert_int_ge(runs, 80);
}
END_TEST

START_TEST(test_explicit_chains_matrix_free_equals_stored) {
  glob_t g;
  model_glob(&g, 0);
  int runs = 0;
  for (size_t f = 0; f < g.gl_pathc; f++) {
    accq_model_t m;
    load(&m, g.gl_pathv[f], 1);
    runs += run_model(&m, 1);
  }
  globfree(&g);
  ck_assert_int_ge(runs, 10);
}
END_TEST

/* The route memo (src/chain/chain.c, route_memo_t): pod:2 on the three-type
 * models/llm-three-tier.ini (m = 1, B = 6: all 1,372 product states, and a
 * route list of its own for each, as its probabilities follow every queue
 * length) keeps 1,372 distinct lists (2-byte ids); limited to 1,000 lists
 * (or none) the build drops the memo and every row calls the policy.  The
 * three matrix-free chains have the same rows (rank numbering in all: the
 * memo changes no order), so their solves are bit-identical; against the
 * stored chain every row is the same bit for bit through the permutation of
 * the keys, and the solves (tol 1e-15) agree to 1e-12. */
START_TEST(test_route_memo_fallback) {
  char path[4096];
  snprintf(path, sizeof path, "%s/models/llm-three-tier.ini", ACCQ_SOURCE_DIR);
  accq_model_t m;
  load(&m, path, 1);
  ck_assert_int_eq(m.ntypes, 3);
  accq_policy_t *pol = NULL;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  po.finite_buffer = 1;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_policy_alloc(&pol, "pod:2", &m, &po, &err) == 0, "%s", err.msg);
  accq_chain_options_t o;
  accq_chain_options_init(&o);
  o.storage = ACCQ_STORAGE_STORED;
  accq_chain_t *ref = NULL, *c[3];
  ck_assert_int_eq(accq_chain_build(&ref, &m, pol, 6, &o, &err), 0);
  const int64_t n = ref->nstates;
  ck_assert_int_eq(n, 1372); /* C(1+6,6)^2 C(2+6,6) = 7 * 7 * 28 */
  o.storage = ACCQ_STORAGE_MATRIX_FREE;
  const int64_t limit[3] = {65536, 1000, 0}, want_lists[3] = {1372, 0, 0};
  accq_stationary_options_t so;
  accq_stationary_options_init(&so);
  so.tol = 1e-15;
  double *pi[4];
  accq_stationary_stats_t st[4];
  for (int v = 0; v < 3; v++) {
    ck_assert_int_eq(accq_i_chain_build_lumped_memo(&c[v], &m, pol, 6, &o, 1u << 23, limit[v], &err), 0);
    int ranked = 0;
    int64_t lists = -1, diags = 0;
    ck_assert_int_eq(accq_i_chain_mf_info(c[v], &ranked, &lists, &diags), 0);
    ck_assert_int_eq(ranked, 1);
    ck_assert_int_eq(lists, want_lists[v]);
    ck_assert_int_eq(c[v]->nstates, n);
    ck_assert_int_eq(c[v]->Q.nnz, ref->Q.nnz);
    int32_t *col = malloc((size_t)(c[v]->Q.max_row + 1) * sizeof *col);
    double *rate = malloc((size_t)(c[v]->Q.max_row + 1) * sizeof *rate);
    for (int64_t i = 0; i < n; i++) same_row_permuted(ref, c[v], i, col, rate, "pod:2 rows");
    free(col);
    free(rate);
    pi[v] = malloc((size_t)n * sizeof *pi[v]);
    ck_assert_msg(accq_stationary_solve(&c[v]->Q, &so, pi[v], &st[v], &err) == 0, "%s", err.msg);
  }
  pi[3] = malloc((size_t)n * sizeof *pi[3]);
  ck_assert_msg(accq_stationary_solve(&ref->Q, &so, pi[3], &st[3], &err) == 0, "%s", err.msg);
  for (int v = 1; v < 3; v++) {
    ck_assert_int_eq(st[v].iterations, st[0].iterations);
    ck_assert(memcmp(pi[v], pi[0], (size_t)n * sizeof *pi[0]) == 0);
  }
  for (int64_t i = 0; i < n; i++) ACCQ_CK_CLOSE(pi[0][ref->state_key[i]], pi[3][i], 0, 1e-12, "pod:2 pi");
  for (int v = 0; v < 4; v++) free(pi[v]);
  for (int v = 0; v < 3; v++) accq_chain_free(c[v]);
  accq_chain_free(ref);
  accq_policy_free(pol);
}
END_TEST

/* Rank numbering only when every product state is reachable: on
 * models/two-tier.ini at m = 2, B = 6, pop reaches all 5,880 compositions
 * (28 * 210) and its matrix-free chain is numbered by rank (state i = rank i,
 * no rank map: the chain's bytes are the stored keys', the memo's and the
 * tables', with no 4 bytes per rank); jfiq reaches 630 of them and keeps
 * the stored build's breadth-first numbering and the rank map (its solve
 * bit-identical to the stored one). */
START_TEST(test_rank_numbering) {
  char path[4096];
  snprintf(path, sizeof path, "%s/models/two-tier.ini", ACCQ_SOURCE_DIR);
  accq_model_t m;
  load(&m, path, 2);
  const char *pols[2] = {"jfiq", "pop"};
  const int64_t states[2] = {630, 5880};
  for (int pp = 0; pp < 2; pp++) {
    accq_policy_t *pol = NULL;
    accq_err_t err;
    accq_err_clear(&err);
    ck_assert_int_eq(accq_policy_alloc(&pol, pols[pp], &m, NULL, &err), 0);
    accq_chain_t *c[2];
    for (int s = 0; s < 2; s++) {
      accq_chain_options_t o;
      accq_chain_options_init(&o);
      o.storage = s ? ACCQ_STORAGE_MATRIX_FREE : ACCQ_STORAGE_STORED;
      ck_assert_int_eq(accq_chain_build(&c[s], &m, pol, 6, &o, &err), 0);
    }
    ck_assert_int_eq(c[1]->nstates, states[pp]);
    ck_assert_uint_eq(c[1]->product_states, 5880);
    int ranked = -1;
    int64_t lists = 0, diags = 0;
    ck_assert_int_eq(accq_i_chain_mf_info(c[1], &ranked, &lists, &diags), 0);
    ck_assert_int_eq(ranked, pp);
    ck_assert_int_gt(lists, 0);
    const int64_t n = c[1]->nstates;
    int identity = 1;
    for (int64_t i = 0; i < n; i++) identity &= c[1]->state_key[i] == (uint64_t)i;
    ck_assert_int_eq(identity, pp);
    if (!pp) ck_assert(memcmp(c[0]->state_key, c[1]->state_key, (size_t)n * 8) == 0);
    /* the rank map's 4 bytes per rank: in the jfiq chain's bytes, not in pop's
     * (keys 8 and memo ids 1 per state, tables 2 x 2 x 4 bytes x 7 levels
     * per composition of each type, the compositions 4 x 7 each, the row
     * lists 26 bytes per composition and level >= 1 and two 2-byte counts;
     * 2 and 4 servers at m = 2, B = 6: C(8,6) = 28 and C(10,6) = 210
     * compositions) */
    const double tables = (28.0 + 210.0) * (7.0 * (2.0 * 4.0 + 4.0) + 6.0 * 26.0 + 4.0);
    /* numbered by rank: the diagonals' 2-byte indices and their table */
    ck_assert(pp ? diags > 0 : diags == 0);
    const double want = (double)n * (8.0 + 1.0) + tables +
                        (pp ? 2.0 * (double)n + 8.0 * (double)diags : 4.0 * 5880.0);
    ck_assert_msg(fabs(c[1]->bytes - want) < 1.0, "%s: chain bytes %.0f, want %.0f", pols[pp],
                  c[1]->bytes, want);
    accq_stationary_options_t so;
    accq_stationary_options_init(&so);
    double *pi[2];
    accq_stationary_stats_t st[2];
    for (int s = 0; s < 2; s++) {
      pi[s] = malloc((size_t)n * sizeof *pi[s]);
      ck_assert_msg(accq_stationary_solve(&c[s]->Q, &so, pi[s], &st[s], &err) == 0, "%s", err.msg);
    }
    if (!pp) ck_assert(memcmp(pi[0], pi[1], (size_t)n * sizeof *pi[0]) == 0);
    for (int s = 0; s < 2; s++) {
      free(pi[s]);
      accq_chain_free(c[s]);
    }
    accq_policy_free(pol);
  }
}
END_TEST

/* models/two-tier.ini at m = 2, B = 6 under jfiq: SOR with omega 1.4 (auto's)
 * converged to residual 4.3e-13 with pi[551] = -1.08e-15, below the -1e-15
 * clip, and was refused (auto then fell back to Arnoldi; matrix-free, which
 * has no Arnoldi fallback, had no answer).  Now the accepted iterate has
 * every entry >= 0 as the method returns it (before accq_i_finish's
 * normalization and clip), in both storages, and the solve is accepted. */
START_TEST(test_sor_iterate_nonnegative) {
  char path[4096];
  snprintf(path, sizeof path, "%s/models/two-tier.ini", ACCQ_SOURCE_DIR);
  accq_model_t m;
  load(&m, path, 2);
  accq_policy_t *pol = NULL;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  po.finite_buffer = 1;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_policy_alloc(&pol, "jfiq", &m, &po, &err), 0);
  for (int s = 0; s < 2; s++) {
    accq_chain_options_t o;
    accq_chain_options_init(&o);
    o.storage = s ? ACCQ_STORAGE_MATRIX_FREE : ACCQ_STORAGE_STORED;
    accq_chain_t *c = NULL;
    ck_assert_int_eq(accq_chain_build(&c, &m, pol, 6, &o, &err), 0);
    ck_assert_int_gt(c->nstates, 551);
    double *pi = malloc((size_t)c->nstates * sizeof *pi);
    accq_stationary_options_t so;
    accq_stationary_options_init(&so);
    so.omega = ACCQ_AUTO_OMEGA;
    accq_stationary_stats_t st;
    memset(&st, 0, sizeof st);
    accq_i_sor_variant_t v;
    accq_i_sor_variant_default(&v);
    accq_i_solve_t sv = {.Q = &c->Q, .opt = so, .pi = pi, .stats = &st, .err = &err,
                         .t0 = accq_i_now(), .maxexit = accq_i_max_exit(&c->Q)};
    ck_assert_msg(accq_i_solve_sor(&sv, &v) == 0, "%s", err.msg);
    for (int64_t i = 0; i < c->nstates; i++)
      ck_assert_msg(pi[i] >= 0.0, "raw SOR iterate: pi[%lld] = %.3g", (long long)i, pi[i]);
    /* the whole solve, SOR only (no fallback): accepted, nonnegative */
    so.solver = ACCQ_SOLVER_SOR;
    ck_assert_msg(accq_stationary_solve(&c->Q, &so, pi, &st, &err) == 0, "%s", err.msg);
    ck_assert(st.residual <= so.tol);
    for (int64_t i = 0; i < c->nstates; i++) ck_assert(pi[i] >= 0.0);
    free(pi);
    accq_chain_free(c);
  }
  accq_policy_free(pol);
}
END_TEST

/* auto picks stored when its estimate fits the memory limit, else
 * matrix-free; a chain too large for either is refused before allocating,
 * the estimate in the message. */
START_TEST(test_storage_choice_and_refusal) {
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/models/three-8-4-2.ini", ACCQ_SOURCE_DIR);
  accq_model_t m;
  load(&m, path, 1);
  accq_policy_t *pol = NULL;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_policy_alloc(&pol, "jsq", &m, NULL, &err), 0);
  const int B = 3;
  double states = 0, bytes_stored = 0, bytes_mf = 0;
  int exact = 0;
  accq_chain_options_t o;
  accq_chain_options_init(&o);
  o.storage = ACCQ_STORAGE_STORED;
  ck_assert_int_eq(accq_chain_size_reachable(&m, pol, B, &o, &states, &bytes_stored, &exact, &err), 0);
  o.storage = ACCQ_STORAGE_MATRIX_FREE;
  ck_assert_int_eq(accq_chain_size_reachable(&m, pol, B, &o, &states, &bytes_mf, &exact, &err), 0);
  ck_assert_int_eq(exact, 1);
  /* jsq reaches every composition (product count, exact) */
  ck_assert(bytes_mf < bytes_stored);
  /* a limit between the two estimates: auto is matrix-free, stored refused */
  o.max_bytes = 0.5 * (bytes_mf + bytes_stored);
  o.storage = ACCQ_STORAGE_AUTO;
  double by = 0;
  ck_assert_int_eq(accq_chain_size_reachable(&m, pol, B, &o, &states, &by, &exact, &err), 0);
  ck_assert(by == bytes_mf);
  accq_chain_t *c = NULL;
  ck_assert_msg(accq_chain_build(&c, &m, pol, B, &o, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(c->storage, ACCQ_STORAGE_MATRIX_FREE);
  ck_assert_int_eq((double)c->nstates, states);
  accq_chain_free(c);
  o.storage = ACCQ_STORAGE_STORED;
  ck_assert_int_eq(accq_chain_build(&c, &m, pol, B, &o, &err), ACCQ_ETOOBIG);
  ck_assert(c == NULL);
  /* a limit below both: refused with the matrix-free estimate in GiB */
  o.storage = ACCQ_STORAGE_AUTO;
  o.max_bytes = 0.5 * bytes_mf;
  ck_assert_int_eq(accq_chain_build(&c, &m, pol, B, &o, &err), ACCQ_ETOOBIG);
  char want[64];
  snprintf(want, sizeof want, "estimated %.3f GiB", bytes_mf / GIB);
  ck_assert_msg(strstr(err.msg, want) != NULL, "'%s' not in: %s", want, err.msg);
  /* with the limit above the stored estimate, auto stores */
  o.max_bytes = 2.0 * bytes_stored;
  ck_assert_int_eq(accq_chain_build(&c, &m, pol, B, &o, &err), 0);
  ck_assert_int_eq(c->storage, ACCQ_STORAGE_STORED);
  accq_chain_free(c);
  accq_policy_free(pol);
  /* names */
  accq_storage_t s;
  ck_assert_int_eq(accq_storage_from_name("matrix-free", &s, &err), 0);
  ck_assert_int_eq(s, ACCQ_STORAGE_MATRIX_FREE);
  ck_assert_int_eq(accq_storage_from_name("dense", &s, &err), ACCQ_EINVAL);
  ck_assert(strstr(err.msg, "auto, stored, matrix-free") != NULL);
}
END_TEST

/* The methods that need the matrix (dense, GMRES, power, Arnoldi, the
 * spectrum) run on a stored copy of the matrix-free rows: the same answer as
 * on the stored chain, bit for bit under jfiq (breadth-first numbering in
 * both: the same matrix), to 1e-12 under pop, which reaches every product
 * state (the matrix-free chain numbered by rank: the same matrix permuted,
 * hence other rounding; pi compared state by state through the keys, the
 * eigenvalues, invariant under the permutation, to 1e-10 relative). */
START_TEST(test_other_methods_on_matrix_free) {
  char path[4096];
  snprintf(path, sizeof path, "%s/models/two-tier.ini", ACCQ_SOURCE_DIR);
  accq_model_t m;
  load(&m, path, 1);
  const char *pols[2] = {"jfiq", "pop"};
  for (int pp = 0; pp < 2; pp++) {
    accq_policy_t *pol = NULL;
    accq_err_t err;
    accq_err_clear(&err);
    ck_assert_int_eq(accq_policy_alloc(&pol, pols[pp], &m, NULL, &err), 0);
    accq_chain_t *c[2];
    for (int s = 0; s < 2; s++) {
      accq_chain_options_t o;
      accq_chain_options_init(&o);
      o.storage = s ? ACCQ_STORAGE_MATRIX_FREE : ACCQ_STORAGE_STORED;
      ck_assert_int_eq(accq_chain_build(&c[s], &m, pol, 5, &o, &err), 0);
    }
    int ranked = -1;
    int64_t lists = 0, diags = 0;
    ck_assert_int_eq(accq_i_chain_mf_info(c[1], &ranked, &lists, &diags), 0);
    ck_assert_int_eq(ranked, pp); /* jfiq: 56 of 196 ranks; pop: all 196 */
    int64_t n = c[0]->nstates;
    double *p0 = malloc((size_t)n * sizeof *p0), *p1 = malloc((size_t)n * sizeof *p1);
    const accq_solver_kind_t kinds[] = {ACCQ_SOLVER_DENSE, ACCQ_SOLVER_GMRES, ACCQ_SOLVER_POWER,
                                        ACCQ_SOLVER_ARNOLDI};
    for (int k = 0; k < 4; k++) {
      accq_stationary_options_t so;
      accq_stationary_options_init(&so);
      so.solver = kinds[k];
      ck_assert_msg(accq_stationary_solve(&c[0]->Q, &so, p0, NULL, &err) == 0, "%s", err.msg);
      ck_assert_msg(accq_stationary_solve(&c[1]->Q, &so, p1, NULL, &err) == 0, "%s", err.msg);
      if (!ranked) {
        ck_assert_msg(memcmp(p0, p1, (size_t)n * sizeof *p0) == 0, "%s", accq_solver_name(kinds[k]));
        continue;
      }
      for (int64_t i = 0; i < n; i++)
        ACCQ_CK_CLOSE(p1[c[0]->state_key[i]], p0[i], 0, 1e-12, accq_solver_name(kinds[k]));
    }
    double complex e0[3], e1[3];
    ck_assert_int_eq(accq_spectrum(&c[0]->Q, 3, e0, &err), 0);
    ck_assert_int_eq(accq_spectrum(&c[1]->Q, 3, e1, &err), 0);
    if (!ranked) {
      ck_assert(memcmp(e0, e1, sizeof e0) == 0);
    } else {
      for (int k = 0; k < 3; k++) {
        ACCQ_CK_CLOSE(creal(e1[k]), creal(e0[k]), 1e-10, 1e-12, "spectrum (real)");
        ACCQ_CK_CLOSE(cimag(e1[k]), cimag(e0[k]), 1e-10, 1e-12, "spectrum (imaginary)");
      }
    }
    const double r0 = accq_stationary_residual(&c[0]->Q, p0),
                 r1 = accq_stationary_residual(&c[1]->Q, p1);
    if (!ranked) ACCQ_CK_CLOSE(r1, r0, 1e-12, 1e-300, "residual");
    else ck_assert_msg(r0 <= 1e-12 && r1 <= 1e-12, "residuals %.3g, %.3g", r0, r1); /* the tol */
    free(p0);
    free(p1);
    for (int s = 0; s < 2; s++) accq_chain_free(c[s]);
    accq_policy_free(pol);
  }
}
END_TEST

/* Lines l0 and l1 equal but for their numbers, which agree to 1e-12
 * relative (or 1e-13 absolute: pi sums to 1). */
static int lines_close(const char *l0, const char *l1) {
  while (*l0 && *l1) {
    char *e0 = (char *)l0, *e1 = (char *)l1;
    double v0 = 0, v1 = 0;
    if ((*l0 == '-' || (*l0 >= '0' && *l0 <= '9')) && (*l1 == '-' || (*l1 >= '0' && *l1 <= '9'))) {
      v0 = strtod(l0, &e0);
      v1 = strtod(l1, &e1);
    }
    if (e0 != l0 && e1 != l1) { /* a number in both */
      if (!accq_close(v1, v0, 1e-12, 1e-13)) return 0;
      l0 = e0;
      l1 = e1;
      continue;
    }
    if (*l0++ != *l1++) return 0;
  }
  return *l0 == *l1;
}

/* accq solve --storage: the same results in JSON (the solver's name aside:
 * "-mf" marks the matrix-free sweeps), the same --export-mtx file; a bad name
 * and a --max-memory below the matrix-free estimate are refused (exit 2, 3).
 * pop and jsq reach every product state: their matrix-free chains are
 * numbered by rank, whose sweeps do not do the same sums as the stored
 * chain's, so both run to --tol 1e-15 and the numbers of a line need only
 * agree to 1e-12 (the solver's own figures, iterations and residual, aside);
 * jfiq's (breadth-first in both) export is compared byte for byte. */
START_TEST(test_cli_storage) {
  char args[2][1024], *out[2], *err[2];
  char mtx[2][512];
  for (int s = 0; s < 2; s++) {
    snprintf(mtx[s], sizeof mtx[s], "%s", accq_tmp_file("", ".mtx"));
    snprintf(args[s], sizeof args[s],
             "solve %s --policy pop,jsq,jfiq --buffer 6 --scale 2 --format json -q --storage %s "
             "--tol 1e-15 --export-mtx %s", accq_src_path("models/two-tier.ini"),
             s ? "matrix-free" : "stored", mtx[s]);
    ck_assert_int_eq(accq_run(args[s], &out[s], &err[s]), 0);
    accq_strip_provenance(out[s]);
  }
  ck_assert(strstr(out[1], "sor-sym-iad-aa-mf") != NULL);
  ck_assert(strstr(out[0], "sor-sym-iad-aa-mf") == NULL);
  /* line by line: only the solver names and times may differ */
  char *sp0 = NULL, *sp1 = NULL;
  char *l0 = strtok_r(out[0], "\n", &sp0), *l1 = strtok_r(out[1], "\n", &sp1);
  int lines = 0;
  for (; l0 && l1; l0 = strtok_r(NULL, "\n", &sp0), l1 = strtok_r(NULL, "\n", &sp1), lines++) {
    if (strstr(l0, "\"name\": \"sor") || strstr(l0, "seconds") || strstr(l0, "--storage") ||
        strstr(l0, "\"command\"") || strstr(l0, ".mtx") || strstr(l0, "\"iterations\"") ||
        strstr(l0, "\"residual\""))
      continue;
    ck_assert_msg(lines_close(l0, l1), "stored '%s' vs matrix-free '%s'", l0, l1);
  }
  ck_assert(l0 == NULL && l1 == NULL);
  ck_assert_int_gt(lines, 100);
  for (int s = 0; s < 2; s++) {
    free(out[s]);
    free(err[s]);
  }
  /* the two exports of jfiq's generator, byte for byte */
  char p0[600], p1[600];
  snprintf(p0, sizeof p0, "%.*s-jfiq.mtx", (int)(strlen(mtx[0]) - 4), mtx[0]);
  snprintf(p1, sizeof p1, "%.*s-jfiq.mtx", (int)(strlen(mtx[1]) - 4), mtx[1]);
  FILE *f0 = fopen(p0, "r"), *f1 = fopen(p1, "r");
  ck_assert(f0 && f1);
  int c0, c1;
  long at = 0;
  do {
    c0 = fgetc(f0);
    c1 = fgetc(f1);
    ck_assert_msg(c0 == c1, "--export-mtx differs at byte %ld", at);
    at++;
  } while (c0 != EOF);
  ck_assert_int_gt(at, 1000);
  fclose(f0);
  fclose(f1);
  for (int s = 0; s < 2; s++) {
    char pp[600];
    for (int k = 0; k < 3; k++) {
      snprintf(pp, sizeof pp, "%.*s-%s.mtx", (int)(strlen(mtx[s]) - 4), mtx[s],
               k == 0 ? "pop" : k == 1 ? "jsq" : "jfiq");
      remove(pp);
    }
    remove(mtx[s]);
  }
  char a[1024];
  char *o = NULL, *e = NULL;
  snprintf(a, sizeof a, "solve %s --storage dense", accq_src_path("models/two-tier.ini"));
  ck_assert_int_eq(accq_run(a, &o, &e), 2);
  ck_assert_msg(strstr(e, "auto, stored, matrix-free") != NULL, "%s", e);
  free(o);
  free(e);
  snprintf(a, sizeof a, "solve %s -p jsq -B 6 -m 2 --max-memory 1e-6",
           accq_src_path("models/two-tier.ini"));
  ck_assert_int_eq(accq_run(a, &o, &e), 3);
  ck_assert_msg(strstr(e, "GiB of memory") != NULL, "%s", e);
  free(o);
  free(e);
}
END_TEST

int main(void) {
  Suite *s = suite_create("matrix_free");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_bundled_models_matrix_free_equals_stored);
  tcase_add_test(tc, test_explicit_chains_matrix_free_equals_stored);
  tcase_add_test(tc, test_route_memo_fallback);
  tcase_add_test(tc, test_rank_numbering);
  tcase_add_test(tc, test_sor_iterate_nonnegative);
  tcase_add_test(tc, test_storage_choice_and_refusal);
  tcase_add_test(tc, test_other_methods_on_matrix_free);
  tcase_add_test(tc, test_cli_storage);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
