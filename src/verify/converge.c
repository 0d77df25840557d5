/* The gap of a policy to the LP bound as the system grows (accq converge):
 * exact chains while the state space fits and the auto buffer makes the
 * truncation negligible, simulation beyond. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "verify/verify_internal.h"

#define TINY_MASS 1e-9

void accq_converge_options_init(accq_converge_options_t *o) {
  memset(o, 0, sizeof *o);
  o->max_states = 200000;
  o->max_buffer = 80;
  o->replications = 10;
  o->jobs = 200000;
  o->seed = 1;
  o->threads = 1;
}

int accq_converge_run(const accq_model_t *m, const char *policy, const int *scales,
                      int nscales, const accq_converge_options_t *o,
                      accq_converge_point_t *pts, accq_err_t *err) {
  accq_model_t base = *m;
  int st = accq_lp_model_resolve(&base, err);
  if (st) return st;
  for (int i = 0; i < nscales; i++) {
    if (scales[i] < 1)
      return accq_err_set(err, ACCQ_EUSAGE, "--scales: sizes must be >= 1 (got %d)", scales[i]);
  }
  for (int i = 0; i < nscales; i++) {
    accq_converge_point_t *p = &pts[i];
    memset(p, 0, sizeof *p);
    p->scale = scales[i];
    accq_model_t mm = base;
    mm.scale = scales[i];
    mm.buffer = 0;
    char what[160];
    int done = 0;
    accq_err_t e;
    accq_err_clear(&e);
    if (!o->force_sim) {
      snprintf(what, sizeof what, "%s m=%d: chain", policy, scales[i]);
      if (o->progress) o->progress(o->progress_ctx, what, (double)i / nscales);
      accq_analysis_t an;
      st = accq_i_chain(&mm, policy, 0, 0, o->max_states, o->max_buffer, ACCQ_I_SOLVER, 0,
                        &an, &e);
      if (st == ACCQ_SUCCESS && an.m.boundary_mass <= TINY_MASS) {
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
      } else if (st && st != ACCQ_ETOOBIG && st != ACCQ_ERANGE && st != ACCQ_ENOMEM) {
        return accq_err_set(err, st, "m=%d: %s", scales[i], e.msg);
      }
    }
    if (done) continue;
    if (!accq_verify_have_simulator())
      return accq_err_set(err, ACCQ_ETOOBIG,
                          "m=%d: the chain does not fit (%s) and this build has no simulator",
                          scales[i], e.msg[0] ? e.msg : "boundary mass above 1e-9");
    snprintf(what, sizeof what, "%s m=%d: simulation", policy, scales[i]);
    if (o->progress) o->progress(o->progress_ctx, what, (double)i / nscales);
    accq_verify_sim_t s;
    accq_err_clear(&e);
    st = accq_verify_simulate(&mm, policy, o->replications, o->jobs,
                              o->seed + (unsigned long)i, o->threads, &s, &e);
    if (st) return accq_err_set(err, st, "m=%d: %s", scales[i], e.msg);
    p->exact = 0;
    p->mean_response_time = s.mean_response_time;
    p->ci95 = s.ci95;
    p->accuracy = s.accuracy;
    p->t_lp = accq_i_t_lp_at(&mm, mm.arrival_rate); /* infinite buffer: X = Lambda */
    p->gap = s.mean_response_time / p->t_lp - 1.0;
    p->gap_lo = (s.mean_response_time - s.ci95) / p->t_lp - 1.0;
    p->gap_hi = (s.mean_response_time + s.ci95) / p->t_lp - 1.0;
  }
  if (o->progress) o->progress(o->progress_ctx, "done", 1.0);
  return ACCQ_SUCCESS;
}
