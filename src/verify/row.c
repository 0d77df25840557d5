/* The row of one claim: its verdict, its worst margin and the instance that set
 * it, its note, and the simulations it could not use as evidence. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accq/dist.h"
#include "verify/claims_internal.h"

void accq_i_row_init(accq_claim_row_t *r, int claim, const char *title, const char *model,
                     const char *what) {
  memset(r, 0, sizeof *r);
  r->claim = claim;
  snprintf(r->title, sizeof r->title, "%s", title);
  snprintf(r->model, sizeof r->model, "%s", model);
  snprintf(r->margin_what, sizeof r->margin_what, "%s", what);
  r->worst_margin = NAN;
  r->verdict = ACCQ_VERDICT_PASS;
}

void accq_i_note_add(accq_claim_row_t *r, const char *fmt, ...) {
  size_t used = strlen(r->note);
  if (used + 4 >= sizeof r->note) return;
  if (used) {
    snprintf(r->note + used, sizeof r->note - used, "; ");
    used += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(r->note + used, sizeof r->note - used, fmt, ap);
  va_end(ap);
  /* a note that does not fit says so ("...") rather than ending mid-word */
  if (w >= 0 && (size_t)w >= sizeof r->note - used) memcpy(r->note + sizeof r->note - 4, "...", 4);
}

int accq_i_sim_warned(accq_claim_row_t *r, const accq_verify_sim_t *s, const char *fmt, ...) {
  if (s->nwarnings <= 0) return 0;
  char label[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(label, sizeof label, fmt, ap);
  va_end(ap);
  for (int i = 0; i < s->nwarnings; i++) {
    if (r->nwarnings < ACCQ_VERIFY_ROW_WARNINGS)
      snprintf(r->warnings[r->nwarnings], sizeof r->warnings[0], "simulation %s: %.*s", label,
               (int)(sizeof r->warnings[0] - strlen(label) - 20), s->warnings[i]);
    r->nwarnings++;
  }
  r->excluded++;
  accq_i_note_add(r, "simulation %s not used as evidence: %d bias warning(s)", label,
                  s->nwarnings);
  return 1;
}

void accq_i_margin_at(accq_claim_row_t *r, double margin, const char *fmt, ...) {
  if (isnan(margin)) margin = -INFINITY; /* a comparison that produced NaN did not hold */
  if (!isnan(r->worst_margin) && !(margin < r->worst_margin)) return;
  r->worst_margin = margin;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->evidence, sizeof r->evidence, fmt, ap);
  va_end(ap);
}

/* A PASS whose worst margin is not >= 0 cannot happen when each check sets its
 * verdict from its margin; kept as the last guard. */
void accq_i_finish_row(accq_claim_row_t *r, const char *skip_why) {
  if (r->instances == 0 && r->verdict != ACCQ_VERDICT_FAIL) {
    r->verdict = ACCQ_VERDICT_SKIPPED;
    r->worst_margin = NAN;
    r->evidence[0] = '\0';
    snprintf(r->reason, sizeof r->reason, "%s",
             skip_why && *skip_why ? skip_why : "no instance could be checked");
    return;
  }
  if (r->verdict == ACCQ_VERDICT_PASS && !(r->worst_margin >= 0)) {
    r->verdict = ACCQ_VERDICT_PARTIAL;
    accq_i_note_add(r, "worst margin %.3g is not >= 0: not conclusive", r->worst_margin);
  }
}

void accq_i_worse(accq_verdict_t *v, accq_verdict_t w) {
  /* FAIL > PARTIAL > PASS; SKIPPED only when nothing ran */
  int rank[] = {0, 1, 2, 0};
  if (*v == ACCQ_VERDICT_SKIPPED || rank[w] > rank[*v]) *v = w;
}

void accq_i_list_add(accq_i_list_t *l, const char *fmt, ...) {
  if (l->used + 8 >= sizeof l->text) return;
  int w = snprintf(l->text + l->used, sizeof l->text - l->used, "%s", l->used ? "; " : "");
  if (w > 0) l->used += (size_t)w;
  va_list ap;
  va_start(ap, fmt);
  w = vsnprintf(l->text + l->used, sizeof l->text - l->used, fmt, ap);
  va_end(ap);
  if (w > 0) l->used += (size_t)w;
  if (l->used >= sizeof l->text) l->used = sizeof l->text - 1;
}

