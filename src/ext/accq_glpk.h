/* Internal adapter around GLPK (src/ext/glpk.c is the only file that includes
 * <glpk.h>).  A small dense-friendly LP object: set the objective, bounds and
 * rows, solve with the simplex (optionally polished by glp_exact), read values.
 * GLPK's terminal output is captured into the object (accq_glpk_log), never
 * printed; GLPK return codes and statuses are mapped to accq statuses with the
 * GLPK name in the message ("GLPK glp_simplex returned GLP_EFAIL").
 * Indices are 0-based.  Infinite bounds are +-INFINITY. */
#ifndef ACCQ_EXT_GLPK_H
#define ACCQ_EXT_GLPK_H

#include <stdint.h>

#include "accq/status.h"

typedef struct accq_glpk_lp accq_glpk_lp_t;

typedef enum {
  ACCQ_GLPK_OPTIMAL = 0,
  ACCQ_GLPK_INFEASIBLE, /* no primal feasible solution (GLP_NOFEAS) */
  ACCQ_GLPK_UNBOUNDED   /* GLP_UNBND */
} accq_glpk_outcome_t;

/* A problem with nrows rows and ncols columns, every column in [0, +inf),
 * every row free, objective 0, minimization.  NULL when out of memory. */
accq_glpk_lp_t *accq_glpk_alloc(int nrows, int ncols);
void accq_glpk_free(accq_glpk_lp_t *lp);

void accq_glpk_set_maximize(accq_glpk_lp_t *lp, int maximize);
void accq_glpk_set_obj(accq_glpk_lp_t *lp, int j, double c);
/* lo may be -INFINITY, up may be INFINITY; lo == up fixes the variable. */
void accq_glpk_set_col_bounds(accq_glpk_lp_t *lp, int j, double lo, double up);
void accq_glpk_set_row_bounds(accq_glpk_lp_t *lp, int i, double lo, double up);
/* Row i := sum_t val[t] x_{idx[t]} (replaces the row; zero entries skipped). */
void accq_glpk_set_row(accq_glpk_lp_t *lp, int i, int len, const int *idx,
                       const double *val);

/* Solves with glp_simplex (no presolver, messages off, warm start from the
 * previous basis when there is one); with polish != 0, an optimal basis is
 * then re-checked and re-solved in exact rational arithmetic by glp_exact
 * (kept only if glp_exact confirms optimality).  Beware: glp_exact first
 * rounds every double of the data to a nearby short fraction (GLPK's
 * set_d_eps, relative error ~1e-11 seen here), so its "exact" answer is the
 * answer of a slightly different problem; accq's LP does not polish.  *outcome tells optimal /
 * infeasible / unbounded; ACCQ_ENUMERIC names a GLPK failure code. */
int accq_glpk_solve(accq_glpk_lp_t *lp, int polish, accq_glpk_outcome_t *outcome,
                    accq_err_t *err);

/* Limits of every later solve: at most it_lim simplex iterations and tm_lim_ms
 * milliseconds (glp_smcp it_lim, tm_lim; <= 0: none).  An exhausted limit is
 * ACCQ_ENUMERIC naming GLP_EITLIM / GLP_ETMLIM, so a cycling simplex cannot hang. */
void accq_glpk_set_limits(accq_glpk_lp_t *lp, int it_lim, int tm_lim_ms);
/* glp_smcp tol_bnd, tol_dj, tol_piv for later solves (values outside (0,1):
 * GLPK's defaults 1e-7, 1e-7, 1e-10); textbook_ratio != 0 selects the textbook
 * ratio test (GLP_RT_STD) instead of Harris's, which lets basic variables end
 * up to tol_bnd outside their bounds. */
void accq_glpk_set_tolerances(accq_glpk_lp_t *lp, double tol_bnd, double tol_dj,
                              double tol_piv, int textbook_ratio);
/* on != 0: GLPK's automatic row and column scaling (glp_scale_prob,
 * GLP_SF_AUTO) before every later solve; values are reported unscaled. */
void accq_glpk_set_scaling(accq_glpk_lp_t *lp, int on);
/* Simplex iterations taken by the last solve. */
int accq_glpk_iterations(const accq_glpk_lp_t *lp);

double accq_glpk_obj_value(const accq_glpk_lp_t *lp);
double accq_glpk_col_value(const accq_glpk_lp_t *lp, int j);
double accq_glpk_col_dual(const accq_glpk_lp_t *lp, int j);  /* reduced cost */
double accq_glpk_row_value(const accq_glpk_lp_t *lp, int i);
double accq_glpk_row_dual(const accq_glpk_lp_t *lp, int i);
/* 1 when the last solve was polished by glp_exact. */
int accq_glpk_polished(const accq_glpk_lp_t *lp);
/* GLPK's captured terminal output of the last solve (possibly truncated). */
const char *accq_glpk_log(const accq_glpk_lp_t *lp);

/* ---- sparse LPs in one call (the occupation-measure LP of src/optimal) ----
 * Columns are all >= 0 with no upper bound; rows are = / >= / <= rhs. */
typedef enum { ACCQ_I_ROW_EQ = 0, ACCQ_I_ROW_GE, ACCQ_I_ROW_LE, ACCQ_I_ROW_FREE } accq_i_row_kind_t;

typedef struct {
  int nrows, ncols;
  int64_t nnz;
  const int *row, *col;          /* 0-based triplets, no duplicates */
  const double *val;
  const double *obj;             /* ncols, minimized */
  const unsigned char *row_kind; /* accq_i_row_kind_t per row */
  const double *rhs;             /* nrows */
  int interior;                  /* 0: primal simplex, 1: interior point */
  /* optional starting basis for the simplex (1 = basic), e.g. the columns of a
   * known policy; NULL: GLPK's advanced initial basis */
  const unsigned char *col_basic, *row_basic;
  unsigned char *col_basic_out;  /* optional: the final basis (1 = basic), ncols */
  double max_seconds;
  int *iterations_out;           /* optional: simplex pivots taken */
  /* optional: called with the pivot count about every half second of simplex */
  void (*pivots_cb)(void *ctx, int pivots);
  void *pivots_ctx;
  int mem_limit_mb;              /* > 0: GLPK's memory limit (glp_mem_limit), for tests */
} accq_i_sparse_lp_t;

/* Solves; x gets ncols values and *objective the optimum.  Returns ACCQ_SUCCESS,
 * ACCQ_EACCINFEAS when the LP has no feasible point (callers re-word it),
 * ACCQ_ENOCONV at the time limit, ACCQ_ENOMEM when GLPK runs out of memory,
 * ACCQ_ENUMERIC naming GLPK's code otherwise.  GLPK's terminal output is
 * suppressed.  GLPK's internal errors (which would abort()) are caught by an
 * error hook: the GLPK environment is then freed (glp_free_env), which also
 * frees every other GLPK object of the thread. */
int accq_i_glpk_sparse_solve(const accq_i_sparse_lp_t *lp, double *x, double *objective,
                             accq_err_t *err);

#endif
