/* The explicit per-server chain of docs/chains.md (small systems only), used to
 * cross-check the lumping: one queue length per server, servers ordered by
 * type, state key = sum_s x_s (B+1)^s. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"

/* (B+1)^N states with an overflow check (in log space for the message),
 * then the size limits with the storage chosen (*storage); *product on
 * success. */
static int explicit_size(accq_chain_t *c, const accq_policy_t *pol, int nserv,
                         const accq_chain_options_t *opt, uint64_t *product,
                         accq_storage_t *storage, accq_err_t *err) {
  const int B = c->buffer, L = B + 1;
  double log10_prod = nserv * log10((double)L);
  uint64_t prod = 1;
  int over = 0;
  for (int s = 0; s < nserv && !over; s++)
    if (__builtin_mul_overflow(prod, (uint64_t)L, &prod)) over = 1;
  if (over || prod > (UINT64_C(1) << 62))
    return accq_err_set(err, ACCQ_ETOOBIG,
                        "explicit chain of policy '%s' has about 10^%.2f states ((B+1)^N with "
                        "N = %d servers, B = %d), over 2^62",
                        accq_policy_name(pol), log10_prod, nserv, B);
  c->product_states = prod;
  *product = prod;
  double bytes;
  *storage = accq_i_chain_storage(
      opt, accq_i_chain_bytes_estimate((double)prod, (double)prod, 1, &nserv, B),
      accq_i_chain_bytes_estimate_mf((double)prod, (double)prod), &bytes);
  return accq_i_chain_check_size("explicit", accq_policy_name(pol), (double)prod, bytes, opt, err);
}

/* Server s's type, its mixed-radix weight L^s in the state code, and the
 * first server of each type. */
static void explicit_layout(const accq_chain_t *c, int K, int L, int *type_of, uint64_t *weight,
                            int *first) {
  first[0] = 0;
  for (int k = 0, s = 0; k < K; k++) {
    for (int j = 0; j < c->servers[k]; j++, s++) {
      type_of[s] = k;
      weight[s] = s ? weight[s - 1] * (uint64_t)L : 1;
    }
    first[k + 1] = first[k] + c->servers[k];
  }
}

/* What generating one state's row needs (kept with the chain, c->rows, when
 * the storage is matrix-free; base first). */
typedef struct {
  struct accq_i_rows base;
  const accq_chain_t *c;
  const accq_policy_t *pol;
  int K, B, L, nserv, max_routes;
  int32_t *index;            /* state code -> state index, -1 unseen */
  uint64_t *weight, *tgt;
  int *count, *x, *type_of, *first;
  int top[ACCQ_MAX_TYPES];
  const int *rows_ptr[ACCQ_MAX_TYPES];
  accq_occ_t occ;
  accq_route_t *routes;
  double mu[ACCQ_MAX_TYPES];
} explicit_ctx_t;

static void explicit_ctx_free(explicit_ctx_t *x) {
  if (!x) return;
  free(x->index);
  free(x->weight);
  free(x->tgt);
  free(x->count);
  free(x->x);
  free(x->type_of);
  free(x->first);
  free(x->routes);
  free(x->base.ent);
  free(x);
}

static void explicit_rows_fini(struct accq_i_rows *r) { explicit_ctx_free((explicit_ctx_t *)r); }

/* The transitions out of the state with code `key`: target codes into tgt,
 * rates into ent; *ne of them.  The one row generator of the explicit chain
 * (the stored build and the matrix-free rows both call it). */
