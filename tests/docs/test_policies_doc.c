/* docs/policies.md and the policy registry agree: the table between the
 * policy-table markers is exactly what `accq policies --markdown` writes
 * (accq_policy_type_table), and every registered name appears in the rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/policy.h"
#include "testutil.h"

static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq((long)fread(s, 1, (size_t)n, f), n);
  s[n] = '\0';
  fclose(f);
  return s;
}

START_TEST(test_table_matches_registry) {
  char *doc = read_all(accq_src_path("docs/policies.md"));
  const char *begin = strstr(doc, "<!-- policy-table:begin");
  ck_assert_msg(begin != NULL, "docs/policies.md lost its policy-table:begin marker");
  begin = strchr(begin, '\n');
  ck_assert_ptr_nonnull(begin);
  begin++;
  const char *end = strstr(begin, "<!-- policy-table:end -->");
  ck_assert_msg(end != NULL, "docs/policies.md lost its policy-table:end marker");
  int n = accq_policy_type_table(NULL, 0, 1);
  ck_assert_int_gt(n, 0);
  char *want = malloc((size_t)n + 1);
  ck_assert_int_eq(accq_policy_type_table(want, n + 1, 1), n);
  size_t got_len = (size_t)(end - begin);
  ck_assert_msg(got_len == (size_t)n && !memcmp(begin, want, got_len),
                "docs/policies.md's table differs from the registry; regenerate it with "
                "`accq policies --markdown`.\n--- registry:\n%s--- docs:\n%.*s",
                want, (int)got_len, begin);
  /* every policy has a full rule under "The rules in full" */
  const char *rules = strstr(end, "### The rules in full");
  ck_assert_ptr_nonnull(rules);
  for (int i = 0; i < accq_policy_type_count(); i++) {
    char item[64];
    snprintf(item, sizeof item, "\n- `%s`", accq_policy_type_get(i)->name);
    ck_assert_msg(strstr(rules, item) != NULL, "no full rule for %s in docs/policies.md",
                  accq_policy_type_get(i)->name);
  }
  free(want);
  free(doc);
}
END_TEST

/* The binary prints the same table (the CLI only prints what the library writes). */
START_TEST(test_cli_listing) {
  char *out = NULL, *err = NULL;
  ck_assert_int_eq(accq_run("policies --markdown", &out, &err), 0);
  int n = accq_policy_type_table(NULL, 0, 1);
  char *want = malloc((size_t)n + 1);
  accq_policy_type_table(want, n + 1, 1);
  ck_assert_str_eq(out, want);
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("policies", &out, &err), 0);
  for (int i = 0; i < accq_policy_type_count(); i++)
    ck_assert_ptr_nonnull(strstr(out, accq_policy_type_get(i)->summary));
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("policies --bogus", &out, &err), 2);
  free(out);
  free(err);
  free(want);
}
END_TEST

int main(void) {
  Suite *s = suite_create("docs_policies");
  TCase *tc = tcase_create("policies");
  tcase_add_test(tc, test_table_matches_registry);
  tcase_add_test(tc, test_cli_listing);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
