/* The constrained optimum of docs/policies.md (`optimal`): the smallest E[T] over all
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
 *
 * The shedding class (options.shed): the rule may also reject an arriving job
 * in any state, not only when every server is full: an extra "reject" action
 * in every state, and the admitted rate X = Lambda * sum_{admitting} y is held
 * to X >= min_admitted_rate; in Charnes-Cooper form (Lambda sum_adm z = 1,
 * t = 1/X) that row is min_admitted_rate * t <= 1.  Every policy that sheds
 * (rjiq, random-lp, accurate-jiq and pop's fallback lose jobs at a full server
 * while others have room) and meets a* with admitted rate >= min_admitted_rate
 * is a feasible point of this LP, so t_opt <= its E[T] is a theorem.
 */
#ifndef ACCQ_OPTIMAL_H
#define ACCQ_OPTIMAL_H

#include "accq/chain.h"
#include "accq/measures.h"

/* Without shedding, the optimum admits every job while some server has room.
 * A policy that loses jobs at full servers while others have room (rjiq,
 * random-lp, accurate-jiq, pop's fallback) sheds load that optimum may not
 * shed, and can have a smaller E[T] of admitted jobs; accq optimal compares it
 * with that t_opt only when its loss probability is at most this, and else
 * with the shedding optimum at the policy's own admitted rate, for which
 * t_opt <= E[T] is a theorem. */
#define ACCQ_OPTIMAL_LOSS_TOL 1e-4

typedef enum {
  ACCQ_OPTIMAL_AUTO = 0,      /* simplex (a vertex: a deterministic policy but for at
                                 most one randomizing state) unless the LP is large */
  ACCQ_OPTIMAL_SIMPLEX,
  ACCQ_OPTIMAL_INTERIOR,
  ACCQ_OPTIMAL_LAGRANGE       /* Lagrangian relaxation + policy iteration (no LP): scales to
                                 10^6 lumped states; the non-shedding class only
                                 (ACCQ_EINVAL with shed) */
} accq_optimal_method_t;

/* ACCQ_OPTIMAL_AUTO uses the simplex LP up to this many lumped states and the
 * Lagrangian method above (docs/policies.md, `optimal`).  Without shedding, an
 * LP answer whose t_opt is more than 1e-8 from its rule's E[T] by the chain
 * engine (GLPK's tolerances on stiff spaces) is replaced by the Lagrangian
 * method's when that finishes and its rule does no worse. */
#define ACCQ_OPTIMAL_AUTO_LP_STATES 5000

/* What accq_optimal_solve reports while it works (options.progress). */
typedef struct {
  int buffer;                 /* level of the continuation in B being solved */
  int target_buffer;          /* the buffer asked for */
  int64_t states;             /* lumped states at this level */
  int64_t pivots;             /* simplex pivots at this level so far */
  int64_t total_pivots;       /* over every level so far */
  double seconds;             /* since accq_optimal_solve was called */
  int level_done;             /* 1: this level ended (see level_status) */
  int level_status;           /* ACCQ_SUCCESS or ACCQ_EACCINFEAS when level_done */
} accq_optimal_progress_t;

typedef void (*accq_optimal_progress_fn)(void *ctx, const accq_optimal_progress_t *p);

/* How the continuation went, filled whether the solve succeeds or not (for a
 * time limit: what is known; see accq_optimal_lower_bound for a bound). */
typedef struct {
  int first_feasible;         /* smallest level found feasible, 0: none */
  int last_buffer;            /* last level solved to optimality, 0: none */
  double last_t_opt;          /* its t_opt: the optimum of THAT buffer, no bound at another */
  double last_throughput;
  int levels_tried;           /* levels attempted (from first_level) */
  int first_level;            /* first level of the continuation */
  int infeasible_levels;      /* of those, how many had no rule meeting a* */
  int last_infeasible;        /* the largest of them, 0: none */
  double max_accuracy;        /* when the buffer asked for is infeasible: the largest
                                 accuracy a rule of the class reaches there (NAN: not
                                 computed) */
  int64_t pivots;
  double seconds;
} accq_optimal_trace_t;

typedef struct {
  accq_optimal_method_t method;
  int64_t max_states;         /* refuse larger lumped spaces (default 50,000) */
  double max_seconds;         /* time limit of the whole solve, continuation included
                                 (default 300): ACCQ_ENOCONV when reached */
  int shed;                   /* 1: the shedding class (see above) */
  double min_admitted_rate;   /* with shed: X >= this (whole system, like m*Lambda) */
  accq_optimal_progress_fn progress; /* optional, called between levels and about
                                        every half second of simplex */
  void *progress_ctx;
  accq_optimal_trace_t *trace; /* optional out */
} accq_optimal_options_t;

typedef struct accq_optimal accq_optimal_t;

void accq_optimal_options_init(accq_optimal_options_t *opt);

/* Solves the occupation-measure LP for model m (its scale and arrival rate,
 * resolved) with buffer B >= 1.  The simplex continues in B from the smallest
 * level (from 2) where a rule of the class meets a*; levels where none does are
 * skipped.  Errors: ACCQ_ETOOBIG before allocating (states, variables and bytes
 * in the message), ACCQ_EACCINFEAS when no rule of the class meets a* at this m
 * and B (with the largest accuracy such a rule reaches, and the levels tried),
 * ACCQ_ENOCONV at the time limit, ACCQ_ENOMEM when GLPK runs out of memory,
 * ACCQ_ENUMERIC naming GLPK's code.  Cost: one sparse LP with ~states*K*B
 * columns and ~states rows per level. */
