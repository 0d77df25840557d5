/* The one adapter to inih (libinih-dev): a line-aware INI parser.
 *
 * Debian's inih is built without INI_HANDLER_LINENO, so the handler gets no line
 * number.  We parse with ini_parse_stream and a reader that hands inih one
 * physical line at a time from memory and counts lines; inih calls the handler
 * right after reading the line, so the count is the handler's line.
 *
 * What Debian's build does (checked in tests/model/test_model.c):
 *   - ';' and '#' start full-line comments; an inline comment needs ';' preceded
 *     by a blank ("rate = 4 ; note").  '#' after a value is NOT a comment there
 *     (the value "4 # x" is then refused as non-numeric by the model).
 *   - multi-line values are on: an indented line continues the previous value.
 *     That would silently turn an indented "rate = 4" into part of the previous
 *     key, so the reader strips leading blanks and continuation never happens.
 *   - the line buffer is 200 bytes; longer lines would be split by fgets-style
 *     reading, so the reader checks lengths itself (see ACCQ_I_INI_LINE_MAX).
 * Section headers are recognised here (inih would not report their line); inih
 * is given an empty line in their place. */
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "ext/inih.h"

typedef struct {
  const char *text;
  size_t len, pos;
  int line;      /* lines handed to inih so far = line of the current one */
  int stopped;   /* an error was recorded: hand out nothing more */
  const accq_i_ini_handlers_t *h;
  accq_i_ini_result_t *res;
} ini_ctx;

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Records the first error at the current line; msg NULL for a callback's. */
static void fail(ini_ctx *c, const char *msg) {
  c->stopped = 1;
  c->res->line = c->line;
  c->res->from_callback = msg == NULL;
  if (msg) snprintf(c->res->msg, sizeof c->res->msg, "%s", msg);
}

static char *put(char *str, int num, const char *s, size_t n) {
  if ((int)n > num - 2) n = (size_t)(num - 2);
  memcpy(str, s, n);
  str[n] = '\n';
  str[n + 1] = '\0';
  return str;
}

/* Handles a "[...]" line; returns 0 after recording an error. */
static int section_line(ini_ctx *c, const char *s, size_t n) {
  char shown[160], msg[400];
  const char *close = memchr(s, ']', n);
  if (!close) {
    accq_i_printable(s, (long)n, shown, sizeof shown);
    snprintf(msg, sizeof msg,
             "malformed section header '%s': no closing ']' (expected [system] or [type NAME])",
             shown);
    fail(c, msg);
    return 0;
  }
  const char *after = close + 1, *end = s + n;
  while (after < end && is_blank(*after)) after++;
  if (after < end && *after != ';' && *after != '#') {
    accq_i_printable(after, (long)(end - after), shown, sizeof shown);
    snprintf(msg, sizeof msg, "unexpected text '%s' after the section header", shown);
    fail(c, msg);
    return 0;
  }
  const char *b = s + 1, *e = close;
  while (b < e && is_blank(*b)) b++;
  while (e > b && is_blank(e[-1])) e--;
  char header[256];
  size_t hn = (size_t)(e - b);
  if (hn >= sizeof header) {
    accq_i_printable(b, (long)hn, shown, sizeof shown);
    snprintf(msg, sizeof msg, "section header too long: '%s'", shown);
    fail(c, msg);
    return 0;
  }
  memcpy(header, b, hn);
  header[hn] = '\0';
  if (!c->h->on_section(c->h->user, c->line, header)) {
    fail(c, NULL);
    return 0;
  }
  return 1;
}

static char *reader(char *str, int num, void *stream) {
  ini_ctx *c = stream;
  if (c->stopped || c->pos >= c->len) return NULL;
  const char *s = c->text + c->pos;
  size_t avail = c->len - c->pos;
  const char *nl = memchr(s, '\n', avail);
  size_t n = nl ? (size_t)(nl - s) : avail;
  c->pos += nl ? n + 1 : n;
  c->line++;
  if (memchr(s, '\0', n)) {
    fail(c, "binary data (a NUL byte): not a text model file");
    return NULL;
  }
  if (c->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
  while (n > 0 && is_blank(*s)) s++, n--;
  while (n > 0 && is_blank(s[n - 1])) n--;
  if (n == 0 || *s == ';' || *s == '#') return put(str, num, "", 0);
  if (*s == '[') return section_line(c, s, n) ? put(str, num, "", 0) : NULL;
  size_t limit = ACCQ_I_INI_LINE_MAX;
  if ((int)limit > num - 3) limit = (size_t)(num - 3);
  if (n > limit) {
    /* drop an inline comment (inih's rule: ';' after a blank), then re-check */
    for (size_t i = 1; i < n; i++)
      if (s[i] == ';' && is_blank(s[i - 1])) {
        n = i;
        break;
      }
    while (n > 0 && is_blank(s[n - 1])) n--;
    if (n > limit) {
      char shown[160], msg[400];
      accq_i_printable(s, (long)n, shown, sizeof shown);
      snprintf(msg, sizeof msg,
               "line too long: '%s' has %zu characters before any comment (the limit is %zu)",
               shown, n, limit);
      fail(c, msg);
      return NULL;
    }
  }
  return put(str, num, s, n);
}

static int handler(void *user, const char *section, const char *name, const char *value) {
  (void)section; /* sections are tracked by the reader */
  ini_ctx *c = user;
  if (c->stopped) return 1;
  if (!c->h->on_key(c->h->user, c->line, name, value)) fail(c, NULL);
  return 1;
}

/* Copies line `want` (1-based) of the text, stripped, into out (printable). */
static void line_text(const char *text, size_t len, int want, char *out, size_t outsz) {
  size_t pos = 0;
  for (int l = 1; l < want && pos < len; l++) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    pos = nl ? (size_t)(nl - text) + 1 : len;
  }
  const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
  size_t n = nl ? (size_t)(nl - s) : len - pos;
  while (n > 0 && is_blank(*s)) s++, n--;
  while (n > 0 && is_blank(s[n - 1])) n--;
  accq_i_printable(s, (long)n, out, outsz);
}

int accq_i_ini_parse(const char *text, size_t len, const accq_i_ini_handlers_t *h,
                     accq_i_ini_result_t *res) {
  ini_ctx c = {text, len, 0, 0, 0, h, res};
  res->line = 0;
  res->from_callback = 0;
  res->msg[0] = '\0';
  int r = ini_parse_stream(reader, &c, handler, &c);
  if (r > 0 && (res->line == 0 || r < res->line)) {
    char shown[160];
    line_text(text, len, r, shown, sizeof shown);
    res->line = r;
    res->from_callback = 0;
    snprintf(res->msg, sizeof res->msg,
             "syntax error in '%s': expected 'key = value', '[section]' or a comment", shown);
  } else if (r < 0 && res->line == 0) {
    res->line = c.line > 0 ? c.line : 1;
    snprintf(res->msg, sizeof res->msg, "inih failed (code %d)", r);
  }
  return res->line != 0;
}
