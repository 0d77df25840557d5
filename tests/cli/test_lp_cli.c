/* End-to-end runs of `accq lp` (and the common option parser behind every
 * command) through the real binary: exit statuses and messages for bad usage,
 * infeasible models, JSON keys of docs/output.md checked against the library,
 * --exact, --vary, --out. */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/lp.h"
#include "accq/model.h"
#include "testutil.h"

/* Runs accq with a printf-style argument string; keeps stdout/stderr. */
static char *out_, *err_;
static int run(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static int run(const char *fmt, ...) {
  char args[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  free(out_);
  free(err_);
  return accq_run(args, &out_, &err_);
}

static json_t *parse_out(void) {
  json_error_t je;
  json_t *j = json_loads(out_, 0, &je);
  ck_assert_msg(j != NULL, "stdout is not JSON (%s):\n%s", je.text, out_);
  return j;
}

#define ASSERT_IN(hay, needle) \
  ck_assert_msg(strstr((hay), (needle)) != NULL, "'%s' not found in:\n%s", (needle), (hay))

static const char *two_tier(void) {
  static char p[4096];
  snprintf(p, sizeof p, "%s", accq_src_path("models/two-tier.ini"));
  return p;
}

/* a* above every accuracy (best 0.9) */
static const char *ACC_INFEASIBLE =
    "[system]\nname = acc-infeasible\narrival_rate = 1.0\naccuracy_target = 0.95\n"
    "[type small]\nservers = 2\nrate = 4.0\naccuracy = 0.6\n"
    "[type large]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n";
/* Lambda_max(0.8) = 1.5 for this system (large saturated at rate 1 carries
 * weight 2/3 of the pair (large, small): 1 / (2/3)), so Lambda = 2 is beyond it */
static const char *CAP_INFEASIBLE =
    "[system]\nname = cap-infeasible\narrival_rate = 2.0\naccuracy_target = 0.8\n"
    "[type small]\nservers = 2\nrate = 4.0\naccuracy = 0.6\n"
    "[type large]\nservers = 1\nrate = 1.0\naccuracy = 0.9\n";

/* The T_LP line of the text output must not carry a number. */
static void assert_no_bound_in_text(const char *text) {
  const char *line = strstr(text, "\nT_LP");
  ck_assert_msg(line != NULL, "no T_LP line in:\n%s", text);
  line++;
  const char *end = strchr(line, '\n');
  size_t n = end ? (size_t)(end - line) : strlen(line);
  char buf[512];
  snprintf(buf, sizeof buf, "%.*s", (int)n, line);
  ASSERT_IN(buf, "none");
  /* past the label "T_LP (bound on E[T])" no digit may follow */
  const char *after = strchr(buf, ')');
  ck_assert_ptr_nonnull(after);
  ck_assert_msg(strpbrk(after, "0123456789") == NULL, "a number on the T_LP line: %s", buf);
}

/* ---- bad usage ---------------------------------------------------------------- */

START_TEST(test_unknown_command) {
  ck_assert_int_eq(run("frobnicate"), 2);
  ASSERT_IN(err_, "accq: unknown command 'frobnicate'");
  ck_assert_int_eq(run("%s", ""), 2); /* no command at all: usage on stderr */
  ASSERT_IN(err_, "usage: accq COMMAND");
}
END_TEST

START_TEST(test_unknown_option) {
  ck_assert_int_eq(run("lp --bogus"), 2);
  ASSERT_IN(err_, "accq lp: unknown option '--bogus'");
  ASSERT_IN(err_, "accq lp --help");
  ck_assert_str_eq(out_, "");
  ck_assert_int_eq(run("lp -x"), 2);
  ASSERT_IN(err_, "unknown option '-x'");
  ck_assert_int_eq(run("lp --exact=yes"), 2); /* a flag takes no value */
  ASSERT_IN(err_, "--exact takes no value");
  ck_assert_int_eq(run("lp --plot x.png"), 2); /* lp draws no plot */
  ASSERT_IN(err_, "unknown option '--plot'");
  ck_assert_int_eq(run("lp a.ini b.ini"), 2);
  ASSERT_IN(err_, "unexpected argument 'b.ini'");
}
END_TEST

START_TEST(test_bad_values) {
  ck_assert_int_eq(run("lp --format xml"), 2);
  ASSERT_IN(err_, "unknown format 'xml'");
  ck_assert_int_eq(run("lp --format"), 2);
  ASSERT_IN(err_, "option --format needs a value");
  ck_assert_int_eq(run("lp --digits 0"), 2);
  ASSERT_IN(err_, "--digits needs a whole number from 1 to 17 (got '0')");
  ck_assert_int_eq(run("lp --slack abc"), 2);
  ASSERT_IN(err_, "--slack needs a finite number (got 'abc')");
  ck_assert_int_eq(run("lp --slack 1"), 2);
  ASSERT_IN(err_, "--slack must be in [0, 1) (got 1)");
  ck_assert_int_eq(run("lp --solver simplex"), 2);
  ASSERT_IN(err_, "unknown solver 'simplex'");
  ck_assert_int_eq(run("lp --vary load"), 2);
  ASSERT_IN(err_, "--vary needs PARAM=FROM:TO:N (got 'load')");
  ck_assert_int_eq(run("lp --vary load=0.1:x:3"), 2);
  ASSERT_IN(err_, "TO is not a finite number (got 'x')");
  ck_assert_int_eq(run("lp --vary load=0.1:0.5:0"), 2);
  ASSERT_IN(err_, "N must be a whole number from 1 to 1000000 (got '0')");
}
END_TEST

START_TEST(test_bad_set) {
  ck_assert_int_eq(run("lp --set nonsense"), 2);
  ASSERT_IN(err_, "--set needs section.key=value (got 'nonsense')");
  /* value errors come from the model module, naming the value */
  ck_assert_int_eq(run("lp '%s' --set system.arrival_rate=abc", two_tier()), 2);
  ASSERT_IN(err_, "accq: ");
  ASSERT_IN(err_, "abc");
  ck_assert_int_eq(run("lp --set system.bogus=1"), 2); /* default model too */
  ASSERT_IN(err_, "bogus");
  ck_assert_str_eq(out_, "");
}
END_TEST

START_TEST(test_bad_model_file) {
  ck_assert_int_eq(run("lp /nonexistent/model.ini"), 2);
  ASSERT_IN(err_, "accq: ");
  ASSERT_IN(err_, "/nonexistent/model.ini");
  ck_assert_str_eq(out_, "");
  char dir[] = "/tmp/accq-cli-dirXXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  ck_assert_int_eq(run("lp '%s'", dir), 2);
  ASSERT_IN(err_, dir);
  rmdir(dir);
  /* a bad value in a file: FILE:LINE */
  const char *bad = accq_tmp_file("[system]\narrival_rate = 1\naccuracy_target = 0.5\n"
                                  "[type a]\nservers = 1\nrate = -1\naccuracy = 0.9\n",
                                  ".ini");
  char path[256];
  snprintf(path, sizeof path, "%s", bad);
  ck_assert_int_eq(run("lp '%s'", path), 2);
  char where[300];
  snprintf(where, sizeof where, "accq: %s:6:", path); /* the rate line */
  ASSERT_IN(err_, where);
  unlink(path);
}
END_TEST

START_TEST(test_help) {
  ck_assert_int_eq(run("lp --help"), 0);
  ASSERT_IN(out_, "usage: accq lp [MODEL] [options]");
  ASSERT_IN(out_, "--vary PARAM=A:B:N");
  ASSERT_IN(out_, "--format FMT");
  ck_assert_int_eq(run("--help"), 0);
  ASSERT_IN(out_, "lp ");
}
END_TEST

/* ---- infeasible ------------------------------------------------------------------ */

START_TEST(test_accuracy_infeasible) {
  char path[256];
  snprintf(path, sizeof path, "%s", accq_tmp_file(ACC_INFEASIBLE, ".ini"));
  ck_assert_int_eq(run("lp '%s'", path), 4);
  ASSERT_IN(err_, "accq: infeasible: accuracy target 0.95 is above every type's accuracy");
  ASSERT_IN(out_, "accuracy_infeasible");
  assert_no_bound_in_text(out_);
  ck_assert_int_eq(run("lp '%s' --format json", path), 4);
  json_t *j = parse_out();
  ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "accuracy_infeasible");
  ck_assert(json_is_null(json_object_get(j, "t_lp")));
  ck_assert(json_is_null(json_object_get(j, "split")));
  json_decref(j);
  /* the same target in load mode: Lambda itself is undefined, still exit 4 */
  ck_assert_int_eq(run("lp '%s' --set system.load=0.5 --format json", path), 4);
  j = parse_out();
  ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "accuracy_infeasible");
  ck_assert(json_is_null(json_object_get(j, "t_lp")));
  ck_assert(json_is_null(json_object_get(j, "lambda")));
  json_decref(j);
  unlink(path);
}
END_TEST

