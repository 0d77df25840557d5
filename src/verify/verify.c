/* The claims of docs/claims.md on one model (accq verify): the driver.
 *
 * One grid of exact chains (loads x sizes x every policy, buffer auto within a
 * state limit) is computed once here and shared by claims 1-5; simulations
 * extend claims 2, 3 and 4 beyond the sizes where chains fit (cached here, run
 * on first use).  Each claim (claim1.c .. claim6.c) turns its instances into
 * one row: verdict, instances, worst margin and the instance that set it
 * (row.c).  Claim 6 simulates its own scenario and needs no grid.
 *
 * The run's limits (verify_internal.h): the time limit, checked before every
 * step and handed to the solvers as the time left, and the iteration cap of
 * the chains' Gauss-Seidel solves.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/clock.h"
#include "accq/lp.h"
#include "accq/policy.h"
#include "verify/claims_internal.h"

void accq_verify_options_init(accq_verify_options_t *o) {
  memset(o, 0, sizeof *o);
  const double loads[] = {0.3, 0.6, 0.85};
  o->nloads = 3;
  memcpy(o->loads, loads, sizeof loads);
  o->nscales = 2;
  o->scales[0] = 1;
  o->scales[1] = 2;
  o->nsim_scales = 3;
  o->sim_scales[0] = 4;
  o->sim_scales[1] = 16;
  o->sim_scales[2] = 64;
  o->max_states = 20000;
  o->max_buffer = 60;
  o->small_buffer = 3;
  o->seed = 1;
  o->sim_replications = 10;
  o->sim_jobs = 100000;
  o->sim_threads = 0;
  o->claims = (1u << ACCQ_VERIFY_NCLAIMS) - 1;
  o->time_limit = 0; /* the library imposes none; `accq verify` gives 600 s */
  o->t_opt = accq_i_default_topt();
  o->topt_max_states = TOPT_STATES;
  /* claim 3 beyond the first breakpoint: rjiq:e with e a fraction of the load's
   * headroom 1 - load (the e-LP is feasible at Lambda only for e < 1 - load) */
  o->nslacks = 3;
  o->slacks[0] = 0.5;
  o->slacks[1] = 0.25;
  o->slacks[2] = 0.125;
}

accq_verdict_t accq_verify_overall(const accq_claim_row_t *rows, int n) {
  int any[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; i++)
    if ((int)rows[i].verdict >= 0 && (int)rows[i].verdict < 4) any[rows[i].verdict] = 1;
  if (any[ACCQ_VERDICT_FAIL]) return ACCQ_VERDICT_FAIL;
  if (any[ACCQ_VERDICT_SKIPPED]) return ACCQ_VERDICT_SKIPPED;
  if (any[ACCQ_VERDICT_PARTIAL]) return ACCQ_VERDICT_PARTIAL;
  return ACCQ_VERDICT_PASS;
}

/* The specs of the registered policies that do not meet a* by construction
 * (the valid POLICY of claims-target=POLICY), ", "-separated. */
static void fault_policies(char *valid, size_t size) {
  const char *const *specs = accq_policy_type_specs();
  valid[0] = '\0';
  for (int i = 0; i < accq_policy_type_count(); i++) {
    if (accq_policy_type_get(i)->meets_target) continue;
    size_t u = strlen(valid);
    snprintf(valid + u, size - u, "%s%s", u ? ", " : "", specs[i]);
  }
}

int accq_verify_fault_check(const char *fault, accq_err_t *err) {
  if (!fault) return ACCQ_SUCCESS;
  if (!strcmp(fault, "sim-forget-warmup")) return ACCQ_SUCCESS;
  char valid[160];
  fault_policies(valid, sizeof valid);
  if (strncmp(fault, "claims-target=", 14))
    return accq_err_set(err, ACCQ_EINVAL,
                        "--inject-fault: unknown fault '%s' (the faults are "
                        "claims-target=POLICY, POLICY one of %s, and sim-forget-warmup)",
                        fault, valid);
  const char *p = fault + 14;
  const char *const *specs = accq_policy_type_specs();
  for (int i = 0; i < accq_policy_type_count(); i++)
    if (!strcmp(p, specs[i])) {
      if (!accq_policy_type_get(i)->meets_target) return ACCQ_SUCCESS;
      return accq_err_set(err, ACCQ_EINVAL,
                          "--inject-fault: '%s' already meets a* by construction, so the fault "
                          "would change nothing (POLICY one of %s)",
                          p, valid);
    }
  return accq_err_set(err, ACCQ_EINVAL,
                      "--inject-fault: unknown policy '%s' in '%s' (POLICY one of %s)", p, fault,
                      valid);
}

