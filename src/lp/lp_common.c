/* LP module: validation, ordered pairs, Lambda_max, breakpoints of C, and the
 * model glue (problem_from_model, model_resolve).  Shared by both solvers. */
#include <math.h>
#include <string.h>

#include "lp/lp_internal.h"

int accq_i_lp_validate(const accq_lp_problem_t *p, accq_err_t *err) {
  if (!p) return accq_err_set(err, ACCQ_EINVAL, "LP problem is NULL");
  if (p->ntypes < 1 || p->ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "LP needs 1..%d types (got %d)", ACCQ_MAX_TYPES,
                        p->ntypes);
  if (!(p->lambda > 0) || !isfinite(p->lambda))
    return accq_err_set(err, ACCQ_EINVAL, "arrival rate Lambda must be > 0 and finite (got %g)",
                        p->lambda);
  if (!(p->a_star >= 0 && p->a_star <= 1))
    return accq_err_set(err, ACCQ_EINVAL, "accuracy target a* must be in [0,1] (got %g)",
                        p->a_star);
  for (int k = 0; k < p->ntypes; k++) {
    if (!(p->mu[k] > 0) || !isfinite(p->mu[k]))
      return accq_err_set(err, ACCQ_EINVAL, "rate mu of type %d must be > 0 and finite (got %g)",
                          k, p->mu[k]);
    if (!(p->acc[k] >= 0 && p->acc[k] <= 1))
      return accq_err_set(err, ACCQ_EINVAL, "accuracy of type %d must be in [0,1] (got %g)", k,
                          p->acc[k]);
    if (!(p->cap[k] >= 0) || !isfinite(p->cap[k]))
      return accq_err_set(err, ACCQ_EINVAL,
                          "capacity of type %d must be >= 0 and finite (got %g)", k, p->cap[k]);
  }
  return ACCQ_SUCCESS;
}

int accq_i_lp_acc_infeasible(const accq_lp_problem_t *p) {
  double best = -1;
  for (int k = 0; k < p->ntypes; k++)
    if (p->acc[k] > best) best = p->acc[k];
  return p->a_star > best;
}

void accq_i_lp_result_init(const accq_lp_problem_t *p, accq_lp_result_t *r, int pairs) {
  memset(r, 0, sizeof *r);
  r->status = ACCQ_LP_OPTIMAL;
  r->t_lp = r->t_free = r->price = r->lambda_max = NAN;
  r->dual_flow = r->dual_acc = r->duality_gap = NAN;
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) r->x[k] = r->p[k] = r->dual_cap[k] = NAN;
  r->npairs = pairs ? accq_lp_pairs(p, r->pairs) : 0;
  r->nbreak = 0;
}

/* ---- ordered pairs (docs/lp.md) ---- */

static int tie(double a, double b) {
  return fabs(a - b) <= ACCQ_I_LP_TIE_RTOL * fmax(fabs(a), fabs(b));
}

/* Priority: ascending s; ties by larger w, then (h, l) (singleton l = -1 first). */
static int pair_before(const accq_pair_t *a, const accq_pair_t *b) {
  if (!tie(a->s, b->s)) return a->s < b->s;
  if (!tie(a->w, b->w)) return a->w > b->w;
  if (a->h != b->h) return a->h < b->h;
  return a->l < b->l;
}

/* Cost O(K^2) pairs, insertion sort O(P^2) with P <= K^2/4 + K.  The tie rule
 * is not transitive in theory; insertion sort from a fixed input order keeps
 * the result deterministic. */
