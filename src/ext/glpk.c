/* GLPK adapter (see accq_glpk.h).  The only file that includes <glpk.h>. */
#include "accq/clock.h"
#include "ext/accq_glpk.h"

#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_MAX 2048

struct accq_glpk_lp {
  glp_prob *P;
  int nrows, ncols;
  int has_basis;
  int polished;
  /* limits and tolerances of glp_smcp (0 = GLPK's default) */
  int it_lim, tm_lim_ms, textbook_ratio, scale;
  double tol_bnd, tol_dj, tol_piv;
  int iterations; /* simplex iterations of the last solve (retry included) */
  double obj;
  double *col_val, *col_dual, *row_val, *row_dual; /* last solution */
  char log[LOG_MAX];
  size_t loglen;
  jmp_buf jb; /* GLPK internal error -> longjmp back into accq_glpk_solve */
};

/* glp_term_hook: append GLPK's output to the object's log, print nothing. */
static int term_hook(void *info, const char *s) {
  accq_glpk_lp_t *lp = info;
  size_t n = strlen(s), room = LOG_MAX - 1 - lp->loglen;
  if (n > room) n = room;
  memcpy(lp->log + lp->loglen, s, n);
  lp->loglen += n;
  lp->log[lp->loglen] = '\0';
  return 1; /* nonzero: GLPK does not print */
}

static void error_hook(void *info) {
  accq_glpk_lp_t *lp = info;
  longjmp(lp->jb, 1);
}

accq_glpk_lp_t *accq_glpk_alloc(int nrows, int ncols) {
  if (nrows < 0 || ncols < 1) return NULL;
  accq_glpk_lp_t *lp = calloc(1, sizeof *lp);
  if (!lp) return NULL;
  size_t nr = (size_t)nrows + 1, nc = (size_t)ncols + 1;
  lp->col_val = calloc(nc, sizeof(double));
  lp->col_dual = calloc(nc, sizeof(double));
  lp->row_val = calloc(nr, sizeof(double));
  lp->row_dual = calloc(nr, sizeof(double));
  if (!lp->col_val || !lp->col_dual || !lp->row_val || !lp->row_dual) {
    accq_glpk_free(lp);
    return NULL;
  }
  int old = glp_term_out(GLP_OFF);
  lp->P = glp_create_prob();
  glp_term_out(old);
  lp->nrows = nrows;
  lp->ncols = ncols;
  if (nrows > 0) glp_add_rows(lp->P, nrows);
  glp_add_cols(lp->P, ncols);
  for (int i = 1; i <= nrows; i++) glp_set_row_bnds(lp->P, i, GLP_FR, 0.0, 0.0);
  for (int j = 1; j <= ncols; j++) glp_set_col_bnds(lp->P, j, GLP_LO, 0.0, 0.0);
  glp_set_obj_dir(lp->P, GLP_MIN);
  return lp;
}

void accq_glpk_free(accq_glpk_lp_t *lp) {
  if (!lp) return;
  if (lp->P) glp_delete_prob(lp->P);
  free(lp->col_val);
  free(lp->col_dual);
  free(lp->row_val);
  free(lp->row_dual);
  free(lp);
}

void accq_glpk_set_limits(accq_glpk_lp_t *lp, int it_lim, int tm_lim_ms) {
  lp->it_lim = it_lim > 0 ? it_lim : 0;
  lp->tm_lim_ms = tm_lim_ms > 0 ? tm_lim_ms : 0;
}

void accq_glpk_set_tolerances(accq_glpk_lp_t *lp, double tol_bnd, double tol_dj,
                              double tol_piv, int textbook_ratio) {
  /* glp_simplex refuses tolerances outside (0, 1): keep GLPK's default then */
  lp->tol_bnd = tol_bnd > 0 && tol_bnd < 1 ? tol_bnd : 0;
  lp->tol_dj = tol_dj > 0 && tol_dj < 1 ? tol_dj : 0;
  lp->tol_piv = tol_piv > 0 && tol_piv < 1 ? tol_piv : 0;
  lp->textbook_ratio = textbook_ratio != 0;
}

int accq_glpk_iterations(const accq_glpk_lp_t *lp) { return lp->iterations; }

void accq_glpk_set_scaling(accq_glpk_lp_t *lp, int on) { lp->scale = on != 0; }

void accq_glpk_set_maximize(accq_glpk_lp_t *lp, int maximize) {
  glp_set_obj_dir(lp->P, maximize ? GLP_MAX : GLP_MIN);
}

