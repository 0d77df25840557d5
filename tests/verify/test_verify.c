/* The verification engine: the M/M/1/B closed form it checks random-lp
 * against, the sweep parameter names, and accq_verify_model on small grids:
 * the negative tests (a policy that misses a* treated as if it met it must make
 * claims 1 and 2 FAIL, also when it misses by less than 1e-4 and on a finite
 * buffer), issue 18's two counterexamples (which must PASS), claim 1 where T_LP
 * varies with the rate (admitted, not offered), claims 3 and 4 on a small run,
 * and the verdict rules (SKIPPED when nothing is checked, never PASS with a
 * negative margin). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/grid.h"
#include "accq/limit.h"
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
  ck_assert_int_eq(accq_sweep_param_key(&m, "speed", key, sizeof key, &err), ACCQ_EUSAGE);
  /* scale is a sweep parameter as for lp --vary (issue 13): tests/grid/test_grid */
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

/* Number after `key` in a note ("..., 6 policy comparison(s)"): the first
 * integer before the text `what`. */
static int count_before(const char *note, const char *what) {
  const char *p = strstr(note, what);
  if (!p) return -1;
  while (p > note && p[-1] == ' ') p--;
  const char *q = p;
  while (q > note && q[-1] >= '0' && q[-1] <= '9') q--;
  return q < p ? atoi(q) : -1;
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
  /* the policies that meet a* at the sandwich's B were compared */
  ck_assert_int_gt(count_before(rows[0].note, "policy comparison(s)"), 0);
  ck_assert(rows[0].worst_margin >= 0);
  factor = 0.5;
  ck_assert_int_eq(accq_verify_model(&m, &o, rows, &n, &err), ACCQ_SUCCESS);
  ck_assert_int_eq(rows[0].verdict, ACCQ_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "t_opt"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "below T_LP(X)"));
}
END_TEST


static accq_model_t model_text(const char *text) {
  accq_model_t m;
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_model_parse_string(&m, text, "<test>", NULL, 0, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "%s", err.msg);
  return m;
}

/* A grid of exact chains only: one load, m = 1, no simulation, no optimum. */
static void exact_grid(accq_verify_options_t *o, double load, unsigned claims) {
  accq_verify_options_init(o);
  o->nloads = 1;
  o->loads[0] = load;
  o->nscales = 1;
  o->scales[0] = 1;
  o->nsim_scales = 0;
  o->claims = claims;
  o->t_opt = NULL;
}

static void run_verify(const accq_model_t *m, const accq_verify_options_t *o,
                       accq_claim_row_t *rows, int *n) {
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_verify_model(m, o, rows, n, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "verify: %s", err.msg);
}

/* issue 18, the finite-buffer bound: slow (1 server, mu 1, a 1.0) + fast (10
 * servers, mu 4, a 0.7), a* 0.75, Lambda 5.4 (load 0.9 of Lambda_max = 6, when
 * slow saturates at w = 1/6), B = 2.  R-JIQ's accuracy 0.736893 (hand-solved
 * in tests/measures/test_accuracy.c) is below the bound with the largest
 * shortfall (0.747379: the old check FAILed) and meets the bound with the
 * largest surplus: claim 2 PASSes through its finite-buffer branch. */
static const char *surplus_text =
    "[system]\nname = surplus\narrival_rate = 5.4\naccuracy_target = 0.75\nbuffer = auto\n"
    "scale = 1\n[type slow]\nservers = 1\nrate = 1.0\naccuracy = 1.0\n"
    "[type fast]\nservers = 10\nrate = 4.0\naccuracy = 0.7\n";

START_TEST(test_claim2_surplus_counterexample) {
  accq_model_t m = model_text(surplus_text);
  accq_verify_options_t o;
  exact_grid(&o, 0.9, 2u);
  o.max_buffer = 2;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(n, 1);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s: %s", accq_verdict_name(rows[0].verdict),
                rows[0].note);
  ck_assert_int_eq(rows[0].instances, 2); /* rjiq and pop, both finite-buffer */
  ck_assert_ptr_nonnull(strstr(rows[0].note, "2 finite-buffer chain(s)"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "d = 0.25"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "rjiq load 0.90 m=1 B=2"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "accuracy 0.736893"));
  /* the margin is the distance to the surplus bound plus 1e-9: tight here */
  ck_assert(rows[0].worst_margin >= 0 && rows[0].worst_margin < 1e-6);
}
END_TEST

