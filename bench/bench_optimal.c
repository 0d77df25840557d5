/* bench_optimal: time of the occupation-measure LP (accq optimal) against its
 * size, on the llm-three-tier model at scale 1 with growing buffers.
 *
 *   build/bench/bench_optimal [MODEL [MAX_STATES [SET ...]]]
 *
 * SET: model overrides as with --set, e.g. system.scale=2.
 * Prints, per buffer B, a whole accq_optimal_solve (continuation from B = 2):
 * states, variables, simplex pivots, wall and CPU seconds, t_opt and the chain
 * engine's evaluation of the recovered rule relative to t_opt.  Not a test:
 * timings depend on the load.  The baseline in bench/README.md is the same
 * program built from an earlier commit, run back to back.
 *
 *   build/bench/bench_optimal --scale MODEL LP_SECONDS SCALE:B [SCALE:B ...]
 *
 * The optimum at scale: per (m, B), the Lagrangian method (method lagrange) and
 * the LP (method lp, cold, with a time limit of LP_SECONDS; "-" when the LP is
 * refused or runs out of time), their t_opt, their relative difference, wall
 * seconds, the Lagrangian method's CPU seconds (its wall time on a quiet machine;
 * the bench machine is often shared) and peak resident memory so far. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "accq/accq.h"
#include "accq/optimal.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

#include <string.h>
#include <sys/resource.h>

static double peak_mib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static int scale_run(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: bench_optimal --scale MODEL LP_SECONDS SCALE:B [SCALE:B ...]\n");
    return 2;
  }
  accq_model_t base;
  accq_err_t err;
  if (accq_model_load(&base, argv[2], NULL, 0, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  double lp_seconds = atof(argv[3]);
  printf("%-3s %-3s %10s %20s %9s %9s %7s %6s %20s %9s %9s %9s\n", "m", "B", "states",
         "t_opt (lagrange)", "seconds", "cpu s", "steps", "rand", "t_opt (lp)", "seconds",
         "rel diff", "peak MiB");
  for (int i = 4; i < argc; i++) {
    int scale, B;
    if (sscanf(argv[i], "%d:%d", &scale, &B) != 2) continue;
    accq_model_t m = base;
    m.scale = scale;
    if (accq_lp_model_resolve(&m, &err)) {
      fprintf(stderr, "%s\n", err.msg);
      return 2;
    }
    accq_optimal_options_t oo;
    accq_optimal_options_init(&oo);
    oo.method = ACCQ_OPTIMAL_LAGRANGE;
    oo.max_states = 50000000;
    oo.max_seconds = 3600;
    accq_optimal_t *o = NULL;
    accq_optimal_summary_t s = {0};
    double t0 = now(), c0 = (double)clock() / CLOCKS_PER_SEC;
    int st = accq_optimal_solve(&m, B, &oo, &o, &err);
    double t_lg = now() - t0, c_lg = (double)clock() / CLOCKS_PER_SEC - c0;
    if (st) {
      printf("%-3d %-3d lagrange: %s\n", scale, B, err.msg);
      continue;
    }
    accq_optimal_summary(o, &s);
    accq_optimal_free(o);
    double t_lp = NAN, secs_lp = NAN;
    if (lp_seconds > 0) {
      oo.method = ACCQ_OPTIMAL_SIMPLEX;
      oo.max_states = 1000000;
      oo.max_seconds = lp_seconds;
      t0 = now();
      if (!accq_optimal_solve(&m, B, &oo, &o, &err)) {
        accq_optimal_summary_t sl;
        accq_optimal_summary(o, &sl);
        t_lp = sl.t_opt;
        secs_lp = now() - t0;
        accq_optimal_free(o);
      }
    }
    printf("%-3d %-3d %10lld %20.15g %9.2f %9.2f %7lld %6lld ", scale, B, (long long)s.states,
           s.t_opt, t_lg, c_lg, (long long)s.iterations, (long long)s.randomized_states);
    if (isnan(t_lp))
      printf("%20s %9s %9s", "-", "-", "-");
    else
      printf("%20.15g %9.2f %9.2e", t_lp, secs_lp, fabs(t_lp - s.t_opt) / t_lp);
    printf(" %9.0f\n", peak_mib());
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--scale")) return scale_run(argc, argv);
  const char *path = argc > 1 ? argv[1] : ACCQ_BENCH_MODELS "/llm-three-tier.ini";
  double max_states = argc > 2 ? atof(argv[2]) : 25000;
  accq_model_t m;
  accq_err_t err;
  const char *const *sets = argc > 3 ? (const char *const *)argv + 3 : NULL;
  if (accq_model_load(&m, path, sets, argc > 3 ? argc - 3 : 0, &err) || accq_lp_model_resolve(&m, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < m.ntypes; k++) servers[k] = m.scale * m.types[k].servers;
  printf("%-4s %10s %10s %8s %10s %10s %20s %12s\n", "B", "states", "variables", "pivots",
         "wall s", "cpu s", "t_opt", "eval rel");
  for (int B = 2; B <= 40; B++) {
    double count;
    if (accq_space_count(m.ntypes, servers, B, &count, NULL) || count > max_states) break;
    accq_optimal_options_t oo;
    accq_optimal_options_init(&oo);
    oo.max_states = (int64_t)max_states;
    accq_optimal_t *o = NULL;
    double t0 = now(), c0 = (double)clock() / CLOCKS_PER_SEC;
    if (accq_optimal_solve(&m, B, &oo, &o, &err)) {
      printf("%-4d %10.0f  %s\n", B, count, err.msg);
      continue;
    }
    double secs = now() - t0, cpu = (double)clock() / CLOCKS_PER_SEC - c0;
    accq_optimal_summary_t s;
    accq_optimal_summary(o, &s);
    accq_policy_t *pol = NULL;
    accq_analysis_options_t ao;
    accq_analysis_options_init(&ao);
    ao.buffer = B;
    ao.solver.tol = 1e-14;
    accq_analysis_t a;
    double rel = NAN;
    if (!accq_optimal_policy(o, &m, &pol, &err) && !accq_analyze(&m, pol, &ao, &a, &err))
      rel = fabs(a.m.mean_response_time - s.t_opt) / s.t_opt;
    printf("%-4d %10lld %10lld %8lld %10.2f %10.2f %20.15g %12.2e\n", B, (long long)s.states,
           (long long)s.variables, (long long)s.iterations, secs, cpu, s.t_opt, rel);
    fflush(stdout);
    accq_policy_free(pol);
    accq_optimal_free(o);
  }
  return 0;
}
