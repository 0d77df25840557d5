/* The product form of rjiq and random-lp (src/measures/product.c) against the
 * joint lumped chain (the cross-check: same finite-buffer system, solved as
 * one chain), closed forms, and the refusals around a saturated split. */
#include <math.h>

#include "common.h"

static const char *two_tier =
    "[system]\nname = two-tier\narrival_rate = 1.0\naccuracy_target = 0.8\nbuffer = auto\n"
    "scale = 1\n[type small]\nservers = 2\nrate = 4.0\naccuracy = 0.6\n"
    "[type large]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n";

static const char *saturating =
    "[system]\nname = sat\nload = 0.9\naccuracy_target = 0.7\nbuffer = auto\n"
    "scale = 1\n[type fast]\nservers = 1\nrate = 4.0\naccuracy = 0.5\n"
    "[type medium]\nservers = 1\nrate = 2.0\naccuracy = 0.8\n"
    "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.95\n";

static void load_file(accq_model_t *m, const char *rel) {
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_model_load(m, accq_src_path(rel), NULL, 0, &err);
  ck_assert_msg(st == 0, "%s: %s", rel, err.msg);
  ck_assert_int_eq(accq_lp_model_resolve(m, &err), 0);
}

static accq_policy_t *policy_fb(const accq_model_t *m, const char *name, int finite_buffer) {
  accq_policy_t *pol = NULL;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  po.finite_buffer = finite_buffer;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_policy_alloc(&pol, name, m, &po, &err) == 0, "%s: %s", name, err.msg);
  return pol;
}

static accq_analysis_t analyze(const accq_model_t *m, const accq_policy_t *pol, int B,
                               int product_form, int want_status) {
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  opt.buffer = B;
  opt.product_form = product_form;
  opt.strict_auto = 1;
  opt.solver.tol = 1e-14; /* comparisons at 1e-10 (tests/measures/common.h) */
  accq_analysis_t a;
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_analyze(m, pol, &opt, &a, &err);
  ck_assert_msg(st == want_status, "%s (product %d, B=%d): status %d (want %d): %s",
                accq_policy_name(pol), product_form, B, st, want_status, err.msg);
  return a;
}

