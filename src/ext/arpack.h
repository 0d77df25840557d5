/* ARPACK-ng adapter: the only code that includes ARPACK headers.  Reverse
 * communication is hidden behind a matrix-vector callback; ARPACK's info codes
 * are mapped to accq statuses with the code and its meaning in the message. */
#ifndef ACCQ_EXT_ARPACK_H
#define ACCQ_EXT_ARPACK_H

#include <stdint.h>

#include "accq/status.h"

/* y = A x for an n-vector x (ARPACK owns both buffers). */
typedef void (*accq_arpack_matvec_t)(const double *x, double *y, void *ctx);

typedef struct {
  int nev;             /* eigenvalues wanted, 1 <= nev <= n - 2 */
  int ncv;             /* Arnoldi basis size, nev + 2 <= ncv <= n (0: max(2 nev + 1, 20)) */
  double tol;          /* ARPACK's relative Ritz tolerance (0: machine precision) */
  long max_restarts;   /* implicit restarts (ARPACK's iparam[2]) */
  const double *v0;    /* starting vector (n entries) or NULL for ARPACK's random one */
  double max_seconds;  /* 0 = none; checked between matrix-vector products */
  double t0;           /* start time for max_seconds (monotonic clock seconds) */
} accq_arpack_options_t;

/* The nev eigenvalues of largest modulus of the real n x n operator (which="LM",
 * regular mode), sorted by decreasing modulus into re[] and im[] (nev entries).
 * When vec0 is not NULL it receives the real part of the eigenvector of the
 * eigenvalue of largest modulus (n entries).  *restarts and *nconv report
 * ARPACK's counters.  Errors: ACCQ_ENOCONV (maximum restarts, time limit, no
 * shifts: "ARPACK dnaupd info=1 ..."), ACCQ_EINVAL (bad sizes), ACCQ_ENOMEM,
 * ACCQ_ENUMERIC (LAPACK failures inside ARPACK).  Memory O(n * ncv). */
int accq_arpack_eigs(int64_t n, accq_arpack_matvec_t matvec, void *ctx,
                     const accq_arpack_options_t *opt, double *re, double *im, double *vec0,
                     long *restarts, int *nconv, accq_err_t *err);

#endif
