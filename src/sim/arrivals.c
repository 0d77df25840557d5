/* Exact samplers of the arrival processes (docs/simulator.md, "Arrival
 * processes"); the contract is in include/accq/arrivals.h.
 *
 *  - piecewise: inversion of the integrated rate.  One standard exponential E
 *    per arrival; in the current step of rate r the next arrival is t + E/r if
 *    that falls before the step's end, otherwise E loses what the rest of the
 *    step integrates to, (end - t) r, and the search goes on in the next step.
 *    Exact (the arrival count over any interval is Poisson with the integral
 *    of the rate as its mean), with no rejection.  In a step the arrival is
 *    computed as t + (1/r) E, the very expression plain Poisson uses, so a
 *    one-step schedule at the model's rate gives the same bytes.
 *  - sinusoid: thinning (Lewis and Shedler, "Simulation of nonhomogeneous
 *    Poisson processes by thinning", Naval Res. Logistics Quarterly 26(3),
 *    1979): candidates of a Poisson process at the peak rate mean + amplitude,
 *    each kept with probability rate(t)/peak.  Exact; on average peak/mean
 *    candidates per arrival.
 *  - mmpp: in phase i the next event is an exponential of rate lambda_i + q_i
 *    (q_i = -Q[i][i]); it is an arrival with probability lambda_i / (lambda_i +
 *    q_i), else a change to phase j with probability Q[i][j] / q_i.  The first
 *    phase is drawn from the stationary phase law, so the process is
 *    stationary from time 0.
 *  - trace: the timestamps in order; after the last one the trace is replayed
 *    again, shifted by its loop period P = (last - first) n / (n - 1) (its span
 *    plus one mean gap), so it never ends and its long-run rate is n / P.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/arrival_sampler.h"
#include "accq/arrivals.h"
#include "accq/model.h"
#include "sim/sim_internal.h"

int accq_i_arrivals_stationary(const accq_arrivals_t *a, double *pi); /* src/model/arrivals.c */

#define ACCQ_PI 3.14159265358979323846

struct accq_arrivals_plan {
  accq_arrivals_kind_t kind;
  double lam0, mean_rate;
  int poisson;
  /* piecewise */
  int nsteps;
  double t[ACCQ_ARRIVALS_MAX_STEPS], rate[ACCQ_ARRIVALS_MAX_STEPS], inv[ACCQ_ARRIVALS_MAX_STEPS];
  double cycle;
  /* sinusoid */
  double smean, samp, speriod, speak, sinv;
  /* mmpp */
  int K;
  double prate[ACCQ_ARRIVALS_MAX_PHASES], ptot_inv[ACCQ_ARRIVALS_MAX_PHASES],
      parr[ACCQ_ARRIVALS_MAX_PHASES];
  double jump[ACCQ_ARRIVALS_MAX_PHASES][ACCQ_ARRIVALS_MAX_PHASES]; /* cumulative */
  double pi_cum[ACCQ_ARRIVALS_MAX_PHASES];
  /* trace */
  double *ts;
  long long n;
  double loop;
};