/* Every measure of docs/measures.md, product form vs joint chain. */
static void same_measures(const accq_model_t *m, const accq_measures_t *p,
                          const accq_measures_t *j, double rel, const char *what) {
  char tag[256];
#define SAME(field)                                                                  \
  do {                                                                               \
    snprintf(tag, sizeof tag, "%s: " #field, what);                                  \
    ACCQ_CK_CLOSE(p->field, j->field, rel, 1e-14, tag);                              \
  } while (0)
  SAME(mean_response_time);
  SAME(mean_jobs);
  SAME(accuracy);
  SAME(loss_probability);
  SAME(throughput_total);
  SAME(p_wait);
  SAME(boundary_mass);
  SAME(p50);
  SAME(p90);
  SAME(p95);
  SAME(p99);
  for (int k = 0; k < m->ntypes; k++) {
    SAME(throughput[k]);
    SAME(utilization[k]);
  }
#undef SAME
}

/* Finite buffers: the product form is exact for the same system the joint
 * chain describes, so they agree to the solver's accuracy (1e-10). */
START_TEST(test_product_equals_joint_finite_buffer) {
  struct {
    const char *text, *file, *policy;
    int B, finite;
  } cases[] = {
      {two_tier, NULL, "rjiq", 5, 0},
      {two_tier, NULL, "random-lp", 5, 0},
      {NULL, "tests/models/three-8-4-2.ini", "rjiq", 3, 0},
      {NULL, "tests/models/three-8-4-2.ini", "random-lp", 3, 0},
      {saturating, NULL, "rjiq", 6, 1},      /* saturated split, loss system */
      {saturating, NULL, "random-lp", 6, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    accq_model_t m;
    if (cases[i].text) {
      mt_model(&m, cases[i].text);
      ck_assert_int_eq(accq_lp_model_resolve(&m, NULL), 0);
    } else {
      load_file(&m, cases[i].file);
    }
    accq_policy_t *pol = policy_fb(&m, cases[i].policy, cases[i].finite);
    accq_analysis_t p = analyze(&m, pol, cases[i].B, 1, 0);
    accq_analysis_t j = analyze(&m, pol, cases[i].B, 0, 0);
    ck_assert_int_eq(p.product_form, 1);
    ck_assert_int_eq(j.product_form, 0);
    ck_assert_int_eq(p.verdict, ACCQ_ANALYSIS_FINITE_BUFFER);
    ck_assert_int_eq(j.verdict, ACCQ_ANALYSIS_FINITE_BUFFER);
    /* the equivalent joint chain: the product of the per-type reachable counts */
    ACCQ_CK_CLOSE(p.joint_states, (double)j.states, 0, 0.5, "joint states");
    char what[128];
    snprintf(what, sizeof what, "%s/%s B=%d", m.name, cases[i].policy, cases[i].B);
    same_measures(&m, &p.m, &j.m, 1e-10, what);
    if (cases[i].finite) ck_assert(p.m.loss_probability > 1e-3); /* losses shown */
    accq_policy_free(pol);
  }
}
END_TEST

/* buffer = auto: the product form grows each type's own B_k, the joint chain
 * one B; both converge on two-tier and agree to their truncation
 * targets (1e-9 each). */
START_TEST(test_product_auto_matches_joint_auto) {
  accq_model_t m;
  mt_model(&m, two_tier);
  ck_assert_int_eq(accq_lp_model_resolve(&m, NULL), 0);
  const char *names[] = {"rjiq", "random-lp"};
  for (int i = 0; i < 2; i++) {
    accq_policy_t *pol = policy_fb(&m, names[i], 0);
    accq_analysis_t p = analyze(&m, pol, 0, 1, 0);
    accq_analysis_t j = analyze(&m, pol, 0, 0, 0);
    ck_assert_int_eq(p.verdict, ACCQ_ANALYSIS_CONVERGED);
    ck_assert_int_eq(j.verdict, ACCQ_ANALYSIS_CONVERGED);
    ck_assert(p.m.boundary_mass <= 1e-9 && p.auto_change <= 1e-9);
    ACCQ_CK_CLOSE(p.m.mean_response_time, j.m.mean_response_time, 5e-9, 0, names[i]);
    ACCQ_CK_CLOSE(p.m.accuracy, j.m.accuracy, 1e-9, 0, names[i]);
    /* infinite buffers: R-JIQ and random-lp meet a* exactly (sum a_k p_k = a*) */
    ACCQ_CK_CLOSE(p.m.accuracy, m.accuracy_target, 1e-9, 0, "accuracy = a*");
    accq_policy_free(pol);
  }
}
END_TEST

/* random-lp with infinite buffers, closed form: each type-k server is an
 * M/M/1 at lambda_k = Lambda p_k / n_k, E[T] = sum_k p_k / (mu_k - lambda_k),
 * P(W > 0) = sum_k p_k rho_k. */
START_TEST(test_random_lp_closed_form) {
  accq_model_t m;
  load_file(&m, "tests/models/three-8-4-2.ini");
  accq_policy_t *pol = policy_fb(&m, "random-lp", 0);
  accq_analysis_t a = analyze(&m, pol, 0, 1, 0);
  const double *p = accq_policy_split(pol);
  double et = 0, pw = 0;
  for (int k = 0; k < m.ntypes; k++) {
    if (!(p[k] > 0)) continue;
    double lk = m.arrival_rate * p[k] / m.types[k].servers, mu = m.types[k].rate;
    et += p[k] / (mu - lk);
    pw += p[k] * lk / mu;
  }
  /* by hand: mid rho = 0.375, E[T] = 1.6; few rho = 0.75, E[T] = 2: (1.5*1.6 + 3*2)/4.5 */
  ACCQ_CK_CLOSE(et, (1.5 * 1.6 + 3 * 2) / 4.5, 1e-12, 0, "hand value");
  ACCQ_CK_CLOSE(a.m.mean_response_time, et, 1e-9, 0, "E[T] vs M/M/1");
  ACCQ_CK_CLOSE(a.m.p_wait, pw, 1e-9, 0, "P(W>0) vs M/M/1");
  /* p50 of the mixture of exponentials sum_k p_k Exp(mu_k - lambda_k) */
  double t = a.m.p50, tail = 0;
  for (int k = 0; k < m.ntypes; k++)
    if (p[k] > 0)
      tail += p[k] * exp(-(m.types[k].rate - m.arrival_rate * p[k] / m.types[k].servers) * t);
  ACCQ_CK_CLOSE(tail, 0.5, 1e-8, 0, "P(T > p50) = 1/2");
  ck_assert_int_eq(a.type_buffer[0], 0); /* 'many' has no share: nothing to solve */
  ck_assert(a.type_buffer[2] > a.type_buffer[1]); /* the busier type needs the larger B */
  accq_policy_free(pol);
}
END_TEST

/* The 14-server R-JIQ model (8/4/2, 'many' unused): the joint chain needs
 * C(4+B,4) C(2+B,2) states at the B the busiest type needs (~1e10 at B ~ 95)
 * and stops short of the targets under a state limit; the product form solves
 * each type alone (a few thousand states) and answers. */
START_TEST(test_rjiq_14_servers_product_answers) {
  accq_model_t m;
  load_file(&m, "tests/models/three-8-4-2.ini");
  accq_policy_t *pol = policy_fb(&m, "rjiq", 0);
  accq_analysis_t a = analyze(&m, pol, 0, 1, 0);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_CONVERGED);
  ck_assert(a.m.boundary_mass <= 1e-9);
  ck_assert(a.auto_change <= 1e-9);
  ck_assert_int_lt(a.states, 100000);
  /* the product of the per-type chains' sizes, each type at its own B_k */
  ACCQ_CK_CLOSE(a.joint_states, (double)a.type_states[1] * (double)a.type_states[2], 0, 0.5,
                "joint states");
  /* the joint chain at one B = max B_k is over the default --max-states */
  double joint = 0;
  ck_assert_int_eq(accq_chain_size_estimate(&m, pol, a.buffer, &joint, NULL, NULL), 0);
  ck_assert_msg(joint > 2e7, "joint chain at B=%d: %.3g states", a.buffer, joint);
  ACCQ_CK_CLOSE(a.m.accuracy, m.accuracy_target, 1e-9, 0, "accuracy = a*");
  ck_assert(a.m.mean_response_time > a.m.t_lp);
  /* type 'mid' alone (4 servers, rho 0.375) must match a joint chain of that
   * type only: the E[T] of the whole is the X-weighted mean of the types' */
  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  opt.product_form = 0;
  opt.strict_auto = 1;
  opt.chain.max_states = 200000;
  accq_analysis_t j;
  accq_err_t err;
  ck_assert_int_eq(accq_analyze(&m, pol, &opt, &j, &err), ACCQ_ENOCONV);
  ck_assert_int_eq(j.verdict, ACCQ_ANALYSIS_TRUNCATED);
  ck_assert_msg(strstr(err.msg, "--max-states"), "%s", err.msg);
  accq_policy_free(pol);
}
END_TEST

/* Saturated split: with buffer = auto no answer exists (exit 4); with an
 * explicit buffer, the loss system has exact measures (rjiq = random-lp here:
 * one server per type, JIQ on one server is random routing). */
START_TEST(test_saturated_split) {
  accq_model_t m;
  mt_model(&m, saturating);
  ck_assert_int_eq(accq_lp_model_resolve(&m, NULL), 0);
  /* the policy itself refuses without finite_buffer */
  accq_policy_t *pol = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_policy_alloc(&pol, "rjiq", &m, NULL, &err), ACCQ_EUNSTABLE);
  pol = policy_fb(&m, "rjiq", 1);
  ck_assert_int_eq(accq_policy_saturated_type(pol), 1);
  accq_analysis_t a = analyze(&m, pol, 0, 1, ACCQ_EUNSTABLE);
  ck_assert_int_eq(a.verdict, ACCQ_ANALYSIS_REFUSED);
  ck_assert(strstr(a.reason, "medium") && strstr(a.reason, "--buffer"));
  a = analyze(&m, pol, 0, 0, ACCQ_EUNSTABLE); /* the joint path refuses too */
  accq_analysis_t f = analyze(&m, pol, 10, 1, 0);
  ck_assert_int_eq(f.verdict, ACCQ_ANALYSIS_FINITE_BUFFER);
  /* medium: M/M/1/10 at rho = 1, P(full) = 1/11; its share p = 2/4.725 */
  const double pm = accq_policy_split(pol)[1];
  ACCQ_CK_CLOSE(pm, 2.0 / m.arrival_rate, 1e-12, 0, "medium share");
  accq_policy_t *rl = policy_fb(&m, "random-lp", 1);
  accq_analysis_t g = analyze(&m, rl, 10, 1, 0);
  same_measures(&m, &f.m, &g.m, 1e-10, "rjiq = random-lp on one server per type");
  ACCQ_CK_CLOSE(f.m.throughput[1], 2.0 * 10.0 / 11.0, 1e-12, 0, "medium X = lambda (1 - 1/11)");
  accq_policy_free(rl);
  accq_policy_free(pol);
}
END_TEST

