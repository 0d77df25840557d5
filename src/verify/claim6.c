/* Claim 6 (docs/claims.md): POP is robust to a moving load.
 *
 * On each model, one scenario: the rate steps up by 30% and back (a piecewise
 * [arrivals] schedule: base, step, base again), simulated with replications
 * and cut into windows (accq_sim_run_series).  POP, which never reads Lambda,
 * must keep a* over the run and per window; R-JIQ with the rate it was tuned
 * for (the stale `rjiq`) must be seen to fail wherever the LP says its split
 * overloads a type at the stepped-up rate (and is only reported where the LP
 * says the split still fits); R-JIQ with an online estimate of the rate is
 * reported.  The time-averaged gaps to the moving bound T_LP(Lambda(t)) are
 * the evidence of what each policy pays.
 *
 * The scenario (C6_* in claims_internal.h):
 *   - base load L_b = min(L_0, C6_HIGH_LOAD / C6_STEP) of Lambda_max(a*), L_0
 *     the model's own load, lowered further until the stale split loads no type
 *     above C6_BASE_UMAX at the base rate (so R-JIQ tuned there is a sound
 *     deployment, and the step is what breaks it); the stepped-up rate is then
 *     at most C6_HIGH_LOAD of Lambda_max(a*): within the capacity at which
 *     claims 2 and 4 check POP;
 *   - windows of W = C6_WINDOW_JOBS / Lambda_b (about 250 arrivals at the base
 *     rate: enough jobs for the per-window normal test of the simulator);
 *     C6_BASE_WINDOWS windows at the base rate, C6_STEP_WINDOWS at the high
 *     rate, C6_BACK_WINDOWS back at the base rate; the empty start, no warm-up
 *     (the windows read the schedule's clock directly).
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/policy.h"
#include "accq/sim.h"
#include "verify/claims_internal.h"

/* The scenario of one model. */
typedef struct {
  accq_model_t mm;             /* the model at the base load, scale 1, with the step schedule */
  double load_b, lambda_b;     /* base load (fraction of Lambda_max(a*)) and rate */
  double lambda_max;
  double width, t1, t2, t_end; /* window width; the step [t1, t2); the end of the schedule */
  long long jobs;              /* arrivals per replication (the whole schedule and a margin) */
  /* the stale split read off the LP (the rjiq policy's own split at lambda_b) */
  double u_base;               /* max_k x_k / (n_k mu_k) at the base rate */
  double u_high;               /* the same at the stepped-up rate with the split unchanged */
  int over;                    /* the type it loads most; u_high >= 1: overloaded (the "must") */
  double growth, growth_sd;    /* fluid backlog growth of that type over the step (jobs), and
                                  the standard deviation of a critically loaded queue's over
                                  the same time, sqrt(2 n_k mu_k D) */
  char est[64];                /* the estimating R-JIQ: rjiq:est=ewma:TAU:E */
} scen_t;

/* One simulated policy of the scenario. */
typedef struct {
  const char *spec;
  int status;
  char why[320];
  accq_sim_result_t res;
  accq_sim_series_t se;
  double mean_gap;             /* time average of E[T]/T_LP(Lambda(t)) - 1 over the windows */
  double et_mid, et_end;       /* E[T] in the middle and the last window of the step */
  double growth_t;             /* (et_end - et_mid) / its standard error */
} c6run_t;

/* The stale split's largest load at rate `rate`, with the type. */
static double split_load(const accq_model_t *mm, const double *p, double rate, int *type) {
  double u = 0;
  for (int k = 0; k < mm->ntypes; k++) {
    double uk = rate * p[k] / ((double)mm->types[k].servers * mm->types[k].rate);
    if (uk > u || (k == 0)) {
      u = uk;
      *type = k;
    }
  }
  return u;
}

/* R-JIQ's split at the model's (resolved) rate: the LP's split p_k, which is
 * the one the rjiq policy uses (read here from the LP, because the policy
 * refuses a split that saturates a type: the scenario then lowers the load). */
