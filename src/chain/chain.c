/* Lumped occupancy chain of docs/chains.md: breadth-first construction of the states
 * reachable from the empty system and the CSR generator, plus the pieces shared
 * with the explicit chain (size checks, CSR builder). */
#include "accq/clock.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain/chain_internal.h"
#include "accq/stationary.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

double accq_i_chain_now(void) { return accq_clock_now(); }

double accq_i_default_max_bytes(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  double kb = -1;
  if (f) {
    while (fgets(line, sizeof line, f)) {
      if (strncmp(line, "MemAvailable:", 13) == 0) {
        kb = strtod(line + 13, NULL);
        break;
      }
    }
    fclose(f);
  }
  if (!(kb > 0)) return 8.0 * GIB;
  return 0.75 * kb * 1024.0;
}

double accq_chain_max_bytes_default(void) { return accq_i_default_max_bytes(); }

void accq_chain_options_init(accq_chain_options_t *opt) {
  if (!opt) return;
  opt->max_states = 20000000;
  opt->max_bytes = accq_i_default_max_bytes();
  opt->storage = ACCQ_STORAGE_AUTO;
}

/* Memory per state of the `auto` solve's vectors (docs/chains.md,
 * "Storage"): pi 8, the row-form inflow 8 (and its second part 8 below
 * ACCQ_SOR_LEAN_STATES states), the layer 4, the index of the IAD rate pair
 * 2, Anderson's history (f_j and differences in float, 8 per slot: depth 5,
 * 6 slots, below ACCQ_SOR_LEAN_STATES; depth 3, 4 slots, from there). */
static double solve_bytes_per_state(double states) {
  int lean = states >= ACCQ_SOR_LEAN_STATES;
  return 8.0 + (lean ? 8.0 : 16.0) + 4.0 + 2.0 + (lean ? 32.0 : 48.0);
}

/* Stored: the chain's key 8, row pointer 8, diagonal index 2, and the
 * solve's below-diagonal counts 1; per transition column 4 + rate index 1
 * (2 when over 256 distinct rates, one double more when over 65,535: not
 * counted, the lumped chains have 13-44).  Plus the rank -> index map
 * (rank_index_bytes below). */
#define ACCQ_BYTES_PER_STATE (8.0 + 8.0 + 2.0 + 1.0)
#define ACCQ_BYTES_PER_TRANSITION 5.0

static double rank_index_bytes(double states, double product);

static double bytes_model(double states, double product, double nnz_row) {
  return states * (ACCQ_BYTES_PER_STATE + solve_bytes_per_state(states) +
                   ACCQ_BYTES_PER_TRANSITION * nnz_row) +
         rank_index_bytes(states, product);
}

/* Matrix-free storage (docs/chains.md, "Storage"): the chain keeps the state
 * keys 8, the route memo's ids 2 (1 when at most 256 route lists), the
 * diagonal's index 2 (numbered by rank) and, unless
 * every product state is reachable (then state i is rank i), the rank ->
 * index map (rows are regenerated from a state's rank: no row pointer,
 * column, rate or diagonal); the solve's vectors are those of the stored
 * mode (solve_bytes_per_state).  (As for the stored estimate, the type tables
 * and the process itself, a few MiB, are not counted.) */
#define ACCQ_BYTES_PER_STATE_MF (8.0 + 2.0 + 2.0)

double accq_i_chain_bytes_estimate_mf(double states, double product) {
  return states * (ACCQ_BYTES_PER_STATE_MF + solve_bytes_per_state(states)) +
         (states < product ? rank_index_bytes(states, product) : 0.0);
}

double accq_chain_bytes_estimate_mf(double states, int ntypes, int buffer) {
  (void)ntypes;
  (void)buffer;
  return accq_i_chain_bytes_estimate_mf(states, states);
}

accq_storage_t accq_i_chain_storage(const accq_chain_options_t *opt, double stored_bytes,
                                    double mf_bytes, double *bytes) {
  accq_storage_t s = opt ? opt->storage : ACCQ_STORAGE_AUTO;
  if (s == ACCQ_STORAGE_AUTO) {
    double max_bytes = opt && opt->max_bytes > 0 ? opt->max_bytes : accq_i_default_max_bytes();
    s = stored_bytes <= max_bytes || !(mf_bytes < stored_bytes) ? ACCQ_STORAGE_STORED
                                                                : ACCQ_STORAGE_MATRIX_FREE;
  }
  if (bytes) *bytes = s == ACCQ_STORAGE_STORED ? stored_bytes : mf_bytes;
  return s;
}

int accq_storage_from_name(const char *name, accq_storage_t *storage, accq_err_t *err) {
  static const accq_storage_t all[] = {ACCQ_STORAGE_AUTO, ACCQ_STORAGE_STORED,
                                       ACCQ_STORAGE_MATRIX_FREE};
  for (int i = 0; name && i < 3; i++)
    if (strcmp(name, accq_storage_name(all[i])) == 0) {
      *storage = all[i];
      return ACCQ_SUCCESS;
    }
  return accq_err_set(err, ACCQ_EINVAL,
                      "unknown storage '%s' (expected one of: auto, stored, matrix-free)",
                      name ? name : "(null)");
}

const char *accq_storage_name(accq_storage_t storage) {
  switch (storage) {
  case ACCQ_STORAGE_AUTO:
    return "auto";
  case ACCQ_STORAGE_STORED:
    return "stored";
  case ACCQ_STORAGE_MATRIX_FREE:
    return "matrix-free";
  }
  return "unknown";
}

double accq_chain_bytes_estimate(double states, int ntypes, int buffer) {
  /* worst case per row: a departure from each non-empty level and an arrival
   * to each level of each type */
  double nnz_row = (double)ntypes * (2.0 * buffer + 1.0);
  return bytes_model(states, states, nnz_row);
}

double accq_i_chain_bytes_estimate(double states, double product, int ntypes,
                                   const int *servers, int buffer) {
  double nnz_row = 0;
  for (int k = 0; k < ntypes; k++) {
    /* Departures leave from every occupied level q >= 1; arrivals join at
     * most every occupied level.  Averaged over the compositions of N servers
     * into B+1 levels, B N / (N + B) of the levels 1..B are occupied (each is
     * empty with probability B / (N + B)); twice that per type.  The lumped
     * chains have fewer (8.6 per state measured at N = 8, 8, B = 6 against
     * 13.7 here: the policies route to one level per type). */
    double n = servers[k];
    nnz_row += 2.0 * (double)buffer * n / (n + (double)buffer);
  }
  return bytes_model(states, product, nnz_row);
}

/* accq_chain_size_estimate without the phases of MMPP arrivals. */
static int size_estimate_occ(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                             double *states, double *bytes, accq_err_t *err) {
  int servers[ACCQ_MAX_TYPES], K = m->ntypes;
  double log10_states = 0, product = 1;
  if (K < 1 || K > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "chain size: model has %d types", K);
  if (buffer < 1) return accq_err_set(err, ACCQ_EINVAL, "chain size: buffer %d < 1", buffer);
  for (int k = 0; k < K; k++) {
    double nk = (double)m->scale * (double)m->types[k].servers;
    if (!(nk >= 1) || nk > 1e9)
      return accq_err_set(err, ACCQ_EINVAL, "chain size: type '%s' has %g servers",
                          m->types[k].name, nk);
    servers[k] = (int)nk;
    if (pol && !accq_policy_uses_type(pol, k)) {
      servers[k] = -1; /* frozen: one state */
      continue;
    }
    /* log10 C(N + B, B) */
    log10_states += (lgamma(nk + buffer + 1) - lgamma(nk + 1) - lgamma(buffer + 1.0)) / log(10.0);
  }
  /* exact below 2^53 (the product of exact binomials), else from the logs */
  if (log10_states < 15.5) {
    int frozen[ACCQ_MAX_TYPES];
    for (int k = 0; k < K; k++) {
      frozen[k] = servers[k] < 0;
      if (frozen[k]) servers[k] = 1;
    }
    uint64_t total = 0;
    accq_space_t *sp = NULL;
    (void)total;
    if (accq_i_space_alloc_frozen(&sp, K, servers, buffer, frozen, NULL) == ACCQ_SUCCESS) {
      product = (double)accq_space_size(sp);
      accq_space_free(sp);
    } else {
      product = pow(10.0, log10_states);
    }
    for (int k = 0; k < K; k++)
      if (frozen[k]) servers[k] = 0;
  } else {
    product = pow(10.0, log10_states);
  }
  int used[ACCQ_MAX_TYPES], nused = 0;
  for (int k = 0; k < K; k++)
    if (servers[k] > 0) used[nused++] = servers[k];
  if (states) *states = product;
  if (bytes)
    *bytes = nused ? accq_i_chain_bytes_estimate(product, product, nused, used, buffer)
                   : accq_i_chain_bytes_estimate(1, 1, 1, (int[]){1}, buffer);
  return ACCQ_SUCCESS;
}

/* The phase count of the model's arrivals (1: Poisson, or no chain at all,
 * which the build refuses). */
static int phase_count(const accq_model_t *m) {
  int K = 1;
  if (accq_i_chain_has_phases(m) && accq_chain_phases(m, &K, NULL, NULL, NULL, NULL)) K = 1;
  return K > 1 ? K : 1;
}

int accq_chain_size_estimate(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                             double *states, double *bytes, accq_err_t *err) {
  double s = 0, b = 0;
  int st = size_estimate_occ(m, pol, buffer, &s, &b, err);
  if (st) return st;
  const int K = phase_count(m); /* MMPP: K phases per occupancy (phases.c) */
  if (states) *states = s * K;
  if (bytes) *bytes = accq_i_phase_bytes(s, b, K);
  return ACCQ_SUCCESS;
}

/* The policies whose product count is exact (every composition of a used type
 * is reachable from the empty system; tests/measures/test_product.c). */
static int product_is_exact(const accq_policy_t *pol) {
  return accq_policy_type(pol) && accq_policy_type(pol)->count_exact;
}

/* Memory budget of the count: its bitmap and queue, at most a quarter of the
 * chain's memory limit and 4 GiB (a 2^35-state rank space). */
static double count_budget(const accq_chain_options_t *opt) {
  double max_bytes = opt && opt->max_bytes > 0 ? opt->max_bytes : accq_i_default_max_bytes();
  double b = 0.25 * max_bytes;
  return b < 4.0 * GIB ? b : 4.0 * GIB;
}

static int size_reachable_occ(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, double *states,
                              double *bytes, int *exact, accq_err_t *err);

int accq_chain_size_reachable(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, double *states,
                              double *bytes, int *exact, accq_err_t *err) {
  accq_chain_options_t defaults, o;
  if (!opt) {
    accq_chain_options_init(&defaults);
    opt = &defaults;
  }
  const int K = phase_count(m);
  if (K == 1) return size_reachable_occ(m, pol, buffer, opt, states, bytes, exact, err);
  /* MMPP: K states per reachable occupancy (phases.c), so the occupancies are
   * counted up to max_states / K */
  o = *opt;
  o.max_states = opt->max_states / K;
  o.storage = ACCQ_STORAGE_STORED; /* a chain with phases is always stored */
  int st = size_reachable_occ(m, pol, buffer, &o, states, bytes, exact, err);
  if (st) return st;
  *bytes = accq_i_phase_bytes(*states, *bytes, K);
  *states = *exact < 0 ? (double)opt->max_states + 1 : *states * K;
  return ACCQ_SUCCESS;
}

