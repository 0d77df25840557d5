/* The sweep grid (accq/grid.h): points of one parameter times (the LP bound,
 * each policy), every cell computed on its own, and the plot of a measure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/fmt.h"
#include "accq/lp.h"
#include "accq/policy.h"
#include "ext/gnuplot.h"
#include "grid/grid_internal.h"

#define GRID_POLICY_MAX 64 /* characters of one policy spec */

struct accq_sweep_grid {
  accq_model_t m;
  char param[ACCQ_NAME_MAX + 32];
  accq_sweep_options_t opt;
  int nv, npol;
  double *xv;
  char (*pols)[GRID_POLICY_MAX];
  accq_sweep_bound_t *bounds; /* nv */
  accq_sweep_cell_t *cells;   /* nv * npol, point-major */
};

/* Is `spec` a policy name ("pod", "pod:3", "rjiq:0.1")?  Only the name is
 * checked here: the argument is the policy module's to judge, per cell. */
static int known_policy(const char *spec) { return accq_policy_type_find(spec) != NULL; }

void accq_sweep_grid_free(accq_sweep_grid_t *g) {
  if (!g) return;
  free(g->xv);
  free(g->pols);
  free(g->bounds);
  free(g->cells);
  free(g);
}

int accq_sweep_grid_alloc(accq_sweep_grid_t **out, const accq_model_t *m, const char *param,
                          const double *values, int nvalues, const char *const *policies,
                          int npol, const accq_sweep_options_t *opt, accq_err_t *err) {
  *out = NULL;
  char key[ACCQ_NAME_MAX + 32];
  if (nvalues < 1 || npol < 1)
    return accq_err_set(err, ACCQ_EINVAL, "sweep grid: %d values and %d policies (need >= 1 each)",
                        nvalues, npol);
  int st = accq_sweep_param_key(m, param, key, sizeof key, err);
  if (st) return st;
  for (int p = 0; p < npol; p++) {
    if (!known_policy(policies[p]))
      return accq_err_set(err, ACCQ_EUSAGE, "--policy: unknown policy '%s'", policies[p]);
    if (strlen(policies[p]) >= GRID_POLICY_MAX)
      return accq_err_set(err, ACCQ_EUSAGE, "--policy: '%s' is too long", policies[p]);
  }
  accq_sweep_grid_t *g = calloc(1, sizeof *g);
  if (!g) return accq_err_set(err, ACCQ_ENOMEM, "out of memory for a sweep grid");
  g->m = *m;
  snprintf(g->param, sizeof g->param, "%s", param);
  if (opt)
    g->opt = *opt;
  else
    accq_sweep_options_init(&g->opt);
  g->nv = nvalues;
  g->npol = npol;
  g->xv = calloc((size_t)nvalues, sizeof *g->xv);
  g->pols = calloc((size_t)npol, sizeof *g->pols);
  g->bounds = calloc((size_t)nvalues, sizeof *g->bounds);
  g->cells = calloc((size_t)nvalues * (size_t)npol, sizeof *g->cells);
  if (!g->xv || !g->pols || !g->bounds || !g->cells) {
    accq_sweep_grid_free(g);
    return accq_err_set(err, ACCQ_ENOMEM, "out of memory for %d sweep points", nvalues);
  }
  memcpy(g->xv, values, sizeof *g->xv * (size_t)nvalues);
  for (int p = 0; p < npol; p++) snprintf(g->pols[p], sizeof g->pols[p], "%s", policies[p]);
  for (int i = 0; i < nvalues; i++) g->bounds[i].t_lp = NAN;
  *out = g;
  return ACCQ_SUCCESS;
}

int accq_sweep_grid_ncells(const accq_sweep_grid_t *g) { return g->nv * (g->npol + 1); }
int accq_sweep_grid_npoints(const accq_sweep_grid_t *g) { return g->nv; }
int accq_sweep_grid_npolicies(const accq_sweep_grid_t *g) { return g->npol; }
double accq_sweep_grid_value(const accq_sweep_grid_t *g, int i) { return g->xv[i]; }
const char *accq_sweep_grid_policy(const accq_sweep_grid_t *g, int p) { return g->pols[p]; }
const char *accq_sweep_grid_param(const accq_sweep_grid_t *g) { return g->param; }
const accq_model_t *accq_sweep_grid_model(const accq_sweep_grid_t *g) { return &g->m; }
const accq_sweep_options_t *accq_sweep_grid_options(const accq_sweep_grid_t *g) {
  return &g->opt;
}
const accq_sweep_bound_t *accq_sweep_grid_bound(const accq_sweep_grid_t *g, int i) {
  return &g->bounds[i];
}
const accq_sweep_cell_t *accq_sweep_grid_cell(const accq_sweep_grid_t *g, int i, int p) {
  return &g->cells[(size_t)i * (size_t)g->npol + (size_t)p];
}

