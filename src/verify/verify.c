/* The claims of docs/claims.md on one model (accq verify).
 *
 * One grid of exact chains (loads x sizes x every policy, buffer auto within a
 * state limit) is computed once and shared by claims 1-5; simulations extend
 * claims 3 and 4 beyond the sizes where chains fit.  Each claim turns its
 * instances into one row: verdict, instances, worst margin and the instance
 * that set it.
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/limit.h"
#include "accq/lp.h"
#include "accq/measures.h"
#include "accq/policy.h"
#include "accq/optimal.h"
#include "verify/verify_internal.h"

/* Every policy of docs/policies.md, in table order. */
static const char *const policies[] = {"rjiq", "pop", "random-lp", "accurate-jiq", "jiq",
                                       "jfiq", "jsq", "sed", "pod:2"};
#define NPOL ((int)(sizeof policies / sizeof policies[0]))
enum { P_RJIQ = 0, P_POP = 1, P_RANDOM_LP = 2, P_ACCURATE_JIQ = 3 };
/* Policies that may lose a job while some server has room (their rules): rjiq and
 * random-lp draw a type (or server) blind to occupancy, accurate-jiq never uses
 * the servers outside H, pop's fallback can pick a full server, jiq picks a
 * random server when none is idle, jfiq falls back to sed, sed can prefer a full
 * fast server, pod samples servers that may all be full.  Only jsq always finds
 * room.  Claim 1 compares the shedding ones with the optimum over rules that may
 * also shed (at an admitted rate at least theirs), jsq with the optimum over
 * rules that lose a job only when every server is full. */
static const int sheds[] = {1, 1, 1, 1, 1, 1, 0, 1, 1};

/* Every margin below includes the tolerance of its check, so that a margin >= 0
 * is exactly "the comparison held" and a PASS never shows a negative margin. */
#define TOL_BOUND 1e-9    /* relative slack on E[T] >= T_LP(X) (rounding of the solve) */
#define TOL_TOPT 1e-6     /* relative slack on comparisons with t_opt: accq optimal's simplex
                             works to GLPK's feasibility tolerance (1e-7 relative), and its
                             t_opt was measured within 2.2e-7 of a policy that attains it
                             (jfiq on a random 2-type model, tests/verify/test_random_search) */
#define TOL_ACC ACCQ_ACCURACY_TOL /* absolute slack on accuracy >= a* (accq/model.h) */
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
 * against the optimum of its class (see sheds[]). */
#define TOPT_MAX_SCALE 1
#define TOPT_MAX_BUFFER 12
#define TOPT_STATES 1000
#define TOPT_BUDGET_S 30.0 /* wall seconds for the whole sandwich of one model: past it the
                              remaining (load, m) points are reported as not run */
#define SIM_ALPHA 1e-3    /* family-wise level of the chain-vs-simulation tests of one model */
#define SIM_REPS_AGREE 20 /* replications of those simulations (more degrees of freedom) */

void accq_verify_options_init(accq_verify_options_t *o) {
  memset(o, 0, sizeof *o);
  const double loads[] = {0.3, 0.6, 0.85};
  o->nloads = 3;
  memcpy(o->loads, loads, sizeof loads);
  o->nscales = 2;
  o->scales[0] = 1;
  o->scales[1] = 2;
  o->nsim_scales = 3;
  o->sim_scales[0] = 4;
  o->sim_scales[1] = 16;
  o->sim_scales[2] = 64;
  o->max_states = 20000;
  o->max_buffer = 60;
  o->small_buffer = 3;
  o->seed = 1;
  o->sim_replications = 10;
  o->sim_jobs = 100000;
  o->sim_threads = 0;
  o->claims = (1u << ACCQ_VERIFY_NCLAIMS) - 1;
  o->t_opt = accq_i_default_topt();
  o->topt_max_states = TOPT_STATES;
  /* claim 3 beyond the first breakpoint: rjiq:e with e a fraction of the load's
   * headroom 1 - load (the e-LP is feasible at Lambda only for e < 1 - load) */
  o->nslacks = 3;
  o->slacks[0] = 0.5;
  o->slacks[1] = 0.25;
  o->slacks[2] = 0.125;
}

accq_verdict_t accq_verify_overall(const accq_claim_row_t *rows, int n) {
  int any[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; i++)
    if ((int)rows[i].verdict >= 0 && (int)rows[i].verdict < 4) any[rows[i].verdict] = 1;
  if (any[ACCQ_VERDICT_FAIL]) return ACCQ_VERDICT_FAIL;
  if (any[ACCQ_VERDICT_SKIPPED]) return ACCQ_VERDICT_SKIPPED;
  if (any[ACCQ_VERDICT_PARTIAL]) return ACCQ_VERDICT_PARTIAL;
  return ACCQ_VERDICT_PASS;
}

int accq_verify_fault_check(const char *fault, accq_err_t *err) {
  if (!fault) return ACCQ_SUCCESS;
  if (!strcmp(fault, "sim-forget-warmup")) return ACCQ_SUCCESS;
  char valid[160] = "";
  for (int pi = P_ACCURATE_JIQ + 1; pi < NPOL; pi++) {
    size_t u = strlen(valid);
    snprintf(valid + u, sizeof valid - u, "%s%s", u ? ", " : "", policies[pi]);
  }
  if (strncmp(fault, "claims-target=", 14))
    return accq_err_set(err, ACCQ_EINVAL,
                        "--inject-fault: unknown fault '%s' (the faults are "
                        "claims-target=POLICY, POLICY one of %s, and sim-forget-warmup)",
                        fault, valid);
  const char *p = fault + 14;
  for (int pi = 0; pi < NPOL; pi++)
    if (!strcmp(p, policies[pi])) {
      if (pi > P_ACCURATE_JIQ) return ACCQ_SUCCESS;
      return accq_err_set(err, ACCQ_EINVAL,
                          "--inject-fault: '%s' already meets a* by construction, so the fault "
                          "would change nothing (POLICY one of %s)",
                          p, valid);
    }
  return accq_err_set(err, ACCQ_EINVAL,
                      "--inject-fault: unknown policy '%s' in '%s' (POLICY one of %s)", p, fault,
                      valid);
}

typedef struct {
  int status;                 /* 0: chain computed */
  char why[200];              /* when not computed */
  accq_analysis_t an;
  double t_lp_x;              /* T_LP at the admitted rate (own LP solve) */
} inst_t;

/* A simulation of rjiq or pop at a grid load and a simulated size (computed
 * once, shared by claims 2, 3 and 4). */
typedef struct {
  int done, status;
  char why[200];
  accq_verify_sim_t s;
  double t_lp;                /* T_LP(Lambda): infinite buffer, X = Lambda */
} simc_t;

typedef struct {
  const accq_model_t *m;
  const accq_verify_options_t *o;
  inst_t *grid;               /* [load][scale][policy] */
  simc_t *sims;               /* [load][sim scale][rjiq, pop] */
  double lp_umax[ACCQ_VERIFY_MAX_GRID];    /* max_k x_k/cap_k at each load */
  char lp_sat_type[ACCQ_VERIFY_MAX_GRID][ACCQ_NAME_MAX];
  int step, nsteps;
  char fault_policy[32];
  int sim_forget;             /* fault "sim-forget-warmup" */
} ctx_t;

static simc_t *get_sim(ctx_t *c, int pi, int li, int si);

static inst_t *at(ctx_t *c, int li, int si, int pi) {
  return &c->grid[((size_t)li * (size_t)c->o->nscales + (size_t)si) * NPOL + (size_t)pi];
}

static void progress(ctx_t *c, const char *what) {
  c->step++;
  if (c->o->progress)
    c->o->progress(c->o->progress_ctx, what,
                   c->nsteps > 0 ? (double)c->step / c->nsteps : 0.0);
}

static void row_init(accq_claim_row_t *r, int claim, const char *title, const char *model,
                     const char *what) {
  memset(r, 0, sizeof *r);
  r->claim = claim;
  snprintf(r->title, sizeof r->title, "%s", title);
  snprintf(r->model, sizeof r->model, "%s", model);
  snprintf(r->margin_what, sizeof r->margin_what, "%s", what);
  r->worst_margin = NAN;
  r->verdict = ACCQ_VERDICT_PASS;
}

