/* accq_lp_solve: the LP of SPEC 2 with GLPK's simplex (through src/ext/glpk.c),
 * checked a posteriori and against the combinatorial solver.
 *
 * Why not hand GLPK the LP as written.  GLPK's tolerances are absolute (a row
 * is "feasible" within tol_bnd = 1e-7 of its bound, a reduced cost "zero"
 * within tol_dj = 1e-7), so the LP in x_k with Lambda = 1e-7, or with every
 * 1/mu_k near 1e-8, or with accuracies 1e-8 from a* (accuracy-row
 * coefficients 1e-8), was "solved" by the first basis found: T_LP 0.25 instead
 * of 0.75 on two-tier.  So GLPK gets a normalized, equivalent LP:
 *
 *  - unknowns are fractions of the flow, q_j >= 0 with sum_j q_j = 1, of the
 *    *columns* of SPEC 3: a singleton {k} for each type with a_k >= a*, and an
 *    ordered pair (h, l) (a_h > a* > a_l) sending the share w = (a* - a_l)/
 *    (a_h - a_l) of its jobs to h, the rest to l, so that the pair's accuracy
 *    is exactly a*.  Every split meeting the accuracy row decomposes into such
 *    columns (pair the inaccurate rate with accuracy surplus of the accurate
 *    types; what is left of the accurate rate is singletons) and every mix of
 *    columns meets it, so the LP is the same; the accuracy row is gone and with
 *    it the near-zero coefficients a_k - a*.  w and 1 - w are computed as
 *    ratios of d_k = a_k - a*, which are exact in binary for a_k within a
 *    factor 2 of a* (Sterbenz), so a near-tie (a_k 1e-12 from a*) gives an
 *    exact-to-rounding w, whatever its size;
 *  - one row per type, sum_j share_jk q_j <= cap_k/Lambda, divided by its
 *    right-hand side (bound 1: GLPK's tolerance becomes relative); a row with
 *    cap_k/Lambda >= 1 is redundant (shares of a unit flow) and left free;
 *  - costs c_j = w/mu_h + (1-w)/mu_l divided by the smallest: all >= 1, where
 *    GLPK's reduced-cost tolerance tol_dj + 1e-3 tol_dj |c_j| is relative;
 *  - tolerances 1e-12 (the data are O(1) and the LP has at most 33 rows, so
 *    rounding stays near 1e-15), the textbook ratio test (Harris's leaves basic
 *    values up to tol_bnd outside their bounds), and iteration and time limits
 *    so that a cycling simplex ends as ACCQ_ENUMERIC instead of hanging.
 *
 * Lambda_max is the same column LP maximizing sum_j q_j with rows
 * cap_k / max_k cap_k; T_free is the LP whose columns are all K singletons.
 * Every answer is then checked (lp_check.c): the split for primal feasibility,
 * the duals mapped back to the LP of SPEC 2 for dual feasibility and
 * complementary slackness, all relative; and the combinatorial solver solves
 * the same problem: T_LP, Lambda_max, T_free must agree to ACCQ_LP_AGREE_RTOL.
 * Any failure or disagreement is ACCQ_ENUMERIC naming both answers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext/accq_glpk.h"
#include "lp/lp_internal.h"

#define NC ACCQ_MAX_PAIRS

typedef struct {
  int n;
  int h[NC], l[NC]; /* l = -1: singleton {h} */
  double w[NC], wl[NC]; /* share of h, of l (wl = 1 - w, computed as a ratio) */
  double c[NC];         /* mean service of the column */
} cols_t;

/* The columns of the LP with the accuracy row (with_acc) or without. */
static void build_cols(const accq_lp_problem_t *p, int with_acc, cols_t *C) {
  int K = p->ntypes;
  C->n = 0;
  for (int h = 0; h < K; h++) {
    double dh = p->acc[h] - p->a_star;
    if (with_acc && dh < 0) continue;
    int j = C->n++;
    C->h[j] = h, C->l[j] = -1, C->w[j] = 1, C->wl[j] = 0, C->c[j] = 1.0 / p->mu[h];
    if (!with_acc || !(dh > 0)) continue;
    for (int l = 0; l < K; l++) {
      double dl = p->acc[l] - p->a_star;
      if (!(dl < 0)) continue;
      j = C->n++;
      C->h[j] = h, C->l[j] = l;
      C->w[j] = -dl / (dh - dl);
      C->wl[j] = dh / (dh - dl);
      C->c[j] = C->w[j] / p->mu[h] + C->wl[j] / p->mu[l];
    }
  }
}

