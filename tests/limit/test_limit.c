/* The mean-field limit (accq/limit.h) against closed forms, each with its source:
 * the supermarket model (pod:D), product-form M/M/1 queues (random-lp), JIQ and
 * JSQ on identical servers (Stolyar), R-JIQ's limit T_LP (claim 3), a
 * heterogeneous JIQ fixed point and a POP sliding fixed point derived by hand,
 * flow balance on every bundled model, and the refusals (overload). */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "accq/limit.h"
#include "accq/lp.h"
#include "testutil.h"

static void load_text(accq_model_t *m, const char *text) {
  accq_err_t e;
  int st = accq_model_parse_string(m, text, "test", NULL, 0, &e);
  ck_assert_msg(st == 0, "model: %s", e.msg);
}

static void load_file(accq_model_t *m, const char *name, const char *set) {
  accq_err_t e;
  char path[1024];
  snprintf(path, sizeof path, "models/%s.ini", name);
  const char *sets[1] = {set};
  int st = accq_model_load(m, accq_src_path(path), sets, set ? 1 : 0, &e);
  ck_assert_msg(st == 0, "model %s: %s", name, e.msg);
  st = accq_lp_model_resolve(m, &e);
  ck_assert_msg(st == 0, "resolve %s: %s", name, e.msg);
}

/* Solves and requires success; the caller frees. */
static accq_limit_t *solve_ok(const accq_model_t *m, const char *pol) {
  accq_limit_t *w = NULL;
  accq_err_t e;
  int st = accq_limit_alloc(&w, m, pol, NULL, &e);
  ck_assert_msg(st == 0, "alloc %s: %s", pol, e.msg);
  st = accq_limit_solve(w, &e);
  ck_assert_msg(st == 0, "solve %s on %s: %s", pol, m->name, e.msg);
  const accq_limit_result_t *r = accq_limit_result(w);
  /* every solution: exact drift residual, tail and local stability */
  ck_assert_msg(r->residual <= 1e-12, "%s: residual %g", pol, r->residual);
  ck_assert_msg(r->tail <= 1e-14, "%s: tail %g", pol, r->tail);
  ck_assert_msg(r->et_error <= 1e-9 * r->et, "%s: E[T] error estimate %g", pol, r->et_error);
  /* the eigenvalues are computed up to 600 unknowns (the default); beyond, NaN */
  ck_assert_msg(r->abscissa < 0 || (isnan(r->abscissa) && r->dimension > 600),
                "%s: spectral abscissa %g (dimension %d)", pol, r->abscissa, r->dimension);
  return w;
}

static const char *one_type(double lambda, int servers, double rate) {
  static char buf[512];
  snprintf(buf, sizeof buf,
           "[system]\narrival_rate = %.17g\naccuracy_target = 0.5\n"
           "[type a]\nservers = %d\nrate = %.17g\naccuracy = 0.9\n",
           lambda, servers, rate);
  return buf;
}

/* Supermarket model: with N identical servers of rate 1, arrival rate lambda N
 * and the power of d choices, the fluid fixed point is
 *   s[i] = lambda^((d^i - 1)/(d - 1))
 * (Mitzenmacher, "The power of two choices in randomized load balancing", IEEE
 * TPDS 12(10), 2001, Theorem 3.x, d = 2 and general d; Vvedenskaya, Dobrushin and
 * Karpelevich, Problems Inform. Transmission 32(1), 1996).  E[T] = sum_{i>=1}
 * s[i] / lambda by Little's law.  Rate mu and n servers scale time and count:
 * s is the same at load lambda = Lambda/(n mu), E[T] is divided by mu. */
START_TEST(test_supermarket) {
  const double loads[] = {0.3, 0.5, 0.7, 0.9, 0.95};
  const int ds[] = {2, 3};
  for (int di = 0; di < 2; di++)
    for (int li = 0; li < 5; li++)
      for (int variant = 0; variant < 2; variant++) {
        int d = ds[di], n = variant ? 4 : 1;
        double lam = loads[li], mu = variant ? 2.5 : 1.0;
        accq_model_t m;
        load_text(&m, one_type(lam * n * mu, n, mu));
        char pol[16];
        snprintf(pol, sizeof pol, "pod:%d", d);
        accq_limit_t *w = solve_ok(&m, pol);
        double et = 0;
        for (int i = 1; i < 64; i++) {
          double want = pow(lam, (pow(d, i) - 1) / (d - 1));
          et += want;
          char what[64];
          snprintf(what, sizeof what, "pod:%d load %g s[%d]", d, lam, i);
          ACCQ_CK_CLOSE(accq_limit_level(w, 0, i), want, 0, 1e-10, what);
          if (want < 1e-300) break;
        }
        ACCQ_CK_CLOSE(accq_limit_result(w)->et, et / lam / mu, 1e-10, 0, "supermarket E[T]");
        accq_limit_free(w);
      }
}
END_TEST

