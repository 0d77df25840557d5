/* Arrival processes in the simulator (docs/simulator.md, "Arrival processes"),
 * rjiq:est and the time series.
 *
 * Statistical checks use fixed seeds (each always passes or always fails) at
 * the stated level:
 *  - counts per window of a sampler against the integrated rate: the windows
 *    are disjoint, so their counts are independent Poisson variables with
 *    means E_i (the exact integral of the rate); X = sum (O_i - E_i)^2 / E_i is
 *    then approximately chi-square with K degrees of freedom (every E_i >= 5
 *    here); refused when X > the 0.999 quantile (level 0.001);
 *  - means against exact values: |mean - exact| <= t_{0.9995, R-1} se
 *    (99.9% two-sided), as in test_sim.c. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/arrival_sampler.h"
#include "accq/arrivals.h"
#include "accq/sim.h"
#include "testutil.h"

static void load(accq_model_t *m, const char *text) {
  accq_err_t err;
  int st = accq_model_parse_string(m, text, "<test>", NULL, 0, &err);
  ck_assert_msg(st == 0, "model: %s", err.msg);
  if (m->lambda_mode == ACCQ_LAMBDA_LOAD) ck_assert_int_eq(accq_lp_model_resolve(m, &err), 0);
}

static accq_policy_t *policy(const accq_model_t *m, const char *name) {
  accq_err_t err;
  accq_policy_t *p = NULL;
  int st = accq_policy_alloc(&p, name, m, NULL, &err);
  ck_assert_msg(st == 0, "policy %s: %s", name, err.msg);
  return p;
}

static void ck_within(accq_estimate_t e, int R, double exact, const char *what) {
  double z = gsl_cdf_tdist_Pinv(0.9995, R - 1);
  ck_assert_msg(isfinite(e.mean) && isfinite(e.se), "%s: not finite", what);
  ck_assert_msg(fabs(e.mean - exact) <= z * e.se,
                "%s: simulated %.10g (se %.3g) vs exact %.10g: |z| = %.2f > %.2f", what, e.mean,
                e.se, exact, fabs(e.mean - exact) / e.se, z);
}

#define TWO_TIER                                                               \
  "[system]\nname = tt\narrival_rate = 1.0\naccuracy_target = 0.80\nscale = 2\n" \
  "[type small]\nservers = 2\nrate = 4.0\naccuracy = 0.60\n"                    \
  "[type large]\nservers = 1\nrate = 1.0\naccuracy = 0.90\n"

/* ---- a one-step piecewise schedule at the model's rate is plain Poisson,
 * to the byte: every replication's measures are identical (memcmp of the
 * replication records), for a policy with an empty start and for random-lp's
 * exact stationary start, in absolute and relative rates; and the CLI's CSV
 * output is byte for byte the same. */
