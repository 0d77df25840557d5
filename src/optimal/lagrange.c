/* The constrained optimum by Lagrangian relaxation and policy iteration
 * (docs/policies.md `optimal`, method `lagrange`; proofs/optimal-policy.md,
 * "The Lagrangian method").
 *
 * With y a state-action frequency vector of the lumped chain, L(y) the mean
 * number of jobs, X(y) the admitted rate and D(y) = sum_k (a_k - a*) X_k(y) the
 * accuracy excess, the optimum is min L/X subject to D >= 0.  By LP duality on
 * the Charnes-Cooper form (z = y/X),
 *
 *   t_opt = max_{lambda >= 0} phi(lambda),  phi(lambda) = min_y (L - lambda D)/X,
 *
 * phi concave and piecewise linear.  phi(lambda) is a ratio MDP: Dinkelbach's
 * iteration g <- (L - lambda D)/X of the current rule, interleaved with policy
 * iteration on the average cost L - lambda D - g X (cost rate n(s), reward
 * g + lambda d_k per job admitted to type k), decreases the ratio at every step
 * and stops at a rule that minimizes it.  Each policy evaluation is one
 * stationary solve by the chain engine (accq_stationary_solve on the rule's
 * generator, the whole lumped space) and one solve of the Poisson equation for
 * the bias h (Gauss-Seidel sweeps with a coarse correction by job count,
 * below).  The multiplier is found by the cutting-plane (secant) method on the
 * two lines of the rules bracketing it; at the optimal multiplier both rules
 * minimize the Lagrangian, and the mixture of their normalized frequencies
 * that makes D = 0 is optimal; the mixture is narrowed to two rules that
 * differ in one state where possible (bisection over hybrids), so the optimal
 * rule randomizes in at most one state. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_vector.h>

#include "accq/lp.h"
#include "accq/stationary.h"
#include "ext/gsl.h"
#include "optimal/optimal_internal.h"

static double lg_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* The lumped MDP: per state its job count, its completions (fixed) and its
 * arrival actions (admit to (k,q) -> state adst, or lose: adst = s, k = -1). */
typedef struct {
  int64_t S;
  int K, B;
  double lambda;            /* Lambda_tot */
  double dk[ACCQ_MAX_TYPES];/* a_k - a* */
  double ak[ACCQ_MAX_TYPES];
  int32_t empty;            /* rank of the empty state */
  int *jobs;                /* n(s) */
  int *level;               /* n(s), the coarse level */
  int64_t *dptr;            /* completions CSR */
  int32_t *ddst;
  double *drate;
  double *dout;             /* total completion rate */
  int64_t *aptr;            /* actions CSR */
  int32_t *adst;
  signed char *ak_of;       /* type of the action, -1: lose */
  unsigned char *aq_of;     /* level q of the action (B for lose) */
  int maxlevel;
} mdp_t;

static void mdp_free(mdp_t *p) {
  free(p->jobs);
  free(p->level);
  free(p->dptr);
  free(p->ddst);
  free(p->drate);
  free(p->dout);
  free(p->aptr);
  free(p->adst);
  free(p->ak_of);
  free(p->aq_of);
}

/* Builds the MDP over space sp (two passes: counts, then entries). */
static int mdp_build(mdp_t *p, const accq_model_t *model, const accq_space_t *sp, int shed,
                     accq_err_t *err) {
  const int K = model->ntypes, B = accq_space_buffer(sp), cells = K * (B + 1);
  const int64_t S = (int64_t)accq_space_size(sp);
  memset(p, 0, sizeof *p);
  p->S = S, p->K = K, p->B = B;
  p->lambda = model->scale * model->arrival_rate;
  for (int k = 0; k < K; k++) {
    p->dk[k] = model->types[k].accuracy - model->accuracy_target;
    p->ak[k] = model->types[k].accuracy;
  }
  int c[OPT_MAX_CELLS], d[OPT_MAX_CELLS];
  p->jobs = malloc(sizeof *p->jobs * (size_t)S);
  p->dptr = malloc(sizeof *p->dptr * (size_t)(S + 1));
  p->aptr = malloc(sizeof *p->aptr * (size_t)(S + 1));
  p->dout = malloc(sizeof *p->dout * (size_t)S);
  if (!p->jobs || !p->dptr || !p->aptr || !p->dout) goto nomem;
  int64_t nd = 0, na = 0;
  for (int64_t s = 0; s < S; s++) {
    accq_space_unrank(sp, (uint64_t)s, c);
    int n = 0, dep = 0, adm = 0;
    for (int k = 0; k < K; k++)
      for (int q = 0; q <= B; q++) {
        int v = c[k * (B + 1) + q];
        n += q * v;
        if (q >= 1 && v) dep++;
        if (q < B && v) adm++;
      }
    p->jobs[s] = n;
    if (n > p->maxlevel) p->maxlevel = n;
    if (n == 0) p->empty = (int32_t)s;
    p->dptr[s] = nd, p->aptr[s] = na;
    nd += dep;
    na += adm + (adm == 0 || shed);
  }
  p->dptr[S] = nd, p->aptr[S] = na;
  p->level = p->jobs;
  p->jobs = NULL;
  p->ddst = malloc(sizeof *p->ddst * (size_t)(nd ? nd : 1));
  p->drate = malloc(sizeof *p->drate * (size_t)(nd ? nd : 1));
  p->adst = malloc(sizeof *p->adst * (size_t)na);
  p->ak_of = malloc((size_t)na);
  p->aq_of = malloc((size_t)na);
  if (!p->ddst || !p->drate || !p->adst || !p->ak_of || !p->aq_of) goto nomem;
  for (int64_t s = 0; s < S; s++) {
    accq_space_unrank(sp, (uint64_t)s, c);
    int64_t e = p->dptr[s], a = p->aptr[s];
    double out = 0;
    for (int k = 0; k < K; k++)
      for (int q = 0; q <= B; q++) {
        int v = c[k * (B + 1) + q];
        if (!v) continue;
        if (q >= 1) {
          memcpy(d, c, sizeof *d * (size_t)cells);
          d[k * (B + 1) + q]--, d[k * (B + 1) + q - 1]++;
          p->ddst[e] = (int32_t)accq_space_rank(sp, d);
          p->drate[e++] = v * model->types[k].rate;
          out += v * model->types[k].rate;
        }
        if (q < B) {
          memcpy(d, c, sizeof *d * (size_t)cells);
          d[k * (B + 1) + q]--, d[k * (B + 1) + q + 1]++;
          p->adst[a] = (int32_t)accq_space_rank(sp, d);
          p->ak_of[a] = (signed char)k, p->aq_of[a++] = (unsigned char)q;
        }
      }
    if (a < p->aptr[s + 1]) p->adst[a] = (int32_t)s, p->ak_of[a] = -1, p->aq_of[a] = (unsigned char)B;
    p->dout[s] = out;
  }
  return ACCQ_SUCCESS;
nomem:
  mdp_free(p);
  return accq_err_set(err, ACCQ_ENOMEM, "no memory for the Lagrangian method's MDP (%lld states)",
                      (long long)S);
}

