/* random-lp of docs/policies.md: draw type k with the LP split p_k, then a
 * uniformly random type-k server (a Bernoulli split: independent M/M/1(/B)). */
#include "policy/policy_internal.h"

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  return accq_i_policy_lp_split(p, m, 0.0, opt->finite_buffer, 0, err);
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = accq_i_policy_rule_split(p, occ, 0, &b);
  *nroutes = b.n;
  return st;
}

const accq_policy_type_t accq_i_policy_random_lp = {
    .name = "random-lp",
    .summary = "draw type k with the LP split p_k, then a uniformly random type-k server",
    .knows_lambda = 1,
    .meets_target = 1,
    .sheds = 1,
    .count_exact = 1,
    .product_form = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = accq_i_policy_routes_default,
    .uses_type = accq_i_policy_uses_split,
};
