/* Claim 1 (docs/claims.md): the LP bound.  Every policy instance of the grid
 * that meets a* has E[T] >= T_LP(X), X its admitted rate; and at m <=
 * TOPT_MAX_SCALE the sandwich T_LP(X) <= t_opt(m,B) <= E[T], each policy
 * against the constrained optimum of its class at its own B. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/fmt.h"
#include "accq/chain.h"
#include "accq/clock.h"
#include "verify/claims_internal.h"

/* What the part on the grid's chains left out (for the notes and the reason
 * of a SKIPPED row). */
typedef struct {
  int below_target, not_fit, unstable, no_bound;
} chain_counts_t;

/* The claim's premise: a policy whose registry type promises a* by
 * construction must meet it (accq_model_meets_target) on every chain that
 * stands for an infinite buffer.  One that does not is a FAIL of the promise
 * (a finite buffer may lower the admitted accuracy: claim 2's bound). */
static void broken_promise(ctx_t *c, accq_claim_row_t *r, int pi, int li, int si) {
  const accq_verify_options_t *o = c->o;
  const inst_t *in = at(c, li, si, pi);
  const accq_measures_t *ms = &in->an.m;
  double margin = ms->accuracy - c->m->accuracy_target + TOL_ACC;
  r->instances++;
  r->verdict = ACCQ_VERDICT_FAIL;
  accq_i_margin_at(r, margin,
                   "%s load %.2f m=%d B=%d (boundary mass %.2g): accuracy %.12f below a* %s",
                   c->pols[pi].spec, o->loads[li], o->scales[si], in->an.buffer,
                   ms->boundary_mass, ms->accuracy, ACCQ_FMT(c->m->accuracy_target));
  accq_i_note_add(r, "%s promises a* by construction (its policy type) but misses it at load "
                  "%.2f m=%d: accuracy %.12f < %s", c->pols[pi].spec, o->loads[li],
                  o->scales[si], ms->accuracy, ACCQ_FMT(c->m->accuracy_target));
}

/* E[T] >= T_LP(X) on every chain of the grid whose policy meets a*. */
static void claim1_chains(ctx_t *c, accq_claim_row_t *r, chain_counts_t *n) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  for (int li = 0; li < o->nloads; li++)
    for (int si = 0; si < o->nscales; si++)
      for (int pi = 0; pi < c->npol; pi++) {
        inst_t *in = at(c, li, si, pi);
        if (in->status) {
          if (in->status == ACCQ_ETOOBIG) n->not_fit++;
          else n->unstable++;
          continue;
        }
        const accq_measures_t *ms = &in->an.m;
        int forced = c->pols[pi].forced;
        if (!forced && !accq_model_meets_target(m, ms->accuracy)) {
          if (c->pols[pi].meets && ms->boundary_mass <= TINY_MASS) {
            broken_promise(c, r, pi, li, si);
            continue;
          }
          /* outside the claim: the bound is for accuracy-meeting policies (a finite
           * buffer can also push an R-JIQ/POP's admitted accuracy below a*) */
          n->below_target++;
          continue;
        }
        if (!(in->t_lp_held > 0)) {
          /* X <= Lambda and the LP is feasible at Lambda: a bound that cannot be
           * computed at X is a numerical failure, not evidence either way */
          n->no_bound++;
          continue;
        }
        /* the bound at the admitted rate X (a finite buffer loses jobs): T_LP
         * grows with the rate, so the offered rate would be a wrong, larger bound;
         * and at the target the policy is held to (inst_t.t_lp_held) */
        double margin = ms->mean_response_time / in->t_lp_held - 1.0 + TOL_BOUND;
        r->instances++;
        accq_i_margin_at(r, margin,
                         "%s%s load %.2f m=%d B=%d: E[T]=%.10g, T_LP(X)=%.10g, X=%.6g (offered "
                         "%.6g), accuracy %.6f",
                         c->pols[pi].spec, forced ? " (fault: treated as meeting a*)" : "",
                         o->loads[li], o->scales[si], in->an.buffer, ms->mean_response_time,
                         in->t_lp_held, ms->throughput_total, ms->lambda, ms->accuracy);
        if (!(margin >= 0)) {
          r->verdict = ACCQ_VERDICT_FAIL;
          accq_i_note_add(r, "%s at load %.2f m=%d: E[T] %.10g below T_LP(X) %.10g (accuracy "
                          "%.6f vs a* %s)",
                          c->pols[pi].spec, o->loads[li], o->scales[si],
                          ms->mean_response_time, in->t_lp_held, ms->accuracy,
                          ACCQ_FMT(m->accuracy_target));
        }
      }
  if (n->below_target)
    accq_i_note_add(r, "%d policy instance(s) below a* not in the comparison", n->below_target);
  if (n->not_fit) accq_i_note_add(r, "%d chain(s) over the state limit", n->not_fit);
  if (n->unstable)
    accq_i_note_add(r, "%d instance(s) with no answer (unstable or infeasible)", n->unstable);
  if (n->no_bound) {
    accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    accq_i_note_add(r, "%d instance(s) where T_LP(X) could not be computed", n->no_bound);
  }
}

