/* Dispatch policies of docs/policies.md: each rule on hand-built occupancies, the route
 * invariants over whole state spaces, POP's blindness to Lambda, and the
 * refusals (unknown names, R-JIQ saturation). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/chain.h"
#include "accq/policy.h"
#include "testutil.h"

/* Three types used throughout (a* = 0.6):
 *   fast: n=2, mu=4,   a=0.45  (L)
 *   mid:  n=2, mu=2,   a=0.60  (H, a = a*: singleton only)
 *   slow: n=1, mu=0.8, a=0.69  (H)
 * Pairs by hand (docs/lp.md): (mid) s = 0.5; (slow,fast) w = 0.15/0.24 = 0.625,
 * s = 0.625/0.8 + 0.375/4 = 0.875; (slow) s = 1.25.  Priority: mid, (slow,fast), slow. */
static accq_model_t three_types(double lambda) {
  accq_model_t m;
  memset(&m, 0, sizeof m);
  snprintf(m.name, sizeof m.name, "three");
  m.lambda_mode = ACCQ_LAMBDA_RATE;
  m.arrival_rate = lambda;
  m.accuracy_target = 0.6;
  m.buffer = 3;
  m.scale = 1;
  m.ntypes = 3;
  const char *names[3] = {"fast", "mid", "slow"};
  const int n[3] = {2, 2, 1};
  const double mu[3] = {4, 2, 0.8}, a[3] = {0.45, 0.6, 0.69};
  for (int k = 0; k < 3; k++) {
    snprintf(m.types[k].name, sizeof m.types[k].name, "%s", names[k]);
    m.types[k].servers = n[k];
    m.types[k].rate = mu[k];
    m.types[k].accuracy = a[k];
  }
  return m;
}

#define LV 12
typedef struct {
  int c[3][LV];
  const int *rows[3];
  int servers[3];
  int top[3];
  accq_occ_t occ;
} occ_fix_t;

/* Occupancy from per-type level lists, e.g. levels of fast = {0, 3}. */
static void occ_set(occ_fix_t *o, const int *lv0, int n0, const int *lv1, int n1,
                    const int *lv2, int n2) {
  memset(o, 0, sizeof *o);
  const int *lv[3] = {lv0, lv1, lv2};
  const int n[3] = {n0, n1, n2};
  for (int k = 0; k < 3; k++) {
    for (int i = 0; i < n[k]; i++) o->c[k][lv[k][i]]++;
    o->servers[k] = n[k];
    o->top[k] = LV - 1;
    o->rows[k] = o->c[k];
  }
  o->occ.ntypes = 3;
  o->occ.servers = o->servers;
  o->occ.count = o->rows;
  o->occ.top = o->top;
  o->occ.buffer = LV - 1;
}

/* Probability the routes give to (type, level), summing duplicates. */
static double route_prob(const accq_route_t *r, int n, int type, int level) {
  double p = 0;
  for (int i = 0; i < n; i++)
    if (r[i].type == type && r[i].level == level) p += r[i].prob;
  return p;
}

static accq_policy_t *mk_policy(const char *name, double lambda) {
  accq_model_t m = three_types(lambda);
  accq_policy_t *p = NULL;
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_policy_alloc(&p, name, &m, NULL, &err);
  ck_assert_msg(st == 0, "policy %s: %s", name, err.msg);
  return p;
}

static int dispatch(const accq_policy_t *p, const occ_fix_t *o, accq_route_t *r) {
  int n = 0;
  int st = accq_policy_dispatch(p, &o->occ, r, 64, &n);
  ck_assert_int_eq(st, 0);
  double sum = 0;
  for (int i = 0; i < n; i++) sum += r[i].prob;
  ACCQ_CK_CLOSE(sum, 1.0, 0, 1e-12, "routes sum to 1");
  return n;
}

