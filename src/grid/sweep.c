/* Sweeps of one model parameter: parameter names, applying a value, reading a
 * measure by name, and one cell (a policy on one model of the sweep). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/chain.h"
#include "accq/lp.h"
#include "accq/policy.h"
#include "accq/sim.h"
#include "accq/grid.h"
#include "accq/verify.h"
#include "grid/grid_internal.h"
#include "verify/verify_internal.h"

const char *const accq_sweep_measure_names[] = {
    "mean_response_time", "accuracy", "loss_probability", "p_wait", "p50", "p90",
    "p95", "p99", "gap", "boundary_mass", "throughput", "t_lp",
    "utilization.TYPE", "throughput.TYPE", NULL};

/* The parameters are the model module's one table (accq_model_vary_*), the
 * same that `lp --vary` and `limit --vary` take. */
int accq_sweep_param_key(const accq_model_t *m, const char *param, char *key, int size,
                         accq_err_t *err) {
  return accq_model_vary_check(m, param, key, size, err);
}

int accq_sweep_apply(const accq_model_t *m, const char *param, double value,
                     accq_model_t *out, accq_err_t *err) {
  *out = *m;
  int st = accq_model_vary_apply(out, param, value, err);
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

int accq_sweep_measure_check(const accq_model_t *m, const char *name, accq_err_t *err) {
  accq_measures_t dummy;
  memset(&dummy, 0, sizeof dummy);
  double v;
  return accq_sweep_measure(m, &dummy, name, &v, err);
}

const char *accq_sweep_measure_label(const char *measure) {
  static const char *const map[][2] = {
      {"mean_response_time", "E[T]"}, {"loss_probability", "P_loss"}, {"p_wait", "P(W>0)"},
      {"boundary_mass", "boundary"},  {"throughput", "X"},            {"mean_jobs", "L"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(map[i][0], measure)) return map[i][1];
  return measure;
}

const char *accq_sweep_method_label(int simulate, int finite_buffer) {
  if (simulate) return "simulation, infinite buffer, 95% confidence intervals";
  if (finite_buffer) return "exact chains of the model's finite buffer, losses included";
  return "exact chains, infinite buffer: truncation below 1e-9 or no number";
}

static void cell_mark(accq_sweep_cell_t *c, accq_cell_status_t s, const char *reason) {
  c->status = s;
  snprintf(c->reason, sizeof c->reason, "%s", reason && *reason ? reason : accq_cell_status_name(s));
}

void accq_sweep_options_init(accq_sweep_options_t *o) {
  memset(o, 0, sizeof *o);
  accq_chain_options_t co;
  accq_chain_options_init(&co);
  o->max_states = co.max_states; /* one default for every chain command */
  /* Not solve's unbounded auto buffer: a sweep solves many cells, and near
   * capacity an unbounded B grows each cell's chain to the state limit
   * (measured: two-tier, rjiq,pop, load 0.5:0.95:4 ran > 15 min and 5.4 GB
   * with no bound; 80 keeps each cell small and marks the rest truncated) */
  o->max_buffer = 80;
  /* ...but not the product-form policies: their per-type chains grow linearly
   * in B, and 80 left rjiq truncated near capacity where B = 400 costs
   * milliseconds (two-tier, load 0.9: truncated at B = 27 by the cap) */
  o->product_max_buffer = 0;
  o->replications = 10;
  o->jobs = 100000;
  o->seed = 1;
  o->threads = 1;
}

/* A chain with buffer = auto answers the infinite-buffer question only when
 * the truncation is negligible: the boundary mass (an upper bound on the mass
 * the truncation cuts off, and on the accuracy and loss it distorts) at most
 * this, and E[T] settled (accq_analyze's auto_converged). */
#define TRUNCATION_MASS 1e-9

int accq_sweep_eval(const accq_model_t *m, const char *policy, const accq_sweep_options_t *o,
                    accq_sweep_cell_t *cell, accq_err_t *err) {
  memset(cell, 0, sizeof *cell);
  cell->boundary_mass = NAN;
  cell->ci95 = NAN;
  accq_err_t e;
  accq_err_clear(&e);
  accq_model_t mm = *m;
  int st = accq_lp_model_resolve(&mm, &e);
  if (st) {
    if (accq_cell_is_hard_error(st)) return err ? (*err = e, st) : st;
    cell_mark(cell, accq_cell_status_of(st), e.msg);
    return ACCQ_SUCCESS;
  }
  char why[400];
  if ((o->simulate || mm.buffer == 0) && accq_grid_i_beyond_capacity(&mm, why, sizeof why)) {
    cell_mark(cell, ACCQ_CELL_BEYOND_CAPACITY, why);
    return ACCQ_SUCCESS;
  }
  if (!o->simulate && mm.buffer == 0) {
    /* an unstable policy has no infinite-buffer answer: say so rather than
     * grow a chain whose boundary mass never falls (the simulator refuses
     * the same cases by itself) */
    int pst;
    if (accq_grid_i_policy_unstable(&mm, policy, &pst, why, sizeof why)) {
      cell_mark(cell, ACCQ_CELL_UNSTABLE, why);
      return ACCQ_SUCCESS;
    }
    if (pst && accq_cell_is_hard_error(pst)) {
      accq_err_set(err, pst, "%s", why);
      return pst;
    }
  }
  if (o->simulate) {
    accq_verify_sim_t s;
    cell->simulated = 1;
    st = accq_verify_simulate(&mm, policy, o->replications, o->jobs, o->seed, o->threads, &s, &e);
    if (st) {
      if (accq_cell_is_hard_error(st)) return err ? (*err = e, st) : st;
      cell_mark(cell, accq_cell_status_of(st), e.msg);
      return ACCQ_SUCCESS;
    }
    cell->m = s.m;
    cell->ci95 = s.ci95;
    for (int w = 0; w < s.nwarnings && w < ACCQ_CELL_MAX_WARNINGS; w++)
      snprintf(cell->warnings[cell->nwarnings++], ACCQ_CELL_WARNING_MAX, "%s", s.warnings[w]);
    return ACCQ_SUCCESS;
  }
  accq_analysis_t an;
  memset(&an, 0, sizeof an); /* a refused policy returns before accq_analyze fills it */
  int max_buffer = accq_grid_i_product_form(&mm, policy) ? o->product_max_buffer : o->max_buffer;
  st = accq_i_chain(&mm, policy, mm.buffer, 0, o->max_states, max_buffer, ACCQ_I_SOLVER, 0, &an,
                    &e);
  cell->buffer = an.buffer;
  cell->states = an.states;
  if (st == ACCQ_ENOCONV && an.verdict == ACCQ_ANALYSIS_TRUNCATED) {
    /* buffer = auto stopped short: a best estimate of a truncated chain, not
     * the infinite-buffer answer */
    cell->boundary_mass = an.m.boundary_mass;
    cell_mark(cell, ACCQ_CELL_TRUNCATED, an.reason[0] ? an.reason : e.msg);
    return ACCQ_SUCCESS;
  }
  if (st) {
    if (accq_cell_is_hard_error(st)) return err ? (*err = e, st) : st;
    /* ENOCONV (a solve or a percentile) comes with a best estimate: not an
     * answer, so not shown */
    cell_mark(cell, accq_cell_status_of(st), e.msg);
    return ACCQ_SUCCESS;
  }
  cell->boundary_mass = an.m.boundary_mass;
  cell->finite_buffer = an.verdict == ACCQ_ANALYSIS_FINITE_BUFFER;
  if (!cell->finite_buffer && (an.verdict != ACCQ_ANALYSIS_CONVERGED || !an.auto_converged ||
                               !(an.m.boundary_mass <= TRUNCATION_MASS))) {
    /* belt and braces: accq_analyze says converged only at its own targets */
    if (an.warning[0])
      snprintf(why, sizeof why, "%s", an.warning);
    else
      snprintf(why, sizeof why, "boundary mass %.3g at B=%d (> %.0e): the truncated chain is not "
                                "the infinite-buffer system",
               an.m.boundary_mass, an.buffer, TRUNCATION_MASS);
    cell_mark(cell, ACCQ_CELL_TRUNCATED, why);
    return ACCQ_SUCCESS;
  }
  cell->m = an.m;
  cell->ci95 = 0;
  /* the bound at the admitted rate (a finite buffer admits X < Lambda) */
  cell->m.t_lp = accq_i_t_lp_at(&mm, an.m.throughput_total / mm.scale);
  cell->m.gap = cell->m.mean_response_time / cell->m.t_lp - 1.0;
  return ACCQ_SUCCESS;
}
