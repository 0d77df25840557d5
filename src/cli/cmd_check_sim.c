/* accq check-sim golden.json [more.json..] results.csv: tests an external
 * simulator's estimates against exact values written by `accq golden`.
 *
 * The CSV (RFC 4180, header row first) has the columns
 *
 *   model, policy, lambda, measure, mean, stderr | ci_halfwidth, replications
 *
 * in any order (other columns are ignored); lines starting with '#' before
 * the header (accq's provenance comments) are skipped.  `stderr` is the standard error of
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
 * the whole file at --alpha (default 0.01).  The statistics are in
 * src/sim/check.c (accq/check.h): the report gives the critical |t| of the
 * file, each row's smallest detectable relative error, and a recommended
 * number of replications (warning when rows have fewer).
 *
 * Rows are refused (exit 2, FILE:LINE and why) when malformed: a number that
 * does not parse, fewer than 2 replications (no standard error), stderr and
 * ci_halfwidth that disagree, a (model, policy, lambda) with no golden entry
 * or with several (two models of the same name), an unknown measure, a
 * golden value that is not a number.  Rows are skipped, with the reason in
 * the table and a count in "warnings", when the golden entry is not a
 * reference (status not "ok": unstable policy, truncation not converged),
 * when the golden value is null, for averaged percentiles (p50..p99: biased
 * on short replications; frac_below.pXX tests them), and for duplicates.
 * Golden entries and measures the CSV leaves out are reported.
 *
 * Exit status: 0 when at least one row was compared and none differs; 1 for
 * a discrepancy, and also when nothing was compared (a header-only CSV, or
 * every row skipped: no evidence is not a pass); 2 for a refused file. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "cli/cli.h"
#include "cli/simcli.h"

#define MAX_FIELDS 64

/* Comment lines before the header (the provenance of accq's CSV output,
 * docs/output.md) are skipped; after the header every line is a record. */
static void skip_comment_lines(FILE *f, int *line) {
  int c0;
  while ((c0 = fgetc(f)) == '#') {
    int c1;
    do c1 = fgetc(f);
    while (c1 != '\n' && c1 != EOF);
    (*line)++;
  }
  if (c0 != EOF) ungetc(c0, f); /* the header's first byte */
}

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
  char model[ACCQ_NAME_MAX], policy[ACCQ_NAME_MAX], measure[ACCQ_NAME_MAX + 48];
  double lambda, mean;
  int R;
  int entry;           /* index into the entry list */
  int skip;           /* 0: compared; else why[] says why not */
  char why[320];
  int check;           /* index into chk when compared */
} row_t;

typedef struct {
  const char *file;    /* golden file */
  int index;           /* position in its "entries" */
  json_t *e;           /* borrowed from the file's root */
  const char *model, *policy, *status, *reason, *sha;
  double lambda;
  int used;            /* rows compared against it */
} entry_t;

static int col_index(char **h, int nh, const char *name) {
  for (int i = 0; i < nh; i++)
    if (!strcmp(h[i], name)) return i;
  return -1;
}

/* Best effort: the line of measures.KEY of the entry that holds the
 * (nth+1)-th "measures" object of a golden file (0 when not found).  jansson
 * keeps no positions, so the text is searched; files written by accq have
 * one key per line and no other '"measures":'. */
static int measure_line(const char *path, int nth, const char *key) {
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  int line = 1, c, found = 0;
  const char *pat = "\"measures\":";
  size_t plen = strlen(pat), k = 0;
  char want[ACCQ_NAME_MAX + 64];
  snprintf(want, sizeof want, "\"%s\":", key);
  size_t wlen = strlen(want), w = 0;
  int seen = 0;
  while ((c = fgetc(f)) != EOF) {
    if (c == '\n') line++;
    if (seen <= nth) {
      k = (c == pat[k]) ? k + 1 : (c == pat[0]);
      if (k == plen) {
        seen++;
        k = 0;
      }
    } else {
      w = (c == want[w]) ? w + 1 : (c == want[0]);
      if (w == wlen) {
        found = line;
        break;
      }
    }
  }
  fclose(f);
  return found;
}

