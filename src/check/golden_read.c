/* Reading golden files (accq/check.h) through the report module's JSON
 * reader (report/json_read.h): a golden file is turned into plain entries at
 * once, so nothing else needs a JSON value; every field a check can use is
 * validated here, so a corrupt file is refused whether or not a row uses it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"
#include "report/json_read.h"

void accq_check_golden_init(accq_check_golden_t *g) { memset(g, 0, sizeof *g); }

static void entry_release(accq_check_golden_entry_t *e) {
  free(e->model);
  free(e->policy);
  free(e->file);
  free(e->sha256);
  free(e->status);
  free(e->reason);
  for (int i = 0; i < e->nsets; i++) free(e->sets[i]);
  free(e->sets);
  for (int i = 0; i < e->nmeasures; i++) free(e->measures[i].name);
  free(e->measures);
}

void accq_check_golden_release(accq_check_golden_t *g) {
  if (!g) return;
  for (int i = 0; i < g->n; i++) entry_release(&g->entries[i]);
  free(g->entries);
  for (int i = 0; i < g->nwarnings; i++) free(g->warnings[i]);
  free(g->warnings);
  memset(g, 0, sizeof *g);
}

int accq_check_golden_measure(const accq_check_golden_entry_t *e, const char *name,
                              double *value) {
  for (int i = 0; i < e->nmeasures; i++)
    if (!strcmp(e->measures[i].name, name)) {
      *value = e->measures[i].value;
      return 1;
    }
  return 0;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

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

static const char *kind_name(const accq_json_t *v) {
  return accq_json_is(v, ACCQ_JSON_STRING) ? "a string"
         : accq_json_is(v, ACCQ_JSON_TRUE) || accq_json_is(v, ACCQ_JSON_FALSE) ? "a boolean"
                                                                               : "not a value";
}

/* The measures of a reference entry (x: its entry, nth: "measures" objects
 * before it in the file). */
static int read_measures(const char *path, const accq_json_t *ms, int nth,
                         accq_check_golden_entry_t *x, accq_err_t *err) {
  if (!accq_json_is(ms, ACCQ_JSON_OBJECT))
    return accq_err_set(err, ACCQ_EINVAL, "%s: entries[%d] (model %s, policy %s): status "
                        "\"ok\" without \"measures\"", path, x->index, x->model, x->policy);
  for (int i = 0; i < ms->n; i++) {
    const accq_json_t *v = &ms->items[i];
    const char *key = ms->keys[i];
    if (!accq_json_is(v, ACCQ_JSON_NUMBER) && !accq_json_is(v, ACCQ_JSON_NULL))
      return accq_err_set(err, ACCQ_EINVAL,
                          "%s:%d: entries[%d] (model %s, policy %s): measures.%s is %s, not a "
                          "number: a corrupt golden file",
                          path, measure_line(path, nth, key), x->index, x->model, x->policy, key,
                          kind_name(v));
    if (accq_json_is(v, ACCQ_JSON_NUMBER) && !isfinite(v->number))
      return accq_err_set(err, ACCQ_EINVAL, "%s: entries[%d]: measures.%s is not finite", path,
                          x->index, key);
  }
  x->measures = calloc((size_t)ms->n + 1, sizeof *x->measures);
  if (!x->measures) return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
  for (int i = 0; i < ms->n; i++) {
    accq_check_golden_measure_t *m = &x->measures[x->nmeasures];
    if (!(m->name = strdup(ms->keys[i]))) return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
    m->value = accq_json_is(&ms->items[i], ACCQ_JSON_NULL) ? NAN : ms->items[i].number;
    x->nmeasures++;
  }
  return ACCQ_SUCCESS;
}

/* One element of "entries" into x (x->index set). */
static int read_entry(const char *path, const accq_json_t *e, int nth,
                      accq_check_golden_entry_t *x, accq_err_t *err) {
  const char *model = accq_json_string(accq_json_get(e, "model"));
  const char *policy = accq_json_string(accq_json_get(e, "policy"));
  const accq_json_t *l = accq_json_get(e, "lambda");
  if (!accq_json_is(e, ACCQ_JSON_OBJECT) || !model || !policy || !accq_json_is(l, ACCQ_JSON_NUMBER))
    return accq_err_set(err, ACCQ_EINVAL,
                        "%s: entries[%d]: needs \"model\", \"policy\" (strings) and \"lambda\" "
                        "(a number)", path, x->index);
  x->lambda = l->number;
  /* version 1 files have no status: a truncation that did not converge
   * was written as if it were a reference */
  const char *status = accq_json_string(accq_json_get(e, "status"));
  const char *reason = accq_json_string(accq_json_get(e, "reason"));
  int tc_false = accq_json_is(accq_json_get(e, "truncation_converged"), ACCQ_JSON_FALSE);
  if (!status) {
    status = tc_false ? "not_converged" : "ok";
    if (tc_false) reason = "truncation_converged is false (version 1 file)";
  }
  x->model = strdup(model);
  x->policy = strdup(policy);
  x->file = strdup(path);
  x->status = strdup(status);
  x->reason = dup_or_null(reason);
  x->sha256 = dup_or_null(accq_json_string(accq_json_get(e, "model_sha256")));
  if (!x->model || !x->policy || !x->file || !x->status || (reason && !x->reason))
    return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
  if (strcmp(x->status, "ok")) return ACCQ_SUCCESS;
  return read_measures(path, accq_json_get(e, "measures"), nth, x, err);
}

int accq_check_golden_read(const char *path, accq_check_golden_t *g, accq_err_t *err) {
  accq_json_t *root;
  int st = accq_json_read_file(path, "golden file", &root, err);
  if (st) return st;
  int nth = 0; /* entries before with a "measures" object */
  const accq_json_t *entries = accq_json_get(root, "entries");
  const char *fmt = accq_json_string(accq_json_get(root, "format"));
  if (!accq_json_is(entries, ACCQ_JSON_ARRAY) || !fmt || strcmp(fmt, "accq-golden")) {
    st = accq_err_set(err, ACCQ_EINVAL,
                      "%s: not an accq golden file (no \"format\": \"accq-golden\" with "
                      "\"entries\")", path);
    goto done;
  }
  for (int i = 0; i < entries->n; i++) {
    if (g->n == g->cap) {
      int nc = g->cap ? 2 * g->cap : 64;
      accq_check_golden_entry_t *x = realloc(g->entries, (size_t)nc * sizeof *x);
      if (!x) {
        st = accq_err_set(err, ACCQ_ENOMEM, "check-sim: out of memory");
        goto done;
      }
      g->entries = x;
      g->cap = nc;
    }
    accq_check_golden_entry_t *x = &g->entries[g->n++];
    memset(x, 0, sizeof *x);
    x->index = i;
    if ((st = read_entry(path, &entries->items[i], nth, x, err))) goto done;
    nth += accq_json_is(accq_json_get(&entries->items[i], "measures"), ACCQ_JSON_OBJECT);
  }
done:
  accq_json_free(root);
  return st;
}