/* ---- a model's rows as bytes (a cell of accq verify under accq_dist_run) ---- */

int accq_verify_rows_pack(const accq_claim_row_t *rows, int n, void **bytes, size_t *len,
                          accq_err_t *err) {
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  accq_dist_put_i64(&b, n);
  for (int i = 0; i < n; i++) {
    const accq_claim_row_t *r = &rows[i];
    accq_dist_put_i64(&b, r->claim);
    accq_dist_put_str(&b, r->title);
    accq_dist_put_str(&b, r->model);
    accq_dist_put_i64(&b, (int64_t)r->verdict);
    accq_dist_put_i64(&b, r->instances);
    accq_dist_put_i64(&b, r->excluded);
    accq_dist_put_f64(&b, r->worst_margin);
    accq_dist_put_str(&b, r->margin_what);
    accq_dist_put_str(&b, r->evidence);
    accq_dist_put_str(&b, r->note);
    accq_dist_put_str(&b, r->reason);
    accq_dist_put_f64(&b, r->seconds);
    accq_dist_put_i64(&b, r->stopped);
    accq_dist_put_i64(&b, r->nwarnings);
    int kept = r->nwarnings < ACCQ_VERIFY_ROW_WARNINGS ? r->nwarnings : ACCQ_VERIFY_ROW_WARNINGS;
    for (int j = 0; j < kept; j++) accq_dist_put_str(&b, r->warnings[j]);
  }
  return accq_dist_buf_take(&b, bytes, len, err);
}

int accq_verify_rows_unpack(const void *bytes, size_t len, accq_claim_row_t *rows, int cap,
                            int *n, accq_err_t *err) {
  accq_dist_reader_t rd;
  accq_dist_reader_init(&rd, bytes, len);
  *n = 0;
  int64_t count = accq_dist_get_i64(&rd);
  if (count < 0 || count > cap)
    return accq_err_set(err, ACCQ_EINVAL, "verify cell: %lld rows (at most %d): not a verify "
                        "cell", (long long)count, cap);
  for (int i = 0; i < count && !rd.failed; i++) {
    accq_claim_row_t *r = &rows[i];
    memset(r, 0, sizeof *r);
    r->claim = (int)accq_dist_get_i64(&rd);
    accq_dist_get_str(&rd, r->title, sizeof r->title);
    accq_dist_get_str(&rd, r->model, sizeof r->model);
    int64_t v = accq_dist_get_i64(&rd);
    if (v < ACCQ_VERDICT_PASS || v > ACCQ_VERDICT_SKIPPED) rd.failed = 1;
    r->verdict = (accq_verdict_t)v;
    r->instances = (int)accq_dist_get_i64(&rd);
    r->excluded = (int)accq_dist_get_i64(&rd);
    r->worst_margin = accq_dist_get_f64(&rd);
    accq_dist_get_str(&rd, r->margin_what, sizeof r->margin_what);
    accq_dist_get_str(&rd, r->evidence, sizeof r->evidence);
    accq_dist_get_str(&rd, r->note, sizeof r->note);
    accq_dist_get_str(&rd, r->reason, sizeof r->reason);
    r->seconds = accq_dist_get_f64(&rd);
    r->stopped = (int)accq_dist_get_i64(&rd);
    int64_t nw = accq_dist_get_i64(&rd);
    if (nw < 0 || nw > INT32_MAX) rd.failed = 1;
    r->nwarnings = rd.failed ? 0 : (int)nw;
    int kept = r->nwarnings < ACCQ_VERIFY_ROW_WARNINGS ? r->nwarnings : ACCQ_VERIFY_ROW_WARNINGS;
    for (int j = 0; j < kept; j++) accq_dist_get_str(&rd, r->warnings[j], sizeof r->warnings[j]);
  }
  int st = accq_dist_reader_end(&rd, "verify cell", err);
  if (!st) *n = (int)count;
  return st;
}
