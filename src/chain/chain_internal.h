/* Internals shared by the chain module's files (never installed). */
#ifndef ACCQ_CHAIN_INTERNAL_H
#define ACCQ_CHAIN_INTERNAL_H

#include <stdint.h>

#include "accq/chain.h"

/* The lumped occupancy space.  Per type k, a composition (c_0..c_B) of N_k is
 * a stars-and-bars word with B bars at positions b_j = s_j + j (s_j = c_0 +
 * ... + c_j, j = 0..B-1); its rank is sum_j C(b_j, j+1) (combinatorial number
 * system), a bijection onto [0, C(N_k + B, B)); the stored rank is reflected,
 * size - 1 - that, so that the all-idle composition has rank 0.  Moving one
 * server from level q to q+1 lowers s_q (hence b_q) by one and changes one
 * term only: rank += C(b_q - 1, q).  Moving one from q to q-1 raises b_{q-1}
 * by one: rank -= C(b_{q-1}, q-1).  Types are combined in mixed radix:
 * rank = sum_k r_k * stride[k]. */
struct accq_space {
  int ntypes;
  int buffer;
  int servers[ACCQ_MAX_TYPES];
  uint64_t size[ACCQ_MAX_TYPES];     /* C(N_k + B, B); 1 for a frozen type */
  int frozen[ACCQ_MAX_TYPES];        /* type never chosen by the policy: it stays
                                        all idle, its only composition has sub-rank 0 */
  uint64_t stride[ACCQ_MAX_TYPES];
  uint64_t total;
  /* binom[k][j * nrow[k] + n] = C(n, j) for j = 0..B, n = 0..N_k + B
   * (saturating; every entry the rank uses is exact). */
  int nrow[ACCQ_MAX_TYPES];
  uint64_t *binom[ACCQ_MAX_TYPES];
  /* optional: every composition of type k (size[k] * (B+1) counts), kept
   * from the chain build so that unranking is a table copy */
  int *comp[ACCQ_MAX_TYPES];
};

static inline uint64_t accq_i_binom(const accq_space_t *s, int k, int n, int j) {
  return s->binom[k][(size_t)j * (size_t)s->nrow[k] + (size_t)n];
}

/* accq_space_alloc with frozen types (frozen may be NULL): a frozen type has
 * one composition (all idle), so it costs neither ranks nor memory. */
int accq_i_space_alloc_frozen(accq_space_t **s, int ntypes, const int *servers, int buffer,
                              const int *frozen, accq_err_t *err);

/* Per-type sub-rank of a composition c[0..B] of N_k. */
uint64_t accq_i_space_type_rank(const accq_space_t *s, int k, const int *c);
/* Inverse of the above. */
void accq_i_space_type_unrank(const accq_space_t *s, int k, uint64_t r, int *c);

/* Estimated bytes for a chain given servers per type (tighter than the public
 * estimate: the number of levels a type can occupy at once is min(N_k, B+1)). */
double accq_i_chain_bytes_estimate(double states, double product, int ntypes,
                                   const int *servers, int buffer);

/* Growable CSR generator in construction: rows are appended in state order,
 * each from an unsorted list of (column, rate) that is sorted and merged. */
typedef struct {
  int32_t col;
  double rate;
} accq_i_entry_t;

/* Drops a row's raw entries on the diagonal (col == row) or with rate <= 0,
 * sums the others in the order given into *sum (-*sum is the diagonal),
 * sorts them by column (insertion sort, stable: rows hold a handful) and
 * merges equal columns (rates summed in the order given).  Returns the merged
 * count.  The stored build and the matrix-free rows both use it (the
 * unsorted matrix-free rows sum in the same order), so both hold the same
 * values bit for bit. */
int accq_i_row_merge(accq_i_entry_t *e, int ne, int64_t row, double *sum);

/* A matrix-free build's bookkeeping of row `row` (its raw entries ent[0..ne)):
 * merges them (accq_i_row_merge) and counts them into c->Q's nnz, max_row and
 * max_exit, as a stored build would hold them. */
void accq_i_row_count(accq_chain_t *c, accq_i_entry_t *ent, int ne, int64_t row);

/* Matrix-free rows (accq_chain_t.rows): the chain kind's generator of one
 * state's raw transitions, columns mapped to state indices, unsorted
 * (`entries`), its scratch `ent` (max_ent entries) and its destructor.  The
 * generator's row callback merges them with accq_i_row_merge. */
struct accq_i_rows {
  int (*entries)(struct accq_i_rows *r, int64_t i, accq_i_entry_t *ent, int *ne);
  int unique;   /* entries() never repeats a column: unsorted rows need no merge */
  void (*fini)(struct accq_i_rows *r);
  accq_i_entry_t *ent;
  int max_ent;
};
/* The generator's row callback over c->rows (see accq_generator_t.row). */
int accq_i_chain_row(void *rows, int64_t i, int sorted, int32_t *col, double *rate, double *diag);

/* Bytes of the matrix-free storage (as accq_i_chain_bytes_estimate). */
double accq_i_chain_bytes_estimate_mf(double states, double product);

/* The storage for a chain whose stored and matrix-free estimates are given:
 * opt->storage, or for auto stored when it fits opt's memory limit, else
 * matrix-free.  *bytes the chosen estimate. */
