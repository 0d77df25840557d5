/* Internals of the constrained optimum (src/optimal): the result type shared by
 * the occupation-measure LP (optimal.c) and the Lagrangian method (lagrange.c). */
#ifndef ACCQ_OPTIMAL_INTERNAL_H
#define ACCQ_OPTIMAL_INTERNAL_H

#include "accq/optimal.h"

#define OPT_MAX_CELLS 4096 /* K * (B+1) handled by the table policy's stack buffer */

struct accq_optimal {
  accq_model_t model;
  int buffer;
  int ntypes;
  accq_space_t *space;
  double *pi;               /* per rank */
  int64_t *route_ptr;       /* per rank, into routes */
  int *decision;            /* per rank: the basic action k*(B+1)+q, -1 (lose or none);
                               warm-starts the LP at B+1 */
  accq_route_t *routes;
  int64_t mix_rank;         /* the one state whose basis holds two admitting columns, */
  int mix_action;           /* and the second action there; -1: none such */
  accq_optimal_summary_t summary;
};

/* The Lagrangian method at one buffer (lagrange.c); opt->method is ignored.
 * deadline: accq_i_now()-style monotonic seconds, 0 = none. */
int accq_i_optimal_lagrange(const accq_model_t *m, int B, const accq_optimal_options_t *opt,
                            double deadline, accq_optimal_t **out, accq_err_t *err);

#endif
