/* Product form of the two policies that draw the type independently of the
 * state (docs/policies.md): rjiq and random-lp.
 *
 * Poisson thinning: the arrivals routed to type k form a Poisson process of
 * rate m Lambda p_k, independent across types, and what happens inside type k
 * depends only on its own arrivals and its own servers.  So the stationary law
 * of the joint lumped chain is the product of the per-type laws, and every
 * measure of docs/measures.md is a combination of per-type quantities:
 *
 *   - R-JIQ inside type k is JIQ on N_k = m n_k identical servers (an idle one
 *     if any, else a uniformly random one): a one-type lumped chain with
 *     C(N_k + B, B) states, solved like any other chain;
 *   - random-lp inside type k is N_k independent M/M/1/B queues, each fed at
 *     Lambda p_k / n_k: pi_q proportional to rho^q, q = 0..B (closed form).
 *
 * Combination (exact): the route weight of (k, q) is p_k times the
 * probability that a type-k arrival meets a server at level q (PASTA inside
 * the type); L is the sum of the L_k; the boundary mass is
 * 1 - prod_k (1 - P(some type-k server at B_k)); the response-time tail is the
 * Erlang mixture over all (k, q).  accq_i_measures_finish then computes every
 * measure exactly as for the joint chain, which tests/measures/test_product.c
 * checks against the joint lumped chain to 1e-10.
 *
 * The joint chain has prod_k C(N_k + B, B) states; the product form needs the
 * largest single factor only, so a 14-server R-JIQ model whose joint chain is
 * refused is a few thousand states per type here. */
#include <math.h>

#include "accq/clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/measures.h"
#include "measures/measures_internal.h"

typedef struct {
  int B;                    /* buffer of this solution (0: not solved) */
  double offered;           /* m Lambda p_k */
  double *route;            /* B + 1: P(a type-k arrival meets a server at level q) */
  double mean_jobs, busy, boundary;
  int64_t states, transitions;
  double estimated;         /* size estimate before building */
  accq_stationary_stats_t solver;
} part_t;

static void part_free(part_t *p) {
  free(p->route);
  memset(p, 0, sizeof *p);
}

/* E[T] inside the type (L_k / X_k). */
static double part_et(const part_t *p) {
  return p->mean_jobs / (p->offered * (1 - p->route[p->B]));
}

/* Type k as a model of its own: one type, fed at Lambda p_k per unit scale. */
static void type_model(const accq_model_t *mm, int k, double pk, int B, accq_model_t *m1) {
  *m1 = *mm;
  m1->ntypes = 1;
  m1->types[0] = mm->types[k];
  m1->lambda_mode = ACCQ_LAMBDA_RATE;
  m1->arrival_rate = mm->arrival_rate * pk;
  m1->load = NAN;
  m1->buffer = B;
}

/* random-lp: each type-k server is an M/M/1/B queue at rho = Lambda p_k / (n_k mu_k).
 * The weights rho^(q - qref) with qref the heavier end keep every term <= 1. */
static int part_mm1b(const accq_model_t *mm, int k, double pk, int B, part_t *p,
                     accq_err_t *err) {
  const double N = (double)mm->scale * mm->types[k].servers;
  const double rho = mm->arrival_rate * pk / (mm->types[k].servers * mm->types[k].rate);
  memset(p, 0, sizeof *p);
  p->route = malloc(sizeof *p->route * (size_t)(B + 1));
  if (!p->route)
    return accq_err_set(err, ACCQ_ENOMEM, "random-lp: cannot allocate %d levels", B + 1);
  const double lr = log(rho);
  const int qref = rho > 1 ? B : 0;
  double sum = 0, mean = 0;
  for (int q = 0; q <= B; q++) {
    double w = exp((q - qref) * lr);
    p->route[q] = w;
    sum += w;
  }
  for (int q = 0; q <= B; q++) {
    p->route[q] /= sum;
    mean += q * p->route[q];
  }
  p->B = B;
  p->offered = (double)mm->scale * mm->arrival_rate * pk;
  p->mean_jobs = N * mean;
  p->busy = N * (1 - p->route[0]);
  /* P(some of the N independent servers is full) = 1 - (1 - pi_B)^N */
  p->boundary = -expm1(N * log1p(-p->route[B]));
  p->states = B + 1;
  p->transitions = 2 * (int64_t)B;
  p->estimated = B + 1;
  snprintf(p->solver.name, sizeof p->solver.name, "closed-form");
  p->solver.converged = 1;
  p->solver.subdominant = NAN;
  return ACCQ_SUCCESS;
}

