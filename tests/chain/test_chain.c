/* Chain construction (docs/chains.md): generator invariants, lumped vs explicit
 * stationary distributions for every policy, pod on one type against a hand
 * derivation, reachable counts, size refusals, Matrix Market export.
 *
 * The stationary distributions here come from a dense GSL LU solve of
 * Q^T pi = 0 with one equation replaced by sum pi = 1 (small chains only);
 * the production solvers live in the solve module. */
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/chain.h"
#include "accq/policy.h"
#include "chain/chain_internal.h"
#include "testutil.h"

static accq_model_t mk_model(int K, const int *n, const double *mu, const double *a,
                             double astar, double lambda) {
  accq_model_t m;
  memset(&m, 0, sizeof m);
  snprintf(m.name, sizeof m.name, "test");
  m.lambda_mode = ACCQ_LAMBDA_RATE;
  m.arrival_rate = lambda;
  m.accuracy_target = astar;
  m.buffer = 2;
  m.scale = 1;
  m.ntypes = K;
  for (int k = 0; k < K; k++) {
    snprintf(m.types[k].name, sizeof m.types[k].name, "t%d", k);
    m.types[k].servers = n[k];
    m.types[k].rate = mu[k];
    m.types[k].accuracy = a[k];
  }
  return m;
}

/* Two types: fast inaccurate, slow accurate (a* = 0.6). */
static accq_model_t model_two(double lambda, int n0, int n1) {
  const int n[2] = {n0, n1};
  const double mu[2] = {3.0, 1.0}, a[2] = {0.5, 0.8};
  return mk_model(2, n, mu, a, 0.6, lambda);
}

/* Three types as in the policy tests. */
static accq_model_t model_three(double lambda, int n0, int n1, int n2) {
  const int n[3] = {n0, n1, n2};
  const double mu[3] = {4, 2, 0.8}, a[3] = {0.45, 0.6, 0.69};
  return mk_model(3, n, mu, a, 0.6, lambda);
}

static accq_chain_t *build(const accq_model_t *m, const char *policy, int B, int explicit_) {
  accq_policy_t *p = NULL;
  accq_chain_t *c = NULL;
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_policy_alloc(&p, policy, m, NULL, &err);
  ck_assert_msg(st == 0, "policy %s: %s", policy, err.msg);
  st = explicit_ ? accq_chain_build_explicit(&c, m, p, B, NULL, &err)
                 : accq_chain_build(&c, m, p, B, NULL, &err);
  ck_assert_msg(st == 0, "chain %s: %s", policy, err.msg);
  accq_policy_free(p);
  return c;
}

/* CSR invariants: sorted unique columns in range, positive rates, diagonal =
 * -row sum (|sum| <= 1e-12 max |Q_ii|), no self loops. */
static void check_generator(const accq_chain_t *c) {
  const accq_generator_t *q = &c->Q;
  double maxd = 0;
  ck_assert_int_eq(q->n, c->nstates);
  ck_assert_int_eq(q->rowptr[0], 0);
  ck_assert_int_eq(q->rowptr[q->n], q->nnz);
  for (int64_t i = 0; i < q->n; i++) maxd = fmax(maxd, fabs(accq_generator_diag(q, i)));
  for (int64_t i = 0; i < q->n; i++) {
    double sum = accq_generator_diag(q, i);
    for (int64_t p = q->rowptr[i]; p < q->rowptr[i + 1]; p++) {
      ck_assert(q->col[p] >= 0 && q->col[p] < q->n);
      ck_assert(q->col[p] != i);
      ck_assert(accq_generator_rate(q, p) > 0);
      if (p > q->rowptr[i]) ck_assert(q->col[p] > q->col[p - 1]);
      sum += accq_generator_rate(q, p);
    }
    ck_assert_msg(fabs(sum) <= 1e-12 * maxd, "row %lld sums to %.3g", (long long)i, sum);
  }
}

/* Dense stationary solve with GSL LU: Q^T pi = 0 with the last equation
 * replaced by sum pi = 1. */
