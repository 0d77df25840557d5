/* The GSL adapter: GSL errors no longer abort, and they reach callers as accq
 * statuses whose message names the GSL code. */
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "accq/status.h"
#include "ext/gsl.h"
#include "testutil.h"

START_TEST(test_handler_records_instead_of_abort) {
  accq_gsl_init();
  accq_gsl_init();   /* idempotent */
  accq_gsl_clear();
  gsl_matrix *A = gsl_matrix_alloc(2, 2);
  gsl_matrix_set(A, 0, 0, 1);
  gsl_matrix_set(A, 0, 1, 2);
  gsl_matrix_set(A, 1, 0, 2);
  gsl_matrix_set(A, 1, 1, 1);
  /* GSL's default handler would abort here: [[1,2],[2,1]] is not positive
   * definite (eigenvalues 3 and -1). */
  int g = gsl_linalg_cholesky_decomp1(A);
  ck_assert_int_eq(g, GSL_EDOM);
  const char *reason = NULL;
  ck_assert_int_eq(accq_gsl_last(&reason), GSL_EDOM);
  ck_assert(reason && strstr(reason, "positive definite"));
  accq_err_t err;
  ck_assert_int_eq(accq_gsl_status(g, "Cholesky of A", &err), ACCQ_EINVAL);
  ck_assert_msg(strstr(err.msg, "GSL_EDOM") && strstr(err.msg, "Cholesky of A") &&
                strstr(err.msg, "positive definite"), "%s", err.msg);
  gsl_matrix_free(A);
}
END_TEST

START_TEST(test_code_mapping) {
  ck_assert_int_eq(accq_gsl_map(GSL_SUCCESS), ACCQ_SUCCESS);
  ck_assert_int_eq(accq_gsl_map(GSL_ENOMEM), ACCQ_ENOMEM);
  ck_assert_int_eq(accq_gsl_map(GSL_EMAXITER), ACCQ_ENOCONV);
  ck_assert_int_eq(accq_gsl_map(GSL_ESING), ACCQ_ENUMERIC);
  ck_assert_int_eq(accq_gsl_map(GSL_EDOM), ACCQ_EINVAL);
  ck_assert_str_eq(accq_gsl_code_name(GSL_ESING), "GSL_ESING");
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_gsl_status(GSL_SUCCESS, "x", &err), ACCQ_SUCCESS);
  ck_assert_str_eq(err.msg, "");
  accq_gsl_clear();
  ck_assert_int_eq(accq_gsl_status(GSL_EMAXITER, "root", &err), ACCQ_ENOCONV);
  ck_assert_msg(strstr(err.msg, "GSL_EMAXITER"), "%s", err.msg);
}
END_TEST

int main(void) {
  Suite *s = suite_create("ext_gsl");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_handler_records_instead_of_abort);
  tcase_add_test(tc, test_code_mapping);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
