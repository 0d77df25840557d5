/* accq_lp_solve: the LP bound (accq/lp.h) with GLPK's simplex (through src/ext/glpk.c),
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
 *    *columns* of the ordered pairs (accq_lp_pairs): a singleton {k} for each type with a_k >= a*, and an
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
 *  - one row per type, sum_j share_jk q_j <= cap_k/Lambda; a row with
 *    cap_k/Lambda >= 1 is redundant (shares of a unit flow) and left free;
 *    GLPK's automatic scaling (glp_scale_prob) then equilibrates rows and
 *    columns (dividing each row by its bound instead, tried first, made
 *    GLPK report a bounded LP unbounded or infeasible on 15% of the random
 *    LPs of test_lp_magnitudes: coefficients up to 1e25);
 *  - costs c_j = w/mu_h + (1-w)/mu_l divided by the smallest: all >= 1, where
 *    GLPK's reduced-cost tolerance tol_dj + 1e-3 tol_dj |c_j| is relative;
 *  - tolerances 1e-12 (the data are O(1) and the LP has at most 33 rows, so
 *    rounding stays near 1e-15), the textbook ratio test (Harris's leaves basic
 *    values up to tol_bnd outside their bounds), and iteration and time limits
 *    so that a cycling simplex ends as ACCQ_ENUMERIC instead of hanging.
 *
 * Lambda_max is the same column LP maximizing sum_j q_j with rows
 * cap_k / max_k cap_k; T_free is the LP whose columns are all K singletons.
 * Every answer is then checked: the split for primal feasibility in the LP in
 * x_k (lp_check.c), GLPK's duals for dual feasibility and complementary
 * slackness in the column LP (check_columns, relative to the objective); and
 * the combinatorial solver solves the same problem: T_LP, Lambda_max, T_free
 * must agree to ACCQ_LP_AGREE_RTOL.
 * Any failure or disagreement is ACCQ_ENUMERIC naming both answers. */
#include "accq/clock.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
 * solve takes well under a millisecond.  All the solves of one
 * accq_lp_solve share ACCQ_LP_GLPK_TM_LIM_MS of wall clock. */
static double now_ms(void) { return 1e3 * accq_clock_now(); }

/* start of the current accq_lp_solve (its GLPK solves share one budget) */
static _Thread_local double budget_start;

static void set_limits(accq_glpk_lp_t *lp, int nrows, int ncols) {
  double left = ACCQ_LP_GLPK_TM_LIM_MS - (now_ms() - budget_start);
  accq_glpk_set_limits(lp, ACCQ_LP_GLPK_IT_PER_DIM * (nrows + ncols), left >= 1 ? (int)left : 1);
  accq_glpk_set_tolerances(lp, 1e-12, 1e-12, 1e-11, 1);
  accq_glpk_set_scaling(lp, 1);
}

typedef struct {
  double q[NC];
  double row_dual[ACCQ_MAX_TYPES + 1]; /* of the unscaled rows: flow, then per type */
  int iterations;
} col_sol_t;

/* mode 0: min sum c_j q_j s.t. sum q = 1, sum_j share_jk q_j <= rhs_k.
 * mode 1: max sum q_j s.t. the type rows only.
 * rhs_k >= 1 in mode 0 is redundant (free row); rhs_k = 0 fixes the columns
 * using k at 0.  Returns ACCQ_SUCCESS with *out
 * set, or ACCQ_ENUMERIC / ACCQ_ENOMEM. */
