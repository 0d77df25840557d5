/* The occupation-measure LP of docs/policies.md (`optimal`); see include/accq/optimal.h. */
#include "accq/clock.h"
#include "accq/fmt.h"
#include "accq/optimal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/lp.h"
#include "accq/measures.h"
#include "ext/accq_glpk.h"
#include "optimal/optimal_internal.h"

void accq_optimal_options_init(accq_optimal_options_t *opt) {
  opt->method = ACCQ_OPTIMAL_AUTO;
  opt->max_states = 50000;
  opt->max_seconds = 300;
  opt->shed = 0;
  opt->min_admitted_rate = 0;
  opt->progress = NULL;
  opt->progress_ctx = NULL;
  opt->trace = NULL;
}

void accq_optimal_free(accq_optimal_t *o) {
  if (!o) return;
  accq_space_free(o->space);
  free(o->pi);
  free(o->route_ptr);
  free(o->routes);
  free(o->decision);
  free(o);
}

static double now_seconds(void) { return accq_clock_now(); }

/* One action of a state: admit to (k,q), or lose / reject (k = -1, q = B:
 * the chain engine counts a route to level B as a loss). */
typedef struct {
  int k, q;
} action_t;

/* Actions of a state: every (k,q) with q < B and c[k][q] > 0, then "lose":
 * only when all servers are full, or in every state for the shedding class.
 * Returns the count. */
static int state_actions(const int *c, int K, int B, int shed, action_t *act) {
  int n = 0;
  for (int k = 0; k < K; k++)
    for (int q = 0; q < B; q++)
      if (c[k * (B + 1) + q] > 0) act[n++] = (action_t){k, q};
  if (n == 0 || shed) act[n++] = (action_t){-1, B};
  return n;
}

/* An action's code in a space of K types and buffer B: k*(B+1)+q, or
 * K*(B+1) for "lose" (recode below maps it to the same code at another B). */
static int action_code(action_t a, int K, int B) { return a.k >= 0 ? a.k * (B + 1) + a.q : K * (B + 1); }

/* The clock of one accq_optimal_solve: its deadline and what the progress
 * callback is told. */
typedef struct {
  const accq_optimal_options_t *opt;
  double start, deadline;
  accq_optimal_progress_t prog;
} run_t;

static void report(run_t *run) {
  if (!run || !run->opt->progress) return;
  run->prog.seconds = now_seconds() - run->start;
  run->opt->progress(run->opt->progress_ctx, &run->prog);
}

static void on_pivots(void *ctx, int pivots) {
  run_t *run = ctx;
  run->prog.pivots = pivots;
  report(run);
}

/* An action code k*(Bp+1)+q of a space with buffer Bp, as a code of buffer B. */
static int recode(int code, int Bp, int B) { return (code / (Bp + 1)) * (B + 1) + code % (Bp + 1); }

/* What the solution at a smaller buffer Bp = prev->buffer did in a state c of
 * the B space.  A server above level Bp is seen as one at level Bp (the
 * nearest state of the smaller space).  *dec: its basic action as a code of
 * the B space, or -1 (none: the smaller rule had no basic admitting column
 * there).  *mix: the second basic action when that state is the smaller
 * solution's randomizing one and c is that very state (no server above Bp),
 * else -1.  The caller checks that the actions exist in c. */
static void previous_basis(const accq_optimal_t *prev, const int *c, int K, int B, int *cp,
                           int *dec, int *mix) {
  *dec = *mix = -1;
  if (!prev) return;
  const int Bp = prev->buffer;
  int above = 0;
  for (int k = 0; k < K; k++) {
    for (int q = 0; q < Bp; q++) cp[k * (Bp + 1) + q] = c[k * (B + 1) + q];
    cp[k * (Bp + 1) + Bp] = 0;
    for (int q = Bp; q <= B; q++) cp[k * (Bp + 1) + Bp] += c[k * (B + 1) + q];
    for (int q = Bp + 1; q <= B; q++) above += c[k * (B + 1) + q];
  }
  int64_t r = (int64_t)accq_space_rank(prev->space, cp);
  /* a reject code K*(Bp+1) recodes to K*(B+1), a reject again */
  if (prev->decision[r] >= 0) *dec = recode(prev->decision[r], Bp, B);
  if (!above && prev->mix_action >= 0 && r == prev->mix_rank) *mix = recode(prev->mix_action, Bp, B);
}

/* ---- the starting rule of a level solved without a smaller solution ----------
 * The simplex needs a start; a far one costs pivots (4,050 states: 2,349 from
 * accurate-first SED).  The start here is the greedy rule "minimize
 * (q+1)/mu_k - price (a_k - a*)" over the (k,q) with room: SED with accuracy
 * priced.  The price is z c, z the LP bound's dual price of the accuracy row,
 * and c the smallest factor (within 2^(1/16)) at which the greedy rule meets
 * a* at this buffer, found by doubling and bisection on exact chain
 * evaluations (about 12 chain solves, cheap beside the LP).  A start that
 * meets a* is primal feasible, and the smallest such price stays nearest to
 * the unconstrained SED; on that model the pivots fell to about 1,000. */
typedef struct {
  const accq_model_t *m;
  int buffer;
  double price;
} greedy_t;

static int greedy_dispatch(const void *ctx, const accq_occ_t *occ, accq_route_t *routes, int cap,
                           int *nroutes) {
  const greedy_t *g = ctx;
  if (cap < 1) return ACCQ_ERANGE;
  int bk = -1, bq = g->buffer;
  double best = INFINITY;
  for (int k = 0; k < occ->ntypes; k++)
    for (int q = 0; q < g->buffer && q <= occ->top[k]; q++) {
      if (occ->count[k][q] <= 0) continue;
      double score = (q + 1) / g->m->types[k].rate -
                     g->price * (g->m->types[k].accuracy - g->m->accuracy_target);
      if (score < best) best = score, bk = k, bq = q;
    }
  routes[0] = (accq_route_t){bk >= 0 ? bk : 0, bk >= 0 ? bq : g->buffer, 1.0};
  *nroutes = 1;
  return ACCQ_SUCCESS;
}

/* Accuracy of the greedy rule at this price: 1 meets a*, 0 not, -1 failed. */
static int greedy_meets(const accq_model_t *m, int B, double price) {
  greedy_t g = {m, B, price};
  accq_policy_t *pol = NULL;
  accq_err_t err;
  if (accq_policy_alloc_custom(&pol, "greedy", m, greedy_dispatch, &g, 1, 0, &err)) return -1;
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = B;
  accq_analysis_t a;
  int st = accq_analyze(m, pol, &ao, &a, &err);
  accq_policy_free(pol);
  if (st) return -1;
  return a.m.accuracy >= m->accuracy_target;
}

