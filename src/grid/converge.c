/* The gap of a policy to the LP bound as the system grows (accq converge):
 * exact chains while the state space fits and the auto buffer makes the
 * truncation negligible, simulation beyond.  A size with no answer is marked
 * (status and reason) and the others go on. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/limit.h"
#include "accq/lp.h"
#include "accq/verify.h"
#include "ext/gnuplot.h"
#include "grid/grid_internal.h"
#include "verify/verify_internal.h"

#define TINY_MASS 1e-9

void accq_converge_options_init(accq_converge_options_t *o) {
  memset(o, 0, sizeof *o);
  /* Not the chain module's 2e7: here the limit decides between a chain and a
   * simulation, and building chains of millions of states only to find the
   * auto buffer cut short costs minutes per size (measured: two-tier, rjiq,
   * m = 1,2,4: 6 s with 2e5, 13 min with 2e7, the same table) */
  o->max_states = 200000;
  o->max_buffer = 80;
  o->replications = 10;
  o->jobs = 200000;
  o->seed = 1;
  o->threads = 1;
}

static void point_clear(accq_converge_point_t *p, int scale) {
  memset(p, 0, sizeof *p);
  p->scale = scale;
  p->boundary_mass = p->mean_response_time = p->ci95 = p->accuracy = NAN;
  p->t_lp = p->gap = p->gap_lo = p->gap_hi = NAN;
}

static void point_mark(accq_converge_point_t *p, int st, const char *why) {
  p->status = accq_cell_status_of(st);
  snprintf(p->reason, sizeof p->reason, "%s", why && *why ? why : accq_strerror(st));
}

/* The exact chain at mm's size.  *done = 1 when it answers (p filled) or the
 * point is marked (no answer exists); 0 when a simulation should be tried (why
 * says what the chain gave).  Returns a hard error (err set) or ACCQ_SUCCESS. */
static int try_chain(const accq_model_t *mm, const char *policy, const accq_converge_options_t *o,
                     accq_converge_point_t *p, char *why, size_t whysize, int *done,
                     accq_err_t *err) {
  *done = 1;
  accq_analysis_t an;
  accq_err_t ce;
  accq_err_clear(&ce);
  memset(&an, 0, sizeof an); /* a refused policy returns before accq_analyze fills it */
  int cs = accq_i_chain(mm, policy, 0, 0, o->max_states, o->max_buffer, ACCQ_I_SOLVER, 0, &an,
                        &ce);
  if (cs == ACCQ_SUCCESS && an.verdict == ACCQ_ANALYSIS_CONVERGED && an.auto_converged &&
      an.m.boundary_mass <= TINY_MASS) {
    p->exact = 1;
    p->buffer = an.buffer;
    p->states = an.states;
    p->boundary_mass = an.m.boundary_mass;
    p->mean_response_time = an.m.mean_response_time;
    p->ci95 = 0;
    p->accuracy = an.m.accuracy;
    p->t_lp = accq_i_t_lp_at(mm, an.m.throughput_total / mm->scale);
    p->gap = p->gap_lo = p->gap_hi = p->mean_response_time / p->t_lp - 1.0;
    return ACCQ_SUCCESS;
  }
  if (cs && accq_cell_is_hard_error(cs)) return accq_err_set(err, cs, "m=%d: %s", mm->scale, ce.msg);
  if (cs == ACCQ_EUNSTABLE || cs == ACCQ_ECAPINFEAS || cs == ACCQ_EACCINFEAS) {
    /* no answer exists for this policy here: a simulation would be refused too */
    point_mark(p, cs, ce.msg);
    return ACCQ_SUCCESS;
  }
  *done = 0;
  if (cs == ACCQ_SUCCESS || (cs == ACCQ_ENOCONV && an.verdict == ACCQ_ANALYSIS_TRUNCATED))
    snprintf(why, whysize, "chain truncated (%.1100s)",
             an.reason[0] ? an.reason : an.warning[0] ? an.warning : "boundary mass above 1e-9");
  else
    snprintf(why, whysize, "chain: %.1100s", ce.msg);
  return ACCQ_SUCCESS;
}