START_TEST(test_one_step_same_bytes) {
  static const char *const procs[2] = {
      "[arrivals]\nprocess = piecewise\nstep = 0 1.0\n",
      "[arrivals]\nprocess = piecewise\nrates = relative\nstep = 0 1\n"};
  static const char *const pols[3] = {"pop", "rjiq", "random-lp"};
  accq_model_t plain;
  load(&plain, TWO_TIER);
  for (int a = 0; a < 2; a++)
    for (int i = 0; i < 3; i++) {
      char text[1024];
      snprintf(text, sizeof text, "%s%s", TWO_TIER, procs[a]);
      accq_model_t pw;
      load(&pw, text);
      ck_assert_int_eq(pw.arrivals.kind, ACCQ_ARRIVALS_PIECEWISE);
      accq_policy_t *p1 = policy(&plain, pols[i]), *p2 = policy(&pw, pols[i]);
      accq_sim_options_t o;
      accq_sim_options_init(&o);
      o.replications = 3;
      o.jobs = 20000;
      accq_sim_rep_t r1[3], r2[3];
      accq_sim_result_t s1, s2;
      accq_err_t err;
      ck_assert_int_eq(accq_sim_run(&plain, p1, &o, &s1, r1, &err), 0);
      ck_assert_int_eq(accq_sim_run(&pw, p2, &o, &s2, r2, &err), 0);
      ck_assert_msg(memcmp(r1, r2, sizeof r1) == 0, "%s, %s: replications differ", pols[i],
                    procs[a]);
      ck_assert(s1.mean_response_time.mean == s2.mean_response_time.mean);
      ck_assert(s1.t_lp == s2.t_lp && s1.lambda == s2.lambda);
      ck_assert_str_eq(s1.start, s2.start);
      accq_policy_free(p1);
      accq_policy_free(p2);
    }
  /* the command line: same CSV bytes */
  const char *f1 = accq_tmp_file(TWO_TIER, ".ini");
  char path1[256], args[1024];
  snprintf(path1, sizeof path1, "%s", f1);
  const char *f2 = accq_tmp_file(TWO_TIER "[arrivals]\nprocess = piecewise\nstep = 0 1\n", ".ini");
  char *o1 = NULL, *o2 = NULL, *e1 = NULL, *e2 = NULL;
  snprintf(args, sizeof args, "simulate %s -p pop,jsq -r 3 -n 10000 --format csv -q", path1);
  ck_assert_int_eq(accq_run(args, &o1, &e1), 0);
  snprintf(args, sizeof args, "simulate %s -p pop,jsq -r 3 -n 10000 --format csv -q", f2);
  ck_assert_int_eq(accq_run(args, &o2, &e2), 0);
  /* the provenance names each model file and its hash: compare the rest */
  accq_strip_provenance(o1);
  accq_strip_provenance(o2);
  ck_assert_msg(strlen(o1) > 100 && strcmp(o1, o2) == 0, "CSV differs:\n%s\n---\n%s", o1, o2);
  free(o1);
  free(o2);
  free(e1);
  free(e2);
  remove(path1);
  remove(f2);
}
END_TEST

/* Counts of a sampler's arrivals in windows [i w, (i+1) w), i < K, against the
 * exact integral; windows of zero expected count must stay empty.  Returns
 * the chi-square statistic and checks it at level 0.001. */
static double chi_square(const accq_model_t *m, double w, int K, unsigned long seed,
                         const char *what) {
  accq_err_t err;
  accq_arrivals_plan_t *p = NULL;
  ck_assert_int_eq(accq_arrivals_plan_alloc(&p, &m->arrivals, m->arrival_rate, m->scale, &err), 0);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, seed);
  long long *cnt = calloc((size_t)K, sizeof *cnt);
  accq_arrivals_state_t s;
  accq_arrivals_start(p, &s, r);
  double t = 0;
  for (;;) {
    double x = accq_arrivals_next(p, &s, t, r);
    ck_assert_msg(x >= t, "%s: arrival %.17g before %.17g", what, x, t);
    t = x;
    long long i = (long long)floor(t / w);
    if (i >= K) break;
    cnt[i]++;
  }
  double X = 0;
  int df = 0;
  for (int i = 0; i < K; i++) {
    double e = accq_arrivals_integral(p, i * w, (i + 1) * w);
    if (e == 0) {
      ck_assert_msg(cnt[i] == 0, "%s: %lld arrivals where the rate is 0", what, cnt[i]);
      continue;
    }
    ck_assert_msg(e >= 5, "%s: window %d expects %g < 5 arrivals (test design)", what, i, e);
    X += (cnt[i] - e) * (cnt[i] - e) / e;
    df++;
  }
  double crit = gsl_cdf_chisq_Pinv(0.999, df);
  ck_assert_msg(X <= crit, "%s: chi-square %.4g > %.4g (%d windows, level 0.001)", what, X, crit, df);
  free(cnt);
  gsl_rng_free(r);
  accq_arrivals_plan_free(p);
  return X;
}

