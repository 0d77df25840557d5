/* Gauss-Seidel / SOR on the balance equations pi_j |Q_jj| = sum_i pi_i Q_ij,
 * optionally accelerated by iterative aggregation-disaggregation (IAD).
 *
 * The sweep needs the incoming transitions of each state (a column of Q), so
 * Q^T is built once per solve; every array is allocated once, before the
 * iteration.
 *
 * IAD: the states are partitioned into the layers of a breadth-first search
 * from state 0 (the empty system of the chain builder) over the undirected
 * transition graph.  An edge joins states whose BFS distances differ by at most
 * one, so the aggregated chain over layers is a birth-death chain, solved
 * exactly in O(layers) by its product form.  For the occupancy chains the
 * layers follow the total job count (every transition changes it by one), which
 * is exactly the slow mode that Gauss-Seidel alone relaxes poorly under load:
 * the aggregation step fixes the mass of each layer, the sweeps fix the
 * distribution within layers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve_internal.h"

void accq_i_sor_variant_default(accq_i_sor_variant_t *v) {
  v->iad = 1;
  v->symmetric = 1;
  /* The states' own order (the chain builder's breadth-first order) is as good
   * as the BFS-layer order here: on grid-like chains both are "consistent
   * orderings" that give identical Gauss-Seidel iterates, and the natural one
   * is cache-friendly (bench/README.md: same iterations, 1.6x less time). */
  v->layer_order = 0;
}

/* BFS from state 0 over edges in both directions; fills layer[] and the visiting
 * order (sorted by layer).  Returns the number of layers, or -1 when some state
 * is not connected to state 0. */
static int32_t bfs_layers(const accq_generator_t *Q, const accq_i_csr_t *T, int32_t *layer,
                          int32_t *order) {
  int64_t n = Q->n, head = 0, tail = 0;
  for (int64_t i = 0; i < n; i++) layer[i] = -1;
  layer[0] = 0;
  order[tail++] = 0;
  while (head < tail) {
    int32_t i = order[head++];
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) {
      int32_t j = Q->col[e];
      if (layer[j] < 0) {
        layer[j] = layer[i] + 1;
        order[tail++] = j;
      }
    }
    for (int64_t e = T->rowptr[i]; e < T->rowptr[i + 1]; e++) {
      int32_t j = T->col[e];
      if (layer[j] < 0) {
        layer[j] = layer[i] + 1;
        order[tail++] = j;
      }
    }
  }
  if (tail != n) return -1;
  return layer[order[n - 1]] + 1;
}

/* Aggregation-disaggregation step: rescales x so that the layer masses solve
 * the aggregated birth-death chain built with x's within-layer distribution. */
static void iad_step(int64_t n, int32_t nl, const int32_t *layer, const double *up,
                     const double *dn, double *x, double *mass, double *U, double *D,
                     double *lxi) {
  for (int32_t l = 0; l < nl; l++) mass[l] = U[l] = D[l] = 0.0;
  for (int64_t i = 0; i < n; i++) {
    int32_t l = layer[i];
    mass[l] += x[i];
    U[l] += x[i] * up[i];
    D[l] += x[i] * dn[i];
  }
  /* xi_{l+1} / xi_l = (U_l / m_l) / (D_{l+1} / m_{l+1}), in logs (the ratios
   * over hundreds of layers can leave the double range). */
  lxi[0] = 0.0;
  double lmax = 0.0;
  for (int32_t l = 0; l + 1 < nl; l++) {
    double a = U[l] / mass[l], b = D[l + 1] / mass[l + 1];
    if (!(a > 0.0) || !(b > 0.0) || !isfinite(a) || !isfinite(b)) return;   /* skip: degenerate iterate */
    lxi[l + 1] = lxi[l] + log(a) - log(b);
    if (lxi[l + 1] > lmax) lmax = lxi[l + 1];
  }
  for (int32_t l = 0; l < nl; l++) lxi[l] = exp(lxi[l] - lmax) / mass[l];   /* now the scale factor */
  for (int64_t i = 0; i < n; i++) x[i] *= lxi[layer[i]];
}

