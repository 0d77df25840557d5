/* check-sim and golden: the statistics of accq/check.h and one test per
 * defect of the command (each refusal with its exit status and message). */
#include <gsl/gsl_cdf.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "testutil.h"

/* ---- library ------------------------------------------------------------- */

START_TEST(test_critical_t_and_replications) {
  /* Student t table values: t_{0.975,5} = 2.5706, t_{0.975,6} = 2.4469;
   * the normal quantile z_{0.995} = 2.5758 */
  ACCQ_CK_CLOSE(accq_check_critical_t(1, 6, 0.05), 2.5706, 1e-4, 0, "t_{0.975,5}");
  ACCQ_CK_CLOSE(accq_check_critical_t(1, 1, 0.01), 2.5758, 1e-4, 0, "z_{0.995}");
  /* the figure: Holm over ~100 rows at R = 10 needs |t| > 6.6 */
  ACCQ_CK_CLOSE(accq_check_critical_t(100, 10, 0.01), 6.6, 0.01, 0, "Holm, 100 rows, R = 10");
  /* power 0.5 (t_power = 0), sd = delta, one row at 5%: the smallest R with
   * t_{0.975,R-1} / sqrt(R) <= 1 is 7 (2.4469/2.6458 = 0.925; R = 6 gives
   * 2.5706/2.4495 = 1.049) */
  ck_assert_int_eq(accq_check_replications_for(1, 1, 1, 0.05, 0.5), 7);
  /* it meets the inequality, and R - 1 does not (general alpha, power, n) */
  int R = accq_check_replications_for(0.3, 0.02, 40, 0.01, 0.8);
  ck_assert_int_gt(R, 2);
  double need = (accq_check_critical_t(40, R, 0.01) + gsl_cdf_tdist_Pinv(0.8, R - 1)) * 0.3 / sqrt(R);
  double need1 = (accq_check_critical_t(40, R - 1, 0.01) + gsl_cdf_tdist_Pinv(0.8, R - 2)) * 0.3 / sqrt(R - 1);
  ck_assert(need <= 0.02 && need1 > 0.02);
  ck_assert_int_eq(accq_check_replications_for(0, 0.02, 40, 0.01, 0.8), 0);
  ck_assert_int_eq(accq_check_replications_for(NAN, 0.02, 40, 0.01, 0.8), 0);
}
END_TEST

START_TEST(test_standard_error_columns) {
  accq_err_t err;
  double se;
  const double t9 = 2.2621571627982; /* t_{0.975,9} */
  ck_assert_int_eq(accq_check_standard_error(0.1, NAN, 10, &se, &err), 0);
  ACCQ_CK_CLOSE(se, 0.1, 0, 0, "stderr alone");
  ck_assert_int_eq(accq_check_standard_error(NAN, t9 * 0.1, 10, &se, &err), 0);
  ACCQ_CK_CLOSE(se, 0.1, 1e-12, 0, "from the half-width");
  /* both, agreeing to printing precision */
  ck_assert_int_eq(accq_check_standard_error(0.1, 0.226, 10, &se, &err), 0);
  /* both, with a normal 1.96 half-width: refused naming both values */
  ck_assert_int_eq(accq_check_standard_error(0.1, 0.196, 10, &se, &err), ACCQ_EINVAL);
  ck_assert_msg(strstr(err.msg, "0.196") && strstr(err.msg, "disagree"), "%s", err.msg);
  ck_assert_int_eq(accq_check_standard_error(NAN, NAN, 10, &se, &err), ACCQ_EINVAL);
  ck_assert_int_eq(accq_check_standard_error(NAN, 0.2, 1, &se, &err), ACCQ_EINVAL);
}
END_TEST

