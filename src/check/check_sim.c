/* check-sim's procedure (accq/check.h): a results CSV from any simulator
 * against `accq golden` values.  Reads the golden files and the CSV, matches
 * every row to exactly one golden entry, refuses malformed or conflicting
 * rows (CSV:LINE: reason), skips with a reason the rows that cannot be
 * tested, runs the Holm family on the rest and reports the coverage. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"

/* Columns of the CSV (-1: absent). */
typedef struct {
  int model, policy, lambda, measure, mean, se, hw, rep, n;
} columns_t;

static int col_index(char **h, int nh, const char *name) {
  for (int i = 0; i < nh; i++)
    if (!strcmp(h[i], name)) return i;
  return -1;
}

/* Decimal numbers only (strtod would also take hex, inf and nan), finite. */
static int parse_real(const char *s, double *v) {
  if (!s || !*s || strspn(s, "0123456789+-.eE") != strlen(s)) return -1;
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  if (*end || end == s || !isfinite(x) || (errno == ERANGE && fabs(x) > 1.0)) return -1;
  *v = x;
  return 0;
}

/* A whole number ("10", "1e1", "10.0") within int range. */
static int parse_whole(const char *s, int *v) {
  double x;
  if (parse_real(s, &x) || x != floor(x) || x < -2147483648.0 || x > 2147483647.0) return -1;
  *v = (int)x;
  return 0;
}

static int same_lambda(double a, double b) { return fabs(a - b) <= 1e-6 * fmax(1, fabs(a)); }

static int is_averaged_percentile(const char *m) {
  return !strcmp(m, "p50") || !strcmp(m, "p90") || !strcmp(m, "p95") || !strcmp(m, "p99");
}

static int is_target(const char *m) {
  return !strcmp(m, "mean_response_time") || !strcmp(m, "mean_jobs");
}

static int read_header(accq_check_csv_t *csv, const char *path, columns_t *c, accq_err_t *err) {
  char **h;
  int line;
  int nh = accq_check_csv_next(csv, &h, &line);
  if (nh <= 0) return accq_err_set(err, ACCQ_EINVAL, "%s:1: empty file or malformed header", path);
  c->n = nh;
  c->model = col_index(h, nh, "model");
  c->policy = col_index(h, nh, "policy");
  c->lambda = col_index(h, nh, "lambda");
  c->measure = col_index(h, nh, "measure");
  c->mean = col_index(h, nh, "mean");
  c->se = col_index(h, nh, "stderr");
  c->hw = col_index(h, nh, "ci_halfwidth");
  c->rep = col_index(h, nh, "replications");
  const char *missing = c->model < 0 ? "model" : c->policy < 0 ? "policy" : c->lambda < 0 ? "lambda"
                      : c->measure < 0 ? "measure" : c->mean < 0 ? "mean"
                      : (c->se < 0 && c->hw < 0) ? "stderr or ci_halfwidth"
                      : c->rep < 0 ? "replications" : NULL;
  if (missing)
    return accq_err_set(err, ACCQ_EINVAL, "%s:1: missing column '%s' (need model, policy, lambda, "
                        "measure, mean, stderr or ci_halfwidth, replications)", path, missing);
  return ACCQ_SUCCESS;
}

/* The numbers of one record into r (line, names, lambda, mean, se, R). */
static int parse_row(char **fl, const columns_t *c, const char *path, int line,
                     accq_check_sim_row_t *r, accq_err_t *err) {
  memset(r, 0, sizeof *r);
  r->line = line;
  r->check = -1;
  snprintf(r->model, sizeof r->model, "%s", fl[c->model]);
  snprintf(r->policy, sizeof r->policy, "%s", fl[c->policy]);
  snprintf(r->measure, sizeof r->measure, "%s", fl[c->measure]);
  double se = NAN, hw = NAN;
  if (parse_real(fl[c->lambda], &r->lambda) || parse_real(fl[c->mean], &r->mean) ||
      parse_whole(fl[c->rep], &r->replications) ||
      (c->se >= 0 && fl[c->se][0] && (parse_real(fl[c->se], &se) || se < 0)) ||
      (c->hw >= 0 && fl[c->hw][0] && (parse_real(fl[c->hw], &hw) || hw < 0)))
    return accq_err_set(err, ACCQ_EINVAL,
                        "%s:%d: lambda, mean, stderr/ci_halfwidth must be finite numbers (>= 0 "
                        "for the last two) and replications a whole number", path, line);
  if (r->replications < 2)
    return accq_err_set(err, ACCQ_EINVAL,
                        "%s:%d: replications %d: a standard error needs at least 2 independent "
                        "replications (the report recommends a count)", path, line, r->replications);
  if (accq_check_standard_error(se, hw, r->replications, &r->se, err)) {
    accq_err_prefix(err, "%s:%d", path, line);
    return err->status;
  }
  return ACCQ_SUCCESS;
}

