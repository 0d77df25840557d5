/* proofs/lumpability.md: for every policy, the lumped occupancy chain and the
 * explicit per-server chain, built and solved independently, give the same
 * measures and the same (aggregated) stationary distribution. */
#include <math.h>

#include "common.h"

static const char *const lump_models[] = {
    /* two types, 2 + 1 servers, B = 3: explicit 4^3 = 64 states */
    "[system]\nname = l21\narrival_rate = 2.0\naccuracy_target = 0.75\nbuffer = 3\nscale = 1\n"
    "[type fast]\nservers = 2\nrate = 2.0\naccuracy = 0.6\n"
    "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.95\n",
    /* three types of one server, B = 4: 125 states; heavy load */
    "[system]\nname = l111\narrival_rate = 3.6\naccuracy_target = 0.7\nbuffer = 4\nscale = 1\n"
    "[type a]\nservers = 1\nrate = 3.0\naccuracy = 0.5\n"
    "[type b]\nservers = 1\nrate = 1.5\naccuracy = 0.75\n"
    "[type c]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n",
    /* scale 2 of a 1 + 1 system (2 + 2 servers), B = 2: 3^4 = 81 states */
    "[system]\nname = l11s2\narrival_rate = 1.5\naccuracy_target = 0.8\nbuffer = 2\nscale = 2\n"
    "[type fast]\nservers = 1\nrate = 2.5\naccuracy = 0.65\n"
    "[type slow]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n",
};

static void compare(const char *what, const char *pol, double lumped, double expl) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s (%s): lumped vs explicit", what, pol);
  /* Both from solves to residual 1e-14: agreement to 1e-10 relative. */
  ACCQ_CK_CLOSE(lumped, expl, 1e-10, 1e-13, msg);
}

START_TEST(test_lumped_vs_explicit) {
  int compared = 0;
  for (size_t mi = 0; mi < sizeof lump_models / sizeof lump_models[0]; mi++) {
    accq_model_t m;
    mt_model(&m, lump_models[mi]);
    for (int j = 0; j < accq_policy_nnames; j++) {
      const char *name = accq_policy_names[j];
      accq_policy_t *pol = NULL;
      accq_policy_options_t po;
      accq_policy_options_init(&po);
      accq_err_t perr;
      int pst = accq_policy_alloc(&pol, name, &m, &po, &perr);
      if (pst) {
        /* only a saturated rjiq split may refuse on these models */
        ck_assert_msg(pst == ACCQ_EUNSTABLE || pst == ACCQ_EUSAGE, "%s on %s: %s", name, m.name,
                      perr.msg);
        continue;
      }
      mt_solved_t L = mt_solve(&m, pol, m.buffer, 0, ACCQ_SOLVER_AUTO, 1e-14);
      mt_solved_t E = mt_solve(&m, pol, m.buffer, 1, ACCQ_SOLVER_AUTO, 1e-14);
      ck_assert(E.c->kind == ACCQ_CHAIN_EXPLICIT && L.c->kind == ACCQ_CHAIN_LUMPED);
      ck_assert(E.c->nstates >= L.c->nstates);
      accq_measures_t ml = mt_measures(&L, pol), me = mt_measures(&E, pol);
      const char *pn = accq_policy_name(pol);
      compare("E[T]", pn, ml.mean_response_time, me.mean_response_time);
      compare("P_loss", pn, ml.loss_probability, me.loss_probability);
      compare("accuracy", pn, ml.accuracy, me.accuracy);
      compare("P(W>0)", pn, ml.p_wait, me.p_wait);
      compare("boundary mass", pn, ml.boundary_mass, me.boundary_mass);
      compare("p50", pn, ml.p50, me.p50);
      compare("p99", pn, ml.p99, me.p99);
      for (int k = 0; k < m.ntypes; k++) {
        compare("X_k", pn, ml.throughput[k], me.throughput[k]);
        compare("U_k", pn, ml.utilization[k], me.utilization[k]);
      }
      /* aggregated explicit pi = lumped pi, state by state */
      const int W = m.buffer + 1;
      uint64_t P = L.c->product_states;
      int64_t *where = malloc(sizeof(int64_t) * P);
      double *agg = calloc((size_t)L.c->nstates, sizeof(double));
      for (uint64_t r = 0; r < P; r++) where[r] = -1;
      for (int64_t i = 0; i < L.c->nstates; i++) where[L.c->state_key[i]] = i;
      int count[ACCQ_MAX_TYPES * 8];
      ck_assert(m.ntypes * W <= (int)(sizeof count / sizeof count[0]));
      for (int64_t i = 0; i < E.c->nstates; i++) {
        accq_chain_state_counts(E.c, i, count);
        uint64_t r = accq_space_rank(L.c->space, count);
        ck_assert(r < P);
        ck_assert_msg(where[r] >= 0 || E.pi[i] == 0,
                      "%s: explicit state %lld maps to an unreachable occupancy", pn, (long long)i);
        if (where[r] >= 0) agg[where[r]] += E.pi[i];
      }
      for (int64_t i = 0; i < L.c->nstates; i++)
        ACCQ_CK_CLOSE(agg[i], L.pi[i], 1e-9, 1e-13, "aggregated explicit pi vs lumped pi");
      free(where);
      free(agg);
      mt_free(&L);
      mt_free(&E);
      accq_policy_free(pol);
      compared++;
    }
  }
  /* every docs/policies.md policy at least once per model, bar a refused rjiq */
  ck_assert_int_ge(compared, 3 * 9 - 3);
}
END_TEST

int main(void) {
  Suite *s = suite_create("measures-lumping");
  TCase *tc = tcase_create("lumping");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_lumped_vs_explicit);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
