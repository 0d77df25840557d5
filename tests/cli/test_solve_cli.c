/* accq solve end to end: docs/output.md's JSON keys, a hand-derived value
 * through the command, every format, and the refusals with their exit
 * statuses (2 usage, 3 too large / no convergence, 4 unstable). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static json_t *run_json(const char *args, int want_rc) {
  char *out = NULL, *err = NULL;
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == want_rc, "accq %s: exit %d (want %d); stderr: %s", args, rc, want_rc, err);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "accq %s: not JSON (%s): %s", args, je.text, out);
  free(out);
  free(err);
  return j;
}

static json_t *get(json_t *o, const char *key, int type) {
  json_t *v = json_object_get(o, key);
  ck_assert_msg(v != NULL, "missing key '%s'", key);
  if (type >= 0)
    ck_assert_msg(json_typeof(v) == (json_type)type ||
                      (type == JSON_REAL && json_typeof(v) == JSON_INTEGER),
                  "key '%s' has JSON type %d, want %d", key, json_typeof(v), type);
  return v;
}

START_TEST(test_json_keys) {
  char args[4096];
  snprintf(args, sizeof args, "solve '%s' --policy rjiq,pop --buffer 10 --format json",
           accq_src_path("models/two-tier.ini"));
  json_t *j = run_json(args, 0);
  /* docs/output.md: {"model","lambda","scale","buffer","states","transitions","t_lp","results"} */
  ck_assert_str_eq(json_string_value(get(j, "model", JSON_STRING)), "two-tier");
  ACCQ_CK_CLOSE(json_number_value(get(j, "lambda", JSON_REAL)), 1.0, 0, 0, "lambda of two-tier");
  ck_assert_int_eq(json_integer_value(get(j, "scale", JSON_INTEGER)), 1);
  ck_assert_int_eq(json_integer_value(get(j, "buffer", JSON_INTEGER)), 10);
  ck_assert_int_gt(json_integer_value(get(j, "states", JSON_INTEGER)), 10);
  ck_assert_int_gt(json_integer_value(get(j, "transitions", JSON_INTEGER)), 10);
  /* two-tier.ini: T_LP = (1/3)/4 + (2/3)/1 = 0.75 (the file's own comment: 1/3 small, 2/3 large) */
  ACCQ_CK_CLOSE(json_number_value(get(j, "t_lp", JSON_REAL)), 0.75, 1e-12, 0, "t_lp");
  json_t *res = get(j, "results", JSON_ARRAY);
  ck_assert_int_eq((int)json_array_size(res), 2);
  const char *want_policy[] = {"rjiq", "pop"};
  for (size_t i = 0; i < 2; i++) {
    json_t *r = json_array_get(res, i);
    ck_assert_str_eq(json_string_value(get(r, "policy", JSON_STRING)), want_policy[i]);
    double et = json_number_value(get(r, "mean_response_time", JSON_REAL));
    ck_assert(et > 0.75); /* above the bound (both meet a*) */
    get(r, "accuracy", JSON_REAL);
    get(r, "loss_probability", JSON_REAL);
    get(r, "p_wait", JSON_REAL);
    json_t *u = get(r, "utilization", JSON_OBJECT), *x = get(r, "throughput", JSON_OBJECT);
    get(u, "small", JSON_REAL);
    get(u, "large", JSON_REAL);
    double xs = json_number_value(get(x, "small", JSON_REAL));
    double xl = json_number_value(get(x, "large", JSON_REAL));
    double loss = json_number_value(get(r, "loss_probability", JSON_REAL));
    /* X_small + X_large = Lambda (1 - P_loss) (docs/measures.md) */
    ACCQ_CK_CLOSE(xs + xl, 1.0 * (1 - loss), 1e-12, 0, "sum of X_k");
    json_t *p = get(r, "percentiles", JSON_OBJECT);
    double p50 = json_number_value(get(p, "p50", JSON_REAL));
    double p90 = json_number_value(get(p, "p90", JSON_REAL));
    double p95 = json_number_value(get(p, "p95", JSON_REAL));
    double p99 = json_number_value(get(p, "p99", JSON_REAL));
    ck_assert(0 < p50 && p50 < p90 && p90 < p95 && p95 < p99);
    get(r, "gap", JSON_REAL);
    get(r, "boundary_mass", JSON_REAL);
    json_t *s = get(r, "solver", JSON_OBJECT);
    get(s, "name", JSON_STRING);
    get(s, "iterations", JSON_INTEGER);
    ck_assert(json_number_value(get(s, "residual", JSON_REAL)) <= 1e-12);
    get(s, "seconds", JSON_REAL);
    json_t *d = get(r, "diagnostics", JSON_OBJECT);
    ck_assert(json_number_value(get(d, "little_tail_error", JSON_REAL)) <= 1e-8);
    ck_assert(json_number_value(get(d, "flow_balance_error", JSON_REAL)) <= 1e-9);
  }
  json_decref(j);
}
END_TEST

