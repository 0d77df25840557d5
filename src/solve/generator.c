/* Generator helpers: validation, the transpose used by the column-wise methods,
 * and docs/chains.md's residual (accq_generator_free is with the builder, in
 * src/chain/chain.c, which allocates generators). */
#include "accq/clock.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "solve/solve_internal.h"

double accq_i_now(void) { return accq_clock_now(); }

double accq_i_max_exit(const accq_generator_t *Q) {
  if (accq_generator_implicit(Q)) return Q->max_exit;
  double m = 0.0;
  for (int64_t i = 0; i < Q->n; i++)
    if (fabs(accq_generator_diag(Q, i)) > m) m = fabs(accq_generator_diag(Q, i));
  return m;
}

int accq_i_check_generator(const accq_generator_t *Q, accq_err_t *err) {
  if (!Q) return accq_err_set(err, ACCQ_EINVAL, "generator is NULL");
  if (Q->n < 1) return accq_err_set(err, ACCQ_EINVAL, "generator has %lld states (need >= 1)", (long long)Q->n);
  if (Q->n > INT32_MAX)
    return accq_err_set(err, ACCQ_ETOOBIG, "generator has %lld states (limit 2^31-1)", (long long)Q->n);
  if (accq_generator_implicit(Q)) {
    /* Matrix-free rows come from the chain builder, which generated and
     * merged every one of them once (columns in range, rates > 0, diagonal
     * their negated sum); a per-row check would cost a pass over all rows. */
    if (Q->max_row < 0 || (Q->n > 1 && !(Q->max_exit > 0.0)) || !isfinite(Q->max_exit))
      return accq_err_set(err, ACCQ_EINVAL, "matrix-free generator: max_row %d, max_exit %g",
                          (int)Q->max_row, Q->max_exit);
    return ACCQ_SUCCESS;
  }
  if (!Q->rowptr || (!Q->diag && (!Q->didx || !Q->dtab || Q->ndtab < 1)) ||
      (Q->nnz > 0 && (!Q->col || (!Q->val && ((!Q->ridx && !Q->ridx8) || !Q->rtab || Q->nrtab < 1)))))
    return accq_err_set(err, ACCQ_EINVAL, "generator arrays missing (n = %lld, nnz = %lld)",
                        (long long)Q->n, (long long)Q->nnz);
  if (Q->rowptr[0] != 0 || Q->rowptr[Q->n] != Q->nnz)
    return accq_err_set(err, ACCQ_EINVAL, "generator rowptr[0] = %lld, rowptr[n] = %lld (nnz %lld)",
                        (long long)Q->rowptr[0], (long long)Q->rowptr[Q->n], (long long)Q->nnz);
  for (int64_t i = 0; i < Q->n; i++) {
    double sum = 0.0;
    if (Q->rowptr[i + 1] < Q->rowptr[i])
      return accq_err_set(err, ACCQ_EINVAL, "generator rowptr decreases at row %lld", (long long)i);
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) {
      int64_t j = Q->col[e];
      if (j < 0 || j >= Q->n || j == i)
        return accq_err_set(err, ACCQ_EINVAL, "generator row %lld has column %lld (n = %lld)",
                            (long long)i, (long long)j, (long long)Q->n);
      if (!Q->val) {
        int ri = Q->ridx8 ? Q->ridx8[e] : Q->ridx[e];
        if (ri >= Q->nrtab)
          return accq_err_set(err, ACCQ_EINVAL, "generator entry %lld has rate index %d (table of %d)",
                              (long long)e, ri, (int)Q->nrtab);
      }
      double v = accq_generator_rate(Q, e);
      if (!(v > 0.0) || !isfinite(v))
        return accq_err_set(err, ACCQ_EINVAL, "generator rate Q[%lld][%lld] = %g (must be > 0, finite)",
                            (long long)i, (long long)j, v);
      sum += v;
    }
    if (!Q->diag && Q->didx[i] >= Q->ndtab)
      return accq_err_set(err, ACCQ_EINVAL, "generator state %lld has diagonal index %d (table of %d)",
                          (long long)i, (int)Q->didx[i], (int)Q->ndtab);
    double d = accq_generator_diag(Q, i);
    if (!(fabs(d + sum) <= 1e-9 * sum))
      return accq_err_set(err, ACCQ_EINVAL,
                          "generator diag[%lld] = %.17g but the row's rates sum to %.17g",
                          (long long)i, d, sum);
    if (Q->n > 1 && !(sum > 0.0))
      return accq_err_set(err, ACCQ_EINVAL,
                          "state %lld has no outgoing transition: the chain is not irreducible",
                          (long long)i);
  }
  return ACCQ_SUCCESS;
}

void accq_i_csr_free(accq_i_csr_t *T) {
  if (!T) return;
  free(T->rowptr);
  free(T->col);
  free(T->val);
  memset(T, 0, sizeof *T);
}

int accq_i_transpose(const accq_generator_t *Q, accq_i_csr_t *T, accq_err_t *err) {
  int64_t n = Q->n, nnz = Q->nnz;
  memset(T, 0, sizeof *T);
  T->n = n;
  T->nnz = nnz;
  T->rowptr = calloc((size_t)n + 1, sizeof *T->rowptr);
  T->col = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *T->col);
  T->val = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *T->val);
  if (!T->rowptr || !T->col || !T->val) {
    accq_i_csr_free(T);
    return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the transpose (%lld states, %lld entries)",
                        (long long)n, (long long)nnz);
  }
  for (int64_t e = 0; e < nnz; e++) T->rowptr[Q->col[e] + 1]++;
  for (int64_t j = 0; j < n; j++) T->rowptr[j + 1] += T->rowptr[j];
  /* Fill in increasing source order, so each row of T has sorted columns; the
   * running cursor reuses rowptr shifted by one and is restored afterwards. */
  for (int64_t i = 0; i < n; i++) {
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) {
      int64_t j = Q->col[e];
      int64_t at = T->rowptr[j]++;
      T->col[at] = (int32_t)i;
      T->val[at] = accq_generator_rate(Q, e);
    }
  }
  for (int64_t j = n; j > 0; j--) T->rowptr[j] = T->rowptr[j - 1];
  T->rowptr[0] = 0;
  return ACCQ_SUCCESS;
}

