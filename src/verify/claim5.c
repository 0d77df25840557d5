/* Claim 5 (docs/claims.md): independent methods agree.  (a) the LP solvers,
 * (b) the lumped and explicit chains, (c) every stationary solver, (d)
 * random-lp's joint chain and the M/M/1/B product form, (e) the chain and the
 * simulator within confidence intervals, (f) the same with bursty MMPP
 * arrivals (the chain with the phase as a state component).  Each part is a
 * statement of the claim: one that compared nothing makes the row PARTIAL. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/chain.h"
#include "accq/lp.h"
#include "accq/policy.h"
#include "accq/sim.h"
#include "verify/claims_internal.h"

static double rel_diff(double a, double b) {
  double s = fmax(fabs(a), fabs(b));
  return s > 0 ? fabs(a - b) / s : 0.0;
}

/* One agreement check: records the worst relative disagreement (as the margin
 * 1 - d/tol). */
static void agree(accq_claim_row_t *r, const char *what, double d, double tol) {
  r->instances++;
  double margin = 1.0 - d / tol;
  if (isnan(r->worst_margin) || margin < r->worst_margin || isnan(d)) {
    r->worst_margin = margin;
    snprintf(r->evidence, sizeof r->evidence, "%s: rel. diff %.3g (tol %.0e)", what, d, tol);
  }
  if (!(d <= tol)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "%s disagree: rel. diff %.3g > %.0e", what, d, tol);
  }
}

/* (a) LP solvers: GLPK simplex, combinatorial, exact rationals. */
static void part_lp(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  char what[240];
  for (int li = 0; li < o->nloads; li++) {
    accq_model_t m1;
    accq_lp_problem_t p;
    accq_lp_result_t g, cb;
    accq_lp_exact_t ex;
    if (accq_i_model_at(c->m, o->loads[li], 1, &m1, NULL)) continue;
    if (accq_lp_problem_from_model(&p, &m1, 0.0)) continue;
    if (accq_lp_solve(&p, &g, NULL) || accq_lp_solve_combinatorial(&p, &cb, NULL)) {
      accq_i_note_add(r, "LP solve failed at load %.2f", o->loads[li]);
      r->verdict = ACCQ_VERDICT_FAIL;
      continue;
    }
    if (g.status != cb.status) {
      r->verdict = ACCQ_VERDICT_FAIL;
      accq_i_note_add(r, "LP status differs at load %.2f: GLPK %d, combinatorial %d",
                      o->loads[li], (int)g.status, (int)cb.status);
      continue;
    }
    if (g.status != ACCQ_LP_OPTIMAL) continue;
    /* accq_lp_solve itself refuses (ENUMERIC, a FAIL above) unless GLPK's own
     * optimum agrees with the combinatorial solver to ACCQ_LP_AGREE_RTOL, and
     * then returns the combinatorial vertex: comparing g with cb here would be
     * comparing a number with itself.  The independent comparisons are that
     * refusal and the exact rational solve below. */
    memset(&ex, 0, sizeof ex);
    if (accq_lp_solve_exact(&p, &ex, NULL) == ACCQ_SUCCESS && ex.status == ACCQ_LP_OPTIMAL) {
      snprintf(what, sizeof what,
               "LP (GLPK checked against combinatorial) vs exact rationals at load %.2f "
               "(t_lp %.12g)",
               o->loads[li], g.t_lp);
      agree(r, what,
            fmax(rel_diff(g.t_lp, ex.t_lp_value), rel_diff(g.lambda_max, ex.lambda_max_value)),
            TOL_AGREE);
    }
    accq_lp_exact_free(&ex);
  }
}

