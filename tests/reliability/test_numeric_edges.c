/* Numerical edge cases (issue 7): rates from 1e-6 to 1e6, accuracy ties,
 * a* equal to the best accuracy, a degenerate LP with a whole face of optima,
 * a one-state generator, two- and three-state chains given to every
 * stationary solver (ARPACK included), and the smallest model (B = 1, one
 * server: 2 states) through `accq solve --solver arnoldi`.
 * Each expected value is derived by hand in the comment beside it. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/accq.h"
#include "testutil.h"

static json_t *run_json(const char *model_text, const char *args_fmt) {
  const char *p = accq_tmp_file(model_text, ".ini");
  ck_assert_ptr_nonnull(p);
  char path[256], args[1024];
  snprintf(path, sizeof path, "%s", p);
  snprintf(args, sizeof args, args_fmt, path);
  char *out = NULL, *err = NULL;
  int rc = accq_run(args, &out, &err);
  unlink(path);
  ck_assert_msg(rc == 0, "accq %s: exit %d: %s", args, rc, err);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "accq %s: not JSON (%s): %s", args, je.text, out);
  free(out);
  free(err);
  return j;
}

static double num(json_t *o, const char *path) {
  /* "a.b.c" through objects */
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *v = o;
  for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, ".")) {
    v = json_object_get(v, tok);
    ck_assert_msg(v != NULL, "missing '%s' in '%s'", tok, path);
  }
  ck_assert_msg(json_is_number(v), "'%s' is not a number", path);
  return json_number_value(v);
}

static json_t *result(json_t *j, const char *policy) {
  json_t *res = json_object_get(j, "results");
  for (size_t i = 0; i < json_array_size(res); i++) {
    json_t *r = json_array_get(res, i);
    if (!strcmp(json_string_value(json_object_get(r, "policy")), policy)) return r;
  }
  ck_abort_msg("no result for policy %s", policy);
  return NULL;
}

/* M/M/1/B with arrival rate l and service rate mu: mean number in system and
 * admitted rate (pi_n proportional to rho^n, n = 0..B). */
static void mm1b(double l, double mu, int B, double *L, double *X) {
  double rho = l / mu, z = 0, s = 0, t = 1;
  for (int n = 0; n <= B; n++, t *= rho) {
    z += t;
    s += n * t;
  }
  *L = s / z;
  *X = l * (1 - t / rho / z); /* 1 - pi_B */
}

/* Rates twelve decades apart: fast (mu 1e6, a 0.5) and slow (mu 1e-6,
 * a 0.9), one server each, Lambda = 1e-6, a* = 0.7. */
static const char *wide_model =
    "[system]\narrival_rate = 1e-6\naccuracy_target = 0.7\nbuffer = 3\n"
    "[type fast]\nservers = 1\nrate = 1e6\naccuracy = 0.5\n"
    "[type slow]\nservers = 1\nrate = 1e-6\naccuracy = 0.9\n";

START_TEST(test_wide_rates_lp) {
  json_t *j = run_json(wide_model, "lp '%s' --format json");
  /* w = (0.7 - 0.5)/(0.9 - 0.5) = 1/2 of Lambda to slow: T_LP = 0.5/1e6 +
   * 0.5/1e-6 = 5e5 + 5e-7; Lambda_max: x_slow <= 1e-6 = Lambda/2, so 2e-6;
   * T_free = 1/1e6 (everything to fast). */
  ACCQ_CK_CLOSE(num(j, "t_lp"), 5e5 + 5e-7, 1e-12, 0, "t_lp");
  ACCQ_CK_CLOSE(num(j, "lambda_max"), 2e-6, 1e-12, 0, "lambda_max");
  ACCQ_CK_CLOSE(num(j, "t_free"), 1e-6, 1e-12, 0, "t_free");
  ACCQ_CK_CLOSE(num(j, "split.slow"), 5e-7, 1e-12, 0, "x_slow");
  ACCQ_CK_CLOSE(num(j, "split.fast"), 5e-7, 1e-12, 0, "x_fast");
  json_decref(j);
}
END_TEST

