/* Comparing simulation estimates with exact values: the statistics behind
 * `accq crosscheck` (accq's simulator against its chains) and `accq
 * check-sim` (anyone's simulator against `accq golden` values), and those
 * three procedures themselves (docs/simulator.md, docs/claims.md claim 5):
 *
 *   - the measures both sides give (accq_check_measure_*);
 *   - one comparison and a family of them (accq_check_row_t, accq_check_holm,
 *     accq_check_family) and the power of the design;
 *   - golden files: computing them (accq_check_golden_compute), rendering
 *     them as a report (accq_check_golden_report) and reading them back
 *     (accq_check_golden_read);
 *   - a results CSV (accq_check_csv_*) and check-sim's procedure
 *     (accq_check_sim_run);
 *   - crosscheck's procedure (accq_check_crosscheck).
 *
 * Design of one check (a family of n rows, each an estimate over R
 * independent replications against an exact value):
 *
 *   - each row is a two-sided Student t test (R-1 d.f.) of "mean = exact",
 *     with Bernstein's bound for rare events and an exact bound when every
 *     replication gave the same end value (accq_check_row_t below);
 *   - Holm's step-down correction keeps the family-wise error at alpha: a
 *     correct simulator raises a false alarm in at most a fraction alpha of
 *     runs, whatever the number of rows;
 *   - the price is power: the first Holm step needs |t| > t_{1-alpha/(2n),
 *     R-1} (the "critical |t|"; 6.6 for alpha 0.01, n = 100, R = 10), so an
 *     error is found only when it is several standard errors wide.  Each row
 *     therefore reports the smallest error it would detect with probability
 *     `power` (Student quantiles: (t_crit + t_power) se), and the family gets
 *     a recommended R: the smallest at which every target row (mean response
 *     time and number in system) detects a relative error `detect_rel`;
 *   - percentiles are tested as proportions: the fraction of a replication's
 *     jobs whose response time is at most the exact percentile is an
 *     ordinary mean (unbiased at any run length), while a percentile
 *     estimated per replication and averaged is biased on short replications
 *     (check-sim skips such rows and says why).
 */
#ifndef ACCQ_CHECK_H
#define ACCQ_CHECK_H

#include "accq/chain.h"
#include "accq/measures.h"
#include "accq/model.h"
#include "accq/policy.h"
#include "accq/report.h"
#include "accq/sim.h"

/* ---- the measures both sides give ----
 *
 * By index i in [0, accq_check_measure_count(ntypes)): mean_response_time,
 * mean_jobs, accuracy, loss_probability, p_wait, boundary_mass, p50, p90,
 * p95, p99, then utilization.TYPE for each type, then throughput.TYPE for
 * each type. */
int accq_check_measure_count(int ntypes);
/* Name of measure i ("p_wait", "utilization.small") into buf; returns buf. */
const char *accq_check_measure_name(const accq_model_t *m, int i, char *buf, int size);
/* Index of a measure name, or -1. */
int accq_check_measure_index(const accq_model_t *m, const char *name);
/* One-line definition of measure i (for golden files). */
const char *accq_check_measure_definition(const accq_model_t *m, int i);
/* Whether measure i is a percentile estimate (p50..p99). */
int accq_check_measure_is_percentile(int i);
/* The interval [lo, hi] that holds measure i's value in any replication:
 * [0,1] for the probabilities and utilizations, [0, m Lambda] for the
 * throughputs, [min a_k, max a_k] for the accuracy; lo = hi = 0 when unbounded
 * (response times, L).  Used when every replication gives the same end value
 * (see accq_check_row_t). */
void accq_check_measure_bounds(const accq_model_t *m, int i, double *lo, double *hi);
/* The estimate of measure i in a simulation result. */
accq_estimate_t accq_check_measure_estimate(const accq_sim_result_t *r, int i);
/* The exact value of measure i from the chain's measures (ntypes types). */
double accq_check_measure_exact(const accq_measures_t *x, int ntypes, int i);

