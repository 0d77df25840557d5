/* Matrix Market export of the generator (coordinate real general, with the
 * diagonal) to a caller's stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain/chain_internal.h"

int accq_chain_write_mtx(const accq_chain_t *c, FILE *f, accq_err_t *err) {
  const accq_generator_t *q = &c->Q;
  fprintf(f, "%%%%MatrixMarket matrix coordinate real general\n");
  fprintf(f, "%% accq generator Q (rows sum to 0): %s chain, %lld states, policy on "
             "model '%s', scale %d, buffer %d, Lambda %.17g\n",
          c->kind == ACCQ_CHAIN_LUMPED ? "lumped" : "explicit", (long long)q->n,
          c->model.name, c->scale, c->buffer, c->lambda);
  fprintf(f, "%lld %lld %lld\n", (long long)q->n, (long long)q->n,
          (long long)(q->nnz + q->n));
  if (accq_generator_implicit(q)) {
    /* matrix-free: each row regenerated (sorted), the diagonal in its place */
    int32_t *col = malloc((size_t)(q->max_row + 1) * sizeof *col);
    double *rate = malloc((size_t)(q->max_row + 1) * sizeof *rate);
    int st = col && rate ? ACCQ_SUCCESS
                         : accq_err_set(err, ACCQ_ENOMEM, "Matrix Market export: out of memory");
    for (int64_t i = 0; i < q->n && !st; i++) {
      double d;
      int ne = q->row(q->row_ctx, i, 1, col, rate, &d), e = 0;
      if (ne < 0) {
        st = accq_err_set(err, ACCQ_EINVAL, "Matrix Market export: row %lld cannot be generated",
                          (long long)i);
        break;
      }
      for (; e < ne && col[e] < i; e++)
        fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)col[e] + 1, rate[e]);
      fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)i + 1, d);
      for (; e < ne; e++)
        fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)col[e] + 1, rate[e]);
    }
    free(col);
    free(rate);
    if (st) return st;
  }
  for (int64_t i = 0; q->rowptr && i < q->n; i++) {
    int64_t p = q->rowptr[i], end = q->rowptr[i + 1];
    int diag_done = 0;
    for (; p <= end; p++) {
      /* entries in column order, the diagonal in its place */
      if (!diag_done && (p == end || q->col[p] > i)) {
        fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)i + 1, accq_generator_diag(q, i));
        diag_done = 1;
      }
      if (p < end)
        fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)q->col[p] + 1,
                accq_generator_rate(q, p));
    }
  }
  if (fflush(f) != 0 || ferror(f))
    return accq_err_set(err, ACCQ_EWRITE, "cannot write the Matrix Market export: %s",
                        strerror(errno));
  return ACCQ_SUCCESS;
}
