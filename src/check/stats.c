/* The statistics that compare estimates with exact values (crosscheck,
 * check-sim): two-sided t tests with Holm's step-down correction for the
 * family-wise error, and the power of that design (critical |t|, detectable
 * errors, recommended replications); see accq/check.h.  Student quantiles
 * through the GSL adapter (ext/gsl.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"
#include "ext/gsl.h"

/* Two-sided p-value of one comparison (fills z). */
static double p_value(accq_check_row_t *c) {
  double d = c->mean - c->exact;
  if (c->tolerated) { /* accepted untested; z still shows the difference */
    c->z = c->se > 0 && isfinite(c->se) ? d / c->se : 0;
    return 1.0;
  }
  if (isnan(c->mean) || isnan(c->exact)) {
    c->z = NAN;
    return (isnan(c->mean) && isnan(c->exact)) ? 1.0 : 0.0;
  }
  if (fabs(d) <= 1e-12 * (1 + fabs(c->exact))) {
    c->z = 0;
    return 1.0;
  }
  const double w = c->hi - c->lo;
  const int bounded = w > 0 && c->exact >= c->lo && c->exact <= c->hi;
  const double f = bounded ? (c->exact - c->lo) / w : 0.5;
  double p;
  if (c->se > 1e-12 * fmax(1, fabs(c->mean)) && isfinite(c->se)) {
    c->z = d / c->se;
    p = 2 * accq_gsl_t_upper(fabs(c->z), c->replications - 1);
  } else {
    /* zero spread: every replication gave the same value */
    c->z = d > 0 ? INFINITY : -INFINITY;
    p = 0;
    double tol = 1e-12 * fmax(1, fabs(c->hi));
    if (bounded && c->replications >= 1) {
      if (fabs(c->mean - c->lo) <= tol) p = pow(1 - f, c->replications);
      if (fabs(c->mean - c->hi) <= tol) p = pow(f, c->replications);
    }
  }
  /* A rare event (exact within 1% of an end of [lo, hi]) makes the replication
   * values far from normal (mostly 0, now and then large), and the t test
   * unreliable.  Bernstein's inequality for R independent values in [lo, hi]
   * with variance at most (hi-lo)^2 f (1-f) (the largest a bounded variable
   * with that mean can have) gives a p-value valid for any distribution;
   * the larger of the two p-values is kept. */
  if (bounded && c->replications >= 1 && (f < 0.01 || f > 0.99)) {
    double dd = fabs(d) / w, v = f * (1 - f);
    double pb = 2 * exp(-c->replications * dd * dd / (2 * v + 2 * dd / 3));
    if (pb > p) p = pb > 1 ? 1 : pb;
  }
  return p;
}

typedef struct {
  double p;
  int i;
} ranked_t;

static int by_p(const void *a, const void *b) {
  const ranked_t *x = a, *y = b;
  if (x->p < y->p) return -1;
  if (x->p > y->p) return 1;
  return (x->i > y->i) - (x->i < y->i);
}

int accq_check_holm(accq_check_row_t *c, int n, double alpha) {
  if (n <= 0) return 0;
  ranked_t *rk = malloc((size_t)n * sizeof *rk);
  for (int i = 0; i < n; i++) c[i].p = p_value(&c[i]);
  if (!rk) { /* fall back to Bonferroni, which Holm dominates */
    int nrej = 0;
    for (int i = 0; i < n; i++) {
      c[i].p_holm = fmin(1.0, n * c[i].p);
      c[i].reject = c[i].p_holm <= alpha;
      nrej += c[i].reject;
    }
    return nrej;
  }
  for (int i = 0; i < n; i++) {
    rk[i].p = c[i].p;
    rk[i].i = i;
  }
  qsort(rk, (size_t)n, sizeof *rk, by_p);
  double run = 0;
  int nrej = 0;
  for (int j = 0; j < n; j++) {
    double adj = fmin(1.0, (double)(n - j) * rk[j].p);
    if (adj > run) run = adj;
    accq_check_row_t *x = &c[rk[j].i];
    x->p_holm = run;
    x->reject = run <= alpha;
    nrej += x->reject;
  }
  free(rk);
  return nrej;
}

double accq_check_bonferroni_halfwidth(double se, int replications, int n, double alpha) {
  double q = 1 - alpha / (2.0 * (n > 0 ? n : 1));
  return accq_gsl_t_quantile(q, replications - 1) * se;
}

/* ---- the design: critical |t|, detectable errors, replications ---- */

void accq_check_options_init(accq_check_options_t *opt) {
  opt->alpha = 0.01;
  opt->abs_tol = 1e-6;
  opt->power = 0.8;
  opt->detect_rel = 0.02;
}

double accq_check_critical_t(int n, int replications, double alpha) {
  double q = 1 - alpha / (2.0 * (n > 0 ? n : 1));
  return accq_gsl_t_quantile(q, replications - 1);
}

/* Student quantile of the power: an error of (t_crit + t_power) se makes
 * the t statistic exceed t_crit with probability about `power` (the usual
 * approximation of the noncentral t by a shifted central one, accurate to a
 * few percent for R >= 5). */