START_TEST(test_hand_value_through_cli) {
  /* JSQ, 2 servers of rate 1, Lambda = 1, B = 2: E[T] = 1.25, P_loss = 1/21
   * (derived by hand in tests/measures/test_measures.c). */
  const char *path = accq_tmp_file("[system]\nname = jsq2\narrival_rate = 1.0\n"
                                   "accuracy_target = 0.5\nbuffer = 2\nscale = 1\n"
                                   "[type only]\nservers = 2\nrate = 1.0\naccuracy = 0.9\n",
                                   ".ini");
  char args[4096];
  snprintf(args, sizeof args, "solve '%s' --policy jsq --format json", path);
  json_t *j = run_json(args, 0);
  json_t *r = json_array_get(get(j, "results", JSON_ARRAY), 0);
  ACCQ_CK_CLOSE(json_number_value(get(r, "mean_response_time", JSON_REAL)), 1.25, 1e-12, 0,
                "JSQ E[T] by hand");
  ACCQ_CK_CLOSE(json_number_value(get(r, "loss_probability", JSON_REAL)), 1.0 / 21, 1e-12, 0,
                "JSQ P_loss by hand");
  ck_assert_int_eq(json_integer_value(get(j, "states", JSON_INTEGER)), 6);
  json_decref(j);
  /* --scale 2 doubles servers and Lambda: 4 servers, C(4+2, 2) = 15 occupancies */
  snprintf(args, sizeof args, "solve '%s' --policy jsq --scale 2 --format json", path);
  j = run_json(args, 0);
  ck_assert_int_eq(json_integer_value(get(j, "scale", JSON_INTEGER)), 2);
  ck_assert_int_eq(json_integer_value(get(j, "states", JSON_INTEGER)), 15);
  json_decref(j);
  /* --explicit: 3^2 = 9 server states, same E[T] */
  snprintf(args, sizeof args, "solve '%s' --policy jsq --explicit --format json", path);
  j = run_json(args, 0);
  ck_assert_int_eq(json_integer_value(get(j, "states", JSON_INTEGER)), 9);
  r = json_array_get(get(j, "results", JSON_ARRAY), 0);
  ACCQ_CK_CLOSE(json_number_value(get(r, "mean_response_time", JSON_REAL)), 1.25, 1e-12, 0,
                "explicit JSQ E[T]");
  json_decref(j);
  unlink(path);
}
END_TEST

START_TEST(test_formats_and_outputs) {
  const char *model = accq_src_path("models/two-tier.ini");
  char args[4096], *out, *err;
  const char *formats[] = {"text", "csv", "markdown", "latex"};
  for (int i = 0; i < 4; i++) {
    snprintf(args, sizeof args, "solve '%s' -p pop,jsq --buffer 6 --format %s", model, formats[i]);
    ck_assert_int_eq(accq_run(args, &out, &err), 0);
    ck_assert_msg(strstr(out, "pop") && strstr(out, "jsq"), "%s output: %s", formats[i], out);
    free(out);
    free(err);
  }
  /* --export-mtx and --spectrum */
  char mtx[] = "/tmp/accq-solve-XXXXXX";
  int fd = mkstemp(mtx);
  close(fd);
  snprintf(args, sizeof args,
           "solve '%s' -p jsq --buffer 4 --export-mtx %s --spectrum 3 --format json", model, mtx);
  json_t *j = run_json(args, 0);
  json_t *r = json_array_get(get(j, "results", JSON_ARRAY), 0);
  json_t *sp = get(r, "spectrum", JSON_ARRAY);
  ck_assert_int_eq((int)json_array_size(sp), 3);
  /* the uniformized chain is stochastic: leading eigenvalue 1, the others inside */
  ACCQ_CK_CLOSE(json_number_value(get(json_array_get(sp, 0), "modulus", JSON_REAL)), 1.0, 1e-9, 0,
                "leading eigenvalue");
  ck_assert(json_number_value(get(json_array_get(sp, 1), "modulus", JSON_REAL)) < 1 - 1e-9);
  long long states = json_integer_value(get(j, "states", JSON_INTEGER));
  json_decref(j);
  FILE *f = fopen(mtx, "r");
  ck_assert_ptr_nonnull(f);
  char line[512];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  ck_assert(strncmp(line, "%%MatrixMarket matrix coordinate real", 37) == 0);
  long long rows = -1, cols = -1, nnz = -1;
  while (fgets(line, sizeof line, f))
    if (line[0] != '%') {
      ck_assert_int_eq(sscanf(line, "%lld %lld %lld", &rows, &cols, &nnz), 3);
      break;
    }
  fclose(f);
  unlink(mtx);
  ck_assert_int_eq(rows, states);
  ck_assert_int_eq(cols, states);
}
END_TEST

