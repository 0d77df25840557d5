/* End-to-end: accq simulate (reproducible bytes, JSON keys), crosscheck on
 * every bundled model, golden + check-sim (a correct file passes, one planted
 * error is caught and named), and the refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

static char *run_ok(const char *args, int want) {
  char *out, *err;
  int st = accq_run(args, &out, &err);
  ck_assert_msg(st == want, "accq %s: exit %d (want %d)\nstderr: %s", args, st, want, err);
  free(err);
  return out;
}

START_TEST(test_simulate_reproducible) {
  char args[1024];
  snprintf(args, sizeof args,
           "simulate '%s' --policy pop,rjiq,pod:3 --jobs 5000 --seed 42 --format json",
           accq_src_path("models/llm-three-tier.ini"));
  char *a = run_ok(args, 0), *b = run_ok(args, 0);
  /* the same bytes but for the provenance (its date; --threads in the command line) */
  ck_assert_str_eq(accq_strip_provenance(a), accq_strip_provenance(b));
  strcat(args, " --threads 2");
  char *c = run_ok(args, 0);
  ck_assert_msg(!strcmp(a, accq_strip_provenance(c)), "--threads 2 changed the output");
  /* docs/output.md keys */
  const char *keys[] = {"\"replications\": 10", "\"jobs\": 5000", "\"seed\": 42", "\"results\"",
                        "\"mean_response_time\"", "\"ci95\"", "\"percentiles\"", "\"p99\"",
                        "\"utilization\"", "\"llama2-70b\"", "\"gap\"", "\"loss_probability\"",
                        "\"t_lp\"", "\"policy\": \"pod:3\""};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    ck_assert_msg(strstr(a, keys[i]), "missing %s in\n%s", keys[i], a);
  /* another seed gives other numbers */
  snprintf(args, sizeof args,
           "simulate '%s' --policy pop,rjiq,pod:3 --jobs 5000 --seed 43 --format json",
           accq_src_path("models/llm-three-tier.ini"));
  char *d = run_ok(args, 0);
  ck_assert(strcmp(a, accq_strip_provenance(d)) != 0);
  free(a);
  free(b);
  free(c);
  free(d);
}
END_TEST

START_TEST(test_simulate_refusals) {
  char *out, *err;
  ck_assert_int_eq(accq_run("simulate --policy nosuch --jobs 100", &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "nosuch"));
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("simulate --policy jiq --replications 1", &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "replications"));
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("simulate --policy jiq --buffer -3", &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "-3"));
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("simulate --policy jiq --jobs 1.5", &out, &err), 2);
  free(out);
  free(err);
}
END_TEST

/* Beyond capacity, policy by policy: two-tier (total capacity 2 x 4 + 1 = 9,
 * Lambda_max(a*) = 1.5) at arrival_rate 10.  jsq and pop are refused by the
 * simulator's stability check (jsq: total capacity 9; pop meets a*, so its
 * capacity is Lambda_max(a*) = 1.5), random-lp and rjiq by their LP split
 * (no split meets a* at 10 > 1.5): exit 4, a reason on stderr, and no mean in
 * any format.  pop at 2 (below the total capacity 9, above 1.5) and random-lp
 * at 1.5 (its split puts load 1 on the large server) are refused too; the
 * old simulator printed E[T] 141 +- 8.9 for jsq at 10 with exit 0. */