/* R-JIQ inside type k: the JIQ chain of the type alone. */
static int part_jiq(const accq_model_t *mm, int k, double pk, int B, double tight,
                    const accq_analysis_options_t *opt, part_t *p, accq_err_t *err) {
  accq_model_t m1;
  accq_policy_t *jiq = NULL;
  accq_chain_t *c = NULL;
  double *pi = NULL;
  accq_i_flows_t acc = {0};
  int st, solve_st = 0;
  memset(p, 0, sizeof *p);
  type_model(mm, k, pk, B, &m1);
  accq_chain_size_estimate(&m1, NULL, B, &p->estimated, NULL, NULL);
  st = accq_policy_alloc(&jiq, "jiq", &m1, NULL, err);
  if (st) goto cleanup;
  st = accq_chain_build(&c, &m1, jiq, B, &opt->chain, err);
  if (st) {
    accq_err_prefix(err, "type '%s' of R-JIQ (m n_k = %d servers, B = %d)",
                    mm->types[k].name, mm->scale * mm->types[k].servers, B);
    goto cleanup;
  }
  pi = malloc(sizeof *pi * (size_t)c->nstates);
  if (!pi) {
    st = accq_err_set(err, ACCQ_ENOMEM, "cannot allocate pi (%lld states)", (long long)c->nstates);
    goto cleanup;
  }
  solve_st = accq_i_solve_tight(&c->Q, &opt->solver, tight, pi, &p->solver, err);
  if (solve_st && solve_st != ACCQ_ENOCONV) {
    st = solve_st;
    goto cleanup;
  }
  st = accq_i_measures_accumulate(c, jiq, pi, &acc, solve_st ? NULL : err);
  if (st) goto cleanup;
  p->route = malloc(sizeof *p->route * (size_t)(B + 1));
  if (!p->route) {
    st = accq_err_set(err, ACCQ_ENOMEM, "cannot allocate %d levels", B + 1);
    goto cleanup;
  }
  const double mass = acc.mass > 0 ? acc.mass : 1;
  for (int q = 0; q <= B; q++) p->route[q] = acc.route[q] / mass;
  p->B = B;
  p->offered = c->lambda;
  p->mean_jobs = acc.mean_jobs / mass;
  p->busy = acc.busy[0] / mass;
  p->boundary = acc.boundary / mass;
  p->states = c->nstates;
  p->transitions = c->Q.nnz;
  st = solve_st;
cleanup:
  free(acc.route);
  free(pi);
  accq_chain_free(c);
  accq_policy_free(jiq);
  if (st && st != ACCQ_ENOCONV) {
    free(p->route);
    p->route = NULL;
    p->B = 0;
  }
  return st;
}

static int part_solve(const accq_model_t *mm, accq_policy_kind_t kind, int k, double pk, int B,
                      double tight, const accq_analysis_options_t *opt, part_t *p,
                      accq_err_t *err) {
  return kind == ACCQ_POLICY_RANDOM_LP ? part_mm1b(mm, k, pk, B, p, err)
                                       : part_jiq(mm, k, pk, B, tight, opt, p, err);
}

/* Does type k's chain at B fit the limits?  (The closed form always does.) */
static int part_fits(const accq_model_t *mm, accq_policy_kind_t kind, int k, double pk, int B,
                     const accq_analysis_options_t *opt, double *states, double *bytes) {
  if (kind == ACCQ_POLICY_RANDOM_LP) {
    if (states) *states = B + 1;
    if (bytes) *bytes = 8.0 * (B + 1);
    return 1;
  }
  accq_model_t m1;
  double st = INFINITY, by = INFINITY;
  type_model(mm, k, pk, B, &m1);
  if (accq_chain_size_estimate(&m1, NULL, B, &st, &by, NULL) != ACCQ_SUCCESS) st = by = INFINITY;
  if (states) *states = st;
  if (bytes) *bytes = by;
  double max_bytes =
      opt->chain.max_bytes > 0 ? opt->chain.max_bytes : accq_chain_max_bytes_default();
  return st <= (double)opt->chain.max_states && by <= max_bytes && st < 2147483647.0;
}

/* Measures of the whole system from one part per type (parts[k].B == 0: the
 * type receives nothing). */
