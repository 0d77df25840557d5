/* The verification engine: the M/M/1/B closed form it checks random-lp
 * against, the sweep parameter names, and accq_verify_model on a small grid,
 * including the negative test (a policy that misses a* treated as if it met
 * it must make claims 1 and 2 FAIL). */
#include <math.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/verify.h"
#include "testutil.h"
#include "verify/verify_internal.h"

static accq_model_t two_tier(void) {
  accq_model_t m;
  accq_err_t err;
  int st = accq_model_load(&m, accq_src_path("models/two-tier.ini"), NULL, 0, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "%s", err.msg);
  return m;
}

/* One server, B = 1 (M/M/1/1): L = r/(1+r), P_block = r/(1+r) (hand derivation:
 * two states, balance pi0 lam = pi1 mu); admitted rate lam/(1+r), so
 * E[T] = L/X = 1/mu.  B = 2: pi ~ (1, r, r^2): L = (r + 2r^2)/(1+r+r^2),
 * X = lam (1+r)/(1+r+r^2), E[T] = (1+2r)/(mu (1+r)). */
START_TEST(test_product_form_small_buffers) {
  accq_model_t m;
  memset(&m, 0, sizeof m);
  m.ntypes = 1;
  m.scale = 1;
  m.arrival_rate = 1.5;
  m.accuracy_target = 0.5;
  m.types[0].servers = 1;
  m.types[0].rate = 2.0;
  m.types[0].accuracy = 0.7;
  double split[1] = {1.0}, t, acc, loss;
  double r = 0.75;
  accq_i_random_lp_product_form(&m, split, 1, &t, &acc, &loss);
  ACCQ_CK_CLOSE(t, 0.5, 1e-14, 0, "M/M/1/1 E[T] = 1/mu");
  ACCQ_CK_CLOSE(loss, r / (1 + r), 1e-14, 0, "M/M/1/1 blocking r/(1+r)");
  ACCQ_CK_CLOSE(acc, 0.7, 1e-14, 0, "one type: accuracy a_1");
  accq_i_random_lp_product_form(&m, split, 2, &t, &acc, &loss);
  ACCQ_CK_CLOSE(t, (1 + 2 * r) / (2.0 * (1 + r)), 1e-14, 0, "M/M/1/2 E[T]");
  ACCQ_CK_CLOSE(loss, r * r / (1 + r + r * r), 1e-14, 0, "M/M/1/2 blocking");
  /* large B approaches M/M/1: E[T] = 1/(mu - lam) = 2 */
  accq_i_random_lp_product_form(&m, split, 400, &t, &acc, &loss);
  ACCQ_CK_CLOSE(t, 2.0, 1e-12, 0, "M/M/1/400 ~ M/M/1");
}
END_TEST

START_TEST(test_sweep_params) {
  accq_model_t m = two_tier();
  char key[128];
  accq_err_t err;
  ck_assert_int_eq(accq_sweep_param_key(&m, "lambda", key, sizeof key, &err), 0);
  ck_assert_str_eq(key, "system.arrival_rate");
  ck_assert_int_eq(accq_sweep_param_key(&m, "load", key, sizeof key, &err), 0);
  ck_assert_str_eq(key, "system.load");
  ck_assert_int_eq(accq_sweep_param_key(&m, "type.large.rate", key, sizeof key, &err), 0);
  ck_assert_str_eq(key, "type.large.rate");
  ck_assert_int_eq(accq_sweep_param_key(&m, "type.huge.rate", key, sizeof key, &err),
                   ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "no type 'huge'"));
  ck_assert_int_eq(accq_sweep_param_key(&m, "scale", key, sizeof key, &err), ACCQ_EUSAGE);
  /* load 0.5 of Lambda_max: two-tier has Lambda_max = 1.5 (large saturated at
   * x = 1 carries 2/3 of the pair's jobs: 1/(2/3)), so Lambda = 0.75 */
  accq_model_t out;
  ck_assert_int_eq(accq_sweep_apply(&m, "load", 0.5, &out, &err), 0);
  ACCQ_CK_CLOSE(out.arrival_rate, 0.75, 1e-12, 0, "Lambda at load 0.5");
  ck_assert_int_eq(accq_sweep_apply(&m, "type.small.servers", 2.5, &out, &err), ACCQ_EUSAGE);
  accq_measures_t ms;
  memset(&ms, 0, sizeof ms);
  ms.utilization[1] = 0.25;
  double v;
  ck_assert_int_eq(accq_sweep_measure(&m, &ms, "utilization.large", &v, &err), 0);
  ck_assert(v == 0.25);
  ck_assert_int_eq(accq_sweep_measure(&m, &ms, "latency", &v, &err), ACCQ_EUSAGE);
}
END_TEST