/* A deterministic rule: pol[s] = the action index (absolute, into the
 * actions CSR); its measures from the stationary law pi. */
typedef struct {
  int64_t *pol;
  double *pi;
  double L, X, D, A;        /* mean jobs, admitted rate, accuracy excess rate, sum a_k X_k */
  double residual;          /* of pi: docs/chains.md's max |(pi Q)_j| / max |Q_jj| */
  int evaluated;            /* pi and the measures belong to pol */
} rule_t;

static void rule_free(rule_t *r) {
  free(r->pol);
  free(r->pi);
  r->pol = NULL, r->pi = NULL;
}

static int rule_alloc(rule_t *r, int64_t S) {
  memset(r, 0, sizeof *r);
  r->pol = malloc(sizeof *r->pol * (size_t)S);
  r->pi = malloc(sizeof *r->pi * (size_t)S);
  return r->pol && r->pi ? 0 : -1;
}

static int rule_copy(rule_t *dst, const rule_t *src, int64_t S) {
  int64_t *pol = dst->pol;
  double *pi = dst->pi;
  *dst = *src;
  dst->pol = pol, dst->pi = pi;
  memcpy(dst->pol, src->pol, sizeof *pol * (size_t)S);
  memcpy(dst->pi, src->pi, sizeof *pi * (size_t)S);
  return 0;
}

/* L, X, D and A of the rule from its pi. */
static void rule_measures(const mdp_t *p, rule_t *r) {
  double L = 0, X = 0, D = 0, A = 0;
  for (int64_t s = 0; s < p->S; s++) {
    double q = r->pi[s];
    if (q == 0) continue;
    L += q * p->level[s];
    int k = p->ak_of[r->pol[s]];
    if (k >= 0) X += q, D += q * p->dk[k], A += q * p->ak[k];
  }
  r->L = L, r->X = p->lambda * X, r->D = p->lambda * D, r->A = p->lambda * A;
}

/* Workspace of the evaluations. */
typedef struct {
  mdp_t *p;
  accq_generator_t Q;       /* the current rule's generator on the whole space */
  accq_generator_t sub;     /* ... on the states reachable from the empty one */
  int32_t *idx, *order;     /* whole -> reachable numbering and back */
  double *pisub;
  double *h, *b;            /* bias and right-hand side of the Poisson equation */
  double *cw, *cr;          /* coarse weights and residuals per level */
  double deadline;
  const accq_optimal_options_t *opt;
  int64_t evaluations, sweeps, improvements;
  double eval_s, bias_s;    /* seconds in stationary solves and in bias sweeps */
  double cost_scale;
} work_t;

/* Coarse weights pi(s) + this: Galerkin weights pi alone vanish to rounding
 * level at the top of long chains (pi ~ 1e-17), where the coarse equations
 * would be noise; any positive weights give a valid correction. */
#define LG_WEIGHT_FLOOR 1e-12
/* Over-relaxation of the bias sweeps: 1.3 took 22% fewer sweeps than 1 on
 * two-tier m = 3, B = 5; 1.6 diverged there. */
#define LG_OMEGA 1.25
/* The bias solve's stall test: every this many pairs of sweeps, and the
 * rounding level (ulps of the largest term |Q_ss h(s)|) below which a stalled
 * residual is accepted (6,100 ulps seen). */
#define LG_BIAS_STALL 50
#define LG_BIAS_ULPS 2e4
/* Pairs of sweeps before the bias solve gives up (about 40-100 are needed). */
#define LG_BIAS_MAX_ITER 5000

static int timed_out(const work_t *w) { return w->deadline > 0 && lg_now() > w->deadline; }

/* Insertion sort of one row by column: rows are short. */
static void sort_row(int32_t *col, double *val, int64_t start, int64_t end) {
  for (int64_t i = start + 1; i < end; i++)
    for (int64_t j = i; j > start && col[j - 1] > col[j]; j--) {
      int32_t tc = col[j];
      double tv = val[j];
      col[j] = col[j - 1], val[j] = val[j - 1];
      col[j - 1] = tc, val[j - 1] = tv;
    }
}

/* Builds the rule's generator (sorted columns: the admission target and the
 * completion targets of a state are distinct, they differ in job count). */
