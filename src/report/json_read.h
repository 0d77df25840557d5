/* Reading JSON (internal, not installed): the report module's jansson adapter
 * turns a file into a plain tree, so that no other module talks to jansson
 * (golden files are read by the check module through it).
 *
 * Objects keep the file's member order (jansson >= 2.8); a key given twice
 * keeps its last value.  Numbers (integers or reals) are doubles. */
#ifndef ACCQ_REPORT_JSON_READ_H
#define ACCQ_REPORT_JSON_READ_H

#include "accq/status.h"

typedef enum {
  ACCQ_JSON_NULL = 0,
  ACCQ_JSON_FALSE,
  ACCQ_JSON_TRUE,
  ACCQ_JSON_NUMBER,
  ACCQ_JSON_STRING,
  ACCQ_JSON_ARRAY,
  ACCQ_JSON_OBJECT
} accq_json_kind_t;

typedef struct accq_json {
  accq_json_kind_t kind;
  double number;              /* ACCQ_JSON_NUMBER */
  char *string;               /* ACCQ_JSON_STRING (NUL-terminated) */
  int n;                      /* array items or object members */
  struct accq_json *items;    /* n values, in order */
  char **keys;                /* objects: the n member names */
} accq_json_t;

/* Parses the file at path into *root (free with accq_json_free).  ACCQ_EIO
 * "PATH:LINE: cannot read WHAT: jansson's reason" for a missing or malformed
 * file, ACCQ_ENOMEM.  O(file size). */
int accq_json_read_file(const char *path, const char *what, accq_json_t **root, accq_err_t *err);
void accq_json_free(accq_json_t *v);

/* Member `key` of an object (NULL when v is not an object or has no such
 * member); its string or number (NULL / 0 when absent or of another kind). */
const accq_json_t *accq_json_get(const accq_json_t *v, const char *key);
const char *accq_json_string(const accq_json_t *v);
int accq_json_is(const accq_json_t *v, accq_json_kind_t kind);

#endif
