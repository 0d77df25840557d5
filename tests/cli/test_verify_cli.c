/* End-to-end runs of accq verify, converge and sweep: exit statuses, the
 * negative test, a falling convergence gap with its fitted rate, the LaTeX
 * table's structure (and compilation when pdflatex is present), PNG plots
 * with and without gnuplot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/verify.h"
#include "testutil.h"

static char *model(const char *name) {
  static char buf[4][1024];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "'%s'", accq_src_path(name));
  return buf[i];
}

static int count(const char *s, const char *what) {
  int n = 0;
  for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
  return n;
}

/* A small grid of claims 1, 2 and 5 on two-tier: everything holds, exit 0. */
START_TEST(test_verify_passes) {
  char args[2048], *out, *err;
  snprintf(args, sizeof args, "verify %s --claims 1,2 --loads 0.5 --scales 1 --sim-scales 4 --jobs 20000 -q",
           model("models/two-tier.ini"));
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, out, err);
  ck_assert_ptr_nonnull(strstr(out, "1 LP bound"));
  ck_assert_ptr_nonnull(strstr(out, "2 R-JIQ and POP meet a*"));
  ck_assert_int_eq(count(out, " PASS "), 2);
  ck_assert_ptr_nonnull(strstr(out, "0 FAIL"));
  free(out);
  free(err);
}
END_TEST

/* The negative test: a policy that misses a* (jsq) treated as if it met it
 * makes verify exit 1, with rows that say why, in text and in JSON. */
START_TEST(test_verify_negative) {
  char args[2048], *out, *err;
  snprintf(args, sizeof args,
           "verify %s --claims 1,2 --loads 0.5 --scales 1 --sim-scales 4 --jobs 20000 -q "
           "--inject-fault claims-target=jsq",
           model("models/two-tier.ini"));
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 1, "exit %d\n%s\n%s", rc, out, err);
  ck_assert_ptr_nonnull(strstr(out, "jsq misses a*"));
  ck_assert_ptr_nonnull(strstr(out, "below T_LP(X)"));
  ck_assert_int_eq(count(out, " FAIL "), 2);
  free(out);
  free(err);
  snprintf(args, sizeof args,
           "verify %s --claims 2 --loads 0.5 --scales 1 --sim-scales 4 --jobs 20000 -q "
           "--inject-fault claims-target=jsq "
           "--format json",
           model("models/two-tier.ini"));
  rc = accq_run(args, &out, &err);
  ck_assert_int_eq(rc, 1);
  ck_assert_ptr_nonnull(strstr(out, "\"verdict\": \"FAIL\""));
  ck_assert_ptr_nonnull(strstr(out, "\"claims\""));
  free(out);
  free(err);
}
END_TEST


/* Simulation bias warnings (fault sim-forget-warmup: no warm-up, 1000 jobs at
 * m = 64, so the simulator's trend tests fire): each warned simulation is on
 * stderr (also with -q), in the text row, and in the top-level JSON
 * "warnings"; claim 4 still PASSes on POP's limit (exit 0). */
START_TEST(test_verify_sim_warnings) {
  char args[2048], *out, *err;
  snprintf(args, sizeof args,
           "verify %s --claims 4 --loads 0.85 --scales 1 --sim-scales 64 --jobs 1000 -q "
           "--inject-fault sim-forget-warmup",
           model("models/nonbinding.ini"));
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, out, err);
  ck_assert_msg(strstr(err, "accq verify: warning: claim 4 on nonbinding: simulation pop load 0.85 "
                            "m=64: "), "%s", err);
  ck_assert_ptr_nonnull(strstr(out, "    warning:  simulation pop load 0.85 m=64: "));
  ck_assert_ptr_nonnull(strstr(out, "not used as evidence"));
  ck_assert_int_eq(count(out, " PASS "), 1);
  free(out);
  free(err);
  snprintf(args, sizeof args,
           "verify %s --claims 4 --loads 0.85 --scales 1 --sim-scales 64 --jobs 1000 -q "
           "--inject-fault sim-forget-warmup --format json",
           model("models/nonbinding.ini"));
  rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, out, err);
  const char *w = strstr(out, "\"warnings\": [");
  ck_assert_msg(w, "%s", out);
  ck_assert_msg(strstr(w, "claim 4 on nonbinding: simulation pop load 0.85 m=64: "), "%s", out);
  free(out);
  free(err);
}
END_TEST

