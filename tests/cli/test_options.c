/* The common option parser of every command (src/cli/options.c, compiled into
 * this test directly since the CLI is not part of the library): every common
 * option, command-specific option kinds, strict numbers, --vary ranges; then
 * end to end, the one number parser in every command: `2e7` accepted by every
 * --max-states, 0 and negative values refused (exit 2, the value named) where
 * they mean nothing. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.c"
#include "cli/progress.c"
#include "testutil.h"

/* Splits a space-separated command line into argv (argv[0] = "cmd"). */
static int split(char *line, char **argv) {
  int argc = 0;
  argv[argc++] = "cmd";
  for (char *t = strtok(line, " "); t; t = strtok(NULL, " ")) argv[argc++] = t;
  argv[argc] = NULL;
  return argc;
}

static int parse(const accq_cli_spec_t *spec, const char *cmdline, accq_cli_t *cli) {
  static char buf[1024];
  static char *argv[64];
  snprintf(buf, sizeof buf, "%s", cmdline);
  int argc = split(buf, argv);
  return accq_cli_parse(spec, argc, argv, cli);
}

static const accq_cli_spec_t all_spec = {"cmd", "[MODEL] [options]", "test", ACCQ_CLI_ALL, NULL, 0, 1};

START_TEST(test_common_options) {
  accq_cli_t c;
  ck_assert_int_eq(parse(&all_spec,
                         "--seed 42 --threads 3 --plot a.png -q -v -v --set a.b=1 --set=c.d=2 "
                         "--format=json --digits 5 --out f.json model.ini",
                         &c),
                   -1);
  ck_assert(c.seed == 42 && c.seed_given);
  ck_assert_int_eq(c.threads, 3);
  ck_assert_str_eq(c.plot, "a.png");
  ck_assert_int_eq(c.quiet, 1);
  ck_assert_int_eq(c.verbose, 2);
  ck_assert_int_eq(c.sets.n, 2);
  ck_assert_str_eq(c.sets.v[0], "a.b=1");
  ck_assert_str_eq(c.sets.v[1], "c.d=2");
  ck_assert_int_eq(c.format, ACCQ_FORMAT_JSON);
  ck_assert_int_eq(c.digits, 5);
  ck_assert_str_eq(c.out, "f.json");
  ck_assert_str_eq(c.model, "model.ini");
  /* defaults */
  ck_assert_int_eq(parse(&all_spec, "", &c), -1);
  ck_assert(c.seed == 1 && !c.seed_given);
  ck_assert_int_eq(c.threads, 1);
  ck_assert_int_eq(c.format, ACCQ_FORMAT_TEXT);
  ck_assert_ptr_null(c.out);
  ck_assert_ptr_null(c.model);
  /* "--out -" is stdout; the largest 64-bit seed is accepted */
  ck_assert_int_eq(parse(&all_spec, "--out - --seed 18446744073709551615", &c), -1);
  ck_assert_ptr_null(c.out);
  ck_assert(c.seed == UINT64_MAX);
}
END_TEST

START_TEST(test_refusals) {
  accq_cli_t c;
  const char *bad[] = {"--seed -1",  "--seed 18446744073709551616", "--seed abc", "--threads 0",
                       "--threads 2x", "--format yaml", "--digits 18", "--set novalue",
                       "--out", "--bogus", "-z", "-qv", "a.ini b.ini", "--quiet=1", "--out="};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(parse(&all_spec, bad[i], &c) == 2, "'%s' was accepted", bad[i]);
  /* a common option the command does not take is unknown */
  const accq_cli_spec_t few = {"few", "[MODEL]", NULL, ACCQ_CLI_FORMAT, NULL, 0, 1};
  ck_assert_int_eq(parse(&few, "--seed 1", &c), 2);
  ck_assert_int_eq(parse(&few, "--out x", &c), 2);
  ck_assert_int_eq(parse(&few, "--format csv", &c), -1);
  /* too few positional arguments */
  const accq_cli_spec_t two = {"two", "A B", NULL, 0, NULL, 2, 2};
  ck_assert_int_eq(parse(&two, "a", &c), 2);
  ck_assert_int_eq(parse(&two, "a b", &c), -1);
  ck_assert_ptr_null(c.model); /* synopsis names no MODEL */
  ck_assert_int_eq(c.nargs, 2);
}
END_TEST

