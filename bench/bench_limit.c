/* Time to the mean-field fixed point (accq_limit_solve) for K = 2, 3 and 8
 * types, every policy, at a few loads.  The model has K types with rates
 * 1, 1.5, 2.25, ... (x1.5), accuracies spread from 0.95 down to 0.45, one server
 * each, a* = 0.7; the ODE starts with truncation q_init = 50 (it trims to the
 * levels that carry mass before the polish and grows when the tail needs it).
 * Prints wall and CPU seconds (the machine is shared), the truncation Q and the unknowns of the polish, ODE steps
 * and the residual.  Target (issue 14): under 1 s for K = 8.
 *   usage: bench_limit [REPEATS]   (default 3; the best time is printed) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/limit.h"
#include "accq/lp.h"
#include "accq/model.h"

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static accq_model_t k_types(int K, double load) {
  accq_model_t m;
  memset(&m, 0, sizeof m);
  snprintf(m.name, sizeof m.name, "bench-%d-types", K);
  snprintf(m.file, sizeof m.file, "<bench>");
  m.lambda_mode = ACCQ_LAMBDA_LOAD;
  m.load = load;
  m.arrival_rate = NAN;
  m.accuracy_target = 0.7;
  m.scale = 1;
  m.ntypes = K;
  for (int k = 0; k < K; k++) {
    snprintf(m.types[k].name, sizeof m.types[k].name, "t%d", k);
    m.types[k].servers = 1;
    m.types[k].rate = pow(1.5, k);
    m.types[k].accuracy = 0.95 - 0.5 * k / (K - 1);
  }
  return m;
}

int main(int argc, char **argv) {
  int repeats = argc > 1 ? atoi(argv[1]) : 3;
  if (repeats < 1) repeats = 1;
  double la[3];
  FILE *f = fopen("/proc/loadavg", "r");
  if (f && fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) == 3)
    printf("load average %.2f %.2f %.2f (2 shared cores)\n", la[0], la[1], la[2]);
  if (f) fclose(f);
  const int Ks[] = {2, 3, 8};
  const double loads[] = {0.5, 0.9};
  const char *pols[] = {"pop", "jsq", "sed", "jfiq", "jiq", "pod:2", "random-lp", "rjiq:0.05"};
  printf("%-3s %-5s %-10s %-9s %10s %10s %5s %8s %9s %9s %12s\n", "K", "load", "policy", "status",
         "wall s", "cpu s", "Q", "unknowns", "ode_steps", "residual", "E[T]");
  double worst8 = 0, worst8_cpu = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 2; b++)
      for (int p = 0; p < 8; p++) {
        accq_model_t m = k_types(Ks[a], loads[b]);
        accq_err_t e;
        if (accq_lp_model_resolve(&m, &e)) {
          fprintf(stderr, "bench_limit: %s\n", e.msg);
          return 3;
        }
        accq_limit_options_t opt;
        accq_limit_options_init(&opt);
        opt.q_init = 50;
        double best = INFINITY, best_cpu = INFINITY;
        int st = 0;
        accq_limit_result_t res;
        for (int r = 0; r < repeats; r++) {
          accq_limit_t *w;
          if ((st = accq_limit_alloc(&w, &m, pols[p], &opt, &e)) != 0) break;
          double c0 = cpu_seconds();
          st = accq_limit_solve(w, &e);
          double c1 = cpu_seconds() - c0;
          if (c1 < best_cpu) best_cpu = c1;
          res = *accq_limit_result(w);
          if (res.seconds < best) best = res.seconds;
          accq_limit_free(w);
          if (st) break;
        }
        if (st) {
          printf("%-3d %-5g %-10s %-9s %10s %10s  (%s)\n", Ks[a], loads[b], pols[p], "failed", "-", "-",
                 e.msg);
          continue;
        }
        if (Ks[a] == 8 && best > worst8) worst8 = best;
        if (Ks[a] == 8 && best_cpu > worst8_cpu) worst8_cpu = best_cpu;
        printf("%-3d %-5g %-10s %-9s %10.4f %10.4f %5d %8d %9ld %9.1e %12.8f\n", Ks[a], loads[b],
               pols[p], "ok", best, best_cpu, res.levels, res.dimension, res.ode_steps, res.residual,
               res.et);
      }
  printf("slowest K = 8 solve: %.4f s wall, %.4f s cpu (target < 1 s)\n", worst8, worst8_cpu);
  return 0;
}