/* Appends "; text" to a row's note. */
static void note_add(accq_claim_row_t *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void note_add(accq_claim_row_t *r, const char *fmt, ...) {
  size_t used = strlen(r->note);
  if (used + 4 >= sizeof r->note) return;
  if (used) {
    snprintf(r->note + used, sizeof r->note - used, "; ");
    used += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->note + used, sizeof r->note - used, fmt, ap);
  va_end(ap);
}

/* A simulated instance with a bias warning (the simulator's trend tests found
 * the start's bias still in the estimate): its warnings go into the row (for the
 * top-level "warnings") and the note, and the instance is not evidence: it is
 * counted as excluded, supports no PASS and makes no FAIL.  Returns 1 when the
 * instance is warned. */
static int sim_warned(accq_claim_row_t *r, const accq_verify_sim_t *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int sim_warned(accq_claim_row_t *r, const accq_verify_sim_t *s, const char *fmt, ...) {
  if (s->nwarnings <= 0) return 0;
  char label[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(label, sizeof label, fmt, ap);
  va_end(ap);
  for (int i = 0; i < s->nwarnings; i++) {
    if (r->nwarnings < ACCQ_VERIFY_ROW_WARNINGS)
      snprintf(r->warnings[r->nwarnings], sizeof r->warnings[0], "simulation %s: %.*s", label,
               (int)(sizeof r->warnings[0] - strlen(label) - 20), s->warnings[i]);
    r->nwarnings++;
  }
  r->excluded++;
  note_add(r, "simulation %s not used as evidence: %d bias warning(s)", label, s->nwarnings);
  return 1;
}

/* Records a margin (>= 0: the comparison held) and, when it is the worst so
 * far, the instance that set it. */
static void margin_at(accq_claim_row_t *r, double margin, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void margin_at(accq_claim_row_t *r, double margin, const char *fmt, ...) {
  if (isnan(margin)) margin = -INFINITY; /* a comparison that produced NaN did not hold */
  if (!isnan(r->worst_margin) && !(margin < r->worst_margin)) return;
  r->worst_margin = margin;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->evidence, sizeof r->evidence, fmt, ap);
  va_end(ap);
}

/* The end of every claim: nothing checked is SKIPPED (never PASS), with the
 * reason; a PASS whose worst margin is not >= 0 becomes PARTIAL (cannot happen
 * when each check sets its verdict from its margin; kept as the last guard). */
static void finish_row(accq_claim_row_t *r, const char *skip_why) {
  if (r->instances == 0 && r->verdict != ACCQ_VERDICT_FAIL) {
    r->verdict = ACCQ_VERDICT_SKIPPED;
    r->worst_margin = NAN;
    r->evidence[0] = '\0';
    snprintf(r->reason, sizeof r->reason, "%s",
             skip_why && *skip_why ? skip_why : "no instance could be checked");
    return;
  }
  if (r->verdict == ACCQ_VERDICT_PASS && !(r->worst_margin >= 0)) {
    r->verdict = ACCQ_VERDICT_PARTIAL;
    note_add(r, "worst margin %.3g is not >= 0: not conclusive", r->worst_margin);
  }
}

static void worse(accq_verdict_t *v, accq_verdict_t w) {
  /* FAIL > PARTIAL > PASS; SKIPPED only when nothing ran */
  int rank[] = {0, 1, 2, 0};
  if (*v == ACCQ_VERDICT_SKIPPED || rank[w] > rank[*v]) *v = w;
}

static int meets_by_construction(ctx_t *c, int pi) {
  if (pi <= P_ACCURATE_JIQ) return 1;
  return c->fault_policy[0] && !strcmp(c->fault_policy, policies[pi]);
}

/* ---- the grid ---- */

static int compute_grid(ctx_t *c, accq_err_t *err) {
  const accq_verify_options_t *o = c->o;
  for (int li = 0; li < o->nloads; li++) {
    accq_model_t m1;
    accq_lp_problem_t p;
    accq_lp_result_t r;
    c->lp_umax[li] = NAN;
    c->lp_sat_type[li][0] = '\0';
    if (accq_i_model_at(c->m, o->loads[li], 1, &m1, NULL) == ACCQ_SUCCESS &&
        accq_lp_problem_from_model(&p, &m1, 0.0) == ACCQ_SUCCESS &&
        accq_lp_solve(&p, &r, NULL) == ACCQ_SUCCESS && r.status == ACCQ_LP_OPTIMAL) {
      double u = 0;
      for (int k = 0; k < p.ntypes; k++)
        if (r.x[k] / p.cap[k] > u) {
          u = r.x[k] / p.cap[k];
          snprintf(c->lp_sat_type[li], ACCQ_NAME_MAX, "%s", m1.types[k].name);
        }
      c->lp_umax[li] = u;
    }
    for (int si = 0; si < o->nscales; si++) {
      for (int pi = 0; pi < NPOL; pi++) {
        inst_t *in = at(c, li, si, pi);
        char what[160];
        snprintf(what, sizeof what, "%s: chain %s load %.2f m=%d", c->m->name, policies[pi],
                 o->loads[li], o->scales[si]);
        progress(c, what);
        accq_model_t mm;
        accq_err_t e;
        accq_err_clear(&e);
        in->status = accq_i_model_at(c->m, o->loads[li], o->scales[si], &mm, &e);
        if (!in->status)
          /* the policies that do not claim a* enter only claim 1 (when their exact
           * accuracy happens to reach a*), which holds at every B: a small
           * buffer is enough and saves most of the grid's time */
          in->status = accq_i_chain(&mm, policies[pi], 0, 0, o->max_states,
                                    meets_by_construction(c, pi) ? o->max_buffer
                                                                 : OTHER_MAX_BUFFER,
                                    ACCQ_I_SOLVER, 0, &in->an, &e);
        if (in->status) {
          snprintf(in->why, sizeof in->why, "%.190s", e.msg);
          if (in->status == ACCQ_ENOMEM) return accq_err_set(err, ACCQ_ENOMEM, "%s", e.msg);
          continue;
        }
        in->t_lp_x = accq_i_t_lp_at(&mm, in->an.m.throughput_total / mm.scale);
      }
    }
  }
  return ACCQ_SUCCESS;
}

/* ---- claim 1: the LP bound ---- */

/* The largest buffer <= TOPT_MAX_BUFFER whose lumped space at size `scale` has
 * at most `cap` states; 0 when even B = 1 is larger (its count in *count). */
static int topt_buffer(const accq_model_t *m, int scale, double cap, double *count) {
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < m->ntypes; k++) servers[k] = m->types[k].servers * scale;
  *count = NAN;
  for (int B = TOPT_MAX_BUFFER; B >= 1; B--) {
    double cnt;
    if (accq_space_count(m->ntypes, servers, B, &cnt, NULL) != ACCQ_SUCCESS) continue;
    *count = cnt;
    if (cnt <= cap) return B;
  }
  return 0;
}

static void claim1(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 1, "LP bound", m->name,
           "min over comparisons of upper/lower - 1 + tolerance (E[T] vs T_LP(X): 1e-9; "
           "t_opt vs T_LP(X) and E[T] vs t_opt: 1e-6)");
  int below_target = 0, not_fit = 0, unstable = 0, no_bound = 0;
  for (int li = 0; li < o->nloads; li++)
    for (int si = 0; si < o->nscales; si++)
      for (int pi = 0; pi < NPOL; pi++) {
        inst_t *in = at(c, li, si, pi);
        if (in->status) {
          if (in->status == ACCQ_ETOOBIG) not_fit++;
          else unstable++;
          continue;
        }
        const accq_measures_t *ms = &in->an.m;
        int forced = meets_by_construction(c, pi) && pi > P_ACCURATE_JIQ;
        if (!forced && !accq_model_meets_target(m, ms->accuracy)) {
          /* outside the claim: the bound is for accuracy-meeting policies (a finite
           * buffer can also push an R-JIQ/POP's admitted accuracy below a*) */
          below_target++;
          continue;
        }
        double t_lp_x = in->t_lp_x, held = accq_model_target_held(m, ms->accuracy);
        if (!meets_by_construction(c, pi) && held < m->accuracy_target) {
          /* accuracy within ACCQ_ACCURACY_TOL of a*: held to the bound at the least
           * accuracy it can have, since T_LP jumps at a_k = a* (docs/policies.md, "Meeting the target") */
          accq_lp_result_t lr;
          t_lp_x = accq_lp_bound_at(m, ms->throughput_total / o->scales[si], held, &lr, NULL) ||
                           lr.status != ACCQ_LP_OPTIMAL
                       ? NAN
                       : lr.t_lp;
        }
        if (!(t_lp_x > 0)) {
          /* X <= Lambda and the LP is feasible at Lambda: a bound that cannot be
           * computed at X is a numerical failure, not evidence either way */
          no_bound++;
          continue;
        }
        /* the bound at the admitted rate X (a finite buffer loses jobs): T_LP
         * grows with the rate, so the offered rate would be a wrong, larger bound */
        double margin = ms->mean_response_time / t_lp_x - 1.0 + TOL_BOUND;
        r->instances++;
        margin_at(r, margin,
                  "%s%s load %.2f m=%d B=%d: E[T]=%.10g, T_LP(X)=%.10g, X=%.6g (offered %.6g), "
                  "accuracy %.6f",
                  policies[pi], forced ? " (fault: treated as meeting a*)" : "", o->loads[li],
                  o->scales[si], in->an.buffer, ms->mean_response_time, t_lp_x,
                  ms->throughput_total, ms->lambda, ms->accuracy);
        if (!(margin >= 0)) {
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "%s at load %.2f m=%d: E[T] %.10g below T_LP(X) %.10g (accuracy %.6f vs a* %g)",
                   policies[pi], o->loads[li], o->scales[si], ms->mean_response_time,
                   t_lp_x, ms->accuracy, m->accuracy_target);
        }
      }
  if (below_target)
    note_add(r, "%d policy instance(s) below a* not in the comparison", below_target);
  if (not_fit) note_add(r, "%d chain(s) over the state limit", not_fit);
  if (unstable) note_add(r, "%d instance(s) with no answer (unstable or infeasible)", unstable);
  if (no_bound) {
    worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    note_add(r, "%d instance(s) where T_LP(X) could not be computed", no_bound);
  }

  /* The sandwich T_LP(X) <= t_opt(m,B) <= E[T] at m <= TOPT_MAX_SCALE: t_opt
   * over the class of each policy (shedding or not), at the policy's own B.
   * Every (load, m) where it is not run is reported with its reason. */
  int points = 0, compared = 0;
  char notrun[400] = "";
  size_t nr_used = 0;
#define NOTRUN(...)                                                                        \
  do {                                                                                     \
    if (nr_used + 8 < sizeof notrun) {                                                     \
      int w_ = snprintf(notrun + nr_used, sizeof notrun - nr_used, "%s", nr_used ? "; " : ""); \
      if (w_ > 0) nr_used += (size_t)w_;                                                   \
      w_ = snprintf(notrun + nr_used, sizeof notrun - nr_used, __VA_ARGS__);               \
      if (w_ > 0) nr_used += (size_t)w_;                                                   \
      if (nr_used >= sizeof notrun) nr_used = sizeof notrun - 1;                           \
    }                                                                                      \
  } while (0)
  if (!o->t_opt) {
    note_add(r, "sandwich T_LP(X) <= t_opt <= E[T] not run: no optimum in this build");
  } else {
    int64_t tcap = o->topt_max_states > 0 ? o->topt_max_states : TOPT_STATES;
    double cap = (double)(o->max_states < tcap ? o->max_states : tcap);
    struct timespec ts0, ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    for (int li = 0; li < o->nloads; li++)
      for (int si = 0; si < o->nscales; si++) {
        if (o->scales[si] > TOPT_MAX_SCALE) continue;
        clock_gettime(CLOCK_MONOTONIC, &ts1);
        double el = (double)(ts1.tv_sec - ts0.tv_sec) + 1e-9 * (double)(ts1.tv_nsec - ts0.tv_nsec);
        if (el > TOPT_BUDGET_S) {
          NOTRUN("load %.2f m=%d: the sandwich's time budget (%.0f s) was spent", o->loads[li],
                 o->scales[si], TOPT_BUDGET_S);
          continue;
        }
        accq_model_t mm;
        accq_err_t e;
        accq_err_clear(&e);
        if (accq_i_model_at(m, o->loads[li], o->scales[si], &mm, &e)) {
          NOTRUN("load %.2f m=%d: %.120s", o->loads[li], o->scales[si], e.msg);
          continue;
        }
        double cnt;
        int B = topt_buffer(m, o->scales[si], cap, &cnt);
        if (B == 0) {
          NOTRUN("load %.2f m=%d: too large (%.3g states at B = 1, limit %.0f)", o->loads[li],
                 o->scales[si], cnt, cap);
          continue;
        }
        mm.buffer = B;
        char what[160];
        snprintf(what, sizeof what, "%s: t_opt load %.2f m=%d B=%d", m->name, o->loads[li],
                 o->scales[si], B);
        progress(c, what);
        /* (a) the optimum over rules that lose a job only when every server is full */
        double t0 = NAN, x0 = NAN;
        int st0 = o->t_opt(&mm, B, 0, 0.0, &t0, &x0, o->t_opt_ctx, &e);
        char why0[160] = "";
        if (st0 == ACCQ_SUCCESS) {
          double lb = accq_i_t_lp_at(&mm, x0 / mm.scale);
          double mg = t0 / lb - 1.0 + TOL_TOPT;
          r->instances++;
          points++;
          margin_at(r, mg, "load %.2f m=%d B=%d: t_opt %.10g (no shedding), T_LP(X) %.10g, X=%.6g",
                    o->loads[li], o->scales[si], B, t0, lb, x0);
          if (!(mg >= 0)) {
            r->verdict = ACCQ_VERDICT_FAIL;
            note_add(r, "t_opt %.10g below T_LP(X) %.10g at load %.2f m=%d B=%d", t0, lb,
                     o->loads[li], o->scales[si], B);
          }
        } else {
          snprintf(why0, sizeof why0, "%.150s",
                   st0 == ACCQ_EACCINFEAS ? "no rule of that class meets a*" : e.msg);
          if (st0 != ACCQ_EACCINFEAS && st0 != ACCQ_ETOOBIG && st0 != ACCQ_EINVAL)
            worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
          NOTRUN("load %.2f m=%d B=%d, optimum without shedding: %s", o->loads[li],
                 o->scales[si], B, why0);
        }
        /* (b) every policy that meets a* at this m and B, against the optimum of its
         * class: a shedding policy may lose jobs while some server has room, so it
         * is compared with the optimum over rules that may also shed, at an
         * admitted rate at least its own (it is itself such a rule: the
         * comparison is a theorem for it) */
        int below = 0, nochain = 0, nopol = 0;
        char nopol_why[120] = "";
        /* the policies' chains at this B first: the shedding policies that do not
         * claim a* (jiq, jfiq, sed, pod) share one optimum, at the smallest of
         * their admitted rates (the optimum grows with the required rate, so it is
         * below each of them: still a theorem, and one LP instead of four) */
        accq_analysis_t *ans = malloc(sizeof *ans * NPOL);
        int stcs[NPOL];
        char whys[NPOL][120];
        double shared_min = INFINITY, shared_t = NAN, shared_x = NAN;
        int shared_st = -1;
        char shared_why[160] = "";
        if (!ans) {
          NOTRUN("load %.2f m=%d B=%d: out of memory", o->loads[li], o->scales[si], B);
          continue;
        }
        for (int pi = 0; pi < NPOL; pi++) {
          accq_err_t ec;
          accq_err_clear(&ec);
          stcs[pi] = accq_i_chain(&mm, policies[pi], B, 0, o->max_states, 0, ACCQ_I_SOLVER, 0,
                                  &ans[pi], &ec);
          snprintf(whys[pi], sizeof whys[pi], "%.110s", ec.msg);
          if (!stcs[pi] && pi > P_ACCURATE_JIQ && sheds[pi] &&
              ans[pi].m.accuracy >= m->accuracy_target)
            shared_min = fmin(shared_min, ans[pi].m.throughput_total);
        }
        for (int pi = 0; pi < NPOL; pi++) {
          const accq_analysis_t an = ans[pi];
          int stc = stcs[pi];
          if (stc) {
            if (stc == ACCQ_ENOCONV || stc == ACCQ_ENUMERIC || stc == ACCQ_ENOMEM) {
              nochain++; /* a numerical failure: part of the claim not checked */
            } else {
              nopol++; /* the policy refuses this model (e.g. rjiq on a saturating split) */
              if (!nopol_why[0]) snprintf(nopol_why, sizeof nopol_why, "%.110s", whys[pi]);
            }
            continue;
          }
          if (an.m.accuracy < m->accuracy_target) {
            below++; /* not in any class of the optimum (which meets a*) */
            continue;
          }
          double E = an.m.mean_response_time, X = an.m.throughput_total;
          double tcmp = NAN, xcmp = NAN;
          if (!sheds[pi]) {
            if (st0) continue; /* reported above */
            tcmp = t0;
            xcmp = x0;
          } else {
            accq_err_clear(&e);
            /* the policy's own rate less a relative 1e-9: its chain's rounding
             * must not make the policy itself infeasible for the LP */
            int st, first = 1;
            int shared = pi > P_ACCURATE_JIQ && !meets_by_construction(c, pi);
            double xmin = X;
            if (shared) {
              first = shared_st < 0;
              xmin = shared_min;
              if (shared_st < 0) {
                shared_st = o->t_opt(&mm, B, 1, shared_min * (1 - 1e-9), &shared_t, &shared_x,
                                     o->t_opt_ctx, &e);
                snprintf(shared_why, sizeof shared_why, "%.150s", e.msg);
              }
              st = shared_st;
              tcmp = shared_t;
              xcmp = shared_x;
              snprintf(e.msg, sizeof e.msg, "%s", shared_why);
            } else {
              st = o->t_opt(&mm, B, 1, X * (1 - 1e-9), &tcmp, &xcmp, o->t_opt_ctx, &e);
            }
            if (st == ACCQ_EACCINFEAS && an.m.accuracy >= m->accuracy_target + 1e-7) {
              /* the policy itself is a rule of the class meeting a*: contradiction */
              r->verdict = ACCQ_VERDICT_FAIL;
              note_add(r, "optimum with shedding says no rule meets a* at load %.2f m=%d B=%d "
                       "with admitted rate >= %.10g, but %s does (accuracy %.9f)",
                       o->loads[li], o->scales[si], B, X, policies[pi], an.m.accuracy);
              r->instances++;
              margin_at(r, -INFINITY, "%s load %.2f m=%d B=%d: optimum with shedding infeasible",
                        policies[pi], o->loads[li], o->scales[si], B);
              continue;
            }
            if (st) {
              /* too large, infeasible within rounding, or not in this build: the
               * reason is reported; a solver failure leaves the claim partly unchecked */
              if (st != ACCQ_EACCINFEAS && st != ACCQ_ETOOBIG && st != ACCQ_EINVAL)
                worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
              NOTRUN("load %.2f m=%d B=%d, %s (optimum with shedding): %.120s", o->loads[li],
                     o->scales[si], B, policies[pi],
                     st == ACCQ_EACCINFEAS ? "infeasible (the policy is at a* within 1e-7)"
                                           : e.msg);
              continue;
            }
            if (first) { /* the lower half, once per optimum */
              double lb = accq_i_t_lp_at(&mm, xcmp / mm.scale);
              double mg = tcmp / lb - 1.0 + TOL_TOPT;
              r->instances++;
              margin_at(r, mg,
                        "load %.2f m=%d B=%d: t_opt %.10g (shedding, X >= %.6g%s%s), "
                        "T_LP(X) %.10g, X=%.6g",
                        o->loads[li], o->scales[si], B, tcmp, xmin, shared ? "" : " of ",
                        shared ? "" : policies[pi], lb, xcmp);
              if (!(mg >= 0)) {
                r->verdict = ACCQ_VERDICT_FAIL;
                note_add(r, "t_opt %.10g (shedding, X >= %.6g) below T_LP(X) %.10g at load "
                         "%.2f m=%d B=%d", tcmp, xmin, lb, o->loads[li], o->scales[si], B);
              }
            }
          }
          double mg = E / tcmp - 1.0 + TOL_TOPT;
          r->instances++;
          compared++;
          margin_at(r, mg,
                    "%s load %.2f m=%d B=%d: E[T] %.10g vs t_opt %.10g (%s; X %.6g vs %.6g), "
                    "loss %.3g",
                    policies[pi], o->loads[li], o->scales[si], B, E, tcmp,
                    !sheds[pi] ? "optimum without shedding"
                    : pi > P_ACCURATE_JIQ && !meets_by_construction(c, pi)
                        ? "optimum with shedding at the least rate of jiq, jfiq, sed, pod"
                        : "optimum with shedding",
                    X, xcmp, an.m.loss_probability);
          if (!(mg >= 0)) {
            r->verdict = ACCQ_VERDICT_FAIL;
            note_add(r, "%s E[T] %.10g below t_opt %.10g (%s) at load %.2f m=%d B=%d (loss %.2g)",
                     policies[pi], E, tcmp, sheds[pi] ? "with shedding" : "without shedding",
                     o->loads[li], o->scales[si], B, an.m.loss_probability);
          }
        }
        free(ans);
        if (nopol)
          NOTRUN("load %.2f m=%d B=%d: %d policy(ies) without a chain (%s)", o->loads[li],
                 o->scales[si], B, nopol, nopol_why);
        if (below && below + nopol + nochain == NPOL)
          NOTRUN("load %.2f m=%d B=%d: no policy meets a* at this B", o->loads[li],
                 o->scales[si], B);
        if (nochain) {
          worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
          NOTRUN("load %.2f m=%d B=%d: %d policy chain(s) failed", o->loads[li], o->scales[si],
                 B, nochain);
        }
      }
    int small = 0;
    for (int si = 0; si < o->nscales; si++) small |= o->scales[si] <= TOPT_MAX_SCALE;
    if (!small) NOTRUN("every size of the grid: the optimum is solved at m <= %d only", TOPT_MAX_SCALE);
    note_add(r, "sandwich T_LP(X) <= t_opt <= E[T] (m <= %d, each policy at the same B against "
             "the optimum of its class): %d optimum(s) without shedding, %d policy comparison(s)",
             TOPT_MAX_SCALE, points, compared);
    if (notrun[0]) note_add(r, "sandwich not run at: %s", notrun);
  }
#undef NOTRUN
  char why[240];
  snprintf(why, sizeof why,
           "no policy instance checked: %d chain(s) over the state limit, %d without an answer, "
           "%d below a*; sandwich: %s",
           not_fit, unstable, below_target, notrun[0] ? notrun : "not run");
  finish_row(r, why);
}
/* ---- claim 2: R-JIQ and POP meet a* ---- */

