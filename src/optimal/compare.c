/* A policy against the constrained optimum of a class of rules that contains
 * it (accq optimal's comparison, accq/optimal.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/measures.h"
#include "accq/optimal.h"
#include "accq/policy.h"

static void compared_clear(accq_optimal_compared_t *c, const char *spec) {
  memset(c, 0, sizeof *c);
  snprintf(c->policy, sizeof c->policy, "%s", spec);
  c->mean_response_time = c->accuracy = c->loss_probability = c->t_opt_class = NAN;
  c->t_opt_le_mean = -1;
}

/* The shedding optimum at admitted rate X (one more LP), within the time left. */
static void shedding_optimum(const accq_model_t *m, int buffer, const accq_optimal_options_t *oo,
                             double X, double seconds_left, accq_optimal_compared_t *c) {
  accq_optimal_options_t so = *oo;
  so.max_seconds = seconds_left;
  so.shed = 1;
  so.min_admitted_rate = X * (1 - 1e-12); /* its own rate, to rounding */
  so.progress = NULL;
  so.trace = NULL;
  accq_optimal_t *os = NULL;
  accq_err_t serr;
  accq_err_clear(&serr);
  int sst = ACCQ_ENOCONV;
  if (so.max_seconds > 0)
    sst = accq_optimal_solve(m, buffer, &so, &os, &serr);
  else
    accq_err_set(&serr, ACCQ_ENOCONV, "skipped: the time limit of %g s is used up",
                 oo->max_seconds);
  snprintf(c->class_label, sizeof c->class_label, "shedding, X >= %.6g", X);
  if (sst == ACCQ_SUCCESS) {
    accq_optimal_summary_t ss;
    accq_optimal_summary(os, &ss);
    c->t_opt_class = ss.t_opt;
  } else {
    snprintf(c->reason, sizeof c->reason, "shedding optimum: %s", serr.msg);
  }
  accq_optimal_free(os);
}

int accq_optimal_compare(const accq_model_t *m, int buffer, const accq_optimal_options_t *oo,
                         double t_opt, const char *spec, double seconds_left,
                         accq_optimal_compared_t *c) {
  compared_clear(c, spec);
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = buffer;
  ao.solver.tol = 1e-14; /* the rule leaves states of tiny mass: a looser solve can push them below -1e-15 */
  accq_policy_t *pol = NULL;
  accq_err_t perr;
  accq_err_clear(&perr);
  accq_analysis_t a;
  int pst = accq_policy_alloc(&pol, spec, m, NULL, &perr);
  if (!pst) pst = accq_analyze(m, pol, &ao, &a, &perr);
  accq_policy_free(pol);
  if (pst) {
    c->status = pst;
    snprintf(c->reason, sizeof c->reason, "%s", perr.msg);
    return pst;
  }
  c->mean_response_time = a.m.mean_response_time;
  c->accuracy = a.m.accuracy;
  c->loss_probability = a.m.loss_probability;
  c->meets_target = accq_model_meets_target(m, a.m.accuracy);
  double X = m->scale * m->arrival_rate * (1 - a.m.loss_probability);
  if (!c->meets_target) {
    snprintf(c->class_label, sizeof c->class_label, "-");
    snprintf(c->reason, sizeof c->reason, "misses a* (finite buffer): outside the comparison");
  } else if (!oo->shed && a.m.loss_probability <= ACCQ_OPTIMAL_LOSS_TOL) {
    c->t_opt_class = t_opt;
    snprintf(c->class_label, sizeof c->class_label, "no shedding (loss <= %g)",
             ACCQ_OPTIMAL_LOSS_TOL);
  } else if (oo->shed && oo->min_admitted_rate <= X * (1 + 1e-12)) {
    c->t_opt_class = t_opt;
    snprintf(c->class_label, sizeof c->class_label, "shedding, X >= %.6g", oo->min_admitted_rate);
  } else {
    shedding_optimum(m, buffer, oo, X, seconds_left, c);
  }
  if (!isnan(c->t_opt_class)) {
    c->t_opt_le_mean = c->t_opt_class <= a.m.mean_response_time * (1 + 1e-9);
    if (!c->t_opt_le_mean)
      snprintf(c->reason, sizeof c->reason, "the optimum of its class exceeds its E[T]");
  }
  return ACCQ_SUCCESS;
}