static void unstable_case(const char *policy, const char *rate) {
  char args[1024];
  const char *fmt[] = {"text", "json", "csv"};
  for (int f = 0; f < 3; f++) {
    snprintf(args, sizeof args,
             "simulate '%s' --policy %s --set system.arrival_rate=%s --jobs 2000 --format %s",
             accq_src_path("models/two-tier.ini"), policy, rate, fmt[f]);
    char *out, *err;
    int st = accq_run(args, &out, &err);
    ck_assert_msg(st == 4, "%s at %s (%s): exit %d\n%s\n%s", policy, rate, fmt[f], st, out, err);
    ck_assert_msg(strstr(err, policy) && (strstr(err, "unstable") || strstr(err, "exceeds")),
                  "%s: no reason on stderr: %s", policy, err);
    ck_assert_msg(!strstr(out, "mean_response_time"), "%s printed a mean:\n%s", policy, out);
    if (f == 1) {
      ck_assert_msg(strstr(out, "\"status\": \"unstable\"") ||
                        strstr(out, "\"status\": \"infeasible\""),
                    "%s: no status in JSON:\n%s", policy, out);
      ck_assert_ptr_nonnull(strstr(out, "\"reason\""));
    }
    free(out);
    free(err);
  }
}
START_TEST(test_simulate_unstable_jsq) { unstable_case("jsq", "10"); }
END_TEST
START_TEST(test_simulate_unstable_pop) {
  unstable_case("pop", "10");
  unstable_case("pop", "2");
}
END_TEST
START_TEST(test_simulate_unstable_random_lp) {
  unstable_case("random-lp", "10");
  unstable_case("random-lp", "1.5");
}
END_TEST
START_TEST(test_simulate_unstable_rjiq) { unstable_case("rjiq", "10"); }
END_TEST

/* One policy refused does not drop the others: jsq at 1.2 (stable) is printed,
 * pop at 1.2 too, accurate-jiq (only the large server meets a*: capacity 1)
 * is refused; exit 4. */
START_TEST(test_simulate_unstable_mixed) {
  char args[1024];
  snprintf(args, sizeof args,
           "simulate '%s' --policy jsq,accurate-jiq --set system.arrival_rate=1.2 --jobs 5000 "
           "--format csv",
           accq_src_path("models/two-tier.ini"));
  char *out, *err;
  ck_assert_int_eq(accq_run(args, &out, &err), 4);
  accq_strip_provenance(out); /* its command line names every policy asked for */
  ck_assert_ptr_nonnull(strstr(out, "jsq"));
  ck_assert_ptr_null(strstr(out, "accurate-jiq"));
  ck_assert_ptr_nonnull(strstr(err, "accurate-jiq"));
  free(out);
  free(err);
}
END_TEST

/* A planted undiscarded warm-up (pod:2, 2,000 servers at load 0.95, --warmup 0,
 * 10 jobs per server; see test_sim.c test_bias_warning): the warning reaches
 * standard error with -q, JSON (top-level "warnings": "POLICY: text") and every CSV
 * row's "warnings" column. */
START_TEST(test_simulate_warnings) {
  const char *model = accq_tmp_file("[system]\nname = homog\nload = 0.95\naccuracy_target = 0.8\n"
                                    "scale = 2000\n[type one]\nservers = 1\nrate = 1\n"
                                    "accuracy = 0.9\n",
                                    ".ini");
  char path[512], args[1024];
  snprintf(path, sizeof path, "%s", model);
  const char *fmt[] = {"text", "json", "csv"};
  for (int f = 0; f < 3; f++) {
    snprintf(args, sizeof args,
             "simulate '%s' --policy pod:2 --jobs 20000 --warmup 0 --seed 7 -q --format %s", path,
             fmt[f]);
    char *out, *err;
    int st = accq_run(args, &out, &err);
    ck_assert_msg(st == 0, "exit %d: %s", st, err);
    ck_assert_msg(strstr(err, "warning: pod:2: E[T] drifts"), "-q hid the warning: '%s'", err);
    if (f == 1) {
      ck_assert_ptr_nonnull(strstr(out, "\"warnings\": ["));
      ck_assert_ptr_nonnull(strstr(out, "\"pod:2: E[T] drifts"));
    }
    if (f == 2) {
      /* every pod:2 row carries it */
      int rows = 0, marked = 0;
      for (char *l = strstr(out, "\n"); l && l[1]; l = strstr(l + 1, "\n")) {
        if (strncmp(l + 1, "homog,", 6)) continue;
        rows++;
        char *e = strchr(l + 1, '\n');
        char save = e ? *e : 0;
        if (e) *e = 0;
        marked += strstr(l + 1, "drifts") != NULL;
        if (e) *e = save;
      }
      ck_assert_msg(rows > 10 && rows == marked, "%d of %d CSV rows carry the warning", marked,
                    rows);
    }
    free(out);
    free(err);
  }
}
END_TEST

