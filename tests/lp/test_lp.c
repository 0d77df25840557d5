/* LP module: closed forms derived by hand, the pair order of a hand example,
 * Lambda_max by hand and by GLPK, the model glue, saturation, refusals, and
 * the breakpoints of C(Lambda) = Lambda T_LP(Lambda) checked against GLPK. */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "testutil.h"

typedef int (*solver_fn)(const accq_lp_problem_t *, accq_lp_result_t *, accq_err_t *);
static const solver_fn solvers[2] = {accq_lp_solve, accq_lp_solve_combinatorial};
static const char *solver_names[2] = {"GLPK", "combinatorial"};

static accq_lp_problem_t two_types(double mu_h, double a_h, double cap_h, double mu_l,
                                   double a_l, double cap_l, double a_star, double lambda) {
  accq_lp_problem_t p;
  memset(&p, 0, sizeof p);
  p.ntypes = 2;
  p.mu[0] = mu_h;
  p.acc[0] = a_h;
  p.cap[0] = cap_h;
  p.mu[1] = mu_l;
  p.acc[1] = a_l;
  p.cap[1] = cap_l;
  p.a_star = a_star;
  p.lambda = lambda;
  return p;
}

/* Two types, h slow and accurate (a_h > a*), l fast and inaccurate (a_l < a*,
 * mu_l > mu_h).  Hand derivation: with x_h + x_l = Lambda the objective
 * (x_h/mu_h + x_l/mu_l)/Lambda falls as x_l grows, so x_l is as large as the
 * accuracy row allows: (a_h - a*) x_h + (a_l - a*) x_l = 0, i.e. x_h = w Lambda
 * with w = (a* - a_l)/(a_h - a_l), and t_lp = w/mu_h + (1-w)/mu_l.  This holds
 * while no capacity binds: w Lambda <= cap_h and (1-w) Lambda <= cap_l. */
START_TEST(test_two_type_closed_form) {
  const double mu_h = 1.0, a_h = 0.95, mu_l = 5.0, a_l = 0.6, a_star = 0.8;
  const double cap_h = 4.0, cap_l = 10.0;
  const double w = (a_star - a_l) / (a_h - a_l); /* 4/7 */
  const double lam_end = fmin(cap_h / w, cap_l / (1 - w)); /* 7 */
  for (int s = 0; s < 2; s++)
    for (int i = 1; i <= 20; i++) {
      double lam = lam_end * i / 20.0;
      accq_lp_problem_t p = two_types(mu_h, a_h, cap_h, mu_l, a_l, cap_l, a_star, lam);
      accq_lp_result_t r;
      accq_err_t e;
      ck_assert_int_eq(solvers[s](&p, &r, &e), 0);
      ck_assert_int_eq(r.status, ACCQ_LP_OPTIMAL);
      ACCQ_CK_CLOSE(r.t_lp, w / mu_h + (1 - w) / mu_l, 1e-14, 0, solver_names[s]);
      ACCQ_CK_CLOSE(r.x[0], w * lam, 1e-13, 0, "x_h = w Lambda");
      ACCQ_CK_CLOSE(r.x[1], (1 - w) * lam, 1e-13, 0, "x_l = (1-w) Lambda");
      /* the pair (h,l) is first in priority with the same w and s */
      ck_assert_int_eq(r.pairs[0].h, 0);
      ck_assert_int_eq(r.pairs[0].l, 1);
      ACCQ_CK_CLOSE(r.pairs[0].w, w, 1e-15, 0, "pair w");
      ACCQ_CK_CLOSE(r.pairs[0].s, r.t_lp, 1e-14, 0, "pair s = t_lp");
      /* T_free sends everything to l while it fits: 1/mu_l */
      ACCQ_CK_CLOSE(r.t_free, lam <= cap_l ? 1 / mu_l : NAN, 1e-14, 0, "t_free");
    }
}
END_TEST

/* Saturation: the same two types with a small cap_l.  Past
 * Lambda_1 = cap_l/(1-w) the fast type runs at capacity (x_l = cap_l) and the
 * rest goes to h, so by hand t_lp = ((Lambda - cap_l)/mu_h + cap_l/mu_l)/Lambda,
 * the accuracy row is slack (dual 0), the flow dual is 1/mu_h and the capacity
 * dual of l is 1/mu_l - 1/mu_h < 0.  Lambda_max = cap_h + cap_l here since
 * cap_h (a_h - a*) >= cap_l (a* - a_l). */
