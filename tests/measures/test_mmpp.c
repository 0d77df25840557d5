/* The exact chain with MMPP arrivals (docs/chains.md, "MMPP arrivals";
 * docs/measures.md, "Time and job averages"): the phase as a state component,
 * time averages from pi(s, i), job averages weighted by lambda_i / lambda-bar.
 * Every expected number comes from an independent method: the Poisson chain
 * of the same model, the matrix-geometric MMPP/M/1 solution
 * (accq_test_mmpp_m1), a generator written out by hand and solved by GSL's
 * dense LU, the explicit per-server chain, or the simulator. */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>

#include "common.h"

/* A 2-phase MMPP on model m: phase rates r0, r1 (relative: multiples of
 * Lambda) and switching rates q01, q10. */
static void set_mmpp2(accq_model_t *m, int relative, double r0, double r1, double q01,
                      double q10) {
  memset(&m->arrivals, 0, sizeof m->arrivals);
  m->arrivals.kind = ACCQ_ARRIVALS_MMPP;
  m->arrivals.relative = relative;
  m->arrivals.nphases = m->arrivals.ngen = 2;
  m->arrivals.phase_rate[0] = r0;
  m->arrivals.phase_rate[1] = r1;
  m->arrivals.gen[0][0] = -q01;
  m->arrivals.gen[0][1] = q01;
  m->arrivals.gen[1][0] = q10;
  m->arrivals.gen[1][1] = -q10;
}

static void load_bundled(accq_model_t *m, const char *file) {
  accq_err_t err;
  accq_err_clear(&err);
  char rel[256];
  snprintf(rel, sizeof rel, "models/%s", file);
  int st = accq_model_load(m, accq_src_path(rel), NULL, 0, &err);
  ck_assert_msg(st == 0, "%s: %s", file, err.msg);
}