/* The start's price, or -1: accurate-first SED. */
static double start_price(const accq_model_t *m, int B, run_t *run) {
  accq_lp_problem_t p;
  accq_lp_result_t *r = malloc(sizeof *r);
  accq_err_t err;
  double z = NAN;
  if (r && !accq_lp_problem_from_model(&p, m, 0) && !accq_lp_solve_combinatorial(&p, r, &err) &&
      r->status == ACCQ_LP_OPTIMAL)
    z = r->dual_acc;
  free(r);
  if (!(z >= 0)) return -1;
  if (z == 0) return greedy_meets(m, B, 0) == 1 ? 0 : -1;
  double lo = 0, hi = -1, c = 1;
  for (int i = 0; i < 8 && hi < 0; i++, c *= 2) { /* c = 1, 2, .., 128 */
    if (run && now_seconds() > run->deadline) return -1;
    int ok = greedy_meets(m, B, z * c);
    if (ok < 0) return -1;
    if (ok)
      hi = c;
    else
      lo = c;
  }
  if (hi < 0) return -1;
  if (lo == 0) { /* met at c = 1: look below, down to 1/16 */
    for (c = 0.5; c >= 1.0 / 16; c /= 2) {
      int ok = greedy_meets(m, B, z * c);
      if (ok < 0) return -1;
      if (!ok) {
        lo = c;
        break;
      }
      hi = c;
    }
    if (lo == 0) return z * hi;
  }
  for (int i = 0; i < 4; i++) { /* geometric bisection: hi/lo = 2 -> 2^(1/16) */
    if (run && now_seconds() > run->deadline) break;
    double mid = sqrt(lo * hi);
    int ok = greedy_meets(m, B, z * mid);
    if (ok < 0) break;
    if (ok)
      hi = mid;
    else
      lo = mid;
  }
  return z * hi;
}

/* Resolves *model and refuses, before anything is allocated, an LP at buffer B
 * over the limits, with its states, variables and memory in the message. */
static int check_size(accq_model_t *model, int B, const accq_optimal_options_t *opt,
                      accq_err_t *err) {
  int status = accq_lp_model_resolve(model, err);
  if (status) return status;
  const double lambda = model->scale * model->arrival_rate;
  if (!opt->shed && opt->min_admitted_rate != 0)
    return accq_err_set(err, ACCQ_EINVAL, "a minimum admitted rate (%g) applies to the shedding "
                        "class only", opt->min_admitted_rate);
  if (!(opt->min_admitted_rate >= 0) || opt->min_admitted_rate > lambda * (1 + 1e-12))
    return accq_err_set(err, ACCQ_EINVAL, "the minimum admitted rate must be in [0, Lambda = %g] "
                        "(got %g)", lambda, opt->min_admitted_rate);
  const int K = model->ntypes;
  if (K * (B + 1) > OPT_MAX_CELLS)
    return accq_err_set(err, ACCQ_ETOOBIG, "%d types x %d levels exceed the optimal rule's "
                        "table limit of %d cells", K, B + 1, OPT_MAX_CELLS);
  int servers[ACCQ_MAX_TYPES] = {0};
  for (int k = 0; k < K; k++) servers[k] = model->scale * model->types[k].servers;
  double count;
  status = accq_space_count(K, servers, B, &count, err);
  if (status) return status;
  /* Upper bounds: a state has at most min(K*B, N) occupied cells (k,q) with
   * q < B, N servers in all, hence as many actions; a column has one entry per
   * occupied cell with q >= 1, plus at most five. */
  int total = 0;
  for (int k = 0; k < K; k++) total += servers[k];
  double cells = K * B < total ? K * B : total;
  double vars_est = count * (cells + (opt->shed ? 1 : 0)) + 1;
  double nnz_est = vars_est * (cells + 5);
  double bytes_est = nnz_est * 3 * (sizeof(int) * 2 + sizeof(double)) + vars_est * 64;
  if (count > (double)opt->max_states || nnz_est > 2e9)
    return accq_err_set(err, ACCQ_ETOOBIG,
                        "the optimal-policy LP at scale %d and buffer %d has %.0f lumped states "
                        "(limit %lld), up to %.3g variables and %.2f GiB of LP data before "
                        "factorization; lower the scale or the buffer",
                        model->scale, B, count, (long long)opt->max_states, vars_est,
                        bytes_est / (1 << 30));
  return ACCQ_SUCCESS;
}

/* The LP of one level (buffer B) in GLPK's triplet form, with what its
 * solution is read back with. */
typedef struct {
  accq_model_t model;
  int K, B, cells, shed;
  int64_t S;
  double lambda, x_min;
  int servers[ACCQ_MAX_TYPES];
  int64_t *col_ptr;         /* per rank: first column */
  action_t *col_act;
  int *rows, *cols;
  double *vals, *obj, *x, *rhs;
  unsigned char *kind, *basic_out;
  int64_t ncols, nnz;       /* nnz: after the dropped row */
  int nrows, tcol, row_norm, row_tput, row_acc, row_x;
} level_lp_t;

static void level_lp_free(level_lp_t *L) {
  free(L->rows);
  free(L->cols);
  free(L->vals);
  free(L->obj);
  free(L->x);
  free(L->rhs);
  free(L->kind);
  free(L->col_ptr);
  free(L->col_act);
  free(L->basic_out);
}

