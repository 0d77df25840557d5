/* Measures shared by the simulator and the chain, and the statistics that
 * compare them (crosscheck, check-sim): two-sided t tests with Holm's
 * step-down correction for the family-wise error, the power of that design
 * (critical |t|, detectable errors, recommended replications), and the exact
 * level distributions golden files carry (see accq/check.h). */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"

enum {
  M_ET = 0, M_L, M_ACC, M_LOSS, M_PWAIT, M_BOUNDARY, M_P50, M_P90, M_P95, M_P99, M_SCALARS
};

static const char *const scalar_names[M_SCALARS] = {
    "mean_response_time", "mean_jobs", "accuracy", "loss_probability", "p_wait",
    "boundary_mass", "p50", "p90", "p95", "p99"};

static const char *const scalar_defs[M_SCALARS] = {
    "E[T] = L / X: mean response time (waiting + service) of an admitted job",
    "L: time-average number of jobs in the system",
    "A = sum_k a_k X_k / X: mean accuracy a_k over admitted jobs",
    "P_loss: fraction of arrivals dispatched to a server already holding B jobs",
    "P(W > 0): fraction of admitted jobs that find their server busy",
    "time fraction during which some server holds B jobs",
    "median response time of an admitted job",
    "90th percentile of the response time of an admitted job",
    "95th percentile of the response time of an admitted job",
    "99th percentile of the response time of an admitted job"};

int accq_sim_measure_count(int ntypes) { return M_SCALARS + 2 * ntypes; }

const char *accq_sim_measure_name(const accq_model_t *m, int i, char *buf, int size) {
  if (i < 0 || i >= accq_sim_measure_count(m->ntypes))
    snprintf(buf, (size_t)size, "?");
  else if (i < M_SCALARS)
    snprintf(buf, (size_t)size, "%s", scalar_names[i]);
  else if (i < M_SCALARS + m->ntypes)
    snprintf(buf, (size_t)size, "utilization.%s", m->types[i - M_SCALARS].name);
  else
    snprintf(buf, (size_t)size, "throughput.%s", m->types[i - M_SCALARS - m->ntypes].name);
  return buf;
}

int accq_sim_measure_index(const accq_model_t *m, const char *name) {
  char buf[ACCQ_NAME_MAX + 32];
  int n = accq_sim_measure_count(m->ntypes);
  for (int i = 0; i < n; i++)
    if (!strcmp(name, accq_sim_measure_name(m, i, buf, (int)sizeof buf))) return i;
  return -1;
}

const char *accq_sim_measure_definition(const accq_model_t *m, int i) {
  if (i < 0 || i >= accq_sim_measure_count(m->ntypes)) return "?";
  if (i < M_SCALARS) return scalar_defs[i];
  if (i < M_SCALARS + m->ntypes)
    return "U_k = E[busy servers of type k] / N_k: utilization of type k";
  return "X_k: rate of admitted jobs sent to type k (jobs per unit time, whole system)";
}

void accq_sim_measure_bounds(const accq_model_t *m, int i, double *lo, double *hi) {
  *lo = *hi = 0;
  if (i == M_LOSS || i == M_PWAIT || i == M_BOUNDARY ||
      (i >= M_SCALARS && i < M_SCALARS + m->ntypes)) {
    *hi = 1;
  } else if (i >= M_SCALARS + m->ntypes && i < M_SCALARS + 2 * m->ntypes) {
    *hi = (double)m->scale * m->arrival_rate;
  } else if (i == M_ACC && m->ntypes > 0) {
    *lo = *hi = m->types[0].accuracy;
    for (int k = 1; k < m->ntypes; k++) {
      if (m->types[k].accuracy < *lo) *lo = m->types[k].accuracy;
      if (m->types[k].accuracy > *hi) *hi = m->types[k].accuracy;
    }
  }
}

accq_estimate_t accq_sim_result_measure(const accq_sim_result_t *r, int i) {
  accq_estimate_t nan = {NAN, NAN, NAN};
  switch (i) {
  case M_ET: return r->mean_response_time;
  case M_L: return r->mean_jobs;
  case M_ACC: return r->accuracy;
  case M_LOSS: return r->loss_probability;
  case M_PWAIT: return r->p_wait;
  case M_BOUNDARY: return r->boundary_mass;
  case M_P50: return r->p50;
  case M_P90: return r->p90;
  case M_P95: return r->p95;
  case M_P99: return r->p99;
  default: break;
  }
  if (i >= M_SCALARS && i < M_SCALARS + r->ntypes) return r->utilization[i - M_SCALARS];
  if (i >= M_SCALARS + r->ntypes && i < M_SCALARS + 2 * r->ntypes)
    return r->throughput[i - M_SCALARS - r->ntypes];
  return nan;
}

double accq_sim_exact_measure(const accq_measures_t *x, int ntypes, int i) {
  switch (i) {
  case M_ET: return x->mean_response_time;
  case M_L: return x->mean_jobs;
  case M_ACC: return x->accuracy;
  case M_LOSS: return x->loss_probability;
  case M_PWAIT: return x->p_wait;
  case M_BOUNDARY: return x->boundary_mass;
  case M_P50: return x->p50;
  case M_P90: return x->p90;
  case M_P95: return x->p95;
  case M_P99: return x->p99;
  default: break;
  }
  if (i >= M_SCALARS && i < M_SCALARS + ntypes) return x->utilization[i - M_SCALARS];
  if (i >= M_SCALARS + ntypes && i < M_SCALARS + 2 * ntypes)
    return x->throughput[i - M_SCALARS - ntypes];
  return NAN;
}

