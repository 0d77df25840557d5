/* Claim 2 (docs/claims.md): R-JIQ and POP meet a*.  Exactly on the grid's
 * chains that stand for an infinite buffer, to the finite-buffer bound
 * A >= a* - d P_loss/(1 - P_loss) on the others, and within the noise of the
 * simulations at the larger sizes. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>

#include "accq/fmt.h"
#include "verify/claims_internal.h"

/* What the exact part counted (for the notes and the reason of a SKIPPED row). */
typedef struct {
  int finite_b, exact_n, not_fit, no_answer;
  double worst_finite;        /* lowest accuracy - a* over the finite-buffer chains */
  char worst_finite_what[240];
} exact_counts_t;

/* A chain whose boundary mass is not tiny: the admitted-job accuracy is
 * reported as it is, and held to A >= a* - d P_loss/(1 - P_loss). */
static void finite_buffer_check(ctx_t *c, accq_claim_row_t *r, int pi, int li, int si, double d,
                                exact_counts_t *n) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  const inst_t *in = at(c, li, si, pi);
  const accq_measures_t *ms = &in->an.m;
  const char *tag = c->pols[pi].forced ? " (fault: treated as meeting a*)" : "";
  n->finite_b++;
  double lb = m->accuracy_target - d * ms->loss_probability / (1.0 - ms->loss_probability);
  double margin = ms->accuracy - lb + TOL_ACC;
  accq_i_margin_at(r, margin,
                   "%s%s load %.2f m=%d B=%d (finite buffer, P_loss %.3g): accuracy %.12f, "
                   "bound %.12f (d = %g)",
                   c->pols[pi].spec, tag, o->loads[li], o->scales[si], in->an.buffer,
                   ms->loss_probability, ms->accuracy, lb, d);
  if (!(margin >= 0)) {
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "%s at load %.2f m=%d B=%d: accuracy %.9f below the finite-buffer "
                    "bound %.9f", c->pols[pi].spec, o->loads[li], o->scales[si],
                    in->an.buffer, ms->accuracy, lb);
  }
  double below_target = ms->accuracy - m->accuracy_target;
  if (isnan(n->worst_finite) || below_target < n->worst_finite) {
    n->worst_finite = below_target;
    snprintf(n->worst_finite_what, sizeof n->worst_finite_what,
             "%s load %.2f m=%d B=%d boundary mass %.2g: accuracy %.9f (bound %.9f)",
             c->pols[pi].spec, o->loads[li], o->scales[si], in->an.buffer,
             ms->boundary_mass, ms->accuracy, lb);
  }
}

/* The grid's chains of rjiq, pop (and the fault's policy). */
static void claim2_exact(ctx_t *c, accq_claim_row_t *r, double d, exact_counts_t *n) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  for (int pi = 0; pi < c->npol; pi++) {
    if (!(pi == c->p_rjiq || pi == c->p_pop ||
          c->pols[pi].forced))
      continue;
    const char *tag = c->pols[pi].forced ? " (fault: treated as meeting a*)" : "";
    for (int li = 0; li < o->nloads; li++)
      for (int si = 0; si < o->nscales; si++) {
        inst_t *in = at(c, li, si, pi);
        if (in->status) {
          if (in->status == ACCQ_ETOOBIG) n->not_fit++;
          else n->no_answer++;
          continue;
        }
        const accq_measures_t *ms = &in->an.m;
        r->instances++;
        if (ms->boundary_mass > TINY_MASS) {
          finite_buffer_check(c, r, pi, li, si, d, n);
          continue;
        }
        n->exact_n++;
        double margin = ms->accuracy - m->accuracy_target + TOL_ACC;
        accq_i_margin_at(r, margin,
                         "%s%s load %.2f m=%d B=%d (boundary mass %.2g): accuracy %.12f, a* %s",
                         c->pols[pi].spec, tag, o->loads[li], o->scales[si], in->an.buffer,
                         ms->boundary_mass, ms->accuracy, ACCQ_FMT(m->accuracy_target));
        if (!(margin >= 0)) {
          r->verdict = ACCQ_VERDICT_FAIL;
          accq_i_note_add(r, "%s misses a* at load %.2f m=%d: accuracy %.12f < %s",
                          c->pols[pi].spec, o->loads[li], o->scales[si], ms->accuracy,
                          ACCQ_FMT(m->accuracy_target));
        }
      }
  }
  if (n->exact_n)
    accq_i_note_add(r, "%d chain(s) standing for B = infinity (boundary mass <= %g)", n->exact_n,
                    TINY_MASS);
  if (n->finite_b)
    accq_i_note_add(r, "%d finite-buffer chain(s) (boundary mass > %g) held to the finite-buffer "
                    "bound (d = %g), lowest accuracy %s",
                    n->finite_b, TINY_MASS, d, n->worst_finite_what);
  if (n->not_fit) accq_i_note_add(r, "%d chain(s) over the state limit", n->not_fit);
  if (n->no_answer)
    accq_i_note_add(r, "%d instance(s) with no answer (unstable or infeasible)", n->no_answer);
}

/* The simulations' tally: how many were evidence, how many significantly low,
 * the lowest accuracy. */
typedef struct {
  int nsim, nlow;
  double worst;
  char worst_what[200];
} sim_counts_t;

/* One simulation of rjiq or pop (infinite buffer): its accuracy must not be
 * significantly below a* (one-sided t test at level SIM_ALPHA / ntests). */
