/* GMRES(m) from GSL's splinalg on the balance equations.
 *
 * Unknowns z_j = pi_j |Q_jj| (the probability flow out of j): this is a right
 * Jacobi preconditioning, A = Q^T D^{-1} has unit diagonal -1.  The balance
 * equation of state 0 is dependent on the others; it is replaced by the
 * normalization sum_j z_j / |Q_jj| = 1 (one dense row).  Pinning z_0 = 1
 * instead would keep A sparser but scales the solution by 1/pi_0, which is
 * astronomically large for the empty state of a loaded system.  With this
 * system, the balance residuals are the entries of b - A z except the first, so
 * GSL's test ||b - A z||_2 <= tol_g is set from docs/chains.md's and tightened until
 * that one is met. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_splinalg.h>
#include <gsl/gsl_spmatrix.h>
#include <gsl/gsl_vector.h>

#include "ext/gsl.h"
#include "solve/solve_internal.h"

int accq_i_solve_gmres(accq_i_solve_t *s) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  long max_iter = s->opt.max_iter > 0 ? s->opt.max_iter : ACCQ_GMRES_MAX_ITER;
  int rc = ACCQ_SUCCESS;
  accq_i_csr_t T = {0};
  gsl_spmatrix *A = NULL;
  gsl_vector *b = NULL, *z = NULL;
  gsl_splinalg_itersolve *w = NULL;
  size_t m = n <= 1000000 ? 40 : 15;   /* restart length: m vectors of n doubles */
  if (m > (size_t)n) m = (size_t)n;

  accq_gsl_init();
  if (Q->nnz + 2 * n > INT32_MAX)
    return accq_err_set(s->err, ACCQ_ETOOBIG, "GMRES: %lld entries exceed GSL's int indices",
                        (long long)(Q->nnz + 2 * n));
  rc = accq_i_transpose(Q, &T, s->err);
  if (rc) goto cleanup;
  A = gsl_spmatrix_alloc_nzmax((size_t)n, (size_t)n, (size_t)(T.nnz + 2 * n), GSL_SPMATRIX_CSR);
  b = gsl_vector_calloc((size_t)n);
  z = gsl_vector_alloc((size_t)n);
  w = gsl_splinalg_itersolve_alloc(gsl_splinalg_itersolve_gmres, (size_t)n, m);
  if (!A || !b || !z || !w) {
    rc = accq_err_set(s->err, ACCQ_ENOMEM, "GMRES: cannot allocate for %lld states (restart %zu)",
                      (long long)n, m);
    goto cleanup;
  }
  /* Fill GSL's CSR arrays directly (p = row pointer, i = column index). */
  {
    size_t at = 0;
    for (int64_t j = 0; j < n; j++) {
      A->p[j] = (int)at;
      if (j == 0) {
        for (int64_t i = 0; i < n; i++) {
          A->i[at] = (int)i;
          A->data[at++] = 1.0 / -accq_generator_diag(Q, i);
        }
        continue;
      }
      int diag_done = 0;
      for (int64_t e = T.rowptr[j]; e < T.rowptr[j + 1]; e++) {
        int32_t i = T.col[e];
        if (!diag_done && i > j) {
          A->i[at] = (int)j;
          A->data[at++] = -1.0;
          diag_done = 1;
        }
        A->i[at] = i;
        A->data[at++] = T.val[e] / -accq_generator_diag(Q, i);
      }
      if (!diag_done) {
        A->i[at] = (int)j;
        A->data[at++] = -1.0;
      }
    }
    A->p[n] = (int)at;
    A->nz = at;
  }
  gsl_vector_set(b, 0, 1.0);
  /* Start from the flow of the uniform distribution. */
  for (int64_t j = 0; j < n; j++) gsl_vector_set(z, (size_t)j, -accq_generator_diag(Q, j) / (double)n);

  double gtol = 0.5 * s->opt.tol * s->maxexit, res = INFINITY;
  long it = 0;
  int done = 0;
  while (it < max_iter) {
    int g = gsl_splinalg_itersolve_iterate(A, b, gtol, z, w);
    it++;
    if (g != GSL_SUCCESS && g != GSL_CONTINUE) {
      rc = accq_gsl_status(g, "GMRES iteration", s->err);
      break;
    }
    if (g == GSL_SUCCESS || (it % 20) == 0) {
      for (int64_t j = 0; j < n; j++) s->pi[j] = gsl_vector_get(z, (size_t)j) / -accq_generator_diag(Q, j);
      res = accq_i_residual_T(&T, Q, s->pi, s->maxexit);
      if (s->opt.verbose)
        fprintf(stderr, "gmres: cycle %ld |r|_2 %.3g residual %.3g\n", it,
                gsl_splinalg_itersolve_normr(w), res);
      /* docs/chains.md also wants pi >= -1e-15: GMRES's error is spread evenly, so
       * the tiny probabilities of far states can come out negative; keep
       * tightening until they do not (GS-type methods cannot produce them). */
      double sum = 0.0, lo = 0.0;
      for (int64_t j = 0; j < n; j++) sum += s->pi[j];
      for (int64_t j = 0; j < n; j++) lo = fmin(lo, s->pi[j] / sum);
      if (res <= 0.5 * s->opt.tol && lo > -1e-15) {
        done = 1;
        break;
      }
      if (g == GSL_SUCCESS)
        gtol *= res > 0.5 * s->opt.tol ? fmax(1e-3, 0.25 * s->opt.tol / res) : fmax(1e-3, 0.5e-15 / -lo);
      if (!(gtol > 1e-300)) break;
    }
    if (accq_i_elapsed_over(s)) break;
  }
  if (!done) {
    for (int64_t j = 0; j < n; j++) s->pi[j] = gsl_vector_get(z, (size_t)j) / -accq_generator_diag(Q, j);
    if (rc == ACCQ_SUCCESS)
      rc = accq_err_set(s->err, ACCQ_ENOCONV, "gmres stopped after %ld restart cycles of %zu%s", it, m,
                        accq_i_elapsed_over(s) ? " at the time limit" : "");
  }
  s->stats->iterations = it;
cleanup:
  accq_i_csr_free(&T);
  if (A) gsl_spmatrix_free(A);
  gsl_vector_free(b);
  gsl_vector_free(z);
  if (w) gsl_splinalg_itersolve_free(w);
  return rc;
}
