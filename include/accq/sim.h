/* The discrete-event simulator of docs/simulator.md.
 *
 * The same system as the chains (docs/model.md) at any scale m, dispatched by the
 * policy module's own dispatch function (no second implementation of any
 * policy): each arrival asks accq_policy_dispatch for its routes (type k,
 * level q) given the current per-type occupancy, draws one route, then draws a
 * server of type k at level q uniformly (ACCQ_LEVEL_ANY: a uniformly random
 * server of type k).  Servers serve FCFS; service times have mean 1/mu_k and
 * the model's distribution (exp, det, erlang:K, hyperexp:SCV, lognormal:SCV).
 * Infinite buffers by default; a finite B mirrors a chain (a job dispatched to
 * a server holding B jobs is lost and counted).
 *
 * Arrivals: Poisson at m Lambda, or the model's [arrivals] process (piecewise,
 * sinusoid, mmpp, trace), each sampled exactly (accq/arrivals.h,
 * docs/simulator.md); the load checks, the default run length and the
 * result's lambda and t_lp then use its long-run rate m Lambda-bar.
 * rjiq:est=ewma:TAU re-solves its split per replication at an online
 * estimate of the rate (docs/simulator.md).
 *
 * Stability first: with infinite buffers the offered load is compared with
 * what the policy can serve before anything is simulated (a Lambda-aware
 * split, rjiq and random-lp: m Lambda p_k against m n_k mu_k per type;
 * accurate-jiq: the capacity of the types that meet a*; the others: the total
 * capacity); at or beyond it the run is refused with ACCQ_EUNSTABLE.  During
 * the run a backlog that grows over the measured window in every replication
 * is refused the same way.
 *
 * Start: a random-lp run with exponential service starts in its exact
 * stationary law (every server an independent M/M/1 (or M/M/1/B) fed at
 * m Lambda p_k / (m n_k): a geometric queue length each) with its first
 * arrival at time 0, so that every arrival sees that law (PASTA), and needs
 * no warm-up or truncation; every other run starts empty (field `start`).
 *
 * Run length: per replication, a warm-up is discarded, then the next `jobs`
 * arrivals are the measured window (the "tagged" jobs).  Defaults (jobs and
 * warmup < 0): jobs = max(1e5, 20 N) x (1 + (f - 1) min(1, 200/N)), f =
 * min(4, max(1, 0.2/(1 - rho))), for N servers at the load rho above (f = 1
 * up to rho = 0.8, 2 at 0.9, 4 from 0.95: a window of a few relaxation
 * times, which grow like 1/(1 - rho)^2, gives right-skewed replication
 * means; averaging over many servers does the same job, hence the damping
 * with N), rounded up to a multiple of 1,000; the warm-up is adaptive:
 * at least max(jobs/10, 20 N) arrivals (20 per server on average), then it
 * goes on, in blocks of a quarter of that, until the time-average number in
 * system over the last half of the warm-up exceeds the one over the quarter
 * before it by no more than one standard error (from the spread of those
 * blocks' means): the empty start's upward drift has stopped; at most
 * max(jobs, 4 x the minimum) arrivals.
 *
 * Truncation (every replication, also with an explicit warm-up): MSER-5
 * (White, "An effective truncation heuristic for bias reduction in simulation
 * output", Simulation 69(6), 1997; Franklin and White, WSC 2008): the
 * measured response times in batches of 5, truncation point d* minimizing
 * sum_{i>d} (z_i - zbar_d)^2 / (n - d)^2 over d <= n/2; the window then starts
 * at the first of 512 checkpoints at or after d* and every measure is taken
 * over the rest.  Job measures (E[T], accuracy, loss, P(W>0), percentiles) are
 * over the tagged jobs after the truncation; time averages (utilization, mean
 * number in system, boundary mass) and rates (throughput) over the window from
 * that checkpoint to the arrival that follows the last tagged one.  Because
 * service is FCFS and service times are drawn at dispatch, each job's
 * response time is known when it is dispatched.
 *
 * Bias diagnostics (accq_sim_result_t.warnings): across the R independent
 * replications, a t test (R-1 d.f., two-sided, level 1e-3) of "the second half
 * of the truncated window has the same E[T] (and the same L) as the first";
 * MSER-5's minimum over the whole window lying beyond its half in most
 * replications.  Each gives one line of text in `warnings`.  (The number of
 * replications whose adaptive warm-up reached its cap with L still rising is
 * reported in warmup_capped.)
 *
 * Replications are independent: replication r uses its own mt19937 stream
 * seeded from (seed, r) through splitmix64, so results do not depend on the
 * number of threads; they are combined in replication order.  95% confidence
 * intervals: mean +- t_{0.975, R-1} s / sqrt(R) over the R replication values
 * (Student's t from GSL); percentiles are computed per replication and
 * combined the same way.
 *
 * Memory: O(N + jobs in system + jobs) per running replication (about 2.6
 * bytes per measured job for the truncation, plus a fixed 256 KB
 * response-time histogram); nothing is allocated per event.
 */
