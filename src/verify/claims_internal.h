/* Internals shared by the claim files of accq verify (verify.c drives,
 * claim1.c .. claim6.c each turn the shared grid into one row, row.c keeps the
 * row's verdict, margin and note, gaps.c builds the gap series of claims 3 and
 * 4).  Never installed, and included by the claim files only: sweep and
 * converge use verify_internal.h, which must not receive these macros. */
#ifndef ACCQ_CLAIMS_INTERNAL_H
#define ACCQ_CLAIMS_INTERNAL_H

#include <stddef.h>

#include "accq/measures.h"
#include "accq/model.h"
#include "verify/verify_internal.h"

/* Every margin of a claim includes the tolerance of its check, so that a margin
 * >= 0 is exactly "the comparison held" and a PASS never shows a negative
 * margin. */
#define TOL_BOUND 1e-9    /* relative slack on E[T] >= T_LP(X) (rounding of the solve) */
#define TOL_TOPT 1e-6     /* relative slack on comparisons with t_opt: accq optimal's simplex
                             works to GLPK's feasibility tolerance (1e-7 relative), and its
                             t_opt was measured within 2.2e-7 of a policy that attains it
                             (jfiq on a random 2-type model, tests/verify/test_random_search) */
#define TOL_ACC ACCQ_ACCURACY_TOL /* the one tolerance of "accuracy meets a*"
                             (accq_model_meets_target, docs/measures.md): a chain with
                             boundary mass <= TINY_MASS stands for B = infinity to about
                             that much */
#define TINY_MASS 1e-9    /* boundary mass below which a chain stands for B = infinity */
#define TOL_AGREE 1e-9    /* relative agreement of independent exact methods */
#define AGREE_RESIDUAL 1e-14 /* stationary residual of the chains compared at TOL_AGREE */
#define POP_NEAR 0.10     /* claim 4: "near-optimal" = gap <= 10% at the largest size */
#define OTHER_MAX_BUFFER 10 /* auto buffer cap of the policies that do not claim a* */
#define NEAR_SAT 0.90     /* claim 3: a load is near saturation when some x_k/cap_k >= this */
#define TOL_LIMIT 1e-9    /* claim 3: the mean-field limit of R-JIQ equals T_LP to this (relative);
                             the limit is solved to a drift residual 1e-12 (accq limit) */
/* Claim 1's sandwich: t_opt at m <= TOPT_MAX_SCALE, the largest B <= TOPT_MAX_BUFFER
 * with at most TOPT_STATES lumped states (options.topt_max_states), each policy
 * against the optimum of its class (see pol_t.sheds). */
#define TOPT_MAX_SCALE 3
#define TOPT_MAX_BUFFER 12
#define TOPT_STATES 1000
#define TOPT_BUDGET_S 30.0 /* wall seconds for the whole sandwich of one model: past it the
                              remaining (load, m) points are reported as not run */
#define TOPT_ACC_SLACK 1e-7 /* the optimum's accuracy row holds to the simplex's feasibility
                              tolerance (GLPK, 1e-7): its rule is held to T_LP at a* - this
                              (a type within 1e-7 below a* counts as meeting it there, as it
                              may in the optimum: a model with accuracies 0.7 - 1e-12 and a*
                              0.7 gave t_opt at half of T_LP at a*) */
#define SIM_ALPHA 1e-3    /* family-wise level of the chain-vs-simulation tests of one model */
#define SIM_REPS_AGREE 20 /* replications of those simulations (more degrees of freedom) */
/* Claim 6 (POP robust to a moving load, claim6.c and docs/claims.md): the
 * scenario and its thresholds. */
#define C6_STEP 1.3          /* the rate steps up by 30%, then back */
#define C6_HIGH_LOAD 0.85    /* the stepped-up rate is at most this fraction of Lambda_max(a*)
                                (the grid's highest load, where claims 2 and 4 check POP) */
#define C6_BASE_UMAX 0.90    /* at the base rate R-JIQ's split loads no type above this */
#define C6_WINDOW_JOBS 250.0 /* window W = this / Lambda_b: about 250 arrivals per window at
                                the base rate, so that the simulator's per-window test of
                                accuracy against a* (normal, 2.326 standard errors of the
                                window's own job mix) has enough jobs */
#define C6_BASE_WINDOWS 20   /* the schedule in windows: base rate, */
#define C6_STEP_WINDOWS 20   /* stepped up, */
#define C6_BACK_WINDOWS 40   /* back at the base rate (time for a backlog to drain) */
#define C6_REPS 20           /* replications of each policy (seeds: verify's + 6000 + policy) */
#define C6_BELOW_ALLOWED 0.05 /* allowed fraction of POP's windows below a*: a policy that
                                meets a* exactly has 1% of its windows below by chance when
                                its type choices are independent; POP's choices depend on the
                                occupancy, which correlates the jobs of a window (measured on
                                the bundled models: docs/claims.md); 5x the nominal 1% */
#define C6_ALPHA 1e-3        /* one-sided level of every test of claim 6 (Student's t across
                                the replications) */
#define C6_TAU_JOBS 100.0    /* rjiq:est's TAU = this / Lambda_b: the estimate averages about
                                100 arrivals (relative noise 1/sqrt(200) = 7%) */
#define C6_EST_SLACK 0.05    /* rjiq:est's slack E (a re-solved split past a breakpoint of the
                                LP would saturate a type exactly: docs/simulator.md) */