static void build_generator(work_t *w, const int64_t *pol) {
  mdp_t *p = w->p;
  int64_t e = 0;
  for (int64_t s = 0; s < p->S; s++) {
    w->Q.rowptr[s] = e;
    int64_t a = pol[s];
    int admit = p->ak_of[a] >= 0;
    double out = p->dout[s] + (admit ? p->lambda : 0);
    int64_t start = e;
    for (int64_t j = p->dptr[s]; j < p->dptr[s + 1]; j++) w->Q.col[e] = p->ddst[j], w->Q.val[e++] = p->drate[j];
    if (admit) w->Q.col[e] = p->adst[a], w->Q.val[e++] = p->lambda;
    sort_row(w->Q.col, w->Q.val, start, e);
    w->Q.diag[s] = -out;
  }
  w->Q.rowptr[p->S] = e;
  w->Q.nnz = e;
}

/* Stationary law of the rule by the chain engine, and its measures.  The
 * solve is on the states reachable from the empty one under the rule (its
 * one recurrent class: every state drains to the empty one), renumbered in
 * breadth-first order like the chain engine's own chains; pi is 0 elsewhere. */
static int evaluate(work_t *w, rule_t *r, accq_err_t *err) {
  mdp_t *p = w->p;
  const int64_t S = p->S;
  build_generator(w, r->pol);
  const accq_generator_t *F = &w->Q;
  int32_t *idx = w->idx, *order = w->order;
  for (int64_t s = 0; s < S; s++) idx[s] = -1;
  int64_t n = 0, head = 0;
  idx[p->empty] = 0, order[n++] = p->empty;
  while (head < n) {
    int32_t s = order[head++];
    for (int64_t j = F->rowptr[s]; j < F->rowptr[s + 1]; j++)
      if (idx[F->col[j]] < 0) idx[F->col[j]] = (int32_t)n, order[n++] = F->col[j];
  }
  accq_generator_t *Q = &w->sub;
  Q->n = n;
  int64_t e = 0;
  for (int64_t i = 0; i < n; i++) {
    int32_t s = order[i];
    Q->rowptr[i] = e;
    int64_t start = e;
    for (int64_t j = F->rowptr[s]; j < F->rowptr[s + 1]; j++) Q->col[e] = idx[F->col[j]], Q->val[e++] = F->val[j];
    sort_row(Q->col, Q->val, start, e);
    Q->diag[i] = F->diag[s];
  }
  Q->rowptr[n] = e;
  Q->nnz = e;
  accq_stationary_options_t so;
  accq_stationary_options_init(&so);
  if (w->deadline > 0) {
    so.max_seconds = w->deadline - lg_now();
    if (so.max_seconds <= 0) return ACCQ_ENOCONV;
  }
  accq_stationary_stats_t st;
  /* SOR with aggregation and Anderson alone: its fallbacks (Arnoldi) cost
   * minutes at 10^4 states and more */
  so.solver = n <= 200 ? ACCQ_SOLVER_AUTO : ACCQ_SOLVER_SOR;
  so.omega = 1.4;
  int status = accq_stationary_solve(Q, &so, w->pisub, &st, err);
  w->evaluations++;
  if (status == ACCQ_ENOCONV && !(w->deadline > 0 && lg_now() > w->deadline) &&
      st.residual <= so.tol) {
    /* the sign test failed on probabilities at rounding level (-1e-14 where
     * pi ~ 1e-17): the residual test passed, so clip them */
    double worst = 0;
    for (int64_t i = 0; i < n; i++) worst = fmin(worst, w->pisub[i]);
    if (worst >= -1e-12) {
      double tot = 0;
      for (int64_t i = 0; i < n; i++) tot += (w->pisub[i] = fmax(w->pisub[i], 0.0));
      for (int64_t i = 0; i < n; i++) w->pisub[i] /= tot;
      status = ACCQ_SUCCESS;
    }
  }
  if (status) return status;
  for (int64_t s = 0; s < S; s++) r->pi[s] = idx[s] >= 0 ? w->pisub[idx[s]] : 0.0;
  rule_measures(p, r);
  r->residual = st.residual;
  r->evaluated = 1;
  return ACCQ_SUCCESS;
}

/* Cost rate of the rule in s for the Lagrangian L - lambda D - g X. */
static double cost(const mdp_t *p, int64_t a, int64_t s, double lam, double g) {
  int k = p->ak_of[a];
  return p->level[s] - (k >= 0 ? p->lambda * (g + lam * p->dk[k]) : 0.0);
}

/* Solves the Poisson equation  c - rho + Q h = 0,  h(empty) = 0, of the rule
 * (generator w->Q) for cost c = L - lambda D - g X, warm-started from w->h.
 * Gauss-Seidel (forward and backward sweeps in rank order) converges slowly
 * along the job count, the chain's slow direction; after each pair of sweeps
 * the error's component that is constant on each job-count level is removed
 * by a Galerkin correction with weights pi + 1e-12: aggregated by job count,
 * the coarse operator is a birth-death generator on levels (every transition
 * changes the job count by one), solved by one downward recursion.  Stops at
 * max_s |residual(s)| <= tol * cost scale. */
