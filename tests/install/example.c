/* The README's library example: the LP lower bound T_LP of the built-in
 * two-tier model (docs/model.md), through the installed library. */
#include <stdio.h>
#include <accq/accq.h>

int main(void) {
  accq_model_t m;
  accq_lp_problem_t p;
  accq_lp_result_t r;
  accq_err_t err;
  if (accq_model_default(&m, &err) || accq_lp_model_resolve(&m, &err) ||
      accq_lp_problem_from_model(&p, &m, 0.0) || accq_lp_solve(&p, &r, &err)) {
    fprintf(stderr, "accq: %s\n", err.msg);
    return 1;
  }
  printf("accq %s: T_LP = %.17g\n", accq_version(), r.t_lp);
  return 0;
}
