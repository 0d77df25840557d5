/* Stationary solvers (docs/chains.md): closed forms, agreement between methods,
 * residuals, degenerate sizes, failure reporting, and the spectrum. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_complex.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sort_vector.h>
#include <gsl/gsl_vector.h>

#include "accq/stationary.h"
#include "solve/solve_internal.h"
#include "testutil.h"

static const accq_solver_kind_t all_methods[] = {ACCQ_SOLVER_AUTO, ACCQ_SOLVER_DENSE, ACCQ_SOLVER_SOR,
                                                 ACCQ_SOLVER_GMRES, ACCQ_SOLVER_POWER, ACCQ_SOLVER_ARNOLDI};
#define NMETHODS ((int)(sizeof all_methods / sizeof all_methods[0]))

/* Builds an accq_generator_t from a dense rate matrix R (n x n, off-diagonal
 * rates; R[i][i] ignored). */
static void gen_from_dense(accq_generator_t *Q, int n, const double *R) {
  int64_t nnz = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      if (i != j && R[i * n + j] > 0) nnz++;
  Q->n = n;
  Q->nnz = nnz;
  Q->rowptr = malloc((size_t)(n + 1) * sizeof *Q->rowptr);
  Q->col = malloc((size_t)(nnz ? nnz : 1) * sizeof *Q->col);
  Q->val = malloc((size_t)(nnz ? nnz : 1) * sizeof *Q->val);
  Q->diag = malloc((size_t)n * sizeof *Q->diag);
  int64_t at = 0;
  for (int i = 0; i < n; i++) {
    Q->rowptr[i] = at;
    double s = 0;
    for (int j = 0; j < n; j++)
      if (i != j && R[i * n + j] > 0) {
        Q->col[at] = j;
        Q->val[at++] = R[i * n + j];
        s += R[i * n + j];
      }
    Q->diag[i] = -s;
  }
  Q->rowptr[n] = at;
}

/* Birth-death chain on 0..B: birth lambda, death min(k, c) mu (M/M/c/B). */
static void birth_death(accq_generator_t *Q, int B, double lambda, double mu, int c) {
  int n = B + 1;
  double *R = calloc((size_t)n * n, sizeof *R);
  for (int k = 0; k < n; k++) {
    if (k < B) R[k * n + k + 1] = lambda;
    if (k > 0) R[k * n + k - 1] = (k < c ? k : c) * mu;
  }
  gen_from_dense(Q, n, R);
  free(R);
}

/* Closed form of M/M/c/B: pi_k proportional to a^k/k! (k <= c) and
 * a^c/c! (a/c)^(k-c) (k > c), a = lambda/mu (Kleinrock vol. 1, 3.39). */
static void mmcb_pi(int B, double lambda, double mu, int c, double *pi) {
  double a = lambda / mu, s = 0;
  pi[0] = 1;
  for (int k = 1; k <= B; k++) pi[k] = pi[k - 1] * a / (k < c ? k : c);
  for (int k = 0; k <= B; k++) s += pi[k];
  for (int k = 0; k <= B; k++) pi[k] /= s;
}

/* Random irreducible generator: a ring i -> i+1 plus about `extra` random
 * transitions per state, rates in [0.1, 10), fixed LCG seed. */
static uint64_t lcg_state;
static double lcg_uniform(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(lcg_state >> 11) / 9007199254740992.0;
}
static void random_generator(accq_generator_t *Q, int n, int extra, uint64_t seed) {
  lcg_state = seed;
  double *R = calloc((size_t)n * n, sizeof *R);
  for (int i = 0; i < n; i++) {
    R[i * n + (i + 1) % n] = 0.1 + 9.9 * lcg_uniform();
    for (int e = 0; e < extra; e++) {
      int j = (int)(lcg_uniform() * n);
      if (j != i) R[i * n + j] = 0.1 + 9.9 * lcg_uniform();
    }
  }
  gen_from_dense(Q, n, R);
  free(R);
}

