/* accq_lp_solve_exact: the combinatorial solver of lp_comb.c in GMP rationals.
 * Every double of the problem converts exactly (mpq_set_d), so the answer is
 * the exact optimum of the LP whose data are the binary doubles given: no
 * tolerance anywhere, ties are exact equalities.  GMP is used directly here
 * (its mpq_t API is the adapter). */
#include <gmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lp/lp_internal.h"

#define NV ACCQ_I_LP_MAX_VERT
#define KM ACCQ_MAX_TYPES

typedef struct {
  int K;
  mpq_t lam, astar, inv[KM], d[KM], cap[KM];
  mpq_t y[NV], z[NV];
  mpq_t x[KM];
  mpq_t t1, t2, t3, t4; /* scratch */
  int nv;
} ws_t;

static void ws_init(ws_t *w) {
  mpq_inits(w->lam, w->astar, w->t1, w->t2, w->t3, w->t4, NULL);
  for (int k = 0; k < KM; k++) mpq_inits(w->inv[k], w->d[k], w->cap[k], w->x[k], NULL);
  for (int s = 0; s < NV; s++) mpq_inits(w->y[s], w->z[s], NULL);
}

static void ws_clear(ws_t *w) {
  mpq_clears(w->lam, w->astar, w->t1, w->t2, w->t3, w->t4, NULL);
  for (int k = 0; k < KM; k++) mpq_clears(w->inv[k], w->d[k], w->cap[k], w->x[k], NULL);
  for (int s = 0; s < NV; s++) mpq_clears(w->y[s], w->z[s], NULL);
}

/* Nearest double to q (mpq_get_d truncates toward zero). */
static double q_round(const mpq_t q) {
  double a = mpq_get_d(q);
  if (!isfinite(a)) return a;
  double b = nextafter(a, mpq_sgn(q) >= 0 ? INFINITY : -INFINITY);
  mpq_t qa, qb;
  mpq_inits(qa, qb, NULL);
  mpq_set_d(qa, a);
  mpq_set_d(qb, b);
  mpq_sub(qa, q, qa);
  mpq_abs(qa, qa);
  mpq_sub(qb, qb, q);
  mpq_abs(qb, qb);
  double out = mpq_cmp(qb, qa) < 0 ? b : a;
  mpq_clears(qa, qb, NULL);
  return out;
}

/* "num/den" always with the slash; malloc'ed, NULL on OOM. */
static char *q_str(const mpq_t q) {
  char *n = mpz_get_str(NULL, 10, mpq_numref(q));
  char *d = mpz_get_str(NULL, 10, mpq_denref(q));
  char *s = NULL;
  if (n && d) {
    size_t len = strlen(n) + strlen(d) + 2;
    s = malloc(len);
    if (s) {
      strcpy(s, n);
      strcat(s, "/");
      strcat(s, d);
    }
  }
  void (*freefn)(void *, size_t);
  mp_get_memory_functions(NULL, NULL, &freefn);
  if (n) freefn(n, strlen(n) + 1);
  if (d) freefn(d, strlen(d) + 1);
  return s;
}

/* Lambda_max: the knapsack of accq_lp_lambda_max, exactly. */
static void lambda_max_q(ws_t *w, mpq_t out) {
  mpq_t surplus, need, xk;
  mpq_inits(surplus, need, xk, NULL);
  mpq_set_ui(out, 0, 1);
  int low[KM], nl = 0;
  for (int k = 0; k < w->K; k++) {
    if (mpq_sgn(w->d[k]) >= 0) {
      mpq_add(out, out, w->cap[k]);
      mpq_mul(xk, w->cap[k], w->d[k]);
      mpq_add(surplus, surplus, xk);
    } else {
      int j = nl++; /* by descending d: most accurate first */
      while (j > 0 && mpq_cmp(w->d[low[j - 1]], w->d[k]) < 0) {
        low[j] = low[j - 1];
        j--;
      }
      low[j] = k;
    }
  }
  for (int i = 0; i < nl && mpq_sgn(surplus) > 0; i++) {
    int k = low[i];
    mpq_neg(need, w->d[k]);
    mpq_div(xk, surplus, need);
    if (mpq_cmp(xk, w->cap[k]) >= 0) {
      mpq_set(xk, w->cap[k]);
      mpq_mul(need, need, xk);
      mpq_sub(surplus, surplus, need);
    } else {
      mpq_set_ui(surplus, 0, 1);
    }
    mpq_add(out, out, xk);
  }
  mpq_clears(surplus, need, xk, NULL);
}