static void claim2(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 2, "R-JIQ and POP meet a*", m->name,
           "min accuracy - threshold (exact: a* - 1e-9; finite buffer: a* - d P_loss/(1-P_loss) "
           "- 1e-9; simulated: a* - t_crit se)");
  /* The finite-buffer bound (proofs/accuracy-guarantees.md): a lost job takes
   * away its type's accuracy, so the constant is the largest accuracy SURPLUS
   * d = max_k (a_k - a*)^+ that a loss can remove, not the largest shortfall. */
  double d = 0;
  for (int k = 0; k < m->ntypes; k++) d = fmax(d, m->types[k].accuracy - m->accuracy_target);
  int finite_b = 0, exact_n = 0, not_fit = 0, no_answer = 0;
  double worst_finite = NAN;
  char worst_finite_what[240] = "";
  for (int pi = 0; pi < NPOL; pi++) {
    if (!(pi == P_RJIQ || pi == P_POP || (meets_by_construction(c, pi) && pi > P_ACCURATE_JIQ)))
      continue;
    const char *tag = pi > P_ACCURATE_JIQ ? " (fault: treated as meeting a*)" : "";
    for (int li = 0; li < o->nloads; li++)
      for (int si = 0; si < o->nscales; si++) {
        inst_t *in = at(c, li, si, pi);
        if (in->status) {
          if (in->status == ACCQ_ETOOBIG) not_fit++;
          else no_answer++;
          continue;
        }
        const accq_measures_t *ms = &in->an.m;
        r->instances++;
        if (ms->boundary_mass > TINY_MASS) {
          /* finite-buffer instance: the admitted-job accuracy is reported as it is,
           * and held to A >= a* - d P_loss/(1 - P_loss) */
          finite_b++;
          double lb = m->accuracy_target - d * ms->loss_probability / (1.0 - ms->loss_probability);
          double margin = ms->accuracy - lb + TOL_ACC;
          margin_at(r, margin,
                    "%s%s load %.2f m=%d B=%d (finite buffer, P_loss %.3g): accuracy %.12f, "
                    "bound %.12f (d = %g)",
                    policies[pi], tag, o->loads[li], o->scales[si], in->an.buffer,
                    ms->loss_probability, ms->accuracy, lb, d);
          if (!(margin >= 0)) {
            r->verdict = ACCQ_VERDICT_FAIL;
            note_add(r, "%s at load %.2f m=%d B=%d: accuracy %.9f below the finite-buffer "
                     "bound %.9f", policies[pi], o->loads[li], o->scales[si], in->an.buffer,
                     ms->accuracy, lb);
          }
          double below_target = ms->accuracy - m->accuracy_target;
          if (isnan(worst_finite) || below_target < worst_finite) {
            worst_finite = below_target;
            snprintf(worst_finite_what, sizeof worst_finite_what,
                     "%s load %.2f m=%d B=%d boundary mass %.2g: accuracy %.9f (bound %.9f)",
                     policies[pi], o->loads[li], o->scales[si], in->an.buffer,
                     ms->boundary_mass, ms->accuracy, lb);
          }
          continue;
        }
        exact_n++;
        double margin = ms->accuracy - m->accuracy_target + TOL_ACC;
        margin_at(r, margin, "%s%s load %.2f m=%d B=%d (boundary mass %.2g): accuracy %.12f, a* %g",
                  policies[pi], tag, o->loads[li], o->scales[si], in->an.buffer,
                  ms->boundary_mass, ms->accuracy, m->accuracy_target);
        if (!(margin >= 0)) {
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "%s misses a* at load %.2f m=%d: accuracy %.12f < %g", policies[pi],
                   o->loads[li], o->scales[si], ms->accuracy, m->accuracy_target);
        }
      }
  }
  if (exact_n) note_add(r, "%d chain(s) standing for B = infinity (boundary mass <= %g)", exact_n,
                        TINY_MASS);
  if (finite_b)
    note_add(r, "%d finite-buffer chain(s) (boundary mass > %g) held to the finite-buffer "
             "bound (d = %g), lowest accuracy %s",
             finite_b, TINY_MASS, d, worst_finite_what);
  if (not_fit) note_add(r, "%d chain(s) over the state limit", not_fit);
  if (no_answer) note_add(r, "%d instance(s) with no answer (unstable or infeasible)", no_answer);
  /* larger sizes by simulation (infinite buffer): the estimated accuracy must
   * not be significantly below a* (one-sided t test, Bonferroni, level SIM_ALPHA) */
  int nsim = 0;
  char sim_why[200] = "";
  if (accq_verify_have_simulator() && o->nsim_scales > 0) {
    int nlow = 0;
    double worst = NAN;
    char worst_what[200] = "";
    int ntests = 2 * o->nloads * o->nsim_scales;
    for (int pi = P_RJIQ; pi <= P_POP; pi++)
      for (int li = 0; li < o->nloads; li++)
        for (int si = 0; si < o->nsim_scales; si++) {
          if (pi == P_RJIQ && (at(c, li, 0, P_RJIQ)->status == ACCQ_EUNSTABLE ||
                               at(c, li, 0, P_RJIQ)->status == ACCQ_ECAPINFEAS))
            continue;
          simc_t *sc = get_sim(c, pi, li, si);
          if (!sc) {
            simc_t *bad =
                &c->sims[((size_t)li * (size_t)o->nsim_scales + (size_t)si) * 2 + (pi == P_POP)];
            if (!sim_why[0]) snprintf(sim_why, sizeof sim_why, "%.190s", bad->why);
            continue;
          }
          int R = sc->s.replications;
          double se = sc->s.accuracy_ci95 / gsl_cdf_tdist_Pinv(0.975, R - 1);
          double tcrit = gsl_cdf_tdist_Pinv(1 - SIM_ALPHA / ntests, R - 1);
          if (sim_warned(r, &sc->s, "%s load %.2f m=%d", policies[pi], o->loads[li],
                         o->sim_scales[si])) {
            if (sc->s.accuracy < m->accuracy_target - tcrit * se - TOL_ACC) {
              worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
              note_add(r, "%s at load %.2f m=%d: simulated accuracy %.6f +- %.2g below a* %g, "
                       "but the estimate has a bias warning: inconclusive",
                       policies[pi], o->loads[li], o->sim_scales[si], sc->s.accuracy,
                       sc->s.accuracy_ci95, m->accuracy_target);
            }
            continue;
          }
          nsim++;
          r->instances++;
          double dd = sc->s.accuracy - m->accuracy_target;
          if (isnan(worst) || dd < worst) {
            worst = dd;
            snprintf(worst_what, sizeof worst_what, "%s load %.2f m=%d: %.6f +- %.2g",
                     policies[pi], o->loads[li], o->sim_scales[si], sc->s.accuracy,
                     sc->s.accuracy_ci95);
          }
          double thr = m->accuracy_target - tcrit * se - TOL_ACC;
          double margin = sc->s.accuracy - thr;
          margin_at(r, margin,
                    "simulation, %s load %.2f m=%d: accuracy %.6f +- %.2g, threshold a* - t_crit "
                    "se = %.6f",
                    policies[pi], o->loads[li], o->sim_scales[si], sc->s.accuracy,
                    sc->s.accuracy_ci95, thr);
          if (!(margin >= 0)) {
            nlow++;
            r->verdict = ACCQ_VERDICT_FAIL;
            note_add(r, "%s at load %.2f m=%d: simulated accuracy %.6f +- %.2g significantly "
                     "below a* %g", policies[pi], o->loads[li], o->sim_scales[si],
                     sc->s.accuracy, sc->s.accuracy_ci95, m->accuracy_target);
          }
        }
    if (nsim)
      note_add(r, "%d simulation(s) at m=%d..%d, lowest accuracy %s%s", nsim, o->sim_scales[0],
               o->sim_scales[o->nsim_scales - 1], worst_what,
               nlow ? "" : " (none significantly below a*)");
    if (sim_why[0]) note_add(r, "some simulations did not run: %s", sim_why);
  }
  char why[240];
  snprintf(why, sizeof why, "no instance: %d chain(s) over the state limit, %d without an answer%s%s",
           not_fit, no_answer, sim_why[0] ? "; simulation: " : "", sim_why);
  finish_row(r, why);
}

