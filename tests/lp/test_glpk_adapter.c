/* The GLPK adapter (src/ext/glpk.c): outcomes, GLPK codes mapped to accq
 * statuses with GLPK's name in the message, and no terminal output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/lp.h"
#include "ext/accq_glpk.h"
#include "testutil.h"

/* min x0 + 2 x1 s.t. x0 + x1 = 3, x0 <= 1: by hand x = (1, 2), objective 5,
 * row dual 2, reduced cost of x0 (at its upper bound) 1 - 2 = -1. */
START_TEST(test_small_lp) {
  accq_glpk_lp_t *lp = accq_glpk_alloc(1, 2);
  ck_assert_ptr_nonnull(lp);
  int idx[2] = {0, 1};
  double one[2] = {1, 1};
  accq_glpk_set_row(lp, 0, 2, idx, one);
  accq_glpk_set_row_bounds(lp, 0, 3, 3);
  accq_glpk_set_col_bounds(lp, 0, 0, 1);
  accq_glpk_set_obj(lp, 0, 1);
  accq_glpk_set_obj(lp, 1, 2);
  accq_glpk_outcome_t out;
  accq_err_t e;
  ck_assert_int_eq(accq_glpk_solve(lp, 0, &out, &e), 0);
  ck_assert_int_eq(out, ACCQ_GLPK_OPTIMAL);
  ACCQ_CK_CLOSE(accq_glpk_obj_value(lp), 5, 1e-15, 0, "objective");
  ACCQ_CK_CLOSE(accq_glpk_col_value(lp, 1), 2, 1e-15, 0, "x1");
  ACCQ_CK_CLOSE(accq_glpk_row_dual(lp, 0), 2, 1e-15, 0, "row dual");
  ACCQ_CK_CLOSE(accq_glpk_col_dual(lp, 0), -1, 1e-15, 0, "reduced cost");
  /* infeasible: x0 + x1 = 3 with both <= 1 */
  accq_glpk_set_col_bounds(lp, 1, 0, 1);
  ck_assert_int_eq(accq_glpk_solve(lp, 0, &out, &e), 0);
  ck_assert_int_eq(out, ACCQ_GLPK_INFEASIBLE);
  /* unbounded: max x1 with the row free */
  accq_glpk_set_col_bounds(lp, 1, 0, INFINITY);
  accq_glpk_set_row_bounds(lp, 0, -INFINITY, INFINITY);
  accq_glpk_set_maximize(lp, 1);
  ck_assert_int_eq(accq_glpk_solve(lp, 0, &out, &e), 0);
  ck_assert_int_eq(out, ACCQ_GLPK_UNBOUNDED);
  accq_glpk_free(lp);
  accq_glpk_free(NULL);
}
END_TEST

/* A column with lower bound above its upper bound: glp_simplex returns
 * GLP_EBOUND, which must come back as ACCQ_ENUMERIC naming GLP_EBOUND. */
START_TEST(test_glpk_code_mapped) {
  accq_glpk_lp_t *lp = accq_glpk_alloc(1, 1);
  int idx = 0;
  double one = 1;
  accq_glpk_set_row(lp, 0, 1, &idx, &one);
  accq_glpk_set_col_bounds(lp, 0, 2, 1);
  accq_glpk_outcome_t out;
  accq_err_t e;
  ck_assert_int_eq(accq_glpk_solve(lp, 0, &out, &e), ACCQ_ENUMERIC);
  ck_assert_msg(strstr(e.msg, "GLPK glp_simplex returned GLP_EBOUND"), "message: %s", e.msg);
  accq_glpk_free(lp);
}
END_TEST

/* Nothing reaches the terminal: stdout and stderr redirected to a file while
 * GLPK solves (feasible, infeasible and failing problems), file stays empty. */
