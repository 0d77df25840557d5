/* The response-time distribution of an admitted job (docs/measures.md): a mixture of
 * Erlang(q+1, mu_k) laws, one term per route (type k, level q < B) weighted by
 * the stationary probability of taking that route (PASTA).  proofs/tail-formula.md
 * shows why; this file only evaluates it, inverts it and integrates it. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>

#include "ext/gsl.h"
#include "measures/measures_internal.h"

int accq_i_mixture_alloc(accq_i_mixture_t *mix, int cap, accq_err_t *err) {
  mix->n = 0;
  mix->cap = cap > 0 ? cap : 1;
  mix->w = calloc((size_t)mix->cap, sizeof *mix->w);
  mix->rate = calloc((size_t)mix->cap, sizeof *mix->rate);
  mix->stages = calloc((size_t)mix->cap, sizeof *mix->stages);
  if (!mix->w || !mix->rate || !mix->stages) {
    accq_i_mixture_free(mix);
    return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate a response-time mixture of %d terms",
                        cap);
  }
  return ACCQ_SUCCESS;
}

void accq_i_mixture_free(accq_i_mixture_t *mix) {
  if (!mix) return;
  free(mix->w);
  free(mix->rate);
  free(mix->stages);
  mix->w = mix->rate = NULL;
  mix->stages = NULL;
  mix->n = mix->cap = 0;
}

void accq_i_mixture_add(accq_i_mixture_t *mix, double w, double rate, int stages) {
  if (!(w > 0) || mix->n >= mix->cap) return;
  mix->w[mix->n] = w;
  mix->rate[mix->n] = rate;
  mix->stages[mix->n] = stages;
  mix->n++;
}

double accq_i_mixture_normalize(accq_i_mixture_t *mix) {
  double s = 0;
  for (int j = 0; j < mix->n; j++) s += mix->w[j];
  if (s > 0)
    for (int j = 0; j < mix->n; j++) mix->w[j] /= s;
  return s;
}

double accq_i_mixture_tail(const accq_i_mixture_t *mix, double t) {
  if (!(t > 0)) return 1.0;
  double s = 0;
  for (int j = 0; j < mix->n; j++) {
    gsl_sf_result r;
    /* Q(a, x) underflows to 0 far in the tail: GSL then reports GSL_EUNDRFLW
     * with r.val = 0, which is the right value for a probability. */
    if (gsl_sf_gamma_inc_Q_e((double)mix->stages[j], mix->rate[j] * t, &r) == GSL_SUCCESS ||
        r.val == 0)
      s += mix->w[j] * r.val;
  }
  return s > 1 ? 1 : s;
}

double accq_i_mixture_mean(const accq_i_mixture_t *mix) {
  double s = 0;
  for (int j = 0; j < mix->n; j++) s += mix->w[j] * mix->stages[j] / mix->rate[j];
  return s;
}

typedef struct {
  const accq_i_mixture_t *mix;
  double level;   /* 1 - p for quantiles */
  double scale;   /* t = scale * s for integrals */
} tail_arg_t;

static double quantile_fn(double t, void *arg) {
  const tail_arg_t *a = arg;
  return accq_i_mixture_tail(a->mix, t) - a->level;
}