/* The finite-buffer branch must also FAIL: jsq on two-tier at B = 2 sends most
 * jobs to the inaccurate small servers; treated as meeting a*, its accuracy is
 * far below a* - d P_loss/(1 - P_loss). */
START_TEST(test_claim2_finite_buffer_negative) {
  accq_model_t m = two_tier();
  accq_verify_options_t o;
  exact_grid(&o, 0.85, 2u);
  o.max_buffer = 2;
  o.fault = "claims-target=jsq";
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(rows[0].verdict, ACCQ_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "jsq at load 0.85 m=1 B=2"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "below the finite-buffer bound"));
  ck_assert(strstr(rows[0].note, "rjiq at load") == NULL); /* rjiq and pop meet the bound */
  ck_assert(strstr(rows[0].note, "pop at load") == NULL);
  ck_assert(rows[0].worst_margin < 0);
}
END_TEST

/* A claim-2 negative that misses a* by 5e-5: two types of equal speed (mu 1),
 * one server each, accuracies 0.6 and 0.9, a* = 0.75005.  jiq treats the two
 * servers symmetrically (same rate, same rule), so by symmetry its accuracy is
 * exactly (0.6 + 0.9)/2 = 0.75 at every load and buffer: 5e-5 below a*.  Treated
 * as meeting a*, claim 2 must FAIL on jiq alone (rjiq and pop meet a*). */
START_TEST(test_claim2_negative_small_miss) {
  accq_model_t m = model_text(
      "[system]\nname = sym\nload = 0.5\naccuracy_target = 0.75005\nbuffer = auto\nscale = 1\n"
      "[type lo]\nservers = 1\nrate = 1.0\naccuracy = 0.6\n"
      "[type hi]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n");
  accq_verify_options_t o;
  exact_grid(&o, 0.5, 2u);
  o.fault = "claims-target=jiq";
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(rows[0].verdict, ACCQ_VERDICT_FAIL);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "jiq misses a* at load 0.50 m=1"));
  ck_assert(strstr(rows[0].note, "rjiq misses") == NULL);
  ck_assert(strstr(rows[0].note, "pop misses") == NULL);
  /* margin = accuracy - a* + 1e-9 = -5e-5 + 1e-9 */
  ACCQ_CK_CLOSE(rows[0].worst_margin, -5e-5 + 1e-9, 1e-6, 0, "claim 2 margin of jiq");
  ck_assert_ptr_nonnull(strstr(rows[0].evidence, "jiq (fault"));
  /* without the fault the row PASSes */
  o.fault = NULL;
  run_verify(&m, &o, rows, &n);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s", rows[0].note);
}
END_TEST

/* issue 18, claim 4: two types (mu 0.553, a 0.608; mu 7.301, a 0.603),
 * a* = 0.605, load 0.208.  At m = 1 POP's E[T] 1.01885 is above random-lp's
 * 0.99746 (no ordering is claimed: information, not FAIL); its gap at m = 64 is
 * a fraction of a percent, so the row PASSes. */
START_TEST(test_claim4_random_lp_counterexample) {
  accq_model_t m = model_text(
      "[system]\nname = popslow\nload = 0.208\naccuracy_target = 0.605\nbuffer = auto\n"
      "scale = 1\n[type a]\nservers = 1\nrate = 0.553\naccuracy = 0.608\n"
      "[type b]\nservers = 1\nrate = 7.301\naccuracy = 0.603\n");
  accq_verify_options_t o;
  exact_grid(&o, 0.208, 8u);
  o.nsim_scales = 1;
  o.sim_scales[0] = 64;
  o.sim_jobs = 20000;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(n, 1);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s: %s",
                accq_verdict_name(rows[0].verdict), rows[0].note);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "information: at load 0.21 m=1 POP's E[T] 1.01885"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "random-lp's 0.99746"));
  /* random-lp's figure from the M/M/1 closed form: w = (0.605 - 0.603)/(0.608 -
   * 0.603) = 0.4 on type a; Lambda_max = 0.553/0.4; E[T] = sum_k p_k/(mu_k - p_k
   * Lambda) */
  double lam = 0.208 * 0.553 / 0.4;
  double t = 0.4 / (0.553 - 0.4 * lam) + 0.6 / (7.301 - 0.6 * lam);
  ACCQ_CK_CLOSE(t, 0.99746166, 0, 5e-9, "random-lp E[T], M/M/1 closed form");
}
END_TEST

