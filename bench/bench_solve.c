/* Times the stationary solvers on large generators (see bench/README.md).
 *
 *   bench_solve [--chain N_FAST N_SLOW B] [--policy P] [--load L]
 *               [--synthetic N] [--methods LIST] [--max-seconds S] [--mtx FILE]
 *
 * --chain (the default, 5 3 10): the lumped chain of policy P (default pop) on
 * the two-type model of bench_chain (fast: mu 3, a 0.5; slow: mu 1, a 0.8;
 * a* = 0.6; Lambda = L * Lambda_max(a*), L default 0.8), built by
 * accq_chain_build.  --synthetic N: a three-dimensional birth-death chain of
 * about N states with the same structure (three server types, every transition
 * changes the job count by one, JSQ-like routing by expected delay), load 0.9.
 * --mtx writes the generator in Matrix Market format for bench/scipy_solve.py.
 * Every line reports the method, its iterations, docs/chains.md's residual, wall and
 * CPU seconds (transpose and set-up included), with the load average of the
 * machine before and after.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "accq/chain.h"
#include "accq/policy.h"
#include "accq/stationary.h"
#include "bench_common.h"
#include "solve/solve_internal.h"

#define NT 3

typedef struct {
  int cap[NT];        /* jobs per type 0..cap */
  int servers[NT];
  double mu[NT];
  double lambda;
} synth_t;

/* 3-D birth-death chain: x_k jobs at type k (a pool of servers[k] servers),
 * departures min(x_k, c_k) mu_k, arrivals (rate lambda) to the non-full type
 * with the least (x_k + 1) / (c_k mu_k), lost when all are full. */
static int build_synth(const synth_t *s, accq_generator_t *Q) {
  int64_t r[NT], n = 1;
  for (int k = NT - 1; k >= 0; k--) {
    r[k] = n;
    n *= s->cap[k] + 1;
  }
  int64_t maxnnz = n * (NT + 1);
  Q->n = n;
  Q->rowptr = malloc((size_t)(n + 1) * sizeof *Q->rowptr);
  Q->col = malloc((size_t)maxnnz * sizeof *Q->col);
  Q->val = malloc((size_t)maxnnz * sizeof *Q->val);
  Q->diag = malloc((size_t)n * sizeof *Q->diag);
  if (!Q->rowptr || !Q->col || !Q->val || !Q->diag) return -1;
  int64_t at = 0;
  for (int64_t i = 0; i < n; i++) {
    int x[NT];
    for (int k = 0; k < NT; k++) x[k] = (int)((i / r[k]) % (s->cap[k] + 1));
    Q->rowptr[i] = at;
    int best = -1;
    double bd = INFINITY;
    for (int k = 0; k < NT; k++) {
      double d = (x[k] + 1) / (s->servers[k] * s->mu[k]);
      if (x[k] < s->cap[k] && d < bd) {
        bd = d;
        best = k;
      }
    }
    /* Entries in increasing column order: departures of the last type have the
     * smallest stride, so go k = 0..NT-1 with decreasing index i - r[k]... sort
     * explicitly instead (at most 4 entries). */
    int64_t cj[NT + 1];
    double cv[NT + 1];
    int m = 0;
    double out = 0;
    for (int k = 0; k < NT; k++)
      if (x[k] > 0) {
        cj[m] = i - r[k];
        cv[m++] = (x[k] < s->servers[k] ? x[k] : s->servers[k]) * s->mu[k];
      }
    if (best >= 0) {
      cj[m] = i + r[best];
      cv[m++] = s->lambda;
    }
    for (int a = 1; a < m; a++)
      for (int b = a; b > 0 && cj[b - 1] > cj[b]; b--) {
        int64_t tj = cj[b];
        cj[b] = cj[b - 1];
        cj[b - 1] = tj;
        double tv = cv[b];
        cv[b] = cv[b - 1];
        cv[b - 1] = tv;
      }
    for (int a = 0; a < m; a++) {
      Q->col[at] = (int32_t)cj[a];
      Q->val[at++] = cv[a];
      out += cv[a];
    }
    Q->diag[i] = -out;
  }
  Q->rowptr[n] = at;
  Q->nnz = at;
  return 0;
}

/* A copy of a stored generator with one double per rate and per diagonal
 * (the plain form), read through the accessors; 0, or -1 without memory. */
