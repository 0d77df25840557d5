/* Gauss-Seidel / SOR on the balance equations pi_j |Q_jj| = sum_i pi_i Q_ij,
 * optionally accelerated by iterative aggregation-disaggregation (IAD) and
 * Anderson acceleration.
 *
 * Storage: the sweep works on the generator as built (rows = transitions out
 * of a state), with no transposed copy.  Relaxing state j needs its inflow
 * sum_i x_i Q_ij, split by source: a_j from the states after j (i > j) and b_j
 * from those before (i < j).  A forward sweep needs the old a and the new b:
 * a is scattered from the old x along the entries below the diagonal (col <
 * row: a prefix of each sorted row), b starts at 0 and each relaxed x_j is
 * scattered along the entries above the diagonal.  The backward sweep that
 * follows needs the new a and the b the forward sweep left: a restarts at 0
 * and receives the entries below the diagonal.  A symmetric sweep thus reads
 * Q 1.5 times (the gather form over Q^T read it twice), is exactly
 * Gauss-Seidel, and needs two vectors (16 bytes per state) instead of the
 * transpose (8 bytes per state + 12 per transition).  A residual check costs
 * one more pass (the full inflow scattered into b).  The former gather form
 * over Q^T is kept as a variant (and used for the sweep orders other than the
 * states' own: BFS layers, red-black) for comparison (bench/bench_solve.c,
 * tests/solve/test_stationary.c).
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
  /* Anderson acceleration over (IAD + symmetric sweep) roughly halves the
   * iterations (bench/README.md); red-black sweeps parallelize but need more
   * iterations and touch memory in a scattered order.  Its depth by size
   * (ACCQ_ANDERSON_AUTO): 5 below 4M states, 3 from there (8 bytes per
   * state and slot).  On the 9.0M-state chain depth 3 took fewer iterations
   * than 5 (48 against 55) for 16 bytes per state less, and its E[T] was
   * nearer a solve to residual 4e-16 (1.2e-9 against 2.9e-9); on chains of
   * 10^5-10^6 states it took 2-3 iterations more, and the Lagrangian
   * method's evaluations of a stiff rule (tests/optimal/test_lagrange.c,
   * stiff1225) ended elsewhere with it (bench/README.md). */
  v->anderson = ACCQ_ANDERSON_AUTO;
  v->redblack = 0;
  /* The row form is as fast as gathering over Q^T (bench/README.md) and
   * needs no copy of the matrix.  Anderson's f_j in float took the same
   * iterations (33 at 10^5 and 10^6) for 24 bytes per state less. */
  v->gather = 0;
  v->aa_float = 1;
  v->lean = -1;
}

/* Undirected BFS distances from state 0 without the transpose: label
 * correction (layer[j] <= layer[i] + 1 across every edge, both ways) by
 * alternating forward and backward passes over the rows until nothing
 * changes.  The chain builder numbers states in BFS order, so two or three
 * passes suffice there; a general ordering needs up to about the diameter, so
 * past `max_pass` passes the caller falls back to a queue BFS over a
 * temporary transposed structure.  Returns the number of layers, -1 when some
 * state is not connected to state 0, -2 when the pass limit was reached. */
/* Row i's columns: the stored ones, or regenerated into rcol (matrix-free;
 * rrate receives the rates, *d the diagonal).  *ne the count. */
static inline const int32_t *row_cols(const accq_generator_t *Q, int64_t i, int32_t *rcol,
                                      double *rrate, int64_t *ne) {
  if (!Q->rowptr) {
    double d;
    int m = Q->row(Q->row_ctx, i, 0, rcol, rrate, &d);
    *ne = m > 0 ? m : 0;
    return rcol;
  }
  *ne = Q->rowptr[i + 1] - Q->rowptr[i];
  return Q->col + Q->rowptr[i];
}

static int32_t bfs_layers_rows(const accq_generator_t *Q, int32_t *layer, int max_pass,
                               int32_t *rcol, double *rrate) {
  int64_t n = Q->n;
  const int32_t inf = INT32_MAX - 1;
  for (int64_t i = 0; i < n; i++) layer[i] = inf;
  layer[0] = 0;
  int changed = 1, pass = 0;
  for (; changed && pass < max_pass; pass++) {
    changed = 0;
    for (int64_t m = 0; m < n; m++) {
      int64_t i = (pass & 1) ? n - 1 - m : m;
      int32_t li = layer[i];
      int64_t ne;
      const int32_t *cl = row_cols(Q, i, rcol, rrate, &ne);
      for (int64_t e = 0; e < ne; e++) {
        int32_t j = cl[e], lj = layer[j];
        if (li < inf && lj > li + 1) {
          layer[j] = li + 1;
          changed = 1;
        } else if (lj < inf && li > lj + 1) {
          layer[i] = li = lj + 1;
          changed = 1;
        }
      }
    }
  }
  if (changed) return -2;
  int32_t nl = 0;
  for (int64_t i = 0; i < n; i++) {
    if (layer[i] == inf) return -1;
    if (layer[i] + 1 > nl) nl = layer[i] + 1;
  }
  return nl;
}

/* Queue BFS over both directions with a temporary transposed structure
 * (columns only: 4 bytes per transition + 8 per state, freed on return). */
static int32_t bfs_layers_queue(const accq_generator_t *Q, int32_t *layer, int32_t *queue) {
  int64_t n = Q->n, head = 0, tail = 0;
  int64_t *tp = calloc((size_t)n + 1, sizeof *tp);
  int32_t *tc = malloc((size_t)(Q->nnz > 0 ? Q->nnz : 1) * sizeof *tc);
  if (!tp || !tc) {
    free(tp);
    free(tc);
    return -3;
  }
  for (int64_t e = 0; e < Q->nnz; e++) tp[Q->col[e] + 1]++;
  for (int64_t j = 0; j < n; j++) tp[j + 1] += tp[j];
  for (int64_t i = 0; i < n; i++)
    for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) tc[tp[Q->col[e]]++] = (int32_t)i;
  for (int64_t j = n; j > 0; j--) tp[j] = tp[j - 1];
  tp[0] = 0;
  for (int64_t i = 0; i < n; i++) layer[i] = -1;
  layer[0] = 0;
  queue[tail++] = 0;
  while (head < tail) {
    int32_t i = queue[head++];
    for (int dir = 0; dir < 2; dir++) {
      const int64_t *rp = dir ? tp : Q->rowptr;
      const int32_t *cl = dir ? tc : Q->col;
      for (int64_t e = rp[i]; e < rp[i + 1]; e++) {
        int32_t j = cl[e];
        if (layer[j] < 0) {
          layer[j] = layer[i] + 1;
          queue[tail++] = j;
        }
      }
    }
  }
  free(tp);
  free(tc);
  if (tail != n) return -1;
  return layer[queue[n - 1]] + 1;
}

