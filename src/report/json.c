/* JSON rendering of reports: the only place accq talks to jansson.
 * Objects keep insertion order (jansson >= 2.8 always does), so the keys come
 * out in the order the command added them.  Reals are written with 17
 * significant digits, which round-trips every double; NaN and infinities have
 * no JSON spelling and become null. */
#include <jansson.h>
#include <math.h>

#include "report/report_internal.h"

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *value(const accq_i_value_t *v) {
  switch (v->kind) {
  case ACCQ_I_NUM:
  case ACCQ_I_EXACT:
    return num(v->num);
  case ACCQ_I_INT:
    return json_integer((json_int_t)v->i);
  case ACCQ_I_STR:
    return json_string(v->str ? v->str : "");
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
    if (!v || json_object_set_new(obj, f->key, v)) return -1;
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
      if (!v || json_object_set_new(o, t->cols[j].key, v)) goto fail;
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
      if (!a || json_object_set_new(top, s->key, a)) goto nomem;
    } else if (!s->key) {
      if (fill_object(top, s)) goto nomem;
    } else {
      json_t *o = json_object();
      if (!o || json_object_set_new(top, s->key, o) || fill_object(o, s)) goto nomem;
    }
  }
  if (json_dumpf(top, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0) {
    st = accq_err_set(err, ACCQ_EIO, "cannot write the JSON output");
    goto cleanup;
  }
  fputc('\n', out);
  goto cleanup;
nomem:
  /* jansson also refuses keys and strings that are not valid UTF-8 */
  st = accq_err_set(err, ACCQ_EINVAL,
                    "cannot build the JSON output (out of memory, or a name that is not UTF-8)");
cleanup:
  json_decref(top);
  return st;
}
