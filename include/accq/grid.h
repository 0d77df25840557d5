/* Grids of results: sweeps of one model parameter (accq sweep) and the
 * convergence of a policy's gap to the LP bound as the system grows (accq
 * converge), and what a result without a number says (result cells).
 *
 * A grid is a list of cells, each computed on its own: the result of cell i
 * depends only on the grid's inputs and i (never on the order of evaluation or
 * on other cells; a simulation's seed is derived from the options and i), so
 * that cells may be farmed out (threads, MPI) and gathered in any order:
 *
 *   accq_sweep_grid_t *g;
 *   accq_sweep_grid_alloc(&g, &model, "load", xs, nx, policies, npol, &opt, &err);
 *   for (int c = 0; c < accq_sweep_grid_ncells(g); c++)   // any order, any process
 *     accq_sweep_grid_eval(g, c, &err);
 *   ... accq_sweep_grid_cell(g, i, p), accq_sweep_grid_bound(g, i) ...
 *   accq_sweep_grid_free(g);
 *
 * The meaning of the cell statuses, their JSON/CSV names and their exit
 * statuses: docs/output.md ("cell statuses").
 */
#ifndef ACCQ_GRID_H
#define ACCQ_GRID_H

#include <stddef.h>
#include <stdint.h>

#include "accq/fit.h"
#include "accq/measures.h"
#include "accq/model.h"

/* ---- result cells: a number, or why there is none ------------------------------ */

/* What became of one result.  Only ACCQ_CELL_OK carries numbers; every other
 * status comes with a reason and no number that could be mistaken for an
 * answer.  Exit statuses: ok 0; truncated, too_large, not_converged, failed 3
 * (numerical); unstable, beyond_capacity, infeasible 4 (no answer exists). */
typedef enum {
  ACCQ_CELL_OK = 0,          /* exact chain whose truncation is negligible (boundary mass
                                <= 1e-9 and E[T] settled), an exact finite-buffer chain
                                (the model's own B), or a simulation estimate */
  ACCQ_CELL_TRUNCATED,       /* a chain was solved but its truncation is not negligible */
  ACCQ_CELL_TOO_LARGE,       /* over the state limit or the memory */
  ACCQ_CELL_NOT_CONVERGED,   /* a stationary solve or a percentile did not converge */
  ACCQ_CELL_FAILED,          /* another numerical failure (message in the reason) */
  ACCQ_CELL_UNSTABLE,        /* the policy cannot serve the offered load */
  ACCQ_CELL_BEYOND_CAPACITY, /* the offered load is beyond what any policy can serve */
  ACCQ_CELL_INFEASIBLE       /* the accuracy target cannot be met (no LP split, no bound) */
} accq_cell_status_t;
#define ACCQ_CELL_NSTATUS (ACCQ_CELL_INFEASIBLE + 1)

#define ACCQ_CELL_MAX_WARNINGS 4
#define ACCQ_CELL_WARNING_MAX 512

/* "ok", "truncated", "too_large", "not_converged", "failed", "unstable",
 * "beyond_capacity", "infeasible" (the JSON/CSV "status" values). */
const char *accq_cell_status_name(accq_cell_status_t s);
/* What a cell without a number shows in the human formats ("truncated",
 * "too large", "no convergence", ...; "-" for ok). */
const char *accq_cell_status_label(accq_cell_status_t s);
/* The exit status a cell with this status asks for: 0, 3 or 4. */
int accq_cell_exit_code(accq_cell_status_t s);
/* The cell status of a library status code (ETOOBIG and ENOMEM: too_large, ...). */
accq_cell_status_t accq_cell_status_of(int accq_status);
/* Statuses no cell can carry: the question itself is wrong (EINVAL, EMODEL,
 * EIO, EUSAGE) or the run was interrupted (EINTR).  A grid returns these. */
int accq_cell_is_hard_error(int accq_status);

/* Progress: `what` names the current step; fraction in [0,1]. */
typedef void (*accq_grid_progress_fn)(void *ctx, const char *what, double fraction);

/* ---- convergence (accq converge) ----------------------------------------------- */

typedef struct {
  int scale;                /* m */
  accq_cell_status_t status;/* ok: the numbers below hold; otherwise they are NaN */
  char reason[2048];        /* why not ok (empty when ok) */
  int exact;                /* 1: chain, 0: simulation */
  int buffer;               /* B of the chain (0 for simulation: infinite) */
  int64_t states;
  double boundary_mass;     /* chain only */
  double mean_response_time, ci95;   /* ci95 = 0 for chains */
  double accuracy;
  double t_lp;              /* bound at the admitted rate */
  double gap, gap_lo, gap_hi;        /* E[T]/t_lp - 1 with its 95% interval */
  int nwarnings;            /* simulation bias diagnostics (the estimate may be biased) */
  char warnings[ACCQ_CELL_MAX_WARNINGS][ACCQ_CELL_WARNING_MAX];
} accq_converge_point_t;

