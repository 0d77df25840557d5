/* POP's chain written out by hand from the rule's text, on a model with two
 * pairs of equal mean service and different w, against accq's lumped and
 * explicit chains.  The chains, the measures and the simulator share one
 * dispatch function, so their cross-checks cannot see a bug in the rule
 * itself; this test encodes the rule independently.
 *
 * Model: one server per type, a* = 0.8, Lambda = 1.5:
 *   H  (a 1.0, mu 1.0)    accurate enough alone
 *   La (a 0.7, mu 1.6)    pair (H,La): w = (0.8-0.7)/(1.0-0.7) = 1/3,
 *                         s = 1/3 + (2/3)/1.6 = 3/4
 *   Lb (a 0.6, mu 2.0)    pair (H,Lb): w = (0.8-0.6)/(1.0-0.6) = 1/2,
 *                         s = 1/2 + (1/2)/2 = 3/4
 *   singleton (H): s = 1.
 * Priority: ascending s, ties by larger w, then index: (H,Lb), (H,La), (H).
 * (H,La) comes first by index, so a tie broken by index instead of w changes
 * the rule; the test checks that this changes the measures.
 *
 * The rule (one server per type, so "an idle server of type k" is q_k = 0 and
 * qmin_k = q_k): the first pair in priority order whose types are all idle
 * takes the job, to h with probability w, else to l.  With H busy no pair
 * qualifies, and the job goes to the pair minimizing
 * w (q_h + 1)/mu_h + (1 - w)(q_l + 1)/mu_l (ties by priority; the singleton's
 * score is (q_H + 1)/mu_H): to h with probability w, else to l; a job sent to a
 * server holding B jobs is lost.  Times 24 the three scores are integers:
 *   (H,Lb): 12 (q_H + 1) + 6 (q_b + 1);  (H,La): 8 (q_H + 1) + 10 (q_a + 1);
 *   (H): 24 (q_H + 1),
 * so ties are decided exactly (e.g. q = (1, 1, 1): 36, 36, 48 -> (H,Lb)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "testutil.h"
#include "verify/verify_internal.h"

static const double mu[3] = {1.0, 1.6, 2.0}, acc[3] = {1.0, 0.7, 0.6};
static const double LAMBDA = 1.5;

typedef struct {
  double et, accuracy, loss, x[3];
} hand_t;

/* Solves pi Q = 0, sum pi = 1 (dense, n <= 64): Gauss-Jordan with partial
 * pivoting on Q^T, the last balance equation replaced by the normalization. */
static void dense_stationary(int n, const double *Q, double *pi) {
  double A[64][65];
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) A[i][j] = (i == n - 1) ? 1.0 : Q[j * n + i];
    A[i][n] = (i == n - 1) ? 1.0 : 0.0;
  }
  for (int c = 0; c < n; c++) {
    int p = c;
    for (int i = c + 1; i < n; i++)
      if (fabs(A[i][c]) > fabs(A[p][c])) p = i;
    for (int j = 0; j <= n; j++) {
      double t = A[c][j];
      A[c][j] = A[p][j];
      A[p][j] = t;
    }
    for (int i = 0; i < n; i++) {
      if (i == c || A[i][c] == 0) continue;
      double f = A[i][c] / A[c][c];
      for (int j = c; j <= n; j++) A[i][j] -= f * A[c][j];
    }
  }
  for (int i = 0; i < n; i++) pi[i] = A[i][n] / A[i][i];
}

/* The routing of an arrival in state q: probabilities to each type (the rest
 * of the mass, if the chosen server is full, is lost).  tie_by_index != 0 puts
 * (H,La) before (H,Lb) (the wrong tie rule, to show the test can tell). */
static void route(const int q[3], int tie_by_index, double r[3]) {
  r[0] = r[1] = r[2] = 0;
  /* the pairs in priority order: (h, l, w) with l = -1 for the singleton */
  int pl[3] = {2, 1, -1};
  double pw[3] = {0.5, 1.0 / 3.0, 1.0};
  if (tie_by_index) {
    pl[0] = 1;
    pw[0] = 1.0 / 3.0;
    pl[1] = 2;
    pw[1] = 0.5;
  }
  for (int i = 0; i < 3; i++) {
    int l = pl[i];
    if (q[0] == 0 && (l < 0 || q[l] == 0)) {
      r[0] += pw[i];
      if (l >= 0) r[l] += 1 - pw[i];
      return;
    }
  }
  /* fallback: integer scores (x24), strict < keeps the earlier pair on ties */
  int best = -1;
  long bs = 0;
  for (int i = 0; i < 3; i++) {
    int l = pl[i];
    long sc = l < 0 ? 24L * (q[0] + 1) : l == 2 ? 12L * (q[0] + 1) + 6L * (q[2] + 1)
                                                : 8L * (q[0] + 1) + 10L * (q[1] + 1);
    if (best < 0 || sc < bs) {
      best = i;
      bs = sc;
    }
  }
  r[0] += pw[best];
  if (pl[best] >= 0) r[pl[best]] += 1 - pw[best];
}

