/* What a run of accq verify adds up to: its verdict counts, its exit status,
 * its warnings and its report (the JSON, CSV, Markdown and LaTeX of `accq
 * verify`, docs/output.md).  The CLI prints these; nothing here prints. */
#include <stdio.h>
#include <stdlib.h>

#include "accq/verify.h"

void accq_verify_count(const accq_claim_row_t *rows, int n, int count[4]) {
  for (int v = 0; v < 4; v++) count[v] = 0;
  for (int i = 0; i < n; i++)
    if ((int)rows[i].verdict >= 0 && (int)rows[i].verdict < 4) count[rows[i].verdict]++;
}

int accq_verify_exit_status(const accq_claim_row_t *rows, int n) {
  accq_verdict_t v = accq_verify_overall(rows, n);
  return v == ACCQ_VERDICT_FAIL ? 1 : v == ACCQ_VERDICT_SKIPPED ? 3 : 0;
}

int accq_verify_row_warnings(const accq_claim_row_t *r, int with_skip,
                             char (*text)[ACCQ_VERIFY_TEXT_MAX]) {
  int n = 0, kept = r->nwarnings < ACCQ_VERIFY_ROW_WARNINGS ? r->nwarnings
                                                             : ACCQ_VERIFY_ROW_WARNINGS;
  if (with_skip && r->verdict == ACCQ_VERDICT_SKIPPED)
    snprintf(text[n++], ACCQ_VERIFY_TEXT_MAX, "claim %d on %s SKIPPED: %s", r->claim, r->model,
             r->reason);
  for (int j = 0; j < kept; j++)
    snprintf(text[n++], ACCQ_VERIFY_TEXT_MAX, "claim %d on %s: %s (not used as evidence)",
             r->claim, r->model, r->warnings[j]);
  if (r->nwarnings > kept)
    snprintf(text[n++], ACCQ_VERIFY_TEXT_MAX, "claim %d on %s: %d more simulation warning(s)",
             r->claim, r->model, r->nwarnings - kept);
  return n;
}

/* The top-level fields: counts, seconds, verdict, and every warning (each row
 * that could not be checked, with its reason, and every simulation with a
 * bias warning, not used as evidence). */
static void report_summary(accq_report_t *rep, const accq_claim_row_t *rows, int n, int nmodels,
                           double seconds) {
  int count[4];
  accq_verify_count(rows, n, count);
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  accq_kv_int(s, "models", "models", nmodels);
  accq_kv_int(s, "pass", "PASS", count[ACCQ_VERDICT_PASS]);
  accq_kv_int(s, "partial", "PARTIAL", count[ACCQ_VERDICT_PARTIAL]);
  accq_kv_int(s, "fail", "FAIL", count[ACCQ_VERDICT_FAIL]);
  accq_kv_int(s, "skipped", "SKIPPED", count[ACCQ_VERDICT_SKIPPED]);
  int stopped = 0;
  for (int i = 0; i < n; i++) stopped += rows[i].stopped != 0;
  accq_kv_int(s, "stopped", "stopped by the time limit", stopped);
  accq_kv_num(s, "seconds", "seconds", seconds, 3);
  accq_kv_str(s, "verdict", "verdict", accq_verdict_name(accq_verify_overall(rows, n)));
  size_t cap = (size_t)n * ACCQ_VERIFY_ROW_TEXTS + 1;
  char(*wtext)[ACCQ_VERIFY_TEXT_MAX] = calloc(cap, sizeof *wtext);
  const char **warn = calloc(cap, sizeof *warn);
  int nwarn = 0;
  for (int i = 0; wtext && warn && i < n; i++)
    nwarn += accq_verify_row_warnings(&rows[i], 1, wtext + nwarn);
  for (int i = 0; warn && i < nwarn; i++) warn[i] = wtext[i];
  accq_kv_strs(s, "warnings", "warnings", warn, nwarn);
  free(warn);
  free(wtext);
}

/* The claims table: one row per claim and model.  A SKIPPED row has status
 * "skipped", its reason, and no margin (null): nothing was checked. */
static void report_claims(accq_report_t *rep, const accq_claim_row_t *rows, int n) {
  accq_report_section_t *t = accq_report_table(rep, "claims", "claims");
  accq_table_col(t, "claim", "claim", 0);
  accq_table_col(t, "title", "title", 0);
  accq_table_col(t, "model", "model", 0);
  accq_table_col(t, "verdict", "verdict", 0);
  accq_table_col(t, "status", "status", 0);
  accq_table_col(t, "reason", "reason", 0);
  accq_table_col(t, "instances", "checked", 0);
  accq_table_col(t, "excluded", "excluded", 0);
  accq_table_col(t, "worst_margin", "worst margin", 4);
  accq_table_col(t, "margin", "margin measures", 0);
  accq_table_col(t, "evidence", "evidence", 0);
  accq_table_col(t, "note", "note", 0);
  accq_table_col(t, "seconds", "seconds", 3);
  for (int i = 0; i < n; i++) {
    const accq_claim_row_t *r = &rows[i];
    int skipped = r->verdict == ACCQ_VERDICT_SKIPPED;
    accq_table_row(t);
    accq_table_int(t, r->claim);
    accq_table_str(t, r->title);
    accq_table_str(t, r->model);
    accq_table_str(t, accq_verdict_name(r->verdict));
    accq_table_str(t, r->stopped ? "time_limit" : skipped ? "skipped" : "ok");
    if (skipped) accq_table_str(t, r->reason);
    else accq_table_null(t, NULL);
    accq_table_int(t, r->instances);
    accq_table_int(t, r->excluded);
    if (skipped) accq_table_null(t, "-");
    else accq_table_num(t, r->worst_margin);
    accq_table_str(t, r->margin_what);
    accq_table_str(t, r->evidence);
    accq_table_str(t, r->note);
    accq_table_num(t, r->seconds);
  }
  accq_report_set_primary(rep, t);
}

accq_report_t *accq_verify_report(const accq_claim_row_t *rows, int n, int nmodels,
                                  double seconds) {
  accq_report_t *rep = accq_report_alloc("accq verify: the claims of docs/claims.md");
  if (!rep) return NULL;
  report_summary(rep, rows, n, nmodels, seconds);
  report_claims(rep, rows, n);
  return rep;
}