/* The same supermarket fixed point with the servers split into two types of the
 * same rate (3 + 1 servers): pod samples servers, not types, so the aggregate
 * fraction sum_k n_k s_k[i] / N follows the one-type formula and, by symmetry,
 * each type has the same s_k[i]. */
START_TEST(test_supermarket_two_types) {
  const double lam = 0.8;
  accq_model_t m;
  load_text(&m, "[system]\narrival_rate = 3.2\naccuracy_target = 0.5\n"
                "[type a]\nservers = 3\nrate = 1\naccuracy = 0.9\n"
                "[type b]\nservers = 1\nrate = 1\naccuracy = 0.6\n");
  accq_limit_t *w = solve_ok(&m, "pod:2");
  for (int i = 1; i < 8; i++) {
    double want = pow(lam, pow(2, i) - 1);
    ACCQ_CK_CLOSE(accq_limit_level(w, 0, i), want, 0, 1e-10, "type a s[i]");
    ACCQ_CK_CLOSE(accq_limit_level(w, 1, i), want, 0, 1e-10, "type b s[i]");
  }
  accq_limit_free(w);
}
END_TEST

/* random-lp: by Poisson thinning every type-k server is an independent M/M/1
 * queue with arrival rate Lambda p_k / n_k and rate mu_k, so s_k[q] = rho_k^q
 * and E[T] = sum_k p_k / (mu_k (1 - rho_k)) (product form; policies.md). */
START_TEST(test_random_lp_product_form) {
  const char *models[] = {"llm-three-tier", "nonbinding", "two-tier"};
  for (int i = 0; i < 3; i++) {
    accq_model_t m;
    load_file(&m, models[i], NULL);
    accq_lp_problem_t prob;
    accq_lp_result_t lr;
    accq_err_t e;
    ck_assert_int_eq(accq_lp_problem_from_model(&prob, &m, 0), 0);
    ck_assert_int_eq(accq_lp_solve(&prob, &lr, &e), 0);
    accq_limit_t *w = solve_ok(&m, "random-lp");
    double et = 0;
    for (int k = 0; k < m.ntypes; k++) {
      double rho = m.arrival_rate * lr.p[k] / (m.types[k].servers * m.types[k].rate);
      et += lr.p[k] / (m.types[k].rate * (1 - rho));
      for (int q = 1; q < 40; q++)
        ACCQ_CK_CLOSE(accq_limit_level(w, k, q), pow(rho, q), 0, 1e-12, "s_k[q] = rho^q");
    }
    ACCQ_CK_CLOSE(accq_limit_result(w)->et, et, 1e-12, 0, "random-lp E[T]");
    accq_limit_free(w);
  }
}
END_TEST

/* JIQ and JSQ on identical servers below capacity: the limit sends every job to
 * an idle server, so s[1] = rho, s[2] = 0, E[T] = 1/mu and P(wait) = 0
 * (Stolyar, Queueing Systems 80(4), 2015, for JIQ; for JSQ every arrival sees
 * an idle server at the same fixed point). */
START_TEST(test_jiq_jsq_identical) {
  const double loads[] = {0.2, 0.5, 0.9, 0.99};
  const char *pols[] = {"jiq", "jsq", "sed", "jfiq"};
  for (int p = 0; p < 4; p++)
    for (int i = 0; i < 4; i++) {
      accq_model_t m;
      load_text(&m, one_type(loads[i] * 3 * 2.0, 3, 2.0));
      accq_limit_t *w = solve_ok(&m, pols[p]);
      const accq_limit_result_t *r = accq_limit_result(w);
      ACCQ_CK_CLOSE(r->et, 1 / 2.0, 1e-12, 0, "E[T] = 1/mu");
      ACCQ_CK_CLOSE(r->p_wait, 0, 0, 1e-12, "P(wait) = 0");
      ACCQ_CK_CLOSE(accq_limit_level(w, 0, 1), loads[i], 1e-12, 0, "s[1] = rho");
      ACCQ_CK_CLOSE(accq_limit_level(w, 0, 2), 0, 0, 1e-14, "s[2] = 0");
      accq_limit_free(w);
    }
}
END_TEST

