/* jsq of docs/policies.md: uniformly among all servers at the smallest level. */
#include "policy/policy_internal.h"

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  return ACCQ_SUCCESS;
}

static int rule_jsq(const accq_occ_t *occ, accq_i_route_buf_t *b) {
  int qbest = -1;
  double tied = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    int q = accq_i_policy_qmin(occ, k);
    if (qbest < 0 || q < qbest) qbest = q;
  }
  for (int k = 0; k < occ->ntypes; k++)
    if (qbest <= occ->top[k]) tied += occ->count[k][qbest];
  for (int k = 0; k < occ->ntypes && !st; k++)
    if (qbest <= occ->top[k] && occ->count[k][qbest] > 0)
      st = accq_i_policy_emit(b, k, qbest, occ->count[k][qbest] / tied);
  return st;
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = rule_jsq(occ, &b);
  *nroutes = b.n;
  return st;
}

const accq_policy_type_t accq_i_policy_jsq = {
    .name = "jsq",
    .summary = "join the shortest queue: uniformly among all servers at the smallest level",
    .count_exact = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = accq_i_policy_routes_default,
    .uses_type = accq_i_policy_uses_all,
};
