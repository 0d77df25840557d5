/* Exact level distributions of a chain (accq/check.h): what golden files
 * carry to tell dispatch rules apart. */
#include <math.h>
#include <stdlib.h>

#include "accq/check.h"

/* ---- exact level distributions ---- */

int accq_check_exact_levels(const accq_chain_t *c, const accq_policy_t *pol, const double *pi,
                            double *level, double *p_wait_type, accq_err_t *err) {
  const int K = c->model.ntypes, B = c->buffer, L = B + 1;
  int st = ACCQ_SUCCESS;
  int *count = malloc((size_t)K * (size_t)L * sizeof *count);
  const int **rows = malloc((size_t)K * sizeof *rows);
  int *top = malloc((size_t)K * sizeof *top);
  double *w = calloc((size_t)K * (size_t)L, sizeof *w); /* arrival weight per (k, q) */
  accq_route_t *routes = NULL;
  int cap = 0;
  if (!count || !rows || !top || !w) {
    st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for the level distributions");
    goto cleanup;
  }
  for (int i = 0; i < K * L; i++) level[i] = 0;
  double total = 0;
  for (int64_t s = 0; s < c->nstates; s++) total += pi[s];
  if (!(total > 0)) {
    st = accq_err_set(err, ACCQ_ENUMERIC, "stationary distribution sums to %g", total);
    goto cleanup;
  }
  for (int k = 0; k < K; k++) rows[k] = count + (size_t)k * L;
  for (int64_t s = 0; s < c->nstates; s++) {
    double p = pi[s] / total;
    if (p == 0) continue;
    accq_chain_state_counts(c, s, count);
    for (int k = 0; k < K; k++) {
      top[k] = 0;
      for (int q = 0; q < L; q++) {
        level[k * L + q] += p * count[k * L + q] / c->servers[k];
        if (count[k * L + q]) top[k] = q;
      }
    }
    accq_occ_t occ = {K, c->servers, rows, top, B};
    int need = accq_policy_max_routes(pol, &occ);
    if (need > cap) {
      accq_route_t *r2 = realloc(routes, (size_t)need * sizeof *r2);
      if (!r2) {
        st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for dispatch routes");
        goto cleanup;
      }
      routes = r2;
      cap = need;
    }
    int nr = 0;
    if ((st = accq_policy_dispatch(pol, &occ, routes, cap, &nr)) != 0) {
      accq_err_set(err, st, "dispatch failed in state %lld", (long long)s);
      goto cleanup;
    }
    for (int r = 0; r < nr; r++) {
      int k = routes[r].type;
      if (routes[r].level == ACCQ_LEVEL_ANY) {
        for (int q = 0; q < L; q++)
          w[k * L + q] += p * routes[r].prob * count[k * L + q] / c->servers[k];
      } else {
        w[k * L + routes[r].level] += p * routes[r].prob;
      }
    }
  }
  for (int k = 0; k < K; k++) {
    /* admitted: sent below B; waits: sent to a busy server (q >= 1) */
    double adm = 0, wait = 0;
    for (int q = 0; q < B; q++) {
      adm += w[k * L + q];
      if (q >= 1) wait += w[k * L + q];
    }
    p_wait_type[k] = adm > 0 ? wait / adm : NAN;
  }
cleanup:
  free(count);
  free(rows);
  free(top);
  free(w);
  free(routes);
  return st;
}