/* (b) lumped vs explicit chain, every policy, m = 1, small buffer. */
static void part_lumping(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  char what[240];
  int B = o->small_buffer;
  double li_load = o->loads[o->nloads > 1 ? 1 : 0];
  double prod = 1;
  for (int k = 0; k < m->ntypes; k++) prod *= pow(B + 1, m->types[k].servers);
  if (prod > (double)o->max_states) {
    accq_i_note_add(r, "lumped vs explicit skipped: explicit chain has %.3g states", prod);
    return;
  }
  accq_model_t mm;
  if (accq_i_model_at(m, li_load, 1, &mm, NULL)) return;
  for (int pi = 0; pi < c->npol; pi++) {
    accq_analysis_t al, ae;
    snprintf(what, sizeof what, "%s: lumped vs explicit %s", m->name, c->pols[pi].spec);
    accq_i_progress(c, what);
    int s1 = accq_i_chain(&mm, c->pols[pi].spec, B, 0, o->max_states, 0, ACCQ_I_SOLVER,
                          AGREE_RESIDUAL, &al, NULL);
    int s2 = accq_i_chain(&mm, c->pols[pi].spec, B, 1, o->max_states, 0, ACCQ_I_SOLVER,
                          AGREE_RESIDUAL, &ae, NULL);
    if (s1 || s2) continue;
    snprintf(what, sizeof what,
             "lumped (%lld states) vs explicit (%lld states) chain, %s load %.2f B=%d",
             (long long)al.states, (long long)ae.states, c->pols[pi].spec, li_load, B);
    agree(r, what,
          fmax(rel_diff(al.m.mean_response_time, ae.m.mean_response_time),
               fmax(rel_diff(al.m.accuracy, ae.m.accuracy),
                    /* the admitted rate, not the loss probability: a loss
                     * of 1e-11 cannot be compared to 1e-9 relative */
                    rel_diff(al.m.throughput_total, ae.m.throughput_total))),
          TOL_AGREE);
  }
}

/* (c) every stationary solver on one chain (pop, m = 1, the largest B <= 8
 * with at most 800 lumped states: dense LU is O(n^3)). */
static void part_solvers(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  char what[240];
  accq_model_t mm;
  int Bs = 8, servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < m->ntypes; k++) servers[k] = m->types[k].servers;
  for (; Bs > 1; Bs--) {
    double cnt;
    if (accq_space_count(m->ntypes, servers, Bs, &cnt, NULL) == ACCQ_SUCCESS && cnt <= 800)
      break;
  }
  double li_load = o->loads[o->nloads - 1];
  const int kinds[] = {ACCQ_SOLVER_DENSE, ACCQ_SOLVER_SOR, ACCQ_SOLVER_GMRES, ACCQ_SOLVER_POWER,
                       ACCQ_SOLVER_ARNOLDI};
  accq_analysis_t ref;
  int have_ref = 0;
  if (accq_i_model_at(m, li_load, 1, &mm, NULL)) return;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    accq_analysis_t an;
    accq_err_t e;
    accq_err_clear(&e);
    snprintf(what, sizeof what, "%s: solver %s", m->name, accq_solver_name(kinds[i]));
    accq_i_progress(c, what);
    /* a tighter residual than the default: agreement to 1e-9 in E[T] needs
     * residual * (relaxation time) well below it */
    int st = accq_i_chain(&mm, "pop", Bs, 0, 4000, 0, kinds[i], AGREE_RESIDUAL, &an, &e);
    if (st) {
      r->verdict = ACCQ_VERDICT_FAIL;
      accq_i_note_add(r, "solver %s failed: %s", accq_solver_name(kinds[i]), e.msg);
      continue;
    }
    if (!have_ref) {
      ref = an;
      have_ref = 1;
      continue;
    }
    snprintf(what, sizeof what, "solver %s vs %s on pop (%lld states, load %.2f, B=%d)",
             an.solver.name, ref.solver.name, (long long)an.states, li_load, Bs);
    agree(r, what,
          fmax(rel_diff(an.m.mean_response_time, ref.m.mean_response_time),
               rel_diff(an.m.accuracy, ref.m.accuracy)),
          TOL_AGREE);
  }
}

