/* A-posteriori checks of LP answers, and the agreement of two solvers.
 *
 * Every test is relative to the magnitudes of the terms it adds, so that it
 * means the same at Lambda = 1e-9 and at 1e12, for rates from 1e-9 to 1e9:
 *
 *  primal   -tol Lambda <= x_k <= cap_k (1 + tol) (or the excess costs <= tol C);
 *           |sum x_k - Lambda| <= tol Lambda;
 *           sum_k d_k x_k >= -tol sum_k |d_k| x_k            (d_k = a_k - a*)
 *  dual     z >= 0, u_k <= 0; a reduced cost r_k = 1/mu_k - y - z d_k - u_k below
 *           zero (beyond 8 ulps of its terms M_k = 1/mu_k + |y| + z |d_k| + |u_k|)
 *           is repaired by lowering y or u_k, which costs the lower bound
 *           min(Lambda max_k |r_k|, sum_k cap_k |r_k|) <= tol C
 *  compl.   the duality gap, term by term: sum_k x_k r_k^+, sum_k (-u_k)(cap_k - x_k)^+
 *  slackness and z (sum d_k x_k)^+ each <= tol C (C = sum x_k/mu_k, the objective)
 *           plus the rounding of the reduced costs (8 ulps of x_k M_k)
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
                          int cost_rel, const char *what, accq_err_t *err) {
  const double tol = ACCQ_LP_CHECK_RTOL;
  double flow = 0, acc = 0, accmag = 0, dround = 0, cost = 0;
  for (int k = 0; k < p->ntypes; k++) cost += fmax(x[k], 0.0) / p->mu[k];
  for (int k = 0; k < p->ntypes; k++) {
    if (x[k] != 0) dround += fabs(p->acc[k] - p->a_star);
    /* over capacity by 1e-9 of it; with cost_rel (a split that is checked,
     * not printed: GLPK's) also by a rate whose cost is 1e-9 of the split's
     * (a capacity far below Lambda, on a row GLPK keeps within its absolute
     * tolerance) */
    double over = x[k] - p->cap[k];
    int over_ok = over <= tol * p->cap[k] || (cost_rel && over / p->mu[k] <= tol * cost);
    if (!isfinite(x[k]) || x[k] < -tol * total || !over_ok)
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
   * formed by differences of rates of order Lambda (up to K ulps of Lambda on
   * each type it sends jobs to: 4 K eps Lambda |d_k| summed over them) */
  if (!(acc >= -tol * accmag - 4.0 * p->ntypes * 0x1p-52 * total * dround))
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
  const double tol = ACCQ_LP_CHECK_RTOL, eps = 0x1p-52;
  char what[64];
  snprintf(what, sizeof what, "%s's split", who);
  int rc = accq_i_lp_check_split(p, r->x, p->lambda, 0, what, err);
  if (rc) return rc;
  double y = r->dual_flow, z = r->dual_acc, obj = 0, acc = 0, dmax = 0;
  if (!isfinite(y) || !(z >= 0) || !isfinite(z))
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's duals fail the check: flow dual %.17g, accuracy dual %.17g "
                        "(must be finite and >= 0)",
                        who, y, z);
  /* complementary slackness as the duality gap it leaves, term by term,
   * against the objective C = sum x_k/mu_k, plus the rounding of the
   * reduced costs themselves (a few ulps of their terms M_k, times x_k) */
  double cs_x = 0, cs_u = 0, round = 0, rneg_max = 0, rneg_cap = 0, wr = 0;
  int worst_r = -1;
  int worst_x = -1, worst_u = -1;
  double wx = 0, wu = 0;
  for (int k = 0; k < p->ntypes; k++) {
    double d = p->acc[k] - p->a_star, inv = 1.0 / p->mu[k], u = r->dual_cap[k];
    dmax = fmax(dmax, fabs(d));
    if (!(u <= 0))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "%s's duals fail the check: capacity dual of type %d is %.17g > 0",
                          who, k, u);
    double rk = inv - y - z * d - u;
    double M = inv + fabs(y) + z * fabs(d) + fabs(u);
    double neg = fmax(0.0, -rk - 8 * eps * M); /* beyond the rounding of r_k */
    if (neg > 0) {
      rneg_max = fmax(rneg_max, neg);
      rneg_cap += p->cap[k] * neg;
      if (neg / M > wr) wr = neg / M, worst_r = k;
    }
    double x = fmax(r->x[k], 0.0);
    double tx = x * fmax(rk, 0.0), tu = -u * fmax(p->cap[k] - x, 0.0);
    cs_x += tx, cs_u += tu;
    if (tx > wx) wx = tx, worst_x = k;
    if (tu > wu) wu = tu, worst_u = k;
    round += 8 * eps * (x * M + p->cap[k] * fabs(u));
    obj += r->x[k] * inv;
    acc += d * r->x[k];
  }
  /* dual feasibility in objective terms: a negative reduced cost r_k is
   * repaired by lowering y by max |r_k| (the dual value drops by Lambda max
   * |r_k|) or each u_k by |r_k| (drops by sum cap_k |r_k|); the cheaper repair
   * is what the lower bound loses, and must stay within tol C */
  double dual_def = fmin(p->lambda * rneg_max, rneg_cap);
  if (dual_def > tol * obj)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's duals fail the check (dual feasibility): type %d has reduced "
                        "cost %.3g below 0 relative to its terms, a lower bound short by %.3g "
                        "against an objective of %.17g",
                        who, worst_r, -wr, dual_def, obj);
  double cs_z = z * fmax(acc, 0.0);
  round += 8 * eps * z * dmax * p->lambda;
  double allow = tol * obj + round;
  if (cs_x > allow)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's answer fails complementary slackness: rates sent to types with a "
                        "positive reduced cost cost %.3g (type %d: x = %.17g) against an "
                        "objective of %.17g: not optimal",
                        who, cs_x, worst_x, worst_x >= 0 ? r->x[worst_x] : 0.0, obj);
  if (cs_u > allow)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's answer fails complementary slackness: a capacity dual on a type "
                        "below capacity costs %.3g (type %d) against an objective of %.17g: "
                        "not optimal",
                        who, cs_u, worst_u, obj);
  if (cs_z > allow)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "%s's answer fails complementary slackness: accuracy row slack %.3g "
                        "with accuracy dual %.3g (cost %.3g against an objective of %.17g): "
                        "not optimal",
                        who, acc, z, cs_z, obj);
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
  /* to ACCQ_LP_AGREE_RTOL, or to twice the larger error bound of the two on
   * an ill-conditioned LP (which accq_i_lp_polish then answers exactly) */
  double at, al, af, bt, bl, bf;
  accq_i_lp_error_bounds(p, a, &at, &al, &af);
  accq_i_lp_error_bounds(p, b, &bt, &bl, &bf);
  double tt = fmax(ACCQ_LP_AGREE_RTOL, 2 * fmax(at, bt));
  double tl = fmax(ACCQ_LP_AGREE_RTOL, 2 * fmax(al, bl));
  double tf = fmax(ACCQ_LP_AGREE_RTOL, 2 * fmax(af, bf));
  double tol = ACCQ_LP_AGREE_RTOL;
  const char *what = NULL;
  double va = 0, vb = 0;
  if (a->status != b->status) {
    what = "the status";
  } else if (!accq_i_lp_close(a->lambda_max, b->lambda_max, tl)) {
    what = "Lambda_max", va = a->lambda_max, vb = b->lambda_max, tol = tl;
  } else if (!accq_i_lp_close(a->t_free, b->t_free, tf)) {
    what = "T_free", va = a->t_free, vb = b->t_free, tol = tf;
  } else if (a->status == ACCQ_LP_OPTIMAL && !accq_i_lp_close(a->t_lp, b->t_lp, tt)) {
    what = "T_LP", va = a->t_lp, vb = b->t_lp, tol = tt;
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

/* ---- conditioning and the exact polish ---- */

/* Error bounds of the float answers, from where they lose digits: a rate
 * left for the last type (Lambda minus capacities, a surplus divided by a
 * small accuracy gap) carries a few ulps of Lambda, which that type's 1/mu_k
 * turns into an error of T relative to T itself; hence
 *   T_LP:       kappa = max_{x_k > 0} (1/mu_k) / T_LP
 *   T_free:     kappa = 1/mu of the slowest type the greedy uses / T_free
 *   Lambda_max: kappa = (accuracy surplus / gap of the last type) / Lambda_max
 * and the bound 64 K eps kappa (eps = 2^-52). */
static double bound_of(const accq_lp_problem_t *p, double kappa) {
  return 64.0 * p->ntypes * 0x1p-52 * fmax(kappa, 1.0);
}

void accq_i_lp_error_bounds(const accq_lp_problem_t *p, const accq_lp_result_t *r,
                            double *bt, double *bl, double *bf) {
  int K = p->ntypes;
  double kt = 1, kl = 1, kf = 1;
  if (r->status == ACCQ_LP_OPTIMAL)
    for (int k = 0; k < K; k++)
      if (r->x[k] > 0) kt = fmax(kt, 1.0 / p->mu[k] / r->t_lp);
  /* Lambda_max: the knapsack of accq_lp_lambda_max */
  double total = 0, surplus = 0;
  for (int k = 0; k < K; k++)
    if (p->acc[k] >= p->a_star) {
      total += p->cap[k];
      surplus += p->cap[k] * (p->acc[k] - p->a_star);
    }
  /* the knapsack fills the inaccurate types most accurate first; only the
   * one where the surplus runs out gets surplus_left / gap, whose rounding
   * is that of the surplus (eps times its initial value) over the gap */
  double worst = 0, left = surplus;
  int filled[ACCQ_MAX_TYPES] = {0};
  for (;;) {
    int b = -1;
    for (int k = 0; k < K; k++)
      if (!filled[k] && p->acc[k] < p->a_star && (b < 0 || p->acc[k] > p->acc[b])) b = k;
    if (b < 0 || !(left > 0)) break;
    filled[b] = 1;
    double need = p->a_star - p->acc[b];
    if (left / need < p->cap[b]) {
      worst = surplus / need;
      break;
    }
    left -= p->cap[b] * need;
  }
  if (r->lambda_max > 0) kl = fmax(1.0, fmin(worst, 1e300) / r->lambda_max);
  /* T_free: the slowest type the greedy needs */
  if (r->t_free > 0) {
    double served = 0, lam = p->lambda, maxinv = 0;
    int used[ACCQ_MAX_TYPES] = {0};
    while (served < lam) {
      int best = -1;
      for (int k = 0; k < K; k++)
        if (!used[k] && (best < 0 || p->mu[k] > p->mu[best])) best = k;
      if (best < 0) break;
      used[best] = 1;
      served += p->cap[best];
      maxinv = fmax(maxinv, 1.0 / p->mu[best]);
    }
    kf = maxinv / r->t_free;
  }
  *bt = bound_of(p, kt);
  *bl = bound_of(p, kl);
  *bf = bound_of(p, kf);
}

int accq_i_lp_polish(const accq_lp_problem_t *p, accq_lp_result_t *r, const char *who,
                     accq_err_t *err) {
  double bt, bl, bf;
  accq_i_lp_error_bounds(p, r, &bt, &bl, &bf);
  const double want = 0.1 * ACCQ_LP_AGREE_RTOL;
  if (bt <= want && bl <= want && bf <= want) return ACCQ_SUCCESS;
  /* The float answer may be off by more than a tenth of the agreement
   * tolerance: take the exact answer (GMP rationals of the same data), after
   * checking that the float one is within its bound of it. */
  accq_lp_exact_t ex;
  int rc = accq_lp_solve_exact(p, &ex, err);
  if (rc) return rc;
  const char *what = NULL;
  double fv = 0, ev = 0, b = 0;
  if (ex.status != r->status)
    what = "the status";
  else if (!accq_i_lp_close(r->lambda_max, ex.lambda_max_value, fmax(2 * bl, ACCQ_LP_AGREE_RTOL)))
    what = "Lambda_max", fv = r->lambda_max, ev = ex.lambda_max_value, b = bl;
  else if (!accq_i_lp_close(r->t_free, ex.t_free_value, fmax(2 * bf, ACCQ_LP_AGREE_RTOL)))
    what = "T_free", fv = r->t_free, ev = ex.t_free_value, b = bf;
  else if (r->status == ACCQ_LP_OPTIMAL &&
           !accq_i_lp_close(r->t_lp, ex.t_lp_value, fmax(2 * bt, ACCQ_LP_AGREE_RTOL)))
    what = "T_LP", fv = r->t_lp, ev = ex.t_lp_value, b = bt;
  if (what) {
    rc = accq_err_set(err, ACCQ_ENUMERIC,
                      "LP at Lambda = %.17g: %s's %s = %.17g differs from the exact (GMP) "
                      "value %.17g by more than its error bound %.2g (status %d vs exact %d)",
                      p->lambda, who, what, fv, ev, b, (int)r->status, (int)ex.status);
    accq_lp_exact_free(&ex);
    return rc;
  }
  r->lambda_max = ex.lambda_max_value;
  r->t_free = ex.t_free_value;
  if (r->status == ACCQ_LP_OPTIMAL) {
    r->t_lp = ex.t_lp_value;
    for (int k = 0; k < p->ntypes; k++) {
      r->x[k] = ex.x_value[k];
      r->p[k] = r->x[k] / p->lambda;
    }
  }
  r->price = r->t_lp / r->t_free;
  r->exact_polished = 1;
  accq_lp_exact_free(&ex);
  return ACCQ_SUCCESS;
}

int accq_lp_check_exact(const accq_lp_problem_t *p, const accq_lp_result_t *r,
                        const accq_lp_exact_t *ex, accq_err_t *err) {
  double bt, bl, bf;
  accq_i_lp_error_bounds(p, r, &bt, &bl, &bf);
  const char *what = NULL;
  double fv = 0, ev = 0;
  if (r->status != ex->status)
    what = "the status";
  else if (!accq_i_lp_close(r->lambda_max, ex->lambda_max_value, fmax(2 * bl, ACCQ_LP_AGREE_RTOL)))
    what = "Lambda_max", fv = r->lambda_max, ev = ex->lambda_max_value;
  else if (!accq_i_lp_close(r->t_free, ex->t_free_value, fmax(2 * bf, ACCQ_LP_AGREE_RTOL)))
    what = "T_free", fv = r->t_free, ev = ex->t_free_value;
  else if (r->status == ACCQ_LP_OPTIMAL &&
           !accq_i_lp_close(r->t_lp, ex->t_lp_value, fmax(2 * bt, ACCQ_LP_AGREE_RTOL)))
    what = "T_LP", fv = r->t_lp, ev = ex->t_lp_value;
  if (!what) return ACCQ_SUCCESS;
  char d[300];
  accq_i_lp_describe(r, NULL, d, sizeof d);
  return accq_err_set(err, ACCQ_ENUMERIC,
                      "LP at Lambda = %.17g: the float answer and the exact (GMP) one disagree "
                      "on %s (%.17g vs %.17g): float finds %s; exact finds status %s, T_LP = "
                      "%.17g, Lambda_max = %.17g, T_free = %.17g; neither is printed",
                      p->lambda, what, fv, ev, d, status_text(ex->status), ex->t_lp_value,
                      ex->lambda_max_value, ex->t_free_value);
}