/* The rates of each state to the next layer up and down (up_i, dn_i), which
 * the aggregation step weighs.  They are sums of a few rates, so the distinct
 * (up, dn) pairs are few: a 2-byte index per state into a table of pairs
 * (ptab[2p], ptab[2p+1]) instead of two doubles, while there are at most
 * 65,535 pairs; otherwise up and dn in double. */
typedef struct {
  const uint16_t *pidx;
  const double *ptab;
  const double *up, *dn;
} iad_rates_t;

/* The change tracker of a sweep that Anderson reads (aa_sweep): u_j
 * accumulates, in float, every change the sweep makes to x_j. */
static inline float track(float u, double change) { return (float)((double)u + change); }

/* Aggregation-disaggregation step: rescales x so that the layer masses solve
 * the aggregated birth-death chain built with x's within-layer distribution. */
static void iad_step(int64_t n, int32_t nl, const int32_t *layer, const iad_rates_t *r, double *x,
                     float *u, double *mass, double *U, double *D, double *lxi) {
  for (int32_t l = 0; l < nl; l++) mass[l] = U[l] = D[l] = 0.0;
  if (r->pidx) {
    for (int64_t i = 0; i < n; i++) {
      int32_t l = layer[i];
      const double *pr = r->ptab + 2 * (size_t)r->pidx[i];
      mass[l] += x[i];
      U[l] += x[i] * pr[0];
      D[l] += x[i] * pr[1];
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      int32_t l = layer[i];
      mass[l] += x[i];
      U[l] += x[i] * r->up[i];
      D[l] += x[i] * r->dn[i];
    }
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
  /* The new layer masses keep x's total (the sweep is linear, so the scale
   * changes no normalized iterate, but a tracked change (aa_sweep) must stay
   * of the size of the correction, not of x). */
  double tot = 0.0, mtot = 0.0;
  for (int32_t l = 0; l < nl; l++) {
    lxi[l] = exp(lxi[l] - lmax);
    tot += lxi[l];
    mtot += mass[l];
  }
  for (int32_t l = 0; l < nl; l++) lxi[l] *= (mtot / tot) / mass[l];   /* now the scale factor */
  if (u)
    for (int64_t i = 0; i < n; i++) {
      double xn = x[i] * lxi[layer[i]];
      u[i] = track(u[i], xn - x[i]);
      x[i] = xn;
    }
  else
    for (int64_t i = 0; i < n; i++) x[i] *= lxi[layer[i]];
}

/* Everything one iteration of the SOR family needs, allocated once. */
typedef struct {
  int64_t n;
  const accq_generator_t *Q;
  accq_i_csr_t T;         /* gather form only */
  double *y;              /* row forms: the inflow (sweep_rows), free between sweeps */
  double *b;              /* row forms below ACCQ_SOR_LEAN_STATES: the inflow's part from
                             earlier states (NULL: one vector) */
  const uint8_t *nlow;    /* row form: entries below the diagonal per row (255: count them) */
  const int32_t *order;   /* sweep order (NULL: 0..n-1) */
  const int32_t *colors;  /* red-black: even-layer states, then odd-layer ones */
  int64_t ncolor0;
  int32_t nl;
  const int32_t *layer;
  const iad_rates_t *iad;   /* NULL: no aggregation */
  double *agg;
  double w;
  int symmetric;
  int32_t *rcol;          /* matrix-free: one regenerated row (Q->max_row entries) */
  double *rrate;
} sweep_t;

static double residual_max(int64_t n, const double *x, const double *y, double maxexit);

static inline double gather(const accq_i_csr_t *T, const double *x, int64_t j) {
  double sum = 0.0;
  for (int64_t e = T->rowptr[j]; e < T->rowptr[j + 1]; e++) sum += x[T->col[e]] * T->val[e];
  return sum;
}

/* y <- x Q (the diagonal included, added where row i is read): one pass
 * over the rows. */
static void scatter_all(const accq_generator_t *Q, const double *x, double *y) {
  const int32_t *col = Q->col;
  memset(y, 0, (size_t)Q->n * sizeof *y);
  for (int64_t i = 0; i < Q->n; i++) {
    double xi = x[i];
    if (xi == 0.0) continue;
    y[i] += xi * accq_generator_diag(Q, i);
    int64_t e0 = Q->rowptr[i], e1 = Q->rowptr[i + 1];
    if (Q->val)
      for (int64_t e = e0; e < e1; e++) y[col[e]] += xi * Q->val[e];
    else if (Q->ridx8)
      for (int64_t e = e0; e < e1; e++) y[col[e]] += xi * Q->rtab[Q->ridx8[e]];
    else
      for (int64_t e = e0; e < e1; e++) y[col[e]] += xi * Q->rtab[Q->ridx[e]];
  }
}

/* y[col] += xi * Q_ie over row i's entries below (lower = 1: col < i) or
 * above (col > i) the diagonal; rows are sorted, so each part is a run whose
 * length was counted once (nlow[i]; 255 = count again). */
#if defined(__GNUC__)
#define SOR_INLINE static inline __attribute__((always_inline))
#else
#define SOR_INLINE static inline
#endif
/* (Inlined into each of the four passes of sweep_rows: as a call, at 853,776
 * states the sweep took 1.5x the time.) */
SOR_INLINE void scatter_part(const accq_generator_t *Q, const uint8_t *nlow, int64_t i, double xi,
                                int lower, double *y) {
  const int32_t *col = Q->col;
  int64_t e0 = Q->rowptr[i], e1 = Q->rowptr[i + 1], m = e0 + nlow[i];
  if (nlow[i] == 255)
    while (m < e1 && col[m] < i) m++;
  if (lower) e1 = m;
  else e0 = m;
  if (Q->val)
    for (int64_t e = e0; e < e1; e++) y[col[e]] += xi * Q->val[e];
  else if (Q->ridx8)
    for (int64_t e = e0; e < e1; e++) y[col[e]] += xi * Q->rtab[Q->ridx8[e]];
  else
    for (int64_t e = e0; e < e1; e++) y[col[e]] += xi * Q->rtab[Q->ridx[e]];
}

/* Row form, natural order: forward sweep (and backward when symmetric);
 * returns sum(x) over the last pass.  Relaxing j needs its inflow
 * sum_{i != j} x_i Q_ij: before the forward pass y_j = sum_{i > j} x_i Q_ij
 * (the entries below the diagonal, scattered from the current x), and each
 * relaxed x_j is scattered along its entries above the diagonal into b; the
 * backward pass then needs those (the forward values) and restarts y from
 * the entries below.  With b == NULL (from ACCQ_SOR_LEAN_STATES states) the
 * forward pass scatters into y itself, and the backward pass first
 * scatters the entries above the diagonal into y again: half a pass over Q
 * more per symmetric sweep (about 1.3x the time), 8 bytes per state less
 * (docs/chains.md, "Storage").  When u is set, every change to x_j is
 * added to u_j. */
static double sweep_rows(const sweep_t *c, double *x, float *u) {
  const accq_generator_t *Q = c->Q;
  int64_t n = c->n;
  double *y = c->y, *b = c->b, *fb = b ? b : y, w = c->w, sum = 0.0;
  memset(y, 0, (size_t)n * sizeof *y);
  for (int64_t i = 1; i < n; i++)
    if (x[i] != 0.0) scatter_part(Q, c->nlow, i, x[i], 1, y);
  if (b) memset(b, 0, (size_t)n * sizeof *b);
  for (int64_t j = 0; j < n; j++) {
    double v = (b ? y[j] + b[j] : y[j]) / -accq_generator_diag(Q, j);
    double xn = w == 1.0 ? v : (1.0 - w) * x[j] + w * v;
    if (u) u[j] = track(u[j], xn - x[j]);
    x[j] = xn;
    if (xn != 0.0) scatter_part(Q, c->nlow, j, xn, 0, fb);
    sum += xn;
  }
  if (!c->symmetric) return sum;
  sum = 0.0;
  memset(y, 0, (size_t)n * sizeof *y);
  if (!b)
    for (int64_t i = 0; i + 1 < n; i++)
      if (x[i] != 0.0) scatter_part(Q, c->nlow, i, x[i], 0, y);
  for (int64_t j = n - 1; j >= 0; j--) {
    double v = (b ? y[j] + b[j] : y[j]) / -accq_generator_diag(Q, j);
    double xn = w == 1.0 ? v : (1.0 - w) * x[j] + w * v;
    if (u) u[j] = track(u[j], xn - x[j]);
    x[j] = xn;
    if (xn != 0.0) scatter_part(Q, c->nlow, j, xn, 1, y);
    sum += xn;
  }
  return sum;
}

/* The row form over a matrix-free Q: the same passes and the same
 * arithmetic as sweep_rows (each row regenerated where sweep_rows reads it,
 * unsorted: each entry of a row goes to a different column, so the order
 * within a row changes no sum), hence the same iterates bit for bit; three
 * half-row generations per symmetric sweep, four with one vector. */
static double sweep_rows_mf(const sweep_t *c, double *x, float *u) {
  const accq_generator_t *Q = c->Q;
  int64_t n = c->n;
  int32_t *col = c->rcol;
  double *rate = c->rrate, *y = c->y, *b = c->b, *fb = b ? b : y, w = c->w, sum = 0.0, d;
  memset(y, 0, (size_t)n * sizeof *y);
  for (int64_t i = 1; i < n; i++) {
    double xi = x[i];
    if (xi == 0.0) continue;
    /* only the entries below the diagonal (a generator may give them alone:
     * the lumped rows numbered by rank give the departures only; d unused) */
    int ne = Q->row(Q->row_ctx, i, ACCQ_ROW_LOWER, col, rate, &d);
    for (int e = 0; e < ne; e++)
      if (col[e] < i) y[col[e]] += xi * rate[e];
  }
  if (b) memset(b, 0, (size_t)n * sizeof *b);
  for (int64_t j = 0; j < n; j++) {
    /* the entries above the diagonal and the diagonal (the lumped rows
     * numbered by rank: the arrivals only, the diagonal from a table) */
    int ne = Q->row(Q->row_ctx, j, ACCQ_ROW_UPPER, col, rate, &d);
    double v = (b ? y[j] + b[j] : y[j]) / -d;
    double xn = w == 1.0 ? v : (1.0 - w) * x[j] + w * v;
    if (u) u[j] = track(u[j], xn - x[j]);
    x[j] = xn;
    if (xn != 0.0)
      for (int e = 0; e < ne; e++)
        if (col[e] > j) fb[col[e]] += xn * rate[e];
    sum += xn;
  }
  if (!c->symmetric) return sum;
  sum = 0.0;
  memset(y, 0, (size_t)n * sizeof *y);
  for (int64_t i = 0; !b && i + 1 < n; i++) {
    double xi = x[i];
    if (xi == 0.0) continue;
    int ne = Q->row(Q->row_ctx, i, ACCQ_ROW_UPPER, col, rate, &d);
    for (int e = 0; e < ne; e++)
      if (col[e] > i) y[col[e]] += xi * rate[e];
  }
  for (int64_t j = n - 1; j >= 0; j--) {
    int ne = Q->row(Q->row_ctx, j, ACCQ_ROW_LOWER, col, rate, &d);
    double v = (b ? y[j] + b[j] : y[j]) / -d;
    double xn = w == 1.0 ? v : (1.0 - w) * x[j] + w * v;
    if (u) u[j] = track(u[j], xn - x[j]);
    x[j] = xn;
    if (xn != 0.0)
      for (int e = 0; e < ne; e++)
        if (col[e] < j) y[col[e]] += xn * rate[e];
    sum += xn;
  }
  return sum;
}

/* residual_rows over a matrix-free Q: the same single pass (each row's
 * diagonal comes with the row). */
static double residual_rows_mf(const sweep_t *c, const double *x, double maxexit) {
  const accq_generator_t *Q = c->Q;
  double *y = c->y, d;
  memset(y, 0, (size_t)c->n * sizeof *y);
  for (int64_t i = 0; i < c->n; i++) {
    double xi = x[i];
    if (xi == 0.0) continue;
    int ne = Q->row(Q->row_ctx, i, 0, c->rcol, c->rrate, &d);
    y[i] += xi * d;
    for (int e = 0; e < ne; e++) y[c->rcol[e]] += xi * c->rrate[e];
  }
  return residual_max(c->n, x, y, maxexit);
}

/* Relaxes state j by gathering over Q^T; returns its new value. */
static inline double relax_gather(const sweep_t *c, double *x, int64_t j) {
  double w = c->w, v = gather(&c->T, x, j) / -accq_generator_diag(c->Q, j);
  x[j] = w == 1.0 ? v : (1.0 - w) * x[j] + w * v;
  return x[j];
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
static double sweep_raw(const sweep_t *c, double *x, float *u);

static void sweep_map(const sweep_t *c, double *x) {
  double inv = 1.0 / sweep_raw(c, x, NULL);
  for (int64_t i = 0; i < c->n; i++) x[i] *= inv;
}

/* The sweep without the final scaling; returns sum(x) (accumulated in the
 * last pass, where every entry is final).  u (row forms only, see
 * sweep_tracks): receives every change made to x. */
static double sweep_raw(const sweep_t *c, double *x, float *u) {
  int64_t n = c->n;
  if (c->iad) iad_step(n, c->nl, c->layer, c->iad, x, u, c->agg, c->agg + c->nl, c->agg + 2 * c->nl,
                       c->agg + 3 * c->nl);
  if (c->rcol) return sweep_rows_mf(c, x, u);
  if (c->y) return sweep_rows(c, x, u);
  double sum = 0.0;
  if (c->colors) {
    for (int color = 0; color < 2; color++) {
      const int32_t *list = c->colors + (color ? c->ncolor0 : 0);
      int64_t len = color ? n - c->ncolor0 : c->ncolor0;
      for (int64_t k = 0; k < len; k++) relax_gather(c, x, list[k]);
    }
    for (int64_t i = 0; i < n; i++) sum += x[i];
  } else {
    int passes = c->symmetric ? 2 : 1;
    for (int pass = 0; pass < passes; pass++) {
      int64_t k0 = pass ? n - 1 : 0, dk = pass ? -1 : 1;
      int last = pass == passes - 1;
      for (int64_t k = k0, m = 0; m < n; m++, k += dk) {
        double v = relax_gather(c, x, c->order ? c->order[k] : k);
        if (last) sum += v;
      }
    }
  }
  return sum;
}

/* docs/chains.md's residual of x, given y = x Q: max_j |y_j| / (sum x
 * max|Q_jj|). */
static double residual_max(int64_t n, const double *x, const double *y, double maxexit) {
  double rmax = 0.0, sum = 0.0;
  for (int64_t j = 0; j < n; j++) {
    double r = fabs(y[j]);
    if (r > rmax) rmax = r;
    sum += x[j];
  }
  if (!(maxexit > 0.0)) return 0.0;
  return rmax / (fabs(sum) * maxexit);
}

/* ... in the row form: x Q scattered into y = c->y (free between sweeps). */
static double residual_rows(const sweep_t *c, const double *x, double maxexit) {
  scatter_all(c->Q, x, c->y);
  return residual_max(c->n, x, c->y, maxexit);
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

/* Anderson acceleration state.  The mix x <- sum_j alpha_j g_j (j steps back,
 * sum alpha_j = 1) is formed as x <- g_0 - sum_l beta_l D_l with the
 * differences D_l = g_l - g_{l+1} (l steps back) and beta_l = sum_{j>l}
 * alpha_j, so only the newest g is kept in double: the history is M+1 slots
 * of f_j = g_j - x_j (for the Gram matrix, which only sets the weights) and
 * of D_j, both in float when use_float.  A difference rounded to float is off
 * by 6e-8 of itself, and the differences shrink with the residual, so the
 * perturbation of the mix vanishes at convergence; any mix is a valid next
 * iterate anyway, since the accepted iterate is always a G(x) whose residual
 * is measured.  D_0 = g_0 - g_1 comes without g_1: the previous mix gave
 * x_0 = g_1 - sum_l beta'_l D'_l (clipped at 0, which moves D_0 by the
 * clipped amount only), so D_0 = f_0 - sum_l beta'_l D'_l.
 *
 * The sweep runs in place on x, so x becomes g: neither the previous x nor
 * g needs a copy when the sweep tracks its changes (sweep_tracks): every
 * change it makes to x_j (the aggregation's scaling, the forward and the
 * backward relaxation) is added, in float, to u_j in f_0's slot, so that
 * after the sweep u = g_raw - x (g_raw before the scaling to sum 1) and
 * f_0 = g_raw inv - x = u + (inv - 1) g_raw.  u's rounding is 6e-8 of the
 * changes it adds, which shrink with the residual like f itself.  Memory per
 * state: (M+1) (4 + 4) bytes in float (32 at M = 3); a sweep that does not
 * track (the gather and red-black variants) copies x into G, 8 more. */
enum { LD = ACCQ_ANDERSON_MAX + 1 };
typedef struct {
  int M, hist;
  int64_t n;
  double *G;                  /* untracked sweeps only: the sweep's copy of x */
  double *Fb, *Db;            /* M+1 slots each, double ... */
  float *Ff, *Df;             /* ... or float */
  double H[LD * LD], Hc[LD * LD], alpha[LD];
  double beta[LD];            /* the last mix's beta_l (nbeta of them; 0: plain step) */
  int nbeta;
  double ff_prev;
  gsl_matrix *U, *V;
  gsl_vector *S, *work, *b, *g;
} anderson_t;

static void aa_free(anderson_t *a) {
  free(a->G);
  free(a->Fb);
  free(a->Db);
  free(a->Ff);
  free(a->Df);
  gsl_matrix_free(a->U);
  gsl_matrix_free(a->V);
  gsl_vector_free(a->S);
  gsl_vector_free(a->work);
  gsl_vector_free(a->b);
  gsl_vector_free(a->g);
}

static int aa_alloc(anderson_t *a, int M, int64_t n, int use_float, int tracked) {
  memset(a, 0, sizeof *a);
  a->M = M;
  a->n = n;
  a->ff_prev = INFINITY;
  size_t len = (size_t)n * (size_t)(M + 1);
  if (!(use_float && tracked)) a->G = malloc((size_t)n * sizeof *a->G);
  if (use_float) {
    a->Ff = malloc(len * sizeof *a->Ff);
    a->Df = malloc(len * sizeof *a->Df);
  } else {
    a->Fb = malloc(len * sizeof *a->Fb);
    a->Db = malloc(len * sizeof *a->Db);
  }
  accq_gsl_init();
  a->U = gsl_matrix_alloc((size_t)M + 1, (size_t)M + 1);
  a->V = gsl_matrix_alloc((size_t)M + 1, (size_t)M + 1);
  a->S = gsl_vector_alloc((size_t)M + 1);
  a->work = gsl_vector_alloc((size_t)M + 1);
  a->b = gsl_vector_alloc((size_t)M + 1);
  a->g = gsl_vector_alloc((size_t)M + 1);
  return (a->G || (use_float && tracked)) && ((a->Ff && a->Df) || (a->Fb && a->Db)) && a->U && a->V && a->S && a->work &&
                 a->b && a->g
             ? 0
             : -1;
}

/* Slot of the history entry j steps back at iteration it. */
static inline size_t aa_off(const anderson_t *a, long it, int j) {
  return (size_t)((it - 1 - j) % (a->M + 1)) * (size_t)a->n;
}

/* One pass: g <- g * inv (the normalized sweep), f = g - x into slot `slot`
 * (rounded to float when so stored) with its dot products with the stored f
 * of the `hist` - 1 previous slots (h[0] = f.f, h[j] = f.f_{j back}), and
 * D_0 = f - sum_l beta'_l D'_l (the previous mix's differences, 1 + l steps
 * back now) into the same slot.  x == NULL: the sweep tracked its changes
 * in the slot (u = g - x, see anderson_t), and f = u + (inv - 1) g. */
static void aa_fuse(anderson_t *a, double *g, const double *x, double inv, long it, double *h) {
  int hist = a->hist, nb = a->nbeta;
  int64_t n = a->n;
  const size_t off = aa_off(a, it, 0);
  const double *fj[LD], *dl[LD];
  const float *fjf[LD], *dlf[LD];
  for (int j = 0; j < LD; j++) h[j] = 0.0;
  for (int j = 1; j < hist; j++) {
    fj[j] = a->Fb ? a->Fb + aa_off(a, it, j) : NULL;
    fjf[j] = a->Ff ? a->Ff + aa_off(a, it, j) : NULL;
  }
  for (int l = 0; l < nb; l++) {
    dl[l] = a->Db ? a->Db + aa_off(a, it, l + 1) : NULL;
    dlf[l] = a->Df ? a->Df + aa_off(a, it, l + 1) : NULL;
  }
  const double *beta = a->beta;
  if (a->Ff) {
    float *f = a->Ff + off, *d = a->Df + off;
    for (int64_t i = 0; i < n; i++) {
      double gi = g[i] * inv, fe = x ? gi - x[i] : (double)f[i] + (inv - 1.0) * g[i];
      float ff = (float)fe;
      double fi = ff, di = fe;
      g[i] = gi;
      f[i] = ff;
      for (int l = 0; l < nb; l++) di -= beta[l] * (double)dlf[l][i];
      d[i] = (float)di;
      h[0] += fi * fi;
      for (int j = 1; j < hist; j++) h[j] += fi * (double)fjf[j][i];
    }
  } else {
    double *f = a->Fb + off, *d = a->Db + off;
    for (int64_t i = 0; i < n; i++) {
      double gi = g[i] * inv, fi = gi - x[i], di = fi;
      g[i] = gi;
      f[i] = fi;
      for (int l = 0; l < nb; l++) di -= beta[l] * dl[l][i];
      d[i] = di;
      h[0] += fi * fi;
      for (int j = 1; j < hist; j++) h[j] += fi * fj[j][i];
    }
  }
}

/* The first half of an accelerated iteration: x <- g = G(x) in place (the
 * iterate a residual check measures), its f and D_0 into the history, and
 * the weights of the next mix (aa_mix).  A tracking sweep (a->G == NULL)
 * records its changes in f_0's slot; otherwise the sweep runs on a copy. */
static void aa_sweep(anderson_t *a, const sweep_t *c, double *x, long it) {
  int M = a->M;
  int64_t n = a->n;
  int slot = (int)((it - 1) % (M + 1));
  double h[LD], inv;
  if (a->hist < M + 1) a->hist++;
  if (a->G) {
    memcpy(a->G, x, (size_t)n * sizeof *x);
    inv = 1.0 / sweep_raw(c, a->G, NULL);
    aa_fuse(a, a->G, x, inv, it, h);
    memcpy(x, a->G, (size_t)n * sizeof *x);
  } else {
    float *u = a->Ff + aa_off(a, it, 0);
    memset(u, 0, (size_t)n * sizeof *u);
    inv = 1.0 / sweep_raw(c, x, u);
    aa_fuse(a, x, NULL, inv, it, h);
  }
  for (int j = 0; j < a->hist; j++) {
    int sj = (int)((it - 1 - j) % (M + 1));   /* j steps back */
    a->H[slot * LD + sj] = a->H[sj * LD + slot] = h[j];
  }
  /* Safeguard: when the fixed-point residual ||f|| grows, the mixed history
   * (from a regime where the aggregation or the clipping below made the map
   * far from linear) is dropped and a plain step taken. */
  if (a->hist > 1 && h[0] > a->ff_prev) a->hist = 1;
  a->ff_prev = h[0];
  int sl[LD], hist = a->hist;
  for (int j = 0; j < hist; j++) sl[j] = (int)((it - 1 - j) % (M + 1));
  for (int j = 0; j < hist; j++)
    for (int k = 0; k < hist; k++) a->Hc[j * LD + k] = a->H[sl[j] * LD + sl[k]];
  a->nbeta = 0;
  if (hist > 1 && anderson_weights(hist, a->Hc, LD, a->alpha, a->U, a->V, a->S, a->work, a->b, a->g) == 0) {
    int nb = hist - 1;
    double acc = 0.0;
    for (int l = nb - 1; l >= 0; l--) a->beta[l] = acc += a->alpha[l + 1];
    a->nbeta = nb;
  }
}

/* The second half: x (= g) <- g - sum_l beta_l D_l, clipped at 0 so that the
 * next G(x) (Gauss-Seidel keeps signs) stays nonnegative; a plain step
 * (x stays g) when aa_sweep found no weights. */
static void aa_mix(const anderson_t *a, double *x, long it) {
  int nb = a->nbeta;
  if (nb == 0) return;
  const double *db[LD];
  const float *df[LD];
  for (int l = 0; l < nb; l++) {
    db[l] = a->Db ? a->Db + aa_off(a, it, l) : NULL;
    df[l] = a->Df ? a->Df + aa_off(a, it, l) : NULL;
  }
  for (int64_t i = 0; i < a->n; i++) {
    double v0 = x[i];
    if (a->Df)
      for (int l = 0; l < nb; l++) v0 -= a->beta[l] * (double)df[l][i];
    else
      for (int l = 0; l < nb; l++) v0 -= a->beta[l] * db[l][i];
    x[i] = v0 > 0.0 ? v0 : 0.0;
  }
}

/* Work arrays of one SOR solve. */
typedef struct {
  sweep_t c;
  double *y, *b, *up, *dn, *agg, *ptab;
  uint16_t *pidx;
  iad_rates_t iad;
  uint8_t *nlow;
  int32_t *layer, *order, *colors, *rcol;
  double *rrate;
  anderson_t aa;
  int M, redblack;
} sor_work_t;

static void sor_work_free(sor_work_t *w) {
  accq_i_csr_free(&w->c.T);
  free(w->y);
  free(w->b);
  free(w->nlow);
  free(w->rcol);
  free(w->rrate);
  free(w->up);
  free(w->dn);
  free(w->pidx);
  free(w->ptab);
  free(w->agg);
  free(w->layer);
  free(w->order);
  free(w->colors);
  if (w->M) aa_free(&w->aa);
}

/* The rates of state i to the next layer up (*u) and down (*d), added in
 * the row's order (stored or regenerated). */
static void row_updown(const accq_generator_t *Q, const int32_t *layer, int64_t i, int32_t *rcol,
                       double *rrate, double *u, double *d) {
  if (!Q->rowptr) {
    double dg;
    int ne = Q->row(Q->row_ctx, i, 1, rcol, rrate, &dg);   /* the stored order: same sums */
    for (int e = 0; e < ne; e++) {
      int32_t dl = layer[rcol[e]] - layer[i];
      if (dl > 0) *u += rrate[e];
      else if (dl < 0) *d += rrate[e];
    }
    return;
  }
  for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++) {
    int32_t dl = layer[Q->col[e]] - layer[i];
    if (dl > 0) *u += accq_generator_rate(Q, e);
    else if (dl < 0) *d += accq_generator_rate(Q, e);
  }
}

/* up_i and dn_i of every state, as a pair table (iad_rates_t) when the
 * distinct pairs fit, else in double.  -1: out of memory. */
static int iad_rates(const accq_generator_t *Q, const int32_t *layer, sor_work_t *w) {
  enum { MAXP = 65535, SLOTS = 131072 };
  int64_t n = Q->n;
  int32_t *slot = malloc(SLOTS * sizeof *slot);
  w->ptab = malloc(2 * (size_t)MAXP * sizeof *w->ptab);
  w->pidx = malloc((size_t)n * sizeof *w->pidx);
  if (!slot || !w->ptab || !w->pidx) {
    free(slot);
    return -1;
  }
  memset(slot, 0xff, SLOTS * sizeof *slot);
  int32_t np = 0;
  for (int64_t i = 0; i < n && w->pidx; i++) {
    double u = 0.0, d = 0.0;
    row_updown(Q, layer, i, w->c.rcol, w->c.rrate, &u, &d);
    uint64_t bu, bd;
    memcpy(&bu, &u, sizeof bu);
    memcpy(&bd, &d, sizeof bd);
    uint64_t h = ((bu * 0x9E3779B97F4A7C15ull) ^ (bd * 0xC2B2AE3D27D4EB4Full)) >> 47;
    for (;; h = (h + 1) & (SLOTS - 1)) {
      int32_t p = slot[h];
      if (p < 0 || (memcmp(&w->ptab[2 * p], &u, sizeof u) == 0 && memcmp(&w->ptab[2 * p + 1], &d, sizeof d) == 0))
        break;
    }
    if (slot[h] < 0) {
      if (np == MAXP) {   /* too many pairs: up and dn in double */
        free(w->pidx);
        w->pidx = NULL;
        break;
      }
      w->ptab[2 * np] = u;
      w->ptab[2 * np + 1] = d;
      slot[h] = np++;
    }
    w->pidx[i] = (uint16_t)slot[h];
  }
  free(slot);
  if (w->pidx) {
    w->iad = (iad_rates_t){.pidx = w->pidx, .ptab = w->ptab};
    return 0;
  }
  free(w->ptab);
  w->ptab = NULL;
  w->up = calloc((size_t)n, sizeof *w->up);
  w->dn = calloc((size_t)n, sizeof *w->dn);
  if (!w->up || !w->dn) return -1;
  for (int64_t i = 0; i < n; i++) row_updown(Q, layer, i, w->c.rcol, w->c.rrate, &w->up[i], &w->dn[i]);
  w->iad = (iad_rates_t){.up = w->up, .dn = w->dn};
  return 0;
}

/* Layers, sweep order or colours (variant permitting). */
static int sor_layers(accq_i_solve_t *s, const accq_i_sor_variant_t *v, sor_work_t *w) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  w->layer = malloc((size_t)n * sizeof *w->layer);
  if (!w->layer) return ACCQ_ENOMEM;
  /* matrix-free: the builder's breadth-first order needs two or three
   * passes; the queue BFS below would need a stored transpose */
  int implicit = accq_generator_implicit(Q);
  int32_t nl = bfs_layers_rows(Q, w->layer, implicit ? 64 : 8, w->c.rcol, w->c.rrate);
  if (nl == -2 && implicit)
    return accq_err_set(s->err, ACCQ_EINVAL, "matrix-free generator: the BFS layers did not settle "
                        "in 64 passes (states not in breadth-first order)");
  if (nl == -2) {
    w->order = malloc((size_t)n * sizeof *w->order);
    if (!w->order) return ACCQ_ENOMEM;
    nl = bfs_layers_queue(Q, w->layer, w->order);
    if (nl == -3) return ACCQ_ENOMEM;
  }
  if (nl < 0)
    return accq_err_set(s->err, ACCQ_EINVAL, "generator is not irreducible: some of its %lld states "
                        "are not connected to state 0", (long long)n);
  w->c.nl = nl;
  if (v->layer_order || v->redblack) {
    /* the states sorted by layer (counting sort; increasing within a layer) */
    int64_t *start = calloc((size_t)nl + 1, sizeof *start);
    if (!start) return ACCQ_ENOMEM;
    if (!w->order) w->order = malloc((size_t)n * sizeof *w->order);
    if (!w->order) {
      free(start);
      return ACCQ_ENOMEM;
    }
    for (int64_t i = 0; i < n; i++) start[w->layer[i] + 1]++;
    for (int32_t l = 0; l < nl; l++) start[l + 1] += start[l];
    for (int64_t i = 0; i < n; i++) w->order[start[w->layer[i]]++] = (int32_t)i;
    free(start);
  }
  if (v->redblack) {
    /* Bipartite when no transition joins two states of the same layer
     * parity; then sweep by colour (the BFS order is no longer needed). */
    int bip = 1;
    for (int64_t i = 0; i < n && bip; i++)
      for (int64_t e = Q->rowptr[i]; e < Q->rowptr[i + 1]; e++)
        if (((w->layer[i] ^ w->layer[Q->col[e]]) & 1) == 0) {
          bip = 0;
          break;
        }
    if (bip) {
      w->colors = w->order;   /* reuse: even-layer states then odd-layer ones, each increasing */
      w->order = NULL;
      int64_t k = 0;
      for (int64_t i = 0; i < n; i++)
        if ((w->layer[i] & 1) == 0) w->colors[k++] = (int32_t)i;
      w->c.ncolor0 = k;
      for (int64_t i = 0; i < n; i++)
        if (w->layer[i] & 1) w->colors[k++] = (int32_t)i;
      w->c.colors = w->colors;
      w->redblack = 1;
    }
  }
  if (!v->layer_order && w->order) {
    free(w->order);
    w->order = NULL;
  }
  w->c.order = w->order;
  w->c.layer = w->layer;
  return ACCQ_SUCCESS;
}

/* Everything before the first iteration. */
static int sor_setup(accq_i_solve_t *s, const accq_i_sor_variant_t *v, sor_work_t *w) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  int rc;
  const int lean = v->lean < 0 ? n >= ACCQ_SOR_LEAN_STATES : v->lean;
  int depth = v->anderson == ACCQ_ANDERSON_AUTO ? (lean ? 3 : 5) : v->anderson;
  w->M = depth > 0 ? (depth > ACCQ_ANDERSON_MAX ? ACCQ_ANDERSON_MAX : depth) : 0;
  w->c = (sweep_t){.n = n, .Q = Q, .w = s->opt.omega, .symmetric = v->symmetric};
  /* the row form sweeps in the states' own order; other orders gather */
  if (accq_generator_implicit(Q)) {
    if (v->gather || v->layer_order || v->redblack)
      return accq_err_set(s->err, ACCQ_EINVAL, "SOR variant gather/layer/red-black needs the stored "
                          "matrix (the generator is matrix-free)");
    w->y = malloc((size_t)n * sizeof *w->y);
    if (!lean && !(w->b = malloc((size_t)n * sizeof *w->b))) return ACCQ_ENOMEM;
    w->rcol = malloc((size_t)(Q->max_row + 1) * sizeof *w->rcol);
    w->rrate = malloc((size_t)(Q->max_row + 1) * sizeof *w->rrate);
    if (!w->y || !w->rcol || !w->rrate) return ACCQ_ENOMEM;
    w->c.y = w->y;
    w->c.b = w->b;
    w->c.rcol = w->rcol;
    w->c.rrate = w->rrate;
  } else if (v->gather || v->layer_order || v->redblack) {
    if ((rc = accq_i_transpose(Q, &w->c.T, s->err)) != 0) return rc;
  } else {
    w->y = malloc((size_t)n * sizeof *w->y);
    if (!lean && !(w->b = malloc((size_t)n * sizeof *w->b))) return ACCQ_ENOMEM;
    w->nlow = malloc((size_t)n * sizeof *w->nlow);
    if (!w->y || !w->nlow) return ACCQ_ENOMEM;
    for (int64_t i = 0; i < n; i++) {
      int64_t m = Q->rowptr[i];
      while (m < Q->rowptr[i + 1] && Q->col[m] < i) m++;
      w->nlow[i] = m - Q->rowptr[i] < 255 ? (uint8_t)(m - Q->rowptr[i]) : 255;
    }
    w->c.y = w->y;
    w->c.b = w->b;
    w->c.nlow = w->nlow;
  }
  if (v->iad || v->layer_order || v->redblack) {
    if ((rc = sor_layers(s, v, w)) != 0) return rc;
  }
  int32_t nl = w->c.nl;
  char name[64];
  snprintf(name, sizeof name, "%s%s%s%s%s%s", w->c.w == 1.0 ? "gauss-seidel" : "sor",
           w->redblack ? "-rb" : v->symmetric ? "-sym" : "", v->iad ? "-iad" : "",
           v->layer_order && !w->redblack ? "-layer" : "", w->M ? "-aa" : "", w->rcol ? "-mf" : "");
  snprintf(s->stats->name, sizeof s->stats->name, "%.31s", name);
  if (v->iad && nl > 1) {
    w->agg = malloc(4 * (size_t)nl * sizeof *w->agg);
    if (!w->agg || iad_rates(Q, w->layer, w)) return ACCQ_ENOMEM;
    w->c.iad = &w->iad;
    w->c.agg = w->agg;
  } else if (w->layer && !v->redblack) {
    free(w->layer);   /* only the sweep order was wanted */
    w->layer = NULL;
    w->c.layer = NULL;
  }
  /* the row forms track their changes for Anderson (no copy of x) */
  if (w->M && aa_alloc(&w->aa, w->M, n, v->aa_float, w->c.y != NULL)) return ACCQ_ENOMEM;
  return ACCQ_SUCCESS;
}