START_TEST(test_saturation) {
  const double mu_h = 1.0, a_h = 0.95, mu_l = 5.0, a_l = 0.6, a_star = 0.8;
  const double cap_h = 6.0, cap_l = 1.5;
  const double w = (a_star - a_l) / (a_h - a_l), lam1 = cap_l / (1 - w); /* 3.5 */
  for (int s = 0; s < 2; s++) {
    accq_lp_problem_t p = two_types(mu_h, a_h, cap_h, mu_l, a_l, cap_l, a_star, 5.0);
    accq_lp_result_t r;
    ck_assert_int_eq(solvers[s](&p, &r, NULL), 0);
    ck_assert_int_eq(r.status, ACCQ_LP_OPTIMAL);
    ACCQ_CK_CLOSE(r.t_lp, ((5.0 - cap_l) / mu_h + cap_l / mu_l) / 5.0, 1e-14, 0, "t_lp");
    ACCQ_CK_CLOSE(r.x[1], cap_l, 1e-14, 0, "x_l at capacity");
    ACCQ_CK_CLOSE(r.dual_flow, 1 / mu_h, 1e-14, 0, "flow dual");
    ACCQ_CK_CLOSE(r.dual_acc, 0, 0, 1e-14, "accuracy dual");
    ACCQ_CK_CLOSE(r.dual_cap[1], 1 / mu_l - 1 / mu_h, 1e-14, 0, "capacity dual of l");
    ACCQ_CK_CLOSE(r.dual_cap[0], 0, 0, 1e-14, "capacity dual of h");
    ACCQ_CK_CLOSE(r.lambda_max, cap_h + cap_l, 1e-14, 0, "lambda_max");
    /* C has one interior breakpoint, at lam1, then Lambda_max */
    ck_assert_int_eq(r.nbreak, 2);
    ACCQ_CK_CLOSE(r.breakpoints[0], lam1, 1e-13, 0, "breakpoint");
    ACCQ_CK_CLOSE(r.c_break[0], lam1 * (w / mu_h + (1 - w) / mu_l), 1e-13, 0, "C(bp)");
    ACCQ_CK_CLOSE(r.breakpoints[1], cap_h + cap_l, 1e-14, 0, "last breakpoint");
    ACCQ_CK_CLOSE(r.c_break[1], cap_h / mu_h + cap_l / mu_l, 1e-13, 0, "C(Lambda_max)");
  }
}
END_TEST

/* A saturated accurate type can leave two *inaccurate* types fractional
 * (proofs/lp-structure.md: they straddle the residual target, not a*).
 * a* = 0.8; A: mu 10, a 1.0, cap 1.5; B: mu 2, a 0.7; C: mu 3, a 0.6 (caps 10).
 * Lambda = 3.5.  By hand: A is fast and accurate, at capacity, surplus
 * 1.5 * 0.2 = 0.3; the other 2 jobs/unit time split between B and C with
 * -0.1 x_B - 0.2 x_C = -0.3, x_B + x_C = 2: x_B = x_C = 1 (C is faster, so as
 * much C as the surplus allows).  Duals: 1/2 = y - 0.1 z, 1/3 = y - 0.2 z give
 * z = 5/3, y = 2/3; A's reduced cost 0.1 - 2/3 - (5/3)(0.2) < 0 confirms it at
 * capacity.  t_lp = (1.5/10 + 1/2 + 1/3)/3.5. */
