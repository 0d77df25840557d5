/* Simulator speed:
 *   0. the cost of a DEFAULT run (accq_sim_run with accq_sim_options_init's
 *      defaults: R = 10, default run length, adaptive warm-up, MSER-5) on the
 *      1,000-server system at loads 0.8 and 0.95: events, CPU seconds,
 *      events/s and E[T] +- CI.  The same source builds against older trees
 *      (the run-length fields print only where the header has them), so
 *      "before" is this file compiled in a checkout of the previous commit;
 *   1. events/s on one core for rjiq and pop with 1,000 servers of 3 types
 *      (best of 3 runs of one replication each);
 *   2. a 10^6-server run of 10^7 jobs (time and peak memory);
 *   3. the same 1,000-server R-JIQ system in SimPy 2.3 (bench/simpy_model.py,
 *      Debian python3-simpy), measured in the same run, and the speed ratio.
 *
 * Usage: bench_sim [--quick] [--no-simpy] [--no-million]
 * (run from the build directory or anywhere: the script path is compiled in). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "accq/accq.h"
#include "accq/sim.h"

/* Directory of this source file (CMake compiles it by absolute path), where
 * simpy_model.py lives. */
static const char *bench_dir(void) {
  static char dir[1024];
  snprintf(dir, sizeof dir, "%s", __FILE__);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  else
    snprintf(dir, sizeof dir, "bench");
  return dir;
}

/* 1,000 servers: 500 fast/inaccurate, 300 medium, 200 slow/accurate.  At load 0.8
 * the LP saturates `medium`, so R-JIQ runs with slack 0.1 (rjiq:0.1, capacities
 * 0.9 n_k mu_k), which uses all three types and is stable. */
static const char *model_text =
    "[system]\n"
    "name = bench-1000\n"
    "load = 0.8\n"
    "accuracy_target = 0.80\n"
    "buffer = auto\n"
    "scale = 1\n"
    "[type fast]\nservers = 500\nrate = 4.0\naccuracy = 0.60\n"
    "[type medium]\nservers = 300\nrate = 2.0\naccuracy = 0.80\n"
    "[type slow]\nservers = 200\nrate = 1.0\naccuracy = 0.95\n";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this thread: on a shared machine the rate per CPU second is the
 * figure that does not depend on the other processes (both are printed). */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(const accq_err_t *e) {
  fprintf(stderr, "bench_sim: %s\n", e->msg);
  return 1;
}

/* One default run (every option at its default, one thread). */
static int bench_default(const accq_model_t *m0, double load, const char *spec) {
  accq_err_t err;
  accq_model_t m = *m0;
  m.lambda_mode = ACCQ_LAMBDA_LOAD;
  m.load = load;
  if (accq_lp_model_resolve(&m, &err)) return die(&err);
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  accq_policy_t *pol = NULL;
  if (accq_policy_alloc(&pol, spec, &m, &po, &err)) {
    printf("default run, load %.2f, %-9s: skipped (%s)\n", load, spec, err.msg);
    return 1;
  }
  accq_sim_options_t o;
  accq_sim_options_init(&o);
  accq_sim_result_t r;
  double c0 = cpu_now();
  int st = accq_sim_run(&m, pol, &o, &r, NULL, &err);
  double c = cpu_now() - c0;
  accq_policy_free(pol);
  if (st) return die(&err);
  printf("RESULT default run, load %.2f, %-9s: %lld events, %.2f s CPU, %.3g events per CPU s, "
         "E[T] = %.5g +- %.2g",
         load, spec, r.events, c, (double)r.events / c, r.mean_response_time.mean,
         r.mean_response_time.ci95);
#ifdef ACCQ_SIM_MAX_WARNINGS
  printf(", jobs %lld, warm-up %lld..%lld, MSER cut %.0f, %d warning(s)", r.jobs, r.warmup_min,
         r.warmup, r.truncated, r.nwarnings);
#else
  printf(", jobs %lld, warm-up %lld", r.jobs, r.warmup);
#endif
  printf("\n");
  return 0;
}