static int to_plain(const accq_generator_t *Q, accq_generator_t *P) {
  int64_t n = Q->n, nnz = Q->nnz > 0 ? Q->nnz : 1;
  memset(P, 0, sizeof *P);
  P->n = n;
  P->nnz = Q->nnz;
  P->rowptr = malloc((size_t)(n + 1) * sizeof *P->rowptr);
  P->col = malloc((size_t)nnz * sizeof *P->col);
  P->val = malloc((size_t)nnz * sizeof *P->val);
  P->diag = malloc((size_t)n * sizeof *P->diag);
  if (!P->rowptr || !P->col || !P->val || !P->diag) {
    accq_generator_free(P);
    return -1;
  }
  memcpy(P->rowptr, Q->rowptr, (size_t)(n + 1) * sizeof *P->rowptr);
  memcpy(P->col, Q->col, (size_t)Q->nnz * sizeof *P->col);
  for (int64_t e = 0; e < Q->nnz; e++) P->val[e] = accq_generator_rate(Q, e);
  for (int64_t i = 0; i < n; i++) P->diag[i] = accq_generator_diag(Q, i);
  return 0;
}

static int write_mtx(const accq_generator_t *Q, const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "%%%%MatrixMarket matrix coordinate real general\n%lld %lld %lld\n", (long long)Q->n,
          (long long)Q->n, (long long)(Q->nnz + Q->n));
  for (int64_t i = 0; i < Q->n; i++) {
    int diag_done = 0;
    for (int64_t e = Q->rowptr[i]; e <= Q->rowptr[i + 1]; e++) {
      if (!diag_done && (e == Q->rowptr[i + 1] || Q->col[e] > i)) {
        fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)i + 1, accq_generator_diag(Q, i));
        diag_done = 1;
      }
      if (e < Q->rowptr[i + 1]) fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)Q->col[e] + 1, accq_generator_rate(Q, e));
    }
  }
  return fclose(f);
}

/* E[T] = E[N] / X by Little's law, X = sum_i pi_i (departure rate of i): an
 * independent summary for comparing two solves of the same lumped chain. */
static double chain_et(const accq_chain_t *c, const double *pi) {
  int K = c->model.ntypes, L = c->buffer + 1;
  int *cnt = malloc((size_t)K * L * sizeof *cnt);
  double en = 0, x = 0;
  for (int64_t i = 0; cnt && i < c->nstates; i++) {
    accq_chain_state_counts(c, i, cnt);
    double jobs = 0, dep = 0;
    for (int k = 0; k < K; k++)
      for (int q = 1; q < L; q++) {
        jobs += (double)q * cnt[k * L + q];
        dep += cnt[k * L + q] * c->model.types[k].rate;
      }
    en += pi[i] * jobs;
    x += pi[i] * dep;
  }
  free(cnt);
  return en / x;
}

static double loadavg(void) {
  double l = NAN;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) {
    if (fscanf(f, "%lf", &l) != 1) l = NAN;
    fclose(f);
  }
  return l;
}

/* Runs one method (a public solver, or an SOR variant through the internals). */
static double run(const accq_generator_t *Q, const char *label, accq_solver_kind_t kind,
                const accq_i_sor_variant_t *variant, double omega, double max_seconds, double tol, double *pi) {
  accq_stationary_options_t opt;
  accq_stationary_options_init(&opt);
  opt.solver = kind;
  opt.omega = omega;
  opt.max_seconds = max_seconds;
  if (tol > 0) opt.tol = tol;
  opt.verbose = getenv("BENCH_VERBOSE") != NULL;
  accq_stationary_stats_t st;
  memset(&st, 0, sizeof st);
  accq_err_t err;
  accq_err_clear(&err);
  int rc;
  clock_t c0 = clock();
  if (variant) {
    accq_i_solve_t s = {.Q = Q, .opt = opt, .pi = pi, .stats = &st, .err = &err, .t0 = accq_i_now(),
                        .maxexit = accq_i_max_exit(Q)};
    st.subdominant = NAN;
    rc = accq_i_finish(&s, accq_i_solve_sor(&s, variant));
  } else {
    rc = accq_stationary_solve(Q, &opt, pi, &st, &err);
  }
  double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
  printf("%-20s %-22s %7ld iter  residual %9.3g  %8.3f s wall %8.3f s cpu  %s", label, st.name, st.iterations,
         st.residual, st.seconds, cpu, rc == ACCQ_SUCCESS ? "ok" : "FAILED");
  if (!isnan(st.subdominant)) printf("  |lambda2| %.12f", st.subdominant);
  if (rc) printf(" (%s)", err.msg);
  printf("\n");
  fflush(stdout);
  return rc == ACCQ_SUCCESS ? st.seconds : NAN;
}


