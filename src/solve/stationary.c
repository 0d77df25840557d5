/* Stationary solve: options, dispatch (`auto` and its fallback), and the common
 * acceptance test of docs/chains.md applied to every method's result. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve_internal.h"

static int run_auto(accq_i_solve_t *s);
static int run_sor(accq_i_solve_t *s);

/* The registry: public description and the method behind each name. */
typedef struct {
  accq_solver_info_t info;
  int (*run)(accq_i_solve_t *s);
} solver_entry_t;

static const solver_entry_t solvers[] = {
    {{"auto", ACCQ_SOLVER_AUTO,
      "dense LU up to 200 states, else SOR (omega 1.4) with aggregation by BFS layer and "
      "Anderson acceleration; falls back to SOR / Arnoldi",
      ACCQ_SOLVER_CAP_ITERATIVE | ACCQ_SOLVER_CAP_NO_COPY},
     run_auto},
    {{"dense", ACCQ_SOLVER_DENSE, "GSL LU on Q^T with one balance row replaced by the normalization",
      ACCQ_SOLVER_CAP_SMALL_ONLY},
     accq_i_solve_dense},
    {{"sor", ACCQ_SOLVER_SOR,
      "Gauss-Seidel/SOR (omega from the options) with aggregation and Anderson acceleration",
      ACCQ_SOLVER_CAP_ITERATIVE | ACCQ_SOLVER_CAP_NO_COPY},
     run_sor},
    {{"gmres", ACCQ_SOLVER_GMRES, "GSL restarted GMRES on the balance equations",
      ACCQ_SOLVER_CAP_ITERATIVE},
     accq_i_solve_gmres},
    {{"power", ACCQ_SOLVER_POWER, "power iteration on the uniformized chain P = I + Q/q",
      ACCQ_SOLVER_CAP_ITERATIVE},
     accq_i_solve_power},
    {{"arnoldi", ACCQ_SOLVER_ARNOLDI,
      "ARPACK-ng on P: the leading eigenvector, and |lambda_2|",
      ACCQ_SOLVER_CAP_ITERATIVE | ACCQ_SOLVER_CAP_SPECTRUM},
     accq_i_solve_arnoldi},
};
#define NSOLVERS ((int)(sizeof solvers / sizeof solvers[0]))

const accq_solver_info_t *accq_solver_registry(int *count) {
  /* the public part is the first member of every entry, but the entries are
   * larger: hand out a copy laid out as a plain array */
  static accq_solver_info_t infos[NSOLVERS];
  for (int i = 0; i < NSOLVERS; i++) infos[i] = solvers[i].info;
  if (count) *count = NSOLVERS;
  return infos;
}

const char *accq_solver_names_text(void) {
  static char text[256];
  if (!text[0]) {
    size_t at = 0;
    for (int i = 0; i < NSOLVERS && at < sizeof text; i++)
      at += (size_t)snprintf(text + at, sizeof text - at, "%s%s%s", i ? ", " : "", solvers[i].info.name,
                             solvers[i].info.kind == ACCQ_SOLVER_AUTO ? " (default)" : "");
  }
  return text;
}

void accq_stationary_options_init(accq_stationary_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  opt->solver = ACCQ_SOLVER_AUTO;
  opt->tol = 1e-12;
  opt->max_iter = 0;   /* per-solver default */
  opt->omega = 1.0;
  opt->max_seconds = 0.0;
  opt->verbose = 0;
}

int accq_solver_from_name(const char *name, accq_solver_kind_t *kind, accq_err_t *err) {
  for (int i = 0; name && i < NSOLVERS; i++) {
    if (strcmp(name, solvers[i].info.name) == 0) {
      *kind = solvers[i].info.kind;
      return ACCQ_SUCCESS;
    }
  }
  return accq_err_set(err, ACCQ_EINVAL, "unknown solver '%s' (expected one of: %s)",
                      name ? name : "(null)", accq_solver_names_text());
}

const char *accq_solver_name(accq_solver_kind_t kind) {
  for (int i = 0; i < NSOLVERS; i++)
    if (solvers[i].info.kind == kind) return solvers[i].info.name;
  return "unknown";
}

int accq_i_elapsed_over(const accq_i_solve_t *s) {
  return s->opt.max_seconds > 0.0 && accq_i_now() - s->t0 > s->opt.max_seconds;
}

void accq_i_solve_tiny(const accq_generator_t *Q, double *pi, double *subdominant) {
  if (Q->n == 1) {
    pi[0] = 1.0;
    if (subdominant) *subdominant = NAN;   /* P = [1] has no second eigenvalue */
    return;
  }
  /* Two states: pi = (b, a) / (a + b) with a = Q01, b = Q10; P = I + Q/q has
   * eigenvalues 1 and 1 - (a + b)/q. */
  double a = -accq_generator_diag(Q, 0), b = -accq_generator_diag(Q, 1);
  pi[0] = b / (a + b);
  pi[1] = a / (a + b);
  if (subdominant) {
    double q = ACCQ_UNIF_FACTOR * (a > b ? a : b);
    *subdominant = fabs(1.0 - (a + b) / q);
  }
}

