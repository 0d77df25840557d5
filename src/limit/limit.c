/* The mean-field limit (accq/limit.h; derivation in proofs/mean-field.md).
 *
 * Layout.  The state of a truncation Q is x[k*Q + q-1] = s_k[q], q = 1..Q
 * (s_k[0] = 1 and s_k[Q+1] = 0 are implicit).  Masses per unit of scale:
 * M_k[q] = n_k (s_k[q] - s_k[q+1]); the rate at which servers ENTER level q
 * from above (a departure at a level-(q+1) server) is phi_k[q] = mu_k M_k[q+1].
 *
 * Routing.  Every rule is written as "rate R offered to a set of classes
 * (k, q)"; a set with positive mass takes all of R (split in proportion to the
 * masses: uniform over servers), an empty set takes min(R, its inflow phi) (the
 * sliding solution) and passes the rest on.  In the regularized mode used for
 * the ODE a set takes min(R, phi + kappa * mass) and splits in proportion to
 * kappa * M + phi: a continuous drift with the same fixed points (an empty
 * class at a fixed point has phi = taken, so kappa * mass = 0), whose transient
 * near an empty class relaxes at rate kappa instead of jumping.
 */
#include "accq/clock.h"
#include "accq/limit.h"

#include <float.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_vector.h>

#include "accq/lp.h"
#include "ext/gsl.h"

#define TIE_REL 1e-12 /* two scores within this relative distance are ties (policies.md) */

struct accq_limit {
  accq_model_t m;
  accq_policy_t *pol;
  accq_policy_kind_t kind;
  accq_limit_options_t opt;
  int K;
  double lambda;
  double n[ACCQ_MAX_TYPES], mu[ACCQ_MAX_TYPES], acc[ACCQ_MAX_TYPES];
  double p[ACCQ_MAX_TYPES]; /* split (rjiq, random-lp) */
  int eligible[ACCQ_MAX_TYPES]; /* jiq: all; accurate-jiq: H */
  int d;                    /* pod:D */
  int npairs;
  accq_pair_t pairs[ACCQ_MAX_PAIRS];
  double kappa;             /* regularization rate */
  double scale;             /* Lambda + sum n_k mu_k */
  double t_lp;
  /* current truncation and state */
  int Q;
  double *x;                /* K*Q */
  double *route;            /* K*(Q+1): r_k[q], q = Q is lost beyond the truncation */
  double *budget;           /* K*(Q+1) scratch for POP */
  /* priority classes (jsq, sed, jfiq) for the current Q */
  int ncls, ngrp;
  int *cls_k, *cls_q, *grp_start; /* group g = classes grp_start[g] .. grp_start[g+1]-1 */
  int cls_Q;                /* Q the classes were built for */
  int coupled;              /* POP: a pair with two boundary types decided the split */
  /* POP with two types on their idle boundaries: the routing is the average over
   * the four availability patterns under the stationary law of their two idle
   * counters (a quasi-birth-death process, solved by logarithmic reduction) */
  int nB, B[2];             /* boundary types fixed by the face of the polish */
  int pattern;              /* -1: none; else bit 0: B[0] has an idle server, bit 1: B[1] */
  double qbd_pi[4];         /* last pattern probabilities */
  double qbd_key[10];       /* (phi_a, phi_b, c_a[4], c_b[4]) of qbd_pi: a cache, since the
                               finite differences of the polish mostly leave them unchanged */
  int qbd_cached, qbd_cache_fail;
  int nbound;               /* POP: types on their idle boundary at the last polish */
  double et_error;          /* |E[T] change of one more Newton step| at the polished point */
  int qbd_fail;             /* the counters are not positive recurrent / too slow a tail */
  /* polish */
  unsigned char *tied;      /* K*Q: s_k[q] tied to s_k[q-1] (class (k,q-1) empty) */
  int *unk;                 /* indices of the unknowns */
  int nunk;
  double *xfull;            /* scratch K*Q */
  double *ffull;            /* scratch K*Q */
  /* result */
  accq_limit_result_t res;
  int solved;
  double *traj;
  int ntraj, traj_cap, traj_cols;
  double deadline;          /* now_seconds() at which solve gives up (INFINITY: none) */
  double last_residual;     /* the last residual measured (ODE drift or polish), for the
                               time-limit message */
};

void accq_limit_options_init(accq_limit_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  accq_policy_options_init(&opt->policy);
  opt->q_init = 16;
  opt->q_max = 2048;
  opt->tail_tol = 1e-14;
  opt->residual_tol = 1e-12;
  opt->t_max = 1e6;
  opt->stability = 1;
  opt->max_dim_eigen = 600;
  opt->max_dim_newton = 600;
  opt->trajectory = 0;
  /* Wall-clock limit of one solve.  Rates that differ by many orders make the
   * fluid ODE stiff (rkf45's step is ~1/max mu while the relaxation takes
   * ~1/min mu: 1e9 fluid times 1e6 per time unit measured for 1e6 vs 1e-3),
   * which would otherwise run for days with no output.  Every model of the
   * suite solves in under 2 s per policy. */
  opt->max_seconds = 60;
}

static double now_seconds(void) { return accq_clock_now(); }

/* ACCQ_ENOCONV with the residual reached when the time limit has passed;
 * `where` names the stage ("the fluid ODE at t = ...", "the polish"). */
static int check_time(accq_limit_t *w, const char *where, accq_err_t *err) {
  if (!(now_seconds() > w->deadline)) return ACCQ_SUCCESS;
  double minmu = INFINITY, maxmu = 0;
  for (int k = 0; k < w->K; k++) {
    minmu = fmin(minmu, w->mu[k]);
    maxmu = fmax(maxmu, w->mu[k]);
  }
  return accq_err_set(err, ACCQ_ENOCONV,
                      "limit: time limit of %g s reached in %s with residual %.3g (required "
                      "%.3g); the service rates differ by a factor %.3g, which makes the "
                      "fluid ODE stiff: raise the time limit (--time-limit) or rescale the model",
                      w->opt.max_seconds, where, w->last_residual, w->opt.residual_tol,
                      maxmu / minmu);
}

/* ---- state helpers ---------------------------------------------------------- */

static inline double sfrac(const double *x, int Q, int k, int q) {
  if (q <= 0) return 1.0;
  if (q > Q) return 0.0;
  return x[k * Q + q - 1];
}
static inline double mass(const accq_limit_t *w, const double *x, int Q, int k, int q) {
  return w->n[k] * (sfrac(x, Q, k, q) - sfrac(x, Q, k, q + 1));
}
static inline double inflow(const accq_limit_t *w, const double *x, int Q, int k, int q) {
  return q + 1 <= Q ? w->mu[k] * mass(w, x, Q, k, q + 1) : 0.0;
}

/* ---- priority classes --------------------------------------------------------- */

typedef struct {
  int k, q;
  double score;
} cls_t;

static int cls_cmp(const void *a, const void *b) {
  const cls_t *x = a, *y = b;
  if (x->score < y->score) return -1;
  if (x->score > y->score) return 1;
  if (x->k != y->k) return x->k - y->k;
  return x->q - y->q;
}

/* Builds the ordered groups of classes (k, q), q < Q, of jsq, sed and jfiq:
 * jsq ranks by q, sed by (q+1)/mu_k, jfiq the idle classes by -mu_k and then
 * the busy ones as sed.  Scores within TIE_REL are one group (ties are broken
 * uniformly over servers, i.e. in proportion to mass). */
static int build_classes(accq_limit_t *w, int Q) {
  int K = w->K, n = K * Q;
  cls_t *c = malloc(sizeof *c * (size_t)n);
  int *ck = realloc(w->cls_k, sizeof(int) * (size_t)n);
  if (ck) w->cls_k = ck;
  int *cq = realloc(w->cls_q, sizeof(int) * (size_t)n);
  if (cq) w->cls_q = cq;
  int *gs = realloc(w->grp_start, sizeof(int) * (size_t)(n + 1));
  if (gs) w->grp_start = gs;
  if (!c || !ck || !cq || !gs) {
    free(c);
    return ACCQ_ENOMEM;
  }
  int i = 0;
  for (int k = 0; k < K; k++)
    for (int q = 0; q < Q; q++) {
      c[i].k = k;
      c[i].q = q;
      switch (w->kind) {
      case ACCQ_POLICY_JSQ: c[i].score = q; break;
      case ACCQ_POLICY_SED: c[i].score = (q + 1) / w->mu[k]; break;
      default: /* jfiq: idle classes first, fastest first; then sed over q >= 1 */
        c[i].score = q == 0 ? -w->mu[k] : (q + 1) / w->mu[k];
      }
      i++;
    }
  qsort(c, (size_t)n, sizeof *c, cls_cmp);
  w->ngrp = 0;
  for (i = 0; i < n; i++) {
    w->cls_k[i] = c[i].k;
    w->cls_q[i] = c[i].q;
    int same = i > 0 && (c[i].score < 0) == (c[i - 1].score < 0) &&
               fabs(c[i].score - c[i - 1].score) <=
                   TIE_REL * fmax(fabs(c[i].score), fabs(c[i - 1].score));
    if (!same) w->grp_start[w->ngrp++] = i;
  }
  w->grp_start[w->ngrp] = n;
  w->ncls = n;
  w->cls_Q = Q;
  free(c);
  return ACCQ_SUCCESS;
}

/* ---- routing -------------------------------------------------------------------- */

/* Offers rate R to the classes (ck[i], cq[i]); adds what they take to r and
 * returns it (see the file comment). */