START_TEST(test_command_options) {
  int flag = 0, n = 0;
  double x = 0;
  const char *s = NULL;
  accq_cli_list_t list = {0};
  const accq_cli_opt_t opts[] = {{"flag", 'f', ACCQ_OPT_FLAG, &flag, NULL, "a flag"},
                                 {"count", 'n', ACCQ_OPT_INT, &n, "N", "an int"},
                                 {"x", 0, ACCQ_OPT_DOUBLE, &x, "X", "a double"},
                                 {"name", 0, ACCQ_OPT_STRING, &s, "S", "a string"},
                                 {"policy", 'p', ACCQ_OPT_LIST, &list, "P", "repeatable"},
                                 {0}};
  const accq_cli_spec_t spec = {"cmd", "[MODEL] [options]", NULL, ACCQ_CLI_COMMON, opts, 0, -1};
  accq_cli_t c;
  ck_assert_int_eq(parse(&spec, "-f -n 7 --x=-2.5e-3 --name abc -p pop --policy rjiq m.ini -- -odd",
                         &c),
                   -1);
  ck_assert_int_eq(flag, 1);
  ck_assert_int_eq(n, 7);
  ck_assert(x == -2.5e-3);
  ck_assert_str_eq(s, "abc");
  ck_assert_int_eq(list.n, 2);
  ck_assert_str_eq(list.v[1], "rjiq");
  ck_assert_int_eq(c.nargs, 2);
  ck_assert_str_eq(c.args[1], "-odd"); /* after "--" */
  ck_assert_str_eq(c.model, "m.ini");
  ck_assert_int_eq(parse(&spec, "--count 1.5", &c), 2);
  ck_assert_int_eq(parse(&spec, "--x nan", &c), 2);
  ck_assert_int_eq(parse(&spec, "--x 1e999", &c), 2);
  ck_assert_int_eq(parse(&spec, "--count 99999999999", &c), 2);
  ck_assert_int_eq(parse(&spec, "--help", &c), 0); /* help text on stdout */
}
END_TEST

START_TEST(test_numbers) {
  double d;
  int i;
  uint64_t u;
  ck_assert_int_eq(accq_cli_parse_double("0.1", &d), 0);
  ck_assert(d == 0.1);
  ck_assert_int_eq(accq_cli_parse_double("1e-310", &d), 0); /* subnormal: fine */
  const char *bad[] = {"", "inf", "-inf", "nan", "1e309", "1,5", "0x", " ", "1 "};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    ck_assert_msg(accq_cli_parse_double(bad[k], &d) == -1, "'%s' accepted", bad[k]);
  ck_assert_int_eq(accq_cli_parse_int("-2147483648", &i), 0);
  ck_assert_int_eq(i, -2147483647 - 1);
  ck_assert_int_eq(accq_cli_parse_int("2147483648", &i), -1);
  ck_assert_int_eq(accq_cli_parse_u64("+1", &u), -1);
  ck_assert_int_eq(accq_cli_parse_u64("0", &u), 0);
}
END_TEST

/* Whole numbers: exponent forms when whole (2e7 = 20000000 exactly), plain
 * digits exact to the last digit, no fraction, hex, inf, nan or blanks. */