/* ---- the sandwich ---- */

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

/* The sandwich over the whole grid: optima and policy comparisons counted, and
 * where it was not run with the reason. */
typedef struct {
  int points, compared;
  accq_i_list_t notrun;
} sandwich_t;

/* One (load, m, B) point of the sandwich. */
typedef struct {
  ctx_t *c;
  accq_claim_row_t *r;
  sandwich_t *sw;
  int li, si, B;
  accq_model_t mm;
  double t0, x0;              /* the optimum without shedding (st0 == 0) */
  int st0;
  /* the shedding policies that do not claim a* (jiq, jfiq, sed, pod) share one
   * optimum, at the smallest of their admitted rates (the optimum grows with the
   * required rate, so it is below each of them: still a theorem, and one LP
   * instead of four); shared_st < 0 until it is solved */
  double shared_min, shared_t, shared_x;
  int shared_st;
  char shared_why[160];
} point_t;

/* A failed optimum that is neither "no rule meets a*", "too large" nor "not in
 * this build" is a solver failure: the claim is only partly checked. */
static void topt_failed(accq_claim_row_t *r, int st) {
  if (st != ACCQ_EACCINFEAS && st != ACCQ_ETOOBIG && st != ACCQ_EINVAL)
    accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
}

/* (a) the optimum over rules that lose a job only when every server is full,
 * and its lower half T_LP(X) <= t_opt. */
static void optimum_noshed(point_t *p) {
  const accq_verify_options_t *o = p->c->o;
  accq_claim_row_t *r = p->r;
  double load = o->loads[p->li];
  int scale = o->scales[p->si];
  accq_err_t e;
  accq_err_clear(&e);
  p->t0 = NAN;
  p->x0 = NAN;
  p->st0 = o->t_opt(&p->mm, p->B, 0, 0.0, &p->t0, &p->x0, o->t_opt_ctx, &e);
  if (p->st0 != ACCQ_SUCCESS) {
    topt_failed(r, p->st0);
    accq_i_list_add(&p->sw->notrun, "load %.2f m=%d B=%d, optimum without shedding: %.150s",
                    load, scale, p->B,
                    p->st0 == ACCQ_EACCINFEAS ? "no rule of that class meets a*" : e.msg);
    return;
  }
  double lb = accq_i_t_lp_held(&p->mm, p->x0 / p->mm.scale, p->mm.accuracy_target - TOPT_ACC_SLACK);
  double mg = p->t0 / lb - 1.0 + TOL_TOPT;
  r->instances++;
  p->sw->points++;
  accq_i_margin_at(r, mg, "load %.2f m=%d B=%d: t_opt %.10g (no shedding), T_LP(X) %.10g, X=%.6g",
                   load, scale, p->B, p->t0, lb, p->x0);
  if (!(mg >= 0)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "t_opt %.10g below T_LP(X) %.10g at load %.2f m=%d B=%d", p->t0, lb,
                    load, scale, p->B);
  }
}

/* The optimum with shedding that policy pi (admitted rate X) is compared with:
 * its own, or the one shared by the shedding policies that do not claim a*.
 * Writes it, and whether its lower half is still to be checked (*first) and the
 * least admitted rate it was asked for (*xmin). */