static int solve_cols_once(const accq_lp_problem_t *p, const cols_t *C, int mode,
                           const double *rhs, double flow_lo, int attempt, col_sol_t *S,
                           accq_glpk_outcome_t *out, accq_err_t *err) {
  int K = p->ntypes, n = C->n;
  accq_glpk_lp_t *lp = accq_glpk_alloc(K + 1, n);
  if (!lp) return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the GLPK problem (%d columns)", n);
  set_limits(lp, K + 1, n);
  if (attempt > 0) accq_glpk_set_scaling(lp, 0);
  int idx[NC];
  double val[NC];
  double cmin = INFINITY;
  for (int j = 0; j < n; j++) cmin = fmin(cmin, C->c[j]);
  for (int j = 0; j < n; j++) {
    idx[j] = j;
    val[j] = 1.0;
    accq_glpk_set_obj(lp, j, mode != 1 ? C->c[j] / cmin : 1.0);
    int zero = rhs[C->h[j]] <= 0 || (C->l[j] >= 0 && rhs[C->l[j]] <= 0);
    accq_glpk_set_col_bounds(lp, j, 0.0, zero ? 0.0 : INFINITY);
  }
  accq_glpk_set_maximize(lp, mode == 1);
  accq_glpk_set_row(lp, 0, n, idx, val);
  if (mode == 0)
    accq_glpk_set_row_bounds(lp, 0, 1.0, 1.0);
  else if (mode == 2)
    accq_glpk_set_row_bounds(lp, 0, flow_lo, INFINITY);
  else
    accq_glpk_set_row_bounds(lp, 0, -INFINITY, INFINITY);
  double rscale[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) {
    int len = 0;
    int bind = rhs[k] > 0 && (mode != 0 || rhs[k] < 1);
    /* attempt 1: a binding row divided by its bound (GLPK's tolerance on it
     * becomes relative; coefficients grow as the bound shrinks) */
    rscale[k] = attempt == 1 && bind ? 1.0 / rhs[k] : 1.0;
    for (int j = 0; j < n; j++) {
      double s = C->h[j] == k ? C->w[j] : C->l[j] == k ? C->wl[j] : 0.0;
      if (s != 0) {
        idx[len] = j;
        val[len++] = s * rscale[k];
      }
    }
    accq_glpk_set_row(lp, k + 1, len, idx, val);
    accq_glpk_set_row_bounds(lp, k + 1, -INFINITY, bind ? rhs[k] * rscale[k] : INFINITY);
  }
  int rc = accq_glpk_solve(lp, attempt == 2, out, err);
  S->iterations = accq_glpk_iterations(lp);
  if (rc == 0 && *out == ACCQ_GLPK_OPTIMAL) {
    for (int j = 0; j < n; j++) S->q[j] = accq_glpk_col_value(lp, j);
    double cs = mode != 1 ? cmin : 1.0;
    S->row_dual[0] = accq_glpk_row_dual(lp, 0) * cs;
    double cmax = 0;
    for (int j = 0; j < n; j++) cmax = fmax(cmax, C->c[j]);
    for (int k = 0; k < K; k++) {
      double v = accq_glpk_row_dual(lp, k + 1) * rscale[k] * cs;
      /* rounding can leave +1e-16 on a slack row: clip within 16 ulps of the
       * costs and the flow dual; a larger positive dual fails the check */
      if (mode == 0 && v > 0 && v <= 16 * 0x1p-52 * (fabs(S->row_dual[0]) + cmax)) v = 0;
      S->row_dual[k + 1] = v;
    }
  }
  accq_glpk_free(lp);
  return rc;
}

/* GLPK's optimum of the column LP (mode 0) certified in that LP, relative to
 * its objective T = sum_j c_j q_j:
 *  dual feasibility: a reduced cost r_j = c_j - y - w_j v_h - (1-w_j) v_l below
 *    zero (beyond 8 ulps of its terms) is repaired by lowering y by it, which
 *    costs the lower bound max_j |r_j| (the flow is 1): at most tol T;
 *  complementary slackness: sum_j q_j r_j^+ and sum_k (-v_k)(rhs_k - row_k)^+
 *    (the duality gap, term by term) each at most tol T plus their rounding.
 * The column LP is the LP in x_k in other coordinates (header comment), so
 * this certifies T_LP. */