START_TEST(test_capacity_infeasible) {
  char path[256];
  snprintf(path, sizeof path, "%s", accq_tmp_file(CAP_INFEASIBLE, ".ini"));
  ck_assert_int_eq(run("lp '%s'", path), 4);
  ASSERT_IN(err_, "accq: infeasible: arrival rate 2 is beyond Lambda_max(a*)");
  ASSERT_IN(out_, "capacity_infeasible");
  assert_no_bound_in_text(out_);
  /* Markdown, LaTeX and CSV say it without a number on the t_lp row */
  const char *fmt[] = {"markdown", "latex", "csv"};
  const char *row[] = {"| T_LP (bound on E[T]) | none: infeasible |\n",
                       "T\\_LP (bound on E[T]) & none: infeasible \\\\\n", "\r\nt_lp,\r\n"};
  for (int f = 0; f < 3; f++) {
    ck_assert_int_eq(run("lp '%s' --format %s", path, fmt[f]), 4);
    ASSERT_IN(out_, f == 1 ? "capacity\\_infeasible" : "capacity_infeasible");
    ASSERT_IN(out_, row[f]);
  }
  ck_assert_int_eq(run("lp '%s' --format json", path), 4);
  json_t *j = parse_out();
  ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "capacity_infeasible");
  ck_assert(json_is_null(json_object_get(j, "t_lp")));
  /* Lambda_max(0.8) = 1.5 by the hand derivation above */
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "lambda_max")), 1.5, 1e-12, 0, "lambda_max");
  json_decref(j);
  /* load mode beyond 1 is the same case */
  ck_assert_int_eq(run("lp '%s' --set system.load=1.01", two_tier()), 4);
  ASSERT_IN(out_, "capacity_infeasible");
  unlink(path);
}
END_TEST

