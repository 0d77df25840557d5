/* Measures of SPEC section 6 from a stationary distribution, and the analysis
 * driver that goes model -> policy -> chain -> pi -> measures (with `buffer =
 * auto`). */
#ifndef ACCQ_MEASURES_H
#define ACCQ_MEASURES_H

#include "accq/chain.h"
#include "accq/stationary.h"

typedef struct {
  double lambda;                    /* offered m Lambda */
  double throughput_total;          /* X = Lambda (1 - P_loss) */
  double loss_probability;
  double mean_jobs;                 /* L */
  double mean_response_time;        /* E[T] = L / X */
  double accuracy;                  /* sum a_k X_k / X */
  double p_wait;                    /* P(admitted job finds its server busy) */
  double throughput[ACCQ_MAX_TYPES];/* X_k */
  double utilization[ACCQ_MAX_TYPES];/* E[busy_k] / N_k */
  double p50, p90, p95, p99;        /* response-time percentiles (exp. service) */
  double boundary_mass;             /* P(some server holds B jobs) */
  double t_lp;                      /* LP bound at X per unit scale (NaN if infeasible) */
  double gap;                       /* E[T] / t_lp - 1 */
  /* diagnostics */
  double flow_balance_error;        /* max_k |X_k - mu_k E[busy_k]| / X */
  double little_tail_error;         /* |int_0^inf P(T>t) dt - E[T]| / E[T] */
  double tail_integral;             /* int_0^inf P(T>t) dt by quadrature (GSL qag+qagiu) */
} accq_measures_t;

/* Measures of policy `pol` on chain c (lumped or explicit) with stationary pi
 * (c->nstates entries, caller-owned; normalized to its sum).  One pass calls
 * accq_policy_dispatch on every state (ACCQ_LEVEL_ANY expanded to c[k][q]/N_k)
 * and aggregates the route weights per (k, q); the percentiles (Brent) and
 * the tail quadrature then work on those K*B weights only.  t_lp is the LP at
 * X / scale (NaN, and gap NaN, when infeasible there).  Errors: ACCQ_ENOMEM;
 * a dispatch failure; ACCQ_ENOCONV when a percentile or the quadrature does
 * not converge (every field still filled with the best estimate).
 * Cost O(states * (K (B+1) + routes)) + O(K B) per tail evaluation
 * (measured: ~1.1 us per state, 1.9 s for 1.75e6 states, bench_measures). */
int accq_measures_compute(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, accq_measures_t *out, accq_err_t *err);

/* P(T > t) for an admitted job (Erlang mixture, GSL incomplete gamma;
 * proofs/tail-formula.md).  NaN on allocation failure.  O(states) per call:
 * it rebuilds the mixture (use the percentiles of accq_measures_compute for
 * repeated use). */
double accq_measures_tail(const accq_chain_t *c, const accq_policy_t *pol,
                          const double *pi, double t);

typedef struct {
  accq_chain_options_t chain;
  accq_stationary_options_t solver;
  int buffer;             /* B to use; 0 = the model's (auto grows B) */
  double auto_mass;       /* auto: boundary mass target (1e-9) */
  double auto_rel;        /* auto: relative change of E[T] target (1e-9) */
  int auto_max_buffer;    /* auto: stop growing here (default 200) */
  int explicit_chain;     /* use the explicit chain (cross-check) */
  int keep_chain;         /* keep the last chain and pi in the result (default 0;
                             for --export-mtx and --spectrum); release with
                             accq_analysis_release */
} accq_analysis_options_t;

typedef struct {
  accq_measures_t m;
  accq_stationary_stats_t solver;
  int buffer;             /* B used */
  int64_t states, transitions;
  uint64_t product_states;
  int auto_converged;     /* auto buffer reached its targets (1) or stopped (0) */
  double auto_change;     /* last relative change of E[T] when B grew */
  char warning[256];      /* non-empty when something is worth telling */
  int auto_steps;         /* buffers tried by auto (1 when B was given) */
  accq_chain_t *chain;    /* with keep_chain: the chain of the result, else NULL */
  double *pi;             /* with keep_chain: its stationary distribution */
} accq_analysis_t;

/* Frees the chain and pi kept by keep_chain (NULL-safe, idempotent). */
void accq_analysis_release(accq_analysis_t *a);

void accq_analysis_options_init(accq_analysis_options_t *opt);

/* Full analysis of one policy on one model (at its scale): resolves the
 * arrival rate (load mode), builds the lumped (or explicit) chain at buffer
 * opt->buffer, else the model's, else `auto`: B grows (4, 6, then steps
 * extrapolated from the geometric decay of the boundary mass, at most doubling)
 * until boundary mass <= auto_mass and the relative change of E[T] from the
 * previous B <= auto_rel; when the state limit (ETOOBIG) or auto_max_buffer
 * stops it first, or the decay of the mass predicts a B beyond
 * auto_max_buffer (then B jumps to auto_max_buffer only if that chain has at
 * most 1e6 product states), the last result is kept, auto_converged = 0 and
 * `warning` says where it stopped (status still ACCQ_SUCCESS).  A stationary solve or a
 * percentile that does not converge returns ACCQ_ENOCONV with the best
 * estimate filled in (out->solver.residual says how far).  ETOOBIG when even
 * the first chain is over the limits.  Cost: one chain build and solve per B. */
int accq_analyze(const accq_model_t *m, const accq_policy_t *pol,
                 const accq_analysis_options_t *opt, accq_analysis_t *out,
                 accq_err_t *err);

#endif