static void small_grid(accq_verify_options_t *o) {
  accq_verify_options_init(o);
  o->nloads = 1;
  o->loads[0] = 0.5;
  o->nscales = 1;
  o->scales[0] = 1;
  o->claims = 1u | 2u; /* claims 1 and 2 */
  /* claim 2's simulated sizes: one small run keeps the test short */
  o->nsim_scales = 1;
  o->sim_scales[0] = 4;
  o->sim_jobs = 20000;
}

/* On the two-tier model the two claims hold (the bound is a theorem and R-JIQ
 * and POP meet a* by construction): PASS with a non-negative margin. */
START_TEST(test_verify_two_tier_passes) {
  accq_model_t m = two_tier();
  accq_verify_options_t o;
  small_grid(&o);
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  accq_err_t err;
  ck_assert_int_eq(accq_verify_model(&m, &o, rows, &n, &err), ACCQ_SUCCESS);
  ck_assert_int_eq(n, 2);
  for (int i = 0; i < n; i++) {
    ck_assert_msg(rows[i].verdict == ACCQ_VERDICT_PASS, "claim %d: %s (%s)", rows[i].claim,
                  accq_verdict_name(rows[i].verdict), rows[i].note);
    ck_assert_int_gt(rows[i].instances, 0);
    ck_assert(rows[i].worst_margin >= -1e-9);
  }
}
END_TEST

/* The negative test: jsq does not meet a* = 0.8 on two-tier (it sends most
 * jobs to the two small servers of accuracy 0.6); treated as if it did, claim 2
 * must FAIL naming jsq, and claim 1 must FAIL because jsq's E[T] is below the
 * bound at its admitted rate. */
START_TEST(test_verify_negative) {
  accq_model_t m = two_tier();
  accq_verify_options_t o;
  small_grid(&o);
  o.fault = "claims-target=jsq";
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  accq_err_t err;
  ck_assert_int_eq(accq_verify_model(&m, &o, rows, &n, &err), ACCQ_SUCCESS);
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(rows[0].claim, 1);
  ck_assert_int_eq(rows[0].verdict, ACCQ_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "jsq"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "below T_LP(X)"));
  ck_assert(rows[0].worst_margin < 0);
  ck_assert_int_eq(rows[1].claim, 2);
  ck_assert_int_eq(rows[1].verdict, ACCQ_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(rows[1].note, "jsq misses a*"));
  ck_assert(rows[1].worst_margin < 0);
  /* a bad fault string is refused */
  o.fault = "bogus";
  ck_assert_int_eq(accq_verify_model(&m, &o, rows, &n, &err), ACCQ_EINVAL);
}
END_TEST

/* A stand-in for accq optimal: t_opt = factor * T_LP(X) with X = m Lambda (no
 * loss) without shedding, X = the least admitted rate allowed with shedding.
 * factor 1 puts t_opt on the bound (the sandwich holds: every accuracy-meeting
 * policy is above the bound at its own rate, and T_LP grows with the rate);
 * factor 0.5 puts it below the bound, which the sandwich must catch. */
static int fake_topt(const accq_model_t *m, int buffer, int shed, double min_rate,
                     double *t_opt, double *x, void *ctx, accq_err_t *err) {
  (void)buffer;
  (void)err;
  double factor = *(const double *)ctx;
  *x = shed ? min_rate : m->arrival_rate * m->scale;
  *t_opt = factor * accq_i_t_lp_at(m, *x / m->scale);
  return ACCQ_SUCCESS;
}

START_TEST(test_verify_sandwich_hook) {
  accq_model_t m = two_tier();
  accq_verify_options_t o;
  small_grid(&o);
  o.claims = 1u;
  double factor = 1.0;
  o.t_opt = fake_topt;
  o.t_opt_ctx = &factor;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  accq_err_t err;
  ck_assert_int_eq(accq_verify_model(&m, &o, rows, &n, &err), ACCQ_SUCCESS);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s", rows[0].note);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "sandwich T_LP(X) <= t_opt <= E[T]"));
  factor = 0.5;
  ck_assert_int_eq(accq_verify_model(&m, &o, rows, &n, &err), ACCQ_SUCCESS);
  ck_assert_int_eq(rows[0].verdict, ACCQ_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "t_opt"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "below T_LP(X)"));
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_product_form_small_buffers);
  tcase_add_test(tc, test_sweep_params);
  tcase_add_test(tc, test_verify_two_tier_passes);
  tcase_add_test(tc, test_verify_negative);
  tcase_add_test(tc, test_verify_sandwich_hook);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