/* The cached simulation of rjiq (pi = P_RJIQ) or pop at load li and simulated
 * size si; NULL if it could not run (why in the cache entry). */
static simc_t *get_sim(ctx_t *c, int pi, int li, int si) {
  const accq_verify_options_t *o = c->o;
  simc_t *sc = &c->sims[((size_t)li * (size_t)o->nsim_scales + (size_t)si) * 2 + (pi == P_POP)];
  if (!sc->done) {
    sc->done = 1;
    accq_model_t mm;
    accq_err_t e;
    accq_err_clear(&e);
    char what[160];
    snprintf(what, sizeof what, "%s: simulate %s load %.2f m=%d", c->m->name, policies[pi],
             o->loads[li], o->sim_scales[si]);
    progress(c, what);
    sc->status = accq_i_model_at(c->m, o->loads[li], o->sim_scales[si], &mm, &e);
    if (!sc->status)
      sc->status = accq_i_simulate(&mm, policies[pi], o->sim_replications, o->sim_jobs,
                                   o->seed + (unsigned long)si, o->sim_threads, c->sim_forget,
                                   &sc->s, &e);
    if (sc->status)
      snprintf(sc->why, sizeof sc->why, "%.190s", e.msg);
    else
      sc->t_lp = accq_i_t_lp_at(&mm, mm.arrival_rate);
  }
  return sc->status ? NULL : sc;
}

/* ---- claims 3 and 4: gap as m grows ---- */

typedef struct {
  int scale, exact;
  double gap, ci;     /* gap and the half-width of its 95% interval */
} gap_pt_t;

/* Gaps of policy pi at load li: exact chains (boundary mass tiny), then
 * simulations at sizes beyond the largest exact one. */
static int gap_series(ctx_t *c, accq_claim_row_t *r, int pi, int li, gap_pt_t *pts, char *why,
                      size_t whysz) {
  const accq_verify_options_t *o = c->o;
  int n = 0, max_exact = 0;
  why[0] = '\0';
  for (int si = 0; si < o->nscales; si++) {
    inst_t *in = at(c, li, si, pi);
    if (in->status) {
      if (!why[0]) snprintf(why, whysz, "%s", in->why);
      continue;
    }
    if (in->an.m.boundary_mass > TINY_MASS) {
      if (!why[0])
        snprintf(why, whysz, "m=%d: boundary mass %.2g > %g at B=%d (the chain does not stand for "
                 "B = infinity)", o->scales[si], in->an.m.boundary_mass, TINY_MASS, in->an.buffer);
      continue;
    }
    pts[n].scale = o->scales[si];
    pts[n].exact = 1;
    pts[n].gap = in->an.m.mean_response_time / in->t_lp_x - 1.0;
    pts[n].ci = 0;
    if (o->scales[si] > max_exact) max_exact = o->scales[si];
    n++;
  }
  if (!accq_verify_have_simulator()) return n;
  for (int si = 0; si < o->nsim_scales; si++) {
    if (o->sim_scales[si] <= max_exact) continue;
    simc_t *sc = get_sim(c, pi, li, si);
    if (!sc) {
      simc_t *bad = &c->sims[((size_t)li * (size_t)o->nsim_scales + (size_t)si) * 2 + (pi == P_POP)];
      if (!why[0]) snprintf(why, whysz, "%s", bad->why);
      continue;
    }
    if (sim_warned(r, &sc->s, "%s load %.2f m=%d", policies[pi], o->loads[li], o->sim_scales[si]))
      continue;
    /* infinite buffer: X = Lambda, so the bound is T_LP(Lambda) */
    pts[n].scale = o->sim_scales[si];
    pts[n].exact = 0;
    pts[n].gap = sc->s.mean_response_time / sc->t_lp - 1.0;
    pts[n].ci = sc->s.ci95 / sc->t_lp;
    n++;
  }
  return n;
}

static int series_text(const gap_pt_t *pts, int n, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used < size; i++) {
    int w;
    if (pts[i].exact)
      w = snprintf(buf + used, size - used, "%sm=%d %.4g", i ? ", " : "", pts[i].scale,
                   pts[i].gap);
    else
      w = snprintf(buf + used, size - used, "%sm=%d %.4g+-%.2g", i ? ", " : "", pts[i].scale,
                   pts[i].gap, pts[i].ci);
    if (w < 0) break;
    used += (size_t)w;
  }
  return (int)used;
}

