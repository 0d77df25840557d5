/* The sandwich T_LP(x_opt) <= t_opt(m,B) <= E[T] at any scale (include/accq/optimal.h,
 * proofs/optimal-policy.md statement 5). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/measures.h"
#include "accq/optimal.h"

int accq_optimal_sandwich(const accq_model_t *m, int B, const accq_policy_t *pol,
                          const accq_optimal_options_t *opt_in, double tol,
                          accq_optimal_sandwich_t *out, accq_err_t *err) {
  memset(out, 0, sizeof *out);
  out->e_t = out->accuracy = out->loss = out->t_opt = out->t_lp = out->x_opt = NAN;
  out->buffer = B;
  accq_optimal_options_t opt;
  if (opt_in)
    opt = *opt_in;
  else
    accq_optimal_options_init(&opt);
  if (opt.shed)
    return accq_err_set(err, ACCQ_EINVAL, "the sandwich call is for the non-shedding class");
  if (!(tol >= 0)) return accq_err_set(err, ACCQ_EINVAL, "tolerance must be >= 0 (got %g)", tol);
  accq_model_t model = *m;
  int st = accq_lp_model_resolve(&model, err);
  if (st) return st;
  out->scale = model.scale;
  accq_optimal_t *o = NULL;
  st = accq_optimal_solve(&model, B, &opt, &o, err);
  if (st) return st;
  accq_optimal_summary_t s;
  accq_optimal_summary(o, &s);
  accq_optimal_free(o);
  out->states = s.states;
  out->t_opt = s.t_opt;
  out->x_opt = s.throughput / model.scale;
  snprintf(out->method, sizeof out->method, "%s", s.method);
  /* lower side: T_LP at the optimum's admitted rate per unit scale */
  accq_model_t at = model;
  at.lambda_mode = ACCQ_LAMBDA_RATE;
  at.arrival_rate = out->x_opt;
  accq_lp_problem_t p;
  accq_lp_result_t *r = malloc(sizeof *r);
  if (!r) return accq_err_set(err, ACCQ_ENOMEM, "no memory for the LP bound");
  st = accq_lp_problem_from_model(&p, &at, 0);
  if (!st) st = accq_lp_solve(&p, r, err);
  if (!st && r->status != ACCQ_LP_OPTIMAL)
    st = accq_err_set(err, ACCQ_ENUMERIC, "the LP bound at the optimum's admitted rate %g is "
                      "not optimal (status %d)", out->x_opt, (int)r->status);
  if (!st) out->t_lp = r->t_lp;
  free(r);
  if (st) return st;
  out->holds = out->t_lp <= out->t_opt * (1 + tol);
  if (!pol) {
    snprintf(out->reason, sizeof out->reason, "no policy given");
    return ACCQ_SUCCESS;
  }
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = B;
  accq_analysis_t a;
  st = accq_analyze(&model, pol, &ao, &a, err);
  if (st) return st;
  out->e_t = a.m.mean_response_time;
  out->accuracy = a.m.accuracy;
  out->loss = a.m.loss_probability;
  if (out->accuracy < model.accuracy_target - 1e-9)
    snprintf(out->reason, sizeof out->reason, "accuracy %.9g below a* = %g at this buffer",
             out->accuracy, model.accuracy_target);
  else if (out->loss > ACCQ_OPTIMAL_LOSS_TOL)
    snprintf(out->reason, sizeof out->reason, "loss %.3g > %g: the policy sheds jobs, compare "
             "with the shedding optimum", out->loss, ACCQ_OPTIMAL_LOSS_TOL);
  else
    out->compared = 1;
  if (out->compared) out->holds = out->holds && out->t_opt <= out->e_t * (1 + tol);
  return ACCQ_SUCCESS;
}