/* Claim 1 must use the admitted rate X: saturating.ini at load 0.95 with B = 1
 * (T_LP grows with the rate past the first breakpoint).  jsq, treated as
 * meeting a*, loses 24% of the jobs; its E[T] 0.4767 lies between T_LP(X) =
 * 0.4487 and T_LP(Lambda) = 0.4831, so the claim holds at the admitted rate and
 * would FAIL at the offered one. */
START_TEST(test_claim1_admitted_rate) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_load(&m, accq_src_path("models/saturating.ini"), NULL, 0, &err), 0);
  accq_verify_options_t o;
  exact_grid(&o, 0.95, 1u);
  o.max_buffer = 1;
  o.fault = "claims-target=jsq";
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s: %s",
                accq_verdict_name(rows[0].verdict), rows[0].note);
  /* the bound at jsq's admitted and offered rates, computed here */
  accq_model_t mm;
  ck_assert_int_eq(accq_i_model_at(&m, 0.95, 1, &mm, &err), 0);
  accq_analysis_t an;
  ck_assert_int_eq(accq_i_chain(&mm, "jsq", 1, 0, 100000, 0, ACCQ_SOLVER_AUTO, 1e-14, &an, &err), 0);
  double tx = accq_i_t_lp_at(&mm, an.m.throughput_total);
  double tl = accq_i_t_lp_at(&mm, mm.arrival_rate);
  ck_assert_msg(tx <= an.m.mean_response_time && an.m.mean_response_time < tl,
                "T_LP(X) %.10g, E[T] %.10g, T_LP(Lambda) %.10g", tx, an.m.mean_response_time, tl);
  ACCQ_CK_CLOSE(tl, 0.4830827067669173, 1e-12, 0, "T_LP(Lambda) at load 0.95");
  ck_assert(an.m.loss_probability > 0.2);
}
END_TEST

/* A small claims 3 and 4 run that must pass: two-tier at load 0.5 (no type
 * saturates), m = 1 exact, 4 and 16 simulated.  R-JIQ's gap falls; POP's gap
 * is within 10% at m = 16. */
START_TEST(test_claims_3_4_pass) {
  accq_model_t m = two_tier();
  accq_verify_options_t o;
  exact_grid(&o, 0.5, 4u | 8u);
  o.nsim_scales = 2;
  o.sim_scales[0] = 4;
  o.sim_scales[1] = 16;
  o.sim_jobs = 20000;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(n, 2);
  for (int i = 0; i < 2; i++) {
    ck_assert_msg(rows[i].verdict == ACCQ_VERDICT_PASS, "claim %d: %s (%s)", rows[i].claim,
                  accq_verdict_name(rows[i].verdict), rows[i].note);
    ck_assert_int_ge(rows[i].instances, 2);
    ck_assert(rows[i].worst_margin >= 0);
  }
  ck_assert_ptr_nonnull(strstr(rows[0].evidence, "m=1"));
  ck_assert_ptr_nonnull(strstr(rows[0].evidence, "m=16"));
}
END_TEST

/* Claim 3 beyond the first breakpoint: saturating.ini at load 0.6 (the LP
 * saturates `medium`, so rjiq is unstable): the double limit with rjiq:e for
 * e = 0.2, 0.1 (halves of the headroom 0.4); each inner series falls and
 * T_LP^e/T_LP - 1 shrinks with e. */