START_TEST(test_whole_numbers) {
  int64_t w;
  int i;
  uint64_t u;
  double d;
  ck_assert_int_eq(accq_cli_parse_whole("2e7", &w), 0);
  ck_assert(w == 20000000);
  ck_assert_int_eq(accq_cli_parse_whole("1E5", &w), 0);
  ck_assert(w == 100000);
  ck_assert_int_eq(accq_cli_parse_whole("2.5e3", &w), 0);
  ck_assert(w == 2500);
  ck_assert_int_eq(accq_cli_parse_whole("-3", &w), 0);
  ck_assert(w == -3);
  /* read in decimal, never through a double: 2^53 + 1 (not a double) and
   * exponent forms beyond 2^53 are exact */
  ck_assert_int_eq(accq_cli_parse_whole("9007199254740993", &w), 0);
  ck_assert(w == 9007199254740993LL);
  ck_assert_int_eq(accq_cli_parse_whole("9.007199254740993e15", &w), 0);
  ck_assert(w == 9007199254740993LL);
  ck_assert_int_eq(accq_cli_parse_whole("1e18", &w), 0);
  ck_assert(w == 1000000000000000000LL);
  ck_assert_int_eq(accq_cli_parse_whole("150e-1", &w), 0); /* trailing zeros absorb it */
  ck_assert(w == 15);
  ck_assert_int_eq(accq_cli_parse_whole("-9223372036854775808", &w), 0);
  ck_assert(w == INT64_MIN);
  ck_assert_int_eq(accq_cli_parse_whole("0.0e5", &w), 0);
  ck_assert(w == 0);
  const char *bad[] = {"", "1.5", "2e-1", "0x10", "inf", "nan", " 1", "1 ", "1e", "e5", "--1",
                       "9223372036854775808", "1e19", "1,000", ".", "1..0", "1e5.0", "+-1"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    ck_assert_msg(accq_cli_parse_whole(bad[k], &w) == -1, "'%s' accepted", bad[k]);
  ck_assert_int_eq(accq_cli_parse_int("2e9", &i), 0);
  ck_assert_int_eq(i, 2000000000);
  ck_assert_int_eq(accq_cli_parse_int("3e9", &i), -1); /* beyond int */
  ck_assert_int_eq(accq_cli_parse_u64("1e3", &u), 0);
  ck_assert(u == 1000);
  ck_assert_int_eq(accq_cli_parse_u64("1e19", &u), 0); /* above INT64_MAX, below UINT64_MAX */
  ck_assert(u == 10000000000000000000ULL);
  ck_assert_int_eq(accq_cli_parse_u64("2e19", &u), -1);
  ck_assert_int_eq(accq_cli_parse_u64("-1e3", &u), -1);
  ck_assert_int_eq(accq_cli_parse_double_inf("inf", &d), 0);
  ck_assert(isinf(d) && d > 0);
  ck_assert_int_eq(accq_cli_parse_double_inf("Infinity", &d), 0);
  ck_assert_int_eq(accq_cli_parse_double_inf("-inf", &d), -1);
  ck_assert_int_eq(accq_cli_parse_double_inf("nan", &d), -1);
  ck_assert_int_eq(accq_cli_parse_double("0x1p3", &d), -1); /* strtod's hex: refused */
}
END_TEST

/* Each kind's range through accq_cli_parse: accepted values land in the
 * target, refused ones give exit 2 and leave "not given" (0) in place. */
START_TEST(test_option_kinds) {
  int count = 0, count0 = -1;
  int64_t size = 0;
  double pos = 0, posinf = 0, nonneg = -1, prob = 0;
  const accq_cli_opt_t opts[] = {{"count", 0, ACCQ_OPT_COUNT, &count, "N", "count"},
                                 {"count0", 0, ACCQ_OPT_COUNT0, &count0, "N", "count0"},
                                 {"size", 0, ACCQ_OPT_SIZE, &size, "N", "size"},
                                 {"pos", 0, ACCQ_OPT_POSITIVE, &pos, "X", "pos"},
                                 {"posinf", 0, ACCQ_OPT_POSITIVE_INF, &posinf, "X", "posinf"},
                                 {"nonneg", 0, ACCQ_OPT_NONNEG, &nonneg, "X", "nonneg"},
                                 {"prob", 0, ACCQ_OPT_PROB, &prob, "P", "prob"},
                                 {0}};
  const accq_cli_spec_t spec = {"cmd", "[MODEL]", NULL, 0, opts, 0, 1};
  accq_cli_t c;
  ck_assert_int_eq(parse(&spec,
                         "--count 1e5 --count0 0 --size 1e18 --pos 1e-300 --posinf inf "
                         "--nonneg 0 --prob 0.5",
                         &c),
                   -1);
  ck_assert_int_eq(count, 100000);
  ck_assert_int_eq(count0, 0);
  ck_assert(size == 1000000000000000000LL);
  ck_assert(pos == 1e-300);
  ck_assert(isinf(posinf));
  ck_assert(nonneg == 0);
  ck_assert(prob == 0.5);
  ck_assert_int_eq(parse(&spec, "--size 2e7", &c), -1);
  ck_assert(size == 20000000);
  ck_assert_int_eq(parse(&spec, "--size 9223372036854775807", &c), 2); /* above 9.2e18 */
  const char *bad[] = {"--count 0",   "--count -1",  "--count 1.5",  "--count 3e9",
                       "--count0 -1", "--size 0",    "--size -2e7",  "--pos 0",
                       "--pos -1",    "--pos inf",   "--posinf 0",   "--posinf -inf",
                       "--nonneg -1e-300", "--nonneg inf", "--prob 0", "--prob 1",
                       "--prob nan",  "--count inf", "--size 0x10"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    ck_assert_msg(parse(&spec, bad[k], &c) == 2, "'%s' was accepted", bad[k]);
}
END_TEST

/* ---- end to end: every command ---------------------------------------------------- */

static const char *two_tier(void) {
  static char path[1024];
  snprintf(path, sizeof path, "'%s'", accq_src_path("models/two-tier.ini"));
  return path;
}

/* Runs `accq CMD`, expects exit `want`; with want 2, stderr must name the
 * option and quote the value. */
static void expect(const char *cmd, int want, const char *opt, const char *value) {
  char args[2048], *out = NULL, *err = NULL;
  snprintf(args, sizeof args, cmd, two_tier());
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == want, "accq %s: exit %d (want %d)\nstdout: %s\nstderr: %s", args, rc, want,
                out, err);
  if (want == 2) {
    char quoted[128];
    snprintf(quoted, sizeof quoted, "'%s'", value);
    ck_assert_msg(strstr(err, opt) && strstr(err, quoted),
                  "accq %s: the message does not name %s and %s: %s", args, opt, quoted, err);
  }
  free(out);
  free(err);
}

/* Issue example: `--max-states 2e7` worked in solve only and was refused by
 * sweep, converge, verify and optimal, whose help prints 2e7-style defaults. */
START_TEST(test_max_states_2e7_everywhere) {
  expect("solve %s -p pop --buffer 5 --max-states 2e7 -q", 0, NULL, NULL);
  expect("sweep %s -p pop --vary load=0.5:0.5:1 --max-states 2e7 -q", 0, NULL, NULL);
  expect("converge %s --scales 1 --set system.load=0.5 --max-states 2e7 -q", 0, NULL, NULL);
  expect("verify %s --claims 2 --loads 0.3 --scales 1 --sim-scales 4 --jobs 1e4 "
         "--max-states 2e7 -q",
         0, NULL, NULL);
  expect("optimal %s --buffer 2 --no-compare --max-states 2e7 -q", 0, NULL, NULL);
  /* inf where it means something: no time limit */
  expect("optimal %s --buffer 2 --no-compare --time-limit inf -q", 0, NULL, NULL);
  /* and a fraction is refused everywhere, naming the value */
  const char *cmds[] = {"solve %s -p pop --max-states 2.5", "sweep %s --vary load=0.5:0.5:1 --max-states 2.5",
                        "converge %s --max-states 2.5", "verify %s --max-states 2.5",
                        "optimal %s --max-states 2.5"};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) expect(cmds[i], 2, "--max-states", "2.5");
}
END_TEST

