/* Coverage of the simulator's DEFAULT 95% intervals for pod:2 at 2,000
 * homogeneous servers against the supermarket model's mean-field value.
 *
 * Model: one type, 2,000 servers of rate mu = 1 (accuracy above a*, so
 * Lambda_max(a*) = 2,000 and the load is the utilization rho).  Mitzenmacher,
 * "The power of two choices in randomized load balancing", IEEE TPDS 12(10),
 * 2001, Theorem 3.2 (the supermarket model): in the limit N -> infinity the
 * fraction of servers holding at least i jobs is s_i = rho^{(d^i - 1)/(d - 1)},
 * so the mean number per server is sum_{i>=1} s_i and by Little's law
 *   E[T] = sum_{i>=1} rho^{(d^i - d)/(d - 1)}          (mu = 1),
 * with d = 2: sum_{i>=1} rho^{2^i - 2} (1.26569, 1.94736, 3.38305 at rho =
 * 0.5, 0.8, 0.95).
 *
 * Finite size: at N servers the stationary E[T] differs from the limit by a
 * term of order 1/N (Gast, "Expected values estimated via mean-field
 * approximation are 1/N-accurate", Proc. ACM Meas. Anal. Comput. Syst. 1(1),
 * 2017; the coefficient grows with the load).  A long
 * run at N = 2,000, rho = 0.95 (10 x 1e6 jobs) gave 3.3886 +- 0.021,
 * within 0.2% of the limit.  The test therefore counts a run as covering when
 * |mean - E_mf| <= ci95 + 0.01 E_mf: a 1% allowance for the finite-size term
 * (half the default interval's relative half-width at rho = 0.95, about 2%).
 * Binomial test as in test_sim_coverage_rlp: fail when P(Bin(S, 0.95) <=
 * covered-or-marked) < 0.001.  pod:2 starts empty, so this is the test of the
 * adaptive warm-up and MSER-5 (random-lp starts in its exact stationary law).
 *
 * Labels long, nosan. */
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

static double mean_field(double rho) {
  double s = 0;
  for (int i = 1; i < 60; i++) s += pow(rho, ldexp(1.0, i) - 2);
  return s;
}

static void run_case(double load) {
  char text[512];
  snprintf(text, sizeof text,
           "[system]\nname = homog\nload = %.17g\naccuracy_target = 0.8\nscale = 2000\n"
           "[type one]\nservers = 1\nrate = 1\naccuracy = 0.9\n",
           load);
  accq_model_t m;
  accq_err_t err;
  ck_assert_msg(accq_model_parse_string(&m, text, "<pod>", NULL, 0, &err) == 0, "%s", err.msg);
  ck_assert_msg(accq_lp_model_resolve(&m, &err) == 0, "%s", err.msg);
  ACCQ_CK_CLOSE(m.arrival_rate, load, 1e-9, 0, "Lambda per server = rho");
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  accq_policy_t *pol = NULL;
  ck_assert_msg(accq_policy_alloc(&pol, "pod:2", &m, &po, &err) == 0, "%s", err.msg);
  const double exact = mean_field(load), tol = 0.01 * exact;
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
    int in = fabs(e.mean - exact) <= e.ci95 + tol;
    covered += in || r.nwarnings > 0;
    warned += r.nwarnings > 0;
    bias += (e.mean - exact) / exact / S;
    width += e.ci95 / exact / S;
  }
  accq_policy_free(pol);
  double pval = gsl_cdf_binomial_P((unsigned)covered, 0.95, (unsigned)S);
  printf("pod:2 2000 servers, load %.2f: mean-field E[T] %.6g; %d of %d cover within ci95 + 1%% "
         "or are marked (%d marked), mean relative bias %+.2e, mean relative half-width %.2e, "
         "P(Bin(%d, .95) <= %d) = %.3g\n",
         load, exact, covered, S, warned, bias, width, S, covered, pval);
  fflush(stdout);
  ck_assert_msg(pval >= 0.001,
                "pod:2 at 2000 servers, load %.2f: only %d of %d default 95%% intervals (+1%%) "
                "cover the mean-field E[T] = %.6g or are marked (P = %.3g < 0.001); mean "
                "relative bias %+.2e",
                load, covered, S, exact, pval, bias);
}

START_TEST(test_pod_mean_field) {
  /* the formula itself, by hand: rho = 0.5: 1 + .25 + .5^6 + .5^14 + ... */
  ACCQ_CK_CLOSE(mean_field(0.5), 1 + 0.25 + pow(0.5, 6) + pow(0.5, 14) + pow(0.5, 30), 1e-12, 0,
                "mean-field E[T] at rho 0.5");
  run_case(0.5);
  run_case(0.8);
  run_case(0.95);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sim_coverage_pod");
  TCase *tc = tcase_create("coverage");
  tcase_set_timeout(tc, 1800);
  tcase_add_test(tc, test_pod_mean_field);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