/* The simulation at mm's size with seed o->seed + i. */
static int simulate_point(const accq_model_t *mm, const char *policy, int i,
                          const accq_converge_options_t *o, const char *why,
                          accq_converge_point_t *p, accq_err_t *err) {
  accq_verify_sim_t s;
  accq_err_t se;
  accq_err_clear(&se);
  int ss = accq_verify_simulate(mm, policy, o->replications, o->jobs, o->seed + (unsigned long)i,
                                o->threads, &s, &se);
  if (ss) {
    if (accq_cell_is_hard_error(ss)) return accq_err_set(err, ss, "m=%d: %s", mm->scale, se.msg);
    char r[sizeof p->reason];
    if (why[0])
      snprintf(r, sizeof r, "%.900s; simulation: %.1000s", why, se.msg);
    else
      snprintf(r, sizeof r, "simulation: %.1100s", se.msg);
    point_mark(p, ss, r);
    return ACCQ_SUCCESS;
  }
  p->exact = 0;
  p->buffer = 0;
  p->mean_response_time = s.mean_response_time;
  p->ci95 = s.ci95;
  p->accuracy = s.accuracy;
  p->t_lp = accq_i_t_lp_at(mm, mm->arrival_rate); /* infinite buffer: X = Lambda */
  p->gap = s.mean_response_time / p->t_lp - 1.0;
  p->gap_lo = (s.mean_response_time - s.ci95) / p->t_lp - 1.0;
  p->gap_hi = (s.mean_response_time + s.ci95) / p->t_lp - 1.0;
  for (int w = 0; w < s.nwarnings && w < ACCQ_CELL_MAX_WARNINGS; w++)
    snprintf(p->warnings[p->nwarnings++], ACCQ_CELL_WARNING_MAX, "%s", s.warnings[w]);
  return ACCQ_SUCCESS;
}

/* The point of a resolved model (st_resolve: the status of resolving it, e
 * its message), with progress at fraction `at`. */
static int point_of(const accq_model_t *base, int st_resolve, const accq_err_t *e,
                    const char *policy, int scale, int i, const accq_converge_options_t *o,
                    double at, accq_converge_point_t *p, accq_err_t *err) {
  point_clear(p, scale);
  if (st_resolve) { /* the load cannot be resolved (a* infeasible): no size has an answer */
    point_mark(p, st_resolve, e->msg);
    return ACCQ_SUCCESS;
  }
  accq_model_t mm = *base;
  mm.scale = scale;
  mm.buffer = 0; /* the infinite-buffer question */
  char what[160], why[1200] = "";
  if (accq_grid_i_beyond_capacity(&mm, why, sizeof why)) {
    p->status = ACCQ_CELL_BEYOND_CAPACITY;
    snprintf(p->reason, sizeof p->reason, "%s", why);
    return ACCQ_SUCCESS;
  }
  int pst;
  if (accq_grid_i_policy_unstable(&mm, policy, &pst, why, sizeof why)) {
    p->status = ACCQ_CELL_UNSTABLE;
    snprintf(p->reason, sizeof p->reason, "%s", why);
    return ACCQ_SUCCESS;
  }
  why[0] = '\0';
  if (!o->force_sim) {
    snprintf(what, sizeof what, "%s m=%d: chain", policy, scale);
    if (o->progress) o->progress(o->progress_ctx, what, at);
    int done = 0, cst = try_chain(&mm, policy, o, p, why, sizeof why, &done, err);
    if (cst || done) return cst; /* a hard error, or answered, or marked */
  }
  /* the chain does not answer (too large, truncated, not converged): simulate */
  if (!accq_verify_have_simulator()) {
    point_mark(p, ACCQ_ETOOBIG, why[0] ? why : "this build has no simulator");
    return ACCQ_SUCCESS;
  }
  snprintf(what, sizeof what, "%s m=%d: simulation", policy, scale);
  if (o->progress) o->progress(o->progress_ctx, what, at);
  return simulate_point(&mm, policy, i, o, why, p, err);
}