void accq_glpk_set_obj(accq_glpk_lp_t *lp, int j, double c) {
  glp_set_obj_coef(lp->P, j + 1, c);
}

static void bounds(double lo, double up, int *type, double *l, double *u) {
  int haslo = isfinite(lo), hasup = isfinite(up);
  *l = haslo ? lo : 0.0;
  *u = hasup ? up : 0.0;
  if (haslo && hasup)
    *type = lo == up ? GLP_FX : GLP_DB;
  else if (haslo)
    *type = GLP_LO;
  else if (hasup)
    *type = GLP_UP;
  else
    *type = GLP_FR;
}

void accq_glpk_set_col_bounds(accq_glpk_lp_t *lp, int j, double lo, double up) {
  int type;
  double l, u;
  bounds(lo, up, &type, &l, &u);
  glp_set_col_bnds(lp->P, j + 1, type, l, u);
}

void accq_glpk_set_row_bounds(accq_glpk_lp_t *lp, int i, double lo, double up) {
  int type;
  double l, u;
  bounds(lo, up, &type, &l, &u);
  glp_set_row_bnds(lp->P, i + 1, type, l, u);
}

void accq_glpk_set_row(accq_glpk_lp_t *lp, int i, int len, const int *idx,
                       const double *val) {
  int *ind = malloc(((size_t)len + 1) * sizeof(int));
  double *v = malloc(((size_t)len + 1) * sizeof(double));
  int n = 0;
  if (ind && v)
    for (int t = 0; t < len; t++)
      if (val[t] != 0.0) {
        n++;
        ind[n] = idx[t] + 1;
        v[n] = val[t];
      }
  glp_set_mat_row(lp->P, i + 1, n, ind, v);
  free(ind);
  free(v);
}

static const char *ret_name(int ret) {
  switch (ret) {
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
  case GLP_ERANGE: return "GLP_ERANGE";
  case GLP_ENOFEAS: return "GLP_ENOFEAS";
  case GLP_ENOCVG: return "GLP_ENOCVG";
  case GLP_EINSTAB: return "GLP_EINSTAB";
  default: return "an unknown GLPK code";
  }
}

static const char *status_name(int st) {
  switch (st) {
  case GLP_OPT: return "GLP_OPT";
  case GLP_FEAS: return "GLP_FEAS";
  case GLP_INFEAS: return "GLP_INFEAS";
  case GLP_NOFEAS: return "GLP_NOFEAS";
  case GLP_UNBND: return "GLP_UNBND";
  case GLP_UNDEF: return "GLP_UNDEF";
  default: return "an unknown GLPK status";
  }
}

static void read_solution(accq_glpk_lp_t *lp) {
  lp->obj = glp_get_obj_val(lp->P);
  for (int j = 1; j <= lp->ncols; j++) {
    lp->col_val[j] = glp_get_col_prim(lp->P, j);
    lp->col_dual[j] = glp_get_col_dual(lp->P, j);
  }
  for (int i = 1; i <= lp->nrows; i++) {
    lp->row_val[i] = glp_get_row_prim(lp->P, i);
    lp->row_dual[i] = glp_get_row_dual(lp->P, i);
  }
}