/* ---- the run's limits ---- */

static _Thread_local accq_i_limits_t run_limits;

accq_i_limits_t *accq_i_limits(void) { return &run_limits; }

double accq_i_time_left(void) {
  if (!(run_limits.deadline > 0)) return INFINITY;
  return run_limits.deadline - accq_clock_now();
}

int accq_i_time_check(accq_err_t *err) {
  if (!run_limits.reached && accq_i_time_left() > 0) return ACCQ_SUCCESS;
  run_limits.reached = 1;
  return accq_err_set(err, ACCQ_ENOCONV, "time limit of %g s reached (--time-limit)",
                      run_limits.limit);
}

/* Claim 1's optimum through the caller's hook, not started after the
 * deadline (an LP solve cannot be stopped from here; claim 1's own budget,
 * TOPT_BUDGET_S, bounds the sandwich). */
typedef struct {
  accq_verify_topt_fn fn;
  void *ctx;
} topt_hook_t;

static int topt_in_time(const accq_model_t *m, int buffer, int shed, double min_admitted_rate,
                        double *t_opt, double *throughput, void *ctx, accq_err_t *err) {
  const topt_hook_t *h = ctx;
  int st = accq_i_time_check(err);
  if (st) return st;
  return h->fn(m, buffer, shed, min_admitted_rate, t_opt, throughput, h->ctx, err);
}

void accq_i_progress(ctx_t *c, const char *what) {
  c->step++;
  if (c->o->progress)
    c->o->progress(c->o->progress_ctx, what,
                   c->nsteps > 0 ? (double)c->step / c->nsteps : 0.0);
}

int accq_i_meets_by_construction(const ctx_t *c, int pi) {
  return c->pols[pi].meets || c->pols[pi].forced;
}

/* The index of the registered policy of base name `name`; -1 when there is none. */
static int policy_index(const char *name) {
  for (int i = 0; i < accq_policy_type_count(); i++)
    if (!strcmp(accq_policy_type_get(i)->name, name)) return i;
  return -1;
}

/* The policies of the run: every registered type at its default spec, with the
 * flags the claims read, and the fault's policy marked forced.  ACCQ_EINVAL
 * when the registry lacks a policy a claim is about. */
static int ctx_policies(ctx_t *c, const char *fault_policy, accq_err_t *err) {
  const char *const *specs = accq_policy_type_specs();
  c->npol = accq_policy_type_count();
  c->p_rjiq = policy_index("rjiq");
  c->p_pop = policy_index("pop");
  c->p_random_lp = policy_index("random-lp");
  if (c->p_rjiq < 0 || c->p_pop < 0 || c->p_random_lp < 0)
    return accq_err_set(err, ACCQ_EINVAL,
                        "verify: the policy registry lacks rjiq, pop or random-lp (claims 2-5 "
                        "are about them)");
  c->pols = calloc((size_t)c->npol, sizeof *c->pols);
  if (!c->pols) return accq_err_set(err, ACCQ_ENOMEM, "verify: out of memory");
  size_t used = 0;
  for (int i = 0; i < c->npol; i++) {
    const accq_policy_type_t *t = accq_policy_type_get(i);
    pol_t *pl = &c->pols[i];
    pl->spec = specs[i];
    pl->name = t->name;
    pl->meets = t->meets_target != 0;
    pl->sheds = t->sheds != 0;
    pl->forced = !pl->meets && fault_policy && !strcmp(fault_policy, pl->spec);
    if (!pl->meets && pl->sheds && used + strlen(pl->name) + 3 < sizeof c->shed_class) {
      int w = snprintf(c->shed_class + used, sizeof c->shed_class - used, "%s%s",
                       used ? ", " : "", pl->name);
      if (w > 0) used += (size_t)w;
    }
  }
  return ACCQ_SUCCESS;
}

