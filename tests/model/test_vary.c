/* The --vary parameter registry of the model module (accq_model_vary_*): one
 * table that lp, sweep and limit read.  Every entry applies to the default
 * model, aliases resolve, bad names and values are refused with the reason,
 * and a load is re-resolved after each value. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/model.h"
#include "testutil.h"

static accq_model_t two_tier(void) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_msg(accq_model_default(&m, &err) == 0, "%s", err.msg);
  return m;
}

START_TEST(test_every_entry_applies) {
  accq_err_t err;
  ck_assert_int_ge(accq_model_vary_count(), 8);
  ck_assert_ptr_null(accq_model_vary_get(accq_model_vary_count()));
  for (int i = 0; i < accq_model_vary_count(); i++) {
    const accq_model_vary_param_t *p = accq_model_vary_get(i);
    ck_assert(p->name && *p->name && p->key && *p->key && p->summary && *p->summary);
    char param[96];
    /* type.NAME.FIELD for the model's type "large" */
    if (!strncmp(p->name, "type.NAME.", 10))
      snprintf(param, sizeof param, "type.large.%s", p->name + 10);
    else
      snprintf(param, sizeof param, "%s", p->name);
    accq_model_t m = two_tier();
    /* a value legal for every parameter: 1 (a whole number, a rate, a load, an accuracy) */
    ck_assert_msg(accq_model_vary_apply(&m, param, 1.0, &err) == 0, "%s: %s", param, err.msg);
  }
}
END_TEST

START_TEST(test_values_and_aliases) {
  accq_err_t err;
  char key[128];
  accq_model_t m = two_tier();
  ck_assert_int_eq(accq_model_vary_check(&m, "lambda", key, sizeof key, &err), 0);
  ck_assert_str_eq(key, "system.arrival_rate");
  ck_assert_int_eq(accq_model_vary_check(&m, "system.load", key, sizeof key, &err), 0);
  ck_assert_str_eq(key, "system.load");
  ck_assert_int_eq(accq_model_vary_check(&m, "type.small.rate", key, sizeof key, &err), 0);
  ck_assert_str_eq(key, "type.small.rate");
  /* scale: the case the two former maps disagreed on */
  ck_assert_int_eq(accq_model_vary_apply(&m, "scale", 3, &err), 0);
  ck_assert_int_eq(m.scale, 3);
  ck_assert_int_eq(accq_model_vary_apply(&m, "lambda", 0.25, &err), 0);
  ck_assert(m.arrival_rate == 0.25 && m.lambda_mode == ACCQ_LAMBDA_RATE);
  /* refusals, the model unchanged */
  ck_assert_int_eq(accq_model_vary_apply(&m, "scale", 2.5, &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "whole numbers"));
  ck_assert_int_eq(m.scale, 3);
  ck_assert_int_eq(accq_model_vary_apply(&m, "nosuch", 1, &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "type.NAME.rate"));
  ck_assert_int_eq(accq_model_vary_apply(&m, "type.huge.rate", 1, &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "no type 'huge'"));
  ck_assert_int_eq(accq_model_vary_apply(&m, "type.small.color", 1, &err), ACCQ_EUSAGE);
  ck_assert_int_eq(accq_model_vary_apply(&m, "accuracy_target", 1.5, &err), ACCQ_EMODEL);
  ck_assert(m.accuracy_target == 0.8);
}
END_TEST

/* In load mode every value re-resolves Lambda: two-tier at a* = 0.8 has
 * Lambda_max = 1.5 (models/two-tier.ini: large at capacity 1, small adds
 * 1 (0.9 - 0.8)/(0.8 - 0.6) = 0.5); with large's rate 2 it is 2 + 1 = 3. */
START_TEST(test_load_reresolved) {
  accq_err_t err;
  accq_model_t m = two_tier();
  ck_assert_int_eq(accq_model_vary_apply(&m, "load", 0.5, &err), 0);
  ACCQ_CK_CLOSE(m.arrival_rate, 0.75, 1e-15, 0, "0.5 x 1.5");
  ck_assert_int_eq(accq_model_vary_apply(&m, "type.large.rate", 2, &err), 0);
  ck_assert(m.lambda_mode == ACCQ_LAMBDA_LOAD);
  ACCQ_CK_CLOSE(m.arrival_rate, 1.5, 1e-15, 0, "0.5 x 3");
  /* a* above every accuracy: the model stays valid, Lambda is not resolvable */
  ck_assert_int_eq(accq_model_vary_apply(&m, "accuracy_target", 0.95, &err), 0);
  ck_assert(!accq_model_is_resolved(&m));
  ck_assert_int_eq(accq_model_resolve(&m, &err), ACCQ_EACCINFEAS);
  ck_assert_ptr_nonnull(strstr(err.msg, "0.95"));
}
END_TEST

/* lp --vary takes the registry's parameters, scale included. */
START_TEST(test_lp_vary_scale) {
  char *out = NULL, *err = NULL;
  ck_assert_int_eq(accq_run("lp --vary scale=1:3:3 --format csv", &out, &err), 0);
  ck_assert_ptr_nonnull(strstr(out, "scale,lambda,accuracy_target,status"));
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("lp --vary nosuch=1:3:3", &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "unknown parameter 'nosuch'"));
  free(out);
  free(err);
}
END_TEST

/* docs/model.md lists every parameter of the table, by its name. */
START_TEST(test_docs_list_them) {
  FILE *f = fopen(accq_src_path("docs/model.md"), "rb");
  ck_assert_ptr_nonnull(f);
  static char doc[1 << 16];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  doc[n] = '\0';
  fclose(f);
  for (int i = 0; i < accq_model_vary_count(); i++) {
    char cell[96];
    snprintf(cell, sizeof cell, "| `%s`", accq_model_vary_get(i)->name);
    ck_assert_msg(strstr(doc, cell) != NULL, "docs/model.md lacks the --vary row %s", cell);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("model_vary");
  TCase *tc = tcase_create("vary");
  tcase_add_test(tc, test_every_entry_applies);
  tcase_add_test(tc, test_values_and_aliases);
  tcase_add_test(tc, test_load_reresolved);
  tcase_add_test(tc, test_lp_vary_scale);
  tcase_add_test(tc, test_docs_list_them);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