/* Pass 1: columns and non-zeros per state, and the arrays. */
static int level_lp_alloc(level_lp_t *L, const accq_space_t *sp, accq_err_t *err) {
  const int K = L->K, B = L->B;
  int c[OPT_MAX_CELLS];
  action_t act[OPT_MAX_CELLS + 1];
  L->col_ptr = malloc(sizeof *L->col_ptr * (size_t)(L->S + 1));
  if (!L->col_ptr) return accq_err_set(err, ACCQ_ENOMEM, "no memory for %lld states", (long long)L->S);
  int64_t ncols = 0, nnz = 0;
  for (int64_t s = 0; s < L->S; s++) {
    accq_space_unrank(sp, (uint64_t)s, c);
    int na = state_actions(c, K, B, L->shed, act);
    int ndep = 0;
    for (int k = 0; k < K; k++)
      for (int q = 1; q <= B; q++) ndep += c[k * (B + 1) + q] > 0;
    L->col_ptr[s] = ncols;
    ncols += na;
    for (int a = 0; a < na; a++) nnz += 1 + ndep + (act[a].k >= 0 ? 4 : 1);
  }
  L->col_ptr[L->S] = ncols;
  L->ncols = ncols + 1; /* t */
  L->nnz = nnz + 2;     /* t in the normalization and in the admitted-rate row */
  L->row_norm = (int)L->S, L->row_tput = (int)L->S + 1, L->row_acc = (int)L->S + 2;
  L->row_x = L->x_min > 0 ? (int)L->S + 3 : -1; /* x_min t <= 1, i.e. X >= x_min */
  L->nrows = (int)L->S + 3 + (L->row_x >= 0);
  L->rows = malloc(sizeof *L->rows * (size_t)L->nnz);
  L->cols = malloc(sizeof *L->cols * (size_t)L->nnz);
  L->vals = malloc(sizeof *L->vals * (size_t)L->nnz);
  L->obj = calloc((size_t)L->ncols, sizeof *L->obj);
  L->x = calloc((size_t)L->ncols, sizeof *L->x);
  L->rhs = calloc((size_t)L->nrows, sizeof *L->rhs);
  L->kind = calloc((size_t)L->nrows, sizeof *L->kind);
  L->col_act = malloc(sizeof *L->col_act * (size_t)L->ncols);
  if (!L->rows || !L->cols || !L->vals || !L->obj || !L->x || !L->rhs || !L->kind || !L->col_act)
    return accq_err_set(err, ACCQ_ENOMEM, "no memory for an LP with %lld non-zeros",
                        (long long)L->nnz);
  return ACCQ_SUCCESS;
}

/* Pass 2: the matrix, objective and rows.  max_acc: the accuracy objective. */
static void level_lp_fill(level_lp_t *L, const accq_space_t *sp, int max_acc) {
  const int K = L->K, B = L->B, cells = L->cells;
  const accq_model_t *model = &L->model;
  const double lambda = L->lambda;
  int c[OPT_MAX_CELLS], d[OPT_MAX_CELLS];
  action_t act[OPT_MAX_CELLS + 1];
  int64_t e = 0;
  for (int64_t s = 0; s < L->S; s++) {
    accq_space_unrank(sp, (uint64_t)s, c);
    int na = state_actions(c, K, B, L->shed, act);
    double dep = 0, jobs = 0;
    for (int k = 0; k < K; k++)
      for (int q = 1; q <= B; q++) {
        dep += c[k * (B + 1) + q] * model->types[k].rate;
        jobs += (double)q * c[k * (B + 1) + q];
      }
    for (int a = 0; a < na; a++) {
      int j = (int)(L->col_ptr[s] + a);
      L->col_act[j] = act[a];
      int admit = act[a].k >= 0;
      /* max_acc: minimize a* - A = -Lambda sum_adm (a_k - a*) z (A = Lambda
       * sum_adm a_k z, since Lambda sum_adm z = 1) */
      L->obj[j] = max_acc ? (admit ? -lambda * (model->types[act[a].k].accuracy -
                                                model->accuracy_target)
                                   : 0.0)
                          : jobs;
      L->rows[e] = (int)s, L->cols[e] = j, L->vals[e++] = dep + (admit ? lambda : 0.0);
      if (admit) {
        memcpy(d, c, sizeof *d * cells);
        d[act[a].k * (B + 1) + act[a].q]--;
        d[act[a].k * (B + 1) + act[a].q + 1]++;
        L->rows[e] = (int)accq_space_rank(sp, d), L->cols[e] = j, L->vals[e++] = -lambda;
      }
      for (int k = 0; k < K; k++)
        for (int q = 1; q <= B; q++) {
          int n = c[k * (B + 1) + q];
          if (!n) continue;
          memcpy(d, c, sizeof *d * cells);
          d[k * (B + 1) + q]--;
          d[k * (B + 1) + q - 1]++;
          L->rows[e] = (int)accq_space_rank(sp, d), L->cols[e] = j;
          L->vals[e++] = -n * model->types[k].rate;
        }
      L->rows[e] = L->row_norm, L->cols[e] = j, L->vals[e++] = 1.0;
      if (admit) {
        L->rows[e] = L->row_tput, L->cols[e] = j, L->vals[e++] = lambda;
        L->rows[e] = L->row_acc, L->cols[e] = j;
        L->vals[e++] = model->types[act[a].k].accuracy - model->accuracy_target;
      }
    }
  }
  L->tcol = (int)(L->ncols - 1);
  L->col_act[L->tcol] = (action_t){-2, 0};
  L->rows[e] = L->row_norm, L->cols[e] = L->tcol, L->vals[e++] = -1.0;
  if (L->row_x >= 0) L->rows[e] = L->row_x, L->cols[e] = L->tcol, L->vals[e++] = L->x_min;
  /* The balance rows sum to zero (every flow leaves one state and enters
   * another), so one is redundant: drop the row of the last state, which keeps
   * the constraint matrix of full row rank (GLPK's simplex fails on the
   * singular bases otherwise).  Explicit zeros are dropped too. */
  int64_t w = 0;
  for (int64_t i = 0; i < e; i++)
    if (L->vals[i] != 0.0 && L->rows[i] != (int)(L->S - 1))
      L->rows[w] = L->rows[i], L->cols[w] = L->cols[i], L->vals[w++] = L->vals[i];
  L->nnz = w;
  for (int i = 0; i < L->nrows; i++) L->kind[i] = ACCQ_I_ROW_EQ;
  L->kind[L->row_acc] = max_acc ? ACCQ_I_ROW_FREE : ACCQ_I_ROW_GE;
  L->rhs[L->row_tput] = 1.0;
  if (L->row_x >= 0) L->kind[L->row_x] = ACCQ_I_ROW_LE, L->rhs[L->row_x] = 1.0;
}

/* Starting basis: one column per state, the action of the solution at a
 * smaller buffer (see previous_basis) or else of "accurate-first SED" (the
 * fastest expected delay among servers of H that have room, else among all;
 * "lose" where every server is full), plus t, the accuracy row's slack (or
 * the smaller solution's second column in its randomizing state), the
 * dropped row's empty slack and the admitted-rate row's slack.
 * The rule drains to the empty system from every state, so its balance
 * columns with the normalization form a nonsingular basis; GLPK's default
 * start on these degenerate LPs hit singular bases (GLP_EFAIL).  Returns the
 * second column of the randomizing state, or -1. */
