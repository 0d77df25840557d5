/* Shared helpers for the Check suites: tolerance checks that print both sides
 * with %.17g, and running the accq binary for end-to-end tests. */
#ifndef ACCQ_TESTUTIL_H
#define ACCQ_TESTUTIL_H

#include <check.h>

#include "accq/chain.h"

/* |got - want| <= abs_tol + rel_tol * |want|, NaN-aware (NaN == NaN only if
 * both are NaN).  Fails the current test with both values and `what`. */
#define ACCQ_CK_CLOSE(got, want, rel_tol, abs_tol, what)                          \
  accq_ck_close_at((got), (want), (rel_tol), (abs_tol), (what), __FILE__, __LINE__)
void accq_ck_close_at(double got, double want, double rel, double abs_tol,
                      const char *what, const char *file, int line);
int accq_close(double got, double want, double rel, double abs_tol);

/* Runs `ACCQ_BINARY args...` through /bin/sh (args is a shell fragment),
 * capturing stdout and stderr (malloc'ed, caller frees) and the exit status
 * (128+signal when killed).  Returns the exit status. */
int accq_run(const char *args, char **out, char **err);

/* Path of a file under the source tree (static buffer, one at a time). */
const char *accq_src_path(const char *rel);

/* Writes text to a fresh temporary file and returns its path (static buffer). */
const char *accq_tmp_file(const char *text, const char *suffix);

/* Removes the provenance of an output in place (accq/report.h): the JSON
 * "provenance" object and the provenance comment lines of CSV, Markdown and
 * LaTeX; nothing else.  For comparing two runs' outputs, which differ in the
 * date and the command line.  Returns s. */
char *accq_strip_provenance(char *s);

/* The MMPP/M/1 queue by the matrix-geometric method (M. F. Neuts, "Matrix-Geometric
 * Solutions in Stochastic Models", Johns Hopkins 1981, ch. 3; G. Latouche and
 * V. Ramaswami, "Introduction to Matrix Analytic Methods in Stochastic
 * Modeling", SIAM 1999, ch. 6), an independent reference for the simulator and
 * the chain: one exponential server of rate mu, K phases of rates lam[i] and
 * generator q[i*K+j] (row-major).  Levels n (jobs) and phases i: A0 = diag(lam)
 * (up), A1 = Q - diag(lam) - mu I (local), A2 = mu I (down); R is the minimal
 * solution of A0 + R A1 + R^2 A2 = 0, iterated R <- -(A0 + R^2 A2) A1^{-1}
 * from 0 until the entries move by < 1e-15 (GSL dense LU for A1^{-1}); then
 * pi_0 (Q - diag(lam) + R A2) = 0 with pi_0 (I - R)^{-1} 1 = 1, and
 * E[N] = pi_0 R (I - R)^{-2} 1, P(empty) = pi_0 1, E[T] = E[N] / lambda-bar
 * (Little).  Any output may be NULL; returns 0, or -1 when the iteration does
 * not settle (an unstable queue). */
int accq_test_mmpp_m1(int K, const double *lam, const double *q, double mu, double *mean_jobs,
                      double *p_empty, double *mean_response_time);

/* Runs a suite with CK_NORMAL output and returns the process exit status. */
int accq_run_suite(Suite *s);

/* A copy of Q in the plain form (rowptr, col, one double per rate in val and
 * per diagonal in diag), read through the accessors; free with
 * accq_generator_free.  Fails the current test when out of memory. */
void accq_test_generator_plain(const accq_generator_t *Q, accq_generator_t *V);

#endif
