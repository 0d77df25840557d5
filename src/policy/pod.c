/* pod, pod:D of docs/policies.md: power of D choices (default 2), D servers
 * sampled uniformly with replacement, join the one with the fewest jobs. */
#include "policy/policy_internal.h"

#include <math.h>
#include <stdio.h>

static int init(accq_policy_t *p, const char *spec, const accq_model_t *m,
                const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  if (has_arg) {
    if (arg != floor(arg) || arg < 1 || arg > 1e6)
      return accq_err_set(err, ACCQ_EUSAGE, "policy '%s': D must be an integer >= 1 (got %g)",
                          spec, arg);
    p->d = (int)arg;
  }
  if (p->d < 1)
    return accq_err_set(err, ACCQ_EUSAGE, "policy '%s': D must be >= 1 (got %d)", spec, p->d);
  snprintf(p->name, sizeof p->name, "pod:%d", p->d);
  return ACCQ_SUCCESS;
}

/* The sampled minimum is at level q with probability
 * (N_{>=q}/N)^D - (N_{>=q+1}/N)^D (D draws with replacement), and the chosen
 * server is then uniform among the servers at level q, i.e. type k with
 * probability c_k[q] / C[q]. */
static int rule_pod(const accq_policy_t *p, const accq_occ_t *occ, accq_i_route_buf_t *b) {
  int top = 0, st = 0;
  double n = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    n += occ->servers[k];
    if (occ->top[k] > top) top = occ->top[k];
  }
  double above = n; /* N_{>=q} */
  for (int q = 0; q <= top && above > 0 && !st; q++) {
    double atq = 0;
    for (int k = 0; k < occ->ntypes; k++)
      if (q <= occ->top[k]) atq += occ->count[k][q];
    if (atq <= 0) continue;
    double next = above - atq;
    double pq = pow(above / n, p->d) - pow(next / n, p->d);
    for (int k = 0; k < occ->ntypes && !st; k++)
      if (q <= occ->top[k] && occ->count[k][q] > 0)
        st = accq_i_policy_emit(b, k, q, pq * occ->count[k][q] / atq);
    above = next;
  }
  return st;
}

static int dispatch(const accq_policy_t *p, const accq_occ_t *occ, accq_route_t *routes, int cap,
                    int *nroutes) {
  accq_i_route_buf_t b = {routes, cap, 0};
  int st = rule_pod(p, occ, &b);
  *nroutes = b.n;
  return st;
}

static int max_routes(const accq_policy_t *p, const accq_occ_t *occ) {
  int n = 2 * occ->ntypes + 2;
  for (int k = 0; k < occ->ntypes; k++) n += occ->top[k] + 1;
  return n;
}

const accq_policy_type_t accq_i_policy_pod = {
    .name = "pod",
    .arg = "D",
    .default_spec = "pod:2",
    .summary = "power of D choices (default 2): sample D servers with replacement, join the "
               "one with the fewest jobs, ties uniform",
    .sheds = 1,
    .init = init,
    .dispatch = dispatch,
    .max_routes = max_routes,
    .uses_type = accq_i_policy_uses_all,
};