int main(int argc, char **argv) {
  double states = 0, max_seconds = 120, load = 0.8, tol = 0;
  int nf = 5, ns = 3, B = 10;
  const char *policy = "pop";
  const char *methods = "auto,sor,gs,gs-sym,gs-iad,gs-sym-iad,gs-sym-iad-layer,gs-rb-iad,sor1.4-sym-iad,"
                        "gs-sym-iad-aa5,gs-rb-iad-aa5,sor1.4-sym-iad-aa5,gmres,power,arnoldi";
  const char *mtx = NULL, *storage = "stored";
  int compare_plain = 0;
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "--synthetic") && a + 1 < argc) states = atof(argv[++a]);
    else if (!strcmp(argv[a], "--chain") && a + 3 < argc) {
      nf = atoi(argv[++a]);
      ns = atoi(argv[++a]);
      B = atoi(argv[++a]);
    } else if (!strcmp(argv[a], "--policy") && a + 1 < argc) policy = argv[++a];
    else if (!strcmp(argv[a], "--load") && a + 1 < argc) load = atof(argv[++a]);
    else if (!strcmp(argv[a], "--methods") && a + 1 < argc) methods = argv[++a];
    else if (!strcmp(argv[a], "--max-seconds") && a + 1 < argc) max_seconds = atof(argv[++a]);
    else if (!strcmp(argv[a], "--tol") && a + 1 < argc) tol = atof(argv[++a]);
    else if (!strcmp(argv[a], "--mtx") && a + 1 < argc) mtx = argv[++a];
    else if (!strcmp(argv[a], "--storage") && a + 1 < argc) storage = argv[++a];
    else if (!strcmp(argv[a], "--compare-plain")) compare_plain = 1;
    else {
      fprintf(stderr, "usage: %s [--chain N_FAST N_SLOW B] [--policy P] [--load L] [--synthetic N] "
                      "[--methods LIST] [--max-seconds S] [--tol T] [--mtx FILE] [--storage auto|stored|matrix-free] "
                      "[--compare-plain]\n",
              argv[0]);
      return 2;
    }
  }
  accq_generator_t Q = {0};
  accq_chain_t *chain = NULL;
  accq_policy_t *pol = NULL;
  accq_err_t err;
  double t0 = accq_i_now(), build_seconds = 0;
  if (states > 0) {
    int side = (int)llround(cbrt(states));
    synth_t s = {.cap = {side - 1, side - 1, side - 1}, .servers = {10, 20, 30}, .mu = {3, 2, 1}, .lambda = 90};
    if (build_synth(&s, &Q)) {
      fprintf(stderr, "out of memory building %d^3 states\n", side);
      return 3;
    }
    build_seconds = accq_i_now() - t0;
    printf("synthetic 3-type JSQ-like chain: %lld states, %lld off-diagonal entries, load 0.9, built in %.3f s\n",
           (long long)Q.n, (long long)Q.nnz, build_seconds);
  } else {
    accq_model_t m = bench_model(nf, ns, load);
    accq_chain_options_t copt;
    accq_chain_options_init(&copt);
    copt.max_states = 2000000000;
    if (accq_storage_from_name(storage, &copt.storage, &err)) {
      fprintf(stderr, "%s\n", err.msg);
      return 2;
    }
    if (accq_policy_alloc(&pol, policy, &m, NULL, &err)) {
      fprintf(stderr, "%s\n", err.msg);
      return 3;
    }
    {
      /* the size check's estimate, to set beside the measured peak */
      double est_states = 0, est_bytes = 0;
      int exact = 0;
      if (accq_chain_size_reachable(&m, pol, B, &copt, &est_states, &est_bytes, &exact, &err) == 0)
        printf("estimate: %.0f states, %.3f GiB (%s storage unless auto chooses)\n", est_states,
               est_bytes / (1024.0 * 1024.0 * 1024.0), storage);
    }
    if (accq_chain_build(&chain, &m, pol, B, &copt, &err)) {
      fprintf(stderr, "%s\n", err.msg);
      return 3;
    }
    Q = chain->Q;   /* borrowed: freed with the chain */
    build_seconds = chain->build_seconds;
    printf("lumped %s chain N=(%d,%d) B=%d load %.2f: %lld states, %lld off-diagonal entries, %s storage, "
           "built in %.3f s\n", accq_policy_name(pol), nf, ns, B, load, (long long)Q.n, (long long)Q.nnz,
           accq_storage_name(chain->storage), chain->build_seconds);
    if (!accq_generator_implicit(&Q))
      printf("stored forms: rates %s (%d distinct), diagonal %s (%d distinct); chain %.3f GiB\n",
             Q.val ? "double" : Q.ridx8 ? "1-byte index" : "2-byte index", (int)Q.nrtab,
             Q.diag ? "double" : "2-byte index", (int)Q.ndtab,
             chain->bytes / (1024.0 * 1024.0 * 1024.0));
  }
  printf("load average before: %.2f\n", loadavg());
  if (mtx) {
    t0 = accq_i_now();
    int wst = 0;
    if (chain) {
      FILE *mf = fopen(mtx, "w");
      wst = !mf || accq_chain_write_mtx(chain, mf, &err) != 0;
      if (mf && fclose(mf) != 0) wst = 1;
    } else {
      wst = write_mtx(&Q, mtx);
    }
    if (wst) {
      fprintf(stderr, "cannot write %s\n", mtx);
      return 2;
    }
    printf("wrote %s in %.3f s\n", mtx, accq_i_now() - t0);
  }
  double *pi = malloc((size_t)Q.n * sizeof *pi);
  /* --compare-plain: every method also on a copy of a stored generator with
   * one double per rate and per diagonal (the compact forms' cost, measured
   * in the same run; pi is the same bit for bit: docs/chains.md, "Storage") */
  accq_generator_t P = {0};
  int have_plain = 0;
  if (compare_plain && !accq_generator_implicit(&Q)) {
    if (to_plain(&Q, &P)) {
      fprintf(stderr, "out of memory for the plain copy\n");
      return 3;
    }
    have_plain = 1;
  }
  char list[512];
  snprintf(list, sizeof list, "%s", methods);
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    /* SOR family: gs|sorW followed by any of -sym, -iad, -layer. */
    accq_i_sor_variant_t v = {0};
    double omega = 1.0;
    /* "sor" alone is the public solver (its default variant); "sorW..." a variant. */
    int is_sor = !strncmp(tok, "gs", 2) || (!strncmp(tok, "sor", 3) && tok[3] >= '0' && tok[3] <= '9');
    if (is_sor) {
      if (!strncmp(tok, "sor", 3)) omega = atof(tok + 3);
      v.symmetric = strstr(tok, "-sym") != NULL;
      v.iad = strstr(tok, "-iad") != NULL;
      v.layer_order = strstr(tok, "-layer") != NULL;
      const char *aa = strstr(tok, "-aa");
      if (aa) v.anderson = atoi(aa + (aa[3] == 'f' ? 4 : 3));
      v.redblack = strstr(tok, "-rb") != NULL;
      v.gather = strstr(tok, "-gather") != NULL;
      v.aa_float = strstr(tok, "-aaf") != NULL;
      if (strstr(tok, "-lean")) v.lean = 1;   /* one inflow vector (auto from 4M states) */
    }
    char plain_label[600];
    snprintf(plain_label, sizeof plain_label, "%s(plain)", tok);
    if (is_sor) {
      double secs = run(&Q, tok, ACCQ_SOLVER_SOR, &v, omega, max_seconds, tol, pi);
      if (chain && !isnan(secs)) printf("E[T] = %.15g (Little's law from pi)\n", chain_et(chain, pi));
      if (have_plain) {
        secs = run(&P, plain_label, ACCQ_SOLVER_SOR, &v, omega, max_seconds, tol, pi);
        if (chain && !isnan(secs)) printf("E[T] = %.15g (Little's law from pi)\n", chain_et(chain, pi));
      }
      continue;
    }
    accq_solver_kind_t kind;
    if (accq_solver_from_name(tok, &kind, &err)) {
      fprintf(stderr, "%s\n", err.msg);
      return 2;
    }
    double secs = run(&Q, tok, kind, NULL, 1.0, max_seconds, tol, pi);
    if (chain && !isnan(secs)) printf("E[T] = %.15g (Little's law from pi)\n", chain_et(chain, pi));
    if (kind == ACCQ_SOLVER_AUTO)
      printf("build + auto solve: %.3f s wall\n", build_seconds + secs);
    if (have_plain) {
      secs = run(&P, plain_label, kind, NULL, 1.0, max_seconds, tol, pi);
      if (chain && !isnan(secs)) printf("E[T] = %.15g (Little's law from pi)\n", chain_et(chain, pi));
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("load average after: %.2f; peak memory (maxrss) %.3f GiB\n", loadavg(),
         (double)ru.ru_maxrss / (1024.0 * 1024.0));
  free(pi);
  if (have_plain) accq_generator_free(&P);
  if (chain) {
    accq_chain_free(chain);
    accq_policy_free(pol);
  } else {
    accq_generator_free(&Q);
  }
  return 0;
}
