/* Rendering of reports: text, CSV (RFC 4180), Markdown, LaTeX (booktabs);
 * JSON lives in json.c.  Every renderer first checks the report, so nothing is
 * written for a report that cannot be rendered. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

#define NUMBUF 64

typedef struct {
  accq_format_t fmt;
  int digits; /* report-level override for human formats */
  FILE *out;
  accq_err_t *err;
} ctx_t;

#define visible accq_i_visible

static int human(accq_format_t f) { return !accq_format_machine(f); }

/* Number as shown in format f. */
static void num_str(const ctx_t *c, double v, int digits, char *buf, size_t size) {
  int d = human(c->fmt) ? (c->digits > 0 ? c->digits : digits) : 0;
  accq_i_format_num(v, d, buf, size);
}

/* Scalar value as a string for the human formats and CSV (malloc'ed).
 * Lists are joined with ", ".  NULL on allocation failure. */
static char *value_str(const ctx_t *c, const accq_i_value_t *v, const double *nums, int n,
                       char *const *strs) {
  char num[NUMBUF];
  size_t cap;
  char *s;
  switch (v->kind) {
  case ACCQ_I_NUM:
    num_str(c, v->num, v->digits, num, sizeof num);
    return strdup(num);
  case ACCQ_I_EXACT:
    num_str(c, v->num, v->digits, num, sizeof num);
    cap = strlen(num) + strlen(v->str) + 8;
    if (!(s = malloc(cap))) return NULL;
    snprintf(s, cap, "%s = %s", num, v->str);
    return s;
  case ACCQ_I_INT:
    snprintf(num, sizeof num, "%lld", v->i);
    return strdup(num);
  case ACCQ_I_STR:
    return strdup(v->str ? v->str : "");
  case ACCQ_I_BOOL:
    return strdup(c->fmt == ACCQ_FORMAT_CSV ? (v->i ? "true" : "false") : (v->i ? "yes" : "no"));
  case ACCQ_I_NULL:
    return strdup(c->fmt == ACCQ_FORMAT_CSV ? "" : v->str ? v->str : "-");
  case ACCQ_I_NUMS:
    cap = (size_t)n * (NUMBUF + 2) + 1;
    if (!(s = malloc(cap))) return NULL;
    s[0] = '\0';
    for (int i = 0; i < n; i++) {
      num_str(c, nums[i], v->digits, num, sizeof num);
      if (i) strcat(s, ", ");
      strcat(s, num);
    }
    return s;
  case ACCQ_I_STRS:
    /* "(none)" for an empty list: a list of warnings reads as such */
    cap = 8;
    for (int i = 0; i < n; i++) cap += strlen(strs[i] ? strs[i] : "") + 2;
    if (!(s = malloc(cap))) return NULL;
    snprintf(s, cap, "%s", n ? "" : "(none)");
    for (int i = 0; i < n; i++) {
      if (i) strcat(s, "; ");
      strcat(s, strs[i] ? strs[i] : "");
    }
    return s;
  case ACCQ_I_OBJ:
    break;
  }
  return strdup("");
}

static int is_numeric(const accq_i_value_t *v) {
  return v->kind == ACCQ_I_NUM || v->kind == ACCQ_I_INT || v->kind == ACCQ_I_EXACT;
}

/* ---- escaping -------------------------------------------------------------- */

