/* verify's t_opt hook (the default accq_verify_options_t.t_opt) on the shedding
 * LP where GLPK's simplex stalls: llm-three-tier at load 0.30 (Lambda =
 * 1.6269230769230778 per unit scale), m = 2, B = 2, 540 lumped states, the
 * class of rjiq at its own admitted rate.  There the simplex took over 8,000
 * degenerate pivots and 10 CPU seconds without an end (the instance that made
 * claim 1 PARTIAL at m = 2); the hook falls back to the interior point after
 * 3 s.  Checked: the hook answers, and its t_opt sits in the sandwich of
 * proofs/optimal-policy.md statement 5, T_LP(X_opt) <= t_opt <= E[T] of rjiq
 * (rjiq is a rule of the class, so the upper side is a theorem; its E[T] from
 * the chain engine), to verify's tolerance 1e-6. */
#include <math.h>
#include <stdio.h>

#include "accq/accq.h"
#include "accq/verify.h"
#include "testutil.h"

START_TEST(test_topt_hook_stalled_shedding_lp) {
  accq_model_t m;
  accq_err_t err;
  const char *sets[] = {"system.arrival_rate=1.6269230769230778", "system.scale=2"};
  int st = accq_model_load(&m, ACCQ_SOURCE_DIR "/models/llm-three-tier.ini", sets, 2, &err);
  ck_assert_msg(st == 0, "model: %s", err.msg);
  const int B = 2;
  accq_policy_t *pol = NULL;
  st = accq_policy_alloc(&pol, "rjiq", &m, NULL, &err);
  ck_assert_msg(st == 0, "rjiq: %s", err.msg);
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = B;
  accq_analysis_t a;
  st = accq_analyze(&m, pol, &ao, &a, &err);
  accq_policy_free(pol);
  ck_assert_msg(st == 0, "rjiq chain: %s", err.msg);
  ck_assert_msg(a.m.accuracy >= m.accuracy_target, "rjiq accuracy %.17g below a*", a.m.accuracy);
  const double X = a.m.throughput_total, E = a.m.mean_response_time;
  /* the instance verify asked for: rjiq's rate less 1e-9 relative */
  ck_assert_msg(fabs(X * (1 - 1e-9) - 3.2376364310309799) < 1e-9, "rjiq's X %.17g moved", X);
  accq_verify_options_t vo;
  accq_verify_options_init(&vo);
  ck_assert_ptr_nonnull(vo.t_opt);
  double t = NAN, xo = NAN;
  st = vo.t_opt(&m, B, 1, X * (1 - 1e-9), &t, &xo, vo.t_opt_ctx, &err);
  ck_assert_msg(st == 0, "hook: %s", err.msg);
  accq_lp_result_t r;
  st = accq_lp_bound_at(&m, xo / m.scale, NAN, &r, &err);
  ck_assert_msg(st == 0 && r.status == ACCQ_LP_OPTIMAL, "T_LP at %g: %s", xo, err.msg);
  ck_assert_msg(xo >= X * (1 - 1e-9) * (1 - 1e-9), "t_opt's rate %.17g below the floor", xo);
  ck_assert_msg(r.t_lp <= t * (1 + 1e-6), "T_LP(X) %.17g > t_opt %.17g", r.t_lp, t);
  ck_assert_msg(t <= E * (1 + 1e-6), "t_opt %.17g > E[T] of rjiq %.17g", t, E);
}
END_TEST

int main(void) {
  Suite *s = suite_create("topt_fallback");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_topt_hook_stalled_shedding_lp);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