/* GLPK limits per solve: the column LP has at most 33 rows and 288 columns;
 * the simplex needs a few times (rows + columns) iterations at most, and a
 * solve takes well under a millisecond.  Three solves per accq_lp_solve, each
 * limited to ACCQ_LP_GLPK_TM_LIM_MS. */
static void set_limits(accq_glpk_lp_t *lp, int nrows, int ncols) {
  accq_glpk_set_limits(lp, ACCQ_LP_GLPK_IT_PER_DIM * (nrows + ncols), ACCQ_LP_GLPK_TM_LIM_MS);
  accq_glpk_set_tolerances(lp, 1e-12, 1e-12, 1e-11, 1);
}

typedef struct {
  double q[NC];
  double row_dual[ACCQ_MAX_TYPES + 1]; /* of the unscaled rows: flow, then per type */
  int iterations;
} col_sol_t;

/* mode 0: min sum c_j q_j s.t. sum q = 1, sum_j share_jk q_j <= rhs_k.
 * mode 1: max sum q_j s.t. the type rows only.
 * rhs_k >= 1 in mode 0 is redundant (free row); rhs_k = 0 fixes the columns
 * using k at 0.  Row k is divided by rhs_k.  Returns ACCQ_SUCCESS with *out
 * set, or ACCQ_ENUMERIC / ACCQ_ENOMEM. */
static int solve_cols(const accq_lp_problem_t *p, const cols_t *C, int mode, const double *rhs,
                      col_sol_t *S, accq_glpk_outcome_t *out, accq_err_t *err) {
  int K = p->ntypes, n = C->n;
  accq_glpk_lp_t *lp = accq_glpk_alloc(K + 1, n);
  if (!lp) return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the GLPK problem (%d columns)", n);
  set_limits(lp, K + 1, n);
  int idx[NC];
  double val[NC];
  double cmin = INFINITY;
  for (int j = 0; j < n; j++) cmin = fmin(cmin, C->c[j]);
  for (int j = 0; j < n; j++) {
    idx[j] = j;
    val[j] = 1.0;
    accq_glpk_set_obj(lp, j, mode == 0 ? C->c[j] / cmin : 1.0);
    int zero = rhs[C->h[j]] <= 0 || (C->l[j] >= 0 && rhs[C->l[j]] <= 0);
    accq_glpk_set_col_bounds(lp, j, 0.0, zero ? 0.0 : INFINITY);
  }
  accq_glpk_set_maximize(lp, mode == 1);
  accq_glpk_set_row(lp, 0, n, idx, val);
  if (mode == 0)
    accq_glpk_set_row_bounds(lp, 0, 1.0, 1.0);
  else
    accq_glpk_set_row_bounds(lp, 0, -INFINITY, INFINITY);
  double rscale[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) {
    int len = 0;
    int bind = rhs[k] > 0 && (mode == 1 || rhs[k] < 1);
    rscale[k] = bind ? 1.0 / rhs[k] : 1.0;
    for (int j = 0; j < n; j++) {
      double s = C->h[j] == k ? C->w[j] : C->l[j] == k ? C->wl[j] : 0.0;
      if (s != 0) {
        idx[len] = j;
        val[len++] = s * rscale[k];
      }
    }
    accq_glpk_set_row(lp, k + 1, len, idx, val);
    accq_glpk_set_row_bounds(lp, k + 1, -INFINITY, bind ? 1.0 : INFINITY);
  }
  int rc = accq_glpk_solve(lp, 0, out, err);
  S->iterations = accq_glpk_iterations(lp);
  if (rc == 0 && *out == ACCQ_GLPK_OPTIMAL) {
    for (int j = 0; j < n; j++) S->q[j] = accq_glpk_col_value(lp, j);
    double cs = mode == 0 ? cmin : 1.0;
    S->row_dual[0] = accq_glpk_row_dual(lp, 0) * cs;
    for (int k = 0; k < K; k++) S->row_dual[k + 1] = accq_glpk_row_dual(lp, k + 1) * rscale[k] * cs;
  }
  accq_glpk_free(lp);
  return rc;
}

/* x_k = scale * sum_j share_jk q_j */
static void to_rates(const accq_lp_problem_t *p, const cols_t *C, const double *q, double scale,
                     double *x) {
  for (int k = 0; k < p->ntypes; k++) x[k] = 0;
  for (int j = 0; j < C->n; j++) {
    if (!(q[j] > 0)) continue;
    x[C->h[j]] += scale * q[j] * C->w[j];
    if (C->l[j] >= 0) x[C->l[j]] += scale * q[j] * C->wl[j];
  }
}

