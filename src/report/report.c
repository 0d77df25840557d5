/* Report builder: sections, fields, tables (see accq/report.h). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "accq/fmt.h"
#include "report/report_internal.h"

/* The format registry (accq_format_info, accq_format_parse, accq_format_name)
 * lives in render.c beside the renderers it names. */

void accq_i_format_num(double v, int digits, char *buf, size_t size) {
  if (isnan(v)) {
    snprintf(buf, size, "nan");
    return;
  }
  if (isinf(v)) {
    snprintf(buf, size, v > 0 ? "inf" : "-inf");
    return;
  }
  if (digits > 0) {
    snprintf(buf, size, "%.*g", digits > 17 ? 17 : digits, v);
    return;
  }
  accq_fmt_double(v, buf, size); /* shortest round trip (accq/fmt.h) */
}

/* ---- errors and allocation ---------------------------------------------- */

static void fail(accq_report_t *r, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void fail(accq_report_t *r, int status, const char *fmt, ...) {
  if (!r || r->status) return; /* keep the first error */
  va_list ap;
  va_start(ap, fmt);
  r->status = status;
  vsnprintf(r->msg, sizeof r->msg, fmt, ap);
  va_end(ap);
}

static char *dup_str(accq_report_t *r, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (!d) {
    fail(r, ACCQ_ENOMEM, "out of memory building a report");
    return NULL;
  }
  memcpy(d, s, n);
  return d;
}

/* Grows *arr (of elements `elem` bytes, capacity *cap) to hold `need`. */
static int grow(accq_report_t *r, void **arr, size_t elem, size_t *cap, size_t need) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap * 2 : 8;
  while (nc < need) nc *= 2;
  void *p = realloc(*arr, nc * elem);
  if (!p) {
    fail(r, ACCQ_ENOMEM, "out of memory building a report");
    return -1;
  }
  *arr = p;
  *cap = nc;
  return 0;
}

static int grow_int(accq_report_t *r, void **arr, size_t elem, int *cap, int need) {
  size_t c = (size_t)*cap;
  if (grow(r, arr, elem, &c, (size_t)need)) return -1;
  *cap = (int)c;
  return 0;
}

/* ---- report ---------------------------------------------------------------- */

accq_report_t *accq_report_alloc(const char *title) {
  accq_report_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  if (title && !(r->title = dup_str(r, title))) {
    free(r);
    return NULL;
  }
  return r;
}

static void free_value(accq_i_value_t *v) { free(v->str); }

void accq_report_free(accq_report_t *r) {
  if (!r) return;
  for (int i = 0; i < r->nall; i++) {
    accq_report_section_t *s = r->all[i];
    for (int j = 0; j < s->nfields; j++) {
      free(s->fields[j].key);
      free(s->fields[j].label);
      free_value(&s->fields[j].v);
      free(s->fields[j].nums);
      for (int k = 0; s->fields[j].strs && k < s->fields[j].n; k++) free(s->fields[j].strs[k]);
      free(s->fields[j].strs);
    }
    free(s->fields);
    for (int j = 0; j < s->ncols; j++) {
      free(s->cols[j].key);
      free(s->cols[j].label);
    }
    free(s->cols);
    for (size_t j = 0; j < s->ncells; j++) free_value(&s->cells[j]);
    free(s->cells);
    free(s->row_start);
    free(s->key);
    free(s->label);
    free(s);
  }
  free(r->all);
  free(r->top);
  free(r->title);
  free(r);
}

void accq_report_set_digits(accq_report_t *r, int digits) {
  if (r) r->digits = digits < 0 ? 0 : digits;
}

int accq_report_status(const accq_report_t *r, accq_err_t *err) {
  if (!r) return accq_err_set(err, ACCQ_ENOMEM, "out of memory building a report");
  if (r->status) return accq_err_set(err, r->status, "%s", r->msg);
  return ACCQ_SUCCESS;
}

static accq_report_section_t *new_section(accq_report_t *r, int is_table, const char *key,
                                          const char *label, int top) {
  if (!r || r->status) return NULL;
  if (grow_int(r, (void **)&r->all, sizeof *r->all, &r->capall, r->nall + 1)) return NULL;
  if (top && grow_int(r, (void **)&r->top, sizeof *r->top, &r->captop, r->ntop + 1))
    return NULL;
  accq_report_section_t *s = calloc(1, sizeof *s);
  if (!s) {
    fail(r, ACCQ_ENOMEM, "out of memory building a report");
    return NULL;
  }
  r->all[r->nall++] = s;
  if (top) r->top[r->ntop++] = s;
  s->rep = r;
  s->is_table = is_table;
  s->key = dup_str(r, key);
  s->label = dup_str(r, label);
  return r->status ? NULL : s;
}

accq_report_section_t *accq_report_kv(accq_report_t *r, const char *key, const char *label) {
  return new_section(r, 0, key, label, 1);
}