int accq_glpk_solve(accq_glpk_lp_t *lp, int polish, accq_glpk_outcome_t *outcome,
                    accq_err_t *err) {
  /* terminal output on, but every line goes to term_hook (which keeps it in
   * lp->log and tells GLPK not to print it) */
  volatile int old_out = glp_term_out(GLP_ON);
  int rc = ACCQ_SUCCESS;
  lp->loglen = 0;
  lp->log[0] = '\0';
  lp->polished = 0;
  glp_term_hook(term_hook, lp);
  glp_error_hook(error_hook, lp);
  if (setjmp(lp->jb)) {
    /* GLPK's environment is unusable after an internal error: free it (this
     * invalidates lp->P, which we forget). */
    glp_error_hook(NULL, NULL);
    glp_term_hook(NULL, NULL);
    lp->P = NULL;
    glp_free_env();
    return accq_err_set(err, ACCQ_ENUMERIC, "GLPK internal error: %s", lp->log);
  }
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_ERR; /* errors go to the log (term_hook), never printed */
  parm.presolve = GLP_OFF;
  if (lp->it_lim > 0) parm.it_lim = lp->it_lim;
  if (lp->tm_lim_ms > 0) parm.tm_lim = lp->tm_lim_ms;
  if (lp->tol_bnd > 0) parm.tol_bnd = lp->tol_bnd;
  if (lp->tol_dj > 0) parm.tol_dj = lp->tol_dj;
  if (lp->tol_piv > 0) parm.tol_piv = lp->tol_piv;
  if (lp->textbook_ratio) parm.r_test = GLP_RT_STD;
  lp->iterations = 0;
  if (lp->scale) glp_scale_prob(lp->P, GLP_SF_AUTO);
  int it0 = glp_get_it_cnt(lp->P);
  if (!lp->has_basis) {
    glp_std_basis(lp->P);
    lp->has_basis = 1;
  }
  int ret = glp_simplex(lp->P, &parm);
  lp->iterations = glp_get_it_cnt(lp->P) - it0;
  /* the limits bound the whole call: an exhausted limit is not retried */
  if (ret != 0 && ret != GLP_EITLIM && ret != GLP_ETMLIM) {
    lp->loglen = 0; /* keep the message of the retry only */
    lp->log[0] = '\0';
    /* A stale basis can be singular: retry once from the standard basis. */
    glp_std_basis(lp->P);
    if (lp->it_lim > 0) parm.it_lim = lp->it_lim > lp->iterations ? lp->it_lim - lp->iterations : 1;
    it0 = glp_get_it_cnt(lp->P);
    ret = glp_simplex(lp->P, &parm);
    lp->iterations += glp_get_it_cnt(lp->P) - it0;
  }
  if (ret == GLP_EITLIM || ret == GLP_ETMLIM) {
    rc = accq_err_set(err, ACCQ_ENUMERIC,
                      "GLPK glp_simplex returned %s: no optimum after %d iterations "
                      "(limits: %d iterations, %d ms)",
                      ret_name(ret), lp->iterations, lp->it_lim, lp->tm_lim_ms);
    goto cleanup;
  }
  if (ret != 0) {
    while (lp->loglen > 0 && (lp->log[lp->loglen - 1] == '\n' || lp->log[lp->loglen - 1] == ' '))
      lp->log[--lp->loglen] = '\0';
    rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK glp_simplex returned %s%s%s",
                      ret_name(ret), lp->loglen ? ": " : "", lp->log);
    goto cleanup;
  }
  int st = glp_get_status(lp->P);
  if (st == GLP_NOFEAS) {
    *outcome = ACCQ_GLPK_INFEASIBLE;
    goto cleanup;
  }
  if (st == GLP_UNBND) {
    *outcome = ACCQ_GLPK_UNBOUNDED;
    goto cleanup;
  }
  if (st != GLP_OPT) {
    rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK glp_simplex ended with status %s",
                      status_name(st));
    goto cleanup;
  }
  *outcome = ACCQ_GLPK_OPTIMAL;
  /* glp_simplex may end with values of its perturbed bounds (row activities
   * off by ~1e-10 relative were seen): recompute the basic solution of the
   * final basis from the true data. */
  ret = glp_warm_up(lp->P);
  if (ret != 0) {
    rc = accq_err_set(err, ACCQ_ENUMERIC, "GLPK glp_warm_up returned %s", ret_name(ret));
    goto cleanup;
  }
  read_solution(lp);
  if (polish) {
    ret = glp_exact(lp->P, &parm);
    if (ret == 0 && glp_get_status(lp->P) == GLP_OPT) {
      read_solution(lp);
      lp->polished = 1;
    }
  }
cleanup:
  glp_error_hook(NULL, NULL);
  glp_term_hook(NULL, NULL);
  glp_term_out(old_out);
  return rc;
}

double accq_glpk_obj_value(const accq_glpk_lp_t *lp) { return lp->obj; }
double accq_glpk_col_value(const accq_glpk_lp_t *lp, int j) { return lp->col_val[j + 1]; }
double accq_glpk_col_dual(const accq_glpk_lp_t *lp, int j) { return lp->col_dual[j + 1]; }
double accq_glpk_row_value(const accq_glpk_lp_t *lp, int i) { return lp->row_val[i + 1]; }
double accq_glpk_row_dual(const accq_glpk_lp_t *lp, int i) { return lp->row_dual[i + 1]; }
int accq_glpk_polished(const accq_glpk_lp_t *lp) { return lp->polished; }
const char *accq_glpk_log(const accq_glpk_lp_t *lp) { return lp->log; }