int accq_i_solve_sor(accq_i_solve_t *s, const accq_i_sor_variant_t *v) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  double *x = s->pi, w = s->opt.omega, tol = s->opt.tol;
  long max_iter = s->opt.max_iter > 0 ? s->opt.max_iter : ACCQ_SOR_MAX_ITER;
  int rc = ACCQ_SUCCESS;
  accq_i_csr_t T = {0};
  double *invd = NULL, *up = NULL, *dn = NULL, *agg = NULL;
  int32_t *layer = NULL, *order = NULL, nl = 0;

  snprintf(s->stats->name, sizeof s->stats->name, "%s%s%s%s", w == 1.0 ? "gauss-seidel" : "sor",
           v->symmetric ? "-sym" : "", v->iad ? "-iad" : "", v->layer_order ? "-layer" : "");
  rc = accq_i_transpose(Q, &T, s->err);
  if (rc) goto cleanup;
  invd = malloc((size_t)n * sizeof *invd);
  if (!invd) goto nomem;
  for (int64_t j = 0; j < n; j++) invd[j] = 1.0 / -Q->diag[j];
  if (v->iad || v->layer_order) {
    layer = malloc((size_t)n * sizeof *layer);
    order = malloc((size_t)n * sizeof *order);
    if (!layer || !order) goto nomem;
    nl = bfs_layers(Q, &T, layer, order);
    if (nl < 0) {
      rc = accq_err_set(s->err, ACCQ_EINVAL, "generator is not irreducible: some of its %lld states "
                        "are not connected to state 0", (long long)n);
      goto cleanup;
    }
    if (!v->layer_order) {
      free(order);
      order = NULL;
    }
  }
  if (v->iad && nl > 1) {
    up = calloc((size_t)n, sizeof *up);
    dn = calloc((size_t)n, sizeof *dn);
    agg = malloc(4 * (size_t)nl * sizeof *agg);
    if (!up || !dn || !agg) goto nomem;
    for (int64_t i = 0; i < n; i++)
      for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) {
        int32_t d = layer[Q->col[e]] - layer[i];
        if (d > 0) up[i] += Q->val[e];
        else if (d < 0) dn[i] += Q->val[e];
      }
  }

  for (int64_t i = 0; i < n; i++) x[i] = 1.0 / (double)n;
  double res = INFINITY, res_prev = INFINITY;
  long it = 0, next_check = 1, last_check = 0;
  int done = 0;
  for (it = 1; it <= max_iter; it++) {
    if (up) iad_step(n, nl, layer, up, dn, x, agg, agg + nl, agg + 2 * nl, agg + 3 * nl);
    for (int pass = 0; pass < (v->symmetric ? 2 : 1); pass++) {
      int64_t k0 = pass ? n - 1 : 0, dk = pass ? -1 : 1;
      for (int64_t k = k0, c = 0; c < n; c++, k += dk) {
        int64_t j = order ? order[k] : k;
        double sum = 0.0;
        for (int64_t e = T.rowptr[j]; e < T.rowptr[j + 1]; e++) sum += x[T.col[e]] * T.val[e];
        x[j] = w == 1.0 ? sum * invd[j] : (1.0 - w) * x[j] + w * sum * invd[j];
      }
    }
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += x[i];
    for (int64_t i = 0; i < n; i++) x[i] /= sum;
    if (it == next_check || it == max_iter) {
      res = accq_i_residual_T(&T, Q->diag, x, s->maxexit);
      if (s->opt.verbose) fprintf(stderr, "%s: iteration %ld residual %.3g\n", s->stats->name, it, res);
      if (res <= 0.5 * tol) {
        done = 1;
        break;
      }
      /* Schedule the next residual check from the observed contraction rate. */
      long gap = 1;
      if (isfinite(res_prev) && res < res_prev && it > last_check) {
        double rate = pow(res / res_prev, 1.0 / (double)(it - last_check));
        double need = log(0.5 * tol / res) / log(rate);
        gap = need > 1.0 ? (long)(0.7 * need) : 1;
        if (gap < 1) gap = 1;
        if (gap > 50) gap = 50;
      }
      res_prev = res;
      last_check = it;
      next_check = it + gap;
      if (accq_i_elapsed_over(s)) break;
    }
  }
  s->stats->iterations = it > max_iter ? max_iter : it;
  if (!done)
    rc = accq_err_set(s->err, ACCQ_ENOCONV, "%s stopped after %ld iterations%s (residual %.3g)",
                      s->stats->name, s->stats->iterations,
                      accq_i_elapsed_over(s) ? " at the time limit" : "", res);
  goto cleanup;
nomem:
  rc = accq_err_set(s->err, ACCQ_ENOMEM, "SOR: cannot allocate work arrays for %lld states", (long long)n);
cleanup:
  accq_i_csr_free(&T);
  free(invd);
  free(up);
  free(dn);
  free(agg);
  free(layer);
  free(order);
  return rc;
}