START_TEST(test_claim3_double_limit) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_load(&m, accq_src_path("models/saturating.ini"), NULL, 0, &err), 0);
  accq_verify_options_t o;
  exact_grid(&o, 0.6, 4u);
  o.nsim_scales = 2;
  o.sim_scales[0] = 4;
  o.sim_scales[1] = 32;
  o.sim_jobs = 20000;
  o.nslacks = 2;
  o.slacks[0] = 0.5;
  o.slacks[1] = 0.25;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s: %s",
                accq_verdict_name(rows[0].verdict), rows[0].note);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "double limit with rjiq:e"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "e=0.2: T_LP^e/T_LP - 1 = 0.0748"));
  ck_assert_ptr_nonnull(strstr(rows[0].note, "e=0.1: T_LP^e/T_LP - 1 = 0.0374"));
  ck_assert_int_ge(rows[0].instances, 4);
  /* the model's own load 0.9 joins the grid: both loads are outside the first
   * piece; the double limit is checked at the smaller one, 0.9 is reported */
  ck_assert_int_eq(rows[0].excluded, 2);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "load 0.90 beyond the first breakpoint (LP saturates "
                                             "type medium): the double limit is checked at load 0.60"));
}
END_TEST

/* nonbinding.ini: a* = 0.5 is below every accuracy, so the LP sends every job
 * to the fast pool (2 servers, mu 3) while it has room: T_LP = 1/3 at every
 * load up to 6/7 of Lambda_max = 7 (hand derivation, in the model file's
 * comment).  At load 0.85 the fast type runs at 5.95/6 = 99.2% of capacity. */
static accq_model_t nonbinding(void) {
  accq_model_t m;
  accq_err_t err;
  int st = accq_model_load(&m, accq_src_path("models/nonbinding.ini"), NULL, 0, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "%s", err.msg);
  return m;
}

/* Claim 3 decides on the mean-field limit: R-JIQ's E[T] at m = infinity must
 * equal T_LP = 1/3 to 1e-9.  The row's margin is 1e-9 - |E_inf/T_LP - 1|, so it
 * lies in [0, 1e-9] and, since the limit is solved to a residual 1e-12, within
 * 1e-11 of 1e-9: comparing with a wrong bound (T_LP (1 + 1e-6)) gives -1e-6
 * and a FAIL.  Exact chains only (m = 1): no simulation is needed for a PASS. */
START_TEST(test_claim3_limit_equals_tlp) {
  accq_model_t m = nonbinding();
  accq_verify_options_t o;
  exact_grid(&o, 0.85, 4u);
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(n, 1);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s: %s",
                accq_verdict_name(rows[0].verdict), rows[0].note);
  ck_assert_msg(rows[0].worst_margin >= 1e-9 - 1e-11 && rows[0].worst_margin <= 1e-9,
                "margin %.6g is not 1e-9 - |E_inf/T_LP - 1| with a limit at T_LP", rows[0].worst_margin);
  ck_assert_msg(strstr(rows[0].evidence, "mean-field limit E[T] 0.333333333333 vs bound "
                                         "0.333333333333"), "%s", rows[0].evidence);
  /* the limit itself, from the limit module, against the closed form */
  accq_model_t mm;
  accq_err_t err;
  ck_assert_int_eq(accq_i_model_at(&m, 0.85, 1, &mm, &err), 0);
  double et, gap;
  ck_assert_msg(accq_limit_et(&mm, "rjiq", &et, &gap, &err) == 0, "%s", err.msg);
  ACCQ_CK_CLOSE(et, 1.0 / 3.0, 0, 1e-10, "R-JIQ's limit at load 0.85 = T_LP = 1/mu_fast");
}
END_TEST

/* The PARTIAL row of the old trend rule, resolved by the limit: nonbinding at
 * load 0.85 (fast at 99.2%) with simulations at m = 4, 16: the finite-m gap is
 * still far above 10% (21 and 5 at 10^5 jobs) but falls, and the limit equals
 * T_LP: PASS, with the slow fall explained in the note. */
