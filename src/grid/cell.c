/* Result cells: a number, or why there is none (accq/grid.h), and the two
 * model-level tests that mark a cell before any chain is built. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/policy.h"
#include "accq/sim.h"
#include "grid/grid_internal.h"

const char *accq_cell_status_name(accq_cell_status_t s) {
  switch (s) {
  case ACCQ_CELL_OK: return "ok";
  case ACCQ_CELL_TRUNCATED: return "truncated";
  case ACCQ_CELL_TOO_LARGE: return "too_large";
  case ACCQ_CELL_NOT_CONVERGED: return "not_converged";
  case ACCQ_CELL_FAILED: return "failed";
  case ACCQ_CELL_UNSTABLE: return "unstable";
  case ACCQ_CELL_BEYOND_CAPACITY: return "beyond_capacity";
  case ACCQ_CELL_INFEASIBLE: return "infeasible";
  }
  return "failed";
}

const char *accq_cell_status_label(accq_cell_status_t s) {
  switch (s) {
  case ACCQ_CELL_OK: return "-";
  case ACCQ_CELL_TRUNCATED: return "truncated";
  case ACCQ_CELL_TOO_LARGE: return "too large";
  case ACCQ_CELL_NOT_CONVERGED: return "no convergence";
  case ACCQ_CELL_FAILED: return "failed";
  case ACCQ_CELL_UNSTABLE: return "unstable";
  case ACCQ_CELL_BEYOND_CAPACITY: return "beyond capacity";
  case ACCQ_CELL_INFEASIBLE: return "infeasible";
  }
  return "-";
}

int accq_cell_exit_code(accq_cell_status_t s) {
  switch (s) {
  case ACCQ_CELL_OK: return 0;
  case ACCQ_CELL_UNSTABLE:
  case ACCQ_CELL_BEYOND_CAPACITY:
  case ACCQ_CELL_INFEASIBLE: return 4;
  default: return 3;
  }
}

accq_cell_status_t accq_cell_status_of(int st) {
  switch (st) {
  case ACCQ_SUCCESS: return ACCQ_CELL_OK;
  case ACCQ_ETOOBIG:
  case ACCQ_ENOMEM: return ACCQ_CELL_TOO_LARGE;
  case ACCQ_ENOCONV: return ACCQ_CELL_NOT_CONVERGED;
  case ACCQ_EUNSTABLE: return ACCQ_CELL_UNSTABLE;
  case ACCQ_ECAPINFEAS: return ACCQ_CELL_BEYOND_CAPACITY;
  case ACCQ_EACCINFEAS: return ACCQ_CELL_INFEASIBLE;
  default: return ACCQ_CELL_FAILED;
  }
}

int accq_cell_is_hard_error(int st) {
  return st == ACCQ_EINVAL || st == ACCQ_EMODEL || st == ACCQ_EIO || st == ACCQ_EUSAGE ||
         st == ACCQ_EINTR;
}

int accq_grid_i_beyond_capacity(const accq_model_t *mm, char *why, size_t size) {
  /* an infinite-buffer system is stable only below its total service rate,
   * whatever the dispatch rule: sum_k n_k mu_k per unit of scale */
  double cap = 0;
  for (int k = 0; k < mm->ntypes; k++) cap += (double)mm->types[k].servers * mm->types[k].rate;
  if (!(mm->arrival_rate < cap)) {
    snprintf(why, size,
             "arrival rate %.6g per unit of scale is at or beyond the total service rate "
             "sum n_k mu_k = %.6g: no policy is stable (infinite buffer)",
             mm->arrival_rate, cap);
    return 1;
  }
  return 0;
}

int accq_grid_i_policy_unstable(const accq_model_t *mm, const char *policy, int *status,
                                char *why, size_t size) {
  /* the simulator's test (accq_sim_stability): the offered load against what
   * this policy can serve with infinite buffers (its LP split per type, the
   * types meeting a* for accurate-jiq, the total capacity otherwise) */
  accq_policy_t *pol = NULL;
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_err_t e;
  accq_err_clear(&e);
  *status = accq_policy_alloc(&pol, policy, mm, &popt, &e);
  if (*status) {
    snprintf(why, size, "%s", e.msg);
    return 0;
  }
  double load = NAN;
  int st = accq_sim_stability(mm, pol, 0, &load, &e);
  accq_policy_free(pol);
  if (st == ACCQ_EUNSTABLE) {
    snprintf(why, size, "%s", e.msg);
    return 1;
  }
  return 0;
}

int accq_grid_i_product_form(const accq_model_t *mm, const char *policy) {
  /* the registry's flag, which accq_analyze reads to choose the per-type chains */
  (void)mm;
  const accq_policy_type_t *ty = accq_policy_type_find(policy);
  return ty && ty->product_form;
}
