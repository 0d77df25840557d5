/* Structure of the check module and its commands (issue: library features
 * out of the CLI): the CLI includes neither GSL nor jansson (the library
 * reaches them through ext/gsl.h and the report module); the check module
 * includes neither directly either; sim.h does not include check.h (check
 * builds on the simulator, not the reverse); no function of the check module
 * or of its three commands is longer than 150 lines. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The file's text (malloc'ed), or fails the test. */
static char *slurp(const char *rel) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", ACCQ_SOURCE_DIR, rel);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  ck_assert_ptr_nonnull(s);
  ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

/* The .c and .h files of a source directory (relative paths, NULL-ended). */
static int list_dir(const char *reldir, char names[][256], int max) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", ACCQ_SOURCE_DIR, reldir);
  DIR *d = opendir(path);
  ck_assert_msg(d != NULL, "cannot open %s", path);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max) {
    size_t len = strlen(e->d_name);
    if (len > 2 && (!strcmp(e->d_name + len - 2, ".c") || !strcmp(e->d_name + len - 2, ".h")))
      snprintf(names[n++], 256, "%s/%s", reldir, e->d_name);
  }
  closedir(d);
  return n;
}

/* First line of s that includes a header whose name starts with `prefix`
 * ("<gsl/", "<jansson.h>"), or 0. */
static int includes(const char *s, const char *prefix) {
  int line = 1;
  for (const char *p = s; *p; p++) {
    if (p == s || p[-1] == '\n') {
      const char *q = p;
      while (*q == ' ' || *q == '\t') q++;
      if (!strncmp(q, "#include", 8)) {
        q += 8;
        while (*q == ' ' || *q == '\t') q++;
        if (!strncmp(q, prefix, strlen(prefix))) return line;
      }
    }
    if (*p == '\n') line++;
  }
  return 0;
}

START_TEST(test_no_gsl_or_jansson) {
  static char names[256][256];
  const char *dirs[] = {"src/cli", "src/check"};
  for (int d = 0; d < 2; d++) {
    int n = list_dir(dirs[d], names, 256);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
      char *s = slurp(names[i]);
      int g = includes(s, "<gsl/"), j = includes(s, "<jansson.h>");
      ck_assert_msg(!g, "%s:%d includes GSL: use ext/gsl.h", names[i], g);
      ck_assert_msg(!j, "%s:%d includes jansson: use the report module", names[i], j);
      free(s);
    }
  }
  /* the detector finds what it looks for */
  ck_assert_int_eq(includes("/* x */\n#include <gsl/gsl_cdf.h>\n", "<gsl/"), 2);
  ck_assert_int_eq(includes("#include \"ext/gsl.h\"\n", "<gsl/"), 0);
}
END_TEST

START_TEST(test_sim_h_does_not_include_check_h) {
  char *s = slurp("include/accq/sim.h");
  ck_assert_msg(!includes(s, "\"accq/check.h\""), "sim.h includes check.h: a cycle");
  free(s);
  s = slurp("include/accq/check.h");
  ck_assert_msg(includes(s, "\"accq/sim.h\""), "check.h builds on sim.h");
  free(s);
}
END_TEST

/* Longest function of a C file: from a line that starts a definition at
 * column 0 (an identifier, a '(' and no ';' at its end) to the next "}" at
 * column 0.  *at: its first line. */
static int longest_function(const char *s, int *at) {
  int line = 1, start = 0, best = 0;
  for (const char *p = s; *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (!start && len > 0 && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) &&
        memchr(p, '(', len) && p[len - 1] != ';' && strncmp(p, "typedef", 7) &&
        strncmp(p, "static const", 12) && strncmp(p, "#", 1))
      start = line;
    else if (start && len >= 1 && p[0] == '}') {
      if (line - start + 1 > best) {
        best = line - start + 1;
        *at = start;
      }
      start = 0;
    }
    line++;
    if (!e) break;
    p = e + 1;
  }
  return best;
}

START_TEST(test_function_length) {
  static char names[256][256];
  int n = list_dir("src/check", names, 250);
  snprintf(names[n++], 256, "src/cli/cmd_check_sim.c");
  snprintf(names[n++], 256, "src/cli/cmd_golden.c");
  snprintf(names[n++], 256, "src/cli/cmd_crosscheck.c");
  for (int i = 0; i < n; i++) {
    if (strcmp(names[i] + strlen(names[i]) - 2, ".c")) continue;
    char *s = slurp(names[i]);
    int at = 0, len = longest_function(s, &at);
    ck_assert_msg(len <= 150, "%s:%d: a function of %d lines (at most 150)", names[i], at, len);
    free(s);
  }
  /* the measure counts a 3-line function as 3 */
  int at;
  ck_assert_int_eq(longest_function("int f(void) {\n  return 1;\n}\n", &at), 3);
  ck_assert_int_eq(at, 1);
}
END_TEST

int main(void) {
  Suite *s = suite_create("check_structure");
  TCase *tc = tcase_create("structure");
  tcase_add_test(tc, test_no_gsl_or_jansson);
  tcase_add_test(tc, test_sim_h_does_not_include_check_h);
  tcase_add_test(tc, test_function_length);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
