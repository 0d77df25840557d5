/* The mean-field limit against the simulator at a large size (label nosan):
 * at m n = 10^4 servers the simulated E[T] of pop, jfiq, sed and pod:2 on two
 * bundled models must land within its 95% interval plus an O(1/m) allowance of
 * the limit.  The simulator (accq/sim.h) shares only the dispatch function with
 * the policies; the limit re-derives each rule on fractions (src/limit), so a
 * wrong sliding rule or drift shows here.  On saturating (load 0.9) POP slides on
 * medium's idle boundary: the test covers the Filippov solution. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/limit.h"
#include "accq/lp.h"
#include "accq/sim.h"
#include "testutil.h"

START_TEST(test_sim_vs_limit) {
  const char *models[] = {"two-tier", "saturating"};
  const char *pols[] = {"pop", "jfiq", "sed", "pod:2"};
  for (int i = 0; i < 2; i++) {
    accq_model_t m;
    accq_err_t e;
    char path[256];
    snprintf(path, sizeof path, "models/%s.ini", models[i]);
    ck_assert_int_eq(accq_model_load(&m, accq_src_path(path), NULL, 0, &e), 0);
    ck_assert_int_eq(accq_lp_model_resolve(&m, &e), 0);
    /* both models have 3 servers per unit of scale: m = 3334 gives 10002 servers */
    m.scale = 3334;
    for (int p = 0; p < 4; p++) {
      double et, gap;
      ck_assert_msg(accq_limit_et(&m, pols[p], &et, &gap, &e) == 0, "%s", e.msg);
      accq_policy_t *pol;
      accq_policy_options_t po;
      accq_policy_options_init(&po);
      ck_assert_int_eq(accq_policy_alloc(&pol, pols[p], &m, &po, &e), 0);
      accq_sim_options_t so;
      accq_sim_options_init(&so);
      so.replications = 5;
      so.jobs = 500000;  /* 150 time units of the whole system at Lambda m = 3334 */
      so.warmup = 200000; /* 60 time units from empty: the fluid settles in ~15 */
      so.seed = 7;
      accq_sim_result_t r;
      ck_assert_msg(accq_sim_run(&m, pol, &so, &r, NULL, &e) == 0, "%s", e.msg);
      double sim = r.mean_response_time.mean, ci = r.mean_response_time.ci95;
      /* the interval must be informative, and the allowance for the finite-size
       * term C/m with C = 10 (in units of E[T]) is 0.3% at m = 3334 */
      ck_assert_msg(ci < 0.01 * et, "%s on %s: interval %g too wide", pols[p], models[i], ci);
      double allow = ci + 10.0 / m.scale * et;
      ck_assert_msg(fabs(sim - et) <= allow,
                    "%s on %s: simulated E[T] %.17g +- %.3g at m = %d, limit %.17g (allowed %.3g)",
                    pols[p], models[i], sim, ci, m.scale, et, allow);
      fprintf(stderr, "%s %s: sim %.6f +- %.6f, limit %.6f, diff/limit %.2e\n", models[i], pols[p],
              sim, ci, et, (sim - et) / et);
      accq_policy_free(pol);
    }
  }
}
END_TEST

/* POP with two types on their idle boundaries whose idle counters interact (the
 * QBD-averaged routing, test_pop_two_boundaries in test_limit.c): 8 servers per
 * unit of scale, m = 1250 gives 10^4 servers. */
START_TEST(test_sim_vs_limit_two_boundaries) {
  accq_model_t m;
  accq_err_t e;
  ck_assert_int_eq(accq_model_parse_string(&m,
                       "[system]\nload = 0.5\naccuracy_target = 0.368\n"
                       "[type t0]\nservers = 1\nrate = 6.174\naccuracy = 0.471\n"
                       "[type t1]\nservers = 3\nrate = 4.454\naccuracy = 0.592\n"
                       "[type t2]\nservers = 2\nrate = 2.923\naccuracy = 0.865\n"
                       "[type t3]\nservers = 1\nrate = 6.314\naccuracy = 0.332\n",
                       "two-boundaries", NULL, 0, &e),
                   0);
  ck_assert_int_eq(accq_lp_model_resolve(&m, &e), 0);
  m.scale = 1250;
  double et, gap;
  ck_assert_msg(accq_limit_et(&m, "pop", &et, &gap, &e) == 0, "%s", e.msg);
  accq_policy_t *pol;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  ck_assert_int_eq(accq_policy_alloc(&pol, "pop", &m, &po, &e), 0);
  accq_sim_options_t so;
  accq_sim_options_init(&so);
  so.replications = 5;
  so.jobs = 500000;
  so.warmup = 200000;
  so.seed = 11;
  accq_sim_result_t r;
  ck_assert_msg(accq_sim_run(&m, pol, &so, &r, NULL, &e) == 0, "%s", e.msg);
  double sim = r.mean_response_time.mean, ci = r.mean_response_time.ci95;
  ck_assert(ci < 0.01 * et);
  double allow = ci + 10.0 / m.scale * et;
  ck_assert_msg(fabs(sim - et) <= allow, "two boundaries: simulated %.17g +- %.3g, limit %.17g", sim,
                ci, et);
  /* the per-type throughputs too: they carry the QBD's pattern probabilities */
  accq_limit_t *w;
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "pop", NULL, &e), 0);
  ck_assert_int_eq(accq_limit_solve(w, &e), 0);
  for (int k = 0; k < m.ntypes; k++) {
    double x = accq_limit_result(w)->throughput[k] * m.scale;
    ck_assert_msg(fabs(r.throughput[k].mean - x) <= r.throughput[k].ci95 + 10.0 / m.scale * x + 1e-9,
                  "type %d throughput: simulated %g +- %g, limit %g", k, r.throughput[k].mean,
                  r.throughput[k].ci95, x);
  }
  fprintf(stderr, "two boundaries: sim %.6f +- %.6f, limit %.6f\n", sim, ci, et);
  accq_limit_free(w);
  accq_policy_free(pol);
}
END_TEST

int main(void) {
  Suite *s = suite_create("limit_sim");
  TCase *tc = tcase_create("limit_sim");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_sim_vs_limit);
  tcase_add_test(tc, test_sim_vs_limit_two_boundaries);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