static double power_quantile(int replications, double power) {
  return accq_gsl_t_quantile(power, replications - 1);
}

int accq_check_replications_for(double sd, double delta, int n, double alpha, double power) {
  if (!(sd > 0) || !isfinite(sd) || !(delta > 0) || !isfinite(delta)) return 0;
  /* the left side falls as R grows: bisection on [2, 1e7] */
  int lo = 2, hi = 10000000;
#define NEED(R) ((accq_check_critical_t(n, (R), alpha) + power_quantile((R), power)) * sd / sqrt((double)(R)))
  if (NEED(lo) <= delta) return lo;
  if (NEED(hi) > delta) return hi;
  while (hi - lo > 1) {
    int mid = lo + (hi - lo) / 2;
    if (NEED(mid) <= delta)
      hi = mid;
    else
      lo = mid;
  }
#undef NEED
  return hi;
}

int accq_check_family(accq_check_row_t *c, int n, const accq_check_options_t *opt,
                      accq_check_summary_t *sum, accq_err_t *err) {
  memset(sum, 0, sizeof *sum);
  if (!(opt->alpha > 0 && opt->alpha < 1))
    return accq_err_set(err, ACCQ_EINVAL, "alpha must be in (0,1) (got %g)", opt->alpha);
  if (!(opt->power > 0 && opt->power < 1))
    return accq_err_set(err, ACCQ_EINVAL, "power must be in (0,1) (got %g)", opt->power);
  if (!(opt->abs_tol >= 0))
    return accq_err_set(err, ACCQ_EINVAL, "abs-tol must be >= 0 (got %g)", opt->abs_tol);
  if (!(opt->detect_rel > 0) || !isfinite(opt->detect_rel))
    return accq_err_set(err, ACCQ_EINVAL, "the relative error to detect must be > 0 (got %g)",
                        opt->detect_rel);
  sum->n = n;
  for (int i = 0; i < n; i++) {
    c[i].tolerated = isfinite(c[i].mean) && isfinite(c[i].exact) &&
                     fabs(c[i].mean - c[i].exact) <= opt->abs_tol;
    sum->tolerated += c[i].tolerated;
  }
  sum->rejected = accq_check_holm(c, n, opt->alpha);
  int rmin = 0;
  for (int i = 0; i < n; i++) {
    accq_check_row_t *x = &c[i];
    int R = x->replications;
    if (i == 0 || R < rmin) rmin = R;
    x->critical_t = accq_check_critical_t(n, R, opt->alpha);
    x->detectable = (x->critical_t + power_quantile(R, opt->power)) * x->se;
    x->detectable_rel = x->exact != 0 ? x->detectable / fabs(x->exact) : NAN;
    /* the per-replication spread sd = se sqrt(R) is what more replications
     * of the same length average down */
    x->replications_needed =
        R >= 2 ? accq_check_replications_for(x->se * sqrt((double)R),
                                             opt->detect_rel * fabs(x->exact), n, opt->alpha,
                                             opt->power)
               : 0;
    if (x->target && x->replications_needed > sum->replications_recommended)
      sum->replications_recommended = x->replications_needed;
  }
  sum->replications_min = rmin;
  sum->critical_t = n > 0 ? accq_check_critical_t(n, rmin, opt->alpha) : NAN;
  for (int i = 0; i < n; i++)
    sum->rows_below_recommended += c[i].replications < sum->replications_recommended;
  return ACCQ_SUCCESS;
}

int accq_check_standard_error(double se, double halfwidth, int replications, double *out,
                              accq_err_t *err) {
  *out = NAN;
  if (isnan(se) && isnan(halfwidth))
    return accq_err_set(err, ACCQ_EINVAL, "neither stderr nor ci_halfwidth given");
  if (!isnan(halfwidth) && replications < 2)
    return accq_err_set(err, ACCQ_EINVAL, "a ci_halfwidth needs replications >= 2 (got %d)",
                        replications);
  double t = replications >= 2 ? accq_gsl_t_quantile(0.975, replications - 1) : NAN;
  if (isnan(se)) {
    *out = halfwidth / t;
    return ACCQ_SUCCESS;
  }
  if (!isnan(halfwidth)) {
    double implied = t * se;
    /* 1%: what printing either column with 3 significant digits can cost */
    if (fabs(implied - halfwidth) > 0.01 * fmax(implied, halfwidth) &&
        fabs(implied - halfwidth) > 1e-300)
      return accq_err_set(err, ACCQ_EINVAL,
                          "stderr %.6g and ci_halfwidth %.6g disagree: a 95%% Student interval "
                          "with %d replications has half-width t_{0.975,%d} stderr = %.6g "
                          "(ratio %.4g; a ratio of 1.96 or 1.645 suggests a normal or 90%% "
                          "interval)",
                          se, halfwidth, replications, replications - 1, implied,
                          se > 0 ? halfwidth / se : NAN);
  }
  *out = se;
  return ACCQ_SUCCESS;
}