static int64_t level_lp_start(const level_lp_t *L, const accq_space_t *sp,
                              const accq_optimal_t *prev, double price, int max_acc,
                              unsigned char *col_basic, unsigned char *row_basic) {
  const int K = L->K, B = L->B;
  const accq_model_t *model = &L->model;
  int cs[OPT_MAX_CELLS], cp[OPT_MAX_CELLS];
  int64_t mix_col = -1;
  for (int64_t s = 0; s < L->S; s++) {
    int64_t best = L->col_ptr[s];
    double best_score = INFINITY;
    int best_h = 0, found = 0;
    accq_space_unrank(sp, (uint64_t)s, cs);
    int dec, mix;
    previous_basis(prev, cs, K, B, cp, &dec, &mix);
    for (int64_t j = L->col_ptr[s]; dec >= 0 && j < L->col_ptr[s + 1]; j++)
      if (action_code(L->col_act[j], K, B) == dec) {
        best = j, found = 1;
        break;
      }
    for (int64_t j = L->col_ptr[s]; !found && j < L->col_ptr[s + 1]; j++) {
      action_t a = L->col_act[j];
      if (a.k < 0) break;
      int h = model->types[a.k].accuracy >= model->accuracy_target;
      double score = (a.q + 1) / model->types[a.k].rate;
      if (price >= 0) {
        h = 0;
        score -= price * (model->types[a.k].accuracy - model->accuracy_target);
      }
      if ((h && !best_h) || (h == best_h && score < best_score))
        best = j, best_score = score, best_h = h;
    }
    col_basic[best] = 1;
    /* The randomizing state of the smaller solution keeps both its columns,
     * and the accuracy row stays tight (its slack leaves the basis): the start
     * is then the smaller optimum itself, and the LP at B took about half the
     * pivots of a start from its deterministic part (bench/README.md). */
    for (int64_t j = L->col_ptr[s]; mix >= 0 && j < L->col_ptr[s + 1]; j++)
      if (action_code(L->col_act[j], K, B) == mix && !col_basic[j]) col_basic[j] = 1, mix_col = j;
  }
  col_basic[L->tcol] = 1;
  row_basic[L->row_acc] = mix_col < 0 || max_acc;
  if (max_acc && mix_col >= 0) col_basic[mix_col] = 0, mix_col = -1;
  row_basic[L->S - 1] = 1;
  if (L->row_x >= 0) row_basic[L->row_x] = 1;
  return mix_col;
}

/* GLPK on the level's LP from the starting basis (prev, price: see
 * level_lp_start); *objective and L->x, L->basic_out on success.
 * *iterations = -1 when the time limit was spent before the LP started. */
static int level_lp_run(level_lp_t *L, const accq_space_t *sp, const accq_optimal_options_t *opt,
                        run_t *run, const accq_optimal_t *prev, int max_acc, double *objective,
                        int *iterations, accq_err_t *err) {
  unsigned char *col_basic = calloc((size_t)L->ncols, 1), *row_basic = calloc((size_t)L->nrows, 1);
  L->basic_out = calloc((size_t)L->ncols, 1);
  if (!col_basic || !row_basic || !L->basic_out) {
    free(col_basic);
    free(row_basic);
    return accq_err_set(err, ACCQ_ENOMEM, "no memory for the starting basis");
  }
  const double price = !prev && !max_acc && run ? start_price(&L->model, L->B, run) : -1;
  int64_t mix_col = level_lp_start(L, sp, prev, price, max_acc, col_basic, row_basic);
  int status = ACCQ_SUCCESS;
  double left = run ? run->deadline - now_seconds() : opt->max_seconds;
  if (left <= 0) {
    free(col_basic);
    free(row_basic);
    *iterations = -1; /* worded here */
    return accq_err_set(err, ACCQ_ENOCONV, "time limit of %g s reached before the LP at "
                        "buffer %d (%lld states) was solved", opt->max_seconds, L->B,
                        (long long)L->S);
  }
  accq_i_sparse_lp_t lp = {L->nrows, (int)L->ncols, L->nnz, L->rows, L->cols, L->vals, L->obj,
                           L->kind, L->rhs, opt->method == ACCQ_OPTIMAL_INTERIOR, col_basic,
                           row_basic, L->basic_out, left, iterations,
                           run && run->opt->progress ? on_pivots : NULL, run, 0};
  status = accq_i_glpk_sparse_solve(&lp, L->x, objective, err);
  if (status == ACCQ_ENUMERIC && mix_col >= 0) {
    /* not proven nonsingular in the larger space: fall back to the
     * deterministic start, whose basis is (see above) */
    col_basic[mix_col] = 0;
    row_basic[L->row_acc] = 1;
    lp.max_seconds = run ? run->deadline - now_seconds() : opt->max_seconds;
    if (lp.max_seconds > 0)
      status = accq_i_glpk_sparse_solve(&lp, L->x, objective, err);
    else
      status = ACCQ_ENOCONV; /* worded by the caller */
  }
  free(col_basic);
  free(row_basic);
  return status;
}

/* The basic action of each state and the randomizing state's second one
 * (warm-starts the LP at B + 1). */
static void level_lp_decisions(const level_lp_t *L, accq_optimal_t *o) {
  o->decision = malloc(sizeof *o->decision * (size_t)L->S);
  o->mix_action = -1;
  if (!o->decision || !L->basic_out) return;
  int64_t nbasic = 0, nmix = 0;
  for (int64_t s = 0; s < L->S; s++) {
    o->decision[s] = -1;
    double best = -1;
    int second = -1, nb = 0;
    for (int64_t j = L->col_ptr[s]; j < L->col_ptr[s + 1]; j++) {
      nb += L->basic_out[j];
      /* a "lose" column counts only where it is a choice (shedding class) */
      if (L->basic_out[j] && (L->col_act[j].k >= 0 || L->shed)) {
        int code = action_code(L->col_act[j], L->K, L->B);
        if (L->x[j] > best) {
          second = o->decision[s];
          best = L->x[j], o->decision[s] = code;
        } else {
          second = code;
        }
      }
    }
    nbasic += nb;
    if (nb == 2 && second >= 0) nmix++, o->mix_rank = s, o->mix_action = second;
  }
  if (!(nmix == 1 && nbasic == L->S + 1)) o->mix_action = -1;
}

/* y = z / t, the rule per state and the summary's measures (objective: the
 * LP's, t_opt). */