static int solve_with(const accq_generator_t *Q, accq_solver_kind_t kind, double *pi,
                      accq_stationary_stats_t *st, accq_err_t *err) {
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  opt.solver = kind;
  return accq_stationary_solve(Q, &opt, pi, st, err);
}

START_TEST(test_mm1b_every_solver) {
  /* M/M/1/B, B = 40, rho = 0.8: truncated geometric pi_k = (1-rho) rho^k / (1 - rho^(B+1)). */
  const int B = 40;
  const double lambda = 0.8, mu = 1.0, rho = lambda / mu;
  accq_generator_t Q;
  birth_death(&Q, B, lambda, mu, 1);
  double pi[41];
  for (int m = 0; m < NMETHODS; m++) {
    accq_stationary_stats_t st;
    accq_err_t err;
    accq_err_clear(&err);
    int rc = solve_with(&Q, all_methods[m], pi, &st, &err);
    ck_assert_msg(rc == ACCQ_SUCCESS, "%s: %s", accq_solver_name(all_methods[m]), err.msg);
    ck_assert_msg(st.converged && st.residual <= 1e-12, "%s residual %g", st.name, st.residual);
    /* The reported residual is docs/chains.md's, recomputed here independently of stats. */
    ck_assert(accq_stationary_residual(&Q, pi) <= 1e-12);
    for (int k = 0; k <= B; k++) {
      double want = (1 - rho) * pow(rho, k) / (1 - pow(rho, B + 1));
      /* docs/chains.md only bounds the residual (1e-12 * max|Q_jj| = 1.8e-12); the error
       * is at most about residual / spectral gap of Q, the gap being near
       * (sqrt(mu) - sqrt(lambda))^2 = 0.011: 2e-10.  Power iteration, whose error
       * lies along the slowest mode, comes closest to that bound. */
      ACCQ_CK_CLOSE(pi[k], want, 0, 3e-10, st.name);
    }
  }
  accq_generator_free(&Q);
}
END_TEST

START_TEST(test_mmcb_every_solver) {
  /* M/M/c/B with c = 5, B = 120, lambda = 4.5, mu = 1 (load 0.9): closed form above. */
  const int B = 120, c = 5;
  const double lambda = 4.5, mu = 1.0;
  accq_generator_t Q;
  birth_death(&Q, B, lambda, mu, c);
  double pi[121], want[121];
  mmcb_pi(B, lambda, mu, c, want);
  for (int m = 0; m < NMETHODS; m++) {
    accq_stationary_stats_t st;
    accq_err_t err;
    accq_err_clear(&err);
    int rc = solve_with(&Q, all_methods[m], pi, &st, &err);
    ck_assert_msg(rc == ACCQ_SUCCESS, "%s: %s", accq_solver_name(all_methods[m]), err.msg);
    ck_assert(st.residual <= 1e-12);
    /* Error bound residual / gap: 1e-12 * 9.5 / (sqrt(c mu) - sqrt(lambda))^2 = 7e-10. */
    for (int k = 0; k <= B; k++) ACCQ_CK_CLOSE(pi[k], want[k], 0, 1e-9, st.name);
    if (all_methods[m] == ACCQ_SOLVER_ARNOLDI) ck_assert(st.subdominant > 0 && st.subdominant < 1);
    else ck_assert(isnan(st.subdominant));
  }
  accq_generator_free(&Q);
}
END_TEST

