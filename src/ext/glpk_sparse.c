#include "ext/glpk_sparse.h"

#include <glpk.h>
#include <stdlib.h>

static int silent(void *info, const char *s) {
  (void)info;
  (void)s;
  return 1; /* non-zero: GLPK prints nothing */
}

static const char *glpk_code(int rc) {
  switch (rc) {
  case GLP_EBADB: return "GLP_EBADB";
  case GLP_ESING: return "GLP_ESING";
  case GLP_ECOND: return "GLP_ECOND";
  case GLP_EBOUND: return "GLP_EBOUND";
  case GLP_EFAIL: return "GLP_EFAIL";
  case GLP_EOBJLL: return "GLP_EOBJLL";
  case GLP_EOBJUL: return "GLP_EOBJUL";
  case GLP_EITLIM: return "GLP_EITLIM";
  case GLP_ETMLIM: return "GLP_ETMLIM";
  case GLP_ENOPFS: return "GLP_ENOPFS";
  case GLP_ENODFS: return "GLP_ENODFS";
  case GLP_ENOFEAS: return "GLP_ENOFEAS";
  case GLP_ENOCVG: return "GLP_ENOCVG";
  case GLP_EINSTAB: return "GLP_EINSTAB";
  default: return "an unknown GLPK code";
  }
}

int accq_i_glpk_sparse_solve(const accq_i_sparse_lp_t *lp, double *x, double *objective,
                             accq_err_t *err) {
  int status = ACCQ_SUCCESS;
  int *ia = NULL, *ja = NULL;
  double *ar = NULL;
  if (lp->nnz >= INT32_MAX - 1)
    return accq_err_set(err, ACCQ_ETOOBIG, "LP has %lld non-zeros; GLPK takes at most %d",
                        (long long)lp->nnz, INT32_MAX - 2);
  glp_term_hook(silent, NULL);
  glp_prob *P = glp_create_prob();
  glp_set_obj_dir(P, GLP_MIN);
  glp_add_rows(P, lp->nrows);
  glp_add_cols(P, lp->ncols);
  for (int i = 0; i < lp->nrows; i++) {
    int kind = lp->row_kind[i] == ACCQ_I_ROW_EQ ? GLP_FX
               : lp->row_kind[i] == ACCQ_I_ROW_GE ? GLP_LO
                                                  : GLP_UP;
    glp_set_row_bnds(P, i + 1, kind, lp->rhs[i], lp->rhs[i]);
  }
  for (int j = 0; j < lp->ncols; j++) {
    glp_set_col_bnds(P, j + 1, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(P, j + 1, lp->obj[j]);
  }
  ia = malloc(sizeof *ia * (size_t)(lp->nnz + 1));
  ja = malloc(sizeof *ja * (size_t)(lp->nnz + 1));
  ar = malloc(sizeof *ar * (size_t)(lp->nnz + 1));
  if (!ia || !ja || !ar) {
    status = accq_err_set(err, ACCQ_ENOMEM, "no memory for an LP with %lld non-zeros",
                          (long long)lp->nnz);
    goto cleanup;
  }
  for (int64_t e = 0; e < lp->nnz; e++) {
    ia[e + 1] = lp->row[e] + 1;
    ja[e + 1] = lp->col[e] + 1;
    ar[e + 1] = lp->val[e];
  }
  glp_load_matrix(P, (int)lp->nnz, ia, ja, ar);
  int tm = lp->max_seconds > 0 && lp->max_seconds < 2e6 ? (int)(lp->max_seconds * 1000) : INT32_MAX;
  if (lp->interior) {
    glp_iptcp parm;
    glp_init_iptcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.ord_alg = GLP_ORD_AMD;
    int rc = glp_interior(P, &parm);
    if (rc != 0) {
      status = accq_err_set(err, rc == GLP_ENOFEAS ? ACCQ_EACCINFEAS : ACCQ_ENUMERIC,
                            "GLPK glp_interior returned %s (%d)", glpk_code(rc), rc);
      goto cleanup;
    }
    int st = glp_ipt_status(P);
    if (st == GLP_NOFEAS) {
      status = accq_err_set(err, ACCQ_EACCINFEAS, "the LP has no feasible solution");
      goto cleanup;
    }
    if (st != GLP_OPT) {
      status = accq_err_set(err, ACCQ_ENUMERIC, "GLPK glp_interior ended with status %d", st);
      goto cleanup;
    }
    *objective = glp_ipt_obj_val(P);
    for (int j = 0; j < lp->ncols; j++) x[j] = glp_ipt_col_prim(P, j + 1);
  } else {
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    parm.tol_bnd = 1e-10;
    parm.tol_dj = 1e-10;
    parm.tm_lim = tm;
    glp_scale_prob(P, GLP_SF_AUTO);
    int rc = glp_simplex(P, &parm);
    if (rc == GLP_ENOPFS) {
      status = accq_err_set(err, ACCQ_EACCINFEAS, "the LP has no feasible solution (GLP_ENOPFS)");
      goto cleanup;
    }
    if (rc != 0) {
      status = accq_err_set(err, rc == GLP_ETMLIM || rc == GLP_EITLIM ? ACCQ_ENOCONV : ACCQ_ENUMERIC,
                            "GLPK glp_simplex returned %s (%d)", glpk_code(rc), rc);
      goto cleanup;
    }
    int st = glp_get_status(P);
    if (st == GLP_NOFEAS) {
      status = accq_err_set(err, ACCQ_EACCINFEAS, "the LP has no feasible solution");
      goto cleanup;
    }
    if (st != GLP_OPT) {
      status = accq_err_set(err, ACCQ_ENUMERIC, "GLPK glp_simplex ended with status %d", st);
      goto cleanup;
    }
    *objective = glp_get_obj_val(P);
    for (int j = 0; j < lp->ncols; j++) x[j] = glp_get_col_prim(P, j + 1);
  }
cleanup:
  free(ia);
  free(ja);
  free(ar);
  glp_delete_prob(P);
  glp_term_hook(NULL, NULL);
  return status;
}