static const char *outcome_text(accq_glpk_outcome_t o) {
  return o == ACCQ_GLPK_INFEASIBLE ? "infeasible (GLP_NOFEAS)" : "unbounded (GLP_UNBND)";
}

/* The GLPK side alone: fills r (status, lambda_max, t_lp, x, p, duals,
 * t_free, price) without breakpoints. */
static int glpk_side(const accq_lp_problem_t *p, accq_lp_result_t *r, accq_err_t *err) {
  int K = p->ntypes, rc;
  accq_glpk_outcome_t out;
  col_sol_t *S = malloc(sizeof *S);
  cols_t *C = malloc(sizeof *C);
  if (!S || !C) {
    free(S);
    free(C);
    return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the LP columns");
  }
  double rhs[ACCQ_MAX_TYPES], sumcap = 0, maxcap = 0;
  for (int k = 0; k < K; k++) {
    sumcap += p->cap[k];
    maxcap = fmax(maxcap, p->cap[k]);
  }
  r->glpk_iterations = 0;
  if (accq_i_lp_acc_infeasible(p)) {
    r->status = ACCQ_LP_ACCURACY_INFEASIBLE;
    r->lambda_max = 0;
  } else if (!(maxcap > 0)) {
    r->lambda_max = 0;
    r->status = ACCQ_LP_CAPACITY_INFEASIBLE;
  } else {
    build_cols(p, 1, C);
    /* Lambda_max: max sum q with rows cap_k / max cap */
    for (int k = 0; k < K; k++) rhs[k] = p->cap[k] / maxcap;
    rc = solve_cols(p, C, 1, rhs, S, &out, err);
    r->glpk_iterations += S->iterations;
    if (!rc && out != ACCQ_GLPK_OPTIMAL)
      rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK finds the Lambda_max LP %s", outcome_text(out));
    if (rc) {
      accq_err_prefix(err, "LP (Lambda_max)");
      goto done;
    }
    double qs = 0, xl[ACCQ_MAX_TYPES];
    for (int j = 0; j < C->n; j++) qs += fmax(S->q[j], 0.0);
    r->lambda_max = qs * maxcap;
    to_rates(p, C, S->q, maxcap, xl);
    if ((rc = accq_i_lp_check_split(p, xl, r->lambda_max, "GLPK's Lambda_max split", err))) goto done;

    if (p->lambda > r->lambda_max * (1 + ACCQ_I_LP_FEAS_RTOL)) {
      r->status = ACCQ_LP_CAPACITY_INFEASIBLE;
    } else {
      double lam = fmin(p->lambda, r->lambda_max), scale = p->lambda / lam;
      for (int k = 0; k < K; k++) rhs[k] = p->cap[k] / lam;
      rc = solve_cols(p, C, 0, rhs, S, &out, err);
      r->glpk_iterations += S->iterations;
      if (!rc && out != ACCQ_GLPK_OPTIMAL)
        rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK finds the LP %s although Lambda_max = %.17g",
                          outcome_text(out), r->lambda_max);
      if (rc) {
        accq_err_prefix(err, "LP (bound at Lambda = %.17g)", p->lambda);
        goto done;
      }
      double t = 0;
      for (int j = 0; j < C->n; j++) t += fmax(S->q[j], 0.0) * C->c[j];
      to_rates(p, C, S->q, p->lambda, r->x);
      for (int k = 0; k < K; k++) r->p[k] = r->x[k] / p->lambda;
      r->t_lp = t;
      r->dual_flow = S->row_dual[0];
      for (int k = 0; k < K; k++) {
        double v = S->row_dual[k + 1];
        r->dual_cap[k] = v < 0 ? v : 0.0;
      }
      /* the accuracy dual is not a GLPK row here: the smallest z >= 0 with
       * y + z d_k + u_k <= 1/mu_k for every type below a* (proof in the
       * header comment of lp_check.c); the check then tests the others */
      r->dual_acc = accq_i_lp_dual_acc(p, r->x, r->dual_flow, r->dual_cap);
      r->status = ACCQ_LP_OPTIMAL;
      (void)scale;
    }
  }
  /* T_free: columns are every type alone, no accuracy row */
  if (p->lambda <= sumcap * (1 + ACCQ_I_LP_FEAS_RTOL)) {
    double lam = fmin(p->lambda, sumcap);
    build_cols(p, 0, C);
    for (int k = 0; k < K; k++) rhs[k] = p->cap[k] / lam;
    rc = solve_cols(p, C, 0, rhs, S, &out, err);
    r->glpk_iterations += S->iterations;
    if (!rc && out != ACCQ_GLPK_OPTIMAL)
      rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK finds the LP without accuracy row %s",
                        outcome_text(out));
    if (rc) {
      accq_err_prefix(err, "LP (T_free at Lambda = %.17g)", p->lambda);
      goto done;
    }
    double t = 0;
    for (int j = 0; j < C->n; j++) t += fmax(S->q[j], 0.0) * C->c[j];
    r->t_free = t;
  }
  r->price = r->t_lp / r->t_free;
  rc = ACCQ_SUCCESS;