#ifndef ACCQ_SIM_H
#define ACCQ_SIM_H

#include <stdint.h>

#include "accq/measures.h"
#include "accq/model.h"
#include "accq/dist.h"
#include "accq/policy.h"

/* One estimate across replications.  ci95 is the half-width of the 95% interval,
 * se the standard error s/sqrt(R) (both 0 when every replication agrees). */
typedef struct {
  double mean;
  double ci95;
  double se;
} accq_estimate_t;

typedef struct {
  int replications;        /* R >= 2 (default 10) */
  long long jobs;          /* measured arrivals per replication (default -1: see top) */
  long long warmup;        /* discarded arrivals per replication (default -1: adaptive, see above) */
  uint64_t seed;           /* default 1 */
  int threads;             /* OpenMP threads over replications (default 1; 0 = all) */
  int buffer;              /* 0 = infinite (default); B >= 1 mirrors a chain */
  int sample_correctness;  /* also draw Bernoulli(a_k) per admitted job (own stream) */
  int empty_start;         /* 1: start empty even where the exact stationary start applies */
  int mser;                /* 1 (default): MSER-5 truncation; 0: MSER-5 as a diagnostic only
                            * (with empty_start and warmup 0: a simulator that forgets its
                            * warm-up, for power tests) */
  /* Optional progress report: fraction of all arrivals done, in [0,1].  Called
   * from one thread only, a few hundred times per run; must not touch results. */
  void (*progress)(double fraction, void *ctx);
  void *progress_ctx;
} accq_sim_options_t;

/* The raw measures of one replication (docs/measures.md names). */
typedef struct {
  double window;                    /* length of the measurement window */
  long long arrivals;               /* tagged arrivals (= jobs) */
  long long admitted;               /* tagged arrivals not lost */
  double mean_response_time;        /* E[T] over admitted tagged jobs */
  double mean_jobs;                 /* time-average number in system L */
  double accuracy;                  /* mean a_k over admitted tagged jobs */
  double correctness;               /* sampled fraction correct (NaN unless asked) */
  double loss_probability;          /* lost / tagged arrivals */
  double p_wait;                    /* admitted tagged jobs that found their server busy */
  double throughput_total;          /* admitted tagged / window */
  double throughput[ACCQ_MAX_TYPES];/* X_k: admitted tagged to type k / window */
  double utilization[ACCQ_MAX_TYPES];/* time-average busy_k / N_k */
  double boundary_mass;             /* time fraction some server holds B jobs (0 if B infinite) */
  double p50, p90, p95, p99;        /* response-time percentiles (histogram, 2^-9 relative bins) */
  double gap;                       /* E[T] / t_lp(X) - 1, filled by accq_sim_run */
  long long events;                 /* arrivals + departures processed (warm-up included) */
  long long max_jobs_in_system;
  /* run length and bias diagnostics of this replication */
  long long warmup;                 /* arrivals discarded before the window (adaptive or fixed) */
  long long truncated;              /* first arrivals of the window discarded by MSER-5 */
  int warmup_capped;                /* adaptive warm-up stopped at its cap while L still rose */
  int mser_late;                    /* MSER-5's minimum over the whole window lies beyond its half */
  double trend_t, trend_l;          /* E[T], L: second half minus first half of the truncated window */
  double growth;                    /* (jobs in system at the end - at the truncation) / admitted */
  double growth_first, growth_second; /* the same over each half of the truncated window */
  long long resplits;               /* rjiq:est: LP re-solves of this replication */
  double end_time;                  /* time of the last arrival dispatched */
} accq_sim_rep_t;

#define ACCQ_SIM_MAX_WARNINGS 4
#define ACCQ_SIM_WARNING_MAX 512

