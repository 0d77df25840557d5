/* accq check-sim golden.json results.csv: tests an external simulator's
 * estimates against exact values written by `accq golden`.
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
 * below --abs-tol (default 1e-6) are accepted outright, which absorbs the
 * chain's truncation (boundary mass <= 1e-9).  Holm's step-down correction
 * keeps the family-wise error of the whole file at --alpha (default 0.01).
 * Exit status 1 names each discrepancy; 2 for a malformed or unmatched file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "accq/accq.h"
#include "accq/sim.h"
#include "cli/cli.h"
#include "cli/simcli.h"

#define MAX_FIELDS 64

/* Reads one CSV record (quotes, "" escapes, CRLF or LF) into fields that
 * point into *buf (malloc'ed, caller frees).  Returns the field count, 0 at
 * end of file, -1 for an unterminated quote.  *line advances by the physical
 * lines read. */
static int csv_record(FILE *f, char **buf, size_t *cap, char **fields, int *line) {
  size_t n = 0;
  int nf = 0, c, quoted = 0, any = 0, field_start = 1;
  size_t starts[MAX_FIELDS];
  for (;;) {
    c = fgetc(f);
    if (c == EOF) {
      if (quoted) return -1;
      if (!any) return 0;
      break;
    }
    any = 1;
    if (n + 2 >= *cap) {
      size_t nc = *cap ? 2 * *cap : 256;
      char *b = realloc(*buf, nc);
      if (!b) return -1;
      *buf = b;
      *cap = nc;
    }
    if (field_start) {
      if (nf >= MAX_FIELDS) return -1;
      starts[nf++] = n;
      field_start = 0;
    }
    if (quoted) {
      if (c == '"') {
        int d = fgetc(f);
        if (d == '"') {
          (*buf)[n++] = '"';
        } else {
          quoted = 0;
          if (d != EOF) ungetc(d, f);
        }
      } else {
        if (c == '\n') (*line)++;
        (*buf)[n++] = (char)c;
      }
      continue;
    }
    if (c == '"') {
      quoted = 1;
    } else if (c == ',') {
      (*buf)[n++] = '\0';
      field_start = 1;
    } else if (c == '\n') {
      (*line)++;
      break;
    } else if (c != '\r') {
      (*buf)[n++] = (char)c;
    }
  }
  if (field_start) { /* trailing comma: one more empty field */
    if (nf >= MAX_FIELDS) return -1;
    if (n + 1 >= *cap) {
      char *b = realloc(*buf, *cap + 16);
      if (!b) return -1;
      *buf = b;
      *cap += 16;
    }
    starts[nf++] = n;
  }
  (*buf)[n] = '\0';
  for (int i = 0; i < nf; i++) fields[i] = *buf + starts[i];
  return nf;
}

typedef struct {
  int line;
  char model[ACCQ_NAME_MAX], policy[ACCQ_NAME_MAX], measure[ACCQ_NAME_MAX + 32];
  double lambda;
} row_t;

static int col_index(char **h, int nh, const char *name) {
  for (int i = 0; i < nh; i++)
    if (!strcmp(h[i], name)) return i;
  return -1;
}

/* The golden entry matching (model, policy, lambda), or NULL. */
static json_t *find_entry(json_t *entries, const char *model, const char *policy, double lambda) {
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
    const char *em = json_string_value(json_object_get(e, "model"));
    const char *ep = json_string_value(json_object_get(e, "policy"));
    json_t *el = json_object_get(e, "lambda");
    if (!em || !ep || !json_is_number(el)) continue;
    double l = json_number_value(el);
    if (!strcmp(em, model) && !strcmp(ep, policy) && fabs(l - lambda) <= 1e-6 * fmax(1, fabs(l)))
      return e;
  }
  return NULL;
}