START_TEST(test_refusals) {
  const char *model = accq_src_path("models/llm-three-tier.ini");
  char args[4096], *out, *err;
  /* a state space over --max-states: exit 3 before allocating, with the figures */
  snprintf(args, sizeof args, "solve '%s' -p pop --buffer 60 --max-states 1000", model);
  ck_assert_int_eq(accq_run(args, &out, &err), 3);
  ck_assert_msg(strstr(err, "states") && strstr(err, "1000"), "stderr: %s", err);
  ck_assert_msg(strstr(err, "GiB") || strstr(err, "MiB") || strstr(err, "bytes"),
                "no memory figure: %s", err);
  /* the report still lists the policy, as too large, with no number */
  ck_assert_msg(strstr(out, "too_large") && !strstr(out, "converged"), "stdout: %s", out);
  free(out);
  free(err);
  /* an R-JIQ split that saturates a type: exit 4 with the reason */
  snprintf(args, sizeof args, "solve '%s' -p rjiq", accq_src_path("models/saturating.ini"));
  ck_assert_int_eq(accq_run(args, &out, &err), 4);
  ck_assert_msg(strstr(err, "saturat") && strstr(err, "medium"), "stderr: %s", err);
  free(out);
  free(err);
  /* issue 11: one refused policy does not drop the others.  rjiq,pop at load
   * 0.7 (the LP saturates 'medium'): pop is answered (converged), rjiq is
   * reported with status "unstable" and its reason and no number; exit 4, the
   * worst; the reason is also on stderr. */
  snprintf(args, sizeof args, "solve '%s' -p rjiq,pop --set system.load=0.7 --format json",
           accq_src_path("models/saturating.ini"));
  ck_assert_int_eq(accq_run(args, &out, &err), 4);
  ck_assert_msg(strstr(err, "saturat") && strstr(err, "medium"), "stderr: %s", err);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "not JSON: %s", out);
  free(out);
  free(err);
  json_t *res = get(j, "results", JSON_ARRAY);
  ck_assert_int_eq((int)json_array_size(res), 2);
  json_t *r0 = json_array_get(res, 0), *r1 = json_array_get(res, 1);
  ck_assert_str_eq(json_string_value(get(r0, "policy", JSON_STRING)), "rjiq");
  ck_assert_str_eq(json_string_value(get(r0, "status", JSON_STRING)), "unstable");
  ck_assert_str_eq(json_string_value(get(r0, "verdict", JSON_STRING)), "refused");
  ck_assert(strstr(json_string_value(get(r0, "reason", JSON_STRING)), "saturat"));
  ck_assert(json_is_null(get(r0, "mean_response_time", -1)));
  ck_assert_str_eq(json_string_value(get(r1, "policy", JSON_STRING)), "pop");
  ck_assert_str_eq(json_string_value(get(r1, "status", JSON_STRING)), "ok");
  ck_assert_str_eq(json_string_value(get(r1, "verdict", JSON_STRING)), "converged");
  ck_assert(json_is_null(get(r1, "reason", -1)));
  ck_assert(json_number_value(get(r1, "mean_response_time", JSON_REAL)) > 0);
  ck_assert(json_number_value(get(r1, "boundary_mass", JSON_REAL)) <= 1e-9);
  ck_assert(json_number_value(get(r1, "auto_change", JSON_REAL)) <= 1e-9);
  json_decref(j);
  /* the same in CSV: the status and the verdict are columns of the main table */
  snprintf(args, sizeof args, "solve '%s' -p rjiq,pop --set system.load=0.7 --format csv",
           accq_src_path("models/saturating.ini"));
  ck_assert_int_eq(accq_run(args, &out, &err), 4);
  ck_assert_msg(strstr(out, "policy,status,verdict,mean_response_time") &&
                    strstr(out, "rjiq,unstable,refused,") && strstr(out, "pop,ok,converged,"),
                "csv: %s", out);
  free(out);
  free(err);
  /* with an explicit buffer the same rjiq is a finite-buffer (loss) system:
   * exact, labelled so, losses shown; every policy answers (exit 0) */
  snprintf(args, sizeof args, "solve '%s' --buffer 3 --format json",
           accq_src_path("models/saturating.ini"));
  j = run_json(args, 0);
  res = get(j, "results", JSON_ARRAY);
  ck_assert_int_eq((int)json_array_size(res), 9); /* the nine of docs/policies.md */
  for (size_t i = 0; i < json_array_size(res); i++) {
    json_t *r = json_array_get(res, i);
    ck_assert_str_eq(json_string_value(get(r, "status", JSON_STRING)), "ok");
    ck_assert_str_eq(json_string_value(get(r, "verdict", JSON_STRING)), "finite-buffer");
    if (!strcmp(json_string_value(get(r, "policy", JSON_STRING)), "rjiq"))
      ck_assert(json_number_value(get(r, "loss_probability", JSON_REAL)) > 1e-3);
  }
  json_decref(j);
  /* usage: unknown policy, bad solver, bad buffer */
  snprintf(args, sizeof args, "solve '%s' -p nosuch", model);
  ck_assert_int_eq(accq_run(args, &out, &err), 2);
  ck_assert(strstr(err, "nosuch") != NULL);
  free(out);
  free(err);
  snprintf(args, sizeof args, "solve '%s' -p pop --solver magic", model);
  ck_assert_int_eq(accq_run(args, &out, &err), 2);
  free(out);
  free(err);
  snprintf(args, sizeof args, "solve '%s' -p pop --buffer -3", model);
  ck_assert_int_eq(accq_run(args, &out, &err), 2);
  free(out);
  free(err);
}
END_TEST

