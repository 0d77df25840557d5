/* The verification suite: the claims of docs/claims.md checked on a model over
 * a grid of loads and sizes (exact chains where they fit, simulation beyond),
 * for every policy of the policy registry (accq/policy.h), and what a run of
 * them adds up to (counts, exit status, warnings, report).  The simulator
 * adapter and the bundled models are shared with the sweep and convergence
 * grids.
 *
 * Every verdict is honest:
 *   PASS     the claim was checked on at least one instance and held on every
 *            instance checked, and the row's worst margin is >= 0 (each claim's
 *            margin includes the tolerance of its check, so margin >= 0 exactly
 *            when every comparison held);
 *   PARTIAL  it held only on part of its hypothesis or the evidence is not
 *            conclusive (the note says which part); never with a FAIL inside;
 *   FAIL     an instance contradicts it (the note names the instance and its
 *            numbers);
 *   SKIPPED  nothing could be checked (`reason` says why: chains over the state
 *            limit, every load outside the claim's hypothesis...).
 * The verdict of a run (accq_verify_overall) is the worst row: FAIL, then
 * SKIPPED, then PARTIAL, then PASS; `accq verify` exits 1 on FAIL, 3 when no row
 * failed but some row was SKIPPED (a claim that could not be checked is not a
 * pass), 0 otherwise.
 */
#ifndef ACCQ_VERIFY_H
#define ACCQ_VERIFY_H

#include <stdint.h>

#include "accq/measures.h"
#include "accq/model.h"
#include "accq/report.h"

#define ACCQ_VERIFY_NCLAIMS 5
#define ACCQ_VERIFY_MAX_GRID 16
#define ACCQ_VERIFY_ROW_WARNINGS 4     /* simulation warnings kept per claim row */
#define ACCQ_VERIFY_WARNING_MAX 600    /* characters of one (prefixed) warning */
#define ACCQ_VERIFY_SIM_WARNINGS 4     /* = ACCQ_SIM_MAX_WARNINGS */
#define ACCQ_VERIFY_SIM_WARNING_MAX 512 /* = ACCQ_SIM_WARNING_MAX */

typedef enum {
  ACCQ_VERDICT_PASS = 0,
  ACCQ_VERDICT_PARTIAL,
  ACCQ_VERDICT_FAIL,
  ACCQ_VERDICT_SKIPPED      /* nothing could be checked (the row says why) */
} accq_verdict_t;

/* "PASS", "PARTIAL", "FAIL", "SKIPPED". */
const char *accq_verdict_name(accq_verdict_t v);

/* One row of the report: one claim on one model. */
typedef struct {
  int claim;                        /* 1..5 (docs/claims.md) */
  char title[64];                   /* "LP bound", ... */
  char model[ACCQ_NAME_MAX];
  accq_verdict_t verdict;
  int instances;                    /* instances checked */
  int excluded;                     /* instances outside the claim's hypothesis */
  double worst_margin;              /* >= 0 where the claim holds; see margin_what */
  char margin_what[200];            /* what worst_margin measures */
  char evidence[640];               /* the instance that set the worst margin, its numbers */
  char note[640];                   /* why PARTIAL/FAIL/SKIPPED, and what was excluded */
  char reason[240];                 /* SKIPPED: why nothing was checked ("" otherwise) */
  double seconds;
  /* Bias warnings of the simulations this row used (accq_sim_result_t.warnings,
   * each prefixed with the instance: "pop load 0.85 m=64: ...").  nwarnings
   * counts them all; the first ACCQ_VERIFY_ROW_WARNINGS are kept.  A simulated
   * instance with a warning is not evidence: it is counted in `excluded`, named
   * in the note, and can neither support a PASS nor make a FAIL (a contradiction
   * from it makes the row PARTIAL).  `accq verify` lists them in the top-level
   * "warnings" and on standard error (never hidden by -q). */
  int nwarnings;
  char warnings[ACCQ_VERIFY_ROW_WARNINGS][ACCQ_VERIFY_WARNING_MAX];
} accq_claim_row_t;