accq_storage_t accq_i_chain_storage(const accq_chain_options_t *opt, double stored_bytes,
                                    double mf_bytes, double *bytes);

/* Rates are stored as 2-byte indices into a table of distinct values while
 * there are at most ACCQ_RATE_TABLE_MAX of them (an open-addressing hash on
 * the bit pattern finds a rate's index); past that the builder converts to one
 * double per entry (q->val) and stays there. */
#define ACCQ_RATE_TABLE_MAX 65535
#define ACCQ_RATE_HASH 131072   /* slots, a power of two >= 2 * ACCQ_RATE_TABLE_MAX */

typedef struct {
  accq_generator_t *q;
  int64_t cap_rows, cap_nnz;
  int32_t *hslot;   /* ACCQ_RATE_HASH slots: table index + 1, 0 = empty */
} accq_i_builder_t;

/* rows_hint/nnz_hint: initial capacities (grown by half as needed). */
int accq_i_builder_init(accq_i_builder_t *b, accq_generator_t *q, int64_t rows_hint,
                        int64_t nnz_hint);
/* Sets up the rate table and hash of a builder whose q->rowptr, diag and col
 * the caller allocated (q->val NULL, cap_nnz set): allocates q->ridx for
 * cap_nnz entries.  ACCQ_ENOMEM on failure. */
int accq_i_builder_rates_init(accq_i_builder_t *b);
/* Appends row q->n (diagonal = -sum of the rates); sorts and merges `e` in place.
 * Entries with col == the row itself are dropped (never produced by the models). */
int accq_i_builder_add_row(accq_i_builder_t *b, accq_i_entry_t *e, int ne);
/* Shrinks the arrays to their final size and frees the hash; then the compact
 * forms of accq_generator_t: the rate indices in 1 byte (ridx8, ridx freed)
 * when the table has at most 256 rates, and the diagonal by a table (didx and
 * dtab, diag freed) when it takes at most 65,535 distinct values (without
 * memory for the table, diag stays: the generator is valid either way). */
void accq_i_builder_finish(accq_i_builder_t *b);
/* Bytes held by a stored generator's arrays, in whichever forms it has. */
double accq_i_generator_bytes(const accq_generator_t *q);
/* Frees the builder's own hash (the generator is freed with the chain). */
void accq_i_builder_free(accq_i_builder_t *b);

/* Allocates a chain record with the common fields filled from the model. */
int accq_i_chain_new(accq_chain_t **c, accq_chain_kind_t kind, const accq_model_t *m,
                     int buffer, accq_err_t *err);

/* Size checks before any allocation of state arrays: ACCQ_ETOOBIG with the
 * figures when `product` states or their estimated bytes exceed the limits. */
int accq_i_chain_check_size(const char *what, const char *policy, double product,
                            double bytes, const accq_chain_options_t *opt, accq_err_t *err);

double accq_i_chain_now(void);

/* accq_chain_build with a limit on the per-type neighbour tables (entries
 * summed over types; 0 forces unranking every state): for tests. */
int accq_i_chain_build_lumped(accq_chain_t **c, const accq_model_t *m,
                              const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, uint64_t table_max_entries,
                              accq_err_t *err);

/* accq_i_chain_build_lumped with a limit on the matrix-free route memo's
 * distinct route lists (at most 65536; below 1, no memo: every row calls the
 * policy): for tests. */
int accq_i_chain_build_lumped_memo(accq_chain_t **c, const accq_model_t *m,
                                   const accq_policy_t *pol, int buffer,
                                   const accq_chain_options_t *opt, uint64_t table_max_entries,
                                   int64_t route_memo_max, accq_err_t *err);

/* A matrix-free lumped chain's row generator: *ranked 1 when states are
 * numbered by rank (every product state reachable; no rank map), else 0
 * (breadth-first numbering, the stored build's); *route_lists the distinct
 * route lists of its dispatch memo, 0 when it has none (rows call the
 * policy); *diagonals the distinct diagonals of its table (numbered by rank:
 * half rows for the sweeps), 0 when it has none.  -1 (and zeros) for any
 * other chain. */
int accq_i_chain_mf_info(const accq_chain_t *c, int *ranked, int64_t *route_lists,
                         int64_t *diagonals);

/* 3/4 of MemAvailable from /proc/meminfo (8 GiB if unreadable). */
double accq_i_default_max_bytes(void);

/* ---- MMPP arrivals (phases.c) ---- */

/* 1 when the model's arrivals are an MMPP (the chain gets the phase). */
int accq_i_chain_has_phases(const accq_model_t *m);
/* Bytes of the chain with K phases from those of its occupancy chain
 * (occ_states states, occ_bytes estimated). */
double accq_i_phase_bytes(double occ_states, double occ_bytes, int K);
/* The chain (lumped or explicit) of a model whose arrivals are not plain
 * Poisson: with MMPP arrivals the chain with the phase as a state component,
 * refused before allocating when its K-multiplied size is over the limits;
 * ACCQ_EMODEL for the processes that have no chain (piecewise, sinusoid,
 * trace). */
int accq_i_chain_build_phases(accq_chain_t **c, const accq_model_t *m,
                              const accq_policy_t *pol, int buffer, accq_chain_kind_t kind,
                              const accq_chain_options_t *opt, accq_err_t *err);

#endif