static int level_lp_recover(level_lp_t *L, accq_optimal_t *o, double objective, accq_err_t *err) {
  const int64_t S = L->S;
  const int K = L->K, B = L->B;
  double *x = L->x, t = x[L->tcol];
  if (!(t > 0))
    return accq_err_set(err, ACCQ_ENUMERIC, "the LP returned t = %g (1/throughput must be > 0)", t);
  level_lp_decisions(L, o);
  o->pi = calloc((size_t)S, sizeof *o->pi);
  o->route_ptr = malloc(sizeof *o->route_ptr * (size_t)(S + 1));
  o->routes = malloc(sizeof *o->routes * (size_t)(L->ncols));
  if (!o->pi || !o->route_ptr || !o->routes)
    return accq_err_set(err, ACCQ_ENOMEM, "no memory for the optimal rule");
  accq_optimal_summary_t *sm = &o->summary;
  double lost = 0, shed_mass = 0, mean = 0, acc = 0, total = 0;
  int64_t nr = 0;
  int cc[OPT_MAX_CELLS];
  for (int64_t s = 0; s < S; s++) {
    o->route_ptr[s] = nr;
    double ps = 0;
    for (int64_t j = L->col_ptr[s]; j < L->col_ptr[s + 1]; j++) ps += (x[j] = fmax(x[j] / t, 0));
    o->pi[s] = ps;
    total += ps;
    if (ps <= 0) continue;
    sm->positive_states++;
    accq_space_unrank(o->space, (uint64_t)s, cc);
    for (int k = 0; k < K; k++)
      for (int q = 1; q <= B; q++) mean += ps * q * cc[k * (B + 1) + q];
    int used = 0;
    for (int64_t j = L->col_ptr[s]; j < L->col_ptr[s + 1]; j++) {
      if (x[j] <= 0) continue;
      action_t a = L->col_act[j];
      o->routes[nr++] = (accq_route_t){a.k >= 0 ? a.k : 0, a.q, x[j] / ps};
      used++;
      if (a.k >= 0) {
        acc += x[j] * L->model.types[a.k].accuracy;
      } else {
        lost += x[j];
        if (L->col_ptr[s + 1] - L->col_ptr[s] > 1) shed_mass += x[j]; /* some server had room */
      }
    }
    if (used > 1) sm->randomized_states++;
  }
  o->route_ptr[S] = nr;
  /* balance residual of y: recompute A y with the columns scaled back */
  double *r = calloc((size_t)L->nrows, sizeof *r);
  if (r) {
    for (int64_t i = 0; i < L->nnz; i++)
      if (L->cols[i] != L->tcol && L->rows[i] < (int)S) r[L->rows[i]] += L->vals[i] * x[L->cols[i]];
    double worst = 0, scale = L->lambda;
    for (int k = 0; k < K; k++) scale += L->servers[k] * L->model.types[k].rate;
    for (int64_t s = 0; s < S; s++) worst = fmax(worst, fabs(r[s]));
    sm->balance_residual = worst / scale;
    free(r);
  }
  sm->t_opt = objective;
  sm->mean_jobs = mean / total;
  /* the loss from the "lose" frequencies themselves: exactly 0 when the rule
   * never loses, not 1 - X/Lambda's rounding */
  sm->loss_probability = lost / total;
  sm->shed_probability = shed_mass / total;
  sm->throughput = L->lambda * (1.0 - sm->loss_probability);
  sm->accuracy = acc / (total - lost);
  sm->states = S;
  sm->variables = L->ncols;
  sm->shed = L->shed;
  sm->min_admitted_rate = L->x_min;
  sm->first_level = B;
  return ACCQ_SUCCESS;
}

/* One LP at buffer B, warm-started from the rule of the LP at a smaller
 * buffer (prev, may be NULL).  With max_acc != NULL the accuracy row is
 * dropped and the LP maximizes the accuracy of admitted jobs instead
 * (*max_acc; no rule is returned): the reason when no rule meets a*. */
