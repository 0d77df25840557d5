/* Plots of the mean-field limit (accq/limit.h) through the gnuplot adapter:
 * the trajectory of E[T](t) from the empty state, and E[T] over a parameter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/limit.h"
#include "ext/gnuplot.h"

/* accq_limit_trajectory_write's columns: t, mean_jobs, et, ... */
static int trajectory_column(const accq_limit_t *w, int col, double *out, int n, accq_err_t *err) {
  char *buf = NULL;
  size_t len = 0;
  FILE *mf = open_memstream(&buf, &len);
  if (!mf) return accq_err_set(err, ACCQ_ENOMEM, "--plot: cannot buffer the trajectory");
  int st = accq_limit_trajectory_write(w, mf, err);
  fclose(mf);
  if (st) {
    free(buf);
    return st;
  }
  /* the CSV holds every value with 17 significant digits: read back exactly */
  const char *p = buf ? strchr(buf, '\n') : NULL;
  for (int i = 0; p && i < n; i++) {
    p++;
    for (int c = 0; c < col && p; c++) {
      p = strpbrk(p, ",\n");
      if (p && *p == ',') p++;
    }
    out[i] = p ? strtod(p, NULL) : NAN;
    p = p ? strchr(p, '\n') : NULL;
  }
  free(buf);
  return ACCQ_SUCCESS;
}

int accq_limit_plot_trajectory(const accq_limit_t *w, const char *path, accq_err_t *err) {
  int n = accq_limit_trajectory_points(w);
  if (n <= 0)
    return accq_err_set(err, ACCQ_EINVAL, "--plot: no trajectory recorded (opt.trajectory = 0)");
  double *tt = calloc((size_t)n, sizeof *tt), *et = calloc((size_t)n, sizeof *et);
  double *lim = calloc((size_t)n, sizeof *lim);
  int st = ACCQ_SUCCESS;
  if (!tt || !et || !lim) {
    st = accq_err_set(err, ACCQ_ENOMEM, "--plot: out of memory for %d points", n);
    goto cleanup;
  }
  if ((st = trajectory_column(w, 0, tt, n, err)) != 0 ||
      (st = trajectory_column(w, 2, et, n, err)) != 0)
    goto cleanup;
  const accq_limit_result_t *r = accq_limit_result(w);
  for (int i = 0; i < n; i++) lim[i] = r->status ? NAN : r->et;
  /* t = 0 cannot be drawn on a log axis: the plot is linear in t */
  accq_plot_series_t se[2] = {{"E[T](t) = L(t)/Lambda", n, tt, et, NULL, NULL, ACCQ_PLOT_LINESPOINTS},
                              {"fixed point", n, tt, lim, NULL, NULL, ACCQ_PLOT_LINES}};
  char ptitle[128];
  snprintf(ptitle, sizeof ptitle, "mean-field trajectory of %s from the empty state",
           accq_limit_policy_name(w));
  accq_plot_t pl = {ptitle, "fluid time t", "L(t)/Lambda", 0, 0, 2, se};
  st = accq_gnuplot_render(&pl, path, err);
cleanup:
  free(tt);
  free(et);
  free(lim);
  return st;
}

int accq_limit_plot_vary(const char *title, const char *param, const double *x, int n,
                         const char *const *names, int npol, const double *et,
                         const double *t_lp, const char *path, accq_err_t *err) {
  accq_plot_series_t *se = calloc((size_t)npol + 1, sizeof *se);
  if (!se) return accq_err_set(err, ACCQ_ENOMEM, "--plot: out of memory");
  for (int p = 0; p <= npol; p++) {
    se[p].title = p < npol ? names[p] : "T_LP";
    se[p].n = n;
    se[p].x = x;
    se[p].y = p < npol ? et + (size_t)p * (size_t)n : t_lp;
    se[p].ylo = se[p].yhi = NULL;
    se[p].style = p < npol ? ACCQ_PLOT_LINESPOINTS : ACCQ_PLOT_LINES;
  }
  accq_plot_t pl = {title, param, "E[T] at m -> infinity", 0, 0, npol + 1, se};
  int st = accq_gnuplot_render(&pl, path, err);
  free(se);
  return st;
}