static double *dense_pi(const accq_chain_t *c) {
  const accq_generator_t *q = &c->Q;
  size_t n = (size_t)q->n;
  gsl_matrix *A = gsl_matrix_calloc(n, n);
  gsl_vector *b = gsl_vector_calloc(n), *x = gsl_vector_alloc(n);
  gsl_permutation *perm = gsl_permutation_alloc(n);
  int sign;
  for (size_t i = 0; i < n; i++) {
    gsl_matrix_set(A, i, i, accq_generator_diag(q, i));
    for (int64_t p = q->rowptr[i]; p < q->rowptr[i + 1]; p++)
      gsl_matrix_set(A, (size_t)q->col[p], i, accq_generator_rate(q, p));
  }
  for (size_t j = 0; j < n; j++) gsl_matrix_set(A, n - 1, j, 1.0);
  gsl_vector_set(b, n - 1, 1.0);
  gsl_linalg_LU_decomp(A, perm, &sign);
  gsl_linalg_LU_solve(A, perm, b, x);
  double *pi = malloc(n * sizeof *pi);
  for (size_t i = 0; i < n; i++) pi[i] = gsl_vector_get(x, i);
  gsl_matrix_free(A);
  gsl_vector_free(b);
  gsl_vector_free(x);
  gsl_permutation_free(perm);
  return pi;
}

/* Lumped vs explicit: aggregate the explicit pi by occupancy and compare with
 * the lumped pi state by state (exact lumpability, docs/policies.md, docs/chains.md). */
static void compare_lumped_explicit(const accq_model_t *m, const char *policy, int B) {
  accq_chain_t *lc = build(m, policy, B, 0), *ec = build(m, policy, B, 1);
  check_generator(lc);
  check_generator(ec);
  double *pl = dense_pi(lc), *pe = dense_pi(ec);
  double *agg = calloc(lc->product_states, sizeof *agg);
  int64_t *where = malloc(lc->product_states * sizeof *where);
  for (uint64_t r = 0; r < lc->product_states; r++) where[r] = -1;
  for (int64_t i = 0; i < lc->nstates; i++) where[lc->state_key[i]] = i;
  int count[64], count2[64];
  int L = B + 1, K = m->ntypes;
  for (int64_t i = 0; i < ec->nstates; i++) {
    accq_chain_state_counts(ec, i, count);
    uint64_t r = accq_space_rank(lc->space, count);
    /* every explicit state maps to a reachable lumped state */
    ck_assert_msg(where[r] >= 0, "%s: explicit state %lld not in the lumped chain", policy,
                  (long long)i);
    agg[r] += pe[i];
  }
  double maxdiff = 0;
  for (int64_t i = 0; i < lc->nstates; i++) {
    maxdiff = fmax(maxdiff, fabs(agg[lc->state_key[i]] - pl[i]));
    accq_chain_state_counts(lc, i, count2);
    for (int k = 0; k < K; k++) {
      int sum = 0;
      for (int q = 0; q < L; q++) sum += count2[k * L + q];
      ck_assert_int_eq(sum, lc->servers[k]);
    }
  }
  ck_assert_msg(maxdiff <= 1e-10, "%s B=%d: lumped vs explicit differ by %.3g", policy, B,
                maxdiff);
  free(pl);
  free(pe);
  free(agg);
  free(where);
  accq_chain_free(lc);
  accq_chain_free(ec);
}

START_TEST(test_lumped_vs_explicit) {
  const char *pols[] = {"rjiq", "rjiq:0.2", "pop", "random-lp", "accurate-jiq", "jiq",
                        "jfiq", "jsq",      "sed", "pod",       "pod:3"};
  for (size_t i = 0; i < sizeof pols / sizeof pols[0]; i++) {
    accq_model_t m2 = model_two(3.2, 2, 2);
    compare_lumped_explicit(&m2, pols[i], 3);
    /* Lambda = 1.9: rjiq's split is all on mid (cap 2); with slack 0.2 mid
     * takes 1.6 and the pair (slow, fast) the rest */
    accq_model_t m3 = model_three(1.9, 2, 1, 1);
    compare_lumped_explicit(&m3, pols[i], 2);
    /* scale 2 doubles servers and Lambda */
    accq_model_t ms = model_two(1.4, 1, 1);
    ms.scale = 2;
    compare_lumped_explicit(&ms, pols[i], 2);
    /* B = 1: loss systems */
    accq_model_t m1 = model_three(1.9, 2, 2, 1);
    compare_lumped_explicit(&m1, pols[i], 1);
  }
}
END_TEST

