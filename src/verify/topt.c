/* Claim 1's sandwich hook: t_opt(m,B) from the constrained optimum (docs/policies.md,
 * `optimal`, method auto), over the rules that lose a job only when every server is
 * full (shed = 0) or over the rules that may also reject an arriving job in any
 * state, at an admitted rate >= min_admitted_rate (shed = 1).  Verify asks for
 * m <= TOPT_MAX_SCALE and the largest B <= 12 with at most 1,000 lumped states
 * (claims_internal.h). */
#include <stdio.h>

#include "verify/verify_internal.h"

#include "accq/clock.h"
#include "accq/optimal.h"

#define TOPT_MAX_STATES 5000 /* a guard; verify asks for at most 1,000 states */
/* Guards on the wall time of one optimum: the instances verify asks for take
 * well under a second.  The simplex may stall on a shedding LP whose admitted-
 * rate row is nearly tight and whose optimum sits within 1e-7 of the LP bound
 * (llm-three-tier at load 0.30, m = 2, B = 2, 540 states: over 8,000
 * degenerate pivots and 10 CPU seconds without an end, where GLPK's interior
 * point takes 0.2 s); after TOPT_SIMPLEX_S the same LP is solved by the
 * interior point, and if that fails by the simplex again, within what is left
 * of TOPT_SECONDS.  A solve that runs into
 * that is reported as not run and leaves the claim PARTIAL. */
#define TOPT_SIMPLEX_S 3.0
#define TOPT_SECONDS 10.0

static int topt_hook(const accq_model_t *m, int buffer, int shed, double min_admitted_rate,
                     double *t_opt, double *throughput, void *ctx, accq_err_t *err) {
  (void)ctx;
  accq_optimal_options_t oo;
  accq_optimal_options_init(&oo);
  oo.max_states = TOPT_MAX_STATES;
  oo.max_seconds = TOPT_SIMPLEX_S;
  oo.shed = shed;
  oo.min_admitted_rate = shed ? min_admitted_rate : 0.0; /* whole system, like m Lambda */
  accq_optimal_t *o = NULL;
  const double t0 = accq_clock_now();
  int st = accq_optimal_solve(m, buffer, &oo, &o, err);
  if (st == ACCQ_ENOCONV) {
    /* the interior point's optimum is within its complementarity gap (about
     * 1e-8 relative here) of t_opt, inside the claim's 1e-6 tolerance */
    oo.method = ACCQ_OPTIMAL_INTERIOR;
    oo.max_seconds = TOPT_SECONDS - (accq_clock_now() - t0);
    if (oo.max_seconds > 0) st = accq_optimal_solve(m, buffer, &oo, &o, err);
    /* the interior point fails on some of these LPs (GLP_EINSTAB): then the
     * simplex again, with the rest of the time (a loaded machine can make an
     * ordinary simplex solve outlast TOPT_SIMPLEX_S) */
    oo.method = ACCQ_OPTIMAL_AUTO;
    oo.max_seconds = TOPT_SECONDS - (accq_clock_now() - t0);
    if (st && st != ACCQ_EACCINFEAS && oo.max_seconds > 0)
      st = accq_optimal_solve(m, buffer, &oo, &o, err);
  }
  if (st) {
    accq_optimal_free(o);
    return st;
  }
  accq_optimal_summary_t s;
  accq_optimal_summary(o, &s);
  *t_opt = s.t_opt;
  *throughput = s.throughput;
  accq_optimal_free(o);
  return ACCQ_SUCCESS;
}
accq_verify_topt_fn accq_i_default_topt(void) { return topt_hook; }