/* Non-increasing within noise at every step, and either the last point clearly
 * below the first or already at the bound (its interval reaches 0, or an exact
 * gap below 1e-6): a series that starts at the bound has nothing to fall.
 * Returned as a margin in units of the gap: >= 0 exactly when the series falls
 * (the smallest of the slack of every step and of the final condition). */
static double falls_margin(const gap_pt_t *pts, int n) {
  if (n < 2) return -INFINITY;
  double mono = INFINITY;
  for (int i = 1; i < n; i++)
    mono = fmin(mono, pts[i - 1].gap + pts[i].ci + pts[i - 1].ci + 1e-12 - pts[i].gap);
  double at_bound = 1e-6 - (pts[n - 1].gap - pts[n - 1].ci);
  double clear = (pts[0].gap - pts[0].ci) - (pts[n - 1].gap + pts[n - 1].ci);
  return fmin(mono, fmax(at_bound, clear));
}

/* T_LP at admitted rate x per unit scale with capacity slack e (NaN when the
 * LP is infeasible), and the largest x_k/(n_k mu_k) of its split. */
static double t_lp_slack(const accq_model_t *mm, double x, double e, double *umax) {
  accq_lp_problem_t p;
  accq_lp_result_t r;
  *umax = NAN;
  if (accq_lp_problem_from_model(&p, mm, e) != ACCQ_SUCCESS) return NAN;
  p.lambda = x;
  if (accq_lp_solve(&p, &r, NULL) != ACCQ_SUCCESS || r.status != ACCQ_LP_OPTIMAL) return NAN;
  double u = 0;
  for (int k = 0; k < mm->ntypes; k++)
    u = fmax(u, r.x[k] / (mm->types[k].servers * mm->types[k].rate));
  *umax = u;
  return r.t_lp;
}

/* The gaps of rjiq:e at load li to its own bound T_LP^e (the LP with capacity
 * rows (1-e) n_k mu_k): exact chains where the boundary mass is tiny, then
 * simulations beyond (infinite buffer, X = Lambda).  The inner limit of the
 * double limit: rjiq:e loads no type beyond 1 - e, so its gap to T_LP^e
 * vanishes as m grows (claim 3 applied to the e-LP). */
static int slack_series(ctx_t *c, accq_claim_row_t *r, int li, double e, gap_pt_t *pts, char *why,
                        size_t whysz) {
  const accq_verify_options_t *o = c->o;
  char pol[48];
  snprintf(pol, sizeof pol, "rjiq:%.6g", e);
  int n = 0, max_exact = 0;
  why[0] = '\0';
  /* near saturation (a type at 1 - e) a chain reaches a tiny boundary mass only
   * at the smallest size: the larger ones go to the simulator when there is one */
  int nexact = accq_verify_have_simulator() ? 1 : o->nscales;
  for (int si = 0; si < nexact; si++) {
    accq_model_t mm;
    accq_analysis_t an;
    accq_err_t err;
    accq_err_clear(&err);
    char what[160];
    snprintf(what, sizeof what, "%s: chain %s load %.2f m=%d", c->m->name, pol, o->loads[li],
             o->scales[si]);
    progress(c, what);
    int st = accq_i_model_at(c->m, o->loads[li], o->scales[si], &mm, &err);
    if (!st)
      st = accq_i_chain(&mm, pol, 0, 0, o->max_states, o->max_buffer, ACCQ_I_SOLVER, 0, &an, &err);
    if (st) {
      if (!why[0]) snprintf(why, whysz, "%.190s", err.msg);
      continue;
    }
    if (an.m.boundary_mass > TINY_MASS) continue;
    double u;
    double t = t_lp_slack(&mm, an.m.throughput_total / mm.scale, e, &u);
    if (!(t > 0)) continue;
    pts[n].scale = o->scales[si];
    pts[n].exact = 1;
    pts[n].gap = an.m.mean_response_time / t - 1.0;
    pts[n].ci = 0;
    if (o->scales[si] > max_exact) max_exact = o->scales[si];
    n++;
  }
  if (!accq_verify_have_simulator()) return n;
  for (int si = 0; si < o->nsim_scales; si++) {
    if (o->sim_scales[si] <= max_exact) continue;
    accq_model_t mm;
    accq_verify_sim_t s;
    accq_err_t err;
    accq_err_clear(&err);
    char what[160];
    snprintf(what, sizeof what, "%s: simulate %s load %.2f m=%d", c->m->name, pol, o->loads[li],
             o->sim_scales[si]);
    progress(c, what);
    int st = accq_i_model_at(c->m, o->loads[li], o->sim_scales[si], &mm, &err);
    if (!st)
      /* half the jobs of the other simulations: these gaps fall by large factors
       * (the trend is what is checked), and the double limit must not double the
       * run's cost */
      st = accq_i_simulate(&mm, pol, o->sim_replications,
                           o->sim_jobs / 2 > 1000 ? o->sim_jobs / 2 : 1000,
                           o->seed + 100u + (unsigned long)si, o->sim_threads, c->sim_forget, &s,
                           &err);
    if (st) {
      if (!why[0]) snprintf(why, whysz, "%.190s", err.msg);
      continue;
    }
    if (sim_warned(r, &s, "%s load %.2f m=%d", pol, o->loads[li], o->sim_scales[si])) continue;
    double u;
    double t = t_lp_slack(&mm, mm.arrival_rate, e, &u);
    if (!(t > 0)) continue;
    pts[n].scale = o->sim_scales[si];
    pts[n].exact = 0;
    pts[n].gap = s.mean_response_time / t - 1.0;
    pts[n].ci = s.ci95 / t;
    n++;
  }
  return n;
}

/* The mean-field (m -> infinity) limit of `pol` at grid load li: its E[T]
 * (per unit of scale, so the model is taken at m = 1), or the status of
 * accq_limit_et with the reason in why. */
static int limit_at(ctx_t *c, const char *pol, int li, double *et, char *why, size_t whysz) {
  accq_model_t mm;
  accq_err_t e;
  accq_err_clear(&e);
  char what[160];
  snprintf(what, sizeof what, "%s: limit %s load %.2f", c->m->name, pol, c->o->loads[li]);
  progress(c, what);
  double gap;
  *et = NAN;
  why[0] = '\0';
  int st = accq_i_model_at(c->m, c->o->loads[li], 1, &mm, &e);
  if (!st) st = accq_limit_et(&mm, pol, et, &gap, &e);
  if (st) {
    *et = NAN;
    snprintf(why, whysz, "%.190s", e.msg);
  }
  return st;
}

/* The smallest slack of the steps of a series: >= 0 when no step grows beyond
 * the noise of its two points. */
static double steps_margin(const gap_pt_t *pts, int n) {
  double mono = INFINITY;
  for (int i = 1; i < n; i++)
    mono = fmin(mono, pts[i - 1].gap + pts[i].ci + pts[i - 1].ci + 1e-12 - pts[i].gap);
  return mono;
}

/* Claim 3's check of the limit: E[T] of the mean-field limit equals the bound
 * (T_LP, or T_LP^e for rjiq:e) to TOL_LIMIT relative.  The margin is
 * TOL_LIMIT - |E_inf/bound - 1|. */
static void claim3_limit(accq_claim_row_t *r, double et, double bound, const char *label,
                         const char *ser) {
  double dev = fabs(et / bound - 1.0);
  r->instances++;
  margin_at(r, TOL_LIMIT - dev,
            "%s: mean-field limit E[T] %.12g vs bound %.12g (rel. diff %.2g); finite m: gap %s",
            label, et, bound, dev, ser[0] ? ser : "none");
  if (!(dev <= TOL_LIMIT)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    note_add(r, "%s: the mean-field limit E[T] %.12g differs from the bound %.12g by %.3g "
             "(> %g relative)", label, et, bound, dev, TOL_LIMIT);
  }
}

/* One finite-m series of claim 3 (rjiq at a load in the hypothesis, or rjiq:e
 * beyond the first breakpoint).  With the limit computed (have_limit), the
 * series is supporting evidence: PARTIAL only when it contradicts the limit (a
 * step grows beyond its noise).  Without it, the series is the evidence, as a
 * trend: its margin, and PARTIAL or FAIL when it does not fall.  `near`: the
 * most loaded type is at >= NEAR_SAT of its capacity. */
static void claim3_series(accq_claim_row_t *r, const gap_pt_t *pts, int n, int have_limit,
                          int near, int slack, const char *label, const char *ser) {
  r->instances += n;
  if (have_limit) {
    if (n >= 2 && !(steps_margin(pts, n) >= 0)) {
      worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      note_add(r, "%s: the finite-m gaps do not approach the limit (a step grows beyond its "
               "noise): %s", label, ser);
    } else if (near && !slack && n > 0 && pts[n - 1].gap > POP_NEAR) {
      /* (rjiq:e runs a type at 1 - e by construction: its slow fall is expected) */
      note_add(r, "%s (near saturation): the finite-m gap falls slowly (%s) toward the limit, "
               "which equals the bound", label, ser);
    }
    return;
  }
  double mg = falls_margin(pts, n);
  margin_at(r, mg, "%s: gap %s (mean-field limit not computed)", label, ser);
  if (mg >= 0) {
    /* rjiq:e runs a type at 1 - e by construction: a slow fall there is the
     * expected shape of the inner limit (reported, not held against the claim) */
    if (near && pts[n - 1].gap > POP_NEAR && !slack) {
      worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      note_add(r, "%s (near saturation): the gap falls slowly: %s", label, ser);
    }
    return;
  }
  if (near) {
    worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    note_add(r, "%s (near saturation): no clear decrease up to m=%d: %s", label,
             pts[n - 1].scale, ser);
  } else {
    r->verdict = ACCQ_VERDICT_FAIL;
    note_add(r, "%s: the gap does not fall with m: %s", label, ser);
  }
}

