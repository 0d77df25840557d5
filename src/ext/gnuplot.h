/* Adapter for gnuplot (an external program, not a library): plots written to
 * PNG, SVG or PDF by extension.  Internal to accq (never installed). */
#ifndef ACCQ_EXT_GNUPLOT_H
#define ACCQ_EXT_GNUPLOT_H

#include <stddef.h>

#include "accq/status.h"

typedef enum {
  ACCQ_PLOT_LINESPOINTS = 0,
  ACCQ_PLOT_LINES,          /* a curve (e.g. the LP bound) */
  ACCQ_PLOT_POINTS
} accq_plot_style_t;

typedef struct {
  const char *title;        /* legend entry */
  int n;
  const double *x, *y;
  const double *ylo, *yhi;  /* optional error bars (both or neither; NULL) */
  accq_plot_style_t style;
} accq_plot_series_t;

typedef struct {
  const char *title;        /* NULL: none */
  const char *xlabel, *ylabel;
  int logx, logy;           /* log-scaled axes */
  int nseries;
  const accq_plot_series_t *series;
} accq_plot_t;

/* Looks for an executable `gnuplot` on PATH (the environment variable
 * ACCQ_GNUPLOT, when set, names it instead).  Returns 1 and fills path when
 * found, 0 otherwise.  Cost: one stat per PATH entry. */
int accq_gnuplot_find(char *path, size_t size);

/* Renders `plot` to out_path; the terminal follows the extension (.png, .svg,
 * .pdf).  Written atomically: gnuplot draws into a temporary file in the same
 * directory, which is renamed over out_path only when gnuplot succeeded.
 * Errors: ACCQ_EUSAGE for an unknown extension, ACCQ_EIO when gnuplot is not
 * found (the message says how to install it) or fails (its stderr is quoted),
 * or the file cannot be written.  Points with non-finite coordinates (or
 * non-positive ones on a log axis) are left out. */
int accq_gnuplot_render(const accq_plot_t *plot, const char *out_path, accq_err_t *err);

#endif