static double offer(const accq_limit_t *w, const double *x, int Q, int exact, const int *ck,
                    const int *cq, int nc, double R, double *r) {
  if (!(R > 0)) return 0.0;
  double G = 0, Phi = 0;
  for (int i = 0; i < nc; i++) {
    G += mass(w, x, Q, ck[i], cq[i]);
    Phi += inflow(w, x, Q, ck[i], cq[i]);
  }
  double a, W = 0;
  int by_mass;
  if (exact) {
    by_mass = G > 0;
    a = by_mass ? R : fmin(R, Phi);
  } else {
    by_mass = -1;
    a = fmax(0.0, fmin(R, Phi + w->kappa * G));
  }
  if (!(a > 0)) return 0.0;
  for (int i = 0; i < nc; i++) {
    double M = mass(w, x, Q, ck[i], cq[i]), f = inflow(w, x, Q, ck[i], cq[i]);
    W += by_mass == 1 ? fmax(M, 0) : by_mass == 0 ? fmax(f, 0) : fmax(w->kappa * M + f, 0);
  }
  if (!(W > 0)) return 0.0;
  for (int i = 0; i < nc; i++) {
    double M = mass(w, x, Q, ck[i], cq[i]), f = inflow(w, x, Q, ck[i], cq[i]);
    double wt = by_mass == 1 ? fmax(M, 0) : by_mass == 0 ? fmax(f, 0) : fmax(w->kappa * M + f, 0);
    r[ck[i] * (Q + 1) + cq[i]] += a * wt / W;
  }
  return a;
}

/* Rate R to a uniformly random server of the types with mask[k] (all when NULL),
 * levels q >= qlo: in proportion to the masses. */
static void uniform(const accq_limit_t *w, const double *x, int Q, const int *mask, int qlo,
                    double R, double *r) {
  if (!(R > 0)) return;
  double tot = 0;
  for (int k = 0; k < w->K; k++)
    if (!mask || mask[k])
      for (int q = qlo; q <= Q; q++) tot += fmax(mass(w, x, Q, k, q), 0);
  if (!(tot > 0)) { /* nothing busy (transient of the regularized drift): idle servers */
    double nn = 0;
    for (int k = 0; k < w->K; k++)
      if (!mask || mask[k]) nn += w->n[k];
    for (int k = 0; k < w->K; k++)
      if (!mask || mask[k]) r[k * (Q + 1)] += R * w->n[k] / nn;
    return;
  }
  for (int k = 0; k < w->K; k++)
    if (!mask || mask[k])
      for (int q = qlo; q <= Q; q++) r[k * (Q + 1) + q] += R * fmax(mass(w, x, Q, k, q), 0) / tot;
}

static int score_less(double a, double b) { return a < b && b - a > TIE_REL * fmax(fabs(a), fabs(b)); }

/* POP: the pairs in priority order with per-(type, level) budgets, then the
 * fallback; every step takes min(R, budget/share) over the pair's types, which
 * is the sliding rate when at most one of them is on its boundary. */
static void route_pop(accq_limit_t *w, const double *x, int Q, int exact, double *r) {
  const double INF = INFINITY;
  double *b = w->budget;
  int K = w->K;
  for (int k = 0; k < K; k++)
    for (int q = 0; q <= Q; q++) {
      double M = mass(w, x, Q, k, q), f = inflow(w, x, Q, k, q);
      if (q == Q) b[k * (Q + 1) + q] = INF; /* beyond the truncation: lost, never refused */
      else if (exact && q == 0 && w->pattern >= 0 && (k == w->B[0] || k == w->B[1]))
        b[k * (Q + 1)] = (w->pattern >> (k == w->B[0] ? 0 : 1)) & 1 ? INF : 0.0;
      else if (exact) b[k * (Q + 1) + q] = M > 0 ? INF : fmax(f, 0);
      else b[k * (Q + 1) + q] = fmax(f + w->kappa * M, 0);
    }
  double R = w->lambda, eps = 1e-15 * w->lambda;
  for (int i = 0; i < w->npairs && R > eps; i++) {
    const accq_pair_t *pr = &w->pairs[i];
    int t[2] = {pr->h, pr->l};
    double c[2] = {pr->w, pr->l >= 0 ? 1 - pr->w : 0};
    double a = R;
    int finite = 0;
    for (int j = 0; j < 2; j++) {
      if (t[j] < 0 || !(c[j] > 0)) continue;
      double bb = b[t[j] * (Q + 1)];
      if (bb < INF) {
        finite++;
        a = fmin(a, bb / c[j]);
      }
    }
    if (!(a > 0)) continue;
    if (exact && finite >= 2 && a < R - eps) w->coupled = 1;
    for (int j = 0; j < 2; j++) {
      if (t[j] < 0 || !(c[j] > 0)) continue;
      r[t[j] * (Q + 1)] += a * c[j];
      if (b[t[j] * (Q + 1)] < INF) b[t[j] * (Q + 1)] = fmax(0, b[t[j] * (Q + 1)] - a * c[j]);
    }
    R -= a;
  }
  /* fallback: each type offers its lowest level with budget left */
  for (int iter = 0; R > eps && iter < 4 * K * (Q + 1) + w->npairs; iter++) {
    int qmin[ACCQ_MAX_TYPES];
    for (int k = 0; k < K; k++) {
      qmin[k] = Q;
      for (int q = 0; q < Q; q++)
        if (b[k * (Q + 1) + q] > 0) {
          qmin[k] = q;
          break;
        }
    }
    int best = -1;
    double best_score = INF;
    for (int i = 0; i < w->npairs; i++) {
      const accq_pair_t *pr = &w->pairs[i];
      double s = pr->w * (qmin[pr->h] + 1) / w->mu[pr->h];
      if (pr->l >= 0) s += (1 - pr->w) * (qmin[pr->l] + 1) / w->mu[pr->l];
      if (best < 0 || score_less(s, best_score)) {
        best = i;
        best_score = s;
      }
    }
    const accq_pair_t *pr = &w->pairs[best];
    int t[2] = {pr->h, pr->l};
    double c[2] = {pr->w, pr->l >= 0 ? 1 - pr->w : 0};
    double a = R;
    int finite = 0;
    for (int j = 0; j < 2; j++) {
      if (t[j] < 0 || !(c[j] > 0)) continue;
      double bb = b[t[j] * (Q + 1) + qmin[t[j]]];
      if (bb < INF) {
        finite++;
        a = fmin(a, bb / c[j]);
      }
    }
    if (!(a > 0)) break;
    if (exact && finite >= 2 && a < R - eps) w->coupled = 1;
    for (int j = 0; j < 2; j++) {
      if (t[j] < 0 || !(c[j] > 0)) continue;
      double *bb = &b[t[j] * (Q + 1) + qmin[t[j]]];
      r[t[j] * (Q + 1) + qmin[t[j]]] += a * c[j];
      if (*bb < INF) *bb = fmax(0, *bb - a * c[j]);
    }
    R -= a;
  }
  if (R > eps) r[Q] += R; /* nowhere to go within the truncation: lost */
}


/* ---- POP with two boundary types: the fast process -------------------------------
 *
 * Z = (Z_a, Z_b), the idle servers of the two boundary types a = B[0], b = B[1],
 * is on the fast time scale a continuous-time chain on N^2: Z_t + 1 at rate phi_t
 * (servers freed), Z_t - 1 at rate c_t(P) while Z_t > 0, where P is the pattern
 * (which of a, b has an idle server) and c_t(P) the rate POP sends to idle type-t
 * servers under that pattern.  The fluid routing is sum_P pi(P) r(P).  With the
 * level = Z_lev and the phase = Z_ph truncated at `nph` (the phase type must be
 * drained faster than it fills in every pattern, so its tail is geometric), the
 * chain is a QBD: up A0 = phi_lev I, down A2 = diag(c_lev(+, j>0)), local A1;
 * level 0 local B1.  R solves A0 + R A1 + R^2 A2 = 0 (logarithmic reduction for G,
 * then R = A0 (-(A1 + A0 G))^-1), pi_i = pi_0 R^i, pi_0 (B1 + R A2) = 0. */
static void pattern_routes(accq_limit_t *w, const double *x, int Q, int pat, double *r) {
  w->pattern = pat;
  memset(r, 0, sizeof(double) * (size_t)w->K * (size_t)(Q + 1));
  route_pop(w, x, Q, 1, r);
  w->pattern = -1;
}

