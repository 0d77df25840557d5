/* Coverage of the simulator's DEFAULT 95% intervals against a closed form:
 * random-lp at 100, 1,000 and 10,000 servers and loads 0.5, 0.8, 0.95.
 *
 * Model (per unit scale): 5 fast servers (mu 4, a .6), 3 medium (mu 2, a .8),
 * 2 slow (mu 1, a .95), a* = .85; scale 10, 100, 1000.  The LP uses the pair
 * (medium, slow) with w_slow = (.85 - .8)/(.95 - .8) = 1/3 at every load up to
 * Lambda_max(a*) = 6 per unit (slow saturates at Lambda/3 = 2; medium would at
 * 9), so p = (0, 2/3, 1/3) and the load is the slow servers' utilization.
 * random-lp sends each job to type k with probability p_k and to a uniform
 * server of it, so by Poisson thinning every server is an independent M/M/1
 * fed at lambda_k = Lambda p_k / n_k (the same per unit scale), and
 *   E[T] = sum_k p_k / (mu_k - lambda_k)
 *        = (2/3) / (2 - 2 Lambda / 9) + (1/3) / (1 - Lambda / 6).
 * (Hand derivation from the M/M/1 mean 1/(mu - lambda); the split is checked
 * against (0, 2/3, 1/3) as well.)
 *
 * For each of the 9 cases, ACCQ_COVERAGE_SEEDS (default 20) runs with
 * accq_sim_options_init's defaults and seeds 1..S.  A run is a miss when its
 * 95% interval leaves out the exact value and it carries no warning (a warned
 * run is marked, as the issue allows).  Binomial test: the number of runs
 * whose interval covers (or that are marked) is Bin(S, >= 0.95) when the
 * intervals are right; the case fails when that count is at or below the
 * 0.001 quantile, i.e. when P(Bin(S, 0.95) <= covered) < 0.001 (S = 20: 14
 * or fewer of 20 fail, 15 pass).  The main measured 0 of 10, 0 of 3
 * at 9,999 and 999 servers: this test fails on that simulator.
 *
 * Labels long, nosan: about 2-4 minutes of one core in Release. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "accq/accq.h"
#include "accq/sim.h"
#include "testutil.h"

static int seeds(void) {
  const char *e = getenv("ACCQ_COVERAGE_SEEDS");
  int s = e ? atoi(e) : 20;
  return s >= 2 ? s : 20;
}

static void run_case(int scale, double load) {
  char text[1024];
  snprintf(text, sizeof text,
           "[system]\nname = cov\nload = %.17g\naccuracy_target = 0.85\nscale = %d\n"
           "[type fast]\nservers = 5\nrate = 4\naccuracy = 0.6\n"
           "[type medium]\nservers = 3\nrate = 2\naccuracy = 0.8\n"
           "[type slow]\nservers = 2\nrate = 1\naccuracy = 0.95\n",
           load, scale);
  accq_model_t m;
  accq_err_t err;
  ck_assert_msg(accq_model_parse_string(&m, text, "<cov>", NULL, 0, &err) == 0, "%s", err.msg);
  ck_assert_msg(accq_lp_model_resolve(&m, &err) == 0, "%s", err.msg);
  ACCQ_CK_CLOSE(m.arrival_rate, 6 * load, 1e-9, 0, "Lambda = load * Lambda_max(a*) = 6 load");
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  accq_policy_t *pol = NULL;
  ck_assert_msg(accq_policy_alloc(&pol, "random-lp", &m, &po, &err) == 0, "%s", err.msg);
  const double *p = accq_policy_split(pol);
  ACCQ_CK_CLOSE(p[0], 0, 0, 1e-12, "p_fast");
  ACCQ_CK_CLOSE(p[1], 2.0 / 3, 1e-9, 0, "p_medium");
  ACCQ_CK_CLOSE(p[2], 1.0 / 3, 1e-9, 0, "p_slow");
  const double lam = m.arrival_rate;
  const double exact = (2.0 / 3) / (2 - 2 * lam / 9) + (1.0 / 3) / (1 - lam / 6);
  const int S = seeds();
  int covered = 0, warned = 0;
  double bias = 0, width = 0;
  for (int sd = 1; sd <= S; sd++) {
    accq_sim_options_t o;
    accq_sim_options_init(&o);
    o.seed = (uint64_t)sd;
    accq_sim_result_t r;
    ck_assert_msg(accq_sim_run(&m, pol, &o, &r, NULL, &err) == 0, "%s", err.msg);
    const accq_estimate_t e = r.mean_response_time;
    int in = fabs(e.mean - exact) <= e.ci95;
    covered += in || r.nwarnings > 0;
    warned += r.nwarnings > 0;
    bias += (e.mean - exact) / exact / S;
    width += e.ci95 / exact / S;
  }
  accq_policy_free(pol);
  double pval = gsl_cdf_binomial_P((unsigned)covered, 0.95, (unsigned)S);
  printf("random-lp %6d servers, load %.2f: E[T] exact %.6g; %d of %d intervals cover or are "
         "marked (%d marked), mean relative bias %+.2e, mean relative half-width %.2e, "
         "P(Bin(%d, .95) <= %d) = %.3g\n",
         10 * scale, load, exact, covered, S, warned, bias, width, S, covered, pval);
  fflush(stdout);
  ck_assert_msg(pval >= 0.001,
                "random-lp at %d servers, load %.2f: only %d of %d default 95%% intervals cover "
                "E[T] = %.6g or are marked (P = %.3g < 0.001); mean relative bias %+.2e",
                10 * scale, load, covered, S, exact, pval, bias);
}

START_TEST(test_coverage_100) {
  run_case(10, 0.5);
  run_case(10, 0.8);
  run_case(10, 0.95);
}
END_TEST

START_TEST(test_coverage_1000) {
  run_case(100, 0.5);
  run_case(100, 0.8);
  run_case(100, 0.95);
}
END_TEST

START_TEST(test_coverage_10000) {
  run_case(1000, 0.5);
  run_case(1000, 0.8);
  run_case(1000, 0.95);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sim_coverage_rlp");
  TCase *tc = tcase_create("coverage");
  tcase_set_timeout(tc, 1800);
  tcase_add_test(tc, test_coverage_100);
  tcase_add_test(tc, test_coverage_1000);
  tcase_add_test(tc, test_coverage_10000);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