simc_t *accq_i_get_sim(ctx_t *c, int pi, int li, int si) {
  const accq_verify_options_t *o = c->o;
  simc_t *sc = sim_slot(c, pi, li, si);
  if (!sc->done) {
    sc->done = 1;
    accq_model_t mm;
    accq_err_t e;
    accq_err_clear(&e);
    char what[160];
    snprintf(what, sizeof what, "%s: simulate %s load %.2f m=%d", c->m->name,
             c->pols[pi].spec, o->loads[li], o->sim_scales[si]);
    accq_i_progress(c, what);
    sc->status = accq_i_model_at(c->m, o->loads[li], o->sim_scales[si], &mm, &e);
    if (!sc->status)
      sc->status = accq_i_simulate(&mm, c->pols[pi].spec, o->sim_replications, o->sim_jobs,
                                   o->seed + (unsigned long)si, o->sim_threads, c->sim_forget,
                                   &sc->s, &e);
    if (sc->status)
      snprintf(sc->why, sizeof sc->why, "%.190s", e.msg);
    else
      sc->t_lp = accq_i_t_lp_at(&mm, mm.arrival_rate);
  }
  return sc->status ? NULL : sc;
}

/* ---- the grid ---- */

/* The LP's most loaded type at grid load li (max_k x_k/cap_k and its name),
 * NaN when the LP cannot be solved there. */
static void grid_lp_split(ctx_t *c, int li) {
  accq_model_t m1;
  accq_lp_problem_t p;
  accq_lp_result_t r;
  c->lp_umax[li] = NAN;
  c->lp_sat_type[li][0] = '\0';
  if (accq_i_model_at(c->m, c->o->loads[li], 1, &m1, NULL) == ACCQ_SUCCESS &&
      accq_lp_problem_from_model(&p, &m1, 0.0) == ACCQ_SUCCESS &&
      accq_lp_solve(&p, &r, NULL) == ACCQ_SUCCESS && r.status == ACCQ_LP_OPTIMAL) {
    double u = 0;
    for (int k = 0; k < p.ntypes; k++)
      if (r.x[k] / p.cap[k] > u) {
        u = r.x[k] / p.cap[k];
        snprintf(c->lp_sat_type[li], ACCQ_NAME_MAX, "%s", m1.types[k].name);
      }
    c->lp_umax[li] = u;
  }
}

static int compute_grid(ctx_t *c, accq_err_t *err) {
  const accq_verify_options_t *o = c->o;
  for (int li = 0; li < o->nloads; li++) {
    grid_lp_split(c, li);
    for (int si = 0; si < o->nscales; si++) {
      for (int pi = 0; pi < c->npol; pi++) {
        inst_t *in = at(c, li, si, pi);
        char what[160];
        snprintf(what, sizeof what, "%s: chain %s load %.2f m=%d", c->m->name,
                 c->pols[pi].spec, o->loads[li], o->scales[si]);
        accq_i_progress(c, what);
        accq_model_t mm;
        accq_err_t e;
        accq_err_clear(&e);
        in->status = accq_i_model_at(c->m, o->loads[li], o->scales[si], &mm, &e);
        if (!in->status)
          /* the policies that do not claim a* enter only claim 1 (when their exact
           * accuracy happens to reach a*), which holds at every B: a small
           * buffer is enough and saves most of the grid's time */
          in->status = accq_i_chain(&mm, c->pols[pi].spec, 0, 0, o->max_states,
                                    accq_i_meets_by_construction(c, pi) ? o->max_buffer
                                                                        : OTHER_MAX_BUFFER,
                                    ACCQ_I_SOLVER, 0, &in->an, &e);
        if (in->status) {
          snprintf(in->why, sizeof in->why, "%.190s", e.msg);
          if (in->status == ACCQ_ENOMEM) return accq_err_set(err, ACCQ_ENOMEM, "%s", e.msg);
          continue;
        }
        double x = in->an.m.throughput_total / mm.scale, a = in->an.m.accuracy;
        in->t_lp_x = accq_i_t_lp_at(&mm, x);
        /* claim 1's bound (docs/measures.md, "Meeting the target"): a policy that
         * meets a* by construction (or that the fault says does) is held to T_LP at
         * a*; any other is held to T_LP at min(A - tol, a*), the least target its
         * true accuracy can have, since the LP is discontinuous at a_k = a* */
        double held = accq_model_target_held(&mm, a);
        in->t_lp_held = !accq_i_meets_by_construction(c, pi) && held < mm.accuracy_target
                            ? accq_i_t_lp_held(&mm, x, held)
                            : in->t_lp_x;
      }
    }
  }
  return ACCQ_SUCCESS;
}

/* ---- the run ---- */

