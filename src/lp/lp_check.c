/* A-posteriori checks of LP answers, and the agreement of two solvers.
 *
 * Every test is relative to the magnitudes of the terms it adds, so that it
 * means the same at Lambda = 1e-9 and at 1e12, for rates from 1e-9 to 1e9:
 *
 *  primal   -tol Lambda <= x_k <= cap_k (1 + tol);  |sum x_k - Lambda| <= tol Lambda;
 *           sum_k d_k x_k >= -tol sum_k |d_k| x_k            (d_k = a_k - a*)
 *  dual     z >= 0, u_k <= 0, and the reduced cost
 *           r_k = 1/mu_k - y - z d_k - u_k >= -tol M_k,  M_k = 1/mu_k + |y| + z |d_k| + |u_k|
 *  compl.   x_k > 0 => r_k <= tol M_k;  x_k < cap_k (1 - tol) => |u_k| <= tol M_k;
 *  slackness z > 0 => sum d_k x_k <= tol sum |d_k| x_k
 *
 * (y, z, u: duals of min sum x_k/mu_k s.t. sum x_k = Lambda, sum d_k x_k >= 0,
 * x_k <= cap_k.)  Together they say that x is feasible and optimal up to
 * rounding of each term: the duality gap sum_k x_k r_k + z sum d_k x_k +
 * sum_k (-u_k)(cap_k - x_k) is at most tol times the terms' magnitudes. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lp/lp_internal.h"

void accq_i_lp_err_append(accq_err_t *err, const char *fmt, ...) {
  if (!err) return;
  size_t len = strlen(err->msg);
  if (len + 1 >= sizeof err->msg) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg + len, sizeof err->msg - len, fmt, ap);
  va_end(ap);
}

int accq_i_lp_close(double a, double b, double rtol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (a == b) return 1;
  return fabs(a - b) <= rtol * fmax(fabs(a), fabs(b));
}

int accq_i_lp_check_split(const accq_lp_problem_t *p, const double *x, double total,
                          const char *what, accq_err_t *err) {
  const double tol = ACCQ_LP_CHECK_RTOL;
  double flow = 0, acc = 0, accmag = 0, dmax = 0;
  for (int k = 0; k < p->ntypes; k++) {
    dmax = fmax(dmax, fabs(p->acc[k] - p->a_star));
    if (!isfinite(x[k]) || x[k] < -tol * total || x[k] > p->cap[k] * (1 + tol))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "%s fails the check: x_%d = %.17g is outside [0, cap = %.17g]", what,
                          k, x[k], p->cap[k]);
    double d = p->acc[k] - p->a_star;
    flow += x[k];
    acc += d * x[k];
    accmag += fabs(d * x[k]);
  }
  if (!(fabs(flow - total) <= tol * total))
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s fails the check: sum x_k = %.17g instead of %.17g", what, flow,
                        total);
  /* relative to the terms, plus the rounding of a split whose rates are
   * formed by differences of rates of order Lambda (a few ulps of Lambda on
   * any type: 1e-15 Lambda max |d_k|) */
  if (!(acc >= -tol * accmag - 1e-15 * total * dmax))
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s fails the check: accuracy row sum (a_k - a*) x_k = %.3g < 0 "
                        "(terms of magnitude %.3g)",
                        what, acc, accmag);
  return ACCQ_SUCCESS;
}

/* The accuracy dual for (y, u) of a solver that has no accuracy row (the
 * column LP of lp_glpk.c): when the row is slack, 0 (complementary
 * slackness); else the smallest z >= 0 with r_l >= 0 for every type below a*,
 * z = max(0, max_{d_l < 0} (y + u_l - 1/mu_l)/(-d_l)).  The column LP's dual
 * feasibility on the pair (h, l) is exactly "that bound from l <= the upper
 * bound (1/mu_h - y - u_h)/d_h from h", so z is feasible for the types above
 * a* too when (y, u) is; accq_i_lp_check_optimal tests it. */
double accq_i_lp_dual_acc(const accq_lp_problem_t *p, const double *x, double y,
                          const double *u) {
  double acc = 0, accmag = 0, z = 0;
  for (int k = 0; k < p->ntypes; k++) {
    double d = p->acc[k] - p->a_star;
    acc += d * x[k];
    accmag += fabs(d * x[k]);
  }
  if (acc > ACCQ_LP_CHECK_RTOL * accmag) return 0.0;
  for (int k = 0; k < p->ntypes; k++) {
    double d = p->acc[k] - p->a_star;
    if (d < 0) z = fmax(z, (y + u[k] - 1.0 / p->mu[k]) / -d);
  }
  return z;
}