START_TEST(test_two_inaccurate_fractional) {
  accq_lp_problem_t p;
  memset(&p, 0, sizeof p);
  p.ntypes = 3;
  p.a_star = 0.8;
  p.lambda = 3.5;
  p.mu[0] = 10, p.acc[0] = 1.0, p.cap[0] = 1.5;
  p.mu[1] = 2, p.acc[1] = 0.7, p.cap[1] = 10;
  p.mu[2] = 3, p.acc[2] = 0.6, p.cap[2] = 10;
  for (int s = 0; s < 2; s++) {
    accq_lp_result_t r;
    ck_assert_int_eq(solvers[s](&p, &r, NULL), 0);
    ck_assert_int_eq(r.status, ACCQ_LP_OPTIMAL);
    ACCQ_CK_CLOSE(r.t_lp, (0.15 + 0.5 + 1.0 / 3) / 3.5, 1e-14, 0, solver_names[s]);
    ACCQ_CK_CLOSE(r.x[0], 1.5, 1e-14, 0, "x_A at capacity");
    ACCQ_CK_CLOSE(r.x[1], 1, 1e-13, 0, "x_B");
    ACCQ_CK_CLOSE(r.x[2], 1, 1e-13, 0, "x_C");
    ACCQ_CK_CLOSE(r.dual_acc, 5.0 / 3, 1e-13, 0, "accuracy dual");
    ACCQ_CK_CLOSE(r.dual_flow, 2.0 / 3, 1e-13, 0, "flow dual");
  }
}
END_TEST

/* Hand example for the pair order, a* = 0.8:
 *   type 0: mu 1, a 0.9 (H)   type 1: mu 2, a 0.7 (L)   type 2: mu 4, a 0.5 (L)
 *   type 3: mu 1, a 0.8 (exactly a*: singleton only)  type 4: mu 1, a 0.7 (L)
 * (0,1): w = 0.1/0.2 = 0.5,  s = 0.5 + 0.5/2 = 0.75
 * (0,2): w = 0.3/0.4 = 0.75, s = 0.75 + 0.25/4 = 0.8125
 * (0):   w = 1, s = 1;  (3): w = 1, s = 1  (tie: by index, 0 first)
 * (0,4): w = 0.5, s = 0.5 + 0.5 = 1 (ties the singletons on s, smaller w: last) */
START_TEST(test_pairs_order) {
  accq_lp_problem_t p;
  memset(&p, 0, sizeof p);
  const double mu[] = {1, 2, 4, 1, 1}, acc[] = {0.9, 0.7, 0.5, 0.8, 0.7};
  p.ntypes = 5;
  p.a_star = 0.8;
  p.lambda = 1;
  for (int k = 0; k < 5; k++) {
    p.mu[k] = mu[k];
    p.acc[k] = acc[k];
    p.cap[k] = mu[k];
  }
  accq_pair_t pr[ACCQ_MAX_PAIRS];
  int n = accq_lp_pairs(&p, pr);
  ck_assert_int_eq(n, 5);
  const int h[] = {0, 0, 0, 3, 0}, l[] = {1, 2, -1, -1, 4};
  const double w[] = {0.5, 0.75, 1, 1, 0.5}, s[] = {0.75, 0.8125, 1, 1, 1};
  for (int i = 0; i < 5; i++) {
    ck_assert_msg(pr[i].h == h[i] && pr[i].l == l[i], "pair %d is (%d,%d), want (%d,%d)", i,
                  pr[i].h, pr[i].l, h[i], l[i]);
    ACCQ_CK_CLOSE(pr[i].w, w[i], 1e-14, 0, "w");
    ACCQ_CK_CLOSE(pr[i].s, s[i], 1e-14, 0, "s");
  }
  /* a* above every accuracy: no pair at all */
  p.a_star = 0.95;
  ck_assert_int_eq(accq_lp_pairs(&p, pr), 0);
}
END_TEST

/* Lambda_max by hand, a* = 0.8: A (cap 2, a 1.0) gives surplus 2 * 0.2 = 0.4;
 * C (cap 1, a 0.7) is the most accurate below a*: all of it, surplus 0.3 left;
 * B (cap 10, a 0.6) takes 0.3/0.2 = 1.5.  Lambda_max = 2 + 1 + 1.5 = 4.5.
 * GLPK's max sum x must agree. */