START_TEST(test_names) {
  const char *in[] = {"pod", "pod:3", "rjiq", "rjiq:0.05", "jsq", "accurate-jiq"};
  const char *out[] = {"pod:2", "pod:3", "rjiq", "rjiq:0.05", "jsq", "accurate-jiq"};
  for (int i = 0; i < 6; i++) {
    accq_policy_t *p = mk_policy(in[i], 3.0);
    ck_assert_str_eq(accq_policy_name(p), out[i]);
    accq_policy_free(p);
  }
  /* docs/policies.md table: meets a* by construction / knows Lambda */
  const char *names[] = {"rjiq", "pop", "random-lp", "accurate-jiq", "jiq",
                         "jfiq", "jsq", "sed",       "pod"};
  const int meets[] = {1, 1, 1, 1, 0, 0, 0, 0, 0};
  const int knows[] = {1, 0, 1, 0, 0, 0, 0, 0, 0};
  ck_assert_int_eq(accq_policy_nnames, 9);
  for (int i = 0; i < 9; i++) {
    ck_assert_str_eq(accq_policy_names[i], names[i]);
    accq_policy_t *p = mk_policy(names[i], 3.0);
    ck_assert_int_eq(accq_policy_meets_target(p), meets[i]);
    ck_assert_int_eq(accq_policy_knows_lambda(p), knows[i]);
    ck_assert_int_eq((int)accq_policy_kind(p), i);
    ck_assert((accq_policy_split(p) != NULL) == (i == 0 || i == 2));
    accq_policy_free(p);
  }
}
END_TEST

START_TEST(test_bad_names) {
  accq_model_t m = three_types(3.0);
  accq_policy_t *p = NULL;
  accq_err_t err;
  int st = accq_policy_alloc(&p, "shortest", &m, NULL, &err);
  ck_assert_int_eq(st, ACCQ_EUSAGE);
  ck_assert_ptr_null(p);
  ck_assert_msg(strstr(err.msg, "shortest") && strstr(err.msg, "jsq") &&
                    strstr(err.msg, "accurate-jiq"),
                "message: %s", err.msg);
  ck_assert_int_eq(accq_policy_alloc(&p, "pod:0", &m, NULL, &err), ACCQ_EUSAGE);
  ck_assert_int_eq(accq_policy_alloc(&p, "pod:1.5", &m, NULL, &err), ACCQ_EUSAGE);
  ck_assert_int_eq(accq_policy_alloc(&p, "rjiq:1", &m, NULL, &err), ACCQ_EUSAGE);
  ck_assert_int_eq(accq_policy_alloc(&p, "jsq:2", &m, NULL, &err), ACCQ_EUSAGE);
  /* accurate-jiq and pop need H non-empty */
  m.accuracy_target = 0.9;
  ck_assert_int_eq(accq_policy_alloc(&p, "accurate-jiq", &m, NULL, &err), ACCQ_EACCINFEAS);
  ck_assert_int_eq(accq_policy_alloc(&p, "pop", &m, NULL, &err), ACCQ_EACCINFEAS);
  ck_assert_int_eq(accq_policy_alloc(&p, "rjiq", &m, NULL, &err), ACCQ_EACCINFEAS);
}
END_TEST