/* random-lp's joint lumped chain at buffer B (not the product form), solved
 * to the agreement residual: the independent side of part (d). */
static int joint_random_lp(const accq_model_t *mm, int B, int64_t max_states,
                           accq_analysis_t *an) {
  accq_policy_t *pol = NULL;
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  popt.finite_buffer = 1;
  int st = accq_policy_alloc(&pol, "random-lp", mm, &popt, NULL);
  if (st) return st;
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.chain.max_states = max_states;
  ao.buffer = B;
  ao.product_form = 0;
  ao.solver.tol = AGREE_RESIDUAL;
  accq_model_t m2 = *mm;
  m2.buffer = B;
  st = accq_analyze(&m2, pol, &ao, an, NULL);
  accq_policy_free(pol);
  return st;
}

/* (d) random-lp vs the M/M/1/B product form, every grid instance.  The
 * instance itself was solved in product form (independent M/M/1/B queues, the
 * closed form): comparing it with the closed form would be circular.  The
 * independent method is the joint lumped chain (product_form = 0) at the
 * instance's B, or at the agreement checks' small B when that joint chain is
 * over the state limit. */
static void part_product_form(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  char what[240];
  for (int li = 0; li < o->nloads; li++)
    for (int si = 0; si < o->nscales; si++) {
      inst_t *in = at(c, li, si, c->p_random_lp);
      if (in->status) continue;
      accq_model_t mm;
      accq_lp_problem_t p;
      accq_lp_result_t lr;
      if (accq_i_model_at(c->m, o->loads[li], o->scales[si], &mm, NULL)) continue;
      if (accq_lp_problem_from_model(&p, &mm, 0.0) || accq_lp_solve(&p, &lr, NULL)) continue;
      accq_analysis_t an2;
      int B = in->an.buffer, st2 = joint_random_lp(&mm, B, o->max_states, &an2);
      if (st2 == ACCQ_ETOOBIG && o->small_buffer < B) {
        B = o->small_buffer;
        st2 = joint_random_lp(&mm, B, o->max_states, &an2);
      }
      if (st2 != ACCQ_SUCCESS) {
        accq_i_note_add(r, "random-lp joint chain not solved at load %.2f m=%d B=%d (status %d)",
                        o->loads[li], o->scales[si], B, st2);
        continue;
      }
      double t, acc, loss;
      accq_i_random_lp_product_form(&mm, lr.p, B, &t, &acc, &loss);
      snprintf(what, sizeof what,
               "random-lp joint chain vs M/M/1/B product form, load %.2f m=%d B=%d (E[T] %.12g)",
               o->loads[li], o->scales[si], B, t);
      agree(r, what, fmax(rel_diff(an2.m.mean_response_time, t), rel_diff(an2.m.accuracy, acc)),
            TOL_AGREE);
    }
}

/* The test of one policy in part (e): critical values, whether the simulation
 * has a bias warning, the instance, and the number of comparisons. */
typedef struct {
  double t975, tcrit, load;
  int warned, scale, ncmp;
} sim_test_t;

/* One chain-vs-simulation comparison of part (e): exact value `exact`,
 * simulated `sim` +- `ci`.  A warned simulation is not evidence: a
 * disagreement from it only makes the row PARTIAL.  Returns 1 when the
 * comparison failed. */
