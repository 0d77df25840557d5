/* proofs/accuracy-guarantees.md: the finite-buffer bound
 * A >= a* - d P_loss/(1 - P_loss), d = max_k (a_k - a*)^+, its sharpness, and a
 * worked case where a small buffer
 * pushes R-JIQ's admitted accuracy below a*.  (The bundled models are in
 * test_bundled_accuracy.c.) */
#include <math.h>

#include "common.h"

START_TEST(test_finite_buffer_bound) {
  /* proofs/accuracy-guarantees.md, statement 3: every per-state accurate policy
   * has A >= a* - d P_loss / (1 - P_loss), d = max_k (a_k - a*)^+ (the largest
   * surplus: a lost job takes its type's accuracy away).  Small buffers make
   * P_loss large enough for the bound to matter. */
  const char *text = "[system]\nname = fb\narrival_rate = 2.6\naccuracy_target = 0.75\n"
                     "buffer = 2\nscale = 1\n"
                     "[type fast]\nservers = 2\nrate = 2.0\naccuracy = 0.55\n"
                     "[type slow]\nservers = 2\nrate = 1.0\naccuracy = 0.92\n";
  const char *names[] = {"rjiq", "pop", "random-lp", "accurate-jiq"};
  for (int B = 1; B <= 4; B++)
    for (int j = 0; j < 4; j++) {
      accq_measures_t ms = mt_run(text, names[j], B);
      const double d = 0.92 - 0.75; /* slow's surplus; fast has none */
      const double bound = 0.75 - d * ms.loss_probability / (1 - ms.loss_probability);
      ck_assert(ms.loss_probability > 1e-4);
      ck_assert_msg(ms.accuracy >= bound - 1e-12, "%s B=%d: accuracy %.17g < bound %.17g",
                    names[j], B, ms.accuracy, bound);
      ck_assert(ms.loss_probability <= ms.boundary_mass + 1e-15); /* P_loss <= beta */
    }
}
END_TEST

START_TEST(test_finite_buffer_bound_sharp) {
  /* proofs/accuracy-guarantees.md, statement 4: slow (1 server, mu 1, a 1.0) and
   * fast (10 servers, mu 4, a 0.7), a* = 0.75, Lambda = 5.4, B = 2.  The pair's
   * w = 1/6: x_slow = 0.9, x_fast = 4.5.  By thinning the slow server is an
   * M/M/1/2 at rho 0.9, blocking 81/271; were the fast type lossless, P_loss =
   * 81/1626 and A = 0.75 - 0.25 * 81/1545 (hand derivation), which is the bound
   * with d = 0.25.  The fast type's losses (a JIQ of ten servers at B = 2) move A
   * by about 1e-10.  The former constant (largest shortfall 0.05) gave a bound
   * 0.0105 above A. */
  const char *text = "[system]\nname = sharp\narrival_rate = 5.4\naccuracy_target = 0.75\n"
                     "buffer = 2\nscale = 1\n"
                     "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 1.0\n"
                     "[type fast]\nservers = 10\nrate = 4.0\naccuracy = 0.7\n";
  const char *names[] = {"rjiq", "pop"};
  for (int j = 0; j < 2; j++) {
    accq_measures_t ms = mt_run(text, names[j], 2);
    const double r = ms.loss_probability / (1 - ms.loss_probability);
    const double bound = 0.75 - 0.25 * r;
    ck_assert_msg(ms.accuracy >= bound - 1e-12, "%s: accuracy %.17g < bound %.17g", names[j],
                  ms.accuracy, bound);
    ck_assert_msg(ms.accuracy - bound < 1e-7, "%s: the bound is not attained (%.17g vs %.17g)",
                  names[j], ms.accuracy, bound);
    ck_assert_msg(ms.accuracy < 0.75 - 0.05 * r - 0.01, "%s: the former bound should fail",
                  names[j]);
  }
  accq_measures_t ms = mt_run(text, "rjiq", 2);
  ACCQ_CK_CLOSE(ms.accuracy, 0.75 - 0.25 * 81.0 / 1545.0, 1e-8, 0, "rjiq accuracy at B = 2");
}
END_TEST

START_TEST(test_small_buffer_biases_accuracy) {
  /* proofs/accuracy-guarantees.md, step 4: fast (mu 4, a 0.5) + slow (mu 1,
   * a 0.9), one server each, a* = 0.8, Lambda = 1.2.  LP: x_slow = 0.9,
   * x_fast = 0.3.  One server per type: rjiq = two independent M/M/1/2 with
   * rho = 0.9 and 0.075; exact rational arithmetic gives the admitted accuracy
   * (0.9 X_s + 0.5 X_f)/(X_s + X_f) = 1120037/1451650 < 0.8. */
  const char *text = "[system]\nname = bias\narrival_rate = 1.2\naccuracy_target = 0.8\n"
                     "buffer = 2\nscale = 1\n"
                     "[type fast]\nservers = 1\nrate = 4.0\naccuracy = 0.5\n"
                     "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n";
  accq_measures_t ms = mt_run(text, "rjiq", 2);
  ACCQ_CK_CLOSE(ms.accuracy, 1120037.0 / 1451650.0, 1e-11, 0, "rjiq accuracy at B = 2");
  ck_assert(ms.accuracy < 0.8 - 0.02);
  /* and it recovers as B grows (B = 60: 0.799986..., same closed form) */
  ms = mt_run(text, "rjiq", 60);
  ck_assert(ms.accuracy < 0.8 && ms.accuracy > 0.8 - 2e-5);
}
END_TEST

int main(void) {
  Suite *s = suite_create("measures-accuracy");
  TCase *tc = tcase_create("accuracy");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_finite_buffer_bound);
  tcase_add_test(tc, test_finite_buffer_bound_sharp);
  tcase_add_test(tc, test_small_buffer_biases_accuracy);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