static int optimum_shed(point_t *p, int pi, double X, double *tcmp, double *xcmp, int *first,
                        double *xmin, accq_err_t *e) {
  const accq_verify_options_t *o = p->c->o;
  *first = 1;
  *xmin = X;
  if (accq_i_meets_by_construction(p->c, pi))
    /* the policy's own rate less a relative 1e-9: its chain's rounding must not
     * make the policy itself infeasible for the LP */
    return o->t_opt(&p->mm, p->B, 1, X * (1 - 1e-9), tcmp, xcmp, o->t_opt_ctx, e);
  *first = p->shared_st < 0;
  *xmin = p->shared_min;
  if (p->shared_st < 0) {
    p->shared_st = o->t_opt(&p->mm, p->B, 1, p->shared_min * (1 - 1e-9), &p->shared_t,
                            &p->shared_x, o->t_opt_ctx, e);
    snprintf(p->shared_why, sizeof p->shared_why, "%.150s", e->msg);
  }
  *tcmp = p->shared_t;
  *xcmp = p->shared_x;
  snprintf(e->msg, sizeof e->msg, "%s", p->shared_why);
  return p->shared_st;
}

/* The lower half T_LP(X) <= t_opt of an optimum with shedding (once per
 * optimum). */
static void shed_lower_half(point_t *p, int pi, double tcmp, double xcmp, double xmin) {
  const ctx_t *c = p->c;
  const accq_verify_options_t *o = p->c->o;
  accq_claim_row_t *r = p->r;
  int shared = !accq_i_meets_by_construction(c, pi);
  double lb = accq_i_t_lp_held(&p->mm, xcmp / p->mm.scale, p->mm.accuracy_target - TOPT_ACC_SLACK);
  double mg = tcmp / lb - 1.0 + TOL_TOPT;
  r->instances++;
  accq_i_margin_at(r, mg,
                   "load %.2f m=%d B=%d: t_opt %.10g (shedding, X >= %.6g%s%s), "
                   "T_LP(X) %.10g, X=%.6g",
                   o->loads[p->li], o->scales[p->si], p->B, tcmp, xmin, shared ? "" : " of ",
                   shared ? "" : c->pols[pi].spec, lb, xcmp);
  if (!(mg >= 0)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "t_opt %.10g (shedding, X >= %.6g) below T_LP(X) %.10g at load "
                    "%.2f m=%d B=%d", tcmp, xmin, lb, o->loads[p->li], o->scales[p->si], p->B);
  }
}

/* (b) policy pi (which meets a* at this B, chain an) against the optimum of
 * its class: a shedding policy may lose jobs while some server has room, so it
 * is compared with the optimum over rules that may also shed, at an admitted
 * rate at least its own (it is itself such a rule: the comparison is a theorem
 * for it). */
static void compare_policy(point_t *p, int pi, const accq_analysis_t *an) {
  const ctx_t *c = p->c;
  const accq_verify_options_t *o = p->c->o;
  const accq_model_t *m = p->c->m;
  accq_claim_row_t *r = p->r;
  double load = o->loads[p->li];
  int scale = o->scales[p->si], B = p->B;
  double E = an->m.mean_response_time, X = an->m.throughput_total;
  double tcmp = NAN, xcmp = NAN;
  int sheds = c->pols[pi].sheds;
  if (!sheds) {
    if (p->st0) return; /* reported with the optimum */
    tcmp = p->t0;
    xcmp = p->x0;
  } else {
    accq_err_t e;
    accq_err_clear(&e);
    int first;
    double xmin;
    int st = optimum_shed(p, pi, X, &tcmp, &xcmp, &first, &xmin, &e);
    if (st == ACCQ_EACCINFEAS && an->m.accuracy >= m->accuracy_target + 1e-7) {
      /* the policy itself is a rule of the class meeting a*: contradiction */
      r->verdict = ACCQ_VERDICT_FAIL;
      accq_i_note_add(r, "optimum with shedding says no rule meets a* at load %.2f m=%d B=%d "
                      "with admitted rate >= %.10g, but %s does (accuracy %.9f)",
                      load, scale, B, X, c->pols[pi].spec, an->m.accuracy);
      r->instances++;
      accq_i_margin_at(r, -INFINITY, "%s load %.2f m=%d B=%d: optimum with shedding infeasible",
                       c->pols[pi].spec, load, scale, B);
      return;
    }
    if (st) {
      /* too large, infeasible within rounding, or not in this build: the
       * reason is reported; a solver failure leaves the claim partly unchecked */
      topt_failed(r, st);
      accq_i_list_add(&p->sw->notrun, "load %.2f m=%d B=%d, %s (optimum with shedding): %.120s",
                      load, scale, B, c->pols[pi].spec,
                      st == ACCQ_EACCINFEAS ? "infeasible (the policy is at a* within 1e-7)"
                                            : e.msg);
      return;
    }
    if (first) shed_lower_half(p, pi, tcmp, xcmp, xmin);
  }
  double mg = E / tcmp - 1.0 + TOL_TOPT;
  r->instances++;
  p->sw->compared++;
  accq_i_margin_at(r, mg,
                   "%s load %.2f m=%d B=%d: E[T] %.10g vs t_opt %.10g (%s%s; X %.6g vs %.6g), "
                   "loss %.3g",
                   c->pols[pi].spec, load, scale, B, E, tcmp,
                   !sheds ? "optimum without shedding"
                   : !accq_i_meets_by_construction(c, pi)
                       ? "optimum with shedding at the least rate of "
                       : "optimum with shedding",
                   !sheds || accq_i_meets_by_construction(c, pi) ? "" : c->shed_class, X, xcmp,
                   an->m.loss_probability);
  if (!(mg >= 0)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "%s E[T] %.10g below t_opt %.10g (%s) at load %.2f m=%d B=%d (loss %.2g)",
                    c->pols[pi].spec, E, tcmp, sheds ? "with shedding" : "without shedding",
                    load, scale, B, an->m.loss_probability);
  }
}

