/* The lumped occupancy space of docs/chains.md: counting, ranking and unranking. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"

#define TWO63 9223372036854775808.0

static uint64_t gcd_u64(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* Exact C(n + b, b) with overflow detection: returns 0 on overflow of uint64. */
static uint64_t binom_exact(uint64_t n, uint64_t b, int *overflow) {
  uint64_t c = 1;
  *overflow = 0;
  if (b > n) { /* C(n+b, b) = C(n+b, n): use the shorter loop */
    uint64_t t = b;
    b = n;
    n = t;
  }
  for (uint64_t i = 1; i <= b; i++) {
    /* C(n+i, i) = C(n+i-1, i-1) * (n+i) / i, exactly: with g = gcd(c, i),
     * (i/g) divides (n+i) because i divides c (n+i) and gcd(c/g, i/g) = 1. */
    uint64_t g = gcd_u64(c, i);
    uint64_t num = (n + i) / (i / g);
    uint64_t out;
    if (__builtin_mul_overflow(c / g, num, &out)) {
      *overflow = 1;
      return 0;
    }
    c = out;
  }
  return c;
}

static double log10_binom(double n, double b) {
  return (lgamma(n + b + 1) - lgamma(n + 1) - lgamma(b + 1)) / log(10.0);
}

/* Counts the space exactly into *total; refuses beyond 2^63. */
static int space_count_exact(int ntypes, const int *servers, int buffer, const int *frozen,
                             uint64_t *sizes, uint64_t *total, accq_err_t *err) {
  double log10_total = 0;
  uint64_t prod = 1;
  int over = 0;
  if (ntypes < 1 || ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "state space: %d types (must be 1..%d)", ntypes,
                        ACCQ_MAX_TYPES);
  if (buffer < 1) return accq_err_set(err, ACCQ_EINVAL, "state space: buffer %d < 1", buffer);
  for (int k = 0; k < ntypes; k++) {
    if (servers[k] < 1)
      return accq_err_set(err, ACCQ_EINVAL, "state space: type %d has %d servers", k,
                          servers[k]);
    if (!(frozen && frozen[k])) log10_total += log10_binom(servers[k], buffer);
  }
  for (int k = 0; k < ntypes && !over; k++) {
    int o = 0;
    if (frozen && frozen[k]) {
      if (sizes) sizes[k] = 1;
      continue;
    }
    uint64_t c = binom_exact((uint64_t)servers[k], (uint64_t)buffer, &o);
    if (o) {
      over = 1;
      break;
    }
    if (sizes) sizes[k] = c;
    if (__builtin_mul_overflow(prod, c, &prod)) over = 1;
  }
  if (over || prod > (UINT64_C(1) << 63))
    return accq_err_set(err, ACCQ_ETOOBIG,
                        "lumped state space has about 10^%.2f states (prod_k C(N_k + B, B) "
                        "with B = %d), over 2^63 = 9.2e18: reduce the buffer or the scale",
                        log10_total, buffer);
  *total = prod;
  return ACCQ_SUCCESS;
}

int accq_space_count(int ntypes, const int *servers, int buffer, double *count,
                     accq_err_t *err) {
  uint64_t total = 0;
  int st = space_count_exact(ntypes, servers, buffer, NULL, NULL, &total, err);
  if (st) return st;
  *count = (double)total;
  return ACCQ_SUCCESS;
}

int accq_space_alloc(accq_space_t **out, int ntypes, const int *servers, int buffer,
                     accq_err_t *err) {
  return accq_i_space_alloc_frozen(out, ntypes, servers, buffer, NULL, err);
}

