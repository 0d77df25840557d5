/* Internal pieces of the measures module: the response-time distribution of an
 * admitted job as an Erlang mixture (docs/measures.md), built once per (chain, policy, pi)
 * and then evaluated in O(terms) per point.  Not installed. */
#ifndef ACCQ_MEASURES_INTERNAL_H
#define ACCQ_MEASURES_INTERNAL_H

#include "accq/measures.h"

/* P(T > t) = sum_j w[j] * Q(stages[j], rate[j] * t), sum_j w[j] = 1:
 * term j is "sent to a type-k server holding q < B jobs", stages q + 1, rate mu_k. */
typedef struct {
  int n;            /* terms with positive weight */
  int cap;
  double *w;        /* weights, normalized to sum 1 */
  double *rate;     /* mu_k */
  int *stages;      /* q + 1 */
} accq_i_mixture_t;

/* Allocates room for `cap` terms (all zero). ACCQ_ENOMEM on failure. */
int accq_i_mixture_alloc(accq_i_mixture_t *mix, int cap, accq_err_t *err);
void accq_i_mixture_free(accq_i_mixture_t *mix);
/* Appends a term (weights need not be normalized yet); ignored when w <= 0. */
void accq_i_mixture_add(accq_i_mixture_t *mix, double w, double rate, int stages);
/* Divides the weights by their sum; returns the sum before normalizing. */
double accq_i_mixture_normalize(accq_i_mixture_t *mix);

/* P(T > t), t >= 0 (1 for t <= 0). O(n) incomplete gamma evaluations. */
double accq_i_mixture_tail(const accq_i_mixture_t *mix, double t);
/* Exact mean sum_j w_j stages_j / rate_j. */
double accq_i_mixture_mean(const accq_i_mixture_t *mix);
/* The p-quantile (P(T > t) = 1 - p, 0 < p < 1) by Brent's method after a
 * doubling bracket.  ACCQ_ENOCONV (best estimate in *t) if Brent stalls. */
int accq_i_mixture_quantile(const accq_i_mixture_t *mix, double p, double *t,
                            accq_err_t *err);
/* int_0^inf P(T > t) dt by adaptive quadrature (GSL qagiu), independent of the
 * closed-form mean; *abserr is GSL's error estimate.  ACCQ_ENOCONV keeps the
 * best estimate when the requested accuracy is not reached. */
int accq_i_mixture_integral(const accq_i_mixture_t *mix, double *value, double *abserr,
                            accq_err_t *err);

/* Route weights of a chain per (k, q): the stationary probability that an
 * arriving job is sent to a type-k server holding q jobs (q = B: lost), not
 * yet divided by `mass`.  route has ntypes * (B+1) doubles (caller frees). */
typedef struct {
  int ntypes, B;
  double *route;        /* [k*(B+1)+q] */
  double mean_jobs;     /* L */
  double busy[ACCQ_MAX_TYPES];
  double boundary;      /* P(some server holds B) */
  double mass;          /* sum pi (should be 1) */
} accq_i_flows_t;

/* One pass over the states: O(states * (ntypes * (B+1) + routes)). */
int accq_i_measures_accumulate(const accq_chain_t *c, const accq_policy_t *pol,
                               const double *pi, accq_i_flows_t *acc, accq_err_t *err);

/* Everything docs/measures.md needs, per type, normalized: route[k][q] (q = 0..buffer[k])
 * is the fraction of all arrivals sent to a type-k server holding q jobs
 * (q = buffer[k]: lost); a type with buffer[k] = 0 receives nothing.  From the
 * joint chain all buffers are B; from the product form each type has its own. */
typedef struct {
  const accq_model_t *model;  /* rates, accuracies, a* (LP at the admitted rate) */
  int scale;
  double lambda;              /* m Lambda */
  const int *servers;         /* N_k */
  const int *buffer;          /* B_k */
  const double *const *route;
  const double *busy;         /* E[busy servers of type k] */
  double mean_jobs;           /* L */
  double boundary;            /* P(some server of some type holds its B_k) */
} accq_i_flow_summary_t;

/* The measures from a flow summary: loss, throughputs, E[T] by Little,
 * accuracy, P(W>0), the Erlang-mixture percentiles and tail integral, the LP
 * at the admitted rate.  ACCQ_ENOCONV (every field filled) when a percentile
 * or the quadrature does not converge. */
int accq_i_measures_finish(const accq_i_flow_summary_t *f, accq_measures_t *out,
                           accq_err_t *err);

/* The next buffer of `auto` after B (the one before: Bprev, 0 if none):
 * growth by ~1.4 while the boundary mass is above target (the states grow
 * like B^servers, so the steps cost a geometric series, a small multiple of
 * the last chain), ~1.25 once it is below (confirming the E[T] change).  In
 * the geometric regime (both masses below 0.05 and decaying) the step stops
 * at the B where the decay rate puts the mass at half the target, so the
 * largest chain is not overshot; never less than B + 1. */
int accq_i_auto_next(int B, int Bprev, double mass, double mass_prev, double target);

/* Residual target of the stationary solves inside buffer = auto: the E[T]
 * change between two buffers that auto tests against 1e-9 must not be solver
 * noise (pop on saturating.ini at B = 113: E[T] moves by 7e-8 relative between
 * residuals 1e-12 and 1e-15, by 9e-10 between 1e-14 and 1e-15). */
#define ACCQ_I_AUTO_TOL 1e-14

/* accq_stationary_solve at min(opt->tol, tight) when tight > 0; a solve that
 * misses the tight target but meets opt->tol is accepted (the E[T] change
 * test of auto then judges it). */
int accq_i_solve_tight(const accq_generator_t *Q, const accq_stationary_options_t *opt,
                       double tight, double *pi, accq_stationary_stats_t *stats,
                       accq_err_t *err);

/* The product-form analysis of rjiq and random-lp (src/measures/product.c):
 * `buffer` > 0 a finite-buffer system (every type at B), 0 buffer = auto
 * (each type grows its own B_k).  mm is resolved (arrival rate known).
 * Fills out as accq_analyze documents. */
int accq_i_analyze_product(const accq_model_t *mm, const accq_policy_t *pol,
                           const accq_analysis_options_t *opt, int buffer,
                           accq_analysis_t *out, accq_err_t *err);

#endif
