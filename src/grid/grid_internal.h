/* Internals of the grid module (never installed). */
#ifndef ACCQ_GRID_INTERNAL_H
#define ACCQ_GRID_INTERNAL_H

#include <stddef.h>

#include "accq/grid.h"

/* 1 (with the reason in why) when the model's arrival rate per unit of scale
 * reaches its total service rate sum n_k mu_k: no policy is stable with an
 * infinite buffer. */
int accq_grid_i_beyond_capacity(const accq_model_t *mm, char *why, size_t size);

/* 1 (with the reason in why) when `policy` cannot serve mm's offered load with
 * infinite buffers (accq_sim_stability); 0 otherwise, with *status the result
 * of allocating the policy (its message in why when non-zero). */
int accq_grid_i_policy_unstable(const accq_model_t *mm, const char *policy, int *status,
                                char *why, size_t size);

/* Does accq_analyze solve this policy as a product of per-type chains
 * (docs/measures.md: rjiq and random-lp)?  0 for an unknown name. */
int accq_grid_i_product_form(const accq_model_t *mm, const char *policy);

#endif
