/* What a run of verify adds up to (src/verify/summary.c), on rows built by
 * hand: the verdict counts, the exit status (1 FAIL, else 3 SKIPPED, else 0:
 * docs/output.md), the warning texts of a row, and the report (a SKIPPED row
 * has status "skipped", its reason and a null margin; every warning reaches
 * the top-level "warnings"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/verify.h"
#include "testutil.h"

static accq_claim_row_t row(int claim, const char *model, accq_verdict_t v) {
  accq_claim_row_t r;
  memset(&r, 0, sizeof r);
  r.claim = claim;
  snprintf(r.title, sizeof r.title, "title %d", claim);
  snprintf(r.model, sizeof r.model, "%s", model);
  r.verdict = v;
  r.instances = v == ACCQ_VERDICT_SKIPPED ? 0 : 3;
  r.worst_margin = v == ACCQ_VERDICT_SKIPPED ? NAN : 0.25;
  return r;
}

START_TEST(test_counts_and_exit_status) {
  accq_claim_row_t rows[4] = {row(1, "a", ACCQ_VERDICT_PASS), row(2, "a", ACCQ_VERDICT_PARTIAL),
                              row(3, "a", ACCQ_VERDICT_PASS), row(4, "a", ACCQ_VERDICT_PASS)};
  int count[4];
  accq_verify_count(rows, 4, count);
  ck_assert_int_eq(count[ACCQ_VERDICT_PASS], 3);
  ck_assert_int_eq(count[ACCQ_VERDICT_PARTIAL], 1);
  ck_assert_int_eq(count[ACCQ_VERDICT_FAIL], 0);
  ck_assert_int_eq(count[ACCQ_VERDICT_SKIPPED], 0);
  /* PARTIAL is held on the part checked: exit 0 */
  ck_assert_int_eq(accq_verify_exit_status(rows, 4), 0);
  rows[3].verdict = ACCQ_VERDICT_SKIPPED;
  ck_assert_int_eq(accq_verify_exit_status(rows, 4), 3);
  /* FAIL wins over SKIPPED */
  rows[0].verdict = ACCQ_VERDICT_FAIL;
  ck_assert_int_eq(accq_verify_exit_status(rows, 4), 1);
  accq_verify_count(rows, 4, count);
  ck_assert_int_eq(count[ACCQ_VERDICT_FAIL], 1);
  ck_assert_int_eq(count[ACCQ_VERDICT_SKIPPED], 1);
  ck_assert_int_eq(accq_verify_exit_status(rows, 0), 0);
}
END_TEST

/* Six simulation warnings, four kept (ACCQ_VERIFY_ROW_WARNINGS): four texts and
 * one "2 more"; a SKIPPED row's reason first when asked for. */
START_TEST(test_row_warnings) {
  ck_assert_int_eq(ACCQ_VERIFY_ROW_WARNINGS, 4);
  accq_claim_row_t r = row(2, "two-tier", ACCQ_VERDICT_PASS);
  r.nwarnings = 6;
  for (int j = 0; j < ACCQ_VERIFY_ROW_WARNINGS; j++)
    snprintf(r.warnings[j], sizeof r.warnings[j], "simulation pop load 0.30 m=%d: trend", 4 << j);
  char text[ACCQ_VERIFY_ROW_TEXTS][ACCQ_VERIFY_TEXT_MAX];
  int n = accq_verify_row_warnings(&r, 1, text);
  ck_assert_int_eq(n, 5);
  ck_assert_str_eq(text[0],
                   "claim 2 on two-tier: simulation pop load 0.30 m=4: trend (not used as evidence)");
  ck_assert_str_eq(text[4], "claim 2 on two-tier: 2 more simulation warning(s)");
  r = row(5, "m", ACCQ_VERDICT_SKIPPED);
  snprintf(r.reason, sizeof r.reason, "every chain over the state limit");
  ck_assert_int_eq(accq_verify_row_warnings(&r, 0, text), 0);
  ck_assert_int_eq(accq_verify_row_warnings(&r, 1, text), 1);
  ck_assert_str_eq(text[0], "claim 5 on m SKIPPED: every chain over the state limit");
}
END_TEST

static char *render(const accq_report_t *rep, accq_format_t f) {
  char *buf = NULL;
  size_t size = 0;
  FILE *mf = open_memstream(&buf, &size);
  ck_assert_ptr_nonnull(mf);
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_report_write(rep, f, mf, &err) == ACCQ_SUCCESS, "%s", err.msg);
  fclose(mf);
  return buf;
}

START_TEST(test_report) {
  accq_claim_row_t rows[2] = {row(1, "a", ACCQ_VERDICT_PASS), row(2, "a", ACCQ_VERDICT_SKIPPED)};
  snprintf(rows[1].reason, sizeof rows[1].reason, "nothing to check");
  rows[0].nwarnings = 1;
  snprintf(rows[0].warnings[0], sizeof rows[0].warnings[0], "simulation x: bias");
  accq_report_t *rep = accq_verify_report(rows, 2, 1, 2.5);
  ck_assert_ptr_nonnull(rep);
  char *json = render(rep, ACCQ_FORMAT_JSON);
  ck_assert_msg(strstr(json, "\"verdict\": \"SKIPPED\""), "%s", json);
  ck_assert_msg(strstr(json, "\"skipped\": 1"), "%s", json);
  ck_assert_msg(strstr(json, "\"claim 2 on a SKIPPED: nothing to check\""), "%s", json);
  ck_assert_msg(strstr(json, "\"claim 1 on a: simulation x: bias (not used as evidence)\""), "%s",
                json);
  ck_assert_msg(strstr(json, "\"status\": \"skipped\""), "%s", json);
  ck_assert_msg(strstr(json, "\"worst_margin\": null"), "%s", json);
  ck_assert_msg(strstr(json, "\"worst_margin\": 0.25"), "%s", json);
  ck_assert_msg(strstr(json, "\"reason\": null"), "%s", json);
  free(json);
  char *csv = render(rep, ACCQ_FORMAT_CSV);
  ck_assert_msg(!strncmp(csv, "claim,title,model,verdict,status,reason,instances", 49), "%s", csv);
  free(csv);
  accq_report_free(rep);
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify_summary");
  TCase *tc = tcase_create("summary");
  tcase_add_test(tc, test_counts_and_exit_status);
  tcase_add_test(tc, test_row_warnings);
  tcase_add_test(tc, test_report);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