static int qbd_solve(int n, const double *A0d, const double *A2d, gsl_matrix *A1, gsl_matrix *B1,
                     double *pi_levels0, double *pi_levels_up) {
  /* matrices n x n; A0 and A2 diagonal (given as vectors) */
  int st = 0;
  gsl_matrix *nA1inv = gsl_matrix_alloc(n, n), *B0 = gsl_matrix_alloc(n, n), *B2 = gsl_matrix_alloc(n, n),
             *G = gsl_matrix_alloc(n, n), *T = gsl_matrix_alloc(n, n), *U = gsl_matrix_alloc(n, n),
             *M = gsl_matrix_alloc(n, n), *W = gsl_matrix_alloc(n, n), *R = gsl_matrix_alloc(n, n);
  gsl_permutation *perm = gsl_permutation_alloc(n);
  gsl_vector *v = gsl_vector_alloc(n), *pv = gsl_vector_alloc(n);
  if (!nA1inv || !B0 || !B2 || !G || !T || !U || !M || !W || !R || !perm || !v || !pv) {
    st = -1;
    goto done;
  }
  int sg;
  /* (-A1)^-1 */
  gsl_matrix_memcpy(M, A1);
  gsl_matrix_scale(M, -1.0);
  if (gsl_linalg_LU_decomp(M, perm, &sg) || gsl_linalg_LU_invert(M, perm, nA1inv)) {
    st = -1;
    goto done;
  }
  /* B0 = (-A1)^-1 A0, B2 = (-A1)^-1 A2 (A0, A2 diagonal: scale columns) */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      gsl_matrix_set(B0, i, j, gsl_matrix_get(nA1inv, i, j) * A0d[j]);
      gsl_matrix_set(B2, i, j, gsl_matrix_get(nA1inv, i, j) * A2d[j]);
    }
  gsl_matrix_memcpy(G, B2);
  gsl_matrix_memcpy(T, B0);
  double prev_err = INFINITY;
  for (int it = 0; it < 60; it++) {
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B0, B2, 0.0, U);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B2, B0, 1.0, U);
    /* M = (I - U)^-1 */
    gsl_matrix_scale(U, -1.0);
    for (int i = 0; i < n; i++) gsl_matrix_set(U, i, i, gsl_matrix_get(U, i, i) + 1.0);
    if (gsl_linalg_LU_decomp(U, perm, &sg) || gsl_linalg_LU_invert(U, perm, M)) {
      st = -1;
      goto done;
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B0, B0, 0.0, W);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, M, W, 0.0, U); /* new B0 in U */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, B2, B2, 0.0, W);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, M, W, 0.0, B2); /* new B2 */
    gsl_matrix_memcpy(B0, U);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, T, B2, 1.0, G);  /* G += T B2' */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, T, B0, 0.0, W);  /* T = T B0' */
    gsl_matrix_memcpy(T, W);
    double err = 0;
    for (int i = 0; i < n; i++) {
      double rs = 0;
      for (int j = 0; j < n; j++) rs += gsl_matrix_get(G, i, j);
      err = fmax(err, fabs(1 - rs));
    }
    /* quadratic convergence: stop at rounding level (G 1 = 1 to ~n eps) */
    if (err < 1e-14 || (err < 1e-12 && !(err < 0.5 * prev_err))) break;
    prev_err = err;
  }
  /* R = A0 (-(A1 + A0 G))^-1 */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      gsl_matrix_set(M, i, j, -(gsl_matrix_get(A1, i, j) + A0d[i] * gsl_matrix_get(G, i, j)));
  if (gsl_linalg_LU_decomp(M, perm, &sg) || gsl_linalg_LU_invert(M, perm, W)) {
    st = -1;
    goto done;
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) gsl_matrix_set(R, i, j, A0d[i] * gsl_matrix_get(W, i, j));
  /* spectral radius of R < 1 (positive recurrence): R^k must vanish; test via (I - R) solve below */
  /* pi_0 (B1 + R A2) = 0: M^T pi0^T = 0, replace one equation by normalization later */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      gsl_matrix_set(M, j, i, gsl_matrix_get(B1, i, j) + gsl_matrix_get(R, i, j) * A2d[j]);
  for (int i = 0; i < n; i++) gsl_matrix_set(M, n - 1, i, 1.0); /* sum pi0 = 1 (rescaled below) */
  gsl_vector_set_zero(v);
  gsl_vector_set(v, n - 1, 1.0);
  if (gsl_linalg_LU_decomp(M, perm, &sg) || gsl_linalg_LU_solve(M, perm, v, pv)) {
    st = -1;
    goto done;
  }
  /* S = pi0 (I - R)^-1 ; levels >= 1: S - pi0 */
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) gsl_matrix_set(W, j, i, (i == j) - gsl_matrix_get(R, i, j));
  if (gsl_linalg_LU_decomp(W, perm, &sg) || gsl_linalg_LU_solve(W, perm, pv, v)) {
    st = -1;
    goto done;
  }
  double tot = 0;
  for (int j = 0; j < n; j++) {
    double s0 = gsl_vector_get(pv, j), sall = gsl_vector_get(v, j);
    if (!(sall >= -1e-12) || !(sall - s0 >= -1e-12)) st = -1; /* R not sub-stochastic: transient */
    tot += sall;
  }
  if (!(tot > 0) || !isfinite(tot)) st = -1;
  for (int j = 0; j < n && !st; j++) {
    pi_levels0[j] = gsl_vector_get(pv, j) / tot;
    pi_levels_up[j] = (gsl_vector_get(v, j) - gsl_vector_get(pv, j)) / tot;
  }
done:
  gsl_matrix_free(nA1inv);
  gsl_matrix_free(B0);
  gsl_matrix_free(B2);
  gsl_matrix_free(G);
  gsl_matrix_free(T);
  gsl_matrix_free(U);
  gsl_matrix_free(M);
  gsl_matrix_free(W);
  gsl_matrix_free(R);
  gsl_permutation_free(perm);
  gsl_vector_free(v);
  gsl_vector_free(pv);
  return st;
}

/* The averaged routing of POP with the two boundary types w->B into r. */
static void route_pop_pair_boundary(accq_limit_t *w, const double *x, int Q, double *r) {
  int K = w->K, nk = K * (Q + 1);
  double *rp[4];
  for (int p = 0; p < 4; p++) {
    rp[p] = malloc(sizeof(double) * (size_t)nk);
    if (!rp[p]) {
      for (int j = 0; j < p; j++) free(rp[j]);
      w->qbd_fail = 1;
      return;
    }
    pattern_routes(w, x, Q, p, rp[p]);
  }
  int a = w->B[0], b = w->B[1];
  double phi[2] = {w->mu[a] * mass(w, x, Q, a, 1), w->mu[b] * mass(w, x, Q, b, 1)};
  /* c[t][pattern]: pattern bit 0 = a idle, bit 1 = b idle */
  double c[2][4];
  for (int p = 0; p < 4; p++) {
    c[0][p] = rp[p][a * (Q + 1)];
    c[1][p] = rp[p][b * (Q + 1)];
  }
  double key[10] = {phi[0], phi[1], c[0][0], c[0][1], c[0][2], c[0][3],
                    c[1][0], c[1][1], c[1][2], c[1][3]};
  if (w->qbd_cached && !memcmp(key, w->qbd_key, sizeof key)) {
    if (w->qbd_cache_fail) w->qbd_fail = 1;
    memset(r, 0, sizeof(double) * (size_t)nk);
    for (int p = 0; p < 4; p++) {
      for (int i = 0; i < nk; i++) r[i] += w->qbd_cache_fail ? NAN : w->qbd_pi[p] * rp[p][i];
      free(rp[p]);
    }
    return;
  }
  int fail_before = w->qbd_fail;
  w->qbd_fail = 0;
  /* phase: the type drained faster than it fills whenever it has idle servers */
  double ra = phi[0] / fmin(c[0][1], c[0][3]), rb = phi[1] / fmin(c[1][2], c[1][3]);
  int ph = rb <= ra ? 1 : 0, lev = 1 - ph;
  double ratio = ph ? rb : ra;
  double pi4[4] = {0, 0, 0, 0};
  if (!(ratio < 0.9) || !(phi[0] > 0) || !(phi[1] > 0)) {
    w->qbd_fail = 1;
  } else {
    int n = (int)ceil(log(1e-17) / log(ratio)) + 2;
    if (n > 160) {
      w->qbd_fail = 1;
    } else {
      /* pattern index for (level idle?, phase idle?) */
#define PAT(li, pj) ((lev == 0 ? (li) : (pj)) | ((lev == 0 ? (pj) : (li)) << 1))
      double *A0d = malloc(sizeof(double) * n), *A2d = malloc(sizeof(double) * n);
      double *p0 = malloc(sizeof(double) * n), *pu = malloc(sizeof(double) * n);
      gsl_matrix *A1 = gsl_matrix_calloc(n, n), *B1 = gsl_matrix_calloc(n, n);
      if (!A0d || !A2d || !p0 || !pu || !A1 || !B1) {
        w->qbd_fail = 1;
      } else {
        for (int j = 0; j < n; j++) {
          A0d[j] = phi[lev];
          A2d[j] = c[lev][PAT(1, j > 0)];
          for (int blk = 0; blk < 2; blk++) {
            gsl_matrix *Mx = blk ? A1 : B1;
            double down = j > 0 ? c[ph][PAT(blk, 1)] : 0, up = j < n - 1 ? phi[ph] : 0;
            if (j > 0) gsl_matrix_set(Mx, j, j - 1, down);
            if (j < n - 1) gsl_matrix_set(Mx, j, j + 1, up);
            gsl_matrix_set(Mx, j, j, -(down + up + A0d[j] + (blk ? A2d[j] : 0)));
          }
        }
        if (qbd_solve(n, A0d, A2d, A1, B1, p0, pu)) {
          w->qbd_fail = 1;
        } else {
          for (int j = 0; j < n; j++) {
            pi4[PAT(0, j > 0)] += p0[j];
            pi4[PAT(1, j > 0)] += pu[j];
          }
        }
      }
#undef PAT
      free(A0d);
      free(A2d);
      free(p0);
      free(pu);
      gsl_matrix_free(A1);
      gsl_matrix_free(B1);
    }
  }
  memcpy(w->qbd_key, key, sizeof key);
  w->qbd_cached = 1;
  w->qbd_cache_fail = w->qbd_fail;
  w->qbd_fail |= fail_before;
  memset(r, 0, sizeof(double) * (size_t)nk);
  for (int p = 0; p < 4; p++) {
    w->qbd_pi[p] = pi4[p];
    for (int i = 0; i < nk; i++) r[i] += w->qbd_fail ? NAN : pi4[p] * rp[p][i];
    free(rp[p]);
  }
}