/* The next residual check, from the observed contraction rate. */
static long next_gap(double res, double res_prev, long it, long last_check, double tol, int accel) {
  long gap = 1;
  if (isfinite(res_prev) && res < res_prev && it > last_check) {
    double rate = pow(res / res_prev, 1.0 / (double)(it - last_check));
    double need = log(0.5 * tol / res) / log(rate);
    gap = need > 1.0 ? (long)(0.7 * need) : 1;
    if (gap < 1) gap = 1;
    /* Accelerated iterations converge fast but not monotonically: a rate
     * measured over a plateau would schedule the next check far too late. */
    if (gap > (accel ? 4 : 50)) gap = accel ? 4 : 50;
  }
  return gap;
}

/* The sign of the accepted iterate.  With omega > 1 a sweep sets
 * x_j = (1 - omega) x_j + omega v_j, negative wherever the relaxed value v_j
 * falls below (1 - 1/omega) x_j: at states of tiny probability the converged
 * iterate can keep entries of about -1e-15 (seen at 25M states, and on
 * models/two-tier.ini at m = 2, B = 6 under jfiq: pi[551] = -1.1e-15 at
 * residual 4e-13, tests/solve/test_matrix_free.c), which the sign test then
 * refuses.  Gauss-Seidel (omega = 1) keeps signs: for the splitting of the
 * M-matrix -Q^T, v_j = sum_{i != j} x_i Q_ij / |Q_jj| with Q_ij >= 0, so a
 * nonnegative x (the new x_i before j, the old ones after) gives v_j >= 0,
 * in floating point too (sums and products of nonnegative numbers and a
 * division by a positive one stay nonnegative); the aggregation step scales
 * by positive factors.  So when the accepted iterate has a negative entry, it
 * is clipped at 0 and given one symmetric Gauss-Seidel sweep: every entry is
 * then >= 0 exactly, and accq_i_finish measures the residual of that
 * iterate.  An iterate without negative entries is left as it is. */