/* The one-call solver's hooks: GLPK's terminal output is kept (the last
 * lines, for error messages) and never printed; a line "[*] N: obj = ..." of
 * the simplex (or interior point) log reports N pivots to the caller's
 * callback.  An internal GLPK error (out of memory, a failed assertion) calls
 * the error hook, which longjmps back into accq_i_glpk_sparse_solve instead of
 * letting GLPK abort() the process. */
#define SPARSE_LOG_MAX 1024
typedef struct {
  jmp_buf jb;
  char log[SPARSE_LOG_MAX];
  size_t loglen;
  void (*cb)(void *ctx, int pivots);
  void *cb_ctx;
  double deadline;          /* monotonic seconds; 0: none */
  volatile int timed_out;   /* the term hook stopped GLPK at the deadline */
  volatile int pivots;      /* the last count GLPK reported */
} sparse_ctx_t;

static double sparse_now(void) { return accq_clock_now(); }

static int sparse_term(void *info, const char *s) {
  sparse_ctx_t *c = info;
  int progress = 0;
  {
    const char *p = s;
    while (*p == ' ' || *p == '*') p++;
    if (*p >= '0' && *p <= '9') {
      char *end;
      long it = strtol(p, &end, 10);
      if (*end == ':' && it >= 0 && it < INT32_MAX) {
        progress = 1;
        c->pivots = (int)it;
        if (c->cb) c->cb(c->cb_ctx, (int)it);
      }
    }
  }
  /* the log keeps what an error message needs: not the progress and scaling
   * reports */
  if (!progress && strncmp(s, "Scaling", 7) && !strstr(s, "min|aij|")) {
    size_t n = strlen(s);
    if (n >= SPARSE_LOG_MAX) {
      s += n - (SPARSE_LOG_MAX - 1);
      n = SPARSE_LOG_MAX - 1;
    }
    if (c->loglen + n >= SPARSE_LOG_MAX) c->loglen = 0; /* keep the latest lines */
    memcpy(c->log + c->loglen, s, n);
    c->loglen += n;
    c->log[c->loglen] = '\0';
  }
  /* GLPK's own tm_lim is checked rarely in the simplex (3-4 s late at 4,050
   * states, more on larger LPs); its progress lines come every out_frq ms, so
   * the deadline is enforced here too, by the same recovery as an internal
   * error (longjmp, then glp_free_env). */
  if (c->deadline > 0 && sparse_now() >= c->deadline) {
    c->timed_out = 1;
    longjmp(c->jb, 1);
  }
  return 1; /* nonzero: GLPK prints nothing */
}

static void sparse_error(void *info) {
  sparse_ctx_t *c = info;
  longjmp(c->jb, 1);
}

/* GLPK's last message, one line, without the trailing newline. */
static const char *sparse_log_text(sparse_ctx_t *c) {
  size_t w = 0;
  for (size_t i = 0; i < c->loglen; i++) {
    char ch = c->log[i] == '\n' || c->log[i] == '\t' ? ' ' : c->log[i];
    if (ch == ' ' && (w == 0 || c->log[w - 1] == ' ')) continue; /* one space, none leading */
    c->log[w++] = ch;
  }
  while (w > 0 && c->log[w - 1] == ' ') w--;
  c->log[w] = '\0';
  c->loglen = w;
  return c->log;
}

/* GLPK's interior point on P (loaded): x and the objective, or an error. */
static int sparse_interior(glp_prob *P, const accq_i_sparse_lp_t *lp, double *x, double *objective,
                           accq_err_t *err) {
  int status = ACCQ_SUCCESS;
  glp_iptcp parm;
  glp_init_iptcp(&parm);
  parm.msg_lev = GLP_MSG_ON; /* to sparse_term only: progress and the deadline */
  parm.ord_alg = GLP_ORD_AMD;
  int rc = glp_interior(P, &parm);
  if (rc != 0) {
    status = accq_err_set(err, rc == GLP_ENOFEAS ? ACCQ_EACCINFEAS : ACCQ_ENUMERIC,
                          "GLPK glp_interior returned %s (%d)", ret_name(rc), rc);
    return status;
  }
  int st = glp_ipt_status(P);
  if (st == GLP_NOFEAS) {
    status = accq_err_set(err, ACCQ_EACCINFEAS, "the LP has no feasible solution");
    return status;
  }
  if (st != GLP_OPT) {
    status = accq_err_set(err, ACCQ_ENUMERIC, "GLPK glp_interior ended with status %d", st);
    return status;
  }
  *objective = glp_ipt_obj_val(P);
  for (int j = 0; j < lp->ncols; j++) x[j] = glp_ipt_col_prim(P, j + 1);
  return status;
}