/* Every chain over the state limit, on saturating.ini at load 0.7 (past the
 * first breakpoint, so rjiq and random-lp saturate a type and have no
 * infinite-buffer answer even in product form, which needs no joint chain):
 * claim 1 cannot be checked anywhere.  The row
 * is SKIPPED with its reason (no margin printed), a warning on stderr (also with
 * -q), and the exit status is 3 (a claim that could not be checked is not a
 * pass); JSON carries status "skipped", the reason, a null margin, and the
 * overall verdict SKIPPED. */
START_TEST(test_verify_skipped_exit_3) {
  char args[2048], *out, *err;
  snprintf(args, sizeof args, "verify %s --claims 1,5 --max-states 2 --loads 0.7 --scales 1 -q",
           model("models/saturating.ini"));
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 3, "exit %d\n%s\n%s", rc, out, err);
  ck_assert_ptr_nonnull(strstr(out, "SKIPPED"));
  ck_assert_ptr_nonnull(strstr(out, "reason:   no policy instance checked"));
  ck_assert_ptr_nonnull(strstr(out, "over the state limit"));
  ck_assert_ptr_nonnull(strstr(out, "verdict SKIPPED"));
  ck_assert_ptr_nonnull(strstr(err, "warning: claim 1 on saturating SKIPPED"));
  /* claim 5 compared its LP solvers and stationary solvers but no chain against
   * the explicit chain, the product form or the simulator: PARTIAL, not PASS */
  ck_assert_ptr_nonnull(strstr(out, "lumped vs explicit chains: nothing compared"));
  ck_assert_ptr_nonnull(strstr(out, "1 PARTIAL, 0 FAIL, 1 SKIPPED"));
  free(out);
  free(err);
  snprintf(args, sizeof args,
           "verify %s --claims 1 --max-states 2 --loads 0.7 --scales 1 -q --format json",
           model("models/saturating.ini"));
  rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 3, "exit %d\n%s\n%s", rc, out, err);
  ck_assert_ptr_nonnull(strstr(out, "\"status\": \"skipped\""));
  ck_assert_ptr_nonnull(strstr(out, "\"reason\": \"no policy instance checked"));
  ck_assert_ptr_nonnull(strstr(out, "\"worst_margin\": null"));
  ck_assert_ptr_nonnull(strstr(out, "\"verdict\": \"SKIPPED\""));
  ck_assert_ptr_nonnull(strstr(out, "\"warnings\""));
  free(out);
  free(err);
  /* a checked row: status ok, reason null */
  snprintf(args, sizeof args,
           "verify %s --claims 1 --loads 0.7 --scales 1 -q --format json",
           model("models/saturating.ini"));
  rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, out, err);
  ck_assert_ptr_nonnull(strstr(out, "\"status\": \"ok\""));
  ck_assert_ptr_nonnull(strstr(out, "\"reason\": null"));
  ck_assert_ptr_nonnull(strstr(out, "\"verdict\": \"PASS\""));
  free(out);
  free(err);
}
END_TEST

/* Every --inject-fault value is validated (a typo injects nothing and would
 * pass), and 0 is refused where it means nothing. */
START_TEST(test_verify_bad_options) {
  const char *bad[] = {"--inject-fault claims-target=nosuch", "--inject-fault bogus",
                       "--inject-fault claims-target=pop", "--inject-fault claims-target=",
                       "--jobs 0", "--max-states 0", "--max-buffer 0", "--replications 1",
                       "--replications 0"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char args[2048], *out, *err;
    snprintf(args, sizeof args, "verify %s --claims 2 %s", model("models/two-tier.ini"), bad[i]);
    int rc = accq_run(args, &out, &err);
    ck_assert_msg(rc == 2, "%s: exit %d\n%s\n%s", bad[i], rc, out, err);
    ck_assert_msg(out[0] == '\0', "%s printed a table", bad[i]);
    free(out);
    free(err);
  }
  char args[2048], *out, *err;
  snprintf(args, sizeof args, "verify %s --inject-fault claims-target=nosuch",
           model("models/two-tier.ini"));
  ck_assert_int_eq(accq_run(args, &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "unknown policy 'nosuch'"));
  free(out);
  free(err);
}
END_TEST

START_TEST(test_verify_usage) {
  char *out, *err;
  ck_assert_int_eq(accq_run("verify --claims 7", &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "claims are 1..6"));
  free(out);
  free(err);
  ck_assert_int_eq(accq_run("verify /nonexistent/model.ini", &out, &err), 2);
  free(out);
  free(err);
  /* an explicit models directory without models is refused, not bypassed */
  setenv("ACCQ_MODELS_DIR", "/nonexistent-accq-models", 1);
  int rc = accq_run("verify --claims 1", &out, &err);
  unsetenv("ACCQ_MODELS_DIR");
  ck_assert_int_eq(rc, 2);
  ck_assert_ptr_nonnull(strstr(err, "no model files (*.ini) in ACCQ_MODELS_DIR"));
  free(out);
  free(err);
}
END_TEST