static int sim_compare(accq_claim_row_t *r, const char *spec, const char *name, double exact, double sim,
                       double ci, const sim_test_t *t) {
  double t975 = t->t975, tcrit = t->tcrit;
  /* resolution floor: events rarer than about one in 10^6 jobs (e.g. SED's use
   * of a slow type once in 10^8 dispatches) leave every replication equal and
   * the interval empty; such a difference is not a disagreement */
  double se = fmax(ci / t975, 1e-6 * fabs(exact) / tcrit);
  double z = se > 0 ? fabs(exact - sim) / se : (exact == sim ? 0 : INFINITY);
  if (t->warned) {
    if (z > tcrit) {
      accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      accq_i_note_add(r, "%s %s: exact %.8g outside the simulated %.8g +- %.2g (|t| %.2f > "
                      "%.2f), but the simulation has a bias warning: inconclusive",
                      spec, name, exact, sim, ci, z, tcrit);
    }
    return 0;
  }
  r->instances++;
  /* margin in units of the critical value: 1 - |t|/t_crit */
  double margin = 1.0 - z / tcrit;
  if (isnan(r->worst_margin) || margin < r->worst_margin) {
    r->worst_margin = margin;
    snprintf(r->evidence, sizeof r->evidence,
             "chain vs simulation, %s %s load %.2f m=%d: exact %.8g, simulated %.8g "
             "+- %.2g, |t| %.2f (critical %.2f, Bonferroni over %d)",
             spec, name, t->load, t->scale, exact, sim, ci, z, tcrit, t->ncmp);
  }
  if (z > tcrit) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "%s %s: exact %.8g outside the simulated %.8g +- %.2g (|t| %.2f > %.2f)",
                    spec, name, exact, sim, ci, z, tcrit);
    return 1;
  }
  return 0;
}

/* (e) chain vs simulator: chains with tiny boundary mass against
 * infinite-buffer simulation; E[T] and accuracy of every policy at the middle
 * load and m = 1, Bonferroni over the comparisons. */
static void part_simulator(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  char what[240];
  int li = o->nloads > 1 ? 1 : 0, ncmp = 0, nbad = 0;
  int idx[c->npol];
  for (int pi = 0; pi < c->npol; pi++) {
    inst_t *in = at(c, li, 0, pi);
    idx[pi] = !in->status && in->an.m.boundary_mass <= TINY_MASS;
    ncmp += 2 * idx[pi];
  }
  /* family-wise level SIM_ALPHA per model (Bonferroni over its comparisons):
   * over five bundled models a false alarm has probability <= 0.5% */
  double alpha = SIM_ALPHA / (ncmp > 0 ? ncmp : 1);
  for (int pi = 0; pi < c->npol; pi++) {
    if (!idx[pi]) continue;
    inst_t *in = at(c, li, 0, pi);
    accq_model_t mm;
    accq_err_t e;
    accq_err_clear(&e);
    if (accq_i_model_at(c->m, o->loads[li], o->scales[0], &mm, &e)) continue;
    snprintf(what, sizeof what, "%s: chain vs simulation %s", c->m->name, c->pols[pi].spec);
    accq_i_progress(c, what);
    accq_verify_sim_t s;
    /* the same number of simulated jobs as the other simulations, split into
     * more replications: Student's t with more degrees of freedom */
    int reps = o->sim_replications > SIM_REPS_AGREE ? o->sim_replications : SIM_REPS_AGREE;
    long jobs = o->sim_jobs * o->sim_replications / reps;
    if (accq_i_simulate(&mm, c->pols[pi].spec, reps, jobs > 1000 ? jobs : 1000,
                        o->seed + 1000u + (unsigned long)pi, o->sim_threads, c->sim_forget, &s,
                        &e)) {
      r->verdict = ACCQ_VERDICT_FAIL;
      accq_i_note_add(r, "simulation of %s failed: %s", c->pols[pi].spec, e.msg);
      continue;
    }
    int R = s.replications;
    sim_test_t t;
    t.t975 = gsl_cdf_tdist_Pinv(0.975, R - 1);
    t.tcrit = gsl_cdf_tdist_Pinv(1 - alpha / 2, R - 1);
    t.warned = accq_i_sim_warned(r, &s, "%s load %.2f m=%d", c->pols[pi].spec, o->loads[li],
                                 o->scales[0]);
    t.load = o->loads[li];
    t.scale = o->scales[0];
    t.ncmp = ncmp;
    nbad += sim_compare(r, c->pols[pi].spec, "E[T]", in->an.m.mean_response_time, s.mean_response_time,
                        s.ci95, &t);
    nbad += sim_compare(r, c->pols[pi].spec, "accuracy", in->an.m.accuracy, s.accuracy, s.accuracy_ci95, &t);
  }
  accq_i_note_add(r, "chain vs simulator: %d comparison(s), family-wise level %g (Bonferroni)%s",
                  ncmp, SIM_ALPHA, nbad ? ", some failed" : "");
}

