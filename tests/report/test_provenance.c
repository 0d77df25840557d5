/* Provenance, the format registry and shortest round-trip numbers:
 *  - the registry: one row per format, in enumeration order, names and
 *    aliases parse back, the list in help and messages names every format;
 *  - every registered format carries every provenance field (a new format
 *    is covered without touching this file), comment lines stay one line;
 *  - the accq command: reruns with SOURCE_DATE_EPOCH are byte-identical,
 *    without it they differ in the date line only; the model hash equals
 *    `sha256sum FILE` (an independent program) and changes with --set; the
 *    seed is there for simulate and absent for lp; a bad SOURCE_DATE_EPOCH
 *    is refused (exit 2);
 *  - accq_fmt_double: round trips, is minimal (one digit fewer does not
 *    read back), and keeps near-ties apart. */
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/fmt.h"
#include "accq/report.h"
#include "accq/version.h"
#include "testutil.h"

static const accq_provenance_t prov = {
    "9.9.9", "abc1234-dirty", "accq lp 'a b' --format csv", 1, 42, "models/x.ini",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "2026-05-01T12:00:00Z", 0};

static char *render(const accq_report_t *r, accq_format_t f) {
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  ck_assert_ptr_nonnull(m);
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_report_write(r, f, m, &err);
  fclose(m);
  ck_assert_msg(st == 0, "render %s: %s", accq_format_name(f), err.msg);
  return text;
}

static accq_report_t *small_report(const accq_provenance_t *p) {
  accq_report_t *r = accq_report_alloc("demo");
  accq_report_section_t *kv = accq_report_kv(r, NULL, NULL);
  accq_kv_num(kv, "t_lp", NULL, 0.75, 0);
  accq_report_section_t *t = accq_report_table(r, "rows", "Rows");
  accq_table_col(t, "x", NULL, 0);
  accq_table_row(t);
  accq_table_num(t, 1.5);
  if (p) accq_report_set_provenance(r, p);
  return r;
}

START_TEST(registry_rows) {
  const char *list = accq_format_list();
  int machines = 0;
  for (int i = 0; i < ACCQ_FORMAT_COUNT; i++) {
    const accq_format_info_t *fi = accq_format_info((accq_format_t)i);
    ck_assert_ptr_nonnull(fi);
    ck_assert_int_eq((int)fi->id, i);
    ck_assert_ptr_nonnull(fi->name);
    ck_assert_ptr_nonnull(fi->extension);
    ck_assert_str_eq(accq_format_name((accq_format_t)i), fi->name);
    ck_assert_msg(strstr(list, fi->name), "'%s' missing from the list '%s'", fi->name, list);
    accq_format_t f;
    accq_err_t err;
    ck_assert_int_eq(accq_format_parse(fi->name, &f, &err), 0);
    ck_assert_int_eq((int)f, i);
    if (fi->alias) {
      ck_assert_int_eq(accq_format_parse(fi->alias, &f, &err), 0);
      ck_assert_int_eq((int)f, i);
    }
    /* provenance in a comment, or JSON's object: each format says which */
    ck_assert(fi->comment != NULL || i == ACCQ_FORMAT_JSON || i == ACCQ_FORMAT_TEXT);
    ck_assert_int_eq(accq_format_machine((accq_format_t)i), fi->machine);
    machines += fi->machine;
    for (int j = 0; j < i; j++)
      ck_assert_str_ne(accq_format_info((accq_format_t)j)->name, fi->name);
  }
  /* the two formats for programs today: full precision, every row */
  ck_assert_int_eq(machines, 2);
  ck_assert(accq_format_machine(ACCQ_FORMAT_CSV) && accq_format_machine(ACCQ_FORMAT_JSON));
  ck_assert_ptr_null(accq_format_info(ACCQ_FORMAT_COUNT));
  ck_assert_ptr_null(accq_format_info((accq_format_t)-1));
  ck_assert_str_eq(accq_format_name(ACCQ_FORMAT_COUNT), "unknown");
  ck_assert_str_eq(list, "text, csv, json, markdown or latex");
  accq_format_t f;
  accq_err_t err;
  ck_assert_int_eq(accq_format_parse("xml", &f, &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "'xml'"));
  ck_assert_ptr_nonnull(strstr(err.msg, list));
}
END_TEST