START_TEST(test_family) {
  accq_check_row_t c[3];
  memset(c, 0, sizeof c);
  /* within --abs-tol: accepted, the simulator's own mean kept */
  c[0] = (accq_check_row_t){.exact = 1.0, .mean = 1.0 + 5e-7, .se = 1e-9, .replications = 10};
  /* a clear discrepancy (z = 20) */
  c[1] = (accq_check_row_t){.exact = 2.0, .mean = 2.2, .se = 0.01, .replications = 10, .target = 1};
  /* fine (z = 0.5) */
  c[2] = (accq_check_row_t){.exact = 3.0, .mean = 3.005, .se = 0.01, .replications = 20, .target = 1};
  accq_check_options_t o;
  accq_check_options_init(&o);
  accq_check_summary_t s;
  accq_err_t err;
  ck_assert_int_eq(accq_check_family(c, 3, &o, &s, &err), 0);
  ck_assert_int_eq(s.n, 3);
  ck_assert_int_eq(s.tolerated, 1);
  ck_assert_int_eq(s.rejected, 1);
  ck_assert(c[0].tolerated && !c[0].reject && c[0].mean == 1.0 + 5e-7 && c[0].p == 1);
  ck_assert(c[1].reject && !c[2].reject);
  ck_assert_int_eq(s.replications_min, 10);
  ACCQ_CK_CLOSE(s.critical_t, accq_check_critical_t(3, 10, 0.01), 0, 0, "file's critical t");
  /* detectable: (t_crit + t_0.8) se, relative to |exact| */
  double d = (accq_check_critical_t(3, 20, 0.01) + gsl_cdf_tdist_Pinv(0.8, 19)) * 0.01;
  ACCQ_CK_CLOSE(c[2].detectable, d, 1e-12, 0, "detectable");
  ACCQ_CK_CLOSE(c[2].detectable_rel, d / 3, 1e-12, 0, "detectable_rel");
  /* the recommendation is the larger need of the two target rows */
  int r1 = accq_check_replications_for(0.01 * sqrt(10), 0.04, 3, 0.01, 0.8);
  int r2 = accq_check_replications_for(0.01 * sqrt(20), 0.06, 3, 0.01, 0.8);
  ck_assert_int_eq(s.replications_recommended, r1 > r2 ? r1 : r2);
  /* bad options are refused by name */
  o.power = 1;
  ck_assert_int_eq(accq_check_family(c, 3, &o, &s, &err), ACCQ_EINVAL);
  ck_assert(strstr(err.msg, "power"));
  /* an empty family */
  accq_check_options_init(&o);
  ck_assert_int_eq(accq_check_family(c, 0, &o, &s, &err), 0);
  ck_assert_int_eq(s.n, 0);
  ck_assert_int_eq(s.rejected, 0);
}
END_TEST

/* Level distributions: random-lp's servers are independent M/M/1 queues, so
 * level q of type k has probability (1 - rho_k) rho_k^q and P(W > 0 | k) =
 * rho_k (closed forms); jsq's are checked against the chain's own measures
 * computed independently (sum_q level = 1, U_k = 1 - level_k0,
 * L = sum_k N_k sum_q q level_kq, P(W > 0) = sum_k X_k P(W>0|k) / X). */
START_TEST(test_exact_levels) {
  const char *names[] = {"random-lp", "jsq", "jiq"};
  for (int t = 0; t < 3; t++) {
    accq_model_t m;
    accq_err_t err;
    ck_assert_int_eq(accq_model_load(&m, accq_src_path("models/two-tier.ini"), NULL, 0, &err), 0);
    accq_policy_options_t po;
    accq_policy_options_init(&po);
    accq_policy_t *pol;
    ck_assert_int_eq(accq_policy_alloc(&pol, names[t], &m, &po, &err), 0);
    accq_analysis_options_t ao;
    accq_analysis_options_init(&ao);
    ao.keep_chain = 1;
    accq_analysis_t an;
    ck_assert_msg(accq_analyze(&m, pol, &ao, &an, &err) == 0, "%s", err.msg);
    const int B = an.buffer, L1 = B + 1;
    double *lev = malloc((size_t)m.ntypes * L1 * sizeof *lev), pw[ACCQ_MAX_TYPES];
    ck_assert_int_eq(accq_check_exact_levels(an.chain, pol, an.pi, lev, pw, &err), 0);
    double L = 0, pwall = 0;
    for (int k = 0; k < m.ntypes; k++) {
      double sum = 0, mean = 0;
      for (int q = 0; q < L1; q++) {
        sum += lev[k * L1 + q];
        mean += q * lev[k * L1 + q];
      }
      ACCQ_CK_CLOSE(sum, 1, 1e-12, 0, "levels sum to 1");
      ACCQ_CK_CLOSE(1 - lev[k * L1], an.m.utilization[k], 1e-10, 1e-13, "U_k = 1 - level 0");
      L += m.types[k].servers * m.scale * mean;
      pwall += an.m.throughput[k] * pw[k];
      if (t == 0) {
        const double *p = accq_policy_split(pol);
        double rho = m.arrival_rate * p[k] / (m.types[k].servers * m.types[k].rate);
        for (int q = 0; q < 6; q++)
          ACCQ_CK_CLOSE(lev[k * L1 + q], (1 - rho) * pow(rho, q), 1e-9, 1e-12, "M/M/1 level");
        ACCQ_CK_CLOSE(pw[k], rho, 1e-9, 1e-12, "M/M/1 P(W>0) = rho");
      }
    }
    ACCQ_CK_CLOSE(L, an.m.mean_jobs, 1e-9, 0, "L from the levels");
    ACCQ_CK_CLOSE(pwall / an.m.throughput_total, an.m.p_wait, 1e-9, 1e-14, "P(W>0) from per type");
    free(lev);
    accq_analysis_release(&an);
    accq_policy_free(pol);
  }
}
END_TEST

