/* Measures of docs/measures.md from a stationary distribution, and the analysis
 * driver that goes model -> policy -> chain -> pi -> measures (with `buffer =
 * auto`). */
#ifndef ACCQ_MEASURES_H
#define ACCQ_MEASURES_H

#include "accq/chain.h"
#include "accq/stationary.h"

typedef struct {
  double lambda;                    /* offered m Lambda */
  double throughput_total;          /* X = Lambda (1 - P_loss) */
  double loss_probability;
  double mean_jobs;                 /* L */
  double mean_response_time;        /* E[T] = L / X */
  double accuracy;                  /* sum a_k X_k / X */
  double p_wait;                    /* P(admitted job finds its server busy) */
  double throughput[ACCQ_MAX_TYPES];/* X_k */
  double utilization[ACCQ_MAX_TYPES];/* E[busy_k] / N_k */
  double p50, p90, p95, p99;        /* response-time percentiles (exp. service) */
  double boundary_mass;             /* P(some server holds B jobs) */
  double t_lp;                      /* LP bound at X per unit scale (NaN if infeasible) */
  double gap;                       /* E[T] / t_lp - 1 */
  /* diagnostics */
  double flow_balance_error;        /* max_k |X_k - mu_k E[busy_k]| / X */
  double little_tail_error;         /* |int_0^inf P(T>t) dt - E[T]| / E[T] */
  double tail_integral;             /* int_0^inf P(T>t) dt by quadrature (GSL qag+qagiu) */
} accq_measures_t;

/* Measures of policy `pol` on chain c (lumped or explicit) with stationary pi
 * (c->nstates entries, caller-owned; normalized to its sum).  One pass calls
 * accq_policy_dispatch on every state (ACCQ_LEVEL_ANY expanded to c[k][q]/N_k)
 * and aggregates the route weights per (k, q); the percentiles (Brent) and
 * the tail quadrature then work on those K*B weights only.  t_lp is the LP at
 * X / scale (NaN, and gap NaN, when infeasible there).  Errors: ACCQ_ENOMEM;
 * a dispatch failure; ACCQ_ENOCONV when a percentile or the quadrature does
 * not converge (every field still filled with the best estimate).
 * Cost O(states * (K (B+1) + routes)) + O(K B) per tail evaluation
 * (measured: ~1.1 us per state, 1.9 s for 1.75e6 states, bench_measures). */
int accq_measures_compute(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, accq_measures_t *out, accq_err_t *err);

/* P(T > t) for an admitted job (Erlang mixture, GSL incomplete gamma;
 * proofs/tail-formula.md).  NaN on allocation failure.  O(states) per call:
 * it rebuilds the mixture (use the percentiles of accq_measures_compute for
 * repeated use). */
double accq_measures_tail(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, double t);

typedef struct {
  accq_chain_options_t chain;
  accq_stationary_options_t solver;
  int buffer;             /* B to use; 0 = the model's (auto grows B) */
  double auto_mass;       /* auto: boundary mass target (1e-9) */
  double auto_rel;        /* auto: relative change of E[T] target (1e-9) */
  int auto_max_buffer;    /* auto: never grow B beyond this (default 0: 200 for the
                             joint chain, as before; 10000 per type for the
                             product form; --max-states and memory bound both) */
  int explicit_chain;     /* use the explicit chain (cross-check) */
  int keep_chain;         /* keep the last chain and pi in the result (default 0;
                             for --export-mtx and --spectrum); release with
                             accq_analysis_release.  Forces the joint chain. */
  int strict_auto;        /* 1: buffer = auto that stops short returns ACCQ_ENOCONV
                             (accq solve does this).  0 (default, the behaviour
                             callers had before): it returns 0 and only the
                             result says so: status ENOCONV, verdict TRUNCATED,
                             auto_converged 0, reason and warning filled */
  int product_form;       /* 1 (default): rjiq and random-lp as products of
                             independent per-type chains (Poisson thinning);
                             0: the joint lumped chain (the cross-check) */
  /* Progress (optional, default NULL): called once per chain solved, with a
   * line such as "B=40: 123456 states, boundary mass 3.2e-05, E[T] 0.41234
   * (1.23 s)" (product form: "type 'fast' B=40: ..."), so that a long
   * buffer = auto is not silent (accq solve -v prints them). */
  void (*progress)(void *ctx, const char *line);
  void *progress_ctx;
} accq_analysis_options_t;