#define C6_DECIDE_SD 3.0     /* stale R-JIQ must be seen failing when its overloaded type's
                                fluid backlog growth over the step is >= this many standard
                                deviations of a critically loaded queue's, sqrt(2 n_k mu_k D) */

/* A policy verify runs: every registered policy type (accq_policy_type_get),
 * in registry order, at its default spec.  Nothing in verify keeps a list of
 * policies: the claims read these flags, and name only the policies their
 * statements are about (rjiq, pop, random-lp). */
typedef struct {
  const char *spec;           /* "rjiq", ..., "pod:2" (accq_policy_type_specs) */
  const char *name;           /* the type's base name ("pod") */
  int meets;                  /* the type meets a* by construction */
  int forced;                 /* it does not, but the fault claims-target=POLICY treats it
                                 as if it did (claims 1 and 2 check it then) */
  int sheds;                  /* may lose a job while some server has room: claim 1
                                 compares it with the optimum with shedding */
} pol_t;
/* One exact chain of the grid (a policy at a load and a size). */
typedef struct {
  int status;                 /* 0: chain computed */
  char why[200];              /* when not computed */
  accq_analysis_t an;
  double t_lp_x;              /* T_LP at the admitted rate (own LP solve) */
  double t_lp_held;           /* the bound claim 1 holds the policy to: T_LP at the admitted
                                 rate and at the target it is held to (a* for a policy
                                 that meets a* by construction, else
                                 accq_model_target_held(A) = min(A - tol, a*)) */
} inst_t;

/* A simulation of rjiq or pop at a grid load and a simulated size (computed
 * once, shared by claims 2, 3 and 4). */
typedef struct {
  int done, status;
  char why[200];
  accq_verify_sim_t s;
  double t_lp;                /* T_LP(Lambda): infinite buffer, X = Lambda */
} simc_t;

/* What every claim reads: the model, the options (with the model's own load in
 * the grid), the grid of chains and the simulation cache. */
typedef struct {
  const accq_model_t *m;
  const accq_verify_options_t *o;
  int npol;
  pol_t *pols;                /* [npol]: every registered policy */
  int p_rjiq, p_pop, p_random_lp; /* the policies the claims name (indices in pols) */
  char shed_class[160];       /* base names of the shedding policies that do not meet a*
                                 by construction ("jiq, jfiq, sed, pod"): they share one
                                 optimum in claim 1's sandwich */
  inst_t *grid;               /* [load][scale][policy] */
  simc_t *sims;               /* [load][sim scale][rjiq, pop] */
  double lp_umax[ACCQ_VERIFY_MAX_GRID];    /* max_k x_k/cap_k at each load */
  char lp_sat_type[ACCQ_VERIFY_MAX_GRID][ACCQ_NAME_MAX];
  int step, nsteps;
  int sim_forget;             /* fault "sim-forget-warmup" */
} ctx_t;

/* The grid's chain of policy pi at load li and size si. */
static inline inst_t *at(ctx_t *c, int li, int si, int pi) {
  return &c->grid[((size_t)li * (size_t)c->o->nscales + (size_t)si) * (size_t)c->npol +
                  (size_t)pi];
}

/* The cache entry of the simulation of rjiq (pi = c->p_rjiq) or pop at load li
 * and simulated size si (computed or not). */
static inline simc_t *sim_slot(ctx_t *c, int pi, int li, int si) {
  return &c->sims[((size_t)li * (size_t)c->o->nsim_scales + (size_t)si) * 2 +
                  (pi == c->p_pop)];
}

/* The cached simulation of rjiq or pop at load li and simulated size si, run
 * on first use; NULL if it could not run (why in sim_slot). */
