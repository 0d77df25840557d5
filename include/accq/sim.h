/* The discrete-event simulator of SPEC section 7.
 *
 * The same system as the chains (SPEC 1) at any scale m, dispatched by the
 * policy module's own dispatch function (no second implementation of any
 * policy): each arrival asks accq_policy_dispatch for its routes (type k,
 * level q) given the current per-type occupancy, draws one route, then draws a
 * server of type k at level q uniformly (ACCQ_LEVEL_ANY: a uniformly random
 * server of type k).  Servers serve FCFS; service times have mean 1/mu_k and
 * the model's distribution (exp, det, erlang:K, hyperexp:SCV, lognormal:SCV).
 * Infinite buffers by default; a finite B mirrors a chain (a job dispatched to
 * a server holding B jobs is lost and counted).
 *
 * Run length: per replication, `warmup` arrivals are discarded, then the next
 * `jobs` arrivals are measured (the "tagged" jobs).  Job measures (E[T],
 * accuracy, loss, P(W>0), percentiles) are over the tagged jobs; time averages
 * (utilization, mean number in system, boundary mass) and rates (throughput)
 * over the window from the first tagged arrival to the arrival that follows
 * the last tagged one.  Because service is FCFS and service times are drawn at
 * dispatch, each job's response time is known when it is dispatched.
 *
 * Replications are independent: replication r uses its own mt19937 stream
 * seeded from (seed, r) through splitmix64, so results do not depend on the
 * number of threads; they are combined in replication order.  95% confidence
 * intervals: mean +- t_{0.975, R-1} s / sqrt(R) over the R replication values
 * (Student's t from GSL); percentiles are computed per replication and
 * combined the same way.
 *
 * Memory: O(N + jobs in system) per running replication (plus a fixed 256 KB
 * response-time histogram); nothing is allocated per event.
 */
#ifndef ACCQ_SIM_H
#define ACCQ_SIM_H

#include <stdint.h>

#include "accq/measures.h"
#include "accq/model.h"
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
  long long jobs;          /* measured arrivals per replication (default 100000) */
  long long warmup;        /* discarded arrivals per replication (default -1: jobs / 10) */
  uint64_t seed;           /* default 1 */
  int threads;             /* OpenMP threads over replications (default 1; 0 = all) */
  int buffer;              /* 0 = infinite (default); B >= 1 mirrors a chain */
  int sample_correctness;  /* also draw Bernoulli(a_k) per admitted job (own stream) */
  /* Optional progress report: fraction of all arrivals done, in [0,1].  Called
   * from one thread only, a few hundred times per run; must not touch results. */
  void (*progress)(double fraction, void *ctx);
  void *progress_ctx;
} accq_sim_options_t;

/* The raw measures of one replication (SPEC 6 names). */
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
} accq_sim_rep_t;

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
 * ACCQ_ETOOBIG beyond 2^30 servers.  Cost: O(R (warmup + jobs) (dispatch +
 * log(jobs in system))) time, O(threads (N + jobs in system)) memory. */
int accq_sim_run(const accq_model_t *m, const accq_policy_t *pol,
                 const accq_sim_options_t *opt, accq_sim_result_t *res,
                 accq_sim_rep_t *reps, accq_err_t *err);

/* One replication `rep` (0-based) alone, exactly as accq_sim_run runs it
 * (gap is left NaN).  Used by tests and benchmarks. */
int accq_sim_run_replication(const accq_model_t *m, const accq_policy_t *pol,
                             const accq_sim_options_t *opt, int rep, accq_sim_rep_t *out,
                             accq_err_t *err);

/* Mean, 95% half-width and standard error of n >= 1 values (Student's t with
 * n-1 degrees of freedom; ci95 = se = NaN when n == 1).  NaN values propagate. */
accq_estimate_t accq_sim_estimate(const double *x, int n);

/* Mean and second moment of a service time of type k under its distribution
 * (mean 1/mu_k): E[S], E[S^2].  For Pollaczek-Khinchine checks. */
void accq_sim_service_moments(const accq_type_t *t, double *mean, double *second);

/* The comparison statistics (measure names, Holm's correction, check-sim's
 * design) live in accq/check.h, included here for the callers that found
 * them in this header. */
#include "accq/check.h"

#endif