START_TEST(test_wide_rates_solve) {
  json_t *j = run_json(wide_model, "solve '%s' --policy rjiq,pop --format json");
  /* rjiq with one server per type splits by a coin (p = 1/2 each): two
   * independent M/M/1/3 queues.  Little: E[T] = (L_f + L_s)/(X_f + X_s). */
  double Lf, Xf, Ls, Xs;
  mm1b(5e-7, 1e6, 3, &Lf, &Xf);
  mm1b(5e-7, 1e-6, 3, &Ls, &Xs);
  json_t *r = result(j, "rjiq");
  ACCQ_CK_CLOSE(num(r, "mean_response_time"), (Lf + Ls) / (Xf + Xs), 1e-9, 0, "E[T] rjiq");
  ACCQ_CK_CLOSE(num(r, "throughput.slow"), Xs, 1e-9, 0, "X_slow rjiq");
  ACCQ_CK_CLOSE(num(r, "throughput.fast"), Xf, 1e-9, 0, "X_fast rjiq");
  /* accuracy of admitted jobs: (0.5 X_f + 0.9 X_s)/(X_f + X_s) */
  ACCQ_CK_CLOSE(num(r, "accuracy"), (0.5 * Xf + 0.9 * Xs) / (Xf + Xs), 1e-9, 0, "accuracy rjiq");
  /* properties for both policies: flow balance and a solved chain */
  const char *pols[] = {"rjiq", "pop"};
  for (int i = 0; i < 2; i++) {
    r = result(j, pols[i]);
    double x = num(r, "throughput.slow") + num(r, "throughput.fast");
    ACCQ_CK_CLOSE(x, 1e-6 * (1 - num(r, "loss_probability")), 1e-9, 0, "sum X = Lambda (1 - loss)");
    ck_assert(num(r, "solver.residual") <= 1e-12);
    double et = num(r, "mean_response_time");
    ck_assert(isfinite(et) && et > 0);
  }
  json_decref(j);
}
END_TEST

/* A tie between the two inaccurate types (a = 0.6 for both, rates 4 and 1)
 * and an accurate one (a = 0.9, rate 1); a* = 0.7, Lambda = 1.
 * w = (0.7 - 0.6)/(0.9 - 0.6) = 1/3 to the accurate type, the rest to the
 * faster of the tied ones: T_LP = (1/3)/1 + (2/3)/4 = 1/2, x_slowtie = 0. */
START_TEST(test_accuracy_tie) {
  const char *model =
      "[system]\narrival_rate = 1\naccuracy_target = 0.7\nbuffer = 4\n"
      "[type quick]\nservers = 1\nrate = 4\naccuracy = 0.6\n"
      "[type dull]\nservers = 1\nrate = 1\naccuracy = 0.6\n"
      "[type sharp]\nservers = 1\nrate = 1\naccuracy = 0.9\n";
  json_t *j = run_json(model, "lp '%s' --format json");
  ACCQ_CK_CLOSE(num(j, "t_lp"), 0.5, 1e-12, 0, "t_lp");
  ACCQ_CK_CLOSE(num(j, "split.sharp"), 1.0 / 3, 1e-12, 0, "x_sharp");
  ACCQ_CK_CLOSE(num(j, "split.quick"), 2.0 / 3, 1e-12, 0, "x_quick");
  ACCQ_CK_CLOSE(num(j, "split.dull"), 0, 0, 1e-12, "x_dull");
  json_decref(j);
  j = run_json(model, "lp '%s' --exact --format json");
  ACCQ_CK_CLOSE(num(j, "t_lp"), 0.5, 1e-15, 0, "exact t_lp");
  json_decref(j);
  j = run_json(model, "solve '%s' --policy rjiq,pop,jsq --format json");
  const char *pols[] = {"rjiq", "pop", "jsq"};
  for (int i = 0; i < 3; i++) {
    json_t *r = result(j, pols[i]);
    ck_assert(num(r, "solver.residual") <= 1e-12);
    double x = num(r, "throughput.quick") + num(r, "throughput.dull") + num(r, "throughput.sharp");
    ACCQ_CK_CLOSE(x, 1 - num(r, "loss_probability"), 1e-10, 0, "sum X = Lambda (1 - loss)");
    /* the bound holds for every policy (admitted-rate LP, docs/claims.md claim 1) */
    ck_assert(num(r, "mean_response_time") >= num(r, "t_lp_admitted") * (1 - 1e-12));
  }
  json_decref(j);
}
END_TEST

