/* The policy registry: a test-only policy ("test-first-idle"), registered from
 * this one file, is picked up by every library consumer (alloc by name, the
 * lists behind --policy all / verify / the help, the docs table, the chain,
 * the measures and the simulator); and a registry entry that lacks what a
 * consumer needs is refused, as is every built-in checked the same way. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/chain.h"
#include "accq/measures.h"
#include "accq/policy.h"
#include "accq/sim.h"
#include "testutil.h"

/* ---- the test-only policy: the idle servers of the lowest-index type that has
 * one, else a uniformly random server (of any type).  Its private state (the
 * type order, here the identity) exercises init/data/fini. ---- */

typedef struct {
  int order[ACCQ_MAX_TYPES];
} first_idle_t;

static int fi_init(accq_policy_t *pol, const char *spec, const accq_model_t *m,
                   const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err) {
  first_idle_t *d = malloc(sizeof *d);
  if (!d) return accq_err_set(err, ACCQ_ENOMEM, "policy '%s': out of memory", spec);
  for (int k = 0; k < m->ntypes; k++) d->order[k] = k;
  accq_policy_set_data(pol, d);
  return ACCQ_SUCCESS;
}

static void fi_fini(accq_policy_t *pol) { free(accq_policy_data(pol)); }

static int fi_dispatch(const accq_policy_t *pol, const accq_occ_t *occ, accq_route_t *routes,
                       int cap, int *nroutes) {
  const first_idle_t *d = accq_policy_data(pol);
  *nroutes = 0;
  for (int i = 0; i < occ->ntypes; i++) {
    int k = d->order[i];
    if (occ->count[k][0] > 0) {
      if (cap < 1) return ACCQ_ERANGE;
      routes[0] = (accq_route_t){k, 0, 1.0};
      *nroutes = 1;
      return ACCQ_SUCCESS;
    }
  }
  double all = 0;
  for (int k = 0; k < occ->ntypes; k++) all += occ->servers[k];
  for (int k = 0; k < occ->ntypes; k++) {
    if (*nroutes >= cap) return ACCQ_ERANGE;
    routes[(*nroutes)++] = (accq_route_t){k, ACCQ_LEVEL_ANY, occ->servers[k] / all};
  }
  return ACCQ_SUCCESS;
}

static int fi_max_routes(const accq_policy_t *pol, const accq_occ_t *occ) { return occ->ntypes; }
static int fi_uses_type(const accq_policy_t *pol, int k) { return 1; }

static const accq_policy_type_t first_idle = {
    .name = "test-first-idle",
    .summary = "test only: an idle server of the lowest-index type that has one, else a random "
               "server",
    .sheds = 1,
    .init = fi_init,
    .fini = fi_fini,
    .dispatch = fi_dispatch,
    .max_routes = fi_max_routes,
    .uses_type = fi_uses_type,
};

static void register_once(void) {
  static int done;
  accq_err_t err;
  if (done) return;
  ck_assert_msg(accq_policy_register(&first_idle, &err) == 0, "%s", err.msg);
  done = 1;
}

/* Two types of one server each, B = 1 (a loss system): fast (mu 2) first. */
static accq_model_t two_servers(void) {
  accq_model_t m;
  accq_err_t err;
  const char *text = "[system]\narrival_rate = 1\naccuracy_target = 0.5\nbuffer = 1\n"
                     "[type fast]\nservers = 1\nrate = 2\naccuracy = 0.4\n"
                     "[type slow]\nservers = 1\nrate = 1\naccuracy = 0.9\n";
  ck_assert_msg(accq_model_parse_string(&m, text, "two", NULL, 0, &err) == 0, "%s", err.msg);
  return m;
}

/* The 4-state chain by hand, states (q_fast, q_slow), lambda = 1: 00 -1-> 10;
 * 10 -1-> 11, 10 -2-> 00; 01 -1-> 11 (fast idle first), 01 -1-> 00; 11 -2-> 01,
 * 11 -1-> 10.  Balance: 2 p01 = 2 p11, 3 p11 = p10 + p01, p00 = 2 p10 + p01,
 * so p11 = p01 = t, p10 = 2t, p00 = 5t, t = 1/9. */
