/* The check module's library functions (accq/check.h) called from C, without
 * the CLI: the CSV reader, golden files written and read back, check-sim's
 * procedure (including the refusal of a conflicting duplicate row) and
 * crosscheck's procedure; and the Student quantiles of the GSL adapter. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "ext/gsl.h"
#include "testutil.h"

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/accq-checkmod-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
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

static void load(const char *rel, accq_model_t *m) {
  accq_err_t err;
  ck_assert_msg(accq_model_load(m, accq_src_path(rel), NULL, 0, &err) == 0, "%s", err.msg);
  ck_assert_msg(accq_lp_model_resolve(m, &err) == 0, "%s", err.msg);
}

/* ---- Student quantiles through ext/gsl.h ---- */

START_TEST(test_t_quantiles) {
  /* table values: t_{0.975,9} = 2.2622, t_{0.995,4} = 4.6041; z_{0.975} = 1.9600 */
  ACCQ_CK_CLOSE(accq_gsl_t_quantile(0.975, 9), 2.2622, 5e-5, 0, "t_{0.975,9}");
  ACCQ_CK_CLOSE(accq_gsl_t_quantile(0.995, 4), 4.6041, 5e-5, 0, "t_{0.995,4}");
  ACCQ_CK_CLOSE(accq_gsl_t_quantile(0.975, 0), 1.9600, 5e-5, 0, "z_{0.975} (dof 0: normal)");
  /* the upper tail inverts the quantile */
  ACCQ_CK_CLOSE(accq_gsl_t_upper(accq_gsl_t_quantile(0.9, 7), 7), 0.1, 1e-12, 0, "P(T_7 > t_{0.9,7})");
  /* t with 1 d.f. is Cauchy: P(T > 1) = 1/4 exactly */
  ACCQ_CK_CLOSE(accq_gsl_t_upper(1, 1), 0.25, 1e-14, 0, "Cauchy tail");
}
END_TEST

/* ---- the CSV reader ---- */

START_TEST(test_csv_reader) {
  const char *path = write_file("r.csv",
                                "a,b,c\r\n"
                                "\"x,1\",\"say \"\"hi\"\"\",3\n"
                                "\n"
                                "\"two\nlines\",,\n"
                                "last,row,\"q\"");
  accq_check_csv_t *csv;
  accq_err_t err;
  ck_assert_int_eq(accq_check_csv_open(path, &csv, &err), 0);
  char **f;
  int line;
  ck_assert_int_eq(accq_check_csv_next(csv, &f, &line), 3);
  ck_assert_int_eq(line, 1);
  ck_assert_str_eq(f[0], "a");
  ck_assert_str_eq(f[2], "c"); /* CR dropped */
  ck_assert_int_eq(accq_check_csv_next(csv, &f, &line), 3);
  ck_assert_int_eq(line, 2);
  ck_assert_str_eq(f[0], "x,1");
  ck_assert_str_eq(f[1], "say \"hi\"");
  ck_assert_int_eq(accq_check_csv_next(csv, &f, &line), 1); /* blank line: one empty field */
  ck_assert_int_eq(line, 3);
  ck_assert_str_eq(f[0], "");
  ck_assert_int_eq(accq_check_csv_next(csv, &f, &line), 3); /* trailing comma: 3 fields */
  ck_assert_int_eq(line, 4);
  ck_assert_str_eq(f[0], "two\nlines");
  ck_assert_str_eq(f[1], "");
  ck_assert_str_eq(f[2], "");
  ck_assert_int_eq(accq_check_csv_next(csv, &f, &line), 3); /* no final newline */
  ck_assert_int_eq(line, 6);
  ck_assert_str_eq(f[2], "q");
  ck_assert_int_eq(accq_check_csv_next(csv, &f, &line), 0);
  accq_check_csv_close(csv);
  /* an unterminated quote is malformed */
  ck_assert_int_eq(accq_check_csv_open(write_file("u.csv", "a,\"b\n"), &csv, &err), 0);
  ck_assert_int_eq(accq_check_csv_next(csv, &f, &line), -1);
  accq_check_csv_close(csv);
  /* a missing file names itself */
  char missing[200];
  snprintf(missing, sizeof missing, "%s/none.csv", dir);
  ck_assert_int_eq(accq_check_csv_open(missing, &csv, &err), ACCQ_EIO);
  ck_assert_msg(strstr(err.msg, missing) && strstr(err.msg, "cannot open"), "%s", err.msg);
}
END_TEST