/* Every registered format carries every field; text only with the footer. */
START_TEST(every_format_carries_it) {
  const char *want[] = {"9.9.9", "abc1234-dirty", "accq lp 'a b' --format csv", "42",
                        "models/x.ini", prov.model_sha256, "2026-05-01T12:00:00Z"};
  const char *keys[] = {"accq_version", "git_revision", "command", "seed", "model",
                        "model_sha256", "date"};
  for (int foot = 0; foot < 2; foot++) {
    accq_provenance_t p = prov;
    p.text_footer = foot;
    accq_report_t *r = small_report(&p);
    for (int i = 0; i < ACCQ_FORMAT_COUNT; i++) {
      char *out = render(r, (accq_format_t)i);
      int expect = i != ACCQ_FORMAT_TEXT || foot;
      for (int k = 0; k < 7; k++) {
        int has = strstr(out, want[k]) != NULL;
        ck_assert_msg(has == expect, "%s (footer %d): provenance %s '%s' %s:\n%s",
                      accq_format_name((accq_format_t)i), foot, keys[k], want[k],
                      expect ? "missing" : "shown", out);
      }
      /* and the rest of the output is untouched by it */
      ck_assert_msg(strstr(out, "0.75") && strstr(out, "1.5"), "%s", out);
      free(out);
    }
    accq_report_free(r);
  }
}
END_TEST

/* JSON: an object under "provenance", the last key, parsed back. */
START_TEST(json_provenance_object) {
  accq_report_t *r = small_report(&prov);
  char *out = render(r, ACCQ_FORMAT_JSON);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "%s", je.text);
  json_t *p = json_object_get(j, "provenance");
  ck_assert(json_is_object(p));
  ck_assert_str_eq(json_string_value(json_object_get(p, "accq_version")), "9.9.9");
  ck_assert_str_eq(json_string_value(json_object_get(p, "command")), prov.command);
  ck_assert_int_eq(json_integer_value(json_object_get(p, "seed")), 42);
  ck_assert_str_eq(json_string_value(json_object_get(p, "date")), prov.date);
  ck_assert(json_real_value(json_object_get(j, "t_lp")) == 0.75);
  /* the last key: the other keys keep their places */
  const char *last = NULL;
  const char *key;
  json_t *v;
  json_object_foreach(j, key, v) last = key;
  ck_assert_str_eq(last, "provenance");
  json_decref(j);
  /* stripped, the output is that of the same report without provenance */
  accq_report_t *bare = small_report(NULL);
  char *plain = render(bare, ACCQ_FORMAT_JSON);
  ck_assert_str_eq(accq_strip_provenance(out), plain);
  free(plain);
  free(out);
  for (int i = 0; i < ACCQ_FORMAT_COUNT; i++) {
    char *a = render(r, (accq_format_t)i), *b = render(bare, (accq_format_t)i);
    ck_assert_msg(!strcmp(accq_strip_provenance(a), b), "%s: stripped differs:\n%s\n---\n%s",
                  accq_format_name((accq_format_t)i), a, b);
    free(a);
    free(b);
  }
  accq_report_free(bare);
  accq_report_free(r);
}
END_TEST

/* A command line with a newline, and "-->" in Markdown, stay one comment line;
 * a seed above 2^63 keeps its digits. */
START_TEST(comment_escapes) {
  accq_provenance_t p = prov;
  p.command = "accq lp --set 'system.name=a\nb-->c'";
  p.seed = UINT64_MAX;
  accq_report_t *r = small_report(&p);
  for (int i = 0; i < ACCQ_FORMAT_COUNT; i++) {
    const accq_format_info_t *fi = accq_format_info((accq_format_t)i);
    if (!fi->comment) continue;
    char *out = render(r, (accq_format_t)i);
    char line[256];
    snprintf(line, sizeof line, "%sprovenance.command: accq lp --set 'system.name=a\\x0ab-%s",
             fi->comment, i == ACCQ_FORMAT_MARKDOWN ? "-\\x3ec'" : "->c'");
    ck_assert_msg(strstr(out, line), "%s: no line '%s' in\n%s", fi->name, line, out);
    ck_assert_msg(strstr(out, "18446744073709551615"), "%s", out);
    free(out);
  }
  char *out = render(r, ACCQ_FORMAT_JSON);
  ck_assert_ptr_nonnull(strstr(out, "\"seed\": \"18446744073709551615\""));
  free(out);
  /* set once: a second call changes nothing */
  accq_provenance_t q = prov;
  q.accq_version = "0.0.0-other";
  accq_report_set_provenance(r, &q);
  out = render(r, ACCQ_FORMAT_JSON);
  ck_assert_ptr_null(strstr(out, "0.0.0-other"));
  free(out);
  accq_report_free(r);
}
END_TEST