static int solve_level(const accq_model_t *m_in, int B, const accq_optimal_options_t *opt_in,
                       run_t *run, const accq_optimal_t *prev, double *max_acc,
                       accq_optimal_t **out, accq_err_t *err) {
  accq_optimal_options_t opt = *opt_in;
  *out = NULL;
  level_lp_t L;
  memset(&L, 0, sizeof L);
  L.model = *m_in;
  int status = check_size(&L.model, B, &opt, err);
  if (status) return status;
  L.K = L.model.ntypes, L.B = B, L.cells = L.K * (B + 1), L.shed = opt.shed;
  L.x_min = opt.shed ? opt.min_admitted_rate : 0;
  L.lambda = L.model.scale * L.model.arrival_rate;
  for (int k = 0; k < L.K; k++) L.servers[k] = L.model.scale * L.model.types[k].servers;
  double t0 = now_seconds();
  accq_optimal_t *o = calloc(1, sizeof *o);
  if (!o) return accq_err_set(err, ACCQ_ENOMEM, "no memory for the optimal-policy workspace");
  o->model = L.model;
  o->buffer = B;
  o->ntypes = L.K;
  status = accq_space_alloc(&o->space, L.K, L.servers, B, err);
  if (status) goto cleanup;
  L.S = (int64_t)accq_space_size(o->space);
  if (run) {
    run->prog.buffer = B;
    run->prog.states = L.S;
    run->prog.pivots = 0;
    run->prog.level_done = 0;
    report(run);
  }
  status = level_lp_alloc(&L, o->space, err);
  if (status) goto cleanup;
  level_lp_fill(&L, o->space, max_acc != NULL);
  int iterations = 0;
  double objective = NAN;
  status = level_lp_run(&L, o->space, &opt, run, prev, max_acc != NULL, &objective, &iterations,
                        err);
  if (iterations < 0) goto cleanup; /* the time limit, before the LP */
  if (run) run->prog.total_pivots += iterations;
  o->summary.iterations = iterations;
  if (status == ACCQ_ENOCONV && run)
    accq_err_set(err, ACCQ_ENOCONV, "time limit of %g s reached solving the LP at buffer %d "
                 "(%lld states) after %d simplex pivots there", opt.max_seconds, B,
                 (long long)L.S, iterations);
  if (status) goto cleanup;
  if (max_acc) {
    *max_acc = L.model.accuracy_target - objective;
    goto cleanup; /* no rule wanted */
  }
  status = level_lp_recover(&L, o, objective, err);
  if (status) goto cleanup;
  snprintf(o->summary.method, sizeof o->summary.method, "%s",
           opt.method == ACCQ_OPTIMAL_INTERIOR ? "glpk-interior" : "glpk-simplex");
  o->summary.seconds = now_seconds() - t0;
  *out = o;
  o = NULL;
cleanup:
  accq_optimal_free(o);
  level_lp_free(&L);
  return status;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Lower bound on the admitted rate per unit scale of every rule of the class
 * (see accq_optimal_lower_bound). */
static double admitted_rate_lower(const accq_model_t *model, int B, const accq_optimal_options_t *opt) {
  const double lambda = model->scale * model->arrival_rate;
  if (opt->shed) return opt->min_admitted_rate / model->scale;
  /* rates of all servers, ascending */
  int N = 0, total = 0;
  for (int k = 0; k < model->ntypes; k++) total += model->scale * model->types[k].servers;
  if ((double)total * B > 1e8) return 0; /* 0 is always a lower bound */
  double *rate = malloc(sizeof *rate * (size_t)total);
  if (!rate) return 0;
  for (int k = 0; k < model->ntypes; k++)
    for (int i = 0; i < model->scale * model->types[k].servers; i++) rate[N++] = model->types[k].rate;
  qsort(rate, (size_t)N, sizeof *rate, by_value);
  /* birth-death on n = 0..N B: log pi(n) - log pi(0) = sum_{i<=n} log(lambda / d(i)),
   * d(i) = the ceil(i/B) slowest rates summed; normalized in log space */
  const int top = N * B;
  double *lp = malloc(sizeof *lp * (size_t)(top + 1));
  if (!lp) {
    free(rate);
    return 0;
  }
  lp[0] = 0;
  double mx = 0, prefix = 0;
  int busy = 0;
  for (int n = 1; n <= top; n++) {
    while (busy < (n + B - 1) / B) prefix += rate[busy++];
    lp[n] = lp[n - 1] + log(lambda / prefix);
    if (lp[n] > mx) mx = lp[n];
  }
  double z = 0;
  for (int n = 0; n <= top; n++) z += exp(lp[n] - mx);
  double p_full = exp(lp[top] - mx) / z;
  free(lp);
  free(rate);
  return model->arrival_rate * (1 - p_full);
}

int accq_optimal_lower_bound(const accq_model_t *m, int B, const accq_optimal_options_t *opt_in,
                             double *t_low, double *x_low, accq_err_t *err) {
  accq_optimal_options_t opt;
  if (opt_in)
    opt = *opt_in;
  else
    accq_optimal_options_init(&opt);
  *t_low = NAN;
  *x_low = NAN;
  accq_model_t model = *m;
  int st = accq_lp_model_resolve(&model, err);
  if (st) return st;
  double xl = admitted_rate_lower(&model, B, &opt);
  /* below the first breakpoint T_LP is constant (the first ordered pair's
   * mean service): a tiny positive rate gives it */
  double xe = xl > 0 ? xl : 1e-12 * model.arrival_rate;
  accq_model_t at = model;
  at.lambda_mode = ACCQ_LAMBDA_RATE;
  at.arrival_rate = xe;
  accq_lp_problem_t p;
  accq_lp_result_t *r = malloc(sizeof *r);
  if (!r) return accq_err_set(err, ACCQ_ENOMEM, "no memory for the LP bound");
  st = accq_lp_problem_from_model(&p, &at, 0);
  if (!st) st = accq_lp_solve_combinatorial(&p, r, err);
  if (st) {
    free(r);
    return st;
  }
  *x_low = xl;
  if (r->status == ACCQ_LP_ACCURACY_INFEASIBLE) {
    free(r);
    return accq_err_set(err, ACCQ_EACCINFEAS, "the accuracy target %s exceeds every type's "
                        "accuracy", ACCQ_FMT(model.accuracy_target));
  }
  if (r->status == ACCQ_LP_CAPACITY_INFEASIBLE) {
    double lmax = r->lambda_max;
    free(r);
    if (opt.shed)
      return accq_err_set(err, ACCQ_EACCINFEAS,
                          "no rule meets the accuracy target %s with admitted rate >= %s: the "
                          "largest rate at which a* can be met is m Lambda_max(a*) = %s",
                          ACCQ_FMT(model.accuracy_target), ACCQ_FMT(opt.min_admitted_rate),
                          ACCQ_FMT(lmax * model.scale));
    return accq_err_set(err, ACCQ_EACCINFEAS,
                        "no rule that admits every job while some server has room meets the "
                        "accuracy target %g at scale %d and buffer %d: every such rule admits "
                        "at least %.6g jobs per unit time per unit scale (a birth-death bound on "
                        "the loss), above Lambda_max(a*) = %.6g, the largest rate at which a* "
                        "can be met", model.accuracy_target, model.scale, B, xl, lmax);
  }
  *t_low = r->t_lp;
  free(r);
  return ACCQ_SUCCESS;
}

/* Lumped states of the model (resolved) at buffer B; +inf when it cannot be
 * counted (the size checks then word the refusal). */
static double lumped_states(const accq_model_t *model, int B) {
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < model->ntypes; k++) servers[k] = model->scale * model->types[k].servers;
  double count;
  accq_err_t e;
  if (accq_space_count(model->ntypes, servers, B, &count, &e)) return INFINITY;
  return count;
}

static void trace_init(accq_optimal_trace_t *t) {
  memset(t, 0, sizeof *t);
  t->max_accuracy = NAN;
  t->last_t_opt = NAN;
  t->last_throughput = NAN;
}

/* The Lagrangian method at B, with the trace filled. */
static int solve_by_lagrange(const accq_model_t *resolved, int B, const accq_optimal_options_t *opt,
                             const run_t *run, accq_optimal_trace_t *trace, accq_optimal_t **out,
                             accq_err_t *err) {
  trace->first_level = B;
  trace->levels_tried = 1;
  int st = accq_i_optimal_lagrange(resolved, B, opt, run->deadline, out, err);
  if (!st) {
    trace->first_feasible = trace->last_buffer = B;
    trace->last_t_opt = (*out)->summary.t_opt;
    trace->last_throughput = (*out)->summary.throughput;
    trace->pivots = (*out)->summary.iterations;
  } else if (st == ACCQ_EACCINFEAS) {
    trace->infeasible_levels = 1;
    trace->last_infeasible = B;
  }
  trace->seconds = now_seconds() - run->start;
  return st;
}

/* Why no rule of the class meets a* at B: the most accurate rule of the class
 * there, by the same LP with the accuracy objective (within what is left of
 * the time limit), and the levels tried. */
