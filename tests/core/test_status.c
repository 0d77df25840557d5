/* Status codes: the X-macro list gives each code its message and exit status
 * as docs/output.md fixes them (0 done, 1 check, 2 input, 3 numerical, 4 no answer). */
#include <string.h>

#include "accq/status.h"
#include "testutil.h"

START_TEST(test_exit_codes) {
  ck_assert_int_eq(accq_status_exit_code(ACCQ_SUCCESS), 0);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_ECHECK), 1);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_EMODEL), 2);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_EUSAGE), 2);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_ENOCONV), 3);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_ETOOBIG), 3);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_ENOMEM), 3);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_EACCINFEAS), 4);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_ECAPINFEAS), 4);
  ck_assert_int_eq(accq_status_exit_code(ACCQ_EUNSTABLE), 4);
}
END_TEST

START_TEST(test_messages) {
  for (int s = 0; s < ACCQ_STATUS_COUNT; s++) ck_assert_ptr_nonnull(accq_strerror(s));
  ck_assert_str_eq(accq_strerror(ACCQ_ENOCONV), "no convergence");
  ck_assert_str_eq(accq_strerror(9999), "unknown status");
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_err_set(&err, ACCQ_EMODEL, "rate of type '%s' must be > 0 (got %g)", "large", -1.0);
  ck_assert_int_eq(st, ACCQ_EMODEL);
  accq_err_prefix(&err, "%s:%d", "m.ini", 7);
  ck_assert_str_eq(err.msg, "m.ini:7: rate of type 'large' must be > 0 (got -1)");
  ck_assert_int_eq(accq_err_set(NULL, ACCQ_EIO, "x"), ACCQ_EIO); /* NULL report is fine */
}
END_TEST

int main(void) {
  Suite *s = suite_create("status");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_exit_codes);
  tcase_add_test(tc, test_messages);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