/* ---- the command ---------------------------------------------------------- */

static char dir[64], golden[128], model2[128];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/accq-check-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(golden, sizeof golden, "%s/g.json", dir);
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static const char *write_file(const char *name, const char *text) {
  static char path[4][160];
  static int i;
  i = (i + 1) % 4;
  snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
  FILE *f = fopen(path[i], "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  return path[i];
}

/* golden of two-tier with jsq and jiq into `golden` */
static void make_golden(void) {
  char args[512];
  snprintf(args, sizeof args, "golden '%s' -p jsq,jiq --out '%s'",
           accq_src_path("models/two-tier.ini"), golden);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
}

static double golden_value(const char *policy, const char *measure) {
  json_t *g = json_load_file(golden, 0, NULL);
  ck_assert_ptr_nonnull(g);
  size_t i;
  json_t *e;
  double v = NAN;
  json_array_foreach(json_object_get(g, "entries"), i, e) {
    if (!strcmp(json_string_value(json_object_get(e, "policy")), policy))
      v = json_number_value(json_object_get(json_object_get(e, "measures"), measure));
  }
  json_decref(g);
  return v;
}

/* check-sim GOLDEN CSV --format json: exit status, parsed stdout, stderr */
static int check(const char *csv, const char *extra, json_t **out, char **err) {
  char args[1024];
  snprintf(args, sizeof args, "check-sim '%s' '%s' --format json %s", golden, csv, extra ? extra : "");
  char *o = NULL;
  int rc = accq_run(args, &o, err);
  *out = json_loads(o, 0, NULL);
  free(o);
  return rc;
}

static const char *HDR = "model,policy,lambda,measure,mean,stderr,replications\n";

START_TEST(test_abs_tol_row_shows_the_users_mean) {
  make_golden();
  double et = golden_value("jsq", "mean_response_time");
  char csv[512];
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,mean_response_time,%.17g,0.001,10\n", HDR, et + 5e-7);
  json_t *o;
  char *err;
  ck_assert_int_eq(check(write_file("a.csv", csv), NULL, &o, &err), 0);
  json_t *row = json_array_get(json_object_get(o, "comparisons"), 0);
  ACCQ_CK_CLOSE(json_number_value(json_object_get(row, "mean")), et + 5e-7, 0, 0,
                "the row shows the simulator's mean");
  ck_assert(strstr(json_string_value(json_object_get(row, "reason")), "abs-tol"));
  ck_assert_int_eq(json_integer_value(json_object_get(o, "tolerated")), 1);
  json_decref(o);
  free(err);
}
END_TEST

START_TEST(test_header_only_is_not_a_pass) {
  make_golden();
  json_t *o;
  char *err;
  ck_assert_int_eq(check(write_file("h.csv", HDR), NULL, &o, &err), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "compared")), 0);
  ck_assert(json_is_false(json_object_get(o, "pass")));
  ck_assert_str_eq(json_string_value(json_object_get(o, "verdict")), "nothing compared");
  ck_assert_msg(strstr(err, "nothing was compared"), "%s", err);
  json_decref(o);
  free(err);
}
END_TEST

START_TEST(test_one_replication_refused) {
  make_golden();
  char csv[512];
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,mean_response_time,0.44,0.001,1\n", HDR);
  json_t *o;
  char *err;
  const char *path = write_file("r1.csv", csv);
  ck_assert_int_eq(check(path, NULL, &o, &err), 2);
  char want[256];
  snprintf(want, sizeof want, "%s:2: replications 1", path);
  ck_assert_msg(strstr(err, want) && strstr(err, "at least 2"), "%s", err);
  json_decref(o);
  free(err);
}
END_TEST

