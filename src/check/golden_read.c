/* Reading golden files (accq/check.h): the one place in the check module
 * that talks to jansson.  A golden file is turned into plain entries at
 * once, so nothing else needs a JSON value; every field a check can use is
 * validated here, so a corrupt file is refused whether or not a row uses it. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"

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

/* The measures of a reference entry (x: its entry, nth: "measures" objects
 * before it in the file). */
static int read_measures(const char *path, json_t *ms, int nth, accq_check_golden_entry_t *x,
                         accq_err_t *err) {
  if (!json_is_object(ms))
    return accq_err_set(err, ACCQ_EINVAL, "%s: entries[%d] (model %s, policy %s): status "
                        "\"ok\" without \"measures\"", path, x->index, x->model, x->policy);
  const char *key;
  json_t *v;
  json_object_foreach(ms, key, v) {
    if (!json_is_number(v) && !json_is_null(v))
      return accq_err_set(err, ACCQ_EINVAL,
                          "%s:%d: entries[%d] (model %s, policy %s): measures.%s is %s, not a "
                          "number: a corrupt golden file",
                          path, measure_line(path, nth, key), x->index, x->model, x->policy, key,
                          json_is_string(v) ? "a string" : json_is_boolean(v) ? "a boolean"
                                                                             : "not a value");
    if (json_is_number(v) && !isfinite(json_number_value(v)))
      return accq_err_set(err, ACCQ_EINVAL, "%s: entries[%d]: measures.%s is not finite", path,
                          x->index, key);
  }
  x->measures = calloc(json_object_size(ms) + 1, sizeof *x->measures);
  if (!x->measures) return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
  json_object_foreach(ms, key, v) {
    accq_check_golden_measure_t *m = &x->measures[x->nmeasures];
    if (!(m->name = strdup(key))) return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
    m->value = json_is_null(v) ? NAN : json_number_value(v);
    x->nmeasures++;
  }
  return ACCQ_SUCCESS;
}

/* One element of "entries" into x (x->index set). */
static int read_entry(const char *path, json_t *e, int nth, accq_check_golden_entry_t *x,
                      accq_err_t *err) {
  const char *model = json_string_value(json_object_get(e, "model"));
  const char *policy = json_string_value(json_object_get(e, "policy"));
  json_t *l = json_object_get(e, "lambda");
  if (!json_is_object(e) || !model || !policy || !json_is_number(l))
    return accq_err_set(err, ACCQ_EINVAL,
                        "%s: entries[%d]: needs \"model\", \"policy\" (strings) and \"lambda\" "
                        "(a number)", path, x->index);
  x->lambda = json_number_value(l);
  /* version 1 files have no status: a truncation that did not converge
   * was written as if it were a reference */
  const char *status = json_string_value(json_object_get(e, "status"));
  const char *reason = json_string_value(json_object_get(e, "reason"));
  json_t *tc = json_object_get(e, "truncation_converged");
  if (!status) {
    status = json_is_false(tc) ? "not_converged" : "ok";
    if (json_is_false(tc)) reason = "truncation_converged is false (version 1 file)";
  }
  x->model = strdup(model);
  x->policy = strdup(policy);
  x->file = strdup(path);
  x->status = strdup(status);
  x->reason = dup_or_null(reason);
  x->sha256 = dup_or_null(json_string_value(json_object_get(e, "model_sha256")));
  if (!x->model || !x->policy || !x->file || !x->status || (reason && !x->reason))
    return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
  if (strcmp(x->status, "ok")) return ACCQ_SUCCESS;
  return read_measures(path, json_object_get(e, "measures"), nth, x, err);
}

int accq_check_golden_read(const char *path, accq_check_golden_t *g, accq_err_t *err) {
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (!root)
    return accq_err_set(err, ACCQ_EIO, "%s:%d: cannot read golden file: %s", path, jerr.line,
                        jerr.text);
  int st = ACCQ_SUCCESS, nth = 0; /* nth: entries before with a "measures" object */
  json_t *entries = json_object_get(root, "entries");
  const char *fmt = json_string_value(json_object_get(root, "format"));
  if (!json_is_array(entries) || !fmt || strcmp(fmt, "accq-golden")) {
    st = accq_err_set(err, ACCQ_EINVAL,
                      "%s: not an accq golden file (no \"format\": \"accq-golden\" with "
                      "\"entries\")", path);
    goto done;
  }
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
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
    x->index = (int)i;
    if ((st = read_entry(path, e, nth, x, err))) goto done;
    nth += json_is_object(json_object_get(e, "measures"));
  }
done:
  json_decref(root);
  return st;
}
