/* Power of check-sim's design (accq/check.h), measured with accq's own
 * simulator through the library.
 *
 * System: two-tier at scale 100 (200 fast + 100 slow servers) under
 * random-lp at load 0.5.  random-lp sends each job to type k with the LP's
 * probability p_k and then to a uniformly random server of that type, so by
 * Poisson thinning every server is an independent M/M/1 queue with
 * rho_k = Lambda p_k / (N_k mu_k): every exact value is a closed form
 *   E[T] = sum_k p_k / (mu_k - Lambda p_k / N_k),   L = sum_k N_k rho_k / (1 - rho_k),
 *   P(W > 0) = sum_k p_k rho_k (PASTA),  U_k = rho_k,  X_k = Lambda p_k,
 *   A = sum_k p_k a_k,  no loss, no boundary (infinite buffers);
 * E[T] is also checked against the lumped chain at scale 1 (same per-server
 * queues).
 *
 * Replications are short on purpose (2,000 jobs, a window of ~27 time units,
 * about two relaxation times 1/(mu (1 - sqrt(rho))^2) = 11.7 of the slow
 * servers), so that a run that starts empty and never discards its warm-up is
 * biased, as in a simulator that forgets the warm-up; correct runs discard
 * 10,000 arrivals (~130 time units, 11 relaxation times).
 *
 * 1. A pilot of 20 correct replications gives the recommended R (smallest R
 *    at which E[T] and L rows detect a 2% error with probability 0.8 under
 *    Holm at alpha = 0.01).
 * 2. At that R: a simulator whose servers are all 2% slow (every rate x 0.98)
 *    is flagged; a simulator that keeps its warm-up is flagged.
 * 3. At that R, 20 seeds of the correct simulator: the number of seeds with a
 *    false alarm is Binomial(20, q) with q <= alpha = 0.01 (Holm controls the
 *    family-wise error); P(X >= 3) <= 1 - sum_{x<=2} C(20,x) 0.01^x 0.99^(20-x)
 *    = 0.0010, so 3 or more false alarms fail the test (a rate inconsistent
 *    with --alpha at the 0.1% level).
 *
 * Cost: about 22 runs of R x 12,000 arrivals (labelled long and nosan). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "accq/sim.h"
#include "testutil.h"

#define JOBS 2000
#define WARMUP 10000

static accq_model_t model;
static double exact[64];
static int nmeas;

static void load(accq_model_t *m, double rate_factor) {
  const char *sets[] = {"system.load=0.5", "system.scale=100"};
  accq_err_t err;
  ck_assert_int_eq(accq_model_load(m, accq_src_path("models/two-tier.ini"), sets, 2, &err), 0);
  ck_assert_int_eq(accq_lp_model_resolve(m, &err), 0);
  /* keep the arrival rate of the correct model: a load would be re-resolved
   * against the changed rates */
  m->lambda_mode = ACCQ_LAMBDA_RATE;
  for (int k = 0; k < m->ntypes; k++) m->types[k].rate *= rate_factor;
}

/* Closed forms of the header comment, from the policy's own split. */
static void closed_form(const accq_model_t *m, const accq_policy_t *pol) {
  const double *p = accq_policy_split(pol);
  ck_assert_ptr_nonnull(p);
  const double lambda = (double)m->scale * m->arrival_rate;
  nmeas = accq_check_measure_count(m->ntypes);
  ck_assert_int_le(nmeas, 64);
  double et = 0, L = 0, pw = 0, acc = 0;
  for (int k = 0; k < m->ntypes; k++) {
    const double N = (double)m->scale * m->types[k].servers, mu = m->types[k].rate;
    const double rho = lambda * p[k] / (N * mu);
    ck_assert(rho < 1);
    if (p[k] > 0) et += p[k] / (mu - lambda * p[k] / N);
    L += N * rho / (1 - rho);
    pw += p[k] * rho;
    acc += p[k] * m->types[k].accuracy;
    exact[10 + k] = rho;                  /* utilization.TYPE */
    exact[10 + m->ntypes + k] = lambda * p[k]; /* throughput.TYPE */
  }
  exact[0] = et;
  exact[1] = L;
  exact[2] = acc;
  exact[3] = 0;  /* loss */
  exact[4] = pw;
  exact[5] = 0;  /* boundary mass */
  for (int i = 6; i < 10; i++) exact[i] = NAN; /* percentiles: not compared here */
}

/* One simulated run of R replications compared with the exact values;
 * returns the number of discrepancies (fills *sum and whether E[T] was
 * flagged). */