static int size_reachable_occ(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, double *states,
                              double *bytes, int *exact, accq_err_t *err) {
  accq_chain_options_t defaults;
  double product = INFINITY, pbytes = INFINITY;
  if (!opt) {
    accq_chain_options_init(&defaults);
    opt = &defaults;
  }
  int st = size_estimate_occ(m, pol, buffer, &product, &pbytes, err);
  if (st) return st;
  *states = product;
  accq_i_chain_storage(opt, pbytes, accq_i_chain_bytes_estimate_mf(product, product), bytes);
  *exact = (pol == NULL || product_is_exact(pol)) ? 1 : 0;
  if (*exact || product <= 1) {
    *exact = 1;
    return ACCQ_SUCCESS;
  }
  int64_t n = -1;
  int ex = 0;
  st = accq_chain_count_reachable(m, pol, buffer, opt->max_states, count_budget(opt), &n, &ex,
                                  err);
  if (st) return st;
  if (n < 0) return ACCQ_SUCCESS; /* no count: the product bound */
  int used[ACCQ_MAX_TYPES], nused = 0;
  for (int k = 0; k < m->ntypes; k++)
    if (accq_policy_uses_type(pol, k)) used[nused++] = m->scale * m->types[k].servers;
  *states = (double)n;
  *exact = ex ? 1 : -1;
  /* the bytes of the reachable states plus the rank -> index array over the
   * whole product space */
  accq_i_chain_storage(opt,
                       accq_i_chain_bytes_estimate((double)n, product, nused ? nused : 1,
                                                   nused ? used : (int[]){1}, buffer),
                       accq_i_chain_bytes_estimate_mf((double)n, product), bytes);
  return ACCQ_SUCCESS;
}

int accq_i_chain_check_size(const char *what, const char *policy, double product,
                            double bytes, const accq_chain_options_t *opt, accq_err_t *err) {
  double max_states = (double)opt->max_states;
  double max_bytes = opt->max_bytes > 0 ? opt->max_bytes : accq_i_default_max_bytes();
  if (product > max_states || bytes > max_bytes || product >= 2147483647.0)
    return accq_err_set(err, ACCQ_ETOOBIG,
                        "%s chain of policy '%s' has up to %.6g states (estimated %.3f GiB); "
                        "limits: %.6g states (--max-states), %.3f GiB of memory%s",
                        what, policy, product, bytes / GIB,
                        max_states < 2147483647.0 ? max_states : 2147483647.0,
                        max_bytes / GIB,
                        product >= 2147483647.0 ? " (and 2^31 states at most)" : "");
  return ACCQ_SUCCESS;
}

/* ---- CSR builder ---- */

int accq_i_builder_rates_init(accq_i_builder_t *b) {
  accq_generator_t *q = b->q;
  b->hslot = calloc(ACCQ_RATE_HASH, sizeof *b->hslot);
  q->rtab = malloc(ACCQ_RATE_TABLE_MAX * sizeof *q->rtab);
  q->ridx = malloc((size_t)(b->cap_nnz > 0 ? b->cap_nnz : 1) * sizeof *q->ridx);
  q->nrtab = 0;
  q->val = NULL;
  return b->hslot && q->rtab && q->ridx ? ACCQ_SUCCESS : ACCQ_ENOMEM;
}

int accq_i_builder_init(accq_i_builder_t *b, accq_generator_t *q, int64_t rows_hint,
                        int64_t nnz_hint) {
  memset(q, 0, sizeof *q);
  memset(b, 0, sizeof *b);
  b->q = q;
  b->cap_rows = rows_hint > 16 ? rows_hint : 16;
  b->cap_nnz = nnz_hint > 64 ? nnz_hint : 64;
  q->rowptr = malloc((size_t)(b->cap_rows + 1) * sizeof *q->rowptr);
  q->diag = malloc((size_t)b->cap_rows * sizeof *q->diag);
  q->col = malloc((size_t)b->cap_nnz * sizeof *q->col);
  if (!q->rowptr || !q->diag || !q->col) return ACCQ_ENOMEM;
  q->rowptr[0] = 0;
  return accq_i_builder_rates_init(b);
}

void accq_i_builder_free(accq_i_builder_t *b) {
  if (!b) return;
  free(b->hslot);
  b->hslot = NULL;
}

/* Too many distinct rates: one double per entry from now on. */
static int builder_to_val(accq_i_builder_t *b) {
  accq_generator_t *q = b->q;
  double *v = malloc((size_t)(b->cap_nnz > 0 ? b->cap_nnz : 1) * sizeof *v);
  if (!v) return ACCQ_ENOMEM;
  for (int64_t e = 0; e < q->nnz; e++) v[e] = q->rtab[q->ridx[e]];
  q->val = v;
  free(q->ridx);
  free(q->rtab);
  q->ridx = NULL;
  q->rtab = NULL;
  q->nrtab = 0;
  accq_i_builder_free(b);
  return ACCQ_SUCCESS;
}

/* Index of `rate` in the table (added when new); -1 when the table is full. */
static int rate_index(accq_i_builder_t *b, double rate) {
  accq_generator_t *q = b->q;
  uint64_t bits;
  memcpy(&bits, &rate, sizeof bits);
  uint64_t h = (bits * 0x9E3779B97F4A7C15ull) >> 47;   /* 17 bits = ACCQ_RATE_HASH */
  for (;; h = (h + 1) & (ACCQ_RATE_HASH - 1)) {
    int32_t s = b->hslot[h];
    if (!s) break;
    if (memcmp(&q->rtab[s - 1], &rate, sizeof rate) == 0) return s - 1;
  }
  if (q->nrtab >= ACCQ_RATE_TABLE_MAX) return -1;
  q->rtab[q->nrtab] = rate;
  b->hslot[h] = ++q->nrtab;
  return q->nrtab - 1;
}

/* Stores `rate` as entry p (in whichever form the builder is in). */
static int builder_put(accq_i_builder_t *b, int64_t p, double rate) {
  accq_generator_t *q = b->q;
  if (!q->val) {
    int ix = rate_index(b, rate);
    if (ix >= 0) {
      q->ridx[p] = (uint16_t)ix;
      return ACCQ_SUCCESS;
    }
    if (builder_to_val(b)) return ACCQ_ENOMEM;
  }
  q->val[p] = rate;
  return ACCQ_SUCCESS;
}

static int builder_grow(accq_i_builder_t *b, int64_t need_rows, int64_t need_nnz) {
  accq_generator_t *q = b->q;
  if (need_rows > b->cap_rows) {
    int64_t cap = b->cap_rows + b->cap_rows / 2;
    if (cap < need_rows) cap = need_rows;
    int64_t *rp = realloc(q->rowptr, (size_t)(cap + 1) * sizeof *rp);
    if (!rp) return ACCQ_ENOMEM;
    q->rowptr = rp;
    double *dg = realloc(q->diag, (size_t)cap * sizeof *dg);
    if (!dg) return ACCQ_ENOMEM;
    q->diag = dg;
    b->cap_rows = cap;
  }
  if (need_nnz > b->cap_nnz) {
    int64_t cap = b->cap_nnz + b->cap_nnz / 2;
    if (cap < need_nnz) cap = need_nnz;
    int32_t *cl = realloc(q->col, (size_t)cap * sizeof *cl);
    if (!cl) return ACCQ_ENOMEM;
    q->col = cl;
    if (q->val) {
      double *vl = realloc(q->val, (size_t)cap * sizeof *vl);
      if (!vl) return ACCQ_ENOMEM;
      q->val = vl;
    } else {
      uint16_t *ri = realloc(q->ridx, (size_t)cap * sizeof *ri);
      if (!ri) return ACCQ_ENOMEM;
      q->ridx = ri;
    }
    b->cap_nnz = cap;
  }
  return ACCQ_SUCCESS;
}

void accq_i_row_count(accq_chain_t *c, accq_i_entry_t *ent, int ne, int64_t row) {
  double sum;
  int mrow = accq_i_row_merge(ent, ne, row, &sum);
  c->Q.nnz += mrow;
  if (mrow > c->Q.max_row) c->Q.max_row = mrow;
  if (sum > c->Q.max_exit) c->Q.max_exit = sum;
}

int accq_i_row_merge(accq_i_entry_t *e, int ne, int64_t row, double *sum_out) {
  /* the kept entries and their sum, in the order given */
  int m = 0;
  double sum = 0;
  for (int i = 0; i < ne; i++) {
    if (e[i].col == row || !(e[i].rate > 0)) continue;
    sum += e[i].rate;
    e[m++] = e[i];
  }
  *sum_out = sum;
  ne = m;
  /* insertion sort (stable): rows hold a handful of entries */
  for (int i = 1; i < ne; i++) {
    accq_i_entry_t x = e[i];
    int j = i - 1;
    while (j >= 0 && e[j].col > x.col) {
      e[j + 1] = e[j];
      j--;
    }
    e[j + 1] = x;
  }
  /* merge equal columns (the rate kept is the merged sum) */
  m = 0;
  for (int i = 0; i < ne; i++) {
    if (m > 0 && e[m - 1].col == e[i].col) e[m - 1].rate += e[i].rate;
    else e[m++] = e[i];
  }
  return m;
}

int accq_i_chain_row(void *ctx, int64_t i, int sorted, int32_t *col, double *rate, double *diag) {
  struct accq_i_rows *r = ctx;
  int ne = 0;
  if (r->entries(r, i, r->ent, &ne)) return -1;
  double sum = 0;
  int m = 0;
  if (sorted != 1 && r->unique) { /* 0 or ACCQ_ROW_LOWER: the whole row, unsorted */
    /* accq_i_row_merge's sum without its sort (no column repeats) */
    for (int k = 0; k < ne; k++) {
      const accq_i_entry_t *e = &r->ent[k];
      if (e->col == i || !(e->rate > 0)) continue;
      sum += e->rate;
      col[m] = e->col;
      rate[m++] = e->rate;
    }
  } else {
    m = accq_i_row_merge(r->ent, ne, i, &sum);
    for (int k = 0; k < m; k++) {
      col[k] = r->ent[k].col;
      rate[k] = r->ent[k].rate;
    }
  }
  *diag = -sum;
  return m;
}

int accq_i_builder_add_row(accq_i_builder_t *b, accq_i_entry_t *e, int ne) {
  accq_generator_t *q = b->q;
  int64_t row = q->n;
  if (builder_grow(b, row + 1, q->nnz + ne)) return ACCQ_ENOMEM;
  double sum = 0;
  int m = accq_i_row_merge(e, ne, row, &sum);
  int64_t p = q->nnz;
  for (int i = 0; i < m; i++, p++) {
    q->col[p] = e[i].col;
    if (builder_put(b, p, e[i].rate)) return ACCQ_ENOMEM;
  }
  q->diag[row] = -sum;
  q->nnz = p;
  q->n = row + 1;
  q->rowptr[row + 1] = p;
  return ACCQ_SUCCESS;
}