/* Exact distributions that tell dispatch rules apart where the type-level
 * means barely do (jsq and jiq differ by 1.9e-4 in E[T] on two-tier):
 *   level[k*(B+1) + q]  time-average fraction of type-k servers holding
 *                       exactly q jobs, q = 0..B (B = c->buffer);
 *   p_wait_type[k]      fraction of the admitted jobs sent to type k that
 *                       find their server busy (NaN when type k gets none).
 * From the chain c (lumped or explicit), its stationary pi (normalized here)
 * and the policy's own dispatch.  ACCQ_ENOMEM, or the dispatch's error.
 * Cost O(states * (K (B+1) + routes)). */
int accq_check_exact_levels(const accq_chain_t *c, const accq_policy_t *pol, const double *pi,
                            double *level, double *p_wait_type, accq_err_t *err);

/* ---- one comparison ----
 *
 * An estimate (mean, standard error se over `replications` independent
 * replications) against an exact value.  When every replication gave the
 * same value (se <= 1e-12 relative: no spread to test with) and that value
 * is an end of the measure's interval [lo, hi] (a rare event never observed:
 * no loss, an almost unused type), the p-value is the largest probability
 * that R independent replications all give lo when their mean is `exact`,
 * ((hi - exact)/(hi - lo))^R (Markov's inequality on X - lo), valid whatever
 * the clustering of the rare events; symmetrically ((exact - lo)/(hi - lo))^R
 * at hi.  Otherwise a zero-spread difference above 1e-12 relative fails.
 * For such rare events (exact within 1% of lo or hi) the replication values
 * are far from normal, so the p-value is the larger of the t test's and
 * Bernstein's bound 2 exp(-R d^2 / (2 f(1-f) + 2d/3)) (d = |mean - exact| and
 * f = exact - lo, both over hi - lo), which holds for any distribution. */
typedef struct {
  double exact, mean, se;
  int replications;       /* >= 2: Student's t with R-1 d.f.; otherwise normal */
  double lo, hi;          /* values lie in [lo, hi]; lo = hi when unbounded */
  int target;             /* input: counts for the recommended R (accq_check_family) */
  /* filled by accq_check_holm */
  double z;               /* (mean - exact) / se (0 when equal, +-inf when se = 0) */
  double p;               /* two-sided p-value (1 when tolerated) */
  double p_holm;          /* Holm-adjusted p-value */
  int reject;             /* p_holm <= alpha */
  /* filled by accq_check_family */
  int tolerated;          /* |mean - exact| <= abs_tol: accepted without a test */
  double critical_t;      /* |t| the first Holm step needs for this row */
  double detectable;      /* smallest |mean - exact| found with probability `power` */
  double detectable_rel;  /* detectable / |exact| (NaN when exact = 0) */
  int replications_needed;/* R at which detectable_rel <= detect_rel (0: not computable) */
} accq_check_row_t;

/* Fills z, p, p_holm, reject of n comparisons with Holm's step-down correction
 * at family-wise level alpha (0 < alpha < 1) and returns how many are rejected.
 * Rows with `tolerated` set get p = 1.  The family passes (no rejection)
 * exactly when every exact value lies in its Bonferroni interval
 * mean +- t_{1 - alpha/(2n), R-1} se.  O(n log n). */
int accq_check_holm(accq_check_row_t *c, int n, double alpha);

/* Half-width of the Bonferroni interval of one of n comparisons at family-wise
 * level alpha: t_{1 - alpha/(2n), R-1} se (normal quantile when R < 2). */
double accq_check_bonferroni_halfwidth(double se, int replications, int n, double alpha);

/* ---- a family of comparisons (check-sim, crosscheck) ---- */

typedef struct {
  double alpha;       /* family-wise error (default 0.01) */
  double abs_tol;     /* differences up to this are accepted untested (default 1e-6:
                         absorbs the chains' truncation, boundary mass <= 1e-9) */
  double power;       /* detection probability for `detectable` (default 0.8) */
  double detect_rel;  /* relative error the recommended R must detect (default 0.02) */
} accq_check_options_t;

void accq_check_options_init(accq_check_options_t *opt);

typedef struct {
  int n;                         /* comparisons */
  int rejected;                  /* discrepancies */
  int tolerated;                 /* accepted by abs_tol */
  int replications_min;          /* smallest R of a row */
  double critical_t;             /* first Holm step's |t| at replications_min */
  int replications_recommended;  /* max over target rows of replications_needed
                                    (0 when no target row allows it) */
  int rows_below_recommended;    /* rows with R < replications_recommended */
} accq_check_summary_t;