int accq_i_lp_check_optimal(const accq_lp_problem_t *p, const accq_lp_result_t *r,
                            const char *who, accq_err_t *err) {
  const double tol = ACCQ_LP_CHECK_RTOL;
  char what[64];
  snprintf(what, sizeof what, "%s's split", who);
  int rc = accq_i_lp_check_split(p, r->x, p->lambda, what, err);
  if (rc) return rc;
  double y = r->dual_flow, z = r->dual_acc, obj = 0, acc = 0, accmag = 0;
  if (!isfinite(y) || !(z >= 0) || !isfinite(z))
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's duals fail the check: flow dual %.17g, accuracy dual %.17g "
                        "(must be finite and >= 0)",
                        who, y, z);
  for (int k = 0; k < p->ntypes; k++) {
    double d = p->acc[k] - p->a_star, inv = 1.0 / p->mu[k], u = r->dual_cap[k];
    if (!(u <= 0))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "%s's duals fail the check: capacity dual of type %d is %.17g > 0",
                          who, k, u);
    double rk = inv - y - z * d - u;
    double M = inv + fabs(y) + z * fabs(d) + fabs(u);
    if (rk < -tol * M)
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "%s's duals fail the check (dual feasibility): type %d has reduced "
                          "cost %.3g < 0 (terms of magnitude %.3g)",
                          who, k, rk, M);
    if (r->x[k] > 0 && rk > tol * M)
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "%s's answer fails complementary slackness: type %d gets x = %.17g "
                          "although its reduced cost is %.3g > 0 (terms of magnitude %.3g): "
                          "not optimal",
                          who, k, r->x[k], rk, M);
    if (r->x[k] < p->cap[k] * (1 - tol) && -u > tol * M)
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "%s's answer fails complementary slackness: type %d below capacity "
                          "(x = %.17g < %.17g) with capacity dual %.3g: not optimal",
                          who, k, r->x[k], p->cap[k], u);
    obj += r->x[k] * inv;
    acc += d * r->x[k];
    accmag += fabs(d * r->x[k]);
  }
  if (z > 0 && acc > tol * accmag)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's answer fails complementary slackness: accuracy row slack %.3g "
                        "(terms %.3g) with accuracy dual %.3g > 0: not optimal",
                        who, acc, accmag, z);
  if (!accq_i_lp_close(obj / p->lambda, r->t_lp, tol))
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's T_LP = %.17g does not match its split (sum x_k/mu_k / Lambda = "
                        "%.17g)",
                        who, r->t_lp, obj / p->lambda);
  return ACCQ_SUCCESS;
}

double accq_i_lp_duality_gap(const accq_lp_problem_t *p, const accq_lp_result_t *r) {
  double primal = 0, dual = p->lambda * r->dual_flow;
  for (int k = 0; k < p->ntypes; k++) {
    primal += r->x[k] / p->mu[k];
    dual += p->cap[k] * r->dual_cap[k];
  }
  return fabs(primal - dual);
}

static const char *status_text(accq_lp_status_t s) {
  return s == ACCQ_LP_OPTIMAL               ? "optimal"
         : s == ACCQ_LP_ACCURACY_INFEASIBLE ? "accuracy-infeasible"
                                            : "capacity-infeasible";
}

void accq_i_lp_describe(const accq_lp_result_t *r, const char *failure, char *buf, size_t n) {
  if (!r) {
    snprintf(buf, n, "no answer (%s)", failure ? failure : "failed");
    return;
  }
  if (r->status != ACCQ_LP_OPTIMAL)
    snprintf(buf, n, "%s (Lambda_max = %.17g, T_free = %.17g)", status_text(r->status),
             r->lambda_max, r->t_free);
  else
    snprintf(buf, n, "T_LP = %.17g, Lambda_max = %.17g, T_free = %.17g", r->t_lp,
             r->lambda_max, r->t_free);
}

int accq_i_lp_agree(const accq_lp_problem_t *p, const accq_lp_result_t *a, const char *an,
                    const accq_lp_result_t *b, const char *bn, accq_err_t *err) {
  const double tol = ACCQ_LP_AGREE_RTOL;
  const char *what = NULL;
  double va = 0, vb = 0;
  if (a->status != b->status) {
    what = "the status";
  } else if (!accq_i_lp_close(a->lambda_max, b->lambda_max, tol)) {
    what = "Lambda_max", va = a->lambda_max, vb = b->lambda_max;
  } else if (!accq_i_lp_close(a->t_free, b->t_free, tol)) {
    what = "T_free", va = a->t_free, vb = b->t_free;
  } else if (a->status == ACCQ_LP_OPTIMAL && !accq_i_lp_close(a->t_lp, b->t_lp, tol)) {
    what = "T_LP", va = a->t_lp, vb = b->t_lp;
  }
  if (!what) return ACCQ_SUCCESS;
  char da[300], db[300];
  accq_i_lp_describe(a, NULL, da, sizeof da);
  accq_i_lp_describe(b, NULL, db, sizeof db);
  if (va != 0 || vb != 0)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "LP at Lambda = %.17g: the %s and %s solvers disagree on %s "
                        "(%.17g vs %.17g, relative difference %.2g > %g): %s finds %s; %s "
                        "finds %s; neither is printed",
                        p->lambda, an, bn, what, va, vb,
                        fabs(va - vb) / fmax(fabs(va), fabs(vb)), tol, an, da, bn, db);
  return accq_err_set(err, ACCQ_ENUMERIC,
                      "LP at Lambda = %.17g: the %s and %s solvers disagree on %s: %s finds "
                      "%s; %s finds %s; neither is printed",
                      p->lambda, an, bn, what, an, da, bn, db);
}