static void sim_check(ctx_t *c, accq_claim_row_t *r, int pi, int li, int si, const simc_t *sc,
                      int ntests, sim_counts_t *n) {
  const accq_verify_options_t *o = c->o;
  const accq_model_t *m = c->m;
  const char *name = c->pols[pi].spec;
  int R = sc->s.replications;
  double se = sc->s.accuracy_ci95 / gsl_cdf_tdist_Pinv(0.975, R - 1);
  double tcrit = gsl_cdf_tdist_Pinv(1 - SIM_ALPHA / ntests, R - 1);
  if (accq_i_sim_warned(r, &sc->s, "%s load %.2f m=%d", name, o->loads[li], o->sim_scales[si])) {
    if (sc->s.accuracy < m->accuracy_target - tcrit * se - TOL_ACC) {
      accq_i_worse(&r->verdict, ACCQ_VERDICT_PARTIAL);
      accq_i_note_add(r, "%s at load %.2f m=%d: simulated accuracy %.6f +- %.2g below a* %s, "
                      "but the estimate has a bias warning: inconclusive",
                      name, o->loads[li], o->sim_scales[si], sc->s.accuracy,
                      sc->s.accuracy_ci95, ACCQ_FMT(m->accuracy_target));
    }
    return;
  }
  n->nsim++;
  r->instances++;
  double dd = sc->s.accuracy - m->accuracy_target;
  if (isnan(n->worst) || dd < n->worst) {
    n->worst = dd;
    snprintf(n->worst_what, sizeof n->worst_what, "%s load %.2f m=%d: %.6f +- %.2g", name,
             o->loads[li], o->sim_scales[si], sc->s.accuracy, sc->s.accuracy_ci95);
  }
  double thr = m->accuracy_target - tcrit * se - TOL_ACC;
  double margin = sc->s.accuracy - thr;
  accq_i_margin_at(r, margin,
                   "simulation, %s load %.2f m=%d: accuracy %.6f +- %.2g, threshold a* - t_crit "
                   "se = %.6f",
                   name, o->loads[li], o->sim_scales[si], sc->s.accuracy, sc->s.accuracy_ci95,
                   thr);
  if (!(margin >= 0)) {
    n->nlow++;
    r->verdict = ACCQ_VERDICT_FAIL;
    accq_i_note_add(r, "%s at load %.2f m=%d: simulated accuracy %.6f +- %.2g significantly "
                    "below a* %s", name, o->loads[li], o->sim_scales[si], sc->s.accuracy,
                    sc->s.accuracy_ci95, ACCQ_FMT(m->accuracy_target));
  }
}

/* Larger sizes by simulation (infinite buffer), Bonferroni over every test of
 * the model.  The first reason a simulation did not run goes to sim_why. */
static void claim2_sim(ctx_t *c, accq_claim_row_t *r, char *sim_why, size_t whysz) {
  const accq_verify_options_t *o = c->o;
  sim_counts_t n = {0, 0, NAN, ""};
  int ntests = 2 * o->nloads * o->nsim_scales;
  for (int pi = c->p_rjiq; pi <= c->p_pop; pi++)
    for (int li = 0; li < o->nloads; li++)
      for (int si = 0; si < o->nsim_scales; si++) {
        if (pi == c->p_rjiq && (at(c, li, 0, c->p_rjiq)->status == ACCQ_EUNSTABLE ||
                             at(c, li, 0, c->p_rjiq)->status == ACCQ_ECAPINFEAS))
          continue;
        simc_t *sc = accq_i_get_sim(c, pi, li, si);
        if (!sc) {
          if (!sim_why[0]) snprintf(sim_why, whysz, "%.190s", sim_slot(c, pi, li, si)->why);
          continue;
        }
        sim_check(c, r, pi, li, si, sc, ntests, &n);
      }
  if (n.nsim)
    accq_i_note_add(r, "%d simulation(s) at m=%d..%d, lowest accuracy %s%s", n.nsim,
                    o->sim_scales[0], o->sim_scales[o->nsim_scales - 1], n.worst_what,
                    n.nlow ? "" : " (none significantly below a*)");
  if (sim_why[0]) accq_i_note_add(r, "some simulations did not run: %s", sim_why);
}

void accq_i_claim2(ctx_t *c, accq_claim_row_t *r) {
  const accq_model_t *m = c->m;
  accq_i_row_init(r, 2, "R-JIQ and POP meet a*", m->name,
                  "min accuracy - threshold (exact: a* - 1e-9; finite buffer: a* - d "
                  "P_loss/(1-P_loss) - 1e-9; simulated: a* - t_crit se)");
  /* The finite-buffer bound (proofs/accuracy-guarantees.md): a lost job takes
   * away its type's accuracy, so the constant is the largest accuracy SURPLUS
   * d = max_k (a_k - a*)^+ that a loss can remove, not the largest shortfall. */
  double d = 0;
  for (int k = 0; k < m->ntypes; k++) d = fmax(d, m->types[k].accuracy - m->accuracy_target);
  exact_counts_t n = {0, 0, 0, 0, NAN, ""};
  claim2_exact(c, r, d, &n);
  char sim_why[200] = "";
  if (accq_verify_have_simulator() && c->o->nsim_scales > 0)
    claim2_sim(c, r, sim_why, sizeof sim_why);
  char why[240];
  snprintf(why, sizeof why, "no instance: %d chain(s) over the state limit, %d without an answer%s%s",
           n.not_fit, n.no_answer, sim_why[0] ? "; simulation: " : "", sim_why);
  accq_i_finish_row(r, why);
}
