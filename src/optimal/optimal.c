/* The occupation-measure LP of SPEC 4 (`optimal`); see include/accq/optimal.h. */
#include "accq/optimal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/lp.h"
#include "ext/accq_glpk.h"

#define OPT_MAX_CELLS 4096 /* K * (B+1) handled by the table policy's stack buffer */

struct accq_optimal {
  accq_model_t model;
  int buffer;
  int ntypes;
  accq_space_t *space;
  double *pi;               /* per rank */
  int64_t *route_ptr;       /* per rank, into routes */
  int *decision;            /* per rank: the basic action k*(B+1)+q, -1 (lose or none);
                               warm-starts the LP at B+1 */
  accq_route_t *routes;
  int64_t mix_rank;         /* the one state whose basis holds two admitting columns, */
  int mix_action;           /* and the second action there; -1: none such */
  accq_optimal_summary_t summary;
};

void accq_optimal_options_init(accq_optimal_options_t *opt) {
  opt->method = ACCQ_OPTIMAL_AUTO;
  opt->max_states = 50000;
  opt->max_seconds = 600;
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

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* One action of a state: admit to (k,q), or lose (k = -1). */
typedef struct {
  int k, q;
} action_t;

/* Actions of a state: every (k,q) with q < B and c[k][q] > 0; only when all
 * servers are full, the single action "lose".  Returns the count. */
static int state_actions(const int *c, int K, int B, action_t *act) {
  int n = 0;
  for (int k = 0; k < K; k++)
    for (int q = 0; q < B; q++)
      if (c[k * (B + 1) + q] > 0) act[n++] = (action_t){k, q};
  if (n == 0) act[n++] = (action_t){-1, B};
  return n;
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
  if (prev->decision[r] >= 0) *dec = recode(prev->decision[r], Bp, B);
  if (!above && prev->mix_action >= 0 && r == prev->mix_rank) *mix = recode(prev->mix_action, Bp, B);
}

/* Resolves *model and refuses, before anything is allocated, an LP at buffer B
 * over the limits, with its states, variables and memory in the message. */
static int check_size(accq_model_t *model, int B, const accq_optimal_options_t *opt,
                      accq_err_t *err) {
  int status = accq_lp_model_resolve(model, err);
  if (status) return status;
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
  double vars_est = count * cells + 1;
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

/* One LP at buffer B, warm-started from the rule of the LP at B-1 (prev, may
 * be NULL). */
static int solve_level(const accq_model_t *m_in, int B, const accq_optimal_options_t *opt_in,
                       const accq_optimal_t *prev, accq_optimal_t **out, accq_err_t *err) {
  int status = ACCQ_SUCCESS;
  accq_optimal_options_t opt = *opt_in;
  accq_optimal_t *o = NULL;
  int *rows = NULL, *cols = NULL;
  double *vals = NULL, *obj = NULL, *x = NULL, *rhs = NULL;
  unsigned char *kind = NULL;
  int64_t *col_ptr = NULL; /* per rank: first column */
  action_t *col_act = NULL;
  unsigned char *basic_out = NULL;
  *out = NULL;
  accq_model_t model = *m_in;
  status = check_size(&model, B, &opt, err);
  if (status) return status;
  const int K = model.ntypes;
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < K; k++) servers[k] = model.scale * model.types[k].servers;

  double t0 = now_seconds();
  o = calloc(1, sizeof *o);
  if (!o) return accq_err_set(err, ACCQ_ENOMEM, "no memory for the optimal-policy workspace");
  o->model = model;
  o->buffer = B;
  o->ntypes = K;
  status = accq_space_alloc(&o->space, K, servers, B, err);
  if (status) goto cleanup;
  const int64_t S = (int64_t)accq_space_size(o->space);
  const int cells = K * (B + 1);
  const double lambda = model.scale * model.arrival_rate;

  /* pass 1: columns per state */
  int *c = malloc(sizeof *c * cells);
  int *d = malloc(sizeof *d * cells);
  action_t *act = malloc(sizeof *act * (size_t)(K * B + 1));
  col_ptr = malloc(sizeof *col_ptr * (size_t)(S + 1));
  if (!c || !d || !act || !col_ptr) {
    free(c);
    free(d);
    free(act);
    status = accq_err_set(err, ACCQ_ENOMEM, "no memory for %lld states", (long long)S);
    goto cleanup;
  }
  int64_t ncols = 0, nnz = 0;
  for (int64_t s = 0; s < S; s++) {
    accq_space_unrank(o->space, (uint64_t)s, c);
    int na = state_actions(c, K, B, act);
    int ndep = 0;
    for (int k = 0; k < K; k++)
      for (int q = 1; q <= B; q++) ndep += c[k * (B + 1) + q] > 0;
    col_ptr[s] = ncols;
    ncols += na;
    for (int a = 0; a < na; a++) nnz += 1 + ndep + (act[a].k >= 0 ? 4 : 1);
  }
  col_ptr[S] = ncols;
  ncols += 1;   /* t */
  nnz += 1;
  const int nrows = (int)S + 3;
  const int row_norm = (int)S, row_tput = (int)S + 1, row_acc = (int)S + 2;
  rows = malloc(sizeof *rows * (size_t)nnz);
  cols = malloc(sizeof *cols * (size_t)nnz);
  vals = malloc(sizeof *vals * (size_t)nnz);
  obj = calloc((size_t)ncols, sizeof *obj);
  x = calloc((size_t)ncols, sizeof *x);
  rhs = calloc((size_t)nrows, sizeof *rhs);
  kind = calloc((size_t)nrows, sizeof *kind);
  col_act = malloc(sizeof *col_act * (size_t)ncols);
  if (!rows || !cols || !vals || !obj || !x || !rhs || !kind || !col_act) {
    free(c);
    free(d);
    free(act);
    status = accq_err_set(err, ACCQ_ENOMEM, "no memory for an LP with %lld non-zeros",
                          (long long)nnz);
    goto cleanup;
  }
  /* pass 2: the matrix */
  int64_t e = 0;
  for (int64_t s = 0; s < S; s++) {
    accq_space_unrank(o->space, (uint64_t)s, c);
    int na = state_actions(c, K, B, act);
    double dep = 0, jobs = 0;
    for (int k = 0; k < K; k++)
      for (int q = 1; q <= B; q++) {
        dep += c[k * (B + 1) + q] * model.types[k].rate;
        jobs += (double)q * c[k * (B + 1) + q];
      }
    for (int a = 0; a < na; a++) {
      int j = (int)(col_ptr[s] + a);
      col_act[j] = act[a];
      obj[j] = jobs;
      int admit = act[a].k >= 0;
      rows[e] = (int)s, cols[e] = j, vals[e++] = dep + (admit ? lambda : 0.0);
      if (admit) {
        memcpy(d, c, sizeof *d * cells);
        d[act[a].k * (B + 1) + act[a].q]--;
        d[act[a].k * (B + 1) + act[a].q + 1]++;
        rows[e] = (int)accq_space_rank(o->space, d), cols[e] = j, vals[e++] = -lambda;
      }
      for (int k = 0; k < K; k++)
        for (int q = 1; q <= B; q++) {
          int n = c[k * (B + 1) + q];
          if (!n) continue;
          memcpy(d, c, sizeof *d * cells);
          d[k * (B + 1) + q]--;
          d[k * (B + 1) + q - 1]++;
          rows[e] = (int)accq_space_rank(o->space, d), cols[e] = j;
          vals[e++] = -n * model.types[k].rate;
        }
      rows[e] = row_norm, cols[e] = j, vals[e++] = 1.0;
      if (admit) {
        rows[e] = row_tput, cols[e] = j, vals[e++] = lambda;
        rows[e] = row_acc, cols[e] = j;
        vals[e++] = model.types[act[a].k].accuracy - model.accuracy_target;
      }
    }
  }
  free(c);
  free(d);
  free(act);
  const int tcol = (int)(ncols - 1);
  col_act[tcol] = (action_t){-2, 0};
  rows[e] = row_norm, cols[e] = tcol, vals[e++] = -1.0;
  /* rows that would be empty of meaning: drop zero accuracy coefficients is not
   * needed; GLPK accepts explicit zeros only if we skip them */
  /* The balance rows sum to zero (every flow leaves one state and enters
   * another), so one is redundant: drop the row of the last state, which keeps
   * the constraint matrix of full row rank (GLPK's simplex fails on the
   * singular bases otherwise).  Explicit zeros are dropped too. */
  int64_t w = 0;
  for (int64_t i = 0; i < e; i++)
    if (vals[i] != 0.0 && rows[i] != (int)(S - 1))
      rows[w] = rows[i], cols[w] = cols[i], vals[w++] = vals[i];
  for (int i = 0; i < nrows; i++) kind[i] = ACCQ_I_ROW_EQ;
  kind[row_acc] = ACCQ_I_ROW_GE;
  rhs[row_tput] = 1.0;

  /* Starting basis: one column per state, the action of the solution at B-1
   * (see previous_basis) or else of "accurate-first SED" (the fastest expected
   * delay among servers of H that have room, else among all), plus t, the
   * accuracy row's slack (or the B-1 solution's second column in its
   * randomizing state) and the dropped row's empty slack.
   * The rule drains to the empty system from every state, so its balance
   * columns with the normalization form a nonsingular basis; GLPK's default
   * start on these degenerate LPs hit singular bases (GLP_EFAIL). */
  unsigned char *col_basic = calloc((size_t)ncols, 1), *row_basic = calloc((size_t)nrows, 1);
  if (!col_basic || !row_basic) {
    free(col_basic);
    free(row_basic);
    status = accq_err_set(err, ACCQ_ENOMEM, "no memory for the starting basis");
    goto cleanup;
  }
  int *cs = malloc(sizeof *cs * cells), *cp = malloc(sizeof *cp * (size_t)(K * B + 1));
  if (!cs || !cp) {
    free(cs);
    free(cp);
    free(col_basic);
    free(row_basic);
    status = accq_err_set(err, ACCQ_ENOMEM, "no memory for the starting basis");
    goto cleanup;
  }
  int64_t mix_col = -1;
  for (int64_t s = 0; s < S; s++) {
    int64_t best = col_ptr[s];
    double best_score = INFINITY;
    int best_h = 0;
    accq_space_unrank(o->space, (uint64_t)s, cs);
    int dec, mix;
    previous_basis(prev, cs, K, B, cp, &dec, &mix);
    for (int64_t j = col_ptr[s]; j < col_ptr[s + 1]; j++) {
      action_t a = col_act[j];
      if (a.k < 0) break;
      if (dec >= 0 && a.k * (B + 1) + a.q == dec) {
        best = j;
        break;
      }
      int h = model.types[a.k].accuracy >= model.accuracy_target;
      double score = (a.q + 1) / model.types[a.k].rate;
      if ((h && !best_h) || (h == best_h && score < best_score))
        best = j, best_score = score, best_h = h;
    }
    col_basic[best] = 1;
    /* The randomizing state of the smaller solution keeps both its columns,
     * and the accuracy row stays tight (its slack leaves the basis): the start
     * is then the smaller optimum itself, and the LP at B took about half the
     * pivots of a start from its deterministic part (bench/README.md). */
    for (int64_t j = col_ptr[s]; mix >= 0 && j < col_ptr[s + 1]; j++)
      if (col_act[j].k >= 0 && col_act[j].k * (B + 1) + col_act[j].q == mix && !col_basic[j])
        col_basic[j] = 1, mix_col = j;
  }
  free(cs);
  free(cp);
  col_basic[tcol] = 1;
  row_basic[row_acc] = mix_col < 0;
  row_basic[S - 1] = 1;

  int interior = opt.method == ACCQ_OPTIMAL_INTERIOR;
  int iterations = 0;
  basic_out = calloc((size_t)ncols, 1);
  accq_i_sparse_lp_t lp = {nrows, (int)ncols, w, rows, cols, vals, obj, kind, rhs, interior,
                           col_basic, row_basic, basic_out, opt.max_seconds, &iterations};
  double objective = NAN;
  status = accq_i_glpk_sparse_solve(&lp, x, &objective, err);
  if (status == ACCQ_ENUMERIC && mix_col >= 0) {
    /* not proven nonsingular in the larger space: fall back to the
     * deterministic start, whose basis is (see above) */
    col_basic[mix_col] = 0;
    row_basic[row_acc] = 1;
    status = accq_i_glpk_sparse_solve(&lp, x, &objective, err);
  }
  free(col_basic);
  free(row_basic);
  if (status == ACCQ_EACCINFEAS) {
    accq_err_set(err, ACCQ_EACCINFEAS,
                 "no dispatch rule meets the accuracy target %g at scale %d and buffer %d "
                 "(jobs may go to an inaccurate server only when needed, and a job is lost "
                 "only when every server is full)",
                 model.accuracy_target, model.scale, B);
    goto cleanup;
  }
  if (status) goto cleanup;

  /* recover y = z / t and the rule per state */
  double t = x[tcol];
  if (!(t > 0)) {
    status = accq_err_set(err, ACCQ_ENUMERIC, "the LP returned t = %g (1/throughput must be > 0)", t);
    goto cleanup;
  }
  o->decision = malloc(sizeof *o->decision * (size_t)S);
  o->mix_action = -1;
  if (o->decision && basic_out) {
    int64_t nbasic = 0, nmix = 0;
    for (int64_t s = 0; s < S; s++) {
      o->decision[s] = -1;
      double best = -1;
      int second = -1, nb = 0;
      for (int64_t j = col_ptr[s]; j < col_ptr[s + 1]; j++) {
        nb += basic_out[j];
        if (basic_out[j] && col_act[j].k >= 0) {
          int code = col_act[j].k * (B + 1) + col_act[j].q;
          if (x[j] > best) {
            second = o->decision[s];
            best = x[j], o->decision[s] = code;
          } else {
            second = code;
          }
        }
      }
      nbasic += nb;
      if (nb == 2 && second >= 0) nmix++, o->mix_rank = s, o->mix_action = second;
    }
    if (!(nmix == 1 && nbasic == S + 1)) o->mix_action = -1;
  }
  free(basic_out);
  basic_out = NULL;
  o->pi = calloc((size_t)S, sizeof *o->pi);
  o->route_ptr = malloc(sizeof *o->route_ptr * (size_t)(S + 1));
  o->routes = malloc(sizeof *o->routes * (size_t)(ncols));
  if (!o->pi || !o->route_ptr || !o->routes) {
    status = accq_err_set(err, ACCQ_ENOMEM, "no memory for the optimal rule");
    goto cleanup;
  }
  accq_optimal_summary_t *sm = &o->summary;
  double lost = 0, L = 0, acc = 0, total = 0;
  int64_t nr = 0;
  for (int64_t s = 0; s < S; s++) {
    o->route_ptr[s] = nr;
    double ps = 0;
    for (int64_t j = col_ptr[s]; j < col_ptr[s + 1]; j++) {
      double y = x[j] / t;
      if (y < 0) y = 0;
      x[j] = y;
      ps += y;
    }
    o->pi[s] = ps;
    total += ps;
    if (ps <= 0) continue;
    sm->positive_states++;
    int used = 0;
    for (int64_t j = col_ptr[s]; j < col_ptr[s + 1]; j++) {
      if (x[j] <= 0) continue;
      action_t a = col_act[j];
      o->routes[nr++] = (accq_route_t){a.k >= 0 ? a.k : 0, a.q, x[j] / ps};
      used++;
      if (a.k >= 0)
        acc += x[j] * model.types[a.k].accuracy;
      else
        lost += x[j];
    }
    if (used > 1) sm->randomized_states++;
  }
  o->route_ptr[S] = nr;
  {
    int *cc = malloc(sizeof *cc * cells);
    if (!cc) {
      status = accq_err_set(err, ACCQ_ENOMEM, "no memory");
      goto cleanup;
    }
    for (int64_t s = 0; s < S; s++) {
      if (o->pi[s] <= 0) continue;
      accq_space_unrank(o->space, (uint64_t)s, cc);
      for (int k = 0; k < K; k++)
        for (int q = 1; q <= B; q++) L += o->pi[s] * q * cc[k * (B + 1) + q];
    }
    free(cc);
  }
  /* balance residual of y: recompute A y with the columns scaled back */
  {
    double *r = calloc((size_t)nrows, sizeof *r);
    if (r) {
      for (int64_t i = 0; i < w; i++)
        if (cols[i] != tcol && rows[i] < (int)S) r[rows[i]] += vals[i] * x[cols[i]];
      double worst = 0, scale = lambda;
      for (int k = 0; k < K; k++) scale += servers[k] * model.types[k].rate;
      for (int64_t s = 0; s < S; s++) worst = fmax(worst, fabs(r[s]));
      sm->balance_residual = worst / scale;
      free(r);
    }
  }
  sm->t_opt = objective;
  sm->mean_jobs = L / total;
  /* the loss from the "lose" frequencies themselves: exactly 0 when the rule
   * never loses, not 1 - X/Lambda's rounding */
  sm->loss_probability = lost / total;
  sm->throughput = lambda * (1.0 - sm->loss_probability);
  sm->accuracy = acc / (total - lost);
  sm->states = S;
  sm->variables = ncols;
  sm->iterations = iterations;
  snprintf(sm->method, sizeof sm->method, "%s", interior ? "glpk-interior" : "glpk-simplex");
  sm->seconds = now_seconds() - t0;
  *out = o;
  o = NULL;

cleanup:
  accq_optimal_free(o);
  free(rows);
  free(cols);
  free(vals);
  free(obj);
  free(x);
  free(rhs);
  free(kind);
  free(col_ptr);
  free(col_act);
  free(basic_out);
  return status;
}

int accq_optimal_solve(const accq_model_t *m, int B, const accq_optimal_options_t *opt_in,
                       accq_optimal_t **out, accq_err_t *err) {
  accq_optimal_options_t opt;
  if (opt_in)
    opt = *opt_in;
  else
    accq_optimal_options_init(&opt);
  *out = NULL;
  if (B < 1) return accq_err_set(err, ACCQ_EINVAL, "buffer must be >= 1 (got %d)", B);
  /* the largest LP first: a refusal names the buffer asked for */
  accq_model_t resolved = *m;
  int st = check_size(&resolved, B, &opt, err);
  if (st) return st;
  if (opt.method == ACCQ_OPTIMAL_INTERIOR) return solve_level(m, B, &opt, NULL, out, err);
  /* Continuation in B: the LP at B is started from the optimal rule at B-1
   * (states with a server at level B start from accurate-first SED).  The new
   * states carry little probability, so few simplex iterations remain at each
   * step; a cold start at B = 8 took minutes where the continuation takes
   * about a second (bench/bench_optimal). */
  double t0 = now_seconds();
  accq_optimal_t *prev = NULL;
  int status = ACCQ_SUCCESS;
  for (int b = B >= 2 ? 2 : 1; b <= B; b++) {
    accq_optimal_t *cur = NULL;
    status = solve_level(m, b, &opt, prev, &cur, err);
    if (cur && prev) cur->summary.iterations += prev->summary.iterations;
    accq_optimal_free(prev);
    prev = cur;
    if (status) break;
  }
  if (status) {
    accq_optimal_free(prev);
    return status;
  }
  prev->summary.seconds = now_seconds() - t0;
  snprintf(prev->summary.method, sizeof prev->summary.method, "glpk-simplex");
  *out = prev;
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