START_TEST(test_same_name_refused) {
  /* golden refuses two models it could not tell apart */
  char args[1024], *err;
  snprintf(model2, sizeof model2, "%s/copy.ini", dir);
  snprintf(args, sizeof args, "cp '%s' '%s'", accq_src_path("models/two-tier.ini"), model2);
  ck_assert_int_eq(system(args), 0);
  snprintf(args, sizeof args, "golden '%s' '%s' -p jsq --out '%s'",
           accq_src_path("models/two-tier.ini"), model2, golden);
  ck_assert_int_eq(accq_run(args, NULL, &err), 2);
  ck_assert_msg(strstr(err, "both named 'two-tier'"), "%s", err);
  free(err);
  /* a per-model override tells them apart (and lambda does too) */
  snprintf(args, sizeof args, "golden '%s' '%s' system.name=two-tier-b system.arrival_rate=1 -p jsq --out '%s'",
           accq_src_path("models/two-tier.ini"), model2, golden);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  json_t *g = json_load_file(golden, 0, NULL);
  json_t *e1 = json_array_get(json_object_get(g, "entries"), 1);
  ck_assert_str_eq(json_string_value(json_object_get(e1, "model")), "two-tier-b");
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e1, "sets"), 0)), "system.name=two-tier-b");
  /* the model file's SHA-256 is recorded */
  char hex[65];
  accq_err_t aerr;
  ck_assert_int_eq(accq_sha256_file(model2, hex, &aerr), 0);
  ck_assert_str_eq(json_string_value(json_object_get(e1, "model_sha256")), hex);
  json_decref(g);
  /* two golden files with the same model: a row matching both is ambiguous */
  char g2[160];
  snprintf(g2, sizeof g2, "%s/g2.json", dir);
  snprintf(args, sizeof args, "golden '%s' -p jsq --out '%s'", model2, g2);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  char csv[512];
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,mean_response_time,0.44,0.001,10\n", HDR);
  const char *c = write_file("amb.csv", csv);
  snprintf(args, sizeof args, "check-sim '%s' '%s' '%s'", golden, g2, c);
  ck_assert_int_eq(accq_run(args, NULL, &err), 2);
  ck_assert_msg(strstr(err, ":2: model 'two-tier', policy 'jsq'") && strstr(err, "ambiguous") &&
                    strstr(err, "sha256"),
                "%s", err);
  free(err);
}
END_TEST

START_TEST(test_several_golden_files) {
  char args[1024], g2[160];
  snprintf(g2, sizeof g2, "%s/g2.json", dir);
  snprintf(args, sizeof args, "golden '%s' -p jsq --out '%s'", accq_src_path("models/two-tier.ini"), golden);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  snprintf(args, sizeof args, "golden '%s' -p jsq --out '%s'", accq_src_path("models/nonbinding.ini"), g2);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  double a = golden_value("jsq", "accuracy");
  json_t *g = json_load_file(g2, 0, NULL);
  json_t *e = json_array_get(json_object_get(g, "entries"), 0);
  double b = json_number_value(json_object_get(json_object_get(e, "measures"), "accuracy"));
  double lb = json_number_value(json_object_get(e, "lambda"));
  json_decref(g);
  char csv[512];
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,accuracy,%.17g,0.001,10\nnonbinding,jsq,%.17g,accuracy,%.17g,0.001,10\n",
           HDR, a, lb, b);
  const char *c = write_file("two.csv", csv);
  char *out;
  snprintf(args, sizeof args, "check-sim '%s' '%s' '%s' --format json", golden, g2, c);
  ck_assert_int_eq(accq_run(args, &out, NULL), 0);
  json_t *o = json_loads(out, 0, NULL);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "compared")), 2);
  ck_assert_int_eq(json_array_size(json_object_get(o, "golden")), 2);
  json_decref(o);
  free(out);
}
END_TEST