int accq_i_space_alloc_frozen(accq_space_t **out, int ntypes, const int *servers, int buffer,
                              const int *frozen, accq_err_t *err) {
  accq_space_t *s;
  int st;
  *out = NULL;
  s = calloc(1, sizeof *s);
  if (!s) return accq_err_set(err, ACCQ_ENOMEM, "state space: out of memory");
  st = space_count_exact(ntypes, servers, buffer, frozen, s->size, &s->total, err);
  if (st) goto cleanup;
  s->ntypes = ntypes;
  s->buffer = buffer;
  for (int k = 0; k < ntypes; k++) s->frozen[k] = frozen ? frozen[k] != 0 : 0;
  for (int k = 0; k < ntypes; k++) {
    s->servers[k] = servers[k];
    s->stride[k] = k ? s->stride[k - 1] * s->size[k - 1] : 1;
    /* a frozen type never ranks: a one-row table keeps the frees uniform */
    s->nrow[k] = s->frozen[k] ? 1 : servers[k] + buffer + 1;
    size_t cells = (size_t)(buffer + 1) * (size_t)s->nrow[k];
    s->binom[k] = malloc(cells * sizeof(uint64_t));
    if (!s->binom[k]) {
      st = accq_err_set(err, ACCQ_ENOMEM, "state space: out of memory for %zu binomials",
                        cells);
      goto cleanup;
    }
    /* Pascal's rule with saturation: the entries the rank reads are at most
     * C(N_k + B, B) < 2^63 and are exact. */
    uint64_t *t = s->binom[k];
    int nr = s->nrow[k];
    for (int j = 0; j <= buffer; j++) {
      for (int n = 0; n < nr; n++) {
        uint64_t v;
        if (j == 0)
          v = 1;
        else if (n < j)
          v = 0;
        else {
          uint64_t a = t[(size_t)(j - 1) * nr + (n - 1)], b = t[(size_t)j * nr + (n - 1)];
          if (__builtin_add_overflow(a, b, &v)) v = UINT64_MAX;
        }
        t[(size_t)j * nr + n] = v;
      }
    }
  }
  *out = s;
  return ACCQ_SUCCESS;
cleanup:
  accq_space_free(s);
  return st;
}

void accq_space_free(accq_space_t *s) {
  if (!s) return;
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) {
    free(s->binom[k]);
    free(s->comp[k]);
  }
  free(s);
}

uint64_t accq_space_size(const accq_space_t *s) { return s->total; }
int accq_space_ntypes(const accq_space_t *s) { return s->ntypes; }
int accq_space_buffer(const accq_space_t *s) { return s->buffer; }
const int *accq_space_servers(const accq_space_t *s) { return s->servers; }

uint64_t accq_i_space_type_rank(const accq_space_t *s, int k, const int *c) {
  uint64_t r = 0;
  if (s->frozen[k]) return 0; /* the all-idle composition, the only one */
  /* reflected: the all-idle composition has rank 0 */
  int partial = 0;
  for (int j = 0; j < s->buffer; j++) {
    partial += c[j];
    r += accq_i_binom(s, k, partial + j, j + 1);
  }
  return s->size[k] - 1 - r;
}

void accq_i_space_type_unrank(const accq_space_t *s, int k, uint64_t r, int *c) {
  int B = s->buffer, N = s->servers[k];
  int hi = N + B; /* b_{B} sentinel: bars strictly below */
  int prev_partial = N;
  if (s->frozen[k]) {
    c[0] = N;
    for (int q = 1; q <= B; q++) c[q] = 0;
    return;
  }
  r = s->size[k] - 1 - r; /* reflected rank, see accq_i_space_type_rank */
  /* Greedy from the last bar: b_j is the largest b < b_{j+1} with C(b, j+1) <= r. */
  for (int j = B - 1; j >= 0; j--) {
    int lo = j, up = hi - 1; /* b_j in [j, b_{j+1} - 1] */
    while (lo < up) {
      int mid = lo + (up - lo + 1) / 2;
      if (accq_i_binom(s, k, mid, j + 1) <= r)
        lo = mid;
      else
        up = mid - 1;
    }
    r -= accq_i_binom(s, k, lo, j + 1);
    int partial = lo - j; /* s_j */
    c[j + 1] = prev_partial - partial;
    prev_partial = partial;
    hi = lo;
  }
  c[0] = prev_partial;
}

uint64_t accq_space_rank(const accq_space_t *s, const int *count) {
  uint64_t r = 0;
  for (int k = 0; k < s->ntypes; k++)
    r += accq_i_space_type_rank(s, k, count + (size_t)k * (s->buffer + 1)) * s->stride[k];
  return r;
}

void accq_space_unrank(const accq_space_t *s, uint64_t rank, int *count) {
  for (int k = s->ntypes - 1; k >= 0; k--) {
    uint64_t rk = rank / s->stride[k];
    rank -= rk * s->stride[k];
    if (s->comp[k])
      memcpy(count + (size_t)k * (s->buffer + 1), s->comp[k] + (size_t)rk * (s->buffer + 1),
             (size_t)(s->buffer + 1) * sizeof *count);
    else
      accq_i_space_type_unrank(s, k, rk, count + (size_t)k * (s->buffer + 1));
  }
}