START_TEST(test_lambda_max_hand) {
  accq_lp_problem_t p;
  memset(&p, 0, sizeof p);
  p.ntypes = 3;
  p.a_star = 0.8;
  p.lambda = 1;
  p.mu[0] = 1, p.acc[0] = 1.0, p.cap[0] = 2;
  p.mu[1] = 5, p.acc[1] = 0.6, p.cap[1] = 10;
  p.mu[2] = 1, p.acc[2] = 0.7, p.cap[2] = 1;
  ACCQ_CK_CLOSE(accq_lp_lambda_max(&p), 4.5, 1e-14, 0, "greedy Lambda_max");
  accq_lp_result_t r;
  ck_assert_int_eq(accq_lp_solve(&p, &r, NULL), 0);
  ACCQ_CK_CLOSE(r.lambda_max, 4.5, 1e-13, 0, "GLPK Lambda_max");
  /* at Lambda = Lambda_max the split is the knapsack's */
  p.lambda = 4.5;
  for (int s = 0; s < 2; s++) {
    ck_assert_int_eq(solvers[s](&p, &r, NULL), 0);
    ck_assert_int_eq(r.status, ACCQ_LP_OPTIMAL);
    ACCQ_CK_CLOSE(r.x[0], 2, 1e-12, 0, "x_A");
    ACCQ_CK_CLOSE(r.x[1], 1.5, 1e-12, 0, "x_B");
    ACCQ_CK_CLOSE(r.x[2], 1, 1e-12, 0, "x_C");
  }
  p.lambda = 4.6;
  for (int s = 0; s < 2; s++) {
    ck_assert_int_eq(solvers[s](&p, &r, NULL), 0);
    ck_assert_int_eq(r.status, ACCQ_LP_CAPACITY_INFEASIBLE);
    ck_assert(isnan(r.t_lp) && isnan(r.x[0]) && isnan(r.price));
    /* T_free: all 4.6 fits on the fastest type B (mu 5, cap 10) */
    ACCQ_CK_CLOSE(r.t_free, 0.2, 1e-15, 0, "t_free beyond Lambda_max");
  }
  p.a_star = 1.0; /* type A alone: Lambda_max = 2 */
  ACCQ_CK_CLOSE(accq_lp_lambda_max(&p), 2, 1e-15, 0, "a* = max a_k");
  p.a_star = 0.5; /* below every accuracy: the sum of capacities */
  ACCQ_CK_CLOSE(accq_lp_lambda_max(&p), 13, 1e-15, 0, "a* below every a_k");
}
END_TEST

START_TEST(test_accuracy_infeasible) {
  accq_lp_problem_t p = two_types(1, 0.9, 2, 2, 0.5, 2, 0.95, 1.0);
  for (int s = 0; s < 2; s++) {
    accq_lp_result_t r;
    ck_assert_int_eq(solvers[s](&p, &r, NULL), 0);
    ck_assert_int_eq(r.status, ACCQ_LP_ACCURACY_INFEASIBLE);
    ck_assert(isnan(r.t_lp) && isnan(r.price) && isnan(r.x[0]));
    ck_assert(r.lambda_max == 0);
    ck_assert_int_eq(r.npairs, 0);
    ck_assert_int_eq(r.nbreak, 0);
    /* T_free = fastest type first: 1 on type 1 (mu 2) -> 0.5 */
    ACCQ_CK_CLOSE(r.t_free, 0.5, 1e-15, 0, "t_free");
  }
}
END_TEST

START_TEST(test_refusals) {
  accq_lp_problem_t p = two_types(1, 0.9, 2, 2, 0.5, 2, 0.8, 1.0);
  accq_lp_result_t r;
  accq_err_t e;
  p.mu[1] = -1;
  for (int s = 0; s < 2; s++) {
    ck_assert_int_eq(solvers[s](&p, &r, &e), ACCQ_EINVAL);
    ck_assert_msg(strstr(e.msg, "type 1") && strstr(e.msg, "-1"), "message: %s", e.msg);
  }
  p.mu[1] = 2;
  p.lambda = 0;
  ck_assert_int_eq(accq_lp_solve(&p, &r, &e), ACCQ_EINVAL);
  ck_assert_msg(strstr(e.msg, "Lambda"), "message: %s", e.msg);
  p.lambda = 1;
  p.a_star = 1.5;
  ck_assert_int_eq(accq_lp_solve_combinatorial(&p, &r, &e), ACCQ_EINVAL);
  ck_assert_msg(strstr(e.msg, "1.5"), "message: %s", e.msg);
  p.a_star = 0.8;
  p.ntypes = 0;
  ck_assert_int_eq(accq_lp_solve(&p, &r, &e), ACCQ_EINVAL);
}
END_TEST

