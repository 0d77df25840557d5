/* Measures of SPEC 6 from a stationary distribution of the lumped or explicit
 * chain.  One pass over the states: each state's occupancy is handed to the
 * policy's dispatch rule (the very function that built the generator), and the
 * routes it returns give the loss, the admitted flows per type, the waiting
 * probability and the weights of the Erlang mixture of the response time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/measures.h"
#include "measures/measures_internal.h"

/* Route weights per (k, q): the stationary probability that an arriving job is
 * sent to a type-k server holding q jobs (q = B: lost).  ntypes * (B+1) doubles. */
typedef struct {
  int ntypes, B;
  double *route;        /* [k*(B+1)+q] */
  double mean_jobs;     /* L */
  double busy[ACCQ_MAX_TYPES];
  double boundary;      /* P(some server holds B) */
  double mass;          /* sum pi (should be 1) */
} accumulate_t;

/* One pass over the states: O(states * (ntypes * (B+1) + routes)). */
static int accumulate(const accq_chain_t *c, const accq_policy_t *pol, const double *pi,
                      accumulate_t *acc, accq_err_t *err) {
  const int K = c->model.ntypes, B = c->buffer, W = B + 1;
  int status = ACCQ_SUCCESS;
  int *count = malloc(sizeof(int) * (size_t)K * (size_t)W);
  const int **rows = malloc(sizeof(int *) * (size_t)K);
  int top[ACCQ_MAX_TYPES];
  int cap = K * (W + 1) + 8;
  accq_route_t *routes = malloc(sizeof *routes * (size_t)cap);
  memset(acc, 0, sizeof *acc);
  acc->ntypes = K;
  acc->B = B;
  acc->route = calloc((size_t)K * (size_t)W, sizeof(double));
  if (!count || !rows || !routes || !acc->route) {
    status = accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the measures workspace (%d types, B=%d)",
                          K, B);
    goto cleanup;
  }
  for (int k = 0; k < K; k++) rows[k] = count + (size_t)k * W;
  accq_occ_t occ = {K, c->servers, rows, top, B};
  for (int64_t i = 0; i < c->nstates; i++) {
    const double p = pi[i];
    accq_chain_state_counts(c, i, count);
    int full = 0;
    for (int k = 0; k < K; k++) {
      const int *ck = rows[k];
      int t = 0;
      for (int q = 0; q <= B; q++)
        if (ck[q]) {
          t = q;
          acc->mean_jobs += p * q * ck[q];
        }
      top[k] = t;
      acc->busy[k] += p * (c->servers[k] - ck[0]);
      if (ck[B]) full = 1;
    }
    if (full) acc->boundary += p;
    acc->mass += p;
    if (p == 0) continue;
    int nr = 0, st;
    while ((st = accq_policy_dispatch(pol, &occ, routes, cap, &nr)) == ACCQ_ERANGE) {
      /* Rare: a policy with more routes than the generic bound. */
      int want = accq_policy_max_routes(pol, &occ);
      int ncap = want > cap ? want : 2 * cap;
      accq_route_t *nr_routes = realloc(routes, sizeof *routes * (size_t)ncap);
      if (!nr_routes) {
        status = accq_err_set(err, ACCQ_ENOMEM, "cannot allocate %d routes", ncap);
        goto cleanup;
      }
      routes = nr_routes;
      cap = ncap;
    }
    if (st != ACCQ_SUCCESS) {
      status = accq_err_set(err, st, "policy %s failed to dispatch in state %lld",
                            accq_policy_name(pol), (long long)i);
      goto cleanup;
    }
    for (int r = 0; r < nr; r++) {
      const int k = routes[r].type;
      const double w = p * routes[r].prob;
      if (routes[r].level == ACCQ_LEVEL_ANY) {
        /* a uniformly random type-k server: level q with probability c[k][q]/N_k */
        const double inv = 1.0 / c->servers[k];
        for (int q = 0; q <= top[k]; q++)
          if (rows[k][q]) acc->route[(size_t)k * W + q] += w * rows[k][q] * inv;
      } else {
        acc->route[(size_t)k * W + routes[r].level] += w;
      }
    }
  }
cleanup:
  free(count);
  free(rows);
  free(routes);
  if (status != ACCQ_SUCCESS) {
    free(acc->route);
    acc->route = NULL;
  }
  return status;
}