static void claim3(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 3, "R-JIQ asymptotically optimal", m->name,
           "1e-9 - |E[T] at m = inf / bound - 1| (rjiq vs T_LP; past the first breakpoint "
           "rjiq:e vs T_LP^e), min over loads; without a limit: the finite-m gap's fall minus "
           "its noise");
  char skip[240] = "";
  /* the double limit is checked at one load beyond the first breakpoint: the
   * smallest (the most headroom, so the largest slacks and the clearest inner
   * limits within the simulated sizes); the others are reported as excluded */
  int dl_li = -1;
  for (int li = 0; li < o->nloads; li++) {
    int st0 = at(c, li, 0, P_RJIQ)->status;
    if ((st0 == ACCQ_EUNSTABLE || st0 == ACCQ_ECAPINFEAS) && o->loads[li] < 1 &&
        (dl_li < 0 || o->loads[li] < o->loads[dl_li]))
      dl_li = li;
  }
  for (int li = 0; li < o->nloads; li++) {
    gap_pt_t pts[2 * ACCQ_VERIFY_MAX_GRID];
    char why[200], ser[400], label[160];
    /* the claim's hypothesis: every x_k < n_k mu_k (the first linear piece of
     * C(Lambda)); rjiq refuses a saturating split */
    inst_t *in0 = at(c, li, 0, P_RJIQ);
    if ((in0->status == ACCQ_EUNSTABLE || in0->status == ACCQ_ECAPINFEAS) && li != dl_li) {
      r->excluded++;
      note_add(r, "load %.2f beyond the first breakpoint (LP saturates type %s): the double "
               "limit is checked at load %.2f", o->loads[li], c->lp_sat_type[li],
               dl_li >= 0 ? o->loads[dl_li] : NAN);
      continue;
    }
    if (in0->status == ACCQ_EUNSTABLE || in0->status == ACCQ_ECAPINFEAS) {
      /* beyond the first breakpoint the statement is the double limit
       * lim_{e->0} lim_{m->inf} E[T(rjiq:e)] = T_LP(Lambda): the inner limit for a
       * few e (each series falls to T_LP^e), the outer one from the LP
       * (T_LP^e decreases to T_LP as e decreases) */
      r->excluded++;
      accq_model_t mm;
      if (accq_i_model_at(m, o->loads[li], 1, &mm, NULL) || !(o->loads[li] < 1)) {
        note_add(r, "load %.2f beyond capacity for every slack", o->loads[li]);
        continue;
      }
      double u0;
      double t0 = t_lp_slack(&mm, mm.arrival_rate, 0.0, &u0);
      double prev_t = NAN, prev_e = NAN;
      char outer[400] = "";
      size_t ou = 0;
      for (int j = 0; j < o->nslacks; j++) {
        double e = o->slacks[j] * (1.0 - o->loads[li]);
        double ue;
        double te = t_lp_slack(&mm, mm.arrival_rate, e, &ue);
        if (!(te > 0)) {
          note_add(r, "load %.2f e=%.4g: the e-LP is infeasible at Lambda", o->loads[li], e);
          continue;
        }
        /* the outer limit: shrinking e enlarges the LP's feasible set, so T_LP^e is
         * non-increasing as e decreases, and >= T_LP */
        if (te < t0 * (1 - TOL_BOUND) || (!isnan(prev_t) && e < prev_e && te > prev_t * (1 + TOL_BOUND))) {
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "load %.2f: T_LP^e %.10g at e=%.4g breaks T_LP %.10g <= T_LP^e "
                   "non-increasing as e decreases (previous %.10g at e=%.4g)",
                   o->loads[li], te, e, t0, prev_t, prev_e);
        }
        prev_t = te;
        prev_e = e;
        int n = slack_series(c, r, li, e, pts, why, sizeof why);
        if (ou < sizeof outer) {
          int w = n > 0 ? snprintf(outer + ou, sizeof outer - ou,
                                   "%se=%.3g: T_LP^e/T_LP - 1 = %.3g, gap to T_LP^e %.3g at m=%d "
                                   "-> %.3g at m=%d",
                                   ou ? "; " : "", e, te / t0 - 1.0, pts[0].gap, pts[0].scale,
                                   pts[n - 1].gap, pts[n - 1].scale)
                        : snprintf(outer + ou, sizeof outer - ou, "%se=%.3g: T_LP^e/T_LP - 1 = %.3g",
                                   ou ? "; " : "", e, te / t0 - 1.0);
          if (w > 0) ou += (size_t)w;
          if (ou >= sizeof outer) ou = sizeof outer - 1;
        }
        snprintf(label, sizeof label, "load %.2f rjiq:%.4g (types at <= %.0f%% of capacity)",
                 o->loads[li], e, 100 * ue);
        series_text(pts, n, ser, sizeof ser);
        /* the inner limit exactly: rjiq:e loads no type beyond 1 - e, so its
         * mean-field limit is T_LP^e (claim 3 applied to the e-LP) */
        char pol[48], lwhy[200];
        snprintf(pol, sizeof pol, "rjiq:%.6g", e);
        double et;
        int lst = limit_at(c, pol, li, &et, lwhy, sizeof lwhy);
        if (!lst) claim3_limit(r, et, te, label, ser);
        else note_add(r, "%s: mean-field limit not computed: %s", label, lwhy);
        if (n < 2 && lst) {
          note_add(r, "%s: fewer than two sizes%s%s", label, why[0] ? ": " : "", why);
          continue;
        }
        if (n > 0) claim3_series(r, pts, n, !lst, ue >= NEAR_SAT, 1, label, ser);
      }
      note_add(r, "load %.2f beyond the first breakpoint (LP saturates type %s): double limit "
               "with rjiq:e: %s",
               o->loads[li], c->lp_sat_type[li], outer[0] ? outer : "none");
      continue;
    }
    /* in the hypothesis: the limit itself (the PASS evidence), then the finite
     * sizes approaching it (supporting evidence) */
    snprintf(label, sizeof label, "load %.2f (max x_k/cap_k %.3f, type %s)", o->loads[li],
             c->lp_umax[li], c->lp_sat_type[li]);
    double et = NAN, tlp = NAN;
    char lwhy[200];
    int lst = limit_at(c, "rjiq", li, &et, lwhy, sizeof lwhy);
    if (!lst) {
      accq_model_t m1;
      if (!accq_i_model_at(m, o->loads[li], 1, &m1, NULL))
        tlp = accq_i_t_lp_at(&m1, m1.arrival_rate); /* verify's own LP solve */
    }
    int n = gap_series(c, r, P_RJIQ, li, pts, why, sizeof why);
    series_text(pts, n, ser, sizeof ser);
    double xs[2 * ACCQ_VERIFY_MAX_GRID], ys[2 * ACCQ_VERIFY_MAX_GRID];
    for (int i = 0; i < n; i++) {
      xs[i] = pts[i].scale;
      ys[i] = pts[i].gap;
    }
    accq_fit_t fit;
    int have_fit = n >= 2 && accq_fit_loglog(xs, ys, n, &fit, NULL) == ACCQ_SUCCESS;
    char ser2[460];
    if (have_fit) snprintf(ser2, sizeof ser2, "%s; log-log slope %.2f", ser, fit.slope);
    else snprintf(ser2, sizeof ser2, "%s", ser);
    if (!lst) {
      claim3_limit(r, et, tlp, label, ser2);
    } else {
      worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      note_add(r, "%s: mean-field limit not computed (%s): the finite-m trend is the only "
               "evidence", label, lwhy);
    }
    if (n < 2 && lst) {
      r->excluded++;
      note_add(r, "load %.2f: fewer than two sizes%s%s", o->loads[li], why[0] ? ": " : "", why);
      if (!skip[0]) snprintf(skip, sizeof skip, "fewer than two sizes at load %.2f%s%.180s",
                             o->loads[li], why[0] ? ": " : "", why);
      continue;
    }
    if (n > 0) claim3_series(r, pts, n, !lst, c->lp_umax[li] >= NEAR_SAT, 0, label, ser2);
  }
  if (!accq_verify_have_simulator())
    note_add(r, "exact chains only (no simulator in this build): sizes up to m=%d",
             o->scales[o->nscales - 1]);
  else if (r->instances > 0)
    note_add(r, "the limit is checked at m = infinity (the mean-field fixed point, accq limit, "
             "to %g); finite sizes up to m=%d approach it (supporting evidence)", TOL_LIMIT,
             o->nsim_scales > 0 ? o->sim_scales[o->nsim_scales - 1] : o->scales[o->nscales - 1]);
  finish_row(r, skip[0] ? skip : "no load with the limit or two or more sizes checked");
}

static void claim4(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 4, "POP near-optimal", m->name,
           "10% - POP's mean-field limit gap (E[T] at m = infinity / T_LP - 1), min over loads; "
           "where the limit is not computed: 10% - (gap - its 95% half-width) at the largest "
           "size");
  char skip[240] = "", limits[400] = "";
  size_t lu = 0;
  double max_lg = NAN;
  int nlim = 0;
  for (int li = 0; li < o->nloads; li++) {
    gap_pt_t pts[2 * ACCQ_VERIFY_MAX_GRID];
    char why[200], ser[400], lwhy[200];
    /* the claim is about large systems: POP's limit decides, at every grid load
     * (past the breakpoints of C(Lambda) too); the finite sizes are reported */
    double et = NAN, tlp = NAN, lg = NAN;
    int lst = limit_at(c, "pop", li, &et, lwhy, sizeof lwhy);
    if (!lst) {
      accq_model_t m1;
      if (!accq_i_model_at(m, o->loads[li], 1, &m1, NULL))
        tlp = accq_i_t_lp_at(&m1, m1.arrival_rate); /* verify's own LP solve */
      lg = et / tlp - 1.0;
      if (!isfinite(lg)) {
        lst = ACCQ_ENUMERIC;
        snprintf(lwhy, sizeof lwhy, "T_LP at load %.2f could not be computed", o->loads[li]);
      }
    }
    int n = gap_series(c, r, P_POP, li, pts, why, sizeof why);
    series_text(pts, n, ser, sizeof ser);
    r->instances += n;
    if (!lst) {
      r->instances++;
      nlim++;
      max_lg = isnan(max_lg) ? lg : fmax(max_lg, lg);
      if (lu < sizeof limits) {
        int w = snprintf(limits + lu, sizeof limits - lu, "%sload %.2f: %.2g", lu ? ", " : "",
                         o->loads[li], lg);
        if (w > 0) lu += (size_t)w;
        if (lu >= sizeof limits) lu = sizeof limits - 1;
      }
      double mg = POP_NEAR - lg;
      margin_at(r, mg,
                "load %.2f: POP's mean-field limit gap %.3g (E[T] %.12g, T_LP %.12g); finite m: "
                "gap %s",
                o->loads[li], lg, et, tlp, ser[0] ? ser : "none");
      if (lg < -TOL_LIMIT) {
        /* below the LP bound, which holds at every size: a contradiction */
        r->verdict = ACCQ_VERDICT_FAIL;
        note_add(r, "load %.2f: POP's limit E[T] %.12g is below T_LP %.12g", o->loads[li], et,
                 tlp);
      } else if (!(mg >= 0)) {
        worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
        note_add(r, "load %.2f: POP's limit gap %.3g is above %.0f%%", o->loads[li], lg,
                 100 * POP_NEAR);
      }
      if (n > 0 && pts[n - 1].gap - pts[n - 1].ci > POP_NEAR)
        note_add(r, "load %.2f: the finite-m gap %.3g at m=%d is above %.0f%% (%s) but the "
                 "limit gap is %.2g: a finite-size effect", o->loads[li], pts[n - 1].gap,
                 pts[n - 1].scale, 100 * POP_NEAR, ser, lg);
    } else {
      note_add(r, "load %.2f: POP's mean-field limit not computed (%s): finite sizes only",
               o->loads[li], lwhy);
      if (n == 0) {
        r->excluded++;
        note_add(r, "load %.2f: no size checked%s%s", o->loads[li], why[0] ? ": " : "", why);
        if (!skip[0]) snprintf(skip, sizeof skip, "no size checked at load %.2f%s%.180s",
                               o->loads[li], why[0] ? ": " : "", why);
        continue;
      }
      double g = pts[n - 1].gap;
      double mg = POP_NEAR - (g - pts[n - 1].ci);
      margin_at(r, mg, "load %.2f: POP gap %s (limit not computed)", o->loads[li], ser);
      if (!(mg >= 0)) {
        worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
        note_add(r, "load %.2f: gap %.3g at m=%d is above %.0f%%", o->loads[li], g,
                 pts[n - 1].scale, 100 * POP_NEAR);
      }
    }
    /* information only: no ordering against the Lambda-aware Bernoulli split is
     * claimed (at m = 1 POP can be slower than random-lp) */
    for (int si = 0; si < o->nscales; si++) {
      inst_t *ip = at(c, li, si, P_POP), *ir = at(c, li, si, P_RANDOM_LP);
      if (ip->status || ir->status) continue;
      if (ip->an.m.boundary_mass > TINY_MASS || ir->an.m.boundary_mass > TINY_MASS) continue;
      if (ip->an.m.mean_response_time > ir->an.m.mean_response_time * (1 + TOL_AGREE))
        note_add(r, "information: at load %.2f m=%d POP's E[T] %.8g is above random-lp's %.8g "
                 "(no ordering is claimed)",
                 o->loads[li], o->scales[si], ip->an.m.mean_response_time,
                 ir->an.m.mean_response_time);
    }
  }
  if (nlim)
    note_add(r, "POP's mean-field limit gap at %d load(s): %s (largest %.2g%s)", nlim, limits,
             max_lg, max_lg <= 1e-6 ? ": POP attains T_LP in the limit to 1e-6" : "");
  if (!accq_verify_have_simulator())
    note_add(r, "exact chains only (no simulator in this build)");
  finish_row(r, skip[0] ? skip : "no load checked");
}