START_TEST(test_claim3_near_saturation_resolved) {
  accq_model_t m = nonbinding();
  accq_verify_options_t o;
  exact_grid(&o, 0.85, 4u);
  o.nsim_scales = 2;
  o.sim_scales[0] = 4;
  o.sim_scales[1] = 16;
  o.sim_jobs = 20000;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s: %s",
                accq_verdict_name(rows[0].verdict), rows[0].note);
  ck_assert_msg(strstr(rows[0].note, "load 0.85 (max x_k/cap_k 0.992, type fast) (near "
                                     "saturation): the finite-m gap falls slowly"),
                "%s", rows[0].note);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "toward the limit, which equals the bound"));
}
END_TEST

/* Claim 4 reports POP's limit gap at every grid load and decides on it: on
 * nonbinding POP's limit is T_LP = 1/3 (every job finds an idle fast server in
 * the limit while fast is below capacity), so the row's margin 10% - limit gap
 * is 0.1 to 1e-9, whatever the finite sizes show (12.5% at m = 64 and 10^5
 * jobs: a finite-size effect).  The old rule (10% - (gap - ci) at the largest
 * size) would give a margin below 0.1 - 0.01. */
START_TEST(test_claim4_limit_gap) {
  accq_model_t m = nonbinding();
  accq_verify_options_t o;
  exact_grid(&o, 0.85, 8u);
  o.nsim_scales = 1;
  o.sim_scales[0] = 64;
  o.sim_jobs = 20000;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_PASS, "%s: %s",
                accq_verdict_name(rows[0].verdict), rows[0].note);
  ACCQ_CK_CLOSE(rows[0].worst_margin, 0.1, 0, 1e-9, "10% - POP's limit gap (0)");
  ck_assert_msg(strstr(rows[0].evidence, "POP's mean-field limit gap"), "%s", rows[0].evidence);
  ck_assert_msg(strstr(rows[0].evidence, "E[T] 0.333333333333, T_LP 0.333333333333"), "%s",
                rows[0].evidence);
  /* both grid loads (0.85 and the model's own 0.60) carry a limit gap */
  ck_assert_msg(strstr(rows[0].note, "POP's mean-field limit gap at 2 load(s): load 0.60: "),
                "%s", rows[0].note);
  ck_assert_ptr_nonnull(strstr(rows[0].note, "POP attains T_LP in the limit to 1e-6"));
}
END_TEST

/* Simulation bias warnings reach verify: with the fault sim-forget-warmup
 * (empty start, no warm-up, no MSER-5) and 1000 jobs per replication at m = 64,
 * the simulator's trend tests fire (L still rising: +40 jobs between the
 * window's halves, t ~ 10); the warned simulations are kept out of the
 * evidence (excluded), named in the note and carried in the row's warnings,
 * and claim 4 still PASSes on the limit.  Claim 2 may not FAIL on them. */
START_TEST(test_sim_warnings_reach_verify) {
  accq_model_t m = nonbinding();
  accq_verify_options_t o;
  exact_grid(&o, 0.85, 2u | 8u);
  o.nsim_scales = 1;
  o.sim_scales[0] = 64;
  o.sim_jobs = 1000;
  o.fault = "sim-forget-warmup";
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(n, 2);
  for (int i = 0; i < 2; i++) {
    ck_assert_msg(rows[i].nwarnings >= 1, "claim %d: no simulation warning", rows[i].claim);
    ck_assert_msg(strstr(rows[i].warnings[0], "simulation ") &&
                      strstr(rows[i].warnings[0], " m=64: ") && strstr(rows[i].warnings[0], "drifts"),
                  "%s", rows[i].warnings[0]);
    ck_assert_msg(strstr(rows[i].note, "not used as evidence"), "%s", rows[i].note);
    ck_assert_int_ge(rows[i].excluded, 1);
    ck_assert_msg(rows[i].verdict != ACCQ_VERDICT_FAIL, "claim %d FAILs on warned simulations: %s",
                  rows[i].claim, rows[i].note);
  }
  ck_assert_msg(rows[1].verdict == ACCQ_VERDICT_PASS, "%s", rows[1].note);
  /* the warned points are not in the finite-m series */
  ck_assert_msg(!strstr(rows[1].evidence, "m=64"), "%s", rows[1].evidence);
  accq_err_t err;
  ck_assert_int_eq(accq_verify_fault_check("sim-forget-warmup", &err), 0);
  ck_assert_int_eq(accq_verify_fault_check("sim-forget", &err), ACCQ_EINVAL);
}
END_TEST

