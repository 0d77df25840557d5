/* ARPACK-ng Arnoldi on P^T, P = I + Q/q (q = 1.02 max|Q_ii|): the eigenvector of
 * the eigenvalue 1 is pi; the eigenvalue of second largest modulus gives the
 * relaxation rate of the uniformized chain.  Also accq_spectrum. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_complex.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "ext/arpack.h"
#include "ext/gsl.h"
#include "solve/solve_internal.h"

typedef struct {
  const accq_i_csr_t *T;
  const accq_generator_t *Q;  /* for its diagonal */
  double q;
} ptx_ctx_t;

/* y = P^T x: y_j = x_j + (sum_i x_i Q_ij + x_j Q_jj) / q. */
static void apply_PT(const double *x, double *y, void *vctx) {
  const ptx_ctx_t *c = vctx;
  const accq_i_csr_t *T = c->T;
  int64_t n = T->n;
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) if (n > 200000)
#endif
  for (int64_t j = 0; j < n; j++) {
    double r = x[j] * accq_generator_diag(c->Q, j);
    for (int64_t e = T->rowptr[j]; e < T->rowptr[j + 1]; e++) r += x[T->col[e]] * T->val[e];
    y[j] = x[j] + r / c->q;
  }
}

typedef struct {
  double re, im, mod;
} eig_t;

static int cmp_eig(const void *a, const void *b) {
  const eig_t *x = a, *y = b;
  if (x->mod != y->mod) return x->mod > y->mod ? -1 : 1;
  if (x->re != y->re) return x->re > y->re ? -1 : 1;
  return x->im > y->im ? -1 : (x->im < y->im);
}

/* All eigenvalues of the dense P, sorted by decreasing modulus, and (when vec
 * is not NULL) the real part of the left eigenvector of the one closest to 1.
 * For the few-state chains ARPACK cannot take (order < nev + 2). */
static int dense_eigs(const accq_generator_t *Q, double q, eig_t *out, double *vec, accq_err_t *err) {
  int64_t n = Q->n;
  int rc = ACCQ_SUCCESS;
  accq_gsl_init();
  double *P = accq_i_dense_P(Q, q);
  gsl_matrix *A = gsl_matrix_alloc((size_t)n, (size_t)n);
  gsl_vector_complex *ev = gsl_vector_complex_alloc((size_t)n);
  gsl_matrix_complex *evec = gsl_matrix_complex_alloc((size_t)n, (size_t)n);
  gsl_eigen_nonsymmv_workspace *w = gsl_eigen_nonsymmv_alloc((size_t)n);
  if (!P || !A || !ev || !evec || !w) {
    rc = accq_err_set(err, ACCQ_ENOMEM, "dense eigenvalues: cannot allocate for %lld states", (long long)n);
    goto cleanup;
  }
  /* Left eigenvectors of P are right eigenvectors of P^T. */
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++) gsl_matrix_set(A, (size_t)j, (size_t)i, P[i * n + j]);
  int g = gsl_eigen_nonsymmv(A, ev, evec, w);
  if (g != 0) {
    rc = accq_gsl_status(g, "dense nonsymmetric eigenvalues of P", err);
    goto cleanup;
  }
  int64_t best = 0;
  for (int64_t i = 0; i < n; i++) {
    gsl_complex z = gsl_vector_complex_get(ev, (size_t)i);
    out[i].re = GSL_REAL(z);
    out[i].im = GSL_IMAG(z);
    out[i].mod = hypot(out[i].re, out[i].im);
    if (fabs(out[i].re - 1.0) + fabs(out[i].im) < fabs(out[best].re - 1.0) + fabs(out[best].im)) best = i;
  }
  if (vec)
    for (int64_t j = 0; j < n; j++) {
      gsl_complex z = gsl_matrix_complex_get(evec, (size_t)j, (size_t)best);
      vec[j] = GSL_REAL(z);
    }
  qsort(out, (size_t)n, sizeof *out, cmp_eig);
cleanup:
  free(P);
  gsl_matrix_free(A);
  gsl_vector_complex_free(ev);
  gsl_matrix_complex_free(evec);
  gsl_eigen_nonsymmv_free(w);
  return rc;
}

/* The Krylov basis size: a larger basis helps when lambda_2 sits in a
 * cluster; n * ncv doubles. */