START_TEST(test_chain_and_measures) {
  register_once();
  accq_model_t m = two_servers();
  accq_policy_t *pol = NULL;
  accq_err_t err;
  ck_assert_msg(accq_policy_alloc(&pol, "test-first-idle", &m, NULL, &err) == 0, "%s", err.msg);
  ck_assert_str_eq(accq_policy_name(pol), "test-first-idle");
  ck_assert_int_eq(accq_policy_kind(pol), ACCQ_POLICY_EXTERNAL);
  ck_assert_ptr_eq(accq_policy_type(pol), &first_idle);
  ck_assert_int_eq(accq_policy_meets_target(pol), 0);
  ck_assert_int_eq(accq_policy_sheds(pol), 1);
  ck_assert(accq_policy_rate(pol, 0) == 2.0 && accq_policy_accuracy(pol, 1) == 0.9);

  accq_chain_t *c = NULL;
  ck_assert_msg(accq_chain_build(&c, &m, pol, 1, NULL, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(c->nstates, 4);
  accq_chain_free(c);

  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  opt.buffer = 1;
  accq_analysis_t a;
  ck_assert_msg(accq_analyze(&m, pol, &opt, &a, &err) == 0, "%s", err.msg);
  const double t = 1.0 / 9, p10 = 2 * t, p01 = t, p11 = t;
  const double X = 1 - p11, L = p10 + p01 + 2 * p11;
  ACCQ_CK_CLOSE(a.m.loss_probability, p11, 1e-12, 0, "P_loss vs the hand chain");
  ACCQ_CK_CLOSE(a.m.mean_response_time, L / X, 1e-12, 0, "E[T] vs the hand chain");
  /* X_fast: arrivals in 00 and 01 go to fast; accuracy sum a_k X_k / X */
  const double xf = 5 * t + p01, xs = p10;
  ACCQ_CK_CLOSE(a.m.accuracy, (0.4 * xf + 0.9 * xs) / X, 1e-12, 0, "accuracy vs the hand chain");
  accq_analysis_release(&a);

  /* the simulator runs the same rule: P_loss within 5 standard errors */
  accq_sim_options_t so;
  accq_sim_options_init(&so);
  so.buffer = 1;
  so.replications = 10;
  so.jobs = 40000;
  so.seed = 7;
  accq_sim_result_t r;
  ck_assert_msg(accq_sim_run(&m, pol, &so, &r, NULL, &err) == 0, "%s", err.msg);
  ck_assert_msg(fabs(r.loss_probability.mean - p11) <= 5 * r.loss_probability.se + 1e-3,
                "simulated P_loss %g (se %g) vs %g", r.loss_probability.mean,
                r.loss_probability.se, p11);
  ck_assert_msg(fabs(r.mean_response_time.mean - L / X) <= 5 * r.mean_response_time.se + 1e-3,
                "simulated E[T] %g (se %g) vs %g", r.mean_response_time.mean,
                r.mean_response_time.se, L / X);
  accq_policy_free(pol);
}
END_TEST

START_TEST(test_lists_derive_it) {
  register_once();
  int n = accq_policy_type_count(), found = 0;
  ck_assert_ptr_eq(accq_policy_type_get(n - 1), &first_idle);
  ck_assert_ptr_eq(accq_policy_type_find("test-first-idle"), &first_idle);
  for (int i = 0; i < accq_policy_nnames; i++)
    found += !strcmp(accq_policy_names[i], "test-first-idle");
  ck_assert_int_eq(found, 1);
  ck_assert_str_eq(accq_policy_type_specs()[n - 1], "test-first-idle");
  ck_assert_ptr_null(accq_policy_type_specs()[n]);
  char buf[2048];
  accq_policy_type_list(buf, sizeof buf);
  ck_assert_ptr_nonnull(strstr(buf, "test-first-idle"));
  accq_policy_type_table(buf, sizeof buf, 0);
  ck_assert_ptr_nonnull(strstr(buf, first_idle.summary));
  int len = accq_policy_type_table(NULL, 0, 1);
  char *md = malloc((size_t)len + 1);
  accq_policy_type_table(md, len + 1, 1);
  ck_assert_ptr_nonnull(strstr(md, "| `test-first-idle` | test only:"));
  free(md);
  /* an unknown name lists the registered ones, the new one included */
  accq_model_t m = two_servers();
  accq_policy_t *pol = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_policy_alloc(&pol, "no-such", &m, NULL, &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "test-first-idle"));
  /* it takes no argument */
  ck_assert_int_eq(accq_policy_alloc(&pol, "test-first-idle:3", &m, NULL, &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "pod:D"));
}
END_TEST

/* Every entry has what the consumers need, and an entry without it is refused
 * with the missing field named. */
START_TEST(test_entries_complete) {
  accq_err_t err;
  for (int i = 0; i < accq_policy_type_count(); i++) {
    const accq_policy_type_t *t = accq_policy_type_get(i);
    ck_assert_msg(accq_policy_type_check(t, &err) == 0, "%s", err.msg);
    ck_assert_ptr_eq(accq_policy_type_find(t->name), t);
  }
  struct {
    const char *field;
    accq_policy_type_t t;
  } bad[8];
  for (int i = 0; i < 8; i++) bad[i].t = first_idle;
  bad[0].field = "init", bad[0].t.init = NULL;
  bad[1].field = "dispatch", bad[1].t.dispatch = NULL;
  bad[2].field = "max_routes", bad[2].t.max_routes = NULL;
  bad[3].field = "uses_type", bad[3].t.uses_type = NULL;
  bad[4].field = "summary", bad[4].t.summary = "";
  bad[5].field = "name", bad[5].t.name = NULL;
  bad[6].field = "letters", bad[6].t.name = "bad name";
  bad[7].field = "argument", bad[7].t.arg = "";
  for (int i = 0; i < 8; i++) {
    ck_assert_int_eq(accq_policy_type_check(&bad[i].t, &err), ACCQ_EINVAL);
    ck_assert_msg(strstr(err.msg, bad[i].field) != NULL, "'%s' does not name %s", err.msg,
                  bad[i].field);
    ck_assert_int_eq(accq_policy_register(&bad[i].t, &err), ACCQ_EINVAL);
  }
  /* the product form is solved for the built-in rules only */
  accq_policy_type_t prod = first_idle;
  prod.name = "test-product";
  prod.product_form = 1;
  ck_assert_int_eq(accq_policy_register(&prod, &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "product_form"));
  /* a name already taken */
  accq_policy_type_t dup = first_idle;
  dup.name = "jsq";
  ck_assert_int_eq(accq_policy_register(&dup, &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "already registered"));
}
END_TEST

int main(void) {
  Suite *s = suite_create("policy_registry");
  TCase *tc = tcase_create("registry");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_chain_and_measures);
  tcase_add_test(tc, test_lists_derive_it);
  tcase_add_test(tc, test_entries_complete);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
