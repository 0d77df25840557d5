#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>

int accq_close(double got, double want, double rel, double abs_tol) {
  if (isnan(want) || isnan(got)) return isnan(want) && isnan(got);
  if (isinf(want) || isinf(got)) return got == want;
  return fabs(got - want) <= abs_tol + rel * fabs(want);
}

void accq_ck_close_at(double got, double want, double rel, double abs_tol,
                      const char *what, const char *file, int line) {
  ck_assert_msg(accq_close(got, want, rel, abs_tol),
                "%s:%d: %s: got %.17g, want %.17g (rel tol %g, abs tol %g)", file, line,
                what, got, want, rel, abs_tol);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return strdup("");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  size_t got = fread(buf, 1, (size_t)n, f);
  buf[got] = '\0';
  fclose(f);
  return buf;
}

int accq_run(const char *args, char **out, char **err) {
  char outp[] = "/tmp/accq-test-outXXXXXX", errp[] = "/tmp/accq-test-errXXXXXX";
  int fo = mkstemp(outp), fe = mkstemp(errp);
  close(fo);
  close(fe);
  size_t n = strlen(args) + 2 * sizeof outp + strlen(ACCQ_BINARY) + 64;
  char *cmd = malloc(n);
  snprintf(cmd, n, "'%s' %s >'%s' 2>'%s' </dev/null", ACCQ_BINARY, args, outp, errp);
  int st = system(cmd);
  free(cmd);
  int code;
  if (st == -1)
    code = -1;
  else if (WIFEXITED(st))
    code = WEXITSTATUS(st);
  else
    code = 128 + WTERMSIG(st);
  if (out) *out = slurp(outp);
  if (err) *err = slurp(errp);
  unlink(outp);
  unlink(errp);
  return code;
}

const char *accq_src_path(const char *rel) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", ACCQ_SOURCE_DIR, rel);
  return buf;
}

const char *accq_tmp_file(const char *text, const char *suffix) {
  static char buf[256];
  snprintf(buf, sizeof buf, "/tmp/accq-test-XXXXXX%s", suffix ? suffix : "");
  int fd = mkstemps(buf, suffix ? (int)strlen(suffix) : 0);
  if (fd < 0) return NULL;
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) {
    close(fd);
    return NULL;
  }
  close(fd);
  return buf;
}

int accq_run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Provenance comment lines: "# ", "% " or "<!-- " then "provenance." at the
 * start of a line (accq/report.h). */
static int provenance_line(const char *p) {
  static const char *const open[] = {"# provenance.", "% provenance.", "<!-- provenance."};
  for (int i = 0; i < 3; i++)
    if (!strncmp(p, open[i], strlen(open[i]))) return 1;
  return 0;
}

char *accq_strip_provenance(char *s) {
  if (!s) return s;
  /* JSON: the "provenance" member, the last of the top-level object as
   * jansson writes it with indent 2: ",\n  \"provenance\": {\n ... \n  }" */
  char *j = strstr(s, ",\n  \"provenance\": {\n");
  if (j) {
    char *end = strstr(j + 1, "\n  }");
    if (end) memmove(j, end + 4, strlen(end + 4) + 1);
  }
  /* comment lines (CSV, Markdown, LaTeX) */
  char *w = s;
  for (char *r = s; *r;) {
    char *nl = strchr(r, '\n');
    size_t len = nl ? (size_t)(nl - r) + 1 : strlen(r);
    if (!provenance_line(r)) {
      memmove(w, r, len);
      w += len;
    }
    r += len;
  }
  *w = '\0';
  return s;
}

/* x^T for A x = b by LU (A is overwritten). */
static void lu_solve(gsl_matrix *a, const gsl_vector *b, gsl_vector *x) {
  gsl_permutation *perm = gsl_permutation_alloc(a->size1);
  int sign = 0;
  gsl_linalg_LU_decomp(a, perm, &sign);
  gsl_linalg_LU_solve(a, perm, b, x);
  gsl_permutation_free(perm);
}