static int combine(const accq_model_t *mm, const double *split, const part_t *parts,
                   accq_measures_t *out, accq_err_t *err) {
  const int K = mm->ntypes;
  int bk[ACCQ_MAX_TYPES], servers[ACCQ_MAX_TYPES];
  double *rows[ACCQ_MAX_TYPES];
  double busy[ACCQ_MAX_TYPES];
  double mean_jobs = 0, log_free = 0;
  int st = ACCQ_SUCCESS;
  memset(rows, 0, sizeof rows);
  for (int k = 0; k < K; k++) {
    servers[k] = mm->scale * mm->types[k].servers;
    bk[k] = parts[k].B;
    busy[k] = parts[k].busy;
    mean_jobs += parts[k].mean_jobs;
    if (!bk[k]) continue;
    log_free += log1p(-parts[k].boundary);
    rows[k] = malloc(sizeof(double) * (size_t)(bk[k] + 1));
    if (!rows[k]) {
      st = accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the product-form routes");
      goto cleanup;
    }
    for (int q = 0; q <= bk[k]; q++) rows[k][q] = split[k] * parts[k].route[q];
  }
  accq_i_flow_summary_t f;
  f.model = mm;
  f.scale = mm->scale;
  f.lambda = (double)mm->scale * mm->arrival_rate;
  f.servers = servers;
  f.buffer = bk;
  f.route = (const double *const *)rows;
  f.busy = busy;
  f.mean_jobs = mean_jobs;
  f.boundary = -expm1(log_free);
  st = accq_i_measures_finish(&f, out, err);
cleanup:
  for (int k = 0; k < K; k++) free(rows[k]);
  return st;
}

/* Summary fields of the result from the parts. */
static void describe(const accq_model_t *mm, accq_policy_kind_t kind, const part_t *parts,
                     accq_analysis_t *out) {
  double joint = 1;
  int bmax = 0;
  memset(&out->solver, 0, sizeof out->solver);
  out->solver.converged = 1;
  out->solver.subdominant = NAN;
  const char *inner = NULL;
  out->states = out->transitions = 0;
  out->estimated_states = 0;
  for (int k = 0; k < mm->ntypes; k++) {
    const part_t *p = &parts[k];
    out->type_buffer[k] = p->B;
    out->type_states[k] = p->states;
    if (!p->B) continue;
    if (p->B > bmax) bmax = p->B;
    out->states += p->states;
    out->transitions += p->transitions;
    out->estimated_states += p->estimated;
    /* the equivalent joint chain: C(N_k + B_k, B_k) per used type */
    double n = (double)mm->scale * mm->types[k].servers;
    joint *= exp(lgamma(n + p->B + 1) - lgamma(n + 1) - lgamma(p->B + 1.0));
    out->solver.iterations += p->solver.iterations;
    out->solver.seconds += p->solver.seconds;
    if (p->solver.residual > out->solver.residual) out->solver.residual = p->solver.residual;
    if (!p->solver.converged) out->solver.converged = 0;
    if (!inner) inner = p->solver.name;
  }
  out->buffer = bmax;
  out->joint_states = round(joint);
  out->product_states = joint < 1.8e19 ? (uint64_t)round(joint) : UINT64_MAX;
  snprintf(out->solver.name, sizeof out->solver.name, "%s",
           kind == ACCQ_POLICY_RANDOM_LP ? "product:closed-form" : "product:");
  if (kind != ACCQ_POLICY_RANDOM_LP && inner)
    snprintf(out->solver.name + 8, sizeof out->solver.name - 8, "%s", inner);
}