int accq_arrivals_plan_alloc(accq_arrivals_plan_t **out, const accq_arrivals_t *a, double lambda,
                             int scale, accq_err_t *err) {
  *out = NULL;
  if (!(lambda > 0) || !isfinite(lambda) || scale < 1)
    return accq_err_set(err, ACCQ_EINVAL, "arrivals: need Lambda > 0 and scale >= 1 (got %g, %d)",
                        lambda, scale);
  accq_arrivals_plan_t *p = calloc(1, sizeof *p);
  if (!p) return accq_err_set(err, ACCQ_ENOMEM, "arrivals: out of memory");
  p->kind = a->kind;
  p->lam0 = (double)scale * lambda;
  /* a rate of the file as a rate of the whole system */
#define SYS(v) ((double)scale * (a->relative ? lambda * (v) : (v)))
  switch (a->kind) {
  case ACCQ_ARRIVALS_POISSON:
    p->mean_rate = p->lam0;
    p->poisson = 1;
    break;
  case ACCQ_ARRIVALS_PIECEWISE: {
    p->nsteps = a->nsteps;
    p->cycle = a->cycle;
    double integral = 0;
    for (int i = 0; i < a->nsteps; i++) {
      p->t[i] = a->step_time[i];
      p->rate[i] = SYS(a->step_rate[i]);
      p->inv[i] = p->rate[i] > 0 ? 1.0 / p->rate[i] : INFINITY;
      double end = i + 1 < a->nsteps ? a->step_time[i + 1] : a->cycle;
      integral += p->rate[i] * (end - p->t[i]);
    }
    p->mean_rate = a->cycle > 0 ? integral / a->cycle : p->rate[a->nsteps - 1];
    p->poisson = a->nsteps == 1 && p->rate[0] == p->lam0;
    break;
  }
  case ACCQ_ARRIVALS_SINUSOID:
    p->smean = SYS(a->mean);
    p->samp = SYS(a->amplitude);
    p->speriod = a->period;
    p->speak = p->smean + p->samp;
    p->sinv = 1.0 / p->speak;
    p->mean_rate = p->smean;
    p->poisson = p->samp == 0 && p->smean == p->lam0;
    break;
  case ACCQ_ARRIVALS_MMPP: {
    double pi[ACCQ_ARRIVALS_MAX_PHASES];
    p->K = a->nphases;
    if (p->K == 1)
      pi[0] = 1;
    else if (accq_i_arrivals_stationary(a, pi)) {
      free(p);
      return accq_err_set(err, ACCQ_EMODEL, "arrivals: the mmpp generator is not irreducible");
    }
    double c = 0, mr = 0;
    p->poisson = 1;
    for (int i = 0; i < p->K; i++) {
      p->prate[i] = SYS(a->phase_rate[i]);
      double q = -a->gen[i][i], tot = p->prate[i] + q;
      p->ptot_inv[i] = tot > 0 ? 1.0 / tot : INFINITY;
      p->parr[i] = tot > 0 ? p->prate[i] / tot : 1;
      double cj = 0;
      for (int j = 0; j < p->K; j++) {
        if (j != i && q > 0) cj += a->gen[i][j] / q;
        p->jump[i][j] = cj;
      }
      c += pi[i];
      p->pi_cum[i] = c;
      mr += pi[i] * p->prate[i];
      if (p->prate[i] != p->lam0) p->poisson = 0;
    }
    p->mean_rate = mr;
    break;
  }
  case ACCQ_ARRIVALS_TRACE: {
    int st = accq_arrivals_read_trace(a->trace, &p->ts, &p->n, err);
    if (st) {
      free(p);
      return st;
    }
    p->loop = (p->ts[p->n - 1] - p->ts[0]) * (double)p->n / (double)(p->n - 1);
    if (!(p->loop > 0)) {
      free(p->ts);
      free(p);
      return accq_err_set(err, ACCQ_EMODEL, "arrivals: trace '%s' spans no time", a->trace);
    }
    p->mean_rate = (double)p->n / p->loop;
    break;
  }
  }
#undef SYS
  *out = p;
  return ACCQ_SUCCESS;
}

void accq_arrivals_plan_free(accq_arrivals_plan_t *p) {
  if (!p) return;
  free(p->ts);
  free(p);
}

double accq_arrivals_mean_rate(const accq_arrivals_plan_t *p) { return p->mean_rate; }
int accq_arrivals_is_poisson(const accq_arrivals_plan_t *p) { return p->poisson; }

/* Integral of the piecewise rate from 0 to t. */
static double pw_cum(const accq_arrivals_plan_t *p, double t) {
  double c = 0;
  if (p->cycle > 0) {
    double full = floor(t / p->cycle);
    c = full * p->mean_rate * p->cycle;
    t -= full * p->cycle;
  }
  for (int i = 0; i < p->nsteps && p->t[i] < t; i++) {
    double end = i + 1 < p->nsteps ? p->t[i + 1] : INFINITY;
    c += p->rate[i] * (fmin(end, t) - p->t[i]);
  }
  return c;
}