START_TEST(command_quoting) {
  char *argv[] = {"/usr/local/bin/accq", "lp", "my model.ini", "--set", "system.name=it's",
                  "--format=json"};
  char buf[256];
  accq_err_t err;
  ck_assert_int_eq(accq_provenance_command(6, argv, buf, sizeof buf, &err), 0);
  ck_assert_str_eq(buf, "accq lp 'my model.ini' --set 'system.name=it'\\''s' --format=json");
  ck_assert_int_eq(accq_provenance_command(6, argv, buf, 10, &err), ACCQ_ERANGE);
}
END_TEST

START_TEST(date_source_date_epoch) {
  char d[32];
  accq_err_t err;
  setenv("SOURCE_DATE_EPOCH", "0", 1);
  ck_assert_int_eq(accq_provenance_date(d, &err), 0);
  ck_assert_str_eq(d, "1970-01-01T00:00:00Z");
  setenv("SOURCE_DATE_EPOCH", "1777636800", 1); /* 2026-05-01 12:00 UTC: 20574 days + 12 h */
  ck_assert_int_eq(accq_provenance_date(d, &err), 0);
  ck_assert_str_eq(d, "2026-05-01T12:00:00Z");
  setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  ck_assert_int_eq(accq_provenance_date(d, &err), ACCQ_EUSAGE);
  ck_assert_ptr_nonnull(strstr(err.msg, "'yesterday'"));
  unsetenv("SOURCE_DATE_EPOCH");
  ck_assert_int_eq(accq_provenance_date(d, &err), 0);
  ck_assert_int_eq((int)strlen(d), 20);
  ck_assert(d[4] == '-' && d[10] == 'T' && d[19] == 'Z');
}
END_TEST

/* ---- through the accq command ------------------------------------------------- */

static char *run_ok(const char *args) {
  char *out = NULL, *err = NULL;
  int st = accq_run(args, &out, &err);
  ck_assert_msg(st == 0, "accq %s: exit %d: %s", args, st, err);
  free(err);
  return out;
}

/* Removes the date line only: "# provenance.date: " (and the other comment
 * styles), JSON's "    \"date\": " and the text footer's "  date  ". */
static void drop_date(char *s) {
  char *w = s;
  for (char *r = s; *r;) {
    char *nl = strchr(r, '\n');
    size_t len = nl ? (size_t)(nl - r) + 1 : strlen(r);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), r);
    int date = strstr(line, "provenance.date: ") || !strncmp(line, "    \"date\": ", 12) ||
               !strncmp(line, "  date ", 7);
    if (!date) {
      memmove(w, r, len);
      w += len;
    }
    r += len;
  }
  *w = '\0';
}

START_TEST(cli_reruns) {
  char args[4096];
  const char *model = accq_src_path("models/two-tier.ini");
  for (int i = 0; i < ACCQ_FORMAT_COUNT; i++) {
    const char *f = accq_format_name((accq_format_t)i);
    snprintf(args, sizeof args, "lp '%s' --format %s -v", model, f);
    setenv("SOURCE_DATE_EPOCH", "1777636800", 1);
    char *a = run_ok(args), *b = run_ok(args);
    unsetenv("SOURCE_DATE_EPOCH");
    ck_assert_msg(!strcmp(a, b), "%s: two runs with SOURCE_DATE_EPOCH differ", f);
    ck_assert_msg(strstr(a, "2026-05-01T12:00:00Z"), "%s: no date:\n%s", f, a);
    ck_assert_msg(strstr(a, accq_version_git()), "%s: no git revision:\n%s", f, a);
    ck_assert_msg(strstr(a, "--format"), "%s: no command line:\n%s", f, a);
    /* without it: the date is now, and it is the only difference */
    char *c = run_ok(args);
    ck_assert_msg(!strstr(c, "2026-05-01T12:00:00Z"), "%s: SOURCE_DATE_EPOCH leaked", f);
    drop_date(a);
    drop_date(c);
    ck_assert_msg(!strcmp(a, c), "%s: runs differ beyond the date:\n%s\n---\n%s", f, a, c);
    free(a);
    free(b);
    free(c);
  }
  setenv("SOURCE_DATE_EPOCH", "soon", 1);
  char *out = NULL, *err = NULL;
  ck_assert_int_eq(accq_run("lp --format json", &out, &err), 2);
  unsetenv("SOURCE_DATE_EPOCH");
  ck_assert_ptr_nonnull(strstr(err, "SOURCE_DATE_EPOCH='soon'"));
  ck_assert_str_eq(out, "");
  free(out);
  free(err);
}
END_TEST

