/* Per-cell costs of a large study and what dynamic load balancing over many
 * MPI ranks would make of them (bench/README.md, docs/cluster.md).
 *
 *   bench_mpi [--loads N] [--max-states S] [--sim-jobs J]
 *
 * 1. Exact cells, measured: every bundled model x N loads (default 20, evenly
 *    in [0.05, 0.95]) x 6 policies (rjiq, pop, random-lp, jsq, jiq, sed) x
 *    sizes m = 1, 2: one `accq sweep` cell each (accq_sweep_grid_eval, the
 *    very function a rank runs; with each point's LP-bound cell), chain
 *    state limit S (default 1e5).  Costs are CPU seconds of the process (the
 *    machine is shared; a cell runs on one thread).
 * 2. Simulated cells, measured then extrapolated: the 6 policies on
 *    two-tier at load 0.85 simulated at m = 4, 16, 64 with J jobs per
 *    replication (default 20000) and 2 replications; per policy a power law
 *    cost = a m^b is fitted through the three sizes and extrapolated to
 *    m = 10^3, 10^4, 10^5, the README grid's "long runs" taken as 10
 *    replications of 10^5 m / 100 jobs (every server sees about 1000 jobs per
 *    replication), i.e. the cost of a cell is a m^b (10 x 10^5 m / 100) /
 *    (2 J): the fitted cost per job at size m times the jobs.  Every model x load x
 *    policy gets these three simulated cells (costs from two-tier: the
 *    simulator's cost per job depends on the size and the policy, little on
 *    the model).
 * 3. The cells in index order on P ranks as accq_dist_run hands them out
 *    (each free rank takes the next cell: greedy list scheduling), for
 *    P = 1, 2, 64, 512; beside it LPT (cells sorted by decreasing cost first)
 *    and the lower bound max(total / P, largest cell).  Speed-up = total /
 *    makespan.  The largest cell bounds the wall time at any P.
 * Wall times are this machine's (shared: compare within one run). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/accq.h"
#include "accq/clock.h"
#include "accq/grid.h"
#include "accq/verify.h"

/* CPU seconds of this process: the machine is shared, so a cell's cost is
 * its CPU time (one thread: sweep cells and these simulations run on one). */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define NPOL 6
static const char *const POLS[NPOL] = {"rjiq", "pop", "random-lp", "jsq", "jiq", "sed"};