static accq_model_t model_two(void) {
  accq_model_t m;
  memset(&m, 0, sizeof m);
  strcpy(m.name, "t");
  m.ntypes = 2;
  m.accuracy_target = 0.8;
  m.scale = 1;
  strcpy(m.types[0].name, "big");
  m.types[0].servers = 2;
  m.types[0].rate = 1.0;
  m.types[0].accuracy = 0.95;
  strcpy(m.types[1].name, "small");
  m.types[1].servers = 3;
  m.types[1].rate = 4.0;
  m.types[1].accuracy = 0.6;
  return m;
}

/* Lambda_max of model_two by hand: big gives surplus 2 * 0.15 = 0.3, small
 * takes 0.3/0.2 = 1.5 (< cap 12): Lambda_max = 2 + 1.5 = 3.5. */
START_TEST(test_model_glue) {
  accq_model_t m = model_two();
  m.lambda_mode = ACCQ_LAMBDA_LOAD;
  m.load = 0.5;
  accq_err_t e;
  ck_assert_int_eq(accq_lp_model_resolve(&m, &e), 0);
  ACCQ_CK_CLOSE(m.arrival_rate, 0.5 * 3.5, 1e-15, 0, "resolved Lambda");
  accq_lp_problem_t p;
  ck_assert_int_eq(accq_lp_problem_from_model(&p, &m, 0.1), 0);
  ck_assert_int_eq(p.ntypes, 2);
  ACCQ_CK_CLOSE(p.lambda, 1.75, 1e-15, 0, "Lambda from the model");
  ACCQ_CK_CLOSE(p.cap[0], 0.9 * 2 * 1.0, 1e-15, 0, "cap = (1-e) n mu");
  ACCQ_CK_CLOSE(p.cap[1], 0.9 * 3 * 4.0, 1e-15, 0, "cap = (1-e) n mu");
  ck_assert(p.mu[1] == 4.0 && p.acc[1] == 0.6 && p.a_star == 0.8);
  ck_assert_int_eq(accq_lp_problem_from_model(&p, &m, 1.0), ACCQ_EINVAL);
  ck_assert_int_eq(accq_lp_problem_from_model(&p, &m, -0.1), ACCQ_EINVAL);
  /* rate mode is left as is */
  accq_model_t m2 = model_two();
  m2.lambda_mode = ACCQ_LAMBDA_RATE;
  m2.arrival_rate = 2.5;
  ck_assert_int_eq(accq_lp_model_resolve(&m2, &e), 0);
  ck_assert(m2.arrival_rate == 2.5);
  ck_assert_int_eq(accq_lp_problem_from_model(&p, &m2, 0), 0);
  ck_assert(p.lambda == 2.5 && p.cap[1] == 12.0);
  /* accuracy-infeasible load model: refused, naming a* and max a_k */
  m.accuracy_target = 0.97;
  ck_assert_int_eq(accq_lp_model_resolve(&m, &e), ACCQ_EACCINFEAS);
  ck_assert_int_eq(e.status, ACCQ_EACCINFEAS);
  ck_assert_msg(strstr(e.msg, "0.97") && strstr(e.msg, "0.95") && strstr(e.msg, "big"),
                "message: %s", e.msg);
}
END_TEST

/* Breakpoints of C against GLPK: on each piece [b_{i-1}, b_i] (b_{-1} = 0,
 * C(0) = 0) C is linear, so GLPK's C at the midpoint equals the chord's
 * midpoint and GLPK's flow dual there (the derivative of C) equals the
 * chord's slope; the slope strictly grows at each interior breakpoint (so no
 * breakpoint is spurious) and the first slope is the s of the first pair
 * (small Lambda: the best pair, no capacity binding). */
