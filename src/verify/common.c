/* Shared pieces of the verification module: instances of a model, the bound at
 * an admitted rate, one exact chain, the M/M/1/B product form, the simulator
 * adapter. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/measures.h"
#include "accq/policy.h"
#include "verify/verify_internal.h"

#include "accq/sim.h"
#define ACCQ_I_HAVE_SIM 1
/* a simulated window must span at least this many mean service times of every
 * type in use (accq_i_simulate's own warning) */
#define SIM_SERVICE_SPAN 10.0
_Static_assert(ACCQ_VERIFY_SIM_WARNINGS == ACCQ_SIM_MAX_WARNINGS &&
                   ACCQ_VERIFY_SIM_WARNING_MAX == ACCQ_SIM_WARNING_MAX,
               "accq_verify_sim_t must hold every simulator warning");

const char *accq_verdict_name(accq_verdict_t v) {
  switch (v) {
  case ACCQ_VERDICT_PASS: return "PASS";
  case ACCQ_VERDICT_PARTIAL: return "PARTIAL";
  case ACCQ_VERDICT_FAIL: return "FAIL";
  case ACCQ_VERDICT_SKIPPED: return "SKIPPED";
  }
  return "?";
}

int accq_i_model_at(const accq_model_t *m, double load, int scale, accq_model_t *out,
                    accq_err_t *err) {
  *out = *m;
  out->lambda_mode = ACCQ_LAMBDA_LOAD;
  out->load = load;
  out->scale = scale;
  out->buffer = 0;
  return accq_model_resolve(out, err);
}

double accq_i_t_lp_held(const accq_model_t *m, double x_per_unit, double target) {
  accq_lp_result_t r;
  if (accq_lp_bound_at(m, x_per_unit, target, &r, NULL) != ACCQ_SUCCESS ||
      r.status != ACCQ_LP_OPTIMAL)
    return NAN;
  return r.t_lp;
}

double accq_i_t_lp_at(const accq_model_t *m, double x_per_unit) {
  return accq_i_t_lp_held(m, x_per_unit, NAN);
}

int accq_i_chain(const accq_model_t *mm, const char *policy, int buffer, int explicit_chain,
                 int64_t max_states, int max_buffer, int solver, double tol,
                 accq_analysis_t *an, accq_err_t *err) {
  /* a verify run's limits (verify_internal.h): nothing starts after its
   * deadline, and the solves get the time left */
  int st = accq_i_time_check(err);
  if (st) return st;
  const accq_i_limits_t *lim = accq_i_limits();
  accq_policy_t *pol = NULL;
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  st = accq_policy_alloc(&pol, policy, mm, &popt, err);
  if (st) return st;
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.chain.max_states = max_states;
  ao.buffer = buffer;
  if (max_buffer > 0) ao.auto_max_buffer = max_buffer;
  ao.explicit_chain = explicit_chain;
  ao.solver.solver = (accq_solver_kind_t)solver;
  if (tol > 0) ao.solver.tol = tol;
  if (lim->deadline > 0) ao.solver.max_seconds = fmax(accq_i_time_left(), 1e-3);
  if (solver == ACCQ_SOLVER_SOR && lim->sor_max_iter > 0) ao.solver.max_iter = lim->sor_max_iter;
  accq_model_t m2 = *mm;
  if (buffer > 0) m2.buffer = buffer;
  st = accq_analyze(&m2, pol, &ao, an, err);
  int late = st == ACCQ_ENOCONV && accq_i_time_check(NULL);
  if (st == ACCQ_ENOCONV && solver == ACCQ_SOLVER_SOR &&
      an->verdict == ACCQ_ANALYSIS_NOT_CONVERGED && !late &&
      !(lim->sor_max_iter > 0 && an->solver.iterations >= lim->sor_max_iter)) {
    /* Gauss-Seidel did not reach the residual: let the solver module choose
     * (not when buffer = auto stopped short: another solver changes nothing;
     * not after verify's iteration cap: the chain is stiff, see
     * ACCQ_I_SOR_MAX_ITER) */
    ao.solver.solver = ACCQ_SOLVER_AUTO;
    ao.solver.max_iter = 0;
    st = accq_analyze(&m2, pol, &ao, an, err);
    late = st == ACCQ_ENOCONV && accq_i_time_check(NULL);
  }
  if (late)
    accq_err_prefix(err, "time limit of %g s reached (--time-limit)", lim->limit);
  accq_policy_free(pol);
  return st;
}

/* M/M/1/B with arrival rate lam and service rate mu: mean number and blocking. */
static void mm1b(double lam, double mu, int B, double *L, double *pb) {
  double r = lam / mu;
  if (lam <= 0) {
    *L = 0;
    *pb = 0;
    return;
  }
  if (fabs(r - 1.0) < 1e-9) {
    *L = B / 2.0;
    *pb = 1.0 / (B + 1);
    return;
  }
  double rb1 = pow(r, B + 1);
  *L = r / (1 - r) - (B + 1) * rb1 / (1 - rb1);
  *pb = (1 - r) * pow(r, B) / (1 - rb1);
}

void accq_i_random_lp_product_form(const accq_model_t *mm, const double *split, int buffer,
                                   double *mean_response_time, double *accuracy,
                                   double *loss) {
  double L = 0, X = 0, A = 0, lam_total = mm->arrival_rate * mm->scale;
  for (int k = 0; k < mm->ntypes; k++) {
    double n = (double)mm->types[k].servers * mm->scale;
    double lam = lam_total * split[k] / n; /* Bernoulli split: per server */
    double l, pb;
    mm1b(lam, mm->types[k].rate, buffer, &l, &pb);
    L += n * l;
    X += n * lam * (1 - pb);
    A += n * lam * (1 - pb) * mm->types[k].accuracy;
  }
  *mean_response_time = L / X;
  *accuracy = A / X;
  *loss = 1 - X / lam_total;
}

