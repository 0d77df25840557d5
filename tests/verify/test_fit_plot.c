/* The log-log fit behind `accq converge` and the gnuplot adapter behind --plot. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/verify.h"
#include "ext/gnuplot.h"
#include "testutil.h"

/* y = 3 x^-0.5 exactly: the fit must return slope -0.5 and intercept log 3
 * (closed form), r^2 = 1 (no residual). */
START_TEST(test_fit_exact_power_law) {
  double x[] = {1, 2, 4, 8, 16, 32}, y[6];
  for (int i = 0; i < 6; i++) y[i] = 3.0 * pow(x[i], -0.5);
  accq_fit_t f;
  ck_assert_int_eq(accq_fit_loglog(x, y, 6, &f, NULL), ACCQ_SUCCESS);
  ck_assert_int_eq(f.n, 6);
  ACCQ_CK_CLOSE(f.slope, -0.5, 1e-12, 1e-13, "slope of 3 x^-0.5");
  ACCQ_CK_CLOSE(f.intercept, log(3.0), 1e-12, 1e-13, "intercept log 3");
  ACCQ_CK_CLOSE(f.r2, 1.0, 0, 1e-12, "r^2 of an exact power law");
  ACCQ_CK_CLOSE(f.slope_se, 0.0, 0, 1e-7, "no residual, no slope error");
}
END_TEST

/* Points with y <= 0 (a gap that the simulator estimates below 0) or NaN are
 * skipped; the slope of the others is unchanged.  Hand check: the two
 * remaining points (1, 1) and (4, 1/4) give slope log(1/4)/log 4 = -1. */
START_TEST(test_fit_skips_nonpositive) {
  double x[] = {1, 2, 4, 8}, y[] = {1, -0.01, 0.25, NAN};
  accq_fit_t f;
  ck_assert_int_eq(accq_fit_loglog(x, y, 4, &f, NULL), ACCQ_SUCCESS);
  ck_assert_int_eq(f.n, 2);
  ACCQ_CK_CLOSE(f.slope, -1.0, 1e-12, 1e-13, "slope of the two positive points");
  ck_assert(isnan(f.slope_se)); /* undefined with two points */
  accq_err_t err;
  accq_err_clear(&err);
  double y1[] = {1, -1, -1, -1};
  ck_assert_int_eq(accq_fit_loglog(x, y1, 4, &f, &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "1 usable point"));
}
END_TEST

/* Noisy data: the standard error is positive and the true slope (-1) lies
 * within 4 standard errors (data y = x^-1 (1 + 0.05 e_i), fixed signs e_i). */
START_TEST(test_fit_noisy) {
  double x[8], y[8];
  const double e[8] = {1, -1, 0.5, -0.5, 1, -1, 0.3, -0.3};
  for (int i = 0; i < 8; i++) {
    x[i] = pow(2, i);
    y[i] = (1 + 0.05 * e[i]) / x[i];
  }
  accq_fit_t f;
  ck_assert_int_eq(accq_fit_loglog(x, y, 8, &f, NULL), ACCQ_SUCCESS);
  ck_assert(f.slope_se > 0);
  ck_assert(fabs(f.slope + 1.0) < 4 * f.slope_se);
  ck_assert(f.r2 > 0.99 && f.r2 < 1.0);
}
END_TEST

static accq_plot_t sample_plot(accq_plot_series_t *s, double *x, double *y, double *b) {
  for (int i = 0; i < 5; i++) {
    x[i] = 0.1 + 0.2 * i;
    y[i] = 1.0 / (1.0 - x[i]);
    b[i] = 1.0;
  }
  s[0] = (accq_plot_series_t){"E[T] pop", 5, x, y, NULL, NULL, ACCQ_PLOT_LINESPOINTS};
  s[1] = (accq_plot_series_t){"T_LP (bound)", 5, x, b, NULL, NULL, ACCQ_PLOT_LINES};
  return (accq_plot_t){"it's a test", "load", "mean response time", 0, 0, 2, s};
}