/* a* equal to the best accuracy, held by two identical types: the LP has a
 * whole face of optima (any x_A + x_B = Lambda with x_C = 0).  T_LP = 1/2
 * exactly (mean service 1/2 on that face), Lambda_max = 2 + 2 = 4, and every
 * policy that respects a* serves only A and B, so the accuracy is exactly 0.8. */
START_TEST(test_target_equals_best_degenerate) {
  const char *model =
      "[system]\narrival_rate = 1\naccuracy_target = 0.8\nbuffer = 5\n"
      "[type A]\nservers = 1\nrate = 2\naccuracy = 0.8\n"
      "[type B]\nservers = 1\nrate = 2\naccuracy = 0.8\n"
      "[type C]\nservers = 1\nrate = 1\naccuracy = 0.6\n";
  json_t *j = run_json(model, "lp '%s' --format json");
  ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "optimal");
  ACCQ_CK_CLOSE(num(j, "t_lp"), 0.5, 1e-12, 0, "t_lp");
  ACCQ_CK_CLOSE(num(j, "lambda_max"), 4, 1e-12, 0, "lambda_max");
  ACCQ_CK_CLOSE(num(j, "split.C"), 0, 0, 1e-12, "x_C");
  ACCQ_CK_CLOSE(num(j, "split.A") + num(j, "split.B"), 1, 1e-12, 0, "x_A + x_B");
  ck_assert(num(j, "split.A") >= -1e-12 && num(j, "split.A") <= 2 + 1e-12);
  json_decref(j);
  j = run_json(model, "lp '%s' --exact --format json");
  ACCQ_CK_CLOSE(num(j, "t_lp"), 0.5, 1e-15, 0, "exact t_lp");
  json_decref(j);
  j = run_json(model, "solve '%s' --policy rjiq,pop --format json");
  const char *pols[] = {"rjiq", "pop"};
  for (int i = 0; i < 2; i++) {
    json_t *r = result(j, pols[i]);
    ACCQ_CK_CLOSE(num(r, "accuracy"), 0.8, 1e-12, 0, "accuracy at a* = best");
    ACCQ_CK_CLOSE(num(r, "throughput.C"), 0, 0, 1e-12, "nothing to C");
  }
  json_decref(j);
}
END_TEST

/* Generators by hand: n = 1 (no transitions), n = 2 (rates a: 0->1, b: 1->0,
 * pi = (b, a)/(a + b)), n = 3 birth-death (1 up, 2 down: pi ~ 1, 1/2, 1/4). */
static void solve_all(const accq_generator_t *Q, const double *want, const char *what) {
  const accq_solver_kind_t kinds[] = {ACCQ_SOLVER_AUTO, ACCQ_SOLVER_DENSE, ACCQ_SOLVER_SOR,
                                      ACCQ_SOLVER_GMRES, ACCQ_SOLVER_POWER, ACCQ_SOLVER_ARNOLDI};
  for (int s = 0; s < 6; s++) {
    accq_stationary_options_t opt;
    accq_stationary_options_init(&opt);
    opt.solver = kinds[s];
    double pi[3] = {-1, -1, -1};
    accq_stationary_stats_t st;
    accq_err_t err;
    accq_err_clear(&err);
    int rc = accq_stationary_solve(Q, &opt, pi, &st, &err);
    ck_assert_msg(rc == 0, "%s, solver %s: %s", what, accq_solver_name(kinds[s]), err.msg);
    for (int64_t i = 0; i < Q->n; i++) {
      char label[128];
      snprintf(label, sizeof label, "%s pi[%d] (%s)", what, (int)i, accq_solver_name(kinds[s]));
      ACCQ_CK_CLOSE(pi[i], want[i], 1e-10, 1e-14, label);
    }
    ck_assert_msg(st.residual <= 1e-12, "%s: residual %g", what, st.residual);
  }
}