static int solve_bias(work_t *w, const rule_t *r, double lam, double g, double rho, double tol) {
  mdp_t *p = w->p;
  const int64_t S = p->S;
  const accq_generator_t *Q = &w->Q;
  double *h = w->h, *b = w->b;
  for (int64_t s = 0; s < S; s++) b[s] = cost(p, r->pol[s], s, lam, g) - rho;
  const double target = tol * w->cost_scale;
  const int NL = p->maxlevel + 1;
  double stall_ref = INFINITY;
  for (int it = 0; it < LG_BIAS_MAX_ITER; it++) {
    for (int dir = 0; dir < 2; dir++)
      for (int64_t i = 0; i < S; i++) {
        int64_t s = dir ? S - 1 - i : i;
        if (s == p->empty) continue;
        double acc = b[s];
        for (int64_t j = Q->rowptr[s]; j < Q->rowptr[s + 1]; j++) acc += Q->val[j] * h[Q->col[j]];
        h[s] += LG_OMEGA * (acc / -Q->diag[s] - h[s]);
      }
    w->sweeps += 2;
    /* residual and coarse correction */
    memset(w->cw, 0, sizeof *w->cw * (size_t)(2 * NL));
    memset(w->cr, 0, sizeof *w->cr * (size_t)NL);
    double *beta = w->cw, *delta = w->cw + NL;
    double worst = 0, hscale = 0;
    for (int64_t s = 0; s < S; s++) {
      hscale = fmax(hscale, fabs(Q->diag[s] * h[s]));
      double res = b[s] + Q->diag[s] * h[s], up = 0;
      for (int64_t j = Q->rowptr[s]; j < Q->rowptr[s + 1]; j++) {
        res += Q->val[j] * h[Q->col[j]];
        if (p->level[Q->col[j]] > p->level[s]) up += Q->val[j];
      }
      /* the pinned row's equation is dropped (its residual is pi b, zero up to
       * the stationary solve's rounding): it enters neither test nor correction */
      if (s == p->empty) continue;
      if (fabs(res) > worst) worst = fabs(res);
      double ws = r->pi[s] + LG_WEIGHT_FLOOR;
      int n = p->level[s];
      w->cr[n] += ws * res;
      beta[n] += ws * up;
      delta[n] += ws * (-Q->diag[s] - up);
    }
    if (worst <= target) return ACCQ_SUCCESS;
    /* On long chains (two-tier m = 2, B = 16: 96 levels, terms |Q_ss h(s)| up
     * to 9e3) the residual stalls at a few thousand ulps of its largest term,
     * above target: accept it there once it no longer falls (by half in
     * LG_BIAS_STALL pairs).  h only ranks actions; the rules' values come from
     * the chain engine's evaluations. */
    if (it % LG_BIAS_STALL == 0) {
      if (it > 0 && worst > 0.5 * stall_ref && worst <= LG_BIAS_ULPS * DBL_EPSILON * hscale)
        return ACCQ_SUCCESS;
      stall_ref = worst;
    }
    if ((it & 15) == 15 && timed_out(w)) return ACCQ_ENOCONV;
    /* Rows n >= 1 of the coarse system (row 0 is the pinned state's):
     * beta_n D_n - delta_n D_{n-1} = -R_n, D_n = e(n+1) - e(n), D_top = 0,
     * solved downwards: D_{n-1} = (R_n + beta_n D_n) / delta_n (delta_n > 0:
     * every state above the empty one has a completion). */
    double dn = 0;
    for (int n = NL - 1; n >= 1; n--) {
      dn = (w->cr[n] + beta[n] * dn) / delta[n];
      w->cr[n] = dn; /* D_{n-1} */
    }
    double e = 0;
    w->cr[0] = 0;
    for (int n = 1; n < NL; n++) {
      e += w->cr[n];
      w->cr[n] = e; /* e(n) = sum_{j<n} D_j */
    }
    for (int64_t s = 0; s < S; s++) h[s] += w->cr[p->level[s]];
    double h0 = h[p->empty];
    for (int64_t s = 0; s < S; s++) h[s] -= h0;
  }
  return ACCQ_ENOCONV;
}

/* The bias solve's direct fallback, for spaces up to this many states (a
 * dense LU of S^2 doubles: 18 MB and about a second at 1,500). */
#define LG_BIAS_DENSE_MAX 1500

/* The Poisson equation of solve_bias (right-hand side w->b, as solve_bias left
 * it) by a dense LU: the rows and columns of every state but the pinned empty
 * one (h(empty) = 0).  That matrix is nonsingular: from every state the
 * departures lead to the empty one, so the generator without it is a
 * transient (leaking) one.  For the stiff chains where the sweeps stall far
 * above their target: types whose rates differ by 1e3 or more (a chain of 16
 * states with rates 6.7 and 0.0014 did not reach the residual in 10,000
 * sweeps). */
static int solve_bias_dense(work_t *w, accq_err_t *err) {
  const mdp_t *p = w->p;
  const int64_t S = p->S;
  const accq_generator_t *Q = &w->Q;
  const size_t n = (size_t)(S - 1);
  if (n == 0) {
    w->h[p->empty] = 0;
    return ACCQ_SUCCESS;
  }
  accq_gsl_init();
  gsl_matrix *A = gsl_matrix_calloc(n, n);
  gsl_permutation *perm = gsl_permutation_alloc(n);
  gsl_vector *x = gsl_vector_alloc(n);
  int rc = ACCQ_SUCCESS;
  if (!A || !perm || !x) {
    rc = accq_err_set(err, ACCQ_ENOMEM, "no memory for the dense bias solve (%lld states)",
                      (long long)S);
    goto done;
  }
  /* unknown index of state s: s, less one above the empty state */
#define LG_UNK(s) ((size_t)((s) - ((s) > p->empty)))
  for (int64_t s = 0; s < S; s++) {
    if (s == p->empty) continue;
    size_t i = LG_UNK(s);
    gsl_matrix_set(A, i, i, Q->diag[s]);
    for (int64_t j = Q->rowptr[s]; j < Q->rowptr[s + 1]; j++)
      if (Q->col[j] != p->empty) *gsl_matrix_ptr(A, i, LG_UNK(Q->col[j])) += Q->val[j];
    gsl_vector_set(x, i, -w->b[s]);
  }
  int signum, g = gsl_linalg_LU_decomp(A, perm, &signum);
  if (g == GSL_SUCCESS) g = gsl_linalg_LU_svx(A, perm, x);
  if (g != GSL_SUCCESS) {
    rc = accq_gsl_status(g, "dense LU of the Lagrangian method's bias equations", err);
    goto done;
  }
  for (int64_t s = 0; s < S; s++) w->h[s] = s == p->empty ? 0.0 : gsl_vector_get(x, LG_UNK(s));
#undef LG_UNK
done:
  gsl_matrix_free(A);
  gsl_permutation_free(perm);
  gsl_vector_free(x);
  return rc;
}

