/* Log-log least squares: the rate of a convergence (accq converge, verify's
 * claim 4).  A leaf module: it depends on nothing but the status codes. */
#ifndef ACCQ_FIT_H
#define ACCQ_FIT_H

#include "accq/status.h"

typedef struct {
  int n;                    /* points used (positive x and y) */
  double slope, intercept;  /* log y = intercept + slope log x (natural logs) */
  double slope_se;          /* standard error of the slope (NaN when n < 3) */
  double r2;
} accq_fit_t;

/* Fits log y = c0 + c1 log x by least squares (GSL gsl_fit_linear), skipping
 * points with x <= 0 or y <= 0 or non-finite.  ACCQ_EINVAL when fewer than two
 * points remain.  O(n). */
int accq_fit_loglog(const double *x, const double *y, int n, accq_fit_t *fit,
                    accq_err_t *err);

#endif