/* pod:2 on one type with N = 2 servers, B = 2, by hand: with levels a < b the
 * minimum of two draws with replacement is the lower server unless both draws
 * hit the higher one: 3/4 vs 1/4; equal levels split 1/2 each.  The 2-server
 * chain (x1, x2) in {0,1,2}^2 is written out here without the policy code and
 * solved; its occupancy marginals must equal the lumped chain's. */
START_TEST(test_pod_one_type) {
  const int n[1] = {2};
  const double mu[1] = {1.3}, a[1] = {0.9};
  const double lam = 1.7;
  accq_model_t m = mk_model(1, n, mu, a, 0.5, lam);
  accq_chain_t *lc = build(&m, "pod:2", 2, 0);
  ck_assert_int_eq(lc->nstates, 6);          /* C(2+2, 2) */
  ck_assert_uint_eq(lc->product_states, 6);
  double *pl = dense_pi(lc);
  /* hand chain, state index 3*x1 + x2 */
  gsl_matrix *A = gsl_matrix_calloc(9, 9);
  for (int x1 = 0; x1 < 3; x1++)
    for (int x2 = 0; x2 < 3; x2++) {
      int s = 3 * x1 + x2;
      double out = 0;
      /* departures */
      if (x1 > 0) gsl_matrix_set(A, 3 * (x1 - 1) + x2, s, mu[0]), out += mu[0];
      if (x2 > 0) gsl_matrix_set(A, 3 * x1 + x2 - 1, s, mu[0]), out += mu[0];
      /* arrivals: probability of joining server 1 */
      double p1 = x1 < x2 ? 0.75 : x1 > x2 ? 0.25 : 0.5;
      if (x1 < 2) gsl_matrix_set(A, 3 * (x1 + 1) + x2, s, lam * p1), out += lam * p1;
      if (x2 < 2) gsl_matrix_set(A, 3 * x1 + x2 + 1, s, lam * (1 - p1)), out += lam * (1 - p1);
      gsl_matrix_set(A, s, s, -out);
    }
  for (int j = 0; j < 9; j++) gsl_matrix_set(A, 8, j, 1.0);
  gsl_vector *b = gsl_vector_calloc(9), *x = gsl_vector_alloc(9);
  gsl_vector_set(b, 8, 1.0);
  gsl_permutation *perm = gsl_permutation_alloc(9);
  int sign;
  gsl_linalg_LU_decomp(A, perm, &sign);
  gsl_linalg_LU_solve(A, perm, b, x);
  double agg[6] = {0};
  for (int x1 = 0; x1 < 3; x1++)
    for (int x2 = 0; x2 < 3; x2++) {
      int c[3] = {0, 0, 0};
      c[x1]++;
      c[x2]++;
      agg[accq_space_rank(lc->space, c)] += gsl_vector_get(x, (size_t)(3 * x1 + x2));
    }
  for (int64_t i = 0; i < lc->nstates; i++)
    ACCQ_CK_CLOSE(pl[i], agg[lc->state_key[i]], 0, 1e-12, "pod one type vs hand chain");
  /* and the lumped generator's rate from (1,1,0) [levels 0 and 1] to (0,2,0)
   * is lam * 3/4 (join the idle server) */
  int from[3] = {1, 1, 0}, to[3] = {0, 2, 0};
  uint64_t rf = accq_space_rank(lc->space, from), rt = accq_space_rank(lc->space, to);
  int64_t fi = -1, ti = -1;
  for (int64_t i = 0; i < lc->nstates; i++) {
    if (lc->state_key[i] == rf) fi = i;
    if (lc->state_key[i] == rt) ti = i;
  }
  double rate = 0;
  for (int64_t p = lc->Q.rowptr[fi]; p < lc->Q.rowptr[fi + 1]; p++)
    if (lc->Q.col[p] == ti) rate = accq_generator_rate(&lc->Q, p);
  ACCQ_CK_CLOSE(rate, lam * 0.75, 1e-15, 0, "pod rate to the idle server");
  gsl_matrix_free(A);
  gsl_vector_free(b);
  gsl_vector_free(x);
  gsl_permutation_free(perm);
  free(pl);
  accq_chain_free(lc);
}
END_TEST

/* M/M/1/B check of the transitions: random-lp on one type with one server is
 * an M/M/1/B queue: pi_q proportional to rho^q (closed form). */
