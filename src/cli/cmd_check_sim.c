/* accq check-sim golden.json [more.json..] results.csv: tests an external
 * simulator's estimates against exact values written by `accq golden`.
 *
 * The CSV (RFC 4180, header row first) has the columns
 *
 *   model, policy, lambda, measure, mean, stderr | ci_halfwidth, replications
 *
 * in any order (other columns are ignored).  `stderr` is the standard error of
 * the mean over the replications; `ci_halfwidth` the half-width of a 95%
 * Student-t interval, converted back as se = h / t_{0.975, R-1}; when both are
 * given, stderr is used.  `measure` is a name from the golden file's
 * "definitions" (mean_response_time, p_wait, utilization.TYPE, ...); a row is
 * matched to the golden entry with the same model and policy and the same
 * lambda to within 1e-6 relative.  `accq simulate --format csv` writes exactly
 * this format.
 *
 * Each row is a two-sided t test (R-1 d.f.) of "mean = exact"; differences
 * below --abs-tol (default 1e-6) are accepted without a test (the row shows
 * the simulator's own mean), which absorbs the chain's truncation (boundary
 * mass <= 1e-9).  Holm's step-down correction keeps the family-wise error of
 * the whole file at --alpha (default 0.01).  The procedure and its
 * statistics are accq_check_sim_run (accq/check.h, src/check/): the report
 * gives the critical |t| of the file, each row's smallest detectable relative
 * error, and a recommended number of replications (warning when rows have
 * fewer).  This file parses the options and prints.
 *
 * Rows are refused (exit 2, FILE:LINE and why) when malformed: a number that
 * does not parse, fewer than 2 replications (no standard error), stderr and
 * ci_halfwidth that disagree, a (model, policy, lambda) with no golden entry
 * or with several (two models of the same name), an unknown measure, a
 * golden value that is not a number, and the same (entry, measure) given
 * twice with different values.  Rows are skipped, with the reason in the
 * table and a count in "warnings", when the golden entry is not a reference
 * (status not "ok": unstable policy, truncation not converged), when the
 * golden value is null, for averaged percentiles (p50..p99: biased on short
 * replications; frac_below.pXX tests them), and for identical repetitions.
 * Golden entries and measures the CSV leaves out are reported.
 *
 * Exit status: 0 when at least one row was compared and none differs; 1 for
 * a discrepancy, and also when nothing was compared (a header-only CSV, or
 * every row skipped: no evidence is not a pass); 2 for a refused file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "cli/cli.h"

/* The summary: the key-value section (warnings are added last). */
static accq_report_section_t *summary(accq_report_t *rep, const accq_cli_t *cli, int ngold,
                                      const accq_check_options_t *o, const accq_check_sim_t *x) {
  const accq_check_summary_t *sum = &x->sum;
  accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
  accq_kv_strs(kv, "golden", NULL, (const char *const *)cli->args, ngold);
  accq_kv_str(kv, "results", NULL, cli->args[ngold]);
  accq_kv_num(kv, "alpha", "family-wise level", o->alpha, 0);
  accq_kv_str(kv, "correction", NULL, "holm");
  accq_kv_int(kv, "rows", "data rows", x->nrows);
  accq_kv_int(kv, "compared", "comparisons", x->n); /* "comparisons" is the table */
  accq_kv_int(kv, "skipped", NULL, x->skipped[0]);
  accq_kv_int(kv, "tolerated", "accepted by --abs-tol", sum->tolerated);
  accq_kv_int(kv, "discrepancies", NULL, sum->rejected);
  if (x->n > 0)
    accq_kv_num(kv, "critical_t", "critical |t| (first Holm step, fewest replications)",
                sum->critical_t, 4);
  else
    accq_kv_null(kv, "critical_t", "critical |t|", "nothing compared");
  accq_kv_int(kv, "replications_min", "fewest replications", sum->replications_min);
  if (sum->replications_recommended > 0)
    accq_kv_int(kv, "replications_recommended", "recommended replications",
                sum->replications_recommended);
  else
    accq_kv_null(kv, "replications_recommended", "recommended replications",
                 "no mean_response_time or mean_jobs row to base it on");
  accq_kv_num(kv, "detect_rel", "relative error to detect", o->detect_rel, 0);
  accq_kv_num(kv, "power", NULL, o->power, 0);
  accq_kv_bool(kv, "pass", NULL, x->n > 0 && sum->rejected == 0);
  accq_kv_str(kv, "verdict", NULL, x->n == 0 ? "nothing compared" : sum->rejected ? "FAIL" : "pass");
  return kv;
}

