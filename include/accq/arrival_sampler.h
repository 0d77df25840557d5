/* The simulator's exact samplers of the arrival processes of accq/arrivals.h
 * (docs/simulator.md): thinning or inversion for time-varying rates, the
 * phase process of an MMPP, replay of a trace. */
#ifndef ACCQ_ARRIVAL_SAMPLER_H
#define ACCQ_ARRIVAL_SAMPLER_H

#include <gsl/gsl_rng.h>

#include "accq/arrivals.h"

/* ---- sampling (the simulator's arrival stream) ---- */

/* A read-only plan, shared by every replication: the process with its rates
 * resolved to the system (m times the per-scale rates, times Lambda when
 * relative) and, for a trace, its timestamps. */
typedef struct accq_arrivals_plan accq_arrivals_plan_t;

/* Per replication state (a plain value; start it with accq_arrivals_start). */
typedef struct {
  int seg;          /* piecewise: current step */
  double base;      /* piecewise: start of the current cycle; trace: loop offset */
  long long idx;    /* trace: next timestamp */
  int phase;        /* mmpp: current phase */
} accq_arrivals_state_t;

/* lambda: the model's resolved Lambda per unit scale; scale: m. */
int accq_arrivals_plan_alloc(accq_arrivals_plan_t **p, const accq_arrivals_t *a, double lambda,
                             int scale, accq_err_t *err);
void accq_arrivals_plan_free(accq_arrivals_plan_t *p);

/* The long-run mean arrival rate of the whole system (m Lambda-bar): the
 * last step's rate (piecewise without cycle), the cycle average, the
 * sinusoid's mean, pi . lambda for mmpp (pi the stationary phase law), the
 * trace's count over its loop period. */
double accq_arrivals_mean_rate(const accq_arrivals_plan_t *p);

/* 1 when the process is Poisson at exactly rate m Lambda (poisson, or a
 * piecewise schedule of one step at that rate). */
int accq_arrivals_is_poisson(const accq_arrivals_plan_t *p);

/* The integrated intensity of the whole system over [t0, t1] (the expected
 * number of arrivals), for the deterministic-rate processes (poisson,
 * piecewise, sinusoid); NaN for mmpp and trace (their rate is random or
 * unknown: the simulator counts their arrivals instead). */
double accq_arrivals_integral(const accq_arrivals_plan_t *p, double t0, double t1);

/* Starts a replication at time 0 (mmpp: the phase drawn from its
 * stationary law, with r). */
void accq_arrivals_start(const accq_arrivals_plan_t *p, accq_arrivals_state_t *s, gsl_rng *r);

/* The next arrival time after t (t = the previous arrival, or 0), drawn
 * exactly: piecewise by inversion of the integrated rate segment by segment
 * (one exponential per arrival; a one-step schedule draws the very numbers of
 * plain Poisson), sinusoid by thinning (Lewis and Shedler 1979) against its
 * peak rate, mmpp by competing exponential clocks of arrival and phase
 * change, trace by replay (looped: see docs/simulator.md). */
double accq_arrivals_next(const accq_arrivals_plan_t *p, accq_arrivals_state_t *s, double t,
                          gsl_rng *r);

#endif
