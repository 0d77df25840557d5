/* Log-log least squares for convergence rates (GSL's gsl_fit_linear). */
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdlib.h>

#include "accq/fit.h"

int accq_fit_loglog(const double *x, const double *y, int n, accq_fit_t *fit,
                    accq_err_t *err) {
  int status = ACCQ_SUCCESS;
  double *lx = NULL, *ly = NULL;
  fit->n = 0;
  fit->slope = fit->intercept = fit->slope_se = fit->r2 = NAN;
  if (n < 0) return accq_err_set(err, ACCQ_EINVAL, "fit: negative point count %d", n);
  lx = malloc(sizeof *lx * (size_t)(n > 0 ? n : 1));
  ly = malloc(sizeof *ly * (size_t)(n > 0 ? n : 1));
  if (!lx || !ly) {
    status = accq_err_set(err, ACCQ_ENOMEM, "fit: out of memory for %d points", n);
    goto cleanup;
  }
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (!(x[i] > 0) || !(y[i] > 0) || !isfinite(x[i]) || !isfinite(y[i])) continue;
    lx[k] = log(x[i]);
    ly[k] = log(y[i]);
    k++;
  }
  if (k < 2) {
    status = accq_err_set(err, ACCQ_EINVAL,
                          "fit: %d usable point(s) (positive x and y needed), at least 2", k);
    goto cleanup;
  }
  double c0, c1, cov00, cov01, cov11, sumsq;
  gsl_fit_linear(lx, 1, ly, 1, (size_t)k, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
  double mean = 0, tss = 0;
  for (int i = 0; i < k; i++) mean += ly[i];
  mean /= k;
  for (int i = 0; i < k; i++) tss += (ly[i] - mean) * (ly[i] - mean);
  fit->n = k;
  fit->slope = c1;
  fit->intercept = c0;
  /* gsl_fit_linear's covariance uses the residual variance sumsq/(n-2): with
   * two points it is 0/0, so the standard error is undefined there */
  fit->slope_se = k >= 3 ? sqrt(cov11) : NAN;
  fit->r2 = tss > 0 ? 1.0 - sumsq / tss : 1.0;

cleanup:
  free(lx);
  free(ly);
  return status;
}