/* The verdict of a set of rows: FAIL if any row failed, else SKIPPED if any row
 * was skipped, else PARTIAL if any row is partial, else PASS (also for n = 0:
 * callers decide what an empty run means). */
accq_verdict_t accq_verify_overall(const accq_claim_row_t *rows, int n);

/* ---- a run's summary: what `accq verify` prints (docs/output.md) ---- */

/* count[v] = the rows with verdict v (indexed by accq_verdict_t). */
void accq_verify_count(const accq_claim_row_t *rows, int n, int count[4]);

/* The exit status a run's rows ask for: 1 when a row FAILs, else 3 when a row
 * is SKIPPED (a claim that could not be checked is not a pass), else 0. */
int accq_verify_exit_status(const accq_claim_row_t *rows, int n);

/* The warnings of one row as texts: "claim N on MODEL SKIPPED: reason" first
 * when with_skip and the row is SKIPPED, then each simulation warning the row
 * kept ("claim N on MODEL: ... (not used as evidence)"), then "claim N on
 * MODEL: K more simulation warning(s)" for those it did not keep.  text must
 * hold ACCQ_VERIFY_ROW_TEXTS entries; returns how many were written. */
#define ACCQ_VERIFY_TEXT_MAX (ACCQ_VERIFY_WARNING_MAX + 160)
#define ACCQ_VERIFY_ROW_TEXTS (ACCQ_VERIFY_ROW_WARNINGS + 2)
int accq_verify_row_warnings(const accq_claim_row_t *r, int with_skip,
                             char (*text)[ACCQ_VERIFY_TEXT_MAX]);

/* The report of a run (rows of nmodels models, `seconds` of wall time): the
 * counts, the overall verdict and every warning at the top level, and the
 * table "claims" (one row per claim and model; a SKIPPED row carries its
 * reason and no margin).  Render it with accq_report_write (JSON, CSV,
 * Markdown, LaTeX); free with accq_report_free.  NULL when out of memory. */
accq_report_t *accq_verify_report(const accq_claim_row_t *rows, int n, int nmodels,
                                  double seconds);

/* Optional hook for claim 1's sandwich T_LP(X) <= t_opt(m,B) <= E[T]: the
 * constrained optimum of model m (at its scale) with buffer B over one class of
 * rules.  shed = 0: rules that lose a job only when every server is full
 * (min_admitted_rate is 0 and ignored).  shed = 1: rules that may also reject an
 * arriving job in any state, subject to a total admitted rate (jobs per unit
 * time, all m copies) >= min_admitted_rate: the class of a policy that sheds
 * while some server has room (rjiq, random-lp, accurate-jiq, pop's fallback...).
 * Writes t_opt and the optimum's total admitted rate.  Returns a status, with
 * err naming the reason: ACCQ_ETOOBIG (too large), ACCQ_EACCINFEAS (no rule of
 * the class meets a*), anything else a failure of the solver.  verify reports
 * every instance where the sandwich was not run with that reason. */
typedef int (*accq_verify_topt_fn)(const accq_model_t *m, int buffer, int shed,
                                   double min_admitted_rate, double *t_opt,
                                   double *throughput, void *ctx, accq_err_t *err);

/* Progress: `what` names the current step; fraction in [0,1]. */
typedef void (*accq_verify_progress_fn)(void *ctx, const char *what, double fraction);

/* Simulation estimate used beyond the chains.  Filled by accq_verify_simulate. */
typedef struct {
  double mean_response_time, ci95;  /* mean over replications, half-width */
  double accuracy, accuracy_ci95;
  double throughput;                /* admitted rate, total */
  double loss_probability;
  int replications;
  long jobs;                        /* per replication, after warm-up */
  accq_measures_t m;                /* the point estimates as measures (means; chain-only
                                       fields such as boundary_mass are 0) */
  /* The simulator's bias diagnostics that found a trend (accq_sim_result_t
   * .warnings, copied): an estimate with a warning may keep the bias of the
   * empty start.  0 when the run shows no trend. */
  int nwarnings;
  char warnings[ACCQ_VERIFY_SIM_WARNINGS][ACCQ_VERIFY_SIM_WARNING_MAX];
} accq_verify_sim_t;