static int infeasible_reason(const accq_model_t *m, const accq_model_t *resolved, int B,
                             const accq_optimal_options_t *opt, run_t *run,
                             accq_optimal_trace_t *trace, accq_err_t *err) {
  accq_optimal_t *none = NULL;
  accq_err_t aerr;
  double amax = NAN;
  int ast = solve_level(m, B, opt, run, NULL, &amax, &none, &aerr);
  accq_optimal_free(none);
  char why[384];
  if (ast == ACCQ_SUCCESS && amax >= resolved->accuracy_target - 1e-9)
    /* The two LPs contradict each other: a rule of the class reaches a* (the
     * accuracy LP), yet the simplex found none (seen with shedding at an
     * admitted rate within 3e-6 of the arrival rate, a* 0.93339, the only
     * type above it at 0.95): a numerical failure, not an answer. */
    return accq_err_set(err, ACCQ_ENOCONV,
                        "the simplex found no rule meeting a* = %s at buffer %d, but the most "
                        "accurate rule of the class reaches accuracy %s >= a*: the LP is too "
                        "ill-conditioned here for GLPK's tolerances; no answer",
                        ACCQ_FMT(resolved->accuracy_target), B, ACCQ_FMT(amax));
  if (ast == ACCQ_SUCCESS) {
    trace->max_accuracy = amax;
    snprintf(why, sizeof why, "the most accurate such rule reaches accuracy %s < a* = %s",
             ACCQ_FMT(amax), ACCQ_FMT(resolved->accuracy_target));
  } else if (ast == ACCQ_EACCINFEAS && opt->shed) {
    snprintf(why, sizeof why, "no rule of the class admits a rate >= %g at this buffer, "
             "whatever its accuracy", opt->min_admitted_rate);
  } else {
    snprintf(why, sizeof why, "the largest accuracy such a rule reaches was not computed: %s",
             ast == ACCQ_ENOCONV ? "time limit" : accq_strerror(ast));
  }
  char tried[160];
  if (trace->first_feasible)
    snprintf(tried, sizeof tried, "buffers %d..%d tried; a* is met at buffer %d (first) and "
             "%d (last)", trace->first_level, B, trace->first_feasible, trace->last_buffer);
  else if (B > trace->first_level)
    snprintf(tried, sizeof tried, "buffers %d..%d tried, none feasible", trace->first_level, B);
  else
    snprintf(tried, sizeof tried, "buffer %d tried", B);
  if (opt->shed)
    return accq_err_set(err, ACCQ_EACCINFEAS,
                        "no dispatch rule meets the accuracy target %s with admitted rate >= "
                        "%s at scale %d and buffer %d (rules that may reject a job in any "
                        "state): %s (%s)", ACCQ_FMT(resolved->accuracy_target),
                        ACCQ_FMT(opt->min_admitted_rate), resolved->scale, B, why, tried);
  return accq_err_set(err, ACCQ_EACCINFEAS,
                      "no dispatch rule meets the accuracy target %s at scale %d and buffer "
                      "%d among rules that admit every job while some server has room: %s "
                      "(%s)", ACCQ_FMT(resolved->accuracy_target), resolved->scale, B, why, tried);
}

/* Continuation in B: the LP at b is started from the optimal rule at the
 * last feasible level below b (states with a server above that level start
 * from accurate-first SED).  The new states carry little probability, so few
 * simplex iterations remain at each step; a cold start at B = 8 took minutes
 * where the continuation takes about a second (bench/bench_optimal).  Levels
 * where no rule of the class meets a* are skipped: without shedding a rule
 * must admit every job while some server has room, so at a small buffer the
 * inaccurate servers take too many (two-tier at load 0.67: infeasible up
 * to B = 5, feasible from 6); feasibility need not even be monotone in B.
 * With shedding it is (a rule at b is one at b+1 that rejects where the
 * smaller one loses). */
static int solve_continuation(const accq_model_t *m, const accq_model_t *resolved, int B,
                              const accq_optimal_options_t *opt, run_t *run,
                              accq_optimal_trace_t *trace, accq_optimal_t **out,
                              accq_err_t *err) {
  accq_optimal_t *prev = NULL;
  int status = ACCQ_SUCCESS;
  trace->first_level = B >= 2 ? 2 : 1;
  for (int b = trace->first_level; b <= B; b++) {
    accq_optimal_t *cur = NULL;
    accq_err_t lerr;
    accq_err_clear(&lerr);
    trace->levels_tried++;
    status = solve_level(m, b, opt, run, prev, NULL, &cur, &lerr);
    if (status == ACCQ_EACCINFEAS && prev && b == B) {
      /* the verdict "no rule meets a*" ends the command: not from a warm
       * start alone (the simplex's phase 1 works to tolerances, and a start
       * far from the feasible set can end short of it) */
      accq_err_clear(&lerr);
      status = solve_level(m, b, opt, run, NULL, NULL, &cur, &lerr);
    }
    run->prog.level_done = 1;
    run->prog.level_status = status;
    if (status == ACCQ_SUCCESS || status == ACCQ_EACCINFEAS) report(run);
    if (status == ACCQ_EACCINFEAS) {
      trace->infeasible_levels++;
      trace->last_infeasible = b;
      if (b < B) continue; /* keep prev: the last feasible level's rule */
      *err = lerr;
      break;
    }
    if (status) {
      *err = lerr;
      break;
    }
    accq_optimal_free(prev);
    prev = cur;
    if (!trace->first_feasible) trace->first_feasible = b;
    trace->last_buffer = b;
    trace->last_t_opt = cur->summary.t_opt;
    trace->last_throughput = cur->summary.throughput;
  }
  trace->pivots = run->prog.total_pivots;
  trace->seconds = now_seconds() - run->start;
  if (status == ACCQ_EACCINFEAS) status = infeasible_reason(m, resolved, B, opt, run, trace, err);
  if (status) {
    accq_optimal_free(prev);
    return status;
  }
  prev->summary.iterations = trace->pivots;
  prev->summary.seconds = trace->seconds;
  prev->summary.first_level = trace->first_feasible;
  snprintf(prev->summary.method, sizeof prev->summary.method, "glpk-simplex");
  *out = prev;
  return ACCQ_SUCCESS;
}

int accq_optimal_evaluate(const accq_optimal_t *o, const accq_model_t *m, int B,
                          accq_analysis_t *out, accq_err_t *err) {
  accq_policy_t *pol = NULL;
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = B;
  ao.solver.tol = 1e-14;
  int st = accq_optimal_policy(o, m, &pol, err);
  if (!st) st = accq_analyze(m, pol, &ao, out, err);
  accq_policy_free(pol);
  return st;
}

/* `auto` by the LP: its t_opt should agree with its rule's evaluation by the
 * chain engine to 1e-8 (GLPK's tolerances, src/ext/glpk.c).  On stiff spaces
 * it may not (3.3e-8 and 4.3e-6 seen on random two-type models with states of
 * probability 1e-15): then the Lagrangian method, whose t_opt is its own
 * rule's evaluation, answers instead when it finishes within the time left
 * and its rule does no worse than the LP's; otherwise the LP's answer stands
 * (accq optimal then warns of the difference). */