START_TEST(test_thinning_chi_square) {
  accq_model_t m;
  /* sinusoid by thinning: rate 2000 + 1500 sin(2 pi t / 7) (per unit scale x
   * scale 2), 2,000 windows of 0.35 (20 per period, 175 to 1,225 arrivals
   * each).  Power: a thinning that kept 10% too few of the peaks' excess
   * (amplitude 1,350) moves a window by about 33 arrivals in 700, adding
   * about 1.5 per window to X, 3,000 in all against a critical value of 2,150. */
  load(&m, TWO_TIER "[arrivals]\nprocess = sinusoid\nmean = 1000\namplitude = 750\nperiod = 7\n");
  chi_square(&m, 0.35, 2000, 11, "sinusoid");
  /* the integral itself, by hand over [0, 7/4]: 2000 w + (1500 x 7 / 2 pi)(cos 0 - cos(pi/2)) */
  accq_err_t err;
  accq_arrivals_plan_t *p = NULL;
  ck_assert_int_eq(accq_arrivals_plan_alloc(&p, &m.arrivals, m.arrival_rate, m.scale, &err), 0);
  ACCQ_CK_CLOSE(accq_arrivals_integral(p, 0, 1.75), 2000 * 1.75 + 1500 * 7 / (2 * M_PI), 1e-14,
                0, "sinusoid integral over a quarter period");
  ck_assert(accq_arrivals_mean_rate(p) == 2000);
  accq_arrivals_plan_free(p);

  /* piecewise with steps much shorter than a gap (rates 2 and 6 in steps of
   * 0.1): nearly every arrival carries its exponential across several steps,
   * which only the exact inversion (E less what each step integrates to) gets
   * right; windows of 5 (20 expected arrivals) */
  load(&m, TWO_TIER "[arrivals]\nprocess = piecewise\nrates = relative\nstep = 0 1\n"
                    "step = 0.1 3\ncycle = 0.2\n");
  chi_square(&m, 5.0, 500, 14, "piecewise, short steps");

  /* piecewise by inversion, cyclic, with a zero-rate step and steps that
   * fall inside windows: relative rates x Lambda = 1 x scale 2 */
  load(&m, TWO_TIER "[arrivals]\nprocess = piecewise\nrates = relative\nstep = 0 12\n"
                    "step = 3.3 30\nstep = 5 0\nstep = 7.1 20\ncycle = 10\n");
  chi_square(&m, 0.5, 4000, 12, "piecewise");
  ck_assert_int_eq(accq_arrivals_plan_alloc(&p, &m.arrivals, m.arrival_rate, m.scale, &err), 0);
  /* one cycle: 2 (12 x 3.3 + 30 x 1.7 + 0 + 20 x 2.9) = 2 x 148.6 */
  ACCQ_CK_CLOSE(accq_arrivals_integral(p, 0, 10), 2 * 148.6, 1e-13, 0, "piecewise cycle integral");
  ACCQ_CK_CLOSE(accq_arrivals_mean_rate(p), 2 * 14.86, 1e-13, 0, "piecewise long-run rate");
  /* [14, 23.3] = offsets [4, 10] of one cycle (30 x 1 + 0 + 20 x 2.9) and [0, 3.3]
   * of the next (12 x 3.3) */
  ACCQ_CK_CLOSE(accq_arrivals_integral(p, 14, 23.3), 2 * (30 + 20 * 2.9 + 12 * 3.3), 1e-13, 0,
                "piecewise integral across a cycle boundary");
  accq_arrivals_plan_free(p);

  /* an MMPP whose phases share one rate is Poisson at that rate */
  load(&m, TWO_TIER "[arrivals]\nprocess = mmpp\nphase = 3\nphase = 3\nphase = 3\n"
                    "generator = -2 1 1\ngenerator = 0.5 -1 0.5\ngenerator = 3 0 -3\n");
  ck_assert_int_eq(accq_arrivals_plan_alloc(&p, &m.arrivals, m.arrival_rate, m.scale, &err), 0);
  ck_assert(accq_arrivals_is_poisson(p) == 0); /* 3 x 2 = 6 is not m Lambda = 2 */
  accq_arrivals_plan_free(p);
  /* its counts: Poisson with mean 6 w (integral unknown to the plan: by hand) */
  {
    ck_assert_int_eq(accq_arrivals_plan_alloc(&p, &m.arrivals, m.arrival_rate, m.scale, &err), 0);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 13);
    accq_arrivals_state_t s;
    accq_arrivals_start(p, &s, r);
    enum { K = 1000 };
    static long long cnt[K];
    memset(cnt, 0, sizeof cnt);
    double t = 0, X = 0;
    for (;;) {
      t = accq_arrivals_next(p, &s, t, r);
      long long i = (long long)floor(t / 2.0);
      if (i >= K) break;
      cnt[i]++;
    }
    for (int i = 0; i < K; i++) X += (cnt[i] - 12.0) * (cnt[i] - 12.0) / 12.0;
    double crit = gsl_cdf_chisq_Pinv(0.999, K);
    ck_assert_msg(X <= crit, "mmpp, equal rates: chi-square %.4g > %.4g", X, crit);
    gsl_rng_free(r);
    accq_arrivals_plan_free(p);
  }
}
END_TEST