static int explicit_entries(explicit_ctx_t *x, uint64_t key, accq_i_entry_t *ent, int *ne_out,
                            accq_err_t *err) {
  const int K = x->K, B = x->B, L = x->L, nserv = x->nserv;
  uint64_t rest = key, *tgt = x->tgt;
  memset(x->count, 0, (size_t)K * L * sizeof *x->count);
  for (int s = 0; s < nserv; s++) {
    x->x[s] = (int)(rest % (uint64_t)L);
    rest /= (uint64_t)L;
    x->count[(size_t)x->type_of[s] * L + x->x[s]]++;
  }
  int ne = 0;
  for (int s = 0; s < nserv; s++) {
    if (!x->x[s]) continue;
    tgt[ne] = key - x->weight[s];
    ent[ne].rate = x->mu[x->type_of[s]];
    ne++;
  }
  int nr = 0;
  int st = accq_policy_dispatch(x->pol, &x->occ, x->routes, x->max_routes, &nr);
  if (st)
    return accq_err_set(err, st, "explicit chain: policy '%s' dispatch failed (status %d)",
                        accq_policy_name(x->pol), st);
  for (int r = 0; r < nr; r++) {
    const int k = x->routes[r].type, q = x->routes[r].level;
    const int any = q == ACCQ_LEVEL_ANY;
    if (!any && (q >= B || x->count[(size_t)k * L + q] == 0)) continue; /* loss */
    /* uniform over the servers at the routed (k, q), or over all of type k */
    double each = x->c->lambda * x->routes[r].prob /
                  (any ? (double)x->c->servers[k] : (double)x->count[(size_t)k * L + q]);
    for (int s = x->first[k]; s < x->first[k + 1]; s++) {
      if (x->x[s] >= B) continue;
      if (!any && x->x[s] != q) continue;
      tgt[ne] = key + x->weight[s];
      ent[ne].rate = each;
      ne++;
    }
  }
  *ne_out = ne;
  return ACCQ_SUCCESS;
}

/* Matrix-free: state i's raw transitions, targets through the index. */
static int explicit_mf_entries(struct accq_i_rows *r, int64_t i, accq_i_entry_t *ent, int *ne) {
  explicit_ctx_t *x = (explicit_ctx_t *)r;
  if (explicit_entries(x, x->c->state_key[i], ent, ne, NULL)) return -1;
  for (int e = 0; e < *ne; e++) {
    int32_t j = x->index[x->tgt[e]];
    if (j < 0) return -1;
    ent[e].col = j;
  }
  return 0;
}

static int explicit_ctx_alloc(explicit_ctx_t **out, const accq_chain_t *c, const accq_model_t *m,
                              const accq_policy_t *pol, int nserv, uint64_t product,
                              accq_err_t *err) {
  const int K = m->ntypes, B = c->buffer, L = B + 1;
  explicit_ctx_t *x = calloc(1, sizeof *x);
  *out = x;
  if (!x) return accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
  *x = (explicit_ctx_t){.c = c, .pol = pol, .K = K, .B = B, .L = L, .nserv = nserv};
  x->index = malloc((size_t)product * sizeof *x->index);
  x->weight = malloc((size_t)nserv * sizeof *x->weight);
  x->x = malloc((size_t)nserv * sizeof *x->x);
  x->type_of = malloc((size_t)nserv * sizeof *x->type_of);
  x->first = malloc((size_t)(K + 1) * sizeof *x->first);
  x->count = malloc((size_t)K * L * sizeof *x->count);
  if (!x->index || !x->weight || !x->x || !x->type_of || !x->first || !x->count)
    return accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
  memset(x->index, 0xff, (size_t)product * sizeof *x->index);
  explicit_layout(c, K, L, x->type_of, x->weight, x->first);
  for (int k = 0; k < K; k++) {
    x->top[k] = B;
    x->rows_ptr[k] = x->count + (size_t)k * L;
    x->mu[k] = m->types[k].rate;
  }
  x->occ = (accq_occ_t){K, c->servers, x->rows_ptr, x->top, B};
  x->max_routes = accq_policy_max_routes(pol, &x->occ);
  x->base.max_ent = x->max_routes * nserv + nserv + 8;
  x->routes = malloc((size_t)(x->max_routes > 0 ? x->max_routes : 1) * sizeof *x->routes);
  x->base.ent = malloc((size_t)x->base.max_ent * sizeof *x->base.ent);
  x->tgt = malloc((size_t)x->base.max_ent * sizeof *x->tgt);
  if (!x->routes || !x->base.ent || !x->tgt)
    return accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
  x->base.entries = explicit_mf_entries;
  x->base.unique = 0;   /* two routes to one (k, q) reach the same servers */
  x->base.fini = explicit_rows_fini;
  return ACCQ_SUCCESS;
}