/* ---- golden: compute, write, read back ---- */

/* Golden of two-tier with the given policies into dir/NAME; returns its path. */
static const char *make_golden(const char *name, const char *p1, const char *p2,
                               accq_check_golden_t *g, int *st) {
  static accq_model_t m;
  load("models/two-tier.ini", &m);
  const char *sets[1] = {"system.name=two-tier"};
  accq_check_golden_model_t gm = {&m, "two-tier.ini", "abc", sets, 1};
  char pol[2][ACCQ_NAME_MAX];
  snprintf(pol[0], ACCQ_NAME_MAX, "%s", p1);
  snprintf(pol[1], ACCQ_NAME_MAX, "%s", p2);
  accq_check_golden_options_t opt;
  accq_check_golden_options_init(&opt);
  accq_err_t err;
  *st = accq_check_golden_compute(&gm, 1, (const char (*)[ACCQ_NAME_MAX])pol, 2, &opt, g, &err);
  ck_assert_msg(*st == 0, "%s", err.msg);
  accq_report_t *rep = accq_check_golden_report(g);
  ck_assert_ptr_nonnull(rep);
  static char path[200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ck_assert_msg(accq_report_write_file(rep, ACCQ_FORMAT_JSON, path, &err) == 0, "%s", err.msg);
  accq_report_free(rep);
  return path;
}

START_TEST(test_golden_round_trip) {
  accq_check_golden_t g, r;
  int st;
  const char *path = make_golden("g.json", "jsq", "jiq", &g, &st);
  ck_assert_int_eq(g.n, 2);
  ck_assert_int_eq(g.nwarnings, 0);
  ck_assert_int_eq(g.worst, 0);
  /* the reference values are the chain's: E[T] of jsq from accq_analyze directly */
  accq_model_t m;
  load("models/two-tier.ini", &m);
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_policy_t *pol;
  accq_err_t err;
  ck_assert_int_eq(accq_policy_alloc(&pol, "jsq", &m, &popt, &err), 0);
  accq_analysis_options_t aopt;
  accq_analysis_options_init(&aopt);
  accq_analysis_t an;
  ck_assert_int_eq(accq_analyze(&m, pol, &aopt, &an, &err), 0);
  double et;
  ck_assert(accq_check_golden_measure(&g.entries[0], "mean_response_time", &et));
  ck_assert(et == an.m.mean_response_time);
  ck_assert_int_eq(g.entries[0].buffer, an.buffer);
  accq_analysis_release(&an);
  accq_policy_free(pol);
  /* read back: every field and every measure bit for bit (17 digits) */
  accq_check_golden_init(&r);
  ck_assert_msg(accq_check_golden_read(path, &r, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(r.n, 2);
  for (int i = 0; i < 2; i++) {
    const accq_check_golden_entry_t *a = &g.entries[i], *b = &r.entries[i];
    ck_assert_str_eq(a->model, b->model);
    ck_assert_str_eq(a->policy, b->policy);
    ck_assert_str_eq(b->status, "ok");
    ck_assert_ptr_null(b->reason);
    ck_assert_str_eq(b->sha256, "abc");
    ck_assert_str_eq(b->file, path);
    ck_assert(a->lambda == b->lambda);
    ck_assert_int_eq(a->nmeasures, b->nmeasures);
    for (int k = 0; k < a->nmeasures; k++) {
      ck_assert_str_eq(a->measures[k].name, b->measures[k].name);
      ck_assert_msg(a->measures[k].value == b->measures[k].value ||
                        (isnan(a->measures[k].value) && isnan(b->measures[k].value)),
                    "%s: %.17g vs %.17g", a->measures[k].name, a->measures[k].value,
                    b->measures[k].value);
    }
  }
  /* two files append to one list */
  ck_assert_int_eq(accq_check_golden_read(path, &r, &err), 0);
  ck_assert_int_eq(r.n, 4);
  ck_assert_int_eq(r.entries[3].index, 1);
  accq_check_golden_release(&r);
  accq_check_golden_release(&g);
}
END_TEST

/* accurate-jiq sends everything to the large server (capacity 1 = Lambda on
 * two-tier): its truncation does not converge, so its entry is not a
 * reference: status and reason, no measures, exit status 3 (numerical). */
START_TEST(test_golden_not_a_reference) {
  accq_check_golden_t g, r;
  int st;
  const char *path = make_golden("g2.json", "jsq", "accurate-jiq", &g, &st);
  ck_assert_int_eq(g.nwarnings, 1);
  ck_assert_int_eq(g.worst, 3);
  ck_assert_str_eq(g.entries[1].status, "not_converged");
  ck_assert_int_eq(g.entries[1].nmeasures, 0);
  ck_assert_msg(strstr(g.warnings[0], "accurate-jiq") && strstr(g.warnings[0], "not_converged"),
                "%s", g.warnings[0]);
  accq_err_t err;
  accq_check_golden_init(&r);
  ck_assert_int_eq(accq_check_golden_read(path, &r, &err), 0);
  ck_assert_str_eq(r.entries[1].status, "not_converged");
  ck_assert_ptr_nonnull(r.entries[1].reason);
  ck_assert_int_eq(r.entries[1].nmeasures, 0);
  accq_check_golden_release(&r);
  accq_check_golden_release(&g);
  /* a misspelt policy fails the whole file (usage) */
  accq_model_t m;
  load("models/two-tier.ini", &m);
  accq_check_golden_model_t gm = {&m, "two-tier.ini", "abc", NULL, 0};
  char pol[1][ACCQ_NAME_MAX] = {"jsqq"};
  accq_check_golden_options_t opt;
  accq_check_golden_options_init(&opt);
  ck_assert_int_eq(accq_check_golden_compute(&gm, 1, (const char (*)[ACCQ_NAME_MAX])pol, 1, &opt, &g, &err),
                   ACCQ_EUSAGE);
  ck_assert_int_eq(g.n, 0);
}
END_TEST

/* ---- check-sim's procedure ---- */

START_TEST(test_check_sim_procedure) {
  accq_check_golden_t g;
  int st;
  const char *gpath = make_golden("g.json", "jsq", "jiq", &g, &st);
  double et, lj;
  ck_assert(accq_check_golden_measure(&g.entries[0], "mean_response_time", &et));
  ck_assert(accq_check_golden_measure(&g.entries[1], "mean_jobs", &lj));
  accq_check_golden_release(&g);
  const char *hdr = "model,policy,lambda,measure,mean,stderr,replications\n";
  char text[1024];
  /* jsq's E[T] exact (a pass), jiq's L 10 standard errors off (rejected),
   * an identical repetition (skipped), an averaged percentile (skipped) */
  snprintf(text, sizeof text,
           "%stwo-tier,jsq,1,mean_response_time,%.17g,0.01,10\n"
           "two-tier,jiq,1,mean_jobs,%.17g,0.001,10\n"
           "two-tier,jsq,1,mean_response_time,%.17g,0.01,10\n"
           "two-tier,jsq,1,p99,3,0.01,10\n",
           hdr, et, lj + 0.01, et);
  const char *csv = write_file("a.csv", text);
  accq_check_options_t opt;
  accq_check_options_init(&opt);
  accq_check_sim_t x;
  accq_err_t err;
  const char *golden[1] = {gpath};
  ck_assert_msg(accq_check_sim_run(golden, 1, csv, &opt, &x, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(x.nrows, 4);
  ck_assert_int_eq(x.n, 2);
  ck_assert_int_eq(x.skipped[0], 2);
  ck_assert_int_eq(x.skipped[ACCQ_CHECK_SKIP_DUPLICATE], 1);
  ck_assert_int_eq(x.skipped[ACCQ_CHECK_SKIP_PERCENTILE], 1);
  ck_assert_int_eq(x.rows[2].skip, ACCQ_CHECK_SKIP_DUPLICATE);
  ck_assert_int_eq(x.sum.rejected, 1);
  const accq_check_row_t *c = &x.checks[x.rows[1].check];
  ACCQ_CK_CLOSE(c->z, 10, 1e-9, 0, "z = (mean - exact) / se = 0.01 / 0.001");
  ck_assert(c->reject);
  ck_assert(!x.checks[0].reject);
  ck_assert_int_eq(x.unused, 0);
  ck_assert_int_eq(x.incomplete, 2); /* both entries leave measures out */
  ck_assert_ptr_nonnull(strstr(x.left_out[0], "level.large.1"));
  accq_check_sim_release(&x);
  /* the same (entry, measure) with another mean: refused, both lines named */
  snprintf(text, sizeof text,
           "%stwo-tier,jsq,1,mean_response_time,%.17g,0.01,10\n"
           "two-tier,jsq,1,mean_response_time,%.17g,0.01,10\n",
           hdr, et, et + 0.5);
  csv = write_file("b.csv", text);
  ck_assert_int_eq(accq_check_sim_run(golden, 1, csv, &opt, &x, &err), ACCQ_EINVAL);
  char want[300];
  snprintf(want, sizeof want, "%s:3: model 'two-tier', policy 'jsq'", csv);
  ck_assert_msg(strstr(err.msg, want) && strstr(err.msg, "at line 2 with other values"), "%s",
                err.msg);
  ck_assert_int_eq(accq_status_exit_code(err.status), 2);
  accq_check_sim_release(&x);
  /* nothing compared: not a pass, and a warning says so */
  csv = write_file("c.csv", hdr);
  ck_assert_int_eq(accq_check_sim_run(golden, 1, csv, &opt, &x, &err), 0);
  ck_assert_int_eq(x.n, 0);
  ck_assert_int_eq(x.unused, 2);
  ck_assert_msg(x.nwarnings >= 1 && strstr(x.warnings[0], "nothing was compared"), "%d", x.nwarnings);
  accq_check_sim_release(&x);
}
END_TEST

/* ---- crosscheck's procedure ---- */

START_TEST(test_crosscheck_procedure) {
  accq_model_t m;
  load("models/saturating.ini", &m);
  accq_check_crosscheck_options_t opt;
  accq_check_crosscheck_options_init(&opt);
  opt.sim.jobs = 20000;
  char pol[2][ACCQ_NAME_MAX] = {"jsq", "rjiq"};
  accq_check_crosscheck_t x;
  accq_err_t err;
  int st = accq_check_crosscheck(&m, (const char (*)[ACCQ_NAME_MAX])pol, 2, &opt, &x, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  /* rjiq has no answer on saturating (its LP split loads a type fully) */
  ck_assert_int_eq(x.nskipped, 1);
  ck_assert_str_eq(x.skipped_policy[0], "rjiq");
  ck_assert_ptr_nonnull(strstr(x.skipped_reason[0], "saturates"));
  /* jsq: every measure of the table, against the chain at the same B */
  ck_assert_int_eq(x.n, accq_check_measure_count(m.ntypes));
  ck_assert_int_eq(x.replications, 10);
  ck_assert_int_eq(x.jobs, 20000);
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_policy_t *p;
  ck_assert_int_eq(accq_policy_alloc(&p, "jsq", &m, &popt, &err), 0);
  accq_analysis_options_t aopt;
  accq_analysis_options_init(&aopt);
  aopt.auto_max_buffer = 20; /* as crosscheck: the model's auto buffer, capped at 20 */
  accq_analysis_t an;
  ck_assert_int_eq(accq_analyze(&m, p, &aopt, &an, &err), 0);
  ck_assert_int_eq(an.buffer, x.rows[0].buffer);
  ACCQ_CK_CLOSE(x.checks[0].exact, an.m.mean_response_time, 0, 0, "exact E[T] is the chain's");
  ck_assert_str_eq(x.rows[0].measure, "mean_response_time");
  accq_analysis_release(&an);
  accq_policy_free(p);
  /* a correct simulator: no rejection at alpha 0.01 (this seed; the CLI's
   * crosscheck on saturating gives the same table) */
  ck_assert_int_eq(x.failures, 0);
  accq_check_crosscheck_release(&x);
  /* bad options are named */
  opt.alpha = 1.5;
  ck_assert_int_eq(accq_check_crosscheck(&m, (const char (*)[ACCQ_NAME_MAX])pol, 2, &opt, &x, &err),
                   ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "1.5"));
  accq_check_crosscheck_release(&x);
}
END_TEST

int main(void) {
  Suite *s = suite_create("check_module");
  TCase *tc = tcase_create("library");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_t_quantiles);
  tcase_add_test(tc, test_csv_reader);
  tcase_add_test(tc, test_golden_round_trip);
  tcase_add_test(tc, test_golden_not_a_reference);
  tcase_add_test(tc, test_check_sim_procedure);
  tcase_add_test(tc, test_crosscheck_procedure);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