START_TEST(test_corrupt_golden_value) {
  make_golden();
  /* replace jiq's mean_jobs by a string, keeping accq's layout */
  json_t *g = json_load_file(golden, JSON_PRESERVE_ORDER, NULL);
  json_t *e = json_array_get(json_object_get(g, "entries"), 1);
  json_object_set_new(json_object_get(e, "measures"), "mean_jobs", json_string("abc"));
  json_dump_file(g, golden, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(g);
  /* the line of the bad value, found independently */
  FILE *f = fopen(golden, "r");
  char buf[4096];
  int line = 0, want = 0;
  while (fgets(buf, sizeof buf, f)) {
    line++;
    if (strstr(buf, "\"mean_jobs\": \"abc\"")) want = line;
  }
  fclose(f);
  ck_assert_int_gt(want, 0);
  char csv[512];
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,accuracy,0.7,0.001,10\n", HDR);
  json_t *o;
  char *err, where[200];
  ck_assert_int_eq(check(write_file("c.csv", csv), NULL, &o, &err), 2);
  snprintf(where, sizeof where, "%s:%d: entries[1]", golden, want);
  ck_assert_msg(strstr(err, where) && strstr(err, "measures.mean_jobs is a string"), "%s", err);
  json_decref(o);
  free(err);
}
END_TEST

START_TEST(test_inconsistent_stderr_ci) {
  make_golden();
  const char *csv = "model,policy,lambda,measure,mean,stderr,ci_halfwidth,replications\n"
                    "two-tier,jsq,1,accuracy,0.68,0.001,0.00226,10\n"
                    "two-tier,jsq,1,p_wait,0.0068,0.001,0.00196,10\n";
  json_t *o;
  char *err;
  const char *path = write_file("i.csv", csv);
  ck_assert_int_eq(check(path, NULL, &o, &err), 2);
  char want[256];
  snprintf(want, sizeof want, "%s:3: stderr 0.001 and ci_halfwidth 0.00196 disagree", path);
  ck_assert_msg(strstr(err, want), "%s", err);
  json_decref(o);
  free(err);
}
END_TEST

/* Skips with reasons: averaged percentiles, duplicates, null values; rows
 * compared with a reason each; frac_below rows tested against their
 * proportion; left-out measures and entries reported. */
START_TEST(test_reasons_skips_and_coverage) {
  make_golden();
  double et = golden_value("jsq", "mean_response_time");
  char csv[1024];
  snprintf(csv, sizeof csv,
           "%stwo-tier,jsq,1,mean_response_time,%.17g,0.01,10\n"
           "two-tier,jsq,1,p99,2.5,0.01,10\n"
           "two-tier,jsq,1,mean_response_time,%.17g,0.01,10\n"
           "two-tier,jsq,1,frac_below.p99,0.9905,0.0005,10\n",
           HDR, et, et);
  json_t *o;
  char *err;
  ck_assert_int_eq(check(write_file("s.csv", csv), NULL, &o, &err), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "compared")), 2);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "skipped")), 2);
  json_t *rows = json_object_get(o, "comparisons");
  ck_assert_int_eq(json_array_size(rows), 4);
  for (size_t i = 0; i < 4; i++) {
    const char *reason = json_string_value(json_object_get(json_array_get(rows, i), "reason"));
    ck_assert(reason && *reason);
  }
  ck_assert(strstr(json_string_value(json_object_get(json_array_get(rows, 1), "reason")), "biased"));
  ck_assert(strstr(json_string_value(json_object_get(json_array_get(rows, 2), "reason")), "duplicate of line 2"));
  ACCQ_CK_CLOSE(json_number_value(json_object_get(json_array_get(rows, 3), "exact")), 0.99, 0, 0,
                "frac_below.p99 is tested against 0.99");
  /* jiq had no row; jsq's level distribution was left out */
  json_t *nc = json_object_get(o, "not_compared");
  ck_assert_int_eq(json_array_size(nc), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(nc, 0), "policy")), "jiq");
  const char *left = json_string_value(json_object_get(json_array_get(json_object_get(o, "measures_left_out"), 0), "measures"));
  ck_assert(strstr(left, "level.large.1") && strstr(left, "p_wait.small"));
  /* warnings in JSON and on stderr, also with -q */
  ck_assert_int_ge(json_array_size(json_object_get(o, "warnings")), 3);
  json_decref(o);
  free(err);
  ck_assert_int_eq(check(write_file("s.csv", csv), "-q", &o, &err), 0);
  ck_assert_msg(strstr(err, "duplicate row") && strstr(err, "averaged percentiles"), "%s", err);
  json_decref(o);
  free(err);
}
END_TEST

