/* Helpers shared by the built-in rules of docs/policies.md.
 *
 * Every rule reads only the per-type occupancy count[k][q] and the policy's own
 * constants (rates, accuracies, pairs, LP split).  Scores that differ by at most
 * 1e-12 relative are ties.  Routes with level ACCQ_LEVEL_ANY stand for "a
 * uniformly random server of type k" so that the simulator stays O(1) per
 * arrival while the chain expands them per level.
 */
#include "policy/policy_internal.h"

#include <math.h>
#include <stdlib.h>

/* a is strictly less than b beyond the tie tolerance. */
int accq_i_policy_score_less(double a, double b) {
  return a < b && (b - a) > ACCQ_TIE_REL * fmax(fabs(a), fabs(b));
}

int accq_i_policy_emit(accq_i_route_buf_t *b, int type, int level, double prob) {
  if (!(prob > 0)) return ACCQ_SUCCESS;
  if (b->n >= b->cap) return ACCQ_ERANGE;
  b->r[b->n].type = type;
  b->r[b->n].level = level;
  b->r[b->n].prob = prob;
  b->n++;
  return ACCQ_SUCCESS;
}

int accq_i_policy_qmin(const accq_occ_t *occ, int k) {
  for (int q = 0; q <= occ->top[k]; q++)
    if (occ->count[k][q] > 0) return q;
  return occ->top[k]; /* unreachable for servers[k] >= 1 */
}

int accq_i_policy_rule_jiq(const accq_occ_t *occ, const int *mask, accq_i_route_buf_t *b) {
  double idle = 0, all = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    if (mask && !mask[k]) continue;
    idle += occ->count[k][0];
    all += occ->servers[k];
  }
  for (int k = 0; k < occ->ntypes && !st; k++) {
    if (mask && !mask[k]) continue;
    if (idle > 0)
      st = accq_i_policy_emit(b, k, 0, occ->count[k][0] / idle);
    else
      st = accq_i_policy_emit(b, k, ACCQ_LEVEL_ANY, occ->servers[k] / all);
  }
  return st;
}

int accq_i_policy_rule_sed(const accq_policy_t *p, const accq_occ_t *occ, accq_i_route_buf_t *b) {
  int qmin[ACCQ_MAX_TYPES];
  double best = INFINITY, tied = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    qmin[k] = accq_i_policy_qmin(occ, k);
    double s = (qmin[k] + 1) / p->mu[k];
    if (s < best) best = s;
  }
  for (int k = 0; k < occ->ntypes; k++)
    if (!accq_i_policy_score_less(best, (qmin[k] + 1) / p->mu[k])) tied += occ->count[k][qmin[k]];
  for (int k = 0; k < occ->ntypes && !st; k++)
    if (!accq_i_policy_score_less(best, (qmin[k] + 1) / p->mu[k]))
      st = accq_i_policy_emit(b, k, qmin[k], occ->count[k][qmin[k]] / tied);
  return st;
}

int accq_i_policy_rule_split(const accq_policy_t *p, const accq_occ_t *occ, int join_idle,
                             accq_i_route_buf_t *b) {
  int st = 0;
  for (int k = 0; k < occ->ntypes && !st; k++) {
    if (!(p->split[k] > 0)) continue;
    if (join_idle && occ->count[k][0] > 0)
      st = accq_i_policy_emit(b, k, 0, p->split[k]);
    else
      st = accq_i_policy_emit(b, k, ACCQ_LEVEL_ANY, p->split[k]);
  }
  return st;
}

int accq_i_policy_routes_default(const accq_policy_t *p, const accq_occ_t *occ) {
  return 2 * occ->ntypes + 2;
}

int accq_i_policy_uses_all(const accq_policy_t *p, int k) { return 1; }

int accq_i_policy_uses_split(const accq_policy_t *p, int k) { return p->split[k] > 0; }

/* Solves the LP at the model's arrival rate and stores the split.  With
 * refuse_saturation (rjiq) and no finite buffer, a split that saturates a type
 * is ACCQ_EUNSTABLE. */
static int split_from_lp(accq_policy_t *p, const accq_model_t *m, const accq_lp_problem_t *prob,
                         const accq_lp_result_t *res, int refuse, accq_err_t *err) {
  p->has_split = 1;
  for (int k = 0; k < m->ntypes; k++) p->split[k] = res->x[k] / prob->lambda;
  /* Renormalize the rounding of the LP solution so the split sums to 1. */
  double sum = 0;
  for (int k = 0; k < m->ntypes; k++) {
    if (p->split[k] < 0) p->split[k] = 0;
    sum += p->split[k];
  }
  if (!(sum > 0))
    return accq_err_set(err, ACCQ_ENUMERIC, "policy '%s': LP split sums to %g", p->name, sum);
  for (int k = 0; k < m->ntypes; k++) p->split[k] /= sum;
  p->saturated = -1;
  for (int k = 0; k < m->ntypes && p->saturated < 0; k++) {
    double capk = m->types[k].servers * m->types[k].rate;
    if (res->x[k] >= capk * (1 - 1e-12)) p->saturated = k;
  }
  if (refuse && p->saturated >= 0) {
    int k = p->saturated;
    double capk = m->types[k].servers * m->types[k].rate;
    return accq_err_set(err, ACCQ_EUNSTABLE,
                        "policy '%s': the LP split saturates type '%s' (x = %.17g, "
                        "n mu = %.17g: load %.12g on that type); R-JIQ is unstable at "
                        "every size: use a slack, e.g. rjiq:0.05, or an explicit finite "
                        "buffer (a loss system)",
                        p->name, m->types[k].name, res->x[k], capk, res->x[k] / capk);
  }
  return ACCQ_SUCCESS;
}

int accq_i_policy_lp_split(accq_policy_t *p, const accq_model_t *m, double slack,
                           int finite_buffer, int refuse_saturation, accq_err_t *err) {
  accq_lp_problem_t prob;
  accq_lp_result_t *res = NULL;
  int st;
  if (!(m->arrival_rate > 0) || !isfinite(m->arrival_rate))
    return accq_err_set(err, ACCQ_EINVAL,
                        "policy '%s' needs a resolved arrival rate > 0 (got %g)", p->name,
                        m->arrival_rate);
  st = accq_lp_problem_from_model(&prob, m, slack);
  if (st) return accq_err_set(err, st, "policy '%s': bad slack %g", p->name, slack);
  res = malloc(sizeof *res);
  if (!res) return accq_err_set(err, ACCQ_ENOMEM, "policy '%s': out of memory", p->name);
  st = accq_lp_solve(&prob, res, err);
  if (st) goto cleanup;
  if (res->status == ACCQ_LP_ACCURACY_INFEASIBLE) {
    st = accq_err_set(err, ACCQ_EACCINFEAS,
                      "policy '%s': accuracy target a* = %g exceeds every type's accuracy",
                      p->name, m->accuracy_target);
    goto cleanup;
  }
  if (res->status == ACCQ_LP_CAPACITY_INFEASIBLE) {
    st = accq_err_set(err, ACCQ_ECAPINFEAS,
                      "policy '%s': arrival rate %g exceeds Lambda_max(a*) = %g%s",
                      p->name, m->arrival_rate, res->lambda_max,
                      slack > 0 ? " with the slack on the capacities" : "");
    goto cleanup;
  }
  st = split_from_lp(p, m, &prob, res, refuse_saturation && !finite_buffer, err);
cleanup:
  free(res);
  return st;
}
