/* GLPK adapter, sparse LPs (internal): used by the occupation-measure LP of
 * src/optimal.  Columns are all >= 0 with no upper bound. */
#ifndef ACCQ_EXT_GLPK_SPARSE_H
#define ACCQ_EXT_GLPK_SPARSE_H

#include <stdint.h>

#include "accq/status.h"

typedef enum { ACCQ_I_ROW_EQ = 0, ACCQ_I_ROW_GE, ACCQ_I_ROW_LE } accq_i_row_kind_t;

typedef struct {
  int nrows, ncols;
  int64_t nnz;
  const int *row, *col;          /* 0-based triplets, no duplicates */
  const double *val;
  const double *obj;             /* ncols, minimized */
  const unsigned char *row_kind; /* accq_i_row_kind_t per row */
  const double *rhs;             /* nrows */
  int interior;                  /* 0: primal simplex, 1: interior point */
  double max_seconds;
} accq_i_sparse_lp_t;

/* Solves; x gets ncols values and *objective the optimum.  Returns ACCQ_SUCCESS,
 * ACCQ_EACCINFEAS when the LP has no feasible point (callers re-word it),
 * ACCQ_ENUMERIC / ACCQ_ENOCONV naming GLPK's code otherwise.  GLPK's terminal
 * output is suppressed. */
int accq_i_glpk_sparse_solve(const accq_i_sparse_lp_t *lp, double *x, double *objective,
                             accq_err_t *err);

#endif
