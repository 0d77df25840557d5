/* ARPACK-ng adapter (see ext/arpack.h). */
#include "accq/clock.h"
#include "ext/arpack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpack/arpack.h>

static double now_seconds(void) { return accq_clock_now(); }

static const char *naupd_info(int info) {
  switch (info) {
  case 1: return "maximum number of iterations taken";
  case 3: return "no shifts could be applied during a cycle of the implicitly restarted Arnoldi iteration (increase ncv)";
  case -1: return "N must be positive";
  case -2: return "NEV must be positive";
  case -3: return "NCV-NEV >= 2 and less than or equal to N";
  case -4: return "the maximum number of Arnoldi update iterations must be > 0";
  case -5: return "WHICH is invalid";
  case -6: return "BMAT must be 'I' or 'G'";
  case -7: return "length of private work array is not sufficient";
  case -8: return "error return from LAPACK eigenvalue calculation";
  case -9: return "starting vector is zero";
  case -10: return "IPARAM(7) must be 1, 2, 3, 4";
  case -11: return "IPARAM(7) = 1 and BMAT = 'G' are incompatible";
  case -12: return "IPARAM(1) must be equal to 0 or 1";
  case -9999: return "could not build an Arnoldi factorization";
  default: return "unknown info code";
  }
}

static const char *neupd_info(int info) {
  switch (info) {
  case 1: return "the Schur form computed by LAPACK could not be reordered";
  case -8: return "error return from LAPACK eigenvalue calculation";
  case -9: return "error return from LAPACK eigenvector calculation";
  case -14: return "DNAUPD did not find any eigenvalues to sufficient accuracy";
  case -15: return "DNEUPD got a different count of converged Ritz values than DNAUPD";
  default: return info < 0 ? "invalid argument to DNEUPD" : "unknown info code";
  }
}

static int map_info(int info) {
  if (info == 0) return ACCQ_SUCCESS;
  if (info == 1 || info == 3 || info == -14 || info == -9999) return ACCQ_ENOCONV;
  if (info == -8 || info == -9 || info == -15) return ACCQ_ENUMERIC;
  return ACCQ_EINVAL;
}

typedef struct {
  double mod;
  int idx;
} by_mod_t;

static int cmp_mod(const void *a, const void *b) {
  const by_mod_t *x = a, *y = b;
  if (x->mod != y->mod) return x->mod > y->mod ? -1 : 1;
  return x->idx - y->idx;
}

