/* Dense LU (GSL) on Q^T with the equation of state 0 replaced by sum pi = 1. */
#include <stdlib.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>

#include "ext/gsl.h"
#include "solve/solve_internal.h"

int accq_i_solve_dense(accq_i_solve_t *s) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  int rc = ACCQ_SUCCESS;
  gsl_matrix *A = NULL;
  gsl_permutation *perm = NULL;
  gsl_vector *b = NULL;
  accq_i_csr_t T = {0};
  if (n > ACCQ_DENSE_MAX_STATES)
    return accq_err_set(s->err, ACCQ_ETOOBIG,
                        "dense LU needs %lld x %lld doubles (%.3g GB); limit %d states",
                        (long long)n, (long long)n, 8.0 * (double)n * (double)n / 1e9,
                        ACCQ_DENSE_MAX_STATES);
  accq_gsl_init();
  A = gsl_matrix_calloc((size_t)n, (size_t)n);
  perm = gsl_permutation_alloc((size_t)n);
  b = gsl_vector_calloc((size_t)n);
  if (!A || !perm || !b) {
    rc = accq_err_set(s->err, ACCQ_ENOMEM, "dense LU: cannot allocate %lld x %lld matrix",
                      (long long)n, (long long)n);
    goto cleanup;
  }
  /* Row j of A is the balance equation of state j: sum_i pi_i Q_ij = 0. */
  for (int64_t i = 0; i < n; i++) {
    gsl_matrix_set(A, (size_t)i, (size_t)i, accq_generator_diag(Q, i));
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++)
      gsl_matrix_set(A, (size_t)Q->col[e], (size_t)i, accq_generator_rate(Q, e));
  }
  /* The balance equations are dependent (rows of Q sum to 0): replace the first
   * by the normalization.  The scale of that row does not matter for LU with
   * partial pivoting beyond a constant factor, so use the largest exit rate to
   * keep the rows comparable. */
  for (int64_t i = 0; i < n; i++) gsl_matrix_set(A, 0, (size_t)i, s->maxexit);
  gsl_vector_set(b, 0, s->maxexit);
  int signum = 0;
  int g = gsl_linalg_LU_decomp(A, perm, &signum);
  if (g == GSL_SUCCESS) g = gsl_linalg_LU_svx(A, perm, b);
  if (g != GSL_SUCCESS) {
    rc = accq_gsl_status(g, "dense LU of the balance equations", s->err);
    goto cleanup;
  }
  for (int64_t i = 0; i < n; i++) s->pi[i] = gsl_vector_get(b, (size_t)i);
  s->stats->iterations = 1;
  /* LU's error is about eps * max pi in every entry, so states of probability
   * far below 1e-15 can come out slightly negative, which docs/chains.md rejects.
   * Polish: clip at 0, then one Gauss-Seidel sweep pi_j = sum_i pi_i Q_ij /
   * |Q_jj|, which keeps signs and the (already tiny) residual. */
  int negative = 0;
  for (int64_t i = 0; i < n; i++)
    if (s->pi[i] < 0.0) {
      s->pi[i] = 0.0;
      negative = 1;
    }
  if (negative) {
    rc = accq_i_transpose(Q, &T, s->err);
    if (rc) goto cleanup;
    for (int64_t j = 0; j < n; j++) {
      double sum = 0.0;
      for (int64_t e = T.rowptr[j]; e < T.rowptr[j + 1]; e++) sum += s->pi[T.col[e]] * T.val[e];
      s->pi[j] = sum / -accq_generator_diag(Q, j);
    }
  }
cleanup:
  accq_i_csr_free(&T);
  gsl_matrix_free(A);
  gsl_permutation_free(perm);
  gsl_vector_free(b);
  return rc;
}