/* The rate indices in 1 byte when the table has at most 256 rates (13 and 17
 * on the bench chains of 853,776 and 9,018,009 states): the 2-byte indices
 * are narrowed in place, byte e written once entry e (bytes 2e, 2e + 1) and
 * every earlier entry were read (e <= 2e; the bytes are written through
 * uint8_t, a character type, which may alias the uint16_t array), then the
 * array shrunk: no second array is allocated, so the build's peak does not
 * grow. */
static void builder_narrow_rates(accq_generator_t *q) {
  if (q->val || !q->ridx || q->nrtab > 256) return;
  uint8_t *r8 = (uint8_t *)q->ridx;
  for (int64_t e = 0; e < q->nnz; e++) {
    uint16_t v = q->ridx[e];
    r8[e] = (uint8_t)v;
  }
  uint8_t *r = realloc(r8, (size_t)(q->nnz > 0 ? q->nnz : 1));
  q->ridx8 = r ? r : r8;  /* a failed shrink keeps the larger block */
  q->ridx = NULL;
}

/* Distinct doubles (bit patterns compared, so -0.0 and every value are kept
 * exactly), each given the next 2-byte index: the diagonal tables of the
 * stored and the matrix-free chains. */
enum { VALUE_TABLE_SLOTS = 131072 }; /* a power of two >= 2 * 65536 */
typedef struct {
  int32_t *slot;
  double *tab;
  int32_t n, max;
} value_table_t;

static int value_table_init(value_table_t *t, int32_t max) {
  t->n = 0;
  t->max = max;
  t->slot = malloc(VALUE_TABLE_SLOTS * sizeof *t->slot);
  t->tab = malloc((size_t)max * sizeof *t->tab);
  if (t->slot) memset(t->slot, 0xff, VALUE_TABLE_SLOTS * sizeof *t->slot);
  return t->slot && t->tab ? 0 : -1;
}

/* d's index, new ones appended; -1 when the table is full. */
static int32_t value_table_index(value_table_t *t, double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  uint64_t h = (bits * 0x9E3779B97F4A7C15ull) >> 47; /* 17 bits: VALUE_TABLE_SLOTS */
  for (;; h = (h + 1) & (VALUE_TABLE_SLOTS - 1))
    if (t->slot[h] < 0 || memcmp(&t->tab[t->slot[h]], &d, sizeof d) == 0) break;
  if (t->slot[h] < 0) {
    if (t->n == t->max) return -1;
    t->tab[t->n] = d;
    t->slot[h] = t->n++;
  }
  return t->slot[h];
}

/* Frees the hash; the values (shrunk to their number) are the caller's. */
static double *value_table_finish(value_table_t *t) {
  free(t->slot);
  t->slot = NULL;
  double *v = realloc(t->tab, (size_t)(t->n > 0 ? t->n : 1) * sizeof *v);
  return v ? v : t->tab;
}

static void value_table_free(value_table_t *t) {
  free(t->slot);
  free(t->tab);
}

/* The diagonal as a 2-byte index into its distinct values (bit patterns
 * compared, so every value, -0.0 included, is kept exactly): sums of a few
 * rates, they take a few dozen values on the lumped chains (34 and 44 on the
 * bench chains above; lumped_diag_table does the same for the matrix-free
 * rows).  Over
 * ACCQ_DIAG_TABLE_MAX distinct values, or without memory, diag stays. */
#define ACCQ_DIAG_TABLE_MAX 65535
static void builder_diag_table(accq_generator_t *q) {
  if (!q->diag || q->n < 1) return;
  const int64_t n = q->n;
  value_table_t t;
  uint16_t *idx = malloc((size_t)n * sizeof *idx);
  int ok = value_table_init(&t, ACCQ_DIAG_TABLE_MAX) == 0 && idx;
  for (int64_t i = 0; i < n && ok; i++) {
    int32_t k = value_table_index(&t, q->diag[i]);
    if (k < 0) ok = 0;
    else idx[i] = (uint16_t)k;
  }
  if (!ok) {
    value_table_free(&t);
    free(idx);
    return;
  }
  q->ndtab = t.n;
  q->dtab = value_table_finish(&t);
  q->didx = idx;
  free(q->diag);
  q->diag = NULL;
}

void accq_i_builder_finish(accq_i_builder_t *b) {
  accq_generator_t *q = b->q;
  int64_t n = q->n > 0 ? q->n : 1, nnz = q->nnz > 0 ? q->nnz : 1;
  int64_t *rp = realloc(q->rowptr, (size_t)(n + 1) * sizeof *rp);
  if (rp) q->rowptr = rp;
  double *dg = realloc(q->diag, (size_t)n * sizeof *dg);
  if (dg) q->diag = dg;
  int32_t *cl = realloc(q->col, (size_t)nnz * sizeof *cl);
  if (cl) q->col = cl;
  if (q->val) {
    double *vl = realloc(q->val, (size_t)nnz * sizeof *vl);
    if (vl) q->val = vl;
  } else {
    uint16_t *ri = realloc(q->ridx, (size_t)nnz * sizeof *ri);
    if (ri) q->ridx = ri;
    double *rt = realloc(q->rtab, (size_t)(q->nrtab > 0 ? q->nrtab : 1) * sizeof *rt);
    if (rt) q->rtab = rt;
    builder_narrow_rates(q);
  }
  builder_diag_table(q);
  accq_i_builder_free(b);
}

double accq_i_generator_bytes(const accq_generator_t *q) {
  double n = (double)q->n, nnz = (double)q->nnz;
  double b = 8.0 * (n + 1.0) + 4.0 * nnz;                       /* rowptr, col */
  b += q->diag ? 8.0 * n : 2.0 * n + 8.0 * (double)q->ndtab;     /* diagonal */
  if (q->val) b += 8.0 * nnz;
  else b += (q->ridx8 ? 1.0 : 2.0) * nnz + 8.0 * (double)q->nrtab; /* rates */
  return b;
}

/* Frees what the builder allocates (declared in accq/chain.h). */
void accq_generator_free(accq_generator_t *q) {
  if (!q) return;
  int table = q->val == NULL, dtable = q->diag == NULL;
  free(q->rowptr);
  free(q->col);
  free(q->val);
  free(q->diag);
  /* The tables are only read when val (diag) is NULL, so a generator filled
   * by hand with val and diag set may leave them uninitialized. */
  if (table) {
    free(q->ridx);
    free(q->ridx8);
    free(q->rtab);
  }
  if (dtable) {
    free(q->didx);
    free(q->dtab);
  }
  q->ridx = NULL;
  q->ridx8 = NULL;
  q->rtab = NULL;
  q->nrtab = 0;
  q->didx = NULL;
  q->dtab = NULL;
  q->ndtab = 0;
  q->rowptr = NULL;
  q->col = NULL;
  q->val = NULL;
  q->diag = NULL;
  q->n = 0;
  q->nnz = 0;
}


/* ---- chain record ---- */

int accq_i_chain_new(accq_chain_t **out, accq_chain_kind_t kind, const accq_model_t *m,
                     int buffer, accq_err_t *err) {
  accq_chain_t *c;
  *out = NULL;
  if (!m) return accq_err_set(err, ACCQ_EINVAL, "chain: no model");
  if (buffer < 1) return accq_err_set(err, ACCQ_EINVAL, "chain: buffer must be >= 1 (got %d)", buffer);
  if (m->scale < 1) return accq_err_set(err, ACCQ_EINVAL, "chain: scale must be >= 1 (got %d)", m->scale);
  if (m->ntypes < 1 || m->ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "chain: model has %d types", m->ntypes);
  if (!(m->arrival_rate > 0) || !isfinite(m->arrival_rate))
    return accq_err_set(err, ACCQ_EINVAL,
                        "chain: arrival rate must be resolved and > 0 (got %g)", m->arrival_rate);
  c = calloc(1, sizeof *c);
  if (!c) return accq_err_set(err, ACCQ_ENOMEM, "chain: out of memory");
  c->kind = kind;
  c->model = *m;
  c->model.buffer = buffer;
  c->scale = m->scale;
  c->buffer = buffer;
  c->lambda = (double)m->scale * m->arrival_rate;
  c->nphases = 1;   /* Poisson; MMPP arrivals: set by phases.c */
  c->phase_rate[0] = c->lambda;
  c->phase_pi[0] = 1;
  for (int k = 0; k < m->ntypes; k++) {
    double nk = (double)m->scale * (double)m->types[k].servers;
    if (m->types[k].servers < 1 || nk > 1e9) {
      free(c);
      return accq_err_set(err, ACCQ_EINVAL, "chain: type '%s' has %g servers",
                          m->types[k].name, nk);
    }
    c->servers[k] = (int)nk;
  }
  *out = c;
  return ACCQ_SUCCESS;
}

void accq_chain_free(accq_chain_t *c) {
  if (!c) return;
  if (c->rows) c->rows->fini(c->rows);
  accq_space_free(c->space);
  free(c->state_key);
  accq_generator_free(&c->Q);
  free(c);
}

/* ---- rank -> index map ---- */

/* The build maps a target's rank to its state index.  Dense: an int32 array
 * over the whole rank space (4 bytes per product state, one memory access).
 * Compact, when the product space is much larger than the states that can be
 * reached (pop's slow types rarely queue: 3.2e4 states of 4.7e10 ranks on
 * tests/models/three-8-4-2.ini at m = 2, B = 6): an open-addressing hash of
 * the state indices, keyed through state_key[index] (the ranks are stored
 * there anyway), at most 2^k >= 2 x states slots of 4 bytes, i.e. 8-16 bytes
 * per reachable state.  The dense array is used when it is no larger than
 * four times the hash would be, as it costs one access instead of about two. */
typedef struct {
  int32_t *dense;
  int32_t *slot;
  uint64_t mask;
  const uint64_t *keys;
} rank_index_t;

/* Slots of the hash: the power of two >= 2 x states (at least 1024), as a
 * double (size estimates reach far beyond 2^64 states). */
static double rank_index_hash_slots(double states) {
  double cap = 1024.0;
  while (cap < 2.0 * states && cap < 1e300) cap *= 2.0;
  return cap;
}

/* Bytes of the map for `states` reachable states in a rank space of `product`. */
static double rank_index_bytes(double states, double product) {
  double hash = 4.0 * rank_index_hash_slots(states);
  return 4.0 * product <= 4.0 * hash ? 4.0 * product : hash;
}

