/* One monotonic clock for time limits and timings (src/core/clock.c). */
#ifndef ACCQ_CLOCK_H
#define ACCQ_CLOCK_H

/* Seconds of CLOCK_MONOTONIC (an arbitrary origin): differences are elapsed wall time. */
double accq_clock_now(void);

#endif