int accq_test_mmpp_m1(int K, const double *lam, const double *q, double mu, double *mean_jobs,
                      double *p_empty, double *mean_response_time) {
  gsl_matrix *A1 = gsl_matrix_alloc(K, K), *A1i = gsl_matrix_alloc(K, K);
  gsl_matrix *R = gsl_matrix_calloc(K, K), *R2 = gsl_matrix_alloc(K, K);
  gsl_matrix *T = gsl_matrix_alloc(K, K), *N = gsl_matrix_alloc(K, K);
  gsl_matrix *M = gsl_matrix_alloc(K, K), *IR = gsl_matrix_alloc(K, K);
  gsl_vector *ones = gsl_vector_alloc(K), *v = gsl_vector_alloc(K), *w = gsl_vector_alloc(K);
  gsl_vector *b = gsl_vector_calloc(K), *p0 = gsl_vector_alloc(K);
  gsl_permutation *perm = gsl_permutation_alloc(K);
  int sign = 0, rc = -1;
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K; j++)
      gsl_matrix_set(A1, i, j, q[i * K + j] - (i == j) * (lam[i] + mu));
  gsl_linalg_LU_decomp(A1, perm, &sign);
  gsl_linalg_LU_invert(A1, perm, A1i);
  /* R <- -(A0 + R^2 A2) A1^{-1}: monotone from R = 0 to the minimal solution */
  for (int it = 0; it < 1000000; it++) {
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, R, R, 0.0, R2);
    for (int i = 0; i < K; i++)
      for (int j = 0; j < K; j++)
        gsl_matrix_set(T, i, j, -((i == j) * lam[i] + mu * gsl_matrix_get(R2, i, j)));
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, T, A1i, 0.0, N);
    double d = 0;
    for (int i = 0; i < K; i++)
      for (int j = 0; j < K; j++)
        d = fmax(d, fabs(gsl_matrix_get(N, i, j) - gsl_matrix_get(R, i, j)));
    gsl_matrix_memcpy(R, N);
    if (d < 1e-15) {
      rc = 0;
      break;
    }
  }
  if (rc == 0) {
    /* v = (I - R)^{-1} 1, w = (I - R)^{-1} v = (I - R)^{-2} 1 */
    gsl_vector_set_all(ones, 1.0);
    gsl_matrix_set_identity(IR);
    gsl_matrix_sub(IR, R);
    gsl_matrix_memcpy(T, IR);
    lu_solve(T, ones, v);
    gsl_matrix_memcpy(T, IR);
    lu_solve(T, v, w);
    /* pi_0: pi_0 M = 0 (M = Q - diag(lam) + mu R), pi_0 . v = 1 */
    for (int i = 0; i < K; i++)
      for (int j = 0; j < K; j++) {
        double mij = q[i * K + j] - (i == j) * lam[i] + mu * gsl_matrix_get(R, i, j);
        gsl_matrix_set(M, j, i, j < K - 1 ? mij : 0.0);
      }
    for (int i = 0; i < K; i++) gsl_matrix_set(M, K - 1, i, gsl_vector_get(v, i));
    gsl_vector_set(b, K - 1, 1.0);
    lu_solve(M, b, p0);
    /* E[N] = pi_0 R w; the phase law is pi_0 (I - R)^{-1} */
    double L = 0, P0 = 0, lbar = 0;
    gsl_blas_dgemv(CblasNoTrans, 1.0, R, w, 0.0, v);
    for (int i = 0; i < K; i++) {
      L += gsl_vector_get(p0, i) * gsl_vector_get(v, i);
      P0 += gsl_vector_get(p0, i);
    }
    gsl_matrix_set_identity(T);
    gsl_matrix_sub(T, R);
    gsl_matrix_transpose(T);
    gsl_vector_memcpy(b, p0);
    lu_solve(T, b, w); /* w^T = pi_0 (I - R)^{-1} */
    for (int i = 0; i < K; i++) lbar += gsl_vector_get(w, i) * lam[i];
    if (mean_jobs) *mean_jobs = L;
    if (p_empty) *p_empty = P0;
    if (mean_response_time) *mean_response_time = L / lbar;
  }
  gsl_matrix_free(A1);
  gsl_matrix_free(A1i);
  gsl_matrix_free(R);
  gsl_matrix_free(R2);
  gsl_matrix_free(T);
  gsl_matrix_free(N);
  gsl_matrix_free(M);
  gsl_matrix_free(IR);
  gsl_vector_free(ones);
  gsl_vector_free(v);
  gsl_vector_free(w);
  gsl_vector_free(b);
  gsl_vector_free(p0);
  gsl_permutation_free(perm);
  return rc;
}

void accq_test_generator_plain(const accq_generator_t *Q, accq_generator_t *V) {
  memset(V, 0, sizeof *V);
  V->n = Q->n;
  V->nnz = Q->nnz;
  V->rowptr = malloc((size_t)(Q->n + 1) * sizeof *V->rowptr);
  V->col = malloc((size_t)(Q->nnz ? Q->nnz : 1) * sizeof *V->col);
  V->val = malloc((size_t)(Q->nnz ? Q->nnz : 1) * sizeof *V->val);
  V->diag = malloc((size_t)Q->n * sizeof *V->diag);
  ck_assert(V->rowptr && V->col && V->val && V->diag);
  memcpy(V->rowptr, Q->rowptr, (size_t)(Q->n + 1) * sizeof *V->rowptr);
  memcpy(V->col, Q->col, (size_t)Q->nnz * sizeof *V->col);
  for (int64_t e = 0; e < Q->nnz; e++) V->val[e] = accq_generator_rate(Q, e);
  for (int64_t i = 0; i < Q->n; i++) V->diag[i] = accq_generator_diag(Q, i);
}