static int rank_index_init(rank_index_t *ri, uint64_t product, uint64_t states, const uint64_t *keys) {
  memset(ri, 0, sizeof *ri);
  ri->keys = keys;
  uint64_t cap = (uint64_t)rank_index_hash_slots((double)states);   /* states < 2^31 here */
  if ((double)product <= 4.0 * (double)cap) {
    ri->dense = malloc((size_t)product * sizeof *ri->dense);
    if (!ri->dense) return ACCQ_ENOMEM;
    memset(ri->dense, 0xff, (size_t)product * sizeof *ri->dense);
    return ACCQ_SUCCESS;
  }
  ri->slot = malloc((size_t)cap * sizeof *ri->slot);
  if (!ri->slot) return ACCQ_ENOMEM;
  memset(ri->slot, 0xff, (size_t)cap * sizeof *ri->slot);
  ri->mask = cap - 1;
  return ACCQ_SUCCESS;
}

static void rank_index_free(rank_index_t *ri) {
  free(ri->dense);
  free(ri->slot);
  ri->dense = ri->slot = NULL;
}

static inline uint64_t rank_hash(const rank_index_t *ri, uint64_t rank) {
  return (rank * 0x9E3779B97F4A7C15ull >> 20) & ri->mask;
}

static inline void rank_index_prefetch(const rank_index_t *ri, uint64_t rank) {
  __builtin_prefetch(ri->dense ? ri->dense + rank : ri->slot + rank_hash(ri, rank));
}

/* The index of `rank`, or -1 with *pos the place to insert it. */
static inline int32_t rank_index_find(const rank_index_t *ri, uint64_t rank, uint64_t *pos) {
  if (ri->dense) {
    *pos = rank;
    return ri->dense[rank];
  }
  for (uint64_t h = rank_hash(ri, rank);; h = (h + 1) & ri->mask) {
    int32_t j = ri->slot[h];
    if (j < 0 || ri->keys[j] == rank) {
      *pos = h;
      return j;
    }
  }
}

static inline void rank_index_put(rank_index_t *ri, uint64_t pos, int32_t j) {
  if (ri->dense) ri->dense[pos] = j;
  else ri->slot[pos] = j;
}

/* ---- lumped build ---- */

/* Per-type neighbour tables: for every composition r of N_k (when the type's
 * space is small, the usual case) its counts and the sub-rank reached by an
 * arrival at or a departure from each level, so that a state's transitions
 * cost a division per type and table reads, with no unranking. */
#define TABLE_MAX_ENTRIES (1u << 23)

typedef struct {
  uint32_t *up;    /* size * L: sub-rank after one server q -> q+1 (q < B, c_q > 0) */
  uint32_t *down;  /* size * L: sub-rank after one server q -> q-1 (q >= 1, c_q > 0) */
  int *comp;       /* size * L: the counts */
} type_table_t;

static int table_build(const accq_space_t *sp, int k, type_table_t *t) {
  const int B = sp->buffer, L = B + 1;
  const uint64_t size = sp->size[k];
  t->comp = malloc((size_t)size * L * sizeof *t->comp);
  t->up = malloc((size_t)size * L * sizeof *t->up);
  t->down = malloc((size_t)size * L * sizeof *t->down);
  if (!t->comp || !t->up || !t->down) return ACCQ_ENOMEM;
  for (uint64_t r = 0; r < size; r++) {
    int *c = t->comp + (size_t)r * L;
    uint32_t *up = t->up + (size_t)r * L, *down = t->down + (size_t)r * L;
    accq_i_space_type_unrank(sp, k, r, c);
    int partial = 0, prev_bar = 0;
    for (int q = 0; q <= B; q++) {
      int bar = 0;
      if (q < B) {
        partial += c[q];
        bar = partial + q; /* b_q */
      }
      up[q] = down[q] = (uint32_t)r;
      if (q < B && c[q] > 0) up[q] = (uint32_t)(r + accq_i_binom(sp, k, bar - 1, q));
      if (q >= 1 && c[q] > 0) down[q] = (uint32_t)(r - accq_i_binom(sp, k, prev_bar, q - 1));
      prev_bar = bar;
    }
  }
  return ACCQ_SUCCESS;
}

static void table_free(type_table_t *t) {
  free(t->comp);
  free(t->up);
  free(t->down);
}

/* Allocates `want` elements of `size` bytes, settling for less (down to
 * `floor`) when the system refuses; returns the capacity obtained. */
static void *alloc_hint(int64_t want, int64_t floor, size_t size, int64_t *got) {
  if (floor > want) floor = want;
  for (int64_t n = want; n >= floor; n /= 2) {
    void *p = malloc((size_t)n * size);
    if (p) {
      *got = n;
      return p;
    }
    if (n == floor) break;
    if (n / 2 < floor) n = floor * 2;
  }
  *got = 0;
  return NULL;
}

/* ---- exact count of the reachable states ---- */

/* Breadth-first search from the empty system over the lumped rank space with a
 * visited bitmap (1 bit per product state) and a FIFO of ranks: the same
 * successors as the build (departures from every occupied level >= 1, the
 * arrivals the policy routes, level B a loss), without transitions, rates or
 * the rank -> index array.  Cost O(reachable * ntypes * (B+1)) time, product/8
 * bytes plus 8 per reachable state (the queue holds every rank visited). */
/* Type k's occupancy ck of sub-rank `sub`, and the sub-ranks after one of its
 * servers moves up from level q (up[q], q < B, where ck[q] > 0) or down from
 * level q (down[q], q >= 1): combinatorial rank arithmetic, no search.  Shared
 * by the reachable count and the build, which must agree state for state. */
static void neighbour_subranks(const accq_space_t *sp, int k, uint64_t sub, int B, int *ck,
                               uint64_t *up, uint64_t *down) {
  accq_i_space_type_unrank(sp, k, sub, ck);
  int partial = 0, prev_bar = 0;
  for (int q = 0; q <= B; q++) {
    int bar = 0;
    if (q < B) {
      partial += ck[q];
      bar = partial + q;
    }
    if (q < B && ck[q] > 0) up[q] = sub + accq_i_binom(sp, k, bar - 1, q);
    if (q >= 1 && ck[q] > 0) down[q] = sub - accq_i_binom(sp, k, prev_bar, q - 1);
    prev_bar = bar;
  }
}

int accq_chain_count_reachable(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                               int64_t max_count, double max_bytes, int64_t *count,
                               int *exact, accq_err_t *err) {
  const int K = m->ntypes, B = buffer, L = buffer + 1;
  int servers[ACCQ_MAX_TYPES], frozen[ACCQ_MAX_TYPES], top[ACCQ_MAX_TYPES];
  accq_space_t *sp = NULL;
  uint8_t *seen = NULL;
  uint64_t *queue = NULL;
  int *cnt = NULL;
  uint64_t *up = NULL, *down = NULL;
  accq_route_t *routes = NULL;
  int st;
  *count = -1;
  *exact = 0;
  if (K < 1 || K > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "reachable count: model has %d types", K);
  if (B < 1) return accq_err_set(err, ACCQ_EINVAL, "reachable count: buffer %d < 1", B);
  for (int k = 0; k < K; k++) {
    double nk = (double)m->scale * (double)m->types[k].servers;
    if (!(nk >= 1) || nk > 1e9)
      return accq_err_set(err, ACCQ_EINVAL, "reachable count: type '%s' has %g servers",
                          m->types[k].name, nk);
    servers[k] = (int)nk;
    frozen[k] = !accq_policy_uses_type(pol, k);
    top[k] = B;
  }
  st = accq_i_space_alloc_frozen(&sp, K, servers, B, frozen, NULL);
  if (st) return ACCQ_SUCCESS; /* rank space beyond 2^63: no count (*count = -1) */
  const uint64_t product = sp->total;
  if ((double)product / 8.0 > max_bytes) goto out; /* bitmap over budget: no count */
  seen = calloc((size_t)(product / 8 + 1), 1);
  if (!seen) goto out;
  size_t qcap = 1024, qlen = 0;
  queue = malloc(qcap * sizeof *queue);
  const int *rows_ptr[ACCQ_MAX_TYPES];
  accq_occ_t occ = {K, servers, rows_ptr, top, B};
  int max_routes = accq_policy_max_routes(pol, &occ);
  cnt = malloc((size_t)K * L * sizeof *cnt);
  up = malloc((size_t)K * L * sizeof *up);
  down = malloc((size_t)K * L * sizeof *down);
  routes = malloc((size_t)(max_routes > 0 ? max_routes : 1) * sizeof *routes);
  if (!queue || !cnt || !up || !down || !routes) goto out;
  for (int k = 0; k < K; k++) rows_ptr[k] = cnt + (size_t)k * L;
  queue[qlen++] = 0;
  seen[0] |= 1;
#define VISIT(t)                                                                        \
  do {                                                                                  \
    uint64_t t_ = (t);                                                                  \
    if (!(seen[t_ >> 3] & (1u << (t_ & 7)))) {                                          \
      seen[t_ >> 3] |= (uint8_t)(1u << (t_ & 7));                                       \
      if (qlen == qcap) {                                                               \
        if ((double)(qcap * 2) * 8.0 + (double)product / 8.0 > max_bytes) goto out;     \
        uint64_t *nq = realloc(queue, qcap * 2 * sizeof *nq);                           \
        if (!nq) goto out;                                                              \
        queue = nq;                                                                     \
        qcap *= 2;                                                                      \
      }                                                                                 \
      queue[qlen++] = t_;                                                               \
      if ((int64_t)qlen > max_count) goto over;                                         \
    }                                                                                   \
  } while (0)
  uint64_t sub[ACCQ_MAX_TYPES];
  for (size_t i = 0; i < qlen; i++) {
    const uint64_t rank = queue[i];
    uint64_t rest = rank;
    for (int k = K - 1; k >= 0; k--) {
      sub[k] = rest / sp->stride[k];
      rest -= sub[k] * sp->stride[k];
      int *ck = cnt + (size_t)k * L;
      if (frozen[k]) {
        ck[0] = servers[k];
        for (int q = 1; q <= B; q++) ck[q] = 0;
        continue;
      }
      neighbour_subranks(sp, k, sub[k], B, ck, up + (size_t)k * L, down + (size_t)k * L);
    }
    for (int k = 0; k < K; k++) {
      if (frozen[k]) continue;
      const int *ck = rows_ptr[k];
      for (int q = 1; q <= B; q++)
        if (ck[q]) VISIT(rank + (down[(size_t)k * L + q] - sub[k]) * sp->stride[k]);
    }
    int nr = 0;
    st = accq_policy_dispatch(pol, &occ, routes, max_routes, &nr);
    if (st) {
      st = accq_err_set(err, st, "reachable count: policy '%s' dispatch failed (status %d)",
                        accq_policy_name(pol), st);
      goto fail;
    }
    for (int r = 0; r < nr; r++) {
      const int k = routes[r].type;
      if (frozen[k]) {
        st = accq_err_set(err, ACCQ_EINVAL,
                          "reachable count: policy '%s' routed a job to type %d, which "
                          "accq_policy_uses_type declares unused",
                          accq_policy_name(pol), k);
        goto fail;
      }
      const int *ck = rows_ptr[k];
      const int any = routes[r].level == ACCQ_LEVEL_ANY;
      const int qlo = any ? 0 : routes[r].level;
      const int qhi = any ? B - 1 : routes[r].level;
      for (int q = qlo; q <= qhi && q < B; q++)
        if (ck[q]) VISIT(rank + (up[(size_t)k * L + q] - sub[k]) * sp->stride[k]);
    }
  }
#undef VISIT
  *count = (int64_t)qlen;
  *exact = 1;
  goto out;
over:
  *count = max_count + 1; /* more than max_count: a lower bound */
out:
  st = ACCQ_SUCCESS;
fail:
  free(seen);
  free(queue);
  free(cnt);
  free(up);
  free(down);
  free(routes);
  accq_space_free(sp);
  return st;
}

