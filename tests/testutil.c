#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int accq_close(double got, double want, double rel, double abs_tol) {
  if (isnan(want) || isnan(got)) return isnan(want) && isnan(got);
  if (isinf(want) || isinf(got)) return got == want;
  return fabs(got - want) <= abs_tol + rel * fabs(want);
}

void accq_ck_close_at(double got, double want, double rel, double abs_tol,
                      const char *what, const char *file, int line) {
  ck_assert_msg(accq_close(got, want, rel, abs_tol),
                "%s:%d: %s: got %.17g, want %.17g (rel tol %g, abs tol %g)", file, line,
                what, got, want, rel, abs_tol);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return strdup("");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  size_t got = fread(buf, 1, (size_t)n, f);
  buf[got] = '\0';
  fclose(f);
  return buf;
}

int accq_run(const char *args, char **out, char **err) {
  char outp[] = "/tmp/accq-test-outXXXXXX", errp[] = "/tmp/accq-test-errXXXXXX";
  int fo = mkstemp(outp), fe = mkstemp(errp);
  close(fo);
  close(fe);
  size_t n = strlen(args) + 2 * sizeof outp + strlen(ACCQ_BINARY) + 64;
  char *cmd = malloc(n);
  snprintf(cmd, n, "'%s' %s >'%s' 2>'%s' </dev/null", ACCQ_BINARY, args, outp, errp);
  int st = system(cmd);
  free(cmd);
  int code;
  if (st == -1)
    code = -1;
  else if (WIFEXITED(st))
    code = WEXITSTATUS(st);
  else
    code = 128 + WTERMSIG(st);
  if (out) *out = slurp(outp);
  if (err) *err = slurp(errp);
  unlink(outp);
  unlink(errp);
  return code;
}

const char *accq_src_path(const char *rel) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", ACCQ_SOURCE_DIR, rel);
  return buf;
}

const char *accq_tmp_file(const char *text, const char *suffix) {
  static char buf[256];
  snprintf(buf, sizeof buf, "/tmp/accq-test-XXXXXX%s", suffix ? suffix : "");
  int fd = mkstemps(buf, suffix ? (int)strlen(suffix) : 0);
  if (fd < 0) return NULL;
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) {
    close(fd);
    return NULL;
  }
  close(fd);
  return buf;
}

int accq_run_suite(Suite *s) {
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Provenance comment lines: "# ", "% " or "<!-- " then "provenance." at the
 * start of a line (accq/report.h). */
static int provenance_line(const char *p) {
  static const char *const open[] = {"# provenance.", "% provenance.", "<!-- provenance."};
  for (int i = 0; i < 3; i++)
    if (!strncmp(p, open[i], strlen(open[i]))) return 1;
  return 0;
}

char *accq_strip_provenance(char *s) {
  if (!s) return s;
  /* JSON: the "provenance" member, the last of the top-level object as
   * jansson writes it with indent 2: ",\n  \"provenance\": {\n ... \n  }" */
  char *j = strstr(s, ",\n  \"provenance\": {\n");
  if (j) {
    char *end = strstr(j + 1, "\n  }");
    if (end) memmove(j, end + 4, strlen(end + 4) + 1);
  }
  /* comment lines (CSV, Markdown, LaTeX) */
  char *w = s;
  for (char *r = s; *r;) {
    char *nl = strchr(r, '\n');
    size_t len = nl ? (size_t)(nl - r) + 1 : strlen(r);
    if (!provenance_line(r)) {
      memmove(w, r, len);
      w += len;
    }
    r += len;
  }
  *w = '\0';
  return s;
}