/* Fills r (K*(Q+1)) with the arrival rates per (type, level) of the policy at x. */
static void routes(accq_limit_t *w, const double *x, int Q, int exact, double *r) {
  int K = w->K;
  memset(r, 0, sizeof(double) * (size_t)K * (size_t)(Q + 1));
  double L = w->lambda;
  switch (w->kind) {
  case ACCQ_POLICY_RANDOM_LP:
    for (int k = 0; k < K; k++)
      for (int q = 0; q <= Q; q++) r[k * (Q + 1) + q] = L * w->p[k] * mass(w, x, Q, k, q) / w->n[k];
    break;
  case ACCQ_POLICY_POD: {
    /* the minimum of D uniform samples (with replacement) is at level >= q with
     * probability S_q^D, S_q the fraction of all servers at level >= q; the
     * chosen server is uniform among those at that level. */
    double N = 0;
    for (int k = 0; k < K; k++) N += w->n[k];
    double Sq = 1.0;
    for (int q = 0; q <= Q; q++) {
      double above = 0, atq = 0;
      for (int k = 0; k < K; k++) {
        above += w->n[k] * sfrac(x, Q, k, q + 1);
        atq += fmax(mass(w, x, Q, k, q), 0);
      }
      double Snext = fmin(fmax(above / N, 0), 1);
      double pq = pow(Sq, w->d) - pow(Snext, w->d);
      if (atq > 0 && pq > 0)
        for (int k = 0; k < K; k++) r[k * (Q + 1) + q] = L * pq * fmax(mass(w, x, Q, k, q), 0) / atq;
      Sq = Snext;
    }
    break;
  }
  case ACCQ_POLICY_RJIQ:
    for (int k = 0; k < K; k++) {
      double R = L * w->p[k];
      if (!(R > 0)) continue;
      int q0 = 0;
      R -= offer(w, x, Q, exact, &k, &q0, 1, R, r);
      int mask[ACCQ_MAX_TYPES] = {0};
      mask[k] = 1;
      uniform(w, x, Q, mask, 1, R, r);
    }
    break;
  case ACCQ_POLICY_JIQ:
  case ACCQ_POLICY_ACCURATE_JIQ: {
    int ck[ACCQ_MAX_TYPES], cq[ACCQ_MAX_TYPES], nc = 0;
    for (int k = 0; k < K; k++)
      if (w->eligible[k]) {
        ck[nc] = k;
        cq[nc++] = 0;
      }
    double R = L - offer(w, x, Q, exact, ck, cq, nc, L, r);
    uniform(w, x, Q, w->eligible, 1, R, r);
    break;
  }
  case ACCQ_POLICY_JSQ:
  case ACCQ_POLICY_SED:
  case ACCQ_POLICY_JFIQ: {
    double R = L;
    for (int g = 0; g < w->ngrp && R > 1e-15 * L; g++) {
      int s = w->grp_start[g], e = w->grp_start[g + 1];
      R -= offer(w, x, Q, exact, w->cls_k + s, w->cls_q + s, e - s, R, r);
    }
    if (R > 1e-15 * L) r[Q] += R; /* lost beyond the truncation */
    break;
  }
  case ACCQ_POLICY_POP:
    if (exact && w->nB == 2)
      route_pop_pair_boundary(w, x, Q, r);
    else
      route_pop(w, x, Q, exact, r);
    break;
  default:
    break;
  }
}

/* ds_k[q]/dt, q = 1..Q, into f (K*Q). */
static void drift(accq_limit_t *w, const double *x, int Q, int exact, double *f) {
  routes(w, x, Q, exact, w->route);
  for (int k = 0; k < w->K; k++)
    for (int q = 1; q <= Q; q++)
      f[k * Q + q - 1] = (w->route[k * (Q + 1) + q - 1] - w->mu[k] * mass(w, x, Q, k, q)) / w->n[k];
}

/* max_k,q n_k |f| / scale */
static double drift_norm(const accq_limit_t *w, const double *f, int Q) {
  double mx = 0;
  for (int k = 0; k < w->K; k++)
    for (int q = 0; q < Q; q++) mx = fmax(mx, w->n[k] * fabs(f[k * Q + q]));
  return mx / w->scale;
}

/* The residual of a fixed point: max_k,q |ds_k[q]/dt| / mu_k, each type's
 * drift against its own rate.  An error e in s_k[q] moves its drift by about
 * mu_k e, so this bounds the error of the state type by type.  The drift
 * against the total rate (drift_norm) does not: with rates 1 and 1e-5, a
 * residual 2.3e-15 of the total hid an error 4.7e-10 relative in the slow
 * type's occupancy, and rjiq's E[T] came out 4.7e-10 below T_LP, which it
 * equals exactly below the first breakpoint. */
static double residual_norm(const accq_limit_t *w, const double *f, int Q) {
  double mx = 0;
  for (int k = 0; k < w->K; k++)
    for (int q = 0; q < Q; q++) mx = fmax(mx, fabs(f[k * Q + q]) / w->mu[k]);
  return mx;
}

/* ---- workspace ------------------------------------------------------------------ */

static int resize(accq_limit_t *w, int Q) {
  int K = w->K, oldQ = w->Q;
  double *nx = calloc((size_t)K * (size_t)Q, sizeof(double));
  if (!nx) return ACCQ_ENOMEM;
  for (int k = 0; k < K; k++)
    for (int q = 1; q <= Q && q <= oldQ; q++) nx[k * Q + q - 1] = w->x[k * oldQ + q - 1];
  free(w->x);
  w->x = nx;
  w->Q = Q;
  size_t nk = (size_t)K * (size_t)(Q + 1);
  double *r = realloc(w->route, sizeof(double) * nk), *b = NULL;
  if (r) w->route = r;
  b = realloc(w->budget, sizeof(double) * nk);
  if (b) w->budget = b;
  unsigned char *t = realloc(w->tied, (size_t)K * (size_t)Q);
  if (t) w->tied = t;
  int *u = realloc(w->unk, sizeof(int) * (size_t)K * (size_t)Q);
  if (u) w->unk = u;
  double *xf = realloc(w->xfull, sizeof(double) * (size_t)K * (size_t)Q);
  if (xf) w->xfull = xf;
  double *ff = realloc(w->ffull, sizeof(double) * (size_t)K * (size_t)Q);
  if (ff) w->ffull = ff;
  if (!r || !b || !t || !u || !xf || !ff) return ACCQ_ENOMEM;
  if (w->kind == ACCQ_POLICY_JSQ || w->kind == ACCQ_POLICY_SED || w->kind == ACCQ_POLICY_JFIQ)
    return build_classes(w, Q);
  return ACCQ_SUCCESS;
}

int accq_limit_alloc(accq_limit_t **out, const accq_model_t *model, const char *spec,
                     const accq_limit_options_t *opt, accq_err_t *err) {
  *out = NULL;
  accq_limit_options_t o;
  if (opt)
    o = *opt;
  else
    accq_limit_options_init(&o);
  if (o.q_init < 2 || o.q_max < o.q_init || !(o.tail_tol > 0) || !(o.residual_tol > 0) ||
      !(o.t_max > 0) || !(o.max_seconds > 0))
    return accq_err_set(err, ACCQ_EINVAL,
                        "limit options: need 2 <= q_init (%d) <= q_max (%d), tail_tol (%g), "
                        "residual_tol (%g), t_max (%g) and max_seconds (%g) > 0",
                        o.q_init, o.q_max, o.tail_tol, o.residual_tol, o.t_max, o.max_seconds);
  /* the fluid limit here is that of exponential service (a server's state is
   * its queue length); other distributions need the phase in the state */
  for (int k = 0; k < model->ntypes; k++)
    if (model->types[k].service.kind != ACCQ_SERVICE_EXP)
      return accq_err_set(err, ACCQ_EINVAL,
                          "limit: type '%s' has non-exponential service; the mean-field limit "
                          "is computed for exponential service only (set service = exp)",
                          model->types[k].name);
  accq_limit_t *w = calloc(1, sizeof *w);
  if (!w) return accq_err_set(err, ACCQ_ENOMEM, "limit: out of memory");
  w->m = *model;
  w->opt = o;
  int st;
  if (w->m.lambda_mode == ACCQ_LAMBDA_LOAD && (st = accq_lp_model_resolve(&w->m, err)) != 0) goto fail;
  if ((st = accq_policy_alloc(&w->pol, spec, &w->m, &o.policy, err)) != 0) goto fail;
  w->kind = accq_policy_kind(w->pol);
  if (w->kind == ACCQ_POLICY_TABLE || w->kind == ACCQ_POLICY_EXTERNAL) {
    st = accq_err_set(err, ACCQ_EUSAGE, "limit: policy '%s' has no mean-field limit here", spec);
    goto fail;
  }
  w->K = w->m.ntypes;
  w->lambda = w->m.arrival_rate;
  w->scale = w->lambda;
  double maxrate = 0, minn = INFINITY;
  for (int k = 0; k < w->K; k++) {
    w->n[k] = w->m.types[k].servers;
    w->mu[k] = w->m.types[k].rate;
    w->acc[k] = w->m.types[k].accuracy;
    w->scale += w->n[k] * w->mu[k];
    w->eligible[k] = w->kind != ACCQ_POLICY_ACCURATE_JIQ || w->acc[k] >= w->m.accuracy_target;
    maxrate = fmax(maxrate, w->mu[k]);
    minn = fmin(minn, w->n[k]);
  }
  /* kappa: an empty class with mass G > R/kappa behaves as in the exact rule;
   * 20 times the fastest per-server rate keeps the ODE only mildly stiff. */
  w->kappa = 20.0 * fmax(maxrate, w->lambda / minn);
  const double *sp = accq_policy_split(w->pol);
  if (sp)
    for (int k = 0; k < w->K; k++) w->p[k] = sp[k];
  w->d = 2;
  if (w->kind == ACCQ_POLICY_POD) {
    const char *nm = accq_policy_name(w->pol);
    const char *c = strchr(nm, ':');
    w->d = c ? atoi(c + 1) : 2;
    if (w->d < 1) w->d = 1;
  }
  accq_lp_problem_t prob;
  accq_lp_result_t lr;
  if ((st = accq_lp_problem_from_model(&prob, &w->m, 0.0)) != 0) {
    st = accq_err_set(err, st, "limit: cannot form the LP of the model");
    goto fail;
  }
  if ((st = accq_lp_solve(&prob, &lr, err)) != 0) goto fail;
  w->t_lp = lr.status == ACCQ_LP_OPTIMAL ? lr.t_lp : NAN;
  if (w->kind == ACCQ_POLICY_POP) {
    w->npairs = accq_lp_pairs(&prob, w->pairs);
  }
  if ((st = resize(w, o.q_init)) != 0) {
    st = accq_err_set(err, st, "limit: out of memory");
    goto fail;
  }
  w->res.status = ACCQ_SUCCESS;
  w->pattern = -1;
  *out = w;
  return ACCQ_SUCCESS;
fail:
  accq_limit_free(w);
  return st;
}