/* Runs the family: marks rows within abs_tol (tolerated, their own mean
 * kept), applies Holm (accq_check_holm), and fills each row's critical |t|,
 * detectable error and the R it would need, and the summary.  ACCQ_EINVAL
 * naming a bad option (alpha, power outside (0,1), abs_tol < 0, detect_rel
 * <= 0).  O(n log n) plus a few Student quantiles per row. */
int accq_check_family(accq_check_row_t *c, int n, const accq_check_options_t *opt,
                      accq_check_summary_t *sum, accq_err_t *err);

/* |t| the first Holm step needs among n rows with R replications:
 * t_{1 - alpha/(2n), R-1} (normal quantile when R < 2). */
double accq_check_critical_t(int n, int replications, double alpha);

/* Smallest R >= 2 such that an error `delta` of a measure whose replication
 * values have standard deviation `sd` is detected with probability `power`
 * by the first Holm step among n rows: (t_{1-alpha/(2n),R-1} + t_{power,R-1})
 * sd / sqrt(R) <= delta.  0 when delta or sd is not positive and finite;
 * capped at 10^7. */
int accq_check_replications_for(double sd, double delta, int n, double alpha, double power);

/* The standard error of a row from a CSV's stderr and/or ci_halfwidth
 * columns (NaN: not given).  A 95% Student half-width h gives se =
 * h / t_{0.975, R-1}.  When both are given they must agree within 1%
 * relative (rounding of printed values), else ACCQ_EINVAL with both values
 * and the half-width the stderr implies: a mismatch means one column uses
 * another convention (a normal 1.96, a 90% level, a standard deviation).
 * ACCQ_EINVAL also when neither is given, or a half-width with R < 2. */
int accq_check_standard_error(double se, double halfwidth, int replications, double *out,
                              accq_err_t *err);

/* ---- a results CSV (RFC 4180) ----
 *
 * Records with quoted fields ("" escapes a quote, quoted fields may span
 * lines), CRLF or LF line ends, a trailing comma giving one more empty
 * field; at most ACCQ_CHECK_CSV_MAX_FIELDS fields a record. */
#define ACCQ_CHECK_CSV_MAX_FIELDS 64
typedef struct accq_check_csv accq_check_csv_t;

/* Opens path for reading.  ACCQ_EIO "PATH: cannot open: REASON", ACCQ_ENOMEM. */
int accq_check_csv_open(const char *path, accq_check_csv_t **csv, accq_err_t *err);
/* The next record: returns its field count (fields valid until the next
 * call), 0 at end of file, -1 for a malformed record (an unterminated quote,
 * too many fields, no memory).  *line: the physical line the record starts
 * on (1-based). */
int accq_check_csv_next(accq_check_csv_t *csv, char ***fields, int *line);
void accq_check_csv_close(accq_check_csv_t *csv);

/* ---- golden files ----
 *
 * A golden file (format "accq-golden", version 2; docs/simulator.md) holds
 * one entry per (model, policy): the model's name, file, SHA-256 and the
 * overrides applied, lambda = m Lambda, the scale, a "status" ("ok" for a
 * reference; "unstable", "infeasible", "too_large", "not_converged"
 * otherwise, with a "reason" and no measures), and for references the
 * truncation B, states, solver, residual, boundary mass, the last change of
 * E[T] when B grew, T_LP and the exact measures: every measure of
 * accq_check_measure_name, gap, correctness, frac_below.pXX, p_wait.TYPE and
 * level.TYPE.Q (levels below 1e-12 left out). */

typedef struct {
  char *name;
  double value;        /* NaN: null (not defined for this entry) */
} accq_check_golden_measure_t;

typedef struct {
  char *model, *policy;
  char *file;          /* read: the golden file; computed: the model file */
  char *sha256;        /* of the model file (NULL when not given) */
  char **sets;         /* overrides applied to the model, in order */
  int nsets;
  int index;           /* position in the file's "entries" */
  double lambda;       /* m Lambda */
  int scale;
  char *status;        /* "ok" or why not a reference */
  char *reason;        /* NULL when ok */
  int code;            /* computed entries: the accq status (ACCQ_SUCCESS when ok) */
  /* computed references: how exact "exact" is */
  int buffer;
  long long states;
  char solver[32];
  double residual, boundary_mass, truncation_change, t_lp;
  int truncation_converged;
  /* references: the measures, in file order */
  int nmeasures;
  accq_check_golden_measure_t *measures;
} accq_check_golden_entry_t;