/* The one golden entry of a row (model, policy, lambda within 1e-6). */
static int match_entry(const accq_check_golden_t *g, accq_check_sim_row_t *r, const char *path,
                       const char *first_golden, int ngolden, accq_err_t *err) {
  int hit = -1;
  for (int i = 0; i < g->n; i++) {
    const accq_check_golden_entry_t *e = &g->entries[i];
    if (strcmp(e->model, r->model) || strcmp(e->policy, r->policy) || !same_lambda(e->lambda, r->lambda))
      continue;
    if (hit >= 0) {
      const accq_check_golden_entry_t *h = &g->entries[hit];
      return accq_err_set(err, ACCQ_EINVAL,
                          "%s:%d: model '%s', policy '%s', lambda %.10g is ambiguous: %s "
                          "entries[%d] (sha256 %.12s) and %s entries[%d] (sha256 %.12s) have "
                          "that name; give the models distinct names",
                          path, r->line, r->model, r->policy, r->lambda, h->file, h->index,
                          h->sha256 ? h->sha256 : "-", e->file, e->index,
                          e->sha256 ? e->sha256 : "-");
    }
    hit = i;
  }
  if (hit < 0)
    return accq_err_set(err, ACCQ_EINVAL,
                        "%s:%d: no golden value for model '%s', policy '%s', lambda %.10g in %s%s",
                        path, r->line, r->model, r->policy, r->lambda, first_golden,
                        ngolden > 1 ? " (or the other golden files)" : "");
  r->entry = hit;
  return ACCQ_SUCCESS;
}

/* An earlier row with the same entry and measure: an identical repetition is
 * skipped; one with other values is refused (which one would be tested?). */
static int check_repeat(const accq_check_sim_t *res, accq_check_sim_row_t *r, const char *path,
                        accq_err_t *err) {
  for (int j = 0; j < res->nrows; j++) {
    const accq_check_sim_row_t *o = &res->rows[j];
    if (o->entry != r->entry || strcmp(o->measure, r->measure)) continue;
    if (o->mean != r->mean || o->se != r->se || o->replications != r->replications)
      return accq_err_set(err, ACCQ_EINVAL,
                          "%s:%d: model '%s', policy '%s', lambda %.10g, measure '%s' was given "
                          "at line %d with other values (mean %.10g, stderr %.6g, replications "
                          "%d here; mean %.10g, stderr %.6g, replications %d there): which one "
                          "to test? remove one",
                          path, r->line, r->model, r->policy, r->lambda, r->measure, o->line,
                          r->mean, r->se, r->replications, o->mean, o->se, o->replications);
    if (o->skip == ACCQ_CHECK_COMPARED || o->skip == ACCQ_CHECK_SKIP_DUPLICATE) {
      snprintf(r->why, sizeof r->why, "duplicate of line %d (same entry and measure)", o->line);
      r->skip = ACCQ_CHECK_SKIP_DUPLICATE;
      return ACCQ_SUCCESS;
    }
  }
  return ACCQ_SUCCESS;
}

/* Why a matched row is not compared (r->skip, r->why), or a refusal. */
static int classify(const accq_check_sim_t *res, accq_check_sim_row_t *r, double *exact,
                    const char *path, accq_err_t *err) {
  const accq_check_golden_entry_t *e = &res->golden.entries[r->entry];
  int st = check_repeat(res, r, path, err);
  if (st || r->skip) return st;
  if (strcmp(e->status, "ok")) {
    snprintf(r->why, sizeof r->why, "golden entry is not a reference (%s): %.100s", e->status,
             e->reason ? e->reason : "no reason given");
    r->skip = ACCQ_CHECK_SKIP_REFERENCE;
  } else if (!accq_check_golden_measure(e, r->measure, exact)) {
    return accq_err_set(err, ACCQ_EINVAL, "%s:%d: unknown measure '%s' (see \"definitions\" in %s)",
                        path, r->line, r->measure, e->file);
  } else if (is_averaged_percentile(r->measure)) {
    snprintf(r->why, sizeof r->why,
             "averaged per-replication percentiles are biased on short replications; give "
             "frac_below.%.8s (fraction of jobs <= the golden %.8s)", r->measure, r->measure);
    r->skip = ACCQ_CHECK_SKIP_PERCENTILE;
  } else if (isnan(*exact)) {
    snprintf(r->why, sizeof r->why,
             "the golden value is null (not defined for this entry, e.g. a type without jobs)");
    r->skip = ACCQ_CHECK_SKIP_NULL;
  }
  return ACCQ_SUCCESS;
}