/* Every bundled model: every policy's chain vs the simulator at the same B.
 * Family-wise level 0.01 with Holm's correction (fixed seed: deterministic). */
static void crosscheck(const char *model) {
  char args[1024];
  snprintf(args, sizeof args, "crosscheck '%s' --jobs 20000 --format csv", accq_src_path(model));
  char *out, *err;
  int st = accq_run(args, &out, &err);
  ck_assert_msg(st == 0, "crosscheck %s: exit %d\n%s\n%s", model, st, err, out);
  ck_assert_ptr_nonnull(strstr(out, "mean_response_time"));
  ck_assert_ptr_null(strstr(out, "FAIL"));
  free(out);
  free(err);
}
/* crosscheck's JSON: the count of comparisons ("compared") is a number equal to
 * the length of the "comparisons" table (the count once shared the table's key
 * and was silently overwritten by it). */
START_TEST(test_crosscheck_json_keys) {
  char args[1024];
  snprintf(args, sizeof args, "crosscheck '%s' --jobs 20000 --format json",
           accq_src_path("models/two-tier.ini"));
  char *out = run_ok(args, 0);
  json_error_t je;
  json_t *o = json_loads(out, 0, &je);
  ck_assert_msg(o != NULL, "crosscheck JSON does not parse: %s\n%s", je.text, out);
  json_t *n = json_object_get(o, "compared"), *rows = json_object_get(o, "comparisons");
  ck_assert_msg(json_is_integer(n), "\"compared\" is not an integer");
  ck_assert_msg(json_is_array(rows), "\"comparisons\" is not a table");
  ck_assert_int_gt(json_integer_value(n), 0);
  ck_assert_int_eq(json_integer_value(n), (long long)json_array_size(rows));
  json_decref(o);
  free(out);
}
END_TEST

START_TEST(test_crosscheck_two_tier) { crosscheck("models/two-tier.ini"); }
END_TEST
START_TEST(test_crosscheck_llm) { crosscheck("models/llm-three-tier.ini"); }
END_TEST
START_TEST(test_crosscheck_at_target) { crosscheck("models/at-target.ini"); }
END_TEST
START_TEST(test_crosscheck_nonbinding) { crosscheck("models/nonbinding.ini"); }
END_TEST
START_TEST(test_crosscheck_saturating) { crosscheck("models/saturating.ini"); }
END_TEST

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  ck_assert_int_eq(fread(b, 1, (size_t)n, f), n);
  b[n] = '\0';
  fclose(f);
  return b;
}

