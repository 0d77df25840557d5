/* The LP lower bound and the ordered pairs of docs/lp.md.
 *
 *   minimize (1/Lambda) sum_k x_k/mu_k
 *   s.t.     sum_k x_k = Lambda,  sum_k (a_k - a*) x_k >= 0,  0 <= x_k <= cap_k
 *
 * with cap_k = (1 - slack) n_k mu_k.  Everything is per unit of scale.
 * Two independent solvers fill the same result: GLPK's simplex
 * (accq_lp_solve) and a combinatorial solver that uses the two-row structure
 * (accq_lp_solve_combinatorial); accq_lp_solve_exact does the latter in GMP
 * rationals.
 *
 * No silent wrong number: every float answer is checked a posteriori (primal
 * feasibility, dual feasibility and complementary slackness, each relative to
 * the magnitudes of its terms, to ACCQ_LP_CHECK_RTOL), and accq_lp_solve also
 * runs the combinatorial solver on every call: T_LP, Lambda_max and T_free must
 * agree to ACCQ_LP_AGREE_RTOL.  A failed check, a disagreement or a GLPK
 * failure (iteration or time limit included) is ACCQ_ENUMERIC with both
 * answers in the message; nothing is picked silently.
 *
 * Ill-conditioned LPs: when a type with 1/mu_k far above T_LP takes a small
 * residual rate (rates spread over many decades), a few ulps of Lambda in that
 * rate move T_LP by more than 1e-10.  Each solver bounds its own error
 * (64 K eps times that ratio, and likewise for Lambda_max and T_free); when a
 * bound exceeds 1e-10, the answer is replaced by the exact GMP one after
 * checking the float one is within its bound of it (exact_polished = 1).
 *
 * Near-ties of an accuracy with a*: there is no snapping tolerance.  A type is
 * "at a*" only when a_k == a* as doubles, in all three solvers.  Every solver
 * works with d_k = a_k - a*, which is exact in binary whenever a_k is within a
 * factor 2 of a* (Sterbenz's lemma; every near-tie is), so a_k = a* - 1e-12
 * is seen identically by the three solvers and by the exact one, and the
 * answer is the exact optimum of the LP for the data given (the LP is
 * discontinuous at a_k = a*: the answer for a_k = a* - 1e-12 is that of an
 * inaccurate type, however close).  The float solvers never form a
 * difference of two nearly equal d_k: the share w = -d_l/(d_h - d_l) of a pair
 * is a ratio of a sum of positive numbers.
 */
#ifndef ACCQ_LP_H
#define ACCQ_LP_H

#include "accq/model.h"

#define ACCQ_MAX_PAIRS (ACCQ_MAX_TYPES * ACCQ_MAX_TYPES / 4 + ACCQ_MAX_TYPES)
#define ACCQ_LP_MAX_BREAKPOINTS (2 * ACCQ_MAX_PAIRS + 2)

/* Relative agreement required between GLPK and the combinatorial solver (and,
 * with --exact, the GMP solver) on T_LP, Lambda_max, T_free. */
#define ACCQ_LP_AGREE_RTOL 1e-9
/* Relative tolerance of the a-posteriori checks of one answer. */
#define ACCQ_LP_CHECK_RTOL 1e-9
/* GLPK limits: iterations per simplex solve, per (rows + columns) of its LP
 * (at most 33 rows and 288 columns), and the wall-clock budget of all the
 * GLPK solves of one accq_lp_solve together (milliseconds): each solve gets
 * what is left as its glp_smcp tm_lim.  The iteration limit is what bounds
 * the work (a solve takes tens of microseconds); the wall clock is only a
 * backstop, so it is generous: at 1 s, an ordinary `solve` under valgrind on a
 * machine at load 18 ran out of it and was refused (scripts/valgrind-cli). */
#define ACCQ_LP_GLPK_IT_PER_DIM 100
#define ACCQ_LP_GLPK_TM_LIM_MS 20000

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

