/* GLPK (accq_lp_solve) against the combinatorial solver on random instances,
 * plus the solution properties that hold for each solver alone: primal
 * feasibility, objective = t_lp, dual feasibility, duality gap.  Expected
 * values come from the other, independent solver (no shared code on the
 * solve path: GLPK's simplex vs dual-vertex enumeration). */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "testutil.h"


typedef enum { GEN_FEAS, GEN_AT_MAX, GEN_CAPINF, GEN_ACCINF } gen_kind_t;

static double pick(gsl_rng *g, const double *v, int n) {
  return v[gsl_rng_uniform_int(g, (unsigned long)n)];
}

/* One random instance.  Half the instances draw rates and accuracies from
 * small grids of dyadic values (exact ties in rate, in accuracy, and a* equal
 * to some a_k with exact differences); the others draw continuous values. */
static int kmin = 1, kmax = 8;

static gen_kind_t random_problem(gsl_rng *g, accq_lp_problem_t *p) {
  static const double mus[] = {0.5, 1.0, 2.0, 4.0, 8.0};
  static const double accs[] = {0.0, 0.25, 0.5, 0.625, 0.75, 0.875, 1.0};
  memset(p, 0, sizeof *p);
  int K = kmin + (int)gsl_rng_uniform_int(g, (unsigned long)(kmax - kmin + 1));
  int grid = gsl_rng_uniform(g) < 0.5;
  p->ntypes = K;
  for (int k = 0; k < K; k++) {
    if (grid) {
      p->mu[k] = pick(g, mus, 5);
      p->acc[k] = pick(g, accs, 7);
    } else {
      p->mu[k] = exp(log(0.1) + gsl_rng_uniform(g) * log(100.0));
      p->acc[k] = gsl_rng_uniform(g);
    }
    int n = 1 + (int)gsl_rng_uniform_int(g, 4);
    p->cap[k] = n * p->mu[k];
  }
  double amax = 0, amin = 1;
  for (int k = 0; k < K; k++) {
    amax = fmax(amax, p->acc[k]);
    amin = fmin(amin, p->acc[k]);
  }
  double u = gsl_rng_uniform(g);
  gen_kind_t kind;
  if (u < 0.1) {
    kind = GEN_ACCINF;
    if (amax >= 1.0) { /* make room above max a_k */
      for (int k = 0; k < K; k++) p->acc[k] *= 0.875;
      amax *= 0.875;
    }
    p->a_star = amax + (1 - amax) * (0.01 + 0.99 * gsl_rng_uniform(g));
    p->lambda = 0.1 + 10 * gsl_rng_uniform(g);
    return kind;
  }
  if (gsl_rng_uniform(g) < 0.25)
    p->a_star = p->acc[gsl_rng_uniform_int(g, (unsigned long)K)]; /* a type exactly at a* */
  else if (gsl_rng_uniform(g) < 0.15)
    p->a_star = amin * gsl_rng_uniform(g); /* below every accuracy */
  else
    p->a_star = amin + (amax - amin) * gsl_rng_uniform(g);
  double lmax = accq_lp_lambda_max(p);
  double v = gsl_rng_uniform(g);
  if (v < 0.65) {
    kind = GEN_FEAS;
    p->lambda = lmax * (0.001 + 0.998 * gsl_rng_uniform(g));
  } else if (v < 0.75) {
    kind = GEN_AT_MAX;
    p->lambda = lmax;
  } else {
    kind = GEN_CAPINF;
    p->lambda = lmax * (1 + 1e-6 + gsl_rng_uniform(g));
  }
  return kind;
}

/* Properties of one solver's optimal answer. */
static void check_solution(const accq_lp_problem_t *p, const accq_lp_result_t *r,
                           const char *who, int inst) {
  char what[128];
  int K = p->ntypes;
  double flow = 0, accrow = 0, obj = 0, maxinv = 0;
  for (int k = 0; k < K; k++) {
    ck_assert_msg(r->x[k] >= -1e-12 * p->lambda && r->x[k] <= p->cap[k] * (1 + 1e-9) + 1e-12,
                  "%s instance %d: x[%d] = %.17g outside [0, %.17g]", who, inst, k, r->x[k],
                  p->cap[k]);
    flow += r->x[k];
    accrow += (p->acc[k] - p->a_star) * r->x[k];
    obj += r->x[k] / p->mu[k];
    maxinv = fmax(maxinv, 1 / p->mu[k]);
  }
  snprintf(what, sizeof what, "%s instance %d: flow row", who, inst);
  ACCQ_CK_CLOSE(flow, p->lambda, 1e-9, 0, what);
  ck_assert_msg(accrow >= -1e-9 * p->lambda, "%s instance %d: accuracy row %.3g < 0", who,
                inst, accrow);
  snprintf(what, sizeof what, "%s instance %d: sum x/mu / Lambda vs t_lp", who, inst);
  ACCQ_CK_CLOSE(obj / p->lambda, r->t_lp, 1e-12, 0, what);
  /* duality gap relative to the objective (of the scaled LP) */
  ck_assert_msg(r->duality_gap <= 1e-12 * obj, "%s instance %d: duality gap %.3g > 1e-12 * %.17g",
                who, inst, r->duality_gap, obj);
  /* dual feasibility: z >= 0, dual_cap <= 0, y + z d_k + dual_cap_k <= 1/mu_k */
  ck_assert_msg(r->dual_acc >= 0, "%s instance %d: dual_acc %.17g < 0", who, inst, r->dual_acc);
  for (int k = 0; k < K; k++) {
    ck_assert_msg(r->dual_cap[k] <= 0, "%s instance %d: dual_cap[%d] > 0", who, inst, k);
    double slack = 1 / p->mu[k] - r->dual_flow - r->dual_acc * (p->acc[k] - p->a_star) -
                   r->dual_cap[k];
    ck_assert_msg(slack >= -1e-9 * maxinv, "%s instance %d: dual row %d violated by %.3g", who,
                  inst, k, slack);
    snprintf(what, sizeof what, "%s instance %d: p[%d] = x/Lambda", who, inst, k);
    ACCQ_CK_CLOSE(r->p[k], r->x[k] / p->lambda, 1e-15, 0, what);
  }
  /* proofs/lp-structure.md: a vertex has at most two types strictly between
   * their bounds; two only with the accuracy row tight, the more accurate one
   * not faster, and, when no type is at capacity, one on each side of a*
   * (an ordered pair of docs/lp.md). */
  int frac[ACCQ_MAX_TYPES], nf = 0, atcap = 0;
  for (int k = 0; k < K; k++) {
    double tol = 1e-9 * fmax(p->cap[k], 1e-300);
    if (r->x[k] > tol && r->x[k] < p->cap[k] - tol) frac[nf++] = k;
    if (p->cap[k] > 0 && r->x[k] >= p->cap[k] - tol) atcap = 1;
  }
  ck_assert_msg(nf <= 2, "%s instance %d: %d types strictly between bounds", who, inst, nf);
  if (nf == 2) {
    int i = frac[0], j = frac[1];
    ck_assert_msg(fabs(accrow) <= 1e-9 * p->lambda,
                  "%s instance %d: two fractional types but accuracy row slack %.3g", who, inst,
                  accrow);
    ck_assert_msg((p->acc[i] - p->acc[j]) * (1 / p->mu[i] - 1 / p->mu[j]) >= -1e-9 * maxinv,
                  "%s instance %d: the more accurate fractional type is faster", who, inst);
    if (!atcap)
      ck_assert_msg((p->acc[i] - p->a_star) * (p->acc[j] - p->a_star) < 0,
                    "%s instance %d: fractional types %d,%d not an ordered pair", who, inst, i,
                    j);
  }
}