static hand_t hand_pop(int B, int tie_by_index) {
  int n = (B + 1) * (B + 1) * (B + 1);
  ck_assert_int_le(n, 64);
  double *Q = calloc((size_t)(n * n), sizeof(double));
  double pi[64];
  ck_assert_ptr_nonnull(Q);
#define IDX(a, b, c) (((a) * (B + 1) + (b)) * (B + 1) + (c))
  for (int a = 0; a <= B; a++)
    for (int b = 0; b <= B; b++)
      for (int c = 0; c <= B; c++) {
        int q[3] = {a, b, c}, s = IDX(a, b, c);
        double r[3];
        route(q, tie_by_index, r);
        for (int k = 0; k < 3; k++) {
          int up[3] = {a, b, c}, dn[3] = {a, b, c};
          up[k]++;
          dn[k]--;
          if (r[k] > 0 && q[k] < B) { /* q[k] == B: lost */
            Q[s * n + IDX(up[0], up[1], up[2])] += LAMBDA * r[k];
            Q[s * n + s] -= LAMBDA * r[k];
          }
          if (q[k] > 0) {
            Q[s * n + IDX(dn[0], dn[1], dn[2])] += mu[k];
            Q[s * n + s] -= mu[k];
          }
        }
      }
  dense_stationary(n, Q, pi);
  free(Q);
  hand_t h;
  memset(&h, 0, sizeof h);
  double L = 0, X = 0, A = 0;
  for (int a = 0; a <= B; a++)
    for (int b = 0; b <= B; b++)
      for (int c = 0; c <= B; c++) {
        double p = pi[IDX(a, b, c)];
        ck_assert(p > -1e-15);
        int q[3] = {a, b, c};
        L += p * (a + b + c);
        for (int k = 0; k < 3; k++)
          if (q[k] > 0) h.x[k] += p * mu[k];
      }
#undef IDX
  for (int k = 0; k < 3; k++) {
    X += h.x[k];
    A += h.x[k] * acc[k];
  }
  h.et = L / X;
  h.accuracy = A / X;
  h.loss = 1 - X / LAMBDA;
  return h;
}

static const char *model_text =
    "[system]\nname = poptie\narrival_rate = 1.5\naccuracy_target = 0.8\nbuffer = auto\n"
    "scale = 1\n"
    "[type H]\nservers = 1\nrate = 1.0\naccuracy = 1.0\n"
    "[type La]\nservers = 1\nrate = 1.6\naccuracy = 0.7\n"
    "[type Lb]\nservers = 1\nrate = 2.0\naccuracy = 0.6\n";

START_TEST(test_pop_hand_chain) {
  accq_model_t m;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_int_eq(accq_model_parse_string(&m, model_text, "<test>", NULL, 0, &err), 0);
  ck_assert_int_eq(accq_lp_model_resolve(&m, &err), 0);
  for (int B = 1; B <= 3; B++) {
    hand_t h = hand_pop(B, 0), wrong = hand_pop(B, 1);
    /* the tie rule matters: the other order gives other measures */
    ck_assert_msg(fabs(h.accuracy - wrong.accuracy) > 1e-3 || fabs(h.et - wrong.et) > 1e-3,
                  "B=%d: the tie order does not change the measures", B);
    for (int ex = 0; ex <= 1; ex++) {
      accq_analysis_t an;
      int st = accq_i_chain(&m, "pop", B, ex, 100000, 0, ACCQ_SOLVER_AUTO, 1e-14, &an, &err);
      ck_assert_msg(st == 0, "pop B=%d: %s", B, err.msg);
      char what[96];
      snprintf(what, sizeof what, "pop B=%d %s chain vs hand: E[T]", B, ex ? "explicit" : "lumped");
      ACCQ_CK_CLOSE(an.m.mean_response_time, h.et, 1e-10, 0, what);
      snprintf(what, sizeof what, "pop B=%d %s chain vs hand: accuracy", B,
               ex ? "explicit" : "lumped");
      ACCQ_CK_CLOSE(an.m.accuracy, h.accuracy, 1e-10, 0, what);
      snprintf(what, sizeof what, "pop B=%d %s chain vs hand: loss", B, ex ? "explicit" : "lumped");
      ACCQ_CK_CLOSE(an.m.loss_probability, h.loss, 1e-9, 1e-13, what);
      for (int k = 0; k < 3; k++) {
        snprintf(what, sizeof what, "pop B=%d throughput of type %d", B, k);
        ACCQ_CK_CLOSE(an.m.throughput[k], h.x[k], 1e-10, 1e-14, what);
      }
    }
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify-pop-hand");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_pop_hand_chain);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