static int run_check(const accq_model_t *m, int R, uint64_t seed, long long warmup,
                     accq_check_summary_t *sum, int *et_flagged) {
  accq_err_t err;
  accq_policy_t *pol = NULL;
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  ck_assert_int_eq(accq_policy_alloc(&pol, "random-lp", m, &popt, &err), 0);
  accq_sim_options_t o;
  accq_sim_options_init(&o);
  o.replications = R;
  o.jobs = JOBS;
  o.warmup = warmup;
  o.seed = seed;
  /* a simulator that forgets its warm-up: empty start (random-lp would
   * otherwise start in its exact stationary law), no MSER-5 truncation */
  o.empty_start = warmup == 0;
  o.mser = warmup != 0;
  accq_sim_result_t res;
  ck_assert_msg(accq_sim_run(m, pol, &o, &res, NULL, &err) == 0, "%s", err.msg);
  accq_check_row_t c[64];
  int n = 0, et_row = -1;
  for (int i = 0; i < nmeas; i++) {
    if (accq_check_measure_is_percentile(i)) continue;
    accq_estimate_t e = accq_check_measure_estimate(&res, i);
    memset(&c[n], 0, sizeof c[n]);
    c[n].exact = exact[i];
    c[n].mean = e.mean;
    c[n].se = e.se;
    c[n].replications = R;
    accq_check_measure_bounds(&model, i, &c[n].lo, &c[n].hi);
    c[n].target = i <= 1; /* mean_response_time, mean_jobs */
    if (i == 0) et_row = n;
    n++;
  }
  accq_check_options_t copt;
  accq_check_options_init(&copt);
  ck_assert_int_eq(accq_check_family(c, n, &copt, sum, &err), 0);
  if (et_flagged) *et_flagged = c[et_row].reject;
  if (sum->rejected) {
    for (int i = 0; i < n; i++)
      if (c[i].reject)
        fprintf(stderr, "    flagged row %d: mean %.6g exact %.6g z %.3g\n", i, c[i].mean,
                c[i].exact, c[i].z);
  }
  accq_policy_free(pol);
  return sum->rejected;
}

START_TEST(test_power_and_false_alarms) {
  accq_err_t err;
  load(&model, 1.0);
  accq_policy_t *pol = NULL;
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  ck_assert_int_eq(accq_policy_alloc(&pol, "random-lp", &model, &popt, &err), 0);
  closed_form(&model, pol);
  accq_policy_free(pol);
  /* the closed form against the lumped chain at scale 1 (same queues) */
  {
    accq_model_t one = model;
    one.scale = 1;
    accq_policy_t *p1 = NULL;
    ck_assert_int_eq(accq_policy_alloc(&p1, "random-lp", &one, &popt, &err), 0);
    accq_analysis_options_t aopt;
    accq_analysis_options_init(&aopt);
    accq_analysis_t an;
    ck_assert_msg(accq_analyze(&one, p1, &aopt, &an, &err) == 0, "%s", err.msg);
    ACCQ_CK_CLOSE(an.m.mean_response_time, exact[0], 1e-8, 0, "E[T] chain vs closed form");
    ACCQ_CK_CLOSE(an.m.p_wait, exact[4], 1e-8, 0, "P(W>0) chain vs closed form");
    accq_policy_free(p1);
  }

  /* 1. pilot */
  accq_check_summary_t sum;
  ck_assert_int_eq(run_check(&model, 20, 1000, WARMUP, &sum, NULL), 0);
  const int R = sum.replications_recommended;
  fprintf(stderr, "power: pilot R = 20: critical |t| %.3g, recommended R = %d\n", sum.critical_t, R);
  ck_assert_int_ge(R, 20);
  ck_assert_int_le(R, 2000);

  /* 2a. every service rate 2% slow */
  accq_model_t slow;
  load(&slow, 0.98);
  int et = 0;
  int rej = run_check(&slow, R, 2000, WARMUP, &sum, &et);
  fprintf(stderr, "power: rates x 0.98 at R = %d: %d discrepancies (E[T] flagged: %d)\n", R, rej, et);
  ck_assert_msg(rej >= 1 && et, "a 2%% rate error was not flagged at the recommended R = %d", R);

  /* 2b. warm-up never discarded (starts empty) */
  rej = run_check(&model, R, 3000, 0, &sum, &et);
  fprintf(stderr, "power: no warm-up at R = %d: %d discrepancies (E[T] flagged: %d)\n", R, rej, et);
  ck_assert_msg(rej >= 1, "an undiscarded warm-up was not flagged at the recommended R = %d", R);

  /* 3. false alarms of the correct simulator over 20 seeds */
  int alarms = 0;
  for (int s = 0; s < 20; s++) alarms += run_check(&model, R, 4000 + (uint64_t)s, WARMUP, &sum, NULL) > 0;
  fprintf(stderr, "power: correct simulator, 20 seeds at R = %d: %d with a false alarm "
                  "(alpha 0.01: expected <= 0.2; 3+ has probability <= 0.001)\n", R, alarms);
  ck_assert_int_le(alarms, 2);
}
END_TEST

int main(void) {
  Suite *s = suite_create("check-power");
  TCase *tc = tcase_create("power");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, test_power_and_false_alarms);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
