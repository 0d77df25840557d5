/* verify reads its policies from the registry (include/accq/policy.h): a policy
 * type registered in one place (this file) is run by every claim that runs
 * every policy, its flags decide how the claims treat it, and the fault list
 * derives from it.  No list in verify had to change.
 *
 * The test type "test-first-shortest" is a JSQ variant: the job joins a server
 * at the lowest occupied level, the type with the lowest index among those that
 * have one (no randomisation).  It never refuses a job while a server has room
 * (sheds = 0), and it uses the fast, inaccurate type of two-tier.ini freely, so
 * its accuracy is below a* = 0.80 (hand reasoning: it sends most jobs to the
 * two fast servers of accuracy 0.6).  Registered as meeting a* by construction,
 * it is a false promise that claim 1 must catch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/verify.h"
#include "testutil.h"

static int tfs_init(accq_policy_t *pol, const char *spec, const accq_model_t *m,
                    const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  (void)pol, (void)spec, (void)m, (void)opt, (void)has_arg, (void)arg, (void)err;
  return ACCQ_SUCCESS;
}

/* The lowest level q with a server at it in any type, then the first such
 * type: one route with probability 1. */
static int tfs_dispatch(const accq_policy_t *pol, const accq_occ_t *occ, accq_route_t *routes,
                        int cap, int *nroutes) {
  (void)pol;
  int best_k = -1, best_q = 0;
  for (int k = 0; k < occ->ntypes; k++)
    for (int q = 0; q <= occ->top[k]; q++)
      if (occ->count[k][q] > 0) {
        if (best_k < 0 || q < best_q) {
          best_k = k;
          best_q = q;
        }
        break;
      }
  *nroutes = 0;
  if (best_k < 0 || cap < 1) return ACCQ_EINVAL;
  routes[0].type = best_k;
  routes[0].level = best_q;
  routes[0].prob = 1.0;
  *nroutes = 1;
  return ACCQ_SUCCESS;
}

static int tfs_max_routes(const accq_policy_t *pol, const accq_occ_t *occ) {
  (void)pol, (void)occ;
  return 1;
}

static int tfs_uses_type(const accq_policy_t *pol, int k) {
  (void)pol, (void)k;
  return 1;
}

static const accq_policy_type_t honest = {
    .name = "test-first-shortest",
    .summary = "test only: the lowest occupied level, the first type that has it",
    .sheds = 0,
    .count_exact = 1,
    .init = tfs_init,
    .dispatch = tfs_dispatch,
    .max_routes = tfs_max_routes,
    .uses_type = tfs_uses_type,
};

/* The same rule with a false promise: it says it meets a* by construction. */
static const accq_policy_type_t liar = {
    .name = "test-false-promise",
    .summary = "test only: first-shortest, registered as meeting a* (it does not)",
    .meets_target = 1,
    .sheds = 0,
    .count_exact = 1,
    .init = tfs_init,
    .dispatch = tfs_dispatch,
    .max_routes = tfs_max_routes,
    .uses_type = tfs_uses_type,
};

static accq_model_t two_tier(void) {
  accq_model_t m;
  accq_err_t err;
  int st = accq_model_load(&m, accq_src_path("models/two-tier.ini"), NULL, 0, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "%s", err.msg);
  return m;
}

/* One load (0.6, plus the model's own 2/3), m = 1, no simulated sizes, no
 * sandwich: the grid's chains only; claim 5 with few simulated jobs. */
static void small_grid(accq_verify_options_t *o, unsigned claims) {
  accq_verify_options_init(o);
  o->nloads = 1;
  o->loads[0] = 0.6;
  o->nscales = 1;
  o->scales[0] = 1;
  o->nsim_scales = 0;
  o->claims = claims;
  o->t_opt = NULL;
  o->sim_jobs = 2000;
  o->sim_threads = 1;
}

static void run(const accq_model_t *m, const accq_verify_options_t *o, accq_claim_row_t *rows,
                int *n) {
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_verify_model(m, o, rows, n, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "verify: %s", err.msg);
}

