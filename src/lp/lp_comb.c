/* The combinatorial LP solver (no GLPK).  It maximizes the dual over its
 * finitely many vertices (y, z) (lp_internal.h), then recovers a primal
 * vertex by complementary slackness: types with negative reduced cost run at
 * capacity, positive ones get nothing, and the tied ones (all on one line
 * 1/mu_k = y + z d_k, so any split among them has the same cost) are filled
 * to meet the flow row and, when z > 0, the accuracy row with equality.  The
 * fill has at most two types strictly between their bounds: the ordered pair
 * of proofs/lp-structure.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lp/lp_internal.h"

typedef struct {
  int n;
  int idx[ACCQ_MAX_TYPES]; /* tied types, ascending d */
  double d[ACCQ_MAX_TYPES], cap[ACCQ_MAX_TYPES];
} tied_t;

/* x(t) = (fill t from the least accurate up) + (fill F - t from the most
 * accurate down); feasible for t in [0, F] when F <= sum cap.  Returns D(t). */
static double fill_at(const tied_t *T, double F, double t, double *xt) {
  double D = 0, left = t;
  for (int i = 0; i < T->n; i++) xt[i] = 0;
  for (int i = 0; i < T->n && left > 0; i++) {
    double a = fmin(left, T->cap[i]);
    xt[i] += a;
    left -= a;
  }
  left = F - t;
  for (int i = T->n - 1; i >= 0 && left > 0; i--) {
    double a = fmin(left, T->cap[i] - xt[i]);
    if (a < 0) a = 0;
    xt[i] += a;
    left -= a;
  }
  for (int i = 0; i < T->n; i++) D += T->d[i] * xt[i];
  return D;
}

static void sort_events(double *e, int n) {
  for (int i = 1; i < n; i++) {
    double v = e[i];
    int j = i - 1;
    while (j >= 0 && e[j] > v) {
      e[j + 1] = e[j];
      j--;
    }
    e[j + 1] = v;
  }
}

/* Primal vertex for the dual (y, z) at Lambda = lam. */
static void recover(const accq_lp_problem_t *p, double lam, double y, double z, double vm,
                    double *x) {
  int K = p->ntypes;
  double inv[ACCQ_MAX_TYPES], d[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) {
    inv[k] = 1.0 / p->mu[k];
    d[k] = p->acc[k] - p->a_star;
  }
  double F = lam, Dneed = 0, capT = 0;
  tied_t T = {0};
  for (int k = 0; k < K; k++) {
    double r = inv[k] - y - z * d[k];
    /* a tie relative to the terms of this type's reduced cost: rounding of
     * r is about 1e-16 of them, whatever the spread of rates across types */
    double tol = ACCQ_I_LP_RC_RTOL * (inv[k] + fabs(y) + z * fabs(d[k]) + vm);
    x[k] = 0;
    if (r < -tol) {
      x[k] = p->cap[k];
      F -= p->cap[k];
      Dneed -= d[k] * p->cap[k];
    } else if (r <= tol) {
      int j = T.n++;
      while (j > 0 && T.d[j - 1] > d[k]) { /* insertion by ascending d */
        T.idx[j] = T.idx[j - 1];
        T.d[j] = T.d[j - 1];
        T.cap[j] = T.cap[j - 1];
        j--;
      }
      T.idx[j] = k;
      T.d[j] = d[k];
      T.cap[j] = p->cap[k];
      capT += p->cap[k];
    }
  }
  if (T.n == 0) return;
  F = fmin(fmax(F, 0.0), capT);
  /* D(t) is nonincreasing and linear between these events */
  double ev[2 * ACCQ_MAX_TYPES + 2], Dv[2 * ACCQ_MAX_TYPES + 2], xt[ACCQ_MAX_TYPES];
  int ne = 0;
  ev[ne++] = 0;
  ev[ne++] = F;
  double c = 0;
  for (int i = 0; i < T.n; i++) {
    c += T.cap[i];
    if (c < F) ev[ne++] = c;
  }
  c = 0;
  for (int i = T.n - 1; i >= 0; i--) {
    c += T.cap[i];
    if (c < F) ev[ne++] = F - c;
  }
  sort_events(ev, ne);
  for (int i = 0; i < ne; i++) Dv[i] = fill_at(&T, F, ev[i], xt);
  double Dt = fmin(fmax(Dneed, Dv[ne - 1]), Dv[0]);
  double t = ev[ne - 1];
  for (int i = 0; i + 1 < ne; i++) {
    if (Dv[i] >= Dt && Dt >= Dv[i + 1]) {
      double span = Dv[i] - Dv[i + 1];
      t = span > 0 ? ev[i] + (Dv[i] - Dt) / span * (ev[i + 1] - ev[i]) : ev[i];
      break;
    }
  }
  fill_at(&T, F, t, xt);
  for (int i = 0; i < T.n; i++) x[T.idx[i]] = xt[i];
}