START_TEST(test_silent) {
  char path[] = "/tmp/accq-glpk-silentXXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  fflush(stdout);
  fflush(stderr);
  int so = dup(1), se = dup(2);
  dup2(fd, 1);
  dup2(fd, 2);
  accq_lp_problem_t p;
  memset(&p, 0, sizeof p);
  p.ntypes = 2;
  p.mu[0] = 1, p.acc[0] = 0.9, p.cap[0] = 1;
  p.mu[1] = 4, p.acc[1] = 0.6, p.cap[1] = 8;
  p.a_star = 0.8;
  accq_lp_result_t r;
  const double lams[] = {0.5, 1.5, 3.0};
  for (int i = 0; i < 3; i++) {
    p.lambda = lams[i];
    accq_lp_solve(&p, &r, NULL);
  }
  accq_glpk_lp_t *lp = accq_glpk_alloc(1, 1);
  accq_glpk_set_col_bounds(lp, 0, 2, 1);
  accq_glpk_outcome_t out;
  accq_glpk_solve(lp, 0, &out, NULL);
  accq_glpk_free(lp);
  fflush(stdout);
  fflush(stderr);
  dup2(so, 1);
  dup2(se, 2);
  close(so);
  close(se);
  off_t size = lseek(fd, 0, SEEK_END);
  close(fd);
  unlink(path);
  ck_assert_msg(size == 0, "GLPK wrote %ld bytes to the terminal", (long)size);
}
END_TEST

/* The iteration limit: max x0 + x1 + x2 with rows x_i <= 1 (columns
 * unbounded) needs one pivot per column from the slack basis (3 by hand);
 * with it_lim = 1 glp_simplex stops with GLP_EITLIM, which must come back as
 * ACCQ_ENUMERIC naming it and the limit, never as an answer.  With the limit
 * at 100 the optimum 3 is found in at most 3 iterations. */
START_TEST(test_iteration_limit) {
  for (int lim = 1; lim <= 100; lim += 99) {
    accq_glpk_lp_t *lp = accq_glpk_alloc(3, 3);
    for (int i = 0; i < 3; i++) {
      double one = 1;
      accq_glpk_set_row(lp, i, 1, &i, &one);
      accq_glpk_set_row_bounds(lp, i, -INFINITY, 1);
      accq_glpk_set_obj(lp, i, 1);
    }
    accq_glpk_set_maximize(lp, 1);
    accq_glpk_set_limits(lp, lim, 1000);
    accq_glpk_outcome_t out;
    accq_err_t e;
    int rc = accq_glpk_solve(lp, 0, &out, &e);
    if (lim == 1) {
      ck_assert_int_eq(rc, ACCQ_ENUMERIC);
      ck_assert_msg(strstr(e.msg, "GLP_EITLIM") && strstr(e.msg, "limits: 1 iterations"),
                    "message: %s", e.msg);
      ck_assert_int_le(accq_glpk_iterations(lp), 1);
    } else {
      ck_assert_int_eq(rc, 0);
      ck_assert_int_eq(out, ACCQ_GLPK_OPTIMAL);
      ACCQ_CK_CLOSE(accq_glpk_obj_value(lp), 3, 1e-15, 0, "objective");
      ck_assert_int_le(accq_glpk_iterations(lp), 3);
    }
    accq_glpk_free(lp);
  }
}
END_TEST

/* The LP that made glp_simplex cycle (two-tier with accuracies 1e-7 either
 * side of a*) now ends, within the iteration limit, with the hand value
 * T_LP = w/1 + (1-w)/4, w = (a* - a_s)/(a_l - a_s) (about 0.625). */
START_TEST(test_former_hang) {
  accq_lp_problem_t p = {0};
  p.ntypes = 2, p.lambda = 1, p.a_star = 0.8;
  p.mu[0] = 4, p.acc[0] = 0.7999999000000001, p.cap[0] = 8;
  p.mu[1] = 1, p.acc[1] = 0.8000001, p.cap[1] = 1;
  accq_lp_result_t r;
  accq_err_t e;
  ck_assert_msg(accq_lp_solve(&p, &r, &e) == 0, "%s", e.msg);
  double w = (p.a_star - p.acc[0]) / (p.acc[1] - p.acc[0]);
  ACCQ_CK_CLOSE(r.t_lp, w + (1 - w) / 4, 1e-12, 0, "T_LP");
  ck_assert_int_gt(r.glpk_iterations, 0);
  /* three solves, each under its limit */
  ck_assert_int_le(r.glpk_iterations, 3 * 3 * ACCQ_LP_GLPK_IT_PER_DIM * (3 + 2));
}
END_TEST

int main(void) {
  Suite *s = suite_create("glpk_adapter");
  TCase *tc = tcase_create("adapter");
  tcase_add_test(tc, test_small_lp);
  tcase_add_test(tc, test_iteration_limit);
  tcase_add_test(tc, test_former_hang);
  tcase_add_test(tc, test_glpk_code_mapped);
  tcase_add_test(tc, test_silent);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