/* The verdict and reason of a compared row; a discrepancy also on stderr. */
static void verdict(accq_report_section_t *t, const char *csv, const accq_check_sim_row_t *r,
                    const accq_check_row_t *c, const accq_check_options_t *o) {
  char reason[200];
  accq_table_str(t, "ok");
  if (c->reject) {
    accq_table_str(t, "DISCREPANCY");
    snprintf(reason, sizeof reason, "|t| = %.3g: Holm p %.3g <= alpha %g", fabs(c->z), c->p_holm,
             o->alpha);
    fprintf(stderr,
            "accq check-sim: %s:%d: discrepancy: model %s, policy %s, lambda %.10g, %s: "
            "simulated %.10g (se %.3g) vs exact %.10g (z = %.3g, Holm p = %.3g <= %g)\n",
            csv, r->line, r->model, r->policy, r->lambda, r->measure, c->mean, c->se, c->exact,
            c->z, c->p_holm, o->alpha);
  } else if (c->tolerated) {
    accq_table_str(t, "ok");
    snprintf(reason, sizeof reason, "|mean - exact| = %.3g <= --abs-tol %g, not tested",
             fabs(c->mean - c->exact), o->abs_tol);
  } else {
    accq_table_str(t, "ok");
    snprintf(reason, sizeof reason, "Holm p %.3g > alpha %g", c->p_holm, o->alpha);
  }
  accq_table_str(t, reason);
}

static void comparisons(accq_report_t *rep, const char *csv, const accq_check_options_t *o,
                        const accq_check_sim_t *x) {
  accq_report_section_t *t = accq_report_table(rep, "comparisons", NULL);
  static const char *const cols[][2] = {
      {"line", NULL}, {"model", NULL}, {"policy", NULL}, {"lambda", NULL}, {"measure", NULL},
      {"exact", NULL}, {"mean", NULL}, {"stderr", NULL}, {"replications", "R"}, {"z", NULL},
      {"p_holm", "Holm p"}, {"detectable_rel", "detectable"}, {"replications_needed", "R needed"},
      {"status", NULL} /* ok: compared; skipped: not (see reason) */, {"verdict", NULL},
      {"reason", NULL}};
  static const int digits[] = {0, 0, 0, 6, 0, 6, 6, 2, 0, 3, 3, 2, 0, 0, 0, 0};
  for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++)
    accq_table_col(t, cols[i][0], cols[i][1], digits[i]);
  accq_report_set_primary(rep, t);
  for (int i = 0; i < x->nrows; i++) {
    const accq_check_sim_row_t *r = &x->rows[i];
    const accq_check_row_t *c = r->check >= 0 ? &x->checks[r->check] : NULL;
    accq_table_row(t);
    accq_table_int(t, r->line);
    accq_table_str(t, r->model);
    accq_table_str(t, r->policy);
    accq_table_num(t, r->lambda);
    accq_table_str(t, r->measure);
    if (!c) {
      accq_table_null(t, "-");
      accq_table_num(t, r->mean);
      for (int k = 0; k < 6; k++) accq_table_null(t, "-");
      accq_table_str(t, "skipped");
      accq_table_str(t, "skipped");
      accq_table_str(t, r->why);
      continue;
    }
    accq_table_num(t, c->exact);
    accq_table_num(t, c->mean);
    accq_table_num(t, c->se);
    accq_table_int(t, c->replications);
    accq_table_num(t, c->z);
    accq_table_num(t, c->p_holm);
    accq_table_num(t, c->detectable_rel);
    if (c->replications_needed > 0) accq_table_int(t, c->replications_needed);
    else accq_table_null(t, "-");
    verdict(t, csv, r, c, o);
  }
}