START_TEST(test_mm1b) {
  const int n[1] = {1};
  const double mu[1] = {2.0}, a[1] = {0.9};
  accq_model_t m = mk_model(1, n, mu, a, 0.5, 1.5);
  const int B = 5;
  accq_chain_t *c = build(&m, "random-lp", B, 0);
  ck_assert_int_eq(c->nstates, B + 1);
  double *pi = dense_pi(c), rho = 0.75, norm = 0;
  for (int q = 0; q <= B; q++) norm += pow(rho, q);
  int count[6];
  for (int64_t i = 0; i < c->nstates; i++) {
    accq_chain_state_counts(c, i, count);
    int q = 0;
    for (int l = 0; l <= B; l++)
      if (count[l]) q = l;
    ACCQ_CK_CLOSE(pi[i], pow(rho, q) / norm, 1e-12, 0, "M/M/1/B pi_q");
    /* BFS from the empty system: state i holds i jobs */
    ck_assert_int_eq(q, (int)i);
  }
  free(pi);
  accq_chain_free(c);
}
END_TEST

/* random-lp makes every server an independent M/M/1/B queue with arrival rate
 * Lambda p_k / N_k (Bernoulli split), so the lumped stationary distribution is
 * the product form pi(c) = prod_k N_k! / prod_q c_kq! * prod_q pi_k(q)^c_kq
 * with pi_k(q) proportional to rho_k^q (closed form, docs/claims.md claim 5). */
START_TEST(test_random_lp_product_form) {
  /* Lambda = 4.5 per unit: by hand the split is mid 4 (its capacity: rho = 1,
   * fine with a finite buffer), slow 0.3125, fast 0.1875: all three types used */
  accq_model_t m = model_three(4.5, 2, 2, 1); /* 10 * 10 * 4 = 400 states at B = 3 */
  const int B = 3, L = B + 1;
  accq_policy_t *p = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_policy_alloc(&p, "random-lp", &m, NULL, &err), 0);
  const double *split = accq_policy_split(p);
  ACCQ_CK_CLOSE(split[0], 0.1875 / 4.5, 1e-9, 0, "split fast");
  ACCQ_CK_CLOSE(split[2], 0.3125 / 4.5, 1e-9, 0, "split slow");
  accq_chain_t *c = NULL;
  ck_assert_int_eq(accq_chain_build(&c, &m, p, B, NULL, &err), 0);
  check_generator(c);
  ck_assert_uint_eq(c->nstates, c->product_states); /* every occupancy reachable */
  double *pi = dense_pi(c);
  double pk[3][4];
  for (int k = 0; k < 3; k++) {
    double rho = c->lambda * split[k] / c->servers[k] / m.types[k].rate, norm = 0;
    for (int q = 0; q < L; q++) norm += pow(rho, q);
    for (int q = 0; q < L; q++) pk[k][q] = pow(rho, q) / norm;
  }
  int count[12];
  double total = 0;
  for (int64_t i = 0; i < c->nstates; i++) {
    accq_chain_state_counts(c, i, count);
    double want = 1;
    for (int k = 0; k < 3; k++) {
      want *= tgamma(c->servers[k] + 1.0);
      for (int q = 0; q < L; q++)
        want *= pow(pk[k][q], count[k * L + q]) / tgamma(count[k * L + q] + 1.0);
    }
    total += want;
    ACCQ_CK_CLOSE(pi[i], want, 1e-10, 1e-15, "random-lp product form");
  }
  /* every state with positive product-form mass was reached */
  ACCQ_CK_CLOSE(total, 1.0, 1e-12, 0, "product form mass over reachable states");
  free(pi);
  accq_chain_free(c);
  accq_policy_free(p);
}
END_TEST

/* rjiq on three types whose LP split uses one type only: the others never
 * receive a job, so only that type's C(4+2, 2) = 15 occupancies are reachable
 * out of 15^3 = 3375. */
