/* Lumped state space: rank/unrank bijection, the count formula, and the
 * refusal of spaces beyond 2^63. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accq/chain.h"
#include "testutil.h"

/* Enumerates every composition of n into L parts by recursion (independent of
 * the combinatorial rank) and calls back with each. */
typedef struct {
  const accq_space_t *sp;
  int ntypes, L;
  const int *servers;
  int *count;
  uint8_t *seen;
  uint64_t visited;
} enum_ctx_t;

static void visit(enum_ctx_t *e) {
  uint64_t r = accq_space_rank(e->sp, e->count);
  ck_assert_msg(r < accq_space_size(e->sp), "rank %llu out of range", (unsigned long long)r);
  ck_assert_msg(!e->seen[r], "rank %llu hit twice", (unsigned long long)r);
  e->seen[r] = 1;
  int back[64];
  accq_space_unrank(e->sp, r, back);
  ck_assert(memcmp(back, e->count, (size_t)(e->ntypes * e->L) * sizeof(int)) == 0);
  e->visited++;
}

static void compose(enum_ctx_t *e, int k, int q, int left) {
  if (k == e->ntypes) {
    visit(e);
    return;
  }
  int *c = e->count + k * e->L;
  if (q == e->L - 1) {
    c[q] = left;
    compose(e, k + 1, 0, e->servers[k + 1 < e->ntypes ? k + 1 : k]);
    return;
  }
  for (int v = 0; v <= left; v++) {
    c[q] = v;
    compose(e, k, q + 1, left - v);
  }
}

static double binom(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
  return c;
}

START_TEST(test_bijection) {
  struct {
    int ntypes, B, servers[4];
  } cases[] = {
      {1, 1, {1}},        {1, 3, {4}},        {2, 2, {3, 1}}, {2, 5, {2, 3}},
      {3, 3, {1, 2, 2}},  {3, 1, {5, 1, 2}},  {1, 7, {6}},    {4, 2, {2, 1, 3, 1}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    accq_space_t *sp = NULL;
    accq_err_t err;
    int K = cases[i].ntypes, B = cases[i].B;
    ck_assert_int_eq(accq_space_alloc(&sp, K, cases[i].servers, B, &err), 0);
    /* docs/chains.md: S = prod_k C(N_k + B, B) */
    double want = 1;
    for (int k = 0; k < K; k++) want *= binom(cases[i].servers[k] + B, B);
    double got = 0;
    ck_assert_int_eq(accq_space_count(K, cases[i].servers, B, &got, &err), 0);
    ACCQ_CK_CLOSE(got, want, 0, 0, "space count");
    ck_assert_uint_eq(accq_space_size(sp), (uint64_t)want);
    ck_assert_int_eq(accq_space_ntypes(sp), K);
    ck_assert_int_eq(accq_space_buffer(sp), B);
    int count[64];
    enum_ctx_t e = {sp, K, B + 1, cases[i].servers, count, calloc((size_t)want, 1), 0};
    compose(&e, 0, 0, cases[i].servers[0]);
    /* the enumeration reached every rank exactly once */
    ck_assert_uint_eq(e.visited, (uint64_t)want);
    free(e.seen);
    accq_space_free(sp);
  }
}
END_TEST

START_TEST(test_count_limits) {
  accq_err_t err;
  double c = 0;
  /* C(66, 33) = 7219428434016265740 < 2^63: accepted and exact (one type, N = B = 33) */
  int n33[1] = {33};
  ck_assert_int_eq(accq_space_count(1, n33, 33, &c, &err), 0);
  ck_assert(c == 7219428434016265740.0);
  /* C(67, 33) = 14226520737620288370 > 2^63: refused */
  int n34[1] = {34};
  int st = accq_space_count(1, n34, 33, &c, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_int_eq(accq_status_exit_code(st), 3);
  ck_assert_msg(strstr(err.msg, "10^19.15") != NULL, "message: %s", err.msg);
  /* the product overflows though each factor fits: 3 x C(40,20) ~ (1.38e11)^3 */
  int n20[3] = {20, 20, 20};
  st = accq_space_count(3, n20, 20, &c, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "10^33.42") != NULL, "message: %s", err.msg);
  /* astronomically large: no wrap, no inf in the message */
  int big[2] = {1000000, 1000000};
  accq_space_t *sp = NULL;
  st = accq_space_alloc(&sp, 2, big, 200, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_ptr_null(sp);
  ck_assert_msg(strstr(err.msg, "10^") && !strstr(err.msg, "inf"), "message: %s", err.msg);
  /* bad input */
  ck_assert_int_eq(accq_space_count(1, n33, 0, &c, &err), ACCQ_EINVAL);
}
END_TEST

/* The largest allowed single type ranks and unranks at the top of its range. */
START_TEST(test_extreme_ranks) {
  int n33[1] = {33};
  accq_space_t *sp = NULL;
  ck_assert_int_eq(accq_space_alloc(&sp, 1, n33, 33, NULL), 0);
  int c[34], back[34];
  uint64_t size = accq_space_size(sp);
  for (uint64_t r = size - 3; r < size; r++) {
    accq_space_unrank(sp, r, c);
    int sum = 0;
    for (int q = 0; q <= 33; q++) sum += c[q];
    ck_assert_int_eq(sum, 33);
    ck_assert_uint_eq(accq_space_rank(sp, c), r);
  }
  /* all idle is rank 0 (the empty system first); all servers at level B last */
  memset(c, 0, sizeof c);
  c[33] = 33;
  ck_assert_uint_eq(accq_space_rank(sp, c), size - 1);
  memset(c, 0, sizeof c);
  c[0] = 33;
  ck_assert_uint_eq(accq_space_rank(sp, c), 0);
  accq_space_unrank(sp, 12345678901234ULL, back);
  ck_assert_uint_eq(accq_space_rank(sp, back), 12345678901234ULL);
  accq_space_free(sp);
}
END_TEST

int main(void) {
  Suite *s = suite_create("space");
  TCase *tc = tcase_create("space");
  tcase_add_test(tc, test_bijection);
  tcase_add_test(tc, test_count_limits);
  tcase_add_test(tc, test_extreme_ranks);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