simc_t *accq_i_get_sim(ctx_t *c, int pi, int li, int si);

/* Advances the progress callback by one step named `what`. */
void accq_i_progress(ctx_t *c, const char *what);

/* Does policy pi meet a* by construction (its type says so, or the fault
 * claims-target=POLICY treats it so)? */
int accq_i_meets_by_construction(const ctx_t *c, int pi);

/* ---- rows (row.c) ---- */

void accq_i_row_init(accq_claim_row_t *r, int claim, const char *title, const char *model,
                     const char *what);

#if defined(__GNUC__)
#define ACCQ_I_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ACCQ_I_PRINTF(f, a)
#endif

/* Appends "; text" to a row's note (silently cut at the note's size). */
void accq_i_note_add(accq_claim_row_t *r, const char *fmt, ...) ACCQ_I_PRINTF(2, 3);

/* A simulated instance with a bias warning (the simulator's trend tests found
 * the start's bias still in the estimate): its warnings go into the row (for the
 * top-level "warnings") and the note, and the instance is not evidence: it is
 * counted as excluded, supports no PASS and makes no FAIL.  Returns 1 when the
 * instance is warned. */
int accq_i_sim_warned(accq_claim_row_t *r, const accq_verify_sim_t *s, const char *fmt, ...)
    ACCQ_I_PRINTF(3, 4);

/* Records a margin (>= 0: the comparison held) and, when it is the worst so
 * far, the instance that set it (NaN counts as -infinity: it did not hold). */
void accq_i_margin_at(accq_claim_row_t *r, double margin, const char *fmt, ...)
    ACCQ_I_PRINTF(3, 4);

/* The end of every claim: nothing checked is SKIPPED (never PASS), with the
 * reason; a PASS whose worst margin is not >= 0 becomes PARTIAL. */
void accq_i_finish_row(accq_claim_row_t *r, const char *skip_why);

/* *v becomes the worse of *v and w: FAIL > PARTIAL > PASS (SKIPPED only when
 * nothing ran, so any w replaces it). */
void accq_i_worse(accq_verdict_t *v, accq_verdict_t w);

/* A bounded "; "-separated list of texts (the places where a check was not
 * run): appends while at least 8 characters remain, cut at the buffer's size. */
typedef struct {
  char text[400];
  size_t used;
} accq_i_list_t;

void accq_i_list_add(accq_i_list_t *l, const char *fmt, ...) ACCQ_I_PRINTF(2, 3);

/* ---- gap series of claims 3 and 4 (gaps.c) ---- */

typedef struct {
  int scale, exact;
  double gap, ci;     /* gap and the half-width of its 95% interval */
} gap_pt_t;

/* Gaps of policy pi at load li: exact chains (boundary mass tiny), then
 * simulations at sizes beyond the largest exact one.  Returns the count; the
 * first reason a size was left out in why. */
int accq_i_gap_series(ctx_t *c, accq_claim_row_t *r, int pi, int li, gap_pt_t *pts, char *why,
                      size_t whysz);

/* "m=1 0.12, m=4 0.05+-0.01, ..." into buf; returns the length written. */
int accq_i_series_text(const gap_pt_t *pts, int n, char *buf, size_t size);

/* The mean-field (m -> infinity) limit of `pol` at grid load li: its E[T]
 * (per unit of scale, so the model is taken at m = 1) and the limit's
 * a-posteriori error estimate of it (accq_limit_result_t.et_error, NaN when
 * not estimated), or the status of accq_limit_solve with the reason in why. */
int accq_i_limit_at(ctx_t *c, const char *pol, int li, double *et, double *et_error, char *why,
                    size_t whysz);

/* " error estimate 3.2e-15", or " error not estimated" for NaN. */
void accq_i_et_error_text(double et_error, char *buf, size_t size);

/* T_LP of the model at grid load li at m = 1 (verify's own LP solve; NaN when
 * the model cannot be taken there or the LP fails). */
double accq_i_t_lp_at_load(ctx_t *c, int li);

/* ---- the claims: each fills one row from the context ---- */

void accq_i_claim1(ctx_t *c, accq_claim_row_t *r);
void accq_i_claim2(ctx_t *c, accq_claim_row_t *r);
void accq_i_claim3(ctx_t *c, accq_claim_row_t *r);
void accq_i_claim4(ctx_t *c, accq_claim_row_t *r);
void accq_i_claim5(ctx_t *c, accq_claim_row_t *r);
void accq_i_claim6(ctx_t *c, accq_claim_row_t *r);

#endif
