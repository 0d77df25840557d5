/* Comparing simulation estimates with exact values: the statistics behind
 * `accq crosscheck` (accq's simulator against its chains) and `accq
 * check-sim` (anyone's simulator against `accq golden` values).
 *
 * Design of one check (a family of n rows, each an estimate over R
 * independent replications against an exact value):
 *
 *   - each row is a two-sided Student t test (R-1 d.f.) of "mean = exact",
 *     with Bernstein's bound for rare events and an exact bound when every
 *     replication gave the same end value (accq_sim_check_t below);
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
#include "accq/sim.h"

/* ---- the measures both sides give ----
 *
 * By index i in [0, accq_sim_measure_count(ntypes)): mean_response_time,
 * mean_jobs, accuracy, loss_probability, p_wait, boundary_mass, p50, p90,
 * p95, p99, then utilization.TYPE for each type, then throughput.TYPE for
 * each type. */
int accq_sim_measure_count(int ntypes);
/* Name of measure i ("p_wait", "utilization.small") into buf; returns buf. */
const char *accq_sim_measure_name(const accq_model_t *m, int i, char *buf, int size);
/* Index of a measure name, or -1. */
int accq_sim_measure_index(const accq_model_t *m, const char *name);
/* One-line definition of measure i (for golden files). */
const char *accq_sim_measure_definition(const accq_model_t *m, int i);
/* Whether measure i is a percentile estimate (p50..p99). */
int accq_sim_measure_is_percentile(int i);
/* The interval [lo, hi] that holds measure i's value in any replication:
 * [0,1] for the probabilities and utilizations, [0, m Lambda] for the
 * throughputs, [min a_k, max a_k] for the accuracy; lo = hi = 0 when unbounded
 * (response times, L).  Used when every replication gives the same end value
 * (see accq_sim_check_t). */
void accq_sim_measure_bounds(const accq_model_t *m, int i, double *lo, double *hi);
/* The estimate of measure i in a simulation result. */
accq_estimate_t accq_sim_result_measure(const accq_sim_result_t *r, int i);
/* The exact value of measure i from the chain's measures (ntypes types). */
double accq_sim_exact_measure(const accq_measures_t *x, int ntypes, int i);

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
  /* filled by accq_sim_holm */
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
} accq_sim_check_t;

/* Fills z, p, p_holm, reject of n comparisons with Holm's step-down correction
 * at family-wise level alpha (0 < alpha < 1) and returns how many are rejected.
 * Rows with `tolerated` set get p = 1.  The family passes (no rejection)
 * exactly when every exact value lies in its Bonferroni interval
 * mean +- t_{1 - alpha/(2n), R-1} se.  O(n log n). */
int accq_sim_holm(accq_sim_check_t *c, int n, double alpha);

/* Half-width of the Bonferroni interval of one of n comparisons at family-wise
 * level alpha: t_{1 - alpha/(2n), R-1} se (normal quantile when R < 2). */
double accq_sim_bonferroni_halfwidth(double se, int replications, int n, double alpha);

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
 * kept), applies Holm (accq_sim_holm), and fills each row's critical |t|,
 * detectable error and the R it would need, and the summary.  ACCQ_EINVAL
 * naming a bad option (alpha, power outside (0,1), abs_tol < 0, detect_rel
 * <= 0).  O(n log n) plus a few Student quantiles per row. */
int accq_check_family(accq_sim_check_t *c, int n, const accq_check_options_t *opt,
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

#endif