/* JIQ (and JSQ, whose level-0 ties are uniform over all idle servers) on
 * heterogeneous servers below total capacity, hand derivation: with idle mass
 * I > 0 every job joins a uniformly random idle server, type k gets
 * Lambda n_k (1 - b_k) / I and serves mu_k n_k b_k, b_k = s_k[1]; balance gives
 * b_k = Lambda / (Lambda + mu_k I) with 1 = sum_k n_k mu_k / (Lambda + mu_k I),
 * solved here by bisection; E[T] = sum_k n_k b_k / Lambda. */
START_TEST(test_jiq_heterogeneous) {
  const char *models[] = {"two-tier", "llm-three-tier", "saturating"};
  for (int i = 0; i < 3; i++)
    for (int p = 0; p < 2; p++) {
      accq_model_t m;
      load_file(&m, models[i], NULL);
      double L = m.arrival_rate, lo = 0, hi = 1e6;
      for (int it = 0; it < 400; it++) {
        double I = 0.5 * (lo + hi), g = -1;
        for (int k = 0; k < m.ntypes; k++)
          g += m.types[k].servers * m.types[k].rate / (L + m.types[k].rate * I);
        if (g > 0) lo = I;
        else hi = I;
      }
      double I = 0.5 * (lo + hi), et = 0;
      accq_limit_t *w = solve_ok(&m, p ? "jsq" : "jiq");
      for (int k = 0; k < m.ntypes; k++) {
        double b = L / (L + m.types[k].rate * I);
        et += m.types[k].servers * b / L;
        ACCQ_CK_CLOSE(accq_limit_level(w, k, 1), b, 1e-11, 0, "b_k");
      }
      ACCQ_CK_CLOSE(accq_limit_result(w)->et, et, 1e-11, 0, "heterogeneous JIQ E[T]");
      accq_limit_free(w);
    }
}
END_TEST

/* R-JIQ wherever its split saturates no type: E[T] = T_LP and accuracy = the
 * LP split's (= a* where the accuracy row binds), claim 3 statement 3 at
 * m = infinity (proofs/claim-3-rjiq-asymptotic.md: type k is a JIQ system at
 * load rho_k < 1, whose limit serves every job at once).  Loads past the first
 * breakpoint are refused as unstable (statement 2). */
START_TEST(test_rjiq_is_t_lp) {
  const char *models[] = {"two-tier", "llm-three-tier", "nonbinding", "saturating", "at-target"};
  int checked = 0, refused = 0;
  for (int i = 0; i < 5; i++)
    for (int j = 1; j <= 19; j++) {
      char set[64];
      snprintf(set, sizeof set, "system.load=%g", j / 20.0);
      accq_model_t m;
      load_file(&m, models[i], set);
      accq_lp_problem_t prob;
      accq_lp_result_t lr;
      accq_err_t e;
      ck_assert_int_eq(accq_lp_problem_from_model(&prob, &m, 0), 0);
      ck_assert_int_eq(accq_lp_solve(&prob, &lr, &e), 0);
      int saturated = 0;
      double acc = 0;
      for (int k = 0; k < m.ntypes; k++) {
        if (lr.x[k] >= m.types[k].servers * m.types[k].rate * (1 - 1e-12)) saturated = 1;
        acc += m.types[k].accuracy * lr.p[k];
      }
      if (saturated) {
        accq_limit_t *w = NULL;
        int st = accq_limit_alloc(&w, &m, "rjiq", NULL, &e);
        if (!st) st = accq_limit_solve(w, &e);
        ck_assert_int_eq(st, ACCQ_EUNSTABLE);
        accq_limit_free(w);
        refused++;
        continue;
      }
      accq_limit_t *w = solve_ok(&m, "rjiq");
      const accq_limit_result_t *r = accq_limit_result(w);
      ACCQ_CK_CLOSE(r->et, lr.t_lp, 1e-12, 0, "R-JIQ limit = T_LP");
      ACCQ_CK_CLOSE(r->gap, 0, 0, 1e-12, "gap");
      ACCQ_CK_CLOSE(r->accuracy, acc, 1e-12, 0, "accuracy of the split");
      ck_assert(r->accuracy >= m.accuracy_target - 1e-12);
      if (!strcmp(models[i], "two-tier"))
        ACCQ_CK_CLOSE(r->accuracy, m.accuracy_target, 1e-12, 0, "accuracy = a*");
      accq_limit_free(w);
      checked++;
    }
  ck_assert_int_gt(checked, 30);
  ck_assert_int_gt(refused, 5);
}
END_TEST