typedef struct {
  int n, cap;
  accq_check_golden_entry_t *entries;
  /* computed files: one text per entry that is not a reference, and the
   * worst exit status among them (0 when every entry is a reference) */
  char **warnings;
  int nwarnings;
  int worst;
} accq_check_golden_t;

void accq_check_golden_init(accq_check_golden_t *g);
void accq_check_golden_release(accq_check_golden_t *g);

/* Value of measure `name` of an entry: 1 and *value (NaN for null) when the
 * entry has it, 0 otherwise. */
int accq_check_golden_measure(const accq_check_golden_entry_t *e, const char *name,
                              double *value);

/* Reads the golden file at path and appends its entries to g (several files
 * make one list).  Every field a check can use is validated, so a corrupt
 * file is refused whether or not a row needs it: ACCQ_EIO "PATH:LINE: cannot
 * read golden file: ..." (not JSON), ACCQ_EINVAL for a file that is not an
 * accq golden file, an entry without model, policy or lambda, an "ok" entry
 * without measures, a measure that is not a number or null ("PATH:LINE:
 * entries[i] (model M, policy P): measures.KEY is a string, not a number"),
 * ACCQ_ENOMEM.  Version 1 files (no status) take their status from
 * truncation_converged. */
int accq_check_golden_read(const char *path, accq_check_golden_t *g, accq_err_t *err);

/* One model of a golden file: loaded and resolved (arrival rate known), the
 * path given by the user (for messages), its file's SHA-256 and the
 * overrides applied ("sets", recorded in each entry). */
typedef struct {
  const accq_model_t *model;
  const char *path;
  const char *sha256;
  const char *const *sets;
  int nsets;
} accq_check_golden_model_t;

typedef struct {
  int buffer;          /* chain buffer B; 0: the model's (auto: grown until the boundary
                          mass and the change of E[T] are below 1e-9) */
  /* optional progress: entries done so far (of nmodels x npolicies) */
  void (*progress)(double done, void *ctx);
  void *progress_ctx;
} accq_check_golden_options_t;

void accq_check_golden_options_init(accq_check_golden_options_t *opt);

/* Computes the entries of every (model, policy) pair, models outer, into g
 * (initialized here): the lumped chain at the buffer, its measures, the
 * level distributions and p_wait per type (accq_check_exact_levels).  An
 * entry that is not a reference (unstable, infeasible, too large, the
 * truncation not converged) keeps its status, reason and code, no measures,
 * and one text in g->warnings; g->worst is then the worst exit status.
 * Errors (no file should be written; g released): ACCQ_EUSAGE for an unknown
 * policy name, ACCQ_ENOMEM, a dispatch failure (prefixed "MODEL, policy P").
 * Cost: one chain analysis per entry. */
int accq_check_golden_compute(const accq_check_golden_model_t *models, int nmodels,
                              const char (*policies)[ACCQ_NAME_MAX], int npolicies,
                              const accq_check_golden_options_t *opt, accq_check_golden_t *g,
                              accq_err_t *err);

/* The golden file of computed entries as a report (render it as JSON):
 * format, version, notes, definitions, warnings, entries.  NULL when out of
 * memory. */
accq_report_t *accq_check_golden_report(const accq_check_golden_t *g);

/* The same as independent cells, one per entry (cell = model index x
 * npolicies + policy index; accq_dist_run spreads them over MPI ranks, and
 * accq_check_golden_compute is the same cells in order):
 *   start  initializes g for nentries entries;
 *   cell   computes entry `cell` and serializes it exactly (doubles as their
 *          bits; *bytes malloc'd).  An entry that is not a reference is a
 *          result (its status, reason and code); the errors are those that
 *          fail the file in accq_check_golden_compute (ACCQ_EUSAGE for an
 *          unknown policy, ACCQ_ENOMEM, a dispatch failure);
 *   add    appends a cell's entry to g (call in cell order), with its warning
 *          and g->worst when it is not a reference; ACCQ_EINVAL for bytes that
 *          are not a golden cell. */
