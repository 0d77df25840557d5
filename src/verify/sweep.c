/* Sweeps of one model parameter: parameter names, applying a value, and
 * reading a measure by name. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/verify.h"
#include "verify/verify_internal.h"

const char *const accq_sweep_measure_names[] = {
    "mean_response_time", "accuracy", "loss_probability", "p_wait", "p50", "p90",
    "p95", "p99", "gap", "boundary_mass", "throughput", "t_lp",
    "utilization.TYPE", "throughput.TYPE", NULL};

int accq_sweep_param_key(const accq_model_t *m, const char *param, char *key, int size,
                         accq_err_t *err) {
  if (!strcmp(param, "lambda") || !strcmp(param, "arrival_rate") ||
      !strcmp(param, "system.arrival_rate")) {
    snprintf(key, (size_t)size, "system.arrival_rate");
    return ACCQ_SUCCESS;
  }
  if (!strcmp(param, "load") || !strcmp(param, "system.load")) {
    snprintf(key, (size_t)size, "system.load");
    return ACCQ_SUCCESS;
  }
  if (!strcmp(param, "accuracy_target") || !strcmp(param, "system.accuracy_target")) {
    snprintf(key, (size_t)size, "system.accuracy_target");
    return ACCQ_SUCCESS;
  }
  if (!strncmp(param, "type.", 5)) {
    const char *name = param + 5;
    const char *dot = strrchr(name, '.');
    if (dot && dot > name) {
      char tname[ACCQ_NAME_MAX];
      snprintf(tname, sizeof tname, "%.*s", (int)(dot - name), name);
      const char *field = dot + 1;
      if (accq_model_type_index(m, tname) < 0)
        return accq_err_set(err, ACCQ_EUSAGE, "--vary %s: the model has no type '%s'",
                            param, tname);
      if (!strcmp(field, "servers") || !strcmp(field, "rate") || !strcmp(field, "accuracy")) {
        snprintf(key, (size_t)size, "%s", param);
        return ACCQ_SUCCESS;
      }
    }
  }
  return accq_err_set(err, ACCQ_EUSAGE,
                      "--vary: unknown parameter '%s' (valid: lambda, load, accuracy_target, "
                      "type.NAME.servers, type.NAME.rate, type.NAME.accuracy)",
                      param);
}

int accq_sweep_apply(const accq_model_t *m, const char *param, double value,
                     accq_model_t *out, accq_err_t *err) {
  char key[ACCQ_NAME_MAX + 32], assign[ACCQ_NAME_MAX + 96];
  int st = accq_sweep_param_key(m, param, key, sizeof key, err);
  if (st) return st;
  *out = *m;
  if (strstr(key, ".servers")) {
    if (value != floor(value) || value < 1)
      return accq_err_set(err, ACCQ_EUSAGE, "--vary %s: servers must be integers >= 1 (got %g)",
                          param, value);
    snprintf(assign, sizeof assign, "%s=%.0f", key, value);
  } else {
    snprintf(assign, sizeof assign, "%s=%.17g", key, value);
  }
  st = accq_model_set(out, assign, err);
  if (st) return st;
  return accq_lp_model_resolve(out, err);
}

int accq_sweep_measure(const accq_model_t *m, const accq_measures_t *ms, const char *name,
                       double *value, accq_err_t *err) {
  struct {
    const char *name;
    double v;
  } plain[] = {{"mean_response_time", ms->mean_response_time},
               {"accuracy", ms->accuracy},
               {"loss_probability", ms->loss_probability},
               {"p_wait", ms->p_wait},
               {"p50", ms->p50},
               {"p90", ms->p90},
               {"p95", ms->p95},
               {"p99", ms->p99},
               {"gap", ms->gap},
               {"boundary_mass", ms->boundary_mass},
               {"throughput", ms->throughput_total},
               {"t_lp", ms->t_lp},
               {"mean_jobs", ms->mean_jobs}};
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
    if (!strcmp(name, plain[i].name)) {
      *value = plain[i].v;
      return ACCQ_SUCCESS;
    }
  const char *tname = NULL;
  int util = 0;
  if (!strncmp(name, "utilization.", 12)) {
    tname = name + 12;
    util = 1;
  } else if (!strncmp(name, "throughput.", 11)) {
    tname = name + 11;
  }
  if (tname) {
    int k = accq_model_type_index(m, tname);
    if (k < 0)
      return accq_err_set(err, ACCQ_EUSAGE, "--measure %s: the model has no type '%s'", name,
                          tname);
    *value = util ? ms->utilization[k] : ms->throughput[k];
    return ACCQ_SUCCESS;
  }
  return accq_err_set(err, ACCQ_EUSAGE,
                      "--measure: unknown measure '%s' (valid: mean_response_time, accuracy, "
                      "loss_probability, p_wait, p50, p90, p95, p99, gap, boundary_mass, "
                      "throughput, t_lp, mean_jobs, utilization.TYPE, throughput.TYPE)",
                      name);
}

void accq_sweep_options_init(accq_sweep_options_t *o) {
  memset(o, 0, sizeof *o);
  o->max_states = 200000;
  o->max_buffer = 80;
  o->replications = 10;
  o->jobs = 100000;
  o->seed = 1;
  o->threads = 1;
}

int accq_sweep_eval(const accq_model_t *m, const char *policy, const accq_sweep_options_t *o,
                    accq_measures_t *out, double *ci95, int *buffer, accq_err_t *err) {
  if (o->simulate) {
    accq_verify_sim_t s;
    int st = accq_verify_simulate(m, policy, o->replications, o->jobs, o->seed, o->threads, &s, err);
    if (st) return st;
    *out = s.m;
    *ci95 = s.ci95;
    *buffer = 0;
    return ACCQ_SUCCESS;
  }
  accq_analysis_t an;
  accq_model_t mm = *m;
  int st = accq_lp_model_resolve(&mm, err);
  if (st) return st;
  st = accq_i_chain(&mm, policy, mm.buffer, 0, o->max_states, o->max_buffer, ACCQ_I_SOLVER, 0,
                    &an, err);
  if (st) return st;
  *out = an.m;
  /* the bound at the admitted rate (a finite buffer admits X < Lambda) */
  out->t_lp = accq_i_t_lp_at(&mm, an.m.throughput_total / mm.scale);
  out->gap = out->mean_response_time / out->t_lp - 1.0;
  *ci95 = 0;
  *buffer = an.buffer;
  return ACCQ_SUCCESS;
}