/* A 2-phase MMPP: the long-run rate pi . lambda with pi from the generator
 * (by hand: Q = [-0.2 0.2; 0.6 -0.6] gives pi = (3/4, 1/4); rates (1, 5) per
 * unit scale x scale 2: 2 (3/4 + 5/4) = 4), and the count over [0, 200]
 * averaged over 60 independent streams against 4 x 200. */
START_TEST(test_mmpp_rate) {
  accq_model_t m;
  load(&m, TWO_TIER "[arrivals]\nprocess = mmpp\nphase = 1\nphase = 5\n"
                    "generator = -0.2 0.2\ngenerator = 0.6 -0.6\n");
  accq_err_t err;
  accq_arrivals_plan_t *p = NULL;
  ck_assert_int_eq(accq_arrivals_plan_alloc(&p, &m.arrivals, m.arrival_rate, m.scale, &err), 0);
  ACCQ_CK_CLOSE(accq_arrivals_mean_rate(p), 4.0, 1e-14, 0, "mmpp long-run rate");
  enum { R = 60 };
  double n[R];
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  for (int k = 0; k < R; k++) {
    gsl_rng_set(r, 100 + k);
    accq_arrivals_state_t s;
    accq_arrivals_start(p, &s, r);
    double t = 0;
    n[k] = 0;
    while ((t = accq_arrivals_next(p, &s, t, r)) < 200) n[k]++;
  }
  ck_within(accq_sim_estimate(n, R), R, 800, "mmpp arrivals in [0, 200]");
  gsl_rng_free(r);
  accq_arrivals_plan_free(p);
}
END_TEST

/* MMPP/M/1 in the simulator against the matrix-geometric solution
 * (accq_test_mmpp_m1 in tests/testutil.c: Neuts 1981, Latouche and Ramaswami
 * 1999).  One server of rate 6, phases (2, 8) with Q = [-0.1 0.1; 0.3 -0.3]:
 * lambda-bar = 3.5, load 0.58, and bursts of load 1.33 lasting 3.3 time units. */
static double mmpp_m1_et(const double lam[2], const double q[2][2], double mu) {
  double et = NAN;
  ck_assert(accq_test_mmpp_m1(2, lam, &q[0][0], mu, NULL, NULL, &et) == 0);
  return et;
}