/* Every policy's chain at this B first (the shared optimum needs the least
 * admitted rate of its policies), then each policy that meets a* against its
 * optimum; the policies left out are counted in the notes. */
static void sandwich_policies(point_t *p) {
  const ctx_t *c = p->c;
  const accq_verify_options_t *o = p->c->o;
  const accq_model_t *m = p->c->m;
  accq_claim_row_t *r = p->r;
  double load = o->loads[p->li];
  int scale = o->scales[p->si], B = p->B;
  int below = 0, nochain = 0, nopol = 0;
  char nopol_why[120] = "";
  accq_analysis_t *ans = malloc(sizeof *ans * c->npol);
  int stcs[c->npol];
  char whys[c->npol][120];
  p->shared_min = INFINITY;
  p->shared_t = NAN;
  p->shared_x = NAN;
  p->shared_st = -1;
  p->shared_why[0] = '\0';
  if (!ans) {
    accq_i_list_add(&p->sw->notrun, "load %.2f m=%d B=%d: out of memory", load, scale, B);
    return;
  }
  for (int pi = 0; pi < c->npol; pi++) {
    accq_err_t ec;
    accq_err_clear(&ec);
    stcs[pi] = accq_i_chain(&p->mm, c->pols[pi].spec, B, 0, o->max_states, 0, ACCQ_I_SOLVER,
                            0, &ans[pi], &ec);
    snprintf(whys[pi], sizeof whys[pi], "%.110s", ec.msg);
    if (!stcs[pi] && !c->pols[pi].meets && c->pols[pi].sheds &&
        ans[pi].m.accuracy >= m->accuracy_target)
      p->shared_min = fmin(p->shared_min, ans[pi].m.throughput_total);
  }
  for (int pi = 0; pi < c->npol; pi++) {
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
    /* membership in the optimum's class, not the tolerance of
     * accq_model_meets_target: the optimum is over rules whose accuracy is >= a*
     * exactly (accq optimal's constraint), so a policy even 1e-12 below a* is
     * not a rule of that class and the comparison would not be a theorem */
    if (ans[pi].m.accuracy < m->accuracy_target) {
      below++; /* not in any class of the optimum (which meets a*) */
      continue;
    }
    compare_policy(p, pi, &ans[pi]);
  }
  free(ans);
  if (nopol)
    accq_i_list_add(&p->sw->notrun, "load %.2f m=%d B=%d: %d policy(ies) without a chain (%s)",
                    load, scale, B, nopol, nopol_why);
  if (below && below + nopol + nochain == c->npol)
    accq_i_list_add(&p->sw->notrun, "load %.2f m=%d B=%d: no policy meets a* at this B", load,
                    scale, B);
  if (nochain) {
    accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    accq_i_list_add(&p->sw->notrun, "load %.2f m=%d B=%d: %d policy chain(s) failed", load,
                    scale, B, nochain);
  }
}

/* The sandwich at grid load li and size si (m <= TOPT_MAX_SCALE), at the
 * largest B whose lumped space has at most cap states. */