/* Coverage tables (JSON and humans; CSV keeps the comparisons alone). */
static void coverage(accq_report_t *rep, const accq_check_sim_t *x) {
  accq_report_section_t *nc = accq_report_table(rep, "not_compared", "golden entries with no row");
  accq_table_col(nc, "golden", NULL, 0);
  accq_table_col(nc, "model", NULL, 0);
  accq_table_col(nc, "policy", NULL, 0);
  accq_table_col(nc, "lambda", NULL, 6);
  accq_table_col(nc, "status", NULL, 0);
  accq_report_section_t *mm = accq_report_table(rep, "measures_left_out",
                                                "measures the CSV leaves out, per compared entry");
  accq_table_col(mm, "model", NULL, 0);
  accq_table_col(mm, "policy", NULL, 0);
  accq_table_col(mm, "lambda", NULL, 6);
  accq_table_col(mm, "count", NULL, 0);
  accq_table_col(mm, "measures", NULL, 0);
  for (int i = 0; i < x->golden.n; i++) {
    const accq_check_golden_entry_t *e = &x->golden.entries[i];
    if (!x->entry_rows[i]) {
      accq_table_row(nc);
      accq_table_str(nc, e->file);
      accq_table_str(nc, e->model);
      accq_table_str(nc, e->policy);
      accq_table_num(nc, e->lambda);
      accq_table_str(nc, e->status);
    } else if (x->left_out[i]) {
      long long cnt = 1;
      for (const char *p = x->left_out[i]; *p; p++) cnt += *p == ' ';
      accq_table_row(mm);
      accq_table_str(mm, e->model);
      accq_table_str(mm, e->policy);
      accq_table_num(mm, e->lambda);
      accq_table_int(mm, cnt);
      accq_table_str(mm, x->left_out[i]);
    }
  }
}

int accq_cli_check_sim(int argc, char **argv) {
  accq_check_options_t copt;
  accq_check_options_init(&copt);
  const accq_cli_opt_t opts[] = {
      {"alpha", 'a', ACCQ_OPT_PROB, &copt.alpha, "A", "family-wise error level (default 0.01)"},
      {"abs-tol", 0, ACCQ_OPT_NONNEG, &copt.abs_tol, "E",
       "accept differences below E without a test (default 1e-6)"},
      {"detect", 0, ACCQ_OPT_POSITIVE, &copt.detect_rel, "REL",
       "relative error the recommended replication count must detect (default 0.02)"},
      {"power", 0, ACCQ_OPT_PROB, &copt.power, "P",
       "probability of detecting it (default 0.8)"},
      {0}};
  const accq_cli_spec_t spec = {
      "check-sim", "GOLDEN.json [GOLDEN2.json..] RESULTS.csv [options]",
      "Tests a simulator's estimates against `accq golden` values.  CSV columns:\n"
      "model, policy, lambda, measure, mean, stderr and/or ci_halfwidth (95% Student t),\n"
      "replications >= 2 (any order, header first).  A t test per row, Holm's correction\n"
      "over the file at family-wise level --alpha.  The report gives the critical |t|,\n"
      "each row's smallest detectable relative error and a recommended replication\n"
      "count.  Percentiles: give frac_below.pXX (fraction of jobs at most the golden\n"
      "pXX per replication); averaged p50..p99 rows are skipped as biased.  Exit 1 names\n"
      "each discrepancy, and also when nothing was compared; 2 for a refused file\n"
      "(also a measure given twice with different values).",
      ACCQ_CLI_FORMAT | ACCQ_CLI_OUT, opts, 2, -1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (!(copt.alpha > 0 && copt.alpha < 1))
    return accq_cli_usage(&cli, "--alpha must be in (0,1) (got %g)", copt.alpha);
  if (!(copt.abs_tol >= 0)) return accq_cli_usage(&cli, "--abs-tol must be >= 0 (got %g)", copt.abs_tol);
  if (!(copt.power > 0 && copt.power < 1))
    return accq_cli_usage(&cli, "--power must be in (0,1) (got %g)", copt.power);
  if (!(copt.detect_rel > 0)) return accq_cli_usage(&cli, "--detect must be > 0 (got %g)", copt.detect_rel);
  const int ngold = cli.nargs - 1;
  const char *cpath = cli.args[ngold];
  accq_err_t err;
  accq_err_clear(&err);
  if (accq_outfile_check(cli.out, (const char *const *)cli.args, cli.nargs, &err))
    return accq_cli_fail(&err);
  accq_check_sim_t x;
  if (accq_check_sim_run((const char *const *)cli.args, ngold, cpath, &copt, &x, &err)) {
    accq_check_sim_release(&x);
    return accq_cli_fail(&err);
  }
  accq_report_t *rep = accq_report_alloc("accq check-sim");
  accq_report_section_t *kv = summary(rep, &cli, ngold, &copt, &x);
  comparisons(rep, cpath, &copt, &x);
  coverage(rep, &x);
  accq_kv_strs(kv, "warnings", NULL, (const char *const *)x.warnings, x.nwarnings);
  /* warnings go to stderr too, whatever -q says */
  for (int i = 0; i < x.nwarnings; i++) fprintf(stderr, "accq check-sim: warning: %s\n", x.warnings[i]);
  rc = accq_cli_emit(&cli, rep);
  accq_report_free(rep);
  if (!rc && (x.sum.rejected || x.n == 0)) rc = 1;
  accq_check_sim_release(&x);
  return rc;
}
