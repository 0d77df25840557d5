/* Measures of docs/measures.md on chains of every policy against independent values:
 * the M/M/1/B product form (random-lp), hand-derived two-server systems, an
 * independent pod:D generator, and the Little / flow-balance identities of
 * proofs/tail-formula.md. */
#include <math.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_gamma.h>

#include "common.h"

/* ------------------------------------------------------------------------- */
/* random-lp = independent M/M/1/B servers (docs/policies.md: Bernoulli split).         */

/* M/M/1/B with arrival rate l, service mu (Gross & Harris, M/M/1/K):
 * P_n = rho^n / sum_{j<=B} rho^j.  Fills P[0..B]. */
static void mm1b(double l, double mu, int B, double *P) {
  double rho = l / mu, z = 0;
  for (int n = 0; n <= B; n++) z += pow(rho, n);
  for (int n = 0; n <= B; n++) P[n] = pow(rho, n) / z;
}

static void check_product_form(const char *text, int B) {
  accq_model_t m;
  mt_model(&m, text);
  accq_policy_t *pol = mt_policy(&m, "random-lp");
  mt_solved_t s = mt_solve(&m, pol, B, 0, ACCQ_SOLVER_AUTO, 1e-14);
  accq_measures_t ms = mt_measures(&s, pol);
  const double *p = accq_policy_split(pol);
  ck_assert_ptr_nonnull(p);
  /* Closed form: type k has N_k = m n_k servers, each an M/M/1/B with arrival
   * rate Lambda_total p_k / N_k.  L = sum N_k L_k, X = sum N_k l_k (1 - P_B),
   * E[T] = L/X, accuracy = sum a_k X_k / X, U_k = 1 - P_0, P(W>0) = admitted
   * arrivals finding 1..B-1 jobs / X, boundary = 1 - prod (1 - P_B)^N_k. */
  double P[64], L = 0, X = 0, correct = 0, wait = 0, none_full = 1;
  const double lam = m.arrival_rate * m.scale;
  for (int k = 0; k < m.ntypes; k++) {
    const int N = m.types[k].servers * m.scale;
    const double l = lam * p[k] / N, mu = m.types[k].rate;
    mm1b(l, mu, B, P);
    double Lk = 0, Wk = 0;
    for (int n = 0; n <= B; n++) Lk += n * P[n];
    for (int n = 1; n < B; n++) Wk += P[n];
    const double Xk = N * l * (1 - P[B]);
    L += N * Lk;
    X += Xk;
    correct += m.types[k].accuracy * Xk;
    wait += N * l * Wk;
    none_full *= pow(1 - P[B], N);
    ACCQ_CK_CLOSE(ms.throughput[k], Xk, 1e-10, 1e-14, "X_k vs M/M/1/B");
    ACCQ_CK_CLOSE(ms.utilization[k], 1 - P[0], 1e-10, 1e-14, "U_k vs M/M/1/B");
  }
  ACCQ_CK_CLOSE(ms.mean_response_time, L / X, 1e-10, 0, "E[T] vs M/M/1/B product form");
  ACCQ_CK_CLOSE(ms.loss_probability, 1 - X / lam, 1e-10, 1e-14, "P_loss vs product form");
  ACCQ_CK_CLOSE(ms.accuracy, correct / X, 1e-10, 0, "accuracy vs product form");
  ACCQ_CK_CLOSE(ms.p_wait, wait / X, 1e-10, 1e-14, "P(W>0) vs product form");
  ACCQ_CK_CLOSE(ms.boundary_mass, 1 - none_full, 1e-9, 1e-14, "boundary mass vs product form");
  ACCQ_CK_CLOSE(ms.throughput_total, X, 1e-10, 0, "X vs product form");
  mt_free(&s);
  accq_policy_free(pol);
}