START_TEST(test_random_all_agree) {
  /* Random irreducible generators (fixed seeds): every method meets its
   * residual and all agree with dense LU to 1e-9. */
  const int sizes[] = {7, 60, 400};
  for (int t = 0; t < 3; t++) {
    int n = sizes[t];
    accq_generator_t Q;
    random_generator(&Q, n, 3, 12345u + (uint64_t)t);
    double *ref = malloc((size_t)n * sizeof *ref), *pi = malloc((size_t)n * sizeof *pi);
    accq_stationary_stats_t st;
    accq_err_t err;
    ck_assert_int_eq(solve_with(&Q, ACCQ_SOLVER_DENSE, ref, &st, &err), ACCQ_SUCCESS);
    for (int m = 0; m < NMETHODS; m++) {
      accq_err_clear(&err);
      int rc = solve_with(&Q, all_methods[m], pi, &st, &err);
      ck_assert_msg(rc == ACCQ_SUCCESS, "n=%d %s: %s", n, accq_solver_name(all_methods[m]), err.msg);
      ck_assert_msg(st.residual <= 1e-12 && accq_stationary_residual(&Q, pi) <= 1e-12, "%s %g", st.name,
                    st.residual);
      double s = 0;
      for (int i = 0; i < n; i++) {
        ACCQ_CK_CLOSE(pi[i], ref[i], 0, 1e-9, st.name);
        ck_assert(pi[i] >= 0);
        s += pi[i];
      }
      ACCQ_CK_CLOSE(s, 1.0, 1e-14, 0, "sum pi");
    }
    free(ref);
    free(pi);
    accq_generator_free(&Q);
  }
}
END_TEST

/* Two M/M/1/B queues fed by join-the-shortest-queue (ties to queue 0): states
 * (x, y), 0 <= x, y <= B, index x (B+1) + y.  Bipartite (every transition
 * changes x + y by one), like the occupancy chains. */
static void jsq2(accq_generator_t *Q, int B, double lambda, double mu0, double mu1) {
  const int n = (B + 1) * (B + 1);
  double *R = calloc((size_t)n * n, sizeof *R);
  for (int x = 0; x <= B; x++)
    for (int y = 0; y <= B; y++) {
      int i = x * (B + 1) + y;
      if (x > 0) R[i * n + i - (B + 1)] = mu0;
      if (y > 0) R[i * n + i - 1] = mu1;
      if (x <= y && x < B) R[i * n + i + (B + 1)] = lambda;
      else if (y < x && y < B) R[i * n + i + 1] = lambda;
    }
  gen_from_dense(Q, n, R);
  free(R);
}

START_TEST(test_sor_variants) {
  /* Every variant of the SOR family (plain Gauss-Seidel, symmetric, BFS-layer
   * order, red-black, with and without aggregation and Anderson acceleration,
   * omega 1 and 1.3) reaches the dense-LU vector on the JSQ chain to 1e-9. */
  const int B = 16, n = (B + 1) * (B + 1);
  accq_generator_t Q;
  jsq2(&Q, B, 1.6, 1.0, 0.8);
  double *ref = malloc((size_t)n * sizeof *ref), *pi = malloc((size_t)n * sizeof *pi);
  accq_stationary_stats_t st;
  accq_err_t err;
  ck_assert_int_eq(solve_with(&Q, ACCQ_SOLVER_DENSE, ref, &st, &err), ACCQ_SUCCESS);
  for (int mask = 0; mask < 32; mask++) {
    for (int w = 0; w < 2; w++) {
      accq_i_sor_variant_t v = {.iad = mask & 1, .symmetric = (mask >> 1) & 1, .layer_order = (mask >> 2) & 1,
                                .anderson = (mask >> 3) & 1 ? 3 : 0, .redblack = (mask >> 4) & 1};
      accq_stationary_options_t opt;
      accq_stationary_options_init(&opt);
      opt.omega = w ? 1.3 : 1.0;
      accq_err_clear(&err);
      accq_i_solve_t s = {.Q = &Q, .opt = opt, .pi = pi, .stats = &st, .err = &err, .t0 = accq_i_now(),
                          .maxexit = accq_i_max_exit(&Q)};
      int rc = accq_i_finish(&s, accq_i_solve_sor(&s, &v));
      ck_assert_msg(rc == ACCQ_SUCCESS, "variant %d omega %g: %s", mask, opt.omega, err.msg);
      if (v.redblack) ck_assert_msg(strstr(st.name, "-rb"), "bipartite chain swept red-black: %s", st.name);
      for (int i = 0; i < n; i++) ACCQ_CK_CLOSE(pi[i], ref[i], 0, 1e-9, st.name);
    }
  }
  /* A non-bipartite chain (a 3-cycle inside) quietly keeps the natural order. */
  double R[9] = {0, 1, 1, 1, 0, 1, 1, 1, 0};
  accq_generator_t C;
  gen_from_dense(&C, 3, R);
  double p3[3];
  accq_i_sor_variant_t v = {.iad = 1, .redblack = 1};
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  accq_i_solve_t s = {.Q = &C, .opt = opt, .pi = p3, .stats = &st, .err = &err, .t0 = accq_i_now(),
                      .maxexit = accq_i_max_exit(&C)};
  ck_assert_int_eq(accq_i_finish(&s, accq_i_solve_sor(&s, &v)), ACCQ_SUCCESS);
  ck_assert(!strstr(st.name, "-rb"));
  ACCQ_CK_CLOSE(p3[0], 1.0 / 3, 1e-12, 0, "symmetric 3-cycle");
  accq_generator_free(&C);
  free(ref);
  free(pi);
  accq_generator_free(&Q);
}
END_TEST