/* With gnuplot present a PNG appears (magic bytes \x89PNG\r\n\x1a\n) and no
 * temporary file is left next to it. */
START_TEST(test_plot_png) {
  char gp[4096];
  if (!accq_gnuplot_find(gp, sizeof gp)) {
    fprintf(stderr, "test_plot_png: gnuplot not on PATH, PNG check not run\n");
    return;
  }
  char dir[] = "/tmp/accq-plot-test-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/fig.png", dir);
  accq_plot_series_t s[2];
  double x[5], y[5], b[5];
  accq_plot_t p = sample_plot(s, x, y, b);
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_gnuplot_render(&p, path, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "render: %s", err.msg);
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  unsigned char magic[8] = {0};
  ck_assert_int_eq((int)fread(magic, 1, 8, f), 8);
  fclose(f);
  ck_assert_int_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", 8), 0);
  /* readable like any file the user writes (0666 & ~umask), not mkstemp's 0600 */
  struct stat sb;
  ck_assert_int_eq(stat(path, &sb), 0);
  mode_t mask = umask(0);
  umask(mask);
  ck_assert_int_eq((int)(sb.st_mode & 0777), (int)(0666 & ~mask));
  /* SVG and PDF by extension */
  snprintf(path, sizeof path, "%s/fig.svg", dir);
  ck_assert_int_eq(accq_gnuplot_render(&p, path, &err), ACCQ_SUCCESS);
  snprintf(path, sizeof path, "%s/fig.pdf", dir);
  ck_assert_int_eq(accq_gnuplot_render(&p, path, &err), ACCQ_SUCCESS);
  f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq((int)fread(magic, 1, 4, f), 4);
  fclose(f);
  ck_assert_int_eq(memcmp(magic, "%PDF", 4), 0);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 3", dir);
  ck_assert_int_eq(system(cmd), 0); /* fig.png fig.svg fig.pdf, no leftovers */
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* Without gnuplot (PATH emptied): a clear message naming the package, and the
 * target file untouched. */
START_TEST(test_plot_no_gnuplot) {
  char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
  unsetenv("ACCQ_GNUPLOT");
  setenv("PATH", "/nonexistent-accq", 1);
  char gp[256];
  ck_assert_int_eq(accq_gnuplot_find(gp, sizeof gp), 0);
  accq_plot_series_t s[2];
  double x[5], y[5], b[5];
  accq_plot_t p = sample_plot(s, x, y, b);
  accq_err_t err;
  accq_err_clear(&err);
  const char *path = accq_tmp_file("keep me", ".png");
  ck_assert_int_eq(accq_gnuplot_render(&p, path, &err), ACCQ_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "gnuplot was not found"));
  ck_assert_ptr_nonnull(strstr(err.msg, "gnuplot-nox"));
  FILE *f = fopen(path, "r");
  char buf[16] = {0};
  ck_assert_int_eq((int)fread(buf, 1, sizeof buf - 1, f), 7);
  fclose(f);
  ck_assert_str_eq(buf, "keep me");
  unlink(path);
  if (old) setenv("PATH", old, 1);
  free(old);
  /* an unknown extension is a usage error */
  ck_assert_int_eq(accq_gnuplot_render(&p, "/tmp/x.gif", &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, ".png, .svg or .pdf"));
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify-fit-plot");
  TCase *tc = tcase_create("fit");
  tcase_add_test(tc, test_fit_exact_power_law);
  tcase_add_test(tc, test_fit_skips_nonpositive);
  tcase_add_test(tc, test_fit_noisy);
  suite_add_tcase(s, tc);
  TCase *tp = tcase_create("plot");
  tcase_set_timeout(tp, 60);
  tcase_add_test(tp, test_plot_png);
  tcase_add_test(tp, test_plot_no_gnuplot);
  suite_add_tcase(s, tp);
  return accq_run_suite(s);
}