static int stale_split(const accq_model_t *mm, double *p, accq_err_t *err) {
  accq_lp_problem_t lp;
  accq_lp_result_t res;
  int st = accq_lp_problem_from_model(&lp, mm, 0.0);
  if (!st) st = accq_lp_solve(&lp, &res, err);
  if (st) return st;
  if (res.status != ACCQ_LP_OPTIMAL)
    return accq_err_set(err, ACCQ_ECAPINFEAS, "the LP has no split at Lambda = %g",
                        mm->arrival_rate);
  for (int k = 0; k < mm->ntypes; k++) p[k] = res.p[k];
  return ACCQ_SUCCESS;
}

/* Builds the scenario (see the top); nonzero with the reason when the model
 * has none (a* above every type's accuracy, an LP failure). */
static int scenario(ctx_t *c, scen_t *s, char *why, size_t whysz) {
  accq_model_t m0 = *c->m;
  accq_err_t e;
  accq_err_clear(&e);
  memset(s, 0, sizeof *s);
  if (!accq_model_is_resolved(&m0) && accq_model_resolve(&m0, &e)) {
    snprintf(why, whysz, "%.300s", e.msg);
    return -1;
  }
  s->lambda_max = accq_model_lambda_max(&m0);
  if (!(s->lambda_max > 0)) {
    snprintf(why, whysz, "no rate meets a* (Lambda_max(a*) = 0)");
    return -1;
  }
  double load0 = m0.arrival_rate / s->lambda_max;
  double lb = fmin(load0, C6_HIGH_LOAD / C6_STEP);
  double p[ACCQ_MAX_TYPES];
  for (int it = 0;; it++) {
    if (accq_i_model_at(c->m, lb, 1, &s->mm, &e) || stale_split(&s->mm, p, &e)) {
      snprintf(why, whysz, "base load %.3g: %.280s", lb, e.msg);
      return -1;
    }
    s->u_base = split_load(&s->mm, p, s->mm.arrival_rate, &s->over);
    if (s->u_base <= C6_BASE_UMAX) break;
    if (it >= 60) {
      snprintf(why, whysz, "no base load found where R-JIQ's split loads every type below %g",
               C6_BASE_UMAX);
      return -1;
    }
    /* the split's loads grow with the rate (linearly on the first piece of
     * C(Lambda)): this step lands at or below C6_BASE_UMAX there */
    lb *= fmin(0.95, C6_BASE_UMAX / s->u_base);
  }
  s->load_b = lb;
  s->lambda_b = s->mm.arrival_rate;
  s->u_high = split_load(&s->mm, p, C6_STEP * s->lambda_b, &s->over);
  s->width = C6_WINDOW_JOBS / s->lambda_b;
  s->t1 = C6_BASE_WINDOWS * s->width;
  s->t2 = s->t1 + C6_STEP_WINDOWS * s->width;
  s->t_end = s->t2 + C6_BACK_WINDOWS * s->width;
  const accq_type_t *t = &s->mm.types[s->over];
  double cap = (double)t->servers * t->rate, d = s->t2 - s->t1;
  s->growth = (C6_STEP * s->lambda_b * p[s->over] - cap) * d;
  s->growth_sd = sqrt(2 * cap * d);
  /* expected arrivals over the schedule, plus 6 standard deviations and one
   * window: every replication reaches t_end but for a chance of ~1e-9 (the
   * series stops at the shortest replication's end anyway) */
  double n = s->lambda_b * (s->t1 + C6_STEP * (s->t2 - s->t1) + (s->t_end - s->t2));
  s->jobs = (long long)ceil(n + 6 * sqrt(n) + C6_WINDOW_JOBS);
  snprintf(s->est, sizeof s->est, "rjiq:est=ewma:%.4g:%g", C6_TAU_JOBS / s->lambda_b,
           C6_EST_SLACK);
  accq_arrivals_t *a = &s->mm.arrivals;
  memset(a, 0, sizeof *a);
  a->kind = ACCQ_ARRIVALS_PIECEWISE;
  a->relative = 1;
  a->nsteps = 3;
  a->step_time[0] = 0;
  a->step_rate[0] = 1;
  a->step_time[1] = s->t1;
  a->step_rate[1] = C6_STEP;
  a->step_time[2] = s->t2;
  a->step_rate[2] = 1;
  return 0;
}

/* Simulates one policy of the scenario with its time series; derived: the
 * time-averaged gap and the E[T] growth during the step. */