int accq_optimal_solve(const accq_model_t *m, int buffer, const accq_optimal_options_t *opt,
                       accq_optimal_t **out, accq_err_t *err);
void accq_optimal_free(accq_optimal_t *o);

/* A lower bound on t_opt(m,B) that needs no occupation-measure LP: T_LP at a
 * lower bound x_low of the admitted rate per unit scale (T_LP(X) = C(X)/X is
 * nondecreasing, and t_opt >= T_LP(X_opt) by the LP bound).  With shed,
 * x_low = min_admitted_rate / m; without, every rule admits a job while some
 * server has room, and the total job count is stochastically below the birth-
 * death chain on 0..N B with births Lambda and deaths at n jobs the sum of the
 * ceil(n/B) slowest rates (n jobs keep at least ceil(n/B) servers busy), whose
 * full-state probability bounds the loss.  ACCQ_EACCINFEAS when x_low exceeds
 * Lambda_max(a*) (no rule of the class meets a*), with the figures. */
int accq_optimal_lower_bound(const accq_model_t *m, int buffer, const accq_optimal_options_t *opt,
                             double *t_low, double *x_low, accq_err_t *err);

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
  int shed;                   /* the class: 1 shedding (min_admitted_rate applies) */
  double min_admitted_rate;
  double shed_probability;    /* fraction of arrivals rejected while some server had room */
  int first_level;            /* the continuation's first feasible level */
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

/* The optimal rule evaluated by the chain engine at buffer B (accq_analyze at
 * residual 1e-14: the rule leaves states of tiny mass, which a looser solve
 * can push below -1e-15): how the rule's t_opt is checked. */
int accq_optimal_evaluate(const accq_optimal_t *o, const accq_model_t *m, int B,
                          accq_analysis_t *out, accq_err_t *err);

/* ---- comparison with a policy (accq optimal's table) ---- */

/* A policy against the optimum of a class of rules that contains it. */
typedef struct {
  char policy[64];
  int status;                 /* ACCQ_SUCCESS, or why the policy has no measures */
  char reason[ACCQ_ERR_MSG_MAX + 64]; /* why not compared, or why the check failed ("" ok) */
  double mean_response_time, accuracy, loss_probability; /* NaN unless status is 0 */
  int meets_target;           /* accq_model_meets_target of its accuracy */
  double t_opt_class;         /* t_opt of its class (NaN: not compared or not solved) */
  char class_label[96];       /* "no shedding (loss <= 0.0001)", "shedding, X >= ..." */
  int t_opt_le_mean;          /* 1: t_opt_class <= E[T] (1e-9 relative); 0: violated; -1 n/a */
} accq_optimal_compared_t;

/* Evaluates policy `spec` on m with buffer B by the chain engine (1e-14
 * residual) and compares it with the optimum t_opt of opt's class when that
 * class contains it (no shedding and a loss <= ACCQ_OPTIMAL_LOSS_TOL, or the
 * shedding class with a floor at most its admitted rate); otherwise solves the
 * shedding optimum at the policy's own admitted rate within seconds_left.
 * Returns the status of the policy's evaluation (c->status, c->reason); the
 * comparison's own outcome is in c. */
int accq_optimal_compare(const accq_model_t *m, int buffer, const accq_optimal_options_t *opt,
                         double t_opt, const char *spec, double seconds_left,
                         accq_optimal_compared_t *c);

/* The sandwich of proofs/optimal-policy.md statement 5 for the non-shedding class
 * at any scale (the Lagrangian method above ACCQ_OPTIMAL_AUTO_LP_STATES, so m = 2
 * and 3 on the bundled models): T_LP(x_opt) <= t_opt(m,B) <= E[T] of the policy
 * at the same m and B.  The upper side is a comparison only when the policy meets
 * a* and loses at most ACCQ_OPTIMAL_LOSS_TOL of the jobs (else `compared` = 0 and
 * `reason` says why; the shedding class, the LP's, is the comparison then). */
typedef struct {
  int scale, buffer;
  int64_t states;
  double t_opt;               /* non-shedding optimum */
  double x_opt;               /* its admitted rate per unit scale */
  double t_lp;                /* T_LP at x_opt */
  double e_t, accuracy, loss; /* the policy's, from the chain engine (NAN: not evaluated) */
  int compared;               /* 1: the upper side applies */
  int holds;                  /* t_lp <= t_opt (1 + tol) and, if compared, t_opt <= e_t (1 + tol) */
  char method[32];            /* t_opt's method */
  char reason[200];           /* why not compared, or "" */
} accq_optimal_sandwich_t;

/* tol: relative slack of both comparisons (the accuracy of t_opt and of E[T];
 * verify uses 1e-6).  pol may be NULL (lower side only).  opt: the optimum's
 * options (NULL: defaults with auto method); shed is refused.  Errors: those of
 * accq_optimal_solve (ACCQ_EACCINFEAS: no rule of the class meets a* at m and B)
 * and of the policy's evaluation. */
int accq_optimal_sandwich(const accq_model_t *m, int B, const accq_policy_t *pol,
                          const accq_optimal_options_t *opt, double tol,
                          accq_optimal_sandwich_t *out, accq_err_t *err);

#endif
