/* Internals shared by the simulator's source files.  Never installed. */
#ifndef ACCQ_SIM_INTERNAL_H
#define ACCQ_SIM_INTERNAL_H

#include <gsl/gsl_rng.h>

/* A standard exponential (mean 1) by the simulator's ziggurat (sim.c), the
 * very draw plain Poisson arrivals use, so that a one-step piecewise schedule
 * consumes the same random numbers. */
double accq_i_sim_exp1(gsl_rng *r);

#endif