/* The finite-buffer system: every type at B, one solve each. */
static int product_finite(const accq_model_t *mm, accq_policy_kind_t kind, const double *split,
                          int buffer, const accq_analysis_options_t *opt, part_t *cur,
                          accq_analysis_t *out, accq_err_t *err) {
  const int K = mm->ntypes;
  int worst = ACCQ_SUCCESS, st = ACCQ_SUCCESS;
  for (int k = 0; k < K && !st; k++) {
    if (!(split[k] > 0)) continue;
    int ps = part_solve(mm, kind, k, split[k], buffer, 0, opt, &cur[k], err);
    if (ps == ACCQ_ENOCONV)
      worst = ps;
    else
      st = ps;
  }
  if (st) return st;
  describe(mm, kind, cur, out);
  for (int k = 0; k < K; k++) out->type_buffer[k] = buffer;
  out->auto_converged = 1;
  out->auto_steps = 1;
  accq_err_t merr;
  accq_err_clear(&merr);
  int ms = combine(mm, split, cur, &out->m, &merr);
  if (ms && ms != ACCQ_ENOCONV) {
    if (err) *err = merr;
    return ms;
  }
  if (ms && !worst) {
    worst = ms;
    if (err) *err = merr;
  }
  out->verdict = worst ? ACCQ_ANALYSIS_NOT_CONVERGED : ACCQ_ANALYSIS_FINITE_BUFFER;
  if (out->m.boundary_mass > opt->auto_mass)
    snprintf(out->warning, sizeof out->warning,
             "finite-buffer system B=%d: boundary mass %.3g, loss probability %.3g (exact for "
             "this B, not the infinite-buffer system)",
             buffer, out->m.boundary_mass, out->m.loss_probability);
  return worst;
}

/* The state of buffer = auto over the types (accq_i_analyze_product). */
typedef struct {
  const accq_model_t *mm;
  accq_policy_kind_t kind;
  const accq_analysis_options_t *opt;
  int Bcap;
  double mass_target;
  part_t *cur, *prev;
  char *why;
  size_t why_size;
  int steps, solve_failed;
} walk_t;

/* buffer = auto for type k alone (share pk): B_k grows as for the joint chain.
 * Sets *converged when both targets are met; a failed stationary solve sets
 * w->solve_failed (with the message in err) and returns 0; any other failure
 * is returned. */
static int walk_type(walk_t *w, int k, double pk, int *converged, accq_err_t *err) {
  const accq_model_t *mm = w->mm;
  int B = w->Bcap < 4 ? w->Bcap : 4, have = 0, last_try = 0, Bprev = 0;
  if (!part_fits(mm, w->kind, k, pk, B, w->opt, NULL, NULL)) {
    int lo = 0, hi = B - 1;
    while (lo < hi) {
      int mid = lo + (hi - lo + 1) / 2;
      if (part_fits(mm, w->kind, k, pk, mid, w->opt, NULL, NULL))
        lo = mid;
      else
        hi = mid - 1;
    }
    if (lo >= 1) B = lo;
  }
  double mass_prev = NAN;
  for (;;) {
    part_t trial;
    accq_err_t terr;
    accq_err_clear(&terr);
    double t_step = accq_clock_now();
    int ps = part_solve(mm, w->kind, k, pk, B, ACCQ_I_AUTO_TOL, w->opt, &trial, &terr);
    if (w->opt->progress) {
      char line[300];
      if (ps && ps != ACCQ_ENOCONV)
        snprintf(line, sizeof line, "type '%s' B=%d: no answer (%.200s)", mm->types[k].name, B,
                 terr.msg);
      else
        snprintf(line, sizeof line, "type '%s' B=%d: %lld states, boundary mass %.3g, "
                 "residual %.2g%s (%.3g s)", mm->types[k].name, B, (long long)trial.states,
                 trial.boundary, trial.solver.residual, ps ? " (not converged)" : "",
                 accq_clock_now() - t_step);
      w->opt->progress(w->opt->progress_ctx, line);
    }
    if ((ps == ACCQ_ETOOBIG || ps == ACCQ_ENOMEM) && have) {
      snprintf(w->why, w->why_size, "type '%s': B=%d could not be built (%s)", mm->types[k].name, B,
               terr.msg);
      break;
    }
    if (ps && ps != ACCQ_ENOCONV) {
      if (err) *err = terr;
      return ps;
    }
    w->steps++;
    part_free(&w->prev[k]);
    w->prev[k] = w->cur[k];
    w->cur[k] = trial;
    if (ps == ACCQ_ENOCONV) {
      if (err) *err = terr;
      accq_err_prefix(err, "type '%s' at B=%d", mm->types[k].name, B);
      w->solve_failed = 1;
      break;
    }
    double change = have ? fabs(part_et(&w->cur[k]) - part_et(&w->prev[k])) / part_et(&w->cur[k]) : NAN;
    have = 1;
    const double mass = w->cur[k].boundary;
    if (mass <= w->mass_target && change <= w->opt->auto_rel) {
      *converged = 1;
      break;
    }
    if (last_try) break;
    if (B >= w->Bcap) {
      snprintf(w->why, w->why_size, "type '%s': B=%d is the largest allowed (--max-buffer)",
               mm->types[k].name, B);
      break;
    }
    int nb = accq_i_auto_next(B, Bprev, mass, mass_prev, w->mass_target);
    /* hopeless: in the geometric regime the decay rate puts the target far
     * beyond the largest B allowed (a critically loaded type decays like
     * 1/B): stop now rather than walk to w->Bcap.  Within a factor 2 of w->Bcap
     * the extrapolation is not trusted: w->Bcap itself is the last try (as
     * for the joint chain). */
    if (Bprev > 0 && mass_prev < 0.05 && mass < 0.05 && mass > w->mass_target) {
      double predicted =
          mass < mass_prev
              ? B + log(w->mass_target / mass) / log(pow(mass / mass_prev, 1.0 / (B - Bprev)))
              : INFINITY;
      if (predicted > 2.0 * w->Bcap) {
        snprintf(w->why, w->why_size,
                 "type '%s': its boundary mass decays too slowly: the targets need B ~ %.3g, "
                 "beyond the largest allowed (%d)",
                 mm->types[k].name, predicted, w->Bcap);
        break;
      }
    }
    if (nb > w->Bcap) nb = w->Bcap;
    double need = 0, need_bytes = 0;
    if (!part_fits(mm, w->kind, k, pk, nb, w->opt, &need, &need_bytes)) {
      int lo = B, hi = nb;
      while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (part_fits(mm, w->kind, k, pk, mid, w->opt, NULL, NULL))
          lo = mid;
        else
          hi = mid - 1;
      }
      snprintf(w->why, w->why_size,
               "type '%s' (%d servers): B=%d would need %.4g states, %.3g GiB (limit %.4g "
               "states, --max-states)",
               mm->types[k].name, mm->scale * mm->types[k].servers, nb, need,
               need_bytes / (1024.0 * 1024.0 * 1024.0), (double)w->opt->chain.max_states);
      if (lo <= B) break;
      double predicted = NAN;
      if (Bprev > 0 && mass_prev < 0.05 && mass < 0.05 && mass > 0)
        predicted = mass < mass_prev
                        ? B + log(w->mass_target / mass) / log(pow(mass / mass_prev, 1.0 / (B - Bprev)))
                        : INFINITY;
      if (predicted > 2.0 * lo) {
        size_t len = strlen(w->why);
        snprintf(w->why + len, w->why_size - len,
                 "; its boundary mass decays too slowly for the largest B that fits (%d): "
                 "the targets need B ~ %.3g",
                 lo, predicted);
        break;
      }
      nb = lo;
      last_try = 1;
    }
    mass_prev = mass;
    Bprev = B;
    B = nb;
  }
  return ACCQ_SUCCESS;
}

