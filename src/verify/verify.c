/* The claims of SPEC section 8 on one model (accq verify).
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

#include "accq/lp.h"
#include "accq/measures.h"
#include "accq/policy.h"
#include "accq/optimal.h"
#include "verify/verify_internal.h"

/* Every policy of SPEC 4, in table order. */
static const char *const policies[] = {"rjiq", "pop", "random-lp", "accurate-jiq", "jiq",
                                       "jfiq", "jsq", "sed", "pod:2"};
#define NPOL ((int)(sizeof policies / sizeof policies[0]))
enum { P_RJIQ = 0, P_POP = 1, P_RANDOM_LP = 2, P_ACCURATE_JIQ = 3 };

#define TOL_BOUND 1e-9    /* relative slack on E[T] >= T_LP(X) (rounding of the solve) */
#define TOL_ACC 1e-9      /* absolute slack on accuracy >= a* */
#define TINY_MASS 1e-9    /* boundary mass below which a chain stands for B = infinity */
#define TOL_AGREE 1e-9    /* relative agreement of independent exact methods */
#define AGREE_RESIDUAL 1e-14 /* stationary residual of the chains compared at TOL_AGREE */
#define POP_NEAR 0.10     /* claim 4: "near-optimal" = gap <= 10% at the largest size */
#define OTHER_MAX_BUFFER 10 /* auto buffer cap of the policies that do not claim a* */
#define NEAR_SAT 0.90
/* Claim 1's sandwich: t_opt at m <= TOPT_MAX_SCALE, the largest B <= TOPT_MAX_BUFFER
 * with at most TOPT_STATES lumped states; a policy is in the optimum's class
 * (no job lost while some server has room) when its loss is at most
 * ACCQ_OPTIMAL_LOSS_TOL (accq/optimal.h), the rule of accq optimal. */
#define TOPT_MAX_SCALE 1
#define TOPT_MAX_BUFFER 12
#define TOPT_STATES 2500
#define SIM_ALPHA 1e-3    /* family-wise level of the chain-vs-simulation tests of one model */
#define SIM_REPS_AGREE 20 /* replications of those simulations (more degrees of freedom) */     /* claim 3: a load is near saturation when some x_k/cap_k >= this */

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