int accq_lp_pairs(const accq_lp_problem_t *p, accq_pair_t *pairs) {
  int n = 0, K = p->ntypes;
  if (K < 1 || K > ACCQ_MAX_TYPES) return 0;
  for (int h = 0; h < K; h++) {
    if (!(p->acc[h] >= p->a_star)) continue;
    pairs[n++] = (accq_pair_t){h, -1, 1.0, 1.0 / p->mu[h]};
    if (!(p->acc[h] > p->a_star)) continue; /* a_h = a*: only the singleton */
    for (int l = 0; l < K; l++) {
      if (!(p->acc[l] < p->a_star)) continue;
      double w = (p->a_star - p->acc[l]) / (p->acc[h] - p->acc[l]);
      double s = w / p->mu[h] + (1 - w) / p->mu[l];
      pairs[n++] = (accq_pair_t){h, l, w, s};
    }
  }
  for (int i = 1; i < n; i++) {
    accq_pair_t v = pairs[i];
    int j = i - 1;
    while (j >= 0 && pair_before(&v, &pairs[j])) {
      pairs[j + 1] = pairs[j];
      j--;
    }
    pairs[j + 1] = v;
  }
  return n;
}

/* ---- Lambda_max: a fractional knapsack ---- */

/* The one implementation is the model module's (a model is resolved when it
 * is loaded, below the LP module). */
double accq_lp_lambda_max(const accq_lp_problem_t *p) {
  if (p->ntypes < 1 || p->ntypes > ACCQ_MAX_TYPES || accq_i_lp_acc_infeasible(p)) return 0.0;
  return accq_model_lambda_max_of(p->ntypes, p->cap, p->acc, p->a_star);
}

/* ---- T_free by the greedy ---- */

double accq_i_lp_t_free_greedy(const accq_lp_problem_t *p) {
  int K = p->ntypes, ord[ACCQ_MAX_TYPES];
  double sumcap = 0;
  for (int k = 0; k < K; k++) sumcap += p->cap[k];
  if (p->lambda > sumcap * (1 + ACCQ_I_LP_FEAS_RTOL)) return NAN;
  double lam = fmin(p->lambda, sumcap);
  for (int k = 0; k < K; k++) ord[k] = k;
  for (int i = 1; i < K; i++) { /* fastest first */
    int v = ord[i], j = i - 1;
    while (j >= 0 && p->mu[ord[j]] < p->mu[v]) {
      ord[j + 1] = ord[j];
      j--;
    }
    ord[j + 1] = v;
  }
  double left = lam, obj = 0;
  for (int i = 0; i < K && left > 0; i++) {
    double x = fmin(left, p->cap[ord[i]]);
    obj += x / p->mu[ord[i]];
    left -= x;
  }
  return obj / lam;
}

/* ---- dual vertices and the breakpoints of C ---- */

int accq_i_lp_dual_vertices(const accq_lp_problem_t *p, double *y, double *z, double *u) {
  return accq_i_lp_dual_vertices_m(p, y, z, u, NULL);
}

/* vm[s]: the magnitude of the terms whose rounding y_s carries (y = 1/mu_a -
 * z d_a may cancel, and so may z's numerator 1/mu_i - 1/mu_j), so a type is on
 * the vertex's line when its e_k is within ACCQ_I_LP_RC_RTOL of its own terms
 * plus vm[s]; the two defining types are on it by definition. */
