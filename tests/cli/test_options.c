/* The common option parser of every command (src/cli/options.c, compiled into
 * this test directly since the CLI is not part of the library): every common
 * option, command-specific option kinds, strict numbers, --vary ranges. */
#include <stdio.h>
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
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