static int check_columns(const accq_lp_problem_t *p, const cols_t *C, const col_sol_t *S,
                         const double *rhs, accq_err_t *err) {
  const double tol = ACCQ_LP_CHECK_RTOL, eps = 0x1p-52;
  int K = p->ntypes;
  double y = S->row_dual[0], T = 0, neg = 0, csq = 0, csv = 0, round = 0, row[ACCQ_MAX_TYPES];
  int wj = -1;
  for (int k = 0; k < K; k++) {
    row[k] = 0;
    if (!(S->row_dual[k + 1] <= 0))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "GLPK's duals fail the check: capacity dual of type %d is %.17g > 0", k,
                          S->row_dual[k + 1]);
  }
  for (int j = 0; j < C->n; j++) {
    double q = fmax(S->q[j], 0.0), vh = S->row_dual[C->h[j] + 1];
    double vl = C->l[j] >= 0 ? S->row_dual[C->l[j] + 1] : 0.0;
    double wl = C->l[j] >= 0 ? C->wl[j] : 0.0;
    double r = C->c[j] - y - C->w[j] * vh - wl * vl;
    double M = C->c[j] + fabs(y) + C->w[j] * fabs(vh) + wl * fabs(vl);
    double ng = -r - 8 * eps * M;
    if (ng > neg) neg = ng, wj = j;
    csq += q * fmax(r, 0.0);
    round += 8 * eps * q * M;
    T += q * C->c[j];
    row[C->h[j]] += q * C->w[j];
    if (C->l[j] >= 0) row[C->l[j]] += q * wl;
  }
  for (int k = 0; k < K; k++) {
    double v = S->row_dual[k + 1];
    /* over the bound by 1e-9 of it, or by a flow fraction whose cost is 1e-9
     * of T (GLPK keeps rows within an absolute tolerance) */
    if (rhs[k] < 1 && row[k] > rhs[k] * (1 + tol) && (row[k] - rhs[k]) / p->mu[k] > tol * T)
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "GLPK's answer exceeds the capacity of type %d: %.17g of the flow "
                          "instead of at most %.17g",
                          k, row[k], rhs[k]);
    if (v < 0) csv += -v * fmax(rhs[k] - row[k], 0.0);
    round += 8 * eps * fabs(v) * fmin(rhs[k], 1.0);
  }
  if (neg > tol * T)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "GLPK's duals fail the check (dual feasibility): column %d (types %d, %d) "
                        "has reduced cost %.3g against an objective of %.17g",
                        wj, wj >= 0 ? C->h[wj] : -1, wj >= 0 ? C->l[wj] : -1, -neg, T);
  if (csq > tol * T + round || csv > tol * T + round)
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "GLPK's answer fails complementary slackness: duality gap %.3g (columns) "
                        "+ %.3g (capacity rows) against an objective of %.17g: not optimal",
                        csq, csv, T);
  return ACCQ_SUCCESS;
}

/* The rows of a mode-1 answer (Lambda_max) within their bounds, relative. */
static int check_rows(const accq_lp_problem_t *p, const cols_t *C, const col_sol_t *S,
                      const double *rhs, accq_err_t *err) {
  double row[ACCQ_MAX_TYPES] = {0};
  for (int j = 0; j < C->n; j++) {
    if (!(S->q[j] >= 0) && S->q[j] < -1e-300)
      return accq_err_set(err, ACCQ_ENUMERIC, "GLPK's Lambda_max answer has column %d = %.3g < 0",
                          j, S->q[j]);
    row[C->h[j]] += S->q[j] * C->w[j];
    if (C->l[j] >= 0) row[C->l[j]] += S->q[j] * C->wl[j];
  }
  for (int k = 0; k < p->ntypes; k++)
    if (row[k] > rhs[k] * (1 + ACCQ_LP_CHECK_RTOL))
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "GLPK's Lambda_max answer exceeds the capacity of type %d by %.3g "
                          "relative",
                          k, row[k] / rhs[k] - 1);
  return ACCQ_SUCCESS;
}

/* One column LP, checked; when GLPK fails or its answer fails the check, a
 * second attempt with each binding row divided by its bound, then a third
 * without GLPK's scaling, polished by glp_exact from its final basis
 * (rational arithmetic on data rounded by GLPK to ~1e-11: the check then
 * decides again).  Only an answer that passes is returned; when all fail, the
 * first attempt's failure and the last one's are reported. */