START_TEST(test_tiny_generators) {
  int64_t rp1[] = {0, 0};
  double d1[] = {0};
  accq_generator_t q1 = {.n = 1, .nnz = 0, .rowptr = rp1, .diag = d1};
  double w1[] = {1};
  solve_all(&q1, w1, "1 state");

  const double ab[][2] = {{1, 3}, {1e-6, 1e6}, {1e6, 1e-6}};
  for (int c = 0; c < 3; c++) {
    double a = ab[c][0], b = ab[c][1];
    int64_t rp[] = {0, 1, 2};
    int32_t col[] = {1, 0};
    double val[] = {a, b}, diag[] = {-a, -b};
    accq_generator_t q2 = {.n = 2, .nnz = 2, .rowptr = rp, .col = col, .val = val, .diag = diag};
    double w2[] = {b / (a + b), a / (a + b)};
    char what[64];
    snprintf(what, sizeof what, "2 states a=%g b=%g", a, b);
    solve_all(&q2, w2, what);
    /* eigenvalues of P = I + Q/q are 1 and 1 - (a+b)/q: the leading one is 1 */
    double complex eig[2];
    accq_err_t err;
    ck_assert_int_eq(accq_spectrum(&q2, 2, eig, &err), 0);
    ACCQ_CK_CLOSE(creal(eig[0]), 1, 1e-12, 0, "leading eigenvalue, 2 states");
    ck_assert(cabs(eig[1]) <= 1 + 1e-12);
  }

  int64_t rp3[] = {0, 1, 3, 4};
  int32_t col3[] = {1, 0, 2, 1};
  double val3[] = {1, 2, 1, 2}, diag3[] = {-1, -3, -2};
  accq_generator_t q3 = {.n = 3, .nnz = 4, .rowptr = rp3, .col = col3, .val = val3, .diag = diag3};
  double w3[] = {4.0 / 7, 2.0 / 7, 1.0 / 7};
  solve_all(&q3, w3, "3-state birth-death");
}
END_TEST

/* The smallest model: one server, B = 1, 2 states, through ARPACK's solver
 * from the command line.  M/M/1/1 with Lambda = 0.5, mu = 2: pi_1 = 0.5/2.5
 * = 0.2 = loss = utilization, E[T] = 1/mu = 0.5, throughput 0.4, the
 * response time exponential(2): p50 = ln 2 / 2. */
START_TEST(test_two_state_arnoldi_cli) {
  const char *model = "[system]\narrival_rate = 0.5\naccuracy_target = 0.5\nbuffer = 1\n"
                      "[type a]\nservers = 1\nrate = 2\naccuracy = 0.6\n";
  json_t *j = run_json(model, "solve '%s' --policy jsq,rjiq --solver arnoldi --spectrum 2 --format json");
  ck_assert_int_eq((int)num(j, "states"), 2);
  const char *pols[] = {"jsq", "rjiq"};
  for (int i = 0; i < 2; i++) {
    json_t *r = result(j, pols[i]);
    ACCQ_CK_CLOSE(num(r, "loss_probability"), 0.2, 1e-12, 0, "loss M/M/1/1");
    ACCQ_CK_CLOSE(num(r, "mean_response_time"), 0.5, 1e-12, 0, "E[T] M/M/1/1");
    ACCQ_CK_CLOSE(num(r, "utilization.a"), 0.2, 1e-12, 0, "utilization");
    ACCQ_CK_CLOSE(num(r, "throughput.a"), 0.4, 1e-12, 0, "throughput");
    ACCQ_CK_CLOSE(num(r, "percentiles.p50"), log(2) / 2, 1e-9, 0, "median of exp(2)");
  }
  json_decref(j);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("numeric_edges");
  TCase *tc = tcase_create("edges");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_wide_rates_lp);
  tcase_add_test(tc, test_wide_rates_solve);
  tcase_add_test(tc, test_accuracy_tie);
  tcase_add_test(tc, test_target_equals_best_degenerate);
  tcase_add_test(tc, test_tiny_generators);
  tcase_add_test(tc, test_two_state_arnoldi_cli);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return accq_run_suite(suite()); }