static void put_csv(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

static void put_md(FILE *out, const char *s) {
  for (; *s; s++) {
    if (*s == '|')
      fputs("\\|", out);
    else if (*s == '\n' || *s == '\r')
      fputc(' ', out);
    else
      fputc(*s, out);
  }
}

static void put_latex_text(FILE *out, const char *s) {
  for (; *s; s++) {
    switch (*s) {
    case '&': case '%': case '$': case '#': case '_': case '{': case '}':
      fputc('\\', out);
      fputc(*s, out);
      break;
    case '~': fputs("\\textasciitilde{}", out); break;
    case '|': fputs("\\textbar{}", out); break;
    case '<': fputs("\\textless{}", out); break;
    case '>': fputs("\\textgreater{}", out); break;
    case '^': fputs("\\textasciicircum{}", out); break;
    case '\\': fputs("\\textbackslash{}", out); break;
    case '\n': case '\r': fputc(' ', out); break;
    default: fputc(*s, out);
    }
  }
}

/* A number string as LaTeX: 1.5e-07 -> $1.5\times 10^{-7}$, inf -> $\infty$. */
static void put_latex_num(FILE *out, const char *s) {
  if (!strcmp(s, "inf") || !strcmp(s, "-inf")) {
    fprintf(out, "$%s\\infty$", s[0] == '-' ? "-" : "");
    return;
  }
  if (!strcmp(s, "nan")) {
    fputs("NaN", out);
    return;
  }
  const char *e = strchr(s, 'e');
  if (!e) {
    fputs(s, out);
    return;
  }
  int neg = e[1] == '-';
  const char *d = e + 1;
  if (*d == '+' || *d == '-') d++;
  while (*d == '0' && d[1]) d++;
  fprintf(out, "$%.*s\\times 10^{%s%s}$", (int)(e - s), s, neg ? "-" : "", d);
}

/* ---- checks ---------------------------------------------------------------- */

static int check_report(const accq_report_t *r, accq_err_t *err) {
  if (!r) return accq_err_set(err, ACCQ_ENOMEM, "out of memory building a report");
  if (r->status) return accq_err_set(err, r->status, "%s", r->msg);
  for (int i = 0; i < r->nall; i++) {
    const accq_report_section_t *t = r->all[i];
    if (!t->is_table) continue;
    for (int row = 0; row < t->nrows; row++)
      if (accq_i_row_len(t, row) != (size_t)t->ncols)
        return accq_err_set(err, ACCQ_EINVAL,
                            "report table '%s': row %d has %zu cells, expected %d", t->key,
                            row + 1, accq_i_row_len(t, row), t->ncols);
  }
  return ACCQ_SUCCESS;
}

/* ---- text ------------------------------------------------------------------ */

static size_t kv_label_width(const accq_report_section_t *s, accq_format_t f, size_t indent) {
  size_t w = 0;
  for (int i = 0; i < s->nfields; i++) {
    const accq_i_field_t *fl = &s->fields[i];
    if (!visible(fl->vis, f)) continue;
    size_t l = indent + strlen(fl->label ? fl->label : fl->key);
    if (fl->v.kind == ACCQ_I_OBJ) {
      size_t cw = kv_label_width(fl->obj, f, indent + 2);
      if (cw > w) w = cw;
    } else if (l > w) {
      w = l;
    }
  }
  return w;
}

static int text_kv(const ctx_t *c, const accq_report_section_t *s, size_t indent, size_t width) {
  for (int i = 0; i < s->nfields; i++) {
    const accq_i_field_t *fl = &s->fields[i];
    if (!visible(fl->vis, c->fmt)) continue;
    const char *label = fl->label ? fl->label : fl->key;
    if (fl->v.kind == ACCQ_I_OBJ) {
      fprintf(c->out, "%*s%s\n", (int)indent, "", label);
      if (text_kv(c, fl->obj, indent + 2, width)) return -1;
      continue;
    }
    char *v = value_str(c, &fl->v, fl->nums, fl->n, fl->strs);
    if (!v) return -1;
    fprintf(c->out, "%*s%-*s  %s\n", (int)indent, "", (int)(width - indent), label, v);
    free(v);
  }
  return 0;
}

/* Cell strings of a table (ncells), column widths and alignments. */
typedef struct {
  char **cell;
  size_t *width;
  int *right;
} grid_t;

static void grid_free(grid_t *g, size_t ncells) {
  if (g->cell)
    for (size_t i = 0; i < ncells; i++) free(g->cell[i]);
  free(g->cell);
  free(g->width);
  free(g->right);
}

static int grid_build(const ctx_t *c, const accq_report_section_t *t, grid_t *g) {
  int nc = t->ncols > 0 ? t->ncols : 1;
  g->cell = calloc(t->ncells ? t->ncells : 1, sizeof *g->cell);
  g->width = calloc((size_t)nc, sizeof *g->width);
  g->right = calloc((size_t)nc, sizeof *g->right);
  if (!g->cell || !g->width || !g->right) return -1;
  for (int j = 0; j < t->ncols; j++)
    g->width[j] = strlen(t->cols[j].label ? t->cols[j].label : t->cols[j].key);
  for (size_t i = 0; i < t->ncells; i++) {
    int j = (int)(i % (size_t)t->ncols); /* rows are complete (checked) */
    if (!(g->cell[i] = value_str(c, &t->cells[i], NULL, 0, NULL))) return -1;
    size_t l = strlen(g->cell[i]);
    if (l > g->width[j]) g->width[j] = l;
    if (is_numeric(&t->cells[i])) g->right[j] = 1;
  }
  return 0;
}

static int text_table(const ctx_t *c, const accq_report_section_t *t, int indent) {
  grid_t g = {0};
  int rc = -1;
  if (grid_build(c, t, &g)) goto cleanup;
  for (int pass = 0; pass < 2; pass++) { /* header, rule */
    fprintf(c->out, "%*s", indent, "");
    for (int j = 0; j < t->ncols; j++) {
      const char *h = t->cols[j].label ? t->cols[j].label : t->cols[j].key;
      int w = (int)g.width[j];
      const char *sep = j + 1 < t->ncols ? "  " : "";
      if (pass == 0) {
        if (j + 1 == t->ncols && !g.right[j])
          fprintf(c->out, "%s", h);
        else
          fprintf(c->out, g.right[j] ? "%*s%s" : "%-*s%s", w, h, sep);
      } else {
        for (int k = 0; k < w; k++) fputc('-', c->out);
        fputs(sep, c->out);
      }
    }
    fputc('\n', c->out);
  }
  if (t->nrows == 0) fprintf(c->out, "%*s(none)\n", indent, "");
  for (int row = 0; row < t->nrows; row++) {
    fprintf(c->out, "%*s", indent, "");
    for (int j = 0; j < t->ncols; j++) {
      const char *s = g.cell[(size_t)row * (size_t)t->ncols + (size_t)j];
      const char *sep = j + 1 < t->ncols ? "  " : "";
      if (j + 1 == t->ncols && !g.right[j])
        fputs(s, c->out);
      else
        fprintf(c->out, g.right[j] ? "%*s%s" : "%-*s%s", (int)g.width[j], s, sep);
    }
    fputc('\n', c->out);
  }
  rc = 0;
cleanup:
  grid_free(&g, t->ncells);
  return rc;
}

static int render_text(const ctx_t *c, const accq_report_t *r) {
  int first = 1;
  if (r->title) {
    fprintf(c->out, "%s\n", r->title);
    first = 0;
  }
  for (int i = 0; i < r->ntop; i++) {
    const accq_report_section_t *s = r->top[i];
    if (!visible(s->vis, c->fmt)) continue;
    const char *head = s->label ? s->label : s->key;
    if (!first) fputc('\n', c->out);
    first = 0;
    size_t indent = head ? 2 : 0;
    if (head) fprintf(c->out, "%s\n", head);
    if (s->is_table) {
      if (text_table(c, s, (int)indent)) return -1;
    } else {
      if (text_kv(c, s, indent, kv_label_width(s, c->fmt, indent))) return -1;
    }
  }
  return 0;
}

/* ---- Markdown and LaTeX share the flattening of key-value sections --------- */

typedef int (*row_fn)(const ctx_t *c, const char *label_prefix, const char *label,
                      const char *value, int numeric);

static int flat_kv(const ctx_t *c, const accq_report_section_t *s, const char *prefix,
                   row_fn emit) {
  for (int i = 0; i < s->nfields; i++) {
    const accq_i_field_t *fl = &s->fields[i];
    if (!visible(fl->vis, c->fmt)) continue;
    const char *label = fl->label ? fl->label : fl->key;
    if (fl->v.kind == ACCQ_I_OBJ) {
      size_t n = (prefix ? strlen(prefix) + 2 : 0) + strlen(label) + 1;
      char *p = malloc(n);
      if (!p) return -1;
      snprintf(p, n, "%s%s%s", prefix ? prefix : "", prefix ? ": " : "", label);
      int rc = flat_kv(c, fl->obj, p, emit);
      free(p);
      if (rc) return -1;
      continue;
    }
    char *v = value_str(c, &fl->v, fl->nums, fl->n, fl->strs);
    if (!v) return -1;
    int rc = emit(c, prefix, label, v, is_numeric(&fl->v));
    free(v);
    if (rc) return -1;
  }
  return 0;
}

static int md_row(const ctx_t *c, const char *prefix, const char *label, const char *value,
                  int numeric) {
  fputs("| ", c->out);
  if (prefix) {
    put_md(c->out, prefix);
    fputs(": ", c->out);
  }
  put_md(c->out, label);
  fputs(" | ", c->out);
  put_md(c->out, value);
  fputs(" |\n", c->out);
  return 0;
}

static int md_table(const ctx_t *c, const accq_report_section_t *t) {
  grid_t g = {0};
  int rc = -1;
  if (grid_build(c, t, &g)) goto cleanup;
  fputc('|', c->out);
  for (int j = 0; j < t->ncols; j++) {
    fputc(' ', c->out);
    put_md(c->out, t->cols[j].label ? t->cols[j].label : t->cols[j].key);
    fputs(" |", c->out);
  }
  fputs("\n|", c->out);
  for (int j = 0; j < t->ncols; j++) fputs(g.right[j] ? "---:|" : "---|", c->out);
  fputc('\n', c->out);
  for (int row = 0; row < t->nrows; row++) {
    fputc('|', c->out);
    for (int j = 0; j < t->ncols; j++) {
      fputc(' ', c->out);
      put_md(c->out, g.cell[(size_t)row * (size_t)t->ncols + (size_t)j]);
      fputs(" |", c->out);
    }
    fputc('\n', c->out);
  }
  rc = 0;
cleanup:
  grid_free(&g, t->ncells);
  return rc;
}

static int render_markdown(const ctx_t *c, const accq_report_t *r) {
  int first = 1;
  if (r->title) {
    fputs("## ", c->out);
    put_md(c->out, r->title);
    fputc('\n', c->out);
    first = 0;
  }
  for (int i = 0; i < r->ntop; i++) {
    const accq_report_section_t *s = r->top[i];
    if (!visible(s->vis, c->fmt)) continue;
    const char *head = s->label ? s->label : s->key;
    if (!first) fputc('\n', c->out);
    first = 0;
    if (head) {
      fputs("### ", c->out);
      put_md(c->out, head);
      fputs("\n\n", c->out);
    }
    if (s->is_table) {
      if (md_table(c, s)) return -1;
    } else {
      fputs("| quantity | value |\n|---|---:|\n", c->out);
      if (flat_kv(c, s, NULL, md_row)) return -1;
    }
  }
  return 0;
}

static int latex_row(const ctx_t *c, const char *prefix, const char *label, const char *value,
                     int numeric) {
  if (prefix) {
    put_latex_text(c->out, prefix);
    fputs(": ", c->out);
  }
  put_latex_text(c->out, label);
  fputs(" & ", c->out);
  if (numeric) {
    /* an exact value "d = p/q": number, then the fraction as text */
    const char *eq = strstr(value, " = ");
    if (eq) {
      char num[NUMBUF];
      snprintf(num, sizeof num, "%.*s", (int)(eq - value), value);
      put_latex_num(c->out, num);
      fputs(" ${}={}$ ", c->out);
      put_latex_text(c->out, eq + 3);
    } else {
      put_latex_num(c->out, value);
    }
  } else {
    put_latex_text(c->out, value);
  }
  fputs(" \\\\\n", c->out);
  return 0;
}

static int latex_table(const ctx_t *c, const accq_report_section_t *t) {
  grid_t g = {0};
  int rc = -1;
  if (grid_build(c, t, &g)) goto cleanup;
  fputs("\\begin{tabular}{", c->out);
  for (int j = 0; j < t->ncols; j++) fputc(g.right[j] ? 'r' : 'l', c->out);
  fputs("}\n\\toprule\n", c->out);
  for (int j = 0; j < t->ncols; j++) {
    if (j) fputs(" & ", c->out);
    put_latex_text(c->out, t->cols[j].label ? t->cols[j].label : t->cols[j].key);
  }
  fputs(" \\\\\n\\midrule\n", c->out);
  for (int row = 0; row < t->nrows; row++) {
    for (int j = 0; j < t->ncols; j++) {
      size_t k = (size_t)row * (size_t)t->ncols + (size_t)j;
      if (j) fputs(" & ", c->out);
      if (is_numeric(&t->cells[k]))
        put_latex_num(c->out, g.cell[k]);
      else
        put_latex_text(c->out, g.cell[k]);
    }
    fputs(" \\\\\n", c->out);
  }
  fputs("\\bottomrule\n\\end{tabular}\n", c->out);
  rc = 0;
cleanup:
  grid_free(&g, t->ncells);
  return rc;
}

static int render_latex(const ctx_t *c, const accq_report_t *r) {
  fputs("% ", c->out);
  if (r->title) {
    put_latex_text(c->out, r->title);
    fputs(" -- ", c->out);
  }
  fputs("generated by accq; needs \\usepackage{booktabs}\n", c->out);
  for (int i = 0; i < r->ntop; i++) {
    const accq_report_section_t *s = r->top[i];
    if (!visible(s->vis, c->fmt)) continue;
    const char *head = s->label ? s->label : s->key;
    fputc('\n', c->out);
    if (head) {
      fputs("% ", c->out);
      put_latex_text(c->out, head);
      fputc('\n', c->out);
    }
    if (s->is_table) {
      if (latex_table(c, s)) return -1;
    } else {
      fputs("\\begin{tabular}{lr}\n\\toprule\nQuantity & Value \\\\\n\\midrule\n", c->out);
      if (flat_kv(c, s, NULL, latex_row)) return -1;
      fputs("\\bottomrule\n\\end{tabular}\n", c->out);
    }
  }
  return 0;
}

/* ---- CSV ------------------------------------------------------------------- */

static void csv_pair(FILE *out, const char *prefix, const char *key, const char *suffix,
                     const char *value) {
  size_t n = (prefix ? strlen(prefix) + 1 : 0) + strlen(key) + (suffix ? strlen(suffix) : 0) + 1;
  char *k = malloc(n);
  if (k) {
    snprintf(k, n, "%s%s%s%s", prefix ? prefix : "", prefix ? "." : "", key, suffix ? suffix : "");
    put_csv(out, k);
    free(k);
  }
  fputc(',', out);
  put_csv(out, value);
  fputs("\r\n", out);
}

static int csv_kv(const ctx_t *c, const accq_report_section_t *s, const char *prefix) {
  for (int i = 0; i < s->nfields; i++) {
    const accq_i_field_t *fl = &s->fields[i];
    if (!visible(fl->vis, c->fmt)) continue;
    if (fl->v.kind == ACCQ_I_OBJ) {
      size_t n = (prefix ? strlen(prefix) + 1 : 0) + strlen(fl->key) + 1;
      char *p = malloc(n);
      if (!p) return -1;
      snprintf(p, n, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", fl->key);
      int rc = csv_kv(c, fl->obj, p);
      free(p);
      if (rc) return -1;
    } else if (fl->v.kind == ACCQ_I_STRS) {
      for (int k = 0; k < fl->n; k++) {
        char idx[24];
        snprintf(idx, sizeof idx, ".%d", k);
        csv_pair(c->out, prefix, fl->key, idx, fl->strs[k]);
      }
    } else if (fl->v.kind == ACCQ_I_NUMS) {
      for (int k = 0; k < fl->n; k++) {
        char num[NUMBUF], idx[24];
        accq_i_format_num(fl->nums[k], 0, num, sizeof num);
        snprintf(idx, sizeof idx, ".%d", k);
        csv_pair(c->out, prefix, fl->key, idx, num);
      }
    } else if (fl->v.kind == ACCQ_I_EXACT) {
      char num[NUMBUF];
      accq_i_format_num(fl->v.num, 0, num, sizeof num);
      csv_pair(c->out, prefix, fl->key, NULL, num);
      csv_pair(c->out, prefix, fl->key, ".exact", fl->v.str);
    } else {
      char *v = value_str(c, &fl->v, NULL, 0, NULL);
      if (!v) return -1;
      csv_pair(c->out, prefix, fl->key, NULL, v);
      free(v);
    }
  }
  return 0;
}

static int csv_table(const ctx_t *c, const accq_report_section_t *t) {
  for (int j = 0; j < t->ncols; j++) {
    if (j) fputc(',', c->out);
    put_csv(c->out, t->cols[j].key);
  }
  fputs("\r\n", c->out);
  for (int row = 0; row < t->nrows; row++) {
    for (int j = 0; j < t->ncols; j++) {
      if (j) fputc(',', c->out);
      char *v = value_str(c, &t->cells[(size_t)row * (size_t)t->ncols + (size_t)j], NULL, 0, NULL);
      if (!v) return -1;
      put_csv(c->out, v);
      free(v);
    }
    fputs("\r\n", c->out);
  }
  return 0;
}

static int kv_has_visible(const accq_report_section_t *s, accq_format_t f) {
  for (int i = 0; i < s->nfields; i++)
    if (visible(s->fields[i].vis, f)) return 1;
  return 0;
}

static int render_csv(const ctx_t *c, const accq_report_t *r) {
  if (r->primary) return csv_table(c, r->primary);
  int any_kv = 0, wrote = 0;
  for (int i = 0; i < r->ntop; i++)
    if (!r->top[i]->is_table && visible(r->top[i]->vis, c->fmt) &&
        kv_has_visible(r->top[i], c->fmt))
      any_kv = 1;
  if (any_kv) {
    fputs("key,value\r\n", c->out);
    for (int i = 0; i < r->ntop; i++) {
      const accq_report_section_t *s = r->top[i];
      if (s->is_table || !visible(s->vis, c->fmt)) continue;
      if (csv_kv(c, s, s->key)) return -1;
    }
    wrote = 1;
  }
  for (int i = 0; i < r->ntop; i++) {
    const accq_report_section_t *s = r->top[i];
    if (!s->is_table || !visible(s->vis, c->fmt)) continue;
    if (wrote) fputs("\r\n", c->out);
    if (csv_table(c, s)) return -1;
    wrote = 1;
  }
  return 0;
}

/* ---- entry points ------------------------------------------------------------ */

/* ---- the format registry -------------------------------------------------- */

static int render_json(const ctx_t *c, const accq_report_t *r) {
  return accq_i_render_json(r, c->out, c->err);
}

/* A renderer returns 0, -1 (out of memory) or a status it has put in c->err. */
typedef int (*renderer_t)(const ctx_t *c, const accq_report_t *r);

static const struct {
  accq_format_info_t info;
  renderer_t render;
} formats[] = {
    /* id, name, alias, extension, machine, comment, comment_end; renderer */
    {{ACCQ_FORMAT_TEXT, "text", NULL, "txt", 0, NULL, NULL}, render_text},
    {{ACCQ_FORMAT_CSV, "csv", NULL, "csv", 1, "# ", ""}, render_csv},
    {{ACCQ_FORMAT_JSON, "json", NULL, "json", 1, NULL, NULL}, render_json},
    {{ACCQ_FORMAT_MARKDOWN, "markdown", "md", "md", 0, "<!-- ", " -->"}, render_markdown},
    {{ACCQ_FORMAT_LATEX, "latex", "tex", "tex", 0, "% ", ""}, render_latex},
};
/* one row per enumerator, in enumeration order (checked in tests/report) */
_Static_assert(sizeof formats / sizeof formats[0] == ACCQ_FORMAT_COUNT,
               "one registry row per accq_format_t");

const accq_format_info_t *accq_format_info(accq_format_t f) {
  return (unsigned)f < ACCQ_FORMAT_COUNT ? &formats[f].info : NULL;
}

int accq_format_machine(accq_format_t f) {
  const accq_format_info_t *fi = accq_format_info(f);
  return fi ? fi->machine : 0;
}

const char *accq_format_list(void) {
  static char list[256];
  if (!list[0]) {
    size_t n = 0;
    for (int i = 0; i < ACCQ_FORMAT_COUNT; i++)
      n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                            i == 0 ? "" : i == ACCQ_FORMAT_COUNT - 1 ? " or " : ", ",
                            formats[i].info.name);
  }
  return list;
}

int accq_format_parse(const char *name, accq_format_t *f, accq_err_t *err) {
  for (int i = 0; name && i < ACCQ_FORMAT_COUNT; i++)
    if (!strcmp(name, formats[i].info.name) ||
        (formats[i].info.alias && !strcmp(name, formats[i].info.alias))) {
      *f = formats[i].info.id;
      return ACCQ_SUCCESS;
    }
  return accq_err_set(err, ACCQ_EUSAGE, "unknown format '%s' (expected %s)",
                      name ? name : "(null)", accq_format_list());
}

const char *accq_format_name(accq_format_t f) {
  const accq_format_info_t *fi = accq_format_info(f);
  return fi ? fi->name : "unknown";
}

/* ---- provenance comment lines ------------------------------------------------ */

/* A provenance value in a comment line: control characters as \xHH (a line
 * stays one line), and "-->" broken in Markdown so the comment cannot end early. */
static void put_comment_text(FILE *out, const char *s, int markdown) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x20 || *p == 0x7f || (markdown && *p == '>' && p - (const unsigned char *)s >= 2 &&
                                     p[-1] == '-' && p[-2] == '-'))
      fprintf(out, "\\x%02x", *p);
    else
      fputc(*p, out);
  }
}