int accq_verify_have_simulator(void) { return ACCQ_I_HAVE_SIM; }

int accq_verify_simulate(const accq_model_t *m, const char *policy, int replications,
                         long jobs, unsigned long seed, int threads, accq_verify_sim_t *out,
                         accq_err_t *err) {
  return accq_i_simulate(m, policy, replications, jobs, seed, threads, 0, out, err);
}

int accq_i_sim_slow_type(const accq_model_t *mm, const accq_sim_result_t *res, char *why,
                         size_t size) {
  /* A type in use whose mean service time is not short against the measured
   * window cannot have reached its stationary law: a job it holds may outlast
   * the run (a server of rate 1e-7 holds one job for the whole run, and the
   * jobs it would finish in the long run, whose response times dominate E[T],
   * never appear).  The trend tests cannot see this (nothing moves within the
   * run), so the estimate gets its own warning and is not evidence. */
  double span = res->lambda > 0 ? (double)res->jobs / res->lambda : NAN;
  for (int k = 0; k < mm->ntypes; k++)
    if (res->utilization[k].mean > 0 && !(SIM_SERVICE_SPAN / mm->types[k].rate <= span)) {
      snprintf(why, size,
               "type '%s' is in use and its mean service time %g is more than 1/%g of the "
               "measured window (about %g time units): the run cannot reach the stationary law",
               mm->types[k].name, 1.0 / mm->types[k].rate, SIM_SERVICE_SPAN, span);
      return 1;
    }
  return 0;
}

int accq_i_simulate(const accq_model_t *m, const char *policy, int replications, long jobs,
                    unsigned long seed, int threads, int forget_warmup, accq_verify_sim_t *out,
                    accq_err_t *err) {
#if ACCQ_I_HAVE_SIM
  accq_policy_t *pol = NULL;
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  /* nothing starts after a verify run's deadline (verify_internal.h) */
  int st = accq_i_time_check(err);
  if (st) return st;
  /* the library entry: a loaded model is resolved already; one built by hand
   * is resolved here, once */
  accq_model_t mm = *m;
  st = accq_model_is_resolved(&mm) ? ACCQ_SUCCESS : accq_model_resolve(&mm, err);
  if (st) return st;
  st = accq_policy_alloc(&pol, policy, &mm, &popt, err);
  if (st) return st;
  accq_sim_options_t so;
  accq_sim_options_init(&so);
  so.replications = replications;
  so.jobs = jobs;
  so.seed = seed;
  so.buffer = 0;
  so.threads = threads;
  if (forget_warmup) {
    /* test fault: a simulator that forgets its warm-up (empty start, nothing
     * discarded, MSER-5 as a diagnostic only): its estimates keep the start's
     * bias and its trend tests must say so */
    so.warmup = 0;
    so.empty_start = 1;
    so.mser = 0;
  }
  accq_sim_result_t res;
  st = accq_sim_run(&mm, pol, &so, &res, NULL, err);
  accq_policy_free(pol);
  if (st) return st;
  out->mean_response_time = res.mean_response_time.mean;
  out->ci95 = res.mean_response_time.ci95;
  out->accuracy = res.accuracy.mean;
  out->accuracy_ci95 = res.accuracy.ci95;
  out->throughput = res.throughput_total.mean;
  out->loss_probability = res.loss_probability.mean;
  out->replications = res.replications;
  out->jobs = (long)res.jobs;
  /* the bias warnings travel with the estimate (the sizes are asserted below) */
  out->nwarnings = 0;
  for (int i = 0; i < res.nwarnings && i < ACCQ_VERIFY_SIM_WARNINGS; i++)
    snprintf(out->warnings[out->nwarnings++], ACCQ_VERIFY_SIM_WARNING_MAX, "%s", res.warnings[i]);
  if (out->nwarnings < ACCQ_VERIFY_SIM_WARNINGS &&
      accq_i_sim_slow_type(&mm, &res, out->warnings[out->nwarnings], ACCQ_VERIFY_SIM_WARNING_MAX))
    out->nwarnings++;
  accq_measures_t *ms = &out->m;
  memset(ms, 0, sizeof *ms);
  ms->lambda = res.lambda;
  ms->throughput_total = res.throughput_total.mean;
  ms->loss_probability = res.loss_probability.mean;
  ms->mean_jobs = res.mean_jobs.mean;
  ms->mean_response_time = res.mean_response_time.mean;
  ms->accuracy = res.accuracy.mean;
  ms->p_wait = res.p_wait.mean;
  for (int k = 0; k < mm.ntypes; k++) {
    ms->throughput[k] = res.throughput[k].mean;
    ms->utilization[k] = res.utilization[k].mean;
  }
  ms->p50 = res.p50.mean;
  ms->p90 = res.p90.mean;
  ms->p95 = res.p95.mean;
  ms->p99 = res.p99.mean;
  ms->boundary_mass = 0;
  ms->t_lp = accq_i_t_lp_at(&mm, mm.arrival_rate);
  ms->gap = ms->mean_response_time / ms->t_lp - 1.0;
  ms->flow_balance_error = NAN;
  ms->little_tail_error = NAN;
  return ACCQ_SUCCESS;
#else
  (void)m;
  (void)policy;
  (void)replications;
  (void)jobs;
  (void)seed;
  (void)threads;
  (void)forget_warmup;
  (void)out;
  return accq_err_set(err, ACCQ_EINVAL, "this build has no simulator");
#endif
}