double accq_i_residual_T(const accq_i_csr_t *T, const accq_generator_t *Q, const double *x,
                         double maxexit) {
  double rmax = 0.0, sum = 0.0;
  int64_t n = T->n;
  for (int64_t j = 0; j < n; j++) {
    double s = x[j] * accq_generator_diag(Q, j);
    for (int64_t e = T->rowptr[j]; e < T->rowptr[j + 1]; e++) s += x[T->col[e]] * T->val[e];
    s = fabs(s);
    if (s > rmax) rmax = s;
    sum += x[j];
  }
  if (!(maxexit > 0.0)) return 0.0;
  return rmax / (fabs(sum) * maxexit);
}

/* Matrix-free rows into a stored copy with one double per rate (for the
 * methods that need the matrix: dense, GMRES, power, Arnoldi, the spectrum). */
int accq_i_materialize(const accq_generator_t *Q, accq_generator_t *M, accq_err_t *err) {
  int64_t n = Q->n, nnz = Q->nnz;
  memset(M, 0, sizeof *M);
  M->n = n;
  M->rowptr = malloc((size_t)(n + 1) * sizeof *M->rowptr);
  M->col = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *M->col);
  M->val = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *M->val);
  M->diag = malloc((size_t)n * sizeof *M->diag);
  int32_t *col = malloc((size_t)(Q->max_row + 1) * sizeof *col);
  double *rate = malloc((size_t)(Q->max_row + 1) * sizeof *rate);
  int st = ACCQ_SUCCESS;
  if (!M->rowptr || !M->col || !M->val || !M->diag || !col || !rate) {
    st = accq_err_set(err, ACCQ_ENOMEM, "cannot store the matrix-free generator (%lld states, "
                      "%lld transitions) for a method that needs the matrix", (long long)n,
                      (long long)nnz);
    goto out;
  }
  int64_t p = 0;
  M->rowptr[0] = 0;
  for (int64_t i = 0; i < n; i++) {
    int ne = Q->row(Q->row_ctx, i, 1, col, rate, &M->diag[i]);
    if (ne < 0 || p + ne > nnz) {
      st = accq_err_set(err, ACCQ_EINVAL, "matrix-free generator: row %lld cannot be generated",
                        (long long)i);
      goto out;
    }
    for (int e = 0; e < ne; e++, p++) {
      M->col[p] = col[e];
      M->val[p] = rate[e];
    }
    M->rowptr[i + 1] = p;
  }
  M->nnz = p;
out:
  free(col);
  free(rate);
  if (st) accq_generator_free(M);
  return st;
}

/* docs/chains.md's residual over regenerated rows, with the stored form's
 * arithmetic (r_j = pi_j Q_jj first, then the inflows in row order): one
 * pass for the diagonal, one for the inflows.  r: n scratch doubles. */
static double residual_implicit(const accq_generator_t *Q, const double *pi, double *r) {
  int64_t n = Q->n;
  int32_t *col = malloc((size_t)(Q->max_row + 1) * sizeof *col);
  double *rate = malloc((size_t)(Q->max_row + 1) * sizeof *rate);
  double out = NAN, d;
  if (!col || !rate) goto done;
  for (int64_t i = 0; i < n; i++) {
    if (Q->row(Q->row_ctx, i, 0, col, rate, &d) < 0) goto done;
    r[i] = pi[i] * d;
  }
  for (int64_t i = 0; i < n; i++) {
    int ne = Q->row(Q->row_ctx, i, 0, col, rate, &d);
    if (ne < 0) goto done;
    for (int e = 0; e < ne; e++) r[col[e]] += pi[i] * rate[e];
  }
  double rmax = 0.0;
  for (int64_t j = 0; j < n; j++)
    if (fabs(r[j]) > rmax) rmax = fabs(r[j]);
  out = Q->max_exit > 0.0 ? rmax / Q->max_exit : 0.0;
done:
  free(col);
  free(rate);
  return out;
}

double accq_stationary_residual(const accq_generator_t *Q, const double *pi) {
  /* Scatter along the rows of Q: r = pi .* diag + sum_i pi_i Q_i. */
  int64_t n = Q->n;
  double *r = malloc((size_t)n * sizeof *r);
  if (!r) return NAN;
  if (accq_generator_implicit(Q)) {
    double res = residual_implicit(Q, pi, r);
    free(r);
    return res;
  }
  for (int64_t j = 0; j < n; j++) r[j] = pi[j] * accq_generator_diag(Q, j);
  for (int64_t i = 0; i < n; i++)
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++)
      r[Q->col[e]] += pi[i] * accq_generator_rate(Q, e);
  double rmax = 0.0;
  for (int64_t j = 0; j < n; j++)
    if (fabs(r[j]) > rmax) rmax = fabs(r[j]);
  free(r);
  double m = accq_i_max_exit(Q);
  return m > 0.0 ? rmax / m : 0.0;
}
