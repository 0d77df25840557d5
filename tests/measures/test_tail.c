/* The response-time mixture of docs/measures.md on its own: evaluation, quantiles by
 * Brent's method and the quadrature of the tail, against closed forms. */
#include <math.h>

#include "measures/measures_internal.h"
#include "testutil.h"

/* M/M/1/B seen by an admitted job: PASTA, level q w.p. rho^q / sum_{j<B} rho^j,
 * response Erlang(q+1, mu).  With B = infinity this is Exp(mu - lambda). */
static void mm1_mixture(accq_i_mixture_t *mix, double lambda, double mu, int B) {
  ck_assert_int_eq(accq_i_mixture_alloc(mix, B, NULL), 0);
  double rho = lambda / mu, w = 1;
  for (int q = 0; q < B; q++, w *= rho) accq_i_mixture_add(mix, w, mu, q + 1);
  accq_i_mixture_normalize(mix);
}

START_TEST(test_mm1_exponential) {
  /* M/M/1, lambda = 1, mu = 2, FCFS: T ~ Exp(mu - lambda = 1) (textbook, e.g.
   * Kleinrock vol. 1 eq. 3.28).  B = 200 truncates rho^200 = 6e-61. */
  accq_i_mixture_t mix;
  mm1_mixture(&mix, 1.0, 2.0, 200);
  const double t[] = {0.0, 0.1, 1.0, 3.0, 10.0, 30.0};
  for (int i = 0; i < 6; i++)
    ACCQ_CK_CLOSE(accq_i_mixture_tail(&mix, t[i]), exp(-t[i]), 1e-12, 1e-300, "P(T>t)");
  const double p[] = {0.5, 0.9, 0.95, 0.99};
  for (int i = 0; i < 4; i++) {
    double q;
    ck_assert_int_eq(accq_i_mixture_quantile(&mix, p[i], &q, NULL), 0);
    /* quantile of Exp(1): -ln(1 - p) */
    ACCQ_CK_CLOSE(q, -log1p(-p[i]), 1e-11, 0, "quantile of Exp(1)");
  }
  double v, e;
  ck_assert_int_eq(accq_i_mixture_integral(&mix, &v, &e, NULL), 0);
  ACCQ_CK_CLOSE(v, 1.0, 1e-10, 0, "int P(T>t) dt = E[T] = 1");
  ACCQ_CK_CLOSE(accq_i_mixture_mean(&mix), 1.0, 1e-13, 0, "closed-form mixture mean");
  accq_i_mixture_free(&mix);
}
END_TEST

START_TEST(test_mm1b_little) {
  /* M/M/1/B, lambda = 3, mu = 2 (overloaded, fine with a buffer), B = 7.
   * Closed form (Gross & Harris, M/M/1/K): P_n = rho^n (1-rho)/(1-rho^{B+1}),
   * L = sum n P_n, X = lambda (1 - P_B), E[T] = L / X.  The mixture's mean and
   * the quadrature of its tail must both give that number. */
  const double lambda = 3, mu = 2, rho = lambda / mu;
  const int B = 7;
  double norm = 0, L = 0;
  for (int n = 0; n <= B; n++) norm += pow(rho, n);
  for (int n = 0; n <= B; n++) L += n * pow(rho, n) / norm;
  const double X = lambda * (1 - pow(rho, B) / norm);
  accq_i_mixture_t mix;
  mm1_mixture(&mix, lambda, mu, B);
  ACCQ_CK_CLOSE(accq_i_mixture_mean(&mix), L / X, 1e-13, 0, "mixture mean vs Little");
  double v, e;
  ck_assert_int_eq(accq_i_mixture_integral(&mix, &v, &e, NULL), 0);
  ACCQ_CK_CLOSE(v, L / X, 1e-10, 0, "tail integral vs Little");
  accq_i_mixture_free(&mix);
}
END_TEST

START_TEST(test_erlang2_and_wide_mixture) {
  /* Erlang(2, mu = 3): P(T > t) = e^{-3t}(1 + 3t) (closed form). */
  accq_i_mixture_t mix;
  ck_assert_int_eq(accq_i_mixture_alloc(&mix, 2, NULL), 0);
  accq_i_mixture_add(&mix, 1.0, 3.0, 2);
  accq_i_mixture_add(&mix, 0.0, 5.0, 9); /* zero weight: ignored */
  ck_assert_int_eq(mix.n, 1);
  for (double t = 0.05; t < 6; t *= 1.7)
    ACCQ_CK_CLOSE(accq_i_mixture_tail(&mix, t), exp(-3 * t) * (1 + 3 * t), 1e-13, 1e-300,
                  "Erlang(2,3) tail");
  double q;
  ck_assert_int_eq(accq_i_mixture_quantile(&mix, 0.99, &q, NULL), 0);
  /* the root satisfies the closed-form equation e^{-3q}(1+3q) = 0.01 */
  ACCQ_CK_CLOSE(exp(-3 * q) * (1 + 3 * q), 0.01, 1e-11, 0, "Erlang(2,3) 99th percentile");
  accq_i_mixture_free(&mix);

  /* Widely separated scales: half Erlang(400, 1) (mean 400), half Exp(100)
   * (mean 0.01).  Integral = 0.5*400 + 0.5*0.01 = 200.005 exactly; the 90th
   * percentile solves 0.5 Q(400, t) + 0.5 e^{-100 t} = 0.1, checked through
   * that equation (the fast part is e^{-40000} there). */
  ck_assert_int_eq(accq_i_mixture_alloc(&mix, 2, NULL), 0);
  accq_i_mixture_add(&mix, 0.5, 1.0, 400);
  accq_i_mixture_add(&mix, 0.5, 100.0, 1);
  double v, e;
  ck_assert_int_eq(accq_i_mixture_integral(&mix, &v, &e, NULL), 0);
  ACCQ_CK_CLOSE(v, 200.005, 1e-10, 0, "wide mixture integral");
  ck_assert_int_eq(accq_i_mixture_quantile(&mix, 0.9, &q, NULL), 0);
  ACCQ_CK_CLOSE(accq_i_mixture_tail(&mix, q), 0.1, 1e-11, 0, "wide mixture 90th percentile");
  ck_assert(q > 400); /* beyond the slow part's mean: 0.5 Q(400,q) = 0.1 */
  accq_i_mixture_free(&mix);
}
END_TEST

START_TEST(test_bad_level) {
  accq_i_mixture_t mix;
  mm1_mixture(&mix, 1, 2, 10);
  double q;
  accq_err_t err;
  ck_assert_int_eq(accq_i_mixture_quantile(&mix, 1.0, &q, &err), ACCQ_EINVAL);
  ck_assert(isnan(q));
  accq_i_mixture_free(&mix);
}
END_TEST

int main(void) {
  Suite *s = suite_create("measures-tail");
  TCase *tc = tcase_create("tail");
  tcase_add_test(tc, test_mm1_exponential);
  tcase_add_test(tc, test_mm1b_little);
  tcase_add_test(tc, test_erlang2_and_wide_mixture);
  tcase_add_test(tc, test_bad_level);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
