/* Cost of the measures pass (docs/measures.md) on a large lumped chain: one dispatch per
 * state, the Erlang-mixture percentiles and the tail quadrature.
 * usage: bench_measures [MODEL [POLICY [B]]]  (default models/llm-three-tier.ini pop 30,
 * run from the source tree) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "accq/accq.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "models/llm-three-tier.ini";
  const char *name = argc > 2 ? argv[2] : "pop";
  int B = argc > 3 ? atoi(argv[3]) : 30;
  accq_model_t m;
  accq_err_t err;
  accq_policy_t *pol = NULL;
  accq_chain_t *c = NULL;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  if (accq_model_load(&m, path, NULL, 0, &err) || accq_lp_model_resolve(&m, &err) ||
      accq_policy_alloc(&pol, name, &m, &po, &err)) {
    fprintf(stderr, "bench_measures: %s\n", err.msg);
    return 2;
  }
  accq_chain_options_t co;
  accq_chain_options_init(&co);
  double t0 = now();
  if (accq_chain_build(&c, &m, pol, B, &co, &err)) {
    fprintf(stderr, "bench_measures: %s\n", err.msg);
    return 3;
  }
  double t1 = now();
  double *pi = malloc(sizeof *pi * (size_t)c->nstates);
  accq_stationary_options_t so;
  accq_stationary_options_init(&so);
  accq_stationary_stats_t st;
  int rc = accq_stationary_solve(&c->Q, &so, pi, &st, &err);
  double t2 = now();
  accq_measures_t ms;
  int mrc = accq_measures_compute(c, pol, pi, &ms, &err);
  double t3 = now();
  printf("%s %s B=%d states=%lld build=%.2fs solve=%.2fs (%s, rc %d, residual %.2g) "
         "measures=%.3fs (rc %d) E[T]=%.12g little=%.2g flow=%.2g\n",
         m.name, name, B, (long long)c->nstates, t1 - t0, t2 - t1, st.name, rc, st.residual,
         t3 - t2, mrc, ms.mean_response_time, ms.little_tail_error, ms.flow_balance_error);
  free(pi);
  accq_chain_free(c);
  accq_policy_free(pol);
  return rc || mrc;
}