static void check_breakpoints(const accq_lp_problem_t *p0, int inst) {
  accq_lp_problem_t p = *p0;
  accq_lp_result_t r, q;
  ck_assert_int_eq(accq_lp_solve(&p, &r, NULL), 0);
  if (r.status == ACCQ_LP_ACCURACY_INFEASIBLE) return;
  ck_assert_int_ge(r.nbreak, 1);
  ACCQ_CK_CLOSE(r.breakpoints[r.nbreak - 1], r.lambda_max, 0, 0, "last breakpoint");
  double maxinv = 0;
  for (int k = 0; k < p.ntypes; k++) maxinv = fmax(maxinv, 1 / p.mu[k]);
  double b0 = 0, c0 = 0, prev_slope = -INFINITY;
  char what[160];
  for (int i = 0; i < r.nbreak; i++) {
    double b1 = r.breakpoints[i], c1 = r.c_break[i];
    ck_assert_msg(b1 > b0, "instance %d: breakpoints not increasing at %d", inst, i);
    double slope = (c1 - c0) / (b1 - b0), mid = 0.5 * (b0 + b1);
    p.lambda = mid;
    ck_assert_int_eq(accq_lp_solve(&p, &q, NULL), 0);
    ck_assert_int_eq(q.status, ACCQ_LP_OPTIMAL);
    snprintf(what, sizeof what, "instance %d: C at the midpoint of piece %d", inst, i);
    ACCQ_CK_CLOSE(mid * q.t_lp, 0.5 * (c0 + c1), 1e-9, 1e-12 * r.lambda_max * maxinv, what);
    snprintf(what, sizeof what, "instance %d: slope of piece %d vs flow dual", inst, i);
    ACCQ_CK_CLOSE(q.dual_flow, slope, 1e-8, 1e-9 * maxinv, what);
    if (i == 0) {
      snprintf(what, sizeof what, "instance %d: first slope = s of the first pair", inst);
      ACCQ_CK_CLOSE(q.dual_flow, r.pairs[0].s, 1e-12, 0, what);
    }
    ck_assert_msg(q.dual_flow > prev_slope + 1e-10 * maxinv,
                  "instance %d: slope does not change at breakpoint %d (%.17g -> %.17g)", inst,
                  i, prev_slope, q.dual_flow);
    prev_slope = q.dual_flow;
    p.lambda = b1; /* C at the breakpoint itself */
    ck_assert_int_eq(accq_lp_solve(&p, &q, NULL), 0);
    snprintf(what, sizeof what, "instance %d: C at breakpoint %d", inst, i);
    ACCQ_CK_CLOSE(b1 * q.t_lp, c1, 1e-9, 1e-12 * r.lambda_max * maxinv, what);
    b0 = b1;
    c0 = c1;
  }
  /* the combinatorial solver reports the same breakpoints */
  ck_assert_int_eq(accq_lp_solve_combinatorial(p0, &q, NULL), 0);
  ck_assert_int_eq(q.nbreak, r.nbreak);
  for (int i = 0; i < r.nbreak; i++)
    ACCQ_CK_CLOSE(q.breakpoints[i], r.breakpoints[i], 1e-9, 0, "combinatorial breakpoints");
}

START_TEST(test_breakpoints_property) {
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 77);
  static const double mus[] = {0.5, 1.0, 2.0, 4.0};
  static const double accs[] = {0.25, 0.5, 0.75, 0.875, 1.0};
  for (int inst = 0; inst < 700; inst++) {
    accq_lp_problem_t p;
    memset(&p, 0, sizeof p);
    int grid = inst % 2;
    /* K = 1..6, then 100 instances with K = 7..20 */
    p.ntypes = inst < 600 ? 1 + (int)gsl_rng_uniform_int(g, 6) : 7 + (int)gsl_rng_uniform_int(g, 14);
    for (int k = 0; k < p.ntypes; k++) {
      p.mu[k] = grid ? mus[gsl_rng_uniform_int(g, 4)] : 0.2 + 5 * gsl_rng_uniform(g);
      p.acc[k] = grid ? accs[gsl_rng_uniform_int(g, 5)] : gsl_rng_uniform(g);
      p.cap[k] = (1 + (double)gsl_rng_uniform_int(g, 3)) * p.mu[k];
    }
    p.a_star = grid ? 0.75 : gsl_rng_uniform(g);
    p.lambda = 1;
    check_breakpoints(&p, inst);
  }
  gsl_rng_free(g);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lp");
  TCase *tc = tcase_create("lp");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_two_type_closed_form);
  tcase_add_test(tc, test_saturation);
  tcase_add_test(tc, test_pairs_order);
  tcase_add_test(tc, test_two_inaccurate_fractional);
  tcase_add_test(tc, test_lambda_max_hand);
  tcase_add_test(tc, test_accuracy_infeasible);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_model_glue);
  tcase_add_test(tc, test_breakpoints_property);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