static json_t *run_json(const char *args) {
  char *out = run_ok(args);
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  ck_assert_msg(j != NULL, "accq %s: %s\n%s", args, je.text, out);
  free(out);
  return json_object_get(j, "provenance") ? j : (json_decref(j), (json_t *)NULL);
}

START_TEST(cli_model_hash_and_seed) {
  const char *model = accq_src_path("models/two-tier.ini");
  char path[4096], args[4200];
  snprintf(path, sizeof path, "%s", model);
  /* the independent hash: coreutils' sha256sum */
  snprintf(args, sizeof args, "sha256sum '%s'", path);
  FILE *p = popen(args, "r");
  ck_assert_ptr_nonnull(p);
  char want[65] = "";
  ck_assert_int_eq(fscanf(p, "%64s", want), 1);
  pclose(p);
  ck_assert_int_eq((int)strlen(want), 64);

  snprintf(args, sizeof args, "lp '%s' --format json", path);
  json_t *j = run_json(args);
  ck_assert_ptr_nonnull(j);
  json_t *pv = json_object_get(j, "provenance");
  ck_assert_str_eq(json_string_value(json_object_get(pv, "model_sha256")), want);
  ck_assert_str_eq(json_string_value(json_object_get(pv, "model")), path);
  ck_assert_ptr_null(json_object_get(pv, "seed")); /* lp draws no random number */
  ck_assert_str_eq(json_string_value(json_object_get(pv, "accq_version")), ACCQ_VERSION);
  json_decref(j);
  /* the built-in model is models/two-tier.ini byte for byte: same hash */
  j = run_json("lp --format json");
  pv = json_object_get(j, "provenance");
  ck_assert_str_eq(json_string_value(json_object_get(pv, "model_sha256")), want);
  ck_assert_str_eq(json_string_value(json_object_get(pv, "model")), "<default>");
  json_decref(j);
  /* an override changes it: file bytes, then "\n--set " and the override */
  snprintf(args, sizeof args, "lp '%s' --set system.load=0.5 --format json", path);
  j = run_json(args);
  pv = json_object_get(j, "provenance");
  char hex[65];
  accq_err_t err;
  const char *sets[] = {"system.load=0.5"};
  ck_assert_int_eq(accq_provenance_model_sha256(path, NULL, sets, 1, hex, &err), 0);
  ck_assert_str_ne(hex, want);
  ck_assert_str_eq(json_string_value(json_object_get(pv, "model_sha256")), hex);
  json_decref(j);
  /* simulate: the seed */
  snprintf(args, sizeof args,
           "simulate '%s' --policy jsq -r 2 -n 2000 --seed 7 --format json", path);
  j = run_json(args);
  pv = json_object_get(j, "provenance");
  ck_assert_int_eq(json_integer_value(json_object_get(pv, "seed")), 7);
  json_decref(j);
}
END_TEST

/* accq --version: accq's version and git revision, then every library with
 * a version; GSL's and GLPK's as their own headers say (independent of the
 * table's source). */