START_TEST(test_tiny_probabilities_nonnegative) {
  /* M/M/1/60 at load 0.05: pi_k = 0.95 * 0.05^k down to 1e-78.  Every method
   * returns pi >= 0 (dense LU's rounding would leave some of these slightly
   * negative without its polishing sweep) and matches the closed form. */
  accq_generator_t Q;
  birth_death(&Q, 60, 0.05, 1.0, 1);
  double pi[61];
  for (int m = 0; m < NMETHODS; m++) {
    accq_stationary_stats_t st;
    accq_err_t err;
    accq_err_clear(&err);
    ck_assert_msg(solve_with(&Q, all_methods[m], pi, &st, &err) == ACCQ_SUCCESS, "%s: %s",
                  accq_solver_name(all_methods[m]), err.msg);
    for (int k = 0; k <= 60; k++) {
      ck_assert(pi[k] >= 0);
      /* Closed form (1-rho) rho^k / (1 - rho^61); gap of Q about (1-sqrt(.05))^2 = 0.6,
       * so the residual bound 1e-12 * 1.05 gives errors below 1e-11. */
      ACCQ_CK_CLOSE(pi[k], 0.95 * pow(0.05, k) / (1 - pow(0.05, 61)), 0, 1e-11, st.name);
    }
  }
  accq_generator_free(&Q);
}
END_TEST

START_TEST(test_two_dim_sor_iad) {
  /* The JSQ chain above with B = 24 (625 states): not a product form, so the
   * reference is dense LU; this is the structure (two types, job-count layers)
   * that the aggregation in SOR is built for.  auto takes the iterative path
   * here (more than 200 states). */
  const int B = 24, n = (B + 1) * (B + 1);
  accq_generator_t Q;
  jsq2(&Q, B, 1.7, 1.0, 0.9);
  double *ref = malloc((size_t)n * sizeof *ref), *pi = malloc((size_t)n * sizeof *pi);
  accq_stationary_stats_t st;
  accq_err_t err;
  ck_assert_int_eq(solve_with(&Q, ACCQ_SOLVER_DENSE, ref, &st, &err), ACCQ_SUCCESS);
  const accq_solver_kind_t k[] = {ACCQ_SOLVER_AUTO, ACCQ_SOLVER_SOR, ACCQ_SOLVER_GMRES, ACCQ_SOLVER_POWER,
                                  ACCQ_SOLVER_ARNOLDI};
  for (int m = 0; m < 5; m++) {
    accq_err_clear(&err);
    ck_assert_msg(solve_with(&Q, k[m], pi, &st, &err) == ACCQ_SUCCESS, "%s", err.msg);
    if (k[m] == ACCQ_SOLVER_AUTO) ck_assert_str_eq(st.name, "sor-sym-iad-aa");
    for (int i = 0; i < n; i++) ACCQ_CK_CLOSE(pi[i], ref[i], 0, 1e-9, st.name);
  }
  /* SOR with a relaxation factor != 1 reaches the same vector. */
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  opt.solver = ACCQ_SOLVER_SOR;
  opt.omega = 1.2;
  ck_assert_msg(accq_stationary_solve(&Q, &opt, pi, &st, &err) == ACCQ_SUCCESS, "%s", err.msg);
  ck_assert_str_eq(st.name, "sor-sym-iad-aa");
  for (int i = 0; i < n; i++) ACCQ_CK_CLOSE(pi[i], ref[i], 0, 1e-9, "sor omega 1.2");
  free(ref);
  free(pi);
  accq_generator_free(&Q);
}
END_TEST

