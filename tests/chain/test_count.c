/* The exact count of the reachable states (accq_chain_count_reachable,
 * accq_chain_size_reachable) against the chain the build produces: the
 * reference is the built chain's state count, an independent method (the
 * build's own breadth-first search with its rank -> index array). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/chain.h"
#include "accq/lp.h"
#include "accq/policy.h"
#include "testutil.h"

static void load_file(accq_model_t *m, const char *rel) {
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_model_load(m, accq_src_path(rel), NULL, 0, &err);
  ck_assert_msg(st == 0, "%s: %s", rel, err.msg);
  ck_assert_int_eq(accq_lp_model_resolve(m, &err), 0);
}

/* The policy with a finite buffer (an rjiq split that saturates a type is then
 * accepted); NULL when it has no solution on this model (accurate-jiq with no
 * accurate type, an infeasible LP), which the caller counts. */
static accq_policy_t *policy(const accq_model_t *m, const char *name) {
  accq_policy_t *pol = NULL;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  po.finite_buffer = 1;
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_policy_alloc(&pol, name, m, &po, &err);
  if (st == ACCQ_EACCINFEAS || st == ACCQ_ECAPINFEAS) return NULL;
  ck_assert_msg(st == 0, "%s: %s", name, err.msg);
  return pol;
}

/* count == built states, for every policy, and the size decision agrees */
static int check_model(const char *rel, int B) {
  accq_model_t m;
  load_file(&m, rel);
  int checked = 0;
  for (int i = 0; i < accq_policy_nnames; i++) {
    accq_policy_t *p = policy(&m, accq_policy_names[i]);
    if (!p) continue;
    accq_err_t err;
    accq_err_clear(&err);
    accq_chain_t *c = NULL;
    ck_assert_msg(accq_chain_build(&c, &m, p, B, NULL, &err) == 0, "%s %s B=%d: %s", rel,
                  accq_policy_names[i], B, err.msg);
    int64_t n = 0;
    int exact = 0;
    ck_assert_int_eq(accq_chain_count_reachable(&m, p, B, INT64_MAX / 2, 1e9, &n, &exact, &err), 0);
    ck_assert_msg(exact == 1 && n == c->nstates, "%s %s B=%d: counted %lld, built %lld", rel,
                  accq_policy_names[i], B, (long long)n, (long long)c->nstates);
    double states = 0, bytes = 0;
    ck_assert_int_eq(accq_chain_size_reachable(&m, p, B, NULL, &states, &bytes, &exact, &err), 0);
    ck_assert_msg(exact == 1 && states == (double)c->nstates,
                  "%s %s B=%d: size %g (exact %d), built %lld", rel, accq_policy_names[i], B,
                  states, exact, (long long)c->nstates);
    ck_assert(bytes > 0);
    accq_chain_free(c);
    accq_policy_free(p);
    checked++;
  }
  return checked;
}

START_TEST(test_count_equals_build) {
  const char *models[] = {"models/two-tier.ini", "models/llm-three-tier.ini"};
  for (int f = 0; f < 2; f++)
    for (int B = 2; B <= 4; B++)
      ck_assert_int_ge(check_model(models[f], B), accq_policy_nnames - 1);
  ck_assert_int_ge(check_model("tests/models/three-8-4-2.ini", 3), accq_policy_nnames - 1);
}
END_TEST

/* pop on three-8-4-2 at B = 6: the product bound is C(14,6) C(10,6) C(8,6) =
 * 3003 * 210 * 28 = 17,657,640, the reachable chain 264,600 (the build). */