int accq_i_mixture_quantile(const accq_i_mixture_t *mix, double p, double *t,
                            accq_err_t *err) {
  accq_gsl_init(); /* the one non-aborting handler (ext/gsl.h) */
  *t = NAN;
  if (!(p > 0 && p < 1))
    return accq_err_set(err, ACCQ_EINVAL, "quantile level must be in (0,1) (got %g)", p);
  if (mix->n == 0)
    return accq_err_set(err, ACCQ_EINVAL, "empty response-time distribution");
  tail_arg_t a = {mix, 1 - p, 1};
  /* Bracket: P(T > 0) = 1 > 1 - p; double from the mean until the tail drops
   * below 1 - p.  The tail is continuous and decreasing, so one root. */
  double lo = 0, hi = accq_i_mixture_mean(mix);
  int grow = 0;
  while (quantile_fn(hi, &a) > 0) {
    lo = hi;
    hi *= 2;
    if (++grow > 2000 || !isfinite(hi))
      return accq_err_set(err, ACCQ_ENUMERIC, "cannot bracket the %g-quantile (tail %g at t=%g)",
                          p, accq_i_mixture_tail(mix, lo), lo);
  }
  if (quantile_fn(hi, &a) == 0) {
    *t = hi;
    return ACCQ_SUCCESS;
  }
  gsl_function F = {quantile_fn, &a};
  gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!s) return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate GSL's Brent solver");
  int st = gsl_root_fsolver_set(s, &F, lo, hi), status = ACCQ_ENOCONV;
  for (int it = 0; st == GSL_SUCCESS && it < 500; it++) {
    st = gsl_root_fsolver_iterate(s);
    if (st != GSL_SUCCESS) break;
    double x_lo = gsl_root_fsolver_x_lower(s), x_hi = gsl_root_fsolver_x_upper(s);
    if (gsl_root_test_interval(x_lo, x_hi, 0, 1e-14) == GSL_SUCCESS) {
      status = ACCQ_SUCCESS;
      break;
    }
  }
  *t = gsl_root_fsolver_root(s);
  gsl_root_fsolver_free(s);
  if (status != ACCQ_SUCCESS)
    return accq_err_set(err, ACCQ_ENOCONV,
                        "Brent's method did not converge on the %g-quantile (best %.17g; GSL: %s)",
                        p, *t, gsl_strerror(st));
  return ACCQ_SUCCESS;
}

static double integral_fn(double s, void *arg) {
  const tail_arg_t *a = arg;
  return accq_i_mixture_tail(a->mix, a->scale * s);
}

int accq_i_mixture_integral(const accq_i_mixture_t *mix, double *value, double *abserr,
                            accq_err_t *err) {
  accq_gsl_init(); /* the one non-aborting handler (ext/gsl.h) */
  *value = NAN;
  *abserr = NAN;
  if (mix->n == 0)
    return accq_err_set(err, ACCQ_EINVAL, "empty response-time distribution");
  /* The time unit only sets the scale of the abscissa: integrate in units of
   * the slowest mean stage time so that the integrand lives on s = O(1..B).
   * [0, s1] by QAG (Gauss-Kronrod 61) where the mass is, [s1, inf) by QAGIU. */
  double scale = 0;
  for (int j = 0; j < mix->n; j++) scale = fmax(scale, 1.0 / mix->rate[j]);
  tail_arg_t a = {mix, 0, scale};
  gsl_function F = {integral_fn, &a};
  /* s1: a point past which the tail is small (the 1 - 1e-6 quantile bound of the
   * slowest, longest term), found without using any mean. */
  int smax = 1;
  for (int j = 0; j < mix->n; j++)
    if (mix->stages[j] > smax) smax = mix->stages[j];
  double s1 = smax + 10 * sqrt((double)smax) + 10;
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
  if (!ws) return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate a GSL integration workspace");
  double v1 = 0, e1 = 0, v2 = 0, e2 = 0;
  int st1 = gsl_integration_qag(&F, 0, s1, 0, 1e-13, 2000, GSL_INTEG_GAUSS61, ws, &v1, &e1);
  int st2 = gsl_integration_qagiu(&F, s1, 1e-13 * (v1 > 0 ? v1 : 1), 1e-12, 2000, ws, &v2, &e2);
  gsl_integration_workspace_free(ws);
  *value = (v1 + v2) * scale;
  *abserr = (e1 + e2) * scale;
  /* GSL_EROUND means the requested 1e-13 is below what rounding allows: the
   * estimate is still as good as double precision gets. */
  int bad1 = st1 != GSL_SUCCESS && st1 != GSL_EROUND;
  int bad2 = st2 != GSL_SUCCESS && st2 != GSL_EROUND;
  if (bad1 || bad2)
    return accq_err_set(err, ACCQ_ENOCONV,
                        "tail quadrature did not converge (estimate %.17g, error %.3g; GSL: %s)",
                        *value, *abserr, gsl_strerror(bad1 ? st1 : st2));
  return ACCQ_SUCCESS;
}
