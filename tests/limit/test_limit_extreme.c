/* The mean-field limit on rates many orders apart: a time limit instead of a
 * run with no end, and a residual measured type by type so that a slow type's
 * error cannot hide under the fast type's rate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/limit.h"
#include "accq/lp.h"
#include "testutil.h"

static const char *two_types(double load, double target, int servers, double fast, double slow) {
  static char buf[512];
  snprintf(buf, sizeof buf,
           "[system]\nname = extreme\nload = %.17g\naccuracy_target = %.17g\n"
           "[type fast]\nservers = %d\nrate = %.17g\naccuracy = 0.6\n"
           "[type slow]\nservers = %d\nrate = %.17g\naccuracy = 0.95\n",
           load, target, servers, fast, servers, slow);
  return buf;
}

static void load_text(accq_model_t *m, const char *text) {
  accq_err_t e;
  ck_assert_msg(accq_model_parse_string(m, text, "test", NULL, 0, &e) == 0, "model: %s", e.msg);
  ck_assert_msg(accq_lp_model_resolve(m, &e) == 0, "resolve: %s", e.msg);
}

static double t_lp_of(const accq_model_t *m) {
  accq_lp_problem_t p;
  accq_lp_result_t r;
  accq_err_t e;
  ck_assert(accq_lp_problem_from_model(&p, m, 0.0) == 0);
  ck_assert_msg(accq_lp_solve(&p, &r, &e) == 0, "lp: %s", e.msg);
  ck_assert_int_eq(r.status, ACCQ_LP_OPTIMAL);
  return r.t_lp;
}

/* Rates 1 and 1e-5, load 0.5: below its first breakpoint R-JIQ's limit sends
 * every job to an idle server of the type the LP split names, so its E[T] is
 * sum_k x_k / mu_k / Lambda = T_LP exactly (claim 3, docs/limit.md).  With the
 * residual taken against the total rate this came out 4.67e-10 below T_LP
 * (residual 2.3e-15 of the total, an error 4.7e-10 in the slow occupancy): the
 * per-type residual must bring it to rounding, never below the bound. */
START_TEST(rjiq_equals_t_lp_at_rate_ratio_1e5) {
  const double loads[] = {0.5, 0.9, 0.99};
  const char *pols[] = {"rjiq", "pop"};
  for (int i = 0; i < 3; i++)
    for (int p = 0; p < 2; p++) {
      accq_model_t m;
      load_text(&m, two_types(loads[i], 0.7, 1, 1.0, 1e-5));
      double t_lp = t_lp_of(&m);
      accq_limit_t *w = NULL;
      accq_err_t e;
      ck_assert_msg(accq_limit_alloc(&w, &m, pols[p], NULL, &e) == 0, "alloc: %s", e.msg);
      int st = accq_limit_solve(w, &e);
      const accq_limit_result_t *r = accq_limit_result(w);
      if (st == 0) {
        ck_assert_msg(r->residual <= 1e-12, "%s load %g: residual %g", pols[p], loads[i],
                      r->residual);
        /* the stated error must cover the distance to the exact value */
        double tol = fmax(r->et_error, 4 * 2.2e-16 * t_lp);
        ck_assert_msg(fabs(r->et - t_lp) <= tol,
                      "%s load %g: E[T] %.17g vs T_LP %.17g (stated error %g)", pols[p],
                      loads[i], r->et, t_lp, r->et_error);
      } else {
        /* a refusal is allowed, a wrong number is not */
        ck_assert_msg(st == ACCQ_ENOCONV && isnan(r->et), "%s load %g: status %d, E[T] %g",
                      pols[p], loads[i], st, r->et);
      }
      accq_limit_free(w);
    }
}
END_TEST

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* 1000 servers per type with rates 1e6 and 1e-3 at load 0.99: rkf45's step is
 * ~1e-6 while the slow type relaxes over ~1e3, so the ODE alone needs ~1e9+
 * steps (it ran with no output and no end before).  With max_seconds = 1 the
 * (a* = 0.6: no accuracy constraint, the fast type carries the load; jsq and
 * jiq ran with no end, rjiq and sed solve at once) solve must stop in about that time with ACCQ_ENOCONV, say why and give no
 * number. */
START_TEST(time_limit_stops_a_stiff_ode) {
  accq_model_t m;
  load_text(&m, two_types(0.99, 0.6, 1000, 1e6, 1e-3));
  const char *pols[] = {"jiq", "jsq"};
  for (int p = 0; p < 2; p++) {
    accq_limit_options_t opt;
    accq_limit_options_init(&opt);
    ck_assert(opt.max_seconds == 60);
    opt.max_seconds = 1;
    accq_limit_t *w = NULL;
    accq_err_t e;
    ck_assert_msg(accq_limit_alloc(&w, &m, pols[p], &opt, &e) == 0, "alloc: %s", e.msg);
    double t0 = now();
    int st = accq_limit_solve(w, &e);
    double sec = now() - t0;
    const accq_limit_result_t *r = accq_limit_result(w);
    ck_assert_msg(st == ACCQ_ENOCONV, "%s: status %d (%s)", pols[p], st, e.msg);
    ck_assert_msg(strstr(e.msg, "time limit") && strstr(e.msg, "residual"), "%s: %s", pols[p],
                  e.msg);
    ck_assert_msg(isnan(r->et) && isnan(r->gap) && r->status == ACCQ_ENOCONV, "%s", pols[p]);
    /* one chunk of the driver (20000 steps) past the limit at most; generous
     * for a loaded machine */
    ck_assert_msg(sec < 30, "%s: %g s with a 1 s limit", pols[p], sec);
    accq_limit_free(w);
  }
}
END_TEST

START_TEST(bad_time_limit_refused) {
  accq_model_t m;
  load_text(&m, two_types(0.5, 0.7, 1, 1.0, 0.5));
  accq_limit_options_t opt;
  accq_limit_options_init(&opt);
  opt.max_seconds = 0;
  accq_limit_t *w = NULL;
  accq_err_t e;
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "jsq", &opt, &e), ACCQ_EINVAL);
  ck_assert_msg(strstr(e.msg, "max_seconds"), "%s", e.msg);
}
END_TEST

/* The command line: --time-limit, exit 3 and the reason on stderr. */
START_TEST(cli_time_limit_exit_3) {
  const char *path = accq_tmp_file(two_types(0.99, 0.6, 1000, 1e6, 1e-3), ".ini");
  char args[1400];
  snprintf(args, sizeof args, "limit %s -p jsq -q --time-limit 1 --format json", path);
  char *out = NULL, *err = NULL;
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 3, "exit %d, stderr: %s", rc, err);
  ck_assert_msg(strstr(err, "time limit of 1 s"), "stderr: %s", err);
  ck_assert_msg(strstr(out, "\"not_converged\""), "stdout: %s", out);
  free(out);
  free(err);
  snprintf(args, sizeof args, "limit %s -p jsq -q --time-limit 0", path);
  rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 2, "--time-limit 0: exit %d, stderr: %s", rc, err);
  free(out);
  free(err);
}
END_TEST

int main(void) {
  Suite *s = suite_create("limit_extreme");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, rjiq_equals_t_lp_at_rate_ratio_1e5);
  tcase_add_test(tc, time_limit_stops_a_stiff_ode);
  tcase_add_test(tc, bad_time_limit_refused);
  tcase_add_test(tc, cli_time_limit_exit_3);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