/* ---- claim 5: agreement of independent methods ---- */

static double rel_diff(double a, double b) {
  double s = fmax(fabs(a), fabs(b));
  return s > 0 ? fabs(a - b) / s : 0.0;
}

typedef struct {
  accq_claim_row_t *r;
  double worst;
} agree_t;

/* One agreement check: records the worst relative disagreement. */
static void agree(agree_t *a, const char *what, double d, double tol) {
  a->r->instances++;
  double margin = 1.0 - d / tol;
  if (isnan(a->r->worst_margin) || margin < a->r->worst_margin || isnan(d)) {
    a->r->worst_margin = margin;
    snprintf(a->r->evidence, sizeof a->r->evidence, "%s: rel. diff %.3g (tol %.0e)", what, d,
             tol);
  }
  if (!(d <= tol)) {
    a->r->verdict = ACCQ_VERDICT_FAIL;
    note_add(a->r, "%s disagree: rel. diff %.3g > %.0e", what, d, tol);
  }
}

/* random-lp's joint lumped chain at buffer B (not the product form), solved
 * to the agreement residual: the independent side of claim 5's check (d). */
static int joint_random_lp(const accq_model_t *mm, int B, int64_t max_states,
                           accq_analysis_t *an) {
  accq_policy_t *pol = NULL;
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  popt.finite_buffer = 1;
  int st = accq_policy_alloc(&pol, "random-lp", mm, &popt, NULL);
  if (st) return st;
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.chain.max_states = max_states;
  ao.buffer = B;
  ao.product_form = 0;
  ao.solver.tol = AGREE_RESIDUAL;
  accq_model_t m2 = *mm;
  m2.buffer = B;
  st = accq_analyze(&m2, pol, &ao, an, NULL);
  accq_policy_free(pol);
  return st;
}

static void claim5(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 5, "agreement", m->name, "min over checks of 1 - rel. diff/tol (chain vs simulation: 1 - |t|/t_crit)");
  agree_t a = {r, 0};
  char what[240];
  int part_n[5] = {0, 0, 0, 0, 0}; /* comparisons made by each part (a)..(e) */

  part_n[0] = r->instances;
  /* (a) LP solvers: GLPK simplex, combinatorial, exact rationals */
  for (int li = 0; li < o->nloads; li++) {
    accq_model_t m1;
    accq_lp_problem_t p;
    accq_lp_result_t g, cb;
    accq_lp_exact_t ex;
    if (accq_i_model_at(m, o->loads[li], 1, &m1, NULL)) continue;
    if (accq_lp_problem_from_model(&p, &m1, 0.0)) continue;
    if (accq_lp_solve(&p, &g, NULL) || accq_lp_solve_combinatorial(&p, &cb, NULL)) {
      note_add(r, "LP solve failed at load %.2f", o->loads[li]);
      r->verdict = ACCQ_VERDICT_FAIL;
      continue;
    }
    if (g.status != cb.status) {
      r->verdict = ACCQ_VERDICT_FAIL;
      note_add(r, "LP status differs at load %.2f: GLPK %d, combinatorial %d", o->loads[li],
               (int)g.status, (int)cb.status);
      continue;
    }
    if (g.status != ACCQ_LP_OPTIMAL) continue;
    /* accq_lp_solve itself refuses (ENUMERIC, a FAIL above) unless GLPK's own
     * optimum agrees with the combinatorial solver to ACCQ_LP_AGREE_RTOL, and
     * then returns the combinatorial vertex: comparing g with cb here would be
     * comparing a number with itself.  The independent comparisons are that
     * refusal and the exact rational solve below. */
    memset(&ex, 0, sizeof ex);
    if (accq_lp_solve_exact(&p, &ex, NULL) == ACCQ_SUCCESS && ex.status == ACCQ_LP_OPTIMAL) {
      snprintf(what, sizeof what,
               "LP (GLPK checked against combinatorial) vs exact rationals at load %.2f "
               "(t_lp %.12g)",
               o->loads[li], g.t_lp);
      agree(&a, what, fmax(rel_diff(g.t_lp, ex.t_lp_value), rel_diff(g.lambda_max, ex.lambda_max_value)),
            TOL_AGREE);
    }
    accq_lp_exact_free(&ex);
  }

  part_n[0] = r->instances - part_n[0];
  part_n[1] = r->instances;
  /* (b) lumped vs explicit chain, every policy, m = 1, small buffer */
  {
    int B = o->small_buffer;
    double li_load = o->loads[o->nloads > 1 ? 1 : 0];
    double prod = 1;
    for (int k = 0; k < m->ntypes; k++) prod *= pow(B + 1, m->types[k].servers);
    if (prod > (double)o->max_states) {
      note_add(r, "lumped vs explicit skipped: explicit chain has %.3g states", prod);
    } else {
      accq_model_t mm;
      if (!accq_i_model_at(m, li_load, 1, &mm, NULL))
        for (int pi = 0; pi < NPOL; pi++) {
          accq_analysis_t al, ae;
          snprintf(what, sizeof what, "%s: lumped vs explicit %s", m->name, policies[pi]);
          progress(c, what);
          int s1 = accq_i_chain(&mm, policies[pi], B, 0, o->max_states, 0, ACCQ_I_SOLVER, AGREE_RESIDUAL,
                                &al, NULL);
          int s2 = accq_i_chain(&mm, policies[pi], B, 1, o->max_states, 0, ACCQ_I_SOLVER, AGREE_RESIDUAL,
                                &ae, NULL);
          if (s1 || s2) continue;
          snprintf(what, sizeof what,
                   "lumped (%lld states) vs explicit (%lld states) chain, %s load %.2f B=%d",
                   (long long)al.states, (long long)ae.states, policies[pi], li_load, B);
          agree(&a, what,
                fmax(rel_diff(al.m.mean_response_time, ae.m.mean_response_time),
                     fmax(rel_diff(al.m.accuracy, ae.m.accuracy),
                          /* the admitted rate, not the loss probability: a loss
                           * of 1e-11 cannot be compared to 1e-9 relative */
                          rel_diff(al.m.throughput_total, ae.m.throughput_total))),
                TOL_AGREE);
        }
    }
  }

  part_n[1] = r->instances - part_n[1];
  part_n[2] = r->instances;
  /* (c) every stationary solver on one chain (pop, m = 1, the largest B <= 8
   * with at most 800 lumped states: dense LU is O(n^3)) */
  {
    accq_model_t mm;
    int Bs = 8, servers[ACCQ_MAX_TYPES];
    for (int k = 0; k < m->ntypes; k++) servers[k] = m->types[k].servers;
    for (; Bs > 1; Bs--) {
      double cnt;
      if (accq_space_count(m->ntypes, servers, Bs, &cnt, NULL) == ACCQ_SUCCESS && cnt <= 800)
        break;
    }
    double li_load = o->loads[o->nloads - 1];
    const int kinds[] = {ACCQ_SOLVER_DENSE, ACCQ_SOLVER_SOR, ACCQ_SOLVER_GMRES,
                         ACCQ_SOLVER_POWER, ACCQ_SOLVER_ARNOLDI};
    accq_analysis_t ref;
    int have_ref = 0;
    if (!accq_i_model_at(m, li_load, 1, &mm, NULL))
      for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        accq_analysis_t an;
        accq_err_t e;
        accq_err_clear(&e);
        snprintf(what, sizeof what, "%s: solver %s", m->name, accq_solver_name(kinds[i]));
        progress(c, what);
        /* a tighter residual than the default: agreement to 1e-9 in E[T] needs
         * residual * (relaxation time) well below it */
        int st = accq_i_chain(&mm, "pop", Bs, 0, 4000, 0, kinds[i], AGREE_RESIDUAL, &an, &e);
        if (st) {
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "solver %s failed: %s", accq_solver_name(kinds[i]), e.msg);
          continue;
        }
        if (!have_ref) {
          ref = an;
          have_ref = 1;
          continue;
        }
        snprintf(what, sizeof what, "solver %s vs %s on pop (%lld states, load %.2f, B=%d)",
                 an.solver.name, ref.solver.name, (long long)an.states, li_load, Bs);
        agree(&a, what,
              fmax(rel_diff(an.m.mean_response_time, ref.m.mean_response_time),
                   rel_diff(an.m.accuracy, ref.m.accuracy)),
              TOL_AGREE);
      }
  }

  part_n[2] = r->instances - part_n[2];
  part_n[3] = r->instances;
  /* (d) random-lp vs the M/M/1/B product form, every grid instance */
  for (int li = 0; li < o->nloads; li++)
    for (int si = 0; si < o->nscales; si++) {
      inst_t *in = at(c, li, si, P_RANDOM_LP);
      if (in->status) continue;
      accq_model_t mm;
      accq_lp_problem_t p;
      accq_lp_result_t lr;
      if (accq_i_model_at(m, o->loads[li], o->scales[si], &mm, NULL)) continue;
      if (accq_lp_problem_from_model(&p, &mm, 0.0) || accq_lp_solve(&p, &lr, NULL)) continue;
      /* The instance itself was solved in product form (independent M/M/1/B
       * queues, the closed form below): comparing it with the closed form
       * would be circular.  The independent method is the joint lumped chain
       * (product_form = 0) at the instance's B, or at the agreement checks'
       * small B when that joint chain is over the state limit. */
      accq_analysis_t an2;
      int B = in->an.buffer, st2 = joint_random_lp(&mm, B, o->max_states, &an2);
      if (st2 == ACCQ_ETOOBIG && o->small_buffer < B) {
        B = o->small_buffer;
        st2 = joint_random_lp(&mm, B, o->max_states, &an2);
      }
      if (st2 != ACCQ_SUCCESS) {
        note_add(r, "random-lp joint chain not solved at load %.2f m=%d B=%d (status %d)",
                 o->loads[li], o->scales[si], B, st2);
        continue;
      }
      double t, acc, loss;
      accq_i_random_lp_product_form(&mm, lr.p, B, &t, &acc, &loss);
      snprintf(what, sizeof what,
               "random-lp joint chain vs M/M/1/B product form, load %.2f m=%d B=%d (E[T] %.12g)",
               o->loads[li], o->scales[si], B, t);
      agree(&a, what,
            fmax(rel_diff(an2.m.mean_response_time, t), rel_diff(an2.m.accuracy, acc)),
            TOL_AGREE);
    }

  part_n[3] = r->instances - part_n[3];
  part_n[4] = r->instances;
  /* (e) chain vs simulator: chains with tiny boundary mass against infinite-buffer
   * simulation; E[T] and accuracy of every policy at the middle load and m = 1,
   * Bonferroni over the comparisons */
  if (!accq_verify_have_simulator()) {
    worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    note_add(r, "chain vs simulator not checked (no simulator in this build)");
  } else {
    int li = o->nloads > 1 ? 1 : 0, ncmp = 0, nbad = 0;
    int idx[NPOL];
    for (int pi = 0; pi < NPOL; pi++) {
      inst_t *in = at(c, li, 0, pi);
      idx[pi] = !in->status && in->an.m.boundary_mass <= TINY_MASS;
      ncmp += 2 * idx[pi];
    }
    /* family-wise level SIM_ALPHA per model (Bonferroni over its comparisons):
     * over five bundled models a false alarm has probability <= 0.5% */
    double alpha = SIM_ALPHA / (ncmp > 0 ? ncmp : 1);
    for (int pi = 0; pi < NPOL; pi++) {
      if (!idx[pi]) continue;
      inst_t *in = at(c, li, 0, pi);
      accq_model_t mm;
      accq_err_t e;
      accq_err_clear(&e);
      if (accq_i_model_at(m, o->loads[li], o->scales[0], &mm, &e)) continue;
      snprintf(what, sizeof what, "%s: chain vs simulation %s", m->name, policies[pi]);
      progress(c, what);
      accq_verify_sim_t s;
      /* the same number of simulated jobs as the other simulations, split into
       * more replications: Student's t with more degrees of freedom */
      int reps = o->sim_replications > SIM_REPS_AGREE ? o->sim_replications : SIM_REPS_AGREE;
      long jobs = o->sim_jobs * o->sim_replications / reps;
      if (accq_i_simulate(&mm, policies[pi], reps, jobs > 1000 ? jobs : 1000,
                          o->seed + 1000u + (unsigned long)pi, o->sim_threads, c->sim_forget, &s,
                          &e)) {
        r->verdict = ACCQ_VERDICT_FAIL;
        note_add(r, "simulation of %s failed: %s", policies[pi], e.msg);
        continue;
      }
      int R = s.replications;
      double t975 = gsl_cdf_tdist_Pinv(0.975, R - 1);
      double tcrit = gsl_cdf_tdist_Pinv(1 - alpha / 2, R - 1);
      int warned = sim_warned(r, &s, "%s load %.2f m=%d", policies[pi], o->loads[li],
                              o->scales[0]);
      double vals[2][3] = {{in->an.m.mean_response_time, s.mean_response_time, s.ci95},
                           {in->an.m.accuracy, s.accuracy, s.accuracy_ci95}};
      const char *names[2] = {"E[T]", "accuracy"};
      for (int j = 0; j < 2; j++) {
        /* resolution floor: events rarer than about one in 10^6 jobs (e.g. SED's
         * use of a slow type once in 10^8 dispatches) leave every replication
         * equal and the interval empty; such a difference is not a disagreement */
        double se = fmax(vals[j][2] / t975, 1e-6 * fabs(vals[j][0]) / tcrit);
        double z = se > 0 ? fabs(vals[j][0] - vals[j][1]) / se : (vals[j][0] == vals[j][1] ? 0 : INFINITY);
        if (warned) {
          if (z > tcrit) {
            worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
            note_add(r, "%s %s: exact %.8g outside the simulated %.8g +- %.2g (|t| %.2f > %.2f), "
                     "but the simulation has a bias warning: inconclusive",
                     policies[pi], names[j], vals[j][0], vals[j][1], vals[j][2], z, tcrit);
          }
          continue;
        }
        r->instances++;
        /* margin in units of the critical value: 1 - |t|/t_crit */
        double margin = 1.0 - z / tcrit;
        if (isnan(r->worst_margin) || margin < r->worst_margin) {
          r->worst_margin = margin;
          snprintf(r->evidence, sizeof r->evidence,
                   "chain vs simulation, %s %s load %.2f m=%d: exact %.8g, simulated %.8g "
                   "+- %.2g, |t| %.2f (critical %.2f, Bonferroni over %d)",
                   policies[pi], names[j], o->loads[li], o->scales[0], vals[j][0], vals[j][1],
                   vals[j][2], z, tcrit, ncmp);
        }
        if (z > tcrit) {
          nbad++;
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "%s %s: exact %.8g outside the simulated %.8g +- %.2g (|t| %.2f > %.2f)",
                   policies[pi], names[j], vals[j][0], vals[j][1], vals[j][2], z, tcrit);
        }
      }
    }
    note_add(r, "chain vs simulator: %d comparison(s), family-wise level %g (Bonferroni)%s",
             ncmp, SIM_ALPHA, nbad ? ", some failed" : "");
  }
  part_n[4] = r->instances - part_n[4];
  (void)a.worst;
  /* each part is a statement of the claim: one that compared nothing leaves the
   * claim checked only in part */
  static const char *const part_name[5] = {"LP solvers", "lumped vs explicit chains",
                                           "stationary solvers", "random-lp vs product form",
                                           "chain vs simulator"};
  for (int i = 0; i < 5; i++)
    if (part_n[i] == 0 && r->instances > 0) {
      worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      note_add(r, "%s: nothing compared", part_name[i]);
    }
  finish_row(r, "no agreement check could run");
}