typedef struct {
  int ntypes;
  int replications;
  long long jobs, warmup;
  uint64_t seed;
  int buffer;                       /* 0 = infinite */
  int scale;
  double lambda;                    /* offered m Lambda */
  double t_lp;                      /* LP bound at the offered Lambda per unit scale (NaN if infeasible) */
  accq_estimate_t mean_response_time, mean_jobs, accuracy, correctness, loss_probability,
      p_wait, throughput_total, boundary_mass, gap;
  accq_estimate_t throughput[ACCQ_MAX_TYPES], utilization[ACCQ_MAX_TYPES];
  accq_estimate_t p50, p90, p95, p99;
  /* run length actually used: the measured window per replication, the
   * warm-up (smallest and largest over the replications) and the mean MSER-5
   * truncation (arrivals of the window discarded) */
  long long warmup_min;
  double truncated;
  int warmup_capped;                /* replications whose adaptive warm-up hit its cap */
  double load;                      /* offered load against what the policy can serve (see top) */
  const char *start;                /* "empty" or "stationary (...)": how each replication starts */
  /* Bias diagnostics that found a trend (see top): nwarnings lines of text,
   * each complete (no trailing newline).  Commands print them on standard
   * error (never hidden by -q) and carry them in JSON/CSV "warnings".  An
   * estimate with a warning may keep the bias of the start: rerun with a
   * longer --warmup / --jobs. */
  int nwarnings;
  char warnings[ACCQ_SIM_MAX_WARNINGS][ACCQ_SIM_WARNING_MAX];
  /* arrivals (docs/simulator.md): the process, its long-run rate m Lambda-bar
   * (lambda and t_lp above are then at Lambda-bar), rjiq:est's mean number of
   * LP re-solves per replication (0 otherwise) */
  const char *arrivals;
  double lambda_mean;
  double resplits;
  /* diagnostics that depend on the machine (never part of byte-identical output) */
  long long events;
  double seconds;
} accq_sim_result_t;

/* Defaults listed in accq_sim_options_t. */
void accq_sim_options_init(accq_sim_options_t *opt);

/* Runs opt->replications replications of policy `pol` (built for the same
 * model) on model `m` at its scale and fills *res.  A model in load mode is
 * resolved on a copy.  reps, when not NULL, receives the R per-replication
 * measures (caller-owned array of opt->replications entries).
 * Errors: ACCQ_EINVAL for bad options (names the value), ACCQ_ENOMEM,
 * ACCQ_ENUMERIC if the policy returns a route to an empty level,
 * ACCQ_ETOOBIG beyond 2^30 servers, ACCQ_EUNSTABLE (infinite buffers) when
 * the offered load is at or beyond what the policy can serve, or when the
 * number in system grows over the measured window (the message says which;
 * *res is then not filled).  Cost: O(R (warmup + jobs) (dispatch +
 * log(jobs in system))) time, O(threads (N + jobs in system)) memory. */
int accq_sim_run(const accq_model_t *m, const accq_policy_t *pol,
                 const accq_sim_options_t *opt, accq_sim_result_t *res,
                 accq_sim_rep_t *reps, accq_err_t *err);

/* Time-resolved measures (docs/simulator.md): windows [i W, (i+1) W) of the
 * run's clock from time 0 (the empty start), every arrival counted in the
 * window of its arrival time (warm-up included), up to the end of the
 * shortest replication. */
typedef struct {
  double t0, t1;
  double rate;                      /* Lambda(t) per unit scale over the window: the exact
                                     * integral of the rate, or (mmpp, trace) the counted
                                     * arrivals of the replications (rate_counted = 1) */
  int rate_counted;
  long long arrivals;               /* arrivals in the window over all replications */
  int nreps;                        /* replications with an admitted job in the window */
  accq_estimate_t accuracy, mean_response_time; /* across those replications */
  double t_lp;                      /* T_LP(rate) (NaN when infeasible) */
  double gap;                       /* E[T] / t_lp - 1 (NaN when t_lp is) */
  double below;                     /* fraction of replications whose window is below a* */
  const char *status;               /* "ok"; "infeasible" (rate beyond Lambda_max(a*): no
                                     * bound); "empty" (no job in any replication) */
} accq_sim_window_t;

/* A window counts as below a* when its accuracy is below a* by more than
 * ACCQ_SIM_BELOW_Z standard errors of its own job mix (one-sided level 1%):
 * a policy that meets a* exactly has about 1% of its windows below by chance. */
#define ACCQ_SIM_BELOW_Z 2.3263478740408408

typedef struct {
  double width;                     /* W */
  int nwindows;
  accq_sim_window_t *w;             /* nwindows windows (accq_sim_series_free) */
  accq_estimate_t below_fraction;   /* per replication: the fraction of its windows below a*;
                                     * mean and CI across replications */
} accq_sim_series_t;

/* accq_sim_run plus the time series of windows of width `window` > 0 in
 * *series (free with accq_sim_series_free; zeroed on failure).
 * ACCQ_EINVAL when window <= 0 or longer than the shortest replication. */