START_TEST(test_reachable_rjiq) {
  /* model_three with 4 servers per type: mid's capacity 8 >= Lambda = 5, and
   * mid (s = 0.5) is the cheapest pair, so the split is all on mid (by hand) */
  accq_model_t m = model_three(5.0, 4, 4, 4);
  accq_policy_t *p = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_policy_alloc(&p, "rjiq", &m, NULL, &err), 0);
  ACCQ_CK_CLOSE(accq_policy_split(p)[1], 1.0, 0, 1e-12, "split on mid");
  accq_chain_t *c = NULL;
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 2, NULL, &err), 0);
  /* the unused types are frozen before building: the rank space (and the
   * size estimate) is the reachable count itself, not 3375 */
  ck_assert_uint_eq(c->product_states, 15);
  ck_assert_int_eq(c->nstates, 15);
  double est = 0;
  ck_assert_int_eq(accq_chain_size_estimate(&m, p, 2, &est, NULL, &err), 0);
  ACCQ_CK_CLOSE(est, 15.0, 0, 0, "size estimate = reachable");
  ck_assert_int_eq(accq_chain_size_estimate(&m, NULL, 2, &est, NULL, &err), 0);
  ACCQ_CK_CLOSE(est, 3375.0, 0, 0, "size estimate without a policy = product");
  check_generator(c);
  accq_chain_free(c);
  accq_policy_free(p);
  /* at a* = 0.45 every type is accurate enough and the fastest singleton
   * (fast, s = 0.25, capacity 16) takes everything */
  m.accuracy_target = 0.45;
  ck_assert_int_eq(accq_policy_alloc(&p, "rjiq", &m, NULL, &err), 0);
  ACCQ_CK_CLOSE(accq_policy_split(p)[0], 1.0, 0, 1e-12, "split on fast");
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 2, NULL, &err), 0);
  ck_assert_int_eq(c->nstates, 15);
  accq_chain_free(c);
  accq_policy_free(p);
}
END_TEST

/* Two of three types used: 15 x 15 = 225 of 3375 reachable. */
START_TEST(test_reachable_225) {
  /* types: fast (mu 4, a 0.45), slow (mu 0.8, a 0.69), spare (mu 0.5, a 0.5),
   * a* = 0.6, one server each per unit, N = 4 at scale 4, B = 2.  Pairs by hand:
   * (slow) s = 1.25; (slow, fast) w = 0.625, s = 0.875; (slow, spare)
   * w = 0.1/0.19, s = 0.526/0.8 + 0.474/0.5 = 1.6 -> the LP at Lambda = 1
   * uses (slow, fast) only: x_slow = 0.625, x_fast = 0.375. */
  const int n[3] = {1, 1, 1};
  const double mu[3] = {4, 0.8, 0.5}, a[3] = {0.45, 0.69, 0.5};
  accq_model_t m = mk_model(3, n, mu, a, 0.6, 1.0);
  m.scale = 4;
  accq_policy_t *p = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_policy_alloc(&p, "rjiq", &m, NULL, &err), 0);
  const double *split = accq_policy_split(p);
  ACCQ_CK_CLOSE(split[1], 0.625, 1e-9, 0, "split slow");
  ACCQ_CK_CLOSE(split[0], 0.375, 1e-9, 0, "split fast");
  ACCQ_CK_CLOSE(split[2], 0.0, 0, 1e-12, "split spare");
  accq_chain_t *c = NULL;
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 2, NULL, &err), 0);
  ck_assert_uint_eq(c->product_states, 225); /* spare frozen: 15 x 15 x 1 */
  ck_assert_int_eq(c->nstates, 225);
  ACCQ_CK_CLOSE(c->lambda, 4.0, 0, 0, "lambda = m Lambda");
  check_generator(c);
  accq_chain_free(c);
  /* jsq ignores accuracy and uses every type: more states */
  accq_policy_free(p);
  ck_assert_int_eq(accq_policy_alloc(&p, "jsq", &m, NULL, &err), 0);
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 2, NULL, &err), 0);
  ck_assert_int_gt(c->nstates, 225);
  check_generator(c);
  accq_chain_free(c);
  accq_policy_free(p);
}
END_TEST

START_TEST(test_generators_all_policies) {
  for (int i = 0; i < accq_policy_nnames; i++) {
    accq_model_t m = model_three(3.9, 3, 2, 2);
    accq_chain_t *c = build(&m, accq_policy_names[i], 4, 0);
    check_generator(c);
    ck_assert_int_le((int64_t)c->nstates, (int64_t)c->product_states);
    ck_assert_uint_eq(c->state_key[0], 0); /* the empty system comes first */
    ck_assert(c->build_seconds >= 0);
    accq_chain_free(c);
  }
}
END_TEST