/* converge on two-tier at load 0.5 (no type saturates: the LP's pair puts the
 * large server at 50% of its capacity): R-JIQ's gap falls as m grows and the
 * fitted log-log rate is printed (negative). */
START_TEST(test_converge_falls) {
  char args[2048], *out, *err;
  snprintf(args, sizeof args,
           "converge %s --policy rjiq --scales 1,4,16 --set system.load=0.5 --jobs 50000 "
           "--format csv -q",
           model("models/two-tier.ini"));
  int rc = accq_run(args, &out, &err);
  if (!accq_verify_have_simulator()) {
    /* m = 4 and 16 do not fit a chain: without a simulator the command must
     * say so (exit 3) rather than print a truncated gap */
    ck_assert_msg(rc == 3, "exit %d\n%s\n%s", rc, out, err);
    ck_assert_ptr_nonnull(strstr(err, "no simulator"));
    free(out);
    free(err);
    return;
  }
  ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, out, err);
  /* CSV: header then one row per size: scale,method,...,gap,... */
  double gap[3];
  int n = 0;
  char *line = strtok(accq_strip_provenance(out), "\r\n"); /* comment lines first */
  ck_assert_ptr_nonnull(strstr(line, "gap"));
  int gcol = 0;
  {
    char hdr[1024];
    snprintf(hdr, sizeof hdr, "%s", line);
    int c = 0;
    for (char *f = hdr, *comma; f; f = comma ? comma + 1 : NULL, c++) {
      comma = strchr(f, ',');
      if (comma) *comma = '\0';
      if (!strcmp(f, "gap")) gcol = c;
    }
  }
  while ((line = strtok(NULL, "\r\n")) && n < 3) {
    int c = 0;
    for (char *f = line, *comma; f; f = comma ? comma + 1 : NULL, c++) {
      comma = strchr(f, ',');
      if (comma) *comma = '\0';
      if (c == gcol) gap[n] = atof(f);
    }
    n++;
  }
  ck_assert_int_eq(n, 3);
  ck_assert_msg(gap[0] > gap[1] && gap[1] > gap[2], "gaps %g %g %g", gap[0], gap[1], gap[2]);
  free(out);
  free(err);
  /* text: the fitted rate line */
  snprintf(args, sizeof args,
           "converge %s --policy rjiq --scales 1,4,16 --set system.load=0.5 --jobs 50000 -q",
           model("models/two-tier.ini"));
  rc = accq_run(args, &out, &err);
  ck_assert_int_eq(rc, 0);
  ck_assert_ptr_nonnull(strstr(out, "fitted rate"));
  free(out);
  free(err);
}
END_TEST

static const char *sweep_args(char *buf, size_t n, const char *extra) {
  snprintf(buf, n, "sweep %s --policy rjiq,pop --vary load=0.2:0.6:3 -q %s",
           model("models/two-tier.ini"), extra);
  return buf;
}

/* LaTeX: a booktabs tabular with 1 + 1 + 2 columns (load, T_LP, two policies)
 * and 3 data rows; compiled when pdflatex is present. */
START_TEST(test_sweep_latex) {
  char args[2048], *out, *err;
  int rc = accq_run(sweep_args(args, sizeof args, "--format latex"), &out, &err);
  ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, out, err);
  const char *tab = strstr(out, "\\begin{tabular}{");
  ck_assert_ptr_nonnull(tab);
  const char *spec = tab + strlen("\\begin{tabular}{");
  int cols = 0;
  for (const char *p = spec; *p && *p != '}'; p++) cols += (*p == 'l' || *p == 'r' || *p == 'c');
  ck_assert_int_eq(cols, 4);
  ck_assert_int_eq(count(tab, "\\toprule"), 1);
  ck_assert_int_eq(count(tab, "\\midrule"), 1);
  ck_assert_int_eq(count(tab, "\\bottomrule"), 1);
  ck_assert_ptr_nonnull(strstr(tab, "\\end{tabular}"));
  /* rows between \midrule and \bottomrule: 3, each with 3 '&' */
  const char *mid = strstr(tab, "\\midrule") + strlen("\\midrule"), *bot = strstr(tab, "\\bottomrule");
  int rows = 0, amps = 0;
  for (const char *p = mid; p < bot; p++) {
    if (p[0] == '\\' && p[1] == '\\') rows++;
    if (*p == '&' && p[-1] != '\\') amps++;
  }
  ck_assert_int_eq(rows, 3);
  ck_assert_int_eq(amps, 9);
  if (system("command -v pdflatex >/dev/null 2>&1") == 0) {
    char dir[] = "/tmp/accq-latex-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/t.tex", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n%s\n"
               "\\end{document}\n", out);
    fclose(f);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cd '%s' && pdflatex -interaction=nonstopmode -halt-on-error t.tex "
                              ">/dev/null 2>&1 && test -s t.pdf", dir);
    ck_assert_msg(system(cmd) == 0, "pdflatex failed on the sweep table (see %s)", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
  } else {
    fprintf(stderr, "test_sweep_latex: pdflatex not found, structure checked only\n");
  }
  free(out);
  free(err);
}
END_TEST