static int arnoldi_ncv(int64_t n) { return n <= 1000000 ? 40 : 20; }

double accq_i_arnoldi_bytes(const accq_generator_t *Q) {
  const double n = (double)Q->n;
  /* the transposed copy (column, value, row pointer), then ARPACK's basis
   * (ncv vectors), resid, workd (3 vectors) and the start vector */
  return (double)Q->nnz * 12.0 + (n + 1) * 8.0 + n * 8.0 * (arnoldi_ncv(Q->n) + 5);
}

int accq_i_solve_arnoldi(accq_i_solve_t *s) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  double q = ACCQ_UNIF_FACTOR * s->maxexit;
  int rc = ACCQ_SUCCESS;
  /* refused before allocating when the workspace cannot fit (on a 64M-state
   * chain it is about 20 GiB besides the chain) */
  const double need = accq_i_arnoldi_bytes(Q);
  const double avail = s->opt.max_bytes > 0 ? s->opt.max_bytes : accq_chain_max_bytes_default();
  if (n >= 4 && need > avail)
    return accq_err_set(s->err, ACCQ_ETOOBIG,
                        "arnoldi: its workspace (transposed matrix and Krylov basis) needs "
                        "%.3g GiB for %lld states, over the memory limit (%.3g GiB; default 3/4 "
                        "of the available memory)",
                        need / 1073741824.0, (long long)n, avail / 1073741824.0);
  if (n < 4) {
    /* dnaupd needs nev = 2 <= n - 2. */
    eig_t e[3];
    rc = dense_eigs(Q, q, e, s->pi, s->err);
    if (rc == ACCQ_SUCCESS) s->stats->subdominant = e[1].mod;
    s->stats->iterations = 1;
    return rc;
  }
  accq_i_csr_t T = {0};
  double *v0 = malloc((size_t)n * sizeof *v0);
  if (!v0) return accq_err_set(s->err, ACCQ_ENOMEM, "arnoldi: cannot allocate %lld doubles", (long long)n);
  rc = accq_i_transpose(Q, &T, s->err);
  if (rc) goto cleanup;
  for (int64_t i = 0; i < n; i++) v0[i] = 1.0;
  ptx_ctx_t ctx = {&T, Q, q};
  accq_arpack_options_t ao = {.nev = 2, .ncv = arnoldi_ncv(n), .tol = 0.1 * s->opt.tol,
                              .max_restarts = s->opt.max_iter > 0 ? s->opt.max_iter : ACCQ_ARNOLDI_MAX_ITER,
                              .v0 = v0, .max_seconds = s->opt.max_seconds, .t0 = s->t0};
  double re[2], im[2];
  long restarts = 0;
  int nconv = 0;
  /* Half the restart budget for the pair (1, lambda_2); when lambda_2 sits at
   * the edge of a cluster and does not converge, the stationary vector alone
   * (nev = 1) still does, and the subdominant modulus is reported as NaN. */
  long budget = ao.max_restarts;
  ao.max_restarts = budget > 1 ? budget / 2 : 1;
  rc = accq_arpack_eigs(n, apply_PT, &ctx, &ao, re, im, s->pi, &restarts, &nconv, s->err);
  s->stats->iterations = restarts;
  if (rc == ACCQ_ENOCONV && !accq_i_elapsed_over(s)) {
    ao.nev = 1;
    ao.max_restarts = budget - ao.max_restarts > 0 ? budget - ao.max_restarts : 1;
    long more = 0;
    accq_err_clear(s->err);
    rc = accq_arpack_eigs(n, apply_PT, &ctx, &ao, re, im, s->pi, &more, &nconv, s->err);
    s->stats->iterations += more;
    if (rc == ACCQ_SUCCESS) {
      re[1] = NAN;
      im[1] = 0.0;
    }
  }
  if (rc == ACCQ_SUCCESS) {
    if (!(fabs(re[0] - 1.0) < 1e-6 && im[0] == 0.0))
      rc = accq_err_set(s->err, ACCQ_ENUMERIC, "arnoldi: leading eigenvalue of P is %.17g%+.3gi, not 1",
                        re[0], im[0]);
    else
      s->stats->subdominant = hypot(re[1], im[1]);
  } else if (rc == ACCQ_ENOCONV) {
    /* No Ritz vector: the best estimate available is the starting vector. */
    for (int64_t i = 0; i < n; i++) s->pi[i] = v0[i];
  }