static void claim1(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 1, "LP bound", m->name, "min E[T]/T_LP(X) - 1");
  int below_target = 0, not_fit = 0, unstable = 0;
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
        if (!forced && ms->accuracy < m->accuracy_target - TOL_ACC) {
          /* outside the claim: the bound is for accuracy-meeting policies (a finite
           * buffer can also push an R-JIQ/POP's admitted accuracy below a*) */
          below_target++;
          continue;
        }
        double margin = ms->mean_response_time / in->t_lp_x - 1.0;
        r->instances++;
        if (isnan(r->worst_margin) || margin < r->worst_margin) {
          r->worst_margin = margin;
          snprintf(r->evidence, sizeof r->evidence,
                   "%s%s load %.2f m=%d B=%d: E[T]=%.10g, T_LP(X)=%.10g, X=%.6g, accuracy %.6f",
                   policies[pi], forced ? " (fault: treated as meeting a*)" : "",
                   o->loads[li], o->scales[si], in->an.buffer, ms->mean_response_time,
                   in->t_lp_x, ms->throughput_total, ms->accuracy);
        }
        if (!(margin >= -TOL_BOUND)) {
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "%s at load %.2f m=%d: E[T] %.10g below T_LP(X) %.10g (accuracy %.6f vs a* %g)",
                   policies[pi], o->loads[li], o->scales[si], ms->mean_response_time,
                   in->t_lp_x, ms->accuracy, m->accuracy_target);
        }
      }
  if (below_target)
    note_add(r, "%d policy instance(s) below a* not in the comparison", below_target);
  if (not_fit) note_add(r, "%d chain(s) over the state limit", not_fit);
  if (unstable) note_add(r, "%d instance(s) with no answer (unstable or infeasible)", unstable);

  /* the sandwich T_LP(X) <= t_opt(m,B) <= E[T] needs the constrained optimum */
  if (!o->t_opt) {
    note_add(r, "sandwich with t_opt not checked (accq optimal not in this build)");
  } else {
    int checked = 0, compared = 0, shed = 0;
    for (int li = 0; li < o->nloads; li++)
      for (int si = 0; si < o->nscales; si++) {
        if (o->scales[si] > TOPT_MAX_SCALE) continue;
        accq_model_t mm;
        accq_err_t e;
        accq_err_clear(&e);
        if (accq_i_model_at(m, o->loads[li], o->scales[si], &mm, &e)) continue;
        /* the largest buffer <= TOPT_MAX_BUFFER whose lumped space stays small:
         * the optimum admits every job while a server has room, so only policies
         * that lose almost nothing at this B are in its class */
        int B = TOPT_MAX_BUFFER, servers[ACCQ_MAX_TYPES];
        for (int k = 0; k < m->ntypes; k++) servers[k] = m->types[k].servers * o->scales[si];
        for (; B > 1; B--) {
          double cnt;
          if (accq_space_count(m->ntypes, servers, B, &cnt, NULL) == ACCQ_SUCCESS &&
              cnt <= TOPT_STATES)
            break;
        }
        mm.buffer = B;
        double t_opt = NAN, x_opt = NAN;
        char what[160];
        snprintf(what, sizeof what, "%s: t_opt load %.2f m=%d B=%d", m->name, o->loads[li],
                 o->scales[si], B);
        progress(c, what);
        int st = o->t_opt(&mm, B, &t_opt, &x_opt, o->t_opt_ctx, &e);
        if (st == ACCQ_ETOOBIG) continue;
        if (st) {
          note_add(r, "t_opt at load %.2f m=%d failed: %s", o->loads[li], o->scales[si], e.msg);
          worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
          continue;
        }
        double lb = accq_i_t_lp_at(&mm, x_opt / mm.scale);
        checked++;
        r->instances++;
        double margin = t_opt / lb - 1.0;
        if (!(margin >= -TOL_BOUND)) {
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "t_opt %.10g below T_LP(X) %.10g at load %.2f m=%d B=%d", t_opt, lb,
                   o->loads[li], o->scales[si], B);
        }
        for (int pi = 0; pi <= P_ACCURATE_JIQ; pi++) {
          accq_analysis_t an;
          if (accq_i_chain(&mm, policies[pi], B, 0, o->max_states, 0, ACCQ_I_SOLVER, 0, &an,
                           NULL))
            continue;
          if (an.m.accuracy < m->accuracy_target - TOL_ACC) continue; /* not in the comparison */
          if (an.m.loss_probability > ACCQ_OPTIMAL_LOSS_TOL) {
            shed++; /* sheds load the optimum may not shed: outside its class */
            continue;
          }
          r->instances++;
          compared++;
          double mg = an.m.mean_response_time / t_opt - 1.0;
          if (!(mg >= -TOL_BOUND)) {
            r->verdict = ACCQ_VERDICT_FAIL;
            note_add(r, "%s E[T] %.10g below t_opt %.10g at load %.2f m=%d B=%d (loss %.2g)",
                     policies[pi], an.m.mean_response_time, t_opt, o->loads[li], o->scales[si],
                     B, an.m.loss_probability);
          }
        }
      }
    note_add(r, "sandwich T_LP(X) <= t_opt <= E[T]: t_opt at %d (load, m) point(s), %d "
             "policy comparison(s); %d policy instance(s) losing more than %g left out "
             "(outside the optimum's class)",
             checked, compared, shed, ACCQ_OPTIMAL_LOSS_TOL);
  }
  if (r->instances == 0) r->verdict = ACCQ_VERDICT_SKIPPED;
}

/* ---- claim 2: R-JIQ and POP meet a* ---- */