void accq_limit_free(accq_limit_t *w) {
  if (!w) return;
  accq_policy_free(w->pol);
  free(w->x);
  free(w->route);
  free(w->budget);
  free(w->cls_k);
  free(w->cls_q);
  free(w->grp_start);
  free(w->tied);
  free(w->unk);
  free(w->xfull);
  free(w->ffull);
  free(w->traj);
  free(w);
}

const accq_limit_result_t *accq_limit_result(const accq_limit_t *w) { return &w->res; }
const char *accq_limit_policy_name(const accq_limit_t *w) { return accq_policy_name(w->pol); }

double accq_limit_level(const accq_limit_t *w, int k, int q) {
  if (!w->solved || k < 0 || k >= w->K) return NAN;
  return sfrac(w->x, w->Q, k, q);
}

double accq_limit_route(const accq_limit_t *w, int k, int q) {
  if (!w->solved || k < 0 || k >= w->K || q < 0) return NAN;
  return q <= w->Q ? w->route[k * (w->Q + 1) + q] : 0.0;
}

/* ---- trajectory ------------------------------------------------------------------ */

static void traj_record(accq_limit_t *w, double t) {
  if (!w->opt.trajectory) return;
  int cols = 3 + 4 * w->K;
  if (w->ntraj >= w->traj_cap) {
    int cap = w->traj_cap ? 2 * w->traj_cap : 256;
    double *nt = realloc(w->traj, sizeof(double) * (size_t)cap * (size_t)cols);
    if (!nt) return; /* the trajectory is a diagnostic: stop recording, keep solving */
    w->traj = nt;
    w->traj_cap = cap;
  }
  w->traj_cols = cols;
  double *row = w->traj + (size_t)w->ntraj * (size_t)cols;
  double L = 0;
  for (int k = 0; k < w->K; k++) {
    double qk = 0;
    for (int q = 1; q <= w->Q; q++) qk += sfrac(w->x, w->Q, k, q);
    row[3 + 4 * k] = sfrac(w->x, w->Q, k, 1);
    row[4 + 4 * k] = sfrac(w->x, w->Q, k, 2);
    row[5 + 4 * k] = sfrac(w->x, w->Q, k, 3);
    row[6 + 4 * k] = qk;
    L += w->n[k] * qk;
  }
  row[0] = t;
  row[1] = L;
  row[2] = L / w->lambda;
  w->ntraj++;
}

int accq_limit_trajectory_points(const accq_limit_t *w) { return w->ntraj; }

int accq_limit_trajectory_write(const accq_limit_t *w, FILE *f, accq_err_t *err) {
  fprintf(f, "t,mean_jobs,et");
  for (int k = 0; k < w->K; k++) {
    const char *nm = w->m.types[k].name;
    fprintf(f, ",%s.s1,%s.s2,%s.s3,%s.mean_queue", nm, nm, nm, nm);
  }
  fputc('\n', f);
  for (int i = 0; i < w->ntraj; i++) {
    const double *row = w->traj + (size_t)i * (size_t)w->traj_cols;
    for (int j = 0; j < w->traj_cols; j++) fprintf(f, j ? ",%.17g" : "%.17g", row[j]);
    fputc('\n', f);
  }
  if (ferror(f)) return accq_err_set(err, ACCQ_EIO, "limit: cannot write the trajectory");
  return ACCQ_SUCCESS;
}

/* ---- the ODE ------------------------------------------------------------------------ */

static int ode_rhs(double t, const double y[], double dydt[], void *params) {
  (void)t;
  accq_limit_t *w = params;
  drift(w, y, w->Q, 0, dydt);
  return GSL_SUCCESS;
}

static double tail_of(const accq_limit_t *w, const double *x, int Q) {
  double mx = 0;
  for (int k = 0; k < w->K; k++) mx = fmax(mx, sfrac(x, Q, k, Q));
  return mx;
}

/* Integrates the regularized ODE from the current state until its drift is
 * below `goal` (relative), growing Q when the tail fills.  t and steps accumulate. */
static int integrate(accq_limit_t *w, double goal, double *t, long *steps, accq_err_t *err) {
  double minmu = INFINITY, maxmu = 0;
  for (int k = 0; k < w->K; k++) {
    minmu = fmin(minmu, w->mu[k]);
    maxmu = fmax(maxmu, w->mu[k]);
  }
  double tmax = w->opt.t_max / minmu;
  double chunk = 0.5 / maxmu;
  accq_gsl_init();
  for (;;) {
    int Q = w->Q, n = w->K * Q;
    gsl_odeiv2_system sys = {ode_rhs, NULL, (size_t)n, w};
    gsl_odeiv2_driver *drv =
        gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rkf45, 1e-3 / w->kappa, 1e-10, 1e-8);
    if (!drv) return accq_err_set(err, ACCQ_ENOMEM, "limit: cannot allocate the ODE driver");
    /* A bounded number of steps per call, so that the time limit is checked
     * every few thousand steps (a stiff system takes ~max mu / min mu steps
     * per unit of the slowest relaxation); the driver stops at the step it
     * reached and the integration continues from there. */
    gsl_odeiv2_driver_set_nmax(drv, 20000);
    int regrow = 0;
    while (!regrow) {
      double target = *t + chunk;
      int g = gsl_odeiv2_driver_apply(drv, t, target, w->x);
      *steps += (long)drv->n; /* steps of this call (the driver resets n per call) */
      if (g == GSL_EMAXITER) {
        gsl_odeiv2_driver_reset(drv);
        drift(w, w->x, Q, 0, w->ffull);
        w->last_residual = drift_norm(w, w->ffull, Q);
        char where[96];
        snprintf(where, sizeof where, "the fluid ODE at t = %.3g", *t);
        int ts = check_time(w, where, err);
        if (ts) {
          gsl_odeiv2_driver_free(drv);
          return ts;
        }
        continue;
      }
      if (g != GSL_SUCCESS) {
        gsl_odeiv2_driver_free(drv);
        return accq_gsl_status(g, "limit: ODE integration (odeiv2 rkf45)", err);
      }
      traj_record(w, *t);
      drift(w, w->x, Q, 0, w->ffull);
      double dn = drift_norm(w, w->ffull, Q);
      w->last_residual = dn;
      {
        char where[96];
        snprintf(where, sizeof where, "the fluid ODE at t = %.3g", *t);
        int ts = check_time(w, where, err);
        if (ts) {
          gsl_odeiv2_driver_free(drv);
          return ts;
        }
      }
      if (tail_of(w, w->x, Q) > 1e-3 * w->opt.tail_tol) {
        if (2 * Q > w->opt.q_max) {
          gsl_odeiv2_driver_free(drv);
          return accq_err_set(err, ACCQ_ETOOBIG,
                              "limit: the fluid queue reaches level %d (q_max) at t = %g with "
                              "drift %.3g: raise q_max, or the load is beyond what the policy "
                              "can serve",
                              Q, *t, dn);
        }
        regrow = 1;
        break;
      }
      if (dn < goal) {
        gsl_odeiv2_driver_free(drv);
        return ACCQ_SUCCESS;
      }
      if (*t > tmax) {
        gsl_odeiv2_driver_free(drv);
        return accq_err_set(err, ACCQ_ENOCONV,
                            "limit: the fluid ODE has not settled by t = %g (drift %.3g > %.3g)",
                            *t, dn, goal);
      }
      chunk = fmin(chunk * 1.25, 50.0 / minmu);
    }
    gsl_odeiv2_driver_free(drv);
    int st = resize(w, 2 * w->Q);
    if (st) return accq_err_set(err, st, "limit: out of memory at Q = %d", 2 * w->Q);
  }
}

/* ---- the polish ----------------------------------------------------------------------- */

static void expand(accq_limit_t *w, const gsl_vector *u) {
  int Q = w->Q;
  for (int i = 0; i < w->nunk; i++) w->xfull[w->unk[i]] = gsl_vector_get(u, (size_t)i);
  for (int k = 0; k < w->K; k++)
    for (int q = 1; q <= Q; q++)
      if (w->tied[k * Q + q - 1]) w->xfull[k * Q + q - 1] = sfrac(w->xfull, Q, k, q - 1);
}

static int polish_f(const gsl_vector *u, void *params, gsl_vector *f) {
  accq_limit_t *w = params;
  expand(w, u);
  drift(w, w->xfull, w->Q, 1, w->ffull);
  for (int i = 0; i < w->nunk; i++) gsl_vector_set(f, (size_t)i, w->ffull[w->unk[i]]);
  return GSL_SUCCESS;
}

/* Forward-difference Jacobian.  The sliding drift is piecewise linear for every
 * rule but jiq's proportional split and pod (smooth), so the step size matters little. */
static int polish_df(const gsl_vector *u, void *params, gsl_matrix *J) {
  accq_limit_t *w = params;
  size_t n = u->size;
  gsl_vector *f0 = gsl_vector_alloc(n), *f1 = gsl_vector_alloc(n), *v = gsl_vector_alloc(n);
  if (!f0 || !f1 || !v) {
    gsl_vector_free(f0);
    gsl_vector_free(f1);
    gsl_vector_free(v);
    return GSL_ENOMEM;
  }
  gsl_vector_memcpy(v, u);
  polish_f(u, w, f0);
  for (size_t j = 0; j < n; j++) {
    double xj = gsl_vector_get(u, j), h = 1e-8 * fmax(fabs(xj), 1e-2);
    /* step away from s = 1 so that a level does not cross its lower neighbour */
    if (xj + h > 1.0) h = -h;
    gsl_vector_set(v, j, xj + h);
    polish_f(v, w, f1);
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(J, i, j, (gsl_vector_get(f1, i) - gsl_vector_get(f0, i)) / h);
    gsl_vector_set(v, j, xj);
  }
  gsl_vector_free(f0);
  gsl_vector_free(f1);
  gsl_vector_free(v);
  return GSL_SUCCESS;
}