/* The improvement step: in each state the action minimizing the cost rate
 * over Lambda plus the bias of its target (an action changes only when it is
 * better by more than a relative 1e-9, so that rounding cannot cycle).
 * Returns the number of states changed. */
static int64_t improve(work_t *w, rule_t *r, double lam, double g) {
  const mdp_t *p = w->p;
  int64_t changed = 0;
  const double eps = 1e-9 * (fabs(g) + lam + 1);
  for (int64_t s = 0; s < p->S; s++) {
    int64_t a0 = r->pol[s], best = a0;
    double bv = cost(p, a0, s, lam, g) / p->lambda + w->h[p->adst[a0]];
    for (int64_t a = p->aptr[s]; a < p->aptr[s + 1]; a++) {
      double v = cost(p, a, s, lam, g) / p->lambda + w->h[p->adst[a]];
      if (v < bv - eps) bv = v, best = a;
    }
    if (best != a0) r->pol[s] = best, changed++, r->evaluated = 0;
  }
  w->improvements += changed;
  return changed;
}

/* Evaluates r unless it is already. */
static int ensure_evaluated(work_t *w, rule_t *r, accq_err_t *err) {
  if (r->evaluated) return ACCQ_SUCCESS;
  double te = lg_now();
  int status = evaluate(w, r, err);
  w->eval_s += lg_now() - te;
  return status;
}

/* phi(lambda): the ratio policy iteration from rule r (replaced by the rule
 * that minimizes (L - lambda D)/X).  Each step: evaluate, g = the rule's
 * ratio, bias, improve.  *iters counts steps. */
static int minimize_ratio(work_t *w, rule_t *r, double lam, int64_t *iters, accq_err_t *err) {
  mdp_t *p = w->p;
  double before = INFINITY; /* the ratio before the last change */
  for (int it = 0; it < 200; it++) {
    /* a rule evaluated before keeps its law */
    int status = ensure_evaluated(w, r, err);
    if (status) return status;
    double g = (r->L - lam * r->D) / r->X;
    if (g > before + 1e-12 * (fabs(before) + 1))
      /* not an improvement (the bias was not accurate enough to rank the
       * actions): stop here; the caller's checks decide */
      return ACCQ_SUCCESS;
    if (it > 0 && timed_out(w)) return ACCQ_ENOCONV;
    build_generator(w, r->pol);
    /* the rule's average cost under g is 0 */
    w->cost_scale = p->maxlevel + p->lambda * (fabs(g) + lam);
    double tb = lg_now();
    status = solve_bias(w, r, lam, g, 0.0, 1e-11);
    if (status == ACCQ_ENOCONV && !timed_out(w) && p->S <= LG_BIAS_DENSE_MAX)
      status = solve_bias_dense(w, err);
    w->bias_s += lg_now() - tb;
    if (status == ACCQ_ENOCONV && !timed_out(w))
      return accq_err_set(err, ACCQ_ENOCONV, "the Lagrangian method's bias (relative value) "
                          "iteration did not reach its residual in %d sweeps (multiplier %g; "
                          "%lld states, over the %d of the direct fallback); use --method lp",
                          2 * LG_BIAS_MAX_ITER, lam, (long long)p->S, LG_BIAS_DENSE_MAX);
    if (status) return status;
    int64_t changed = improve(w, r, lam, g);
    (*iters)++;
    if (!changed) return ACCQ_SUCCESS;
    before = g;
  }
  return ensure_evaluated(w, r, err);
}

/* The starting rule: shortest expected delay (q+1)/mu_k among admitting actions. */
static void initial_rule(const mdp_t *p, const accq_model_t *m, rule_t *r) {
  for (int64_t s = 0; s < p->S; s++) {
    int64_t best = p->aptr[s];
    double bs = INFINITY;
    for (int64_t a = p->aptr[s]; a < p->aptr[s + 1]; a++) {
      int k = p->ak_of[a];
      if (k < 0) continue;
      double v = (p->aq_of[a] + 1) / m->types[k].rate;
      if (v < bs) bs = v, best = a;
    }
    r->pol[s] = best;
  }
}

static double ratio_a(const rule_t *r) { return r->L / r->X; }
static double ratio_b(const rule_t *r) { return r->D / r->X; }