static void sandwich_point(ctx_t *c, accq_claim_row_t *r, sandwich_t *sw, int li, int si,
                           double cap) {
  const accq_verify_options_t *o = c->o;
  point_t p;
  memset(&p, 0, sizeof p);
  p.c = c;
  p.r = r;
  p.sw = sw;
  p.li = li;
  p.si = si;
  accq_err_t e;
  accq_err_clear(&e);
  if (accq_i_model_at(c->m, o->loads[li], o->scales[si], &p.mm, &e)) {
    accq_i_list_add(&sw->notrun, "load %.2f m=%d: %.120s", o->loads[li], o->scales[si], e.msg);
    return;
  }
  double cnt;
  p.B = topt_buffer(c->m, o->scales[si], cap, &cnt);
  if (p.B == 0) {
    accq_i_list_add(&sw->notrun, "load %.2f m=%d: too large (%.3g states at B = 1, limit %.0f)",
                    o->loads[li], o->scales[si], cnt, cap);
    return;
  }
  p.mm.buffer = p.B;
  char what[160];
  snprintf(what, sizeof what, "%s: t_opt load %.2f m=%d B=%d", c->m->name, o->loads[li],
           o->scales[si], p.B);
  accq_i_progress(c, what);
  optimum_noshed(&p);
  sandwich_policies(&p);
}

/* The sandwich T_LP(X) <= t_opt(m,B) <= E[T] at m <= TOPT_MAX_SCALE: t_opt
 * over the class of each policy (shedding or not), at the policy's own B.
 * Every (load, m) where it is not run is reported with its reason. */
static void claim1_sandwich(ctx_t *c, accq_claim_row_t *r, sandwich_t *sw) {
  const accq_verify_options_t *o = c->o;
  if (!o->t_opt) {
    accq_i_note_add(r, "sandwich T_LP(X) <= t_opt <= E[T] not run: no optimum in this build");
    return;
  }
  int64_t tcap = o->topt_max_states > 0 ? o->topt_max_states : TOPT_STATES;
  double cap = (double)(o->max_states < tcap ? o->max_states : tcap);
  double ts0 = accq_clock_now();
  for (int li = 0; li < o->nloads; li++)
    for (int si = 0; si < o->nscales; si++) {
      if (o->scales[si] > TOPT_MAX_SCALE) continue;
      if (accq_clock_now() - ts0 > TOPT_BUDGET_S) {
        accq_i_list_add(&sw->notrun, "load %.2f m=%d: the sandwich's time budget (%.0f s) was "
                        "spent", o->loads[li], o->scales[si], TOPT_BUDGET_S);
        continue;
      }
      sandwich_point(c, r, sw, li, si, cap);
    }
  int small = 0;
  for (int si = 0; si < o->nscales; si++) small |= o->scales[si] <= TOPT_MAX_SCALE;
  if (!small)
    accq_i_list_add(&sw->notrun, "every size of the grid: the optimum is solved at m <= %d only",
                    TOPT_MAX_SCALE);
  accq_i_note_add(r, "sandwich T_LP(X) <= t_opt <= E[T] (m <= %d, each policy at the same B "
                  "against the optimum of its class): %d optimum(s) without shedding, %d policy "
                  "comparison(s)", TOPT_MAX_SCALE, sw->points, sw->compared);
  if (sw->notrun.text[0]) accq_i_note_add(r, "sandwich not run at: %s", sw->notrun.text);
}

void accq_i_claim1(ctx_t *c, accq_claim_row_t *r) {
  accq_i_row_init(r, 1, "LP bound", c->m->name,
                  "min over comparisons of upper/lower - 1 + tolerance (E[T] vs T_LP(X): 1e-9; "
                  "t_opt vs T_LP(X) and E[T] vs t_opt: 1e-6)");
  chain_counts_t n = {0, 0, 0, 0};
  claim1_chains(c, r, &n);
  sandwich_t sw;
  memset(&sw, 0, sizeof sw);
  claim1_sandwich(c, r, &sw);
  /* the reason of a SKIPPED row (cut at the row's reason, 240 characters) */
  char why[240];
  int w = snprintf(why, sizeof why,
                   "no policy instance checked: %d chain(s) over the state limit, %d without an "
                   "answer, %d below a*; sandwich: ",
                   n.not_fit, n.unstable, n.below_target);
  if (w > 0 && (size_t)w < sizeof why) {
    const char *tail = sw.notrun.text[0] ? sw.notrun.text : "not run";
    size_t room = sizeof why - (size_t)w - 1, len = strlen(tail);
    memcpy(why + w, tail, len < room ? len : room);
    why[(size_t)w + (len < room ? len : room)] = '\0';
  }
  accq_i_finish_row(r, why);
}