static void simulate(ctx_t *c, const scen_t *s, c6run_t *run, int j) {
  accq_err_t e;
  accq_err_clear(&e);
  char what[200];
  snprintf(what, sizeof what, "%s: claim 6 moving load, simulate %s", c->m->name, run->spec);
  accq_i_progress(c, what);
  run->mean_gap = run->et_mid = run->et_end = run->growth_t = NAN;
  run->status = accq_i_time_check(&e);
  accq_policy_t *pol = NULL;
  if (!run->status) run->status = accq_policy_alloc(&pol, run->spec, &s->mm, NULL, &e);
  if (!run->status) {
    accq_sim_options_t so;
    accq_sim_options_init(&so);
    so.replications = C6_REPS;
    so.jobs = s->jobs;
    so.warmup = 0;
    so.seed = c->o->seed + 6000u + (unsigned long)j;
    so.threads = c->o->sim_threads;
    so.buffer = 0;
    run->status = accq_sim_run_series(&s->mm, pol, &so, s->width, &run->res, NULL, &run->se, &e);
  }
  accq_policy_free(pol);
  if (run->status) {
    snprintf(run->why, sizeof run->why, "%.310s", e.msg);
    return;
  }
  /* a run that cannot reach the stationary law (a type in use far too slow
   * for the window: common.c) is no evidence either way, and its gaps are
   * not estimates: reported as such */
  if (accq_i_sim_slow_type(&s->mm, &run->res, run->why, sizeof run->why)) {
    run->status = ACCQ_ENOCONV;
    return;
  }
  double sum = 0;
  int n = 0;
  for (int i = 0; i < run->se.nwindows; i++)
    if (!strcmp(run->se.w[i].status, "ok") && isfinite(run->se.w[i].gap)) {
      sum += run->se.w[i].gap;
      n++;
    }
  run->mean_gap = n ? sum / n : NAN;
  int imid = C6_BASE_WINDOWS + C6_STEP_WINDOWS / 2, iend = C6_BASE_WINDOWS + C6_STEP_WINDOWS - 1;
  if (iend < run->se.nwindows) {
    const accq_estimate_t *a = &run->se.w[imid].mean_response_time,
                          *b = &run->se.w[iend].mean_response_time;
    run->et_mid = a->mean;
    run->et_end = b->mean;
    /* unpaired: the two windows of one replication are positively correlated,
     * so this standard error is larger than the paired one (conservative) */
    double se = sqrt(a->se * a->se + b->se * b->se);
    double d = b->mean - a->mean;
    run->growth_t = se > 0 ? d / se : d > 0 ? INFINITY : 0;
  }
}

/* One-sided critical value of Student's t at level C6_ALPHA with R - 1 d.f. */
static double t_crit(int R) { return gsl_cdf_tdist_Pinv(1 - C6_ALPHA, R > 1 ? R - 1 : 1); }

/* POP: long-run accuracy not below a* and its windows below a* not above the
 * allowed fraction, each by a one-sided test at level C6_ALPHA. */
static void check_pop(ctx_t *c, accq_claim_row_t *r, const scen_t *s, const c6run_t *pop) {
  double astar = s->mm.accuracy_target;
  if (pop->status) {
    if (pop->status == ACCQ_EUNSTABLE) {
      r->instances++;
      r->verdict = ACCQ_VERDICT_FAIL;
      accq_i_margin_at(r, -INFINITY, "pop: unstable under the step: %s", pop->why);
      accq_i_note_add(r, "pop unstable under a step to %.3g of Lambda_max(a*): %s",
                      C6_STEP * s->load_b, pop->why);
    } else {
      /* the claim is about POP: without its run the row is at most PARTIAL
       * (SKIPPED when nothing else was checked) */
      accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      if (pop->status == ACCQ_ENOCONV) /* the row's reason says why (short note) */
        accq_i_note_add(r, "pop simulated but not evidence (its half of the claim is not "
                        "checked): the run cannot reach the stationary law");
      else
        accq_i_note_add(r, "pop not simulated (its half of the claim is not checked): %s",
                        pop->why);
    }
    return;
  }
  const accq_estimate_t *A = &pop->res.accuracy, *B = &pop->se.below_fraction;
  double ta = t_crit(pop->res.replications), tb = t_crit(pop->res.replications);
  double macc = A->mean + ta * A->se - (astar - TOL_ACC);
  double mbelow = C6_BELOW_ALLOWED - (B->mean - tb * B->se);
  r->instances += 2;
  accq_i_note_add(r, "pop: long-run accuracy %.6g +- %.2g, windows below a* %.3g +- %.2g (95%%)",
                  A->mean, A->ci95, B->mean, B->ci95);
  accq_i_margin_at(r, macc,
                   "pop: long-run accuracy %.6g (standard error %.2g, %d replications) against "
                   "a* %.6g", A->mean, A->se, pop->res.replications, astar);
  accq_i_margin_at(r, mbelow,
                   "pop: fraction of windows below a* %.3g (standard error %.2g) against the "
                   "allowed %.2g", B->mean, B->se, C6_BELOW_ALLOWED);
  if (!(macc >= 0)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "pop's long-run accuracy %.6g is below a* %.6g beyond its noise", A->mean,
                    astar);
  }
  if (!(mbelow >= 0)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "pop's windows below a*: %.3g, above the allowed %.2g beyond the noise",
                    B->mean, C6_BELOW_ALLOWED);
  }
}