/* Loads one golden file and appends its entries; validates every field a
 * row can use, so a corrupt file is refused whether or not a row needs it. */
static int load_golden(const char *path, json_t **root, entry_t **ent, int *n, int *cap,
                       accq_err_t *err) {
  json_error_t jerr;
  *root = json_load_file(path, 0, &jerr);
  if (!*root)
    return accq_err_set(err, ACCQ_EIO, "%s:%d: cannot read golden file: %s", path, jerr.line,
                        jerr.text);
  json_t *entries = json_object_get(*root, "entries");
  const char *fmt = json_string_value(json_object_get(*root, "format"));
  if (!json_is_array(entries) || !fmt || strcmp(fmt, "accq-golden"))
    return accq_err_set(err, ACCQ_EINVAL,
                        "%s: not an accq golden file (no \"format\": \"accq-golden\" with "
                        "\"entries\")", path);
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
    if (*n == *cap) {
      *cap = *cap ? 2 * *cap : 64;
      entry_t *x = realloc(*ent, (size_t)*cap * sizeof *x);
      if (!x) return accq_err_set(err, ACCQ_ENOMEM, "check-sim: out of memory");
      *ent = x;
    }
    entry_t *x = &(*ent)[*n];
    memset(x, 0, sizeof *x);
    x->file = path;
    x->index = (int)i;
    x->e = e;
    x->model = json_string_value(json_object_get(e, "model"));
    x->policy = json_string_value(json_object_get(e, "policy"));
    json_t *l = json_object_get(e, "lambda");
    if (!json_is_object(e) || !x->model || !x->policy || !json_is_number(l))
      return accq_err_set(err, ACCQ_EINVAL,
                          "%s: entries[%d]: needs \"model\", \"policy\" (strings) and \"lambda\" "
                          "(a number)", path, (int)i);
    x->lambda = json_number_value(l);
    x->sha = json_string_value(json_object_get(e, "model_sha256"));
    /* version 1 files have no status: a truncation that did not converge
     * was written as if it were a reference */
    x->status = json_string_value(json_object_get(e, "status"));
    x->reason = json_string_value(json_object_get(e, "reason"));
    json_t *tc = json_object_get(e, "truncation_converged");
    if (!x->status) {
      x->status = json_is_false(tc) ? "not_converged" : "ok";
      if (json_is_false(tc)) x->reason = "truncation_converged is false (version 1 file)";
    }
    json_t *ms = json_object_get(e, "measures");
    if (!strcmp(x->status, "ok")) {
      int nth = 0; /* entries before this one with a "measures" object */
      for (int j = *n - 1; j >= 0 && (*ent)[j].file == path; j--)
        nth += json_is_object(json_object_get((*ent)[j].e, "measures"));
      if (!json_is_object(ms))
        return accq_err_set(err, ACCQ_EINVAL, "%s: entries[%d] (model %s, policy %s): status "
                            "\"ok\" without \"measures\"", path, (int)i, x->model, x->policy);
      const char *key;
      json_t *v;
      json_object_foreach(ms, key, v) {
        if (!json_is_number(v) && !json_is_null(v))
          return accq_err_set(err, ACCQ_EINVAL,
                              "%s:%d: entries[%d] (model %s, policy %s): measures.%s is %s, not a "
                              "number: a corrupt golden file",
                              path, measure_line(path, nth, key), (int)i, x->model, x->policy, key,
                              json_is_string(v) ? "a string" : json_is_boolean(v) ? "a boolean"
                                                                                 : "not a value");
        if (json_is_number(v) && !isfinite(json_number_value(v)))
          return accq_err_set(err, ACCQ_EINVAL, "%s: entries[%d]: measures.%s is not finite",
                              path, (int)i, key);
      }
    }
    (*n)++;
  }
  return ACCQ_SUCCESS;
}

static int same_lambda(double a, double b) { return fabs(a - b) <= 1e-6 * fmax(1, fabs(a)); }

static int is_averaged_percentile(const char *m) {
  return !strcmp(m, "p50") || !strcmp(m, "p90") || !strcmp(m, "p95") || !strcmp(m, "p99");
}

