/* A random search for false verdicts: 60 small random models (fixed seed), each
 * checked by verify's claims 1, 2 and 4 on exact chains (m = 1, one random load
 * in [0.1, 0.7], the sandwich with the optimum of each policy's class).  Claims 1 and 2 are
 * theorems (the LP bound and the sandwich; R-JIQ and POP meet a* with an
 * infinite buffer and the surplus bound with a finite one) and claim 4 claims no
 * ordering: none of them may FAIL.  Issue 18's two false FAILs came from such
 * models (a large accuracy surplus; POP slower than random-lp at m = 1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/verify.h"
#include "testutil.h"

#define NMODELS 60

/* A small reproducible generator (64-bit LCG, Knuth's constants): uniform in [0,1). */
static unsigned long long rng_state;
static double urand(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

START_TEST(test_random_models_no_fail) {
  rng_state = 20261201ULL;
  int checked = 0, rows_checked[3] = {0, 0, 0};
  for (int i = 0; i < NMODELS; i++) {
    int K = urand() < 0.6 ? 2 : 3;
    double a[3], amin = 1, amax = 0;
    for (int k = 0; k < K; k++) {
      a[k] = 0.5 + 0.48 * urand();
      amin = fmin(amin, a[k]);
      amax = fmax(amax, a[k]);
    }
    if (amax - amin < 0.01) { /* a* strictly between: both sides present */
      a[0] = amin = 0.55;
      a[1] = amax = 0.9;
    }
    double target = amin + (0.1 + 0.8 * urand()) * (amax - amin);
    double load = 0.1 + 0.6 * urand(); /* POP chains reach a tiny boundary mass (claim 4) */
    char text[1024];
    int used = snprintf(text, sizeof text,
                        "[system]\nname = rand%d\nload = %.6f\naccuracy_target = %.6f\n"
                        "buffer = auto\nscale = 1\n",
                        i, load, target);
    for (int k = 0; k < K; k++) {
      int servers = K == 2 && urand() < 0.5 ? 2 : 1;
      double rate = 0.3 * pow(8.0 / 0.3, urand()); /* log-uniform in [0.3, 8] */
      used += snprintf(text + used, sizeof text - (size_t)used,
                       "[type t%d]\nservers = %d\nrate = %.6f\naccuracy = %.6f\n", k, servers,
                       rate, a[k]);
    }
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    ck_assert_msg(accq_model_parse_string(&m, text, "<random>", NULL, 0, &err) == 0, "%s\n%s",
                  err.msg, text);
    accq_verify_options_t o;
    accq_verify_options_init(&o);
    o.nloads = 1;
    o.loads[0] = load;
    o.nscales = 1;
    o.scales[0] = 1;
    o.nsim_scales = 0;
    o.max_states = 20000;
    o.topt_max_states = 300; /* the sandwich's optimum stays small (B ~ 6) */
    o.claims = 1u | 2u | 8u;
    accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
    int n = 0;
    ck_assert_msg(accq_verify_model(&m, &o, rows, &n, &err) == 0, "%s", err.msg);
    if (getenv("RS_DEBUG")) /* RS_DEBUG=1: each model, its rows' seconds, and skipped rows */
      fprintf(stderr, "model %d: %.2f %.2f %.2f s\n%s\n", i, rows[0].seconds, rows[1].seconds,
              rows[2].seconds, text);
    ck_assert_int_eq(n, 3);
    for (int r = 0; r < n; r++) {
      ck_assert_msg(rows[r].verdict != ACCQ_VERDICT_FAIL, "model %d claim %d FAILs: %s\n%s\n%s", i,
                    rows[r].claim, rows[r].note, rows[r].evidence, text);
      /* the verdict rules: PASS only with a checked instance and a margin >= 0 */
      if (rows[r].verdict == ACCQ_VERDICT_PASS)
        ck_assert(rows[r].instances > 0 && rows[r].worst_margin >= 0);
      if (rows[r].verdict != ACCQ_VERDICT_SKIPPED) rows_checked[r]++;
      else if (getenv("RS_DEBUG"))
        fprintf(stderr, "SKIP model %d claim %d: %s\n", i, rows[r].claim, rows[r].reason);
    }
    checked++;
  }
  ck_assert_int_eq(checked, NMODELS);
  /* the search is not vacuous: claims 1 and 2 were checked on almost every model;
   * claim 4 needs a POP chain with boundary mass <= 1e-9 within 20,000 states
   * (measured: 43 of the 60) */
  for (int r = 0; r < 3; r++)
    ck_assert_msg(rows_checked[r] >= (r < 2 ? NMODELS * 9 / 10 : NMODELS * 2 / 3),
                  "row %d checked on %d of %d models", r, rows_checked[r], NMODELS);
}
END_TEST

int main(void) {
  Suite *s = suite_create("verify-random-search");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_random_models_no_fail);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