/* Issue examples: 0 silently meant "the default" (`simulate --replications 0`,
 * `optimal --buffer 0`, `verify --jobs 0`); now every count refuses 0 and
 * negative values with exit 2 and the value in the message. */
START_TEST(test_zero_and_negative_refused) {
  static const struct {
    const char *cmd, *opt, *value;
  } cases[] = {
      {"simulate %s --replications 0", "--replications", "0"},
      {"simulate %s -r -3", "-r", "-3"},
      {"simulate %s --buffer 0", "--buffer", "0"},
      {"simulate %s --jobs 0", "--jobs", "0"},
      {"optimal %s --buffer 0", "--buffer", "0"},
      {"optimal %s --scale 0", "--scale", "0"},
      {"optimal %s --max-states 0", "--max-states", "0"},
      {"optimal %s --show -1", "--show", "-1"},
      {"verify %s --jobs 0", "--jobs", "0"},
      {"verify %s --replications 0", "--replications", "0"},
      {"verify %s --max-buffer 0", "--max-buffer", "0"},
      {"verify %s --max-states -1", "--max-states", "-1"},
      {"solve %s --scale 0", "--scale", "0"},
      {"solve %s --max-buffer 0", "--max-buffer", "0"},
      {"solve %s --max-states 0", "--max-states", "0"},
      {"solve %s --buffer 0", "--buffer", "0"},
      {"solve %s --tol 0", "--tol", "0"},
      {"solve %s --spectrum 0", "--spectrum", "0"},
      {"sweep %s --vary load=0.5:0.5:1 --replications 0", "--replications", "0"},
      {"sweep %s --vary load=0.5:0.5:1 --jobs 0", "--jobs", "0"},
      {"sweep %s --vary load=0.5:0.5:1 --max-buffer -1", "--max-buffer", "-1"},
      {"sweep %s --vary load=0.5:0.5:1 --max-states 0", "--max-states", "0"},
      {"converge %s --replications 0", "--replications", "0"},
      {"converge %s --jobs -5", "--jobs", "-5"},
      {"converge %s --max-buffer 0", "--max-buffer", "0"},
      {"converge %s --scales 0,1", "--scales", "0"},
      {"crosscheck %s --replications 0", "--replications", "0"},
      {"crosscheck %s --max-buffer 0", "--max-buffer", "0"},
      {"crosscheck %s --alpha 0", "--alpha", "0"},
      {"crosscheck %s --buffer 0", "--buffer", "0"},
      {"golden %s --buffer 0", "--buffer", "0"},
      {"optimal %s --time-limit 0", "--time-limit", "0"},
      {"optimal %s --time-limit -inf", "--time-limit", "-inf"},
      {"optimal %s --shed --min-admitted-rate 0", "--min-admitted-rate", "0"},
      {"limit %s --q-max 0", "--q-max", "0"},
      {"sweep %s --vary load=0.5:0.5:1 --threads 0", "--threads", "0"},
      {"solve %s -p pop --scale 1.5", "--scale", "1.5"},
      {"simulate %s --replications 2.5", "--replications", "2.5"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect(cases[i].cmd, 2, cases[i].opt, cases[i].value);
}
END_TEST

/* The same parser everywhere: exponent forms for counts (1e5 jobs, 2e1
 * buffer) are taken where a whole number is expected. */
START_TEST(test_exponent_counts_accepted) {
  expect("solve %s -p pop --buffer 1e1 --max-buffer 2e2 -q", 0, NULL, NULL);
  expect("simulate %s -p pop --replications 2e0 --jobs 1e4 -q", 0, NULL, NULL);
  expect("sweep %s -p pop --vary load=0.5:0.5:1 --simulate --jobs 1e4 --replications 2 -q", 0,
         NULL, NULL);
}
END_TEST

START_TEST(test_vary) {
  accq_cli_vary_t v;
  accq_err_t err;
  ck_assert_int_eq(accq_cli_vary_parse("load=0.1:0.95:18", &v, &err), 0);
  ck_assert_str_eq(v.key, "system.load");
  ck_assert_int_eq(v.n, 18);
  /* end points exact, evenly spaced in between (step 0.05) */
  ck_assert(accq_cli_vary_value(&v, 0) == 0.1);
  ck_assert(accq_cli_vary_value(&v, 17) == 0.95);
  for (int i = 0; i < 18; i++)
    ACCQ_CK_CLOSE(accq_cli_vary_value(&v, i), 0.1 + 0.05 * i, 1e-15, 1e-15, "grid");
  ck_assert_int_eq(accq_cli_vary_parse("lambda=1:2:1", &v, &err), 0);
  ck_assert_str_eq(v.key, "system.arrival_rate");
  ck_assert(accq_cli_vary_value(&v, 0) == 1.0);
  ck_assert_int_eq(accq_cli_vary_parse("type.small.rate=1:2:2", &v, &err), 0);
  ck_assert_str_eq(v.key, "type.small.rate");
  ck_assert_int_eq(accq_cli_vary_parse("accuracy_target=0.9:0.5:5", &v, &err), 0);
  ck_assert(accq_cli_vary_value(&v, 4) == 0.5); /* descending works */
  const char *bad[] = {"load", "=1:2:3", "load=1:2", "load=1:2:3:4", "load=a:2:3",
                       "load=1:2:0", "load=1:2:2.5", "load=1:2:1000001"};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    ck_assert_msg(accq_cli_vary_parse(bad[k], &v, &err) == ACCQ_EUSAGE, "'%s' accepted", bad[k]);
}
END_TEST

START_TEST(test_progress_off_without_terminal) {
  /* the tests run with stderr redirected: the bar never draws */
  accq_progress_t p;
  accq_progress_start(&p, "x", 10, 0);
  if (!isatty(STDERR_FILENO)) ck_assert_int_eq(p.enabled, 0);
  accq_progress_update(&p, 5);
  ck_assert_int_eq(p.drawn, 0);
  accq_progress_finish(&p);
  accq_progress_start(&p, "x", 10, 1); /* -q turns it off even on a terminal */
  ck_assert_int_eq(p.enabled, 0);
}
END_TEST

int main(void) {
  Suite *s = suite_create("options");
  TCase *tc = tcase_create("parse");
  tcase_add_test(tc, test_common_options);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_command_options);
  tcase_add_test(tc, test_numbers);
  tcase_add_test(tc, test_vary);
  tcase_add_test(tc, test_progress_off_without_terminal);
  tcase_add_test(tc, test_whole_numbers);
  tcase_add_test(tc, test_option_kinds);
  suite_add_tcase(s, tc);
  TCase *e2e = tcase_create("commands");
  tcase_set_timeout(e2e, 300);
  tcase_add_test(e2e, test_max_states_2e7_everywhere);
  tcase_add_test(e2e, test_zero_and_negative_refused);
  tcase_add_test(e2e, test_exponent_counts_accepted);
  suite_add_tcase(s, e2e);
  return accq_run_suite(s);
}
