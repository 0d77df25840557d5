/* Fuzz target for command-line parsing: accq_cli_parse against a spec with
 * every option kind and every common option, then --vary, --format, number
 * lists and strict numbers on each argument.
 *
 * Input layout: NUL-separated arguments (at most 64); argv[0] is "fuzz".
 * accq_cli_parse prints usage errors and --help; run libFuzzer with
 * -close_fd_mask=3 to keep them quiet. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/report.h"
#include "cli/cli.h"
#include "cli/numlist.h"

#define MAX_ARGS 64

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_cli: %s: %s\n", what, detail);
  abort();
}

static void check_strings(const char *s) {
  accq_cli_vary_t v;
  accq_err_t err;
  int st = accq_cli_vary_parse(s, &v, &err);
  if (st) {
    if (st != ACCQ_EUSAGE || !memchr(err.msg, '\0', sizeof err.msg) || !err.msg[0])
      fail("accq_cli_vary_parse", "bad error report");
  } else {
    if (v.n < 1 || v.n > 1000000 || !isfinite(v.from) || !isfinite(v.to))
      fail("accq_cli_vary_parse", "range out of its documented bounds");
    if (!memchr(v.param, '\0', sizeof v.param) || !memchr(v.key, '\0', sizeof v.key))
      fail("accq_cli_vary_parse", "names not terminated");
    if (accq_cli_vary_value(&v, 0) != v.from || accq_cli_vary_value(&v, v.n - 1) != (v.n > 1 ? v.to : v.from))
      fail("accq_cli_vary_value", "end points not exact");
    for (int i = 0; i < v.n && i < 8; i++)
      if (!isfinite(accq_cli_vary_value(&v, i))) fail("accq_cli_vary_value", "not finite");
    accq_model_t m;
    if (accq_model_default(&m, &err)) fail("accq_model_default", err.msg);
    accq_cli_vary_apply(&v, 0, &m, &err);
  }
  accq_format_t f;
  if (accq_format_parse(s, &f, &err) == 0 && accq_format_name(f) == NULL)
    fail("accq_format_parse", "format without a name");
  double d[16];
  int iv[16], n;
  if (accq_cli_parse_doubles(s, d, 16, &n) == 0 && (n < 1 || n > 16)) fail("numlist", "count");
  if (accq_cli_parse_ints(s, iv, 16, &n) == 0 && (n < 1 || n > 16)) fail("numlist", "count");
  double x;
  if (accq_cli_parse_double(s, &x) == 0 && !isfinite(x)) fail("accq_cli_parse_double", "not finite");
  int i;
  accq_cli_parse_int(s, &i);
  uint64_t u;
  accq_cli_parse_u64(s, &u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 8192) return 0;
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *argv[MAX_ARGS + 2];
  int argc = 0;
  argv[argc++] = "fuzz";
  size_t pos = 0;
  while (pos < size && argc <= MAX_ARGS) {
    argv[argc++] = buf + pos;
    pos += strlen(buf + pos) + 1;
  }
  argv[argc] = NULL;

  const char *policy = NULL;
  int n = 0, flag = 0;
  double tol = 0;
  accq_cli_list_t vary = {0};
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policy, "P", "policies"},
      {"max-states", 'n', ACCQ_OPT_INT, &n, "N", "limit"},
      {"tol", 0, ACCQ_OPT_DOUBLE, &tol, "X", "tolerance"},
      {"exact", 'x', ACCQ_OPT_FLAG, &flag, NULL, "flag"},
      {"vary", 0, ACCQ_OPT_LIST, &vary, "P=A:B:N", "ranges"},
      {0}};
  const accq_cli_spec_t spec = {"fuzz", "[MODEL] [options]", "fuzz target", ACCQ_CLI_ALL, opts, 0, 3};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc != -1 && rc != 0 && rc != 2) fail("accq_cli_parse", "unexpected return value");
  if (rc == -1) {
    if (cli.nargs > 3 || cli.sets.n > ACCQ_CLI_LIST_MAX || vary.n > ACCQ_CLI_LIST_MAX)
      fail("accq_cli_parse", "counts beyond their limits");
    if (cli.threads < 1 || cli.digits < 0 || cli.digits > 17) fail("accq_cli_parse", "bad values");
    /* the --set values through the model (what accq_cli_load_model does) */
    accq_model_t m;
    accq_err_t err;
    if (accq_model_parse_string(&m, "[system]\narrival_rate=1\naccuracy_target=0.5\n"
                                    "[type a]\nservers=1\nrate=1\naccuracy=0.4\n"
                                    "[type b]\nservers=2\nrate=3\naccuracy=0.7\n",
                                "<fuzz>", cli.sets.v, cli.sets.n, &err) &&
        !err.msg[0])
      fail("accq_model_parse_string", "error without a message");
    for (int k = 0; k < vary.n; k++) check_strings(vary.v[k]);
  }
  for (int k = 1; k < argc; k++) check_strings(argv[k]);
  free(buf);
  return 0;
}