double *accq_i_dense_P(const accq_generator_t *Q, double q) {
  int64_t n = Q->n;
  double *P = calloc((size_t)(n * n), sizeof *P);
  if (!P) return NULL;
  for (int64_t i = 0; i < n; i++) {
    P[i * n + i] = 1.0 + accq_generator_diag(Q, i) / q;
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) P[i * n + Q->col[e]] += accq_generator_rate(Q, e) / q;
  }
  return P;
}

int accq_i_finish(accq_i_solve_t *s, int status) {
  const accq_generator_t *Q = s->Q;
  accq_stationary_stats_t *st = s->stats;
  double *pi = s->pi;
  int64_t n = Q->n;
  st->seconds = accq_i_now() - s->t0;
  st->converged = 0;
  if (status != ACCQ_SUCCESS && status != ACCQ_ENOCONV) {
    st->residual = NAN;
    return status;   /* the method filled err */
  }
  /* Normalize (the methods return any positive multiple), then the sign test. */
  double sum = 0.0;
  for (int64_t i = 0; i < n; i++) sum += pi[i];
  if (!(fabs(sum) > 0.0) || !isfinite(sum)) {
    st->residual = NAN;
    return accq_err_set(s->err, ACCQ_ENOCONV,
                        "solver %s: iterate has sum %g after %ld iterations (no usable estimate)",
                        st->name, sum, st->iterations);
  }
  for (int64_t i = 0; i < n; i++) pi[i] /= sum;
  int64_t worst = -1;
  for (int64_t i = 0; i < n; i++) {
    if (pi[i] < 0.0) {
      if (pi[i] > -1e-15) pi[i] = 0.0;
      else if (worst < 0 || pi[i] < pi[worst]) worst = i;
    }
  }
  st->residual = accq_stationary_residual(Q, pi);
  /* Keep the method's own reason (iteration limit, time limit, ARPACK info). */
  char why[ACCQ_ERR_MSG_MAX / 2] = "";
  if (status == ACCQ_ENOCONV && s->err && s->err->msg[0])
    snprintf(why, sizeof why, ": %.400s", s->err->msg);
  if (worst >= 0)
    return accq_err_set(s->err, ACCQ_ENOCONV,
                        "solver %s: pi[%lld] = %.3g < -1e-15 after %ld iterations (residual %.3g)%s",
                        st->name, (long long)worst, pi[worst], st->iterations, st->residual, why);
  if (!(st->residual <= s->opt.tol)) {
    return accq_err_set(s->err, ACCQ_ENOCONV,
                        "solver %s did not converge: residual %.3g > tol %.3g after %ld iterations "
                        "(%.3g s)%s",
                        st->name, st->residual, s->opt.tol, st->iterations, st->seconds, why);
  }
  st->converged = 1;
  return ACCQ_SUCCESS;
}

static int run_sor(accq_i_solve_t *s) {
  accq_i_sor_variant_t v;
  accq_i_sor_variant_default(&v);
  return accq_i_solve_sor(s, &v);
}

/* auto's iterative choice: SOR with the relaxation measured best. */
static int run_auto(accq_i_solve_t *s) {
  double omega = s->opt.omega;
  s->opt.omega = ACCQ_AUTO_OMEGA;
  int rc = run_sor(s);
  s->opt.omega = omega;
  return rc;
}

static int run_method(accq_i_solve_t *s, accq_solver_kind_t kind) {
  for (int i = 0; i < NSOLVERS; i++)
    if (solvers[i].info.kind == kind) return solvers[i].run(s);
  return accq_err_set(s->err, ACCQ_EINVAL, "solver kind %d is not a method", (int)kind);
}

static int solve_one_stored(accq_i_solve_t *s, accq_solver_kind_t kind);

/* Matrix-free generators: SOR sweeps regenerate the rows; every other method
 * (dense, GMRES, power, Arnoldi, the closed forms of 1-2 states) runs on a
 * stored copy, made here and freed after (ACCQ_ENOMEM when it does not fit). */
static int solve_one(accq_i_solve_t *s, accq_solver_kind_t kind) {
  const accq_generator_t *Q = s->Q;
  int sor = kind == ACCQ_SOLVER_SOR || kind == ACCQ_SOLVER_AUTO;
  if (!accq_generator_implicit(Q) || (sor && Q->n > 2)) return solve_one_stored(s, kind);
  accq_generator_t M;
  int rc = accq_i_materialize(Q, &M, s->err);
  if (rc) return rc;
  s->Q = &M;
  rc = solve_one_stored(s, kind);
  s->Q = Q;
  accq_generator_free(&M);
  return rc;
}