START_TEST(version_table) {
  ck_assert_str_eq(accq_version(), ACCQ_VERSION);
  ck_assert(strlen(accq_version_git()) > 0);
  int n = 0;
  const accq_version_lib_t *libs = accq_version_libraries(&n);
  const char *need[] = {"GLPK", "GSL", "ARPACK-ng", "inih", "jansson", "GMP", "Check", "OpenMP"};
  char *out = NULL, *err = NULL;
  ck_assert_int_eq(accq_run("--version", &out, &err), 0);
  char first[128];
  snprintf(first, sizeof first, "accq %s (git %s)\n", ACCQ_VERSION, accq_version_git());
  ck_assert_msg(!strncmp(out, first, strlen(first)), "first line of\n%s", out);
  for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
    int found = 0;
    for (int i = 0; i < n; i++)
      if (!strncmp(libs[i].name, need[k], strlen(need[k]))) {
        found = 1;
        ck_assert_msg(libs[i].built && *libs[i].built, "%s: no version", need[k]);
        char line[256];
        snprintf(line, sizeof line, "%s", libs[i].name);
        ck_assert_msg(strstr(out, line) && strstr(out, libs[i].built), "%s %s not in\n%s",
                      libs[i].name, libs[i].built, out);
      }
    ck_assert_msg(found, "no %s in the version table", need[k]);
  }
  for (int i = 0; i < n; i++)
    if (!strcmp(libs[i].name, "GSL")) ck_assert_str_eq(libs[i].built, GSL_VERSION);
  free(out);
  free(err);
}
END_TEST

/* ---- accq_fmt_double ---------------------------------------------------------- */

static void check_shortest(double v) {
  char buf[ACCQ_FMT_DOUBLE_MAX], shorter[400];
  accq_fmt_double(v, buf, sizeof buf);
  ck_assert_msg(strtod(buf, NULL) == v, "%.17g -> '%s' does not read back", v, buf);
  /* minimal: the same value with one significant digit fewer is another double */
  int digits = 0;
  for (const char *c = buf; *c && *c != 'e'; c++)
    if (*c >= '0' && *c <= '9') digits++;
  for (const char *c = buf; *c == '-' || *c == '0' || *c == '.'; c++)
    if (*c == '0') digits--; /* leading zeros are not significant */
  /* whole numbers below 1e17 are written out ("10", not "1e+01"): all
   * their digits, which may be more than the shortest form needs */
  int whole = !strchr(buf, '.') && !strchr(buf, 'e');
  if (digits > 1 && !whole) {
    snprintf(shorter, sizeof shorter, "%.*g", digits - 1, v);
    ck_assert_msg(strtod(shorter, NULL) != v, "%.17g -> '%s' but '%s' reads back too", v, buf,
                  shorter);
  }
}

START_TEST(fmt_double) {
  ck_assert_str_eq(ACCQ_FMT(0.1), "0.1");
  ck_assert_str_eq(ACCQ_FMT(0.9), "0.9");
  ck_assert_str_eq(ACCQ_FMT(10.0), "10");
  ck_assert_str_eq(ACCQ_FMT(1e-300), "1e-300");
  ck_assert_str_eq(ACCQ_FMT(1.0 / 3.0), "0.3333333333333333");
  ck_assert_str_eq(ACCQ_FMT(NAN), "nan");
  ck_assert_str_eq(ACCQ_FMT(-INFINITY), "-inf");
  /* the near-ties of the known defect: %g made them equal */
  ck_assert_str_eq(ACCQ_FMT(0.699999999998), "0.699999999998");
  ck_assert_str_eq(ACCQ_FMT(0.9000000001), "0.9000000001");
  ck_assert_str_eq(ACCQ_FMT(1.4999999999999998), "1.4999999999999998");
  /* two in one message: each has its own buffer */
  char msg[64];
  snprintf(msg, sizeof msg, "%s vs %s", ACCQ_FMT(0.25), ACCQ_FMT(0.5));
  ck_assert_str_eq(msg, "0.25 vs 0.5");
  /* random doubles of every magnitude (fixed LCG), and the powers of two */
  uint64_t x = 12345;
  for (int i = 0; i < 20000; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    double v = ldexp((double)(x >> 11) / 9007199254740992.0, (int)(x % 200) - 100);
    check_shortest(v);
    check_shortest(-v);
  }
  for (int e = -1074; e <= 1023; e++) check_shortest(ldexp(1.0, e));
  check_shortest(5e-324);
  check_shortest(1.7976931348623157e308);
}
END_TEST

int main(void) {
  Suite *s = suite_create("provenance");
  TCase *tc = tcase_create("provenance");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, registry_rows);
  tcase_add_test(tc, every_format_carries_it);
  tcase_add_test(tc, json_provenance_object);
  tcase_add_test(tc, comment_escapes);
  tcase_add_test(tc, command_quoting);
  tcase_add_test(tc, date_source_date_epoch);
  tcase_add_test(tc, cli_reruns);
  tcase_add_test(tc, cli_model_hash_and_seed);
  tcase_add_test(tc, fmt_double);
  tcase_add_test(tc, version_table);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