static void reg(const accq_policy_type_t *t) {
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_policy_register(t, &err) == ACCQ_SUCCESS, "%s", err.msg);
}

/* A registered policy that does not meet a*: a valid fault target, and the
 * fault makes claim 1 FAIL naming it (its E[T] is below T_LP(X) at a*, the
 * bound it does not meet); without the fault claim 1 leaves it out (below a*)
 * and claim 5 compares its lumped and explicit chains. */
START_TEST(test_registered_policy_reaches_verify) {
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_verify_fault_check("claims-target=test-first-shortest", &err),
                   ACCQ_EINVAL);
  accq_model_t m = two_tier();
  accq_verify_options_t o;
  small_grid(&o, 1u | 16u);
  accq_claim_row_t before[ACCQ_VERIFY_NCLAIMS], after[ACCQ_VERIFY_NCLAIMS];
  int nb = 0, na = 0;
  run(&m, &o, before, &nb);
  reg(&honest);
  /* the fault list is the registry's: the new policy is a valid target */
  ck_assert_msg(accq_verify_fault_check("claims-target=test-first-shortest", &err) == 0, "%s",
                err.msg);
  run(&m, &o, after, &na);
  ck_assert_int_eq(nb, 2);
  ck_assert_int_eq(na, 2);
  /* claim 1: the new policy is below a*: left out of the comparison */
  ck_assert_msg(after[0].verdict == ACCQ_VERDICT_PASS, "%s", after[0].note);
  ck_assert_int_eq(after[0].instances, before[0].instances);
  ck_assert_ptr_nonnull(strstr(before[0].note, "below a* not in the comparison"));
  /* claim 5: its lumped and explicit chains are compared (one more check) */
  ck_assert_msg(after[1].instances > before[1].instances, "claim 5: %d -> %d checks",
                before[1].instances, after[1].instances);
  ck_assert_msg(after[1].verdict == ACCQ_VERDICT_PASS, "%s", after[1].note);
  /* with the fault, claims 1 and 2 check it as if it met a*: it does not */
  small_grid(&o, 1u | 2u);
  o.fault = "claims-target=test-first-shortest";
  run(&m, &o, after, &na);
  ck_assert_int_eq(na, 2);
  ck_assert_msg(after[0].verdict == ACCQ_VERDICT_FAIL, "claim 1: %s",
                accq_verdict_name(after[0].verdict));
  ck_assert_msg(strstr(after[0].note, "test-first-shortest at load"), "%s", after[0].note);
  ck_assert_msg(after[1].verdict == ACCQ_VERDICT_FAIL, "claim 2: %s",
                accq_verdict_name(after[1].verdict));
  ck_assert_msg(strstr(after[1].note, "test-first-shortest misses a*"), "%s", after[1].note);
}
END_TEST

/* A registered policy whose type promises a* by construction is held to it
 * without any fault: claim 1 FAILs on its broken promise (its accuracy is far
 * below a* on chains that stand for an infinite buffer), and the fault cannot
 * target it. */
START_TEST(test_false_promise_caught) {
  reg(&liar);
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_verify_fault_check("claims-target=test-false-promise", &err),
                   ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "already meets a*"));
  accq_model_t m = two_tier();
  accq_verify_options_t o;
  small_grid(&o, 1u);
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  run(&m, &o, rows, &n);
  ck_assert_int_eq(n, 1);
  ck_assert_msg(rows[0].verdict == ACCQ_VERDICT_FAIL, "claim 1: %s (%s)",
                accq_verdict_name(rows[0].verdict), rows[0].note);
  ck_assert_msg(strstr(rows[0].note, "test-false-promise promises a* by construction"), "%s",
                rows[0].note);
  ck_assert_msg(rows[0].worst_margin < 0, "worst margin %g", rows[0].worst_margin);
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify_registry");
  TCase *tc = tcase_create("registry");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_registered_policy_reaches_verify);
  tcase_add_test(tc, test_false_promise_caught);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
