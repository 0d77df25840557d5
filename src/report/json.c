/* JSON rendering of reports: the only place accq talks to jansson.
 * Objects keep insertion order (jansson >= 2.8 always does), so the keys come
 * out in the order the command added them.  Reals are written with 17
 * significant digits, which round-trips every double; NaN and infinities have
 * no JSON spelling and become null. */
#include <jansson.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* JSON text is UTF-8.  The CLI refuses names that are not before computing
 * (accq_report_check_text), so this is the last line of defence: a string
 * with bytes that are not UTF-8 (a file path, say) is carried with each bad
 * byte spelled "\\xHH", so rendering never fails after the computation. */
static char *escape_utf8(const char *s) {
  size_t n = strlen(s), bad = 0;
  for (size_t i = 0; i < n;) {
    size_t len = accq_i_utf8_char(s + i, n - i);
    if (len == 0) {
      bad++;
      i++;
    } else {
      i += len;
    }
  }
  char *o = malloc(n + 4 * bad + 1), *p = o;
  if (!o) return NULL;
  for (size_t i = 0; i < n;) {
    size_t len = accq_i_utf8_char(s + i, n - i);
    if (len == 0) {
      p += sprintf(p, "\\x%02X", (unsigned char)s[i]);
      i++;
    } else {
      memcpy(p, s + i, len);
      p += len;
      i += len;
    }
  }
  *p = '\0';
  return o;
}

static json_t *str(const char *s) {
  if (accq_i_utf8_invalid(s) < 0) return json_string(s);
  char *e = escape_utf8(s);
  json_t *v = e ? json_string(e) : NULL;
  free(e);
  return v;
}

static int set_key(json_t *obj, const char *key, json_t *v) {
  if (!v) return -1;
  if (accq_i_utf8_invalid(key) < 0) return json_object_set_new(obj, key, v);
  char *e = escape_utf8(key);
  int rc = e ? json_object_set_new(obj, e, v) : (json_decref(v), -1);
  free(e);
  return rc;
}

static json_t *value(const accq_i_value_t *v) {
  switch (v->kind) {
  case ACCQ_I_NUM:
  case ACCQ_I_EXACT:
    return num(v->num);
  case ACCQ_I_INT:
    return json_integer((json_int_t)v->i);
  case ACCQ_I_STR:
    return str(v->str ? v->str : "");
  case ACCQ_I_BOOL:
    return json_boolean(v->i);
  case ACCQ_I_NULL:
  default:
    return json_null();
  }
}

/* Adds the visible fields of s to obj; -1 on allocation failure or invalid UTF-8. */
static int fill_object(json_t *obj, const accq_report_section_t *s) {
  for (int i = 0; i < s->nfields; i++) {
    const accq_i_field_t *f = &s->fields[i];
    if (!accq_i_visible(f->vis, ACCQ_FORMAT_JSON)) continue;
    json_t *v;
    if (f->v.kind == ACCQ_I_OBJ && f->obj->is_list) {
      v = json_array();
      for (int k = 0; v && k < f->obj->nfields; k++) {
        const accq_i_field_t *item = &f->obj->fields[k];
        json_t *o = json_object();
        if (!o || json_array_append_new(v, o) || fill_object(o, item->obj)) {
          json_decref(v);
          return -1;
        }
      }
    } else if (f->v.kind == ACCQ_I_OBJ) {
      v = json_object();
      if (v && fill_object(v, f->obj)) {
        json_decref(v);
        return -1;
      }
    } else if (f->v.kind == ACCQ_I_STRS) {
      v = json_array();
      for (int k = 0; v && k < f->n; k++)
        if (json_array_append_new(v, str(f->strs[k] ? f->strs[k] : ""))) {
          json_decref(v);
          return -1;
        }
    } else if (f->v.kind == ACCQ_I_NUMS) {
      v = json_array();
      for (int k = 0; v && k < f->n; k++)
        if (json_array_append_new(v, num(f->nums[k]))) {
          json_decref(v);
          return -1;
        }
    } else {
      v = value(&f->v);
    }
    if (set_key(obj, f->key, v)) return -1;
  }
  return 0;
}

static json_t *table(const accq_report_section_t *t) {
  json_t *arr = json_array();
  if (!arr) return NULL;
  for (int row = 0; row < t->nrows; row++) {
    json_t *o = json_object();
    if (!o || json_array_append_new(arr, o)) goto fail;
    for (int j = 0; j < t->ncols; j++) {
      json_t *v = value(&t->cells[(size_t)row * (size_t)t->ncols + (size_t)j]);
      if (set_key(o, t->cols[j].key, v)) goto fail;
    }
  }
  return arr;
fail:
  json_decref(arr);
  return NULL;
}

int accq_i_render_json(const accq_report_t *r, FILE *out, accq_err_t *err) {
  int st = ACCQ_SUCCESS;
  json_t *top = json_object();
  if (!top) goto nomem;
  for (int i = 0; i < r->ntop; i++) {
    const accq_report_section_t *s = r->top[i];
    if (!accq_i_visible(s->vis, ACCQ_FORMAT_JSON)) continue;
    if (s->is_table) {
      json_t *a = table(s);
      if (!a || set_key(top, s->key, a)) goto nomem;
    } else if (!s->key) {
      if (fill_object(top, s)) goto nomem;
    } else {
      json_t *o = json_object();
      if (!o || set_key(top, s->key, json_incref(o)) || fill_object(o, s)) {
        json_decref(o);
        goto nomem;
      }
      json_decref(o);
    }
  }
  errno = 0;
  if (json_dumpf(top, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0) {
    st = accq_err_set(err, ACCQ_EWRITE, "cannot write the JSON output: %s",
                      strerror(errno ? errno : EIO));
    goto cleanup;
  }
  fputc('\n', out);
  goto cleanup;
nomem:
  st = accq_err_set(err, ACCQ_ENOMEM, "out of memory building the JSON output");
cleanup:
  json_decref(top);
  return st;
}