/* GLPK's primal simplex on P (loaded), from lp's basis when given; tm: time
 * limit in ms.  x, the objective and the final basis, or an error. */
static int sparse_simplex(glp_prob *P, const accq_i_sparse_lp_t *lp, int tm, double *x,
                          double *objective, accq_err_t *err) {
  int status = ACCQ_SUCCESS;
  glp_smcp parm;
  glp_init_smcp(&parm);
  /* GLPK's progress lines (every out_frq ms) go to sparse_term, which
   * reads the pivot count off them and enforces the deadline */
  parm.msg_lev = GLP_MSG_ON;
  parm.out_frq = 500;
  parm.out_dly = 0;
  parm.presolve = GLP_OFF;
  /* tighter than GLPK's 1e-7: the rule recovered from the solution must
   * reproduce t_opt to 1e-8 when the chain engine evaluates it; the primal
   * method from the warm start was fastest (dual simplex: 10x slower) */
  parm.tol_bnd = 1e-9;
  parm.tol_dj = 1e-9;
  parm.tm_lim = tm;
  /* A basis here holds one generator-like column per state, and its LU
   * factors fill in: at 15,000 states one factorization takes about 1.5 s
   * and each pivot's FTRAN/BTRAN most of 20 ms.  So refactorize only after
   * 1,000 Forrest-Tomlin updates (GLPK's default: 100) and price by Dantzig's
   * rule (projected steepest edge costs extra solves per pivot and did not
   * save pivots).  These settings and the warm start of src/optimal took
   * 20,580 states from 95 s to 43 s, back to back (bench/README.md). */
  glp_bfcp bf;
  glp_get_bfcp(P, &bf);
  bf.nfs_max = 1000;
  glp_set_bfcp(P, &bf);
  parm.pricing = GLP_PT_STD;
  glp_scale_prob(P, GLP_SF_AUTO);
  if (lp->col_basic && lp->row_basic) {
    for (int i = 0; i < lp->nrows; i++)
      glp_set_row_stat(P, i + 1, lp->row_basic[i] ? GLP_BS : GLP_NF);
    for (int j = 0; j < lp->ncols; j++)
      glp_set_col_stat(P, j + 1, lp->col_basic[j] ? GLP_BS : GLP_NL);
  } else {
    glp_adv_basis(P, 0);
  }
  int rc = glp_simplex(P, &parm);
  if (lp->iterations_out) *lp->iterations_out = glp_get_it_cnt(P);
  if (rc == GLP_ENOPFS) {
    status = accq_err_set(err, ACCQ_EACCINFEAS, "the LP has no feasible solution (GLP_ENOPFS)");
    return status;
  }
  if (rc == GLP_ETMLIM) {
    status = accq_err_set(err, ACCQ_ENOCONV, "time limit of %.3g s reached after %d simplex "
                          "pivots (GLP_ETMLIM)", tm / 1000.0, glp_get_it_cnt(P));
    return status;
  }
  if (rc != 0) {
    status = accq_err_set(err, rc == GLP_EITLIM ? ACCQ_ENOCONV : ACCQ_ENUMERIC,
                          "GLPK glp_simplex returned %s (%d)", ret_name(rc), rc);
    return status;
  }
  int st = glp_get_status(P);
  if (st == GLP_NOFEAS) {
    status = accq_err_set(err, ACCQ_EACCINFEAS, "the LP has no feasible solution");
    return status;
  }
  if (st != GLP_OPT) {
    status = accq_err_set(err, ACCQ_ENUMERIC, "GLPK glp_simplex ended with status %s",
                          status_name(st));
    return status;
  }
  *objective = glp_get_obj_val(P);
  for (int j = 0; j < lp->ncols; j++) x[j] = glp_get_col_prim(P, j + 1);
  if (lp->col_basic_out)
    for (int j = 0; j < lp->ncols; j++) lp->col_basic_out[j] = glp_get_col_stat(P, j + 1) == GLP_BS;
  return status;
}

