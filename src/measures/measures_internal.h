/* Internal pieces of the measures module: the response-time distribution of an
 * admitted job as an Erlang mixture (SPEC 6), built once per (chain, policy, pi)
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

#endif