typedef struct {
  int nloads;
  double loads[ACCQ_VERIFY_MAX_GRID];   /* fractions of Lambda_max(a*) */
  int nscales;
  int scales[ACCQ_VERIFY_MAX_GRID];     /* sizes m for the exact chains */
  int nsim_scales;
  int sim_scales[ACCQ_VERIFY_MAX_GRID]; /* sizes m simulated beyond the chains (claim 3, 4) */
  int64_t max_states;                   /* per chain (default 20000) */
  int max_buffer;                       /* auto buffer stops here (default 60) */
  int small_buffer;                     /* B of the agreement checks (default 3) */
  unsigned long seed;                   /* simulation seed (default 1) */
  int sim_replications;                 /* default 10 */
  long sim_jobs;                        /* jobs per replication (default 100000) */
  int sim_threads;                      /* threads over replications (default 0: all) */
  unsigned claims;                      /* bit c-1 selects claim c (default all) */
  /* Test-only fault injection (NULL in normal use): "claims-target=POLICY" treats
   * POLICY (one of the policies verify runs, and not one that meets a* by
   * construction) as if it met a* by construction, so claims 1 and 2 check it.
   * "sim-forget-warmup" runs every simulation with no warm-up from the empty
   * state and no MSER-5 truncation (biased estimates whose bias warnings must be
   * reported and kept out of the evidence).
   * Any other value is refused (ACCQ_EINVAL naming it). */
  const char *fault;
  int nslacks;                          /* claim 3 beyond the first breakpoint: rjiq:e */
  double slacks[ACCQ_VERIFY_MAX_GRID];  /* with e = slacks[j] (1 - load), default 1/2, 1/4, 1/8 */
  accq_verify_topt_fn t_opt;            /* default: accq optimal when the build has it;
                                           NULL: the sandwich is reported as not checked.
                                           `throughput` is the total admitted rate m X */
  void *t_opt_ctx;
  int64_t topt_max_states;              /* the sandwich's lumped states at m = 1: the largest
                                           B <= 12 within min(this, max_states) (default 1000) */
  accq_verify_progress_fn progress;
  void *progress_ctx;
} accq_verify_options_t;

/* Fills the documented defaults (the grid `accq verify` uses; its running time
 * on the bundled models is measured in bench/ and the README). */
void accq_verify_options_init(accq_verify_options_t *opt);

/* Checks claims 1..5 on model m (file form: load or arrival_rate, any scale;
 * the grid replaces the load and scale) for every registered policy type at
 * its default spec (docs/claims.md, "Which policies verify runs"; ACCQ_EINVAL
 * when the registry lacks rjiq, pop or random-lp, which the claims name).  Writes one row per selected claim
 * into rows[0..*nrows).  A claim that fails is not an error: the function
 * returns ACCQ_SUCCESS with verdict FAIL.  Errors are bad options (EINVAL)
 * and allocation failures.  Cost: dominated by the chains of the grid
 * (bounded by max_states) and the simulations. */
int accq_verify_model(const accq_model_t *m, const accq_verify_options_t *opt,
                      accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS], int *nrows,
                      accq_err_t *err);

/* Validates opt->fault (NULL accepted): ACCQ_EINVAL naming the bad value and
 * listing the valid ones.  accq_verify_model calls it; the CLI calls it before
 * loading any model so that a typo is a usage error. */
int accq_verify_fault_check(const char *fault, accq_err_t *err);

/* Simulates policy `policy` on m (at its scale and resolved rate) with an
 * infinite buffer: replications, jobs per replication, seed, OpenMP threads
 * over replications (1 = serial, 0 = all; the output does not depend on it).  ACCQ_EUNSTABLE
 * when the policy is unstable at this load; errors of the simulator otherwise. */
int accq_verify_simulate(const accq_model_t *m, const char *policy, int replications,
                         long jobs, unsigned long seed, int threads, accq_verify_sim_t *out,
                         accq_err_t *err);

/* Does this build have a simulator? (0 until the simulator module lands.) */
int accq_verify_have_simulator(void);