int accq_sim_measure_is_percentile(int i) { return i >= M_P50 && i <= M_P99; }

/* Two-sided p-value of one comparison (fills z). */
static double p_value(accq_sim_check_t *c) {
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
    p = c->replications >= 2 ? 2 * gsl_cdf_tdist_Q(fabs(c->z), c->replications - 1)
                             : 2 * gsl_cdf_ugaussian_Q(fabs(c->z));
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

int accq_sim_holm(accq_sim_check_t *c, int n, double alpha) {
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
    accq_sim_check_t *x = &c[rk[j].i];
    x->p_holm = run;
    x->reject = run <= alpha;
    nrej += x->reject;
  }
  free(rk);
  return nrej;
}

double accq_sim_bonferroni_halfwidth(double se, int replications, int n, double alpha) {
  double q = 1 - alpha / (2.0 * (n > 0 ? n : 1));
  double t = replications >= 2 ? gsl_cdf_tdist_Pinv(q, replications - 1) : gsl_cdf_ugaussian_Pinv(q);
  return t * se;
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
  return replications >= 2 ? gsl_cdf_tdist_Pinv(q, replications - 1) : gsl_cdf_ugaussian_Pinv(q);
}

/* Student quantile of the power: an error of (t_crit + t_power) se makes
 * the t statistic exceed t_crit with probability about `power` (the usual
 * approximation of the noncentral t by a shifted central one, accurate to a
 * few percent for R >= 5). */
static double power_quantile(int replications, double power) {
  return replications >= 2 ? gsl_cdf_tdist_Pinv(power, replications - 1)
                           : gsl_cdf_ugaussian_Pinv(power);
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

int accq_check_family(accq_sim_check_t *c, int n, const accq_check_options_t *opt,
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
  sum->rejected = accq_sim_holm(c, n, opt->alpha);
  int rmin = 0;
  for (int i = 0; i < n; i++) {
    accq_sim_check_t *x = &c[i];
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
  double t = replications >= 2 ? gsl_cdf_tdist_Pinv(0.975, replications - 1) : NAN;
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

/* ---- exact level distributions ---- */

int accq_check_exact_levels(const accq_chain_t *c, const accq_policy_t *pol, const double *pi,
                            double *level, double *p_wait_type, accq_err_t *err) {
  const int K = c->model.ntypes, B = c->buffer, L = B + 1;
  int st = ACCQ_SUCCESS;
  int *count = malloc((size_t)K * (size_t)L * sizeof *count);
  const int **rows = malloc((size_t)K * sizeof *rows);
  int *top = malloc((size_t)K * sizeof *top);
  double *w = calloc((size_t)K * (size_t)L, sizeof *w); /* arrival weight per (k, q) */
  accq_route_t *routes = NULL;
  int cap = 0;
  if (!count || !rows || !top || !w) {
    st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for the level distributions");
    goto cleanup;
  }
  for (int i = 0; i < K * L; i++) level[i] = 0;
  double total = 0;
  for (int64_t s = 0; s < c->nstates; s++) total += pi[s];
  if (!(total > 0)) {
    st = accq_err_set(err, ACCQ_ENUMERIC, "stationary distribution sums to %g", total);
    goto cleanup;
  }
  for (int k = 0; k < K; k++) rows[k] = count + (size_t)k * L;
  for (int64_t s = 0; s < c->nstates; s++) {
    double p = pi[s] / total;
    if (p == 0) continue;
    accq_chain_state_counts(c, s, count);
    for (int k = 0; k < K; k++) {
      top[k] = 0;
      for (int q = 0; q < L; q++) {
        level[k * L + q] += p * count[k * L + q] / c->servers[k];
        if (count[k * L + q]) top[k] = q;
      }
    }
    accq_occ_t occ = {K, c->servers, rows, top, B};
    int need = accq_policy_max_routes(pol, &occ);
    if (need > cap) {
      accq_route_t *r2 = realloc(routes, (size_t)need * sizeof *r2);
      if (!r2) {
        st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for dispatch routes");
        goto cleanup;
      }
      routes = r2;
      cap = need;
    }
    int nr = 0;
    if ((st = accq_policy_dispatch(pol, &occ, routes, cap, &nr)) != 0) {
      accq_err_set(err, st, "dispatch failed in state %lld", (long long)s);
      goto cleanup;
    }
    for (int r = 0; r < nr; r++) {
      int k = routes[r].type;
      if (routes[r].level == ACCQ_LEVEL_ANY) {
        for (int q = 0; q < L; q++)
          w[k * L + q] += p * routes[r].prob * count[k * L + q] / c->servers[k];
      } else {
        w[k * L + routes[r].level] += p * routes[r].prob;
      }
    }
  }
  for (int k = 0; k < K; k++) {
    /* admitted: sent below B; waits: sent to a busy server (q >= 1) */
    double adm = 0, wait = 0;
    for (int q = 0; q < B; q++) {
      adm += w[k * L + q];
      if (q >= 1) wait += w[k * L + q];
    }
    p_wait_type[k] = adm > 0 ? wait / adm : NAN;
  }
cleanup:
  free(count);
  free(rows);
  free(top);
  free(w);
  free(routes);
  return st;
}