/* CSV, JSON and Markdown of the same sweep: 3 rows each. */
START_TEST(test_sweep_formats) {
  char args[2048], *out, *err;
  ck_assert_int_eq(accq_run(sweep_args(args, sizeof args, "--format csv"), &out, &err), 0);
  ck_assert_int_eq(count(accq_strip_provenance(out), "\r\n"), 4); /* header + 3 rows */
  ck_assert_ptr_nonnull(strstr(out, "load,t_lp,rjiq.mean_response_time,pop.mean_response_time"));
  free(out);
  free(err);
  ck_assert_int_eq(accq_run(sweep_args(args, sizeof args, "--format json"), &out, &err), 0);
  ck_assert_int_eq(count(out, "\"t_lp\""), 3);
  free(out);
  free(err);
  ck_assert_int_eq(accq_run(sweep_args(args, sizeof args, "--format markdown"), &out, &err), 0);
  ck_assert_int_ge(count(out, "|"), 5 * 5);
  free(out);
  free(err);
  ck_assert_int_eq(accq_run(sweep_args(args, sizeof args, "--measure latency"), &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "unknown measure 'latency'"));
  free(out);
  free(err);
  /* an unknown parameter is bad usage; scale is a sweep parameter as for lp
   * --vary (issue 13; tests/grid/test_grid runs it) */
  ck_assert_int_eq(accq_run(sweep_args(args, sizeof args, "--vary speed=1:2:2"), &out, &err), 2);
  ck_assert_ptr_nonnull(strstr(err, "unknown parameter 'speed'"));
  free(out);
  free(err);
}
END_TEST

/* --plot: a PNG when gnuplot is present; with PATH emptied, a clear message
 * and a non-zero status (the plot was asked for), the table still printed. */
START_TEST(test_sweep_plot) {
  char args[2048], *out, *err, path[128];
  snprintf(path, sizeof path, "/tmp/accq-sweep-plot-%d.png", (int)getpid());
  char extra[256];
  snprintf(extra, sizeof extra, "--plot %s", path);
  if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
    int rc = accq_run(sweep_args(args, sizeof args, extra), &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char magic[8];
    ck_assert_int_eq((int)fread(magic, 1, 8, f), 8);
    fclose(f);
    ck_assert_int_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", 8), 0);
    unlink(path);
    free(out);
    free(err);
  } else {
    fprintf(stderr, "test_sweep_plot: gnuplot not found, PNG check not run\n");
  }
  char *old = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
  setenv("PATH", "/nonexistent-accq", 1);
  int rc = accq_run(sweep_args(args, sizeof args, extra), &out, &err);
  setenv("PATH", old, 1);
  free(old);
  ck_assert_int_ne(rc, 0);
  ck_assert_ptr_nonnull(strstr(err, "gnuplot was not found"));
  ck_assert_ptr_nonnull(strstr(out, "T_LP"));
  ck_assert_int_ne(access(path, F_OK), 0);
  free(out);
  free(err);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cli-verify");
  TCase *tc = tcase_create("verify");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_verify_passes);
  tcase_add_test(tc, test_verify_negative);
  tcase_add_test(tc, test_verify_sim_warnings);
  tcase_add_test(tc, test_verify_usage);
  tcase_add_test(tc, test_verify_skipped_exit_3);
  tcase_add_test(tc, test_verify_bad_options);
  tcase_add_test(tc, test_converge_falls);
  tcase_add_test(tc, test_sweep_latex);
  tcase_add_test(tc, test_sweep_formats);
  tcase_add_test(tc, test_sweep_plot);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