int accq_cli_check_sim(int argc, char **argv) {
  double alpha = 0.01, abs_tol = 1e-6;
  const accq_cli_opt_t opts[] = {
      {"alpha", 'a', ACCQ_OPT_DOUBLE, &alpha, "A", "family-wise error level (default 0.01)"},
      {"abs-tol", 0, ACCQ_OPT_DOUBLE, &abs_tol, "E",
       "accept differences below E without a test (default 1e-6)"},
      {0}};
  const accq_cli_spec_t spec = {
      "check-sim", "GOLDEN.json RESULTS.csv [options]",
      "Tests a simulator's estimates against `accq golden` values.  CSV columns:\n"
      "model, policy, lambda, measure, mean, stderr or ci_halfwidth (95% Student t),\n"
      "replications (any order, header first).  A t test per row, Holm's correction\n"
      "over the file at family-wise level --alpha; exit status 1 names each discrepancy.",
      ACCQ_CLI_FORMAT | ACCQ_CLI_OUT, opts, 2, 2};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (!(alpha > 0 && alpha < 1)) return accq_cli_usage(&cli, "--alpha must be in (0,1) (got %g)", alpha);
  if (!(abs_tol >= 0)) return accq_cli_usage(&cli, "--abs-tol must be >= 0 (got %g)", abs_tol);
  const char *gpath = cli.args[0], *cpath = cli.args[1];
  accq_err_t err;
  accq_err_clear(&err);

  json_error_t jerr;
  json_t *golden = json_load_file(gpath, 0, &jerr);
  if (!golden) {
    accq_err_set(&err, ACCQ_EIO, "%s:%d: cannot read golden file: %s", gpath, jerr.line, jerr.text);
    return accq_cli_fail(&err);
  }
  json_t *entries = json_object_get(golden, "entries");
  if (!json_is_array(entries) ||
      strcmp(json_string_value(json_object_get(golden, "format")) ? json_string_value(json_object_get(golden, "format")) : "", "accq-golden")) {
    json_decref(golden);
    accq_err_set(&err, ACCQ_EINVAL, "%s: not an accq golden file (no \"format\": \"accq-golden\" with \"entries\")", gpath);
    return accq_cli_fail(&err);
  }
  FILE *f = fopen(cpath, "r");
  if (!f) {
    json_decref(golden);
    accq_err_set(&err, ACCQ_EIO, "%s: cannot open: %s", cpath, strerror(errno));
    return accq_cli_fail(&err);
  }
  char *hbuf = NULL, *buf = NULL;
  size_t hcap = 0, cap = 0;
  char *h[MAX_FIELDS], *fl[MAX_FIELDS];
  int line = 1, rec_line;
  int nh = csv_record(f, &hbuf, &hcap, h, &line);
  accq_sim_check_t *chk = NULL;
  row_t *rows = NULL;
  int n = 0, ncap = 0, st = 0;
  int c_model = -1, c_policy = -1, c_lambda = -1, c_measure = -1, c_mean = -1, c_se = -1,
      c_hw = -1, c_rep = -1;
  if (nh <= 0) {
    st = accq_err_set(&err, ACCQ_EINVAL, "%s:1: empty file or malformed header", cpath);
    goto cleanup;
  }
  c_model = col_index(h, nh, "model");
  c_policy = col_index(h, nh, "policy");
  c_lambda = col_index(h, nh, "lambda");
  c_measure = col_index(h, nh, "measure");
  c_mean = col_index(h, nh, "mean");
  c_se = col_index(h, nh, "stderr");
  c_hw = col_index(h, nh, "ci_halfwidth");
  c_rep = col_index(h, nh, "replications");
  {
    const char *missing = c_model < 0 ? "model" : c_policy < 0 ? "policy" : c_lambda < 0 ? "lambda"
                        : c_measure < 0 ? "measure" : c_mean < 0 ? "mean"
                        : (c_se < 0 && c_hw < 0) ? "stderr or ci_halfwidth"
                        : c_rep < 0 ? "replications" : NULL;
    if (missing) {
      st = accq_err_set(&err, ACCQ_EINVAL, "%s:1: missing column '%s' (need model, policy, lambda, "
                        "measure, mean, stderr or ci_halfwidth, replications)", cpath, missing);
      goto cleanup;
    }
  }
  for (;;) {
    rec_line = line;
    int nf = csv_record(f, &buf, &cap, fl, &line);
    if (nf == 0) break;
    if (nf < 0) {
      st = accq_err_set(&err, ACCQ_EINVAL, "%s:%d: malformed CSV record", cpath, rec_line);
      goto cleanup;
    }
    if (nf == 1 && fl[0][0] == '\0') continue; /* blank line */
    if (nf != nh) {
      st = accq_err_set(&err, ACCQ_EINVAL, "%s:%d: %d fields, the header has %d", cpath, rec_line, nf, nh);
      goto cleanup;
    }
    if (n == ncap) {
      ncap = ncap ? 2 * ncap : 64;
      accq_sim_check_t *c2 = realloc(chk, (size_t)ncap * sizeof *c2);
      if (c2) chk = c2;
      row_t *r2 = realloc(rows, (size_t)ncap * sizeof *r2);
      if (r2) rows = r2;
      if (!c2 || !r2) {
        st = accq_err_set(&err, ACCQ_ENOMEM, "check-sim: no memory for %d rows", ncap);
        goto cleanup;
      }
    }
    row_t *r = &rows[n];
    accq_sim_check_t *c = &chk[n];
    memset(r, 0, sizeof *r);
    memset(c, 0, sizeof *c);
    r->line = rec_line;
    snprintf(r->model, sizeof r->model, "%s", fl[c_model]);
    snprintf(r->policy, sizeof r->policy, "%s", fl[c_policy]);
    snprintf(r->measure, sizeof r->measure, "%s", fl[c_measure]);
    double se = NAN, hw = NAN, mean;
    int R;
    if (accq_cli_parse_double(fl[c_lambda], &r->lambda) || accq_cli_parse_double(fl[c_mean], &mean) ||
        accq_cli_parse_int(fl[c_rep], &R) || R < 1 ||
        (c_se >= 0 && fl[c_se][0] && (accq_cli_parse_double(fl[c_se], &se) || se < 0)) ||
        (c_hw >= 0 && fl[c_hw][0] && (accq_cli_parse_double(fl[c_hw], &hw) || hw < 0))) {
      st = accq_err_set(&err, ACCQ_EINVAL,
                        "%s:%d: lambda, mean, stderr/ci_halfwidth must be numbers and "
                        "replications a whole number >= 1", cpath, rec_line);
      goto cleanup;
    }
    if (isnan(se)) {
      if (isnan(hw)) {
        st = accq_err_set(&err, ACCQ_EINVAL, "%s:%d: neither stderr nor ci_halfwidth given", cpath, rec_line);
        goto cleanup;
      }
      if (R < 2) {
        st = accq_err_set(&err, ACCQ_EINVAL,
                          "%s:%d: a ci_halfwidth needs replications >= 2 (got %d)", cpath, rec_line, R);
        goto cleanup;
      }
      se = hw / gsl_cdf_tdist_Pinv(0.975, R - 1);
    }
    json_t *e = find_entry(entries, r->model, r->policy, r->lambda);
    if (!e) {
      st = accq_err_set(&err, ACCQ_EINVAL,
                        "%s:%d: no golden value for model '%s', policy '%s', lambda %.10g in %s",
                        cpath, rec_line, r->model, r->policy, r->lambda, gpath);
      goto cleanup;
    }
    json_t *v = json_object_get(json_object_get(e, "measures"), r->measure);
    if (!v) {
      st = accq_err_set(&err, ACCQ_EINVAL, "%s:%d: unknown measure '%s' (see \"definitions\" in %s)",
                        cpath, rec_line, r->measure, gpath);
      goto cleanup;
    }
    c->exact = json_is_number(v) ? json_number_value(v) : NAN;
    c->mean = mean;
    if (fabs(mean - c->exact) <= abs_tol) c->mean = c->exact; /* below the tolerance: accepted */
    c->se = se;
    c->replications = R;
    c->lo = c->hi = 0;
    n++;
  }
  {
    int nrej = accq_sim_holm(chk, n, alpha);
    accq_report_t *rep = accq_report_alloc("accq check-sim");
    accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
    accq_kv_str(kv, "golden", NULL, gpath);
    accq_kv_str(kv, "results", NULL, cpath);
    accq_kv_num(kv, "alpha", "family-wise level", alpha, 0);
    accq_kv_str(kv, "correction", NULL, "holm");
    accq_kv_int(kv, "comparisons", NULL, n);
    accq_kv_int(kv, "discrepancies", NULL, nrej);
    accq_kv_bool(kv, "pass", NULL, nrej == 0);
    accq_report_section_t *t = accq_report_table(rep, "comparisons", NULL);
    accq_table_col(t, "line", NULL, 0);
    accq_table_col(t, "model", NULL, 0);
    accq_table_col(t, "policy", NULL, 0);
    accq_table_col(t, "lambda", NULL, 6);
    accq_table_col(t, "measure", NULL, 0);
    accq_table_col(t, "exact", NULL, 6);
    accq_table_col(t, "mean", NULL, 6);
    accq_table_col(t, "stderr", NULL, 2);
    accq_table_col(t, "z", NULL, 3);
    accq_table_col(t, "p_holm", "Holm p", 3);
    accq_table_col(t, "verdict", NULL, 0);
    accq_report_set_primary(rep, t);
    for (int i = 0; i < n; i++) {
      accq_table_row(t);
      accq_table_int(t, rows[i].line);
      accq_table_str(t, rows[i].model);
      accq_table_str(t, rows[i].policy);
      accq_table_num(t, rows[i].lambda);
      accq_table_str(t, rows[i].measure);
      accq_table_num(t, chk[i].exact);
      accq_table_num(t, chk[i].mean);
      accq_table_num(t, chk[i].se);
      accq_table_num(t, chk[i].z);
      accq_table_num(t, chk[i].p_holm);
      accq_table_str(t, chk[i].reject ? "DISCREPANCY" : "ok");
      if (chk[i].reject)
        fprintf(stderr,
                "accq check-sim: %s:%d: discrepancy: model %s, policy %s, lambda %.10g, %s: "
                "simulated %.10g (se %.3g) vs exact %.10g (z = %.3g, Holm p = %.3g <= %g)\n",
                cpath, rows[i].line, rows[i].model, rows[i].policy, rows[i].lambda,
                rows[i].measure, chk[i].mean, chk[i].se, chk[i].exact, chk[i].z, chk[i].p_holm,
                alpha);
    }
    rc = accq_cli_emit(&cli, rep);
    accq_report_free(rep);
    if (!rc && nrej) rc = 1;
  }
cleanup:
  fclose(f);
  free(hbuf);
  free(buf);
  free(chk);
  free(rows);
  json_decref(golden);
  if (st) return accq_cli_fail(&err);
  return rc;
}