static int polish_fdf(const gsl_vector *u, void *params, gsl_vector *f, gsl_matrix *J) {
  polish_f(u, params, f);
  return polish_df(u, params, J);
}

/* Identifies the face (empty classes with mass above them), the unknowns, and
 * solves the exact sliding fixed-point equations on it. */
static int integrate(accq_limit_t *w, double goal, double *t, long *steps, accq_err_t *err);

/* Newton for the smooth rules (random-lp, pod), which have no face.  In the
 * level-major order i = (q-1) K + k, ds_k[q]/dt depends on s_j[q-1], s_j[q]
 * (all j) and s_k[q+1] only, so the Jacobian is banded with lb = ub = 2K: it is
 * built by forward differences perturbing every (lb+ub+1)-th unknown together
 * (4K+1 drift evaluations) and solved by GSL's banded LU.  Cost O(n K^2) per
 * iteration instead of O(n^3). */
/* One Newton correction dx (level-major) at w->x, whose drift is f0: the banded
 * forward-difference Jacobian and GSL's banded LU (see polish_banded). */
static int banded_step(accq_limit_t *w, gsl_matrix *AB, gsl_vector_uint *piv, gsl_vector *f,
                       gsl_vector *dx, const double *f0, double *f1, double *xp, double *hh) {
  int K = w->K, Q = w->Q, n = K * Q, lb = 2 * K, ub = 2 * K, width = lb + ub + 1;
#define LM(i) (((i) % K) * Q + (i) / K) /* level-major index -> state index */
  gsl_matrix_set_zero(AB);
  for (int c = 0; c < width && c < n; c++) {
    memcpy(xp, w->x, sizeof(double) * (size_t)n);
    for (int j = c; j < n; j += width) {
      double xj = w->x[LM(j)];
      hh[j] = 1e-7 * fmax(fabs(xj), 1e-8);
      xp[LM(j)] = xj + hh[j];
    }
    drift(w, xp, Q, 1, f1);
    for (int j = c; j < n; j += width)
      for (int i = j - ub; i <= j + lb; i++) {
        if (i < 0 || i >= n) continue;
        /* GSL's band layout (checked on a 5x5 example): A(i,j) at AB(j, lb + ub + i - j) */
        gsl_matrix_set(AB, (size_t)j, (size_t)(lb + ub + i - j), (f1[LM(i)] - f0[LM(i)]) / hh[j]);
      }
  }
  int g = gsl_linalg_LU_band_decomp((size_t)n, (size_t)lb, (size_t)ub, AB, piv);
  for (int i = 0; i < n && !g; i++) gsl_vector_set(f, (size_t)i, -f0[LM(i)]);
  if (!g) g = gsl_linalg_LU_band_solve((size_t)lb, (size_t)ub, AB, piv, f, dx);
  return g;
#undef LM
}

static int polish_banded(accq_limit_t *w, int *iters, accq_err_t *err) {
  int K = w->K, Q = w->Q, n = K * Q, lb = 2 * K, ub = 2 * K;
  gsl_matrix *AB = gsl_matrix_calloc((size_t)n, (size_t)(2 * lb + ub + 1));
  gsl_vector_uint *piv = gsl_vector_uint_alloc((size_t)n);
  gsl_vector *f = gsl_vector_alloc((size_t)n), *dx = gsl_vector_alloc((size_t)n);
  double *f0 = malloc(sizeof(double) * (size_t)n), *f1 = malloc(sizeof(double) * (size_t)n);
  double *xp = malloc(sizeof(double) * (size_t)n), *hh = malloc(sizeof(double) * (size_t)n);
  double *xbest = malloc(sizeof(double) * (size_t)n);
  int st = ACCQ_SUCCESS;
  if (!AB || !piv || !f || !dx || !f0 || !f1 || !xp || !hh || !xbest) {
    st = accq_err_set(err, ACCQ_ENOMEM, "limit: out of memory for the banded polish (n = %d)", n);
    goto cleanup;
  }
#define LM(i) (((i) % K) * Q + (i) / K) /* level-major index -> state index */
  double goal = 0.01 * w->opt.residual_tol, prev = INFINITY, last_dx = INFINITY, best_res = INFINITY;
  for (int it = 0; it < 60; it++) {
    drift(w, w->x, Q, 1, f0);
    double res = residual_norm(w, f0, Q);
    /* A small residual is not enough near capacity (slow modes amplify it into
     * the state): also require the last Newton step to be at rounding level. */
    if (res < best_res) {
      best_res = res;
      memcpy(xbest, w->x, sizeof(double) * (size_t)n);
    }
    w->last_residual = res;
    if ((st = check_time(w, "the banded Newton polish", err)) != 0) goto cleanup;
    if (res < goal && last_dx < 1e-14) break;
    if (it > 0 && !(res < 0.9 * prev) && last_dx < 1e-12) break; /* at rounding level */
    if (it > 0 && res > 1e3 * best_res) break;                  /* diverging: keep the best */
    prev = res;
    *iters = it + 1;
    int g = banded_step(w, AB, piv, f, dx, f0, f1, xp, hh);
    if (g) {
      st = accq_gsl_status(g, "limit: banded Newton step (LU_band)", err);
      goto cleanup;
    }
    last_dx = 0;
    for (int i = 0; i < n; i++) {
      w->x[LM(i)] += gsl_vector_get(dx, (size_t)i);
      last_dx = fmax(last_dx, fabs(gsl_vector_get(dx, (size_t)i)));
    }
  }
#undef LM
  if (best_res < INFINITY) { /* the end point if it is the best, else the best seen */
    drift(w, w->x, Q, 1, f0);
    if (!(residual_norm(w, f0, Q) <= best_res)) memcpy(w->x, xbest, sizeof(double) * (size_t)n);
  }
  /* a-posteriori error of E[T]: what one more Newton step would change */
  drift(w, w->x, Q, 1, f0);
  if (banded_step(w, AB, piv, f, dx, f0, f1, xp, hh) == 0) {
    double d = 0;
    for (int i = 0; i < n; i++) d += w->n[i % K] * gsl_vector_get(dx, (size_t)i);
    w->et_error = fabs(d) / w->lambda;
  } else {
    w->et_error = NAN;
  }
  w->nunk = n;
  for (int i = 0; i < n; i++) {
    w->tied[i] = 0;
    w->unk[i] = i;
  }
cleanup:
  gsl_matrix_free(AB);
  gsl_vector_uint_free(piv);
  gsl_vector_free(f);
  gsl_vector_free(dx);
  free(f0);
  free(f1);
  free(xp);
  free(hh);
  free(xbest);
  return st;
}