done:
  free(S);
  free(C);
  return rc;
}

/* Cost: three simplex solves of a column LP (K+1 rows, at most K^2/4 + K
 * columns), the combinatorial solve (O(K^3)) and the checks. */
int accq_lp_solve(const accq_lp_problem_t *p, accq_lp_result_t *r, accq_err_t *err) {
  int rc = accq_i_lp_validate(p, err);
  if (rc) return rc;
  accq_lp_result_t *cb = malloc(sizeof *cb);
  if (!cb) return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the LP result");
  accq_err_t ce;
  accq_err_clear(&ce);
  int crc = accq_lp_solve_combinatorial(p, cb, &ce);
  accq_i_lp_result_init(p, r);
  rc = glpk_side(p, r, err);
  if (rc == 0 && r->status == ACCQ_LP_OPTIMAL) rc = accq_i_lp_check_optimal(p, r, "GLPK", err);
  if (rc) {
    /* GLPK failed or its answer does not pass the checks: say what the
     * other solver found, and print neither */
    char other[300];
    accq_i_lp_describe(crc ? NULL : cb, crc ? ce.msg : NULL, other, sizeof other);
    accq_i_lp_err_append(err, "; the combinatorial solver finds %s", other);
    free(cb);
    return rc;
  }
  if (crc) {
    char mine[300];
    accq_i_lp_describe(r, NULL, mine, sizeof mine);
    rc = accq_err_set(err, crc, "%s; GLPK finds %s", ce.msg, mine);
    free(cb);
    return rc;
  }
  rc = accq_i_lp_agree(p, r, "GLPK", cb, "combinatorial", err);
  if (rc == 0) {
    /* Lambda_max and the breakpoints reported are the combinatorial ones
     * (they agree with GLPK's to the tolerance above): the same Lambda_max
     * as accq_lp_lambda_max, which resolves load-mode models, and the
     * breakpoints of C that its solver checked against feasible splits */
    r->lambda_max = cb->lambda_max;
    r->nbreak = cb->nbreak;
    memcpy(r->breakpoints, cb->breakpoints, sizeof r->breakpoints);
    memcpy(r->c_break, cb->c_break, sizeof r->c_break);
    r->breakpoints_verified = cb->breakpoints_verified;
    memcpy(r->breakpoints_reason, cb->breakpoints_reason, sizeof r->breakpoints_reason);
  }
  if (rc == 0 && r->status == ACCQ_LP_OPTIMAL) {
    /* The split and the duals reported are the combinatorial solver's vertex
     * (checked optimal too): at most two fractional types, an ordered pair
     * (SPEC 3), the same choice on every run when the optimum is not unique.
     * GLPK's column LP has the same optimum T_LP but, on a degenerate LP, its
     * split may be another point of the optimal face (a mix of several
     * columns), which policies built on the split must not depend on. */
    memcpy(r->x, cb->x, sizeof r->x);
    memcpy(r->p, cb->p, sizeof r->p);
    r->dual_flow = cb->dual_flow;
    r->dual_acc = cb->dual_acc;
    memcpy(r->dual_cap, cb->dual_cap, sizeof r->dual_cap);
    r->duality_gap = cb->duality_gap;
  }
  if (rc == 0) {
    if (cb->exact_polished) {
      /* ill-conditioned: both agreed within their bounds; the numbers are the
       * exact ones the combinatorial side already computed */
      r->lambda_max = cb->lambda_max;
      r->t_free = cb->t_free;
      r->t_lp = cb->t_lp;
      r->price = cb->price;
      r->exact_polished = 1;
    } else {
      rc = accq_i_lp_polish(p, r, "GLPK", err);
    }
  }
  free(cb);
  return rc;
}
