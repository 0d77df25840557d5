/* The measures both the simulator and the chains give, by index: names,
 * definitions, bounds, and where each is found in a simulation result and in
 * the chain's measures (accq/check.h). */
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

int accq_check_measure_count(int ntypes) { return M_SCALARS + 2 * ntypes; }

const char *accq_check_measure_name(const accq_model_t *m, int i, char *buf, int size) {
  if (i < 0 || i >= accq_check_measure_count(m->ntypes))
    snprintf(buf, (size_t)size, "?");
  else if (i < M_SCALARS)
    snprintf(buf, (size_t)size, "%s", scalar_names[i]);
  else if (i < M_SCALARS + m->ntypes)
    snprintf(buf, (size_t)size, "utilization.%s", m->types[i - M_SCALARS].name);
  else
    snprintf(buf, (size_t)size, "throughput.%s", m->types[i - M_SCALARS - m->ntypes].name);
  return buf;
}

int accq_check_measure_index(const accq_model_t *m, const char *name) {
  char buf[ACCQ_NAME_MAX + 32];
  int n = accq_check_measure_count(m->ntypes);
  for (int i = 0; i < n; i++)
    if (!strcmp(name, accq_check_measure_name(m, i, buf, (int)sizeof buf))) return i;
  return -1;
}

const char *accq_check_measure_definition(const accq_model_t *m, int i) {
  if (i < 0 || i >= accq_check_measure_count(m->ntypes)) return "?";
  if (i < M_SCALARS) return scalar_defs[i];
  if (i < M_SCALARS + m->ntypes)
    return "U_k = E[busy servers of type k] / N_k: utilization of type k";
  return "X_k: rate of admitted jobs sent to type k (jobs per unit time, whole system)";
}

void accq_check_measure_bounds(const accq_model_t *m, int i, double *lo, double *hi) {
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

accq_estimate_t accq_check_measure_estimate(const accq_sim_result_t *r, int i) {
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

double accq_check_measure_exact(const accq_measures_t *x, int ntypes, int i) {
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

int accq_check_measure_is_percentile(int i) { return i >= M_P50 && i <= M_P99; }
