/* MMPP arrivals in the chains (docs/chains.md, "MMPP arrivals"): the phase of
 * the Markov-modulated Poisson process is one more state component.
 *
 * The chain with phases is built from the chain of the same policy with
 * Poisson arrivals at the model's rate m Lambda (the unchanged builders of
 * chain.c and explicit.c), by one expansion: state (s, i) for every occupancy
 * s it reaches and every phase i.  Why that is the whole state space: the
 * policy's routes depend on the occupancy only, never on the phase, so from
 * (s, i) the occupancies reached are those of the Poisson chain, in any phase
 * whose rate is > 0; the phase moves on its own (irreducible generator) while
 * s stays, so every (s, i) with s reachable is reached, and nothing else is.
 * Hence exactly K times the Poisson chain's states, for every policy (also
 * the counted ones), and the size decisions multiply by K.
 *
 * The transitions out of (s, i):
 *   - a departure s -> s' (one job fewer): the Poisson chain's rate, phase kept;
 *   - an arrival s -> s' (one job more): the Poisson chain's rate times
 *     lambda_i / (m Lambda): its rates are m Lambda times the policy's route
 *     probabilities (docs/chains.md), so this is m lambda_i times them, the
 *     phase's own rate routed by the same rule (factor exactly 1, and so the
 *     same bits, when lambda_i = m Lambda);
 *   - a phase move (s, i) -> (s, j) at the generator's Q_ij.
 * An arrival and a departure never share a target (the job count differs),
 * so the Poisson chain's merged entries are each one kind.  State (s, i) has
 * index s K + i: state 0 is (empty, phase 0), as the solvers expect. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"

int accq_i_arrivals_stationary(const accq_arrivals_t *a, double *pi); /* src/model/arrivals.c */

int accq_i_chain_has_phases(const accq_model_t *m) {
  return m->arrivals.kind == ACCQ_ARRIVALS_MMPP;
}

int accq_chain_phases(const accq_model_t *m, int *K, double *rate, double *pi, double *mean,
                      accq_err_t *err) {
  const accq_arrivals_t *a = &m->arrivals;
  double r[ACCQ_ARRIVALS_MAX_PHASES], p[ACCQ_ARRIVALS_MAX_PHASES], mr = 0;
  const double lambda = m->arrival_rate, scale = (double)m->scale;
  *K = 0;
  if (!(lambda > 0) || !isfinite(lambda) || m->scale < 1)
    return accq_err_set(err, ACCQ_EINVAL,
                        "chain: the arrival rate must be resolved and > 0 (got %g, scale %d)",
                        lambda, m->scale);
  int n = 1;
  switch (a->kind) {
  case ACCQ_ARRIVALS_POISSON:
    r[0] = scale * lambda;
    p[0] = 1;
    break;
  case ACCQ_ARRIVALS_MMPP:
    n = a->nphases;
    if (n < 1 || n > ACCQ_ARRIVALS_MAX_PHASES)
      return accq_err_set(err, ACCQ_EMODEL, "chain: mmpp with %d phases (must be 1..%d)", n,
                          ACCQ_ARRIVALS_MAX_PHASES);
    if (n == 1)
      p[0] = 1;
    else if (accq_i_arrivals_stationary(a, p))
      return accq_err_set(err, ACCQ_EMODEL,
                          "chain: the mmpp generator is not irreducible (no stationary phase "
                          "law)");
    for (int i = 0; i < n; i++) {
      /* as the simulator's sampler: m times the file's rate, times Lambda
       * when the rates are relative */
      r[i] = scale * (a->relative ? lambda * a->phase_rate[i] : a->phase_rate[i]);
      if (!(r[i] >= 0) || !isfinite(r[i]))
        return accq_err_set(err, ACCQ_EMODEL, "chain: mmpp phase %d has rate %g", i + 1, r[i]);
    }
    break;
  default:
    return accq_err_set(err, ACCQ_EMODEL,
                        "chain: [arrivals] process = %s has a rate that moves in time (or "
                        "replays a trace): no time-homogeneous Markov chain describes it; only "
                        "poisson and mmpp arrivals have an exact chain (simulate the others)",
                        accq_arrivals_kind_name(a->kind));
  }
  for (int i = 0; i < n; i++) mr += p[i] * r[i];
  if (!(mr > 0))
    return accq_err_set(err, ACCQ_EMODEL, "chain: the long-run arrival rate is %g", mr);
  *K = n;
  for (int i = 0; i < n; i++) {
    if (rate) rate[i] = r[i];
    if (pi) pi[i] = p[i];
  }
  if (mean) *mean = mr;
  return ACCQ_SUCCESS;
}