accq_report_section_t *accq_report_table(accq_report_t *r, const char *key, const char *label) {
  if (r && !r->status && !key) {
    fail(r, ACCQ_EINVAL, "report table '%s' needs a key", label ? label : "");
    return NULL;
  }
  return new_section(r, 1, key, label, 1);
}

void accq_report_section_visibility(accq_report_section_t *s, int visibility) {
  if (s) s->vis = visibility;
}

void accq_report_set_primary(accq_report_t *r, accq_report_section_t *t) {
  if (!r || r->status || !t) return;
  if (!t->is_table) {
    fail(r, ACCQ_EINVAL, "report section '%s' is not a table: it cannot be primary",
         t->key ? t->key : "");
    return;
  }
  r->primary = t;
}

/* ---- key-value fields ------------------------------------------------------ */

static accq_i_field_t *add_field(accq_report_section_t *s, const char *key, const char *label,
                                 accq_i_kind_t kind) {
  if (!s || s->rep->status) return NULL;
  accq_report_t *r = s->rep;
  if (s->is_table) {
    fail(r, ACCQ_EINVAL, "report field '%s' added to table '%s'", key ? key : "", s->key);
    return NULL;
  }
  if (!key) {
    fail(r, ACCQ_EINVAL, "report field '%s' needs a key", label ? label : "");
    return NULL;
  }
  if (grow_int(r, (void **)&s->fields, sizeof *s->fields, &s->capfields, s->nfields + 1))
    return NULL;
  accq_i_field_t *f = &s->fields[s->nfields++];
  memset(f, 0, sizeof *f);
  f->v.kind = kind;
  f->key = dup_str(r, key);
  f->label = dup_str(r, label);
  return r->status ? NULL : f;
}

void accq_kv_num(accq_report_section_t *s, const char *key, const char *label, double v,
                 int digits) {
  accq_i_field_t *f = add_field(s, key, label, ACCQ_I_NUM);
  if (!f) return;
  f->v.num = v;
  f->v.digits = digits;
}

void accq_kv_num_exact(accq_report_section_t *s, const char *key, const char *label, double v,
                       const char *exact) {
  accq_i_field_t *f = add_field(s, key, label, exact ? ACCQ_I_EXACT : ACCQ_I_NUM);
  if (!f) return;
  f->v.num = v;
  f->v.str = dup_str(s->rep, exact);
}

void accq_kv_int(accq_report_section_t *s, const char *key, const char *label, long long v) {
  accq_i_field_t *f = add_field(s, key, label, ACCQ_I_INT);
  if (f) f->v.i = v;
}

void accq_kv_str(accq_report_section_t *s, const char *key, const char *label, const char *v) {
  accq_i_field_t *f = add_field(s, key, label, v ? ACCQ_I_STR : ACCQ_I_NULL);
  if (f) f->v.str = dup_str(s->rep, v);
}

void accq_kv_bool(accq_report_section_t *s, const char *key, const char *label, int v) {
  accq_i_field_t *f = add_field(s, key, label, ACCQ_I_BOOL);
  if (f) f->v.i = v != 0;
}

void accq_kv_null(accq_report_section_t *s, const char *key, const char *label, const char *why) {
  accq_i_field_t *f = add_field(s, key, label, ACCQ_I_NULL);
  if (f) f->v.str = dup_str(s->rep, why);
}

void accq_kv_nums(accq_report_section_t *s, const char *key, const char *label, const double *v,
                  int n, int digits) {
  accq_i_field_t *f = add_field(s, key, label, ACCQ_I_NUMS);
  if (!f) return;
  f->v.digits = digits;
  if (n <= 0) return;
  f->nums = malloc((size_t)n * sizeof *f->nums);
  if (!f->nums) {
    fail(s->rep, ACCQ_ENOMEM, "out of memory building a report");
    return;
  }
  memcpy(f->nums, v, (size_t)n * sizeof *v);
  f->n = n;
}

void accq_kv_strs(accq_report_section_t *s, const char *key, const char *label,
                  const char *const *v, int n) {
  accq_i_field_t *f = add_field(s, key, label, ACCQ_I_STRS);
  if (!f || n <= 0) return;
  accq_report_t *r = s->rep;
  if (!(f->strs = calloc((size_t)n, sizeof *f->strs))) {
    fail(r, ACCQ_ENOMEM, "out of memory building a report");
    return;
  }
  f->n = n;
  for (int i = 0; i < n; i++) f->strs[i] = dup_str(r, v[i] ? v[i] : "");
}

accq_report_section_t *accq_kv_object(accq_report_section_t *s, const char *key,
                                      const char *label) {
  accq_i_field_t *f = add_field(s, key, label, ACCQ_I_OBJ);
  if (!f) return NULL;
  int idx = (int)(f - s->fields); /* new_section may not move s->fields, but be safe */
  accq_report_section_t *child = new_section(s->rep, 0, key, label, 0);
  if (!child) return NULL;
  s->fields[idx].obj = child;
  return child;
}