START_TEST(test_no_convergence_exit_3) {
  /* a tolerance no solver reaches: exit 3; the result is "not_converged" and
   * carries no number that could pass for an answer, only a labelled best
   * estimate with its residual */
  char args[4096];
  snprintf(args, sizeof args, "solve '%s' -p pop --buffer 2 --solver sor --tol 1e-30 --format json",
           accq_src_path("models/two-tier.ini"));
  json_t *j = run_json(args, 3);
  json_t *r = json_array_get(get(j, "results", JSON_ARRAY), 0);
  ck_assert_str_eq(json_string_value(get(r, "status", JSON_STRING)), "not_converged");
  ck_assert(json_is_null(get(r, "mean_response_time", -1)));
  ck_assert(json_number_value(get(get(r, "best_estimate", JSON_OBJECT), "mean_response_time",
                                  JSON_REAL)) > 0);
  json_t *s = get(r, "solver", JSON_OBJECT);
  ck_assert(json_number_value(get(s, "residual", JSON_REAL)) > 1e-30);
  json_decref(j);
}
END_TEST

/* issue 11's example: 8/4/2 servers, R-JIQ gives 'many' a zero share.  rjiq
 * is answered (product form, boundary mass <= 1e-9); pop's joint chain stops
 * at the largest B under --max-states with mass above the target: exit 3,
 * the reason names B, the mass and what to do, and pop prints no E[T]. */
/* A stiff chain (service rates 1e4 and 1e-2): a small residual is not a small
 * error.  The exact jsq E[T] of this explicit 343-state chain at B = 6 is
 * 23.809606802727982, from an independent 40-digit LU solve (mpmath) of the
 * same chain; before flow balance was enforced, the explicit chain's SOR answer
 * was printed as ok with a relative error of 8e-7.  Every solver must now give
 * the value to 1e-9 or say not_converged (exit 3). */
START_TEST(test_stiff_chain_verified_or_refused) {
  char path[] = "/tmp/accq_stiff_XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  const char *ini = "[system]\nname = stiff\nload = 0.6\naccuracy_target = 0.7\nbuffer = 6\n"
                    "[type f]\nservers = 2\nrate = 1e4\naccuracy = 0.5\n"
                    "[type s]\nservers = 1\nrate = 1e-2\naccuracy = 0.9\n";
  ck_assert_int_eq((int)write(fd, ini, strlen(ini)), (int)strlen(ini));
  close(fd);
  const char *variants[] = {"--explicit", "--explicit --solver sor", "--solver arnoldi",
                            "--solver gmres", "--solver sor", ""};
  for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
    char args[1024], *out = NULL, *err = NULL;
    snprintf(args, sizeof args, "solve %s -p jsq %s --format json -q", path, variants[v]);
    int rc = accq_run(args, &out, &err);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    ck_assert_msg(j != NULL, "accq %s: not JSON: %s", args, out);
    json_t *r = json_array_get(json_object_get(j, "results"), 0);
    const char *status = json_string_value(json_object_get(r, "status"));
    if (rc == 0) {
      ck_assert_str_eq(status, "ok");
      double et = json_real_value(json_object_get(r, "mean_response_time"));
      ck_assert_msg(fabs(et / 23.809606802727982 - 1) <= 1e-9, "accq %s: E[T] %.17g printed as ok",
                    args, et);
    } else {
      ck_assert_msg(rc == 3 && !strcmp(status, "not_converged"), "accq %s: exit %d status %s", args,
                    rc, status);
      ck_assert(json_is_null(json_object_get(r, "mean_response_time")));
    }
    json_decref(j);
    free(out);
    free(err);
  }
  remove(path);
}
END_TEST