int accq_converge_point(const accq_model_t *m, const char *policy, int scale, int i,
                        const accq_converge_options_t *o, accq_converge_point_t *p,
                        accq_err_t *err) {
  if (scale < 1)
    return accq_err_set(err, ACCQ_EUSAGE, "--scales: sizes must be >= 1 (got %d)", scale);
  accq_model_t base = *m;
  accq_err_t e;
  accq_err_clear(&e);
  int st = accq_lp_model_resolve(&base, &e);
  if (st && accq_cell_is_hard_error(st)) return err ? (*err = e, st) : st;
  return point_of(&base, st, &e, policy, scale, i, o, 0.0, p, err);
}

int accq_converge_run(const accq_model_t *m, const char *policy, const int *scales,
                      int nscales, const accq_converge_options_t *o,
                      accq_converge_point_t *pts, accq_err_t *err) {
  for (int i = 0; i < nscales; i++) {
    if (scales[i] < 1)
      return accq_err_set(err, ACCQ_EUSAGE, "--scales: sizes must be >= 1 (got %d)", scales[i]);
  }
  accq_model_t base = *m;
  accq_err_t e;
  accq_err_clear(&e);
  int st = accq_lp_model_resolve(&base, &e);
  if (st && accq_cell_is_hard_error(st)) return err ? (*err = e, st) : st;
  for (int i = 0; i < nscales; i++) {
    int ps = point_of(&base, st, &e, policy, scales[i], i, o, (double)i / nscales, &pts[i], err);
    if (ps) return ps;
  }
  if (o->progress) o->progress(o->progress_ctx, "done", 1.0);
  return ACCQ_SUCCESS;
}

#define SUMMARY_MAX 4096

void accq_converge_summarize(const accq_model_t *m, const char *policy,
                             const accq_converge_point_t *pts, int n,
                             accq_converge_summary_t *s) {
  static const char *const too_many = "more than 4096 points";
  memset(s, 0, sizeof *s);
  s->limit_et = s->limit_gap = NAN;
  double *xs = calloc((size_t)(n > 0 ? n : 1), sizeof *xs);
  double *ys = calloc((size_t)(n > 0 ? n : 1), sizeof *ys);
  double *yi = calloc((size_t)(n > 0 ? n : 1), sizeof *yi);
  for (int i = 0; i < n; i++) {
    s->nwarnings += pts[i].nwarnings;
    if (pts[i].status) {
      s->nbad++;
      int x = accq_cell_exit_code(pts[i].status);
      if (x > s->worst_exit) s->worst_exit = x;
    }
  }
  if (!xs || !ys || !yi || n > SUMMARY_MAX) {
    const char *why = n > SUMMARY_MAX ? too_many : "out of memory";
    snprintf(s->fit_reason, sizeof s->fit_reason, "%s", why);
    snprintf(s->limit_reason, sizeof s->limit_reason, "%s", why);
    goto cleanup;
  }
  accq_err_t e;
  accq_err_clear(&e);
  for (int i = 0; i < n; i++) {
    xs[i] = pts[i].scale;
    ys[i] = pts[i].status ? NAN : pts[i].gap; /* the fit skips points without a number */
  }
  s->have_fit = accq_fit_loglog(xs, ys, n, &s->fit, &e) == ACCQ_SUCCESS;
  if (!s->have_fit) snprintf(s->fit_reason, sizeof s->fit_reason, "%s", e.msg);
  /* The m -> infinity value itself (the mean-field limit, docs/limit.md): the
   * asymptote of E[T], and the fit of the finite-size gap E[T]/E_inf - 1 to it.
   * A limit the solver refuses is shown as such, never as a number. */
  accq_err_clear(&e);
  s->have_limit = accq_limit_et(m, policy, &s->limit_et, &s->limit_gap, &e) == ACCQ_SUCCESS;
  if (!s->have_limit) {
    snprintf(s->limit_reason, sizeof s->limit_reason, "%s", e.msg);
    goto cleanup;
  }
  for (int i = 0; i < n; i++)
    yi[i] = !pts[i].status ? pts[i].mean_response_time / s->limit_et - 1 : NAN;
  accq_err_clear(&e);
  s->have_limit_fit = accq_fit_loglog(xs, yi, n, &s->limit_fit, &e) == ACCQ_SUCCESS;
  if (!s->have_limit_fit) snprintf(s->limit_fit_reason, sizeof s->limit_fit_reason, "%s", e.msg);
cleanup:
  free(xs);
  free(ys);
  free(yi);
}

