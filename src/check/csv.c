/* An RFC 4180 CSV reader for check-sim's results files (accq/check.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"

struct accq_check_csv {
  FILE *f;
  char *buf;                  /* the record's text, fields NUL-separated */
  size_t cap;
  char *fields[ACCQ_CHECK_CSV_MAX_FIELDS];
  int line;                   /* physical line of the next character */
};

/* Comment lines before the header (the provenance of accq's CSV output,
 * docs/output.md) are skipped; after the header every line is a record. */
static void skip_comment_lines(accq_check_csv_t *c) {
  int c0;
  while ((c0 = fgetc(c->f)) == '#') {
    int c1;
    do c1 = fgetc(c->f);
    while (c1 != '\n' && c1 != EOF);
    c->line++;
  }
  if (c0 != EOF) ungetc(c0, c->f); /* the header's first byte */
}

int accq_check_csv_open(const char *path, accq_check_csv_t **csv, accq_err_t *err) {
  *csv = calloc(1, sizeof **csv);
  if (!*csv) return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
  (*csv)->f = fopen(path, "r");
  if (!(*csv)->f) {
    int e = errno;
    free(*csv);
    *csv = NULL;
    return accq_err_set(err, ACCQ_EIO, "%s: cannot open: %s", path, strerror(e));
  }
  (*csv)->line = 1;
  skip_comment_lines(*csv);
  return ACCQ_SUCCESS;
}

void accq_check_csv_close(accq_check_csv_t *csv) {
  if (!csv) return;
  if (csv->f) fclose(csv->f);
  free(csv->buf);
  free(csv);
}

/* Room for two more bytes in the record buffer; -1 when out of memory. */
static int reserve(accq_check_csv_t *c, size_t n) {
  if (n + 2 < c->cap) return 0;
  size_t nc = c->cap ? 2 * c->cap : 256;
  char *b = realloc(c->buf, nc);
  if (!b) return -1;
  c->buf = b;
  c->cap = nc;
  return 0;
}

int accq_check_csv_next(accq_check_csv_t *c, char ***fields, int *line) {
  size_t n = 0, starts[ACCQ_CHECK_CSV_MAX_FIELDS];
  int nf = 0, ch, quoted = 0, any = 0, field_start = 1;
  FILE *f = c->f;
  *line = c->line;
  for (;;) {
    ch = fgetc(f);
    if (ch == EOF) {
      if (quoted) return -1;
      if (!any) return 0;
      break;
    }
    any = 1;
    if (reserve(c, n)) return -1;
    if (field_start) {
      if (nf >= ACCQ_CHECK_CSV_MAX_FIELDS) return -1;
      starts[nf++] = n;
      field_start = 0;
    }
    if (quoted) {
      if (ch == '"') {
        int d = fgetc(f);
        if (d == '"') {
          c->buf[n++] = '"';
        } else {
          quoted = 0;
          if (d != EOF) ungetc(d, f);
        }
      } else {
        if (ch == '\n') c->line++;
        c->buf[n++] = (char)ch;
      }
      continue;
    }
    if (ch == '"') {
      quoted = 1;
    } else if (ch == ',') {
      c->buf[n++] = '\0';
      field_start = 1;
    } else if (ch == '\n') {
      c->line++;
      break;
    } else if (ch != '\r') {
      c->buf[n++] = (char)ch;
    }
  }
  if (field_start) { /* trailing comma: one more empty field */
    if (nf >= ACCQ_CHECK_CSV_MAX_FIELDS || reserve(c, n)) return -1;
    starts[nf++] = n;
  }
  c->buf[n] = '\0';
  for (int i = 0; i < nf; i++) c->fields[i] = c->buf + starts[i];
  *fields = c->fields;
  return nf;
}
