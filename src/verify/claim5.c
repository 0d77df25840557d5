/* Claim 5 (docs/claims.md): independent methods agree.  (a) the LP solvers,
 * (b) the lumped and explicit chains, (c) every stationary solver, (d)
 * random-lp's joint chain and the M/M/1/B product form, (e) the chain and the
 * simulator within confidence intervals.  Each part is a statement of the
 * claim: one that compared nothing makes the row PARTIAL. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/chain.h"
#include "accq/lp.h"
#include "accq/policy.h"
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

void accq_i_claim5(ctx_t *c, accq_claim_row_t *r) {
  accq_i_row_init(r, 5, "agreement", c->m->name,
                  "min over checks of 1 - rel. diff/tol (chain vs simulation: 1 - |t|/t_crit)");
  static const char *const part_name[5] = {"LP solvers", "lumped vs explicit chains",
                                           "stationary solvers", "random-lp vs product form",
                                           "chain vs simulator"};
  void (*const parts[5])(ctx_t *, accq_claim_row_t *) = {part_lp, part_lumping, part_solvers,
                                                         part_product_form, part_simulator};
  int part_n[5]; /* comparisons made by each part (a)..(e) */
  for (int i = 0; i < 5; i++) {
    int before = r->instances;
    if (i == 4 && !accq_verify_have_simulator()) {
      accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      accq_i_note_add(r, "chain vs simulator not checked (no simulator in this build)");
    } else {
      parts[i](c, r);
    }
    part_n[i] = r->instances - before;
  }
  /* each part is a statement of the claim: one that compared nothing leaves the
   * claim checked only in part */
  for (int i = 0; i < 5; i++)
    if (part_n[i] == 0 && r->instances > 0) {
      accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      accq_i_note_add(r, "%s: nothing compared", part_name[i]);
    }
  accq_i_finish_row(r, "no agreement check could run");
}
