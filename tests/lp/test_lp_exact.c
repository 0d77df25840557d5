/* Exact mode (GMP rationals): hand-derived fractions, exact feasibility of the
 * returned split checked in rational arithmetic here, and agreement with the
 * float solvers (GLPK and combinatorial) within 1e-12 on random instances. */
#include <gmp.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "testutil.h"

/* Hand derivation (dyadic data, so the doubles are the decimals):
 * h: mu 1, a 0.875; l: mu 4, a 0.5; a* = 0.75; caps 10 each; Lambda = 3.
 * w = (0.75 - 0.5)/(0.875 - 0.5) = 2/3, t_lp = 2/3 * 1 + 1/3 * 1/4 = 3/4,
 * x_h = 2, x_l = 1.  Lambda_max: surplus 10 * 0.125 = 5/4, l takes
 * (5/4)/(1/4) = 5: Lambda_max = 15. */
START_TEST(test_exact_hand) {
  accq_lp_problem_t p;
  memset(&p, 0, sizeof p);
  p.ntypes = 2;
  p.mu[0] = 1, p.acc[0] = 0.875, p.cap[0] = 10;
  p.mu[1] = 4, p.acc[1] = 0.5, p.cap[1] = 10;
  p.a_star = 0.75;
  p.lambda = 3;
  accq_lp_exact_t ex;
  accq_err_t e;
  ck_assert_int_eq(accq_lp_solve_exact(&p, &ex, &e), 0);
  ck_assert_int_eq(ex.status, ACCQ_LP_OPTIMAL);
  ck_assert_str_eq(ex.t_lp, "3/4");
  ck_assert_str_eq(ex.x[0], "2/1");
  ck_assert_str_eq(ex.x[1], "1/1");
  ck_assert_str_eq(ex.lambda_max, "15/1");
  ck_assert(ex.t_lp_value == 0.75 && ex.lambda_max_value == 15);
  accq_lp_exact_free(&ex);
  /* 1/3-type fractions: mu 3 -> t_lp of a single type = 1/3 exactly */
  p.ntypes = 1;
  p.mu[0] = 3;
  p.cap[0] = 6;
  p.lambda = 2;
  ck_assert_int_eq(accq_lp_solve_exact(&p, &ex, &e), 0);
  ck_assert_str_eq(ex.t_lp, "1/3");
  ck_assert(ex.t_lp_value == 1.0 / 3.0); /* nearest double */
  accq_lp_exact_free(&ex);
  /* infeasible cases carry no number */
  p.lambda = 7;
  ck_assert_int_eq(accq_lp_solve_exact(&p, &ex, &e), 0);
  ck_assert_int_eq(ex.status, ACCQ_LP_CAPACITY_INFEASIBLE);
  ck_assert(ex.t_lp == NULL && isnan(ex.t_lp_value) && ex.x[0] == NULL);
  ck_assert_str_eq(ex.lambda_max, "6/1");
  accq_lp_exact_free(&ex);
  p.a_star = 0.9;
  ck_assert_int_eq(accq_lp_solve_exact(&p, &ex, &e), 0);
  ck_assert_int_eq(ex.status, ACCQ_LP_ACCURACY_INFEASIBLE);
  ck_assert_str_eq(ex.lambda_max, "0/1");
  accq_lp_exact_free(&ex);
  accq_lp_exact_free(NULL);
}
END_TEST

static void q_of(mpq_t q, const char *s) {
  ck_assert_msg(s && strchr(s, '/'), "not a fraction: %s", s ? s : "(null)");
  ck_assert_int_eq(mpq_set_str(q, s, 10), 0);
  mpq_canonicalize(q);
}