/* Stale R-JIQ: observed failing (refused as unstable by the simulator's growth
 * check, E[T] growing during the step, or accuracy below a*)?  Writes how. */
static int stale_failed(const c6run_t *st, double astar, char *how, size_t howsz) {
  if (st->status == ACCQ_EUNSTABLE) {
    snprintf(how, howsz, "refused as unstable by the simulator: %.200s", st->why);
    return 1;
  }
  if (st->status) {
    snprintf(how, howsz, "%s: %.200s",
             st->status == ACCQ_ENOCONV ? "simulated but not evidence" : "not simulated", st->why);
    return 0;
  }
  int R = st->res.replications;
  double tc = t_crit(R);
  const accq_estimate_t *A = &st->res.accuracy, *B = &st->se.below_fraction;
  if (st->growth_t > tc) {
    snprintf(how, howsz, "E[T] grew during the step from %.4g (its middle) to %.4g (its last "
             "window), t = %.3g > %.3g", st->et_mid, st->et_end, st->growth_t, tc);
    return 1;
  }
  if (A->mean + tc * A->se < astar - TOL_ACC) {
    snprintf(how, howsz, "long-run accuracy %.6g below a*", A->mean);
    return 1;
  }
  if (B->mean - tc * B->se > C6_BELOW_ALLOWED) {
    snprintf(how, howsz, "windows below a*: %.3g", B->mean);
    return 1;
  }
  snprintf(how, howsz, "no failure seen: E[T] %.4g in the middle of the step, %.4g at its end "
           "(t = %.3g), accuracy %.6g, windows below a* %.3g", st->et_mid, st->et_end,
           st->growth_t, A->mean, B->mean);
  return 0;
}

/* The conditional half: where the LP says the stale split overloads a type at
 * the stepped-up rate, verify must see it fail; elsewhere it is reported. */
static void check_stale(ctx_t *c, accq_claim_row_t *r, const scen_t *s, const c6run_t *st) {
  const char *type = s->mm.types[s->over].name;
  char how[320];
  int failed = stale_failed(st, s->mm.accuracy_target, how, sizeof how);
  if (!(s->u_high >= 1)) {
    /* the split's accuracy does not depend on the rate (infinite buffers): a
     * split that fits every capacity at the high rate still meets a* and is
     * stable, so nothing is required of it */
    r->excluded++;
    accq_i_note_add(r, "stale rjiq: the LP split at the base rate loads %s at %.3g of its "
                    "capacity in the step (< 1): not required to fail; %s", type, s->u_high, how);
    return;
  }
  if (st->status && st->status != ACCQ_EUNSTABLE) {
    /* required and not checked: the row cannot PASS on the other half alone */
    accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    accq_i_note_add(r, "stale rjiq (must fail: %s at %.3g of its capacity in the step) %s", type,
                    s->u_high, how);
    return;
  }
  r->instances++;
  double tc = t_crit(st->status ? 2 : st->res.replications);
  double margin = st->status ? INFINITY : failed ? fmax(st->growth_t - tc, 0) : st->growth_t - tc;
  if (failed) {
    accq_i_margin_at(r, margin,
                     "stale rjiq: the LP split loads %s at %.3g of its capacity in the step; "
                     "observed: %s", type, s->u_high, how);
    accq_i_note_add(r, "stale rjiq must fail (the LP split at the base rate loads %s at %.3g of "
                    "its capacity in the step) and does: %s", type, s->u_high, how);
  } else if (s->growth >= C6_DECIDE_SD * s->growth_sd) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_margin_at(r, margin,
                     "stale rjiq: the LP split loads %s at %.3g of its capacity in the step "
                     "(fluid backlog growth %.4g jobs) but %s", type, s->u_high, s->growth, how);
    accq_i_note_add(r, "stale rjiq should fail (%s at %.3g of its capacity, backlog growth %.4g "
                    "jobs over the step) but %s", type, s->u_high, s->growth, how);
  } else {
    /* an overload too small to be told from noise over the step */
    accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
    accq_i_note_add(r, "stale rjiq overloads %s only slightly (%.3g of its capacity: fluid "
                    "backlog growth %.3g jobs against a noise of %.3g over the step): %s", type,
                    s->u_high, s->growth, s->growth_sd, how);
  }
}