static int is_target(const char *m) {
  return !strcmp(m, "mean_response_time") || !strcmp(m, "mean_jobs");
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
      "each discrepancy, and also when nothing was compared; 2 for a refused file.",
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
  {
    const char *inputs[ACCQ_CLI_LIST_MAX];
    for (int i = 0; i < cli.nargs; i++) inputs[i] = cli.args[i];
    if (accq_outfile_check(cli.out, inputs, cli.nargs, &err)) return accq_cli_fail(&err);
  }

  json_t *roots[ACCQ_CLI_LIST_MAX] = {0};
  entry_t *ent = NULL;
  int nent = 0, entcap = 0, st = 0;
  FILE *f = NULL;
  char *hbuf = NULL, *buf = NULL;
  size_t hcap = 0, cap = 0;
  char *h[MAX_FIELDS], *fl[MAX_FIELDS];
  accq_sim_check_t *chk = NULL;
  row_t *rows = NULL;
  int nrows = 0, rowcap = 0, n = 0;
  for (int g = 0; g < ngold; g++)
    if ((st = load_golden(cli.args[g], &roots[g], &ent, &nent, &entcap, &err))) goto cleanup;

  f = fopen(cpath, "r");
  if (!f) {
    st = accq_err_set(&err, ACCQ_EIO, "%s: cannot open: %s", cpath, strerror(errno));
    goto cleanup;
  }
  int line = 1, rec_line;
  skip_comment_lines(f, &line);
  int nh = csv_record(f, &hbuf, &hcap, h, &line);
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
    if (nrows == rowcap) {
      rowcap = rowcap ? 2 * rowcap : 64;
      accq_sim_check_t *c2 = realloc(chk, (size_t)rowcap * sizeof *c2);
      if (c2) chk = c2;
      row_t *r2 = realloc(rows, (size_t)rowcap * sizeof *r2);
      if (r2) rows = r2;
      if (!c2 || !r2) {
        st = accq_err_set(&err, ACCQ_ENOMEM, "check-sim: no memory for %d rows", rowcap);
        goto cleanup;
      }
    }
    row_t *r = &rows[nrows];
    memset(r, 0, sizeof *r);
    r->line = rec_line;
    r->check = -1;
    snprintf(r->model, sizeof r->model, "%s", fl[c_model]);
    snprintf(r->policy, sizeof r->policy, "%s", fl[c_policy]);
    snprintf(r->measure, sizeof r->measure, "%s", fl[c_measure]);
    double se = NAN, hw = NAN;
    if (accq_cli_parse_double(fl[c_lambda], &r->lambda) || accq_cli_parse_double(fl[c_mean], &r->mean) ||
        accq_cli_parse_int(fl[c_rep], &r->R) ||
        (c_se >= 0 && fl[c_se][0] && (accq_cli_parse_double(fl[c_se], &se) || se < 0)) ||
        (c_hw >= 0 && fl[c_hw][0] && (accq_cli_parse_double(fl[c_hw], &hw) || hw < 0))) {
      st = accq_err_set(&err, ACCQ_EINVAL,
                        "%s:%d: lambda, mean, stderr/ci_halfwidth must be finite numbers (>= 0 "
                        "for the last two) and replications a whole number", cpath, rec_line);
      goto cleanup;
    }
    if (r->R < 2) {
      st = accq_err_set(&err, ACCQ_EINVAL,
                        "%s:%d: replications %d: a standard error needs at least 2 independent "
                        "replications (the report recommends a count)", cpath, rec_line, r->R);
      goto cleanup;
    }
    double se_used;
    if (accq_check_standard_error(se, hw, r->R, &se_used, &err)) {
      accq_err_prefix(&err, "%s:%d", cpath, rec_line);
      st = err.status;
      goto cleanup;
    }
    /* the golden entry: exactly one must match */
    int hit = -1, nhit = 0;
    for (int i = 0; i < nent; i++)
      if (!strcmp(ent[i].model, r->model) && !strcmp(ent[i].policy, r->policy) &&
          same_lambda(ent[i].lambda, r->lambda)) {
        if (nhit == 1) {
          st = accq_err_set(&err, ACCQ_EINVAL,
                            "%s:%d: model '%s', policy '%s', lambda %.10g is ambiguous: %s "
                            "entries[%d] (sha256 %.12s) and %s entries[%d] (sha256 %.12s) have "
                            "that name; give the models distinct names",
                            cpath, rec_line, r->model, r->policy, r->lambda, ent[hit].file,
                            ent[hit].index, ent[hit].sha ? ent[hit].sha : "-", ent[i].file,
                            ent[i].index, ent[i].sha ? ent[i].sha : "-");
          goto cleanup;
        }
        hit = i;
        nhit++;
      }
    if (hit < 0) {
      st = accq_err_set(&err, ACCQ_EINVAL,
                        "%s:%d: no golden value for model '%s', policy '%s', lambda %.10g in %s%s",
                        cpath, rec_line, r->model, r->policy, r->lambda, cli.args[0],
                        ngold > 1 ? " (or the other golden files)" : "");
      goto cleanup;
    }
    r->entry = hit;
    entry_t *e = &ent[hit];
    json_t *v = NULL;
    if (strcmp(e->status, "ok")) {
      snprintf(r->why, sizeof r->why, "golden entry is not a reference (%s): %.100s", e->status,
               e->reason ? e->reason : "no reason given");
      r->skip = 1;
    } else if (!(v = json_object_get(json_object_get(e->e, "measures"), r->measure))) {
      st = accq_err_set(&err, ACCQ_EINVAL, "%s:%d: unknown measure '%s' (see \"definitions\" in %s)",
                        cpath, rec_line, r->measure, e->file);
      goto cleanup;
    } else if (is_averaged_percentile(r->measure)) {
      snprintf(r->why, sizeof r->why,
               "averaged per-replication percentiles are biased on short replications; give "
               "frac_below.%.8s (fraction of jobs <= the golden %.8s)", r->measure, r->measure);
      r->skip = 1;
    } else if (json_is_null(v)) {
      snprintf(r->why, sizeof r->why,
               "the golden value is null (not defined for this entry, e.g. a type without jobs)");
      r->skip = 1;
    } else {
      for (int j = 0; j < nrows; j++)
        if (rows[j].entry == hit && !strcmp(rows[j].measure, r->measure) &&
            (!rows[j].skip || !strncmp(rows[j].why, "duplicate", 9))) {
          snprintf(r->why, sizeof r->why, "duplicate of line %d (same entry and measure)", rows[j].line);
          r->skip = 1;
          break;
        }
    }
    if (!r->skip) {
      accq_sim_check_t *c = &chk[n];
      memset(c, 0, sizeof *c);
      c->exact = json_number_value(v);
      c->mean = r->mean; /* the simulator's own value, even when within --abs-tol */
      c->se = se_used;
      c->replications = r->R;
      c->lo = c->hi = 0;
      c->target = is_target(r->measure);
      r->check = n++;
      e->used++;
    }
    nrows++;
  }
  {
    accq_check_summary_t sum;
    if ((st = accq_check_family(chk, n, &copt, &sum, &err))) goto cleanup;
    int nskip = 0, ndup = 0, npct = 0, nref = 0, nnull = 0;
    for (int i = 0; i < nrows; i++) {
      if (!rows[i].skip) continue;
      nskip++;
      if (!strncmp(rows[i].why, "duplicate", 9)) ndup++;
      else if (!strncmp(rows[i].why, "averaged", 8)) npct++;
      else if (!strncmp(rows[i].why, "golden entry", 12)) nref++;
      else nnull++;
    }
    /* coverage: entries without rows, measures each compared entry lacks */
    int nunused = 0, nmissing = 0;
    char **warn = NULL;
    int nwarn = 0;
#define WARN(...)                                                                 \
  do {                                                                            \
    char **w2 = realloc(warn, (size_t)(nwarn + 1) * sizeof *w2);                  \
    char *wt_ = malloc(600);                                                      \
    if (w2) warn = w2;                                                            \
    if (w2 && wt_) {                                                              \
      snprintf(wt_, 600, __VA_ARGS__);                                            \
      warn[nwarn++] = wt_;                                                        \
    } else {                                                                      \
      free(wt_);                                                                  \
    }                                                                             \
  } while (0)
    if (n == 0)
      WARN("nothing was compared (%d data rows, %d skipped): no evidence is not a pass", nrows, nskip);
    if (nref) WARN("%d row(s) skipped: their golden entry is not a reference (unstable or not converged)", nref);
    if (npct) WARN("%d row(s) skipped: averaged percentiles (p50..p99) are biased; give frac_below.pXX", npct);
    if (ndup) WARN("%d duplicate row(s) skipped (same entry and measure as an earlier line)", ndup);
    if (nnull) WARN("%d row(s) skipped: the golden value is null", nnull);
    if (sum.replications_recommended > 0 && sum.rows_below_recommended > 0)
      WARN("%d of %d compared row(s) have fewer replications than the %d recommended to detect a "
           "%.3g%% error in E[T] or L with probability %.2g (critical |t| %.3g): a pass says "
           "little about errors below each row's detectable_rel",
           sum.rows_below_recommended, n, sum.replications_recommended, 100 * copt.detect_rel,
           copt.power, sum.critical_t);
    accq_report_t *rep = accq_report_alloc("accq check-sim");
    accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
    accq_kv_strs(kv, "golden", NULL, (const char *const *)cli.args, ngold);
    accq_kv_str(kv, "results", NULL, cpath);
    accq_kv_num(kv, "alpha", "family-wise level", copt.alpha, 0);
    accq_kv_str(kv, "correction", NULL, "holm");
    accq_kv_int(kv, "rows", "data rows", nrows);
    accq_kv_int(kv, "compared", "comparisons", n); /* "comparisons" is the table */
    accq_kv_int(kv, "skipped", NULL, nskip);
    accq_kv_int(kv, "tolerated", "accepted by --abs-tol", sum.tolerated);
    accq_kv_int(kv, "discrepancies", NULL, sum.rejected);
    if (n > 0) accq_kv_num(kv, "critical_t", "critical |t| (first Holm step, fewest replications)", sum.critical_t, 4);
    else accq_kv_null(kv, "critical_t", "critical |t|", "nothing compared");
    accq_kv_int(kv, "replications_min", "fewest replications", sum.replications_min);
    if (sum.replications_recommended > 0)
      accq_kv_int(kv, "replications_recommended", "recommended replications", sum.replications_recommended);
    else
      accq_kv_null(kv, "replications_recommended", "recommended replications",
                   "no mean_response_time or mean_jobs row to base it on");
    accq_kv_num(kv, "detect_rel", "relative error to detect", copt.detect_rel, 0);
    accq_kv_num(kv, "power", NULL, copt.power, 0);
    accq_kv_bool(kv, "pass", NULL, n > 0 && sum.rejected == 0);
    accq_kv_str(kv, "verdict", NULL, n == 0 ? "nothing compared" : sum.rejected ? "FAIL" : "pass");
    accq_report_section_t *t = accq_report_table(rep, "comparisons", NULL);
    accq_table_col(t, "line", NULL, 0);
    accq_table_col(t, "model", NULL, 0);
    accq_table_col(t, "policy", NULL, 0);
    accq_table_col(t, "lambda", NULL, 6);
    accq_table_col(t, "measure", NULL, 0);
    accq_table_col(t, "exact", NULL, 6);
    accq_table_col(t, "mean", NULL, 6);
    accq_table_col(t, "stderr", NULL, 2);
    accq_table_col(t, "replications", "R", 0);
    accq_table_col(t, "z", NULL, 3);
    accq_table_col(t, "p_holm", "Holm p", 3);
    accq_table_col(t, "detectable_rel", "detectable", 2);
    accq_table_col(t, "replications_needed", "R needed", 0);
    accq_table_col(t, "status", NULL, 0); /* ok: compared; skipped: not (see reason) */
    accq_table_col(t, "verdict", NULL, 0);
    accq_table_col(t, "reason", NULL, 0);
    accq_report_set_primary(rep, t);
    for (int i = 0; i < nrows; i++) {
      row_t *r = &rows[i];
      accq_sim_check_t *c = r->check >= 0 ? &chk[r->check] : NULL;
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
      char reason[200];
      accq_table_str(t, "ok");
      if (c->reject) {
        accq_table_str(t, "DISCREPANCY");
        snprintf(reason, sizeof reason, "|t| = %.3g: Holm p %.3g <= alpha %g", fabs(c->z), c->p_holm,
                 copt.alpha);
        accq_table_str(t, reason);
        fprintf(stderr,
                "accq check-sim: %s:%d: discrepancy: model %s, policy %s, lambda %.10g, %s: "
                "simulated %.10g (se %.3g) vs exact %.10g (z = %.3g, Holm p = %.3g <= %g)\n",
                cpath, r->line, r->model, r->policy, r->lambda, r->measure, c->mean, c->se,
                c->exact, c->z, c->p_holm, copt.alpha);
      } else if (c->tolerated) {
        accq_table_str(t, "ok");
        snprintf(reason, sizeof reason, "|mean - exact| = %.3g <= --abs-tol %g, not tested",
                 fabs(c->mean - c->exact), copt.abs_tol);
        accq_table_str(t, reason);
      } else {
        accq_table_str(t, "ok");
        snprintf(reason, sizeof reason, "Holm p %.3g > alpha %g", c->p_holm, copt.alpha);
        accq_table_str(t, reason);
      }
    }
    /* coverage tables (JSON and humans; CSV keeps the comparisons alone) */
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
    for (int i = 0; i < nent; i++) {
      entry_t *e = &ent[i];
      int any = 0;
      for (int j = 0; j < nrows; j++) any |= rows[j].entry == i;
      if (!any) {
        nunused++;
        accq_table_row(nc);
        accq_table_str(nc, e->file);
        accq_table_str(nc, e->model);
        accq_table_str(nc, e->policy);
        accq_table_num(nc, e->lambda);
        accq_table_str(nc, e->status);
        continue;
      }
      if (!e->used) continue;
      json_t *ms = json_object_get(e->e, "measures");
      const char *key;
      json_t *v;
      size_t len = 1, cnt = 0;
      json_object_foreach(ms, key, v) len += strlen(key) + 1;
      char *list = malloc(len);
      if (!list) continue;
      list[0] = '\0';
      json_object_foreach(ms, key, v) {
        if (json_is_null(v)) continue;
        int seen = 0;
        for (int j = 0; j < nrows && !seen; j++)
          seen = rows[j].entry == i && !strcmp(rows[j].measure, key);
        if (seen) continue;
        if (cnt++) strcat(list, " ");
        strcat(list, key);
      }
      if (cnt) {
        nmissing++;
        accq_table_row(mm);
        accq_table_str(mm, e->model);
        accq_table_str(mm, e->policy);
        accq_table_num(mm, e->lambda);
        accq_table_int(mm, (long long)cnt);
        accq_table_str(mm, list);
      }
      free(list);
    }
    if (nunused) WARN("%d golden entr%s had no row in the CSV (see not_compared)", nunused, nunused == 1 ? "y" : "ies");
    if (nmissing) WARN("%d compared entr%s lack measures the golden file has (see measures_left_out): level.TYPE.Q and p_wait.TYPE tell dispatch rules apart", nmissing, nmissing == 1 ? "y" : "ies");
#undef WARN
    accq_kv_strs(kv, "warnings", NULL, (const char *const *)warn, nwarn);
    /* warnings go to stderr too, whatever -q says */
    for (int i = 0; i < nwarn; i++) fprintf(stderr, "accq check-sim: warning: %s\n", warn[i]);
    rc = accq_cli_emit(&cli, rep);
    accq_report_free(rep);
    for (int i = 0; i < nwarn; i++) free(warn[i]);
    free(warn);
    if (!rc && (sum.rejected || n == 0)) rc = 1;
  }
cleanup:
  if (f) fclose(f);
  free(hbuf);
  free(buf);
  free(chk);
  free(rows);
  free(ent);
  for (int g = 0; g < ngold; g++) json_decref(roots[g]);
  if (st) return accq_cli_fail(&err);
  return rc;
}