static int build_mixture(const accq_chain_t *c, const accumulate_t *acc,
                         accq_i_mixture_t *mix, accq_err_t *err) {
  const int K = acc->ntypes, B = acc->B, W = B + 1;
  int st = accq_i_mixture_alloc(mix, K * B, err);
  if (st) return st;
  for (int k = 0; k < K; k++)
    for (int q = 0; q < B; q++)
      accq_i_mixture_add(mix, acc->route[(size_t)k * W + q], c->model.types[k].rate, q + 1);
  accq_i_mixture_normalize(mix);
  return ACCQ_SUCCESS;
}

int accq_measures_compute(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, accq_measures_t *out, accq_err_t *err) {
  accumulate_t acc;
  accq_i_mixture_t mix = {0};
  int status = accumulate(c, pol, pi, &acc, err);
  if (status) return status;
  const int K = acc.ntypes, B = acc.B, W = B + 1;
  memset(out, 0, sizeof *out);
  /* Measures are taken relative to the total mass so that a pi normalized
   * only to rounding gives consistent ratios. */
  const double mass = acc.mass > 0 ? acc.mass : 1;
  double loss = 0, admitted = 0, wait = 0;
  for (int k = 0; k < K; k++) {
    double xk = 0;
    for (int q = 0; q < B; q++) {
      xk += acc.route[(size_t)k * W + q];
      if (q >= 1) wait += acc.route[(size_t)k * W + q];
    }
    loss += acc.route[(size_t)k * W + B];
    admitted += xk;
    out->throughput[k] = c->lambda * xk / mass;
    out->utilization[k] = acc.busy[k] / mass / c->servers[k];
  }
  out->lambda = c->lambda;
  out->loss_probability = loss / (loss + admitted);
  out->throughput_total = c->lambda * (1 - out->loss_probability);
  out->mean_jobs = acc.mean_jobs / mass;
  out->mean_response_time = out->mean_jobs / out->throughput_total;
  out->p_wait = wait / admitted;
  out->boundary_mass = acc.boundary / mass;
  double correct = 0, flow = 0;
  for (int k = 0; k < K; k++) {
    correct += c->model.types[k].accuracy * out->throughput[k];
    double served = c->model.types[k].rate * acc.busy[k] / mass;
    flow = fmax(flow, fabs(out->throughput[k] - served));
  }
  out->accuracy = correct / out->throughput_total;
  out->flow_balance_error = flow / out->throughput_total;

  /* Tail: the Erlang mixture, its percentiles and the quadrature of its
   * integral as an independent check of Little's law. */
  status = build_mixture(c, &acc, &mix, err);
  if (status) goto cleanup;
  double *pct[4] = {&out->p50, &out->p90, &out->p95, &out->p99};
  const double lev[4] = {0.50, 0.90, 0.95, 0.99};
  for (int j = 0; j < 4; j++) {
    accq_err_t qerr;
    accq_err_clear(&qerr);
    int qs = accq_i_mixture_quantile(&mix, lev[j], pct[j], &qerr);
    if (qs && status == ACCQ_SUCCESS) {
      status = qs;
      if (err) *err = qerr;
    }
  }
  double integral, abserr;
  accq_err_t ierr;
  accq_err_clear(&ierr);
  int is = accq_i_mixture_integral(&mix, &integral, &abserr, &ierr);
  out->tail_integral = integral;
  out->little_tail_error = fabs(integral - out->mean_response_time) / out->mean_response_time;
  if (is && status == ACCQ_SUCCESS) {
    status = is;
    if (err) *err = ierr;
  }

  /* The bound at the admitted rate X, per unit of scale. */
  out->t_lp = NAN;
  out->gap = NAN;
  accq_lp_problem_t lp;
  accq_lp_result_t res;
  if (accq_lp_problem_from_model(&lp, &c->model, 0.0) == ACCQ_SUCCESS) {
    lp.lambda = out->throughput_total / c->scale;
    accq_err_t lerr;
    accq_err_clear(&lerr);
    if (lp.lambda > 0 && accq_lp_solve(&lp, &res, &lerr) == ACCQ_SUCCESS &&
        res.status == ACCQ_LP_OPTIMAL) {
      out->t_lp = res.t_lp;
      out->gap = out->mean_response_time / res.t_lp - 1;
    }
  }
cleanup:
  accq_i_mixture_free(&mix);
  free(acc.route);
  return status;
}

double accq_measures_tail(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, double t) {
  accumulate_t acc;
  accq_i_mixture_t mix = {0};
  double v = NAN;
  if (accumulate(c, pol, pi, &acc, NULL)) return NAN;
  if (build_mixture(c, &acc, &mix, NULL) == ACCQ_SUCCESS) v = accq_i_mixture_tail(&mix, t);
  accq_i_mixture_free(&mix);
  free(acc.route);
  return v;
}