/* The per-type neighbour tables and plain unranking build the same chain,
 * bit for bit (0 disables the tables; 60 entries hold the tables of the two smaller
 * types, 40 + 16, but not the first, 80: a mix of both paths). */
START_TEST(test_table_paths) {
  const char *pols[] = {"pop", "jiq", "rjiq:0.2", "pod:3"};
  for (int i = 0; i < 4; i++) {
    accq_model_t m = model_three(1.9, 3, 2, 1);
    accq_policy_t *p = NULL;
    accq_err_t err;
    ck_assert_int_eq(accq_policy_alloc(&p, pols[i], &m, NULL, &err), 0);
    accq_chain_t *ref = NULL;
    ck_assert_int_eq(accq_chain_build(&ref, &m, p, 3, NULL, &err), 0);
    const uint64_t limits[2] = {0, 60};
    for (int j = 0; j < 2; j++) {
      accq_chain_t *c = NULL;
      ck_assert_int_eq(accq_i_chain_build_lumped(&c, &m, p, 3, NULL, limits[j], &err), 0);
      ck_assert_int_eq(c->nstates, ref->nstates);
      ck_assert_int_eq(c->Q.nnz, ref->Q.nnz);
      ck_assert(memcmp(c->state_key, ref->state_key, (size_t)c->nstates * 8) == 0);
      ck_assert(memcmp(c->Q.rowptr, ref->Q.rowptr, (size_t)(c->nstates + 1) * 8) == 0);
      ck_assert(memcmp(c->Q.col, ref->Q.col, (size_t)c->Q.nnz * 4) == 0);
      for (int64_t e = 0; e < c->Q.nnz; e++)
        ck_assert(accq_generator_rate(&c->Q, e) == accq_generator_rate(&ref->Q, e));
      for (int64_t st = 0; st < c->nstates; st++) {
        double da = accq_generator_diag(&c->Q, st), db = accq_generator_diag(&ref->Q, st);
        ck_assert(memcmp(&da, &db, sizeof da) == 0);
      }
      /* state counts: from the kept tables (ref) and from unranking (limit 0) */
      for (int64_t st = 0; st < c->nstates; st++) {
        int a[16], b[16];
        accq_chain_state_counts(c, st, a);
        accq_chain_state_counts(ref, st, b);
        ck_assert(memcmp(a, b, sizeof(int) * 3 * 4) == 0);
        ck_assert_uint_eq(accq_space_rank(c->space, a), c->state_key[st]);
      }
      accq_chain_free(c);
    }
    accq_chain_free(ref);
    accq_policy_free(p);
  }
}
END_TEST

/* Too-large spaces are refused before allocation with the figures. */
START_TEST(test_too_big) {
  accq_model_t m = model_three(3.0, 2, 2, 1);
  accq_policy_t *p = NULL;
  accq_chain_t *c = NULL;
  accq_err_t err;
  accq_chain_options_t opt;
  accq_chain_options_init(&opt);
  ck_assert(opt.max_states == 20000000);
  ck_assert(opt.max_bytes > 0);
  /* jsq: its product count is exact (pop's chain reaches fewer states and is
   * counted before refusing: tests/chain/test_count.c) */
  ck_assert_int_eq(accq_policy_alloc(&p, "jsq", &m, NULL, &err), 0);
  /* C(5,3)^2 C(4,3) = 10 * 10 * 4 = 400 states at B = 3 */
  opt.max_states = 399;
  int st = accq_chain_build(&c, &m, p, 3, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_int_eq(accq_status_exit_code(st), 3);
  ck_assert_ptr_null(c);
  ck_assert_msg(strstr(err.msg, "400 states") && strstr(err.msg, "399") &&
                    strstr(err.msg, "GiB") && strstr(err.msg, "jsq"),
                "message: %s", err.msg);
  opt.max_states = 400;
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 3, &opt, &err), 0);
  ck_assert_int_le(c->nstates, 400);
  ck_assert_uint_eq(c->product_states, 400);
  accq_chain_free(c);
  /* byte limit */
  opt.max_bytes = 1000;
  st = accq_chain_build(&c, &m, p, 3, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "GiB"), "message: %s", err.msg);
  /* explicit: (B+1)^5 = 1024 states */
  opt.max_bytes = 1e12;
  opt.max_states = 1000;
  st = accq_chain_build_explicit(&c, &m, p, 3, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "1024 states"), "message: %s", err.msg);
  /* 64-bit overflow of the product count: a huge scale, refused with no
   * allocation, whatever the limits */
  opt.max_states = INT64_MAX;
  opt.max_bytes = 1e300;
  m.scale = 100000;
  st = accq_chain_build(&c, &m, p, 50, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "2^63"), "message: %s", err.msg);
  st = accq_chain_build_explicit(&c, &m, p, 50, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  /* the estimate grows with states and transitions */
  ck_assert(accq_chain_bytes_estimate(2e6, 2, 10) > accq_chain_bytes_estimate(1e6, 2, 10));
  ck_assert(accq_chain_bytes_estimate(1e6, 3, 10) > accq_chain_bytes_estimate(1e6, 2, 10));
  ck_assert(accq_chain_bytes_estimate(1e6, 2, 10) > 1e6 * 8);
  accq_policy_free(p);
}
END_TEST