int accq_arpack_eigs(int64_t n64, accq_arpack_matvec_t matvec, void *ctx,
                     const accq_arpack_options_t *opt, double *re, double *im, double *vec0,
                     long *restarts, int *nconv, accq_err_t *err) {
  int nev = opt->nev, ncv = opt->ncv;
  if (n64 < 3 || n64 > 2147483647)
    return accq_err_set(err, ACCQ_EINVAL, "ARPACK: order %lld out of range [3, 2^31)", (long long)n64);
  a_int n = (a_int)n64;
  if (ncv <= 0) ncv = 2 * nev + 1 > 20 ? 2 * nev + 1 : 20;
  if (ncv > n) ncv = n;
  if (nev < 1 || nev > n - 2 || ncv < nev + 2)
    return accq_err_set(err, ACCQ_EINVAL, "ARPACK: nev = %d, ncv = %d invalid for order %d", nev, ncv, (int)n);
  int rc = ACCQ_SUCCESS;
  a_int lworkl = 3 * ncv * ncv + 6 * ncv;
  double *resid = malloc((size_t)n * sizeof *resid);
  double *v = malloc((size_t)n * (size_t)ncv * sizeof *v);
  double *workd = malloc(3 * (size_t)n * sizeof *workd);
  double *workl = malloc((size_t)lworkl * sizeof *workl);
  double *dr = calloc((size_t)nev + 1, sizeof *dr), *di = calloc((size_t)nev + 1, sizeof *di);
  double *z = NULL, *workev = malloc(3 * (size_t)ncv * sizeof *workev);
  a_int *select = calloc((size_t)ncv, sizeof *select);
  by_mod_t *ord = malloc(((size_t)nev + 1) * sizeof *ord);
  if (!resid || !v || !workd || !workl || !dr || !di || !workev || !select || !ord) {
    rc = accq_err_set(err, ACCQ_ENOMEM, "ARPACK: cannot allocate %d basis vectors of %d entries", ncv, (int)n);
    goto cleanup;
  }
  a_int iparam[11] = {0}, ipntr[14] = {0}, ido = 0, info = 0;
  iparam[0] = 1;                    /* exact shifts */
  iparam[2] = (a_int)(opt->max_restarts > 0 ? opt->max_restarts : 300);
  iparam[6] = 1;                    /* regular mode: A x = lambda x */
  if (opt->v0) {
    memcpy(resid, opt->v0, (size_t)n * sizeof *resid);
    info = 1;
  }
  long products = 0;
  for (;;) {
    dnaupd_c(&ido, "I", n, "LM", nev, opt->tol, resid, ncv, v, n, iparam, ipntr, workd, workl,
             lworkl, &info);
    if (ido == -1 || ido == 1) {
      matvec(workd + ipntr[0] - 1, workd + ipntr[1] - 1, ctx);
      if (opt->max_seconds > 0.0 && (++products & 15) == 0 && now_seconds() - opt->t0 > opt->max_seconds) {
        rc = accq_err_set(err, ACCQ_ENOCONV, "ARPACK dnaupd stopped at the time limit (%.3g s) after %ld products",
                          opt->max_seconds, products);
        goto cleanup;
      }
      continue;
    }
    break;
  }
  if (restarts) *restarts = (long)iparam[2];
  if (nconv) *nconv = (int)iparam[4];
  if (info != 0) {
    rc = accq_err_set(err, map_info(info), "ARPACK dnaupd info=%d (%s) after %ld restarts, %d of %d converged",
                      (int)info, naupd_info(info), (long)iparam[2], (int)iparam[4], nev);
    goto cleanup;
  }
  z = malloc((size_t)n * ((size_t)nev + 1) * sizeof *z);
  if (!z) {
    rc = accq_err_set(err, ACCQ_ENOMEM, "ARPACK: cannot allocate %d eigenvectors", nev + 1);
    goto cleanup;
  }
  a_int ierr = 0;
  dneupd_c(vec0 ? 1 : 0, "A", select, dr, di, z, n, 0.0, 0.0, workev, "I", n, "LM", nev, opt->tol, resid,
           ncv, v, n, iparam, ipntr, workd, workl, lworkl, &ierr);
  if (ierr != 0) {
    rc = accq_err_set(err, map_info((int)ierr) == ACCQ_SUCCESS ? ACCQ_ENUMERIC : map_info((int)ierr),
                      "ARPACK dneupd info=%d (%s)", (int)ierr, neupd_info((int)ierr));
    goto cleanup;
  }
  int got = (int)iparam[4];
  if (got < nev) {
    rc = accq_err_set(err, ACCQ_ENOCONV, "ARPACK: only %d of %d eigenvalues converged", got, nev);
    goto cleanup;
  }
  /* ARPACK may return nev + 1 values when the last wanted one has a conjugate. */
  int count = got < nev + 1 ? got : nev + 1;
  for (int i = 0; i < count; i++) {
    ord[i].mod = hypot(dr[i], di[i]);
    ord[i].idx = i;
  }
  qsort(ord, (size_t)count, sizeof *ord, cmp_mod);
  for (int i = 0; i < nev; i++) {
    re[i] = dr[ord[i].idx];
    im[i] = di[ord[i].idx];
  }
  if (vec0) {
    /* Column k of z holds the eigenvector of eigenvalue k, or for a complex
     * pair (k, k+1) its real and imaginary parts: the real part is column k of
     * the pair's first member. */
    int k = ord[0].idx;
    if (di[k] < 0.0 && k > 0) k--;
    memcpy(vec0, z + (size_t)k * (size_t)n, (size_t)n * sizeof *vec0);
  }
cleanup:
  free(resid);
  free(v);
  free(workd);
  free(workl);
  free(dr);
  free(di);
  free(z);
  free(workev);
  free(select);
  free(ord);
  return rc;
}