/* rjiq:e past the first breakpoint: its split is the LP's with capacities
 * (1 - e) n_k mu_k, unsaturated, so the limit is T_LP^e(Lambda) =
 * T_LP(Lambda / (1 - e)) (claim 3 statement 4, the inner limit). */
START_TEST(test_rjiq_slack) {
  accq_model_t m;
  load_file(&m, "saturating", NULL); /* load 0.9 */
  const double es[] = {0.05, 0.025, 0.0125};
  for (int i = 0; i < 3; i++) {
    char pol[32];
    snprintf(pol, sizeof pol, "rjiq:%g", es[i]);
    accq_model_t mm = m;
    mm.lambda_mode = ACCQ_LAMBDA_RATE;
    mm.arrival_rate = m.arrival_rate / (1 - es[i]);
    accq_lp_problem_t prob;
    accq_lp_result_t lr;
    accq_err_t e;
    ck_assert_int_eq(accq_lp_problem_from_model(&prob, &mm, 0), 0);
    ck_assert_int_eq(accq_lp_solve(&prob, &lr, &e), 0);
    accq_limit_t *w = solve_ok(&m, pol);
    ACCQ_CK_CLOSE(accq_limit_result(w)->et, lr.t_lp, 1e-12, 0, "rjiq:e limit = T_LP(Lambda/(1-e))");
    accq_limit_free(w);
  }
}
END_TEST

/* POP past the first breakpoint of `saturating` (fast mu 4 a .5, medium mu 2
 * a .8, slow mu 1 a .95, a* = .7, one server each), hand derivation.  Pairs in
 * priority order: (medium, fast) w = 2/3, s = 5/12; (medium) s = 1/2;
 * (slow, fast) w = 4/9, s = 7/12; (slow) s = 1.  Below Lambda = 3 the first pair
 * is served from idle servers alone: s_k[1] = x_k / mu_k, E[T] = 5/12.  Beyond
 * it medium sits on its idle boundary (s_medium[1] = 1): the first pair
 * qualifies exactly while medium has an idle server, i.e. at the rate 3 at which
 * medium frees servers divided by w = 2/3 (sliding); the rest Lambda - 3 finds
 * medium busy, skips (medium), and takes (slow, fast) from idle servers:
 * s_slow[1] = 4/9 (Lambda - 3), s_fast[1] = (1 + 5/9 (Lambda - 3)) / 4, no level
 * 2 anywhere; E[T] = (1 + s_slow[1] + s_fast[1]) / Lambda, which is T_LP here. */
START_TEST(test_pop_sliding_by_hand) {
  const double lams[] = {1.5, 2.9, 3.15, 4.0, 4.725, 5.2};
  for (int i = 0; i < 6; i++) {
    accq_model_t m;
    char set[64];
    snprintf(set, sizeof set, "system.arrival_rate=%.17g", lams[i]);
    load_file(&m, "saturating", set);
    double L = lams[i], sm, ss, sf;
    if (L <= 3) {
      sm = 2.0 / 3 * L / 2;
      ss = 0;
      sf = L / 3 / 4;
    } else {
      sm = 1;
      ss = 4.0 / 9 * (L - 3);
      sf = (1 + 5.0 / 9 * (L - 3)) / 4;
    }
    accq_limit_t *w = solve_ok(&m, "pop");
    ACCQ_CK_CLOSE(accq_limit_level(w, 1, 1), sm, 1e-12, 1e-14, "s_medium[1]");
    ACCQ_CK_CLOSE(accq_limit_level(w, 2, 1), ss, 1e-12, 1e-14, "s_slow[1]");
    ACCQ_CK_CLOSE(accq_limit_level(w, 0, 1), sf, 1e-12, 1e-14, "s_fast[1]");
    for (int k = 0; k < 3; k++) ACCQ_CK_CLOSE(accq_limit_level(w, k, 2), 0, 0, 1e-13, "s[2]");
    ACCQ_CK_CLOSE(accq_limit_result(w)->et, (sm + ss + sf) / L, 1e-12, 0, "POP E[T]");
    ACCQ_CK_CLOSE(accq_limit_result(w)->et, accq_limit_result(w)->t_lp, 1e-12, 0, "= T_LP");
    ACCQ_CK_CLOSE(accq_limit_result(w)->accuracy, 0.7, 1e-12, 0, "accuracy = a*");
    ck_assert_int_eq(accq_limit_result(w)->face, L > 3 ? 1 : 0);
    accq_limit_free(w);
  }
}
END_TEST

