/* proofs/accuracy-guarantees.md: the finite-buffer bound
 * A >= a* - delta P_loss/(1 - P_loss), and a worked case where a small buffer
 * pushes R-JIQ's admitted accuracy below a*.  (The bundled models are in
 * test_bundled_accuracy.c.) */
#include <math.h>

#include "common.h"

START_TEST(test_finite_buffer_bound) {
  /* proofs/accuracy-guarantees.md, step 2: every per-state accurate policy has
   * A >= a* - delta P_loss / (1 - P_loss), delta = max_k (a* - a_k)^+.  Small
   * buffers make P_loss large enough for the bound to matter. */
  const char *text = "[system]\nname = fb\narrival_rate = 2.6\naccuracy_target = 0.75\n"
                     "buffer = 2\nscale = 1\n"
                     "[type fast]\nservers = 2\nrate = 2.0\naccuracy = 0.55\n"
                     "[type slow]\nservers = 2\nrate = 1.0\naccuracy = 0.92\n";
  const char *names[] = {"rjiq", "pop", "random-lp", "accurate-jiq"};
  for (int B = 1; B <= 4; B++)
    for (int j = 0; j < 4; j++) {
      accq_measures_t ms = mt_run(text, names[j], B);
      const double delta = 0.75 - 0.55;
      const double bound = 0.75 - delta * ms.loss_probability / (1 - ms.loss_probability);
      ck_assert(ms.loss_probability > 1e-4);
      ck_assert_msg(ms.accuracy >= bound - 1e-12, "%s B=%d: accuracy %.17g < bound %.17g",
                    names[j], B, ms.accuracy, bound);
      ck_assert(ms.loss_probability <= ms.boundary_mass + 1e-15); /* P_loss <= beta */
    }
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
  tcase_add_test(tc, test_small_buffer_biases_accuracy);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