int accq_i_lp_dual_vertices_m(const accq_lp_problem_t *p, double *y, double *z, double *u,
                              double *vm) {
  int K = p->ntypes, n = 0;
  int vi[ACCQ_I_LP_MAX_VERT], vj[ACCQ_I_LP_MAX_VERT];
  double inv[ACCQ_MAX_TYPES], d[ACCQ_MAX_TYPES], mag[ACCQ_I_LP_MAX_VERT];
  for (int k = 0; k < K; k++) {
    inv[k] = 1.0 / p->mu[k];
    d[k] = p->acc[k] - p->a_star;
  }
  for (int i = 0; i < K; i++) {
    y[n] = inv[i];
    z[n] = 0;
    vi[n] = vj[n] = i;
    mag[n] = inv[i];
    n++;
  }
  for (int i = 0; i < K; i++)
    for (int j = i + 1; j < K; j++) {
      if (d[i] == d[j]) continue;
      double zz = (inv[i] - inv[j]) / (d[i] - d[j]);
      if (!(zz > 0)) continue; /* z = 0 vertices are listed above */
      /* y from the type with the smaller |z d| (less cancellation) */
      int a = fabs(d[i]) <= fabs(d[j]) ? i : j;
      y[n] = inv[a] - zz * d[a];
      z[n] = zz;
      vi[n] = i, vj[n] = j;
      /* rounding of y: its two terms, plus that of zz (whose numerator may
       * cancel: eps (1/mu_i + 1/mu_j) / |d_i - d_j|) times |d_a| */
      mag[n] = inv[a] + zz * fabs(d[a]) + fabs(d[a]) * (inv[i] + inv[j]) / fabs(d[i] - d[j]);
      n++;
    }
  for (int s = 0; s < n; s++) {
    double U = 0;
    for (int k = 0; k < K; k++) {
      if (k == vi[s] || k == vj[s]) continue;
      double e = y[s] + z[s] * d[k] - inv[k];
      /* rounding of e times a capacity far above Lambda would swamp the
       * value: within ACCQ_I_LP_RC_RTOL of the terms it is a tie (as in
       * recover) */
      if (e > ACCQ_I_LP_RC_RTOL * (inv[k] + fabs(y[s]) + z[s] * fabs(d[k]) + mag[s]))
        U += p->cap[k] * e;
    }
    u[s] = U;
    if (vm) vm[s] = mag[s];
  }
  return n;
}

/* C(Lambda) = max_s (Lambda y_s - U_s) on [0, Lambda_max] (LP duality, see
 * proofs/lp-structure.md).  Walk the upper envelope from Lambda = 0: at each
 * point take, among the lines attaining the max (within a tolerance), the
 * steepest; the next breakpoint is the nearest crossing with a steeper line.
 * Cost O(V * pieces), V <= K(K+1)/2 lines. */
void accq_i_lp_breakpoints(const accq_lp_problem_t *p, double lambda_max,
                           accq_lp_result_t *r) {
  double y[ACCQ_I_LP_MAX_VERT], z[ACCQ_I_LP_MAX_VERT], U[ACCQ_I_LP_MAX_VERT];
  r->nbreak = 0;
  if (!(lambda_max > 0) || accq_i_lp_acc_infeasible(p)) return;
  int n = accq_i_lp_dual_vertices(p, y, z, U);
  /* Tolerances relative to the terms compared (L y_s and U_s of each line,
   * the slopes themselves), never to max 1/mu: rates may spread over 18
   * decades, and an absolute tolerance at the slowest type's scale would make
   * every line of the fast types tie. */
  const double rt = 1e-12;
  double L = 0;
  int cur = -1;
  double bl[ACCQ_LP_MAX_BREAKPOINTS];
  int nb = 0;
  for (;;) {
    /* the steepest line attaining the max at L */
    double best = -INFINITY;
    int bs = 0;
    for (int s = 0; s < n; s++)
      if (L * y[s] - U[s] > best) best = L * y[s] - U[s], bs = s;
    int pick = -1;
    for (int s = 0; s < n; s++) {
      double vtol = rt * (L * y[s] + U[s] + L * y[bs] + U[bs]);
      if (L * y[s] - U[s] >= best - vtol && (pick < 0 || y[s] > y[pick])) pick = s;
    }
    if (cur >= 0 && !(y[pick] > y[cur])) pick = cur; /* numerical guard */
    if (cur >= 0 && pick != cur) {
      if (y[pick] - y[cur] > rt * y[cur] && nb < ACCQ_LP_MAX_BREAKPOINTS - 1) {
        bl[nb++] = L;
      }
    }
    cur = pick;
    /* nearest crossing with a steeper line */
    double next = INFINITY;
    for (int s = 0; s < n; s++) {
      if (!(y[s] > y[cur])) continue;
      double t = (U[s] - U[cur]) / (y[s] - y[cur]);
      if (t < next) next = t;
    }
    if (!(next < lambda_max * (1 - 1e-12))) break;
    if (next <= L) next = L + 1e-12 * lambda_max; /* a crossing behind L: move on */
    L = next;
  }
  /* drop breakpoints closer than 1e-12 Lambda_max to their successor */
  int m = 0;
  for (int i = 0; i < nb; i++) {
    if (!(bl[i] > 0)) continue;
    if (m > 0 && bl[i] - r->breakpoints[m - 1] <= 1e-12 * lambda_max) {
      r->breakpoints[m - 1] = bl[i];
      continue;
    }
    r->breakpoints[m++] = bl[i];
  }
  r->breakpoints[m++] = lambda_max;
  for (int i = 0; i < m; i++) {
    double best = -INFINITY, Lb = r->breakpoints[i];
    for (int s = 0; s < n; s++) best = fmax(best, Lb * y[s] - U[s]);
    r->c_break[i] = best;
  }
  r->nbreak = m;
}