/* Nothing checked is SKIPPED, with its reason, never PASS; the overall verdict. */
START_TEST(test_verdict_rules) {
  /* saturating.ini past its first breakpoint (load 0.7): rjiq and random-lp
   * saturate a type (no infinite-buffer answer, even in product form, which
   * needs no joint chain) and every other chain is over the limit */
  accq_model_t m;
  accq_err_t lerr;
  ck_assert_int_eq(accq_model_load(&m, accq_src_path("models/saturating.ini"), NULL, 0, &lerr), 0);
  accq_verify_options_t o;
  exact_grid(&o, 0.7, 1u);
  o.max_states = 2; /* every chain is over the limit */
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run_verify(&m, &o, rows, &n);
  ck_assert_int_eq(n, 1);
  for (int i = 0; i < 1; i++) {
    ck_assert_msg(rows[i].verdict == ACCQ_VERDICT_SKIPPED, "claim %d: %s", rows[i].claim,
                  accq_verdict_name(rows[i].verdict));
    ck_assert_int_eq(rows[i].instances, 0);
    ck_assert(isnan(rows[i].worst_margin));
    ck_assert_ptr_nonnull(strstr(rows[i].reason, "over the state limit"));
  }
  ck_assert_int_eq(accq_verify_overall(rows, n), ACCQ_VERDICT_SKIPPED);
  accq_claim_row_t two[2];
  memset(two, 0, sizeof two);
  two[0].verdict = ACCQ_VERDICT_PASS;
  two[1].verdict = ACCQ_VERDICT_PARTIAL;
  ck_assert_int_eq(accq_verify_overall(two, 2), ACCQ_VERDICT_PARTIAL);
  two[1].verdict = ACCQ_VERDICT_SKIPPED;
  ck_assert_int_eq(accq_verify_overall(two, 2), ACCQ_VERDICT_SKIPPED);
  two[0].verdict = ACCQ_VERDICT_FAIL;
  ck_assert_int_eq(accq_verify_overall(two, 2), ACCQ_VERDICT_FAIL);
  /* every fault value is validated */
  accq_err_t err;
  ck_assert_int_eq(accq_verify_fault_check(NULL, &err), 0);
  ck_assert_int_eq(accq_verify_fault_check("claims-target=jsq", &err), 0);
  ck_assert_int_eq(accq_verify_fault_check("claims-target=nosuch", &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "unknown policy 'nosuch'"));
  ck_assert_int_eq(accq_verify_fault_check("claims-target=pop", &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "already meets a*"));
  ck_assert_int_eq(accq_verify_fault_check("claim-target=jsq", &err), ACCQ_EINVAL);
  ck_assert_int_eq(accq_verify_fault_check("claims-target=", &err), ACCQ_EINVAL);
  o.fault = "claims-target=jsqq";
  ck_assert_int_eq(accq_verify_model(&m, &o, rows, &n, &err), ACCQ_EINVAL);
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_product_form_small_buffers);
  tcase_add_test(tc, test_sweep_params);
  tcase_add_test(tc, test_verify_two_tier_passes);
  tcase_add_test(tc, test_verify_negative);
  tcase_add_test(tc, test_verify_sandwich_hook);
  tcase_add_test(tc, test_claim2_surplus_counterexample);
  tcase_add_test(tc, test_claim2_finite_buffer_negative);
  tcase_add_test(tc, test_claim2_negative_small_miss);
  tcase_add_test(tc, test_claim4_random_lp_counterexample);
  tcase_add_test(tc, test_claim1_admitted_rate);
  tcase_add_test(tc, test_claims_3_4_pass);
  tcase_add_test(tc, test_claim3_double_limit);
  tcase_add_test(tc, test_verdict_rules);
  tcase_add_test(tc, test_claim3_limit_equals_tlp);
  tcase_add_test(tc, test_claim3_near_saturation_resolved);
  tcase_add_test(tc, test_claim4_limit_gap);
  tcase_add_test(tc, test_sim_warnings_reach_verify);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
