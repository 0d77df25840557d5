/* Matrix Market export of the generator (coordinate real general, with the
 * diagonal) to a caller's stream. */
#include <errno.h>
#include <stdio.h>
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
  for (int64_t i = 0; i < q->n; i++) {
    int64_t p = q->rowptr[i], end = q->rowptr[i + 1];
    int diag_done = 0;
    for (; p <= end; p++) {
      /* entries in column order, the diagonal in its place */
      if (!diag_done && (p == end || q->col[p] > i)) {
        fprintf(f, "%lld %lld %.17g\n", (long long)i + 1, (long long)i + 1, q->diag[i]);
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