START_TEST(test_tiny_chains) {
  /* 1 state: pi = (1).  2 states with rates a = 0->1, b = 1->0: pi = (b, a)/(a+b)
   * and P = I + Q/q, q = 1.02 max(a, b), has |lambda_2| = |1 - (a+b)/q|. */
  accq_generator_t Q1;
  double R1[1] = {0};
  gen_from_dense(&Q1, 1, R1);
  accq_generator_t Q2;
  double R2[4] = {0, 3.0, 0.5, 0};
  gen_from_dense(&Q2, 2, R2);
  for (int m = 0; m < NMETHODS; m++) {
    double pi[2];
    accq_stationary_stats_t st;
    accq_err_t err;
    accq_err_clear(&err);
    ck_assert_msg(solve_with(&Q1, all_methods[m], pi, &st, &err) == ACCQ_SUCCESS, "%s", err.msg);
    ck_assert(pi[0] == 1.0 && st.residual == 0.0);
    ck_assert_msg(solve_with(&Q2, all_methods[m], pi, &st, &err) == ACCQ_SUCCESS, "%s", err.msg);
    ACCQ_CK_CLOSE(pi[0], 0.5 / 3.5, 1e-15, 0, "pi0 of 2 states");
    ACCQ_CK_CLOSE(pi[1], 3.0 / 3.5, 1e-15, 0, "pi1 of 2 states");
    if (all_methods[m] == ACCQ_SOLVER_ARNOLDI)
      ACCQ_CK_CLOSE(st.subdominant, fabs(1 - 3.5 / (1.02 * 3.0)), 1e-14, 0, "2-state |lambda_2|");
  }
  /* Three states: below ARPACK's minimum order for nev = 2, still answered. */
  accq_generator_t Q3;
  double R3[9] = {0, 1, 0, 2, 0, 1, 0, 2, 0};   /* M/M/1/2, lambda 1, mu 2: pi = (4,2,1)/7 */
  gen_from_dense(&Q3, 3, R3);
  double pi3[3];
  accq_stationary_stats_t st;
  accq_err_t err;
  ck_assert_msg(solve_with(&Q3, ACCQ_SOLVER_ARNOLDI, pi3, &st, &err) == ACCQ_SUCCESS, "%s", err.msg);
  ACCQ_CK_CLOSE(pi3[0], 4.0 / 7, 1e-13, 0, "3-state pi0");
  ACCQ_CK_CLOSE(pi3[2], 1.0 / 7, 1e-13, 0, "3-state pi2");
  accq_generator_free(&Q1);
  accq_generator_free(&Q2);
  accq_generator_free(&Q3);
}
END_TEST

START_TEST(test_no_convergence_reported) {
  /* M/M/1/B at load 0.95 with 200 states: three power steps from the uniform
   * vector leave a residual far above 1e-12.  (SOR's aggregation solves a
   * birth-death chain in one step, so the other methods are limited on a
   * random chain below.) */
  accq_generator_t Q;
  birth_death(&Q, 199, 0.95, 1.0, 1);
  double pi[200];
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  opt.solver = ACCQ_SOLVER_POWER;
  opt.max_iter = 3;
  accq_stationary_stats_t st;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_stationary_solve(&Q, &opt, pi, &st, &err), ACCQ_ENOCONV);
  ck_assert(!st.converged && st.residual > 1e-12 && isfinite(st.residual));
  ck_assert_msg(strstr(err.msg, "residual") && strstr(err.msg, "power"), "%s", err.msg);
  /* The best iterate is returned, normalized: its residual is the one reported. */
  ACCQ_CK_CLOSE(accq_stationary_residual(&Q, pi), st.residual, 1e-12, 0, "residual of the returned iterate");
  accq_generator_free(&Q);

  accq_generator_t R;
  random_generator(&R, 300, 3, 99);
  double pr[300];
  const accq_solver_kind_t k[] = {ACCQ_SOLVER_SOR, ACCQ_SOLVER_GMRES, ACCQ_SOLVER_ARNOLDI};
  for (int m = 0; m < 3; m++) {
    opt.solver = k[m];
    opt.max_iter = 1;
    opt.tol = 1e-15;   /* below what one SOR sweep / GMRES cycle / ARPACK restart reaches here */
    accq_err_clear(&err);
    int rc = accq_stationary_solve(&R, &opt, pr, &st, &err);
    ck_assert_msg(rc == ACCQ_ENOCONV, "%s: rc %d %s", accq_solver_name(k[m]), rc, err.msg);
    ck_assert_msg(strstr(err.msg, "residual"), "%s", err.msg);
  }
  accq_generator_free(&R);
}
END_TEST