/* An ordered pair (h,l) or a singleton (h) (l = -1, w = 1), docs/lp.md. */
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
  int glpk_iterations;            /* simplex iterations of accq_lp_solve (0 otherwise) */
  int exact_polished;             /* 1: T_LP, Lambda_max, T_free and x are the exact (GMP)
                                   * values, the float error bound being above 1e-10 */
  int npairs;
  accq_pair_t pairs[ACCQ_MAX_PAIRS];   /* in priority order */
  /* breakpoints of C(Lambda) = Lambda * T_LP(Lambda) over (0, lambda_max]:
   * C is convex piecewise linear; c_break[i] = C(breakpoints[i]); the last
   * breakpoint is lambda_max. */
  int nbreak;
  double breakpoints[ACCQ_LP_MAX_BREAKPOINTS];
  double c_break[ACCQ_LP_MAX_BREAKPOINTS];
  /* 1 when the breakpoints passed their check (C at each one and at the middle
   * of each piece is the cost of a feasible split, linear on each piece,
   * convex); 0: withheld (nbreak = 0) with the reason, the bound still valid */
  int breakpoints_verified;
  char breakpoints_reason[400];
} accq_lp_result_t;

/* Fills the problem from a model at its (resolved) arrival rate, with slack
 * e in [0,1) on the capacity rows.  ACCQ_EINVAL names a bad slack. */
int accq_lp_problem_from_model(accq_lp_problem_t *p, const accq_model_t *m, double slack);

/* Kept for models built by hand: accq_model_resolve (loaded and set models are
 * already resolved). */
int accq_lp_model_resolve(accq_model_t *m, accq_err_t *err);

/* The one T_LP-at-a-rate function: the LP of the model at arrival rate `rate`
 * (per unit scale, > 0) and accuracy target `target` (NaN: the model's a*),
 * without slack, solved by accq_lp_solve.  Infeasibility is in r->status as for
 * accq_lp_solve.  Use target = accq_model_target_held(m, A) to compare a policy of
 * accuracy A with the bound (docs/policies.md, "Meeting the target").  ACCQ_EINVAL for a rate that is not
 * > 0 and finite, or a target outside [0,1]. */
int accq_lp_bound_at(const accq_model_t *m, double rate, double target, accq_lp_result_t *r,
                     accq_err_t *err);

/* Solves with GLPK's simplex, on a normalized form (lp_glpk.c), checks the
 * answer a posteriori and against the combinatorial solver.  Once the two
 * agree, the values filled in are the combinatorial solver's (its vertex
 * split, with T_LP its exact cost; GLPK's split may be another point of a
 * degenerate optimal face), confirmed by GLPK's independent optimum.  Infeasibility is
 * not an error: it is reported in r->status (t_lp = NaN) and the return value
 * is ACCQ_SUCCESS; errors are reserved for bad input (EINVAL) and numerical
 * failures (ENUMERIC: a GLPK code or limit, a failed check, a disagreement,
 * with both solvers' answers in the message).  Fills every field of r (pairs
 * and breakpoints included).  Cost: three simplex solves of an LP with K+1
 * rows and at most K^2/4 + K columns, plus the combinatorial solve. */
int accq_lp_solve(const accq_lp_problem_t *p, accq_lp_result_t *r, accq_err_t *err);

/* Independent solver, no GLPK: the two-row structure (optimal vertex has at most
 * two fractional types forming an ordered pair).  Same contract as
 * accq_lp_solve; its answer is checked a posteriori (primal, dual,
 * complementary slackness, breakpoint values) and a failed check is ENUMERIC. */
int accq_lp_solve_combinatorial(const accq_lp_problem_t *p, accq_lp_result_t *r,
                                accq_err_t *err);

/* Lambda_max(a*) = max sum x_k s.t. accuracy row and capacity rows (0 when a* > max a_k). */
double accq_lp_lambda_max(const accq_lp_problem_t *p);

/* The ordered pairs of docs/lp.md in priority order (ascending s; ties by larger w,
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
  double t_free_value;            /* T_free exactly, rounded (NaN when Lambda > sum cap) */
} accq_lp_exact_t;
int accq_lp_solve_exact(const accq_lp_problem_t *p, accq_lp_exact_t *out, accq_err_t *err);
void accq_lp_exact_free(accq_lp_exact_t *out);

/* The float answer r against the exact one ex of the same problem: same
 * status, and Lambda_max, T_free, T_LP within ACCQ_LP_AGREE_RTOL (or within
 * r's error bound on an ill-conditioned LP).  ACCQ_ENUMERIC with both
 * answers otherwise. */
int accq_lp_check_exact(const accq_lp_problem_t *p, const accq_lp_result_t *r,
                        const accq_lp_exact_t *ex, accq_err_t *err);

#endif
