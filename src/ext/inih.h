/* The inih adapter (src/ext/inih.c): a line-aware INI reader for the model
 * module.  ext/ depends on nothing above core; the model module calls inih
 * only through this header.  Never installed. */
#ifndef ACCQ_EXT_INIH_H
#define ACCQ_EXT_INIH_H

#include <stddef.h>

/* Longest physical line the adapter hands to inih (inih's buffer is
 * INI_MAX_LINE = 200 bytes including "\r\n\0").  Longer comment lines are
 * accepted; a longer key line is refused after its inline comment is dropped. */
#define ACCQ_I_INI_LINE_MAX 196

/* Callbacks of the line-aware INI parser.  Each returns 1 to go on, 0 after
 * filling its own error report (the adapter then forwards nothing more). */
typedef struct {
  void *user;
  /* A "[...]" header at `line`; `header` is the text between the brackets
   * with surrounding blanks removed. */
  int (*on_section)(void *user, int line, const char *header);
  /* A "key = value" line (inline "; comment" removed, blanks stripped). */
  int (*on_key)(void *user, int line, const char *key, const char *value);
} accq_i_ini_handlers_t;

/* Outcome of accq_i_ini_parse. */
typedef struct {
  int line;           /* line of the first error, 0 if none */
  int from_callback;  /* 1: a callback failed (its report holds the message) */
  char msg[512];      /* otherwise: the syntax error, without "FILE:LINE: " */
} accq_i_ini_result_t;

/* Parses `len` bytes of INI text with inih, calling `h` in file order with
 * line numbers (1-based).  Stops forwarding at the first error.  Refuses NUL
 * bytes, overlong key lines, malformed headers and what inih calls a syntax
 * error.  Leading blanks are removed from every line, so inih's multi-line
 * continuation values are never used (an indented "key = value" is an ordinary
 * key).  Returns 0 on success, 1 on an error described by `res`.  Cost O(len). */
int accq_i_ini_parse(const char *text, size_t len, const accq_i_ini_handlers_t *h,
                     accq_i_ini_result_t *res);

#endif