/* value = lam * y_s - sum cap_k (y_s + z_s d_k - inv_k)^+ */
static void dual_value(ws_t *w, int s, const mpq_t lam, mpq_t val) {
  mpq_mul(val, lam, w->y[s]);
  for (int k = 0; k < w->K; k++) {
    mpq_mul(w->t1, w->z[s], w->d[k]);
    mpq_add(w->t1, w->t1, w->y[s]);
    mpq_sub(w->t1, w->t1, w->inv[k]);
    if (mpq_sgn(w->t1) > 0) {
      mpq_mul(w->t1, w->t1, w->cap[k]);
      mpq_sub(val, val, w->t1);
    }
  }
}

/* x(t) = bottom(t) + top(F - t) over the tied types T (ascending d); D(t). */
static void fill_at(ws_t *w, const int *T, int nt, const mpq_t F, const mpq_t t, mpq_t D) {
  mpq_t left, a;
  mpq_inits(left, a, NULL);
  for (int i = 0; i < nt; i++) mpq_set_ui(w->x[T[i]], 0, 1);
  mpq_set(left, t);
  for (int i = 0; i < nt && mpq_sgn(left) > 0; i++) {
    mpq_set(a, mpq_cmp(left, w->cap[T[i]]) < 0 ? left : w->cap[T[i]]);
    mpq_add(w->x[T[i]], w->x[T[i]], a);
    mpq_sub(left, left, a);
  }
  mpq_sub(left, F, t);
  for (int i = nt - 1; i >= 0 && mpq_sgn(left) > 0; i--) {
    mpq_sub(a, w->cap[T[i]], w->x[T[i]]);
    if (mpq_cmp(left, a) < 0) mpq_set(a, left);
    mpq_add(w->x[T[i]], w->x[T[i]], a);
    mpq_sub(left, left, a);
  }
  mpq_set_ui(D, 0, 1);
  for (int i = 0; i < nt; i++) {
    mpq_mul(a, w->d[T[i]], w->x[T[i]]);
    mpq_add(D, D, a);
  }
  mpq_clears(left, a, NULL);
}