typedef struct {
  int64_t max_states;       /* chain when the state space fits (default 2e5: the limit
                               chooses between a chain and a simulation) */
  int max_buffer;           /* auto buffer stops here (default 80) */
  int force_sim;            /* simulate every scale */
  int replications;         /* default 10 */
  long jobs;                /* per replication (default 200000) */
  unsigned long seed;       /* size i simulates with seed + i */
  int threads;              /* simulation threads (default 1; 0 = all) */
  accq_grid_progress_fn progress;
  void *progress_ctx;
} accq_converge_options_t;

void accq_converge_options_init(accq_converge_options_t *opt);

/* One cell of the convergence grid: the gap of `policy` to t_lp at size
 * `scale`, the i-th size of the grid (its simulation seed is opt->seed + i).
 * m is the model (resolved or not; the infinite-buffer question is asked
 * whatever its buffer).  The exact chain when it fits max_states and its auto
 * buffer makes the truncation negligible (boundary mass <= 1e-9, E[T]
 * settled), else a simulation.  A size with no answer (the policy unstable
 * there, the target infeasible, the simulation refused) is marked in
 * p->status/reason and ACCQ_SUCCESS is returned; errors only for what no cell
 * can carry (accq_cell_is_hard_error: an unknown policy, a size < 1...). */
int accq_converge_point(const accq_model_t *m, const char *policy, int scale, int i,
                        const accq_converge_options_t *opt, accq_converge_point_t *p,
                        accq_err_t *err);

/* Every size: accq_converge_point for i = 0..nscales-1 (pts has nscales
 * entries), with progress.  Returns an error only for bad arguments
 * (ACCQ_EUSAGE: a size < 1, an unknown policy, ...). */
int accq_converge_run(const accq_model_t *m, const char *policy, const int *scales,
                      int nscales, const accq_converge_options_t *opt,
                      accq_converge_point_t *pts, accq_err_t *err);

/* What the points of a convergence say together: the log-log rate of the gap,
 * the mean-field limit of E[T] (docs/limit.md) and the rate of E[T] to it, and
 * the cells without a number. */
/* A point as bytes and back (exact: doubles as their bits; accq/dist.h), for
 * a process that gathers points computed elsewhere (MPI ranks, a checkpoint).
 * unpack: ACCQ_EINVAL for bytes that are not a whole point. */
int accq_converge_point_pack(const accq_converge_point_t *p, void **bytes, size_t *len,
                             accq_err_t *err);
int accq_converge_point_unpack(accq_converge_point_t *p, const void *bytes, size_t len,
                               accq_err_t *err);

typedef struct {
  int have_fit;             /* gap ~ C m^slope fitted (at least two points with gap > 0) */
  accq_fit_t fit;
  char fit_reason[ACCQ_ERR_MSG_MAX];      /* why not */
  int have_limit;           /* the mean-field limit was solved */
  double limit_et, limit_gap;
  char limit_reason[ACCQ_ERR_MSG_MAX];    /* why not */
  int have_limit_fit;       /* E[T]/limit - 1 ~ C m^slope fitted */
  accq_fit_t limit_fit;
  char limit_fit_reason[ACCQ_ERR_MSG_MAX];
  int nbad;                 /* points without a number */
  int nwarnings;            /* simulation warnings over all points */
  int worst_exit;           /* the worst accq_cell_exit_code of the points */
} accq_converge_summary_t;

/* Fills the summary of pts[0..n) (n <= 4096); solves the mean-field limit of
 * `policy` on m (accq_limit_et, its default time limit).  Never fails: what
 * cannot be computed is said in the summary's reasons. */
void accq_converge_summarize(const accq_model_t *m, const char *policy,
                             const accq_converge_point_t *pts, int n,
                             accq_converge_summary_t *s);

/* Draws gap against m on log-log axes with gnuplot (.png, .svg or .pdf by the
 * extension of path): the points with their 95% intervals, the fitted rate,
 * and the mean-field limit's gap as an asymptote.  ACCQ_EIO when gnuplot is
 * missing or fails. */
int accq_converge_plot(const accq_model_t *m, const char *policy,
                       const accq_converge_point_t *pts, int n,
                       const accq_converge_summary_t *s, const char *path, accq_err_t *err);

/* ---- sweeps (accq sweep) ------------------------------------------------------- */

