/* pop: POP of docs/policies.md, prioritize the ordered pairs of docs/lp.md.
 * The first pair (in priority order) whose types have idle servers takes the
 * job (h with probability w, l with 1 - w); else the pair minimizing the
 * expected delay w (qmin_h + 1)/mu_h + (1 - w)(qmin_l + 1)/mu_l (ties keep the
 * earlier pair).  POP never reads Lambda. */
#include "policy/policy_internal.h"

#include <math.h>

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  /* The pairs depend only on rates, accuracies and a*: build the LP problem
   * from a copy whose arrival rate is a fixed placeholder, so POP provably
   * never sees the model's Lambda. */
  accq_model_t blind = *m;
  accq_lp_problem_t prob;
  blind.lambda_mode = ACCQ_LAMBDA_RATE;
  blind.arrival_rate = 1.0;
  int st = accq_lp_problem_from_model(&prob, &blind, 0.0);
  if (st) return accq_err_set(err, st, "policy '%s': cannot form the pairs", spec);
  p->npairs = accq_lp_pairs(&prob, p->pairs);
  if (p->npairs <= 0)
    return accq_err_set(err, ACCQ_EACCINFEAS,
                        "policy '%s': no type reaches the accuracy target a* = %g", spec,
                        m->accuracy_target);
  return ACCQ_SUCCESS;
}

static int rule_pop(const accq_policy_t *p, const accq_occ_t *occ, accq_i_route_buf_t *b) {
  int qmin[ACCQ_MAX_TYPES];
  int st = 0;
  for (int i = 0; i < p->npairs; i++) {
    const accq_pair_t *pr = &p->pairs[i];
    if (occ->count[pr->h][0] <= 0) continue;
    if (pr->l >= 0 && pr->w < 1 && occ->count[pr->l][0] <= 0) continue;
    st = accq_i_policy_emit(b, pr->h, 0, pr->w);
    if (!st && pr->l >= 0) st = accq_i_policy_emit(b, pr->l, 0, 1 - pr->w);
    return st;
  }
  for (int k = 0; k < occ->ntypes; k++) qmin[k] = accq_i_policy_qmin(occ, k);
  int best = -1;
  double best_score = INFINITY;
  for (int i = 0; i < p->npairs; i++) {
    const accq_pair_t *pr = &p->pairs[i];
    double s = pr->w * (qmin[pr->h] + 1) / p->mu[pr->h];
    if (pr->l >= 0) s += (1 - pr->w) * (qmin[pr->l] + 1) / p->mu[pr->l];
    /* strictly better beyond the tie tolerance: ties keep the earlier pair */
    if (best < 0 || accq_i_policy_score_less(s, best_score)) {
      best = i;
      best_score = s;
    }
  }
  const accq_pair_t *pr = &p->pairs[best];
  st = accq_i_policy_emit(b, pr->h, qmin[pr->h], pr->w);
  if (!st && pr->l >= 0) st = accq_i_policy_emit(b, pr->l, qmin[pr->l], 1 - pr->w);
  return st;
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = rule_pop(p, occ, &b);
  *nroutes = b.n;
  return st;
}

static int uses_type(const accq_policy_t *p, int k) {
  /* rule_pop emits (h, w) and (l, 1 - w) only, and emit() drops zero
   * probabilities */
  for (int i = 0; i < p->npairs; i++) {
    const accq_pair_t *pr = &p->pairs[i];
    if (pr->h == k && pr->w > 0) return 1;
    if (pr->l == k && pr->l >= 0 && 1 - pr->w > 0) return 1;
  }
  return 0;
}

const accq_policy_type_t accq_i_policy_pop = {
    .name = "pop",
    .summary = "POP: the first ordered pair (priority order) with idle servers, h with "
               "probability w, else l; fallback: the pair of least expected delay",
    .meets_target = 1,
    .sheds = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = accq_i_policy_routes_default,
    .uses_type = uses_type,
};