/* ---- model glue ---- */

static void fill_from_model(accq_lp_problem_t *p, const accq_model_t *m, double slack) {
  memset(p, 0, sizeof *p);
  p->ntypes = m->ntypes;
  p->a_star = m->accuracy_target;
  for (int k = 0; k < m->ntypes && k < ACCQ_MAX_TYPES; k++) {
    p->mu[k] = m->types[k].rate;
    p->acc[k] = m->types[k].accuracy;
    p->cap[k] = (1 - slack) * m->types[k].servers * m->types[k].rate;
  }
}

/* In load mode Lambda is recomputed from `load` and Lambda_max(a*) without
 * slack (the same value accq_lp_model_resolve stores), so the result does not
 * depend on whether the model was resolved.  Cost O(K^2). */
int accq_lp_problem_from_model(accq_lp_problem_t *p, const accq_model_t *m, double slack) {
  if (!p || !m || m->ntypes < 1 || m->ntypes > ACCQ_MAX_TYPES) return ACCQ_EINVAL;
  if (!(slack >= 0 && slack < 1)) return ACCQ_EINVAL;
  if (m->lambda_mode == ACCQ_LAMBDA_LOAD) {
    fill_from_model(p, m, 0.0);
    p->lambda = m->load * accq_lp_lambda_max(p);
  } else {
    p->lambda = m->arrival_rate;
  }
  double lambda = p->lambda;
  fill_from_model(p, m, slack);
  p->lambda = lambda;
  return ACCQ_SUCCESS;
}

int accq_lp_model_resolve(accq_model_t *m, accq_err_t *err) {
  return accq_model_resolve(m, err);
}

int accq_lp_bound_at(const accq_model_t *m, double rate, double target, accq_lp_result_t *r,
                     accq_err_t *err) {
  accq_lp_problem_t p;
  if (!m || !r) return accq_err_set(err, ACCQ_EINVAL, "LP bound: missing model or result");
  if (!(rate > 0) || !isfinite(rate))
    return accq_err_set(err, ACCQ_EINVAL, "LP bound: arrival rate %g must be > 0 and finite",
                        rate);
  if (isnan(target)) target = m->accuracy_target;
  if (!(target >= 0 && target <= 1))
    return accq_err_set(err, ACCQ_EINVAL, "LP bound: accuracy target %g must be in [0, 1]",
                        target);
  accq_model_t mm = *m;
  mm.lambda_mode = ACCQ_LAMBDA_RATE;
  mm.arrival_rate = rate;
  mm.accuracy_target = target;
  int st = accq_lp_problem_from_model(&p, &mm, 0.0);
  if (st) return accq_err_set(err, st, "LP bound: model with %d types", m->ntypes);
  return accq_lp_solve(&p, r, err);
}