START_TEST(test_rjiq_saturation) {
  /* Lambda = 4.7: the cheapest pair (mid, s = 0.5) takes its full capacity
   * n mu = 4, so R-JIQ's split saturates 'mid' (docs/policies.md: unstable at every size). */
  accq_model_t m = three_types(4.7);
  accq_policy_t *p = NULL;
  accq_err_t err;
  int st = accq_policy_alloc(&p, "rjiq", &m, NULL, &err);
  ck_assert_int_eq(st, ACCQ_EUNSTABLE);
  ck_assert_int_eq(accq_status_exit_code(st), 4);
  ck_assert_ptr_null(p);
  ck_assert_msg(strstr(err.msg, "'mid'") && strstr(err.msg, "load"), "message: %s", err.msg);
  /* With slack 0.1 the capacities are 0.9 n mu: mid 3.6, slow 0.72.  By hand:
   * x_mid = 3.6, the rest 1.1 goes to the pair (slow, fast) with w = 0.625:
   * x_slow = 0.6875 <= 0.72, x_fast = 0.4125; no type saturated. */
  st = accq_policy_alloc(&p, "rjiq:0.1", &m, NULL, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  const double *s = accq_policy_split(p);
  ACCQ_CK_CLOSE(s[1], 3.6 / 4.7, 1e-9, 1e-12, "p_mid");
  ACCQ_CK_CLOSE(s[2], 0.6875 / 4.7, 1e-9, 1e-12, "p_slow");
  ACCQ_CK_CLOSE(s[0], 0.4125 / 4.7, 1e-9, 1e-12, "p_fast");
  accq_policy_free(p);
  /* random-lp is not refused (each server is an M/M/1/B) */
  st = accq_policy_alloc(&p, "random-lp", &m, NULL, &err);
  ck_assert_int_eq(st, 0);
  accq_policy_free(p);
  /* with slack 0.1, Lambda_max = 3.6 + 0.72 + 0.6 * 0.72 = 4.752 < 5 */
  m.arrival_rate = 5.0;
  ck_assert_int_eq(accq_policy_alloc(&p, "rjiq:0.1", &m, NULL, &err), ACCQ_ECAPINFEAS);
  m.arrival_rate = 50;
  ck_assert_int_eq(accq_policy_alloc(&p, "rjiq", &m, NULL, &err), ACCQ_ECAPINFEAS);
}
END_TEST

START_TEST(test_pop_rule) {
  accq_policy_t *p = mk_policy("pop", 3.0);
  accq_route_t r[64];
  occ_fix_t o;
  int n;
  /* all idle: first pair (mid) qualifies */
  occ_set(&o, (int[]){0, 0}, 2, (int[]){0, 0}, 2, (int[]){0}, 1);
  n = dispatch(p, &o, r);
  ck_assert_int_eq(n, 1);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 0), 1.0, 0, 1e-15, "pop all idle -> mid");
  /* mid busy, slow and fast idle: pair (slow, fast) with w = 0.625 */
  occ_set(&o, (int[]){0, 2}, 2, (int[]){1, 1}, 2, (int[]){0}, 1);
  n = dispatch(p, &o, r);
  ck_assert_int_eq(n, 2);
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 0), 0.625, 1e-12, 0, "pop w on slow");
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 0), 0.375, 1e-12, 0, "pop 1-w on fast");
  /* mid and fast busy, slow idle: singleton (slow) */
  occ_set(&o, (int[]){1, 2}, 2, (int[]){1, 1}, 2, (int[]){0}, 1);
  n = dispatch(p, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 0), 1.0, 0, 1e-15, "pop -> slow singleton");
  /* nobody idle, qmin = 1 everywhere: scores (mid) 2/2 = 1, (slow,fast)
   * 0.625*2/0.8 + 0.375*2/4 = 1.75, (slow) 2.5 -> mid at level 1 */
  occ_set(&o, (int[]){1, 2}, 2, (int[]){1, 4}, 2, (int[]){1}, 1);
  n = dispatch(p, &o, r);
  ck_assert_int_eq(n, 1);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 1), 1.0, 0, 1e-15, "pop fallback -> mid@1");
  /* qmin mid = 3 (score 2), slow 1, fast 1: pair (slow,fast) scores 1.75 */
  occ_set(&o, (int[]){1, 2}, 2, (int[]){3, 4}, 2, (int[]){1}, 1);
  n = dispatch(p, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 1), 0.625, 1e-12, 0, "pop fallback slow@1");
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 1), 0.375, 1e-12, 0, "pop fallback fast@1");
  /* tie: mid at qmin 5 scores 6/2 = 3; (slow,fast) with slow at 2 and fast at 6
   * scores 0.625*3/0.8 + 0.375*7/4 = 2.34375 + 0.65625 = 3 (w rounded in
   * floating point): ties go to the earlier pair, mid, at level 5 */
  occ_set(&o, (int[]){6, 7}, 2, (int[]){5, 5}, 2, (int[]){2}, 1);
  n = dispatch(p, &o, r);
  ck_assert_int_eq(n, 1);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 5), 1.0, 0, 1e-15, "pop fallback tie -> earlier pair");
  /* one level less on fast (score 3 - 0.09375): the pair wins */
  occ_set(&o, (int[]){5, 7}, 2, (int[]){5, 5}, 2, (int[]){2}, 1);
  n = dispatch(p, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 2), 0.625, 1e-12, 0, "pop fallback slow@2");
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 5), 0.375, 1e-12, 0, "pop fallback fast@5");
  accq_policy_free(p);
}
END_TEST