/* Fills the result from the mixture y = w y_lo + (1 - w) y_hi (w = 1: lo only). */
static int fill_result(accq_optimal_t *o, const mdp_t *p, const rule_t *lo, const rule_t *hi,
                       double wlo, accq_err_t *err) {
  const int64_t S = p->S;
  o->pi = calloc((size_t)S, sizeof *o->pi);
  o->route_ptr = malloc(sizeof *o->route_ptr * (size_t)(S + 1));
  o->routes = malloc(sizeof *o->routes * (size_t)(2 * S));
  o->decision = malloc(sizeof *o->decision * (size_t)S);
  o->mix_action = -1;
  if (!o->pi || !o->route_ptr || !o->routes || !o->decision)
    return accq_err_set(err, ACCQ_ENOMEM, "no memory for the optimal rule (%lld states)",
                        (long long)S);
  accq_optimal_summary_t *sm = &o->summary;
  int64_t nr = 0;
  double L = 0, X = 0, A = 0, lost = 0, shed_mass = 0;
  const int B = p->B;
  for (int64_t s = 0; s < S; s++) {
    o->route_ptr[s] = nr;
    double yl = wlo * lo->pi[s], yh = hi && wlo < 1 ? (1 - wlo) * hi->pi[s] : 0;
    int64_t al = lo->pol[s], ah = hi ? hi->pol[s] : al;
    double ys = yl + yh;
    o->pi[s] = ys;
    int64_t dom = yh > yl ? ah : al;
    o->decision[s] = p->ak_of[dom] >= 0 ? p->ak_of[dom] * (B + 1) + p->aq_of[dom] : -1;
    if (ys <= 0) continue;
    sm->positive_states++;
    L += ys * p->level[s];
    int64_t acts[2] = {al, ah};
    double ws[2] = {yl, yh};
    if (al == ah) ws[0] = ys, ws[1] = 0;
    int used = 0;
    for (int i = 0; i < 2; i++) {
      if (ws[i] <= 0) continue;
      int k = p->ak_of[acts[i]];
      o->routes[nr++] = (accq_route_t){k >= 0 ? k : 0, k >= 0 ? p->aq_of[acts[i]] : B, ws[i] / ys};
      used++;
      if (k >= 0) {
        X += ws[i], A += ws[i] * p->ak[k];
      } else {
        lost += ws[i];
        if (p->aptr[s + 1] - p->aptr[s] > 1) shed_mass += ws[i];
      }
    }
    if (used > 1) sm->randomized_states++;
  }
  o->route_ptr[S] = nr;
  /* balance residual of the mixture: inflow - outflow per state */
  double *res = calloc((size_t)S, sizeof *res);
  if (res) {
    for (int64_t s = 0; s < S; s++) {
      double ys = o->pi[s];
      if (ys <= 0) continue;
      res[s] -= ys * p->dout[s];
      for (int64_t j = p->dptr[s]; j < p->dptr[s + 1]; j++) res[p->ddst[j]] += ys * p->drate[j];
      for (int64_t r = o->route_ptr[s]; r < o->route_ptr[s + 1]; r++) {
        const accq_route_t *rt = &o->routes[r];
        if (rt->level >= B) continue;
        /* find the action of this route */
        for (int64_t a = p->aptr[s]; a < p->aptr[s + 1]; a++)
          if (p->ak_of[a] == rt->type && p->aq_of[a] == rt->level) {
            double f = ys * rt->prob * p->lambda;
            res[s] -= f, res[p->adst[a]] += f;
            break;
          }
      }
    }
    double worst = 0, scale = p->lambda;
    for (int64_t s = 0; s < S; s++) {
      worst = fmax(worst, fabs(res[s]));
      scale = fmax(scale, p->dout[s] + p->lambda);
    }
    sm->balance_residual = worst / scale;
    free(res);
  } else {
    sm->balance_residual = NAN;
  }
  double total = wlo + (hi && wlo < 1 ? 1 - wlo : 0);
  sm->t_opt = L / (p->lambda * X);
  sm->mean_jobs = L / total;
  sm->loss_probability = lost / total;
  sm->shed_probability = shed_mass / total;
  sm->throughput = p->lambda * X / total;
  sm->accuracy = A / X;
  sm->states = S;
  sm->variables = p->aptr[S] + 1;
  return ACCQ_SUCCESS;
}

/* The hybrid rule: lo's actions, hi's in the first j differing states. */
static void hybrid(rule_t *out, const rule_t *lo, const rule_t *hi, const int64_t *diff, int64_t j,
                   int64_t S) {
  out->evaluated = 0;
  memcpy(out->pol, lo->pol, sizeof *out->pol * (size_t)S);
  for (int64_t i = 0; i < j; i++) out->pol[diff[i]] = hi->pol[diff[i]];
}

/* Narrows the optimal pair (lo: D < 0, hi: D >= 0, both minimizing
 * (L - lam D)/X with value phi) to two hybrids that differ in one state,
 * both still at phi (to 1e-9 relative); leaves lo, hi as they are when a
 * hybrid is not at phi (it then mixes in every differing state). */
static int narrow_pair(work_t *w, rule_t *lo, rule_t *hi, double lam, double phi, accq_err_t *err) {
  const int64_t S = w->p->S;
  int64_t *diff = malloc(sizeof *diff * (size_t)S), nd = 0;
  rule_t t;
  if (!diff || rule_alloc(&t, S)) {
    free(diff);
    rule_free(&t);
    return ACCQ_SUCCESS; /* the full mixture is optimal too */
  }
  for (int64_t s = 0; s < S; s++)
    if (lo->pol[s] != hi->pol[s]) diff[nd++] = s;
  int64_t jl = 0, jh = nd;
  int status = ACCQ_SUCCESS;
  /* In exact arithmetic every hybrid of two rules optimal at lam is optimal
   * (both satisfy the optimality equation with the same bias); the test only
   * guards against a pair for which that fails.  It must sit above the
   * evaluations' own error: at residual 3e-13 a hybrid came out 1.1e-11 from
   * phi (llm-three-tier m = 2, B = 3), and a tolerance of 1e-11 then kept a
   * mixture over 12 states.  A hybrid accepted within the tolerance costs at
   * most that much; the final rule's value is its own evaluation. */
  const double tol = 1e-9 * (fabs(phi) + 1);
  while (jh - jl > 1) {
    int64_t mid = jl + (jh - jl) / 2;
    hybrid(&t, lo, hi, diff, mid, S);
    status = ensure_evaluated(w, &t, err);
    if (status) break;
    if (fabs((t.L - lam * t.D) / t.X - phi) > tol) break; /* not optimal: keep the full mixture */
    if (t.D < 0) {
      jl = mid;
      rule_copy(lo, &t, S);
    } else {
      jh = mid;
      rule_copy(hi, &t, S);
    }
  }
  rule_free(&t);
  free(diff);
  return status == ACCQ_ENOCONV && !timed_out(w) ? ACCQ_SUCCESS : status;
}

/* Resident memory per lumped state, measured: 444 MiB at 1,101,100 states
 * (two-tier m = 3, B = 9; bench/README.md). */
#define LG_BYTES_PER_STATE 420.0

/* Size check of the Lagrangian method: the MDP, the generator and its
 * transpose, and about 24 vectors of S doubles. */