/* Sizes: a type the policy never chooses contributes one state; the size
 * decided before building (accq_chain_size_reachable: the product count where
 * it is exact, else the counted reachable states) is within a factor 2 of the
 * built chain (here: equal, pop included). */
START_TEST(test_size_estimate_unused_type) {
  accq_model_t m;
  load_file(&m, "tests/models/three-8-4-2.ini");
  const char *names[] = {"rjiq", "accurate-jiq", "random-lp", "jsq", "pop"};
  for (int i = 0; i < 5; i++) {
    accq_policy_t *pol = policy_fb(&m, names[i], 0);
    accq_analysis_t a = analyze(&m, pol, 3, 0, 0);
    double est = 0, by = 0, prod = 0;
    int exact = 0;
    ck_assert_int_eq(accq_chain_size_reachable(&m, pol, 3, NULL, &est, &by, &exact, NULL), 0);
    ck_assert_int_eq(exact, 1);
    ACCQ_CK_CLOSE(a.estimated_states, est, 0, 0, "estimate recorded");
    ck_assert_msg(est <= 2.0 * a.states && a.states <= 2.0 * est,
                  "%s: estimate %.0f, built %lld", names[i], est, (long long)a.states);
    ck_assert_int_eq(accq_chain_size_estimate(&m, pol, 3, &prod, NULL, NULL), 0);
    if (i < 4) /* the product count is exact for these */
      ACCQ_CK_CLOSE(prod, est, 0, 0, "product = reachable");
    else /* pop reaches fewer than the product bound: 3150 of 57750 */
      ck_assert_msg(a.states == 3150 && prod == 57750, "%s: product %.0f, built %lld",
                    names[i], prod, (long long)a.states);
    accq_policy_free(pol);
  }
  /* by hand at B = 3: all types C(11,3) C(7,3) C(5,3) = 165*35*10 = 57750;
   * rjiq and random-lp leave 'many' idle: 35*10 = 350; accurate-jiq leaves
   * 'few' (a = 0.7 < a*) idle: 165*35 = 5775 */
  double est;
  accq_policy_t *pol = policy_fb(&m, "rjiq", 0);
  accq_chain_size_estimate(&m, pol, 3, &est, NULL, NULL);
  ACCQ_CK_CLOSE(est, 350, 0, 0, "rjiq");
  accq_policy_free(pol);
  pol = policy_fb(&m, "accurate-jiq", 0);
  accq_chain_size_estimate(&m, pol, 3, &est, NULL, NULL);
  ACCQ_CK_CLOSE(est, 5775, 0, 0, "accurate-jiq");
  accq_policy_free(pol);
  accq_chain_size_estimate(&m, NULL, 3, &est, NULL, NULL);
  ACCQ_CK_CLOSE(est, 57750, 0, 0, "no policy");
  /* the figure: at B = 8 the product count is 2.9e8 but R-JIQ reaches
   * C(12,8) C(10,8) = 495*45 = 22275 */
  pol = policy_fb(&m, "rjiq", 0);
  accq_chain_size_estimate(&m, pol, 8, &est, NULL, NULL);
  ACCQ_CK_CLOSE(est, 22275, 0, 0, "rjiq B=8");
  accq_chain_size_estimate(&m, NULL, 8, &est, NULL, NULL);
  ACCQ_CK_CLOSE(est, 12870.0 * 495 * 45, 0, 0, "product B=8");
  accq_policy_free(pol);
}
END_TEST

int main(void) {
  Suite *s = suite_create("measures-product");
  TCase *tc = tcase_create("product");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_product_equals_joint_finite_buffer);
  tcase_add_test(tc, test_product_auto_matches_joint_auto);
  tcase_add_test(tc, test_random_lp_closed_form);
  tcase_add_test(tc, test_rjiq_14_servers_product_answers);
  tcase_add_test(tc, test_saturated_split);
  tcase_add_test(tc, test_size_estimate_unused_type);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