int accq_check_golden_start(accq_check_golden_t *g, int nentries, accq_err_t *err);
int accq_check_golden_cell(const accq_check_golden_model_t *models, int nmodels,
                           const char (*policies)[ACCQ_NAME_MAX], int npolicies,
                           const accq_check_golden_options_t *opt, int cell, void **bytes,
                           size_t *len, accq_err_t *err);
int accq_check_golden_add(accq_check_golden_t *g, const accq_check_golden_model_t *models,
                          int nmodels, const char (*policies)[ACCQ_NAME_MAX], int npolicies,
                          int cell, const void *bytes, size_t len, accq_err_t *err);

/* ---- check-sim: a results CSV against golden files ----
 *
 * The CSV (header first, columns in any order, others ignored): model,
 * policy, lambda, measure, mean, stderr and/or ci_halfwidth (95% Student),
 * replications >= 2.  A row matches the one golden entry with its model and
 * policy and a lambda within 1e-6 relative.  Rows are refused (ACCQ_EINVAL,
 * "CSV:LINE: reason") when malformed, when no entry or several match, for an
 * unknown measure, and when the same (entry, measure) is given twice with
 * different values (an identical repetition is skipped).  Rows are skipped
 * with a reason when the entry is not a reference, the golden value is null,
 * or the measure is an averaged percentile p50..p99 (biased on short
 * replications: frac_below.pXX tests them). */

typedef enum {
  ACCQ_CHECK_COMPARED = 0,
  ACCQ_CHECK_SKIP_REFERENCE,   /* golden entry not a reference */
  ACCQ_CHECK_SKIP_PERCENTILE,  /* averaged percentile */
  ACCQ_CHECK_SKIP_NULL,        /* golden value null */
  ACCQ_CHECK_SKIP_DUPLICATE    /* identical repetition of an earlier row */
} accq_check_skip_t;

typedef struct {
  int line;                    /* the CSV line */
  char model[ACCQ_NAME_MAX], policy[ACCQ_NAME_MAX], measure[ACCQ_NAME_MAX + 48];
  double lambda, mean, se;     /* se: from stderr or ci_halfwidth */
  int replications;
  int entry;                   /* golden entry */
  accq_check_skip_t skip;
  char why[320];               /* why skipped ("" when compared) */
  int check;                   /* index into checks when compared, else -1 */
} accq_check_sim_row_t;

typedef struct {
  accq_check_golden_t golden;  /* every file's entries */
  int nrows;
  accq_check_sim_row_t *rows;  /* the CSV's data rows, in order */
  int n;
  accq_check_row_t *checks;    /* the compared rows (the family) */
  accq_check_summary_t sum;
  int skipped[ACCQ_CHECK_SKIP_DUPLICATE + 1]; /* rows per skip reason ([0]: all skipped) */
  /* coverage, per golden entry */
  int *entry_rows;             /* CSV rows matched to it */
  char **left_out;             /* compared entries: the non-null measures no row gave,
                                  space-separated (NULL when none) */
  int unused, incomplete;      /* entries without a row; compared entries with left_out */
  char **warnings;             /* texts for "warnings" */
  int nwarnings;
} accq_check_sim_t;

/* Reads the golden files and the CSV, matches and classifies every row and
 * runs the family (accq_check_family) on the compared rows; fills res
 * (release it with accq_check_sim_release, also after an error).  The check
 * fails when sum.rejected > 0 or nothing was compared (n == 0: no evidence
 * is not a pass).  Errors: those of accq_check_golden_read, ACCQ_EIO for the
 * CSV, ACCQ_EINVAL "CSV:LINE: reason" for a refused row or header,
 * ACCQ_ENOMEM. */
int accq_check_sim_run(const char *const *golden, int ngolden, const char *csv,
                       const accq_check_options_t *opt, accq_check_sim_t *res, accq_err_t *err);
void accq_check_sim_release(accq_check_sim_t *res);

