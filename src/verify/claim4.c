/* Claim 4 (docs/claims.md): POP is near-optimal without knowing Lambda.  POP's
 * mean-field limit gap to T_LP decides at every grid load (PASS when <= 10%);
 * where the limit is not computed, the gap at the largest size checked. */
#include <math.h>
#include <stdio.h>

#include "verify/claims_internal.h"

/* The limit gaps over the loads: how many, the largest, and their text. */
typedef struct {
  int nlim;
  double max_lg;
  char limits[400];
  size_t lu;
} limits_t;

/* POP's limit gap lg (E[T] et, bound tlp) at load li, with the finite-m gaps
 * pts[0..n) as supporting information. */
static void pop_limit(ctx_t *c, accq_claim_row_t *r, int li, double et, double et_error,
                      double tlp, double lg, const gap_pt_t *pts, int n, const char *ser,
                      limits_t *lim) {
  double load = c->o->loads[li];
  char etxt[48];
  accq_i_et_error_text(et_error, etxt, sizeof etxt);
  r->instances++;
  lim->nlim++;
  lim->max_lg = isnan(lim->max_lg) ? lg : fmax(lim->max_lg, lg);
  if (lim->lu < sizeof lim->limits) {
    int w = snprintf(lim->limits + lim->lu, sizeof lim->limits - lim->lu, "%sload %.2f: %.2g",
                     lim->lu ? ", " : "", load, lg);
    if (w > 0) lim->lu += (size_t)w;
    if (lim->lu >= sizeof lim->limits) lim->lu = sizeof lim->limits - 1;
  }
  double mg = POP_NEAR - lg;
  accq_i_margin_at(r, mg,
                   "load %.2f: POP's mean-field limit gap %.3g (E[T] %.12g, T_LP %.12g; E[T]%s); "
                   "finite m: gap %s",
                   load, lg, et, tlp, etxt, ser[0] ? ser : "none");
  if (lg + (isnan(et_error) ? 0.0 : et_error / et) < -TOL_LIMIT) {
    /* below the LP bound, which holds at every size, by more than the limit's
     * error estimate: a contradiction */
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "load %.2f: POP's limit E[T] %.12g is below T_LP %.12g", load, et, tlp);
  } else if (!(mg >= 0)) {
    accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    accq_i_note_add(r, "load %.2f: POP's limit gap %.3g is above %.0f%%", load, lg,
                    100 * POP_NEAR);
  }
  if (n > 0 && pts[n - 1].gap - pts[n - 1].ci > POP_NEAR)
    accq_i_note_add(r, "load %.2f: the finite-m gap %.3g at m=%d is above %.0f%% (%s) but the "
                    "limit gap is %.2g: a finite-size effect", load, pts[n - 1].gap,
                    pts[n - 1].scale, 100 * POP_NEAR, ser, lg);
}

/* Without the limit: the gap at the largest size decides (less its noise).
 * Returns 0 when no size was checked (the load is excluded). */
static int pop_finite(ctx_t *c, accq_claim_row_t *r, int li, const char *lwhy,
                      const gap_pt_t *pts, int n, const char *ser, const char *why, char *skip,
                      size_t skipsz) {
  double load = c->o->loads[li];
  accq_i_note_add(r, "load %.2f: POP's mean-field limit not computed (%s): finite sizes only",
                  load, lwhy);
  if (n == 0) {
    r->excluded++;
    accq_i_note_add(r, "load %.2f: no size checked%s%s", load, why[0] ? ": " : "", why);
    if (!skip[0])
      snprintf(skip, skipsz, "no size checked at load %.2f%s%.180s", load, why[0] ? ": " : "",
               why);
    return 0;
  }
  double g = pts[n - 1].gap;
  double mg = POP_NEAR - (g - pts[n - 1].ci);
  accq_i_margin_at(r, mg, "load %.2f: POP gap %s (limit not computed)", load, ser);
  if (!(mg >= 0)) {
    accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    accq_i_note_add(r, "load %.2f: gap %.3g at m=%d is above %.0f%%", load, g, pts[n - 1].scale,
                    100 * POP_NEAR);
  }
  return 1;
}

/* Information only: no ordering against the Lambda-aware Bernoulli split is
 * claimed (at m = 1 POP can be slower than random-lp). */
static void pop_vs_random_lp(ctx_t *c, accq_claim_row_t *r, int li) {
  const accq_verify_options_t *o = c->o;
  for (int si = 0; si < o->nscales; si++) {
    inst_t *ip = at(c, li, si, c->p_pop), *ir = at(c, li, si, c->p_random_lp);
    if (ip->status || ir->status) continue;
    if (ip->an.m.boundary_mass > TINY_MASS || ir->an.m.boundary_mass > TINY_MASS) continue;
    if (ip->an.m.mean_response_time > ir->an.m.mean_response_time * (1 + TOL_AGREE))
      accq_i_note_add(r, "information: at load %.2f m=%d POP's E[T] %.8g is above random-lp's "
                      "%.8g (no ordering is claimed)",
                      o->loads[li], o->scales[si], ip->an.m.mean_response_time,
                      ir->an.m.mean_response_time);
  }
}

/* One grid load: the claim is about large systems, so POP's limit decides (past
 * the breakpoints of C(Lambda) too); the finite sizes are reported. */
static void claim4_load(ctx_t *c, accq_claim_row_t *r, int li, limits_t *lim, char *skip,
                        size_t skipsz) {
  gap_pt_t pts[2 * ACCQ_VERIFY_MAX_GRID];
  char why[200], ser[400], lwhy[200];
  double et = NAN, et_error = NAN, tlp = NAN, lg = NAN;
  int lst = accq_i_limit_at(c, "pop", li, &et, &et_error, lwhy, sizeof lwhy);
  if (!lst) {
    tlp = accq_i_t_lp_at_load(c, li);
    lg = et / tlp - 1.0;
    if (!isfinite(lg)) {
      lst = ACCQ_ENUMERIC;
      snprintf(lwhy, sizeof lwhy, "T_LP at load %.2f could not be computed", c->o->loads[li]);
    }
  }
  int n = accq_i_gap_series(c, r, c->p_pop, li, pts, why, sizeof why);
  accq_i_series_text(pts, n, ser, sizeof ser);
  r->instances += n;
  if (!lst)
    pop_limit(c, r, li, et, et_error, tlp, lg, pts, n, ser, lim);
  else if (!pop_finite(c, r, li, lwhy, pts, n, ser, why, skip, skipsz))
    return;
  pop_vs_random_lp(c, r, li);
}

void accq_i_claim4(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  accq_i_row_init(r, 4, "POP near-optimal", c->m->name,
                  "10% - POP's mean-field limit gap (E[T] at m = infinity / T_LP - 1), min over "
                  "loads; where the limit is not computed: 10% - (gap - its 95% half-width) at "
                  "the largest size");
  char skip[240] = "";
  limits_t lim;
  lim.nlim = 0;
  lim.max_lg = NAN;
  lim.limits[0] = '\0';
  lim.lu = 0;
  for (int li = 0; li < o->nloads; li++) claim4_load(c, r, li, &lim, skip, sizeof skip);
  if (lim.nlim)
    accq_i_note_add(r, "POP's mean-field limit gap at %d load(s): %s (largest %.2g%s)", lim.nlim,
                    lim.limits, lim.max_lg,
                    lim.max_lg <= 1e-6 ? ": POP attains T_LP in the limit to 1e-6" : "");
  if (!accq_verify_have_simulator())
    accq_i_note_add(r, "exact chains only (no simulator in this build)");
  accq_i_finish_row(r, skip[0] ? skip : "no load checked");
}