/* A "jsq" that is really jiq: their E[T] differ by 4e-4 relative on two-tier
 * (golden values), invisible at any ordinary precision, while the fraction of
 * large servers holding 3 jobs differs 30-fold (3.4e-6 vs 1.1e-4): the level
 * distributions in the golden file catch the swap. */
START_TEST(test_levels_tell_jsq_from_jiq) {
  make_golden();
  double et_jiq = golden_value("jiq", "mean_response_time"), et_jsq = golden_value("jsq", "mean_response_time");
  double l3_jiq = golden_value("jiq", "level.large.3"), l3_jsq = golden_value("jsq", "level.large.3");
  ck_assert(fabs(et_jiq / et_jsq - 1) < 1e-3);
  ck_assert(l3_jiq > 10 * l3_jsq);
  char csv[512];
  /* jiq's exact values reported as jsq, with realistic standard errors */
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,mean_response_time,%.17g,0.001,10\n"
           "two-tier,jsq,1,level.large.3,%.17g,0.00001,10\n", HDR, et_jiq, l3_jiq);
  json_t *o;
  char *err;
  ck_assert_int_eq(check(write_file("swap.csv", csv), NULL, &o, &err), 1);
  json_t *rows = json_object_get(o, "comparisons");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 0), "verdict")), "ok");
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 1), "verdict")), "DISCREPANCY");
  json_decref(o);
  free(err);
}
END_TEST

/* golden on two-tier marks accurate-jiq (unstable: its truncation does not
 * converge) instead of writing it as a reference; check-sim then skips its
 * rows, and accq's own simulator passes (before: 5 false discrepancies). */
START_TEST(test_non_converged_entries) {
  char args[1024], *err, *out;
  snprintf(args, sizeof args, "golden '%s' -p jsq,accurate-jiq --out '%s'",
           accq_src_path("models/two-tier.ini"), golden);
  ck_assert_int_eq(accq_run(args, NULL, &err), 3); /* ENOCONV: numerical, exit 3 */
  ck_assert_msg(strstr(err, "accurate-jiq") && strstr(err, "not_converged"), "%s", err);
  free(err);
  json_t *g = json_load_file(golden, 0, NULL);
  json_t *e = json_array_get(json_object_get(g, "entries"), 1);
  ck_assert_str_eq(json_string_value(json_object_get(e, "status")), "not_converged");
  ck_assert_ptr_null(json_object_get(e, "measures"));
  ck_assert(json_string_value(json_object_get(e, "reason")));
  ck_assert_int_eq(json_array_size(json_object_get(g, "warnings")), 1);
  json_decref(g);
  snprintf(args, sizeof args, "golden '%s' -p jsq,accurate-jiq --allow-partial --out '%s'",
           accq_src_path("models/two-tier.ini"), golden);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  /* accurate-jiq sends everything to the large server (capacity 1 = Lambda):
   * accq simulate refuses it with infinite buffers (exit 4, no rows), so its
   * rows come from a finite-buffer run; check-sim must skip them whatever
   * their values */
  snprintf(args, sizeof args, "simulate '%s' --policy jsq,accurate-jiq --jobs 20000 --format csv",
           accq_src_path("models/two-tier.ini"));
  ck_assert_int_eq(accq_run(args, &out, NULL), 4);
  free(out);
  snprintf(args, sizeof args, "simulate '%s' --policy jsq --jobs 20000 --format csv",
           accq_src_path("models/two-tier.ini"));
  ck_assert_int_eq(accq_run(args, &out, NULL), 0);
  char *out2;
  snprintf(args, sizeof args,
           "simulate '%s' --policy accurate-jiq --buffer 20 --jobs 20000 --format csv",
           accq_src_path("models/two-tier.ini"));
  ck_assert_int_eq(accq_run(args, &out2, NULL), 0);
  accq_strip_provenance(out2); /* one provenance header is enough: the first file's */
  const char *body = strchr(out2, '\n'); /* without its header line */
  ck_assert_ptr_nonnull(body);
  char *both = malloc(strlen(out) + strlen(body) + 1);
  strcpy(both, out);
  strcat(both, body + 1);
  const char *csv = write_file("sim.csv", both);
  free(out);
  free(out2);
  free(both);
  json_t *o;
  ck_assert_int_eq(check(csv, NULL, &o, &err), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(o, "discrepancies")), 0);
  ck_assert_msg(strstr(err, "not a reference"), "%s", err);
  /* every accurate-jiq row is skipped, with the reason */
  size_t i;
  json_t *r;
  int skipped = 0;
  json_array_foreach(json_object_get(o, "comparisons"), i, r) {
    if (!strcmp(json_string_value(json_object_get(r, "policy")), "accurate-jiq")) {
      ck_assert_str_eq(json_string_value(json_object_get(r, "verdict")), "skipped");
      ck_assert(strstr(json_string_value(json_object_get(r, "reason")), "not_converged"));
      skipped++;
    }
  }
  ck_assert_int_gt(skipped, 10);
  json_decref(o);
  free(err);
}
END_TEST