int accq_chain_build_explicit(accq_chain_t **out, const accq_model_t *m,
                              const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, accq_err_t *err) {
  accq_chain_options_t defaults;
  accq_chain_t *c = NULL;
  explicit_ctx_t *x = NULL;
  accq_i_builder_t bld = {0};
  int st, nserv = 0;
  double t0 = accq_i_chain_now();

  *out = NULL;
  if (m && m->arrivals.kind != ACCQ_ARRIVALS_POISSON) /* MMPP: phases.c */
    return accq_i_chain_build_phases(out, m, pol, buffer, ACCQ_CHAIN_EXPLICIT, opt, err);
  if (!opt) {
    accq_chain_options_init(&defaults);
    opt = &defaults;
  }
  st = accq_i_chain_new(&c, ACCQ_CHAIN_EXPLICIT, m, buffer, err);
  if (st) return st;
  const int K = m->ntypes;
  for (int k = 0; k < K; k++) nserv += c->servers[k];

  uint64_t product = 0;
  accq_storage_t storage = ACCQ_STORAGE_STORED;
  st = explicit_size(c, pol, nserv, opt, &product, &storage, err);
  if (st) goto cleanup;
  const int stored = storage == ACCQ_STORAGE_STORED;
  c->storage = storage;
  st = explicit_ctx_alloc(&x, c, m, pol, nserv, product, err);
  if (st) goto cleanup;
  c->state_key = malloc((size_t)product * sizeof *c->state_key);
  if (!c->state_key || (stored && accq_i_builder_init(&bld, &c->Q, (int64_t)product,
                                                      (int64_t)product * (nserv + 1)))) {
    st = accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
    goto cleanup;
  }
  c->state_key[0] = 0;
  x->index[0] = 0;
  c->nstates = 1;
  accq_i_entry_t *ent = x->base.ent;
  for (int64_t i = 0; i < c->nstates; i++) {
    int ne = 0;
    st = explicit_entries(x, c->state_key[i], ent, &ne, err);
    if (st) goto cleanup;
    for (int e = 0; e < ne; e++) {
      int32_t j = x->index[x->tgt[e]];
      if (j < 0) {
        j = (int32_t)c->nstates;
        x->index[x->tgt[e]] = j;
        c->state_key[c->nstates++] = x->tgt[e];
      }
      ent[e].col = j;
    }
    if (stored) {
      if (accq_i_builder_add_row(&bld, ent, ne)) {
        st = accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
        goto cleanup;
      }
      continue;
    }
    accq_i_row_count(c, ent, ne, i);
  }
  if (stored) accq_i_builder_finish(&bld);
  {
    uint64_t *nk = realloc(c->state_key, (size_t)c->nstates * sizeof *nk);
    if (nk) c->state_key = nk;
  }
  if (stored) {
    c->bytes = (double)c->nstates * 8.0 + accq_i_generator_bytes(&c->Q);
  } else {
    c->Q.n = c->nstates;
    c->Q.row = accq_i_chain_row;
    c->Q.row_ctx = &x->base;
    c->rows = &x->base;
    c->bytes = (double)c->nstates * 8.0 + 4.0 * (double)product;
    x = NULL;   /* the chain owns it */
  }
  st = ACCQ_SUCCESS;
cleanup:
  accq_i_builder_free(&bld);
  explicit_ctx_free(x);
  if (st) {
    accq_chain_free(c);
    return st;
  }
  c->build_seconds = accq_i_chain_now() - t0;
  *out = c;
  return ACCQ_SUCCESS;
}

void accq_chain_state_counts(const accq_chain_t *c, int64_t i, int *count) {
  const int K = c->model.ntypes, L = c->buffer + 1;
  if (c->nphases > 1) i /= c->nphases; /* MMPP: the occupancy of state i (phases.c) */
  if (c->kind == ACCQ_CHAIN_LUMPED) {
    accq_space_unrank(c->space, c->state_key[i], count);
    return;
  }
  uint64_t rest = c->state_key[i];
  memset(count, 0, (size_t)K * L * sizeof *count);
  for (int k = 0; k < K; k++)
    for (int j = 0; j < c->servers[k]; j++) {
      count[(size_t)k * L + (int)(rest % (uint64_t)L)]++;
      rest /= (uint64_t)L;
    }
}