/* "pop 0.35, rjiq 80, rjiq:est=... 1.2"; a run without a gap says why: "rjiq not
 * estimated (unstable | not stationary | not simulated)". */
static void gap_text(const c6run_t *runs, int n, char *buf, size_t size) {
  size_t u = 0;
  buf[0] = '\0';
  for (int j = 0; j < n && u < size; j++) {
    int w = runs[j].status || !isfinite(runs[j].mean_gap)
                ? snprintf(buf + u, size - u, "%s%s not estimated (%s)", j ? ", " : "",
                           runs[j].spec,
                           runs[j].status == ACCQ_EUNSTABLE   ? "unstable"
                           : runs[j].status == ACCQ_ENOCONV ? "not stationary"
                                                            : "not simulated")
                : snprintf(buf + u, size - u, "%s%s %.3g", j ? ", " : "", runs[j].spec,
                           runs[j].mean_gap);
    if (w < 0) break;
    u += (size_t)w;
  }
}

void accq_i_claim6(ctx_t *c, accq_claim_row_t *r) {
  accq_i_row_init(r, 6, "POP robust to a moving load", c->m->name,
                  "min of: POP's long-run accuracy - a* + t se; allowed fraction (0.05) - "
                  "(POP's windows below a* - t se); stale R-JIQ where the LP says it must fail: "
                  "t of its E[T] growth during the step - t_crit (t at one-sided 1e-3)");
  if (!accq_verify_have_simulator()) {
    accq_i_finish_row(r, "this build has no simulator");
    return;
  }
  scen_t s;
  char why[320];
  if (scenario(c, &s, why, sizeof why)) {
    accq_i_finish_row(r, why);
    return;
  }
  c6run_t runs[3];
  memset(runs, 0, sizeof runs);
  runs[0].spec = "pop";
  runs[1].spec = "rjiq";
  runs[2].spec = s.est;
  for (int j = 0; j < 3; j++) simulate(c, &s, &runs[j], j);
  accq_i_note_add(r, "scenario: load %.3g of Lambda_max(a*) (Lambda %.4g), x%.2g on [%.4g, "
                  "%.4g), back until %.4g; windows of %.4g, %d replications",
                  s.load_b, s.lambda_b, C6_STEP, s.t1, s.t2, s.t_end, s.width, C6_REPS);
  check_pop(c, r, &s, &runs[0]);
  check_stale(c, r, &s, &runs[1]);
  const c6run_t *est = &runs[2];
  if (est->status)
    accq_i_note_add(r, "%s (reported): %s", est->spec, est->why);
  else
    accq_i_note_add(r, "%s (reported): accuracy %.6g, windows below a* %.3g, %.3g re-solves per "
                    "replication", est->spec, est->res.accuracy.mean,
                    est->se.below_fraction.mean, est->res.resplits);
  char gaps[300];
  gap_text(runs, 3, gaps, sizeof gaps);
  accq_i_note_add(r, "time-averaged gap to T_LP(Lambda(t)): %s", gaps);
  for (int j = 0; j < 3; j++) accq_sim_series_free(&runs[j].se);
  accq_i_finish_row(r, runs[0].status ? runs[0].why : NULL);
}