/* ---- (f) MMPP arrivals: chain vs simulator ----
 *
 * The scenario, on each model at the grid's middle load and m = 1: a 2-phase
 * MMPP with rates 0.5 Lambda and 1.5 Lambda (`rates = relative`), each phase
 * left at rate MMPP_SWITCH Lambda, so the phases are equally likely and the
 * long-run rate is Lambda (within capacity: the mean load is the grid's),
 * while a burst of 1.5 Lambda lasts 1/(MMPP_SWITCH Lambda) = 10 mean
 * inter-arrival times.  Both sides at the same finite buffer MMPP_BUFFER
 * (exact for that loss system: no truncation question, and the chain stays
 * small), POP and R-JIQ (the split of Lambda, a saturated one accepted: the
 * finite system is stable).  Four measures each: E[T], accuracy and P_loss
 * (job averages: the chain weights state (s, i) by lambda_i / lambda-bar)
 * and E[N] (a time average).  One family of MMPP_POLICIES x 4 two-sided t
 * tests (R - 1 degrees of freedom), Holm's step-down at SIM_ALPHA: the
 * family fails exactly when some |t| exceeds the Bonferroni critical value
 * (Holm's first step), which is therefore the margin's unit; the note names
 * every comparison Holm rejects. */
#define MMPP_SWITCH 0.1
#define MMPP_BUFFER 6
#define MMPP_NMEAS 4
#define MMPP_JOBS 20000L /* measured arrivals per replication (SIM_REPS_AGREE of them) */

static const char *const mmpp_policies[] = {"pop", "rjiq"};
#define MMPP_POLICIES ((int)(sizeof mmpp_policies / sizeof mmpp_policies[0]))

typedef struct {
  char what[96];
  double exact, sim, se, t, p;
  int warned;
} mmpp_cmp_t;

/* The scenario's model (see above). */
static int mmpp_model(const ctx_t *c, double load, accq_model_t *mm, accq_err_t *e) {
  int st = accq_i_model_at(c->m, load, 1, mm, e);
  if (st) return st;
  accq_arrivals_t *a = &mm->arrivals;
  memset(a, 0, sizeof *a);
  a->kind = ACCQ_ARRIVALS_MMPP;
  a->relative = 1;
  a->nphases = a->ngen = 2;
  a->phase_rate[0] = 0.5;
  a->phase_rate[1] = 1.5;
  const double q = MMPP_SWITCH * mm->arrival_rate;
  a->gen[0][0] = a->gen[1][1] = -q;
  a->gen[0][1] = a->gen[1][0] = q;
  mm->buffer = MMPP_BUFFER;
  return ACCQ_SUCCESS;
}