double accq_i_phase_bytes(double occ_states, double occ_bytes, int K) {
  /* K copies of everything per state (the occupancy's transitions, the
   * solver's vectors; the rank map and the Poisson chain built first are
   * counted K times too, which covers the moment both generators exist),
   * plus K - 1 phase moves of 6 bytes per state */
  if (K <= 1) return occ_bytes;
  return (double)K * occ_bytes + 6.0 * (double)K * (double)(K - 1) * occ_states;
}

/* The K-multiplied size check before anything is built: ACCQ_ETOOBIG with
 * the figures. */
static int phase_size(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                      accq_chain_kind_t kind, int K, const accq_chain_options_t *opt,
                      accq_err_t *err) {
  double states = INFINITY, bytes = INFINITY, occ = INFINITY;
  int exact = 0;
  const double max_bytes = opt->max_bytes > 0 ? opt->max_bytes : accq_i_default_max_bytes();
  if (kind == ACCQ_CHAIN_LUMPED) {
    int st = accq_chain_size_reachable(m, pol, buffer, opt, &states, &bytes, &exact, err);
    if (st) return st;
    occ = states / K;
  } else {
    int nserv = 0;
    for (int k = 0; k < m->ntypes; k++) nserv += m->scale * m->types[k].servers;
    occ = pow(buffer + 1.0, nserv);
    exact = 0;
    states = occ * K;
    bytes = accq_i_phase_bytes(occ, accq_i_chain_bytes_estimate(occ, occ, 1, &nserv, buffer), K);
  }
  if (states <= (double)opt->max_states && bytes <= max_bytes && states < 2147483647.0)
    return ACCQ_SUCCESS;
  return accq_err_set(err, ACCQ_ETOOBIG,
                      "%s chain of policy '%s' with mmpp arrivals has %s%.6g states (%s%.6g "
                      "occupancy states x %d phases%s), estimated %.3f GiB; limits: %.6g "
                      "states (--max-states), %.3f GiB of memory%s",
                      kind == ACCQ_CHAIN_LUMPED ? "lumped" : "explicit", accq_policy_name(pol),
                      exact < 0 ? "more than " : exact ? "" : "up to ",
                      exact < 0 ? (double)opt->max_states : states, exact < 0 ? "more than " : "",
                      exact < 0 ? (double)opt->max_states / K : occ, K,
                      exact > 0 ? ", exact count" : "", bytes / (1024.0 * 1024.0 * 1024.0),
                      (double)opt->max_states, max_bytes / (1024.0 * 1024.0 * 1024.0),
                      states >= 2147483647.0 ? " (and 2^31 states at most)" : "");
}