START_TEST(test_exact_vs_float) {
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 4242);
  static const double mus[] = {0.5, 1.0, 3.0, 4.0};
  static const double accs[] = {0.1, 0.5, 0.625, 0.75, 0.9, 1.0};
  int nopt = 0;
  mpq_t q, sum, accrow, obj, t, tmp, qlam, qcap;
  mpq_inits(q, sum, accrow, obj, t, tmp, qlam, qcap, NULL);
  for (int inst = 0; inst < 3000; inst++) {
    accq_lp_problem_t p;
    memset(&p, 0, sizeof p);
    int grid = inst % 2;
    p.ntypes = 1 + (int)gsl_rng_uniform_int(g, 8);
    for (int k = 0; k < p.ntypes; k++) {
      p.mu[k] = grid ? mus[gsl_rng_uniform_int(g, 4)] : 0.1 + 10 * gsl_rng_uniform(g);
      p.acc[k] = grid ? accs[gsl_rng_uniform_int(g, 6)] : gsl_rng_uniform(g);
      p.cap[k] = (1 + (double)gsl_rng_uniform_int(g, 4)) * p.mu[k];
    }
    p.a_star = grid ? accs[gsl_rng_uniform_int(g, 6)] : gsl_rng_uniform(g);
    double lmax = accq_lp_lambda_max(&p);
    p.lambda = lmax > 0 ? lmax * 1.1 * gsl_rng_uniform_pos(g) : 1.0;
    accq_lp_exact_t ex;
    accq_lp_result_t rc, rg;
    accq_err_t e;
    char what[128];
    ck_assert_int_eq(accq_lp_solve_exact(&p, &ex, &e), 0);
    ck_assert_int_eq(accq_lp_solve_combinatorial(&p, &rc, &e), 0);
    ck_assert_int_eq(accq_lp_solve(&p, &rg, &e), 0);
    ck_assert_int_eq(ex.status, rc.status);
    ck_assert_int_eq(ex.status, rg.status);
    snprintf(what, sizeof what, "instance %d: exact vs float lambda_max", inst);
    ACCQ_CK_CLOSE(ex.lambda_max_value, rc.lambda_max, 1e-12, 0, what);
    ACCQ_CK_CLOSE(ex.lambda_max_value, rg.lambda_max, 1e-12, 0, what);
    q_of(q, ex.lambda_max);
    ck_assert(mpq_get_d(q) == ex.lambda_max_value ||
              nextafter(mpq_get_d(q), INFINITY) == ex.lambda_max_value);
    if (ex.status == ACCQ_LP_OPTIMAL) {
      nopt++;
      snprintf(what, sizeof what, "instance %d: exact vs combinatorial t_lp", inst);
      ACCQ_CK_CLOSE(ex.t_lp_value, rc.t_lp, 1e-12, 0, what);
      snprintf(what, sizeof what, "instance %d: exact vs GLPK t_lp", inst);
      ACCQ_CK_CLOSE(ex.t_lp_value, rg.t_lp, 1e-12, 0, what);
      /* exact rows: sum x = Lambda, sum (a_k - a*) x_k >= 0, 0 <= x_k <= cap_k,
       * sum x_k/mu_k / Lambda = t_lp, all in rationals (Lambda <= Lambda_max
       * here unless in the 1e-12 margin, which this generator never hits
       * except by chance: then the rows are checked at Lambda anyway) */
      mpq_set_ui(sum, 0, 1);
      mpq_set_ui(accrow, 0, 1);
      mpq_set_ui(obj, 0, 1);
      for (int k = 0; k < p.ntypes; k++) {
        q_of(q, ex.x[k]);
        ck_assert(mpq_sgn(q) >= 0);
        mpq_set_d(qcap, p.cap[k]);
        ck_assert_msg(mpq_cmp(q, qcap) <= 0, "instance %d: x[%d] above capacity", inst, k);
        mpq_add(sum, sum, q);
        mpq_set_d(tmp, p.acc[k]);
        mpq_set_d(t, p.a_star);
        mpq_sub(tmp, tmp, t);
        mpq_mul(tmp, tmp, q);
        mpq_add(accrow, accrow, tmp);
        mpq_set_d(tmp, p.mu[k]);
        mpq_div(tmp, q, tmp);
        mpq_add(obj, obj, tmp);
        if (!grid) { /* continuous data: the optimal split is unique */
          snprintf(what, sizeof what, "instance %d: exact vs float x[%d]", inst, k);
          ACCQ_CK_CLOSE(ex.x_value[k], rc.x[k], 1e-12, 1e-12 * p.lambda, what);
        }
      }
      mpq_set_d(qlam, p.lambda);
      ck_assert_msg(mpq_equal(sum, qlam), "instance %d: exact flow row", inst);
      ck_assert_msg(mpq_sgn(accrow) >= 0, "instance %d: exact accuracy row", inst);
      mpq_div(obj, obj, qlam);
      q_of(q, ex.t_lp);
      ck_assert_msg(mpq_equal(obj, q), "instance %d: exact objective", inst);
    }
    accq_lp_exact_free(&ex);
  }
  ck_assert_int_ge(nopt, 2000);
  mpq_clears(q, sum, accrow, obj, t, tmp, qlam, qcap, NULL);
  gsl_rng_free(g);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lp_exact");
  TCase *tc = tcase_create("exact");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_exact_hand);
  tcase_add_test(tc, test_exact_vs_float);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