/* ---- results ------------------------------------------------------------------- */

START_TEST(test_json_keys_and_values) {
  ck_assert_int_eq(run("lp '%s' --format json", two_tier()), 0);
  ck_assert_str_eq(err_, "");
  json_t *j = parse_out();
  const char *keys[] = {"model", "lambda", "accuracy_target", "status", "t_lp", "t_free",
                        "lambda_max", "split", "pairs", "breakpoints"};
  for (int i = 0; i < 10; i++)
    ck_assert_msg(json_object_get(j, keys[i]) != NULL, "key %s missing", keys[i]);
  ck_assert_str_eq(json_string_value(json_object_get(j, "model")), "two-tier");
  ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "optimal");

  /* the library on the same file gives the same numbers, bit for bit (JSON
   * carries 17 significant digits) */
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_load(&m, two_tier(), NULL, 0, &err), 0);
  accq_lp_problem_t p;
  ck_assert_int_eq(accq_lp_problem_from_model(&p, &m, 0.0), 0);
  accq_lp_result_t r;
  ck_assert_int_eq(accq_lp_solve(&p, &r, &err), 0);
  double t_lp = json_real_value(json_object_get(j, "t_lp"));
  ck_assert_msg(t_lp == r.t_lp, "t_lp %.17g vs library %.17g", t_lp, r.t_lp);
  ck_assert(json_real_value(json_object_get(j, "lambda_max")) == r.lambda_max);
  ck_assert(json_real_value(json_object_get(j, "t_free")) == r.t_free);
  /* and the closed form of the model file's comment: pair (large, small) with
   * w = (0.8-0.6)/(0.9-0.6) = 2/3, t_lp = w/1 + (1-w)/4 = 0.75 */
  ACCQ_CK_CLOSE(t_lp, 0.75, 1e-12, 0, "two-tier t_lp closed form");

  json_t *split = json_object_get(j, "split");
  ck_assert_int_eq(json_object_size(split), 2);
  for (int k = 0; k < m.ntypes; k++) {
    json_t *x = json_object_get(split, m.types[k].name);
    ck_assert_msg(x != NULL, "split lacks type %s", m.types[k].name);
    ck_assert(json_real_value(x) == r.x[k]);
  }
  json_t *pairs = json_object_get(j, "pairs");
  ck_assert_int_eq((int)json_array_size(pairs), r.npairs);
  for (int i = 0; i < r.npairs; i++) {
    json_t *q = json_array_get(pairs, (size_t)i);
    ck_assert_str_eq(json_string_value(json_object_get(q, "h")), m.types[r.pairs[i].h].name);
    if (r.pairs[i].l >= 0)
      ck_assert_str_eq(json_string_value(json_object_get(q, "l")), m.types[r.pairs[i].l].name);
    else
      ck_assert(json_is_null(json_object_get(q, "l")));
    ck_assert(json_real_value(json_object_get(q, "w")) == r.pairs[i].w);
    ck_assert(json_real_value(json_object_get(q, "s")) == r.pairs[i].s);
  }
  json_t *bp = json_object_get(j, "breakpoints");
  ck_assert_int_eq((int)json_array_size(bp), r.nbreak);
  for (int i = 0; i < r.nbreak; i++)
    ck_assert(json_real_value(json_array_get(bp, (size_t)i)) == r.breakpoints[i]);
  json_decref(j);

  /* the combinatorial solver agrees (independent method, docs/lp.md structure) */
  ck_assert_int_eq(run("lp '%s' --format json --solver combinatorial", two_tier()), 0);
  j = parse_out();
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "t_lp")), r.t_lp, 1e-9, 0, "combinatorial");
  json_decref(j);
}
END_TEST

