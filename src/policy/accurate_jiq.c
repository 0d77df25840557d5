/* accurate-jiq of docs/policies.md: JIQ restricted to the servers of H
 * (types with a_k >= a*). */
#include "policy/policy_internal.h"

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  int any = 0;
  for (int k = 0; k < m->ntypes; k++) any |= p->in_h[k];
  if (!any)
    return accq_err_set(err, ACCQ_EACCINFEAS,
                        "policy '%s': no type reaches the accuracy target a* = %g", spec,
                        m->accuracy_target);
  return ACCQ_SUCCESS;
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = accq_i_policy_rule_jiq(occ, p->in_h, &b);
  *nroutes = b.n;
  return st;
}

static int uses_type(const accq_policy_t *p, int k) { return p->in_h[k]; }

const accq_policy_type_t accq_i_policy_accurate_jiq = {
    .name = "accurate-jiq",
    .summary = "join-the-idle-queue restricted to the servers of H (types with a_k >= a*)",
    .meets_target = 1,
    .sheds = 1,
    .accurate_only = 1,
    .count_exact = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = accq_i_policy_routes_default,
    .uses_type = uses_type,
};
