/* The gap of a policy to the LP bound as the system grows (accq converge):
 * exact chains while the state space fits and the auto buffer makes the
 * truncation negligible, simulation beyond.  A size with no answer is marked
 * (status and reason) and the others go on. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "verify/verify_internal.h"

#define TINY_MASS 1e-9

void accq_converge_options_init(accq_converge_options_t *o) {
  memset(o, 0, sizeof *o);
  /* Not the chain module's 2e7: here the limit decides between a chain and a
   * simulation, and building chains of millions of states only to find the
   * auto buffer cut short costs minutes per size (measured: two-tier, rjiq,
   * m = 1,2,4: 6 s with 2e5, 13 min with 2e7, the same table) */
  o->max_states = 200000;
  o->max_buffer = 80;
  o->replications = 10;
  o->jobs = 200000;
  o->seed = 1;
  o->threads = 1;
}

/* Statuses no point can carry: a wrong question or an interruption. */
static int is_hard_error(int st) {
  return st == ACCQ_EINVAL || st == ACCQ_EMODEL || st == ACCQ_EIO || st == ACCQ_EUSAGE ||
         st == ACCQ_EINTR;
}

static void point_clear(accq_converge_point_t *p, int scale) {
  memset(p, 0, sizeof *p);
  p->scale = scale;
  p->boundary_mass = p->mean_response_time = p->ci95 = p->accuracy = NAN;
  p->t_lp = p->gap = p->gap_lo = p->gap_hi = NAN;
}

static void point_mark(accq_converge_point_t *p, int st, const char *why) {
  p->status = accq_cell_status_of(st);
  snprintf(p->reason, sizeof p->reason, "%s", why && *why ? why : accq_strerror(st));
}

int accq_converge_run(const accq_model_t *m, const char *policy, const int *scales,
                      int nscales, const accq_converge_options_t *o,
                      accq_converge_point_t *pts, accq_err_t *err) {
  for (int i = 0; i < nscales; i++) {
    if (scales[i] < 1)
      return accq_err_set(err, ACCQ_EUSAGE, "--scales: sizes must be >= 1 (got %d)", scales[i]);
  }
  accq_model_t base = *m;
  accq_err_t e;
  accq_err_clear(&e);
  int st = accq_lp_model_resolve(&base, &e);
  if (st && is_hard_error(st)) return err ? (*err = e, st) : st;
  for (int i = 0; i < nscales; i++) {
    accq_converge_point_t *p = &pts[i];
    point_clear(p, scales[i]);
    if (st) { /* the load cannot be resolved (a* infeasible): no size has an answer */
      point_mark(p, st, e.msg);
      continue;
    }
    accq_model_t mm = base;
    mm.scale = scales[i];
    mm.buffer = 0; /* the infinite-buffer question */
    char what[160], why[1200] = "";
    if (accq_i_beyond_capacity(&mm, why, sizeof why)) {
      p->status = ACCQ_CELL_BEYOND_CAPACITY;
      snprintf(p->reason, sizeof p->reason, "%s", why);
      continue;
    }
    int pst;
    if (accq_i_policy_unstable(&mm, policy, &pst, why, sizeof why)) {
      p->status = ACCQ_CELL_UNSTABLE;
      snprintf(p->reason, sizeof p->reason, "%s", why);
      continue;
    }
    why[0] = '\0';
    int done = 0;
    accq_err_t ce;
    accq_err_clear(&ce);
    if (!o->force_sim) {
      snprintf(what, sizeof what, "%s m=%d: chain", policy, scales[i]);
      if (o->progress) o->progress(o->progress_ctx, what, (double)i / nscales);
      accq_analysis_t an;
      memset(&an, 0, sizeof an); /* a refused policy returns before accq_analyze fills it */
      int cs = accq_i_chain(&mm, policy, 0, 0, o->max_states, o->max_buffer, ACCQ_I_SOLVER, 0,
                            &an, &ce);
      if (cs == ACCQ_SUCCESS && an.verdict == ACCQ_ANALYSIS_CONVERGED && an.auto_converged &&
          an.m.boundary_mass <= TINY_MASS) {
        p->exact = 1;
        p->buffer = an.buffer;
        p->states = an.states;
        p->boundary_mass = an.m.boundary_mass;
        p->mean_response_time = an.m.mean_response_time;
        p->ci95 = 0;
        p->accuracy = an.m.accuracy;
        p->t_lp = accq_i_t_lp_at(&mm, an.m.throughput_total / mm.scale);
        p->gap = p->gap_lo = p->gap_hi = p->mean_response_time / p->t_lp - 1.0;
        done = 1;
      } else if (cs && is_hard_error(cs)) {
        return accq_err_set(err, cs, "m=%d: %s", scales[i], ce.msg);
      } else if (cs == ACCQ_EUNSTABLE || cs == ACCQ_ECAPINFEAS || cs == ACCQ_EACCINFEAS) {
        /* no answer exists for this policy here: a simulation would be refused too */
        point_mark(p, cs, ce.msg);
        continue;
      } else if (cs == ACCQ_SUCCESS || (cs == ACCQ_ENOCONV && an.verdict == ACCQ_ANALYSIS_TRUNCATED)) {
        snprintf(why, sizeof why, "chain truncated (%.1100s)",
                 an.reason[0] ? an.reason : an.warning[0] ? an.warning : "boundary mass above 1e-9");
      } else {
        snprintf(why, sizeof why, "chain: %.1100s", ce.msg);
      }
    }
    if (done) continue;
    /* the chain does not answer (too large, truncated, not converged): simulate */
    if (!accq_verify_have_simulator()) {
      point_mark(p, ACCQ_ETOOBIG, why[0] ? why : "this build has no simulator");
      continue;
    }
    snprintf(what, sizeof what, "%s m=%d: simulation", policy, scales[i]);
    if (o->progress) o->progress(o->progress_ctx, what, (double)i / nscales);
    accq_verify_sim_t s;
    accq_err_t se;
    accq_err_clear(&se);
    int ss = accq_verify_simulate(&mm, policy, o->replications, o->jobs,
                                  o->seed + (unsigned long)i, o->threads, &s, &se);
    if (ss) {
      if (is_hard_error(ss)) return accq_err_set(err, ss, "m=%d: %s", scales[i], se.msg);
      char r[sizeof p->reason];
      if (why[0])
        snprintf(r, sizeof r, "%.900s; simulation: %.1000s", why, se.msg);
      else
        snprintf(r, sizeof r, "simulation: %.1100s", se.msg);
      point_mark(p, ss, r);
      continue;
    }
    p->exact = 0;
    p->buffer = 0;
    p->mean_response_time = s.mean_response_time;
    p->ci95 = s.ci95;
    p->accuracy = s.accuracy;
    p->t_lp = accq_i_t_lp_at(&mm, mm.arrival_rate); /* infinite buffer: X = Lambda */
    p->gap = s.mean_response_time / p->t_lp - 1.0;
    p->gap_lo = (s.mean_response_time - s.ci95) / p->t_lp - 1.0;
    p->gap_hi = (s.mean_response_time + s.ci95) / p->t_lp - 1.0;
    for (int w = 0; w < s.nwarnings && w < ACCQ_CELL_MAX_WARNINGS; w++)
      snprintf(p->warnings[p->nwarnings++], ACCQ_CELL_WARNING_MAX, "%s", s.warnings[w]);
  }
  if (o->progress) o->progress(o->progress_ctx, "done", 1.0);
  return ACCQ_SUCCESS;
}
