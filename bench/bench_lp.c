/* The LP bound over 10,000 loads evenly spread over (0, Lambda_max] in one
 * run, with accq_lp_solve (GLPK's simplex on the column LP, its certificate,
 * the combinatorial solver and the agreement check: what every caller pays)
 * and with accq_lp_solve_combinatorial alone (with its a-posteriori checks and
 * the breakpoint check); prints total and per-solve times, their ratio and the
 * largest relative difference of their T_LP.  Also the exact (GMP) solver on
 * 1,000 of those loads, and the largest relative difference of
 * accq_lp_solve's T_LP from it.
 *   usage: bench_lp [MODEL.ini] [NLOADS]   (default: the embedded model) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "accq/lp.h"
#include "accq/model.h"

typedef int (*solver_fn)(const accq_lp_problem_t *, accq_lp_result_t *, accq_err_t *);

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double sweep(solver_fn f, accq_lp_problem_t p, double lmax, int n, double *t_out) {
  accq_lp_result_t r;
  accq_err_t e;
  double t0 = now();
  for (int i = 1; i <= n; i++) {
    p.lambda = lmax * i / n;
    if (f(&p, &r, &e) != 0 || r.status != ACCQ_LP_OPTIMAL) {
      fprintf(stderr, "bench_lp: solve failed at Lambda = %.17g: %s\n", p.lambda, e.msg);
      exit(3);
    }
    t_out[i - 1] = r.t_lp;
  }
  return now() - t0;
}

static void run(const char *label, accq_lp_problem_t p, int n) {
  double lmax = accq_lp_lambda_max(&p);
  if (!(lmax > 0)) {
    printf("%s: accuracy-infeasible, nothing to time\n", label);
    return;
  }
  double *ta = malloc(n * sizeof *ta), *tb = malloc(n * sizeof *tb);
  double sg = sweep(accq_lp_solve, p, lmax, n, ta);
  double sc = sweep(accq_lp_solve_combinatorial, p, lmax, n, tb);
  double worst = 0;
  for (int i = 0; i < n; i++) worst = fmax(worst, fabs(ta[i] - tb[i]) / fabs(tb[i]));
  int ne = n / 10;
  double t0 = now();
  for (int i = 1; i <= ne; i++) {
    accq_lp_exact_t ex;
    p.lambda = lmax * i / ne;
    accq_lp_solve_exact(&p, &ex, NULL);
    accq_lp_exact_free(&ex);
  }
  double se = now() - t0, wex = 0;
  for (int i = 1; i <= ne; i++) {
    accq_lp_exact_t ex;
    p.lambda = lmax * i / ne;
    accq_lp_solve_exact(&p, &ex, NULL);
    /* loads i/ne are the loads (i * n/ne)/n of the float sweep */
    wex = fmax(wex, fabs(ta[i * (n / ne) - 1] - ex.t_lp_value) / ex.t_lp_value);
    accq_lp_exact_free(&ex);
  }
  printf("%s: K = %d, Lambda_max = %.6g, %d loads\n", label, p.ntypes, lmax, n);
  printf("  accq_lp_solve (GLPK + combinatorial + checks)  total %8.4f s  per solve %8.2f us\n",
         sg, 1e6 * sg / n);
  printf("  combinatorial alone (with its checks)           total %8.4f s  per solve %8.2f us\n",
         sc, 1e6 * sc / n);
  printf("  ratio %.1f   max rel |t_solve - t_comb| = %.2g\n", sg / sc, worst);
  printf("  exact (GMP)    total %8.4f s  per solve %8.2f us (%d loads); max rel |t_solve - t_exact| "
         "= %.2g\n",
         se, 1e6 * se / ne, ne, wex);
  free(ta);
  free(tb);
}

int main(int argc, char **argv) {
  accq_model_t m;
  accq_err_t e;
  int rc = argc > 1 ? accq_model_load(&m, argv[1], NULL, 0, &e) : accq_model_default(&m, &e);
  if (rc) {
    fprintf(stderr, "bench_lp: %s\n", e.msg);
    return 2;
  }
  int n = argc > 2 ? atoi(argv[2]) : 10000;
  if (n < 10) n = 10;
  accq_lp_problem_t p;
  if (accq_lp_problem_from_model(&p, &m, 0.0)) return 2;
  run(m.name, p, n);
  /* a larger instance: 8 types, rates 0.5..8, accuracies 0.3..1 */
  accq_lp_problem_t q = {0};
  q.ntypes = 8;
  q.a_star = 0.8;
  for (int k = 0; k < 8; k++) {
    q.mu[k] = 8.0 / (1 + k);
    q.acc[k] = 0.3 + 0.1 * k;
    q.cap[k] = (1 + k % 3) * q.mu[k];
  }
  run("synthetic-8", q, n);
  return 0;
}
