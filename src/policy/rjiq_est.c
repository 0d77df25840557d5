/* rjiq:est=ewma:TAU, R-JIQ with an online estimate of Lambda. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/lp.h"
#include "policy/policy_internal.h"

/* rjiq:est=ewma:TAU, R-JIQ with an online estimate of Lambda (docs/policies.md,
 * docs/simulator.md).  The policy itself is rjiq at the model's Lambda (the
 * estimate's starting value); the simulator keeps a copy per replication
 * (accq_policy_clone), estimates the rate and calls accq_policy_resplit when
 * its estimate moves.  Every other command sees plain rjiq at the model's
 * Lambda, which is where the estimate of a constant Poisson rate settles. */

int accq_i_policy_rjiq_est_alloc(accq_policy_t **pol, const char *spec, const accq_model_t *m,
                                 const accq_policy_options_t *opt, accq_err_t *err) {
  /* rjiq:est=ewma:TAU or rjiq:est=ewma:TAU:E (E: R-JIQ's slack on the
   * capacities, which keeps a re-solved split off a saturated type) */
  const char *pre = "rjiq:est=ewma:";
  size_t n = strlen(pre);
  char buf[64], base[48] = "rjiq";
  double tau = 0, slack = 0;
  int ok = strncmp(spec, pre, n) == 0 && strlen(spec + n) < sizeof buf;
  if (ok) {
    snprintf(buf, sizeof buf, "%s", spec + n);
    char *colon = strchr(buf, ':');
    if (colon) {
      *colon = '\0';
      ok = accq_i_policy_parse_number(colon + 1, &slack) && slack >= 0 && slack < 1;
    }
    ok = ok && accq_i_policy_parse_number(buf, &tau) && tau > 0 && tau <= 1e12;
  }
  if (!ok)
    return accq_err_set(err, ACCQ_EUSAGE,
                        "policy '%s': expected rjiq:est=ewma:TAU[:E] with a time constant TAU > 0 "
                        "(in the model's time unit) and an optional slack E in [0,1), e.g. "
                        "rjiq:est=ewma:50 or rjiq:est=ewma:50:0.05", spec);
  if (slack > 0) snprintf(base, sizeof base, "rjiq:%.17g", slack);
  int st = accq_policy_alloc(pol, base, m, opt, err);
  if (st) return st;
  (*pol)->est_tau = tau;
  if ((*pol)->slack > 0)
    snprintf((*pol)->name, sizeof (*pol)->name, "rjiq:est=ewma:%g:%g", tau, (*pol)->slack);
  else
    snprintf((*pol)->name, sizeof (*pol)->name, "rjiq:est=ewma:%g", tau);
  return ACCQ_SUCCESS;
}

double accq_policy_est_tau(const accq_policy_t *pol) { return pol ? pol->est_tau : 0; }

int accq_policy_resplit(accq_policy_t *pol, const accq_model_t *m, double lambda, int *clamped,
                        accq_err_t *err) {
  if (!pol->has_split)
    return accq_err_set(err, ACCQ_EINVAL, "policy '%s' has no LP split to re-solve", pol->name);
  accq_model_t mm = *m;
  mm.lambda_mode = ACCQ_LAMBDA_RATE;
  mm.arrival_rate = lambda;
  if (clamped) *clamped = 0;
  /* Beyond Lambda_max(a*) no split meets a* within the capacities: use the
   * split at Lambda_max(a*) itself (it serves the most while meeting a*). */
  accq_lp_problem_t prob;
  if (accq_lp_problem_from_model(&prob, &mm, pol->slack) == ACCQ_SUCCESS) {
    double lmax = accq_lp_lambda_max(&prob);
    if (isfinite(lmax) && lambda > lmax) {
      mm.arrival_rate = lmax * (1 - 1e-12);
      if (clamped) *clamped = 1;
    }
  }
  accq_policy_t tmp = *pol;
  int st = accq_i_policy_lp_split(&tmp, &mm, pol->slack, 1, 0, err);
  if (st) return st;
  memcpy(pol->split, tmp.split, sizeof pol->split);
  pol->saturated = tmp.saturated;
  return ACCQ_SUCCESS;
}