static int check_options(const accq_verify_options_t *o, accq_err_t *err) {
  if (o->nloads < 1 || o->nloads > ACCQ_VERIFY_MAX_GRID || o->nscales < 1 ||
      o->nscales > ACCQ_VERIFY_MAX_GRID || o->nsim_scales < 0 ||
      o->nsim_scales > ACCQ_VERIFY_MAX_GRID)
    return accq_err_set(err, ACCQ_EINVAL, "verify: grid sizes must be 1..%d (got %d loads, %d sizes)",
                        ACCQ_VERIFY_MAX_GRID, o->nloads, o->nscales);
  for (int i = 0; i < o->nloads; i++)
    if (!(o->loads[i] > 0 && o->loads[i] <= 1))
      return accq_err_set(err, ACCQ_EINVAL, "verify: load must be in (0,1] (got %g)",
                          o->loads[i]);
  for (int i = 0; i < o->nscales; i++)
    if (o->scales[i] < 1)
      return accq_err_set(err, ACCQ_EINVAL, "verify: size must be >= 1 (got %d)", o->scales[i]);
  return ACCQ_SUCCESS;
}

static int check_slacks(const accq_verify_options_t *o, accq_err_t *err) {
  if (o->nslacks < 0 || o->nslacks > ACCQ_VERIFY_MAX_GRID)
    return accq_err_set(err, ACCQ_EINVAL, "verify: %d slacks (0..%d)", o->nslacks,
                        ACCQ_VERIFY_MAX_GRID);
  for (int j = 0; j < o->nslacks; j++)
    if (!(o->slacks[j] > 0 && o->slacks[j] < 1))
      return accq_err_set(err, ACCQ_EINVAL,
                          "verify: slack fraction %g of the headroom must be in (0,1)",
                          o->slacks[j]);
  return ACCQ_SUCCESS;
}

/* The model's own load joins the grid (first), unless it is already there
 * (within 1e-3) or outside (0,1).  Its load is its arrival rate over
 * Lambda_max(a*) (a model given by a load is resolved when loaded; one built by
 * hand is resolved here, on a copy). */
static void add_own_load(const accq_model_t *m, accq_verify_options_t *oo) {
  accq_model_t own = *m;
  if (!accq_model_is_resolved(&own) && accq_model_resolve(&own, NULL) != ACCQ_SUCCESS) return;
  double lmax = accq_model_lambda_max(&own);
  double load = lmax > 0 ? own.arrival_rate / lmax : NAN;
  int dup = 0;
  for (int i = 0; i < oo->nloads; i++) dup |= fabs(oo->loads[i] - load) < 1e-3;
  if (load > 0 && load < 1 && !dup && oo->nloads < ACCQ_VERIFY_MAX_GRID) {
    memmove(oo->loads + 1, oo->loads, sizeof oo->loads[0] * (size_t)oo->nloads);
    oo->loads[0] = load;
    oo->nloads++;
  }
}

/* The progress bar's number of steps (an upper bound: claim 3's series may
 * stop early). */
static int count_steps(const accq_verify_options_t *o, int npol) {
  int nsim = accq_verify_have_simulator() ? o->nloads * o->nsim_scales * 2 + npol : 0;
  return o->nloads * o->nscales * npol + npol + 5 + nsim +
         (o->t_opt ? o->nloads * o->nscales : 0) +
         o->nloads * o->nslacks * (o->nscales + o->nsim_scales + 1) + /* at most (claim 3) */
         2 * o->nloads + /* the mean-field limits of claims 3 and 4 */
         3;              /* claim 6's simulations */
}

/* The titles of the claims (each claim file sets its own row's; these name
 * the rows of claims the time limit did not let start). */
static const char *const claim_titles[ACCQ_VERIFY_NCLAIMS] = {
    "LP bound", "R-JIQ and POP meet a*", "R-JIQ asymptotically optimal", "POP near-optimal",
    "agreement", "POP robust to a moving load"};

/* A row the time limit stopped: `started` 0, it never ran (nothing checked);
 * 1, it was running: what it had checked stays in the note, but the row is
 * not done, so it is SKIPPED whatever its checks said so far. */
static void stop_row(accq_claim_row_t *r, int claim, const char *model, int started,
                     double seconds) {
  if (!started) {
    accq_i_row_init(r, claim, claim_titles[claim - 1], model, "not checked");
    r->seconds = 0;
  } else {
    r->seconds = seconds;
  }
  accq_i_limits_t *lim = accq_i_limits();
  r->stopped = 1;
  r->verdict = ACCQ_VERDICT_SKIPPED;
  r->worst_margin = NAN;
  r->evidence[0] = '\0';
  if (started)
    snprintf(r->reason, sizeof r->reason,
             "time limit of %g s reached (--time-limit) while this claim ran, after %d "
             "instance(s) checked: not done (the note says what was checked)",
             lim->limit, r->instances);
  else
    snprintf(r->reason, sizeof r->reason,
             "time limit of %g s reached (--time-limit) before this claim started: not run",
             lim->limit);
}