START_TEST(test_residual_known_vector) {
  /* M/M/1/4, lambda 1, mu 2, uniform vector u = 1/5: (uQ)_0 = u(mu - lambda),
   * (uQ)_4 = u(lambda - mu), 0 in between; max|Q_jj| = 3.  Residual = 0.2/3. */
  accq_generator_t Q;
  birth_death(&Q, 4, 1.0, 2.0, 1);
  double u[5] = {0.2, 0.2, 0.2, 0.2, 0.2};
  ACCQ_CK_CLOSE(accq_stationary_residual(&Q, u), 0.2 / 3.0, 1e-15, 0, "residual of uniform");
  /* The exact law (8,4,2,1,.5)/15.5 has residual at rounding level. */
  double p[5] = {8 / 15.5, 4 / 15.5, 2 / 15.5, 1 / 15.5, 0.5 / 15.5};
  ck_assert(accq_stationary_residual(&Q, p) < 1e-15);
  accq_generator_free(&Q);
}
END_TEST

static int cmp_desc_mod(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return fabs(x) > fabs(y) ? -1 : fabs(x) < fabs(y);
}

START_TEST(test_spectrum_birth_death) {
  /* accq_spectrum (ARPACK) vs all eigenvalues of the dense P = I + Q/q
   * (q = 1.02 max|Q_ii|) from GSL's nonsymmetric eigensolver. */
  const int B = 150, n = B + 1, k = 6;
  accq_generator_t Q;
  birth_death(&Q, B, 2.5, 1.0, 3);
  double qmax = 0;
  for (int i = 0; i < n; i++) qmax = fmax(qmax, -Q.diag[i]);
  double q = 1.02 * qmax;
  gsl_matrix *P = gsl_matrix_calloc(n, n);
  for (int i = 0; i < n; i++) {
    gsl_matrix_set(P, i, i, 1 + Q.diag[i] / q);
    for (int64_t e = Q.rowptr[i]; e < Q.rowptr[i + 1]; e++) gsl_matrix_set(P, i, Q.col[e], Q.val[e] / q);
  }
  gsl_vector_complex *ev = gsl_vector_complex_alloc(n);
  gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(n);
  ck_assert_int_eq(gsl_eigen_nonsymm(P, ev, w), 0);
  double *re = malloc(n * sizeof *re);
  for (int i = 0; i < n; i++) {
    gsl_complex z = gsl_vector_complex_get(ev, i);
    ck_assert(fabs(GSL_IMAG(z)) < 1e-10);   /* birth-death: real spectrum */
    re[i] = GSL_REAL(z);
  }
  qsort(re, n, sizeof *re, cmp_desc_mod);
  double complex eig[6];
  accq_err_t err;
  ck_assert_msg(accq_spectrum(&Q, k, eig, &err) == ACCQ_SUCCESS, "%s", err.msg);
  for (int i = 0; i < k; i++) {
    ACCQ_CK_CLOSE(creal(eig[i]), re[i], 0, 1e-10, "eigenvalue of P");
    ACCQ_CK_CLOSE(cimag(eig[i]), 0, 0, 1e-10, "imaginary part");
  }
  /* Arnoldi's subdominant modulus is the second one of the dense spectrum. */
  double *pi = malloc(n * sizeof *pi);
  accq_stationary_stats_t st;
  ck_assert_int_eq(solve_with(&Q, ACCQ_SOLVER_ARNOLDI, pi, &st, &err), ACCQ_SUCCESS);
  ACCQ_CK_CLOSE(st.subdominant, fabs(re[1]), 1e-9, 0, "|lambda_2|");
  /* A random (non-reversible) chain has complex eigenvalues: compare the
   * moduli of the 5 leading ones with the dense spectrum, and check that
   * complex ones come in conjugate pairs. */
  {
    const int m = 80;
    accq_generator_t R;
    random_generator(&R, m, 2, 777);
    double rq = 0;
    for (int i = 0; i < m; i++) rq = fmax(rq, -R.diag[i]);
    rq *= 1.02;
    gsl_matrix *PR = gsl_matrix_calloc(m, m);
    for (int i = 0; i < m; i++) {
      gsl_matrix_set(PR, i, i, 1 + R.diag[i] / rq);
      for (int64_t e = R.rowptr[i]; e < R.rowptr[i + 1]; e++) gsl_matrix_set(PR, i, R.col[e], R.val[e] / rq);
    }
    gsl_vector_complex *evr = gsl_vector_complex_alloc(m);
    gsl_eigen_nonsymm_workspace *wr = gsl_eigen_nonsymm_alloc(m);
    ck_assert_int_eq(gsl_eigen_nonsymm(PR, evr, wr), 0);
    double *mod = malloc(m * sizeof *mod);
    int ncomplex = 0;
    for (int i = 0; i < m; i++) {
      gsl_complex z = gsl_vector_complex_get(evr, i);
      mod[i] = hypot(GSL_REAL(z), GSL_IMAG(z));
      ncomplex += fabs(GSL_IMAG(z)) > 1e-8;
    }
    ck_assert(ncomplex > 0);   /* the test exercises complex eigenvalues */
    qsort(mod, m, sizeof *mod, cmp_desc_mod);
    double complex er[5];
    ck_assert_msg(accq_spectrum(&R, 5, er, &err) == ACCQ_SUCCESS, "%s", err.msg);
    for (int i = 0; i < 5; i++) ACCQ_CK_CLOSE(cabs(er[i]), mod[i], 0, 1e-9, "|eigenvalue| of a random P");
    ACCQ_CK_CLOSE(creal(er[0]), 1.0, 0, 1e-10, "Perron eigenvalue");
    gsl_eigen_nonsymm_free(wr);
    gsl_vector_complex_free(evr);
    gsl_matrix_free(PR);
    free(mod);
    accq_generator_free(&R);
  }
  /* Refusals: k out of range. */
  ck_assert_int_eq(accq_spectrum(&Q, 0, eig, &err), ACCQ_EINVAL);
  ck_assert_int_eq(accq_spectrum(&Q, n + 1, eig, &err), ACCQ_EINVAL);
  ck_assert(strstr(err.msg, "152"));
  /* Small chains (k > n - 2) go to the dense path and agree too. */
  accq_generator_t S;
  birth_death(&S, 3, 1.0, 2.0, 1);
  double complex e4[4];
  ck_assert_int_eq(accq_spectrum(&S, 4, e4, &err), ACCQ_SUCCESS);
  ACCQ_CK_CLOSE(creal(e4[0]), 1.0, 0, 1e-12, "leading eigenvalue 1");
  free(pi);
  free(re);
  gsl_eigen_nonsymm_free(w);
  gsl_vector_complex_free(ev);
  gsl_matrix_free(P);
  accq_generator_free(&S);
  accq_generator_free(&Q);
}
END_TEST