static int cmp_desc(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

/* Greedy list scheduling of c[0..n) on p ranks (a free rank takes the next
 * cell): the makespan.  O(n p); fine for p <= 512 and n ~ 10^4. */
static double list_schedule(const double *c, int n, int p) {
  double *t = calloc((size_t)p, sizeof *t);
  if (!t) return NAN;
  for (int i = 0; i < n; i++) {
    int k = 0;
    for (int j = 1; j < p; j++)
      if (t[j] < t[k]) k = j;
    t[k] += c[i];
  }
  double mk = 0;
  for (int j = 0; j < p; j++)
    if (t[j] > mk) mk = t[j];
  free(t);
  return mk;
}

typedef struct {
  double *c;
  int n, cap;
} costs_t;

static void push(costs_t *v, double x) {
  if (v->n == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 1024;
    double *q = realloc(v->c, (size_t)v->cap * sizeof *q);
    if (!q) {
      fprintf(stderr, "bench_mpi: out of memory\n");
      exit(3);
    }
    v->c = q;
  }
  v->c[v->n++] = x;
}

/* One sweep grid of the model (policies x loads) at `scale`; each cell timed. */
static void time_grid(const accq_model_t *m0, int scale, const double *loads, int nloads,
                      const accq_sweep_options_t *so, costs_t *out, double *worst,
                      char *worst_what, size_t wsize) {
  accq_model_t m = *m0;
  m.scale = scale;
  accq_sweep_grid_t *g = NULL;
  accq_err_t err;
  if (accq_sweep_grid_alloc(&g, &m, "load", loads, nloads, POLS, NPOL, so, &err)) {
    fprintf(stderr, "bench_mpi: %s: %s\n", m.name, err.msg);
    return;
  }
  for (int c = 0; c < accq_sweep_grid_ncells(g); c++) {
    double t0 = cpu_now();
    accq_sweep_grid_eval(g, c, &err); /* a cell's own status (too large...) is its result */
    double dt = cpu_now() - t0;
    push(out, dt);
    if (dt > *worst) {
      *worst = dt;
      snprintf(worst_what, wsize, "%s m=%d cell %d", m.name, scale, c);
    }
  }
  accq_sweep_grid_free(g);
}

static void summary(const char *what, const double *c, int n) {
  double *s = malloc((size_t)n * sizeof *s), tot = 0;
  if (!s || n == 0) {
    free(s);
    return;
  }
  memcpy(s, c, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_desc);
  for (int i = 0; i < n; i++) tot += s[i];
  printf("%-34s %6d cells, total %10.1f s, largest %9.3f s, median %9.5f s, smallest %9.6f s"
         " (largest/smallest %.0f)\n",
         what, n, tot, s[0], s[n / 2], s[n - 1], s[n - 1] > 0 ? s[0] / s[n - 1] : INFINITY);
  free(s);
}

int main(int argc, char **argv) {
  int nloads = 20;
  long long max_states = 100000;
  long sim_jobs = 20000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--loads")) nloads = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--max-states")) max_states = atoll(argv[i + 1]);
    else if (!strcmp(argv[i], "--sim-jobs")) sim_jobs = atol(argv[i + 1]);
    else {
      fprintf(stderr, "usage: bench_mpi [--loads N] [--max-states S] [--sim-jobs J]\n");
      return 2;
    }
  }
  if (nloads < 2 || nloads > 200 || max_states < 100 || sim_jobs < 1000) {
    fprintf(stderr, "bench_mpi: --loads 2..200, --max-states >= 100, --sim-jobs >= 1000\n");
    return 2;
  }
  FILE *lf = fopen("/proc/loadavg", "r");
  char la[128] = "?";
  if (lf) {
    if (!fgets(la, sizeof la, lf)) snprintf(la, sizeof la, "?\n");
    fclose(lf);
  }
  printf("load average (1, 5, 15 min ...): %s", la);
  double loads[200];
  for (int i = 0; i < nloads; i++) loads[i] = 0.05 + 0.9 * i / (nloads - 1);

  static char paths[16][1024];
  int nm = 0;
  char dir[1024];
  accq_err_t err;
  if (accq_verify_bundled_models(paths, 16, &nm, dir, sizeof dir, &err)) {
    fprintf(stderr, "bench_mpi: %s\n", err.msg);
    return 3;
  }
  accq_model_t *models = calloc((size_t)nm, sizeof *models);
  for (int i = 0; i < nm; i++)
    if (accq_model_load(&models[i], paths[i], NULL, 0, &err)) {
      fprintf(stderr, "bench_mpi: %s\n", err.msg);
      return 3;
    }

  /* 1. exact cells */
  accq_sweep_options_t so;
  accq_sweep_options_init(&so);
  so.max_states = max_states;
  costs_t exact = {0};
  double worst = 0;
  char worst_what[160] = "";
  double t0 = accq_clock_now();
  for (int i = 0; i < nm; i++)
    for (int scale = 1; scale <= 2; scale++)
      time_grid(&models[i], scale, loads, nloads, &so, &exact, &worst, worst_what,
                sizeof worst_what);
  printf("\n1. exact cells: %d models x %d loads x %d policies x m = 1, 2 (state limit %lld), "
         "%.1f s\n",
         nm, nloads, NPOL, max_states, accq_clock_now() - t0);
  summary("exact cells (measured)", exact.c, exact.n);
  printf("   largest: %s\n", worst_what);

  /* 2. simulated cells: fit a m^b per policy on two-tier at load 0.85 */
  accq_model_t tt;
  int have = 0;
  for (int i = 0; i < nm; i++)
    if (!strcmp(models[i].name, "two-tier")) {
      tt = models[i];
      have = 1;
    }
  if (!have) tt = models[0];
  accq_sweep_options_t ss;
  accq_sweep_options_init(&ss);
  ss.simulate = 1;
  ss.jobs = sim_jobs;
  ss.replications = 2;
  const int sizes[3] = {4, 16, 64};
  double a[NPOL], b[NPOL];
  printf("\n2. simulated cells on %s at load 0.85, %ld jobs x 2 replications:\n", tt.name,
         sim_jobs);
  printf("   %-10s %10s %10s %10s %8s\n", "policy", "m=4 s", "m=16 s", "m=64 s", "b");
  for (int p = 0; p < NPOL; p++) {
    double t[3];
    for (int k = 0; k < 3; k++) {
      accq_model_t m = tt;
      m.scale = sizes[k];
      double load = 0.85;
      accq_sweep_grid_t *g = NULL;
      t[k] = NAN;
      if (accq_sweep_grid_alloc(&g, &m, "load", &load, 1, &POLS[p], 1, &ss, &err)) continue;
      double s0 = cpu_now();
      /* cell 1: the policy (cell 0 is the point's LP bound) */
      if (accq_sweep_grid_eval(g, 1, &err)) fprintf(stderr, "bench_mpi: %s\n", err.msg);
      t[k] = cpu_now() - s0;
      const accq_sweep_cell_t *cl = accq_sweep_grid_cell(g, 0, 0);
      if (cl && cl->status) fprintf(stderr, "bench_mpi: %s m=%d: %s\n", POLS[p], m.scale, cl->reason);
      accq_sweep_grid_free(g);
    }
    /* least squares of log t on log m through the three sizes */
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int k = 0; k < 3; k++) {
      double x = log(sizes[k]), y = log(t[k] > 1e-6 ? t[k] : 1e-6);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    b[p] = (3 * sxy - sx * sy) / (3 * sxx - sx * sx);
    a[p] = exp((sy - b[p] * sx) / 3);
    printf("   %-10s %10.3f %10.3f %10.3f %8.2f\n", POLS[p], t[0], t[1], t[2], b[p]);
  }
  /* a long run at size m: 10 replications of 1e5 m / 100 jobs */
  const double big[3] = {1e3, 1e4, 1e5};
  costs_t all = {0};
  for (int i = 0; i < exact.n; i++) push(&all, exact.c[i]);
  costs_t sim = {0};
  /* cell order as a sweep grid has it: per model, per size, loads x policies */
  for (int i = 0; i < nm; i++)
    for (int k = 0; k < 3; k++)
      for (int l = 0; l < nloads; l++)
        for (int p = 0; p < NPOL; p++) {
          double jobs_ratio = 10.0 * 1e5 * big[k] / 100.0 / (2.0 * (double)sim_jobs);
          double c = a[p] * pow(big[k], b[p]) * jobs_ratio;
          push(&sim, c);
          push(&all, c);
        }
  summary("simulated cells (extrapolated)", sim.c, sim.n);
  summary("the whole grid", all.c, all.n);

  /* 3. list scheduling */
  double tot = 0, mx = 0;
  for (int i = 0; i < all.n; i++) {
    tot += all.c[i];
    if (all.c[i] > mx) mx = all.c[i];
  }
  double *sorted = malloc((size_t)all.n * sizeof *sorted);
  memcpy(sorted, all.c, (size_t)all.n * sizeof *sorted);
  qsort(sorted, (size_t)all.n, sizeof *sorted, cmp_desc);
  printf("\n3. the whole grid on P ranks (total %.0f s = %.1f h on one rank; largest cell %.0f s)\n",
         tot, tot / 3600, mx);
  printf("   %6s %14s %10s %14s %10s %14s %10s\n", "P", "index order s", "speed-up", "LPT s",
         "speed-up", "lower bound s", "bound");
  const int ps[4] = {1, 2, 64, 512};
  for (int j = 0; j < 4; j++) {
    double mk = list_schedule(all.c, all.n, ps[j]), lpt = list_schedule(sorted, all.n, ps[j]);
    double lb = fmax(tot / ps[j], mx);
    printf("   %6d %14.0f %10.1f %14.0f %10.1f %14.0f %10.1f\n", ps[j], mk, tot / mk, lpt,
           tot / lpt, lb, tot / lb);
  }
  free(sorted);
  free(all.c);
  free(sim.c);
  free(exact.c);
  free(models);
  return 0;
}