START_TEST(test_pop_b6) {
  accq_model_t m;
  load_file(&m, "tests/models/three-8-4-2.ini");
  accq_policy_t *p = policy(&m, "pop");
  ck_assert_ptr_nonnull(p);
  accq_err_t err;
  double product = 0, states = 0, bytes = 0;
  int exact = 0;
  ck_assert_int_eq(accq_chain_size_estimate(&m, p, 6, &product, NULL, &err), 0);
  ACCQ_CK_CLOSE(product, 17657640.0, 0, 0, "product bound by hand");
  ck_assert_int_eq(accq_chain_size_reachable(&m, p, 6, NULL, &states, &bytes, &exact, &err), 0);
  ck_assert_int_eq(exact, 1);
  ck_assert_msg(states > 264600.0 / 2 && states < 264600.0 * 2, "states %g", states);
  accq_chain_t *c = NULL;
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 6, NULL, &err), 0);
  ck_assert_int_eq(c->nstates, 264600);
  ACCQ_CK_CLOSE(states, (double)c->nstates, 0, 0, "count = build");
  accq_chain_free(c);

  /* a limit below the count: counting stops, the size is "more than" the
   * limit, and the build refuses with that figure */
  accq_chain_options_t opt;
  accq_chain_options_init(&opt);
  opt.max_states = 100000;
  ck_assert_int_eq(accq_chain_size_reachable(&m, p, 6, &opt, &states, &bytes, &exact, &err), 0);
  ck_assert_int_eq(exact, -1);
  ACCQ_CK_CLOSE(states, 100001.0, 0, 0, "lower bound = limit + 1");
  int st = accq_chain_build(&c, &m, p, 6, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_ptr_null(c);
  ck_assert_msg(strstr(err.msg, "more than 100000 reachable states"), "message: %s", err.msg);
  /* a limit above the count but below the product: the build goes ahead,
   * its state arrays sized by the count */
  opt.max_states = 300000;
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 6, &opt, &err), 0);
  ck_assert_int_eq(c->nstates, 264600);
  accq_chain_free(c);
  opt.max_states = 264599;
  st = accq_chain_build(&c, &m, p, 6, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "more than 264599 reachable states"), "message: %s", err.msg);
  /* within the state limit but not the memory limit (the build's own figure
   * is 264600 x (97 + 5 x 13.2) bytes + a hashed rank map of 2^20 slots of
   * 4 bytes = 0.0441 GiB): refused with the exact count */
  opt.max_states = 20000000;
  opt.max_bytes = 0.04 * 1024.0 * 1024.0 * 1024.0;
  opt.storage = ACCQ_STORAGE_STORED;
  st = accq_chain_build(&c, &m, p, 6, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "264600 reachable states (exact count)"), "message: %s", err.msg);
  /* storage auto: matrix-free fits (264600 x 90 bytes + a hashed rank map
   * of 2^20 slots of 4 bytes = 0.0261 GiB); below that, refused as well */
  opt.storage = ACCQ_STORAGE_AUTO;
  ck_assert_int_eq(accq_chain_build(&c, &m, p, 6, &opt, &err), 0);
  ck_assert_int_eq(c->storage, ACCQ_STORAGE_MATRIX_FREE);
  ck_assert_int_eq(c->nstates, 264600);
  accq_chain_free(c);
  opt.max_bytes = 0.025 * 1024.0 * 1024.0 * 1024.0;   /* the count still fits a quarter */
  st = accq_chain_build(&c, &m, p, 6, &opt, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "264600 reachable states (exact count)") &&
                    strstr(err.msg, "matrix-free storage"),
                "message: %s", err.msg);
  /* no memory for the bitmap (17.7e6 bits = 2.2 MB > a quarter of 1 MB): the
   * product bound, labelled as such */
  opt.max_states = 20000000;
  opt.max_bytes = 1e6;
  ck_assert_int_eq(accq_chain_size_reachable(&m, p, 6, &opt, &states, &bytes, &exact, &err), 0);
  ck_assert_int_eq(exact, 0);
  ACCQ_CK_CLOSE(states, product, 0, 0, "fallback = product");
  /* rjiq: the product count is exact, no count needed (and pop's bitmap
   * budget does not matter) */
  accq_policy_t *r = policy(&m, "rjiq");
  ck_assert_int_eq(accq_chain_size_reachable(&m, r, 6, &opt, &states, &bytes, &exact, &err), 0);
  ck_assert_int_eq(exact, 1);
  accq_policy_free(r);
  accq_policy_free(p);
}
END_TEST

int main(void) {
  Suite *s = suite_create("chain_count");
  TCase *tc = tcase_create("count");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_count_equals_build);
  tcase_add_test(tc, test_pop_b6);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