/* Every measure of accq_measures_t, equal to `rel` relative. */
static void same_measures(const accq_measures_t *a, const accq_measures_t *b, int K, double rel,
                          const char *what) {
  char msg[256];
#define SAME(f)                                                                 \
  do {                                                                          \
    snprintf(msg, sizeof msg, "%s: " #f, what);                                 \
    ACCQ_CK_CLOSE(a->f, b->f, rel, 1e-300, msg);                                \
  } while (0)
  SAME(lambda);
  SAME(throughput_total);
  SAME(loss_probability);
  SAME(mean_jobs);
  SAME(mean_response_time);
  SAME(accuracy);
  SAME(p_wait);
  SAME(p50);
  SAME(p90);
  SAME(p95);
  SAME(p99);
  SAME(boundary_mass);
  SAME(t_lp);
  SAME(gap);
  SAME(tail_integral);
  for (int k = 0; k < K; k++) {
    SAME(throughput[k]);
    SAME(utilization[k]);
  }
#undef SAME
}

/* MMPP with identical phase rates is Poisson at that rate: with rate 1
 * relative (= Lambda) in both phases, every measure equals the Poisson
 * chain's (the independent method), and pi(s, i) = pi(s) pi_phase(i). */
START_TEST(test_identical_phases_equal_poisson) {
  const char *models[] = {"two-tier.ini", "saturating.ini"};
  const char *pols[] = {"pop", "jsq", "rjiq"};
  int compared = 0;
  for (int mi = 0; mi < 2; mi++) {
    accq_model_t m;
    load_bundled(&m, models[mi]);
    accq_model_t mm = m;
    set_mmpp2(&mm, 1, 1.0, 1.0, 0.7, 0.3); /* phase law (0.3, 0.7) */
    for (int pi = 0; pi < 3; pi++) {
      accq_policy_options_t po;
      accq_policy_options_init(&po);
      po.finite_buffer = 1;
      accq_policy_t *pol = NULL;
      accq_err_t err;
      int st = accq_policy_alloc(&pol, pols[pi], &m, &po, &err);
      ck_assert_msg(st == 0, "%s: %s", pols[pi], err.msg);
      const int B = 5;
      /* dense LU on both: the comparison is then at rounding level */
      mt_solved_t P = mt_solve(&m, pol, B, 0, ACCQ_SOLVER_DENSE, 1e-14);
      mt_solved_t M = mt_solve(&mm, pol, B, 0, ACCQ_SOLVER_DENSE, 1e-14);
      ck_assert_int_eq(M.c->nphases, 2);
      ck_assert_int_eq(M.c->nstates, 2 * P.c->nstates);
      accq_measures_t a = mt_measures(&P, pol), b = mt_measures(&M, pol);
      char what[128];
      snprintf(what, sizeof what, "%s %s mmpp(1,1) vs poisson", m.name, pols[pi]);
      same_measures(&b, &a, m.ntypes, 1e-12, what);
      for (int64_t s = 0; s < P.c->nstates; s++)
        for (int h = 0; h < 2; h++)
          ACCQ_CK_CLOSE(M.pi[2 * s + h], P.pi[s] * (h ? 0.7 : 0.3), 1e-10, 1e-15,
                        "pi(s, i) = pi(s) pi_phase(i)");
      mt_free(&P);
      mt_free(&M);
      accq_policy_free(pol);
      compared++;
    }
  }
  ck_assert_int_eq(compared, 6);
}
END_TEST

/* The same through accq_analyze with buffer = auto: the MMPP model takes the
 * joint chain (no product form for rjiq), the Poisson one rjiq's product
 * form; both are the infinite-buffer answer to the auto targets. */
START_TEST(test_identical_phases_analyze) {
  accq_model_t m;
  load_bundled(&m, "two-tier.ini");
  m.arrival_rate = 0.6; /* load 0.4: B stays small (the suite runs under ASan too) */
  accq_model_t mm = m;
  set_mmpp2(&mm, 1, 1.0, 1.0, 0.5, 0.5);
  const char *pols[] = {"rjiq", "pop"};
  for (int pi = 0; pi < 2; pi++) {
    accq_policy_t *pol = mt_policy(&m, pols[pi]);
    accq_analysis_options_t ao;
    accq_analysis_options_init(&ao);
    accq_analysis_t a, b;
    accq_err_t err;
    ck_assert_int_eq(accq_analyze(&m, pol, &ao, &a, &err), 0);
    ck_assert_msg(accq_analyze(&mm, pol, &ao, &b, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(b.product_form, 0);
    ck_assert_int_eq(b.verdict, ACCQ_ANALYSIS_CONVERGED);
    /* within the auto targets (1e-9): the two walks stop at different B */
    ACCQ_CK_CLOSE(b.m.mean_response_time, a.m.mean_response_time, 1e-8, 0, "E[T] auto");
    ACCQ_CK_CLOSE(b.m.accuracy, a.m.accuracy, 1e-8, 0, "accuracy auto");
    accq_policy_free(pol);
  }
}
END_TEST

/* One server, 2-phase MMPP, buffer = auto: the MMPP/M/1 queue of the
 * matrix-geometric method (tests/testutil.c), E[N], P(empty) and E[T] to
 * 1e-8.  Phases (2, 8), Q = [-1 1; 3 -3], mu = 6: lambda-bar = 3.5, load
 * 0.58, bursts at load 1.33 lasting 1/3 on average.  (The simulator's test
 * switches 10 times slower: its queue tail decays so slowly that the auto
 * buffer needs B > 300 for a truncation of 1e-13.) */
START_TEST(test_mmpp_m1_matrix_geometric) {
  const double lam[2] = {2, 8}, q[4] = {-1, 1, 3, -3}, mu = 6;
  double en = NAN, p0 = NAN, et = NAN;
  ck_assert_int_eq(accq_test_mmpp_m1(2, lam, q, mu, &en, &p0, &et), 0);
  /* closed-form sanity of the reference: P(empty) = 1 - lambda-bar / mu */
  ACCQ_CK_CLOSE(p0, 1 - 3.5 / 6, 1e-12, 0, "reference P(empty)");
  accq_model_t m;
  mt_model(&m, "[system]\nname = mmpp-m1\narrival_rate = 3.5\naccuracy_target = 0.5\n"
               "[type one]\nservers = 1\nrate = 6\naccuracy = 0.9\n"
               "[arrivals]\nprocess = mmpp\nphase = 2\nphase = 8\n"
               "generator = -1 1\ngenerator = 3 -3\n");
  const char *pols[] = {"pop", "jsq"};
  for (int pi = 0; pi < 2; pi++) {
    accq_policy_t *pol = mt_policy(&m, pols[pi]);
    accq_analysis_options_t ao;
    accq_analysis_options_init(&ao);
    /* tighter truncation than the default 1e-9, so that 1e-8 is not the
     * truncation's own size */
    ao.auto_mass = 1e-13;
    ao.auto_rel = 1e-12;
    ao.auto_max_buffer = 1000;
    accq_analysis_t a;
    accq_err_t err;
    int st = accq_analyze(&m, pol, &ao, &a, &err);
    ck_assert_msg(st == 0 && a.verdict == ACCQ_ANALYSIS_CONVERGED, "%s: %s", pols[pi], err.msg);
    ck_assert_int_eq(a.states, 2 * (a.buffer + 1));
    ACCQ_CK_CLOSE(a.m.mean_jobs, en, 1e-8, 0, "E[N] vs matrix-geometric");
    ACCQ_CK_CLOSE(1 - a.m.utilization[0], p0, 1e-8, 0, "P(empty) vs matrix-geometric");
    ACCQ_CK_CLOSE(a.m.mean_response_time, et, 1e-8, 0, "E[T] vs matrix-geometric");
    ACCQ_CK_CLOSE(a.m.lambda, 3.5, 1e-14, 0, "offered rate lambda-bar");
    accq_policy_free(pol);
  }
}
END_TEST

/* Two servers of one type with room for one job each (B = 1: an M/M/2/2
 * loss system) and 2-phase MMPP arrivals, by hand: states (n busy, phase i),
 * n -> n+1 at lambda_i (n < 2), n -> n-1 at n mu, i -> j at Q_ij; the 6 x 6
 * balance equations with one replaced by sum pi = 1, solved by GSL's LU.
 * Loss is a job average: P_loss = sum_i pi(2, i) lambda_i / lambda-bar, not
 * the time fraction sum_i pi(2, i); E[T] = 1/mu (no job waits); the boundary
 * mass (some server holds B = 1 job) is the time fraction of n >= 1. */
START_TEST(test_loss_system_by_hand) {
  const double lam[2] = {0.5, 4.0}, q01 = 0.2, q10 = 0.6, mu = 1.5;
  const double Q[2][2] = {{-q01, q01}, {q10, -q10}};
  gsl_matrix *A = gsl_matrix_calloc(6, 6);
  gsl_vector *b = gsl_vector_calloc(6), *x = gsl_vector_alloc(6);
  gsl_permutation *perm = gsl_permutation_alloc(6);
#define IX(n, i) ((n) * 2 + (i))
  /* A^T: row j of A is the balance of state j (inflow coefficients) */
  for (int n = 0; n <= 2; n++)
    for (int i = 0; i < 2; i++) {
      int s = IX(n, i);
      double out = 0;
      if (n < 2) {
        *gsl_matrix_ptr(A, IX(n + 1, i), s) += lam[i];
        out += lam[i];
      }
      if (n > 0) {
        *gsl_matrix_ptr(A, IX(n - 1, i), s) += n * mu;
        out += n * mu;
      }
      *gsl_matrix_ptr(A, IX(n, 1 - i), s) += Q[i][1 - i];
      out += Q[i][1 - i];
      *gsl_matrix_ptr(A, s, s) -= out;
    }
  for (int s = 0; s < 6; s++) gsl_matrix_set(A, 5, s, 1.0);
  gsl_vector_set(b, 5, 1.0);
  int sign;
  gsl_linalg_LU_decomp(A, perm, &sign);
  gsl_linalg_LU_solve(A, perm, b, x);
  double pi[3][2], lbar = 0, en = 0, lost = 0, full = 0, some = 0;
  for (int n = 0; n <= 2; n++)
    for (int i = 0; i < 2; i++) pi[n][i] = gsl_vector_get(x, IX(n, i));
#undef IX
  for (int n = 0; n <= 2; n++)
    for (int i = 0; i < 2; i++) {
      lbar += pi[n][i] * lam[i];
      en += n * pi[n][i];
    }
  for (int i = 0; i < 2; i++) {
    lost += pi[2][i] * lam[i] / lbar;
    full += pi[2][i];
    some += pi[1][i] + pi[2][i];
  }
  gsl_matrix_free(A);
  gsl_vector_free(b);
  gsl_vector_free(x);
  gsl_permutation_free(perm);

  accq_model_t m;
  mt_model(&m, "[system]\nname = loss22\narrival_rate = 1\naccuracy_target = 0.5\n"
               "buffer = 1\n[type one]\nservers = 2\nrate = 1.5\naccuracy = 0.9\n"
               "[arrivals]\nprocess = mmpp\nphase = 0.5\nphase = 4\n"
               "generator = -0.2 0.2\ngenerator = 0.6 -0.6\n");
  ACCQ_CK_CLOSE(lbar, (0.75 * 0.5 + 0.25 * 4.0), 1e-14, 0, "lambda-bar by hand");
  const char *pols[] = {"jsq", "pop"};
  for (int p = 0; p < 2; p++) {
    accq_policy_t *pol = mt_policy(&m, pols[p]);
    for (int ex = 0; ex < 2; ex++) {
      mt_solved_t S = mt_solve(&m, pol, 1, ex, ACCQ_SOLVER_DENSE, 1e-14);
      ck_assert_int_eq(S.c->nstates, ex ? 8 : 6); /* explicit: 2^2 server states x 2 */
      accq_measures_t r = mt_measures(&S, pol);
      ACCQ_CK_CLOSE(r.mean_jobs, en, 1e-12, 0, "E[N] (time average)");
      ACCQ_CK_CLOSE(r.boundary_mass, some, 1e-12, 0, "P(n >= 1) (time average)");
      ACCQ_CK_CLOSE(r.loss_probability, lost, 1e-12, 0, "P_loss (job average)");
      ACCQ_CK_CLOSE(r.throughput_total, lbar * (1 - lost), 1e-12, 0, "X");
      ACCQ_CK_CLOSE(r.mean_response_time, 1 / mu, 1e-12, 0, "E[T] = 1/mu");
      ACCQ_CK_CLOSE(r.utilization[0], en / 2, 1e-12, 0, "U");
      ACCQ_CK_CLOSE(r.p_wait, 0, 0, 1e-15, "no job waits");
      ACCQ_CK_CLOSE(r.p50, log(2.0) / mu, 1e-10, 0, "median of Exp(mu)");
      ck_assert_msg(fabs(lost - full) > 0.05, "the job and time averages differ here: %g %g",
                    lost, full);
      mt_free(&S);
    }
    accq_policy_free(pol);
  }
}
END_TEST

/* Bursty MMPP: the lumped chain against the explicit per-server chain (both
 * with phases, built independently of each other up to the shared
 * expansion), every policy, B = 3 on 2 + 1 servers. */
START_TEST(test_lumped_vs_explicit_bursty) {
  accq_model_t m;
  mt_model(&m, "[system]\nname = l21\narrival_rate = 2.0\naccuracy_target = 0.75\nbuffer = 3\n"
               "[type fast]\nservers = 2\nrate = 2.0\naccuracy = 0.6\n"
               "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.95\n"
               "[arrivals]\nprocess = mmpp\nrates = relative\nphase = 0.4\nphase = 1.6\n"
               "phase = 1\ngenerator = -0.3 0.2 0.1\ngenerator = 0.25 -0.5 0.25\n"
               "generator = 0.1 0.1 -0.2\n");
  int compared = 0;
  for (int j = 0; j < accq_policy_nnames; j++) {
    accq_policy_t *pol = NULL;
    accq_policy_options_t po;
    accq_policy_options_init(&po);
    po.finite_buffer = 1;
    accq_err_t perr;
    if (accq_policy_alloc(&pol, accq_policy_names[j], &m, &po, &perr)) continue;
    mt_solved_t L = mt_solve(&m, pol, 3, 0, ACCQ_SOLVER_AUTO, 1e-14);
    mt_solved_t E = mt_solve(&m, pol, 3, 1, ACCQ_SOLVER_AUTO, 1e-14);
    ck_assert_int_eq(L.c->nphases, 3);
    ck_assert_int_eq(E.c->nstates % 3, 0);
    accq_measures_t a = mt_measures(&L, pol), b = mt_measures(&E, pol);
    char what[128];
    snprintf(what, sizeof what, "%s lumped vs explicit (mmpp)", accq_policy_name(pol));
    same_measures(&a, &b, m.ntypes, 1e-9, what);
    mt_free(&L);
    mt_free(&E);
    accq_policy_free(pol);
    compared++;
  }
  ck_assert_int_ge(compared, 8);
}
END_TEST

/* The state count is K times the Poisson chain's for every policy, counted
 * ones (pop) included: docs/chains.md's argument, checked here. */
START_TEST(test_states_times_phases) {
  accq_model_t m;
  load_bundled(&m, "llm-three-tier.ini");
  accq_model_t mm = m;
  set_mmpp2(&mm, 1, 0.5, 1.5, 0.1, 0.1);
  mm.arrivals.nphases = mm.arrivals.ngen = 3; /* a third phase */
  mm.arrivals.phase_rate[2] = 1.0;
  mm.arrivals.gen[0][2] = 0.1;
  mm.arrivals.gen[0][0] = -0.2;
  mm.arrivals.gen[1][2] = 0.1;
  mm.arrivals.gen[1][1] = -0.2;
  mm.arrivals.gen[2][0] = mm.arrivals.gen[2][1] = 0.1;
  mm.arrivals.gen[2][2] = -0.2;
  const char *pols[] = {"pop", "jiq", "rjiq"};
  for (int p = 0; p < 3; p++) {
    accq_policy_options_t po;
    accq_policy_options_init(&po);
    po.finite_buffer = 1;
    accq_policy_t *pol = NULL;
    accq_err_t err;
    ck_assert_msg(accq_policy_alloc(&pol, pols[p], &m, &po, &err) == 0, "%s", err.msg);
    accq_chain_t *c1 = NULL, *c3 = NULL;
    ck_assert_msg(accq_chain_build(&c1, &m, pol, 3, NULL, &err) == 0, "%s", err.msg);
    ck_assert_msg(accq_chain_build(&c3, &mm, pol, 3, NULL, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(c3->nstates, 3 * c1->nstates);
    double s1, b1, s3, b3;
    int e1, e3;
    ck_assert_int_eq(accq_chain_size_reachable(&m, pol, 3, NULL, &s1, &b1, &e1, NULL), 0);
    ck_assert_int_eq(accq_chain_size_reachable(&mm, pol, 3, NULL, &s3, &b3, &e3, NULL), 0);
    ck_assert(e1 == 1 && e3 == 1);
    ACCQ_CK_CLOSE(s1, (double)c1->nstates, 0, 0, "reachable count");
    ACCQ_CK_CLOSE(s3, (double)c3->nstates, 0, 0, "reachable count x 3 phases");
    ck_assert_msg(b3 >= 3 * b1, "memory estimate grows with K: %g %g", b1, b3);
    accq_chain_free(c1);
    accq_chain_free(c3);
    accq_policy_free(pol);
  }
}
END_TEST

/* A chain over --max-states only because of its phases is refused before
 * anything is allocated, with the K-multiplied figures; accq_analyze says
 * too_large. */
START_TEST(test_too_large_refused) {
  accq_model_t m;
  load_bundled(&m, "two-tier.ini");
  accq_model_t mm = m;
  set_mmpp2(&mm, 1, 0.5, 1.5, 0.1, 0.1);
  accq_policy_t *pol = mt_policy(&m, "jsq");
  accq_chain_options_t co;
  accq_chain_options_init(&co);
  accq_chain_t *c = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_chain_build(&c, &m, pol, 6, &co, &err), 0);
  const int64_t n = c->nstates; /* C(2+6, 6) * 7 = 196 */
  accq_chain_free(c);
  ck_assert_int_eq(n, 196);
  co.max_states = 300; /* n fits, 2 n = 392 does not */
  c = NULL;
  int st = accq_chain_build(&c, &mm, pol, 6, &co, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert(c == NULL);
  ck_assert_msg(strstr(err.msg, "392 states") && strstr(err.msg, "196 occupancy states x 2 phases"),
                "the message gives the K-multiplied count: %s", err.msg);
  /* memory: the same refusal when only the K-multiplied bytes are over */
  double s2, b2;
  int e2;
  ck_assert_int_eq(accq_chain_size_reachable(&mm, pol, 6, NULL, &s2, &b2, &e2, NULL), 0);
  accq_chain_options_init(&co);
  co.max_bytes = 0.75 * b2;
  st = accq_chain_build(&c, &mm, pol, 6, &co, &err);
  ck_assert_msg(st == ACCQ_ETOOBIG && strstr(err.msg, "GiB"), "bytes: %d %s", st, err.msg);
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = 6;
  ao.chain.max_states = 300;
  accq_analysis_t a;
  st = accq_analyze(&mm, pol, &ao, &a, &err);
  ck_assert_int_eq(st, ACCQ_ETOOBIG);
  ck_assert_str_eq(accq_analysis_status_word(a.status, a.verdict), "too_large");
  accq_policy_free(pol);
}
END_TEST

/* No chain for time-varying arrivals (the build and the analysis refuse,
 * also rjiq's product form); an MMPP whose long-run rate overloads the
 * split of the model's Lambda is unstable (buffer = auto), a finite buffer
 * is a loss system and solves. */
START_TEST(test_refusals) {
  accq_model_t m;
  mt_model(&m, "[system]\nname = pw\narrival_rate = 1.0\naccuracy_target = 0.8\n"
               "[type small]\nservers = 2\nrate = 4.0\naccuracy = 0.6\n"
               "[type large]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n"
               "[arrivals]\nprocess = piecewise\nstep = 0 1\nstep = 10 1.2\n");
  const char *pols[] = {"rjiq", "pop"};
  for (int p = 0; p < 2; p++) {
    accq_policy_t *pol = mt_policy(&m, pols[p]);
    accq_chain_t *c = NULL;
    accq_err_t err;
    ck_assert_int_eq(accq_chain_build(&c, &m, pol, 3, NULL, &err), ACCQ_EMODEL);
    ck_assert_msg(strstr(err.msg, "piecewise"), "%s", err.msg);
    accq_analysis_t a;
    ck_assert_int_eq(accq_analyze(&m, pol, NULL, &a, &err), ACCQ_EMODEL);
    accq_policy_free(pol);
  }
  /* two-tier: rjiq sends 2/3 of Lambda = 1 to `large` (capacity 1); a mean
   * rate of 1.6 Lambda loads it with 1.067 > 1 */
  accq_model_t mm;
  load_bundled(&mm, "two-tier.ini");
  set_mmpp2(&mm, 1, 1.2, 2.0, 0.1, 0.1);
  accq_policy_t *pol = mt_policy(&mm, "rjiq");
  accq_analysis_t a;
  accq_err_t err;
  ck_assert_int_eq(accq_analyze(&mm, pol, NULL, &a, &err), ACCQ_EUNSTABLE);
  ck_assert_msg(strstr(err.msg, "large") && strstr(err.msg, "1.06666666"), "%s", err.msg);
  ck_assert_str_eq(accq_analysis_status_word(a.status, a.verdict), "unstable");
  accq_analysis_options_t ao;
  accq_analysis_options_init(&ao);
  ao.buffer = 4;
  ck_assert_msg(accq_analyze(&mm, pol, &ao, &a, &err) == 0, "%s", err.msg);
  ck_assert(a.m.loss_probability > 0);
  accq_policy_free(pol);
  /* pop and jsq at the same rate (1.6 of total capacity 9 and of
   * Lambda_max(a*) = 1.5 for pop): jsq is stable, pop is not */
  accq_policy_t *jsq = mt_policy(&mm, "jsq"), *pop = mt_policy(&mm, "pop");
  ck_assert_int_eq(accq_analyze(&mm, pop, NULL, &a, &err), ACCQ_EUNSTABLE);
  ck_assert_msg(strstr(err.msg, "Lambda-bar"), "%s", err.msg);
  ck_assert_int_ne(accq_analyze(&mm, jsq, NULL, &a, &err), ACCQ_EUNSTABLE);
  accq_policy_free(jsq);
  accq_policy_free(pop);
  /* storage: the phases are added to stored rows, so a chain with phases is
   * stored under auto (docs/chains.md, "Storage"), and an explicit
   * matrix-free request is refused */
  set_mmpp2(&mm, 1, 0.5, 1.5, 0.1, 0.1);
  pop = mt_policy(&mm, "pop");
  accq_chain_options_t co;
  accq_chain_options_init(&co);
  accq_chain_t *c = NULL;
  ck_assert_msg(accq_chain_build(&c, &mm, pop, 3, &co, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(c->storage, ACCQ_STORAGE_STORED);
  ck_assert_int_eq(c->nphases, 2);
  accq_chain_free(c);
  co.storage = ACCQ_STORAGE_MATRIX_FREE;
  ck_assert_int_eq(accq_chain_build(&c, &mm, pop, 3, &co, &err), ACCQ_EINVAL);
  ck_assert_msg(strstr(err.msg, "matrix-free") && strstr(err.msg, "mmpp"), "%s", err.msg);
  accq_policy_free(pop);
}
END_TEST

/* The command line: solve and crosscheck take the bundled MMPP example
 * (crosscheck: chain vs simulator, every measure, Holm at 0.01); solve
 * refuses a piecewise rate with FILE:LINE and exit 2; the other commands
 * keep refusing MMPP. */
START_TEST(test_cli) {
  char *out = NULL, *err = NULL, args[1024];
  const char *mm = accq_src_path("models/arrivals/bursty-mmpp.ini");
  snprintf(args, sizeof args, "solve '%s' --policy pop,jsq,rjiq --buffer 8 --format json -q", mm);
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "solve: %d %s", rc, err);
  ck_assert_msg(strstr(out, "\"status\": \"ok\"") && !strstr(out, "\"product_form\": true"),
                "%s", out);
  const char *mr = strstr(out, "\"mean_arrival_rate\": ");
  ck_assert_msg(mr != NULL, "%s", out);
  ACCQ_CK_CLOSE(strtod(mr + 21, NULL), 1.0, 1e-15, 0, "long-run rate 0.5 x 0.5 + 1.5 x 0.5");
  free(out);
  free(err);
  snprintf(args, sizeof args,
           "crosscheck '%s' --policy pop,rjiq --buffer 6 --jobs 20000 --replications 20 -q", mm);
  rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "crosscheck: %d\n%s\n%s", rc, out, err);
  ck_assert_msg(strstr(out, "loss_probability") && strstr(out, "mean_jobs"), "%s", out);
  free(out);
  free(err);
  const char *step = accq_src_path("models/arrivals/step-example.ini");
  snprintf(args, sizeof args, "solve '%s' -q", step);
  rc = accq_run(args, &out, &err);
  ck_assert_int_eq(rc, 2);
  ck_assert_msg(strstr(err, "step-example.ini:30: [arrivals] process = piecewise"), "%s", err);
  free(out);
  free(err);
  /* verify claim 5, part (f): the MMPP scenario of a bundled model, chain
   * against simulation (2 policies x 4 measures, Holm), passes */
  snprintf(args, sizeof args, "verify '%s' --claims 5 -q", accq_src_path("models/two-tier.ini"));
  rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "verify: %d\n%s\n%s", rc, out, err);
  ck_assert_msg(strstr(out, "mmpp chain vs simulator: 8 comparison(s), family-wise level 0.001 "
                            "(Holm)") && !strstr(out, "mmpp chain vs simulator: nothing"),
                "%s", out);
  free(out);
  free(err);
  snprintf(args, sizeof args, "limit '%s' -q", accq_src_path("models/arrivals/bursty-mmpp.ini"));
  rc = accq_run(args, &out, &err);
  ck_assert_int_eq(rc, 2);
  ck_assert_msg(strstr(err, "bursty-mmpp.ini:") && strstr(err, "process = mmpp"), "%s", err);
  free(out);
  free(err);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("mmpp");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_identical_phases_equal_poisson);
  tcase_add_test(tc, test_identical_phases_analyze);
  tcase_add_test(tc, test_mmpp_m1_matrix_geometric);
  tcase_add_test(tc, test_loss_system_by_hand);
  tcase_add_test(tc, test_lumped_vs_explicit_bursty);
  tcase_add_test(tc, test_states_times_phases);
  tcase_add_test(tc, test_too_large_refused);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_cli);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return accq_run_suite(suite()); }