static void put_provenance_comments(const ctx_t *c, const accq_report_t *r) {
  const accq_format_info_t *fi = accq_format_info(c->fmt);
  if (!r->prov || !fi->comment) return;
  const char *eol = c->fmt == ACCQ_FORMAT_CSV ? "\r\n" : "\n"; /* CSV lines end in CRLF */
  for (int i = 0; i < r->prov->nfields; i++) {
    const accq_i_field_t *fl = &r->prov->fields[i];
    fprintf(c->out, "%sprovenance.%s: ", fi->comment, fl->key);
    if (fl->v.kind == ACCQ_I_INT)
      fprintf(c->out, "%lld", fl->v.i);
    else
      put_comment_text(c->out, fl->v.str ? fl->v.str : "", c->fmt == ACCQ_FORMAT_MARKDOWN);
    fprintf(c->out, "%s%s", fi->comment_end, eol);
  }
}

/* ---- entry points ------------------------------------------------------------ */

int accq_report_write(const accq_report_t *r, accq_format_t f, FILE *out, accq_err_t *err) {
  int st = check_report(r, err);
  if (st) return st;
  if (!accq_format_info(f))
    return accq_err_set(err, ACCQ_EINVAL, "unknown output format %d", (int)f);
  ctx_t c = {f, r->digits, out, err};
  put_provenance_comments(&c, r);
  int rc = formats[f].render(&c, r);
  if (rc < 0) return accq_err_set(err, ACCQ_ENOMEM, "out of memory rendering a report");
  if (rc > 0) return rc;
  errno = 0;
  if (fflush(out) != 0 || ferror(out))
    return accq_err_set(err, ACCQ_EWRITE, "cannot write the %s output: %s", accq_format_name(f),
                        strerror(errno ? errno : EIO));
  return ACCQ_SUCCESS;
}

int accq_report_write_file(const accq_report_t *r, accq_format_t f, const char *path,
                           accq_err_t *err) {
  accq_outfile_t *of = NULL;
  int st = accq_outfile_open(path, &of, err);
  if (st) return st;
  st = accq_report_write(r, f, accq_outfile_stream(of), err);
  if (st) {
    if (st == ACCQ_EWRITE) accq_err_prefix(err, "%s", path && strcmp(path, "-") ? path : "standard output");
    accq_outfile_abort(of);
    return st;
  }
  return accq_outfile_commit(of, err);
}
