/* Stationary distributions pi Q = 0, sum pi = 1 of a generator (docs/chains.md).
 *
 * A solve is accepted when max_j |(pi Q)_j| <= tol * max_j |Q_jj| and pi >= 0
 * (entries above -1e-15 are clipped to 0); otherwise ACCQ_ENOCONV is returned
 * with pi holding the best iterate and stats->residual the residual reached.
 */
#ifndef ACCQ_STATIONARY_H
#define ACCQ_STATIONARY_H

#include <complex.h>

#include "accq/chain.h"

typedef enum {
  ACCQ_SOLVER_AUTO = 0,
  ACCQ_SOLVER_DENSE,      /* GSL LU on the dense (Q^T with one row replaced by 1s) */
  ACCQ_SOLVER_SOR,        /* Gauss-Seidel / SOR on pi Q = 0 */
  ACCQ_SOLVER_GMRES,      /* GSL splinalg GMRES */
  ACCQ_SOLVER_POWER,      /* power iteration on the uniformized chain P = I + Q/q */
  ACCQ_SOLVER_ARNOLDI     /* ARPACK-ng on P: leading eigenvector, also the subdominant eigenvalue */
} accq_solver_kind_t;

typedef struct {
  accq_solver_kind_t solver;
  double tol;             /* default 1e-12 (docs/chains.md) */
  long max_iter;          /* default depends on the solver */
  double omega;           /* SOR relaxation, default 1 (Gauss-Seidel) */
  double max_seconds;     /* 0 = no limit */
  double max_bytes;       /* memory a method may allocate besides Q and pi (checked
                             before allocating; arnoldi's workspace); 0 = 3/4 of the
                             available memory (accq_chain_max_bytes_default) */
  int verbose;
} accq_stationary_options_t;

typedef struct {
  char name[32];          /* method actually used ("sor", "dense-lu", ...) */
  long iterations;
  double residual;        /* max |(pi Q)_j| / max |Q_jj| */
  double seconds;
  int converged;
  double subdominant;     /* |lambda_2| of P (arnoldi only, else NaN) */
} accq_stationary_stats_t;

void accq_stationary_options_init(accq_stationary_options_t *opt);

/* The solver registry: one entry per stationary solver, in accq_solver_kind_t
 * order; --solver parsing, its help text and the messages derive from it. */
#define ACCQ_SOLVER_CAP_ITERATIVE 1u   /* stops at tol; honours max_iter and max_seconds */
#define ACCQ_SOLVER_CAP_SMALL_ONLY 2u  /* dense: refuses above 8000 states */
#define ACCQ_SOLVER_CAP_SPECTRUM 4u    /* reports |lambda_2| of P */
#define ACCQ_SOLVER_CAP_NO_COPY 8u     /* works on Q as built: no transposed copy */
typedef struct {
  const char *name;            /* as given to --solver */
  accq_solver_kind_t kind;
  const char *description;     /* one line, for help and docs */
  unsigned caps;               /* ACCQ_SOLVER_CAP_* */
} accq_solver_info_t;
/* The entries (*count of them; count may be NULL). */
const accq_solver_info_t *accq_solver_registry(int *count);
/* "auto (default), dense, sor, gmres, power, arnoldi": the names for help texts. */
const char *accq_solver_names_text(void);

/* Parses a registry name. */
int accq_solver_from_name(const char *name, accq_solver_kind_t *kind, accq_err_t *err);
const char *accq_solver_name(accq_solver_kind_t kind);

/* Solves; pi has Q->n entries (caller-owned).  Q may be matrix-free
 * (accq_generator_implicit: a chain built with ACCQ_STORAGE_MATRIX_FREE):
 * sor and auto then regenerate its rows in every sweep (the same iterates
 * as on the stored rows when both number the states alike; a lumped chain
 * numbered by rank agrees to rounding: docs/chains.md, "Storage"); dense, gmres, power and arnoldi (and auto
 * on at most 200 states) run on a stored copy made for the call, and auto's
 * Arnoldi fallback is not tried.   `auto`: dense LU up to 200
 * states, otherwise SOR (omega 1.4) with aggregation-disaggregation by BFS
 * layer and Anderson acceleration; if that fails, dense -> sor and sor ->
 * arnoldi are tried, and stats->name says so ("sor-sym-iad-aa>arnoldi").  Every
 * method ends with docs/chains.md's check.  Errors: ACCQ_EINVAL (bad generator or
 * options, named), ACCQ_ENOCONV (residual or sign test failed: pi holds the
 * best iterate, stats->residual its residual, the message both), ACCQ_ETOOBIG
 * (dense above 8000 states; arnoldi when its workspace, a transposed copy of Q
 * and the Krylov basis, is over opt->max_bytes: checked before
 * allocating, and auto's fallback so refused leaves SOR's ACCQ_ENOCONV with
 * both reasons), ACCQ_ENOMEM.  Cost of `auto` on the lumped
 * chains: about 35-60 iterations of 2.5 passes over Q (3 from
 * ACCQ_SOR_LEAN_STATES states) (bench/README.md); memory besides Q about 79
 * bytes per state, 55 from ACCQ_SOR_LEAN_STATES states (no transposed copy:
 * SOR sweeps the rows; docs/chains.md, "Storage"). */
/* From this many states SOR trades some time for memory: Anderson depth 3
 * instead of 5 and one inflow vector instead of two (docs/chains.md,
 * "Storage"). */
#define ACCQ_SOR_LEAN_STATES 4000000

int accq_stationary_solve(const accq_generator_t *Q, const accq_stationary_options_t *opt,
                          double *pi, accq_stationary_stats_t *stats, accq_err_t *err);

/* docs/chains.md's residual max_j |(pi Q)_j| / max_j |Q_jj| of pi as given (not
 * renormalized); 0 for a 1-state chain, NaN if a work vector cannot be
 * allocated.  O(nnz). */
double accq_stationary_residual(const accq_generator_t *Q, const double *pi);

/* The k eigenvalues of largest modulus of the uniformized matrix P = I + Q/q,
 * q = 1.02 max_i |Q_ii| (ARPACK on P^T; the dense GSL eigensolver when
 * k > n - 2), sorted by decreasing modulus; eig has k entries (caller-owned).
 * Errors: ACCQ_EINVAL (k outside [1, n], bad generator), ACCQ_ENOCONV (ARPACK
 * did not converge; its info code in the message), ACCQ_ENOMEM.
 * Cost: O(nnz * restarts * max(2k+1, 20)) time, O(n * max(2k+1, 20)) memory. */
int accq_spectrum(const accq_generator_t *Q, int k, double complex *eig, accq_err_t *err);

#endif