/* Primal vertex for the optimal dual vertex s at lam (see lp_comb.c). */
static void recover(ws_t *w, int s, const mpq_t lam) {
  int T[KM], nt = 0;
  mpq_t F, Dneed, capT, r;
  mpq_inits(F, Dneed, capT, r, NULL);
  mpq_set(F, lam);
  for (int k = 0; k < w->K; k++) {
    mpq_set_ui(w->x[k], 0, 1);
    mpq_mul(r, w->z[s], w->d[k]);
    mpq_add(r, r, w->y[s]);
    mpq_sub(r, w->inv[k], r); /* reduced cost */
    int sg = mpq_sgn(r);
    if (sg < 0) {
      mpq_set(w->x[k], w->cap[k]);
      mpq_sub(F, F, w->cap[k]);
      mpq_mul(r, w->d[k], w->cap[k]);
      mpq_sub(Dneed, Dneed, r);
    } else if (sg == 0) {
      int j = nt++;
      while (j > 0 && mpq_cmp(w->d[T[j - 1]], w->d[k]) > 0) {
        T[j] = T[j - 1];
        j--;
      }
      T[j] = k;
      mpq_add(capT, capT, w->cap[k]);
    }
  }
  if (nt > 0) {
    /* exact optimality makes 0 <= F <= capT; clamp anyway */
    if (mpq_sgn(F) < 0) mpq_set_ui(F, 0, 1);
    if (mpq_cmp(F, capT) > 0) mpq_set(F, capT);
    int ne = 0;
    mpq_t ev[2 * KM + 2], Dv[2 * KM + 2], c, Dt, t;
    for (int i = 0; i < 2 * KM + 2; i++) mpq_inits(ev[i], Dv[i], NULL);
    mpq_inits(c, Dt, t, NULL);
    mpq_set_ui(ev[ne++], 0, 1);
    mpq_set(ev[ne++], F);
    for (int i = 0; i < nt; i++) {
      mpq_add(c, c, w->cap[T[i]]);
      if (mpq_cmp(c, F) < 0) mpq_set(ev[ne++], c);
    }
    mpq_set_ui(c, 0, 1);
    for (int i = nt - 1; i >= 0; i--) {
      mpq_add(c, c, w->cap[T[i]]);
      if (mpq_cmp(c, F) < 0) mpq_sub(ev[ne++], F, c);
    }
    for (int i = 1; i < ne; i++) /* sort events */
      for (int j = i; j > 0 && mpq_cmp(ev[j - 1], ev[j]) > 0; j--) mpq_swap(ev[j - 1], ev[j]);
    for (int i = 0; i < ne; i++) fill_at(w, T, nt, F, ev[i], Dv[i]);
    mpq_set(Dt, Dneed); /* clamp to [D(F), D(0)] */
    if (mpq_cmp(Dt, Dv[ne - 1]) < 0) mpq_set(Dt, Dv[ne - 1]);
    if (mpq_cmp(Dt, Dv[0]) > 0) mpq_set(Dt, Dv[0]);
    mpq_set(t, ev[ne - 1]);
    for (int i = 0; i + 1 < ne; i++) {
      if (mpq_cmp(Dv[i], Dt) >= 0 && mpq_cmp(Dt, Dv[i + 1]) >= 0) {
        mpq_sub(c, Dv[i], Dv[i + 1]);
        if (mpq_sgn(c) > 0) { /* t = ev_i + (Dv_i - Dt)/(Dv_i - Dv_i+1) (ev_i+1 - ev_i) */
          mpq_sub(t, Dv[i], Dt);
          mpq_div(t, t, c);
          mpq_sub(c, ev[i + 1], ev[i]);
          mpq_mul(t, t, c);
          mpq_add(t, t, ev[i]);
        } else {
          mpq_set(t, ev[i]);
        }
        break;
      }
    }
    fill_at(w, T, nt, F, t, c);
    for (int i = 0; i < 2 * KM + 2; i++) mpq_clears(ev[i], Dv[i], NULL);
    mpq_clears(c, Dt, t, NULL);
  }
  mpq_clears(F, Dneed, capT, r, NULL);
}

/* T_free: the greedy (fastest first) exactly; NaN beyond sum cap (with the
 * float solvers' FEAS_RTOL margin: solved at sum cap). */
static double t_free_q(ws_t *w) {
  int ord[KM];
  mpq_t sum, left, obj, a, bound;
  mpq_inits(sum, left, obj, a, bound, NULL);
  for (int k = 0; k < w->K; k++) {
    mpq_add(sum, sum, w->cap[k]);
    int j = k;
    while (j > 0 && mpq_cmp(w->inv[ord[j - 1]], w->inv[k]) > 0) {
      ord[j] = ord[j - 1];
      j--;
    }
    ord[j] = k;
  }
  mpq_set_d(bound, ACCQ_I_LP_FEAS_RTOL);
  mpq_set_ui(a, 1, 1);
  mpq_add(bound, bound, a);
  mpq_mul(bound, bound, sum);
  double out = NAN;
  if (mpq_cmp(w->lam, bound) <= 0 && mpq_sgn(sum) > 0) {
    mpq_set(left, mpq_cmp(w->lam, sum) <= 0 ? w->lam : sum);
    mpq_set(bound, left); /* the rate served */
    for (int i = 0; i < w->K && mpq_sgn(left) > 0; i++) {
      int k = ord[i];
      mpq_set(a, mpq_cmp(left, w->cap[k]) < 0 ? left : w->cap[k]);
      mpq_sub(left, left, a);
      mpq_mul(a, a, w->inv[k]);
      mpq_add(obj, obj, a);
    }
    mpq_div(obj, obj, bound);
    out = q_round(obj);
  }
  mpq_clears(sum, left, obj, a, bound, NULL);
  return out;
}

void accq_lp_exact_free(accq_lp_exact_t *out) {
  if (!out) return;
  free(out->t_lp);
  free(out->lambda_max);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) free(out->x[k]);
  memset(out, 0, sizeof *out);
}

/* Cost: O(K^3) rational operations (K(K+1)/2 dual vertices valued in O(K)),
 * numbers of a few hundred bits. */