static void compare_solvers(unsigned long seed, int ninst) {
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, seed);
  int count[4] = {0}, status_count[3] = {0};
  for (int inst = 0; inst < ninst; inst++) {
    accq_lp_problem_t p;
    accq_lp_result_t a, b;
    accq_err_t ea, eb;
    char what[128];
    gen_kind_t kind = random_problem(g, &p);
    count[kind]++;
    int ra = accq_lp_solve(&p, &a, &ea), rb = accq_lp_solve_combinatorial(&p, &b, &eb);
    ck_assert_msg(ra == 0, "instance %d: GLPK: %s", inst, ea.msg);
    ck_assert_msg(rb == 0, "instance %d: combinatorial: %s", inst, eb.msg);
    ck_assert_msg(a.status == b.status, "instance %d (K=%d): status GLPK %d vs combinatorial %d",
                  inst, p.ntypes, a.status, b.status);
    status_count[a.status]++;
    /* the generator knows the status it aimed for */
    accq_lp_status_t want = kind == GEN_ACCINF   ? ACCQ_LP_ACCURACY_INFEASIBLE
                            : kind == GEN_CAPINF ? ACCQ_LP_CAPACITY_INFEASIBLE
                                                 : ACCQ_LP_OPTIMAL;
    ck_assert_msg(a.status == want, "instance %d: status %d, generated as %d", inst, a.status,
                  want);
    snprintf(what, sizeof what, "instance %d: lambda_max", inst);
    ACCQ_CK_CLOSE(a.lambda_max, b.lambda_max, 1e-9, 0, what);
    snprintf(what, sizeof what, "instance %d: t_free", inst);
    ACCQ_CK_CLOSE(a.t_free, b.t_free, 1e-9, 0, what);
    snprintf(what, sizeof what, "instance %d: t_lp", inst);
    ACCQ_CK_CLOSE(a.t_lp, b.t_lp, 1e-9, 0, what);
    ck_assert_int_eq(a.npairs, b.npairs);
    if (a.status == ACCQ_LP_OPTIMAL) {
      check_solution(&p, &a, "GLPK", inst);
      check_solution(&p, &b, "combinatorial", inst);
      /* the LP bound never beats the unconstrained one */
      ck_assert_msg(a.t_lp >= a.t_free * (1 - 1e-12), "instance %d: t_lp < t_free", inst);
    } else {
      ck_assert_msg(isnan(a.t_lp) && isnan(b.t_lp), "instance %d: infeasible but a number",
                    inst);
    }
  }
  /* the mix really contains each case */
  ck_assert_int_ge(status_count[ACCQ_LP_OPTIMAL], ninst / 2);
  ck_assert_int_ge(status_count[ACCQ_LP_ACCURACY_INFEASIBLE], ninst / 20);
  ck_assert_int_ge(status_count[ACCQ_LP_CAPACITY_INFEASIBLE], ninst / 10);
  ck_assert_int_ge(count[GEN_AT_MAX], ninst / 20);
  gsl_rng_free(g);
}

/* K from 1 to 8: 12,000 instances */
START_TEST(test_glpk_vs_combinatorial) {
  kmin = 1, kmax = 8;
  compare_solvers(20261129, 12000);
}
END_TEST

/* Larger K (9 to 32, the most a model may have): 1,000 instances */
START_TEST(test_glpk_vs_combinatorial_large) {
  kmin = 9, kmax = ACCQ_MAX_TYPES;
  compare_solvers(31337, 1000);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lp_random");
  TCase *tc = tcase_create("random");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_glpk_vs_combinatorial);
  tcase_add_test(tc, test_glpk_vs_combinatorial_large);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