int accq_verify_model(const accq_model_t *m, const accq_verify_options_t *o,
                      accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS], int *nrows,
                      accq_err_t *err) {
  *nrows = 0;
  if (o->nloads < 1 || o->nloads > ACCQ_VERIFY_MAX_GRID || o->nscales < 1 ||
      o->nscales > ACCQ_VERIFY_MAX_GRID || o->nsim_scales < 0 ||
      o->nsim_scales > ACCQ_VERIFY_MAX_GRID)
    return accq_err_set(err, ACCQ_EINVAL, "verify: grid sizes must be 1..%d (got %d loads, %d sizes)",
                        ACCQ_VERIFY_MAX_GRID, o->nloads, o->nscales);
  for (int i = 0; i < o->nloads; i++)
    if (!(o->loads[i] > 0 && o->loads[i] <= 1))
      return accq_err_set(err, ACCQ_EINVAL, "verify: load must be in (0,1] (got %g)",
                          o->loads[i]);
  for (int i = 0; i < o->nscales; i++)
    if (o->scales[i] < 1)
      return accq_err_set(err, ACCQ_EINVAL, "verify: size must be >= 1 (got %d)", o->scales[i]);
  /* the model's own load joins the grid (first), unless it is already there */
  accq_verify_options_t oo = *o;
  {
    accq_model_t own = *m;
    accq_lp_problem_t p;
    if (accq_lp_model_resolve(&own, NULL) == ACCQ_SUCCESS &&
        accq_lp_problem_from_model(&p, &own, 0.0) == ACCQ_SUCCESS) {
      double lmax = accq_lp_lambda_max(&p);
      double load = lmax > 0 ? own.arrival_rate / lmax : NAN;
      int dup = 0;
      for (int i = 0; i < oo.nloads; i++) dup |= fabs(oo.loads[i] - load) < 1e-3;
      if (load > 0 && load < 1 && !dup && oo.nloads < ACCQ_VERIFY_MAX_GRID) {
        memmove(oo.loads + 1, oo.loads, sizeof oo.loads[0] * (size_t)oo.nloads);
        oo.loads[0] = load;
        oo.nloads++;
      }
    }
  }
  o = &oo;
  ctx_t c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.o = o;
  if (o->fault) {
    int st = accq_verify_fault_check(o->fault, err);
    if (st) return st;
    if (!strcmp(o->fault, "sim-forget-warmup")) c.sim_forget = 1;
    else snprintf(c.fault_policy, sizeof c.fault_policy, "%s", o->fault + 14);
  }
  if (o->nslacks < 0 || o->nslacks > ACCQ_VERIFY_MAX_GRID)
    return accq_err_set(err, ACCQ_EINVAL, "verify: %d slacks (0..%d)", o->nslacks,
                        ACCQ_VERIFY_MAX_GRID);
  for (int j = 0; j < o->nslacks; j++)
    if (!(o->slacks[j] > 0 && o->slacks[j] < 1))
      return accq_err_set(err, ACCQ_EINVAL,
                          "verify: slack fraction %g of the headroom must be in (0,1)",
                          o->slacks[j]);
  c.grid = calloc((size_t)o->nloads * (size_t)o->nscales * NPOL, sizeof *c.grid);
  c.sims = calloc((size_t)o->nloads * (size_t)(o->nsim_scales > 0 ? o->nsim_scales : 1) * 2,
                  sizeof *c.sims);
  if (!c.grid || !c.sims) {
    free(c.grid);
    free(c.sims);
    return accq_err_set(err, ACCQ_ENOMEM, "verify: out of memory");
  }
  int nsim = accq_verify_have_simulator() ? o->nloads * o->nsim_scales * 2 + NPOL : 0;
  c.nsteps = o->nloads * o->nscales * NPOL + NPOL + 5 + nsim +
             (o->t_opt ? o->nloads * o->nscales : 0) +
             o->nloads * o->nslacks * (o->nscales + o->nsim_scales + 1) + /* at most (claim 3) */
             2 * o->nloads; /* the mean-field limits of claims 3 and 4 */
  int status = compute_grid(&c, err);
  if (status) goto cleanup;
  void (*claims[ACCQ_VERIFY_NCLAIMS])(ctx_t *, accq_claim_row_t *) = {claim1, claim2, claim3,
                                                                      claim4, claim5};
  for (int k = 0; k < ACCQ_VERIFY_NCLAIMS; k++) {
    if (!(o->claims & (1u << k))) continue;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    claims[k](&c, &rows[*nrows]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rows[*nrows].seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    (*nrows)++;
  }
cleanup:
  free(c.grid);
  free(c.sims);
  return status;
}