int accq_chain_build(accq_chain_t **out, const accq_model_t *m, const accq_policy_t *pol,
                     int buffer, const accq_chain_options_t *opt, accq_err_t *err) {
  if (m && m->arrivals.kind != ACCQ_ARRIVALS_POISSON) /* MMPP: phases.c */
    return accq_i_chain_build_phases(out, m, pol, buffer, ACCQ_CHAIN_LUMPED, opt, err);
  return accq_i_chain_build_lumped(out, m, pol, buffer, opt, TABLE_MAX_ENTRIES, err);
}

/* The per-type neighbour tables that fit in table_max_entries (summed over
 * the types); use_table[k] says which types have one.  -1: out of memory. */
static int lumped_tables(const accq_space_t *sp, const int *frozen, uint64_t table_max_entries,
                         type_table_t *tab, int *use_table) {
  uint64_t entries = 0, L = (uint64_t)sp->buffer + 1;
  for (int k = 0; k < sp->ntypes; k++) {
    uint64_t e = sp->size[k] * L;
    use_table[k] = !frozen[k] && sp->size[k] <= UINT32_MAX && entries + e <= table_max_entries;
    if (use_table[k]) {
      entries += e;
      if (table_build(sp, k, &tab[k])) return -1;
    }
  }
  return 0;
}

/* State keys, the rank map and the generator's arrays, sized for rows_cap
 * states up front: pages never touched cost nothing, and the final realloc
 * trims them. */
/* State keys, the rank map and (stored) the generator's arrays, sized for
 * rows_cap states up front: pages never touched cost nothing, and the final
 * realloc trims them. */
static int lumped_alloc(accq_chain_t *c, accq_i_builder_t *bld, rank_index_t *index, uint64_t rows_cap,
                        double nnz_row, int stored, accq_err_t *err) {
  c->state_key = malloc((size_t)rows_cap * sizeof *c->state_key);
  if (!c->state_key)
    return accq_err_set(err, ACCQ_ENOMEM, "lumped chain: no memory for %llu state keys",
                        (unsigned long long)rows_cap);
  if (rank_index_init(index, c->product_states, rows_cap, c->state_key))
    return accq_err_set(err, ACCQ_ENOMEM, "lumped chain: no memory for the rank map (%llu ranks, "
                        "%llu states)", (unsigned long long)c->product_states,
                        (unsigned long long)rows_cap);
  memset(&c->Q, 0, sizeof c->Q);
  if (!stored) return ACCQ_SUCCESS;
  int64_t nnz_hint = (int64_t)((double)rows_cap * nnz_row) + 16;
  bld->q = &c->Q;
  c->Q.rowptr = malloc((size_t)(rows_cap + 1) * sizeof *c->Q.rowptr);
  c->Q.diag = malloc((size_t)rows_cap * sizeof *c->Q.diag);
  c->Q.col = alloc_hint(nnz_hint, 1024, sizeof *c->Q.col, &bld->cap_nnz);
  bld->cap_rows = (int64_t)rows_cap;
  if (!c->Q.rowptr || !c->Q.diag || !c->Q.col || accq_i_builder_rates_init(bld))
    return accq_err_set(err, ACCQ_ENOMEM, "lumped chain: no memory for the generator");
  c->Q.rowptr[0] = 0;
  return ACCQ_SUCCESS;
}

/* The dispatch memo of the matrix-free rows.  A state's arrival routes
 * depend on its occupancy only, and the build dispatches every state once
 * anyway (lumped_discover): it keeps the distinct route lists (type, level,
 * prob; the same doubles the policy returned) and per state a 2-byte id into
 * them (1 byte when at most 256 lists), so that regenerating a row reads the
 * list instead of calling the policy (on the 853,776-state POP chain the
 * dispatch was a fifth of the matrix-free solve).  Past ROUTE_MEMO_MAX
 * distinct lists the memo is dropped and every row calls the policy, as
 * before (the same routes either way). */
#define ROUTE_MEMO_MAX 65536
#define ROUTE_MEMO_SLOTS (2 * ROUTE_MEMO_MAX)

typedef struct {
  int on;                 /* ids complete: rows read the memo */
  int64_t max;            /* most distinct lists kept (ROUTE_MEMO_MAX; tests lower it) */
  int failed;             /* too many lists (or no memory): no memo */
  uint16_t *id16;         /* per state (during the build; kept when > 256 lists) */
  uint8_t *id8;           /* per state when at most 256 lists */
  accq_route_t *list;     /* the lists, concatenated */
  uint32_t *off;          /* list l is list[off[l] .. off[l + 1]) */
  int32_t *slot;          /* hash of the lists during the build: id + 1, 0 empty */
  int64_t nlist, len, cap;
} route_memo_t;

static void route_memo_free(route_memo_t *m) {
  free(m->id16);
  free(m->id8);
  free(m->list);
  free(m->off);
  free(m->slot);
  memset(m, 0, sizeof *m);
}

static uint64_t route_list_hash(const accq_route_t *r, int nr) {
  uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)nr;
  for (int i = 0; i < nr; i++) {
    uint64_t p;
    memcpy(&p, &r[i].prob, sizeof p);
    h = (h ^ (uint64_t)(uint32_t)r[i].type) * 0x100000001b3ull;
    h = (h ^ (uint64_t)(uint32_t)r[i].level) * 0x100000001b3ull;
    h = (h ^ p) * 0x9E3779B97F4A7C15ull;
  }
  return h ^ (h >> 29);
}

static int route_list_equal(const accq_route_t *a, const accq_route_t *b, int n) {
  for (int i = 0; i < n; i++)
    if (a[i].type != b[i].type || a[i].level != b[i].level ||
        memcmp(&a[i].prob, &b[i].prob, sizeof a[i].prob) != 0)
      return 0;
  return 1;
}

/* Records state i's route list (the build visits every state once). */
static void route_memo_put(route_memo_t *m, int64_t i, const accq_route_t *r, int nr) {
  if (m->failed) return;
  uint64_t h = route_list_hash(r, nr) & (ROUTE_MEMO_SLOTS - 1);
  for (;; h = (h + 1) & (ROUTE_MEMO_SLOTS - 1)) {
    int32_t l = m->slot[h] - 1;
    if (l < 0) break;
    if ((int64_t)(m->off[l + 1] - m->off[l]) == nr && route_list_equal(m->list + m->off[l], r, nr)) {
      m->id16[i] = (uint16_t)l;
      return;
    }
  }
  if (m->nlist == m->max) {
    m->failed = 1;
    return;
  }
  if (m->len + nr > m->cap) {
    int64_t cap = 2 * (m->len + nr) + 64;
    accq_route_t *nl = realloc(m->list, (size_t)cap * sizeof *nl);
    if (!nl) {
      m->failed = 1;
      return;
    }
    m->list = nl;
    m->cap = cap;
  }
  if (nr > 0) memcpy(m->list + m->len, r, (size_t)nr * sizeof *r);
  m->len += nr;
  m->off[m->nlist + 1] = (uint32_t)m->len;
  m->slot[h] = (int32_t)(m->nlist + 1);
  m->id16[i] = (uint16_t)m->nlist++;
}

static int route_memo_init(route_memo_t *m, uint64_t rows_cap, int64_t max) {
  memset(m, 0, sizeof *m);
  m->max = max < ROUTE_MEMO_MAX ? max : ROUTE_MEMO_MAX;
  if (m->max < 1) {
    m->failed = 1;
    return 0;
  }
  m->id16 = malloc((size_t)(rows_cap > 0 ? rows_cap : 1) * sizeof *m->id16);
  m->off = malloc((ROUTE_MEMO_MAX + 1) * sizeof *m->off);
  m->slot = calloc(ROUTE_MEMO_SLOTS, sizeof *m->slot);
  if (!m->id16 || !m->off || !m->slot) {
    route_memo_free(m);
    m->failed = 1;
    return -1;
  }
  m->off[0] = 0;
  return 0;
}

/* After the build: drops the hash, narrows the ids to a byte when they fit
 * (or drops the memo when it failed). */
static void route_memo_finish(route_memo_t *m, int64_t n) {
  free(m->slot);
  m->slot = NULL;
  if (m->failed) {
    route_memo_free(m);
    m->failed = 1;
    return;
  }
  if (m->nlist <= 256) {
    m->id8 = malloc((size_t)(n > 0 ? n : 1));
    if (m->id8) {
      for (int64_t i = 0; i < n; i++) m->id8[i] = (uint8_t)m->id16[i];
      free(m->id16);
      m->id16 = NULL;
    }
  } else {
    uint16_t *t = realloc(m->id16, (size_t)(n > 0 ? n : 1) * sizeof *t);
    if (t) m->id16 = t;
  }
  m->on = 1;
}

/* State i's memoized route list: *nr routes. */
static inline const accq_route_t *route_memo_get(const route_memo_t *m, int64_t i, int *nr) {
  uint32_t l = m->id8 ? m->id8[i] : m->id16[i];
  *nr = (int)(m->off[l + 1] - m->off[l]);
  return m->list + m->off[l];
}

/* Matrix-free: per type and sub-rank s, its transitions as compact lists
 * (lumped_mf_row reads them with no branch per level): the departures, in
 * level order, as rank offsets and their rates c_q mu_k (the product
 * lumped_entries computes, hence the same bits), and the levels q < B with
 * c_q > 0 (where a route to any server of the type can land) with the rank
 * offset of an arrival there. */
typedef struct {
  uint16_t *nd, *na;   /* size: the counts */
  int64_t *dd, *ad;    /* size * B: rank offsets */
  double *dr;          /* size * B: departure rates */
  uint16_t *aq;        /* size * B: the levels */
} type_rows_t;

static void type_rows_free(type_rows_t *t) {
  free(t->nd);
  free(t->na);
  free(t->dd);
  free(t->ad);
  free(t->dr);
  free(t->aq);
  memset(t, 0, sizeof *t);
}

/* What generating one state's row needs: the space, the per-type tables (or
 * scratch space for unranking), the occupancy view handed to the policy, the
 * rank -> index map.  The stored build uses it once per state; the
 * matrix-free storage keeps it with the chain (c->rows, base first) and
 * regenerates rows from it in every sweep. */
