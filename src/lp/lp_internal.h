/* Helpers shared by the LP solvers (GLPK, combinatorial, exact). */
#ifndef ACCQ_LP_INTERNAL_H
#define ACCQ_LP_INTERNAL_H

#include <stddef.h>

#include "accq/lp.h"

/* Lambda within this relative margin above Lambda_max counts as Lambda_max
 * (the two float solvers compute Lambda_max along different roundings); the
 * LP is then solved at Lambda_max and the split scaled by Lambda/Lambda_max,
 * which leaves the capacity rows violated by at most this relative amount. */
#define ACCQ_I_LP_FEAS_RTOL 1e-12

/* Two real scores within this relative distance are ties (docs/policies.md). */
#define ACCQ_I_LP_TIE_RTOL 1e-12

/* A type's reduced cost 1/mu_k - y - z d_k within this fraction of its terms
 * (1/mu_k + |y| + z |d_k|) is zero: the type is on the dual vertex's line. */
#define ACCQ_I_LP_RC_RTOL 1e-11

/* Checks ntypes, Lambda, a*, mu, acc, cap; EINVAL names the bad value. */
int accq_i_lp_validate(const accq_lp_problem_t *p, accq_err_t *err);

/* Sets every number of r to NaN / 0 and, when pairs != 0, fills the pairs;
 * status OPTIMAL. */
void accq_i_lp_result_init(const accq_lp_problem_t *p, accq_lp_result_t *r, int pairs);

/* 1 when a* > max_k a_k. */
int accq_i_lp_acc_infeasible(const accq_lp_problem_t *p);

/* Breakpoints of C over (0, lambda_max] as the upper envelope of the dual
 * vertex lines (see proofs/lp-structure.md); fills r->nbreak, breakpoints,
 * c_break.  Nothing when lambda_max <= 0. */
void accq_i_lp_breakpoints(const accq_lp_problem_t *p, double lambda_max,
                           accq_lp_result_t *r);

/* Greedy T_free: fastest types first.  NaN when Lambda > sum cap (beyond the
 * FEAS_RTOL margin). */
double accq_i_lp_t_free_greedy(const accq_lp_problem_t *p);



/* Dual vertices (y, z >= 0) of the LP  max Lambda y - sum_k cap_k u_k,
 * y + z d_k - u_k <= 1/mu_k, u >= 0, z >= 0 (d_k = a_k - a*): every (1/mu_i, 0)
 * and every crossing of two lines y + z d_k = 1/mu_k with z >= 0.  u[s] gets
 * U_s = sum_k cap_k (y_s + z_s d_k - 1/mu_k)^+, so the dual value at Lambda is
 * Lambda y_s - U_s.  Returns the count (<= ACCQ_I_LP_MAX_VERT). */
/* ---- a-posteriori checks (lp_check.c); tolerances ACCQ_LP_CHECK_RTOL ---- */

/* Primal feasibility of a split x with sum x = total, relative: ENUMERIC
 * naming `what` and the failed row.  cost_rel != 0 also accepts a capacity
 * exceeded by a rate costing at most ACCQ_LP_CHECK_RTOL of the split's cost
 * (for splits that are checked but never printed). */
int accq_i_lp_check_split(const accq_lp_problem_t *p, const double *x, double total,
                          int cost_rel, const char *what, accq_err_t *err);
/* Primal and dual feasibility, complementary slackness and t_lp of an optimal
 * answer (x, dual_flow, dual_acc, dual_cap), relative; ENUMERIC naming `who`. */
int accq_i_lp_check_optimal(const accq_lp_problem_t *p, const accq_lp_result_t *r,
                            const char *who, accq_err_t *err);
/* The accuracy dual implied by the flow dual y and capacity duals u at split x. */
double accq_i_lp_dual_acc(const accq_lp_problem_t *p, const double *x, double y,
                          const double *u);
/* |primal - dual| of min sum x_k/mu_k at r's split and duals. */
double accq_i_lp_duality_gap(const accq_lp_problem_t *p, const accq_lp_result_t *r);
/* 1 when a and b agree to rtol (NaN agrees with NaN only). */
int accq_i_lp_close(double a, double b, double rtol);
/* ENUMERIC unless a and b agree (status; Lambda_max, T_free, T_LP to
 * ACCQ_LP_AGREE_RTOL); the message gives both answers. */
int accq_i_lp_agree(const accq_lp_problem_t *p, const accq_lp_result_t *a, const char *an,
                    const accq_lp_result_t *b, const char *bn, accq_err_t *err);
/* One line for an answer (or "no answer (failure)" when r is NULL). */
void accq_i_lp_describe(const accq_lp_result_t *r, const char *failure, char *buf, size_t n);
/* Error bounds (relative) of a float answer's T_LP, Lambda_max, T_free. */
void accq_i_lp_error_bounds(const accq_lp_problem_t *p, const accq_lp_result_t *r,
                            double *bt, double *bl, double *bf);
/* When a bound exceeds ACCQ_LP_AGREE_RTOL / 10: solves exactly, checks the
 * float answer is within its bound of the exact one (else ENUMERIC naming
 * both) and replaces T_LP, Lambda_max, T_free and the split by the exact
 * values rounded (r->exact_polished = 1). */
int accq_i_lp_polish(const accq_lp_problem_t *p, accq_lp_result_t *r, const char *who,
                     accq_err_t *err);
/* printf-style append to err->msg. */
void accq_i_lp_err_append(accq_err_t *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define ACCQ_I_LP_MAX_VERT (ACCQ_MAX_TYPES + ACCQ_MAX_TYPES * (ACCQ_MAX_TYPES - 1) / 2)
int accq_i_lp_dual_vertices(const accq_lp_problem_t *p, double *y, double *z, double *u);
int accq_i_lp_dual_vertices_m(const accq_lp_problem_t *p, double *y, double *z, double *u,
                              double *vm);
#endif