/* The LP bound at the offered rate of mi (resolved). */
static void bound_at(const accq_model_t *mi, accq_sweep_bound_t *b) {
  accq_lp_result_t lr;
  accq_err_t e;
  accq_err_clear(&e);
  b->t_lp = NAN;
  int st = accq_lp_bound_at(mi, mi->arrival_rate, NAN, &lr, &e); /* the one T_LP-at-a-rate */
  if (st) {
    b->status = accq_cell_status_of(st);
    snprintf(b->reason, sizeof b->reason, "LP: %s", e.msg[0] ? e.msg : accq_strerror(st));
  } else if (lr.status == ACCQ_LP_ACCURACY_INFEASIBLE) {
    b->status = ACCQ_CELL_INFEASIBLE;
    snprintf(b->reason, sizeof b->reason,
             "no bound: the accuracy target %s is above every type's accuracy",
             ACCQ_FMT(mi->accuracy_target));
  } else if (lr.status != ACCQ_LP_OPTIMAL) {
    b->status = ACCQ_CELL_BEYOND_CAPACITY;
    snprintf(b->reason, sizeof b->reason,
             "no bound: arrival rate %.6g is beyond Lambda_max(a*) = %.6g", mi->arrival_rate,
             lr.lambda_max);
  } else {
    b->t_lp = lr.t_lp;
  }
}

int accq_sweep_grid_eval(accq_sweep_grid_t *g, int c, accq_err_t *err) {
  if (c < 0 || c >= accq_sweep_grid_ncells(g))
    return accq_err_set(err, ACCQ_EINVAL, "sweep grid: cell %d out of [0, %d)", c,
                        accq_sweep_grid_ncells(g));
  int i = c / (g->npol + 1), j = c % (g->npol + 1);
  accq_model_t mi;
  accq_err_t e;
  accq_err_clear(&e);
  /* every cell applies the value itself: cells share nothing */
  int st = accq_sweep_apply(&g->m, g->param, g->xv[i], &mi, &e);
  if (st && accq_status_exit_code(st) < 3) { /* a bad value of the parameter: bad usage */
    if (err) *err = e;
    return st;
  }
  if (j == 0) {
    accq_sweep_bound_t *b = &g->bounds[i];
    memset(b, 0, sizeof *b);
    b->t_lp = NAN;
    if (st) {
      b->status = accq_cell_status_of(st);
      snprintf(b->reason, sizeof b->reason, "%s", e.msg);
    } else {
      b->finite_buffer = mi.buffer > 0;
      bound_at(&mi, b);
    }
    return ACCQ_SUCCESS;
  }
  accq_sweep_cell_t *cell = &g->cells[(size_t)i * (size_t)g->npol + (size_t)(j - 1)];
  if (st) { /* the model has no resolved rate: nothing to compute */
    memset(cell, 0, sizeof *cell);
    cell->status = accq_cell_status_of(st);
    snprintf(cell->reason, sizeof cell->reason, "%s", e.msg);
    return ACCQ_SUCCESS;
  }
  return accq_sweep_eval(&mi, g->pols[j - 1], &g->opt, cell, err);
}

int accq_sweep_grid_run(accq_sweep_grid_t *g, accq_grid_progress_fn progress, void *ctx,
                        accq_err_t *err) {
  int n = accq_sweep_grid_ncells(g), done = 0, total = g->nv * g->npol;
  for (int c = 0; c < n; c++) {
    int st = accq_sweep_grid_eval(g, c, err);
    if (st) return st;
    if (c % (g->npol + 1) == 0) continue; /* progress counts the policy cells */
    done++;
    if (progress) progress(ctx, g->pols[c % (g->npol + 1) - 1], (double)done / total);
  }
  return ACCQ_SUCCESS;
}

