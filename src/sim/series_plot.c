/* accq simulate's time-series plots (accq_sim_series_plot, accq/sim.h): E[T]
 * per window with the moving bound T_LP(Lambda(t)), or the accuracy per
 * window with a*, through the gnuplot adapter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "accq/sim.h"
#include "ext/gnuplot.h"

int accq_sim_series_plot(const accq_sim_series_t *series, const char *const *names, int n,
                         const accq_model_t *m, double window, const char *path, int accuracy,
                         accq_err_t *err) {
  int nmax = 0;
  for (int p = 0; p < n; p++)
    if (series[p].nwindows > nmax) nmax = series[p].nwindows;
  size_t cells = (size_t)(n + 1) * (size_t)nmax;
  double *x = malloc(cells * sizeof *x), *y = malloc(cells * sizeof *y);
  double *lo = malloc(cells * sizeof *lo), *hi = malloc(cells * sizeof *hi);
  accq_plot_series_t *ser = malloc((size_t)(n + 1) * sizeof *ser);
  char(*labels)[ACCQ_NAME_MAX + 32] = malloc((size_t)(n + 1) * sizeof *labels);
  int st = ACCQ_SUCCESS, ns = 0;
  if (!x || !y || !lo || !hi || !ser || !labels) {
    st = accq_err_set(err, ACCQ_ENOMEM, "plot: out of memory");
    goto done;
  }
  for (int p = 0; p < n; p++) {
    const accq_sim_series_t *se = &series[p];
    double *px = x + (size_t)p * nmax, *py = y + (size_t)p * nmax;
    double *pl = lo + (size_t)p * nmax, *ph = hi + (size_t)p * nmax;
    for (int i = 0; i < se->nwindows; i++) {
      const accq_estimate_t e = accuracy ? se->w[i].accuracy : se->w[i].mean_response_time;
      int ok = se->w[i].nreps > 0;
      px[i] = 0.5 * (se->w[i].t0 + se->w[i].t1);
      py[i] = ok ? e.mean : NAN;
      pl[i] = ok && isfinite(e.ci95) ? e.mean - e.ci95 : py[i];
      ph[i] = ok && isfinite(e.ci95) ? e.mean + e.ci95 : py[i];
    }
    snprintf(labels[p], sizeof labels[p], "%s", names[p]);
    ser[ns++] = (accq_plot_series_t){labels[p], se->nwindows, px, py, pl, ph, ACCQ_PLOT_LINESPOINTS};
  }
  if (n > 0) {
    /* the reference line: a* or the moving bound T_LP(Lambda(t)) (of the first
     * policy's windows: every policy sees the same rate unless it is counted) */
    const accq_sim_series_t *se = &series[0];
    double *px = x + (size_t)n * nmax, *py = y + (size_t)n * nmax;
    for (int i = 0; i < se->nwindows; i++) {
      px[i] = 0.5 * (se->w[i].t0 + se->w[i].t1);
      py[i] = accuracy ? m->accuracy_target : se->w[i].t_lp;
    }
    snprintf(labels[n], sizeof labels[0], "%s", accuracy ? "a*" : "T_LP(Lambda(t))");
    ser[ns++] = (accq_plot_series_t){labels[n], se->nwindows, px, py, NULL, NULL, ACCQ_PLOT_LINES};
  }
  char title[256];
  snprintf(title, sizeof title, "%s: %s per window of %g", m->name,
           accuracy ? "accuracy" : "E[T] and the moving bound", window);
  accq_plot_t pl = {title, "time", accuracy ? "accuracy" : "E[T] (log scale)", 0, !accuracy, ns, ser};
  st = accq_gnuplot_render(&pl, path, err);
done:
  free(x);
  free(y);
  free(lo);
  free(hi);
  free(ser);
  free(labels);
  return st;
}

