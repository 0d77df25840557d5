/* rjiq, rjiq:E: R-JIQ of docs/policies.md.  Draw type k with the LP split p_k
 * (solved with capacities (1 - E) n_k mu_k), join an idle type-k server if
 * there is one, else a uniformly random type-k server. */
#include "policy/policy_internal.h"

#include <stdio.h>

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  if (has_arg) p->slack = arg;
  if (!(p->slack >= 0 && p->slack < 1))
    return accq_err_set(err, ACCQ_EUSAGE, "policy '%s': slack must be in [0,1) (got %g)", spec,
                        p->slack);
  if (p->slack > 0)
    snprintf(p->name, sizeof p->name, "rjiq:%g", p->slack);
  else
    snprintf(p->name, sizeof p->name, "rjiq");
  return accq_i_policy_lp_split(p, m, p->slack, opt->finite_buffer, 1, err);
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = accq_i_policy_rule_split(p, occ, 1, &b);
  *nroutes = b.n;
  return st;
}

const accq_policy_type_t accq_i_policy_rjiq = {
    .name = "rjiq",
    .arg = "E",
    .summary = "R-JIQ: draw type k with the LP split p_k, join an idle type-k server, else a "
               "random one (rjiq:E: LP with capacities (1-E) n_k mu_k)",
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