double accq_arrivals_integral(const accq_arrivals_plan_t *p, double t0, double t1) {
  switch (p->kind) {
  case ACCQ_ARRIVALS_POISSON: return p->lam0 * (t1 - t0);
  case ACCQ_ARRIVALS_PIECEWISE: return pw_cum(p, t1) - pw_cum(p, t0);
  case ACCQ_ARRIVALS_SINUSOID: {
    double w = 2 * ACCQ_PI / p->speriod;
    return p->smean * (t1 - t0) + p->samp / w * (cos(w * t0) - cos(w * t1));
  }
  default: return NAN;
  }
}

void accq_arrivals_start(const accq_arrivals_plan_t *p, accq_arrivals_state_t *s, gsl_rng *r) {
  memset(s, 0, sizeof *s);
  if (p->kind == ACCQ_ARRIVALS_MMPP && p->K > 1) {
    double u = gsl_rng_uniform(r);
    while (s->phase < p->K - 1 && u >= p->pi_cum[s->phase]) s->phase++;
  }
}

static double next_piecewise(const accq_arrivals_plan_t *p, accq_arrivals_state_t *s, double t,
                             gsl_rng *r) {
  double e = accq_i_sim_exp1(r);
  for (;;) {
    int i = s->seg;
    double end = i + 1 < p->nsteps ? s->base + p->t[i + 1]
                 : p->cycle > 0    ? s->base + p->cycle
                                   : INFINITY;
    if (p->rate[i] > 0) {
      double x = t + p->inv[i] * e;
      if (x < end) return x;
      e -= (end - t) * p->rate[i];
      if (e < 0) e = 0;
    }
    t = end;
    if (i + 1 < p->nsteps) {
      s->seg = i + 1;
    } else {
      s->seg = 0;
      s->base += p->cycle;
    }
  }
}

static double next_sinusoid(const accq_arrivals_plan_t *p, double t, gsl_rng *r) {
  const double w = 2 * ACCQ_PI / p->speriod;
  for (;;) {
    t += p->sinv * accq_i_sim_exp1(r);
    if (gsl_rng_uniform(r) * p->speak < p->smean + p->samp * sin(w * t)) return t;
  }
}

static double next_mmpp(const accq_arrivals_plan_t *p, accq_arrivals_state_t *s, double t,
                        gsl_rng *r) {
  for (;;) {
    int i = s->phase;
    t += p->ptot_inv[i] * accq_i_sim_exp1(r);
    if (p->parr[i] >= 1 || gsl_rng_uniform(r) < p->parr[i]) return t;
    double u = gsl_rng_uniform(r);
    int j = 0;
    while (j < p->K - 1 && (j == i || u >= p->jump[i][j])) j++;
    if (j == i) j = j > 0 ? j - 1 : j + 1; /* rounding at the top: the last reachable phase */
    s->phase = j;
  }
}

double accq_arrivals_next(const accq_arrivals_plan_t *p, accq_arrivals_state_t *s, double t,
                          gsl_rng *r) {
  switch (p->kind) {
  case ACCQ_ARRIVALS_PIECEWISE: return next_piecewise(p, s, t, r);
  case ACCQ_ARRIVALS_SINUSOID: return next_sinusoid(p, t, r);
  case ACCQ_ARRIVALS_MMPP: return next_mmpp(p, s, t, r);
  case ACCQ_ARRIVALS_TRACE: {
    double x = s->base + p->ts[s->idx++];
    if (s->idx == p->n) {
      s->idx = 0;
      s->base += p->loop;
    }
    return x;
  }
  default: return t + (1.0 / p->lam0) * accq_i_sim_exp1(r);
  }
}
