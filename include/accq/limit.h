/* The mean-field (m -> infinity) limit of a dispatch policy: the fixed point of
 * its fluid dynamics, and the measures at that fixed point.
 *
 * State.  For each type k, s_k[q] (q = 0, 1, 2, ...) is the fraction of the
 * type-k servers holding at least q jobs: s_k[0] = 1 >= s_k[1] >= ... >= 0.
 * The fractions are normalized PER TYPE (s_k[1] is type k's utilization); the
 * count per unit of scale is n_k s_k[q].  Levels are truncated at Q (s_k[Q+1]
 * = 0, a job that would go beyond is lost); Q grows automatically until the
 * tail Q max_k s_k[Q] is below 1e-14.
 *
 * Dynamics (proofs/mean-field.md): with r_k[q] the arrival rate per unit of
 * scale that joins type-k servers holding q jobs,
 *
 *   d s_k[q]/dt = ( r_k[q-1] - mu_k n_k (s_k[q] - s_k[q+1]) ) / n_k,  q >= 1.
 *
 * pod:D and random-lp give smooth r.  The rules that send to idle servers (or,
 * more generally, to the best available (type, level) class) while any exist
 * (rjiq, pop, jiq, jfiq, accurate-jiq, jsq, sed) are discontinuous where a
 * class runs empty; the limit there is the sliding (Filippov) solution: an empty
 * class that the rule prefers absorbs exactly the rate at which servers enter
 * it (departures from the level above), and the rest of the arrivals go on to
 * the next choice of the rule.
 *
 * Solving.  The ODE is integrated from the empty state with GSL's odeiv2 on a
 * regularized drift (an empty class absorbs its inflow plus kappa times its
 * mass: continuous, with the same fixed points); once the drift is small the
 * fixed point is polished with GSL's multiroot (hybridsj) on the exact sliding
 * drift restricted to the face of empty classes (a banded Newton for the smooth
 * rules; for POP with two interacting idle boundaries the routing is averaged
 * over the stationary law of the two idle counters), its residual is measured on
 * the full exact drift, and its local stability is the spectral abscissa of the
 * Jacobian on that face (GSL nonsymmetric eigenvalues).
 *
 *   accq_limit_options_t opt;  accq_limit_options_init(&opt);
 *   accq_limit_t *w;
 *   if (accq_limit_alloc(&w, &model, "pop", &opt, &err)) ...;
 *   int st = accq_limit_solve(w, &err);      // 0, or a status with err set
 *   const accq_limit_result_t *r = accq_limit_result(w);
 *   ... r->et, r->gap, accq_limit_level(w, k, q) ...
 *   accq_limit_free(w);
 */
#ifndef ACCQ_LIMIT_H
#define ACCQ_LIMIT_H

#include <stdio.h>

#include "accq/model.h"
#include "accq/policy.h"

typedef struct {
  accq_policy_options_t policy; /* rjiq slack, pod D (overridden by "rjiq:E", "pod:D") */
  int q_init;          /* first truncation level (default 16) */
  int q_max;           /* largest truncation (default 2048); beyond: ACCQ_ETOOBIG */
  double tail_tol;     /* required tail Q max_k s_k[Q] at the fixed point (default 1e-14) */
  double residual_tol; /* required residual (see accq_limit_result_t; default 1e-12) */
  double t_max;        /* longest fluid time integrated, in units of 1/min_k mu_k (default 1e6) */
  int stability;       /* compute the spectral abscissa (default 1) */
  int max_dim_eigen;   /* skip the eigenvalues beyond this face dimension (default 600):
                          the abscissa is then NaN, "not computed" */
  int max_dim_newton;  /* dense polish (sliding rules) up to this many unknowns on the
                          face (default 600), beyond: ACCQ_ETOOBIG.  The smooth rules
                          (random-lp, pod) use a banded Newton at any size. */
  int trajectory;      /* record the trajectory of the ODE (default 0) */
  double max_seconds;  /* wall-clock limit of one accq_limit_solve (default 60 s); beyond:
                          ACCQ_ENOCONV naming the stage and the residual reached (rates
                          that differ by many orders make the fluid ODE stiff) */
} accq_limit_options_t;

void accq_limit_options_init(accq_limit_options_t *opt);

typedef struct {
  int status;                    /* ACCQ_SUCCESS, or the code solve returned */
  char reason[ACCQ_ERR_MSG_MAX];  /* why, when status != 0 ("" when ok) */
  double lambda;                 /* Lambda per unit of scale */
  int levels;                    /* Q, the truncation of the reported fixed point */
  double et;                     /* E[T] = sum_k n_k sum_{q>=1} s_k[q] / Lambda (Little) */
  double mean_jobs;              /* L = sum_k n_k sum_{q>=1} s_k[q], per unit of scale */
  double accuracy;               /* sum_k a_k X_k / Lambda */
  double p_wait;                 /* fraction of arrivals that join a busy server */
  double t_lp;                   /* LP bound at Lambda (NaN when infeasible) */
  double gap;                    /* et / t_lp - 1 (NaN when no bound) */
  double utilization[ACCQ_MAX_TYPES]; /* s_k[1] */
  double throughput[ACCQ_MAX_TYPES];  /* X_k = mu_k n_k s_k[1], per unit of scale */
  double residual;               /* max_k,q |ds_k[q]/dt| / mu_k, the exact sliding drift at
                                    the fixed point, each type against its own rate
                                    (dimensionless: bounds the error of s_k[q] type by type,
                                    however far apart the rates are) */
  double flow_residual;          /* |sum_k X_k - Lambda| / Lambda */
  double et_error;               /* a-posteriori error estimate of et: |change of E[T]| one
                                    more Newton step would make (near capacity a tiny residual
                                    is amplified by the slowest relaxation; this shows it) */
  double tail;                   /* Q max_k s_k[Q]: about what the truncation at Q changes in
                                    the mean queue per server (M/M/1/Q against M/M/1) */
  double abscissa;               /* max Re(eigenvalue) of the Jacobian on the face (NaN: not computed) */
  int face;                      /* number of empty classes the solution slides on */
  int dimension;                 /* unknowns of the polish */
  double ode_time;               /* fluid time integrated */
  long ode_steps;                /* odeiv2 steps */
  int newton_iterations;
  double seconds;                /* wall time of solve */
} accq_limit_result_t;