/* What a result is worth (the "verdict"), next to the status returned. */
typedef enum {
  ACCQ_ANALYSIS_CONVERGED = 0, /* buffer = auto reached its targets: the infinite-buffer
                                 answer, truncation bias <= auto_mass / auto_rel */
  ACCQ_ANALYSIS_FINITE_BUFFER, /* an explicit B: exact for that finite-buffer system
                                 (loss shown) */
  ACCQ_ANALYSIS_TRUNCATED,     /* buffer = auto stopped short (ENOCONV): best estimate
                                 only, not an answer */
  ACCQ_ANALYSIS_NOT_CONVERGED, /* the stationary solve or a percentile failed (ENOCONV) */
  ACCQ_ANALYSIS_REFUSED        /* no number at all (too large, unstable, ...) */
} accq_analysis_verdict_t;

/* "converged", "finite-buffer", "truncated", "not-converged", "refused". */
const char *accq_analysis_verdict_name(accq_analysis_verdict_t v);
/* The JSON "status" word of a status code: "ok", "too_large", "not_converged",
 * "truncated" (ENOCONV with verdict truncated), "unstable", "infeasible",
 * "out_of_memory", "error". */
const char *accq_analysis_status_word(int status, accq_analysis_verdict_t v);

typedef struct {
  accq_measures_t m;
  accq_stationary_stats_t solver;
  int buffer;             /* B used (product form: the largest per-type B_k) */
  int64_t states, transitions;   /* built (product form: summed over the types) */
  uint64_t product_states;/* size estimate of the chain before building (reachable
                             types only; product form: the equivalent joint chain) */
  int auto_converged;     /* auto buffer reached its targets (1) or stopped (0) */
  double auto_change;     /* last relative change of E[T] when B grew */
  char warning[256];      /* non-empty when something is worth telling */
  int auto_steps;         /* buffers tried by auto (1 when B was given) */
  accq_chain_t *chain;    /* with keep_chain: the chain of the result, else NULL */
  double *pi;             /* with keep_chain: its stationary distribution */
  /* --- added by issue 11 (fields only; zero-initialized by accq_analyze) --- */
  accq_analysis_verdict_t verdict;
  int status;             /* what accq_analyze returned */
  char reason[ACCQ_ERR_MSG_MAX]; /* why the result is not an answer ("" when ok) */
  int product_form;       /* solved as independent per-type chains */
  int type_buffer[ACCQ_MAX_TYPES]; /* B_k per type (0: type never chosen; joint: B) */
  int64_t type_states[ACCQ_MAX_TYPES]; /* product form: states of each type's chain */
  double estimated_states;/* size estimate shown before building the last chain */
  double joint_states;    /* product form: states of the equivalent joint chain */
} accq_analysis_t;

/* Frees the chain and pi kept by keep_chain (NULL-safe, idempotent). */
void accq_analysis_release(accq_analysis_t *a);

void accq_analysis_options_init(accq_analysis_options_t *opt);

/* Full analysis of one policy on one model (at its scale): resolves the
 * arrival rate (load mode) and builds the lumped (or explicit) chain at buffer
 * opt->buffer, else the model's, else `auto`.
 *
 * rjiq and random-lp (product_form, the default; not with explicit_chain or
 * keep_chain): by Poisson thinning each type is an independent system fed at
 * m Lambda p_k: R-JIQ's is a JIQ chain on m n_k servers, random-lp's a product
 * of M/M/1/B queues (closed form).  Each type is solved alone and the measures
 * are combined exactly (the tail as a mixture over types).  With auto each
 * type grows its own B_k (type_buffer; buffer = max_k B_k) until its boundary
 * mass <= auto_mass / (types used) and the combined E[T] changed <= auto_rel.
 *
 * auto (joint chain): B = 4, then grows by ~1.4 (by B/16, at least 2, once the mass is
 * below target) until boundary mass <= auto_mass and the relative change of
 * E[T] at the last step <= auto_rel; when the next B does not fit
 * --max-states / memory (accq_chain_size_estimate, before allocating) the
 * last try is the largest B that fits.
 *
 * Returns: 0 with verdict CONVERGED (auto) or FINITE_BUFFER (B given; warning
 * when the boundary mass is large); verdict TRUNCATED when auto cannot reach
 * its targets (out->m holds the best estimate, `reason` and the message name
 * the B reached, its boundary mass, the E[T] change and what to do): returned
 * as ACCQ_ENOCONV with opt->strict_auto, else 0 with out->status = ENOCONV
 * (check out->status or out->verdict); ACCQ_ENOCONV with NOT_CONVERGED when a stationary solve or a percentile fails (best
 * estimate, residual in out->solver); ACCQ_ETOOBIG (REFUSED) when even the
 * first chain is over the limits; ACCQ_EUNSTABLE (REFUSED) for auto with an
 * LP split that saturates a type (rjiq, random-lp).  `status` and `reason`
 * repeat the outcome in the result.  Cost: one chain build and solve per B. */
int accq_analyze(const accq_model_t *m, const accq_policy_t *pol,
                 const accq_analysis_options_t *opt, accq_analysis_t *out,
                 accq_err_t *err);

#endif