static int polish(accq_limit_t *w, int *iters, double *t, long *steps, accq_err_t *err) {
  int Q = w->Q, K = w->K;
  if (w->kind == ACCQ_POLICY_RANDOM_LP || w->kind == ACCQ_POLICY_POD) return polish_banded(w, iters, err);
  /* An empty class at the ODE's end point has mass ~ drift / kappa, while a
   * geometric tail has mass (1 - rho) s_k[q]: the test is relative.  Smooth
   * rules (random-lp, pod) have no face. */
  const double delta = 1e-7;
  int smooth = w->kind == ACCQ_POLICY_RANDOM_LP || w->kind == ACCQ_POLICY_POD;
  w->nunk = 0;
  for (int k = 0; k < K; k++)
    for (int q = 1; q <= Q; q++) {
      /* class (k, q-1) empty while level q is occupied: s_k[q] = s_k[q-1] */
      double below = sfrac(w->x, Q, k, q - 1), here = sfrac(w->x, Q, k, q);
      int tie = !smooth && below - here <= delta * here && here > 1e-9;
      w->tied[k * Q + q - 1] = (unsigned char)tie;
      if (!tie) w->unk[w->nunk++] = k * Q + q - 1;
    }
  memcpy(w->xfull, w->x, sizeof(double) * (size_t)K * (size_t)Q);
  size_t n = (size_t)w->nunk;
  *iters = 0;
  w->nB = 0;
  w->qbd_fail = 0;
  w->qbd_cached = 0;
  if (w->kind == ACCQ_POLICY_POP) {
    /* two types on their idle boundaries whose counters interact: average over
     * their stationary law (route_pop_pair_boundary) instead of the greedy split */
    int B[ACCQ_MAX_TYPES], nb = 0;
    for (int k = 0; k < K; k++)
      if (w->tied[k * Q]) B[nb++] = k;
    w->coupled = 0;
    for (int k = 0; k < K; k++) /* the start point with its face applied */
      for (int q = 1; q <= Q; q++)
        if (w->tied[k * Q + q - 1]) w->xfull[k * Q + q - 1] = sfrac(w->xfull, Q, k, q - 1);
    drift(w, w->xfull, Q, 1, w->ffull);
    memcpy(w->xfull, w->x, sizeof(double) * (size_t)K * (size_t)Q);
    w->nbound = nb;
    if (w->coupled && nb == 2) {
      w->nB = 2;
      w->B[0] = B[0];
      w->B[1] = B[1];
    }
    w->coupled = 0;
  }
  if (n > (size_t)w->opt.max_dim_newton) {
    /* Dense Newton is O(n^3).  A smooth rule has no face and its ODE is the
     * exact drift: integrate on to the residual instead (linear convergence at
     * the slowest relaxation rate).  A sliding rule with so long a tail is refused. */
    (void)t;
    (void)steps;
    return accq_err_set(err, ACCQ_ETOOBIG,
                        "limit: the fixed point has %zu unknowns on its face, more than the "
                        "dense polish takes (max_dim_newton = %d)",
                        n, w->opt.max_dim_newton);
  }
  if (n == 0) {
    w->et_error = 0; /* every level tied: nothing to solve */
    return ACCQ_SUCCESS;
  }
  gsl_vector *u = gsl_vector_alloc(n);
  gsl_multiroot_fdfsolver *s = gsl_multiroot_fdfsolver_alloc(gsl_multiroot_fdfsolver_hybridsj, n);
  if (!u || !s) {
    gsl_vector_free(u);
    gsl_multiroot_fdfsolver_free(s);
    return accq_err_set(err, ACCQ_ENOMEM, "limit: out of memory for the polish (%zu unknowns)", n);
  }
  for (size_t i = 0; i < n; i++) gsl_vector_set(u, i, w->x[w->unk[i]]);
  gsl_multiroot_function_fdf fdf = {polish_f, polish_df, polish_fdf, n, w};
  int g = gsl_multiroot_fdfsolver_set(s, &fdf, u);
  double goal = 0.1 * w->opt.residual_tol;
  int st = ACCQ_SUCCESS;
  for (int it = 0; it < 200 && g == GSL_SUCCESS; it++) {
    /* residual test in the norm of the result (residual_norm) */
    double mx = 0;
    for (size_t i = 0; i < n; i++) {
      int k = w->unk[i] / Q;
      mx = fmax(mx, fabs(gsl_vector_get(s->f, i)) / w->mu[k]);
    }
    if (mx < goal) break;
    w->last_residual = mx;
    if ((st = check_time(w, "the fixed-point polish", err)) != 0) break;
    g = gsl_multiroot_fdfsolver_iterate(s);
    *iters = it + 1;
    if (g == GSL_ENOPROG || g == GSL_ENOPROGJ) {
      g = GSL_SUCCESS; /* no further progress: judged by the residual below */
      break;
    }
  }
  if (!st && g != GSL_SUCCESS)
    st = accq_gsl_status(g, "limit: fixed-point polish (multiroot hybridsj)", err);
  /* a-posteriori error of E[T]: the change one more Newton step would make */
  w->et_error = NAN;
  if (!st) {
    gsl_matrix *J = gsl_matrix_alloc(n, n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    gsl_vector *fx = gsl_vector_alloc(n), *dx = gsl_vector_alloc(n);
    int sg;
    if (J && perm && fx && dx && !polish_df(s->x, w, J) && !polish_f(s->x, w, fx) &&
        !gsl_linalg_LU_decomp(J, perm, &sg) && !gsl_linalg_LU_solve(J, perm, fx, dx)) {
      double e0 = 0, e1 = 0;
      expand(w, s->x);
      for (int i = 0; i < K * Q; i++) e0 += w->n[i / Q] * w->xfull[i];
      gsl_vector_scale(dx, -1.0);
      gsl_vector_add(dx, s->x);
      expand(w, dx);
      for (int i = 0; i < K * Q; i++) e1 += w->n[i / Q] * w->xfull[i];
      w->et_error = fabs(e1 - e0) / w->lambda;
    }
    gsl_matrix_free(J);
    gsl_permutation_free(perm);
    gsl_vector_free(fx);
    gsl_vector_free(dx);
  }
  expand(w, s->x);
  memcpy(w->x, w->xfull, sizeof(double) * (size_t)K * (size_t)Q);
  gsl_vector_free(u);
  gsl_multiroot_fdfsolver_free(s);
  return st;
}

/* Spectral abscissa of the Jacobian on the face. */
static int abscissa(accq_limit_t *w, double *out, accq_err_t *err) {
  size_t n = (size_t)w->nunk;
  *out = NAN;
  if (n == 0) {
    *out = -INFINITY;
    return ACCQ_SUCCESS;
  }
  gsl_vector *u = gsl_vector_alloc(n);
  gsl_matrix *J = gsl_matrix_alloc(n, n);
  gsl_vector_complex *ev = gsl_vector_complex_alloc(n);
  gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(n);
  int st = ACCQ_SUCCESS;
  if (!u || !J || !ev || !ws) {
    st = accq_err_set(err, ACCQ_ENOMEM, "limit: out of memory for the eigenvalues (n = %zu)", n);
    goto cleanup;
  }
  for (size_t i = 0; i < n; i++) gsl_vector_set(u, i, w->x[w->unk[i]]);
  polish_df(u, w, J);
  gsl_eigen_nonsymm_params(0, 1, ws); /* balance: rates differ by orders of magnitude */
  int g = gsl_eigen_nonsymm(J, ev, ws);
  if (g) {
    st = accq_gsl_status(g, "limit: eigenvalues of the Jacobian (eigen_nonsymm)", err);
    goto cleanup;
  }
  double mx = -INFINITY;
  for (size_t i = 0; i < n; i++) mx = fmax(mx, GSL_REAL(gsl_vector_complex_get(ev, i)));
  *out = mx;
cleanup:
  gsl_vector_free(u);
  gsl_matrix_free(J);
  gsl_vector_complex_free(ev);
  gsl_eigen_nonsymm_free(ws);
  return st;
}

/* ---- solve ------------------------------------------------------------------------------- */

static int fail(accq_limit_t *w, int st, accq_err_t *err) {
  accq_limit_result_t *r = &w->res;
  double sec = r->seconds;
  int Q = r->levels;
  memset(r, 0, sizeof *r);
  r->status = st;
  r->levels = Q;
  r->seconds = sec;
  snprintf(r->reason, sizeof r->reason, "%s", err && err->msg[0] ? err->msg : accq_strerror(st));
  r->lambda = w->lambda;
  r->et = r->mean_jobs = r->accuracy = r->p_wait = r->gap = NAN;
  r->t_lp = w->t_lp;
  for (int k = 0; k < w->K; k++) r->utilization[k] = r->throughput[k] = NAN;
  r->residual = r->flow_residual = r->tail = r->abscissa = r->et_error = NAN;
  w->solved = 0;
  return st;
}

/* The loads at which no fixed point can be stable, by flow balance alone
 * (proofs/mean-field.md, "overload"). */
static int overload(accq_limit_t *w, accq_err_t *err) {
  double cap = 0, cap_h = 0;
  for (int k = 0; k < w->K; k++) {
    cap += w->n[k] * w->mu[k];
    if (w->eligible[k]) cap_h += w->n[k] * w->mu[k];
  }
  const double tol = 1e-12;
  if (w->lambda >= cap * (1 - tol))
    return accq_err_set(err, ACCQ_EUNSTABLE,
                        "limit of %s: Lambda = %.17g is at or beyond the total capacity "
                        "sum_k n_k mu_k = %.17g: no stable fixed point",
                        accq_policy_name(w->pol), w->lambda, cap);
  if (w->kind == ACCQ_POLICY_ACCURATE_JIQ && w->lambda >= cap_h * (1 - tol))
    return accq_err_set(err, ACCQ_EUNSTABLE,
                        "limit of accurate-jiq: Lambda = %.17g is at or beyond the capacity "
                        "of the accurate types (%.17g): no stable fixed point",
                        w->lambda, cap_h);
  if (w->kind == ACCQ_POLICY_RANDOM_LP || w->kind == ACCQ_POLICY_RJIQ)
    for (int k = 0; k < w->K; k++)
      if (w->lambda * w->p[k] >= w->n[k] * w->mu[k] * (1 - tol))
        return accq_err_set(err, ACCQ_EUNSTABLE,
                            "limit of %s: the split saturates type '%s' (x_k = %.17g, capacity "
                            "%.17g): no stable fixed point",
                            accq_policy_name(w->pol), w->m.types[k].name, w->lambda * w->p[k],
                            w->n[k] * w->mu[k]);
  if (accq_policy_meets_target(w->pol)) {
    accq_lp_problem_t prob;
    accq_lp_problem_from_model(&prob, &w->m, 0.0);
    double lmax = accq_lp_lambda_max(&prob);
    if (w->lambda >= lmax * (1 - tol))
      return accq_err_set(err, ACCQ_EUNSTABLE,
                          "limit of %s: Lambda = %.17g is at or beyond Lambda_max(a*) = %.17g; "
                          "a policy that meets a* on every decision has no stable fixed point",
                          accq_policy_name(w->pol), w->lambda, lmax);
  }
  return ACCQ_SUCCESS;
}

static void measures(accq_limit_t *w) {
  accq_limit_result_t *r = &w->res;
  int Q = w->Q;
  drift(w, w->x, Q, 1, w->ffull); /* also fills w->route, the sliding routing */
  r->residual = residual_norm(w, w->ffull, Q);
  double L = 0, X = 0, acc = 0, idle = 0;
  for (int k = 0; k < w->K; k++) {
    double qk = 0;
    for (int q = 1; q <= Q; q++) qk += sfrac(w->x, Q, k, q);
    L += w->n[k] * qk;
    r->utilization[k] = sfrac(w->x, Q, k, 1);
    r->throughput[k] = w->mu[k] * w->n[k] * r->utilization[k];
    X += r->throughput[k];
    double arr = 0;
    for (int q = 0; q <= Q; q++) arr += w->route[k * (Q + 1) + q];
    acc += w->acc[k] * arr;
    idle += w->route[k * (Q + 1)];
  }
  r->lambda = w->lambda;
  r->levels = Q;
  r->mean_jobs = L;
  r->et = L / w->lambda;
  r->accuracy = acc / w->lambda;
  r->p_wait = fmax(0.0, 1.0 - idle / w->lambda);
  r->t_lp = w->t_lp;
  r->gap = isnan(w->t_lp) ? NAN : r->et / w->t_lp - 1.0;
  r->flow_residual = fabs(X - w->lambda) / w->lambda;
  r->tail = Q * tail_of(w, w->x, Q);
  r->et_error = w->et_error;
  r->dimension = w->nunk;
  r->face = 0;
  for (int i = 0; i < w->K * Q; i++) r->face += w->tied[i];
}

/* Shrinks Q to the levels that carry mass (the polish is O(n^3)); keeps a
 * margin so that the tail test can see the true tail. */
static int trim(accq_limit_t *w) {
  int Q = w->Q, need = 2;
  for (int q = 1; q <= Q; q++) {
    double mx = 0;
    for (int k = 0; k < w->K; k++) mx = fmax(mx, sfrac(w->x, Q, k, q));
    if (mx > 1e-3 * w->opt.tail_tol) need = q + 2;
  }
  if (need >= Q) return ACCQ_SUCCESS;
  int K = w->K;
  double *nx = malloc(sizeof(double) * (size_t)K * (size_t)need);
  if (!nx) return ACCQ_ENOMEM;
  for (int k = 0; k < K; k++)
    for (int q = 1; q <= need; q++) nx[k * need + q - 1] = w->x[k * Q + q - 1];
  /* resize copies from w->x with the old Q: install the trimmed copy after */
  int st = resize(w, need);
  if (!st) memcpy(w->x, nx, sizeof(double) * (size_t)K * (size_t)need);
  free(nx);
  return st;
}

/* Polishes the current ODE state and grows the truncation until the tail is
 * below tail_tol. */
static int polish_grow(accq_limit_t *w, double *t, long *steps, accq_err_t *err) {
  for (;;) {
    int iters = 0;
    accq_err_clear(err);
    w->coupled = 0;
    int st = polish(w, &iters, t, steps, err);
    w->res.newton_iterations += iters;
    if (st) return st;
    /* the truncated system loses what would go beyond Q; its effect on the
     * mean queue is about Q s_k[Q] (M/M/1/Q against M/M/1): that is the test */
    if (w->Q * tail_of(w, w->x, w->Q) <= w->opt.tail_tol) return ACCQ_SUCCESS;
    if (w->Q >= w->opt.q_max)
      return accq_err_set(err, ACCQ_ETOOBIG,
                          "limit: the tail Q max_k s_k[Q] = %.3g at Q = %d stays above %.3g: "
                          "raise q_max (%d)",
                          w->Q * tail_of(w, w->x, w->Q), w->Q, w->opt.tail_tol, w->opt.q_max);
    if ((st = resize(w, 2 * w->Q < w->opt.q_max ? 2 * w->Q : w->opt.q_max)) != 0)
      return accq_err_set(err, st, "limit: out of memory");
  }
}

/* Is the polished point the answer?  Its exact sliding residual within
 * residual_tol, no negative class mass, and E[T] determined to 1e-9 relative
 * by the a-posteriori Newton estimate. */
static int judge_point(accq_limit_t *w, accq_err_t *err) {
  /* the flag is about the fixed point only: the polish's trial points and
   * finite differences may cross faces */
  w->coupled = 0;
  w->qbd_fail = 0;
  measures(w);
  int okface = w->res.residual <= w->opt.residual_tol;
  for (int i = 0; i < w->K * w->Q && okface; i++) {
    int k = i / w->Q, q = i % w->Q + 1;
    if (mass(w, w->x, w->Q, k, q - 1) < -1e-12 * w->n[k]) okface = 0;
  }
  int accurate = !(w->res.et_error > 1e-9 * w->res.et);
  if (okface && accurate) return ACCQ_SUCCESS;
  if (okface)
    return accq_err_set(err, ACCQ_ENOCONV,
                        "limit: E[T] = %.17g is not determined to 1e-9 relative (one more "
                        "Newton step would change it by %.3g): the fixed point is too "
                        "ill-conditioned (load too close to capacity)",
                        w->res.et, w->res.et_error);
  return accq_err_set(err, ACCQ_ENOCONV,
                      "limit: the polished point is not a fixed point of the sliding "
                      "dynamics (residual %.3g, face of %d classes)",
                      w->res.residual, w->res.face);
}

/* Puts back the ODE state saved before a failed polish (K x Qsave levels). */
static int restore_state(accq_limit_t *w, const double *save, int Qsave, accq_err_t *err) {
  int K = w->K;
  free(w->x);
  w->x = calloc((size_t)K * (size_t)Qsave, sizeof(double));
  w->Q = Qsave;
  if (!w->x || resize(w, Qsave)) return accq_err_set(err, ACCQ_ENOMEM, "limit: out of memory");
  memcpy(w->x, save, sizeof(double) * (size_t)K * (size_t)Qsave);
  return ACCQ_SUCCESS;
}

/* The ODE to `goal`, then the polish; on a polish that is not the answer the
 * ODE state is restored so that the next attempt integrates further.
 * Returns ACCQ_SUCCESS with *ok = 1 at an accepted fixed point. */
static int attempt(accq_limit_t *w, double goal, double *t, long *steps, int *ok,
                   accq_err_t *err) {
  int st = integrate(w, goal, t, steps, err);
  if (st) return st;
  int Qsave = w->Q;
  double *save = malloc(sizeof(double) * (size_t)w->K * (size_t)w->Q);
  if (!save) return accq_err_set(err, ACCQ_ENOMEM, "limit: out of memory");
  memcpy(save, w->x, sizeof(double) * (size_t)w->K * (size_t)w->Q);
  if ((st = trim(w)) != 0) {
    free(save);
    return accq_err_set(err, st, "limit: out of memory");
  }
  st = polish_grow(w, t, steps, err);
  if (!st) st = judge_point(w, err);
  *ok = st == ACCQ_SUCCESS;
  if (!*ok && st != ACCQ_ETOOBIG && !(now_seconds() > w->deadline)) {
    int rs = restore_state(w, save, Qsave, err);
    if (rs) st = rs;
  }
  free(save);
  return st;
}

/* The fixed point found: POP's unreduced boundaries and the local stability. */
static int final_checks(accq_limit_t *w, accq_err_t *err) {
  if (w->coupled || w->qbd_fail) {
    if (w->qbd_fail)
      return accq_err_set(err, ACCQ_ENUMERIC,
                          "limit of pop: types '%s' and '%s' are on their idle boundaries with "
                          "interacting idle counters, and their fast process has too slow a "
                          "tail (decay ratio >= 0.9) or is not positive recurrent: not solved "
                          "(proofs/mean-field.md)",
                          w->m.types[w->B[0]].name, w->m.types[w->B[1]].name);
    return accq_err_set(err, ACCQ_ENUMERIC,
                        "limit of pop: at the fixed point %d types are on their idle boundaries "
                        "and a pair has two of them with interacting idle counters; accq solves "
                        "the fast process of two such types, not of %d (proofs/mean-field.md)",
                        w->nbound, w->nbound);
  }
  w->res.abscissa = NAN;
  if (w->opt.stability && w->nunk <= w->opt.max_dim_eigen) {
    int st = abscissa(w, &w->res.abscissa, err);
    if (st) return st;
    /* eigenvalues of an FD Jacobian carry ~1e-7 relative noise */
    if (w->res.abscissa > 1e-6 * w->scale)
      return accq_err_set(err, ACCQ_EUNSTABLE,
                          "limit of %s: the fixed point is unstable (spectral abscissa %.3g > 0)",
                          accq_policy_name(w->pol), w->res.abscissa);
  }
  return ACCQ_SUCCESS;
}

int accq_limit_solve(accq_limit_t *w, accq_err_t *err) {
  double t0 = now_seconds();
  accq_err_t local;
  if (!err) err = &local;
  accq_err_clear(err);
  memset(&w->res, 0, sizeof w->res);
  w->ntraj = 0;
  w->solved = 0;
  w->deadline = t0 + w->opt.max_seconds;
  w->last_residual = NAN;
  int st = overload(w, err);
  if (st) return fail(w, st, err);
  /* start from the empty state */
  if ((st = resize(w, w->opt.q_init)) != 0) return fail(w, accq_err_set(err, st, "limit: out of memory"), err);
  memset(w->x, 0, sizeof(double) * (size_t)w->K * (size_t)w->Q);
  double t = 0;
  long steps = 0;
  traj_record(w, 0.0);
  /* The ODE only has to bring the state into Newton's basin and show the face.
   * The smooth rules' banded Newton converges from far (random-lp's drift is
   * linear), and their relaxation near capacity is slow (rate ~ mu (1 - sqrt rho)^2):
   * stop their ODE early. */
  int smooth_rule = w->kind == ACCQ_POLICY_RANDOM_LP || w->kind == ACCQ_POLICY_POD;
  double goal = smooth_rule ? 1e-3 : 1e-6;
  int ok = 0;
  for (int a = 0; a < 4 && !ok; a++, goal *= 1e-2) {
    st = attempt(w, goal, &t, &steps, &ok, err);
    /* a longer ODE does not shorten the tail; past the time limit nothing more is tried */
    if (!ok && (st == ACCQ_ETOOBIG || now_seconds() > w->deadline)) break;
    if (!ok && st == ACCQ_ENOMEM) break;
  }
  w->res.ode_time = t;
  w->res.ode_steps = steps;
  if (ok) {
    traj_record(w, t);
    st = final_checks(w, err);
  } else if (!st) {
    st = ACCQ_ENOCONV;
  }
  w->res.seconds = now_seconds() - t0;
  if (st) return fail(w, st, err);
  w->res.ode_time = t;
  w->res.ode_steps = steps;
  w->res.status = ACCQ_SUCCESS;
  w->solved = 1;
  /* measures() filled w->route at the fixed point; keep it for accq_limit_route */
  routes(w, w->x, w->Q, 1, w->route);
  return ACCQ_SUCCESS;
}

int accq_limit_et(const accq_model_t *m, const char *spec, double *et, double *gap,
                  accq_err_t *err) {
  accq_limit_t *w;
  *et = *gap = NAN;
  int st = accq_limit_alloc(&w, m, spec, NULL, err);
  if (st) return st;
  st = accq_limit_solve(w, err);
  if (!st) {
    *et = w->res.et;
    *gap = w->res.gap;
  }
  accq_limit_free(w);
  return st;
}