static void auto_check(const accq_model_t *m, int B, const accq_optimal_options_t *opt,
                       const run_t *run, accq_optimal_trace_t *trace, accq_optimal_t **out) {
  accq_analysis_t a;
  accq_err_t e;
  const double t = (*out)->summary.t_opt,
               et = accq_optimal_evaluate(*out, m, B, &a, &e) ? NAN : a.m.mean_response_time;
  if (!(fabs(et - t) > 1e-8 * t)) return; /* agrees (or no evaluation: the CLI says so) */
  accq_model_t resolved = *m;
  accq_optimal_t *lg = NULL;
  if (accq_lp_model_resolve(&resolved, &e) ||
      accq_i_optimal_lagrange(&resolved, B, opt, run->deadline, &lg, &e) ||
      !(lg->summary.t_opt <= et * (1 + 1e-9))) {
    accq_optimal_free(lg);
    return;
  }
  accq_optimal_free(*out);
  *out = lg;
  trace->last_t_opt = lg->summary.t_opt;
  trace->last_throughput = lg->summary.throughput;
  trace->seconds = now_seconds() - run->start;
}

int accq_optimal_solve(const accq_model_t *m, int B, const accq_optimal_options_t *opt_in,
                       accq_optimal_t **out, accq_err_t *err) {
  accq_optimal_options_t opt;
  if (opt_in)
    opt = *opt_in;
  else
    accq_optimal_options_init(&opt);
  accq_optimal_trace_t trace_local, *trace = opt.trace ? opt.trace : &trace_local;
  trace_init(trace);
  *out = NULL;
  if (B < 1) return accq_err_set(err, ACCQ_EINVAL, "buffer must be >= 1 (got %d)", B);
  if (!(opt.max_seconds > 0))
    return accq_err_set(err, ACCQ_EINVAL, "the time limit must be > 0 s (got %g)", opt.max_seconds);
  accq_model_t resolved = *m;
  int st;
  if (opt.method == ACCQ_OPTIMAL_LAGRANGE ||
      (opt.method == ACCQ_OPTIMAL_AUTO && !opt.shed)) {
    st = accq_lp_model_resolve(&resolved, err);
    if (st) return st;
  }
  const int lagrange = opt.method == ACCQ_OPTIMAL_LAGRANGE ||
                       (opt.method == ACCQ_OPTIMAL_AUTO && !opt.shed &&
                        lumped_states(&resolved, B) > ACCQ_OPTIMAL_AUTO_LP_STATES);
  /* the largest LP first: a refusal names the buffer asked for */
  if (!lagrange) {
    resolved = *m;
    st = check_size(&resolved, B, &opt, err);
    if (st) return st;
  }
  run_t run = {&opt, now_seconds(), 0, {0}};
  run.deadline = run.start + opt.max_seconds;
  run.prog.target_buffer = B;
  /* a cheap proof that no rule of the class meets a* at B (the admitted-rate
   * bound above Lambda_max(a*)) spares the LPs */
  {
    double tl, xl;
    accq_err_t e2;
    st = accq_optimal_lower_bound(&resolved, B, &opt, &tl, &xl, &e2);
    if (st == ACCQ_EACCINFEAS) {
      *err = e2;
      return st;
    }
  }
  if (lagrange) return solve_by_lagrange(&resolved, B, &opt, &run, trace, out, err);
  if (opt.method == ACCQ_OPTIMAL_INTERIOR) {
    trace->first_level = B;
    trace->levels_tried = 1;
    st = solve_level(m, B, &opt, &run, NULL, NULL, out, err);
    if (!st) {
      trace->first_feasible = trace->last_buffer = B;
      trace->last_t_opt = (*out)->summary.t_opt;
      trace->last_throughput = (*out)->summary.throughput;
    }
    trace->seconds = now_seconds() - run.start;
    return st;
  }
  st = solve_continuation(m, &resolved, B, &opt, &run, trace, out, err);
  if (st || opt.method != ACCQ_OPTIMAL_AUTO || opt.shed) return st;
  auto_check(m, B, &opt, &run, trace, out);
  return ACCQ_SUCCESS;
}

void accq_optimal_summary(const accq_optimal_t *o, accq_optimal_summary_t *s) { *s = o->summary; }

const accq_space_t *accq_optimal_space(const accq_optimal_t *o) { return o->space; }

double accq_optimal_state(const accq_optimal_t *o, uint64_t rank, const accq_route_t **routes,
                          int *nroutes) {
  *routes = o->routes + o->route_ptr[rank];
  *nroutes = (int)(o->route_ptr[rank + 1] - o->route_ptr[rank]);
  return o->pi[rank];
}

/* Table-driven dispatch: rank the occupancy, copy the state's routes.  States
 * outside the rule's recurrent class are never reached from the empty system
 * (inflow into a state with zero frequency is zero), so they need no rule; if
 * asked anyway, the job goes to the least-loaded (k,q) in SED order. */
static int optimal_dispatch(const void *ctx, const accq_occ_t *occ, accq_route_t *routes, int cap,
                            int *nroutes) {
  const accq_optimal_t *o = ctx;
  const int K = o->ntypes, B = o->buffer;
  int flat[OPT_MAX_CELLS] = {0};
  for (int k = 0; k < K; k++)
    for (int q = 0; q <= B; q++) flat[k * (B + 1) + q] = q <= occ->top[k] ? occ->count[k][q] : 0;
  uint64_t r = accq_space_rank(o->space, flat);
  const accq_route_t *src;
  int n;
  accq_optimal_state(o, r, &src, &n);
  if (n == 0) {
    int bk = 0, bq = B;
    double best = INFINITY;
    for (int k = 0; k < K; k++)
      for (int q = 0; q < B; q++)
        if (flat[k * (B + 1) + q] > 0 && (q + 1) / o->model.types[k].rate < best)
          best = (q + 1) / o->model.types[k].rate, bk = k, bq = q;
    if (cap < 1) return ACCQ_ERANGE;
    routes[0] = (accq_route_t){bk, bq, 1.0};
    *nroutes = 1;
    return ACCQ_SUCCESS;
  }
  if (n > cap) return ACCQ_ERANGE;
  memcpy(routes, src, sizeof *routes * (size_t)n);
  *nroutes = n;
  return ACCQ_SUCCESS;
}

int accq_optimal_policy(const accq_optimal_t *o, const accq_model_t *m, accq_policy_t **pol,
                        accq_err_t *err) {
  return accq_policy_alloc_custom(pol, "optimal", m, optimal_dispatch, o,
                                  o->ntypes * o->buffer + 1, 1, err);
}