/* The bundled model files (every .ini file in models/, sorted by name): the directory named
 * by the environment variable ACCQ_MODELS_DIR, else models/ next to the
 * executable (or ../models, ../share/accq/models), else the source tree's
 * models/ compiled in.  Writes up to cap paths (each < 1024 chars) and their
 * count; *dir receives the directory used.  ACCQ_EIO when no directory holds
 * a model file (the message lists where it looked). */
int accq_verify_bundled_models(char (*paths)[1024], int cap, int *n, char *dir, int dirsize,
                               accq_err_t *err);

/* ---- log-log least squares ---- */

typedef struct {
  int n;                    /* points used (positive x and y) */
  double slope, intercept;  /* log y = intercept + slope log x (natural logs) */
  double slope_se;          /* standard error of the slope (NaN when n < 3) */
  double r2;
} accq_fit_t;

/* Fits log y = c0 + c1 log x by least squares (GSL gsl_fit_linear), skipping
 * points with x <= 0 or y <= 0 or non-finite.  ACCQ_EINVAL when fewer than two
 * points remain.  O(n). */
int accq_fit_loglog(const double *x, const double *y, int n, accq_fit_t *fit,
                    accq_err_t *err);

/* ---- result cells: a number, or why there is none (sweep, converge) ---- */

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

/* ---- convergence (accq converge) ---- */

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
  unsigned long seed;
  int threads;              /* simulation threads (default 1; 0 = all) */
  accq_verify_progress_fn progress;
  void *progress_ctx;
} accq_converge_options_t;

void accq_converge_options_init(accq_converge_options_t *opt);

/* The gap of `policy` to t_lp at each scale (model at its resolved rate per
 * unit scale, infinite buffer).  Each scale gets the exact chain when it fits
 * max_states and its auto buffer makes the truncation negligible (boundary
 * mass <= 1e-9, E[T] settled), else a simulation.  A scale with no answer
 * (the policy unstable there, the target infeasible, the simulation refused)
 * is marked in pts[i].status/reason and the others go on.  Returns an error
 * only for bad arguments (ACCQ_EUSAGE: a size < 1, an unknown policy, ...)
 * or a model that cannot be resolved.  pts has nscales entries. */
int accq_converge_run(const accq_model_t *m, const char *policy, const int *scales,
                      int nscales, const accq_converge_options_t *opt,
                      accq_converge_point_t *pts, accq_err_t *err);

/* ---- sweeps (accq sweep) ---- */

/* Turns a --vary parameter name into the accq_model_set key: lambda ->
 * system.arrival_rate, load -> system.load, accuracy_target ->
 * system.accuracy_target, type.NAME.servers|rate|accuracy kept.
 * ACCQ_EUSAGE for anything else (the message lists the valid names). */
int accq_sweep_param_key(const accq_model_t *m, const char *param, char *key, int size,
                         accq_err_t *err);

/* Applies param = value to a copy of m (and resolves a load).  */
int accq_sweep_apply(const accq_model_t *m, const char *param, double value,
                     accq_model_t *out, accq_err_t *err);

/* Names of the measures a sweep can show (NULL-terminated), and reading one
 * from the measures: "mean_response_time", "accuracy", "loss_probability",
 * "p_wait", "p50", "p90", "p95", "p99", "gap", "boundary_mass", "throughput",
 * "utilization.TYPE", "throughput.TYPE".  ACCQ_EUSAGE for an unknown name. */
extern const char *const accq_sweep_measure_names[];

typedef struct {
  int simulate;             /* 0: exact chain (the model's buffer, or auto), 1: simulation
                               (infinite buffer) */
  int64_t max_states;       /* chain state limit (default: the chain module's, 2e7
                               states, with its memory check) */
  int max_buffer;           /* auto buffer stops here (default 80: a sweep solves many
                               chains; a cell that needs more is marked truncated) */
  int replications;         /* simulation (default 10) */
  long jobs;                /* per replication (default 100000) */
  unsigned long seed;
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
int accq_sweep_measure(const accq_model_t *m, const accq_measures_t *ms, const char *name,
                       double *value, accq_err_t *err);

#endif