/* The --vary parameters are the model module's one table (accq_model_vary_check,
 * accq/model.h: arrival_rate (lambda), load, accuracy_target, scale, buffer,
 * type.NAME.servers|rate|accuracy), the same as `lp --vary` and `limit --vary`.
 * accq_sweep_param_key writes the accq_model_set key; ACCQ_EUSAGE for anything
 * else (the message lists the valid names). */
int accq_sweep_param_key(const accq_model_t *m, const char *param, char *key, int size,
                         accq_err_t *err);

/* Applies param = value to a copy of m (accq_model_vary_apply: whole numbers
 * for servers, scale, buffer) and resolves it. */
int accq_sweep_apply(const accq_model_t *m, const char *param, double value,
                     accq_model_t *out, accq_err_t *err);

/* Names of the measures a sweep can show (NULL-terminated), and reading one
 * from the measures: "mean_response_time", "accuracy", "loss_probability",
 * "p_wait", "p50", "p90", "p95", "p99", "gap", "boundary_mass", "throughput",
 * "utilization.TYPE", "throughput.TYPE".  ACCQ_EUSAGE for an unknown name. */
extern const char *const accq_sweep_measure_names[];
int accq_sweep_measure(const accq_model_t *m, const accq_measures_t *ms, const char *name,
                       double *value, accq_err_t *err);
/* Checks a measure name against the model (its types): ACCQ_EUSAGE naming it. */
int accq_sweep_measure_check(const accq_model_t *m, const char *name, accq_err_t *err);
/* A short label for tables and plots: "E[T]", "P_loss", "P(W>0)", "boundary",
 * "X", "L"; other names as they are. */
const char *accq_sweep_measure_label(const char *measure);
/* What every number of a sweep is (said in the title and in JSON "method"). */
const char *accq_sweep_method_label(int simulate, int finite_buffer);

typedef struct {
  int simulate;             /* 0: exact chain (the model's buffer, or auto), 1: simulation
                               (infinite buffer) */
  int64_t max_states;       /* chain state limit (default: the chain module's, 2e7
                               states, with its memory check) */
  int max_buffer;           /* auto buffer of the joint chains stops here (default 80: a
                               sweep solves many cells; a cell that needs more is marked
                               truncated) */
  int product_max_buffer;   /* auto buffer of the per-type chains of the product-form
                               policies (rjiq, random-lp: docs/measures.md), whose size
                               grows linearly in B (default 0: the analysis module's,
                               10000 per type, bounded by max_states) */
  int replications;         /* simulation (default 10) */
  long jobs;                /* per replication (default 100000) */
  unsigned long seed;       /* every simulated cell uses this seed (common random
                               numbers across the grid) */
  int threads;              /* simulation threads (default 1; 0 = all) */
} accq_sweep_options_t;

void accq_sweep_options_init(accq_sweep_options_t *o);

/* One cell of a sweep: a policy on one model. */
typedef struct {
  accq_cell_status_t status;/* ok: m (and ci95) hold; otherwise no number */
  char reason[2048];        /* why not ok (empty when ok) */
  int simulated;            /* 1: simulation estimate, 0: chain */
  int buffer;               /* chain: the B used (0 for a simulation: infinite) */
  int finite_buffer;        /* chain: 1 when B is the model's own (a finite-buffer system,
                               exact with its losses), 0 when auto (infinite buffer) */
  int64_t states;           /* chain states */
  double boundary_mass;     /* chain: P(some server holds B jobs), also when truncated */
  accq_measures_t m;        /* the measures (ok only) */
  double ci95;              /* simulation: half-width of E[T]'s 95% interval; 0 for a chain */
  int nwarnings;            /* simulation bias diagnostics (the estimate may be biased) */
  char warnings[ACCQ_CELL_MAX_WARNINGS][ACCQ_CELL_WARNING_MAX];
} accq_sweep_cell_t;

/* Measures of `policy` on m (resolved): exact chain or simulation, as a cell.
 * A chain with `buffer = auto` (the infinite-buffer question) whose auto
 * buffer stops before the boundary mass is <= 1e-9 and E[T] has settled is
 * TRUNCATED (its B and boundary mass are kept, no measures); a model whose
 * offered load reaches the total capacity is BEYOND_CAPACITY; the statuses
 * of accq_analyze / accq_verify_simulate become the cell's (unstable, too
 * large, not converged...).  Returns ACCQ_SUCCESS whenever the cell is
 * filled; an error only for what no cell can carry (an unknown policy:
 * ACCQ_EUSAGE/EINVAL/EMODEL). */
int accq_sweep_eval(const accq_model_t *m, const char *policy, const accq_sweep_options_t *o,
                    accq_sweep_cell_t *cell, accq_err_t *err);