/* The primal split at lam from the best dual vertex; returns its cost
 * sum x_k/mu_k and the vertex index in *best. */
static double primal_at(const accq_lp_problem_t *p, double lam, const double *y, const double *z,
                        const double *U, const double *vm, int nv, double *x, int *best) {
  int b = 0;
  for (int s = 1; s < nv; s++)
    if (lam * y[s] - U[s] > lam * y[b] - U[b]) b = s;
  recover(p, lam, y[b], z[b], vm[b], x);
  double c = 0;
  for (int k = 0; k < p->ntypes; k++) c += x[k] / p->mu[k];
  if (best) *best = b;
  return c;
}

/* Certifies the breakpoints of C: its value at each breakpoint and at the
 * middle of each piece is the cost of a feasible split found at that Lambda
 * (so the dual envelope value is attained: LP duality); C at the middle of a
 * piece equals the chord of its ends (a convex function equal to its chord at
 * an interior point is linear on the segment: no breakpoint missed); and the
 * slopes of consecutive pieces increase (each breakpoint is a real kink).
 * Cost: 2 nbreak primal recoveries, O(nbreak K^3). */
static int check_breakpoints(const accq_lp_problem_t *p, accq_lp_result_t *r,
                             const double *y, const double *z, const double *U,
                             const double *vm, int nv, accq_err_t *err) {
  const double tol = ACCQ_LP_CHECK_RTOL;
  double x[ACCQ_MAX_TYPES], L0 = 0, C0 = 0, slope0 = -INFINITY;
  for (int i = 0; i < r->nbreak; i++) {
    double L1 = r->breakpoints[i], C1 = r->c_break[i];
    double c = primal_at(p, L1, y, z, U, vm, nv, x, NULL);
    int rc = accq_i_lp_check_split(p, x, L1, 0, "the split at a breakpoint of C", err);
    if (rc) return rc;
    /* the envelope value L y_s - U_s may cancel: allow its rounding */
    int bs = 0;
    for (int s = 1; s < nv; s++)
      if (L1 * y[s] - U[s] > L1 * y[bs] - U[bs]) bs = s;
    double ymax = 0;
    for (int s = 0; s < nv; s++) ymax = fmax(ymax, y[s]);
    double env = L1 * y[bs] - U[bs];
    double renv = 8 * 0x1p-52 * (L1 * y[bs] + U[bs]) + 16 * p->ntypes * 0x1p-52 * L1 * ymax;
    if (!(fabs(env - c) <= tol * c + renv))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "breakpoint %d of C at Lambda = %.17g: C = %.17g from the dual "
                          "envelope but %.17g from the split",
                          i + 1, L1, env, c);
    r->c_break[i] = C1 = c; /* the split's cost: a sum of positive terms */
    double Lm = 0.5 * (L0 + L1), chord = 0.5 * (C0 + C1);
    double cm = primal_at(p, Lm, y, z, U, vm, nv, x, NULL);
    if ((rc = accq_i_lp_check_split(p, x, Lm, 0, "the split inside a piece of C", err))) return rc;
    /* rounding: a few ulps of Lambda in the split times the steepest slope */
    if (!(fabs(cm - chord) <= tol * cm + 16 * p->ntypes * 0x1p-52 * L1 * ymax))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "C is not linear between breakpoints %.17g and %.17g: C(middle) = "
                          "%.17g but the chord gives %.17g (a breakpoint is missing)",
                          L0, L1, cm, chord);
    double slope = (C1 - C0) / (L1 - L0);
    if (i > 0 && L1 - L0 > 1e-6 * L1 && !(slope >= slope0 * (1 - tol)))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "C is not convex at the breakpoint Lambda = %.17g: slopes %.17g then "
                          "%.17g",
                          L0, slope0, slope);
    slope0 = slope, L0 = L1, C0 = C1;
  }
  return ACCQ_SUCCESS;
}

/* Cost O(K^3): K(K+1)/2 dual vertices, each valued in O(K), plus the
 * breakpoint walk and its check. */
