/* Helpers shared by the LP solvers (GLPK, combinatorial, exact). */
#ifndef ACCQ_LP_INTERNAL_H
#define ACCQ_LP_INTERNAL_H

#include "accq/lp.h"

/* Lambda within this relative margin above Lambda_max counts as Lambda_max
 * (the two float solvers compute Lambda_max along different roundings); the
 * LP is then solved at Lambda_max and the split scaled by Lambda/Lambda_max,
 * which leaves the capacity rows violated by at most this relative amount. */
#define ACCQ_I_LP_FEAS_RTOL 1e-12

/* Two real scores within this relative distance are ties (SPEC 4). */
#define ACCQ_I_LP_TIE_RTOL 1e-12

/* Checks ntypes, Lambda, a*, mu, acc, cap; EINVAL names the bad value. */
int accq_i_lp_validate(const accq_lp_problem_t *p, accq_err_t *err);

/* Sets every number of r to NaN / 0 and fills pairs; status OPTIMAL. */
void accq_i_lp_result_init(const accq_lp_problem_t *p, accq_lp_result_t *r);

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
#define ACCQ_I_LP_MAX_VERT (ACCQ_MAX_TYPES + ACCQ_MAX_TYPES * (ACCQ_MAX_TYPES - 1) / 2)
int accq_i_lp_dual_vertices(const accq_lp_problem_t *p, double *y, double *z, double *u);
#endif
