/* issue 11: on tests/models/three-8-4-2.ini (14 servers, 8/4/2, R-JIQ gives
 * 'many' a zero share) every E[T] that `accq solve` prints must agree with a
 * long simulation of the same system within the simulation's 95% interval.
 * rjiq is answered for infinite buffers (product form); pop's joint chain is
 * compared as the finite-buffer system B = 5 it is exact for (the simulator
 * mirrors the buffer).  Fixed seed: deterministic.  Label nosan (slow). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static json_t *run(const char *args, int want_rc) {
  char *out = NULL, *err = NULL;
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == want_rc, "accq %s: exit %d (want %d); stderr: %s", args, rc, want_rc, err);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "accq %s: not JSON: %s", args, out);
  free(out);
  free(err);
  return j;
}

static json_t *result(json_t *j, const char *policy) {
  json_t *res = json_object_get(j, "results");
  for (size_t i = 0; i < json_array_size(res); i++) {
    json_t *r = json_array_get(res, i);
    if (!strcmp(json_string_value(json_object_get(r, "policy")), policy)) return r;
  }
  ck_abort_msg("no result for %s", policy);
  return NULL;
}

static void compare(const char *solve_args, int solve_rc, const char *sim_args,
                    const char *policy) {
  char args[4096];
  const char *model = accq_src_path("tests/models/three-8-4-2.ini");
  snprintf(args, sizeof args, "solve '%s' %s --format json", model, solve_args);
  json_t *s = run(args, solve_rc);
  json_t *r = result(s, policy);
  ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "ok");
  double exact = json_number_value(json_object_get(r, "mean_response_time"));
  double acc = json_number_value(json_object_get(r, "accuracy"));
  snprintf(args, sizeof args,
           "simulate '%s' -p %s %s --jobs 2e6 --warmup 2e5 --seed 11 --format json -q", model,
           policy, sim_args);
  json_t *m = run(args, 0);
  json_t *e = json_object_get(result(m, policy), "mean_response_time");
  double mean = json_number_value(json_object_get(e, "mean"));
  double ci = json_number_value(json_object_get(e, "ci95"));
  ck_assert_msg(fabs(mean - exact) <= ci, "%s: exact E[T] %.10g, simulation %.10g +- %.3g", policy,
                exact, mean, ci);
  ck_assert(ci < 0.01 * exact); /* the interval is tight enough to mean something */
  json_t *a = json_object_get(result(m, policy), "accuracy");
  ck_assert_msg(fabs(json_number_value(json_object_get(a, "mean")) - acc) <=
                    json_number_value(json_object_get(a, "ci95")),
                "%s: accuracy %.10g vs simulation", policy, acc);
  json_decref(s);
  json_decref(m);
}

START_TEST(test_rjiq_infinite_buffers) {
  /* exact 1.2910183 (product form, B_k = 14 and 69); pop's joint chain
   * converges too (B = 9, 6,488,625 reachable states counted before building,
   * where the product bound 2.9e8 at B = 8 used to stop it): exit 0 */
  compare("-p rjiq,pop", 0, "", "rjiq");
}
END_TEST

START_TEST(test_pop_finite_buffer) { compare("-p pop --buffer 5", 0, "--buffer 5", "pop"); }
END_TEST

int main(void) {
  Suite *s = suite_create("solve-sim");
  TCase *tc = tcase_create("solve-sim");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, test_rjiq_infinite_buffers);
  tcase_add_test(tc, test_pop_finite_buffer);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