int accq_i_glpk_sparse_solve(const accq_i_sparse_lp_t *lp, double *x, double *objective,
                             accq_err_t *err) {
  int status = ACCQ_SUCCESS;
  if (lp->nnz >= INT32_MAX - 1)
    return accq_err_set(err, ACCQ_ETOOBIG, "LP has %lld non-zeros; GLPK takes at most %d",
                        (long long)lp->nnz, INT32_MAX - 2);
  /* our own arrays first: allocated before the setjmp, never reassigned after */
  int *ia = malloc(sizeof *ia * (size_t)(lp->nnz + 1));
  int *ja = malloc(sizeof *ja * (size_t)(lp->nnz + 1));
  double *ar = malloc(sizeof *ar * (size_t)(lp->nnz + 1));
  if (!ia || !ja || !ar) {
    free(ia);
    free(ja);
    free(ar);
    return accq_err_set(err, ACCQ_ENOMEM, "no memory for an LP with %lld non-zeros",
                        (long long)lp->nnz);
  }
  for (int64_t e = 0; e < lp->nnz; e++) {
    ia[e + 1] = lp->row[e] + 1;
    ja[e + 1] = lp->col[e] + 1;
    ar[e + 1] = lp->val[e];
  }
  sparse_ctx_t ctx;
  ctx.loglen = 0;
  ctx.log[0] = '\0';
  ctx.cb = lp->pivots_cb;
  ctx.cb_ctx = lp->pivots_ctx;
  ctx.timed_out = 0;
  ctx.pivots = 0;
  ctx.deadline = lp->max_seconds > 0 && lp->max_seconds < 1e9 ? sparse_now() + lp->max_seconds : 0;
  glp_term_hook(sparse_term, &ctx);
  glp_error_hook(sparse_error, &ctx);
  if (setjmp(ctx.jb)) {
    /* GLPK's documented recovery: its environment is unusable after the
     * error hook ran; free it (every GLPK object with it, P included). */
    glp_error_hook(NULL, NULL);
    glp_term_hook(NULL, NULL);
    glp_free_env();
    free(ia);
    free(ja);
    free(ar);
    if (lp->iterations_out) *lp->iterations_out = ctx.pivots;
    if (ctx.timed_out)
      return accq_err_set(err, ACCQ_ENOCONV, "time limit of %.3g s reached after about %d "
                          "simplex pivots", lp->max_seconds, ctx.pivots);
    const char *msg = sparse_log_text(&ctx);
    if (strstr(msg, "memory"))
      return accq_err_set(err, ACCQ_ENOMEM, "GLPK ran out of memory solving an LP with %d rows, "
                          "%d columns and %lld non-zeros (%s)", lp->nrows, lp->ncols,
                          (long long)lp->nnz, msg);
    return accq_err_set(err, ACCQ_ENUMERIC, "GLPK internal error: %s", msg);
  }
  if (lp->mem_limit_mb > 0) glp_mem_limit(lp->mem_limit_mb);
  glp_prob *P = glp_create_prob();
  glp_set_obj_dir(P, GLP_MIN);
  glp_add_rows(P, lp->nrows);
  glp_add_cols(P, lp->ncols);
  for (int i = 0; i < lp->nrows; i++) {
    int kind = lp->row_kind[i] == ACCQ_I_ROW_EQ     ? GLP_FX
               : lp->row_kind[i] == ACCQ_I_ROW_GE   ? GLP_LO
               : lp->row_kind[i] == ACCQ_I_ROW_FREE ? GLP_FR
                                                    : GLP_UP;
    glp_set_row_bnds(P, i + 1, kind, lp->rhs[i], lp->rhs[i]);
  }
  for (int j = 0; j < lp->ncols; j++) {
    glp_set_col_bnds(P, j + 1, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(P, j + 1, lp->obj[j]);
  }
  glp_load_matrix(P, (int)lp->nnz, ia, ja, ar);
  int tm = lp->max_seconds > 0 && lp->max_seconds < 2e6 ? (int)(lp->max_seconds * 1000) : INT32_MAX;
  if (tm < 1) tm = 1;
  if (lp->interior)
    status = sparse_interior(P, lp, x, objective, err);
  else
    status = sparse_simplex(P, lp, tm, x, objective, err);
  glp_delete_prob(P);
  if (lp->mem_limit_mb > 0) glp_mem_limit(INT32_MAX);
  glp_error_hook(NULL, NULL);
  glp_term_hook(NULL, NULL);
  free(ia);
  free(ja);
  free(ar);
  return status;
}
