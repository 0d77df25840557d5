/* jiq of docs/policies.md: a uniformly random idle server if there is one,
 * else a uniformly random server. */
#include "policy/policy_internal.h"

#include <stddef.h>

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  return ACCQ_SUCCESS;
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = accq_i_policy_rule_jiq(occ, NULL, &b);
  *nroutes = b.n;
  return st;
}

const accq_policy_type_t accq_i_policy_jiq = {
    .name = "jiq",
    .summary = "a uniformly random idle server if there is one, else a uniformly random server",
    .sheds = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = accq_i_policy_routes_default,
    .uses_type = accq_i_policy_uses_all,
};
