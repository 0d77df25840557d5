/* accq_lp_solve: the LP of SPEC 2 with GLPK's simplex (through src/ext/glpk.c).
 * No glp_exact polish: glp_exact rounds the data to short fractions first and
 * moved t_lp by ~1e-11 relative in tests.  Three solves on one problem object: Lambda_max (max sum x), the bound itself, and T_free (accuracy row
 * freed). */
#include <math.h>
#include <string.h>

#include "ext/accq_glpk.h"
#include "lp/lp_internal.h"

enum { ROW_FLOW = 0, ROW_ACC = 1 };

static int solve_step(accq_glpk_lp_t *lp, const char *what, double lambda,
                      accq_glpk_outcome_t *out, accq_err_t *err) {
  int rc = accq_glpk_solve(lp, 0, out, err);
  if (rc) accq_err_prefix(err, "LP (%s, Lambda = %.17g)", what, lambda);
  return rc;
}

/* Cost: three simplex solves of a 2-row, K-column LP plus O(K^3) for the
 * pairs and breakpoints. */
int accq_lp_solve(const accq_lp_problem_t *p, accq_lp_result_t *r, accq_err_t *err) {
  int rc = accq_i_lp_validate(p, err);
  if (rc) return rc;
  accq_i_lp_result_init(p, r);
  int K = p->ntypes, idx[ACCQ_MAX_TYPES];
  double ones[ACCQ_MAX_TYPES], d[ACCQ_MAX_TYPES], sumcap = 0;
  accq_glpk_outcome_t out;
  accq_glpk_lp_t *lp = accq_glpk_alloc(2, K);
  if (!lp) return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the GLPK problem (%d types)", K);
  for (int k = 0; k < K; k++) {
    idx[k] = k;
    ones[k] = 1.0;
    d[k] = p->acc[k] - p->a_star;
    sumcap += p->cap[k];
    accq_glpk_set_col_bounds(lp, k, 0.0, p->cap[k]);
  }
  accq_glpk_set_row(lp, ROW_FLOW, K, idx, ones);
  accq_glpk_set_row(lp, ROW_ACC, K, idx, d);
  int accinf = accq_i_lp_acc_infeasible(p);

  if (!accinf) {
    /* Lambda_max: max sum x s.t. accuracy row, bounds */
    accq_glpk_set_maximize(lp, 1);
    for (int k = 0; k < K; k++) accq_glpk_set_obj(lp, k, 1.0);
    accq_glpk_set_row_bounds(lp, ROW_FLOW, -INFINITY, INFINITY);
    accq_glpk_set_row_bounds(lp, ROW_ACC, 0.0, INFINITY);
    rc = solve_step(lp, "Lambda_max", p->lambda, &out, err);
    if (rc) goto cleanup;
    if (out != ACCQ_GLPK_OPTIMAL) {
      rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK finds the Lambda_max LP %s",
                        out == ACCQ_GLPK_INFEASIBLE ? "infeasible (GLP_NOFEAS)"
                                                    : "unbounded (GLP_UNBND)");
      goto cleanup;
    }
    double lmax = 0;
    for (int k = 0; k < K; k++) lmax += accq_glpk_col_value(lp, k);
    r->lambda_max = lmax;
    accq_i_lp_breakpoints(p, lmax, r);

    if (p->lambda > lmax * (1 + ACCQ_I_LP_FEAS_RTOL)) {
      r->status = ACCQ_LP_CAPACITY_INFEASIBLE;
    } else {
      double lam = fmin(p->lambda, lmax), scale = p->lambda / lam;
      accq_glpk_set_maximize(lp, 0);
      for (int k = 0; k < K; k++) accq_glpk_set_obj(lp, k, 1.0 / p->mu[k]);
      accq_glpk_set_row_bounds(lp, ROW_FLOW, lam, lam);
      rc = solve_step(lp, "bound", p->lambda, &out, err);
      if (rc) goto cleanup;
      if (out != ACCQ_GLPK_OPTIMAL) {
        rc = accq_err_set(err, ACCQ_ENUMERIC,
                          "GLPK finds the LP at Lambda = %.17g %s although Lambda_max = %.17g",
                          lam, out == ACCQ_GLPK_INFEASIBLE ? "infeasible (GLP_NOFEAS)"
                                                           : "unbounded (GLP_UNBND)",
                          lmax);
        goto cleanup;
      }
      double primal = 0, dual;
      r->dual_flow = accq_glpk_row_dual(lp, ROW_FLOW);
      r->dual_acc = accq_glpk_row_dual(lp, ROW_ACC);
      /* rounding can leave -2e-16 on a slack accuracy row: clip to its sign */
      if (r->dual_acc < 0 && r->dual_acc > -1e-12 * fabs(r->dual_flow)) r->dual_acc = 0;
      dual = lam * r->dual_flow;
      for (int k = 0; k < K; k++) {
        double xk = accq_glpk_col_value(lp, k);
        primal += xk / p->mu[k];
        /* the reduced cost of a column is the dual of its upper bound when
         * negative (at capacity), of x_k >= 0 when positive */
        double dj = accq_glpk_col_dual(lp, k);
        r->dual_cap[k] = dj < 0 ? dj : 0.0;
        dual += p->cap[k] * r->dual_cap[k];
        r->x[k] = xk * scale;
        r->p[k] = r->x[k] / p->lambda;
      }
      r->t_lp = primal * scale / p->lambda;
      r->duality_gap = fabs(primal - dual) * scale;
      r->status = ACCQ_LP_OPTIMAL;
    }
  } else {
    r->status = ACCQ_LP_ACCURACY_INFEASIBLE;
    r->lambda_max = 0;
  }

  /* T_free: the same LP without the accuracy row */
  if (p->lambda <= sumcap * (1 + ACCQ_I_LP_FEAS_RTOL)) {
    double lam = fmin(p->lambda, sumcap);
    accq_glpk_set_maximize(lp, 0);
    for (int k = 0; k < K; k++) accq_glpk_set_obj(lp, k, 1.0 / p->mu[k]);
    accq_glpk_set_row_bounds(lp, ROW_FLOW, lam, lam);
    accq_glpk_set_row_bounds(lp, ROW_ACC, -INFINITY, INFINITY);
    rc = solve_step(lp, "T_free", p->lambda, &out, err);
    if (rc) goto cleanup;
    if (out != ACCQ_GLPK_OPTIMAL) {
      rc = accq_err_set(err, ACCQ_ENUMERIC,
                        "GLPK finds the LP without accuracy row infeasible at Lambda = %.17g "
                        "although sum cap = %.17g",
                        lam, sumcap);
      goto cleanup;
    }
    double obj = 0;
    for (int k = 0; k < K; k++) obj += accq_glpk_col_value(lp, k) / p->mu[k];
    r->t_free = obj / lam;
  }
  r->price = r->t_lp / r->t_free;
cleanup:
  accq_glpk_free(lp);
  return rc;
}