cleanup:
  accq_i_csr_free(&T);
  free(v0);
  return rc;
}

static int spectrum_stored(const accq_generator_t *Q, int k, double complex *eig, accq_err_t *err);

int accq_spectrum(const accq_generator_t *Q, int k, double complex *eig, accq_err_t *err) {
  int rc = accq_i_check_generator(Q, err);
  if (rc) return rc;
  if (!accq_generator_implicit(Q)) return spectrum_stored(Q, k, eig, err);
  /* ARPACK applies P^T: a stored copy of the matrix-free rows */
  accq_generator_t M;
  if ((rc = accq_i_materialize(Q, &M, err)) != 0) return rc;
  rc = spectrum_stored(&M, k, eig, err);
  accq_generator_free(&M);
  return rc;
}

static int spectrum_stored(const accq_generator_t *Q, int k, double complex *eig, accq_err_t *err) {
  int rc;
  int64_t n = Q->n;
  if (k < 1 || k > n)
    return accq_err_set(err, ACCQ_EINVAL, "spectrum: k = %d must be in [1, %lld] (the number of states)", k,
                        (long long)n);
  if (!eig) return accq_err_set(err, ACCQ_EINVAL, "spectrum: eig is NULL");
  double q = ACCQ_UNIF_FACTOR * accq_i_max_exit(Q);
  if (n == 1) {
    eig[0] = 1.0;   /* P = [1] */
    return ACCQ_SUCCESS;
  }
  if (n < (int64_t)k + 2) {
    /* ARPACK needs k <= n - 2; these chains are small enough for the dense
     * nonsymmetric eigensolver.  Two states: eigenvalues 1, 1 - (a + b)/q. */
    if (n == 2) {
      eig[0] = 1.0;
      if (k > 1) eig[1] = 1.0 - (-accq_generator_diag(Q, 0) - accq_generator_diag(Q, 1)) / q;
      return ACCQ_SUCCESS;
    }
    eig_t *e = malloc((size_t)n * sizeof *e);
    if (!e) return accq_err_set(err, ACCQ_ENOMEM, "spectrum: cannot allocate %lld values", (long long)n);
    rc = dense_eigs(Q, q, e, NULL, err);
    for (int i = 0; rc == ACCQ_SUCCESS && i < k; i++) eig[i] = e[i].re + I * e[i].im;
    free(e);
    return rc;
  }
  accq_i_csr_t T = {0};
  double *re = malloc((size_t)k * sizeof *re), *im = malloc((size_t)k * sizeof *im);
  if (!re || !im) {
    rc = accq_err_set(err, ACCQ_ENOMEM, "spectrum: cannot allocate %d values", k);
    goto cleanup;
  }
  rc = accq_i_transpose(Q, &T, err);
  if (rc) goto cleanup;
  ptx_ctx_t ctx = {&T, Q, q};
  accq_arpack_options_t ao = {.nev = k, .ncv = 0, .tol = 0.0, .max_restarts = ACCQ_ARNOLDI_MAX_ITER,
                              .v0 = NULL, .max_seconds = 0.0, .t0 = 0.0};
  /* A deterministic start vector (ARPACK's random one changes between calls). */
  double *v0 = malloc((size_t)n * sizeof *v0);
  if (!v0) {
    rc = accq_err_set(err, ACCQ_ENOMEM, "spectrum: cannot allocate %lld doubles", (long long)n);
    goto cleanup;
  }
  for (int64_t i = 0; i < n; i++) v0[i] = 1.0 + 0.5 * sin(1.0 + (double)i);
  ao.v0 = v0;
  long restarts = 0;
  int nconv = 0;
  rc = accq_arpack_eigs(n, apply_PT, &ctx, &ao, re, im, NULL, &restarts, &nconv, err);
  free(v0);
  if (rc == ACCQ_SUCCESS)
    for (int i = 0; i < k; i++) eig[i] = re[i] + I * im[i];
  else
    accq_err_prefix(err, "spectrum of P (k = %d, %lld states)", k, (long long)n);
cleanup:
  accq_i_csr_free(&T);
  free(re);
  free(im);
  return rc;
}