START_TEST(test_every_format) {
  ck_assert_int_eq(run("lp '%s'", two_tier()), 0);
  ASSERT_IN(out_, "accq lp: two-tier");
  ASSERT_IN(out_, "T_LP (bound on E[T])");
  ASSERT_IN(out_, "status                         optimal\n");
  ck_assert_int_eq(run("lp '%s' --format csv", two_tier()), 0);
  ASSERT_IN(out_, "key,value\r\n");
  ASSERT_IN(out_, "\r\nt_lp,0.75");
  ASSERT_IN(out_, "\r\nh,l,w,s\r\n");
  ck_assert_int_eq(run("lp '%s' --format markdown", two_tier()), 0);
  ASSERT_IN(out_, "| quantity | value |\n|---|---:|\n");
  ASSERT_IN(out_, "### Ordered pairs in priority order\n");
  ck_assert_int_eq(run("lp '%s' --format latex", two_tier()), 0);
  ASSERT_IN(out_, "\\toprule\n");
  ASSERT_IN(out_, "\\bottomrule\n\\end{tabular}\n");
  ASSERT_IN(out_, "T\\_LP (bound on E[T]) & 0.75");
  /* --digits rounds the human formats only */
  ck_assert_int_eq(run("lp '%s' --digits 3", two_tier()), 0);
  ASSERT_IN(out_, "Lambda_max(a*)                 1.5\n");
}
END_TEST

/* p/q of decimal integer strings as a double (both < 1e308 here). */
static double fraction(const char *s) {
  const char *slash = strchr(s, '/');
  ck_assert_msg(slash != NULL, "not a fraction: %s", s);
  for (const char *c = s; *c; c++)
    ck_assert_msg(c == slash || (*c >= '0' && *c <= '9') || (c == s && *c == '-'),
                  "not a fraction of integers: %s", s);
  return strtod(s, NULL) / strtod(slash + 1, NULL);
}