typedef struct accq_limit accq_limit_t;

/* Builds the workspace for policy `spec` (the names of accq_policy_alloc; the
 * table policy is refused) on a model at its resolved arrival rate (a model in
 * load mode is resolved here on a copy).  The system size m (scale) is
 * irrelevant: everything is per unit of scale.  Errors: ACCQ_EUSAGE unknown
 * policy, ACCQ_EACCINFEAS / ACCQ_ECAPINFEAS / ACCQ_EUNSTABLE as accq_policy_alloc,
 * ACCQ_EINVAL bad options, ACCQ_ENOMEM. */
int accq_limit_alloc(accq_limit_t **w, const accq_model_t *m, const char *spec,
                     const accq_limit_options_t *opt, accq_err_t *err);
void accq_limit_free(accq_limit_t *w);

/* Finds the fixed point reached from the empty state and fills the result.
 * Returns ACCQ_SUCCESS, or
 *   ACCQ_EUNSTABLE  no stable fixed point: Lambda at or beyond the capacity the
 *                   policy can use (total capacity; Lambda_max(a*) for the
 *                   policies that meet a*; H's capacity for accurate-jiq; a
 *                   saturated split for rjiq/random-lp), or a fixed point whose
 *                   Jacobian has an eigenvalue with positive real part;
 *   ACCQ_ENOCONV    the ODE did not settle within t_max, the polish failed, the
 *                   time limit (max_seconds) passed, or E[T]'s error estimate
 *                   is above 1e-9 relative;
 *   ACCQ_ETOOBIG    the tail needs more than q_max levels;
 *   ACCQ_ENUMERIC   POP with interacting idle boundaries that accq does not
 *                   reduce: three or more types, or two whose joint idle-counter
 *                   process (solved as a QBD) has too slow a tail or is not
 *                   positive recurrent (proofs/mean-field.md).
 * On failure the result holds the status and the reason and no measure (NaN).
 * Cost: the ODE, O(steps * K * Q) (O(K Q + pairs) per drift evaluation), plus
 * the polish O(n^3) and the eigenvalues O(n^3) for the n unknowns of the face
 * (n <= K Q, usually far less). */
int accq_limit_solve(accq_limit_t *w, accq_err_t *err);

const accq_limit_result_t *accq_limit_result(const accq_limit_t *w);

/* s_k[q] at the fixed point (1 for q = 0, 0 beyond the truncation); NaN when
 * not solved.  The queue-length distribution of type k is s_k[q] - s_k[q+1]. */
double accq_limit_level(const accq_limit_t *w, int k, int q);

/* Arrival rate per unit of scale that joins type-k servers at level q at the
 * fixed point (the sliding routing); sum_{k,q} = Lambda. */
double accq_limit_route(const accq_limit_t *w, int k, int q);

/* The recorded trajectory (opt.trajectory): CSV with a header,
 * t,mean_jobs,et,<type>.s1,<type>.s2,<type>.s3,<type>.mean_queue...
 * at geometrically spaced times from the empty state.  ACCQ_EIO on a write error. */
int accq_limit_trajectory_write(const accq_limit_t *w, FILE *f, accq_err_t *err);
int accq_limit_trajectory_points(const accq_limit_t *w);

/* Draws E[T](t) = L(t)/Lambda along the recorded trajectory (opt.trajectory)
 * and the fixed point's E[T] with gnuplot (.png, .svg, .pdf by the extension
 * of path).  ACCQ_EINVAL when no trajectory was recorded, ACCQ_EIO when
 * gnuplot is missing or fails. */
int accq_limit_plot_trajectory(const accq_limit_t *w, const char *path, accq_err_t *err);

/* Draws E[T] of npol policies over a parameter (et[p * n + i] at x[i], NaN
 * where there is none) and T_LP (t_lp[i]) with gnuplot.  ACCQ_EIO as above. */
int accq_limit_plot_vary(const char *title, const char *param, const double *x, int n,
                         const char *const *names, int npol, const double *et,
                         const double *t_lp, const char *path, accq_err_t *err);

/* The policy's canonical name ("pod:2"). */
const char *accq_limit_policy_name(const accq_limit_t *w);

/* Convenience for callers that want one number (verify claims 3-4): solves
 * the limit of `spec` on m and returns E[T] and the gap to T_LP.  Same statuses
 * as accq_limit_solve. */
int accq_limit_et(const accq_model_t *m, const char *spec, double *et, double *gap,
                  accq_err_t *err);

#endif