static int lagrange_check_size(const accq_model_t *model, int B, const accq_optimal_options_t *opt,
                               accq_err_t *err) {
  const int K = model->ntypes;
  if (K * (B + 1) > OPT_MAX_CELLS)
    return accq_err_set(err, ACCQ_ETOOBIG, "%d types x %d levels exceed the optimal rule's "
                        "table limit of %d cells", K, B + 1, OPT_MAX_CELLS);
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) servers[k] = model->scale * model->types[k].servers;
  double count;
  int status = accq_space_count(K, servers, B, &count, err);
  if (status) return status;
  int64_t limit = opt->max_states;
  if (count > (double)limit || count > 2e9)
    return accq_err_set(err, ACCQ_ETOOBIG, "the optimal rule by the Lagrangian method at scale "
                        "%d and buffer %d has %.0f lumped states (limit %lld), about %.2f GiB "
                        "of work space; lower the scale or the buffer, or raise the state limit",
                        model->scale, B, count, (long long)limit,
                        count * LG_BYTES_PER_STATE / (1 << 30));
  return ACCQ_SUCCESS;
}

/* The workspace of S states (the MDP p built). */
static int work_alloc(work_t *w, mdp_t *p, double deadline, const accq_optimal_options_t *opt) {
  const int64_t S = p->S, nnz = p->dptr[S] + S;
  const int NL = p->maxlevel + 1;
  memset(w, 0, sizeof *w);
  w->p = p, w->deadline = deadline, w->opt = opt;
  w->Q.n = S;
  w->Q.rowptr = malloc(sizeof *w->Q.rowptr * (size_t)(S + 1));
  w->Q.col = malloc(sizeof *w->Q.col * (size_t)nnz);
  w->Q.val = malloc(sizeof *w->Q.val * (size_t)nnz);
  w->Q.diag = malloc(sizeof *w->Q.diag * (size_t)S);
  w->sub.rowptr = malloc(sizeof *w->sub.rowptr * (size_t)(S + 1));
  w->sub.col = malloc(sizeof *w->sub.col * (size_t)nnz);
  w->sub.val = malloc(sizeof *w->sub.val * (size_t)nnz);
  w->sub.diag = malloc(sizeof *w->sub.diag * (size_t)S);
  w->idx = malloc(sizeof *w->idx * (size_t)S);
  w->order = malloc(sizeof *w->order * (size_t)S);
  w->pisub = malloc(sizeof *w->pisub * (size_t)S);
  w->h = calloc((size_t)S, sizeof *w->h);
  w->b = malloc(sizeof *w->b * (size_t)S);
  w->cw = malloc(sizeof *w->cw * (size_t)(2 * NL));
  w->cr = malloc(sizeof *w->cr * (size_t)NL);
  return w->Q.rowptr && w->Q.col && w->Q.val && w->Q.diag && w->sub.rowptr && w->sub.col &&
                 w->sub.val && w->sub.diag && w->idx && w->order && w->pisub && w->h && w->b &&
                 w->cw && w->cr
             ? 0
             : -1;
}

static void work_free(work_t *w) {
  free(w->Q.rowptr), free(w->Q.col), free(w->Q.val), free(w->Q.diag);
  free(w->sub.rowptr), free(w->sub.col), free(w->sub.val), free(w->sub.diag);
  free(w->idx), free(w->order), free(w->pisub);
  free(w->h), free(w->b), free(w->cw), free(w->cr);
}

/* The search's state: the rules bracketing the multiplier (lo: D < 0, hi:
 * D >= 0), the one being improved, and the outcome. */
typedef struct {
  rule_t lo, hi, cur;
  int single;               /* lo alone is optimal (D = 0 or lambda = 0) */
  double lam_star;          /* the optimal multiplier (when !single) */
  int64_t iters;
} search_t;

/* Brackets the multiplier: from the LP bound's accuracy price, multiplied by
 * 4 until the rule minimizing the Lagrangian meets a* (s->hi); s->lo holds
 * the last rule that does not.  ACCQ_EACCINFEAS when none is found. */
static int bracket_multiplier(work_t *w, const accq_model_t *model, int B, search_t *sr,
                              accq_err_t *err) {
  const mdp_t *p = w->p;
  const int64_t S = p->S;
  const double dtol = 1e-13 * p->lambda;
  accq_lp_problem_t lp;
  accq_lp_result_t *lr = malloc(sizeof *lr);
  accq_err_t e2;
  double lam = NAN;
  if (lr && !accq_lp_problem_from_model(&lp, model, 0) &&
      !accq_lp_solve_combinatorial(&lp, lr, &e2) && lr->status == ACCQ_LP_OPTIMAL)
    lam = lr->dual_acc;
  free(lr);
  double tscale = 0;
  for (int k = 0; k < model->ntypes; k++) tscale = fmax(tscale, 1.0 / model->types[k].rate);
  if (!(lam > 0)) lam = tscale;
  for (int i = 0; i < 80; i++) {
    rule_copy(&sr->hi, &sr->lo, S);
    int status = minimize_ratio(w, &sr->hi, lam, &sr->iters, err);
    if (status) return status;
    if (sr->hi.D >= -dtol) return ACCQ_SUCCESS;
    rule_copy(&sr->lo, &sr->hi, S);
    if (lam > 1e12 * tscale * (p->maxlevel + 1)) break;
    lam *= 4;
  }
  return accq_err_set(err, ACCQ_EACCINFEAS,
                      "no dispatch rule meets the accuracy target %g at scale %d and buffer "
                      "%d among rules that admit every job while some server has room: the "
                      "most accurate rule found by the Lagrangian method (multiplier %.3g) "
                      "reaches accuracy %.9g",
                      model->accuracy_target, model->scale, B, lam, sr->lo.A / sr->lo.X);
}

/* Cutting planes: the lines l_i(lam) = a_i - lam b_i of the bracketing rules
 * meet at lam_c; the rule minimizing the Lagrangian there either touches both
 * lines (lam_c is optimal) or replaces the bracketing rule on its side. */