START_TEST(test_exact) {
  ck_assert_int_eq(run("lp '%s' --exact", two_tier()), 0);
  /* "T_LP ... 0.75 = P/Q" next to its decimal */
  const char *line = strstr(out_, "T_LP (bound on E[T])");
  ck_assert_ptr_nonnull(line);
  const char *eq = strstr(line, " = ");
  ck_assert_msg(eq && eq < strchr(line, '\n'), "no fraction on the T_LP line:\n%s", out_);
  ASSERT_IN(out_, "x_k exact");
  ck_assert_int_eq(run("lp '%s' --exact --format json", two_tier()), 0);
  json_t *j = parse_out();
  json_t *ex = json_object_get(j, "exact");
  ck_assert_ptr_nonnull(ex);
  /* the fractions equal the float results within 1e-12 (each is the exact
   * optimum of the LP whose data are the binary doubles of the file) */
  ACCQ_CK_CLOSE(fraction(json_string_value(json_object_get(ex, "t_lp"))),
                json_real_value(json_object_get(j, "t_lp")), 1e-12, 0, "exact t_lp");
  ACCQ_CK_CLOSE(fraction(json_string_value(json_object_get(ex, "lambda_max"))),
                json_real_value(json_object_get(j, "lambda_max")), 1e-12, 0, "exact lambda_max");
  json_t *es = json_object_get(ex, "split"), *split = json_object_get(j, "split");
  ck_assert_int_eq(json_object_size(es), 2);
  const char *k;
  json_t *v;
  json_object_foreach(es, k, v) {
    ACCQ_CK_CLOSE(fraction(json_string_value(v)), json_real_value(json_object_get(split, k)),
                  1e-12, 1e-15, k);
  }
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "t_lp")), 0.75, 1e-12, 0, "closed form");
  json_decref(j);
}
END_TEST

START_TEST(test_vary) {
  /* N rows, one per value, header once */
  ck_assert_int_eq(run("lp '%s' --vary load=0.1:0.9:9 --format csv", two_tier()), 0);
  int lines = 0;
  accq_strip_provenance(out_); /* its comment lines come first */
  for (const char *c = out_; *c; c++) lines += *c == '\n';
  ck_assert_int_eq(lines, 10);
  ck_assert_int_eq(strncmp(out_, "load,lambda,accuracy_target,status,t_lp,", 40), 0);
  ck_assert_int_eq(run("lp '%s' --vary load=0.5:1.5:11 --format json", two_tier()), 0);
  json_t *j = parse_out();
  json_t *rows = json_object_get(j, "rows");
  ck_assert_int_eq(json_array_size(rows), 11);
  /* loads above 1 are capacity-infeasible rows (t_lp null), not errors; the
   * first is exactly the end point A, the last exactly B */
  ck_assert(json_real_value(json_object_get(json_array_get(rows, 0), "load")) == 0.5);
  ck_assert(json_real_value(json_object_get(json_array_get(rows, 10), "load")) == 1.5);
  json_t *last = json_array_get(rows, 10);
  ck_assert_str_eq(json_string_value(json_object_get(last, "status")), "capacity_infeasible");
  ck_assert(json_is_null(json_object_get(last, "t_lp")));
  /* load 1 is Lambda = Lambda_max exactly: still optimal */
  json_t *at1 = json_array_get(rows, 5);
  ck_assert_str_eq(json_string_value(json_object_get(at1, "status")), "optimal");
  /* while no capacity binds, the two-tier bound is the pair's s = 0.75 (closed form) */
  ACCQ_CK_CLOSE(json_real_value(json_object_get(json_array_get(rows, 0), "t_lp")), 0.75, 1e-12, 0,
                "t_lp at load 0.5");
  json_decref(j);
  ck_assert_int_eq(run("lp '%s' --vary lambda=0.5:1:3 --format csv", two_tier()), 0);
  ck_assert_int_eq(strncmp(accq_strip_provenance(out_), "lambda,accuracy_target,status", 29), 0);
  ck_assert_int_eq(run("lp '%s' --vary accuracy_target=0.5:1:6 --format json", two_tier()), 0);
  j = parse_out();
  rows = json_object_get(j, "rows");
  ck_assert_int_eq(json_array_size(rows), 6);
  /* a* = 1 exceeds every accuracy */
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 5), "status")),
                   "accuracy_infeasible");
  json_decref(j);
  /* a bad value inside the range is refused with the value named */
  ck_assert_int_eq(run("lp '%s' --vary lambda=0:1:3", two_tier()), 2);
  ASSERT_IN(err_, "--vary lambda=0");
}
END_TEST