/* Properties on every bundled model at half load, every policy: flow balance
 * sum_k X_k = Lambda (each admitted job is served), the routing sums to Lambda,
 * accuracy >= a* and E[T] >= T_LP for the policies that meet a* (the LP bound
 * holds at every size, hence in the limit), E[T] >= min_k 1/mu_k for all. */
START_TEST(test_properties_bundled) {
  const char *models[] = {"two-tier", "llm-three-tier", "nonbinding", "saturating", "at-target"};
  const char *pols[] = {"rjiq", "pop", "random-lp", "jiq", "jfiq", "jsq", "sed", "pod:2", "pod:3"};
  for (int i = 0; i < 5; i++)
    for (int p = 0; p < 9; p++) {
      accq_model_t m;
      load_file(&m, models[i], "system.load=0.5");
      accq_limit_t *w = solve_ok(&m, pols[p]);
      const accq_limit_result_t *r = accq_limit_result(w);
      ACCQ_CK_CLOSE(r->flow_residual, 0, 0, 1e-12, "flow balance");
      double tot = 0, minsvc = INFINITY;
      for (int k = 0; k < m.ntypes; k++) {
        for (int q = 0; q <= r->levels; q++) tot += accq_limit_route(w, k, q);
        minsvc = fmin(minsvc, 1 / m.types[k].rate);
      }
      ACCQ_CK_CLOSE(tot, m.arrival_rate, 1e-12, 0, "routing sums to Lambda");
      ck_assert(r->et >= minsvc * (1 - 1e-12));
      if (p < 3) {
        ck_assert_msg(r->accuracy >= m.accuracy_target - 1e-12, "%s accuracy %g", pols[p], r->accuracy);
        ck_assert_msg(r->et >= r->t_lp * (1 - 1e-12), "%s E[T] %g < T_LP %g", pols[p], r->et, r->t_lp);
      }
      accq_limit_free(w);
    }
}
END_TEST

/* Overload: no stable fixed point, ACCQ_EUNSTABLE with the reason, no number. */
START_TEST(test_overload) {
  accq_model_t m;
  accq_err_t e;
  accq_limit_t *w;
  load_text(&m, one_type(6.0 * 1.01, 3, 2.0)); /* beyond n mu = 6 */
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "jsq", NULL, &e), 0);
  ck_assert_int_eq(accq_limit_solve(w, &e), ACCQ_EUNSTABLE);
  ck_assert_msg(strstr(e.msg, "capacity") != NULL, "%s", e.msg);
  ck_assert(isnan(accq_limit_result(w)->et));
  ck_assert(isnan(accq_limit_level(w, 0, 1)));
  ck_assert_int_eq(accq_limit_result(w)->status, ACCQ_EUNSTABLE);
  accq_limit_free(w);
  load_file(&m, "saturating", "system.load=1.02");
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "pop", NULL, &e), 0);
  ck_assert_int_eq(accq_limit_solve(w, &e), ACCQ_EUNSTABLE);
  ck_assert_msg(strstr(e.msg, "Lambda_max") != NULL, "%s", e.msg);
  accq_limit_free(w);
  load_file(&m, "two-tier", NULL);
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "accurate-jiq", NULL, &e), 0);
  ck_assert_int_eq(accq_limit_solve(w, &e), ACCQ_EUNSTABLE);
  accq_limit_free(w);
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "nonsense", NULL, &e), ACCQ_EUSAGE);
  /* the limit is for exponential service only: refused, naming the type */
  m.types[1].service.kind = ACCQ_SERVICE_DET;
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "pop", NULL, &e), ACCQ_EINVAL);
  ck_assert_msg(strstr(e.msg, "'large'") != NULL, "%s", e.msg);
}
END_TEST