START_TEST(test_export_mtx) {
  accq_model_t m = model_two(2.5, 2, 1);
  accq_chain_t *c = build(&m, "pop", 3, 0);
  char path[256];
  snprintf(path, sizeof path, "/tmp/accq_test_chain_%ld.mtx", (long)getpid());
  accq_err_t err;
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(accq_chain_write_mtx(c, f, &err), 0);
  ck_assert_int_eq(fclose(f), 0);
  f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char line[512];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  ck_assert_str_eq(line, "%%MatrixMarket matrix coordinate real general\n");
  long long rows = 0, cols = 0, nnz = 0;
  do {
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  } while (line[0] == '%');
  ck_assert_int_eq(sscanf(line, "%lld %lld %lld", &rows, &cols, &nnz), 3);
  ck_assert_int_eq(rows, c->nstates);
  ck_assert_int_eq(cols, c->nstates);
  ck_assert_int_eq(nnz, c->Q.nnz + c->nstates);
  /* read back into a dense matrix and compare bit for bit (%.17g round-trips) */
  size_t n = (size_t)c->nstates;
  double *dense = calloc(n * n, sizeof *dense);
  long long i, j;
  double v;
  long long seen = 0;
  while (fscanf(f, "%lld %lld %lf", &i, &j, &v) == 3) {
    ck_assert(i >= 1 && i <= rows && j >= 1 && j <= cols);
    dense[(size_t)(i - 1) * n + (size_t)(j - 1)] += v;
    seen++;
  }
  fclose(f);
  ck_assert_int_eq(seen, nnz);
  for (size_t r = 0; r < n; r++) {
    ck_assert(dense[r * n + r] == accq_generator_diag(&c->Q, (int64_t)r));
    double sum = 0;
    for (size_t q = 0; q < n; q++) sum += dense[r * n + q];
    ck_assert(fabs(sum) <= 1e-12 * fabs(accq_generator_diag(&c->Q, (int64_t)r)) + 1e-300);
    for (int64_t p = c->Q.rowptr[r]; p < c->Q.rowptr[r + 1]; p++)
      ck_assert(dense[r * n + (size_t)c->Q.col[p]] == accq_generator_rate(&c->Q, p));
  }
  free(dense);
  remove(path);
  /* a stream that cannot take the bytes (a full device) is ACCQ_EWRITE */
  FILE *full = fopen("/dev/full", "w");
  if (full) {
    int st = accq_chain_write_mtx(c, full, &err);
    ck_assert_int_eq(st, ACCQ_EWRITE);
    ck_assert_msg(strstr(err.msg, "Matrix Market"), "message: %s", err.msg);
    fclose(full);
  }
  accq_chain_free(c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("chain");
  TCase *tc = tcase_create("chain");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_lumped_vs_explicit);
  tcase_add_test(tc, test_pod_one_type);
  tcase_add_test(tc, test_mm1b);
  tcase_add_test(tc, test_random_lp_product_form);
  tcase_add_test(tc, test_reachable_rjiq);
  tcase_add_test(tc, test_reachable_225);
  tcase_add_test(tc, test_generators_all_policies);
  tcase_add_test(tc, test_table_paths);
  tcase_add_test(tc, test_too_big);
  tcase_add_test(tc, test_export_mtx);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