int accq_lp_solve_exact(const accq_lp_problem_t *p, accq_lp_exact_t *out, accq_err_t *err) {
  int rc = accq_i_lp_validate(p, err);
  if (rc) return rc;
  memset(out, 0, sizeof *out);
  out->status = ACCQ_LP_OPTIMAL;
  out->t_lp_value = out->lambda_max_value = NAN;
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) out->x_value[k] = NAN;
  ws_t *w = malloc(sizeof *w);
  if (!w) return accq_err_set(err, ACCQ_ENOMEM, "cannot allocate the exact LP workspace");
  ws_init(w);
  mpq_t lmax, bound, lam, val, best, obj;
  mpq_inits(lmax, bound, lam, val, best, obj, NULL);
  int K = w->K = p->ntypes;
  mpq_set_d(w->lam, p->lambda);
  mpq_set_d(w->astar, p->a_star);
  for (int k = 0; k < K; k++) {
    mpq_set_d(w->inv[k], p->mu[k]);
    mpq_inv(w->inv[k], w->inv[k]);
    mpq_set_d(w->d[k], p->acc[k]);
    mpq_sub(w->d[k], w->d[k], w->astar);
    mpq_set_d(w->cap[k], p->cap[k]);
  }
  if (accq_i_lp_acc_infeasible(p)) {
    out->status = ACCQ_LP_ACCURACY_INFEASIBLE;
    mpq_set_ui(lmax, 0, 1);
  } else {
    lambda_max_q(w, lmax);
    /* the float solvers' margin: Lambda <= Lambda_max (1 + FEAS_RTOL) is solved
     * at Lambda_max and scaled (lp_internal.h) */
    mpq_set_d(bound, ACCQ_I_LP_FEAS_RTOL);
    mpq_set_ui(val, 1, 1);
    mpq_add(bound, bound, val);
    mpq_mul(bound, bound, lmax);
    if (mpq_cmp(w->lam, bound) > 0) out->status = ACCQ_LP_CAPACITY_INFEASIBLE;
  }
  out->t_free_value = t_free_q(w);
  out->lambda_max = q_str(lmax);
  out->lambda_max_value = q_round(lmax);
  if (!out->lambda_max) goto oom;
  if (out->status == ACCQ_LP_OPTIMAL) {
    mpq_set(lam, mpq_cmp(w->lam, lmax) <= 0 ? w->lam : lmax);
    /* dual vertices */
    int n = 0;
    for (int i = 0; i < K; i++) {
      mpq_set(w->y[n], w->inv[i]);
      mpq_set_ui(w->z[n], 0, 1);
      n++;
    }
    for (int i = 0; i < K; i++)
      for (int j = i + 1; j < K; j++) {
        if (mpq_equal(w->d[i], w->d[j])) continue;
        mpq_sub(w->t1, w->inv[i], w->inv[j]);
        mpq_sub(w->t2, w->d[i], w->d[j]);
        mpq_div(w->z[n], w->t1, w->t2);
        if (mpq_sgn(w->z[n]) <= 0) continue;
        mpq_mul(w->t1, w->z[n], w->d[i]);
        mpq_sub(w->y[n], w->inv[i], w->t1);
        n++;
      }
    w->nv = n;
    int bs = 0;
    dual_value(w, 0, lam, best);
    for (int s = 1; s < n; s++) {
      dual_value(w, s, lam, val);
      if (mpq_cmp(val, best) > 0) {
        mpq_set(best, val);
        bs = s;
      }
    }
    recover(w, bs, lam);
    /* scale to Lambda (identity unless Lambda is in the margin above Lambda_max) */
    mpq_div(val, w->lam, lam);
    for (int k = 0; k < K; k++) {
      mpq_mul(w->x[k], w->x[k], val);
      mpq_mul(w->t1, w->x[k], w->inv[k]);
      mpq_add(obj, obj, w->t1);
      out->x[k] = q_str(w->x[k]);
      out->x_value[k] = q_round(w->x[k]);
      if (!out->x[k]) goto oom;
    }
    mpq_div(obj, obj, w->lam);
    out->t_lp = q_str(obj);
    out->t_lp_value = q_round(obj);
    if (!out->t_lp) goto oom;
  }
  goto cleanup;
oom:
  accq_lp_exact_free(out);
  rc = accq_err_set(err, ACCQ_ENOMEM, "out of memory formatting exact fractions");
cleanup:
  mpq_clears(lmax, bound, lam, val, best, obj, NULL);
  ws_clear(w);
  free(w);
  return rc;
}
