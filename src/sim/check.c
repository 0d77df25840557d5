/* Measures shared by the simulator and the chain, and the statistics that
 * compare them (crosscheck, check-sim): two-sided t tests with Holm's
 * step-down correction for the family-wise error. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/sim.h"

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

/* Two-sided p-value of one comparison (fills z). */
static double p_value(accq_sim_check_t *c) {
  double d = c->mean - c->exact;
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