static int solve_one_stored(accq_i_solve_t *s, accq_solver_kind_t kind) {
  snprintf(s->stats->name, sizeof s->stats->name, "%s", kind == ACCQ_SOLVER_DENSE ? "dense-lu"
                                                          : kind == ACCQ_SOLVER_AUTO ? "sor"
                                                          : accq_solver_name(kind));
  s->stats->iterations = 0;
  s->stats->subdominant = NAN;
  if (s->Q->n <= 2) {
    /* Closed form; every method (ARPACK included) would only see a degenerate
     * problem here. */
    double sub = NAN;
    accq_i_solve_tiny(s->Q, s->pi, &sub);
    if (kind == ACCQ_SOLVER_ARNOLDI) s->stats->subdominant = sub;
    return accq_i_finish(s, ACCQ_SUCCESS);
  }
  return accq_i_finish(s, run_method(s, kind));
}

int accq_stationary_solve(const accq_generator_t *Q, const accq_stationary_options_t *opt,
                          double *pi, accq_stationary_stats_t *stats, accq_err_t *err) {
  accq_stationary_options_t def;
  accq_stationary_stats_t local;
  if (!opt) {
    accq_stationary_options_init(&def);
    opt = &def;
  }
  if (!stats) stats = &local;
  memset(stats, 0, sizeof *stats);
  stats->residual = NAN;
  stats->subdominant = NAN;
  int rc = accq_i_check_generator(Q, err);
  if (rc) return rc;
  if (!pi) return accq_err_set(err, ACCQ_EINVAL, "pi is NULL");
  if (!(opt->tol > 0.0) || !isfinite(opt->tol))
    return accq_err_set(err, ACCQ_EINVAL, "solver tolerance must be > 0 (got %g)", opt->tol);
  if (opt->max_iter < 0)
    return accq_err_set(err, ACCQ_EINVAL, "max_iter must be >= 0 (got %ld)", opt->max_iter);
  if (!(opt->omega > 0.0 && opt->omega < 2.0))
    return accq_err_set(err, ACCQ_EINVAL, "SOR omega must be in (0, 2) (got %g)", opt->omega);
  if (!(opt->max_seconds >= 0.0))
    return accq_err_set(err, ACCQ_EINVAL, "max_seconds must be >= 0 (got %g)", opt->max_seconds);

  accq_i_solve_t s = {.Q = Q, .opt = *opt, .pi = pi, .stats = stats, .err = err,
                      .t0 = accq_i_now(), .maxexit = accq_i_max_exit(Q)};
  if (opt->solver != ACCQ_SOLVER_AUTO) return solve_one(&s, opt->solver);

  /* auto: dense LU for small chains (exact up to rounding, cheaper than setting
   * up an iteration), otherwise SOR (omega 1.4) with aggregation-disaggregation
   * and Anderson acceleration (fastest method measured, bench/README.md); on
   * failure fall back to SOR (after dense) or to Arnoldi (after SOR). */
  accq_solver_kind_t first = Q->n <= ACCQ_AUTO_DENSE_MAX ? ACCQ_SOLVER_DENSE : ACCQ_SOLVER_AUTO;
  rc = solve_one(&s, first);
  if (rc != ACCQ_ENOCONV && rc != ACCQ_ENUMERIC) return rc;
  const int first_rc = rc;
  char first_msg[ACCQ_ERR_MSG_MAX];
  snprintf(first_msg, sizeof first_msg, "%s", err ? err->msg : "");
  char first_name[32];
  snprintf(first_name, sizeof first_name, "%s", stats->name);
  double t_first = stats->seconds;
  /* Fallback: another family of method (ARPACK converged on every chain
   * tried, slower), so that one method's weakness is not repeated. */
  accq_solver_kind_t second = first == ACCQ_SOLVER_DENSE ? ACCQ_SOLVER_SOR : ACCQ_SOLVER_ARNOLDI;
  if (second == ACCQ_SOLVER_ARNOLDI && accq_generator_implicit(Q)) {
    /* Arnoldi needs the matrix, which matrix-free storage was chosen not to
     * hold: no fallback, the first method's outcome stands. */
    if (err) accq_err_prefix(err, "auto (matrix-free: no stored matrix for the Arnoldi fallback)");
    return rc;
  }
  accq_err_clear(err);
  rc = solve_one(&s, second);
  char name2[32];
  snprintf(name2, sizeof name2, "%s", stats->name);
  snprintf(stats->name, sizeof stats->name, "%.12s>%.12s", first_name, name2);
  stats->seconds = accq_i_now() - s.t0;
  if (rc == ACCQ_SUCCESS) return rc;
  /* a fallback refused for its size leaves the first method's failure the
   * outcome (with both reasons) */
  if (rc == ACCQ_ETOOBIG) rc = first_rc;
  if (err) {
    char second_msg[ACCQ_ERR_MSG_MAX];
    snprintf(second_msg, sizeof second_msg, "%s", err->msg);
    accq_err_set(err, rc, "auto: %s failed (%.3g s: %.400s); fallback %s failed: %.400s",
                 first_name, t_first, first_msg, name2, second_msg);
  }
  return rc;
}