/* ---- crosscheck: the chains against the simulator ----
 *
 * For every policy, the exact chain at buffer B against the simulator with
 * the same B, measure by measure (every accq_check_measure_* of the model),
 * as one Holm family at family-wise level alpha (docs/claims.md, claim 5).
 * Service is made exponential (the chains assume it).  B is opt->buffer or
 * the model's (auto, capped by max_buffer: the comparison is exact at any B,
 * and an unstable policy would otherwise grow the chain to B = 200).  A
 * policy with no answer (exit status 4: unstable, infeasible) is skipped
 * with its reason. */

typedef struct {
  double alpha;                /* family-wise error (default 0.01) */
  int buffer;                  /* 0 (default): the model's, auto */
  int max_buffer;              /* cap of the auto buffer (default 20) */
  accq_sim_options_t sim;      /* replications, jobs, warm-up, seed, threads; buffer and
                                  progress are set per policy */
  /* optional progress: policies done + the fraction of the current one */
  void (*progress)(double done, void *ctx);
  void *progress_ctx;
} accq_check_crosscheck_options_t;

void accq_check_crosscheck_options_init(accq_check_crosscheck_options_t *opt);

typedef struct {
  char policy[ACCQ_NAME_MAX];
  char measure[ACCQ_NAME_MAX + 32];
  int buffer;
} accq_check_crosscheck_row_t;

typedef struct {
  int service_changed;         /* some type's service was made exponential */
  int replications;
  long long jobs;              /* measured arrivals per replication (the last run's) */
  int n;                       /* comparisons */
  accq_check_row_t *checks;
  accq_check_crosscheck_row_t *rows;
  int failures;                /* rejected comparisons */
  int nskipped;                /* policies with no answer */
  char (*skipped_policy)[ACCQ_NAME_MAX];
  char (*skipped_reason)[ACCQ_ERR_MSG_MAX];
  int nwarnings;               /* the simulator's bias diagnostics */
  char (*warning_policy)[ACCQ_NAME_MAX];
  char (*warning)[ACCQ_SIM_WARNING_MAX];
} accq_check_crosscheck_t;

/* Runs crosscheck of model m (resolved) for the policies; fills res
 * (release with accq_check_crosscheck_release, also after an error).  The
 * check passes when res->failures == 0.  Errors: ACCQ_EINVAL naming a bad
 * option, ACCQ_EUSAGE for an unknown policy, any error of the chain or the
 * simulator that is not "no answer" (prefixed "policy P"), ACCQ_ENOMEM.
 * Cost: one chain analysis and one simulation per policy. */
int accq_check_crosscheck(const accq_model_t *m, const char (*policies)[ACCQ_NAME_MAX],
                          int npolicies, const accq_check_crosscheck_options_t *opt,
                          accq_check_crosscheck_t *res, accq_err_t *err);
void accq_check_crosscheck_release(accq_check_crosscheck_t *res);

/* crosscheck as independent cells, one per policy (accq_dist_run spreads them
 * over MPI ranks; accq_check_crosscheck is the same cells in order):
 *   start   validates the options and initializes res for npolicies cells;
 *   cell    computes policy `index` (chain and simulation; the simulation's
 *           seed is opt->sim.seed for every policy, so a cell depends only on
 *           its inputs) and serializes its comparisons, skip and warnings
 *           exactly (doubles as their bits; *bytes malloc'd);
 *   add     appends one cell's bytes to res (call in policy order; ACCQ_EINVAL
 *           for bytes that are not a crosscheck cell);
 *   finish  Holm's correction over every comparison (res->failures).
 * cell's errors are those of accq_check_crosscheck for that policy. */
int accq_check_crosscheck_start(const accq_model_t *m, int npolicies,
                                const accq_check_crosscheck_options_t *opt,
                                accq_check_crosscheck_t *res, accq_err_t *err);
int accq_check_crosscheck_cell(const accq_model_t *m, const char *policy, int index,
                               const accq_check_crosscheck_options_t *opt, void **bytes,
                               size_t *len, accq_err_t *err);
int accq_check_crosscheck_add(accq_check_crosscheck_t *res, const void *bytes, size_t len,
                              accq_err_t *err);
void accq_check_crosscheck_finish(accq_check_crosscheck_t *res,
                                  const accq_check_crosscheck_options_t *opt);

#endif