START_TEST(test_three_types_rjiq_pop) {
  char args[4096], *out, *err;
  /* --max-states bounds the work: POP's chain passes 1e6 states at B = 8 and
   * 1e7 at B = 10, where it converges; either outcome is checked below */
  snprintf(args, sizeof args, "solve '%s' -p rjiq,pop --format json --max-states 3e6",
           accq_src_path("tests/models/three-8-4-2.ini"));
  int rc = accq_run(args, &out, &err);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "not JSON: %s", out);
  json_t *res = get(j, "results", JSON_ARRAY);
  int worst = 0;
  for (size_t i = 0; i < json_array_size(res); i++) {
    json_t *r = json_array_get(res, i);
    const char *status = json_string_value(get(r, "status", JSON_STRING));
    if (!strcmp(status, "ok")) {
      ck_assert_str_eq(json_string_value(get(r, "verdict", JSON_STRING)), "converged");
      ck_assert(json_number_value(get(r, "boundary_mass", JSON_REAL)) <= 1e-9);
      ck_assert(json_number_value(get(r, "auto_change", JSON_REAL)) <= 1e-9);
    } else {
      ck_assert_str_eq(status, "truncated");
      ck_assert(json_is_null(get(r, "mean_response_time", -1)));
      const char *why = json_string_value(get(r, "reason", JSON_STRING));
      ck_assert_msg(strstr(why, "B=") && strstr(why, "boundary mass") &&
                        strstr(why, "--max-states") && strstr(why, "--buffer") &&
                        strstr(why, "simulate"),
                    "reason: %s", why);
      ck_assert(strstr(err, why) != NULL); /* and on stderr */
      worst = 3;
    }
  }
  ck_assert_str_eq(json_string_value(get(json_array_get(res, 0), "status", JSON_STRING)), "ok");
  ck_assert_int_eq(rc, worst);
  json_decref(j);
  free(out);
  free(err);
}
END_TEST

/* -v: one stderr line per chain solved by buffer = auto, as many as the JSON's
 * auto_steps, the last at the JSON's buffer and states (a long solve is not
 * silent); the product form names the type. */
START_TEST(test_verbose_steps) {
  char args[512], *out = NULL, *err = NULL;
  snprintf(args, sizeof args, "solve %s/models/two-tier.ini -p pop,rjiq -v -q --format json",
           ACCQ_SOURCE_DIR);
  ck_assert_int_eq(accq_run(args, &out, &err), 0);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "%s", je.text);
  json_t *pop = json_array_get(get(j, "results", JSON_ARRAY), 0);
  long steps = (long)json_integer_value(get(pop, "auto_steps", JSON_INTEGER));
  long B = (long)json_integer_value(get(pop, "buffer", JSON_INTEGER));
  long states = (long)json_integer_value(get(pop, "states", JSON_INTEGER));
  long lines = 0;
  char last[256] = "";
  for (const char *p = err; (p = strstr(p, "accq solve: pop: B=")) != NULL; p++) {
    lines++;
    snprintf(last, sizeof last, "%.*s", (int)strcspn(p, "\n"), p);
  }
  ck_assert_msg(lines == steps && steps >= 2, "%ld lines, auto_steps %ld: %s", lines, steps, err);
  char want[96];
  snprintf(want, sizeof want, "accq solve: pop: B=%ld: %ld states, ", B, states);
  ck_assert_msg(strncmp(last, want, strlen(want)) == 0, "last line '%s', want '%s...'", last, want);
  ck_assert_msg(strstr(err, "accq solve: rjiq: type '"), "%s", err);
  json_decref(j);
  free(out);
  free(err);
}
END_TEST

int main(void) {
  Suite *s = suite_create("solve-cli");
  TCase *tc = tcase_create("solve");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_json_keys);
  tcase_add_test(tc, test_hand_value_through_cli);
  tcase_add_test(tc, test_formats_and_outputs);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_no_convergence_exit_3);
  tcase_add_test(tc, test_three_types_rjiq_pop);
  tcase_add_test(tc, test_stiff_chain_verified_or_refused);
  tcase_add_test(tc, test_verbose_steps);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