static int cutting_planes(work_t *w, search_t *sr, accq_err_t *err) {
  const int64_t S = w->p->S;
  const double dtol = 1e-13 * w->p->lambda;
  for (int it = 0; !sr->single && it < 100; it++) {
    rule_t *lo = &sr->lo, *hi = &sr->hi, *cur = &sr->cur;
    double lam_c = (ratio_a(lo) - ratio_a(hi)) / (ratio_b(lo) - ratio_b(hi));
    double v = ratio_a(lo) - lam_c * ratio_b(lo);
    rule_copy(cur, ratio_b(hi) < -ratio_b(lo) ? hi : lo, S);
    int status = minimize_ratio(w, cur, lam_c, &sr->iters, err);
    if (status) return status;
    double phi = ratio_a(cur) - lam_c * ratio_b(cur);
    sr->lam_star = lam_c;
    if (phi >= v - 1e-12 * (fabs(v) + 1)) break; /* both lines touch phi: lam_c optimal */
    if (fabs(cur->D) <= dtol) {
      rule_copy(lo, cur, S);
      sr->single = 1;
    } else {
      rule_copy(cur->D < 0 ? lo : hi, cur, S);
    }
  }
  return ACCQ_SUCCESS;
}

/* The multiplier search from the unconstrained optimum: sr->lo (and sr->hi
 * unless sr->single) are the final rules. */
static int search(work_t *w, const accq_model_t *model, int B, search_t *sr, accq_err_t *err) {
  const int64_t S = w->p->S;
  const double dtol = 1e-13 * w->p->lambda;
  initial_rule(w->p, model, &sr->cur);
  /* lambda = 0: the unconstrained optimum; if it meets a*, it is t_opt */
  int status = minimize_ratio(w, &sr->cur, 0.0, &sr->iters, err);
  if (status) return status;
  rule_copy(&sr->lo, &sr->cur, S);
  if (sr->cur.D >= -dtol) {
    sr->single = 1;
    return ACCQ_SUCCESS;
  }
  status = bracket_multiplier(w, model, B, sr, err);
  if (status) return status;
  if (sr->hi.D <= dtol) { /* D = 0 exactly: hi alone is optimal */
    rule_copy(&sr->lo, &sr->hi, S);
    sr->single = 1;
  }
  status = cutting_planes(w, sr, err);
  if (status) return status;
  if (!sr->single) {
    double v = ratio_a(&sr->lo) - sr->lam_star * ratio_b(&sr->lo);
    status = narrow_pair(w, &sr->lo, &sr->hi, sr->lam_star, v, err);
  }
  return status;
}

int accq_i_optimal_lagrange(const accq_model_t *m_in, int B, const accq_optimal_options_t *opt,
                            double deadline, accq_optimal_t **out, accq_err_t *err) {
  *out = NULL;
  const double t0 = lg_now();
  accq_model_t model = *m_in;
  int status = accq_lp_model_resolve(&model, err);
  if (status) return status;
  /* The shedding class needs its minimum admitted rate (without it the
   * optimum rejects almost every job and the ratio has no minimizing rule),
   * a second constraint: the LP's */
  if (opt->shed)
    return accq_err_set(err, ACCQ_EINVAL, "the Lagrangian method handles the accuracy target "
                        "alone; the shedding class (minimum admitted rate %g) needs the LP method",
                        opt->min_admitted_rate);
  status = lagrange_check_size(&model, B, opt, err);
  if (status) return status;
  const int K = model.ntypes;
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) servers[k] = model.scale * model.types[k].servers;
  accq_optimal_t *o = calloc(1, sizeof *o);
  if (!o) return accq_err_set(err, ACCQ_ENOMEM, "no memory for the optimal rule");
  o->model = model, o->buffer = B, o->ntypes = K, o->mix_action = -1;
  mdp_t p;
  memset(&p, 0, sizeof p);
  work_t w;
  memset(&w, 0, sizeof w);
  search_t sr;
  memset(&sr, 0, sizeof sr);
  status = accq_space_alloc(&o->space, K, servers, B, err);
  if (!status) status = mdp_build(&p, &model, o->space, opt->shed, err);
  if (status) goto done;
  const int64_t S = p.S;
  if (work_alloc(&w, &p, deadline, opt) || rule_alloc(&sr.lo, S) || rule_alloc(&sr.hi, S) ||
      rule_alloc(&sr.cur, S)) {
    status = accq_err_set(err, ACCQ_ENOMEM, "no memory for the Lagrangian method (%lld states)",
                          (long long)S);
    goto done;
  }
  status = search(&w, &model, B, &sr, err);
  if (status) goto fail;
  /* the mixture with D = 0: z = th z_lo + (1 - th) z_hi, as y weights */
  double wlo = 1;
  if (!sr.single) {
    double bl = ratio_b(&sr.lo), bh = ratio_b(&sr.hi);
    double th = bh / (bh - bl);
    wlo = (th / sr.lo.X) / (th / sr.lo.X + (1 - th) / sr.hi.X);
  }
  status = fill_result(o, &p, &sr.lo, sr.single ? NULL : &sr.hi, wlo, err);
  if (status) goto fail;
  o->summary.iterations = sr.iters;
  o->summary.shed = opt->shed;
  o->summary.min_admitted_rate = 0;
  o->summary.first_level = B;
  snprintf(o->summary.method, sizeof o->summary.method, "lagrange-pi");
  o->summary.seconds = lg_now() - t0;
  *out = o;
  o = NULL;
  goto done;
fail:
  if (status == ACCQ_ENOCONV && timed_out(&w))
    accq_err_set(err, ACCQ_ENOCONV, "time limit of %g s reached by the Lagrangian method at "
                 "buffer %d (%lld states) after %lld policy evaluations", opt->max_seconds, B,
                 (long long)S, (long long)w.evaluations);
done:
  rule_free(&sr.lo), rule_free(&sr.hi), rule_free(&sr.cur);
  work_free(&w);
  mdp_free(&p);
  accq_optimal_free(o);
  return status;
}