static void claim2(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 2, "R-JIQ and POP meet a*", m->name, "min accuracy - a*");
  int finite_b = 0;
  double worst_finite = NAN;
  char worst_finite_what[200] = "";
  for (int pi = 0; pi < NPOL; pi++) {
    if (!(pi == P_RJIQ || pi == P_POP || (meets_by_construction(c, pi) && pi > P_ACCURATE_JIQ)))
      continue;
    for (int li = 0; li < o->nloads; li++)
      for (int si = 0; si < o->nscales; si++) {
        inst_t *in = at(c, li, si, pi);
        if (in->status) continue;
        const accq_measures_t *ms = &in->an.m;
        double margin = ms->accuracy - m->accuracy_target;
        if (ms->boundary_mass > TINY_MASS) {
          /* finite-buffer instance: the admitted-job accuracy is reported as it is,
           * and checked against A >= a* - delta P_loss/(1 - P_loss)
           * (proofs/accuracy-guarantees.md) */
          finite_b++;
          double delta = 0;
          for (int k = 0; k < m->ntypes; k++)
            delta = fmax(delta, m->accuracy_target - m->types[k].accuracy);
          double lb = m->accuracy_target -
                      delta * ms->loss_probability / (1.0 - ms->loss_probability);
          if (ms->accuracy < lb - TOL_ACC) {
            r->verdict = ACCQ_VERDICT_FAIL;
            note_add(r, "%s at load %.2f m=%d B=%d: accuracy %.9f below the finite-buffer "
                     "bound %.9f", policies[pi], o->loads[li], o->scales[si], in->an.buffer,
                     ms->accuracy, lb);
          }
          if (isnan(worst_finite) || margin < worst_finite) {
            worst_finite = margin;
            snprintf(worst_finite_what, sizeof worst_finite_what,
                     "%s load %.2f m=%d B=%d boundary mass %.2g: accuracy %.9f",
                     policies[pi], o->loads[li], o->scales[si], in->an.buffer,
                     ms->boundary_mass, ms->accuracy);
          }
          continue;
        }
        r->instances++;
        if (isnan(r->worst_margin) || margin < r->worst_margin) {
          r->worst_margin = margin;
          snprintf(r->evidence, sizeof r->evidence,
                   "%s%s load %.2f m=%d B=%d (boundary mass %.2g): accuracy %.12f, a* %g",
                   policies[pi], pi > P_ACCURATE_JIQ ? " (fault: treated as meeting a*)" : "",
                   o->loads[li], o->scales[si], in->an.buffer, ms->boundary_mass, ms->accuracy,
                   m->accuracy_target);
        }
        if (margin < -TOL_ACC) {
          r->verdict = ACCQ_VERDICT_FAIL;
          note_add(r, "%s misses a* at load %.2f m=%d: accuracy %.9f < %g", policies[pi],
                   o->loads[li], o->scales[si], ms->accuracy, m->accuracy_target);
        }
      }
  }
  if (finite_b)
    note_add(r, "%d finite-buffer instance(s) (boundary mass > %g) reported as is, worst %s",
             finite_b, TINY_MASS, worst_finite_what);
  /* larger sizes by simulation (infinite buffer): the estimated accuracy must
   * not be significantly below a* (one-sided t test, Bonferroni, level SIM_ALPHA) */
  if (accq_verify_have_simulator() && o->nsim_scales > 0) {
    int nsim = 0, nlow = 0;
    double worst = NAN;
    char worst_what[200] = "";
    int ntests = 2 * o->nloads * o->nsim_scales;
    for (int pi = P_RJIQ; pi <= P_POP; pi++)
      for (int li = 0; li < o->nloads; li++)
        for (int si = 0; si < o->nsim_scales; si++) {
          if (pi == P_RJIQ && at(c, li, 0, P_RJIQ)->status == ACCQ_EUNSTABLE) continue;
          simc_t *sc = get_sim(c, pi, li, si);
          if (!sc) continue;
          nsim++;
          int R = sc->s.replications;
          double se = sc->s.accuracy_ci95 / gsl_cdf_tdist_Pinv(0.975, R - 1);
          double tcrit = gsl_cdf_tdist_Pinv(1 - SIM_ALPHA / ntests, R - 1);
          double d = sc->s.accuracy - m->accuracy_target;
          if (isnan(worst) || d < worst) {
            worst = d;
            snprintf(worst_what, sizeof worst_what, "%s load %.2f m=%d: %.6f +- %.2g",
                     policies[pi], o->loads[li], o->sim_scales[si], sc->s.accuracy,
                     sc->s.accuracy_ci95);
          }
          if (d < -tcrit * se - TOL_ACC) {
            nlow++;
            r->verdict = ACCQ_VERDICT_FAIL;
            note_add(r, "%s at load %.2f m=%d: simulated accuracy %.6f +- %.2g significantly "
                     "below a* %g", policies[pi], o->loads[li], o->sim_scales[si],
                     sc->s.accuracy, sc->s.accuracy_ci95, m->accuracy_target);
          }
        }
    r->instances += nsim;
    if (nsim && isnan(r->worst_margin)) {
      r->worst_margin = worst;
      snprintf(r->evidence, sizeof r->evidence, "simulation, %s", worst_what);
    }
    if (nsim)
      note_add(r, "%d simulation(s) at m=%d..%d, lowest accuracy %s%s", nsim, o->sim_scales[0],
               o->sim_scales[o->nsim_scales - 1], worst_what,
               nlow ? "" : " (none significantly below a*)");
  }
  if (r->instances == 0) {
    r->verdict = ACCQ_VERDICT_SKIPPED;
    note_add(r, "no chain reached boundary mass <= %g", TINY_MASS);
  }
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
      sc->status = accq_verify_simulate(&mm, policies[pi], o->sim_replications, o->sim_jobs,
                                        o->seed + (unsigned long)si, o->sim_threads, &sc->s, &e);
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
static int gap_series(ctx_t *c, int pi, int li, gap_pt_t *pts, char *why, size_t whysz) {
  const accq_verify_options_t *o = c->o;
  int n = 0, max_exact = 0;
  why[0] = '\0';
  for (int si = 0; si < o->nscales; si++) {
    inst_t *in = at(c, li, si, pi);
    if (in->status) {
      if (!why[0]) snprintf(why, whysz, "%s", in->why);
      continue;
    }
    if (in->an.m.boundary_mass > TINY_MASS) continue;
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
 * gap below 1e-6): a series that starts at the bound has nothing to fall. */
static int falls(const gap_pt_t *pts, int n) {
  if (n < 2) return 0;
  for (int i = 1; i < n; i++)
    if (pts[i].gap > pts[i - 1].gap + pts[i].ci + pts[i - 1].ci + 1e-12) return 0;
  if (pts[n - 1].gap - pts[n - 1].ci <= 1e-6) return 1;
  return pts[n - 1].gap + pts[n - 1].ci < pts[0].gap - pts[0].ci;
}

static void claim3(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 3, "R-JIQ asymptotically optimal", m->name,
           "min over loads of 1 - gap(largest m)/gap(smallest m)");
  for (int li = 0; li < o->nloads; li++) {
    gap_pt_t pts[2 * ACCQ_VERIFY_MAX_GRID];
    char why[200], ser[400];
    /* the claim's hypothesis: every x_k < n_k mu_k; rjiq refuses a saturating split */
    inst_t *in0 = at(c, li, 0, P_RJIQ);
    if (in0->status == ACCQ_EUNSTABLE || in0->status == ACCQ_ECAPINFEAS) {
      r->excluded++;
      note_add(r, "load %.2f outside the hypothesis (LP saturates type %s)", o->loads[li],
               c->lp_sat_type[li]);
      continue;
    }
    int n = gap_series(c, P_RJIQ, li, pts, why, sizeof why);
    if (n < 2) {
      r->excluded++;
      note_add(r, "load %.2f: fewer than two sizes%s%s", o->loads[li], why[0] ? ": " : "",
               why);
      continue;
    }
    r->instances += n;
    series_text(pts, n, ser, sizeof ser);
    double rel = pts[0].gap > 0 ? 1.0 - pts[n - 1].gap / pts[0].gap : NAN;
    int near = c->lp_umax[li] >= NEAR_SAT;
    double xs[2 * ACCQ_VERIFY_MAX_GRID], ys[2 * ACCQ_VERIFY_MAX_GRID];
    for (int i = 0; i < n; i++) {
      xs[i] = pts[i].scale;
      ys[i] = pts[i].gap;
    }
    accq_fit_t fit;
    int have_fit = accq_fit_loglog(xs, ys, n, &fit, NULL) == ACCQ_SUCCESS;
    if (isnan(r->worst_margin) || rel < r->worst_margin) {
      r->worst_margin = rel;
      snprintf(r->evidence, sizeof r->evidence,
               "load %.2f (max x_k/cap_k %.3f, type %s): gap %s%s%.2f", o->loads[li],
               c->lp_umax[li], c->lp_sat_type[li], ser, have_fit ? "; log-log slope " : "",
               have_fit ? fit.slope : 0.0);
    }
    if (falls(pts, n)) {
      if (near && pts[n - 1].gap > POP_NEAR) {
        worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
        note_add(r, "near saturation (load %.2f, type %s at %.0f%% of capacity) the gap falls "
                 "slowly: %s", o->loads[li], c->lp_sat_type[li], 100 * c->lp_umax[li], ser);
      }
      continue;
    }
    if (near) {
      worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      note_add(r, "near saturation (load %.2f, type %s at %.0f%% of capacity) no clear "
               "decrease up to m=%d: %s", o->loads[li], c->lp_sat_type[li],
               100 * c->lp_umax[li], pts[n - 1].scale, ser);
    } else {
      r->verdict = ACCQ_VERDICT_FAIL;
      note_add(r, "load %.2f: the gap does not fall with m: %s", o->loads[li], ser);
    }
  }
  if (!accq_verify_have_simulator())
    note_add(r, "exact chains only (no simulator in this build): sizes up to m=%d",
             o->scales[o->nscales - 1]);
  else if (r->instances > 0)
    note_add(r, "evidence up to m=%d (a limit statement: the trend is checked, not the limit)",
             o->sim_scales[o->nsim_scales - 1]);
  if (r->instances == 0) r->verdict = ACCQ_VERDICT_SKIPPED;
}

