/* A model's verify rows as bytes and back (accq_verify_rows_pack/unpack: a
 * cell of `accq verify` under accq_dist_run): every field survives exactly
 * (NaN, -infinity and -0 margins by their bits, strings of the full field
 * length, more simulation warnings than are kept), packing the unpacked rows
 * gives the same bytes, and bytes that are cut short, too long, hold too many
 * rows or a verdict out of range are refused.  Hand-built rows: no claim is
 * run here (tests/mpi compares whole `accq verify` outputs across ranks). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/dist.h"
#include "accq/verify.h"
#include "testutil.h"

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* a string of exactly size-1 characters (the longest a field holds) */
static void fill(char *s, size_t size, char c) {
  memset(s, c, size - 1);
  s[size - 1] = '\0';
}

static void make_rows(accq_claim_row_t *r, int n) {
  memset(r, 0, (size_t)n * sizeof *r);
  const double margins[] = {0.25, NAN, -INFINITY, -0.0, 1e-310};
  for (int i = 0; i < n; i++) {
    r[i].claim = i + 1;
    snprintf(r[i].title, sizeof r[i].title, "claim \"%d\"; tab\there", i + 1);
    fill(r[i].model, sizeof r[i].model, (char)('a' + i));
    r[i].verdict = (accq_verdict_t)(i % 4);
    r[i].instances = 17 * i;
    r[i].excluded = i;
    r[i].worst_margin = margins[i % 5];
    fill(r[i].margin_what, sizeof r[i].margin_what, 'm');
    fill(r[i].evidence, sizeof r[i].evidence, 'e');
    snprintf(r[i].note, sizeof r[i].note, "note %d: 0.1 + 0.2 != 0.3", i);
    if (r[i].verdict == ACCQ_VERDICT_SKIPPED) fill(r[i].reason, sizeof r[i].reason, 'r');
    r[i].seconds = 0.1 * i;
    r[i].stopped = i == 3;
    /* row 1 has more warnings than a row keeps: the count survives, the kept
     * texts too */
    r[i].nwarnings = i == 1 ? ACCQ_VERIFY_ROW_WARNINGS + 2 : i % 2;
    int kept = r[i].nwarnings < ACCQ_VERIFY_ROW_WARNINGS ? r[i].nwarnings : ACCQ_VERIFY_ROW_WARNINGS;
    for (int j = 0; j < kept; j++) fill(r[i].warnings[j], sizeof r[i].warnings[j], (char)('0' + j));
  }
}

static void same_row(const accq_claim_row_t *a, const accq_claim_row_t *b) {
  ck_assert_int_eq(a->claim, b->claim);
  ck_assert_str_eq(a->title, b->title);
  ck_assert_str_eq(a->model, b->model);
  ck_assert_int_eq(a->verdict, b->verdict);
  ck_assert_int_eq(a->instances, b->instances);
  ck_assert_int_eq(a->excluded, b->excluded);
  ck_assert_msg(same_bits(a->worst_margin, b->worst_margin), "margin %g vs %g", a->worst_margin,
                b->worst_margin);
  ck_assert_str_eq(a->margin_what, b->margin_what);
  ck_assert_str_eq(a->evidence, b->evidence);
  ck_assert_str_eq(a->note, b->note);
  ck_assert_str_eq(a->reason, b->reason);
  ck_assert(same_bits(a->seconds, b->seconds));
  ck_assert_int_eq(a->stopped, b->stopped);
  ck_assert_int_eq(a->nwarnings, b->nwarnings);
  for (int j = 0; j < a->nwarnings && j < ACCQ_VERIFY_ROW_WARNINGS; j++)
    ck_assert_str_eq(a->warnings[j], b->warnings[j]);
}

#define N ACCQ_VERIFY_NCLAIMS

START_TEST(test_rows_round_trip) {
  static accq_claim_row_t in[N], out[N];
  make_rows(in, N);
  void *bytes, *again;
  size_t len, alen;
  accq_err_t err;
  ck_assert_int_eq(accq_verify_rows_pack(in, N, &bytes, &len, &err), 0);
  int n = -1;
  ck_assert_msg(accq_verify_rows_unpack(bytes, len, out, N, &n, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(n, N);
  for (int i = 0; i < N; i++) same_row(&in[i], &out[i]);
  /* what a rank sends and what rank 0 re-reads are the same bytes */
  ck_assert_int_eq(accq_verify_rows_pack(out, n, &again, &alen, &err), 0);
  ck_assert_uint_eq(alen, len);
  ck_assert_int_eq(memcmp(again, bytes, len), 0);
  free(again);
  /* no rows (a model whose claims were all deselected) */
  ck_assert_int_eq(accq_verify_rows_pack(in, 0, &again, &alen, &err), 0);
  ck_assert_int_eq(accq_verify_rows_unpack(again, alen, out, N, &n, &err), 0);
  ck_assert_int_eq(n, 0);
  free(again);
  free(bytes);
}
END_TEST

START_TEST(test_rows_refused) {
  static accq_claim_row_t in[N], out[N];
  make_rows(in, N);
  void *bytes;
  size_t len;
  accq_err_t err;
  int n;
  ck_assert_int_eq(accq_verify_rows_pack(in, N, &bytes, &len, &err), 0);
  /* every shorter prefix is refused (sampled), and so is one byte more */
  for (size_t cut = 0; cut < len; cut += 1 + cut / 7) {
    ck_assert_int_eq(accq_verify_rows_unpack(bytes, cut, out, N, &n, &err), ACCQ_EINVAL);
    ck_assert_int_eq(n, 0);
  }
  unsigned char *longer = malloc(len + 1);
  memcpy(longer, bytes, len);
  longer[len] = 7;
  ck_assert_int_eq(accq_verify_rows_unpack(longer, len + 1, out, N, &n, &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "verify cell"));
  /* more rows than the caller has room for */
  ck_assert_int_eq(accq_verify_rows_unpack(bytes, len, out, N - 1, &n, &err), ACCQ_EINVAL);
  /* a verdict out of range (the 4th field of row 0: after count, claim,
   * title, model) */
  accq_dist_reader_t r;
  accq_dist_reader_init(&r, bytes, len);
  accq_dist_get_i64(&r);
  accq_dist_get_i64(&r);
  char tmp[1024];
  accq_dist_get_str(&r, tmp, sizeof tmp);
  accq_dist_get_str(&r, tmp, sizeof tmp);
  ck_assert(!r.failed);
  memcpy(longer, bytes, len);
  longer[r.pos] = 9;
  ck_assert_int_eq(accq_verify_rows_unpack(longer, len, out, N, &n, &err), ACCQ_EINVAL);
  free(longer);
  free(bytes);
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify_cells");
  TCase *tc = tcase_create("rows");
  tcase_add_test(tc, test_rows_round_trip);
  tcase_add_test(tc, test_rows_refused);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