int accq_converge_plot(const accq_model_t *m, const char *policy,
                       const accq_converge_point_t *pts, int n,
                       const accq_converge_summary_t *s, const char *path, accq_err_t *err) {
  size_t sz = (size_t)(n > 0 ? n : 1);
  double *xs = calloc(sz, sizeof *xs), *ys = calloc(sz, sizeof *ys);
  double *lo = calloc(sz, sizeof *lo), *hi = calloc(sz, sizeof *hi);
  double *fy = calloc(sz, sizeof *fy), *ay = calloc(sz, sizeof *ay);
  int st = ACCQ_SUCCESS;
  if (!xs || !ys || !lo || !hi || !fy || !ay) {
    st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for the plot");
    goto cleanup;
  }
  for (int i = 0; i < n; i++) {
    xs[i] = pts[i].scale;
    ys[i] = pts[i].status ? NAN : pts[i].gap;
    lo[i] = pts[i].status ? NAN : pts[i].gap_lo;
    hi[i] = pts[i].status ? NAN : pts[i].gap_hi;
  }
  accq_plot_series_t ser[3];
  int ns = 0;
  char label[128], fitlabel[128], alabel[128];
  snprintf(label, sizeof label, "%s: E[T]/T_LP - 1", policy);
  ser[ns++] = (accq_plot_series_t){label, n, xs, ys, lo, hi, ACCQ_PLOT_LINESPOINTS};
  if (s->have_fit) {
    for (int i = 0; i < n; i++) fy[i] = exp(s->fit.intercept) * pow(xs[i], s->fit.slope);
    snprintf(fitlabel, sizeof fitlabel, "fit %.3g m^%.3f", exp(s->fit.intercept), s->fit.slope);
    ser[ns++] = (accq_plot_series_t){fitlabel, n, xs, fy, NULL, NULL, ACCQ_PLOT_LINES};
  }
  /* the asymptote: the mean-field limit's gap, a horizontal line where it is
   * above T_LP; a limit equal to T_LP (gap 0) has no place on log axes and
   * is named in the title instead */
  if (s->have_limit && s->limit_gap > 1e-9) {
    for (int i = 0; i < n; i++) ay[i] = s->limit_gap;
    snprintf(alabel, sizeof alabel, "mean-field limit (m -> inf): gap %.3g", s->limit_gap);
    ser[ns++] = (accq_plot_series_t){alabel, n, xs, ay, NULL, NULL, ACCQ_PLOT_LINES};
  }
  char ptitle[256];
  snprintf(ptitle, sizeof ptitle, "%s: gap to the LP bound as the system grows%s", m->name,
           s->have_limit && !(s->limit_gap > 1e-9) ? " (mean-field limit: T_LP)" : "");
  accq_plot_t pl = {ptitle, "system size m", "gap E[T]/T_LP - 1", 1, 1, ns, ser};
  st = accq_gnuplot_render(&pl, path, err);
cleanup:
  free(xs);
  free(ys);
  free(lo);
  free(hi);
  free(fy);
  free(ay);
  return st;
}