static void sor_polish(const sweep_t *c, double *x) {
  int neg = 0;
  for (int64_t i = 0; i < c->n; i++)
    if (x[i] < 0.0) {
      x[i] = 0.0;
      neg = 1;
    }
  if (!neg) return;
  sweep_t gs = *c;
  gs.w = 1.0;
  sweep_map(&gs, x);
}

int accq_i_solve_sor(accq_i_solve_t *s, const accq_i_sor_variant_t *v) {
  const accq_generator_t *Q = s->Q;
  int64_t n = Q->n;
  double *x = s->pi, tol = s->opt.tol;
  long max_iter = s->opt.max_iter > 0 ? s->opt.max_iter : ACCQ_SOR_MAX_ITER;
  sor_work_t w;
  memset(&w, 0, sizeof w);
  int rc = sor_setup(s, v, &w);
  if (rc == ACCQ_ENOMEM)
    rc = accq_err_set(s->err, ACCQ_ENOMEM, "SOR: cannot allocate work arrays for %lld states", (long long)n);
  if (rc) {
    sor_work_free(&w);
    return rc;
  }
  const sweep_t *c = &w.c;
  for (int64_t i = 0; i < n; i++) x[i] = 1.0 / (double)n;
  double res = INFINITY, res_prev = INFINITY;
  long it = 0, next_check = 1, last_check = 0;
  int done = 0;
  for (it = 1; it <= max_iter; it++) {
    /* x <- G(x), the iterate a check measures; then the Anderson mix */
    if (!w.M) sweep_map(c, x);
    else aa_sweep(&w.aa, c, x, it);
    if (it == next_check || it == max_iter) {
      res = c->rcol ? residual_rows_mf(c, x, s->maxexit)
            : c->y  ? residual_rows(c, x, s->maxexit)
                    : accq_i_residual_T(&c->T, Q, x, s->maxexit);
      if (s->opt.verbose) fprintf(stderr, "%s: iteration %ld residual %.3g\n", s->stats->name, it, res);
      if (res <= 0.5 * tol) {
        done = 1;
        break;
      }
      next_check = it + next_gap(res, res_prev, it, last_check, tol, w.M);
      res_prev = res;
      last_check = it;
      if (accq_i_elapsed_over(s)) break;
    }
    if (w.M && it < max_iter) aa_mix(&w.aa, x, it);
  }
  s->stats->iterations = it > max_iter ? max_iter : it;
  if (done) sor_polish(c, x);
  if (!done)
    rc = accq_err_set(s->err, ACCQ_ENOCONV, "%s stopped after %ld iterations%s (residual %.3g)",
                      s->stats->name, s->stats->iterations,
                      accq_i_elapsed_over(s) ? " at the time limit" : "", res);
  sor_work_free(&w);
  return rc;
}