/* Arnoldi's workspace is checked against the memory limit before anything is
 * allocated: --solver arnoldi is refused (ETOOBIG, with the figures), and
 * auto's fallback so refused leaves SOR's not-converged outcome with both
 * reasons (SOR held to 1 iteration so that it fails; above 200 states, so
 * that auto starts with SOR, not dense LU). The workspace of a 301-state
 * birth-death chain: transposed copy 600 * 12 + 302 * 8 bytes plus
 * 301 * 8 * (40 + 5) for the basis = 117,976 bytes. */
START_TEST(test_arnoldi_memory_refusal) {
  accq_generator_t Q;
  birth_death(&Q, 300, 0.9, 1.0, 1);
  double *pi = calloc(301, sizeof *pi);
  accq_stationary_options_t opt;
  accq_stationary_stats_t st;
  accq_err_t err;
  accq_stationary_options_init(&opt);
  opt.solver = ACCQ_SOLVER_ARNOLDI;
  opt.max_bytes = 117975;
  ck_assert_int_eq(accq_stationary_solve(&Q, &opt, pi, &st, &err), ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "arnoldi") && strstr(err.msg, "301 states"), "%s", err.msg);
  opt.max_bytes = 117976; /* exactly enough: solved */
  ck_assert_msg(accq_stationary_solve(&Q, &opt, pi, &st, &err) == ACCQ_SUCCESS, "%s", err.msg);
  accq_generator_free(&Q);
  /* a random 300-state chain (a birth-death chain is solved exactly by one
   * aggregation step, so SOR would not fail) */
  random_generator(&Q, 300, 3, 7);
  opt.solver = ACCQ_SOLVER_AUTO;
  opt.max_iter = 1;
  opt.max_bytes = 1000;
  ck_assert_int_eq(accq_stationary_solve(&Q, &opt, pi, &st, &err), ACCQ_ENOCONV);
  ck_assert_msg(strstr(err.msg, "fallback arnoldi failed") && strstr(err.msg, "memory limit"),
                "%s", err.msg);
  accq_generator_free(&Q);
  free(pi);
}
END_TEST

