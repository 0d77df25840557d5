/* Matrix Market export of the generator (coordinate real general, with the
 * diagonal), written to a temporary file then renamed over the target. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chain/chain_internal.h"

int accq_chain_export_mtx(const accq_chain_t *c, const char *path, accq_err_t *err) {
  const accq_generator_t *q = &c->Q;
  char *tmp = NULL;
  FILE *f = NULL;
  int st = ACCQ_SUCCESS;
  size_t len = strlen(path) + 32;
  tmp = malloc(len);
  if (!tmp) return accq_err_set(err, ACCQ_ENOMEM, "export: out of memory");
  snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
  f = fopen(tmp, "w");
  if (!f) {
    st = accq_err_set(err, ACCQ_EIO, "cannot write '%s': %s", tmp, strerror(errno));
    goto cleanup;
  }
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
                q->val[p]);
    }
  }
  if (ferror(f)) {
    st = accq_err_set(err, ACCQ_EIO, "cannot write '%s': %s", tmp, strerror(errno));
    goto cleanup;
  }
  if (fclose(f) != 0) {
    f = NULL;
    st = accq_err_set(err, ACCQ_EIO, "cannot write '%s': %s", tmp, strerror(errno));
    goto cleanup;
  }
  f = NULL;
  if (rename(tmp, path) != 0) {
    st = accq_err_set(err, ACCQ_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
                      strerror(errno));
    goto cleanup;
  }
cleanup:
  if (f) fclose(f);
  if (st && tmp) remove(tmp);
  free(tmp);
  return st;
}
