/* Power iteration on the uniformized chain P = I + Q/q, q = 1.02 max|Q_ii|:
 * x <- x P, gathered over Q^T.  The step itself gives the residual of the
 * current iterate for free: x P - x = (x Q)/q. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "solve/solve_internal.h"

int accq_i_solve_power(accq_i_solve_t *s) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  long max_iter = s->opt.max_iter > 0 ? s->opt.max_iter : ACCQ_POWER_MAX_ITER;
  double q = ACCQ_UNIF_FACTOR * s->maxexit, tol = s->opt.tol;
  int rc = ACCQ_SUCCESS;
  accq_i_csr_t T = {0};
  double *x = s->pi, *y = malloc((size_t)n * sizeof *y);
  if (!y) return accq_err_set(s->err, ACCQ_ENOMEM, "power: cannot allocate %lld doubles", (long long)n);
  rc = accq_i_transpose(Q, &T, s->err);
  if (rc) goto cleanup;
  for (int64_t i = 0; i < n; i++) x[i] = 1.0 / (double)n;
  double res = INFINITY;
  long it;
  int done = 0;
  for (it = 0; it < max_iter; it++) {
    double rmax = 0.0, sum = 0.0;
#if defined(_OPENMP)
#pragma omp parallel for reduction(max : rmax) reduction(+ : sum) schedule(static) if (n > 200000)
#endif
    for (int64_t j = 0; j < n; j++) {
      double r = x[j] * accq_generator_diag(Q, j);
      for (int64_t e = T.rowptr[j]; e < T.rowptr[j + 1]; e++) r += x[T.col[e]] * T.val[e];
      y[j] = x[j] + r / q;
      sum += y[j];
      if (fabs(r) > rmax) rmax = fabs(r);
    }
    /* x sums to 1 here (normalized below), so rmax/maxexit is docs/chains.md's residual of x. */
    res = rmax / s->maxexit;
    if (res <= 0.5 * tol) {
      done = 1;
      break;   /* keep x, the iterate whose residual was measured */
    }
    for (int64_t j = 0; j < n; j++) x[j] = y[j] / sum;
    if (s->opt.verbose && it % 10000 == 0) fprintf(stderr, "power: iteration %ld residual %.3g\n", it, res);
    if ((it & 15) == 0 && accq_i_elapsed_over(s)) break;   /* one step is O(nnz): check often */
  }
  s->stats->iterations = it;
  if (!done)
    rc = accq_err_set(s->err, ACCQ_ENOCONV, "power stopped after %ld iterations%s (residual %.3g)", it,
                      accq_i_elapsed_over(s) ? " at the time limit" : "", res);
cleanup:
  accq_i_csr_free(&T);
  free(y);
  return rc;
}
