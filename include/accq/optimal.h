/* The constrained optimum of SPEC 4 (`optimal`): the smallest E[T] over all
 * randomized dispatch rules that may depend on the whole lumped state, subject
 * to accuracy >= a*, at a given scale m and buffer B.
 *
 * Variables are state-action frequencies y(s,a) of the lumped chain (an action
 * sends the arriving job to a type-k server at level q < B; a job is lost only
 * when every server is full).  The objective E[T] = L/X is linear-fractional;
 * the Charnes-Cooper substitution z = y/X, t = 1/X makes it the LP
 *
 *   min  sum_{s,a} n(s) z(s,a)
 *   s.t. balance of every state (outflow = inflow, linear in z)
 *        sum z - t = 0,   Lambda * sum_{admitting a} z = 1,
 *        sum_{(s,(k,q))} (a_k - a*) z >= 0,   z, t >= 0,
 *
 * solved by GLPK.  Its optimum is T_opt(m,B); y = z/t recovers a stationary
 * randomized policy, available as an ordinary accq policy (table-driven).
 */
#ifndef ACCQ_OPTIMAL_H
#define ACCQ_OPTIMAL_H

#include "accq/chain.h"

/* The optimum admits every job while some server has room.  A policy that
 * loses jobs at full servers while others have room (rjiq, random-lp, pop's
 * fallback) sheds load the optimum may not shed, and can have a smaller E[T]
 * of admitted jobs; it is compared with t_opt (SPEC 8 claim 1) only when its
 * loss probability is at most this. */
#define ACCQ_OPTIMAL_LOSS_TOL 1e-4

typedef enum {
  ACCQ_OPTIMAL_AUTO = 0,      /* simplex (a vertex: a deterministic policy but for at
                                 most one randomizing state) unless the LP is large */
  ACCQ_OPTIMAL_SIMPLEX,
  ACCQ_OPTIMAL_INTERIOR
} accq_optimal_method_t;

typedef struct {
  accq_optimal_method_t method;
  int64_t max_states;         /* refuse larger lumped spaces (default 50,000) */
  double max_seconds;         /* GLPK time limit (default 600) */
} accq_optimal_options_t;

typedef struct accq_optimal accq_optimal_t;

void accq_optimal_options_init(accq_optimal_options_t *opt);

/* Solves the occupation-measure LP for model m (its scale and arrival rate,
 * resolved) with buffer B >= 1.  Errors: ACCQ_ETOOBIG before allocating (states,
 * variables and bytes in the message), ACCQ_EACCINFEAS when no rule meets a* at
 * this m and B, ACCQ_ENUMERIC naming GLPK's code.  Cost: one sparse LP with
 * ~states*K*B columns and ~states rows. */
int accq_optimal_solve(const accq_model_t *m, int buffer, const accq_optimal_options_t *opt,
                       accq_optimal_t **out, accq_err_t *err);
void accq_optimal_free(accq_optimal_t *o);

typedef struct {
  double t_opt;               /* optimal E[T] = L/X */
  double accuracy;            /* admitted-job accuracy of the optimal rule */
  double loss_probability;
  double throughput;          /* X */
  double mean_jobs;           /* L */
  int64_t states;             /* lumped states (rows) */
  int64_t variables;          /* state-action columns */
  int64_t randomized_states;  /* states with pi > 0 whose rule mixes actions */
  int64_t positive_states;    /* states with pi > 0 */
  double balance_residual;    /* max |balance row| of y, relative to the max rate */
  char method[32];
  int64_t iterations;         /* simplex pivots, summed over the continuation in B */
  double seconds;
} accq_optimal_summary_t;

void accq_optimal_summary(const accq_optimal_t *o, accq_optimal_summary_t *s);

/* The lumped space the LP was built on (owned by o). */
const accq_space_t *accq_optimal_space(const accq_optimal_t *o);
/* The rule in state `rank`: stationary probability and its routes (owned by o);
 * *nroutes = 0 for states outside the optimal rule's recurrent class. */
double accq_optimal_state(const accq_optimal_t *o, uint64_t rank, const accq_route_t **routes,
                          int *nroutes);

/* The optimal rule as an accq policy (named "optimal"), evaluable by the chain
 * engine like any other.  It references o: free it before o. */
int accq_optimal_policy(const accq_optimal_t *o, const accq_model_t *m, accq_policy_t **pol,
                        accq_err_t *err);

#endif