/* The combined measures after buffer = auto, the change over each type's last
 * step, and the verdict. */
static int conclude_auto(walk_t *w, const double *split, const accq_policy_t *pol,
                         int all_converged, accq_analysis_t *out, accq_err_t *err) {
  const accq_model_t *mm = w->mm;
  const int K = mm->ntypes;
  part_t *cur = w->cur, *prev = w->prev;
  /* prev[k] empty (a type that converged at its first B cannot happen: the
   * change needs two) stays at cur for the combined change */
  for (int k = 0; k < K; k++)
    if (cur[k].B && !prev[k].B) all_converged = 0;
  describe(mm, w->kind, cur, out);
  out->auto_steps = w->steps;
  {
    accq_err_t merr;
    accq_err_clear(&merr);
    int ms = combine(mm, split, cur, &out->m, &merr);
    if (ms && ms != ACCQ_ENOCONV) {
      if (err) *err = merr;
      return ms;
    }
    /* the combined E[T] at every type's previous B: the change of the
     * system's E[T] over the last step of each type */
    part_t mixed[ACCQ_MAX_TYPES];
    memset(mixed, 0, sizeof mixed);
    for (int k = 0; k < K; k++) mixed[k] = prev[k].B ? prev[k] : cur[k];
    accq_measures_t before;
    int bs = combine(mm, split, mixed, &before, NULL);
    out->auto_change = (bs == ACCQ_SUCCESS || bs == ACCQ_ENOCONV)
                           ? fabs(out->m.mean_response_time - before.mean_response_time) /
                                 out->m.mean_response_time
                           : NAN;
    if (w->solve_failed) {
      out->verdict = ACCQ_ANALYSIS_NOT_CONVERGED;
      snprintf(out->warning, sizeof out->warning,
               "buffer=auto stopped: a stationary solve did not converge (residual %.3g)",
               out->solver.residual);
      return ACCQ_ENOCONV;
    }
    if (ms) {
      if (err) *err = merr;
      out->verdict = ACCQ_ANALYSIS_NOT_CONVERGED;
      return ms;
    }
  }
  if (all_converged && out->m.boundary_mass <= w->opt->auto_mass &&
      out->auto_change <= w->opt->auto_rel) {
    out->auto_converged = 1;
    out->verdict = ACCQ_ANALYSIS_CONVERGED;
    return ACCQ_SUCCESS;
  }
  {
    char shown[32];
    if (isfinite(out->auto_change))
      snprintf(shown, sizeof shown, "%.3g", out->auto_change);
    else
      snprintf(shown, sizeof shown, "unknown");
    char bufs[256] = "";
    size_t len = 0;
    for (int k = 0; k < K && len < sizeof bufs; k++)
      if (cur[k].B)
        len += (size_t)snprintf(bufs + len, sizeof bufs - len, "%s%s B=%d mass %.3g",
                                len ? ", " : "", mm->types[k].name, cur[k].B, cur[k].boundary);
    int st = accq_err_set(err, ACCQ_ENOCONV,
                      "policy '%s': buffer=auto (product form, per type: %s) stopped with "
                      "boundary mass %.3g and last relative change of E[T] %s (targets: %.3g and "
                      "%.3g): %s.  No infinite-buffer answer: try a larger --max-states, an "
                      "explicit --buffer B (exact for the finite-buffer system), or accq simulate",
                      accq_policy_name(pol), bufs, out->m.boundary_mass, shown, w->opt->auto_mass,
                      w->opt->auto_rel, w->why[0] ? w->why : "targets not reached");
    snprintf(out->warning, sizeof out->warning,
             "buffer=auto stopped at B=%d: boundary mass %.3g, last relative change of E[T] %s",
             out->buffer, out->m.boundary_mass, shown);
    out->verdict = ACCQ_ANALYSIS_TRUNCATED;
    return st;
  }
}