static int comb_solve(const accq_lp_problem_t *p, accq_lp_result_t *r, accq_err_t *err) {
  accq_i_lp_result_init(p, r, 1);
  int K = p->ntypes;
  r->t_free = accq_i_lp_t_free_greedy(p);
  if (accq_i_lp_acc_infeasible(p)) {
    r->status = ACCQ_LP_ACCURACY_INFEASIBLE;
    r->lambda_max = 0;
    r->price = NAN;
    return ACCQ_SUCCESS;
  }
  double lmax = accq_lp_lambda_max(p);
  r->lambda_max = lmax;
  accq_i_lp_breakpoints(p, lmax, r);
  double y[ACCQ_I_LP_MAX_VERT], z[ACCQ_I_LP_MAX_VERT], U[ACCQ_I_LP_MAX_VERT];
  double vm[ACCQ_I_LP_MAX_VERT];
  int nv = accq_i_lp_dual_vertices_m(p, y, z, U, vm);
  /* breakpoints are a result of their own: when the check fails they are
   * withheld (nbreak = 0, the reason kept), the bound itself stands */
  accq_err_t be;
  accq_err_clear(&be);
  r->breakpoints_verified = 1;
  if (check_breakpoints(p, r, y, z, U, vm, nv, &be)) {
    r->breakpoints_verified = 0;
    r->nbreak = 0;
    snprintf(r->breakpoints_reason, sizeof r->breakpoints_reason, "%.399s", be.msg);
  }
  if (p->lambda > lmax * (1 + ACCQ_I_LP_FEAS_RTOL)) {
    r->status = ACCQ_LP_CAPACITY_INFEASIBLE;
    return ACCQ_SUCCESS;
  }
  double lam = fmin(p->lambda, lmax), scale = p->lambda / lam;
  double x[ACCQ_MAX_TYPES];
  int best;
  double primal = primal_at(p, lam, y, z, U, vm, nv, x, &best);
  r->status = ACCQ_LP_OPTIMAL;
  r->dual_flow = y[best];
  r->dual_acc = z[best];
  for (int k = 0; k < K; k++) {
    double d = p->acc[k] - p->a_star, inv = 1.0 / p->mu[k];
    double e = y[best] + z[best] * d - inv;
    /* the tie tolerance of recover: a tied type may be filled below capacity */
    double tol = ACCQ_I_LP_RC_RTOL * (inv + fabs(y[best]) + z[best] * fabs(d) + vm[best]);
    r->dual_cap[k] = e > tol ? -e : 0.0;
    r->x[k] = x[k] * scale;
    r->p[k] = r->x[k] / p->lambda;
  }
  r->t_lp = primal * scale / p->lambda;
  r->duality_gap = accq_i_lp_duality_gap(p, r);
  r->price = r->t_lp / r->t_free;
  return accq_i_lp_check_optimal(p, r, "the combinatorial solver", err);
}

int accq_lp_solve_combinatorial(const accq_lp_problem_t *p, accq_lp_result_t *r,
                                accq_err_t *err) {
  int rc = accq_i_lp_validate(p, err);
  if (rc) return rc;
  accq_err_t own;
  accq_err_clear(&own);
  rc = comb_solve(p, r, &own);
  if (rc == ACCQ_ENUMERIC && r->status == ACCQ_LP_OPTIMAL) {
    /* The float split failed its check (near-ties whose accuracy row
     * cancels to the last bits, rates decades apart): answer with the exact
     * (GMP) solver, the same algorithm in rationals, whose split is checked
     * again.  The float duals were not verified: they are dropped (NaN). */
    accq_lp_exact_t ex = {0};
    if (accq_lp_solve_exact(p, &ex, NULL) == ACCQ_SUCCESS && ex.status == ACCQ_LP_OPTIMAL) {
      r->lambda_max = ex.lambda_max_value;
      r->t_free = ex.t_free_value;
      r->t_lp = ex.t_lp_value;
      for (int k = 0; k < p->ntypes; k++) {
        r->x[k] = ex.x_value[k];
        r->p[k] = r->x[k] / p->lambda;
        r->dual_cap[k] = NAN;
      }
      r->dual_flow = r->dual_acc = r->duality_gap = NAN;
      r->price = r->t_lp / r->t_free;
      r->exact_polished = 1;
      accq_lp_exact_free(&ex);
      rc = accq_i_lp_check_split(p, r->x, p->lambda, 0, "the exact split", err);
      if (rc) accq_i_lp_err_append(err, " (after: %s)", own.msg);
      return rc;
    }
    accq_lp_exact_free(&ex);
  }
  if (rc) {
    if (err) *err = own;
    return rc;
  }
  return accq_i_lp_polish(p, r, "the combinatorial solver", err);
}
