/* The LP lower bound of SPEC section 2 and the ordered pairs of section 3.
 *
 *   minimize (1/Lambda) sum_k x_k/mu_k
 *   s.t.     sum_k x_k = Lambda,  sum_k (a_k - a*) x_k >= 0,  0 <= x_k <= cap_k
 *
 * with cap_k = (1 - slack) n_k mu_k.  Everything is per unit of scale.
 * Two independent solvers fill the same result: GLPK's simplex
 * (accq_lp_solve) and a combinatorial solver that uses the two-row structure
 * (accq_lp_solve_combinatorial); accq_lp_solve_exact does the latter in GMP
 * rationals.
 */
#ifndef ACCQ_LP_H
#define ACCQ_LP_H

#include "accq/model.h"

#define ACCQ_MAX_PAIRS (ACCQ_MAX_TYPES * ACCQ_MAX_TYPES / 4 + ACCQ_MAX_TYPES)
#define ACCQ_LP_MAX_BREAKPOINTS (2 * ACCQ_MAX_PAIRS + 2)

typedef struct {
  int ntypes;
  double lambda;                  /* Lambda > 0 */
  double a_star;                  /* a* */
  double mu[ACCQ_MAX_TYPES];      /* mu_k > 0 */
  double acc[ACCQ_MAX_TYPES];     /* a_k */
  double cap[ACCQ_MAX_TYPES];     /* capacity of type k: (1-slack) n_k mu_k */
} accq_lp_problem_t;

typedef enum {
  ACCQ_LP_OPTIMAL = 0,
  ACCQ_LP_ACCURACY_INFEASIBLE,    /* a* > max_k a_k */
  ACCQ_LP_CAPACITY_INFEASIBLE     /* Lambda > Lambda_max(a*) */
} accq_lp_status_t;

/* An ordered pair (h,l) or a singleton (h) (l = -1, w = 1), SPEC 3. */
typedef struct {
  int h, l;
  double w;                       /* fraction of the pair's jobs sent to h */
  double s;                       /* w/mu_h + (1-w)/mu_l: mean service of the mixture */
} accq_pair_t;

typedef struct {
  accq_lp_status_t status;
  double t_lp;                    /* optimum (NaN when infeasible) */
  double x[ACCQ_MAX_TYPES];       /* optimal rates x_k */
  double p[ACCQ_MAX_TYPES];       /* split p_k = x_k / Lambda */
  double lambda_max;              /* Lambda_max(a*) (0 when accuracy-infeasible) */
  double t_free;                  /* optimum without the accuracy row (NaN if Lambda > sum cap) */
  double price;                   /* t_lp / t_free */
  /* dual values of the scaled LP min sum x_k/mu_k (i.e. Lambda * objective):
   * flow row, accuracy row (>= 0), capacity rows (<= 0) */
  double dual_flow, dual_acc, dual_cap[ACCQ_MAX_TYPES];
  double duality_gap;             /* |primal - dual| of that LP, absolute */
  int npairs;
  accq_pair_t pairs[ACCQ_MAX_PAIRS];   /* in priority order */
  /* breakpoints of C(Lambda) = Lambda * T_LP(Lambda) over (0, lambda_max]:
   * C is convex piecewise linear; c_break[i] = C(breakpoints[i]); the last
   * breakpoint is lambda_max. */
  int nbreak;
  double breakpoints[ACCQ_LP_MAX_BREAKPOINTS];
  double c_break[ACCQ_LP_MAX_BREAKPOINTS];
} accq_lp_result_t;

/* Fills the problem from a model at its (resolved) arrival rate, with slack
 * e in [0,1) on the capacity rows.  ACCQ_EINVAL names a bad slack. */
int accq_lp_problem_from_model(accq_lp_problem_t *p, const accq_model_t *m, double slack);

/* If the model gives `load`, sets m->arrival_rate = load * Lambda_max(a*);
 * returns ACCQ_EACCINFEAS when a* > max a_k.  A model in rate mode is left as is. */
int accq_lp_model_resolve(accq_model_t *m, accq_err_t *err);

/* Solves with GLPK's simplex.  Infeasibility is not an error: it is reported
 * in r->status (t_lp = NaN) and the return value is ACCQ_SUCCESS; errors are
 * reserved for bad input (EINVAL) and GLPK failures (ENUMERIC, naming GLPK's code).
 * Fills every field of r (pairs and breakpoints included).  Cost: a few simplex
 * solves of a K-variable LP plus O(K^2 log K) for pairs and breakpoints. */
int accq_lp_solve(const accq_lp_problem_t *p, accq_lp_result_t *r, accq_err_t *err);

/* Independent solver, no GLPK: the two-row structure (optimal vertex has at most
 * two fractional types forming an ordered pair).  Same contract as accq_lp_solve. */
int accq_lp_solve_combinatorial(const accq_lp_problem_t *p, accq_lp_result_t *r,
                                accq_err_t *err);

/* Lambda_max(a*) = max sum x_k s.t. accuracy row and capacity rows (0 when a* > max a_k). */
double accq_lp_lambda_max(const accq_lp_problem_t *p);

/* The ordered pairs of SPEC 3 in priority order (ascending s; ties by larger w,
 * then by (h,l) index).  Depends only on mu, acc and a_star.  Returns the count. */
int accq_lp_pairs(const accq_lp_problem_t *p, accq_pair_t *pairs);

/* Exact rational solution (GMP): t_lp, each x_k and lambda_max as decimal
 * strings of exact fractions "num/den" of the binary doubles given.
 * Strings are malloc'ed into *out (free with accq_lp_exact_free). */
typedef struct {
  accq_lp_status_t status;
  char *t_lp;                     /* "p/q" */
  char *x[ACCQ_MAX_TYPES];
  char *lambda_max;
  double t_lp_value, x_value[ACCQ_MAX_TYPES], lambda_max_value;  /* rounded */
} accq_lp_exact_t;
int accq_lp_solve_exact(const accq_lp_problem_t *p, accq_lp_exact_t *out, accq_err_t *err);
void accq_lp_exact_free(accq_lp_exact_t *out);

#endif
