/* Provenance of an output (accq/report.h): what made it, carried by every
 * format.  Stored as an ordinary key-value section "provenance" at the end of
 * the report, visible in JSON (an object) and, on request, in text (a
 * footer); CSV, Markdown and LaTeX carry the same fields as comment lines at
 * their head (render.c), so their tables and key,value rows are unchanged. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_internal.h"

void accq_report_set_provenance(accq_report_t *r, const accq_provenance_t *p) {
  if (!r || !p || r->status) return;
  if (r->prov) return; /* once per report: the first call wins */
  accq_report_section_t *s = accq_report_kv(r, "provenance", "provenance");
  if (!s) return;
  accq_kv_str(s, "accq_version", "accq version", p->accq_version ? p->accq_version : "unknown");
  accq_kv_str(s, "git_revision", "git revision", p->git_revision ? p->git_revision : "unknown");
  accq_kv_str(s, "command", "command", p->command ? p->command : "");
  if (p->has_seed) {
    /* a seed above 2^63-1 does not fit a JSON integer of jansson: its digits */
    if (p->seed <= (uint64_t)LLONG_MAX) {
      accq_kv_int(s, "seed", "seed", (long long)p->seed);
    } else {
      char d[24];
      snprintf(d, sizeof d, "%llu", (unsigned long long)p->seed);
      accq_kv_str(s, "seed", "seed", d);
    }
  }
  if (p->model) accq_kv_str(s, "model", "model", p->model);
  if (p->model_sha256) accq_kv_str(s, "model_sha256", "model SHA-256", p->model_sha256);
  if (p->date) accq_kv_str(s, "date", "date", p->date);
  accq_report_section_visibility(s, p->text_footer ? ACCQ_REPORT_JSON_ONLY |
                                                         ACCQ_REPORT_ONLY(ACCQ_FORMAT_TEXT)
                                                   : ACCQ_REPORT_JSON_ONLY);
  if (!r->status) r->prov = s;
}

/* Quoted for a POSIX shell when needed: 'it'\''s' */
static int needs_quotes(const char *a) {
  if (!*a) return 1;
  for (const char *c = a; *c; c++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%", *c))
      return 1;
  return 0;
}

int accq_provenance_command(int argc, char *const *argv, char *buf, size_t size,
                            accq_err_t *err) {
  size_t n = 0;
  if (size == 0) return accq_err_set(err, ACCQ_ERANGE, "command line buffer of size 0");
  buf[0] = '\0';
#define PUT(ch)                                                                       \
  do {                                                                                \
    if (n + 1 >= size)                                                                \
      return accq_err_set(err, ACCQ_ERANGE, "the command line is over %zu bytes", size - 1); \
    buf[n++] = (ch);                                                                  \
    buf[n] = '\0';                                                                    \
  } while (0)
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (i == 0) { /* the program as "accq": where it is installed is not provenance */
      const char *slash = strrchr(a, '/');
      a = slash ? slash + 1 : a;
    } else {
      PUT(' ');
    }
    int q = i > 0 && needs_quotes(a);
    if (q) PUT('\'');
    for (const char *c = a; *c; c++) {
      if (q && *c == '\'') {
        PUT('\'');
        PUT('\\');
        PUT('\'');
        PUT('\'');
      } else {
        PUT(*c);
      }
    }
    if (q) PUT('\'');
  }
#undef PUT
  return ACCQ_SUCCESS;
}

int accq_provenance_date(char buf[32], accq_err_t *err) {
  time_t t;
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde) {
    /* reproducible-builds.org: a decimal count of seconds since the epoch;
     * anything else is an error, not silently "now" */
    char *end;
    errno = 0;
    long long v = strtoll(sde, &end, 10);
    if (errno || *end || v < 0 || (long long)(time_t)v != v)
      return accq_err_set(err, ACCQ_EUSAGE,
                          "SOURCE_DATE_EPOCH='%.40s' is not a whole number of seconds since 1970",
                          sde);
    t = (time_t)v;
  } else {
    t = time(NULL);
  }
  struct tm tmv;
  if (!gmtime_r(&t, &tmv) || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv) == 0)
    return accq_err_set(err, ACCQ_EINVAL, "the date %lld cannot be written in ISO 8601",
                        (long long)t);
  return ACCQ_SUCCESS;
}

static void hash_sets(accq_sha256_t *h, const char *const *sets, int nsets) {
  for (int i = 0; i < nsets; i++) {
    accq_sha256_update(h, "\n--set ", 7);
    accq_sha256_update(h, sets[i], strlen(sets[i]));
  }
}

int accq_provenance_model_sha256(const char *path, const char *text, const char *const *sets,
                                 int nsets, char hex[65], accq_err_t *err) {
  accq_sha256_t h;
  accq_sha256_init(&h);
  if (path) {
    FILE *f = fopen(path, "rb");
    if (!f)
      return accq_err_set(err, ACCQ_EIO, "%s: cannot read the model for its hash: %s", path,
                          strerror(errno));
    unsigned char b[65536];
    size_t k;
    while ((k = fread(b, 1, sizeof b, f)) > 0) accq_sha256_update(&h, b, k);
    int bad = ferror(f);
    fclose(f);
    if (bad) return accq_err_set(err, ACCQ_EIO, "%s: read error while hashing the model", path);
  } else if (text) {
    accq_sha256_update(&h, text, strlen(text));
  }
  hash_sets(&h, sets, nsets);
  accq_sha256_final(&h, hex);
  return ACCQ_SUCCESS;
}
