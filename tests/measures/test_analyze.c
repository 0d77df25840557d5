/* The analysis driver: buffer = auto (docs/measures.md truncation diagnostics), given
 * buffers, the state limit, numerical failure with the best estimate. */
#include <math.h>

#include "common.h"

static const char *mm1 = "[system]\nname = mm1\narrival_rate = 1.0\naccuracy_target = 0.5\n"
                         "buffer = auto\nscale = 1\n[type only]\nservers = 1\nrate = 2.0\naccuracy = 0.9\n";

/* E[T] of M/M/1/B (Gross & Harris): L/X with P_n = rho^n / sum_{j<=B} rho^j. */
static double mm1b_et(double l, double mu, int B) {
  double rho = l / mu, z = 0, L = 0;
  for (int n = 0; n <= B; n++) z += pow(rho, n);
  for (int n = 0; n <= B; n++) L += n * pow(rho, n) / z;
  return L / (l * (1 - pow(rho, B) / z));
}

START_TEST(test_auto_mm1) {
  accq_model_t m;
  mt_model(&m, mm1);
  ck_assert_int_eq(m.buffer, 0);
  accq_policy_t *pol = mt_policy(&m, "random-lp");
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  accq_analysis_t a;
  accq_err_t err;
  int st = accq_analyze(&m, pol, &opt, &a, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  ck_assert_int_eq(a.auto_converged, 1);
  ck_assert_str_eq(a.warning, "");
  ck_assert(a.m.boundary_mass <= 1e-9);
  ck_assert(a.auto_change <= 1e-9);
  ck_assert_int_ge(a.auto_steps, 3);
  /* M/M/1/B closed form at the B chosen, rho = 1/2 */
  ACCQ_CK_CLOSE(a.m.mean_response_time, mm1b_et(1, 2, a.buffer), 1e-10, 0, "E[T] vs M/M/1/B");
  /* and the untruncated M/M/1, E[T] = 1/(mu - lambda) = 1: the truncation error
   * is about (B+1) rho^B <= (B+1) * 2e-9 relative */
  ACCQ_CK_CLOSE(a.m.mean_response_time, 1.0, (a.buffer + 1) * 4e-9, 0, "E[T] vs M/M/1");
  /* boundary mass of M/M/1/B: P_B = rho^B (1-rho)/(1-rho^{B+1}) */
  const double rB = pow(0.5, a.buffer);
  ACCQ_CK_CLOSE(a.m.boundary_mass, rB * 0.5 / (1 - rB * 0.5), 1e-9, 0, "P_B");
  ck_assert_int_eq(a.states, a.buffer + 1);
  ck_assert_int_eq(a.transitions, 2 * a.buffer);
  ck_assert(a.product_states == (uint64_t)a.buffer + 1);
  ck_assert(a.chain == NULL && a.pi == NULL);
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_given_buffer_and_keep_chain) {
  accq_model_t m;
  mt_model(&m, mm1);
  accq_policy_t *pol = mt_policy(&m, "random-lp");
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  opt.buffer = 5;
  opt.keep_chain = 1;
  accq_analysis_t a;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, NULL), 0);
  ck_assert_int_eq(a.buffer, 5);
  ck_assert_int_eq(a.auto_steps, 1);
  ACCQ_CK_CLOSE(a.m.mean_response_time, mm1b_et(1, 2, 5), 1e-12, 0, "E[T] of M/M/1/5");
  ck_assert_ptr_nonnull(a.chain);
  ck_assert_ptr_nonnull(a.pi);
  ck_assert_int_eq(a.chain->nstates, 6);
  /* the kept pi is the one measured: recompute */
  accq_measures_t again;
  ck_assert_int_eq(accq_measures_compute(a.chain, pol, a.pi, &again, NULL), 0);
  ck_assert(again.mean_response_time == a.m.mean_response_time);
  /* P_B = 1/63 > 1e-9: the truncation is flagged */
  ck_assert(strstr(a.warning, "boundary mass") != NULL);
  accq_analysis_release(&a);
  accq_analysis_release(&a); /* idempotent */
  /* the model's own buffer when opt.buffer = 0 */
  m.buffer = 3;
  opt.buffer = 0;
  opt.keep_chain = 0;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, NULL), 0);
  ck_assert_int_eq(a.buffer, 3);
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_auto_stops_at_max_buffer) {
  /* rho = 0.95: mass 1e-9 needs B ~ 350; allowing at most 12 must stop there:
   * ENOCONV (no infinite-buffer answer), verdict truncated, the best estimate
   * at B = 12 and a reason naming B, the mass and what to do. */
  accq_model_t m;
  mt_model(&m, "[system]\nname = heavy\narrival_rate = 1.9\naccuracy_target = 0.5\nbuffer = auto\n"
               "scale = 1\n[type only]\nservers = 1\nrate = 2.0\naccuracy = 0.9\n");
  accq_policy_t *pol = mt_policy(&m, "jsq");
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  opt.auto_max_buffer = 12;
  accq_analysis_t a;
  accq_err_t err;
  accq_err_clear(&err);
  /* default (compatible) mode: returns 0, the result says truncated */
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), 0);
  ck_assert_int_eq(a.status, ACCQ_ENOCONV);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_TRUNCATED);
  ck_assert(strstr(a.reason, "B=12") != NULL);
  opt.strict_auto = 1;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), ACCQ_ENOCONV);
  ck_assert_int_eq(a.auto_converged, 0);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_TRUNCATED);
  ck_assert_int_eq(a.status, ACCQ_ENOCONV);
  ck_assert_str_eq(accq_analysis_status_word(a.status, a.verdict), "truncated");
  ck_assert_int_eq(a.buffer, 12);
  ck_assert(strstr(a.warning, "B=12") != NULL);
  ck_assert_msg(strstr(err.msg, "B=12") && strstr(err.msg, "boundary mass") &&
                    strstr(err.msg, "--max-buffer") && strstr(err.msg, "--buffer") &&
                    strstr(err.msg, "simulate"),
                "message: %s", err.msg);
  ck_assert_str_eq(a.reason, err.msg);
  ck_assert(a.m.boundary_mass > 1e-9);
  ACCQ_CK_CLOSE(a.m.mean_response_time, mm1b_et(1.9, 2, 12), 1e-10, 0, "E[T] of M/M/1/12");
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_auto_unstable_and_slow_decay) {
  /* models/saturating.ini's types at load 0.9: random-lp's split saturates
   * 'medium' (x = n mu), an M/M/1 at rho = 1: with buffer = auto there is no
   * answer (EUNSTABLE, exit 4), before any chain is built. */
  accq_model_t m;
  mt_model(&m, "[system]\nname = sat\nload = 0.9\naccuracy_target = 0.7\nbuffer = auto\n"
               "scale = 1\n[type fast]\nservers = 1\nrate = 4.0\naccuracy = 0.5\n"
               "[type medium]\nservers = 1\nrate = 2.0\naccuracy = 0.8\n"
               "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.95\n");
  ck_assert_int_eq(accq_lp_model_resolve(&m, NULL), 0);
  accq_policy_t *pol = mt_policy(&m, "random-lp");
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  accq_analysis_t a;
  accq_err_t err;
  opt.strict_auto = 1;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), ACCQ_EUNSTABLE);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_REFUSED);
  ck_assert_msg(strstr(err.msg, "medium") && strstr(err.msg, "unstable"), "%s", err.msg);
  ck_assert_int_eq(a.states, 0);
  /* compatible mode: a truncated estimate (the callers compare it with a
   * simulation at the same B), the result's status says unstable, and the
   * walk stops early (the mass of a type at rho = 1 decays like 1/B) */
  opt.strict_auto = 0;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), 0);
  ck_assert_int_eq(a.status, ACCQ_EUNSTABLE);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_TRUNCATED);
  ck_assert(strstr(a.reason, "medium") != NULL);
  ck_assert_int_lt(a.buffer, 1000);
  /* one server, rho = 0.97: 1e-9 needs B ~ 700, cheap (B + 1 states): auto
   * gets there and answers the infinite-buffer question, E[T] = 1/(mu -
   * lambda) = 100/3 (M/M/1) */
  mt_model(&m, "[system]\nname = h\narrival_rate = 0.97\naccuracy_target = 0.5\nbuffer = auto\n"
               "scale = 1\n[type only]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n");
  accq_policy_free(pol);
  pol = mt_policy(&m, "jsq");
  opt.strict_auto = 1;
  opt.auto_max_buffer = 2000;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), 0);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_CONVERGED);
  ck_assert(a.buffer > 600);
  ACCQ_CK_CLOSE(a.m.mean_response_time, 100.0 / 3.0, 1e-8, 0, "E[T] of M/M/1");
  /* with at most B = 200: truncated, best estimate M/M/1/200 */
  opt.auto_max_buffer = 200;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), ACCQ_ENOCONV);
  ck_assert_int_eq(a.buffer, 200);
  ck_assert_int_eq(a.auto_converged, 0);
  ACCQ_CK_CLOSE(a.m.mean_response_time, mm1b_et(0.97, 1, 200), 1e-9, 0, "E[T] of M/M/1/200");
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_auto_stops_at_state_limit) {
  /* 3 identical servers under jsq: the state limit stops the growth; the
   * last try is the largest B that fits, C(3+B,3) <= 400 up to B = 11
   * (C(14,3) = 364, C(15,3) = 455), and the reason says why. */
  accq_model_t m;
  mt_model(&m, "[system]\nname = lim\narrival_rate = 2.7\naccuracy_target = 0.5\nbuffer = auto\n"
               "scale = 1\n[type only]\nservers = 3\nrate = 1.0\naccuracy = 0.9\n");
  accq_policy_t *pol = mt_policy(&m, "jsq");
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  opt.chain.max_states = 400;
  opt.strict_auto = 1;
  accq_analysis_t a;
  accq_err_t err;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), ACCQ_ENOCONV);
  ck_assert_int_eq(a.auto_converged, 0);
  ck_assert_int_eq(a.buffer, 11);
  ck_assert_int_eq(a.states, 364);
  ck_assert_msg(strstr(err.msg, "--max-states") && strstr(err.msg, "B=11"), "%s", err.msg);
  /* a limit below the first chain: refused with the figures */
  opt.chain.max_states = 3;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), ACCQ_ETOOBIG);
  ck_assert(strlen(err.msg) > 0);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_REFUSED);
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_no_convergence_keeps_estimate) {
  accq_model_t m;
  mt_model(&m, "[system]\nname = nc\narrival_rate = 2.4\naccuracy_target = 0.8\nbuffer = 10\n"
               "scale = 1\n[type fast]\nservers = 2\nrate = 3.0\naccuracy = 0.6\n"
               "[type slow]\nservers = 2\nrate = 1.0\naccuracy = 0.95\n");
  accq_policy_t *pol = mt_policy(&m, "pop");
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  opt.solver.solver = ACCQ_SOLVER_POWER;
  opt.solver.max_iter = 3;
  accq_analysis_t a;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, &err), ACCQ_ENOCONV);
  ck_assert(strlen(err.msg) > 0);
  ck_assert(a.solver.residual > 1e-12);
  ck_assert(isfinite(a.m.mean_response_time) && a.m.mean_response_time > 0);
  ck_assert_int_eq(a.buffer, 10);
  ck_assert(a.states > 0);
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_explicit_and_load_mode) {
  /* load mode: Lambda = load * Lambda_max(a*) is resolved by the driver;
   * fast 2 x 3.0 (a 0.6), slow 1 x 1.0 (a 0.95), a* = 0.8: the pair puts
   * w = 4/7 on slow, so Lambda_max = 1 / (4/7) = 1.75 and load 0.5 gives 0.875. */
  accq_model_t m;
  mt_model(&m, "[system]\nname = ld\nload = 0.5\naccuracy_target = 0.8\nbuffer = 4\n"
               "scale = 1\n[type fast]\nservers = 2\nrate = 3.0\naccuracy = 0.6\n"
               "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.95\n");
  accq_model_t r = m;
  ck_assert_int_eq(accq_lp_model_resolve(&r, NULL), 0);
  accq_policy_t *pol = mt_policy(&r, "jfiq");
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  accq_analysis_t a, e;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &a, NULL), 0);
  ACCQ_CK_CLOSE(a.m.lambda, 0.875, 1e-12, 0, "resolved Lambda");
  opt.explicit_chain = 1;
  opt.solver.tol = 1e-14;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &e, NULL), 0);
  ck_assert(e.states > a.states);
  ACCQ_CK_CLOSE(e.m.mean_response_time, a.m.mean_response_time, 1e-9, 0, "explicit vs lumped");
  accq_policy_free(pol);
}
END_TEST

int main(void) {
  Suite *s = suite_create("measures-analyze");
  TCase *tc = tcase_create("analyze");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_auto_mm1);
  tcase_add_test(tc, test_given_buffer_and_keep_chain);
  tcase_add_test(tc, test_auto_stops_at_max_buffer);
  tcase_add_test(tc, test_auto_unstable_and_slow_decay);
  tcase_add_test(tc, test_auto_stops_at_state_limit);
  tcase_add_test(tc, test_no_convergence_keeps_estimate);
  tcase_add_test(tc, test_explicit_and_load_mode);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
