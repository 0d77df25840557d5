/* Benchmark of the lumped chain construction (no solve): states/s, transitions,
 * memory.  Usage:
 *   bench_chain                      the default ladder (3e5 to 2e7 states)
 *   bench_chain N_FAST N_SLOW B [POLICY] [LOAD] [SOLVER]
 *   bench_chain --product N_FAST N_SLOW B [LOAD]
 *                                    rjiq and random-lp at buffer B (0 = auto):
 *                                    accq_analyze by the product form against the
 *                                    joint lumped chain, same run, and the
 *                                    largest relative difference of E[T]
 * With SOLVER (auto, sor, gmres, power, ...) the chain is also solved to 1e-12
 * (the solve module's solver) and the solve time is reported.
 * Model: two types, fast (mu 3, a 0.5) and slow (mu 1, a 0.8), a* = 0.6,
 * Lambda = LOAD * Lambda_max(a*) (default 0.8), one unit of scale. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <math.h>

#include "accq/chain.h"
#include "accq/measures.h"
#include "accq/lp.h"
#include "accq/policy.h"
#include "accq/stationary.h"
#include "bench_common.h"


static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + 1e-6 * ru.ru_utime.tv_usec + ru.ru_stime.tv_sec +
         1e-6 * ru.ru_stime.tv_usec;
}

static int run(int n_fast, int n_slow, int B, const char *policy, double load,
               const char *solver) {
  accq_model_t m = bench_model(n_fast, n_slow, load);
  accq_policy_t *p = NULL;
  accq_chain_t *c = NULL;
  accq_err_t err;
  accq_chain_options_t opt;
  accq_chain_options_init(&opt);
  opt.max_states = 2000000000;
  if (accq_policy_alloc(&p, policy, &m, NULL, &err)) {
    fprintf(stderr, "policy: %s\n", err.msg);
    return 1;
  }
  double cpu0 = cpu_seconds();
  int st = accq_chain_build(&c, &m, p, B, &opt, &err);
  if (st) {
    fprintf(stderr, "build: %s\n", err.msg);
    accq_policy_free(p);
    return 1;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  /* CPU seconds of the build (user + system), robust to a loaded machine */
  double cpu = cpu_seconds() - cpu0;
  printf("%-8s N=(%d,%d) B=%-3d product %12llu reachable %11lld nnz %12lld  wall %7.3f s  "
         "cpu %7.3f s  %6.2f Mstates/s (cpu)  %7.3f GiB chain  maxrss %.3f GiB\n",
         accq_policy_name(p), n_fast, n_slow, B, (unsigned long long)c->product_states,
         (long long)c->nstates, (long long)c->Q.nnz, c->build_seconds, cpu,
         c->nstates / cpu / 1e6, c->bytes / (1024.0 * 1024 * 1024),
         ru.ru_maxrss / (1024.0 * 1024));
  fflush(stdout);
  if (solver) {
    accq_stationary_options_t sopt;
    accq_stationary_stats_t stats;
    accq_stationary_options_init(&sopt);
    double *pi = malloc((size_t)c->nstates * sizeof *pi);
    if (!pi || accq_solver_from_name(solver, &sopt.solver, &err) ||
        accq_stationary_solve(&c->Q, &sopt, pi, &stats, &err)) {
      fprintf(stderr, "solve: %s\n", err.msg);
    } else {
      printf("  solve %-10s iterations %ld residual %.3g  %.3f s  (build + solve %.3f s wall)\n",
             stats.name, stats.iterations, stats.residual, stats.seconds,
             c->build_seconds + stats.seconds);
    }
    free(pi);
  }
  accq_chain_free(c);
  accq_policy_free(p);
  return 0;
}

/* Product form against the joint chain (accq_analyze with product_form 1 / 0). */
static int run_product(int n_fast, int n_slow, int B, double load) {
  accq_model_t m = bench_model(n_fast, n_slow, load);
  const char *names[] = {"rjiq", "random-lp"};
  for (int i = 0; i < 2; i++) {
    accq_policy_t *p = NULL;
    accq_err_t err;
    if (accq_policy_alloc(&p, names[i], &m, NULL, &err)) {
      fprintf(stderr, "policy: %s\n", err.msg);
      return 1;
    }
    double et[2] = {NAN, NAN};
    for (int pf = 1; pf >= 0; pf--) {
      accq_analysis_options_t opt;
      accq_analysis_options_init(&opt);
      opt.buffer = B;
      opt.product_form = pf;
      opt.chain.max_states = 2000000000;
      accq_analysis_t a;
      double cpu0 = cpu_seconds();
      int st = accq_analyze(&m, p, &opt, &a, &err);
      double cpu = cpu_seconds() - cpu0;
      struct rusage ru;
      getrusage(RUSAGE_SELF, &ru);
      printf("%-9s N=(%d,%d) B=%-4s %-7s status %-9s B_used %4d states %10lld (joint "
             "equivalent %.4g)  E[T] %.12g  cpu %8.3f s  maxrss %.3f GiB\n",
             names[i], n_fast, n_slow, B ? "given" : "auto", pf ? "product" : "joint",
             accq_analysis_status_word(st, a.verdict), a.buffer, (long long)a.states,
             pf ? a.joint_states : (double)a.states, a.m.mean_response_time, cpu,
             ru.ru_maxrss / (1024.0 * 1024));
      fflush(stdout);
      et[pf] = st == 0 ? a.m.mean_response_time : NAN;
    }
    printf("  |E[T] product - joint| / E[T] = %.3g\n", fabs(et[1] - et[0]) / et[0]);
    accq_policy_free(p);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 5 && !strcmp(argv[1], "--product"))
    return run_product(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]),
                       argc > 5 ? atof(argv[5]) : 0.8);
  if (argc >= 4) {
    return run(atoi(argv[1]), atoi(argv[2]), atoi(argv[3]), argc > 4 ? argv[4] : "pop",
               argc > 5 ? atof(argv[5]) : 0.8, argc > 6 ? argv[6] : NULL);
  }
  int rc = 0;
  rc |= run(4, 3, 10, "pop", 0.8, NULL);   /* 2.9e5 states */
  rc |= run(5, 3, 10, "pop", 0.8, NULL);   /* 8.6e5 states */
  rc |= run(6, 4, 10, "pop", 0.8, NULL);   /* 8.0e6 states */
  rc |= run(7, 4, 10, "pop", 0.8, NULL);   /* 1.9e7 states */
  return rc;
}