/* ---- --out ------------------------------------------------------------------- */

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

START_TEST(test_out_file) {
  char dir[] = "/tmp/accq-cli-outXXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/bound.json", dir);
  ck_assert_int_eq(run("lp '%s' --format json --out '%s'", two_tier(), path), 0);
  ck_assert_str_eq(out_, ""); /* nothing on stdout */
  ck_assert_int_eq(count_entries(dir), 1); /* no temporary file left */
  json_error_t je;
  json_t *j = json_load_file(path, 0, &je);
  ck_assert_msg(j != NULL, "%s", je.text);
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "t_lp")), 0.75, 1e-12, 0, "t_lp in file");
  json_decref(j);
  /* the same output as on stdout, byte for byte */
  char saved[1 << 16];
  snprintf(saved, sizeof saved, "%s", slurp(path));
  ck_assert_int_eq(run("lp '%s' --format json", two_tier()), 0);
  /* but for the provenance: the command line has --out, the date moves */
  char saved_bare[1 << 16];
  snprintf(saved_bare, sizeof saved_bare, "%s", saved);
  ck_assert_str_eq(accq_strip_provenance(saved_bare), accq_strip_provenance(out_));

  /* a failing run leaves the old file as it was and nothing else */
  ck_assert_int_eq(run("lp /nonexistent.ini --format json --out '%s'", path), 2);
  ck_assert_str_eq(slurp(path), saved);
  ck_assert_int_eq(count_entries(dir), 1);
  /* an output directory that does not exist: exit 2 naming the path */
  ck_assert_int_eq(run("lp '%s' --out '%s/no/such.txt'", two_tier(), dir), 2);
  ASSERT_IN(err_, "/no/such.txt");
  /* --out onto a directory is refused */
  ck_assert_int_eq(run("lp '%s' --out '%s'", two_tier(), dir), 2);
  ASSERT_IN(err_, "is a directory");
  ck_assert_int_eq(count_entries(dir), 1);
  unlink(path);
  rmdir(dir);
}
END_TEST

/* ---- issue 11: the LP examples that printed wrong numbers ---------------------
 * two-tier: small (n 2, mu 4, a 0.6, cap 8), large (n 1, mu 1, a 0.9, cap 1),
 * a* = 0.8.  By hand, for Lambda below Lambda_max: the pair (large, small)
 * with w = (a* - a_s)/(a_l - a_s) of the flow to large: T_LP = w/mu_l +
 * (1-w)/mu_s (= 0.75 with w = 2/3); T_free = 1/mu_s (everything to small,
 * Lambda <= 8); Lambda_max: large at its capacity 1 gives the surplus
 * (a_l - a*) * 1, small takes surplus/(a* - a_s) of it (<= 8):
 * Lambda_max = 1 + (a_l - a*)/(a* - a_s) (= 1.5).  The differences are formed
 * in double arithmetic here, exactly (Sterbenz) for the near-ties, so the
 * expected values are those of the LP of the binary data, to 1e-12. */
static void two_type_truth(double mus, double mul, double as, double al, double astar,
                           double *t, double *lmax, double *tfree) {
  double w = (astar - as) / (al - as);
  *t = w / mul + (1 - w) / mus;
  *lmax = (1 + (al - astar) / (astar - as)) * mul; /* large's capacity n mu = mu_l */
  *tfree = 1 / mus;
}