START_TEST(test_names_and_refusals) {
  for (int m = 0; m < NMETHODS; m++) {
    accq_solver_kind_t k;
    ck_assert_int_eq(accq_solver_from_name(accq_solver_name(all_methods[m]), &k, NULL), ACCQ_SUCCESS);
    ck_assert_int_eq(k, all_methods[m]);
  }
  accq_solver_kind_t k;
  accq_err_t err;
  ck_assert_int_eq(accq_solver_from_name("jacobi", &k, &err), ACCQ_EINVAL);
  ck_assert(strstr(err.msg, "'jacobi'"));
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  ck_assert(opt.tol == 1e-12 && opt.omega == 1.0 && opt.solver == ACCQ_SOLVER_AUTO);
  /* An absorbing state (no way out of state 1) is refused by name. */
  double R[4] = {0, 1, 0, 0};
  accq_generator_t Q;
  gen_from_dense(&Q, 2, R);
  double pi[2];
  ck_assert_int_eq(accq_stationary_solve(&Q, &opt, pi, NULL, &err), ACCQ_EINVAL);
  ck_assert_msg(strstr(err.msg, "state 1"), "%s", err.msg);
  /* A diagonal that does not match the row sum. */
  Q.diag[0] = -2;
  ck_assert_int_eq(accq_stationary_solve(&Q, &opt, pi, NULL, &err), ACCQ_EINVAL);
  ck_assert_msg(strstr(err.msg, "diag[0]"), "%s", err.msg);
  accq_generator_free(&Q);
  accq_generator_free(NULL);
}
END_TEST

int main(void) {
  Suite *s = suite_create("stationary");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_mm1b_every_solver);
  tcase_add_test(tc, test_mmcb_every_solver);
  tcase_add_test(tc, test_random_all_agree);
  tcase_add_test(tc, test_two_dim_sor_iad);
  tcase_add_test(tc, test_sor_variants);
  tcase_add_test(tc, test_tiny_probabilities_nonnegative);
  tcase_add_test(tc, test_tiny_chains);
  tcase_add_test(tc, test_no_convergence_reported);
  tcase_add_test(tc, test_residual_known_vector);
  tcase_add_test(tc, test_spectrum_birth_death);
  tcase_add_test(tc, test_names_and_refusals);
  tcase_add_test(tc, test_arnoldi_memory_refusal);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
