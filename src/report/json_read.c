/* Reading JSON into a plain tree (report/json_read.h): with json.c, the only
 * places accq talks to jansson. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/json_read.h"

static void release(accq_json_t *v) {
  if (!v) return;
  free(v->string);
  for (int i = 0; i < v->n; i++) {
    release(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
}

void accq_json_free(accq_json_t *v) {
  release(v);
  free(v);
}

/* Converts j into *v (zeroed by the caller); -1 when out of memory. */
static int convert(const json_t *j, accq_json_t *v) {
  switch (json_typeof(j)) {
  case JSON_NULL: v->kind = ACCQ_JSON_NULL; return 0;
  case JSON_FALSE: v->kind = ACCQ_JSON_FALSE; return 0;
  case JSON_TRUE: v->kind = ACCQ_JSON_TRUE; return 0;
  case JSON_INTEGER:
  case JSON_REAL:
    v->kind = ACCQ_JSON_NUMBER;
    v->number = json_number_value(j);
    return 0;
  case JSON_STRING:
    v->kind = ACCQ_JSON_STRING;
    return (v->string = strdup(json_string_value(j))) ? 0 : -1;
  case JSON_ARRAY: {
    v->kind = ACCQ_JSON_ARRAY;
    size_t n = json_array_size(j);
    if (!(v->items = calloc(n + 1, sizeof *v->items))) return -1;
    for (size_t i = 0; i < n; i++, v->n++)
      if (convert(json_array_get(j, i), &v->items[i])) return -1;
    return 0;
  }
  case JSON_OBJECT: {
    v->kind = ACCQ_JSON_OBJECT;
    size_t n = json_object_size(j);
    v->items = calloc(n + 1, sizeof *v->items);
    v->keys = calloc(n + 1, sizeof *v->keys);
    if (!v->items || !v->keys) return -1;
    const char *key;
    json_t *m;
    json_object_foreach((json_t *)j, key, m) {
      if (!(v->keys[v->n] = strdup(key))) return -1;
      v->n++; /* counted before converting, so a failure frees the key */
      if (convert(m, &v->items[v->n - 1])) return -1;
    }
    return 0;
  }
  }
  return 0;
}

int accq_json_read_file(const char *path, const char *what, accq_json_t **root, accq_err_t *err) {
  *root = NULL;
  json_error_t jerr;
  json_t *j = json_load_file(path, 0, &jerr);
  if (!j)
    return accq_err_set(err, ACCQ_EIO, "%s:%d: cannot read %s: %s", path, jerr.line,
                        what ? what : "JSON", jerr.text);
  accq_json_t *v = calloc(1, sizeof *v);
  int bad = !v || convert(j, v);
  json_decref(j);
  if (bad) {
    accq_json_free(v);
    return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory reading JSON", path);
  }
  *root = v;
  return ACCQ_SUCCESS;
}

const accq_json_t *accq_json_get(const accq_json_t *v, const char *key) {
  if (!v || v->kind != ACCQ_JSON_OBJECT) return NULL;
  for (int i = 0; i < v->n; i++)
    if (!strcmp(v->keys[i], key)) return &v->items[i];
  return NULL;
}

const char *accq_json_string(const accq_json_t *v) {
  return v && v->kind == ACCQ_JSON_STRING ? v->string : NULL;
}

int accq_json_is(const accq_json_t *v, accq_json_kind_t kind) { return v && v->kind == kind; }
