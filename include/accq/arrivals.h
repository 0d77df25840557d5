/* Arrival processes of the [arrivals] section of a model file (docs/model.md)
 * and their exact samplers for the simulator (docs/simulator.md).
 *
 * The process is part of the model (a plain value, no heap memory): a trace
 * is kept as the absolute path of its CSV file and read when a sampler plan
 * is made.  Without an [arrivals] section the process is Poisson at the
 * model's rate m Lambda, as always.
 *
 * Rates: with `rates = absolute` (the default) every rate is in jobs per unit
 * time per unit of scale, like system.arrival_rate; with `rates = relative`
 * every rate is a multiple of the model's (resolved) Lambda.  The system of
 * scale m is offered m times the rate.  A trace is replayed as it is (its
 * timestamps are the arrivals of the whole system, whatever the scale).
 */
#ifndef ACCQ_ARRIVALS_H
#define ACCQ_ARRIVALS_H

#include <gsl/gsl_rng.h>

#include "accq/status.h"

#define ACCQ_ARRIVALS_MAX_STEPS 64    /* piecewise: `step` lines */
#define ACCQ_ARRIVALS_MAX_PHASES 8    /* mmpp: phases K */
#define ACCQ_ARRIVALS_TRACE_MAX 10000000 /* timestamps in a trace file */

typedef enum {
  ACCQ_ARRIVALS_POISSON = 0, /* constant rate: the model's m Lambda */
  ACCQ_ARRIVALS_PIECEWISE,   /* rate steps at given times (optionally cyclic) */
  ACCQ_ARRIVALS_SINUSOID,    /* mean + amplitude sin(2 pi t / period) */
  ACCQ_ARRIVALS_MMPP,        /* Markov-modulated Poisson process */
  ACCQ_ARRIVALS_TRACE        /* timestamps replayed from a CSV file, looped */
} accq_arrivals_kind_t;

typedef struct {
  accq_arrivals_kind_t kind;
  int relative;                          /* rates are multiples of Lambda */
  int line;                              /* line of the [arrivals] header (0: none) */
  int key_line[10];                      /* where each single key was read (0: not given) */
  /* piecewise: step i holds rate[i] from time[i] (time[0] = 0) to time[i+1] */
  int nsteps;
  double step_time[ACCQ_ARRIVALS_MAX_STEPS];
  double step_rate[ACCQ_ARRIVALS_MAX_STEPS];
  double cycle;                          /* > 0: the schedule repeats with this period */
  /* sinusoid */
  double mean, amplitude, period;
  /* mmpp: phase rates and generator rows (q[i][j] >= 0 off the diagonal, rows sum to 0) */
  int nphases, ngen;
  double phase_rate[ACCQ_ARRIVALS_MAX_PHASES];
  double gen[ACCQ_ARRIVALS_MAX_PHASES][ACCQ_ARRIVALS_MAX_PHASES];
  /* trace: the CSV file (absolute path) and what its first read found */
  char trace[512];
  long long trace_n;
  double trace_first, trace_last;
} accq_arrivals_t;

/* The name of a kind ("poisson", "piecewise", ...). */
const char *accq_arrivals_kind_name(accq_arrivals_kind_t kind);

/* Writes the [arrivals] section back (empty for plain Poisson), parsing back
 * to the same process; snprintf-like. */
int accq_arrivals_format(const accq_arrivals_t *a, char *buf, int size);

/* Reads a trace CSV: one timestamp per line (the first field of the line; an
 * optional header line that is not a number), finite, >= 0, non-decreasing,
 * at least 2 of them.  *t is malloc'ed (caller frees).  Errors name
 * "FILE:LINE: reason": ACCQ_EIO unreadable, ACCQ_EMODEL bad content. */
int accq_arrivals_read_trace(const char *path, double **t, long long *n, accq_err_t *err);

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