START_TEST(test_golden_check_sim) {
  char golden[256], args[2048], two_tier[1024];
  snprintf(golden, sizeof golden, "/tmp/accq-test-golden-%d.json", (int)getpid());
  /* accq_src_path returns a static buffer: keep the first path apart (the
   * same file twice is now refused as two entries golden cannot tell apart) */
  snprintf(two_tier, sizeof two_tier, "%s", accq_src_path("models/two-tier.ini"));
  snprintf(args, sizeof args, "golden '%s' '%s' --policy rjiq,jiq,pod --out '%s'", two_tier,
           accq_src_path("models/nonbinding.ini"), golden);
  free(run_ok(args, 0));
  char *g = slurp(golden);
  ck_assert_ptr_nonnull(strstr(g, "\"accq-golden\""));
  ck_assert_ptr_nonnull(strstr(g, "\"definitions\""));
  ck_assert_ptr_nonnull(strstr(g, "\"residual\""));
  ck_assert_ptr_nonnull(strstr(g, "\"truncation_change\""));
  ck_assert_ptr_nonnull(strstr(g, "\"utilization.small\""));
  free(g);

  /* accq's own simulator writes exactly the CSV check-sim reads */
  snprintf(args, sizeof args, "simulate '%s' --policy rjiq,jiq,pod --jobs 20000 --format csv",
           accq_src_path("models/two-tier.ini"));
  char *csv = run_ok(args, 0);
  const char *good = accq_tmp_file(csv, ".csv");
  char goodpath[256];
  snprintf(goodpath, sizeof goodpath, "%s", good);
  snprintf(args, sizeof args, "check-sim '%s' '%s'", golden, goodpath);
  char *out = run_ok(args, 0);
  ck_assert_ptr_nonnull(strstr(out, "pass"));
  free(out);

  /* plant one error: jiq's mean response time 10% too high (its se is ~0.3%) */
  char *p = strstr(csv, "two-tier,jiq,1,mean_response_time,");
  ck_assert_ptr_nonnull(p);
  char *num = p + strlen("two-tier,jiq,1,mean_response_time,");
  double v = strtod(num, NULL);
  char *rest = strchr(num, ',');
  size_t head = (size_t)(num - csv);
  char *bad = malloc(strlen(csv) + 64);
  memcpy(bad, csv, head);
  sprintf(bad + head, "%.17g%s", v * 1.1, rest);
  const char *badf = accq_tmp_file(bad, ".csv");
  char badpath[256];
  snprintf(badpath, sizeof badpath, "%s", badf);
  snprintf(args, sizeof args, "check-sim '%s' '%s'", golden, badpath);
  char *err;
  int st = accq_run(args, &out, &err);
  ck_assert_int_eq(st, 1);
  ck_assert_msg(strstr(err, "discrepancy") && strstr(err, "jiq") &&
                    strstr(err, "mean_response_time"),
                "stderr does not name the discrepancy: %s", err);
  /* exactly one discrepancy */
  ck_assert_ptr_null(strstr(strstr(err, "discrepancy") + 1, "discrepancy"));
  free(out);
  free(err);

  /* a CI half-width column instead of stderr works too */
  const char *hw = "model,policy,lambda,measure,mean,ci_halfwidth,replications\n"
                   "two-tier,jiq,1,accuracy,0.6804,0.0005,10\n";
  const char *hwf = accq_tmp_file(hw, ".csv");
  snprintf(args, sizeof args, "check-sim '%s' '%s'", golden, hwf);
  free(run_ok(args, 0));
  unlink(hwf);

  /* refusals: a missing column, an unknown model */
  const char *nocol = accq_tmp_file("model,policy,lambda,measure,mean\nx,y,1,p50,1\n", ".csv");
  snprintf(args, sizeof args, "check-sim '%s' '%s'", golden, nocol);
  st = accq_run(args, &out, &err);
  ck_assert_int_eq(st, 2);
  ck_assert_ptr_nonnull(strstr(err, "missing column"));
  free(out);
  free(err);
  unlink(nocol);
  const char *nomodel = accq_tmp_file(
      "model,policy,lambda,measure,mean,stderr,replications\nnope,jiq,1,p50,1,0.1,10\n", ".csv");
  snprintf(args, sizeof args, "check-sim '%s' '%s'", golden, nomodel);
  st = accq_run(args, &out, &err);
  ck_assert_int_eq(st, 2);
  ck_assert_ptr_nonnull(strstr(err, ":2: no golden value for model 'nope'"));
  free(out);
  free(err);
  unlink(nomodel);

  unlink(goodpath);
  unlink(badpath);
  unlink(golden);
  free(bad);
  free(csv);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sim-cli");
  TCase *tc = tcase_create("cli");
  tcase_set_timeout(tc, 900);
  tcase_add_test(tc, test_simulate_reproducible);
  tcase_add_test(tc, test_simulate_refusals);
  tcase_add_test(tc, test_simulate_unstable_jsq);
  tcase_add_test(tc, test_simulate_unstable_pop);
  tcase_add_test(tc, test_simulate_unstable_random_lp);
  tcase_add_test(tc, test_simulate_unstable_rjiq);
  tcase_add_test(tc, test_simulate_unstable_mixed);
  tcase_add_test(tc, test_simulate_warnings);
  tcase_add_test(tc, test_crosscheck_two_tier);
  tcase_add_test(tc, test_crosscheck_json_keys);
  tcase_add_test(tc, test_crosscheck_llm);
  tcase_add_test(tc, test_crosscheck_at_target);
  tcase_add_test(tc, test_crosscheck_nonbinding);
  tcase_add_test(tc, test_crosscheck_saturating);
  tcase_add_test(tc, test_golden_check_sim);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
