/* jfiq of docs/policies.md: an idle server of the fastest type that has one
 * (ties uniform over those servers), else as sed. */
#include "policy/policy_internal.h"

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  return ACCQ_SUCCESS;
}

static int rule_jfiq(const accq_policy_t *p, const accq_occ_t *occ, accq_i_route_buf_t *b) {
  double fastest = -1, tied = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++)
    if (occ->count[k][0] > 0 && p->mu[k] > fastest) fastest = p->mu[k];
  if (fastest < 0) return accq_i_policy_rule_sed(p, occ, b);
  for (int k = 0; k < occ->ntypes; k++)
    if (occ->count[k][0] > 0 && !accq_i_policy_score_less(p->mu[k], fastest))
      tied += occ->count[k][0];
  for (int k = 0; k < occ->ntypes && !st; k++)
    if (occ->count[k][0] > 0 && !accq_i_policy_score_less(p->mu[k], fastest))
      st = accq_i_policy_emit(b, k, 0, occ->count[k][0] / tied);
  return st;
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = rule_jfiq(p, occ, &b);
  *nroutes = b.n;
  return st;
}

const accq_policy_type_t accq_i_policy_jfiq = {
    .name = "jfiq",
    .summary = "join the fastest idle queue (ties uniform), else as sed",
    .sheds = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = accq_i_policy_routes_default,
    .uses_type = accq_i_policy_uses_all,
};