START_TEST(test_random_lp_product_form) {
  check_product_form("[system]\nname = pf2\narrival_rate = 3.0\naccuracy_target = 0.8\n"
                     "buffer = 6\nscale = 1\n"
                     "[type fast]\nservers = 2\nrate = 3.0\naccuracy = 0.6\n"
                     "[type slow]\nservers = 2\nrate = 1.0\naccuracy = 0.95\n",
                     6);
  check_product_form("[system]\nname = pf3\narrival_rate = 2.5\naccuracy_target = 0.7\n"
                     "buffer = 5\nscale = 1\n"
                     "[type a]\nservers = 1\nrate = 4.0\naccuracy = 0.5\n"
                     "[type b]\nservers = 2\nrate = 1.5\naccuracy = 0.75\n"
                     "[type c]\nservers = 1\nrate = 0.7\naccuracy = 0.9\n",
                     5);
  /* scale 2 doubles servers and Lambda; B = 3 keeps real loss in play */
  check_product_form("[system]\nname = pf2s\narrival_rate = 1.8\naccuracy_target = 0.8\n"
                     "buffer = 3\nscale = 2\n"
                     "[type fast]\nservers = 1\nrate = 3.0\naccuracy = 0.6\n"
                     "[type slow]\nservers = 1\nrate = 1.2\naccuracy = 0.95\n",
                     3);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Hand derivations.                                                          */

START_TEST(test_jsq_two_servers_hand) {
  /* JSQ, one type, 2 servers of rate mu = 1, Lambda = 1, B = 2.  Occupancy
   * states (c0,c1,c2): A=(2,0,0) B=(1,1,0) C=(0,2,0) D=(1,0,1) E=(0,1,1) F=(0,0,2).
   * JSQ joins the smallest level: A->B, B->C, C->E, D->E, E->F, F: lost.
   * Services: B->A (1), C->B (2), D->B (1), E->D (1, the level-1 server),
   * E->C (1, the level-2 server), F->E (2).  Balance (out = in):
   *   A: pA = pB                      B: 2 pB = pA + 2 pC + pD
   *   C: 3 pC = pB + pE               D: 2 pD = pE
   *   E: 3 pE = pC + pD + 2 pF        F: 2 pF = pE
   * From D, F: pD = pF = pE/2; E: 3pE = pC + 1.5pE => pC = 1.5 pE; C: pB = 3.5 pE
   * = pA; B checks (7 = 3.5 + 3 + 0.5).  pE = 2: pi = (7,7,3,1,2,1)/21.
   * L = (7*1 + 3*2 + 1*2 + 2*3 + 1*4)/21 = 25/21; P_loss = pF = 1/21;
   * X = 20/21; E[T] = 25/20 = 1.25.  Arrivals joining a busy server: in C and E,
   * (3+2)/21, so P(W>0) = 5/20 = 0.25.  E[busy] = (7+6+1+4+2)/21 = 20/21, U = 10/21.
   * Tail: level 0 w.p. 15/20 (A,B,D), level 1 w.p. 5/20 (C,E):
   * P(T>t) = 0.75 e^-t + 0.25 e^-t (1+t) = e^-t (1 + t/4). */
  const char *text = "[system]\nname = jsq2\narrival_rate = 1.0\naccuracy_target = 0.5\n"
                     "buffer = 2\nscale = 1\n[type only]\nservers = 2\nrate = 1.0\naccuracy = 0.9\n";
  accq_model_t m;
  mt_model(&m, text);
  accq_policy_t *pol = mt_policy(&m, "jsq");
  mt_solved_t s = mt_solve(&m, pol, 2, 0, ACCQ_SOLVER_AUTO, 1e-14);
  ck_assert_int_eq(s.c->nstates, 6);
  accq_measures_t ms = mt_measures(&s, pol);
  ACCQ_CK_CLOSE(ms.mean_response_time, 1.25, 1e-12, 0, "JSQ E[T] by hand");
  ACCQ_CK_CLOSE(ms.loss_probability, 1.0 / 21, 1e-12, 0, "JSQ P_loss by hand");
  ACCQ_CK_CLOSE(ms.p_wait, 0.25, 1e-12, 0, "JSQ P(W>0) by hand");
  ACCQ_CK_CLOSE(ms.utilization[0], 10.0 / 21, 1e-12, 0, "JSQ U by hand");
  ACCQ_CK_CLOSE(ms.mean_jobs, 25.0 / 21, 1e-12, 0, "JSQ L by hand");
  ACCQ_CK_CLOSE(ms.boundary_mass, 4.0 / 21, 1e-12, 0, "JSQ P(some server at B) = pD+pE+pF");
  ACCQ_CK_CLOSE(ms.accuracy, 0.9, 1e-14, 0, "one type: accuracy a_1");
  for (double t = 0.25; t < 20; t *= 2)
    ACCQ_CK_CLOSE(accq_measures_tail(s.c, pol, s.pi, t), exp(-t) * (1 + t / 4), 1e-11, 1e-300,
                  "JSQ P(T>t) = e^-t (1 + t/4)");
  /* median: e^-t (1 + t/4) = 1/2, checked through the equation */
  ACCQ_CK_CLOSE(exp(-ms.p50) * (1 + ms.p50 / 4), 0.5, 1e-11, 0, "JSQ median");
  ACCQ_CK_CLOSE(exp(-ms.p99) * (1 + ms.p99 / 4), 0.01, 1e-10, 0, "JSQ 99th percentile");
  mt_free(&s);
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_jiq_heterogeneous_hand) {
  /* JIQ, 2 servers of different types: fast (mu = 2, a = 0.6) and slow (mu = 1,
   * a = 0.9), Lambda = 1, B = 2.  State (i, j) = jobs at fast, slow.  JIQ: a
   * uniformly random idle server, else a uniformly random server (lost if full).
   *   (0,0): ->(1,0) 1/2, ->(0,1) 1/2        (1,0): ->(1,1) 1, ->(0,0) 2
   *   (0,1): ->(1,1) 1, ->(0,0) 1            (2,0): ->(2,1) 1, ->(1,0) 2
   *   (0,2): ->(1,2) 1, ->(0,1) 1            (1,1): ->(2,1) 1/2, ->(1,2) 1/2, ->(0,1) 2, ->(1,0) 1
   *   (2,1): ->(2,2) 1/2 (1/2 lost), ->(1,1) 2, ->(2,0) 1
   *   (1,2): ->(2,2) 1/2 (1/2 lost), ->(0,2) 2, ->(1,1) 1
   *   (2,2): lost, ->(1,2) 2, ->(2,1) 1
   * Solving the nine balance equations exactly (Gaussian elimination in
   * rational arithmetic) gives 11269 pi =
   *   (0,0) 5224, (0,1) 2616, (0,2) 300, (1,0) 1304, (1,1) 1160, (1,2) 300,
   *   (2,0) 70, (2,1) 210, (2,2) 85.
   * Check one equation by hand, (2,2): out 3*85 = 255 = in 210/2 + 300/2.
   * Then: P_loss = (210/2 + 300/2 + 85)/11269 = 340/11269; X = 10929/11269;
   * L = 150/191 (= 8850/11269); E[T] = 2950/3643; X_fast = 2 P(i>0) = 6258/11269,
   * X_slow = P(j>0) = 4671/11269; accuracy = (0.6 X_f + 0.9 X_s)/X = 26529/36430;
   * P(W>0): admitted arrivals that find their server busy happen only in states
   * without an idle server: (1,1) all 1160, (2,1) half 105, (1,2) half 150,
   * (2,2) none: 1415/11269, over admitted 10929/11269: P(W>0) = 1415/10929.
   * Boundary mass: (0,2)+(1,2)+(2,0)+(2,1)+(2,2) = 965/11269; U_fast = P(i>0)
   * = 3129/11269. */
  const char *text = "[system]\nname = jiq2\narrival_rate = 1.0\naccuracy_target = 0.5\n"
                     "buffer = 2\nscale = 1\n"
                     "[type fast]\nservers = 1\nrate = 2.0\naccuracy = 0.6\n"
                     "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n";
  /* the balance equation of (2,2) with the integers above, and of (0,0):
   * out 1*5224 = in 2*1304 + 1*2616 */
  ck_assert_int_eq(3 * 85, 210 / 2 + 300 / 2);
  ck_assert_int_eq(5224, 2 * 1304 + 2616);
  accq_model_t m;
  mt_model(&m, text);
  accq_policy_t *pol = mt_policy(&m, "jiq");
  mt_solved_t s = mt_solve(&m, pol, 2, 0, ACCQ_SOLVER_AUTO, 1e-14);
  ck_assert_int_eq(s.c->nstates, 9);
  accq_measures_t ms = mt_measures(&s, pol);
  ACCQ_CK_CLOSE(ms.mean_response_time, 2950.0 / 3643, 1e-12, 0, "JIQ E[T] by hand");
  ACCQ_CK_CLOSE(ms.loss_probability, 340.0 / 11269, 1e-12, 0, "JIQ P_loss by hand");
  ACCQ_CK_CLOSE(ms.throughput[0], 6258.0 / 11269, 1e-12, 0, "JIQ X_fast by hand");
  ACCQ_CK_CLOSE(ms.throughput[1], 4671.0 / 11269, 1e-12, 0, "JIQ X_slow by hand");
  ACCQ_CK_CLOSE(ms.accuracy, 26529.0 / 36430, 1e-12, 0, "JIQ accuracy by hand");
  ACCQ_CK_CLOSE(ms.p_wait, 1415.0 / 10929, 1e-12, 0, "JIQ P(W>0) by hand");
  ACCQ_CK_CLOSE(ms.utilization[0], 3129.0 / 11269, 1e-12, 0, "JIQ U_fast by hand");
  ACCQ_CK_CLOSE(ms.boundary_mass, (300.0 + 300 + 70 + 210 + 85) / 11269, 1e-12, 0,
                "JIQ boundary mass by hand");
  mt_free(&s);
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_pod2_two_servers_hand) {
  /* pod:2, one type, 2 servers of rate 1, Lambda = 1, B = 2.  Two samples with
   * replacement; with levels l1 < l2 the lower is chosen unless both samples
   * hit the other server: P(l1) = 3/4, P(l2) = 1/4.  States as in the JSQ test:
   * A=(2,0,0) B=(1,1,0) C=(0,2,0) D=(1,0,1) E=(0,1,1) F=(0,0,2).
   *   A: arrival -> B.  B: 3/4 -> C, 1/4 -> D; service -> A.
   *   C: -> E; services (2) -> B.  D: 3/4 -> E, 1/4 lost; service -> B.
   *   E: 3/4 -> F, 1/4 lost; service of level 1 -> D, of level 2 -> C.  F: lost; -> E (2).
   * Balance:  A: pA = pB;  B: 2pB = pA + 2pC + pD;  C: 3pC = 3/4 pB + pE;
   *           D: 7/4 pD = 1/4 pB + pE;  E: 11/4 pE = pC + 3/4 pD + 2pF;  F: 2pF = 3/4 pE.
   * With pA = a: pD = a - 2pC, pE = 3pC - 3a/4; D gives 9a/4 = 13/2 pC, pC = 9a/26,
   * pD = 8a/26, pE = 15a/52, pF = 45a/416.  Times 416: (416,416,144,128,120,45), sum 1269.
   * P_loss = (128/4 + 120/4 + 45)/1269 = 107/1269; L = (416 + 288 + 256 + 360 + 180)/1269
   * = 1500/1269; X = 1162/1269; E[T] = 1500/1162 = 750/581.
   * Admitted arrivals to a busy server: B 1/4, D none (lost), E 3/4, C 1: (104 + 90 + 144)/1269
   * = 338/1269, so P(W>0) = 338/1162 = 169/581. */
  const char *text = "[system]\nname = pod2\narrival_rate = 1.0\naccuracy_target = 0.5\n"
                     "buffer = 2\nscale = 1\n[type only]\nservers = 2\nrate = 1.0\naccuracy = 0.9\n";
  accq_model_t m;
  mt_model(&m, text);
  accq_policy_t *pol = mt_policy(&m, "pod:2");
  mt_solved_t s = mt_solve(&m, pol, 2, 0, ACCQ_SOLVER_AUTO, 1e-14);
  accq_measures_t ms = mt_measures(&s, pol);
  ACCQ_CK_CLOSE(ms.mean_response_time, 750.0 / 581, 1e-12, 0, "pod:2 E[T] by hand");
  ACCQ_CK_CLOSE(ms.loss_probability, 107.0 / 1269, 1e-12, 0, "pod:2 P_loss by hand");
  ACCQ_CK_CLOSE(ms.p_wait, 169.0 / 581, 1e-12, 0, "pod:2 P(W>0) by hand");
  ACCQ_CK_CLOSE(ms.utilization[0], 581.0 / 1269, 1e-12, 0, "pod:2 U = X/(2 mu) by hand");
  mt_free(&s);
  accq_policy_free(pol);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* pod:D on one type against an independent generator written here.           */

/* Occupancies (c_0..c_B) of N servers, enumerated recursively. */
static int enum_occ(int N, int B, int (*out)[8]) {
  int n = 0, c[8];
  /* odometer over c_1..c_B with sum <= N; c_0 = N - sum */
  for (int code = 0;; code++) {
    int x = code, sum = 0, ok = 1;
    for (int q = 1; q <= B; q++) {
      c[q] = x % (N + 1);
      x /= N + 1;
      sum += c[q];
    }
    if (x) break;
    if (sum > N) ok = 0;
    if (ok) {
      c[0] = N - sum;
      memcpy(out[n++], c, sizeof c);
    }
  }
  return n;
}

START_TEST(test_pod_independent) {
  /* One type, N = 3 servers of rate 1, Lambda = 2.2, B = 3, pod:D for D = 1, 2, 3.
   * Independent derivation: a sample of D servers with replacement has its
   * minimum level >= q with probability (S_q/N)^D, S_q = #servers at level >= q,
   * so the job goes to level q w.p. (S_q/N)^D - (S_{q+1}/N)^D (lost at q = B).
   * The generator over all occupancies is built here and solved densely (GSL LU,
   * one balance equation replaced by sum pi = 1). */
  const int N = 3, B = 3;
  const double lam = 2.2, mu = 1;
  static int occ[512][8];
  int S = enum_occ(N, B, occ);
  ck_assert_int_eq(S, 20); /* C(3+3, 3) */
  for (int D = 1; D <= 3; D++) {
    gsl_matrix *A = gsl_matrix_calloc(S, S);
    for (int i = 0; i < S; i++) {
      int *c = occ[i];
      int Sq[9];
      Sq[B + 1] = 0;
      for (int q = B; q >= 0; q--) Sq[q] = Sq[q + 1] + c[q];
      for (int j = 0; j < S; j++) {
        int d[8];
        memcpy(d, occ[j], sizeof d);
        double rate = 0;
        for (int q = 0; q < B; q++) { /* arrival to level q: c - e_q + e_{q+1} */
          int e[8];
          memcpy(e, c, sizeof e);
          if (!e[q]) continue;
          e[q]--, e[q + 1]++;
          if (!memcmp(e, d, sizeof(int) * (B + 1)))
            rate += lam * (pow((double)Sq[q] / N, D) - pow((double)Sq[q + 1] / N, D));
        }
        for (int q = 1; q <= B; q++) { /* completion at level q */
          int e[8];
          memcpy(e, c, sizeof e);
          if (!e[q]) continue;
          e[q]--, e[q - 1]++;
          if (!memcmp(e, d, sizeof(int) * (B + 1))) rate += mu * c[q];
        }
        if (j != i) {
          /* A = Q^T: row j, column i */
          gsl_matrix_set(A, j, i, gsl_matrix_get(A, j, i) + rate);
          gsl_matrix_set(A, i, i, gsl_matrix_get(A, i, i) - rate);
        }
      }
    }
    gsl_vector *b = gsl_vector_calloc(S), *x = gsl_vector_alloc(S);
    for (int i = 0; i < S; i++) gsl_matrix_set(A, S - 1, i, 1.0);
    gsl_vector_set(b, S - 1, 1.0);
    gsl_permutation *perm = gsl_permutation_alloc(S);
    int sg;
    gsl_linalg_LU_decomp(A, perm, &sg);
    gsl_linalg_LU_solve(A, perm, b, x);
    double L = 0, loss = 0, wait = 0;
    for (int i = 0; i < S; i++) {
      int *c = occ[i], Sq[9];
      double p = gsl_vector_get(x, i);
      Sq[B + 1] = 0;
      for (int q = B; q >= 0; q--) Sq[q] = Sq[q + 1] + c[q];
      for (int q = 0; q <= B; q++) L += p * q * c[q];
      for (int q = 1; q <= B; q++) {
        double r = pow((double)Sq[q] / N, D) - pow((double)Sq[q + 1] / N, D);
        if (q == B) loss += p * r;
        else wait += p * r;
      }
    }
    gsl_permutation_free(perm);
    gsl_vector_free(b);
    gsl_vector_free(x);
    gsl_matrix_free(A);

    char text[512], name[16];
    snprintf(text, sizeof text,
             "[system]\nname = podN\narrival_rate = %.17g\naccuracy_target = 0.5\nbuffer = %d\n"
             "scale = 1\n[type only]\nservers = %d\nrate = %.17g\naccuracy = 0.9\n",
             lam, B, N, mu);
    snprintf(name, sizeof name, "pod:%d", D);
    accq_measures_t ms = mt_run(text, name, B);
    const double X = lam * (1 - loss);
    ACCQ_CK_CLOSE(ms.loss_probability, loss, 1e-10, 1e-15, "pod:D P_loss vs independent chain");
    ACCQ_CK_CLOSE(ms.mean_response_time, L / X, 1e-10, 0, "pod:D E[T] vs independent chain");
    ACCQ_CK_CLOSE(ms.p_wait, wait / (1 - loss), 1e-10, 1e-15, "pod:D P(W>0) vs independent chain");
  }
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Identities of proofs/tail-formula.md on every policy.                      */

static const char *const diag_models[] = {
    "[system]\nname = d2\narrival_rate = 2.4\naccuracy_target = 0.8\nbuffer = 8\nscale = 1\n"
    "[type fast]\nservers = 2\nrate = 3.0\naccuracy = 0.6\n"
    "[type slow]\nservers = 2\nrate = 1.0\naccuracy = 0.95\n",
    "[system]\nname = d3\narrival_rate = 3.0\naccuracy_target = 0.7\nbuffer = 6\nscale = 1\n"
    "[type a]\nservers = 1\nrate = 4.0\naccuracy = 0.5\n"
    "[type b]\nservers = 2\nrate = 1.5\naccuracy = 0.75\n"
    "[type c]\nservers = 1\nrate = 0.7\naccuracy = 0.9\n",
};

START_TEST(test_little_and_flow_balance) {
  for (size_t mi = 0; mi < sizeof diag_models / sizeof diag_models[0]; mi++) {
    accq_model_t m;
    mt_model(&m, diag_models[mi]);
    int evaluated = 0;
    for (int j = 0; j < accq_policy_nnames; j++) {
      const char *name = accq_policy_names[j];
      accq_policy_t *pol = NULL;
      accq_policy_options_t po;
      accq_policy_options_init(&po);
      accq_err_t perr;
      /* no LP split saturates a type on these models: every policy has an answer */
      ck_assert_msg(accq_policy_alloc(&pol, name, &m, &po, &perr) == 0, "%s: %s", name, perr.msg);
      evaluated++;
      mt_solved_t s = mt_solve(&m, pol, m.buffer, 0, ACCQ_SOLVER_AUTO, 1e-14);
      accq_measures_t ms = mt_measures(&s, pol);
      /* proofs/tail-formula.md: int P(T>t) dt = L/X and X_k = mu_k E[busy_k]
       * hold exactly for the exact pi; the solve's residual is <= 1e-12. */
      ck_assert_msg(ms.little_tail_error <= 1e-8, "%s/%s: Little vs tail integral %.3g", m.name,
                    name, ms.little_tail_error);
      ck_assert_msg(ms.flow_balance_error <= 1e-9, "%s/%s: flow balance %.3g", m.name, name,
                    ms.flow_balance_error);
      /* percentiles are roots of the tail: P(T > p50) = 0.5 etc. */
      ACCQ_CK_CLOSE(accq_measures_tail(s.c, pol, s.pi, ms.p50), 0.5, 1e-10, 0, "P(T > p50)");
      ACCQ_CK_CLOSE(accq_measures_tail(s.c, pol, s.pi, ms.p99), 0.01, 1e-9, 0, "P(T > p99)");
      ck_assert(ms.p50 < ms.p90 && ms.p90 < ms.p95 && ms.p95 < ms.p99);
      /* the LP bound at the admitted rate holds for policies meeting a*
       * (docs/claims.md.1): E[T] >= t_lp(X) */
      if (ms.accuracy >= m.accuracy_target)
        ck_assert_msg(ms.mean_response_time >= ms.t_lp * (1 - 1e-12),
                      "%s/%s: E[T] %.17g below t_lp %.17g", m.name, name, ms.mean_response_time,
                      ms.t_lp);
      mt_free(&s);
      accq_policy_free(pol);
    }
    ck_assert_int_eq(evaluated, accq_policy_nnames);
  }
}
END_TEST

START_TEST(test_t_lp_at_admitted_rate) {
  /* t_lp is the LP at X / scale (per unit of scale), computed here directly. */
  const char *text = "[system]\nname = tl\narrival_rate = 1.8\naccuracy_target = 0.8\n"
                     "buffer = 3\nscale = 2\n"
                     "[type fast]\nservers = 1\nrate = 3.0\naccuracy = 0.6\n"
                     "[type slow]\nservers = 1\nrate = 1.2\naccuracy = 0.95\n";
  accq_measures_t ms = mt_run(text, "pop", 3);
  accq_model_t m;
  mt_model(&m, text);
  accq_lp_problem_t lp;
  accq_lp_result_t r;
  ck_assert_int_eq(accq_lp_problem_from_model(&lp, &m, 0.0), 0);
  lp.lambda = ms.throughput_total / 2;
  ck_assert_int_eq(accq_lp_solve(&lp, &r, NULL), 0);
  ck_assert(ms.loss_probability > 1e-3); /* X differs from Lambda here */
  ACCQ_CK_CLOSE(ms.t_lp, r.t_lp, 1e-14, 0, "t_lp at X/scale");
  ACCQ_CK_CLOSE(ms.gap, ms.mean_response_time / r.t_lp - 1, 1e-14, 1e-15, "gap");
}
END_TEST

int main(void) {
  Suite *s = suite_create("measures");
  TCase *tc = tcase_create("measures");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_random_lp_product_form);
  tcase_add_test(tc, test_jsq_two_servers_hand);
  tcase_add_test(tc, test_jiq_heterogeneous_hand);
  tcase_add_test(tc, test_pod2_two_servers_hand);
  tcase_add_test(tc, test_pod_independent);
  tcase_add_test(tc, test_little_and_flow_balance);
  tcase_add_test(tc, test_t_lp_at_admitted_rate);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
