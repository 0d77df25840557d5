/* The gap of a policy to the LP bound as the system grows (claims 3 and 4):
 * exact chains of the grid where they stand for an infinite buffer, cached
 * simulations beyond, and the mean-field limit at m = infinity. */
#include <math.h>
#include <stdio.h>

#include "accq/limit.h"
#include "verify/claims_internal.h"

int accq_i_gap_series(ctx_t *c, accq_claim_row_t *r, int pi, int li, gap_pt_t *pts, char *why,
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
    simc_t *sc = accq_i_get_sim(c, pi, li, si);
    if (!sc) {
      if (!why[0]) snprintf(why, whysz, "%s", sim_slot(c, pi, li, si)->why);
      continue;
    }
    if (accq_i_sim_warned(r, &sc->s, "%s load %.2f m=%d", c->pols[pi].spec, o->loads[li],
                          o->sim_scales[si]))
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

int accq_i_series_text(const gap_pt_t *pts, int n, char *buf, size_t size) {
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

int accq_i_limit_at(ctx_t *c, const char *pol, int li, double *et, double *et_error, char *why,
                    size_t whysz) {
  accq_model_t mm;
  accq_err_t e;
  accq_err_clear(&e);
  char what[160];
  snprintf(what, sizeof what, "%s: limit %s load %.2f", c->m->name, pol, c->o->loads[li]);
  accq_i_progress(c, what);
  *et = NAN;
  *et_error = NAN;
  why[0] = '\0';
  accq_limit_t *w = NULL;
  /* a verify run's deadline: not started after it, the time left otherwise */
  int st = accq_i_time_check(&e);
  accq_limit_options_t lo;
  accq_limit_options_init(&lo);
  if (accq_i_time_left() < lo.max_seconds) lo.max_seconds = fmax(accq_i_time_left(), 1e-3);
  if (!st) st = accq_i_model_at(c->m, c->o->loads[li], 1, &mm, &e);
  if (!st) st = accq_limit_alloc(&w, &mm, pol, &lo, &e);
  if (!st) st = accq_limit_solve(w, &e);
  if (!st) {
    const accq_limit_result_t *res = accq_limit_result(w);
    *et = res->et;
    *et_error = res->et_error;
  } else {
    snprintf(why, whysz, "%.190s", e.msg);
  }
  accq_limit_free(w);
  return st;
}

double accq_i_t_lp_at_load(ctx_t *c, int li) {
  accq_model_t m1;
  if (accq_i_model_at(c->m, c->o->loads[li], 1, &m1, NULL)) return NAN;
  return accq_i_t_lp_at(&m1, m1.arrival_rate);
}

void accq_i_et_error_text(double et_error, char *buf, size_t size) {
  if (isnan(et_error)) snprintf(buf, size, " error not estimated");
  else snprintf(buf, size, " error estimate %.2g", et_error);
}