int accq_sim_run_series(const accq_model_t *m, const accq_policy_t *pol,
                        const accq_sim_options_t *opt, double window, accq_sim_result_t *res,
                        accq_sim_rep_t *reps, accq_sim_series_t *series, accq_err_t *err);
void accq_sim_series_free(accq_sim_series_t *series);

/* Draws n policies' series (names[p] for series[p], windows of width `window`)
 * to path through gnuplot: accuracy = 0, E[T] per window with 95% intervals and
 * the moving bound T_LP(Lambda(t)) (log scale); accuracy = 1, the accuracy per
 * window with a*.  ACCQ_EIO when gnuplot fails, ACCQ_ENOMEM. */
int accq_sim_series_plot(const accq_sim_series_t *series, const char *const *names, int n,
                         const accq_model_t *m, double window, const char *path, int accuracy,
                         accq_err_t *err);

/* One replication `rep` (0-based) alone, exactly as accq_sim_run runs it
 * (gap is left NaN).  Used by tests and benchmarks. */
int accq_sim_run_replication(const accq_model_t *m, const accq_policy_t *pol,
                             const accq_sim_options_t *opt, int rep, accq_sim_rep_t *out,
                             accq_err_t *err);

/* accq_sim_run in two halves, for replications computed in other processes
 * (MPI ranks, a checkpoint; accq/dist.h): run_reps runs replications
 * first..first+n-1 (reps has n entries; opt->threads OpenMP threads; each
 * replication's streams depend only on opt->seed and its index), exactly as
 * accq_sim_run runs them; combine makes of all opt->replications of them
 * (in index order) the result accq_sim_run gives, bit for bit (it fills
 * reps[r].gap; res->seconds is left 0).  Errors as accq_sim_run's. */
int accq_sim_run_reps(const accq_model_t *m, const accq_policy_t *pol,
                      const accq_sim_options_t *opt, int first, int n, accq_sim_rep_t *reps,
                      accq_err_t *err);
int accq_sim_combine(const accq_model_t *m, const accq_policy_t *pol,
                     const accq_sim_options_t *opt, accq_sim_rep_t *reps,
                     accq_sim_result_t *res, accq_err_t *err);

/* The OpenMP threads a run with threads = 0 ("all") uses (1 without OpenMP). */
int accq_sim_max_threads(void);

/* One replication's measures as bytes (appended to b) and back (read from
 * rd), every field exactly (accq/dist.h). */
void accq_sim_rep_pack(const accq_sim_rep_t *r, accq_dist_buf_t *b);
void accq_sim_rep_unpack(accq_dist_reader_t *rd, accq_sim_rep_t *r);

/* The measured window (arrivals per replication) a run of policy pol on m
 * with options opt uses: opt->jobs, or the default (see top); -1 when the
 * run would be refused (unstable, unresolvable load). */
long long accq_sim_jobs(const accq_model_t *m, const accq_policy_t *pol,
                        const accq_sim_options_t *opt);

/* Offered load of model m (resolved arrival rate, scale m) against what
 * policy pol can serve with infinite buffers (see top): *load = max over types
 * of m Lambda p_k / (m n_k mu_k) for a Lambda-aware split, m Lambda over the
 * usable capacity otherwise.  Returns ACCQ_EUNSTABLE (message: the rates
 * compared) when *load >= 1 - 1e-12 and buffer == 0; a finite buffer (>= 1)
 * is always stable (ACCQ_SUCCESS, *load still set).  Used by sweep and
 * converge to mark cells before simulating. */
int accq_sim_stability(const accq_model_t *m, const accq_policy_t *pol, int buffer,
                       double *load, accq_err_t *err);

/* MSER truncation (White 1997) of n batch means z[0..n-1]: the d in
 * [0, dmax] (dmax < n) minimizing sum_{i>=d} (z_i - zbar_d)^2 / (n - d)^2,
 * the first on ties.  MSER-5 applies it to batch means of 5 observations.
 * O(n) time, O(1) memory. */
long long accq_sim_mser(const double *z, long long n, long long dmax);

/* Mean, 95% half-width and standard error of n >= 1 values (Student's t with
 * n-1 degrees of freedom; ci95 = se = NaN when n == 1).  NaN values propagate. */
accq_estimate_t accq_sim_estimate(const double *x, int n);

/* Mean and second moment of a service time of type k under its distribution
 * (mean 1/mu_k): E[S], E[S^2].  For Pollaczek-Khinchine checks. */
void accq_sim_service_moments(const accq_type_t *t, double *mean, double *second);

#endif