static int solve_cols(const accq_lp_problem_t *p, const cols_t *C, int mode, const double *rhs,
                      double flow_lo, col_sol_t *S, accq_glpk_outcome_t *out, accq_err_t *err) {
  accq_err_t first;
  accq_err_clear(&first);
  int its = 0, rc = 0;
  for (int attempt = 0; attempt < 3; attempt++) {
    accq_err_t *e = attempt == 0 ? &first : err;
    rc = solve_cols_once(p, C, mode, rhs, flow_lo, attempt, S, out, e);
    its += S->iterations;
    if (rc == 0 && *out == ACCQ_GLPK_OPTIMAL)
      rc = mode == 0 ? check_columns(p, C, S, rhs, e) : check_rows(p, C, S, rhs, e);
    if (rc == ACCQ_ENOMEM) break;
    /* the LPs solved here are feasible and bounded: another outcome is a
     * numerical failure too, retried */
    if (rc == 0 && *out == ACCQ_GLPK_OPTIMAL) break;
  }
  S->iterations = its;
  if (rc && err && first.status) {
    char again[ACCQ_ERR_MSG_MAX];
    snprintf(again, sizeof again, "%s", err->msg);
    accq_err_set(err, rc, "%s; again with rows scaled, then unscaled and polished by glp_exact: %.400s",
                 first.msg, again);
  }
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
    rc = solve_cols(p, C, 1, rhs, 0, S, &out, err);
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
    if ((rc = accq_i_lp_check_split(p, xl, r->lambda_max, 1, "GLPK's Lambda_max split", err))) goto done;

    if (p->lambda > r->lambda_max * (1 + ACCQ_I_LP_FEAS_RTOL)) {
      r->status = ACCQ_LP_CAPACITY_INFEASIBLE;
    } else {
      double lam = fmin(p->lambda, r->lambda_max), scale = p->lambda / lam;
      for (int k = 0; k < K; k++) rhs[k] = p->cap[k] / lam;
      rc = solve_cols(p, C, 0, rhs, 0, S, &out, err);
      r->glpk_iterations += S->iterations;
      for (int shrink = 0; shrink < 2 && rc == 0 && out == ACCQ_GLPK_INFEASIBLE &&
                           lam >= r->lambda_max * (1 - 1e-9);
           shrink++) {
        /* at Lambda_max itself the LP is feasible only up to rounding: solve
         * 1e-12 (then 1e-10) inside and scale the split to Lambda (capacities
         * then exceed by that, within the checks; T_LP moves by that times
         * its condition: the agreement with the combinatorial solver
         * decides) */
        lam *= shrink == 0 ? 1 - 1e-12 : 1 - 1e-10;
        scale = p->lambda / lam;
        for (int k = 0; k < K; k++) rhs[k] = p->cap[k] / lam;
        rc = solve_cols(p, C, 0, rhs, 0, S, &out, err);
        r->glpk_iterations += S->iterations;
      }
      double xscale = 0; /* mode 2: rates = xscale * shares, then scaled to Lambda */
      if (rc == 0 && out == ACCQ_GLPK_INFEASIBLE && lam >= r->lambda_max * (1 - 1e-9)) {
        /* still infeasible at the edge: the Lambda_max LP's rows (capacities
         * over max cap, which GLPK solved feasibly), minimizing the cost with
         * the flow at least lam (1 - 1e-12); the split is then scaled to
         * Lambda and checked like any other */
        for (int k = 0; k < K; k++) rhs[k] = p->cap[k] / maxcap;
        rc = solve_cols(p, C, 2, rhs, fmin(lam, r->lambda_max) / maxcap * (1 - 1e-12), S, &out,
                        err);
        r->glpk_iterations += S->iterations;
        xscale = maxcap;
      }
      if (!rc && out != ACCQ_GLPK_OPTIMAL)
        rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK finds the LP %s although Lambda_max = %.17g",
                          outcome_text(out), r->lambda_max);
      if (rc) {
        accq_err_prefix(err, "LP (bound at Lambda = %.17g)", p->lambda);
        goto done;
      }
      double t = 0;
      if (xscale > 0) {
        double qsum = 0;
        for (int j = 0; j < C->n; j++) qsum += fmax(S->q[j], 0.0);
        for (int j = 0; j < C->n; j++) t += fmax(S->q[j], 0.0) * C->c[j] / qsum;
        to_rates(p, C, S->q, p->lambda / qsum, r->x);
      } else {
        for (int j = 0; j < C->n; j++) t += fmax(S->q[j], 0.0) * C->c[j];
        to_rates(p, C, S->q, lam * scale, r->x);
      }
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
    }
  }
  /* T_free: columns are every type alone, no accuracy row */
  if (p->lambda <= sumcap * (1 + ACCQ_I_LP_FEAS_RTOL)) {
    double lam = fmin(p->lambda, sumcap);
    build_cols(p, 0, C);
    for (int k = 0; k < K; k++) rhs[k] = p->cap[k] / lam;
    rc = solve_cols(p, C, 0, rhs, 0, S, &out, err);
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
  /* the ordered pairs depend on mu, acc and a* only: the combinatorial
   * solver's are copied (the sort costs O(P^2), P up to 288) */
  accq_i_lp_result_init(p, r, 0);
  r->npairs = cb->npairs;
  memcpy(r->pairs, cb->pairs, sizeof r->pairs);
  budget_start = now_ms();
  rc = glpk_side(p, r, err);
  if (rc == 0 && r->status == ACCQ_LP_OPTIMAL)
    rc = accq_i_lp_check_split(p, r->x, p->lambda, 1, "GLPK's split", err);
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
     * (accq_lp_pairs), the same choice on every run when the optimum is not unique.
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
    /* The numbers reported are the combinatorial ones, which GLPK's
     * independent solve has just confirmed to ACCQ_LP_AGREE_RTOL (or to the
     * error bound of an ill-conditioned LP, then answered exactly): T_LP is
     * then exactly the cost of the split reported, and the exact polish,
     * when needed, has already been done on that side. */
    r->t_free = cb->t_free;
    r->t_lp = cb->t_lp;
    r->price = cb->price;
    r->exact_polished = cb->exact_polished;
  }
  free(cb);
  return rc;
}