static void expect_lp(const char *extra, double t, double lmax, double tfree, double lam) {
  int rc = run("lp '%s' %s --format json", two_tier(), extra);
  ck_assert_msg(rc == 0, "accq lp %s: exit %d: %s", extra, rc, err_);
  json_t *j = parse_out();
  char what[256];
  snprintf(what, sizeof what, "T_LP with %s", extra);
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "t_lp")), t, 1e-12, 0, what);
  snprintf(what, sizeof what, "Lambda_max with %s", extra);
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "lambda_max")), lmax, 1e-12, 0, what);
  snprintf(what, sizeof what, "T_free with %s", extra);
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "t_free")), tfree, 1e-12, 0, what);
  /* the split: x_large = w Lambda (t = w/mu_l + (1-w)/mu_s solved for w) */
  json_t *sp = json_object_get(j, "split");
  double xs = json_real_value(json_object_get(sp, "small"));
  double xl = json_real_value(json_object_get(sp, "large"));
  snprintf(what, sizeof what, "x_small + x_large with %s", extra);
  ACCQ_CK_CLOSE(xs + xl, lam, 1e-12, 0, what);
  json_decref(j);
}

START_TEST(test_issue11_small_and_large_magnitudes) {
  double t, lmax, tf;
  two_type_truth(4, 1, 0.6, 0.9, 0.8, &t, &lmax, &tf);
  ACCQ_CK_CLOSE(t, 0.75, 1e-15, 0, "hand value of T_LP"); /* w = 2/3 */
  ACCQ_CK_CLOSE(lmax, 1.5, 1e-15, 0, "hand value of Lambda_max");
  /* printed T_LP 0.25 (everything on small) before: GLPK's absolute tolerance */
  expect_lp("--set system.arrival_rate=1e-7", t, lmax, tf, 1e-7);
  /* printed 0 before */
  expect_lp("--set system.arrival_rate=1e-9", t, lmax, tf, 1e-9);
  /* every rate times 1e8: times 1e-8 for the times, 1e8 for Lambda_max
   * (printed 1e-8 before, true 7.5e-9) */
  expect_lp("--set type.small.rate=4e8 --set type.large.rate=1e8 --set system.arrival_rate=1e8",
            t * 1e-8, lmax * 1e8, tf * 1e-8, 1e8);
}
END_TEST

START_TEST(test_issue11_near_ties) {
  double t, lmax, tf;
  /* 1e-8 either side of a*: w = 1/2 (to rounding of the data): T_LP = 0.625,
   * Lambda_max = 2 (printed 0.25 and 9 before) */
  two_type_truth(4, 1, 0.79999999, 0.80000001, 0.8, &t, &lmax, &tf);
  ACCQ_CK_CLOSE(t, 0.625, 1e-8, 0, "hand value of T_LP");
  ACCQ_CK_CLOSE(lmax, 2, 1e-8, 0, "hand value of Lambda_max");
  expect_lp("--set type.small.accuracy=0.79999999 --set type.large.accuracy=0.80000001", t, lmax,
            tf, 1);
  /* the case where glp_simplex cycled for ever: answers (the GLPK solves run
   * under it_lim and tm_lim in any case) */
  two_type_truth(4, 1, 0.7999999000000001, 0.8000001, 0.8, &t, &lmax, &tf);
  ACCQ_CK_CLOSE(t, 0.625, 1e-8, 0, "hand value of T_LP");
  expect_lp("--set type.small.accuracy=0.7999999000000001 --set type.large.accuracy=0.8000001", t,
            lmax, tf, 1);
  /* and the exact solver gives the same, as a fraction */
  ck_assert_int_eq(run("lp '%s' --exact --format json --set type.small.accuracy=0.79999999 --set "
                       "type.large.accuracy=0.80000001",
                       two_tier()),
                   0);
  json_t *j = parse_out();
  two_type_truth(4, 1, 0.79999999, 0.80000001, 0.8, &t, &lmax, &tf);
  ACCQ_CK_CLOSE(fraction(json_string_value(json_object_get(json_object_get(j, "exact"), "t_lp"))),
                t, 1e-12, 0, "exact t_lp");
  json_decref(j);
}
END_TEST

