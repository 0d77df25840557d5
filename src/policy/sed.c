/* sed of docs/policies.md: smallest expected delay (q + 1)/mu_k over the
 * (k, q) present; ties uniform over servers. */
#include "policy/policy_internal.h"

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  return ACCQ_SUCCESS;
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = accq_i_policy_rule_sed(p, occ, &b);
  *nroutes = b.n;
  return st;
}

const accq_policy_type_t accq_i_policy_sed = {
    .name = "sed",
    .summary = "smallest expected delay: minimize (q + 1)/mu_k over the (k, q) present, ties "
               "uniform",
    .sheds = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = accq_i_policy_routes_default,
    .uses_type = accq_i_policy_uses_all,
};