typedef struct {
  struct accq_i_rows base;
  const accq_space_t *sp;
  const accq_chain_t *c;
  const accq_policy_t *pol;
  int K, B, L;
  int use_table[ACCQ_MAX_TYPES], frozen[ACCQ_MAX_TYPES], top[ACCQ_MAX_TYPES];
  type_table_t tab[ACCQ_MAX_TYPES];
  int *count;
  uint64_t *scratch_up, *scratch_down;
  const int *rows_ptr[ACCQ_MAX_TYPES];   /* occ.count: the rows of the current state */
  accq_occ_t occ;
  accq_route_t *routes;
  int max_routes;
  rank_index_t index;
  uint64_t *tgt;
  double *rraw;                /* max_ent: lumped_mf_row's raw rates (before the filter) */
  double mu[ACCQ_MAX_TYPES];
  uint64_t sub[ACCQ_MAX_TYPES];
  int last_nr;                 /* routes of the last dispatch (x->routes) */
  route_memo_t memo;
  int fast;                    /* every used type has its table: lumped_mf_row's path */
  int ranked;                  /* state i is rank i: no rank map (lumped_rank_order) */
  type_rows_t trows[ACCQ_MAX_TYPES];
  uint16_t *did;               /* per state (by rank): its diagonal's index in dtab */
  double *dtab;                /* the distinct diagonals (lumped_diag_table) */
  int64_t ndiag;
  int64_t cur_i;               /* numbered by rank: the last row's state and its */
  uint64_t cur_sub[ACCQ_MAX_TYPES]; /* sub-ranks (the sweeps step by +-1) */
} lumped_ctx_t;

static void lumped_ctx_free(lumped_ctx_t *x) {
  if (!x) return;
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) table_free(&x->tab[k]);
  rank_index_free(&x->index);
  free(x->base.ent);
  free(x->tgt);
  free(x->rraw);
  free(x->routes);
  free(x->count);
  free(x->scratch_up);
  free(x->scratch_down);
  route_memo_free(&x->memo);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) type_rows_free(&x->trows[k]);
  free(x->did);
  free(x->dtab);
  free(x);
}

/* Matrix-free: the compositions belong to the space (accq_chain_free). */
static void lumped_rows_fini(struct accq_i_rows *r) {
  lumped_ctx_t *x = (lumped_ctx_t *)r;
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) x->tab[k].comp = NULL;
  lumped_ctx_free(x);
}

/* Points the occupancy view at state `rank`: per type its sub-rank and
 * counts (a table row, or unranked into `count`). */
static void lumped_view(lumped_ctx_t *x, uint64_t rank) {
  const int L = x->L, B = x->B;
  uint64_t rest = rank;
  for (int k = x->K - 1; k >= 0; k--) {
    x->sub[k] = rest / x->sp->stride[k];
    rest -= x->sub[k] * x->sp->stride[k];
    int *ck = x->count + (size_t)k * L;
    if (x->use_table[k]) {
      x->rows_ptr[k] = x->tab[k].comp + (size_t)x->sub[k] * L;
    } else if (x->frozen[k]) {
      ck[0] = x->c->servers[k];
      for (int q = 1; q <= B; q++) ck[q] = 0;
      x->rows_ptr[k] = ck;
    } else {
      neighbour_subranks(x->sp, k, x->sub[k], B, ck, x->scratch_up + (size_t)k * L,
                         x->scratch_down + (size_t)k * L);
      x->rows_ptr[k] = ck;
    }
  }
}

/* Type k's sub-rank after one server moves up from / down from level q. */
static inline uint64_t lumped_up(const lumped_ctx_t *x, int k, int q) {
  return x->use_table[k] ? (uint64_t)x->tab[k].up[(size_t)x->sub[k] * x->L + q]
                         : x->scratch_up[(size_t)k * x->L + q];
}
static inline uint64_t lumped_down(const lumped_ctx_t *x, int k, int q) {
  return x->use_table[k] ? (uint64_t)x->tab[k].down[(size_t)x->sub[k] * x->L + q]
                         : x->scratch_down[(size_t)k * x->L + q];
}

/* The transitions out of the viewed state `rank`: target ranks into tgt
 * (their map entries prefetched) and rates into ent; *ne of them. */
static int lumped_entries(lumped_ctx_t *x, int64_t i, uint64_t rank, uint64_t *tgt,
                          accq_i_entry_t *ent, int *ne_out, accq_err_t *err) {
  const int K = x->K, B = x->B;
  const accq_space_t *sp = x->sp;
  int ne = 0;
  /* departures: a type-k server at level q >= 1 finishes at rate c[k][q] mu_k */
  for (int k = 0; k < K; k++) {
    const int *ck = x->rows_ptr[k];
    for (int q = 1; q <= B; q++) {
      if (!ck[q]) continue;
      tgt[ne] = rank + (lumped_down(x, k, q) - x->sub[k]) * sp->stride[k];
      if (!x->ranked) rank_index_prefetch(&x->index, tgt[ne]);
      ent[ne].rate = ck[q] * x->mu[k];
      ne++;
    }
  }
  /* arrivals routed to (k, q) with probability r: rate Lambda r, lost at q = B;
   * two routes to the same (k, q) (same target) are merged here, in the
   * order given, so that no row repeats a column (the matrix-free rows skip
   * the merge) */
  const int ndep = ne;
  int nr = 0;
  const accq_route_t *routes = x->routes;
  if (x->memo.on) { /* state i's routes as the build's dispatch gave them */
    routes = route_memo_get(&x->memo, i, &nr);
  } else {
    int st = accq_policy_dispatch(x->pol, &x->occ, x->routes, x->max_routes, &nr);
    if (st)
      return accq_err_set(err, st, "lumped chain: policy '%s' dispatch failed (status %d)",
                          accq_policy_name(x->pol), st);
  }
  x->last_nr = nr;
  for (int r = 0; r < nr; r++) {
    const accq_route_t *rt = &routes[r];
    const int k = rt->type;
    const int *ck = x->rows_ptr[k];
    if (x->frozen[k])
      return accq_err_set(err, ACCQ_EINVAL,
                          "lumped chain: policy '%s' routed a job to type %d, which "
                          "accq_policy_uses_type declares unused",
                          accq_policy_name(x->pol), k);
    const int any = rt->level == ACCQ_LEVEL_ANY;
    const int qlo = any ? 0 : rt->level;
    const int qhi = any ? B - 1 : rt->level; /* level B is a loss */
    const double lambda = x->c->lambda;
    const double base = any ? lambda * rt->prob / x->c->servers[k] : lambda * rt->prob;
    for (int q = qlo; q <= qhi && q < B; q++) {
      if (!ck[q]) continue;
      const uint64_t t = rank + (lumped_up(x, k, q) - x->sub[k]) * sp->stride[k];
      const double rate = any ? base * ck[q] : base;
      int dup = -1;
      for (int e = ndep; e < ne && dup < 0; e++)
        if (tgt[e] == t) dup = e;
      if (dup >= 0) {
        ent[dup].rate += rate;
        continue;
      }
      tgt[ne] = t;
      if (!x->ranked) rank_index_prefetch(&x->index, t);
      ent[ne].rate = rate;
      ne++;
    }
  }
  *ne_out = ne;
  return ACCQ_SUCCESS;
}

/* Maps a row's target ranks to state indices, discovering new states in BFS
 * order (the map entries were prefetched as the targets were computed: these
 * lookups are the build's main cache misses). */
static int lumped_map_targets(accq_chain_t *c, rank_index_t *index, const uint64_t *tgt,
                              accq_i_entry_t *ent, int ne, uint64_t rows_cap, accq_err_t *err) {
  for (int e = 0; e < ne; e++) {
    uint64_t pos;
    int32_t j = rank_index_find(index, tgt[e], &pos);
    if (j < 0) {
      if ((uint64_t)c->nstates >= rows_cap) /* the count and the build disagree */
        return accq_err_set(err, ACCQ_EINVAL, "lumped chain: more states reached than the %llu counted",
                            (unsigned long long)rows_cap);
      j = (int32_t)c->nstates;
      c->state_key[c->nstates++] = tgt[e];
      rank_index_put(index, pos, j);
    }
    ent[e].col = j;
  }
  return ACCQ_SUCCESS;
}


/* Matrix-free: the raw transitions of state i (its rank from the keys, the
 * targets mapped through the rank map, where every one is found). */
static int lumped_mf_entries(struct accq_i_rows *r, int64_t i, accq_i_entry_t *ent, int *ne) {
  lumped_ctx_t *x = (lumped_ctx_t *)r;
  const uint64_t rank = x->c->state_key[i];
  lumped_view(x, rank);
  if (lumped_entries(x, i, rank, x->tgt, ent, ne, NULL)) return -1;
  for (int e = 0; e < *ne; e++) {
    uint64_t pos;
    int32_t j = x->ranked ? (int32_t)x->tgt[e] : rank_index_find(&x->index, x->tgt[e], &pos);
    if (j < 0) return -1;
    ent[e].col = j;
  }
  return 0;
}

/* The per-type lists of every used type (all have tables), 26 bytes per
 * composition and level: -1 when they would be over TYPE_ROWS_MAX entries
 * (size * B summed over the types; the row generator then takes the general
 * path) or there is no memory. */
#define TYPE_ROWS_MAX (1u << 21)

static int lumped_type_rows(lumped_ctx_t *x) {
  const int B = x->B, L = x->L;
  uint64_t entries = 0;
  for (int k = 0; k < x->K; k++)
    if (!x->frozen[k]) entries += x->sp->size[k] * (uint64_t)B;
  if (entries > TYPE_ROWS_MAX) return -1;
  for (int k = 0; k < x->K; k++) {
    if (x->frozen[k]) continue;
    type_rows_t *t = &x->trows[k];
    const uint64_t size = x->sp->size[k];
    const int64_t stride = (int64_t)x->sp->stride[k];
    t->nd = malloc((size_t)size * sizeof *t->nd);
    t->na = malloc((size_t)size * sizeof *t->na);
    t->dd = malloc((size_t)size * B * sizeof *t->dd);
    t->ad = malloc((size_t)size * B * sizeof *t->ad);
    t->dr = malloc((size_t)size * B * sizeof *t->dr);
    t->aq = malloc((size_t)size * B * sizeof *t->aq);
    if (!t->nd || !t->na || !t->dd || !t->ad || !t->dr || !t->aq) return -1;
    for (uint64_t r = 0; r < size; r++) {
      const int *ck = x->tab[k].comp + (size_t)r * L;
      const uint32_t *up = x->tab[k].up + (size_t)r * L, *dn = x->tab[k].down + (size_t)r * L;
      const size_t o = (size_t)r * B;
      int nd = 0, na = 0;
      for (int q = 1; q <= B; q++) {
        if (!ck[q]) continue;
        t->dd[o + nd] = ((int64_t)dn[q] - (int64_t)r) * stride;
        t->dr[o + nd] = ck[q] * x->mu[k];
        nd++;
      }
      for (int q = 0; q < B; q++) {
        if (!ck[q]) continue;
        t->aq[o + na] = (uint16_t)q;
        t->ad[o + na] = ((int64_t)up[q] - (int64_t)r) * stride;
        na++;
      }
      t->nd[r] = (uint16_t)nd;
      t->na[r] = (uint16_t)na;
    }
  }
  return 0;
}