int accq_i_analyze_product(const accq_model_t *mm, const accq_policy_t *pol,
                           const accq_analysis_options_t *opt, int buffer,
                           accq_analysis_t *out, accq_err_t *err) {
  const int K = mm->ntypes;
  const accq_policy_kind_t kind = accq_policy_kind(pol);
  const double *split = accq_policy_split(pol);
  part_t cur[ACCQ_MAX_TYPES], prev[ACCQ_MAX_TYPES];
  int st = ACCQ_SUCCESS, used = 0;
  char why[ACCQ_ERR_MSG_MAX + 512] = "";
  memset(cur, 0, sizeof cur);
  memset(prev, 0, sizeof prev);
  out->product_form = 1;
  if (!split) return accq_err_set(err, ACCQ_EINVAL, "policy '%s' has no LP split", accq_policy_name(pol));
  for (int k = 0; k < K; k++) used += split[k] > 0;

  if (buffer > 0) {
    st = product_finite(mm, kind, split, buffer, opt, cur, out, err);
    goto cleanup;
  }

  /* buffer = auto, type by type: each grows its own B_k like the joint chain
   * does (x1.4, then B/16 to confirm the E[T] change, the largest B that fits
   * as the last try) until its boundary mass <= auto_mass / used and its E[T]
   * changed by <= auto_rel at the last step. */
  walk_t w = {mm, kind, opt, opt->auto_max_buffer > 0 ? opt->auto_max_buffer : 10000, /* default: per-type chains are small */
              opt->auto_mass / (used > 0 ? used : 1), cur, prev, why, sizeof why, 0, 0};
  int all_converged = 1;
  for (int k = 0; k < K; k++) {
    if (!(split[k] > 0)) continue;
    int converged = 0;
    st = walk_type(&w, k, split[k], &converged, err);
    if (st) goto cleanup;
    if (!converged) all_converged = 0;
    if (w.solve_failed) break;
  }
  st = conclude_auto(&w, split, pol, all_converged, out, err);
cleanup:
  for (int k = 0; k < K; k++) {
    part_free(&cur[k]);
    part_free(&prev[k]);
  }
  return st;
}
