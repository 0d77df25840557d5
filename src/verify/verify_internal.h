/* Internals of the verification module (never installed). */
#ifndef ACCQ_VERIFY_INTERNAL_H
#define ACCQ_VERIFY_INTERNAL_H

#include <stddef.h>

#include "accq/lp.h"
#include "accq/sim.h"
#include "accq/verify.h"

/* The stationary solver of verify, converge and sweep: Gauss-Seidel (SOR with
 * omega = 1) is the fastest on these chains at every size; `auto` would pick
 * dense LU below a few hundred states, which dominates a grid of thousands of
 * small chains.  ENOCONV falls back to `auto` (accq_i_chain).  Claim 5 compares
 * every solver on one chain. */
#define ACCQ_I_SOLVER ACCQ_SOLVER_SOR

/* Resolves a copy of m at load `load` (fraction of Lambda_max(a*)) and scale
 * `scale`, buffer auto. */
int accq_i_model_at(const accq_model_t *m, double load, int scale, accq_model_t *out,
                    accq_err_t *err);

/* T_LP at admitted rate X per unit scale (NaN when infeasible or X <= 0): the
 * LP module's one T_LP-at-a-rate function (accq_lp_bound_at) at the model's a*. */
double accq_i_t_lp_at(const accq_model_t *m, double x_per_unit);
/* The same at accuracy target `target` (NaN: a*): a policy that does not meet
 * a* by construction, of accuracy A, is held to accq_model_target_held(m, A) =
 * min(A - 1e-9, a*) (docs/policies.md, "Meeting the target"). */
double accq_i_t_lp_held(const accq_model_t *m, double x_per_unit, double target);

/* Exact chain of `policy` on mm (resolved) with buffer B (0 = auto), solver
 * kind `solver` to residual tol (0: the default 1e-12). */
int accq_i_chain(const accq_model_t *mm, const char *policy, int buffer, int explicit_chain,
                 int64_t max_states, int max_buffer, int solver, double tol,
                 accq_analysis_t *an, accq_err_t *err);

/* The t_opt hook of claim 1 (accq optimal), or NULL when this build has no
 * optimal module. */
accq_verify_topt_fn accq_i_default_topt(void);

/* Closed form of random-lp with buffer B: every server an M/M/1/B. */
void accq_i_random_lp_product_form(const accq_model_t *mm, const double *split, int buffer,
                                   double *mean_response_time, double *accuracy,
                                   double *loss);

/* accq_verify_simulate with a test fault: forget_warmup = 1 simulates with
 * no warm-up from the empty state and no MSER-5 truncation (the simulator's
 * bias diagnostics must then warn; verify's fault "sim-forget-warmup"). */
int accq_i_simulate(const accq_model_t *m, const char *policy, int replications, long jobs,
                    unsigned long seed, int threads, int forget_warmup, accq_verify_sim_t *out,
                    accq_err_t *err);

/* 1 when a type in use has a mean service time over a tenth of res's measured
 * window (jobs / lambda): such a run cannot reach the stationary law and is
 * not evidence; the reason, naming the type, goes to why.  0 otherwise. */
int accq_i_sim_slow_type(const accq_model_t *mm, const accq_sim_result_t *res, char *why,
                         size_t size);

/* ---- the limits of a verify run ----
 *
 * accq_verify_model sets them for its own thread while it runs and clears
 * them when it returns; sweep and converge run without them.
 *
 * The time limit (accq_verify_options_t.time_limit) is honoured
 * cooperatively by the shared helpers: accq_i_chain gives the stationary
 * solver the time left (max_seconds) and starts nothing after the deadline;
 * accq_i_simulate and claim 6 start no simulation after it (one that has
 * started runs to its end: it is bounded by its number of jobs); the
 * mean-field limits get the time left; claim 1's optimum is not started
 * after it.  A step refused or cut short this way fails with ACCQ_ENOCONV and
 * a message saying that the time limit was reached; the row that was running
 * is then reported as stopped (accq_claim_row_t.stopped).
 *
 * The iteration cap: Gauss-Seidel (ACCQ_I_SOLVER) in verify's chains stops
 * after ACCQ_I_SOR_MAX_ITER iterations, and accq_i_chain does not fall back
 * to the other solvers after it (see there). */
typedef struct {
  double deadline;     /* accq_clock_now() seconds; 0: no limit */
  double limit;        /* the limit in seconds (for the messages) */
  int reached;         /* set once a step found the deadline passed */
  long sor_max_iter;   /* 0: the solver's own default */
} accq_i_limits_t;

/* This thread's limits (never NULL; all 0 outside accq_verify_model). */
accq_i_limits_t *accq_i_limits(void);

/* ACCQ_ENOCONV, with "time limit of S s reached (--time-limit)" in err, when
 * this thread's deadline has passed (and marks it reached); else 0. */
int accq_i_time_check(accq_err_t *err);

/* Seconds left before this thread's deadline (INFINITY without one; <= 0
 * once it has passed). */
double accq_i_time_left(void);

/* Gauss-Seidel iterations verify's chains may take: the bundled models' grid
 * chains converge in at most 229 (measured over a whole `accq verify`), so
 * about 9 times that is generous for a well-conditioned chain.  A chain that
 * needs more is stiff: service rates many orders of magnitude apart, whose
 * slow modes every iterative solver resolves at a cost that grows with the
 * ratio (SOR, power and Arnoldi on the uniformized chain alike), so the
 * fallback solvers would take as long; the chain is reported as not
 * converged instead of being solved for minutes. */
#define ACCQ_I_SOR_MAX_ITER 2000L

#endif