/* The same (entry, measure) twice with different values: which one would be
 * tested?  Refused with both lines (exit 2); before, the second row was
 * skipped as a "duplicate" and the file could pass on the first alone. */
START_TEST(test_conflicting_duplicate_refused) {
  make_golden();
  double et = golden_value("jsq", "mean_response_time");
  char csv[1024];
  /* line 3 repeats line 2 exactly (skipped); line 4 gives another mean */
  snprintf(csv, sizeof csv,
           "%stwo-tier,jsq,1,mean_response_time,%.17g,0.01,10\n"
           "two-tier,jsq,1,mean_response_time,%.17g,0.01,10\n"
           "two-tier,jsq,1,mean_response_time,%.17g,0.01,10\n",
           HDR, et, et, et + 1);
  json_t *o;
  char *err;
  const char *path = write_file("conflict.csv", csv);
  ck_assert_int_eq(check(path, NULL, &o, &err), 2);
  char want[256];
  snprintf(want, sizeof want, "%s:4: model 'two-tier', policy 'jsq', lambda 1, measure "
           "'mean_response_time' was given at line 2 with other values", path);
  ck_assert_msg(strstr(err, want), "%s", err);
  ck_assert_ptr_null(o); /* nothing printed on stdout */
  free(err);
  /* a different standard error or R conflicts too */
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,p_wait,0.2,0.01,10\ntwo-tier,jsq,1,p_wait,0.2,0.01,12\n", HDR);
  path = write_file("conflict2.csv", csv);
  ck_assert_int_eq(check(path, NULL, &o, &err), 2);
  snprintf(want, sizeof want, "%s:3: ", path);
  ck_assert_msg(strstr(err, want) && strstr(err, "replications 12 here"), "%s", err);
  ck_assert_ptr_null(o);
  free(err);
  /* also for rows that are skipped (an averaged percentile) */
  snprintf(csv, sizeof csv, "%stwo-tier,jsq,1,p99,2.5,0.01,10\ntwo-tier,jsq,1,p99,2.6,0.01,10\n", HDR);
  path = write_file("conflict3.csv", csv);
  ck_assert_int_eq(check(path, NULL, &o, &err), 2);
  ck_assert_msg(strstr(err, ":3: ") && strstr(err, "line 2"), "%s", err);
  ck_assert_ptr_null(o);
  free(err);
}
END_TEST

int main(void) {
  Suite *s = suite_create("check");
  TCase *lib = tcase_create("library");
  tcase_add_test(lib, test_critical_t_and_replications);
  tcase_add_test(lib, test_standard_error_columns);
  tcase_add_test(lib, test_family);
  tcase_add_test(lib, test_exact_levels);
  suite_add_tcase(s, lib);
  TCase *cli = tcase_create("check-sim");
  tcase_add_checked_fixture(cli, setup, teardown);
  tcase_set_timeout(cli, 300);
  tcase_add_test(cli, test_abs_tol_row_shows_the_users_mean);
  tcase_add_test(cli, test_header_only_is_not_a_pass);
  tcase_add_test(cli, test_one_replication_refused);
  tcase_add_test(cli, test_same_name_refused);
  tcase_add_test(cli, test_several_golden_files);
  tcase_add_test(cli, test_corrupt_golden_value);
  tcase_add_test(cli, test_inconsistent_stderr_ci);
  tcase_add_test(cli, test_reasons_skips_and_coverage);
  tcase_add_test(cli, test_non_converged_entries);
  tcase_add_test(cli, test_levels_tell_jsq_from_jiq);
  tcase_add_test(cli, test_conflicting_duplicate_refused);
  suite_add_tcase(s, cli);
  return accq_run_suite(s);
}
