/* Exact serialization of cell results (accq/dist.h): fixed-width
 * little-endian integers, doubles as their IEEE-754 bits, strings with their
 * length.  The same bytes on every rank, in every checkpoint. */
#include <stdlib.h>
#include <string.h>

#include "accq/dist.h"

void accq_dist_buf_init(accq_dist_buf_t *b) { memset(b, 0, sizeof *b); }

void accq_dist_buf_free(accq_dist_buf_t *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

void accq_dist_put_bytes(accq_dist_buf_t *b, const void *p, size_t n) {
  if (b->failed) return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    unsigned char *q = realloc(b->data, cap);
    if (!q) {
      b->failed = 1;
      return;
    }
    b->data = q;
    b->cap = cap;
  }
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
}

void accq_dist_put_u64(accq_dist_buf_t *b, uint64_t v) {
  unsigned char x[8];
  for (int i = 0; i < 8; i++) x[i] = (unsigned char)(v >> (8 * i));
  accq_dist_put_bytes(b, x, 8);
}

void accq_dist_put_i64(accq_dist_buf_t *b, int64_t v) { accq_dist_put_u64(b, (uint64_t)v); }

/* the bits, not a decimal rendering: NaN payloads and -0 survive */
void accq_dist_put_f64(accq_dist_buf_t *b, double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  accq_dist_put_u64(b, u);
}

void accq_dist_put_str(accq_dist_buf_t *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  accq_dist_put_u64(b, (uint64_t)n);
  accq_dist_put_bytes(b, s, n);
}

int accq_dist_buf_take(accq_dist_buf_t *b, void **bytes, size_t *len, accq_err_t *err) {
  *bytes = NULL;
  *len = 0;
  if (b->failed) {
    accq_dist_buf_free(b);
    return accq_err_set(err, ACCQ_ENOMEM, "out of memory serializing a cell's result");
  }
  if (!b->data) { /* an empty result still owns a (1-byte) allocation */
    b->data = malloc(1);
    if (!b->data) return accq_err_set(err, ACCQ_ENOMEM, "out of memory serializing a cell's result");
  }
  *bytes = b->data;
  *len = b->len;
  memset(b, 0, sizeof *b);
  return ACCQ_SUCCESS;
}

void accq_dist_reader_init(accq_dist_reader_t *r, const void *data, size_t len) {
  r->data = data;
  r->len = len;
  r->pos = 0;
  r->failed = 0;
}

void accq_dist_get_bytes(accq_dist_reader_t *r, void *dst, size_t n) {
  if (r->failed || n > r->len - r->pos) {
    r->failed = 1;
    if (n) memset(dst, 0, n);
    return;
  }
  if (n) memcpy(dst, r->data + r->pos, n);
  r->pos += n;
}

uint64_t accq_dist_get_u64(accq_dist_reader_t *r) {
  unsigned char x[8];
  accq_dist_get_bytes(r, x, 8);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)x[i] << (8 * i);
  return v;
}

int64_t accq_dist_get_i64(accq_dist_reader_t *r) { return (int64_t)accq_dist_get_u64(r); }

double accq_dist_get_f64(accq_dist_reader_t *r) {
  uint64_t u = accq_dist_get_u64(r);
  double v;
  memcpy(&v, &u, sizeof v);
  return v;
}

void accq_dist_get_str(accq_dist_reader_t *r, char *dst, size_t size) {
  uint64_t n = accq_dist_get_u64(r);
  if (size) dst[0] = '\0';
  if (r->failed || n >= size || n > r->len - r->pos) {
    r->failed = 1;
    return;
  }
  memcpy(dst, r->data + r->pos, (size_t)n);
  dst[n] = '\0';
  r->pos += (size_t)n;
}

int accq_dist_reader_end(const accq_dist_reader_t *r, const char *what, accq_err_t *err) {
  if (r->failed || r->pos != r->len)
    return accq_err_set(err, ACCQ_EINVAL,
                        "%s: malformed result bytes (%zu of %zu read%s): a checkpoint or "
                        "rank of another accq build?",
                        what, r->pos, r->len, r->failed ? ", short" : "");
  return ACCQ_SUCCESS;
}