static void claim4(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 4, "POP near-optimal", m->name, "10% - max gap at the largest size");
  double worst_gap = NAN;
  for (int li = 0; li < o->nloads; li++) {
    gap_pt_t pts[2 * ACCQ_VERIFY_MAX_GRID];
    char why[200], ser[400];
    int n = gap_series(c, P_POP, li, pts, why, sizeof why);
    if (n == 0) {
      r->excluded++;
      note_add(r, "load %.2f: no size checked%s%s", o->loads[li], why[0] ? ": " : "", why);
      continue;
    }
    r->instances += n;
    series_text(pts, n, ser, sizeof ser);
    double g = pts[n - 1].gap;
    if (isnan(worst_gap) || g > worst_gap) {
      worst_gap = g;
      r->worst_margin = POP_NEAR - g;
      snprintf(r->evidence, sizeof r->evidence, "load %.2f: POP gap %s", o->loads[li], ser);
    }
    if (g - pts[n - 1].ci > POP_NEAR) {
      worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      note_add(r, "load %.2f: gap %.3g at m=%d is above %.0f%%", o->loads[li], g,
               pts[n - 1].scale, 100 * POP_NEAR);
    }
    /* POP must not lose to the Lambda-aware Bernoulli split at the same size */
    for (int si = 0; si < o->nscales; si++) {
      inst_t *ip = at(c, li, si, P_POP), *ir = at(c, li, si, P_RANDOM_LP);
      if (ip->status || ir->status) continue;
      if (ip->an.m.boundary_mass > TINY_MASS || ir->an.m.boundary_mass > TINY_MASS) continue;
      if (ip->an.m.mean_response_time > ir->an.m.mean_response_time * (1 + TOL_AGREE)) {
        r->verdict = ACCQ_VERDICT_FAIL;
        note_add(r, "load %.2f m=%d: POP E[T] %.8g worse than random-lp %.8g", o->loads[li],
                 o->scales[si], ip->an.m.mean_response_time, ir->an.m.mean_response_time);
      }
    }
  }
  if (!accq_verify_have_simulator())
    note_add(r, "exact chains only (no simulator in this build)");
  if (r->instances == 0) r->verdict = ACCQ_VERDICT_SKIPPED;
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