/* Room for one more row and check. */
static int grow(accq_check_sim_t *res, int *cap, accq_err_t *err) {
  if (res->nrows < *cap) return ACCQ_SUCCESS;
  int nc = *cap ? 2 * *cap : 64;
  accq_check_row_t *c2 = realloc(res->checks, (size_t)nc * sizeof *c2);
  if (c2) res->checks = c2;
  accq_check_sim_row_t *r2 = realloc(res->rows, (size_t)nc * sizeof *r2);
  if (r2) res->rows = r2;
  if (!c2 || !r2) return accq_err_set(err, ACCQ_ENOMEM, "check-sim: no memory for %d rows", nc);
  *cap = nc;
  return ACCQ_SUCCESS;
}

/* Reads every data row of the CSV into res->rows and the compared ones into
 * res->checks. */
static int read_rows(accq_check_sim_t *res, const char *path, const char *first_golden,
                     int ngolden, accq_err_t *err) {
  accq_check_csv_t *csv = NULL;
  columns_t c = {-1, -1, -1, -1, -1, -1, -1, -1, 0};
  int st = accq_check_csv_open(path, &csv, err), cap = 0;
  if (!st) st = read_header(csv, path, &c, err);
  while (!st) {
    char **fl;
    int line, nf = accq_check_csv_next(csv, &fl, &line);
    if (nf == 0) break;
    if (nf < 0) {
      st = accq_err_set(err, ACCQ_EINVAL, "%s:%d: malformed CSV record", path, line);
      break;
    }
    if (nf == 1 && fl[0][0] == '\0') continue; /* blank line */
    if (nf != c.n) {
      st = accq_err_set(err, ACCQ_EINVAL, "%s:%d: %d fields, the header has %d", path, line, nf, c.n);
      break;
    }
    if ((st = grow(res, &cap, err))) break;
    accq_check_sim_row_t *r = &res->rows[res->nrows];
    double exact = NAN;
    if ((st = parse_row(fl, &c, path, line, r, err)) ||
        (st = match_entry(&res->golden, r, path, first_golden, ngolden, err)) ||
        (st = classify(res, r, &exact, path, err)))
      break;
    if (r->skip == ACCQ_CHECK_COMPARED) {
      accq_check_row_t *k = &res->checks[res->n];
      memset(k, 0, sizeof *k);
      k->exact = exact;
      k->mean = r->mean; /* the simulator's own value, even when within abs_tol */
      k->se = r->se;
      k->replications = r->replications;
      k->lo = k->hi = 0;
      k->target = is_target(r->measure);
      r->check = res->n++;
    } else {
      res->skipped[0]++;
      res->skipped[r->skip]++;
    }
    res->entry_rows[r->entry]++;
    res->nrows++;
  }
  accq_check_csv_close(csv);
  return st;
}

static int warn(accq_check_sim_t *res, const char *fmt, ...) {
  char **w2 = realloc(res->warnings, (size_t)(res->nwarnings + 1) * sizeof *w2);
  if (!w2) return -1;
  res->warnings = w2;
  char *t = malloc(600);
  if (!t) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t, 600, fmt, ap);
  va_end(ap);
  res->warnings[res->nwarnings++] = t;
  return 0;
}

/* The non-null measures of entry i that no row gave (NULL when none). */
static char *left_out(const accq_check_sim_t *res, int i, int *bad) {
  const accq_check_golden_entry_t *e = &res->golden.entries[i];
  size_t len = 1, cnt = 0;
  for (int k = 0; k < e->nmeasures; k++) len += strlen(e->measures[k].name) + 1;
  char *list = malloc(len);
  if (!list) {
    *bad = 1;
    return NULL;
  }
  list[0] = '\0';
  for (int k = 0; k < e->nmeasures; k++) {
    if (isnan(e->measures[k].value)) continue;
    int seen = 0;
    for (int j = 0; j < res->nrows && !seen; j++)
      seen = res->rows[j].entry == i && !strcmp(res->rows[j].measure, e->measures[k].name);
    if (seen) continue;
    if (cnt++) strcat(list, " ");
    strcat(list, e->measures[k].name);
  }
  if (cnt) return list;
  free(list);
  return NULL;
}