accq_report_section_t *accq_kv_list(accq_report_section_t *s, const char *key,
                                    const char *label) {
  accq_report_section_t *list = accq_kv_object(s, key, label);
  if (list) list->is_list = 1;
  return list;
}

accq_report_section_t *accq_kv_list_add(accq_report_section_t *list, const char *label) {
  if (!list || list->rep->status) return NULL;
  if (!list->is_list) {
    fail(list->rep, ACCQ_EINVAL, "report section '%s' is not a list", list->key ? list->key : "");
    return NULL;
  }
  char idx[24];
  snprintf(idx, sizeof idx, "%d", list->nfields);
  return accq_kv_object(list, idx, label ? label : idx);
}

void accq_kv_visibility(accq_report_section_t *s, int visibility) {
  if (s && !s->rep->status && s->nfields > 0) s->fields[s->nfields - 1].vis = visibility;
}

/* ---- tables ---------------------------------------------------------------- */

void accq_table_col(accq_report_section_t *t, const char *key, const char *label, int digits) {
  if (!t || t->rep->status) return;
  accq_report_t *r = t->rep;
  if (!t->is_table || t->nrows > 0 || !key) {
    fail(r, ACCQ_EINVAL, "report column '%s' of '%s': %s", key ? key : "", t->key ? t->key : "",
         !t->is_table ? "not a table" : !key ? "no key" : "declared after the first row");
    return;
  }
  if (grow_int(r, (void **)&t->cols, sizeof *t->cols, &t->capcols, t->ncols + 1)) return;
  accq_i_col_t *c = &t->cols[t->ncols++];
  c->key = dup_str(r, key);
  c->label = dup_str(r, label);
  c->digits = digits;
}

void accq_table_row(accq_report_section_t *t) {
  if (!t || t->rep->status) return;
  accq_report_t *r = t->rep;
  if (!t->is_table) {
    fail(r, ACCQ_EINVAL, "report section '%s' is not a table", t->key ? t->key : "");
    return;
  }
  if (grow_int(r, (void **)&t->row_start, sizeof *t->row_start, &t->caprows, t->nrows + 1))
    return;
  t->row_start[t->nrows++] = t->ncells;
}

static accq_i_value_t *add_cell(accq_report_section_t *t, accq_i_kind_t kind) {
  if (!t || t->rep->status) return NULL;
  accq_report_t *r = t->rep;
  if (!t->is_table || t->nrows == 0) {
    fail(r, ACCQ_EINVAL, "report table '%s': a cell before accq_table_row",
         t->key ? t->key : "");
    return NULL;
  }
  if (accq_i_row_len(t, t->nrows - 1) >= (size_t)t->ncols) {
    fail(r, ACCQ_EINVAL, "report table '%s': row %d has more than %d cells", t->key,
         t->nrows, t->ncols);
    return NULL;
  }
  if (grow(r, (void **)&t->cells, sizeof *t->cells, &t->capcells, t->ncells + 1)) return NULL;
  accq_i_value_t *v = &t->cells[t->ncells++];
  memset(v, 0, sizeof *v);
  v->kind = kind;
  v->digits = t->cols[accq_i_row_len(t, t->nrows - 1) - 1].digits;
  return v;
}

void accq_table_num(accq_report_section_t *t, double v) {
  accq_i_value_t *c = add_cell(t, ACCQ_I_NUM);
  if (c) c->num = v;
}

void accq_table_int(accq_report_section_t *t, long long v) {
  accq_i_value_t *c = add_cell(t, ACCQ_I_INT);
  if (c) c->i = v;
}

void accq_table_str(accq_report_section_t *t, const char *v) {
  accq_i_value_t *c = add_cell(t, v ? ACCQ_I_STR : ACCQ_I_NULL);
  if (c) c->str = dup_str(t->rep, v);
}

void accq_table_null(accq_report_section_t *t, const char *why) {
  accq_i_value_t *c = add_cell(t, ACCQ_I_NULL);
  if (c) c->str = dup_str(t->rep, why);
}

/* ---- text checks ------------------------------------------------------------ */

size_t accq_i_utf8_char(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  if (n == 0) return 0;
  unsigned c = u[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned cp, min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0; /* continuation byte, C0/C1 (overlong) or F5..FF */
  }
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((u[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (u[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

long accq_i_utf8_invalid(const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    size_t len = accq_i_utf8_char(s + i, n - i);
    if (!len) return (long)i;
    i += len;
  }
  return -1;
}

int accq_report_check_text(const char *s, const char *what, accq_err_t *err) {
  if (!s) return ACCQ_SUCCESS;
  long bad = accq_i_utf8_invalid(s);
  if (bad < 0) return ACCQ_SUCCESS;
  return accq_err_set(err, ACCQ_EMODEL,
                      "%s is not valid UTF-8 (byte 0x%02X at offset %ld), which JSON and CSV "
                      "output cannot carry unchanged; spell it in UTF-8",
                      what, (unsigned)(unsigned char)s[bad], bad);
}