START_TEST(test_simple_rules) {
  accq_route_t r[64];
  occ_fix_t o;
  int n;
  accq_policy_t *jsq = mk_policy("jsq", 3.0), *sed = mk_policy("sed", 3.0),
                *jfiq = mk_policy("jfiq", 3.0), *jiq = mk_policy("jiq", 3.0),
                *ajiq = mk_policy("accurate-jiq", 3.0), *pod = mk_policy("pod", 3.0);

  /* jsq: smallest level is 1 (fast has one, mid has two) -> 1/3, 2/3 */
  occ_set(&o, (int[]){1, 4}, 2, (int[]){1, 1}, 2, (int[]){2}, 1);
  n = dispatch(jsq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 1), 1.0 / 3, 1e-15, 0, "jsq fast@1");
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 1), 2.0 / 3, 1e-15, 0, "jsq mid@1");

  /* sed: (q+1)/mu = fast@3: 4/4 = 1, mid@1: 2/2 = 1, slow@0: 1/0.8 = 1.25:
   * exact tie between fast and mid, uniform over the 1 + 2 tied servers */
  occ_set(&o, (int[]){3, 5}, 2, (int[]){1, 1}, 2, (int[]){0}, 1);
  n = dispatch(sed, &o, r);
  ck_assert_int_eq(n, 2);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 3), 1.0 / 3, 1e-15, 0, "sed fast@3");
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 1), 2.0 / 3, 1e-15, 0, "sed mid@1");
  /* fast@4 (1.25) ties slow@0 (1.25); mid@2 scores 1.5 -> fast 1/2, slow 1/2 */
  occ_set(&o, (int[]){4, 5}, 2, (int[]){2, 2}, 2, (int[]){0}, 1);
  n = dispatch(sed, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 4), 0.5, 1e-15, 0, "sed fast@4");
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 0), 0.5, 1e-15, 0, "sed slow@0");
  /* the idle slow server is NOT what sed picks when fast@2 scores 0.75 */
  occ_set(&o, (int[]){2, 2}, 2, (int[]){2, 2}, 2, (int[]){0}, 1);
  n = dispatch(sed, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 2), 1.0, 0, 1e-15, "sed fast@2 over idle slow");

  /* jfiq: fastest type with an idle server */
  occ_set(&o, (int[]){0, 3}, 2, (int[]){0, 0}, 2, (int[]){0}, 1);
  n = dispatch(jfiq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 0), 1.0, 0, 1e-15, "jfiq fast idle");
  occ_set(&o, (int[]){1, 3}, 2, (int[]){0, 2}, 2, (int[]){0}, 1);
  n = dispatch(jfiq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 0), 1.0, 0, 1e-15, "jfiq mid idle (fast busy)");
  /* no idle server: sed (fast@2 scores 0.75, mid@1 1.0, slow@1 2.5) */
  occ_set(&o, (int[]){2, 3}, 2, (int[]){1, 2}, 2, (int[]){1}, 1);
  n = dispatch(jfiq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 2), 1.0, 0, 1e-15, "jfiq falls back to sed");

  /* jiq: idle servers uniformly (fast 1, mid 2 idle) */
  occ_set(&o, (int[]){0, 3}, 2, (int[]){0, 0}, 2, (int[]){1}, 1);
  n = dispatch(jiq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 0), 1.0 / 3, 1e-15, 0, "jiq fast idle");
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 0), 2.0 / 3, 1e-15, 0, "jiq mid idle");
  /* no idle: uniformly random server, N_k / N as ANY routes */
  occ_set(&o, (int[]){1, 3}, 2, (int[]){1, 1}, 2, (int[]){1}, 1);
  n = dispatch(jiq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, ACCQ_LEVEL_ANY), 0.4, 1e-15, 0, "jiq any fast");
  ACCQ_CK_CLOSE(route_prob(r, n, 1, ACCQ_LEVEL_ANY), 0.4, 1e-15, 0, "jiq any mid");
  ACCQ_CK_CLOSE(route_prob(r, n, 2, ACCQ_LEVEL_ANY), 0.2, 1e-15, 0, "jiq any slow");

  /* accurate-jiq: only H = {mid, slow}; the idle fast servers are ignored */
  occ_set(&o, (int[]){0, 0}, 2, (int[]){0, 1}, 2, (int[]){0}, 1);
  n = dispatch(ajiq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 0), 0.0, 0, 0, "accurate-jiq never fast");
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 0), 0.5, 1e-15, 0, "accurate-jiq mid");
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 0), 0.5, 1e-15, 0, "accurate-jiq slow");
  occ_set(&o, (int[]){0, 0}, 2, (int[]){1, 1}, 2, (int[]){3}, 1);
  n = dispatch(ajiq, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, ACCQ_LEVEL_ANY), 2.0 / 3, 1e-15, 0, "accurate-jiq any mid");
  ACCQ_CK_CLOSE(route_prob(r, n, 2, ACCQ_LEVEL_ANY), 1.0 / 3, 1e-15, 0, "accurate-jiq any slow");

  /* pod:2 with levels fast {0,1}, mid {1,1}, slow {2}: N = 5, N>=1 = 4,
   * N>=2 = 1: P(q=0) = 1 - (4/5)^2 = 9/25, P(q=1) = (16-1)/25, P(q=2) = 1/25;
   * level 1 holds fast 1 and mid 2 -> 5/25 and 10/25 */
  occ_set(&o, (int[]){0, 1}, 2, (int[]){1, 1}, 2, (int[]){2}, 1);
  n = dispatch(pod, &o, r);
  ck_assert_int_eq(n, 4);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 0), 9.0 / 25, 1e-14, 0, "pod fast@0");
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 1), 5.0 / 25, 1e-14, 0, "pod fast@1");
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 1), 10.0 / 25, 1e-14, 0, "pod mid@1");
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 2), 1.0 / 25, 1e-14, 0, "pod slow@2");

  accq_policy_free(jsq);
  accq_policy_free(sed);
  accq_policy_free(jfiq);
  accq_policy_free(jiq);
  accq_policy_free(ajiq);
  accq_policy_free(pod);
}
END_TEST