/* The LP bound at one point of a sweep (at the offered rate), or why there is none. */
typedef struct {
  accq_cell_status_t status;
  char reason[ACCQ_ERR_MSG_MAX + 64];
  double t_lp;              /* NaN unless ok */
  int finite_buffer;        /* the model at this point has its own buffer B */
} accq_sweep_bound_t;

typedef struct accq_sweep_grid accq_sweep_grid_t;

/* A sweep of `param` over values[0..nvalues) for policies[0..npol) on m.
 * Checks the parameter (accq_sweep_param_key) and the policy names (ACCQ_EUSAGE
 * naming the bad one); copies everything it is given.  The grid has
 * nvalues * (npol + 1) cells: cell c is point i = c / (npol + 1), column
 * j = c % (npol + 1), where column 0 is the LP bound and column p + 1 is
 * policies[p]. */
int accq_sweep_grid_alloc(accq_sweep_grid_t **g, const accq_model_t *m, const char *param,
                          const double *values, int nvalues, const char *const *policies,
                          int npol, const accq_sweep_options_t *opt, accq_err_t *err);
void accq_sweep_grid_free(accq_sweep_grid_t *g);
int accq_sweep_grid_ncells(const accq_sweep_grid_t *g);
int accq_sweep_grid_npoints(const accq_sweep_grid_t *g);
int accq_sweep_grid_npolicies(const accq_sweep_grid_t *g);
double accq_sweep_grid_value(const accq_sweep_grid_t *g, int i);
const char *accq_sweep_grid_policy(const accq_sweep_grid_t *g, int p);
const char *accq_sweep_grid_param(const accq_sweep_grid_t *g);
const accq_model_t *accq_sweep_grid_model(const accq_sweep_grid_t *g);
const accq_sweep_options_t *accq_sweep_grid_options(const accq_sweep_grid_t *g);

/* Computes cell c (deterministic, independent of every other cell).  Returns
 * ACCQ_SUCCESS when the cell is filled (with a number or with why not); an
 * error only for what no cell can carry: a value of the parameter that is bad
 * usage (servers 2.5, a negative rate: exit 2), an unknown policy, an
 * interruption.  Cells may be evaluated concurrently (distinct c). */
int accq_sweep_grid_eval(accq_sweep_grid_t *g, int c, accq_err_t *err);
/* Every cell in order, with progress after each policy cell (fraction of the
 * policy cells done); stops at the first error. */
int accq_sweep_grid_run(accq_sweep_grid_t *g, accq_grid_progress_fn progress, void *ctx,
                        accq_err_t *err);

/* The results (after evaluation): the bound at point i, policy p at point i. */
const accq_sweep_bound_t *accq_sweep_grid_bound(const accq_sweep_grid_t *g, int i);
const accq_sweep_cell_t *accq_sweep_grid_cell(const accq_sweep_grid_t *g, int i, int p);
/* Cell c's results, for a process that gathers cells computed elsewhere:
 * copies a computed cell into g (column 0: bound must be given; else cell). */
int accq_sweep_grid_store(accq_sweep_grid_t *g, int c, const accq_sweep_bound_t *bound,
                          const accq_sweep_cell_t *cell, accq_err_t *err);

/* Cell c's result as bytes (exact: doubles as their bits; accq/dist.h) and
 * back into g (accq_sweep_grid_store), for a process that gathers cells
 * computed elsewhere (MPI ranks, a checkpoint).  *bytes is malloc'd.
 * unpack: ACCQ_EINVAL for bytes that are not a whole cell. */
int accq_sweep_grid_pack(const accq_sweep_grid_t *g, int c, void **bytes, size_t *len,
                         accq_err_t *err);
int accq_sweep_grid_unpack(accq_sweep_grid_t *g, int c, const void *bytes, size_t len,
                           accq_err_t *err);

typedef struct {
  int ncells;               /* nvalues * (npol + 1): bounds and policy cells */
  int nbad;                 /* cells without a number (bounds included) */
  int counts[ACCQ_CELL_NSTATUS]; /* per status, bounds included */
  int nwarnings;            /* simulation warnings over all cells */
  int worst_exit;           /* the worst accq_cell_exit_code */
  int finite_buffer;        /* some point's model has its own buffer B */
} accq_sweep_summary_t;

void accq_sweep_grid_summary(const accq_sweep_grid_t *g, accq_sweep_summary_t *s);

/* Draws `measure` against the parameter with gnuplot (.png, .svg or .pdf by
 * the extension of path): one curve per policy (cells without a number are
 * gaps; simulation: 95% intervals of E[T]), and the LP bound as a curve when
 * the measure is the mean response time.  ACCQ_EIO when gnuplot is missing or
 * fails, ACCQ_ENOMEM. */
int accq_sweep_grid_plot(const accq_sweep_grid_t *g, const char *measure, const char *path,
                         accq_err_t *err);

#endif
