/* Internals of the stationary solvers (never installed). */
#ifndef ACCQ_SOLVE_INTERNAL_H
#define ACCQ_SOLVE_INTERNAL_H

#include <stdint.h>

#include "accq/stationary.h"

/* Uniformization constant q = ACCQ_UNIF_FACTOR * max_i |Q_ii|: strictly above the
 * largest exit rate so that every state keeps a self-loop in P = I + Q/q, which
 * makes P aperiodic (the occupancy chains are bipartite: every transition changes
 * the job count by one, so with q = max|Q_ii| exactly P could have eigenvalue -1). */
#define ACCQ_UNIF_FACTOR 1.02

/* Default iteration limits per solver (opt->max_iter = 0). */
#define ACCQ_SOR_MAX_ITER 50000L
#define ACCQ_POWER_MAX_ITER 10000000L
#define ACCQ_GMRES_MAX_ITER 20000L   /* restart cycles */
#define ACCQ_ARNOLDI_MAX_ITER 5000L  /* implicit restarts */
/* Dense LU refuses above this many states (n^2 doubles: 512 MB). */
#define ACCQ_DENSE_MAX_STATES 8000
/* `auto` uses dense LU up to this many states: SOR-IAD-AA is already faster at
 * 343 states (1 ms vs 5 ms) and 450x faster at 2197 (bench/README.md). */
#define ACCQ_AUTO_DENSE_MAX 200
/* SOR relaxation used by `auto` (measured on lumped pop chains, bench/README.md). */
#define ACCQ_AUTO_OMEGA 1.4

/* A CSR matrix (off-diagonal entries); used for Q^T: row j = transitions into j. */
typedef struct {
  int64_t n, nnz;
  int64_t *rowptr;
  int32_t *col;
  double *val;
} accq_i_csr_t;

/* Q^T of the off-diagonal part of Q (columns sorted).  O(n + nnz). */
int accq_i_transpose(const accq_generator_t *Q, accq_i_csr_t *T, accq_err_t *err);
void accq_i_csr_free(accq_i_csr_t *T);

/* Validates Q: n >= 1 and < 2^31, arrays present, columns in range and off the
 * diagonal, rates > 0 and finite, diag[i] = -(row sum) to 1e-9 relative, and
 * diag[i] < 0 when n > 1 (no absorbing state).  O(nnz). */
int accq_i_check_generator(const accq_generator_t *Q, accq_err_t *err);

double accq_i_max_exit(const accq_generator_t *Q);   /* max_i |Q_ii| */

/* A stored copy (one double per rate) of a matrix-free generator, for the
 * methods that need the matrix; ACCQ_ENOMEM with the sizes when it does not
 * fit.  The caller frees M with accq_generator_free. */
int accq_i_materialize(const accq_generator_t *Q, accq_generator_t *M, accq_err_t *err);
double accq_i_now(void);                             /* monotonic seconds */

/* docs/chains.md residual max_j |(x Q)_j| / (sum(x) * max|Q_jj|) computed by gathering
 * over T = Q^T (off-diagonal part), the diagonal read from Q (parallel when
 * OpenMP is on).  O(nnz). */
double accq_i_residual_T(const accq_i_csr_t *T, const accq_generator_t *Q, const double *x,
                         double maxexit);

/* Per-solve context handed to each method. */
typedef struct {
  const accq_generator_t *Q;
  accq_stationary_options_t opt;   /* defaults resolved: tol > 0, max_iter > 0 */
  double *pi;
  accq_stationary_stats_t *stats;
  accq_err_t *err;
  double t0;                       /* accq_i_now() at the start */
  double maxexit;
} accq_i_solve_t;

int accq_i_elapsed_over(const accq_i_solve_t *s);   /* max_seconds reached? */

/* Variants of the SOR family (bench/bench_solve.c compares them). */
typedef struct {
  int iad;           /* 1: aggregation-disaggregation by BFS layer from state 0 */
  int symmetric;     /* 1: forward then backward sweep per iteration */
  int layer_order;   /* 1: sweep the states in BFS-layer order */
  int anderson;      /* > 0: Anderson acceleration of depth m over the iteration map;
                        ACCQ_ANDERSON_AUTO: by size */
  int redblack;      /* 1: on bipartite chains, sweep by BFS-layer parity (parallel) */
  int gather;        /* 1: the former form: build Q^T and gather each state's inflow
                        (0: scatter along the rows of Q, no copy of the matrix) */
  int aa_float;      /* 1: Anderson's residual history f_j in float (4 bytes) */
  int lean;          /* 1: one inflow vector, and depth 3 when anderson is auto;
                        -1 (default): from ACCQ_SOR_LEAN_STATES states */
} accq_i_sor_variant_t;
#define ACCQ_ANDERSON_MAX 8
/* accq_i_sor_variant_t.anderson: depth 5, or 3 when lean */
#define ACCQ_ANDERSON_AUTO (-1)

void accq_i_sor_variant_default(accq_i_sor_variant_t *v);

/* Methods: each fills s->pi with its best iterate (any positive scaling) and
 * s->stats->iterations and returns ACCQ_SUCCESS when its own stopping test was
 * met; accq_stationary_solve then normalizes, clips and checks docs/chains.md. */
int accq_i_solve_dense(accq_i_solve_t *s);
int accq_i_solve_sor(accq_i_solve_t *s, const accq_i_sor_variant_t *v);
int accq_i_solve_gmres(accq_i_solve_t *s);
int accq_i_solve_power(accq_i_solve_t *s);
int accq_i_solve_arnoldi(accq_i_solve_t *s);
/* Arnoldi's workspace in bytes on Q (checked before allocating). */
double accq_i_arnoldi_bytes(const accq_generator_t *Q);

/* Closed forms for 1 and 2 states (pi and |lambda_2| of P). */
void accq_i_solve_tiny(const accq_generator_t *Q, double *pi, double *subdominant);

/* Normalizes s->pi, clips entries in (-1e-15, 0), computes the residual into
 * stats and decides (ACCQ_SUCCESS or ACCQ_ENOCONV with the residual in the
 * message).  `status` is the method's own status: other errors pass through. */
int accq_i_finish(accq_i_solve_t *s, int status);

/* Dense P = I + Q/q (row-major n*n, caller frees) for small n. */
double *accq_i_dense_P(const accq_generator_t *Q, double q);

#endif