/* An LP the GLPK path cannot certify (rates 11 decades apart, the slow
 * type's capacity 3e-12 of Lambda, Lambda at the sum of capacities): either
 * the true value (from the exact solver) or exit 3 with both solvers' answers
 * in the message and nothing on stdout; never another number.  The
 * combinatorial solver alone answers with the exact value (ill-conditioned:
 * polished by GMP). */
START_TEST(test_issue11_refusal) {
  const char *model =
      "[system]\narrival_rate = 728856534354.18799\naccuracy_target = 0.3445248720468953\n"
      "[type fast]\nservers = 10525\nrate = 69250027.016815156\naccuracy = 0.34452487204693044\n"
      "[type slow]\nservers = 5319\nrate = 0.00041520034132526521\n"
      "accuracy = 0.80012626014649868\n";
  char path[256];
  snprintf(path, sizeof path, "%s", accq_tmp_file(model, ".ini"));
  ck_assert_int_eq(run("lp '%s' --exact --solver combinatorial --format json", path), 0);
  json_t *j = parse_out();
  double truth = fraction(json_string_value(json_object_get(json_object_get(j, "exact"), "t_lp")));
  json_decref(j);
  ck_assert_int_eq(run("lp '%s' --solver combinatorial --format json", path), 0);
  j = parse_out();
  ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "t_lp")), truth, 1e-12, 0, "combinatorial");
  ASSERT_IN(json_string_value(json_object_get(j, "verified")), "exact");
  json_decref(j);
  int rc = run("lp '%s' --format json", path);
  if (rc == 0) {
    j = parse_out();
    ACCQ_CK_CLOSE(json_real_value(json_object_get(j, "t_lp")), truth, 1e-9, 0, "GLPK path");
    json_decref(j);
  } else {
    ck_assert_int_eq(rc, 3);
    ck_assert_str_eq(out_, "");
    ASSERT_IN(err_, "GLPK");
    ASSERT_IN(err_, "the combinatorial solver finds T_LP = 2.17381600537");
    /* in a --vary table that value is a numerical_failure row with empty
     * cells, the other rows are printed, and the exit status is 3 */
    rc = run("lp '%s' --vary system.arrival_rate=7e11:728856534354.18799:2 --format csv -q", path);
    ck_assert_int_eq(rc, 3);
    ASSERT_IN(out_, "700000000000,0.3445248720468953,optimal,1.444042757928718e-08");
    ASSERT_IN(out_, ",numerical_failure,,,,,,");
    ASSERT_IN(err_, "1 of 2 values have no verified bound");
  }
  unlink(path);
}
END_TEST

int main(void) {
  Suite *s = suite_create("lp_cli");
  TCase *tu = tcase_create("usage");
  tcase_add_test(tu, test_unknown_command);
  tcase_add_test(tu, test_unknown_option);
  tcase_add_test(tu, test_bad_values);
  tcase_add_test(tu, test_bad_set);
  tcase_add_test(tu, test_bad_model_file);
  tcase_add_test(tu, test_help);
  suite_add_tcase(s, tu);
  TCase *ti = tcase_create("infeasible");
  tcase_add_test(ti, test_accuracy_infeasible);
  tcase_add_test(ti, test_capacity_infeasible);
  suite_add_tcase(s, ti);
  TCase *tr = tcase_create("results");
  tcase_add_test(tr, test_json_keys_and_values);
  tcase_add_test(tr, test_every_format);
  tcase_add_test(tr, test_exact);
  tcase_add_test(tr, test_vary);
  tcase_add_test(tr, test_out_file);
  suite_add_tcase(s, tr);
  TCase *t11 = tcase_create("issue11");
  tcase_add_test(t11, test_issue11_small_and_large_magnitudes);
  tcase_add_test(t11, test_issue11_near_ties);
  tcase_add_test(t11, test_issue11_refusal);
  suite_add_tcase(s, t11);
  int rc = accq_run_suite(s);
  free(out_);
  free(err_);
  return rc;
}
