/* Arrival processes of the [arrivals] section of a model file (docs/model.md)
 * (their exact samplers for the simulator: accq/arrival_sampler.h).
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

#endif