/* POP with two types on their idle boundaries whose idle counters interact
 * (t0 and t3 saturate together at load 0.5; the pair (t0, t3) asks 4.10 of
 * t0's 6.174 freed servers per unit time and 11.74 of t3's 6.314, and t0's rest
 * goes to the singleton (t0) exactly while t3 has no idle server): the routing
 * is the average over the stationary law of the two counters (a QBD).  Checked
 * here: the exact sliding residual at that fixed point, and flow balance of
 * each boundary type's idle counter, which the QBD's pattern probabilities must
 * satisfy (phi_t = sum_P pi(P) c_t(P), the tied equations of the residual).
 * The value itself is checked against a simulation at 10^4 servers in
 * test_limit_sim.c.  With four boundary types (the 8-type model at load 0.9)
 * accq refuses with ACCQ_ENUMERIC and prints no number. */
static const char *coupled_model =
    "[system]\nload = 0.5\naccuracy_target = 0.368\n"
    "[type t0]\nservers = 1\nrate = 6.174\naccuracy = 0.471\n"
    "[type t1]\nservers = 3\nrate = 4.454\naccuracy = 0.592\n"
    "[type t2]\nservers = 2\nrate = 2.923\naccuracy = 0.865\n"
    "[type t3]\nservers = 1\nrate = 6.314\naccuracy = 0.332\n";

START_TEST(test_pop_two_boundaries) {
  accq_model_t m;
  load_text(&m, coupled_model);
  accq_err_t e;
  ck_assert_int_eq(accq_lp_model_resolve(&m, &e), 0);
  accq_limit_t *w = solve_ok(&m, "pop");
  const accq_limit_result_t *r = accq_limit_result(w);
  ck_assert_int_eq(r->face, 2);
  ACCQ_CK_CLOSE(accq_limit_level(w, 0, 1), 1, 0, 1e-14, "t0 on its idle boundary");
  ACCQ_CK_CLOSE(accq_limit_level(w, 3, 1), 1, 0, 1e-14, "t3 on its idle boundary");
  /* each boundary type receives exactly what it frees: mu_t (s_t[1] - s_t[2]) */
  ACCQ_CK_CLOSE(accq_limit_route(w, 0, 0), 6.174, 1e-12, 0, "t0 idle inflow = outflow");
  ACCQ_CK_CLOSE(accq_limit_route(w, 3, 0), 6.314, 1e-12, 0, "t3 idle inflow = outflow");
  accq_limit_free(w);

  char text[4096];
  snprintf(text, sizeof text, "[system]\nload = 0.9\naccuracy_target = 0.7\n");
  for (int k = 0; k < 8; k++)
    snprintf(text + strlen(text), sizeof text - strlen(text),
             "[type t%d]\nservers = 1\nrate = %.17g\naccuracy = %.17g\n", k, pow(1.5, k),
             0.95 - 0.5 * k / 7.0);
  load_text(&m, text);
  ck_assert_int_eq(accq_lp_model_resolve(&m, &e), 0);
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "pop", NULL, &e), 0);
  ck_assert_int_eq(accq_limit_solve(w, &e), ACCQ_ENUMERIC);
  ck_assert_msg(strstr(e.msg, "idle boundaries") != NULL, "%s", e.msg);
  ck_assert(isnan(accq_limit_result(w)->et));
  accq_limit_free(w);
}
END_TEST