/* The matrix-free row callback (accq_generator_t.row).  Sorted rows, or a
 * chain with a type unranked per state or without the route memo, go
 * through accq_i_chain_row (lumped_entries' entries, merged).  Otherwise the
 * unsorted row is written straight into col/rate: lumped_entries' loops and
 * arithmetic (departures by type and level, then arrivals by route, a
 * repeated arrival target merged into its first occurrence in the same
 * order), the routes from the memo, then the same filter and sum as
 * accq_i_chain_row's unsorted path: the same entries, rates and diagonal bit
 * for bit, without the entry records, the copy or the policy call. */
static int lumped_mf_row(void *ctx, int64_t i, int sorted, int32_t *col, double *rate, double *diag) {
  lumped_ctx_t *x = ctx;
  if (sorted == 1 || !x->fast) return accq_i_chain_row(ctx, i, sorted, col, rate, diag);
  const int K = x->K, B = x->B, L = x->L;
  const accq_space_t *sp = x->sp;
  const int ranked = x->ranked;
  const uint64_t rank = ranked ? (uint64_t)i : x->c->state_key[i];
  uint64_t *tgt = x->tgt;
  double *rw = x->rraw; /* the caller's rate holds max_row, the kept entries only */
  const int *ckp[ACCQ_MAX_TYPES];
  const uint32_t *upp[ACCQ_MAX_TYPES];
  uint64_t *sub = x->cur_sub;
  if (ranked && i == x->cur_i + 1) {
    /* the next rank: the mixed-radix digits counted up (a sweep's step) */
    for (int k = 0; k < K && ++sub[k] == sp->size[k]; k++) sub[k] = 0;
  } else if (ranked && i == x->cur_i - 1) {
    for (int k = 0; k < K && sub[k]-- == 0; k++) sub[k] = sp->size[k] - 1;
  } else if (i != x->cur_i || !ranked) {
    uint64_t rest = rank;
    for (int k = K - 1; k >= 0; k--) {
      const uint64_t stride = sp->stride[k];
      /* a 32-bit division where the rank fits (a fraction of a 64-bit
       * one's latency on older cores) */
      sub[k] = stride == 1 ? rest
               : rest <= UINT32_MAX ? (uint64_t)((uint32_t)rest / (uint32_t)stride)
                                    : rest / stride;
      rest -= sub[k] * stride;
    }
  }
  x->cur_i = i;
  /* the sweeps' half rows, numbered by rank with the diagonal table */
  const int part = ranked && x->did && (sorted == ACCQ_ROW_LOWER || sorted == ACCQ_ROW_UPPER);
  const int no_dep = part && sorted == ACCQ_ROW_UPPER;
  int ne = 0;
  for (int k = 0; k < K; k++) {
    if (x->frozen[k]) continue;
    const type_rows_t *tr = &x->trows[k];
    const size_t s = (size_t)sub[k], o = s * B;
    ckp[k] = x->tab[k].comp + s * L;
    upp[k] = x->tab[k].up + s * L;
    const int nd = no_dep ? 0 : tr->nd[s];
    const int64_t *dd = tr->dd + o;
    const double *dr = tr->dr + o;
    for (int e = 0; e < nd; e++) {
      const uint64_t t = rank + (uint64_t)dd[e];
      if (!ranked) rank_index_prefetch(&x->index, t);
      tgt[ne] = t;
      rw[ne] = dr[e];
      ne++;
    }
  }
  if (part && sorted == ACCQ_ROW_LOWER) {
    /* below the diagonal: the departures (they lower a sub-rank, hence the
     * rank), in their order; the diagonal from the table */
    int m = 0;
    for (int e = 0; e < ne; e++) {
      if (!(rw[e] > 0)) continue;
      col[m] = (int32_t)tgt[e];
      rate[m++] = rw[e];
    }
    *diag = x->dtab[x->did[i]];
    return m;
  }
  const int ndep = ne;
  int nr = 0;
  const accq_route_t *routes = route_memo_get(&x->memo, i, &nr);
  const double lambda = x->c->lambda;
  for (int r = 0; r < nr; r++) {
    const accq_route_t *rt = &routes[r];
    const int k = rt->type;
    const int *ck = ckp[k];
    const uint32_t *up = upp[k];
    const uint64_t stride = sp->stride[k];
    const int any = rt->level == ACCQ_LEVEL_ANY;
    const double base = any ? lambda * rt->prob / x->c->servers[k] : lambda * rt->prob;
    /* the levels lumped_entries visits: every q < B with c_q > 0 (any),
     * or the route's own level (level B is a loss) */
    const type_rows_t *tr = &x->trows[k];
    const size_t o = (size_t)sub[k] * B;
    const int n_q = any ? tr->na[sub[k]] : (rt->level < B && ck[rt->level] ? 1 : 0);
    for (int h = 0; h < n_q; h++) {
      const int q = any ? tr->aq[o + h] : rt->level;
      const uint64_t t = any ? rank + (uint64_t)tr->ad[o + h] : rank + (up[q] - sub[k]) * stride;
      const double rt_q = any ? base * ck[q] : base;
      int dup = -1;
      for (int e = ndep; e < ne && dup < 0; e++)
        if (tgt[e] == t) dup = e;
      if (dup >= 0) {
        rw[dup] += rt_q;
        continue;
      }
      if (!ranked) rank_index_prefetch(&x->index, t);
      tgt[ne] = t;
      rw[ne] = rt_q;
      ne++;
    }
  }
  double sum = 0;
  int m = 0;
  for (int e = 0; e < ne; e++) {
    uint64_t pos;
    const int32_t j = ranked ? (int32_t)tgt[e] : rank_index_find(&x->index, tgt[e], &pos);
    if (j < 0) return -1;
    if (j == i || !(rw[e] > 0)) continue;
    sum += rw[e];
    col[m] = j;
    rate[m++] = rw[e];
  }
  *diag = part ? x->dtab[x->did[i]] : -sum;
  return m;
}

/* Matrix-free rows numbered by rank: the diagonal of every state (as
 * lumped_mf_row sums it) as a 2-byte index into a table of the distinct
 * values (sums of a few c mu_k and Lambda-fraction rates: 34 and 44 on the
 * bench chains of 853,776 and 9,018,009 states), so that the sweeps' half rows (ACCQ_ROW_LOWER: departures
 * only, ACCQ_ROW_UPPER: arrivals only) come with their diagonal.  Over 65,536
 * distinct values (or no memory), no table: the half rows are whole rows. */
static void lumped_diag_table(accq_chain_t *c, lumped_ctx_t *x) {
  const int64_t n = c->nstates;
  int32_t *col = malloc((size_t)(c->Q.max_row + 1) * sizeof *col);
  double *rate = malloc((size_t)(c->Q.max_row + 1) * sizeof *rate);
  uint16_t *did = malloc((size_t)(n > 0 ? n : 1) * sizeof *did);
  value_table_t t;
  int ok = value_table_init(&t, 65536) == 0 && col && rate && did;
  x->did = NULL; /* lumped_mf_row computes whole rows meanwhile */
  x->ndiag = 0;
  for (int64_t i = 0; i < n && ok; i++) {
    double d;
    int32_t k = lumped_mf_row(x, i, 0, col, rate, &d) < 0 ? -1 : value_table_index(&t, d);
    if (k < 0) ok = 0;
    else did[i] = (uint16_t)k;
  }
  free(col);
  free(rate);
  if (ok) {
    x->did = did;
    x->ndiag = t.n;
    x->dtab = value_table_finish(&t);
  } else {
    free(did);
    value_table_free(&t);
  }
}

/* Matrix-free, when every product state was reached (the policy's exact
 * product count, or the build found as many states as ranks): renumbers the
 * states by rank, state i = rank i.  The rank -> index map goes (4 bytes per
 * state, and its lookups were the rows' main cache misses: a quarter of the
 * row generator on the 853,776-state chain), targets are rank arithmetic and
 * the sweeps walk the ranks in order.  The breadth-first numbering of the
 * stored build differs, but both orders put every arrival's target after
 * its source and every departure's before (an arrival raises a type's
 * sub-rank, a departure lowers it; breadth-first layers follow the job
 * count): the same "consistent ordering" for Gauss-Seidel, whose iterates
 * are then the same in exact arithmetic; only the order of the sums
 * differs, so the solves agree to rounding (docs/chains.md, "Storage").
 * The memo's ids are permuted to follow.  No memory for that: the
 * breadth-first numbering stays. */
static void lumped_rank_order(accq_chain_t *c, lumped_ctx_t *x) {
  const int64_t n = c->nstates;
  if (!x->memo.failed) {
    uint16_t *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    if (!p) return;
    for (int64_t i = 0; i < n; i++) p[c->state_key[i]] = x->memo.id16[i];
    free(x->memo.id16);
    x->memo.id16 = p;
  }
  for (int64_t i = 0; i < n; i++) c->state_key[i] = (uint64_t)i;
  rank_index_free(&x->index);
  x->ranked = 1;
}

/* The size decision of the lumped build: refuses (ACCQ_ETOOBIG, the figures
 * in err) a chain over the state or memory limits, else sets *rows_cap (the
 * capacity of the state arrays: the product count, or the reachable count
 * when that had to be counted), *nnz_row (transitions per row, a bound) and
 * *storage (opt's, or for auto stored when it fits the memory limit, else
 * matrix-free). */
static int lumped_size(accq_chain_t *c, const accq_model_t *m, const accq_policy_t *pol,
                       const int *frozen, const accq_chain_options_t *opt, uint64_t *rows_cap,
                       double *nnz_row, accq_storage_t *storage, accq_err_t *err) {
  const int K = m->ntypes, B = c->buffer, L = B + 1;
  double product = (double)c->product_states, bytes;
  *storage = accq_i_chain_storage(opt, accq_i_chain_bytes_estimate(product, product, K, c->servers, B),
                                  accq_i_chain_bytes_estimate_mf(product, product), &bytes);
  accq_err_t perr;
  *rows_cap = c->product_states;
  int st = accq_i_chain_check_size("lumped", accq_policy_name(pol), product, bytes, opt, &perr);
  if (st == ACCQ_ETOOBIG && !product_is_exact(pol)) {
    /* The product bound does not fit: count the reachable states (the
     * arrays of states are then sized by the count, and so is the rank map
     * when it is hashed). */
    int64_t n = -1;
    int ex = 0;
    st = accq_chain_count_reachable(m, pol, B, opt->max_states, count_budget(opt), &n, &ex, err);
    if (st) return st;
    /* no count (its bitmap did not fit): the product bound stands, refused */
    st = ACCQ_ETOOBIG;
    if (n > 0) {
      *storage = accq_i_chain_storage(
          opt, accq_i_chain_bytes_estimate((double)n, product, K, c->servers, B),
          accq_i_chain_bytes_estimate_mf((double)n, product), &bytes);
      st = accq_i_chain_check_size("lumped", accq_policy_name(pol), (double)n, bytes, opt, &perr);
      if (st == ACCQ_ETOOBIG) {
        double max_bytes = opt->max_bytes > 0 ? opt->max_bytes : accq_i_default_max_bytes();
        accq_err_set(&perr, ACCQ_ETOOBIG,
                     "lumped chain of policy '%s' has %s%.6g reachable states%s (product "
                     "bound %.6g), estimated %s%.3f GiB with the rank map (%s storage); "
                     "limits: %.6g states (--max-states), %.3f GiB of memory",
                     accq_policy_name(pol), ex ? "" : "more than ",
                     ex ? (double)n : (double)(n - 1), ex ? " (exact count)" : "", product,
                     ex ? "" : "at least ", bytes / GIB, accq_storage_name(*storage),
                     (double)opt->max_states, max_bytes / GIB);
      }
      if (!st) *rows_cap = (uint64_t)n;
    }
  }
  if (st) {
    if (err) *err = perr;
    return st;
  }
  *nnz_row = 0;
  for (int k = 0; k < K; k++) {
    if (frozen[k]) continue;
    double levels = c->servers[k] < L ? c->servers[k] : L;
    *nnz_row += (levels < B ? levels : B) + levels;
  }
  return ACCQ_SUCCESS;
}