/* Replaces the Poisson chain's generator by the one with phases (see top). */
static int expand(accq_chain_t *c, int K, const double *rate, const accq_arrivals_t *a,
                  accq_err_t *err) {
  const int64_t n = c->nstates;
  const int KL = c->model.ntypes * (c->buffer + 1);
  const accq_generator_t *p = &c->Q;
  accq_generator_t q2;
  accq_i_builder_t bld;
  int st = ACCQ_SUCCESS;
  int *jobs = malloc((size_t)(n > 0 ? n : 1) * sizeof *jobs);
  int *count = malloc((size_t)KL * sizeof *count);
  int64_t maxrow = 0;
  for (int64_t j = 0; j < n; j++)
    if (p->rowptr[j + 1] - p->rowptr[j] > maxrow) maxrow = p->rowptr[j + 1] - p->rowptr[j];
  accq_i_entry_t *ent = malloc((size_t)(maxrow + K) * sizeof *ent);
  memset(&bld, 0, sizeof bld);
  memset(&q2, 0, sizeof q2);
  if (!jobs || !count || !ent) {
    st = accq_err_set(err, ACCQ_ENOMEM, "chain with phases: out of memory");
    goto done;
  }
  /* the number of jobs of each occupancy tells arrivals from departures */
  for (int64_t j = 0; j < n; j++) {
    accq_chain_state_counts(c, j, count);
    int t = 0;
    for (int x = 0; x < KL; x++) t += (x % (c->buffer + 1)) * count[x];
    jobs[j] = t;
  }
  double f[ACCQ_ARRIVALS_MAX_PHASES];
  for (int i = 0; i < K; i++) f[i] = rate[i] / c->lambda;
  if (accq_i_builder_init(&bld, &q2, n * K, p->nnz * K + n * K * (K - 1))) {
    st = accq_err_set(err, ACCQ_ENOMEM, "chain with phases: no memory for the generator "
                      "(%lld states)", (long long)(n * K));
    goto done;
  }
  for (int64_t j = 0; j < n; j++)
    for (int i = 0; i < K; i++) {
      int ne = 0;
      for (int64_t e = p->rowptr[j]; e < p->rowptr[j + 1]; e++) {
        const int32_t cj = p->col[e];
        double r = accq_generator_rate(p, e);
        if (jobs[cj] > jobs[j]) r *= f[i];
        ent[ne].col = (int32_t)((int64_t)cj * K + i);
        ent[ne++].rate = r;
      }
      for (int i2 = 0; i2 < K; i2++)
        if (i2 != i && a->gen[i][i2] > 0) {
          ent[ne].col = (int32_t)(j * K + i2);
          ent[ne++].rate = a->gen[i][i2];
        }
      if (accq_i_builder_add_row(&bld, ent, ne)) {
        st = accq_err_set(err, ACCQ_ENOMEM, "chain with phases: out of memory at %lld states",
                          (long long)(j * K + i));
        goto done;
      }
    }
  accq_i_builder_finish(&bld);
  c->bytes += accq_i_generator_bytes(&q2) - accq_i_generator_bytes(&c->Q);
  accq_generator_free(&c->Q);
  c->Q = q2;
  memset(&q2, 0, sizeof q2);
done:
  accq_i_builder_free(&bld);
  accq_generator_free(&q2);
  free(jobs);
  free(count);
  free(ent);
  return st;
}

int accq_i_chain_build_phases(accq_chain_t **out, const accq_model_t *m,
                              const accq_policy_t *pol, int buffer, accq_chain_kind_t kind,
                              const accq_chain_options_t *opt, accq_err_t *err) {
  accq_chain_options_t defaults;
  double rate[ACCQ_ARRIVALS_MAX_PHASES], pi[ACCQ_ARRIVALS_MAX_PHASES], mean = 0;
  int K = 0;
  *out = NULL;
  if (!opt) {
    accq_chain_options_init(&defaults);
    opt = &defaults;
  }
  double t0 = accq_i_chain_now();
  int st = accq_chain_phases(m, &K, rate, pi, &mean, err);
  if (st) return st;
  if (buffer < 1) return accq_err_set(err, ACCQ_EINVAL, "chain: buffer must be >= 1 (got %d)", buffer);
  /* The expansion reads the Poisson chain's stored rows: a chain with phases
   * is always stored (docs/chains.md, "Storage"), and sized as such. */
  if (opt->storage == ACCQ_STORAGE_MATRIX_FREE)
    return accq_err_set(err, ACCQ_EINVAL,
                        "chain: matrix-free storage is not available with mmpp arrivals (the "
                        "phases are added to stored rows); use --storage stored or auto");
  accq_chain_options_t stored = *opt;
  stored.storage = ACCQ_STORAGE_STORED;
  opt = &stored;
  st = phase_size(m, pol, buffer, kind, K, opt, err);
  if (st) return st;
  /* the chain of the same policy with Poisson arrivals at m Lambda */
  accq_model_t mp = *m;
  memset(&mp.arrivals, 0, sizeof mp.arrivals);
  mp.arrivals.kind = ACCQ_ARRIVALS_POISSON;
  accq_chain_t *c = NULL;
  st = kind == ACCQ_CHAIN_LUMPED ? accq_chain_build(&c, &mp, pol, buffer, opt, err)
                                 : accq_chain_build_explicit(&c, &mp, pol, buffer, opt, err);
  if (st) return st;
  st = expand(c, K, rate, &m->arrivals, err);
  if (st) {
    accq_chain_free(c);
    return st;
  }
  c->model.arrivals = m->arrivals;
  c->nstates *= K;
  c->product_states *= (uint64_t)K;
  c->nphases = K;
  c->lambda = mean;
  for (int i = 0; i < K; i++) {
    c->phase_rate[i] = rate[i];
    c->phase_pi[i] = pi[i];
  }
  c->build_seconds = accq_i_chain_now() - t0;
  *out = c;
  return ACCQ_SUCCESS;
}
