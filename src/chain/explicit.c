/* The explicit per-server chain of docs/chains.md (small systems only), used to
 * cross-check the lumping: one queue length per server, servers ordered by
 * type, state key = sum_s x_s (B+1)^s. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"

/* (B+1)^N states with an overflow check (in log space for the message),
 * then the size limits; *product on success. */
static int explicit_size(accq_chain_t *c, const accq_policy_t *pol, int nserv,
                         const accq_chain_options_t *opt, uint64_t *product, accq_err_t *err) {
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
  double bytes = accq_i_chain_bytes_estimate((double)prod, (double)prod, 1, &nserv, B);
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

int accq_chain_build_explicit(accq_chain_t **out, const accq_model_t *m,
                              const accq_policy_t *pol, int buffer,
                              const accq_chain_options_t *opt, accq_err_t *err) {
  accq_chain_options_t defaults;
  accq_chain_t *c = NULL;
  int32_t *index = NULL;
  accq_i_entry_t *ent = NULL;
  uint64_t *tgt = NULL, *weight = NULL;
  accq_route_t *routes = NULL;
  int *count = NULL, *x = NULL, *type_of = NULL, *first = NULL;
  accq_i_builder_t bld = {0};
  int st, nserv = 0;
  double t0 = accq_i_chain_now();

  *out = NULL;
  if (!opt) {
    accq_chain_options_init(&defaults);
    opt = &defaults;
  }
  st = accq_i_chain_new(&c, ACCQ_CHAIN_EXPLICIT, m, buffer, err);
  if (st) return st;
  const int K = m->ntypes, B = buffer, L = B + 1;
  for (int k = 0; k < K; k++) nserv += c->servers[k];

  uint64_t product = 0;
  st = explicit_size(c, pol, nserv, opt, &product, err);
  if (st) goto cleanup;

  index = malloc((size_t)product * sizeof *index);
  weight = malloc((size_t)nserv * sizeof *weight);
  x = malloc((size_t)nserv * sizeof *x);
  type_of = malloc((size_t)nserv * sizeof *type_of);
  first = malloc((size_t)(K + 1) * sizeof *first);
  count = malloc((size_t)K * L * sizeof *count);
  if (!index || !weight || !x || !type_of || !first || !count) {
    st = accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
    goto cleanup;
  }
  memset(index, 0xff, (size_t)product * sizeof *index);
  explicit_layout(c, K, L, type_of, weight, first);

  const int *rows_ptr[ACCQ_MAX_TYPES];
  int top[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) {
    top[k] = B;
    rows_ptr[k] = count + (size_t)k * L;
  }
  accq_occ_t occ = {K, c->servers, rows_ptr, top, B};
  int max_routes = accq_policy_max_routes(pol, &occ);
  int max_ent = max_routes * nserv + nserv + 8;
  routes = malloc((size_t)max_routes * sizeof *routes);
  ent = malloc((size_t)max_ent * sizeof *ent);
  tgt = malloc((size_t)max_ent * sizeof *tgt);
  if (!routes || !ent || !tgt) {
    st = accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
    goto cleanup;
  }
  c->state_key = malloc((size_t)product * sizeof *c->state_key);
  if (!c->state_key || accq_i_builder_init(&bld, &c->Q, (int64_t)product,
                                           (int64_t)product * (nserv + 1))) {
    st = accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
    goto cleanup;
  }
  c->state_key[0] = 0;
  index[0] = 0;
  c->nstates = 1;
  const double lambda = c->lambda;

  for (int64_t i = 0; i < c->nstates; i++) {
    uint64_t key = c->state_key[i], rest = key;
    memset(count, 0, (size_t)K * L * sizeof *count);
    for (int s = 0; s < nserv; s++) {
      x[s] = (int)(rest % (uint64_t)L);
      rest /= (uint64_t)L;
      count[(size_t)type_of[s] * L + x[s]]++;
    }
    int ne = 0;
    for (int s = 0; s < nserv; s++) {
      if (!x[s]) continue;
      tgt[ne] = key - weight[s];
      ent[ne].rate = m->types[type_of[s]].rate;
      ne++;
    }
    int nr = 0;
    st = accq_policy_dispatch(pol, &occ, routes, max_routes, &nr);
    if (st) {
      st = accq_err_set(err, st, "explicit chain: policy '%s' dispatch failed (status %d)",
                        accq_policy_name(pol), st);
      goto cleanup;
    }
    for (int r = 0; r < nr; r++) {
      const int k = routes[r].type, q = routes[r].level;
      const int any = q == ACCQ_LEVEL_ANY;
      if (!any && (q >= B || count[(size_t)k * L + q] == 0)) continue; /* loss */
      /* uniform over the servers at the routed (k, q), or over all of type k */
      double each = lambda * routes[r].prob /
                    (any ? (double)c->servers[k] : (double)count[(size_t)k * L + q]);
      for (int s = first[k]; s < first[k + 1]; s++) {
        if (x[s] >= B) continue;
        if (!any && x[s] != q) continue;
        tgt[ne] = key + weight[s];
        ent[ne].rate = each;
        ne++;
      }
    }
    for (int e = 0; e < ne; e++) {
      int32_t j = index[tgt[e]];
      if (j < 0) {
        j = (int32_t)c->nstates;
        index[tgt[e]] = j;
        c->state_key[c->nstates++] = tgt[e];
      }
      ent[e].col = j;
    }
    if (accq_i_builder_add_row(&bld, ent, ne)) {
      st = accq_err_set(err, ACCQ_ENOMEM, "explicit chain: out of memory");
      goto cleanup;
    }
  }
  accq_i_builder_finish(&bld);
  {
    uint64_t *nk = realloc(c->state_key, (size_t)c->nstates * sizeof *nk);
    if (nk) c->state_key = nk;
  }
  c->storage = ACCQ_STORAGE_STORED;
  c->bytes = (double)c->nstates * 24.0 + 8.0 + (double)c->Q.nnz * (c->Q.val ? 12.0 : 6.0) +
             8.0 * c->Q.nrtab;
  st = ACCQ_SUCCESS;
cleanup:
  accq_i_builder_free(&bld);
  free(index);
  free(weight);
  free(x);
  free(type_of);
  free(first);
  free(count);
  free(routes);
  free(ent);
  free(tgt);
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
