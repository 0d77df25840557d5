/* Measures of docs/measures.md from a stationary distribution of the lumped or explicit
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

/* One pass over the states: O(states * (ntypes * (B+1) + routes)). */
int accq_i_measures_accumulate(const accq_chain_t *c, const accq_policy_t *pol,
                               const double *pi, accq_i_flows_t *acc, accq_err_t *err) {
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
  /* MMPP arrivals (docs/measures.md, "Time and job averages"): the states of
   * one occupancy are consecutive, one per phase.  Time averages weight the
   * occupancy by its time fraction sum_i pi(s, i); job averages (the routes)
   * by the fraction of arrivals that find it, sum_i pi(s, i) lambda_i /
   * lambda-bar.  With Poisson arrivals both are pi(s). */
  const int P = c->nphases > 1 ? c->nphases : 1;
  double wphase[ACCQ_ARRIVALS_MAX_PHASES];
  for (int h = 0; h < P; h++) wphase[h] = P > 1 ? c->phase_rate[h] / c->lambda : 1.0;
  for (int64_t i = 0; i < c->nstates; i += P) {
    double p = pi[i], pa = pi[i];
    if (P > 1) {
      p = pa = 0;
      for (int h = 0; h < P; h++) {
        p += pi[i + h];
        pa += pi[i + h] * wphase[h];
      }
    }
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
    if (pa == 0) continue;
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
      const double w = pa * routes[r].prob;
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

static int build_mixture(const accq_i_flow_summary_t *f, accq_i_mixture_t *mix,
                         accq_err_t *err) {
  const int K = f->model->ntypes;
  int terms = 0;
  for (int k = 0; k < K; k++) terms += f->buffer[k];
  int st = accq_i_mixture_alloc(mix, terms, err);
  if (st) return st;
  for (int k = 0; k < K; k++)
    for (int q = 0; q < f->buffer[k]; q++)
      accq_i_mixture_add(mix, f->route[k][q], f->model->types[k].rate, q + 1);
  accq_i_mixture_normalize(mix);
  return ACCQ_SUCCESS;
}

int accq_i_measures_finish(const accq_i_flow_summary_t *f, accq_measures_t *out,
                           accq_err_t *err) {
  accq_i_mixture_t mix = {0};
  const accq_model_t *model = f->model;
  const int K = model->ntypes;
  int status = ACCQ_SUCCESS;
  memset(out, 0, sizeof *out);
  double loss = 0, admitted = 0, wait = 0;
  for (int k = 0; k < K; k++) {
    const int Bk = f->buffer[k];
    double xk = 0;
    for (int q = 0; q < Bk; q++) {
      xk += f->route[k][q];
      if (q >= 1) wait += f->route[k][q];
    }
    if (Bk > 0) loss += f->route[k][Bk];
    admitted += xk;
    out->throughput[k] = f->lambda * xk;
    out->utilization[k] = f->busy[k] / f->servers[k];
  }
  out->lambda = f->lambda;
  out->loss_probability = loss / (loss + admitted);
  out->throughput_total = f->lambda * (1 - out->loss_probability);
  out->mean_jobs = f->mean_jobs;
  out->mean_response_time = out->mean_jobs / out->throughput_total;
  out->p_wait = wait / admitted;
  out->boundary_mass = f->boundary;
  double correct = 0, flow = 0;
  for (int k = 0; k < K; k++) {
    correct += model->types[k].accuracy * out->throughput[k];
    double served = model->types[k].rate * f->busy[k];
    flow = fmax(flow, fabs(out->throughput[k] - served));
  }
  out->accuracy = correct / out->throughput_total;
  out->flow_balance_error = flow / out->throughput_total;

  /* Tail: the Erlang mixture, its percentiles and the quadrature of its
   * integral as an independent check of Little's law. */
  status = build_mixture(f, &mix, err);
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
  accq_lp_result_t res;
  if (out->throughput_total / f->scale > 0 &&
      accq_lp_bound_at(model, out->throughput_total / f->scale, NAN, &res, NULL) == 0 &&
      res.status == ACCQ_LP_OPTIMAL) {
    out->t_lp = res.t_lp;
    out->gap = out->mean_response_time / res.t_lp - 1;
  }
cleanup:
  accq_i_mixture_free(&mix);
  return status;
}

/* The joint chain's flows, normalized to the total mass, as a summary. */
static void joint_summary(const accq_chain_t *c, accq_i_flows_t *acc, int *bk,
                          const double **rows, double *busy, accq_i_flow_summary_t *f) {
  const int K = acc->ntypes, W = acc->B + 1;
  const double mass = acc->mass > 0 ? acc->mass : 1;
  for (size_t j = 0; j < (size_t)K * W; j++) acc->route[j] /= mass;
  for (int k = 0; k < K; k++) {
    bk[k] = acc->B;
    rows[k] = acc->route + (size_t)k * W;
    busy[k] = acc->busy[k] / mass;
  }
  f->model = &c->model;
  f->scale = c->scale;
  f->lambda = c->lambda;
  f->servers = c->servers;
  f->buffer = bk;
  f->route = rows;
  f->busy = busy;
  f->mean_jobs = acc->mean_jobs / mass;
  f->boundary = acc->boundary / mass;
}

int accq_measures_compute(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, accq_measures_t *out, accq_err_t *err) {
  accq_i_flows_t acc;
  int status = accq_i_measures_accumulate(c, pol, pi, &acc, err);
  if (status) return status;
  int bk[ACCQ_MAX_TYPES];
  const double *rows[ACCQ_MAX_TYPES];
  double busy[ACCQ_MAX_TYPES];
  accq_i_flow_summary_t f;
  /* Measures are taken relative to the total mass so that a pi normalized
   * only to rounding gives consistent ratios. */
  joint_summary(c, &acc, bk, rows, busy, &f);
  status = accq_i_measures_finish(&f, out, err);
  free(acc.route);
  return status;
}

double accq_measures_tail(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, double t) {
  accq_i_flows_t acc;
  accq_i_mixture_t mix = {0};
  double v = NAN;
  if (accq_i_measures_accumulate(c, pol, pi, &acc, NULL)) return NAN;
  int bk[ACCQ_MAX_TYPES];
  const double *rows[ACCQ_MAX_TYPES];
  double busy[ACCQ_MAX_TYPES];
  accq_i_flow_summary_t f;
  joint_summary(c, &acc, bk, rows, busy, &f);
  if (build_mixture(&f, &mix, NULL) == ACCQ_SUCCESS) v = accq_i_mixture_tail(&mix, t);
  accq_i_mixture_free(&mix);
  free(acc.route);
  return v;
}