/* The row generator's context: tables, occupancy view, scratch, rank map. */
static int lumped_ctx_alloc(lumped_ctx_t **out, accq_chain_t *c, const accq_model_t *m,
                            const accq_policy_t *pol, const int *frozen,
                            uint64_t table_max_entries, accq_err_t *err) {
  const int K = m->ntypes, B = c->buffer, L = B + 1;
  lumped_ctx_t *x = calloc(1, sizeof *x);
  *out = x;
  if (!x) return accq_err_set(err, ACCQ_ENOMEM, "lumped chain: out of memory");
  x->sp = c->space;
  x->c = c;
  x->pol = pol;
  x->K = K;
  x->B = B;
  x->L = L;
  x->cur_i = -2; /* no row yet */
  for (int k = 0; k < K; k++) {
    x->frozen[k] = frozen[k];
    x->top[k] = B;
    x->mu[k] = m->types[k].rate;
  }
  if (lumped_tables(c->space, frozen, table_max_entries, x->tab, x->use_table))
    return accq_err_set(err, ACCQ_ENOMEM, "lumped chain: out of memory for type tables");
  /* Occupancy view of the current state: rows point into the type tables or
   * into `count` (types without a table are unranked per state). */
  x->count = malloc((size_t)K * L * sizeof *x->count);
  x->scratch_up = malloc((size_t)K * L * sizeof *x->scratch_up);
  x->scratch_down = malloc((size_t)K * L * sizeof *x->scratch_down);
  x->occ = (accq_occ_t){.ntypes = K, .servers = c->servers, .count = x->rows_ptr, .top = x->top,
                        .buffer = B};
  x->max_routes = accq_policy_max_routes(pol, &x->occ);
  x->base.max_ent = x->max_routes * L + K * L + 8;
  x->routes = malloc((size_t)(x->max_routes > 0 ? x->max_routes : 1) * sizeof *x->routes);
  x->base.ent = malloc((size_t)x->base.max_ent * sizeof *x->base.ent);
  x->tgt = malloc((size_t)x->base.max_ent * sizeof *x->tgt);
  x->rraw = malloc((size_t)x->base.max_ent * sizeof *x->rraw);
  if (!x->count || !x->scratch_up || !x->scratch_down || !x->routes || !x->base.ent || !x->tgt ||
      !x->rraw)
    return accq_err_set(err, ACCQ_ENOMEM, "lumped chain: out of memory");
  x->base.entries = lumped_mf_entries;
  x->base.unique = 1;   /* lumped_entries merges repeated arrival targets */
  x->base.fini = lumped_rows_fini;
  return ACCQ_SUCCESS;
}

/* Breadth-first discovery from the empty system (rank 0): every state's row
 * is generated once (lumped_entries), its targets mapped (new ones appended
 * to the keys), and the row stored (bld) or, matrix-free, only counted:
 * Q.nnz, max_row and max_exit. */
static int lumped_discover(accq_chain_t *c, lumped_ctx_t *x, accq_i_builder_t *bld, int stored,
                           uint64_t rows_cap, accq_err_t *err) {
  accq_i_entry_t *ent = x->base.ent;
  c->state_key[0] = 0;
  uint64_t pos;
  (void)rank_index_find(&x->index, 0, &pos);
  rank_index_put(&x->index, pos, 0);
  c->nstates = 1;
  for (int64_t i = 0; i < c->nstates; i++) {
    const uint64_t rank = c->state_key[i];
    lumped_view(x, rank);
    int ne = 0;
    int st = lumped_entries(x, i, rank, x->tgt, ent, &ne, err);
    if (st) return st;
    st = lumped_map_targets(c, &x->index, x->tgt, ent, ne, rows_cap, err);
    if (st) return st;
    if (stored) {
      if (accq_i_builder_add_row(bld, ent, ne))
        return accq_err_set(err, ACCQ_ENOMEM, "lumped chain: out of memory at %lld states",
                            (long long)c->nstates);
      continue;
    }
    route_memo_put(&x->memo, i, x->routes, x->last_nr);
    accq_i_row_count(c, ent, ne, i);
  }
  return ACCQ_SUCCESS;
}

int accq_i_chain_build_lumped(accq_chain_t **out, const accq_model_t *m,
                              const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, uint64_t table_max_entries,
                              accq_err_t *err) {
  return accq_i_chain_build_lumped_memo(out, m, pol, buffer, opt, table_max_entries,
                                        ROUTE_MEMO_MAX, err);
}

int accq_i_chain_mf_info(const accq_chain_t *c, int *ranked, int64_t *route_lists,
                         int64_t *diagonals) {
  *ranked = 0;
  *route_lists = 0;
  *diagonals = 0;
  if (!c || c->kind != ACCQ_CHAIN_LUMPED || c->storage != ACCQ_STORAGE_MATRIX_FREE || !c->rows ||
      c->rows->entries != lumped_mf_entries)
    return -1;
  const lumped_ctx_t *x = (const lumped_ctx_t *)c->rows;
  *ranked = x->ranked;
  *route_lists = x->memo.on ? x->memo.nlist : 0;
  *diagonals = x->did ? x->ndiag : 0;
  return 0;
}

int accq_i_chain_build_lumped_memo(accq_chain_t **out, const accq_model_t *m,
                                   const accq_policy_t *pol, int buffer,
                                   const accq_chain_options_t *opt, uint64_t table_max_entries,
                                   int64_t route_memo_max, accq_err_t *err) {
  accq_chain_options_t defaults;
  accq_chain_t *c = NULL;
  lumped_ctx_t *x = NULL;
  accq_i_builder_t bld;
  int st;
  double t0 = accq_i_chain_now();

  memset(&bld, 0, sizeof bld);
  *out = NULL;
  if (!opt) {
    accq_chain_options_init(&defaults);
    opt = &defaults;
  }
  st = accq_i_chain_new(&c, ACCQ_CHAIN_LUMPED, m, buffer, err);
  if (st) return st;
  const int K = m->ntypes, B = buffer, L = B + 1;
  /* A type the policy never chooses stays all idle: freezing it keeps the
   * rank space (and the rank -> index array) to what the policy can reach. */
  int frozen[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) frozen[k] = !accq_policy_uses_type(pol, k);
  st = accq_i_space_alloc_frozen(&c->space, K, c->servers, B, frozen, err);
  if (st) goto cleanup;
  c->product_states = accq_space_size(c->space);
  double nnz_row = 0;
  uint64_t rows_cap = 0; /* rows of the state arrays */
  accq_storage_t storage = ACCQ_STORAGE_STORED;
  st = lumped_size(c, m, pol, frozen, opt, &rows_cap, &nnz_row, &storage, err);
  if (st) goto cleanup;
  const int stored = storage == ACCQ_STORAGE_STORED;
  c->storage = storage;
  st = lumped_ctx_alloc(&x, c, m, pol, frozen, table_max_entries, err);
  if (st) goto cleanup;
  st = lumped_alloc(c, &bld, &x->index, rows_cap, nnz_row, stored, err);
  if (st) goto cleanup;
  if (stored) x->memo.failed = 1;
  else (void)route_memo_init(&x->memo, rows_cap, route_memo_max); /* no memory: no memo */
  st = lumped_discover(c, x, &bld, stored, rows_cap, err);
  if (st) goto cleanup;
  if (stored) {
    accq_i_builder_finish(&bld);
  } else {
    if ((uint64_t)c->nstates == c->product_states) lumped_rank_order(c, x);
    route_memo_finish(&x->memo, c->nstates);
  }
  {
    uint64_t *nk = realloc(c->state_key, (size_t)c->nstates * sizeof *nk);
    if (nk) c->state_key = nk;
    x->index.keys = c->state_key;
  }
  /* the compositions stay with the space: accq_chain_state_counts copies
   * rows (matrix-free, the row generator's tables keep borrowing them) */
  for (int k = 0; k < K; k++) {
    if (!x->use_table[k]) continue;
    c->space->comp[k] = x->tab[k].comp;
    if (stored) x->tab[k].comp = NULL;
    c->bytes += (double)c->space->size[k] * L * sizeof(int);
  }
  if (stored) {
    c->bytes += (double)c->nstates * 8.0 + accq_i_generator_bytes(&c->Q);
  } else {
    c->Q.n = c->nstates;
    x->fast = x->memo.on;
    for (int k = 0; k < K; k++)
      if (!frozen[k] && !x->use_table[k]) x->fast = 0;
    if (x->fast && lumped_type_rows(x)) x->fast = 0; /* too large: the general rows */
    for (int k = 0; k < K && x->fast; k++)
      if (!frozen[k]) c->bytes += (double)c->space->size[k] * B * 26.0 + 4.0 * c->space->size[k];
    if (x->fast && x->ranked) lumped_diag_table(c, x);
    if (x->did) c->bytes += 2.0 * (double)c->nstates + 8.0 * (double)x->ndiag;
    c->Q.row = lumped_mf_row;
    c->Q.row_ctx = &x->base;
    c->rows = &x->base;
    c->bytes += (double)c->nstates * 8.0;
    if (!x->ranked)
      c->bytes += x->index.dense ? 4.0 * (double)c->product_states : 4.0 * (double)(x->index.mask + 1);
    if (x->memo.on) c->bytes += (double)c->nstates * (x->memo.id8 ? 1.0 : 2.0);
    for (int k = 0; k < K; k++)
      if (x->use_table[k]) c->bytes += (double)c->space->size[k] * L * 2.0 * sizeof(uint32_t);
    x = NULL;   /* the chain owns it */
  }
  st = ACCQ_SUCCESS;
cleanup:
  accq_i_builder_free(&bld);
  if (x) {
    /* comp arrays handed to the space are not the context's any more */
    for (int k = 0; k < ACCQ_MAX_TYPES; k++)
      if (c && c->space && x->tab[k].comp == c->space->comp[k]) x->tab[k].comp = NULL;
    lumped_ctx_free(x);
  }
  if (st) {
    accq_chain_free(c);
    return st;
  }
  c->build_seconds = accq_i_chain_now() - t0;
  *out = c;
  return ACCQ_SUCCESS;
}
