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
 *      Debian python3-simpy), measured in the same run, and the speed ratio;
 *   4. events/s of pop with piecewise and trace arrivals against Poisson on
 *      the same system (docs/simulator.md; target: within 20% of Poisson),
 *      best of 3 each, the three interleaved.
 *
 * Usage: bench_sim [--quick] [--no-simpy] [--no-million] [--arrivals-only]
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

/* Section 4: pop on the 1,000-server system fed by Poisson, a piecewise
 * schedule (four steps of relative rates 1, 1.1, 0.9, 1 cycling every 100
 * time units: about 25 time units per step, a few
 * thousand arrivals each) and a trace (10^5 Poisson timestamps
 * at the same rate, written to a temporary file, looped). */
static int bench_arrivals(const accq_model_t *m0, long long jobs) {
  accq_err_t err;
  char trace[] = "/tmp/bench_sim_trace_XXXXXX";
  int fd = mkstemp(trace);
  if (fd < 0) return fprintf(stderr, "bench_sim: cannot create a temporary trace\n"), 1;
  FILE *f = fdopen(fd, "w");
  double t = 0, lam = m0->arrival_rate * m0->scale;
  unsigned long long x = 88172645463325252ULL;
  for (int i = 0; i < 100000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64: a fixed synthetic trace */
    t += -log(((double)(x >> 11) + 0.5) / 9007199254740992.0) / lam;
    fprintf(f, "%.17g\n", t);
  }
  fclose(f);
  char text[4096];
  const char *proc[3] = {"", "[arrivals]\nprocess = piecewise\nrates = relative\nstep = 0 1\n"
                             "step = 25 1.1\nstep = 50 0.9\nstep = 75 1\ncycle = 100\n", NULL};
  char tr[1200];
  snprintf(tr, sizeof tr, "[arrivals]\nprocess = trace\nfile = %s\n", trace);
  proc[2] = tr;
  const char *name[3] = {"poisson", "piecewise", "trace"};
  accq_model_t mm[3];
  accq_policy_t *pol[3] = {NULL, NULL, NULL};
  double best[3] = {0, 0, 0};
  int rc = 0;
  for (int a = 0; a < 3 && !rc; a++) {
    snprintf(text, sizeof text, "%s%s", model_text, proc[a]);
    accq_policy_options_t po;
    accq_policy_options_init(&po);
    if (accq_model_parse_string(&mm[a], text, "<bench>", NULL, 0, &err) ||
        accq_lp_model_resolve(&mm[a], &err) ||
        accq_policy_alloc(&pol[a], "pop", &mm[a], &po, &err))
      rc = die(&err);
  }
  accq_sim_options_t o;
  accq_sim_options_init(&o);
  o.jobs = jobs;
  o.warmup = jobs / 10;
  for (int tr_ = 0; tr_ < 3 && !rc; tr_++)
    for (int a = 0; a < 3 && !rc; a++) {
      accq_sim_rep_t r;
      double c0 = cpu_now();
      if (accq_sim_run_replication(&mm[a], pol[a], &o, tr_, &r, &err)) {
        rc = die(&err);
        break;
      }
      double c = cpu_now() - c0, eps = (double)r.events / c;
      printf("  pop, %-9s arrivals, run %d: %lld events, %.3f s CPU (%.3g events/s), E[T] = %.4f\n",
             name[a], tr_, r.events, c, eps, r.mean_response_time);
      if (eps > best[a]) best[a] = eps;
    }
  if (!rc)
    printf("RESULT events per CPU second, pop (best of 3, 1 thread): poisson %.3g, piecewise %.3g "
           "(%.1f%% of Poisson), trace %.3g (%.1f%% of Poisson)\n", best[0], best[1],
           100 * best[1] / best[0], best[2], 100 * best[2] / best[0]);
  for (int a = 0; a < 3; a++) accq_policy_free(pol[a]);
  remove(trace);
  return rc;
}

int main(int argc, char **argv) {
  int quick = 0, simpy = 1, million = 1, only_arrivals = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) quick = 1;
    if (!strcmp(argv[i], "--no-simpy")) simpy = 0;
    if (!strcmp(argv[i], "--no-million")) million = 0;
    if (!strcmp(argv[i], "--arrivals-only")) only_arrivals = 1;
  }
  accq_err_t err;
  accq_model_t m;
  if (accq_model_parse_string(&m, model_text, "<bench>", NULL, 0, &err)) return die(&err);
  if (accq_lp_model_resolve(&m, &err)) return die(&err);
  printf("bench_sim: 1,000 servers (500 x mu 4, 300 x mu 2, 200 x mu 1), a* = 0.80, "
         "load 0.8: Lambda = %.6g; one thread\n", m.arrival_rate);
  if (only_arrivals) return bench_arrivals(&m, quick ? 200000 : 2000000);
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
  return bench_arrivals(&m, quick ? 200000 : 2000000);
}
