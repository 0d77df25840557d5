/* The one T_LP-at-a-rate function (accq_lp_bound_at), the one "meets the target"
 * predicate and the target a policy is held to (accq/model.h, docs/policies.md),
 * on the near-tie model of issue 13: accuracies a* -+ 1e-12, where T_LP jumps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/model.h"
#include "testutil.h"

#define NEAR_TIE                                                                   \
  "[system]\nname = near-tie\nload = 0.9\naccuracy_target = 0.7\nbuffer = auto\n"  \
  "scale = 1\n[type small]\nservers = 2\nrate = 4.0\naccuracy = 0.699999999999\n"  \
  "[type large]\nservers = 1\nrate = 1.0\naccuracy = 0.700000000001\n"

static accq_model_t near_tie(void) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_msg(accq_model_parse_string(&m, NEAR_TIE, "near-tie", NULL, 0, &err) == 0, "%s",
                err.msg);
  return m;
}

START_TEST(test_predicate) {
  accq_model_t m = near_tie();
  /* a* - 1e-12 is admitted, a* - 2e-9 is not, NaN never */
  ck_assert(accq_model_meets_target(&m, 0.7 - 1e-12));
  ck_assert(accq_model_meets_target(&m, 0.7));
  ck_assert(!accq_model_meets_target(&m, 0.7 - 2e-9));
  ck_assert(!accq_model_meets_target(&m, NAN));
  /* held target: min(A - tol, a*), so a* itself only from A >= a* + tol */
  ck_assert(accq_model_target_held(&m, 0.9) == 0.7);
  ck_assert(accq_model_target_held(&m, 0.7) == 0.7 - ACCQ_ACCURACY_TOL);
  ck_assert(accq_model_target_held(&m, 0.5e-9) == 0.0);
  ck_assert(accq_model_target_held(&m, NAN) == 0.7);
}
END_TEST

START_TEST(test_bound_at_jump) {
  accq_model_t m = near_tie();
  accq_lp_result_t r;
  accq_err_t err;
  /* the model was resolved at load: Lambda = 0.9 Lambda_max(a*), Lambda_max =
   * 1 + 1 (a_l - a*)/(a* - a_s) (large at capacity 1, small spends its surplus) */
  double dl = 0.700000000001 - 0.7, ds = 0.7 - 0.699999999999;
  ck_assert(accq_model_is_resolved(&m));
  ACCQ_CK_CLOSE(m.arrival_rate, 0.9 * (1 + dl / ds), 1e-12, 0, "resolved Lambda");
  /* at a* and a low rate X = 0.5 (no capacity binds): the pair (large, small)
   * with w = ds / (dl + ds) on large, T = w / 1 + (1 - w) / 4 (hand, docs/lp.md) */
  ck_assert_int_eq(accq_lp_bound_at(&m, 0.5, NAN, &r, &err), 0);
  ck_assert_int_eq(r.status, ACCQ_LP_OPTIMAL);
  double w = ds / (dl + ds);
  ACCQ_CK_CLOSE(r.t_lp, w + (1 - w) / 4, 1e-9, 0, "T_LP(0.5) at a*");
  ck_assert(r.t_lp > 0.6);
  /* held target for a policy at a* - 1e-12: below both accuracies, so the bound
   * is the free optimum, everything on the fast type: 1/4 */
  double held = accq_model_target_held(&m, 0.7 - 1e-12);
  ck_assert_int_eq(accq_lp_bound_at(&m, 0.5, held, &r, &err), 0);
  ACCQ_CK_CLOSE(r.t_lp, 0.25, 1e-12, 0, "T_LP(0.5) at the held target");
  /* bad arguments are refused, naming the value */
  ck_assert_int_eq(accq_lp_bound_at(&m, 0, NAN, &r, &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "arrival rate 0"));
  ck_assert_int_eq(accq_lp_bound_at(&m, 0.5, 1.5, &r, &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "1.5"));
}
END_TEST

/* The false FAIL of issue 13: sed reaches a* - 1e-12, was admitted by the 1e-9
 * tolerance and compared with T_LP(a*) ~ 0.62 while its E[T] ~ 0.27; claim 1
 * must now PASS on this model (it FAILed with worst margin -0.5999 before). */
START_TEST(test_verify_claim1_near_tie) {
  const char *path = accq_tmp_file(NEAR_TIE, ".ini");
  char cmd[600];
  char *out = NULL, *err = NULL;
  snprintf(cmd, sizeof cmd, "verify '%s' --claims 1", path);
  int rc = accq_run(cmd, &out, &err);
  ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, out, err);
  ck_assert_ptr_nonnull(strstr(out, "1 PASS"));
  ck_assert_ptr_null(strstr(out, "below T_LP"));
  free(out);
  free(err);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lp_bound_at");
  TCase *tc = tcase_create("bound_at");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_predicate);
  tcase_add_test(tc, test_bound_at_jump);
  tcase_add_test(tc, test_verify_claim1_near_tie);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