START_TEST(test_split_rules) {
  accq_policy_t *rj = mk_policy("rjiq", 3.0), *rl = mk_policy("random-lp", 3.0);
  const double *p = accq_policy_split(rj);
  /* Lambda = 3 <= capacity of mid (4): the LP sends everything to mid */
  ACCQ_CK_CLOSE(p[1], 1.0, 0, 1e-12, "split mid");
  accq_route_t r[64];
  occ_fix_t o;
  occ_set(&o, (int[]){0, 0}, 2, (int[]){0, 2}, 2, (int[]){0}, 1);
  int n = dispatch(rj, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, 0), 1.0, 0, 1e-12, "rjiq idle mid");
  occ_set(&o, (int[]){0, 0}, 2, (int[]){1, 2}, 2, (int[]){0}, 1);
  n = dispatch(rj, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, ACCQ_LEVEL_ANY), 1.0, 0, 1e-12, "rjiq any mid");
  n = dispatch(rl, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 1, ACCQ_LEVEL_ANY), 1.0, 0, 1e-12, "random-lp any mid");
  accq_policy_free(rj);
  accq_policy_free(rl);
  /* Lambda = 4.7 with slack 0.1: mid capped at 3.6, the pair (slow, fast) gets 1.1 */
  rj = mk_policy("rjiq:0.1", 4.7);
  p = accq_policy_split(rj);
  double acc = 0.45 * p[0] + 0.6 * p[1] + 0.69 * p[2];
  ck_assert_msg(acc >= 0.6 - 1e-12, "split accuracy %.17g >= a*", acc);
  occ_set(&o, (int[]){0, 1}, 2, (int[]){1, 1}, 2, (int[]){0}, 1);
  n = dispatch(rj, &o, r);
  ACCQ_CK_CLOSE(route_prob(r, n, 0, 0), p[0], 0, 1e-15, "rjiq fast idle");
  ACCQ_CK_CLOSE(route_prob(r, n, 1, ACCQ_LEVEL_ANY), p[1], 0, 1e-15, "rjiq mid any");
  ACCQ_CK_CLOSE(route_prob(r, n, 2, 0), p[2], 0, 1e-15, "rjiq slow idle");
  accq_policy_free(rj);
}
END_TEST

/* Over every state of the lumped space: routes sum to 1, name existing types,
 * and levels that are present (or ANY); POP's routes are identical at two
 * arrival rates. */
