/* Internal representation of a report (never installed). */
#ifndef ACCQ_REPORT_INTERNAL_H
#define ACCQ_REPORT_INTERNAL_H

#include <stddef.h>

#include "accq/report.h"

typedef enum {
  ACCQ_I_NUM = 0,
  ACCQ_I_EXACT, /* num + str (the fraction) */
  ACCQ_I_INT,
  ACCQ_I_STR,
  ACCQ_I_BOOL, /* i */
  ACCQ_I_NULL, /* str: reason for humans (may be NULL) */
  ACCQ_I_NUMS, /* nums[n] */
  ACCQ_I_OBJ,  /* obj */
  ACCQ_I_STRS  /* strs[n] */
} accq_i_kind_t;

typedef struct {
  accq_i_kind_t kind;
  double num;
  long long i;
  char *str;
  int digits;
} accq_i_value_t;

typedef struct {
  char *key, *label;
  accq_i_value_t v;
  double *nums;
  char **strs;
  int n;
  int vis;
  accq_report_section_t *obj;
} accq_i_field_t;

typedef struct {
  char *key, *label;
  int digits;
} accq_i_col_t;

struct accq_report_section {
  accq_report_t *rep;
  int is_table;
  int is_list; /* key-value section whose fields are all objects: a JSON array */
  char *key, *label;
  int vis;
  /* key-value */
  accq_i_field_t *fields;
  int nfields, capfields;
  /* table: cells row-major; row r spans [row_start[r], row_start[r+1]) */
  accq_i_col_t *cols;
  int ncols, capcols;
  accq_i_value_t *cells;
  size_t ncells, capcells;
  size_t *row_start;
  int nrows, caprows;
};

struct accq_report {
  char *title;
  int digits;
  int status;
  char msg[ACCQ_ERR_MSG_MAX];
  accq_report_section_t **top; /* rendered, in order */
  int ntop, captop;
  accq_report_section_t **all; /* every section (children too), for freeing */
  int nall, capall;
  accq_report_section_t *primary;
  accq_report_section_t *prov; /* the provenance section (provenance.c), or NULL */
};

/* Cells in row r of table t. */
static inline size_t accq_i_row_len(const accq_report_section_t *t, int r) {
  size_t end = r + 1 < t->nrows ? t->row_start[r + 1] : t->ncells;
  return end - t->row_start[r];
}

/* Formats a number: digits > 0 -> %.{digits}g, else the shortest form that
 * reads back to the same double; "nan", "inf", "-inf" for non-finite values. */
void accq_i_format_num(double v, int digits, char *buf, size_t size);

/* Whether a field or section with visibility `vis` shows in format f. */
static inline int accq_i_visible(int vis, accq_format_t f) {
  return vis == ACCQ_REPORT_ALL || (vis & ACCQ_REPORT_ONLY(f)) != 0;
}

/* Length (1..4) of the well-formed UTF-8 character at s (n bytes left), or 0
 * when the bytes there are not one (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
size_t accq_i_utf8_char(const char *s, size_t n);
/* Offset of the first byte of s that is not well-formed UTF-8, or -1. */
long accq_i_utf8_invalid(const char *s);

int accq_i_render_json(const accq_report_t *r, FILE *out, accq_err_t *err);

#endif