/* Chain and simulation of one policy: its MMPP_NMEAS comparisons in cmp. */
static int mmpp_policy(ctx_t *c, const accq_model_t *mm, int pi, mmpp_cmp_t *cmp,
                       accq_claim_row_t *r, accq_err_t *e) {
  const accq_verify_options_t *o = c->o;
  const char *spec = mmpp_policies[pi];
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  popt.finite_buffer = 1;
  accq_policy_t *pol = NULL;
  int st = accq_policy_alloc(&pol, spec, mm, &popt, e);
  if (st) return st;
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = MMPP_BUFFER;
  ao.chain.max_states = o->max_states;
  ao.solver.tol = AGREE_RESIDUAL;
  accq_analysis_t an;
  st = accq_analyze(mm, pol, &ao, &an, e);
  accq_sim_options_t so;
  accq_sim_options_init(&so);
  so.replications = SIM_REPS_AGREE;
  so.jobs = MMPP_JOBS;
  so.seed = o->seed + 2000u + (unsigned long)pi;
  so.threads = o->sim_threads;
  so.buffer = MMPP_BUFFER;
  if (c->sim_forget) {
    so.warmup = 0;
    so.empty_start = 1;
    so.mser = 0;
  }
  accq_sim_result_t res;
  if (!st) st = accq_sim_run(mm, pol, &so, &res, NULL, e);
  accq_policy_free(pol);
  if (st) return st;
  accq_verify_sim_t vs;
  memset(&vs, 0, sizeof vs);
  for (int i = 0; i < res.nwarnings && i < ACCQ_VERIFY_SIM_WARNINGS; i++)
    snprintf(vs.warnings[vs.nwarnings++], ACCQ_VERIFY_SIM_WARNING_MAX, "%s", res.warnings[i]);
  int warned = accq_i_sim_warned(r, &vs, "mmpp %s m=1 B=%d", spec, MMPP_BUFFER);
  const double ex[MMPP_NMEAS] = {an.m.mean_response_time, an.m.accuracy,
                                 an.m.loss_probability, an.m.mean_jobs};
  const accq_estimate_t *sm[MMPP_NMEAS] = {&res.mean_response_time, &res.accuracy,
                                           &res.loss_probability, &res.mean_jobs};
  static const char *const names[MMPP_NMEAS] = {"E[T]", "accuracy", "P_loss", "E[N]"};
  for (int j = 0; j < MMPP_NMEAS; j++) {
    mmpp_cmp_t *x = &cmp[j];
    snprintf(x->what, sizeof x->what, "%s %s", spec, names[j]);
    x->exact = ex[j];
    x->sim = sm[j]->mean;
    /* the resolution floor of part (e): a difference below one in 10^6 is
     * not a disagreement */
    x->se = fmax(sm[j]->se, 1e-6 * fabs(ex[j]) / 5.0);
    x->t = x->se > 0 ? fabs(x->exact - x->sim) / x->se : (x->exact == x->sim ? 0 : INFINITY);
    x->p = 2.0 * gsl_cdf_tdist_Q(x->t, SIM_REPS_AGREE - 1);
    if (j == 2 && sm[j]->mean == 0 && ex[j] > 0) {
      /* no replication lost a job: the chance of that at the exact loss
       * probability, (1 - P_loss)^(jobs of all replications), is the p-value
       * (the t of the same two-sided p, for the margin) */
      x->p = fmin(1.0, exp(-ex[j] * (double)res.jobs * res.replications));
      x->t = gsl_cdf_tdist_Qinv(0.5 * x->p, SIM_REPS_AGREE - 1);
    }
    x->warned = warned;
  }
  return ACCQ_SUCCESS;
}

static int by_p(const void *a, const void *b) {
  double pa = (*(mmpp_cmp_t *const *)a)->p, pb = (*(mmpp_cmp_t *const *)b)->p;
  return pa < pb ? -1 : pa > pb;
}

