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

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "ext/gsl.h"
#include "solve/solve_internal.h"

void accq_i_sor_variant_default(accq_i_sor_variant_t *v) {
  v->iad = 1;
  v->symmetric = 1;
  /* The states' own order (the chain builder's breadth-first order) is as good
   * as the BFS-layer order here: on grid-like chains both are "consistent
   * orderings" that give identical Gauss-Seidel iterates, and the natural one
   * is cache-friendly (bench/README.md: same iterations, half the time). */
  v->layer_order = 0;
  /* Anderson acceleration of depth 5 over (IAD + symmetric sweep) roughly
   * halves the iterations (bench/README.md); red-black sweeps parallelize but
   * need more iterations and touch memory in a scattered order. */
  v->anderson = 5;
  v->redblack = 0;
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

/* Everything one iteration of the SOR family needs, allocated once. */
typedef struct {
  int64_t n;
  accq_i_csr_t T;
  const double *invd;
  const int32_t *order;   /* sweep order (NULL: 0..n-1) */
  const int32_t *colors;  /* red-black: even-layer states, then odd-layer ones */
  int64_t ncolor0;
  int32_t nl;
  const int32_t *layer;
  const double *up, *dn;
  double *agg;
  double w;
  int symmetric;
} sweep_t;

static inline double gather(const accq_i_csr_t *T, const double *x, int64_t j) {
  double sum = 0.0;
  for (int64_t e = T->rowptr[j]; e < T->rowptr[j + 1]; e++) sum += x[T->col[e]] * T->val[e];
  return sum;
}

/* One iteration in place: aggregation-disaggregation (when enabled), a
 * Gauss-Seidel/SOR sweep (forward, or forward and backward when symmetric;
 * red-black when colors is set), normalization to sum 1.  Maps nonnegative
 * vectors to nonnegative ones when w = 1.  O(nnz).
 *
 * Red-black: on a bipartite chain (every transition changes the job count by
 * one, so the BFS-layer parity 2-colours the states) the states of one colour
 * only depend on the other colour, so each half-sweep is parallel, and the
 * ordering is "consistent" (Young): same convergence rate as the natural one.
 * (Sequential here: with OpenMP the spinning workers cost more than the
 * second core gave on the shared machine; see bench/README.md.) */
static double sweep_raw(const sweep_t *c, double *x);

static void sweep_map(const sweep_t *c, double *x) {
  double inv = 1.0 / sweep_raw(c, x);
  for (int64_t i = 0; i < c->n; i++) x[i] *= inv;
}

/* The sweep without the final scaling; returns sum(x) (accumulated in the
 * last pass, where every entry is final). */
static double sweep_raw(const sweep_t *c, double *x) {
  int64_t n = c->n;
  const accq_i_csr_t *T = &c->T;
  if (c->up) iad_step(n, c->nl, c->layer, c->up, c->dn, x, c->agg, c->agg + c->nl, c->agg + 2 * c->nl,
                      c->agg + 3 * c->nl);
  double w = c->w, sum = 0.0;
  if (c->colors) {
    for (int color = 0; color < 2; color++) {
      const int32_t *list = c->colors + (color ? c->ncolor0 : 0);
      int64_t len = color ? n - c->ncolor0 : c->ncolor0;
      for (int64_t k = 0; k < len; k++) {
        int32_t j = list[k];
        double v = gather(T, x, j) * c->invd[j];
        x[j] = w == 1.0 ? v : (1.0 - w) * x[j] + w * v;
      }
    }
    for (int64_t i = 0; i < n; i++) sum += x[i];
  } else {
    int passes = c->symmetric ? 2 : 1;
    for (int pass = 0; pass < passes; pass++) {
      int64_t k0 = pass ? n - 1 : 0, dk = pass ? -1 : 1;
      int last = pass == passes - 1;
      for (int64_t k = k0, m = 0; m < n; m++, k += dk) {
        int64_t j = c->order ? c->order[k] : k;
        double v = gather(T, x, j) * c->invd[j];
        x[j] = w == 1.0 ? v : (1.0 - w) * x[j] + w * v;
        if (last) sum += x[j];
      }
    }
  }
  return sum;
}

/* Anderson (type II) weights over the stored f_0 (newest) .. f_{m-1}: with the
 * differences d_j = f_j - f_{j+1}, gamma = argmin ||f_0 - sum_j gamma_j d_j||_2
 * and the new iterate is sum_j alpha_j g_j with alpha_0 = 1 - gamma_0,
 * alpha_j = gamma_{j-1} - gamma_j, alpha_{m-1} = gamma_{m-2} (sum 1).  The
 * normal equations come from the Gram matrix H of the f_j (H[j*ld+k] = f_j.f_k,
 * no extra pass over the vectors) and are solved by SVD with singular values
 * below 1e-13 of the largest dropped.  -1 when degenerate. */
static int anderson_weights(int m, const double *H, int ld, double *alpha, gsl_matrix *U, gsl_matrix *V,
                            gsl_vector *S, gsl_vector *work, gsl_vector *b, gsl_vector *g) {
  int p = m - 1;   /* number of differences */
  gsl_matrix_view Uv = gsl_matrix_submatrix(U, 0, 0, (size_t)p, (size_t)p);
  gsl_matrix_view Vv = gsl_matrix_submatrix(V, 0, 0, (size_t)p, (size_t)p);
  gsl_vector_view Sv = gsl_vector_subvector(S, 0, (size_t)p), wv = gsl_vector_subvector(work, 0, (size_t)p);
  gsl_vector_view bv = gsl_vector_subvector(b, 0, (size_t)p), gv = gsl_vector_subvector(g, 0, (size_t)p);
#define HH(a, c) H[(a) * ld + (c)]
  for (int i = 0; i < p; i++) {
    /* d_i . f_0 and d_i . d_k */
    gsl_vector_set(&bv.vector, (size_t)i, HH(i, 0) - HH(i + 1, 0));
    for (int k = 0; k < p; k++)
      gsl_matrix_set(&Uv.matrix, (size_t)i, (size_t)k, HH(i, k) - HH(i, k + 1) - HH(i + 1, k) + HH(i + 1, k + 1));
  }
#undef HH
  if (gsl_linalg_SV_decomp(&Uv.matrix, &Vv.matrix, &Sv.vector, &wv.vector)) return -1;
  double smax = gsl_vector_get(&Sv.vector, 0);
  if (!(smax > 0.0) || !isfinite(smax)) return -1;
  for (int i = 0; i < p; i++)
    if (gsl_vector_get(&Sv.vector, (size_t)i) < 1e-13 * smax) gsl_vector_set(&Sv.vector, (size_t)i, 0.0);
  if (gsl_linalg_SV_solve(&Uv.matrix, &Vv.matrix, &Sv.vector, &bv.vector, &gv.vector)) return -1;
  double prev = 0.0;
  for (int j = 0; j < p; j++) {
    double gj = gsl_vector_get(&gv.vector, (size_t)j);
    if (!isfinite(gj)) return -1;
    alpha[j] = (j == 0 ? 1.0 : prev) - gj;
    prev = gj;
  }
  alpha[p] = prev;
  return 0;
}

int accq_i_solve_sor(accq_i_solve_t *s, const accq_i_sor_variant_t *v) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  double *x = s->pi, w = s->opt.omega, tol = s->opt.tol;
  long max_iter = s->opt.max_iter > 0 ? s->opt.max_iter : ACCQ_SOR_MAX_ITER;
  int rc = ACCQ_SUCCESS, M = v->anderson > 0 ? v->anderson : 0;
  sweep_t c = {.n = n, .w = w, .symmetric = v->symmetric};
  double *invd = NULL, *up = NULL, *dn = NULL, *agg = NULL;
  int32_t *layer = NULL, *order = NULL, nl = 0;
  /* Anderson acceleration: the last M+1 values g_j = G(x_j) and f_j = g_j - x_j
   * in circular slots, and the Gram matrix of the f_j. */
  double *Gb = NULL, *Fb = NULL, *g = NULL;
  enum { LD = ACCQ_ANDERSON_MAX + 1 };
  double H[LD * LD], alpha[LD], Hc[LD * LD];
  gsl_matrix *U = NULL, *V = NULL;
  gsl_vector *S = NULL, *work = NULL, *bvec = NULL, *gvec = NULL;

  if (M > ACCQ_ANDERSON_MAX) M = ACCQ_ANDERSON_MAX;
  int32_t *colors = NULL;
  int redblack = 0;
  rc = accq_i_transpose(Q, &c.T, s->err);
  if (rc) goto cleanup;
  invd = malloc((size_t)n * sizeof *invd);
  if (!invd) goto nomem;
  for (int64_t j = 0; j < n; j++) invd[j] = 1.0 / -Q->diag[j];
  c.invd = invd;
  if (v->iad || v->layer_order || v->redblack) {
    layer = malloc((size_t)n * sizeof *layer);
    order = malloc((size_t)n * sizeof *order);
    if (!layer || !order) goto nomem;
    nl = bfs_layers(Q, &c.T, layer, order);
    if (nl < 0) {
      rc = accq_err_set(s->err, ACCQ_EINVAL, "generator is not irreducible: some of its %lld states "
                        "are not connected to state 0", (long long)n);
      goto cleanup;
    }
    if (v->redblack) {
      /* Bipartite when no transition joins two states of the same layer
       * parity; then sweep by colour (the BFS order is no longer needed). */
      int bip = 1;
      for (int64_t i = 0; i < n && bip; i++)
        for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++)
          if (((layer[i] ^ layer[Q->col[e]]) & 1) == 0) {
            bip = 0;
            break;
          }
      if (bip) {
        colors = order;   /* reuse: even-layer states then odd-layer ones, each increasing */
        order = NULL;
        int64_t k = 0;
        for (int64_t i = 0; i < n; i++)
          if ((layer[i] & 1) == 0) colors[k++] = (int32_t)i;
        c.ncolor0 = k;
        for (int64_t i = 0; i < n; i++)
          if (layer[i] & 1) colors[k++] = (int32_t)i;
        c.colors = colors;
        redblack = 1;
      }
    }
    if (!v->layer_order && order) {
      free(order);
      order = NULL;
    }
  }
  c.order = order;
  c.layer = layer;
  c.nl = nl;
  snprintf(s->stats->name, sizeof s->stats->name, "%s%s%s%s%s", w == 1.0 ? "gauss-seidel" : "sor",
           redblack ? "-rb" : v->symmetric ? "-sym" : "", v->iad ? "-iad" : "",
           v->layer_order && !redblack ? "-layer" : "", M ? "-aa" : "");
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
    c.up = up;
    c.dn = dn;
    c.agg = agg;
  }
  if (M) {
    Gb = malloc((size_t)n * (size_t)(M + 1) * sizeof *Gb);
    Fb = malloc((size_t)n * (size_t)(M + 1) * sizeof *Fb);
    accq_gsl_init();
    U = gsl_matrix_alloc((size_t)M + 1, (size_t)M + 1);
    V = gsl_matrix_alloc((size_t)M + 1, (size_t)M + 1);
    S = gsl_vector_alloc((size_t)M + 1);
    work = gsl_vector_alloc((size_t)M + 1);
    bvec = gsl_vector_alloc((size_t)M + 1);
    gvec = gsl_vector_alloc((size_t)M + 1);
    if (!Gb || !Fb || !U || !V || !S || !work || !bvec || !gvec) goto nomem;
  }

  for (int64_t i = 0; i < n; i++) x[i] = 1.0 / (double)n;
  double res = INFINITY, res_prev = INFINITY;
  long it = 0, next_check = 1, last_check = 0;
  int done = 0, hist = 0;   /* AA: number of stored (g, f) pairs */
  double ff_prev = INFINITY;
  for (it = 1; it <= max_iter; it++) {
    double *cur = x;   /* the iterate whose residual a check measures */
    if (!M) {
      sweep_map(&c, x);
    } else {
      int slot = (int)((it - 1) % (M + 1));
      g = Gb + (size_t)slot * (size_t)n;
      double *f = Fb + (size_t)slot * (size_t)n;
      memcpy(g, x, (size_t)n * sizeof *g);
      double inv = 1.0 / sweep_raw(&c, g);
      cur = g;
      if (hist < M + 1) hist++;
      /* One fused pass: normalize g, f = g - x, and the new Gram row f . f_j. */
      const double *fj[LD];
      double h[LD] = {0};
      for (int j = 1; j < hist; j++) fj[j] = Fb + (size_t)((it - 1 - j) % (M + 1)) * (size_t)n;
      for (int64_t i = 0; i < n; i++) {
        double gi = g[i] * inv, fi = gi - x[i];
        g[i] = gi;
        f[i] = fi;
        h[0] += fi * fi;
        for (int j = 1; j < hist; j++) h[j] += fi * fj[j][i];
      }
      for (int j = 0; j < hist; j++) {
        int sj = (int)((it - 1 - j) % (M + 1));   /* j steps back */
        H[slot * LD + sj] = H[sj * LD + slot] = h[j];
      }
      /* Safeguard: when the fixed-point residual ||f|| grows, the mixed
       * history (from a regime where the aggregation or the clipping below
       * made the map far from linear) is dropped and a plain step taken. */
      if (hist > 1 && h[0] > ff_prev) hist = 1;
      ff_prev = h[0];
      /* x <- sum_j alpha_j g_j, clipped at 0 so that the next G(x) (Gauss-Seidel
       * keeps signs) stays nonnegative. */
      int sl[LD];
      for (int j = 0; j < hist; j++) {
        sl[j] = (int)((it - 1 - j) % (M + 1));
      }
      for (int j = 0; j < hist; j++)
        for (int k = 0; k < hist; k++) Hc[j * LD + k] = H[sl[j] * LD + sl[k]];
      if (hist > 1 && anderson_weights(hist, Hc, LD, alpha, U, V, S, work, bvec, gvec) == 0) {
        const double *gs[LD];
        for (int j = 0; j < hist; j++) gs[j] = Gb + (size_t)sl[j] * (size_t)n;
        for (int64_t i = 0; i < n; i++) {
          double v0 = 0.0;
          for (int j = 0; j < hist; j++) v0 += alpha[j] * gs[j][i];
          x[i] = v0 > 0.0 ? v0 : 0.0;
        }
      } else {
        memcpy(x, g, (size_t)n * sizeof *x);
      }
    }
    if (it == next_check || it == max_iter) {
      res = accq_i_residual_T(&c.T, Q->diag, cur, s->maxexit);
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
        /* Accelerated iterations converge fast but not monotonically: a rate
         * measured over a plateau would schedule the next check far too late. */
        if (gap > (M ? 4 : 50)) gap = M ? 4 : 50;
      }
      res_prev = res;
      last_check = it;
      next_check = it + gap;
      if (accq_i_elapsed_over(s)) break;
    }
  }
  if (M && g) memcpy(x, g, (size_t)n * sizeof *x);   /* G(x) is the measured, nonnegative iterate */
  s->stats->iterations = it > max_iter ? max_iter : it;
  if (!done)
    rc = accq_err_set(s->err, ACCQ_ENOCONV, "%s stopped after %ld iterations%s (residual %.3g)",
                      s->stats->name, s->stats->iterations,
                      accq_i_elapsed_over(s) ? " at the time limit" : "", res);
  goto cleanup;
nomem:
  rc = accq_err_set(s->err, ACCQ_ENOMEM, "SOR: cannot allocate work arrays for %lld states", (long long)n);
cleanup:
  accq_i_csr_free(&c.T);
  free(invd);
  free(up);
  free(dn);
  free(agg);
  free(layer);
  free(order);
  free(colors);
  free(Gb);
  free(Fb);
  gsl_matrix_free(U);
  gsl_matrix_free(V);
  gsl_vector_free(S);
  gsl_vector_free(work);
  gsl_vector_free(bvec);
  gsl_vector_free(gvec);
  return rc;
}