/* The trajectory starts empty and ends at the fixed point. */
START_TEST(test_trajectory) {
  accq_model_t m;
  load_file(&m, "two-tier", NULL);
  accq_limit_options_t opt;
  accq_limit_options_init(&opt);
  opt.trajectory = 1;
  accq_limit_t *w;
  accq_err_t e;
  ck_assert_int_eq(accq_limit_alloc(&w, &m, "pod:2", &opt, &e), 0);
  ck_assert_int_eq(accq_limit_solve(w, &e), 0);
  ck_assert_int_gt(accq_limit_trajectory_points(w), 3);
  FILE *f = tmpfile();
  ck_assert_int_eq(accq_limit_trajectory_write(w, f, &e), 0);
  rewind(f);
  char line[4096];
  ck_assert(fgets(line, sizeof line, f) != NULL);
  ck_assert_str_eq(line, "t,mean_jobs,et,small.s1,small.s2,small.s3,small.mean_queue,large.s1,"
                         "large.s2,large.s3,large.mean_queue\n");
  ck_assert(fgets(line, sizeof line, f) != NULL);
  ck_assert_str_eq(line, "0,0,0,0,0,0,0,0,0,0,0\n");
  char last[4096] = "";
  while (fgets(line, sizeof line, f)) strcpy(last, line);
  double t, L, et;
  ck_assert_int_eq(sscanf(last, "%lf,%lf,%lf", &t, &L, &et), 3);
  ACCQ_CK_CLOSE(et, accq_limit_result(w)->et, 1e-15, 0, "last point = fixed point");
  fclose(f);
  accq_limit_free(w);
}
END_TEST

/* The command: JSON results with status and reason, the exit status of an
 * overloaded policy (4, no number printed for it), --vary rows, --trajectory. */
START_TEST(test_cli) {
  char *out = NULL, *err = NULL;
  char args[2048];
  snprintf(args, sizeof args, "limit %s -p pop,pod:2 --format json",
           accq_src_path("models/two-tier.ini"));
  ck_assert_int_eq(accq_run(args, &out, &err), 0);
  ck_assert_msg(strstr(out, "\"policy\": \"pop\"") && strstr(out, "\"status\": \"ok\"") &&
                    strstr(out, "\"mean_response_time\": 0.75") && strstr(out, "\"queue_length\""),
                "%s", out);
  free(out);
  free(err);
  snprintf(args, sizeof args, "limit %s -p pop,jsq --set system.load=1.05 --format json",
           accq_src_path("models/saturating.ini"));
  ck_assert_int_eq(accq_run(args, &out, &err), 4);
  ck_assert_msg(strstr(out, "\"status\": \"unstable\"") && strstr(err, "Lambda_max"), "%s %s", out, err);
  free(out);
  free(err);
  snprintf(args, sizeof args, "limit %s -p pop --vary load=0.5:1.1:4 --format csv",
           accq_src_path("models/saturating.ini"));
  ck_assert_int_eq(accq_run(args, &out, &err), 0);
  ck_assert_msg(strstr(out, "load,lambda,policy,status,mean_response_time") && strstr(out, "unstable"),
                "%s", out);
  free(out);
  free(err);
  const char *tr = accq_tmp_file("", ".csv");
  snprintf(args, sizeof args, "limit -p jiq --trajectory %s -q", tr);
  ck_assert_int_eq(accq_run(args, &out, &err), 0);
  FILE *f = fopen(tr, "r");
  ck_assert(f != NULL);
  char line[512];
  ck_assert(fgets(line, sizeof line, f) != NULL);
  ck_assert(strncmp(line, "t,mean_jobs,et,", 15) == 0);
  fclose(f);
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("limit -p jiq,pop --trajectory /tmp/x.csv", &out, &err), 2);
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("limit -p jiq,pop --plot /tmp/x.png", &out, &err), 2);
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("limit -p nonsense", &out, &err), 2);
  free(out);
  free(err);
}
END_TEST

int main(void) {
  Suite *s = suite_create("limit");
  TCase *tc = tcase_create("limit");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_supermarket);
  tcase_add_test(tc, test_supermarket_two_types);
  tcase_add_test(tc, test_random_lp_product_form);
  tcase_add_test(tc, test_jiq_jsq_identical);
  tcase_add_test(tc, test_jiq_heterogeneous);
  tcase_add_test(tc, test_rjiq_is_t_lp);
  tcase_add_test(tc, test_rjiq_slack);
  tcase_add_test(tc, test_pop_sliding_by_hand);
  tcase_add_test(tc, test_properties_bundled);
  tcase_add_test(tc, test_overload);
  tcase_add_test(tc, test_trajectory);
  tcase_add_test(tc, test_cli);
  tcase_add_test(tc, test_pop_two_boundaries);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
