/* docs/claims.md.5: all stationary solvers on the same chain agree (pi and E[T]) to
 * 1e-9, each at docs/chains.md's default tolerance.  The reference is the dense LU
 * solve, an independent direct method. */
#include <math.h>

#include "common.h"

static const struct {
  const char *text, *policy;
} cases[] = {
    {"[system]\nname = s2\narrival_rate = 3.0\naccuracy_target = 0.8\nbuffer = 6\nscale = 1\n"
     "[type fast]\nservers = 2\nrate = 3.0\naccuracy = 0.6\n"
     "[type slow]\nservers = 2\nrate = 1.0\naccuracy = 0.95\n",
     "pop"},
    {"[system]\nname = s3\narrival_rate = 3.3\naccuracy_target = 0.7\nbuffer = 5\nscale = 1\n"
     "[type a]\nservers = 1\nrate = 4.0\naccuracy = 0.5\n"
     "[type b]\nservers = 2\nrate = 1.5\naccuracy = 0.75\n"
     "[type c]\nservers = 1\nrate = 0.7\naccuracy = 0.9\n",
     "rjiq"},
    {"[system]\nname = s1\narrival_rate = 2.7\naccuracy_target = 0.5\nbuffer = 9\nscale = 1\n"
     "[type only]\nservers = 3\nrate = 1.0\naccuracy = 0.9\n",
     "pod:2"},
};

START_TEST(test_all_solvers_agree) {
  const accq_solver_kind_t kinds[] = {ACCQ_SOLVER_SOR, ACCQ_SOLVER_GMRES, ACCQ_SOLVER_POWER,
                                      ACCQ_SOLVER_ARNOLDI, ACCQ_SOLVER_AUTO};
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    accq_model_t m;
    mt_model(&m, cases[ci].text);
    accq_policy_t *pol = mt_policy(&m, cases[ci].policy);
    mt_solved_t ref = mt_solve(&m, pol, m.buffer, 0, ACCQ_SOLVER_DENSE, 1e-12);
    ck_assert_int_gt(ref.c->nstates, 50);
    accq_measures_t mref = mt_measures(&ref, pol);
    for (size_t j = 0; j < sizeof kinds / sizeof kinds[0]; j++) {
      mt_solved_t s = mt_solve(&m, pol, m.buffer, 0, kinds[j], 1e-12);
      ck_assert_int_eq(s.c->nstates, ref.c->nstates);
      double dmax = 0;
      for (int64_t i = 0; i < s.c->nstates; i++) dmax = fmax(dmax, fabs(s.pi[i] - ref.pi[i]));
      ck_assert_msg(dmax <= 1e-9, "%s on %s: max |pi - pi_dense| = %.3g with %s", cases[ci].policy,
                    m.name, dmax, s.stats.name);
      accq_measures_t ms = mt_measures(&s, pol);
      char what[128];
      snprintf(what, sizeof what, "E[T] of %s on %s, %s vs dense", cases[ci].policy, m.name,
               s.stats.name);
      ACCQ_CK_CLOSE(ms.mean_response_time, mref.mean_response_time, 1e-9, 0, what);
      ck_assert(s.stats.residual <= 1e-12);
      mt_free(&s);
    }
    mt_free(&ref);
    accq_policy_free(pol);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("measures-solvers");
  TCase *tc = tcase_create("solvers");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_all_solvers_agree);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