/* Coverage (entries without rows, measures left out) and the warnings. */
static int summarize(accq_check_sim_t *res, const accq_check_options_t *opt, accq_err_t *err) {
  int bad = 0;
  for (int i = 0; i < res->golden.n; i++) {
    if (!res->entry_rows[i]) {
      res->unused++;
      continue;
    }
    int used = 0;
    for (int j = 0; j < res->nrows && !used; j++)
      used = res->rows[j].entry == i && res->rows[j].check >= 0;
    if (used && (res->left_out[i] = left_out(res, i, &bad))) res->incomplete++;
  }
  const int *s = res->skipped, n = res->n, unused = res->unused, inc = res->incomplete;
  const accq_check_summary_t *sum = &res->sum;
  if (n == 0)
    bad |= warn(res, "nothing was compared (%d data rows, %d skipped): no evidence is not a pass",
                res->nrows, s[0]);
  if (s[ACCQ_CHECK_SKIP_REFERENCE])
    bad |= warn(res, "%d row(s) skipped: their golden entry is not a reference (unstable or not "
                "converged)", s[ACCQ_CHECK_SKIP_REFERENCE]);
  if (s[ACCQ_CHECK_SKIP_PERCENTILE])
    bad |= warn(res, "%d row(s) skipped: averaged percentiles (p50..p99) are biased; give "
                "frac_below.pXX", s[ACCQ_CHECK_SKIP_PERCENTILE]);
  if (s[ACCQ_CHECK_SKIP_DUPLICATE])
    bad |= warn(res, "%d duplicate row(s) skipped (same entry and measure as an earlier line)",
                s[ACCQ_CHECK_SKIP_DUPLICATE]);
  if (s[ACCQ_CHECK_SKIP_NULL])
    bad |= warn(res, "%d row(s) skipped: the golden value is null", s[ACCQ_CHECK_SKIP_NULL]);
  if (sum->replications_recommended > 0 && sum->rows_below_recommended > 0)
    bad |= warn(res, "%d of %d compared row(s) have fewer replications than the %d recommended to "
                "detect a %.3g%% error in E[T] or L with probability %.2g (critical |t| %.3g): a "
                "pass says little about errors below each row's detectable_rel",
                sum->rows_below_recommended, n, sum->replications_recommended,
                100 * opt->detect_rel, opt->power, sum->critical_t);
  if (unused)
    bad |= warn(res, "%d golden entr%s had no row in the CSV (see not_compared)", unused,
                unused == 1 ? "y" : "ies");
  if (inc)
    bad |= warn(res, "%d compared entr%s lack measures the golden file has (see "
                "measures_left_out): level.TYPE.Q and p_wait.TYPE tell dispatch rules apart",
                inc, inc == 1 ? "y" : "ies");
  return bad ? accq_err_set(err, ACCQ_ENOMEM, "check-sim: out of memory") : ACCQ_SUCCESS;
}

int accq_check_sim_run(const char *const *golden, int ngolden, const char *csv,
                       const accq_check_options_t *opt, accq_check_sim_t *res, accq_err_t *err) {
  memset(res, 0, sizeof *res);
  int st = ACCQ_SUCCESS;
  for (int g = 0; g < ngolden && !st; g++) st = accq_check_golden_read(golden[g], &res->golden, err);
  if (st) return st;
  int ne = res->golden.n > 0 ? res->golden.n : 1;
  res->entry_rows = calloc((size_t)ne, sizeof *res->entry_rows);
  res->left_out = calloc((size_t)ne, sizeof *res->left_out);
  if (!res->entry_rows || !res->left_out)
    return accq_err_set(err, ACCQ_ENOMEM, "check-sim: out of memory");
  if ((st = read_rows(res, csv, ngolden > 0 ? golden[0] : "", ngolden, err))) return st;
  if ((st = accq_check_family(res->checks, res->n, opt, &res->sum, err))) return st;
  return summarize(res, opt, err);
}

void accq_check_sim_release(accq_check_sim_t *res) {
  if (!res) return;
  if (res->left_out)
    for (int i = 0; i < res->golden.n; i++) free(res->left_out[i]);
  free(res->left_out);
  free(res->entry_rows);
  accq_check_golden_release(&res->golden);
  free(res->rows);
  free(res->checks);
  for (int i = 0; i < res->nwarnings; i++) free(res->warnings[i]);
  free(res->warnings);
  memset(res, 0, sizeof *res);
}