static void claim5(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  row_init(r, 5, "agreement", m->name, "min over checks of 1 - rel. diff/tol (chain vs simulation: 1 - |t|/t_crit)");
  agree_t a = {r, 0};
  char what[240];

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
    double dx = 0;
    for (int k = 0; k < p.ntypes; k++) dx = fmax(dx, fabs(g.x[k] - cb.x[k]) / p.lambda);
    snprintf(what, sizeof what, "LP GLPK vs combinatorial at load %.2f (t_lp %.12g)",
             o->loads[li], g.t_lp);
    agree(&a, what, fmax(rel_diff(g.t_lp, cb.t_lp), rel_diff(g.lambda_max, cb.lambda_max)),
          TOL_AGREE);
    /* the split itself may differ between optimal vertices only when the LP is
     * degenerate; t_lp may not */
    (void)dx;
    memset(&ex, 0, sizeof ex);
    if (accq_lp_solve_exact(&p, &ex, NULL) == ACCQ_SUCCESS && ex.status == ACCQ_LP_OPTIMAL) {
      snprintf(what, sizeof what, "LP GLPK vs exact rationals at load %.2f", o->loads[li]);
      agree(&a, what, rel_diff(g.t_lp, ex.t_lp_value), TOL_AGREE);
    }
    accq_lp_exact_free(&ex);
  }

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
      double t, acc, loss;
      accq_i_random_lp_product_form(&mm, lr.p, in->an.buffer, &t, &acc, &loss);
      /* the grid's residual 1e-12 leaves errors of order 1e-12 times the
       * relaxation time in E[T]: when the difference exceeds a tenth of the
       * tolerance, the chain is solved again to residual 1e-14 and compared */
      accq_analysis_t an2;
      const accq_analysis_t *use = &in->an;
      if (fmax(rel_diff(in->an.m.mean_response_time, t), rel_diff(in->an.m.accuracy, acc)) >
              0.1 * TOL_AGREE &&
          accq_i_chain(&mm, "random-lp", in->an.buffer, 0, o->max_states, 0, ACCQ_I_SOLVER,
                       AGREE_RESIDUAL, &an2, NULL) == ACCQ_SUCCESS)
        use = &an2;
      snprintf(what, sizeof what,
               "random-lp chain vs M/M/1/B product form, load %.2f m=%d B=%d (E[T] %.12g)",
               o->loads[li], o->scales[si], in->an.buffer, t);
      agree(&a, what,
            fmax(rel_diff(use->m.mean_response_time, t), rel_diff(use->m.accuracy, acc)),
            TOL_AGREE);
    }

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
      if (accq_verify_simulate(&mm, policies[pi], reps, jobs > 1000 ? jobs : 1000,
                               o->seed + 1000u + (unsigned long)pi, o->sim_threads, &s, &e)) {
        r->verdict = ACCQ_VERDICT_FAIL;
        note_add(r, "simulation of %s failed: %s", policies[pi], e.msg);
        continue;
      }
      int R = s.replications;
      double t975 = gsl_cdf_tdist_Pinv(0.975, R - 1);
      double tcrit = gsl_cdf_tdist_Pinv(1 - alpha / 2, R - 1);
      double vals[2][3] = {{in->an.m.mean_response_time, s.mean_response_time, s.ci95},
                           {in->an.m.accuracy, s.accuracy, s.accuracy_ci95}};
      const char *names[2] = {"E[T]", "accuracy"};
      for (int j = 0; j < 2; j++) {
        /* resolution floor: events rarer than about one in 10^6 jobs (e.g. SED's
         * use of a slow type once in 10^8 dispatches) leave every replication
         * equal and the interval empty; such a difference is not a disagreement */
        double se = fmax(vals[j][2] / t975, 1e-6 * fabs(vals[j][0]) / tcrit);
        double z = se > 0 ? fabs(vals[j][0] - vals[j][1]) / se : (vals[j][0] == vals[j][1] ? 0 : INFINITY);
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
  (void)a.worst;
  if (r->instances == 0) r->verdict = ACCQ_VERDICT_SKIPPED;
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
    if (strncmp(o->fault, "claims-target=", 14))
      return accq_err_set(err, ACCQ_EINVAL,
                          "verify: unknown fault '%s' (only claims-target=POLICY)", o->fault);
    snprintf(c.fault_policy, sizeof c.fault_policy, "%s", o->fault + 14);
  }
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
             (o->t_opt ? o->nloads * o->nscales : 0);
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