/* Best events/s of `tries` single-replication runs. */
static int bench_policy(const accq_model_t *m, const char *spec, long long jobs, int tries,
                        double *best, accq_policy_t **keep) {
  accq_err_t err;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  accq_policy_t *pol = NULL;
  if (accq_policy_alloc(&pol, spec, m, &po, &err)) return die(&err);
  accq_sim_options_t o;
  accq_sim_options_init(&o);
  o.jobs = jobs;
  o.warmup = jobs / 10;
  *best = 0;
  for (int t = 0; t < tries; t++) {
    accq_sim_rep_t r;
    double t0 = now(), c0 = cpu_now();
    if (accq_sim_run_replication(m, pol, &o, t, &r, &err)) {
      accq_policy_free(pol);
      return die(&err);
    }
    double s = now() - t0, c = cpu_now() - c0, eps = (double)r.events / c;
    printf("  %-10s run %d: %lld events, %.3f s wall (%.3g events/s), %.3f s CPU (%.3g "
           "events/s), E[T] = %.4f\n", spec, t, r.events, s, (double)r.events / s, c, eps,
           r.mean_response_time);
    if (eps > *best) *best = eps;
  }
  if (keep)
    *keep = pol;
  else
    accq_policy_free(pol);
  return 0;
}

int main(int argc, char **argv) {
  int quick = 0, simpy = 1, million = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) quick = 1;
    if (!strcmp(argv[i], "--no-simpy")) simpy = 0;
    if (!strcmp(argv[i], "--no-million")) million = 0;
  }
  accq_err_t err;
  accq_model_t m;
  if (accq_model_parse_string(&m, model_text, "<bench>", NULL, 0, &err)) return die(&err);
  if (accq_lp_model_resolve(&m, &err)) return die(&err);
  printf("bench_sim: 1,000 servers (500 x mu 4, 300 x mu 2, 200 x mu 1), a* = 0.80, "
         "load 0.8: Lambda = %.6g; one thread\n", m.arrival_rate);
  /* (random-lp saturates `medium` here: the LP's split at load 0.8 fills it) */
  static const char *const dpol[3] = {"rjiq:0.1", "pop", "jsq"};
  for (int l = 0; l < 2; l++)
    for (int i = 0; i < 3; i++) bench_default(&m, l ? 0.95 : 0.8, dpol[i]);
  long long jobs = quick ? 200000 : 2000000;
  double eps_rjiq, eps_pop;
  accq_policy_t *rjiq = NULL;
  if (bench_policy(&m, "rjiq:0.1", jobs, 3, &eps_rjiq, &rjiq)) return 1;
  if (bench_policy(&m, "pop", jobs, 3, &eps_pop, NULL)) return 1;
  printf("RESULT events per CPU second (best of 3, 1 thread): rjiq:0.1 %.3g, pop %.3g\n", eps_rjiq, eps_pop);

  if (simpy) {
    const double *p = accq_policy_split(rjiq);
    char cmd[2048];
    long long sj = quick ? 20000 : 200000;
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/simpy_model.py --servers 500,300,200 --rates 4,2,1 "
             "--split %.17g,%.17g,%.17g --lam %.17g --jobs %lld --seed 1",
             bench_dir(), p[0], p[1], p[2], m.arrival_rate, sj);
    FILE *f = popen(cmd, "r");
    char line[512] = "";
    double sp_eps = 0, sp_t = 0;
    if (f) {
      while (fgets(line, sizeof line, f))
        if (sscanf(line, "jobs %*d events %*d seconds %*f events_per_s %lf mean_T %lf", &sp_eps,
                   &sp_t) == 2)
          break;
      pclose(f);
    }
    if (sp_eps > 0)
      printf("RESULT SimPy 2.3 (same system, rjiq:0.1, %lld jobs): %.3g events/s, E[T] = %.4f; "
             "accq/SimPy speed ratio %.0f\n", sj, sp_eps, sp_t, eps_rjiq / sp_eps);
    else
      printf("SimPy run failed (apt-get install -y python3-simpy): %s\n", cmd);
  }
  accq_policy_free(rjiq);

  if (million) {
    accq_model_t big = m;
    big.scale = 1000; /* 10^6 servers, Lambda x 1000 */
    accq_policy_options_t po;
    accq_policy_options_init(&po);
    accq_policy_t *pol = NULL;
    if (accq_policy_alloc(&pol, "rjiq:0.1", &big, &po, &err)) return die(&err);
    accq_sim_options_t o;
    accq_sim_options_init(&o);
    o.jobs = quick ? 1000000 : 10000000;
    o.warmup = 0;
    accq_sim_rep_t r;
    double t0 = now(), c0 = cpu_now();
    if (accq_sim_run_replication(&big, pol, &o, 0, &r, &err)) return die(&err);
    double s = now() - t0, c = cpu_now() - c0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("RESULT 10^6 servers, rjiq:0.1, %lld jobs: %.2f s wall, %.2f s CPU, %.3g events per "
           "CPU s, max jobs in system %lld, peak RSS %.0f MB, E[T] = %.4f\n", o.jobs, s, c,
           (double)r.events / c,
           r.max_jobs_in_system, ru.ru_maxrss / 1024.0, r.mean_response_time);
    accq_policy_free(pol);
  }
  return 0;
}