int accq_sweep_grid_store(accq_sweep_grid_t *g, int c, const accq_sweep_bound_t *bound,
                          const accq_sweep_cell_t *cell, accq_err_t *err) {
  if (c < 0 || c >= accq_sweep_grid_ncells(g))
    return accq_err_set(err, ACCQ_EINVAL, "sweep grid: cell %d out of [0, %d)", c,
                        accq_sweep_grid_ncells(g));
  int i = c / (g->npol + 1), j = c % (g->npol + 1);
  if (j == 0 ? !bound : !cell)
    return accq_err_set(err, ACCQ_EINVAL, "sweep grid: cell %d is a %s, none given", c,
                        j == 0 ? "bound" : "policy cell");
  if (j == 0)
    g->bounds[i] = *bound;
  else
    g->cells[(size_t)i * (size_t)g->npol + (size_t)(j - 1)] = *cell;
  return ACCQ_SUCCESS;
}

static void count(accq_sweep_summary_t *s, accq_cell_status_t st) {
  if (!st) return;
  s->nbad++;
  s->counts[st]++;
  int x = accq_cell_exit_code(st);
  if (x > s->worst_exit) s->worst_exit = x;
}

void accq_sweep_grid_summary(const accq_sweep_grid_t *g, accq_sweep_summary_t *s) {
  memset(s, 0, sizeof *s);
  s->ncells = accq_sweep_grid_ncells(g);
  for (int i = 0; i < g->nv; i++) {
    count(s, g->bounds[i].status);
    s->finite_buffer |= g->bounds[i].finite_buffer;
    for (int p = 0; p < g->npol; p++) {
      const accq_sweep_cell_t *c = accq_sweep_grid_cell(g, i, p);
      s->nwarnings += c->nwarnings;
      count(s, c->status);
    }
  }
}

int accq_sweep_grid_plot(const accq_sweep_grid_t *g, const char *measure, const char *path,
                         accq_err_t *err) {
  int nv = g->nv, npol = g->npol, simulate = g->opt.simulate;
  accq_plot_series_t *ser = calloc((size_t)npol + 1, sizeof *ser);
  double *ys = calloc((size_t)nv * npol, sizeof *ys), *tl = calloc((size_t)nv, sizeof *tl);
  double *lo = calloc((size_t)nv * npol, sizeof *lo), *hi = calloc((size_t)nv * npol, sizeof *hi);
  int ns = 0, st = ACCQ_SUCCESS;
  if (!ser || !ys || !lo || !hi || !tl) {
    st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for the plot");
    goto cleanup;
  }
  int is_et = !strcmp(measure, "mean_response_time");
  for (int p = 0; p < npol; p++) {
    for (int i = 0; i < nv; i++) {
      const accq_sweep_cell_t *c = accq_sweep_grid_cell(g, i, p);
      double v = NAN; /* a cell without a number is a gap in the curve */
      if (!c->status) accq_sweep_measure(&g->m, &c->m, measure, &v, NULL);
      ys[p * nv + i] = v;
      lo[p * nv + i] = v - (is_et && !c->status ? c->ci95 : 0);
      hi[p * nv + i] = v + (is_et && !c->status ? c->ci95 : 0);
    }
    ser[ns++] = (accq_plot_series_t){g->pols[p], nv, g->xv, ys + p * nv,
                                     simulate && is_et ? lo + p * nv : NULL,
                                     simulate && is_et ? hi + p * nv : NULL,
                                     ACCQ_PLOT_LINESPOINTS};
  }
  for (int i = 0; i < nv; i++) tl[i] = g->bounds[i].t_lp;
  if (is_et) ser[ns++] = (accq_plot_series_t){"LP bound", nv, g->xv, tl, NULL, NULL, ACCQ_PLOT_LINES};
  accq_sweep_summary_t sum;
  accq_sweep_grid_summary(g, &sum);
  char ptitle[256], ylabel[128];
  snprintf(ptitle, sizeof ptitle, "%s, m = %d: %s against %s (%s)", g->m.name, g->m.scale,
           accq_sweep_measure_label(measure), g->param,
           simulate ? "simulation, 95% CI" : sum.finite_buffer ? "exact, finite buffer" : "exact");
  snprintf(ylabel, sizeof ylabel, "%s", is_et ? "mean response time E[T]" : measure);
  accq_plot_t pl = {ptitle, g->param, ylabel, 0, 0, ns, ser};
  st = accq_gnuplot_render(&pl, path, err);
cleanup:
  free(ser);
  free(ys);
  free(lo);
  free(hi);
  free(tl);
  return st;
}