START_TEST(test_all_states) {
  const int servers[3] = {2, 2, 1};
  const int B = 3, L = B + 1;
  accq_space_t *sp = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_space_alloc(&sp, 3, servers, B, &err), 0);
  int count[3 * 4];
  const int *rows[3] = {count, count + L, count + 2 * L};
  int top[3] = {B, B, B};
  accq_occ_t occ = {3, servers, rows, top, B};
  accq_route_t r[64], r2[64];
  for (int i = 0; i < accq_policy_nnames + 1; i++) {
    const char *name = i < accq_policy_nnames ? accq_policy_names[i] : "pod:3";
    accq_policy_t *p = mk_policy(name, 3.0);
    accq_policy_t *p2 = mk_policy(name, 0.37); /* same model, another Lambda */
    for (uint64_t s = 0; s < accq_space_size(sp); s++) {
      accq_space_unrank(sp, s, count);
      int n = 0, n2 = 0;
      ck_assert_int_le(accq_policy_max_routes(p, &occ), 64);
      ck_assert_int_eq(accq_policy_dispatch(p, &occ, r, 64, &n), 0);
      double sum = 0;
      for (int j = 0; j < n; j++) {
        ck_assert(r[j].prob > 0);
        ck_assert(r[j].type >= 0 && r[j].type < 3);
        if (r[j].level != ACCQ_LEVEL_ANY) {
          ck_assert(r[j].level >= 0 && r[j].level <= B);
          ck_assert_int_gt(count[r[j].type * L + r[j].level], 0);
        }
        sum += r[j].prob;
      }
      ck_assert_msg(fabs(sum - 1) <= 1e-12, "%s state %llu: sum %.17g", name,
                    (unsigned long long)s, sum);
      if (!accq_policy_knows_lambda(p)) {
        /* a policy that does not read Lambda decides identically */
        ck_assert_int_eq(accq_policy_dispatch(p2, &occ, r2, 64, &n2), 0);
        ck_assert_int_eq(n, n2);
        ck_assert(memcmp(r, r2, (size_t)n * sizeof r[0]) == 0);
      }
    }
    accq_policy_free(p);
    accq_policy_free(p2);
  }
  /* too small a route buffer is ERANGE, not an overflow */
  accq_policy_t *pod = mk_policy("pod", 1.0);
  for (int k = 0; k < 3; k++)
    for (int q = 0; q < L; q++) count[k * L + q] = 0;
  count[0] = 1, count[1] = 1, count[L + 2] = 2, count[2 * L + 3] = 1;
  int n = 0;
  ck_assert_int_eq(accq_policy_dispatch(pod, &occ, r, 2, &n), ACCQ_ERANGE);
  accq_policy_free(pod);
  accq_space_free(sp);
}
END_TEST

/* POP reads no Lambda: its decisions over every state are bitwise the same
 * for models that differ only in arrival_rate (and in load mode). */
START_TEST(test_pop_blind) {
  const int servers[3] = {2, 2, 1};
  const int B = 4, L = B + 1;
  accq_space_t *sp = NULL;
  ck_assert_int_eq(accq_space_alloc(&sp, 3, servers, B, NULL), 0);
  const double lambdas[4] = {0.01, 1.0, 5.0, 1e6};
  accq_policy_t *pols[4];
  for (int i = 0; i < 4; i++) pols[i] = mk_policy("pop", lambdas[i]);
  int count[3 * 5];
  const int *rows[3] = {count, count + L, count + 2 * L};
  int top[3] = {B, B, B};
  accq_occ_t occ = {3, servers, rows, top, B};
  int changed = 0, fallback_states = 0;
  for (uint64_t s = 0; s < accq_space_size(sp); s++) {
    accq_space_unrank(sp, s, count);
    accq_route_t r0[16], r[16];
    int n0 = 0, n = 0;
    accq_policy_dispatch(pols[0], &occ, r0, 16, &n0);
    if (r0[0].level > 0) fallback_states++;
    for (int i = 1; i < 4; i++) {
      accq_policy_dispatch(pols[i], &occ, r, 16, &n);
      if (n != n0 || memcmp(r, r0, (size_t)n * sizeof r[0]) != 0) changed++;
    }
  }
  ck_assert_int_eq(changed, 0);
  ck_assert_int_gt(fallback_states, 0); /* the fallback rule was exercised */
  for (int i = 0; i < 4; i++) accq_policy_free(pols[i]);
  accq_space_free(sp);
}
END_TEST

int main(void) {
  Suite *s = suite_create("policy");
  TCase *tc = tcase_create("rules");
  tcase_add_test(tc, test_names);
  tcase_add_test(tc, test_bad_names);
  tcase_add_test(tc, test_rjiq_saturation);
  tcase_add_test(tc, test_pop_rule);
  tcase_add_test(tc, test_simple_rules);
  tcase_add_test(tc, test_split_rules);
  tcase_add_test(tc, test_all_states);
  tcase_add_test(tc, test_pop_blind);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
