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
 *            limit, every load outside the claim's hypothesis...), or the
 *            run's time limit stopped the claim before it was done (`stopped`).
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

#define ACCQ_VERIFY_NCLAIMS 6
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
  int claim;                        /* 1..6 (docs/claims.md) */
  char title[64];                   /* "LP bound", ... */
  char model[ACCQ_NAME_MAX];
  accq_verdict_t verdict;
  int instances;                    /* instances checked */
  int excluded;                     /* instances outside the claim's hypothesis */
  double worst_margin;              /* >= 0 where the claim holds; see margin_what */
  char margin_what[200];            /* what worst_margin measures */
  char evidence[640];               /* the instance that set the worst margin, its numbers */
  char note[1024];                  /* why PARTIAL/FAIL/SKIPPED, and what was excluded
                                       (ends in "..." when cut) */
  char reason[240];                 /* SKIPPED: why nothing was checked ("" otherwise) */
  double seconds;
  /* 1: the run's time limit (accq_verify_options_t.time_limit) stopped this
   * row while it ran, or before it started: it is not done.  Its verdict is
   * SKIPPED (whatever it had checked, which the note keeps), its reason says
   * the limit was reached, and its JSON status is "time_limit". */
  int stopped;
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
/* A claim row starts (row NULL) or is done (row filled, with its seconds). */
typedef void (*accq_verify_row_fn)(void *ctx, int claim, const char *title, const char *model,
                                   const accq_claim_row_t *row);

/* The time limit `accq verify` gives a run by default (--time-limit), seconds. */
#define ACCQ_VERIFY_TIME_LIMIT 600.0

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
  accq_verify_row_fn row_progress;      /* optional; called with progress_ctx */
  void *progress_ctx;
  /* Wall-clock limit of the run, in seconds from time_start (accq_clock_now();
   * 0: when accq_verify_model is called); 0 = none (the default; `accq verify`
   * gives 600).  Honoured cooperatively: after the deadline no chain,
   * simulation, limit or optimum starts, the stationary solves and limits that
   * run get the time left, and the claim that was running and every later one
   * come back as stopped rows (accq_claim_row_t.stopped).  A simulation that
   * has started runs to its end (its work is bounded by its number of jobs), so
   * the run may end a little after the deadline.  To limit several calls
   * together (one per model), give each the same time_start. */
  double time_limit;
  double time_start;
} accq_verify_options_t;

/* Fills the documented defaults (the grid `accq verify` uses; its running time
 * on the bundled models is measured in bench/ and the README). */
void accq_verify_options_init(accq_verify_options_t *opt);

/* Checks claims 1..6 on model m (file form: load or arrival_rate, any scale;
 * the grid replaces the load and scale) for every registered policy type at
 * its default spec (docs/claims.md, "Which policies verify runs"; ACCQ_EINVAL
 * when the registry lacks rjiq, pop or random-lp, which the claims name).  Writes one row per selected claim
 * into rows[0..*nrows).  A claim that fails is not an error: the function
 * returns ACCQ_SUCCESS with verdict FAIL.  Errors are bad options (EINVAL)
 * and allocation failures.  Cost: dominated by the chains of the grid
 * (bounded by max_states; their Gauss-Seidel solves by an iteration cap, a
 * stiff chain being reported as not converged) and the simulations; the
 * run stops at time_limit. */
int accq_verify_model(const accq_model_t *m, const accq_verify_options_t *opt,
                      accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS], int *nrows,
                      accq_err_t *err);

/* One model's rows as exact bytes and back: `accq verify` runs one cell per
 * model (accq_dist_run; the claims of a model share its grid of chains and
 * its simulations, so a model is the unit of work).  Doubles are written as
 * their bits, strings with their lengths, so rows computed on any rank or
 * read from a checkpoint are the very rows a serial run prints.  unpack
 * writes at most cap rows; ACCQ_EINVAL for bytes that are not rows. */
int accq_verify_rows_pack(const accq_claim_row_t *rows, int n, void **bytes, size_t *len,
                          accq_err_t *err);
int accq_verify_rows_unpack(const void *bytes, size_t len, accq_claim_row_t *rows, int cap,
                            int *n, accq_err_t *err);

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

/* The log-log fit (claim 4's rate) is accq/fit.h; sweeps, convergence grids
 * and result cells are accq/grid.h. */
#include "accq/fit.h"

#endif
