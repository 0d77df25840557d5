/* Progress bar on stderr (see cli.h): terminal only, after one second. */
#include "accq/clock.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static double now(void) { return accq_clock_now(); }

void accq_progress_start(accq_progress_t *p, const char *label, double total, int quiet) {
  memset(p, 0, sizeof *p);
  p->label = label ? label : "";
  p->total = total > 0 ? total : 0;
  p->enabled = !quiet && isatty(STDERR_FILENO);
  p->start = p->enabled ? now() : 0;
}

static void draw(accq_progress_t *p, double done, double t) {
  double el = t - p->start;
  if (p->total > 0) {
    double f = done / p->total;
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    enum { W = 30 };
    char bar[W + 1];
    int full = (int)(f * W);
    for (int i = 0; i < W; i++) bar[i] = i < full ? '#' : '.';
    bar[W] = '\0';
    char eta[32] = "";
    if (f > 0.01 && f < 1) snprintf(eta, sizeof eta, ", %.0fs left", el * (1 - f) / f);
    fprintf(stderr, "\r%s [%s] %3.0f%% (%.0fs%s)\033[K", p->label, bar, 100 * f, el, eta);
  } else {
    fprintf(stderr, "\r%s: %.0f done (%.0fs)\033[K", p->label, done, el);
  }
  fflush(stderr);
  p->drawn = 1;
  p->last_draw = t;
}

void accq_progress_update(accq_progress_t *p, double done) {
  if (!p->enabled) return;
  double t = now();
  if (t - p->start < 1.0) return;
  if (p->drawn && t - p->last_draw < 0.1) return;
  draw(p, done, t);
}

void accq_progress_finish(accq_progress_t *p) {
  if (p->enabled && p->drawn) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
  }
  p->enabled = 0;
  p->drawn = 0;
}