static void part_mmpp(ctx_t *c, accq_claim_row_t *r) {
  const accq_verify_options_t *o = c->o;
  const int li = o->nloads > 1 ? 1 : 0;
  mmpp_cmp_t cmp[MMPP_POLICIES * MMPP_NMEAS];
  mmpp_cmp_t *ord[MMPP_POLICIES * MMPP_NMEAS];
  int n = 0;
  accq_model_t mm;
  accq_err_t e;
  accq_err_clear(&e);
  if (mmpp_model(c, o->loads[li], &mm, &e)) {
    accq_i_note_add(r, "mmpp scenario not built at load %.2f: %s", o->loads[li], e.msg);
    return;
  }
  for (int pi = 0; pi < MMPP_POLICIES; pi++) {
    char what[160];
    snprintf(what, sizeof what, "%s: mmpp chain vs simulation %s", c->m->name,
             mmpp_policies[pi]);
    accq_i_progress(c, what);
    accq_err_clear(&e);
    int st = mmpp_policy(c, &mm, pi, cmp + n, r, &e);
    if (st == ACCQ_ETOOBIG) {
      /* short: the note is bounded and the parts' summaries come after it */
      accq_i_note_add(r, "mmpp %s not compared (chain over the state limit)", mmpp_policies[pi]);
    } else if (st) {
      r->verdict = ACCQ_VERDICT_FAIL;
      accq_i_note_add(r, "mmpp %s failed: %s", mmpp_policies[pi], e.msg);
    } else {
      n += MMPP_NMEAS;
    }
  }
  /* Holm over the unwarned comparisons (a warned simulation is no evidence) */
  int m = 0, nrej = 0;
  for (int j = 0; j < n; j++)
    if (!cmp[j].warned) ord[m++] = &cmp[j];
  if (m == 0) return;
  qsort(ord, (size_t)m, sizeof *ord, by_p);
  const double tcrit = gsl_cdf_tdist_Pinv(1 - SIM_ALPHA / (2.0 * m), SIM_REPS_AGREE - 1);
  int stop = 0;
  for (int j = 0; j < m; j++) {
    mmpp_cmp_t *x = ord[j];
    r->instances++;
    const double margin = 1.0 - x->t / tcrit;
    if (isnan(r->worst_margin) || margin < r->worst_margin) {
      r->worst_margin = margin;
      snprintf(r->evidence, sizeof r->evidence,
               "mmpp chain vs simulation, %s load %.2f m=1 B=%d: exact %.8g, simulated %.8g "
               "+- %.2g, |t| %.2f (critical %.2f, Holm over %d)",
               x->what, o->loads[li], MMPP_BUFFER, x->exact, x->sim, 2.0 * x->se, x->t,
               tcrit, m);
    }
    if (!stop && x->p <= SIM_ALPHA / (m - j)) {
      nrej++;
      r->verdict = ACCQ_VERDICT_FAIL;
      accq_i_note_add(r, "mmpp %s: exact %.8g, simulated %.8g (|t| %.2f, Holm p %.3g)", x->what,
                      x->exact, x->sim, x->t, x->p * (m - j));
    } else {
      stop = 1;
    }
  }
  accq_i_note_add(r, "mmpp chain vs simulator: %d comparison(s), family-wise level %g (Holm)%s",
                  m, SIM_ALPHA, nrej ? ", some rejected" : "");
}

void accq_i_claim5(ctx_t *c, accq_claim_row_t *r) {
  accq_i_row_init(r, 5, "agreement", c->m->name,
                  "min over checks of 1 - rel. diff/tol (chain vs simulation: 1 - |t|/t_crit)");
#define NPARTS 6
  static const char *const part_name[NPARTS] = {
      "LP solvers",         "lumped vs explicit chains", "stationary solvers",
      "random-lp vs product form", "chain vs simulator", "mmpp chain vs simulator"};
  void (*const parts[NPARTS])(ctx_t *, accq_claim_row_t *) = {
      part_lp, part_lumping, part_solvers, part_product_form, part_simulator, part_mmpp};
  int part_n[NPARTS]; /* comparisons made by each part (a)..(f) */
  for (int i = 0; i < NPARTS; i++) {
    int before = r->instances;
    if (i >= 4 && !accq_verify_have_simulator()) {
      accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      accq_i_note_add(r, "%s not checked (no simulator in this build)", part_name[i]);
    } else {
      parts[i](c, r);
    }
    part_n[i] = r->instances - before;
  }
  /* each part is a statement of the claim: one that compared nothing leaves the
   * claim checked only in part */
  for (int i = 0; i < NPARTS; i++)
    if (part_n[i] == 0 && r->instances > 0) {
      accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      accq_i_note_add(r, "%s: nothing compared", part_name[i]);
    }
  accq_i_finish_row(r, "no agreement check could run");
}