START_TEST(test_mmpp_m1) {
  const double lam[2] = {2, 8}, q[2][2] = {{-0.1, 0.1}, {0.3, -0.3}}, mu = 6;
  double et = mmpp_m1_et(lam, q, mu);
  /* sanity of the solver: equal phase rates give M/M/1, E[T] = 1/(mu - lambda) */
  const double lam_eq[2] = {3, 3};
  ACCQ_CK_CLOSE(mmpp_m1_et(lam_eq, q, mu), 1.0 / 3, 1e-12, 0, "matrix-geometric at M/M/1");
  accq_model_t m;
  load(&m, "[system]\nname = mmpp-m1\narrival_rate = 3.5\naccuracy_target = 0.5\n"
           "[type one]\nservers = 1\nrate = 6\naccuracy = 0.9\n"
           "[arrivals]\nprocess = mmpp\nphase = 2\nphase = 8\n"
           "generator = -0.1 0.1\ngenerator = 0.3 -0.3\n");
  accq_policy_t *pol = policy(&m, "jsq");
  accq_sim_options_t o;
  accq_sim_options_init(&o);
  o.replications = 20;
  o.jobs = 400000;
  o.threads = 2;
  accq_sim_result_t r;
  accq_err_t err;
  int st = accq_sim_run(&m, pol, &o, &r, NULL, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  ck_assert_msg(et > 1.0 / (6 - 3.5), "bursts lengthen E[T] beyond M/M/1's: %g", et);
  ck_within(r.mean_response_time, o.replications, et, "MMPP/M/1 E[T]");
  ACCQ_CK_CLOSE(r.lambda, 3.5, 1e-14, 0, "long-run rate pi . lambda");
  accq_policy_free(pol);
}
END_TEST

/* ---- stale and estimated R-JIQ under a step that stays.  The saturating
 * system at load 0.5 (Lambda0 = 2.625; Lambda_max(a*) = 5.25); the rate steps
 * to 1.3 Lambda0 = 3.4125 at t = 500 and stays.  The LP at Lambda0 sends
 * p_medium = 2/3 to `medium` (capacity 2): at the true rate that is 2.275 > 2,
 * so stale rjiq is unstable (read off the LP, not assumed); at the true rate
 * the LP (slack 0.05) has a feasible split, so rjiq:est=ewma:20:0.05 is
 * stable and meets a* (R-JIQ's split meets it exactly: within its CI), also
 * per window after the step (one-sided: not below a* beyond its CI); POP
 * meets it without Lambda. */
#define SAT                                                                              \
  "[system]\nname = sat\nload = 0.5\naccuracy_target = 0.70\n"                          \
  "[type fast]\nservers = 1\nrate = 4.0\naccuracy = 0.50\n"                              \
  "[type medium]\nservers = 1\nrate = 2.0\naccuracy = 0.80\n"                            \
  "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.95\n"                              \
  "[arrivals]\nprocess = piecewise\nrates = relative\nstep = 0 1\nstep = 500 1.3\n"

START_TEST(test_stale_and_estimated_rjiq) {
  accq_model_t m;
  load(&m, SAT);
  accq_err_t err;
  ACCQ_CK_CLOSE(m.arrival_rate, 2.625, 1e-12, 0, "Lambda0 = 0.5 Lambda_max");
  accq_policy_t *stale = policy(&m, "rjiq");
  const double *p = accq_policy_split(stale);
  double true_rate = 1.3 * m.arrival_rate;
  int overloaded = -1;
  for (int k = 0; k < m.ntypes; k++)
    if (true_rate * p[k] >= m.types[k].servers * m.types[k].rate) overloaded = k;
  ck_assert_msg(overloaded == 1, "the LP split at Lambda0 overloads medium at the true rate");
  accq_sim_options_t o;
  accq_sim_options_init(&o);
  o.replications = 8;
  o.jobs = 60000;
  accq_sim_result_t r;
  int st = accq_sim_run(&m, stale, &o, &r, NULL, &err);
  ck_assert_msg(st == ACCQ_EUNSTABLE, "stale rjiq: status %d (%s)", st, st ? err.msg : "ran");
  ck_assert_msg(strstr(err.msg, "medium"), "names the overloaded type: %s", err.msg);
  accq_policy_free(stale);

  /* the LP at the true rate is feasible (so a re-solved split exists) */
  accq_model_t mt = m;
  mt.arrival_rate = true_rate;
  accq_policy_t *fresh = NULL;
  ck_assert_int_eq(accq_policy_alloc(&fresh, "rjiq:0.05", &mt, NULL, &err), 0);
  accq_policy_free(fresh);

  const char *const pols[2] = {"rjiq:est=ewma:20:0.05", "pop"};
  for (int i = 0; i < 2; i++) {
    accq_policy_t *pol = policy(&m, pols[i]);
    accq_sim_series_t se;
    o.warmup = 0;
    st = accq_sim_run_series(&m, pol, &o, 250, &r, NULL, &se, &err);
    ck_assert_msg(st == 0, "%s: %s", pols[i], err.msg);
    /* long run (measured window, MSER-5 truncated) */
    double z = gsl_cdf_tdist_Pinv(0.9995, o.replications - 1);
    ck_assert_msg(r.accuracy.mean >= m.accuracy_target - z * r.accuracy.se,
                  "%s: accuracy %.6g (se %.2g) below a* %.2g", pols[i], r.accuracy.mean,
                  r.accuracy.se, m.accuracy_target);
    if (i == 0) ck_assert_msg(r.resplits >= 1, "rjiq:est re-solved its split (%g)", r.resplits);
    /* per window after the step (from t = 1000: 25 estimator time constants) */
    int checked = 0;
    for (int w = 0; w < se.nwindows; w++) {
      const accq_sim_window_t *x = &se.w[w];
      ACCQ_CK_CLOSE(x->rate, x->t0 >= 500 ? 3.4125 : 2.625, 1e-12, 0, "window rate");
      if (x->t0 < 1000) continue;
      ck_assert_str_eq(x->status, "ok");
      double zw = gsl_cdf_tdist_Pinv(0.9995, x->nreps - 1);
      ck_assert_msg(x->accuracy.mean >= m.accuracy_target - zw * x->accuracy.se,
                    "%s: window [%g, %g) accuracy %.5g (se %.2g) below a*", pols[i], x->t0, x->t1,
                    x->accuracy.mean, x->accuracy.se);
      ck_assert(isfinite(x->t_lp) && x->gap > 0); /* E[T] above the moving bound */
      checked++;
    }
    ck_assert_msg(checked >= 20, "%s: %d windows after the step", pols[i], checked);
    ck_assert(se.below_fraction.mean <= 0.1);
    accq_sim_series_free(&se);
    accq_policy_free(pol);
  }
}
END_TEST

/* rjiq:est's spellings: canonical names, refusals, and a re-solve that moves
 * the split to the LP's at the new rate (by hand on saturating at 2.625 and
 * 3.4125 with slack 0.05: medium gets 2/3 below Lambda = 2.85, and exactly
 * its reduced capacity 1.9 above, so p_medium = 1.9 / 3.4125). */
START_TEST(test_est_policy) {
  accq_model_t m;
  load(&m, SAT);
  accq_err_t err;
  accq_policy_t *p = NULL;
  static const char *const bad[] = {"rjiq:est=ewma:0", "rjiq:est=ewma:-3", "rjiq:est=ewma:5:1.5",
                                    "rjiq:est=ewma:", "rjiq:est=ewma:x", "rjiq:est=mean:5",
                                    "rjiq:est"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ck_assert_int_eq(accq_policy_alloc(&p, bad[i], &m, NULL, &err), ACCQ_EUSAGE);
    ck_assert_msg(strstr(err.msg, "rjiq:est=ewma:TAU"), "%s", err.msg);
  }
  p = policy(&m, "rjiq:est=ewma:50");
  ck_assert_str_eq(accq_policy_name(p), "rjiq:est=ewma:50");
  ck_assert(accq_policy_est_tau(p) == 50);
  accq_policy_free(p);
  p = policy(&m, "rjiq:est=ewma:20:0.05");
  ck_assert_str_eq(accq_policy_name(p), "rjiq:est=ewma:20:0.05");
  ACCQ_CK_CLOSE(accq_policy_split(p)[1], 2.0 / 3, 1e-12, 0, "split at Lambda0");
  accq_policy_t *c = NULL;
  ck_assert_int_eq(accq_policy_clone(p, &c, &err), 0);
  int clamped = -1;
  ck_assert_int_eq(accq_policy_resplit(c, &m, 3.4125, &clamped, &err), 0);
  ck_assert_int_eq(clamped, 0);
  ACCQ_CK_CLOSE(accq_policy_split(c)[1], 1.9 / 3.4125, 1e-9, 0, "split re-solved at 1.3 Lambda0");
  ACCQ_CK_CLOSE(accq_policy_split(p)[1], 2.0 / 3, 1e-12, 0, "the original is untouched");
  ck_assert_int_eq(accq_policy_resplit(c, &m, 100, &clamped, &err), 0);
  ck_assert_int_eq(clamped, 1); /* beyond Lambda_max(a*): its split */
  accq_policy_free(c);
  accq_policy_free(p);
}
END_TEST

/* The time series' window rates: a step inside a window averages it (exact
 * integral); windows end with the shortest replication; too wide a window is
 * refused; counted rates for a trace. */
START_TEST(test_series_windows) {
  accq_model_t m;
  load(&m, TWO_TIER "[arrivals]\nprocess = piecewise\nstep = 0 1\nstep = 150 1.2\n");
  accq_policy_t *pol = policy(&m, "pop");
  accq_sim_options_t o;
  accq_sim_options_init(&o);
  o.replications = 4;
  o.jobs = 5000;
  o.warmup = 0;
  accq_sim_result_t r;
  accq_sim_series_t se;
  accq_sim_rep_t reps[4];
  accq_err_t err;
  ck_assert_int_eq(accq_sim_run_series(&m, pol, &o, 100, &r, reps, &se, &err), 0);
  double tend = INFINITY;
  for (int i = 0; i < 4; i++) tend = fmin(tend, reps[i].end_time);
  ck_assert_int_eq(se.nwindows, (int)floor(tend / 100));
  ACCQ_CK_CLOSE(se.w[0].rate, 1.0, 1e-14, 0, "window [0,100)");
  ACCQ_CK_CLOSE(se.w[1].rate, 1.1, 1e-14, 0, "window [100,200): half at 1, half at 1.2");
  ACCQ_CK_CLOSE(se.w[2].rate, 1.2, 1e-14, 0, "window [200,300)");
  ck_assert_int_eq(se.w[1].rate_counted, 0);
  /* the long-run rate is the last step's: m x 1.2 */
  ACCQ_CK_CLOSE(r.lambda, 2.4, 1e-14, 0, "long-run rate");
  accq_sim_series_free(&se);
  ck_assert_int_eq(accq_sim_run_series(&m, pol, &o, 1e9, &r, NULL, &se, &err), ACCQ_EINVAL);
  ck_assert_msg(strstr(err.msg, "longer than the run"), "%s", err.msg);
  ck_assert_int_eq(accq_sim_run_series(&m, pol, &o, -1, &r, NULL, &se, &err), ACCQ_EINVAL);
  accq_policy_free(pol);

  /* a trace: rates are counted (every replication replays the same arrivals) */
  accq_model_t mt;
  ck_assert_int_eq(accq_model_load(&mt, accq_src_path("models/arrivals/trace-example.ini"), NULL,
                                   0, &err), 0);
  pol = policy(&mt, "pop");
  o.jobs = 3000;
  ck_assert_int_eq(accq_sim_run_series(&mt, pol, &o, 100, &r, reps, &se, &err), 0);
  long long in_first = 0;
  double *ts = NULL;
  long long n = 0;
  ck_assert_int_eq(accq_arrivals_read_trace(mt.arrivals.trace, &ts, &n, &err), 0);
  for (long long i = 0; i < n; i++) in_first += ts[i] < 100;
  free(ts);
  ck_assert_int_eq(se.w[0].rate_counted, 1);
  ck_assert(se.w[0].arrivals == 4 * in_first);
  ACCQ_CK_CLOSE(se.w[0].rate, in_first / 100.0, 1e-14, 0, "counted rate of the trace");
  accq_sim_series_free(&se);
  accq_policy_free(pol);
}
END_TEST

/* The command line: --window/--timeseries/--plot usage, and the CSV file. */
START_TEST(test_cli_timeseries) {
  char *out = NULL, *err = NULL, args[2048];
  const char *model = accq_src_path("models/arrivals/step-example.ini");
  char csv[256];
  snprintf(csv, sizeof csv, "%s", accq_tmp_file("", ".csv"));
  snprintf(args, sizeof args, "simulate %s -p pop --timeseries %s -q", model, csv);
  ck_assert_int_eq(accq_run(args, &out, &err), 2);
  ck_assert_msg(strstr(err, "--timeseries needs --window"), "%s", err);
  free(out);
  free(err);
  snprintf(args, sizeof args,
           "simulate %s -p pop,rjiq -r 3 -n 25000 -w 0 --window 500 --timeseries %s -q "
           "--format json", model, csv);
  int rc = accq_run(args, &out, &err);
  /* stale rjiq overloads medium during the step only; the run goes on until its
   * backlog has drained (about 550 jobs piled up at 0.275 per unit time, drained
   * at 0.25): stable in the long run */
  ck_assert_msg(rc == 0, "rc %d: %s", rc, err);
  ck_assert_msg(strstr(out, "\"timeseries\"") && strstr(out, "\"below_fraction\""), "%s", out);
  ck_assert_msg(strstr(out, "\"arrivals\": \"piecewise\""), "%s", out);
  free(out);
  free(err);
  FILE *f = fopen(csv, "r");
  ck_assert(f != NULL);
  char line[1024];
  ck_assert(fgets(line, sizeof line, f) != NULL);
  ck_assert_str_eq(line, "policy,t0,t1,rate,rate_source,status,arrivals,replications,accuracy,"
                         "accuracy_ci95,mean_response_time,mean_response_time_ci95,t_lp,gap,below\n");
  int rows = 0, stepped = 0;
  while (fgets(line, sizeof line, f)) {
    rows++;
    double t0 = 0, rate = 0;
    ck_assert(sscanf(strchr(line, ',') + 1, "%lf,%*[^,],%lf", &t0, &rate) == 2);
    if (t0 >= 2000 && t0 < 4000) stepped += fabs(rate - 1.3 * 2.625) < 1e-9;
  }
  fclose(f);
  ck_assert_msg(rows >= 2 * 8, "%d rows", rows);
  ck_assert_int_eq(stepped, 2 * 4); /* 4 windows of 500 in [2000, 4000), two policies */
  remove(csv);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sim_arrivals");
  TCase *tc = tcase_create("arrivals");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_one_step_same_bytes);
  tcase_add_test(tc, test_thinning_chi_square);
  tcase_add_test(tc, test_mmpp_rate);
  tcase_add_test(tc, test_mmpp_m1);
  tcase_add_test(tc, test_stale_and_estimated_rjiq);
  tcase_add_test(tc, test_est_policy);
  tcase_add_test(tc, test_series_windows);
  tcase_add_test(tc, test_cli_timeseries);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