/* Sets this thread's limits for a run with options o (the deadline counts from
 * o->time_start, or now). */
static void limits_begin(const accq_verify_options_t *o) {
  accq_i_limits_t *lim = accq_i_limits();
  memset(lim, 0, sizeof *lim);
  lim->sor_max_iter = ACCQ_I_SOR_MAX_ITER;
  if (o->time_limit > 0) {
    lim->limit = o->time_limit;
    lim->deadline = (o->time_start > 0 ? o->time_start : accq_clock_now()) + o->time_limit;
  }
}

/* The claims of the run into rows (the grid computed, or stopped by the time
 * limit).  A claim that could not start, or that the deadline stopped while
 * it ran, is a stopped row. */
static void run_claims(ctx_t *c, accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS], int *nrows) {
  void (*const claims[ACCQ_VERIFY_NCLAIMS])(ctx_t *, accq_claim_row_t *) = {
      accq_i_claim1, accq_i_claim2, accq_i_claim3, accq_i_claim4, accq_i_claim5, accq_i_claim6};
  accq_i_limits_t *lim = accq_i_limits();
  for (int k = 0; k < ACCQ_VERIFY_NCLAIMS; k++) {
    if (!(c->o->claims & (1u << k))) continue;
    accq_claim_row_t *r = &rows[(*nrows)++];
    const accq_verify_options_t *o = c->o;
    if (accq_i_time_check(NULL)) {
      stop_row(r, k + 1, c->m->name, 0, 0);
    } else {
      if (o->row_progress) o->row_progress(o->progress_ctx, k + 1, claim_titles[k], c->m->name, NULL);
      double t0 = accq_clock_now();
      claims[k](c, r);
      r->seconds = accq_clock_now() - t0;
      if (lim->reached) stop_row(r, k + 1, c->m->name, 1, r->seconds);
    }
    if (o->row_progress) o->row_progress(o->progress_ctx, k + 1, claim_titles[k], c->m->name, r);
  }
}

int accq_verify_model(const accq_model_t *m, const accq_verify_options_t *o,
                      accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS], int *nrows,
                      accq_err_t *err) {
  *nrows = 0;
  int status = check_options(o, err);
  if (status) return status;
  accq_verify_options_t oo = *o;
  add_own_load(m, &oo);
  topt_hook_t hook = {o->t_opt, o->t_opt_ctx};
  if (o->t_opt) {
    oo.t_opt = topt_in_time;
    oo.t_opt_ctx = &hook;
  }
  o = &oo;
  ctx_t c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.o = o;
  const char *fault_policy = NULL;
  if (o->fault) {
    int st = accq_verify_fault_check(o->fault, err);
    if (st) return st;
    if (!strcmp(o->fault, "sim-forget-warmup")) c.sim_forget = 1;
    else fault_policy = o->fault + 14;
  }
  status = check_slacks(o, err);
  if (status) return status;
  if (!(o->time_limit >= 0))
    return accq_err_set(err, ACCQ_EINVAL, "verify: time limit must be >= 0 s (got %g)",
                        o->time_limit);
  status = ctx_policies(&c, fault_policy, err);
  if (status) return status;
  c.grid = calloc((size_t)o->nloads * (size_t)o->nscales * (size_t)c.npol, sizeof *c.grid);
  c.sims = calloc((size_t)o->nloads * (size_t)(o->nsim_scales > 0 ? o->nsim_scales : 1) * 2,
                  sizeof *c.sims);
  if (!c.grid || !c.sims) {
    free(c.pols);
    free(c.grid);
    free(c.sims);
    return accq_err_set(err, ACCQ_ENOMEM, "verify: out of memory");
  }
  c.nsteps = count_steps(o, c.npol);
  limits_begin(o);
  /* claims 1-5 read the grid; claim 6 alone does not need it */
  const unsigned grid_claims = (1u << 5) - 1;
  if (o->claims & grid_claims) status = compute_grid(&c, err);
  if (!status) run_claims(&c, rows, nrows);
  memset(accq_i_limits(), 0, sizeof(accq_i_limits_t));
  free(c.pols);
  free(c.grid);
  free(c.sims);
  return status;
}
