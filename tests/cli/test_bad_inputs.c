/* A catalogue of bad inputs, each run end to end through the accq binary
 * (issue 7).  Every case states its exit status (docs/output.md: 2 bad usage or
 * model, 3 numerical failure / too large / out of memory, 4 no answer) and a
 * substring of the message on stderr.  For every case: the process exits
 * normally (status < 128, no signal), stderr carries no sanitizer report, and
 * a refusal of a bad model or option (exit 2) prints nothing on stdout.
 *
 * Expected statuses and messages come from docs/output.md (statuses) and the
 * refusal messages of the model, policy, chain and CLI modules (each case
 * names the offending value).  In the sanitizer build ACCQ_BINARY is the
 * instrumented accq, so the same table runs under ASan/UBSan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define SYS "[system]\narrival_rate = 1\naccuracy_target = 0.5\n"
#define TYPE_A "[type a]\nservers = 1\nrate = 1\naccuracy = 0.6\n"
#define GOOD SYS TYPE_A

enum { F_NONE = 0, F_GARBAGE, F_TYPES40, F_TYPES32, F_LONGLINE };

typedef struct {
  const char *name;
  const char *file;   /* model text written to a temporary file, or NULL */
  int special;        /* F_*: a generated file instead of `file` */
  const char *args;   /* shell fragment; %1$s is the model path (the temporary
                         file, else models/two-tier.ini) */
  int want;           /* exit status */
  const char *msg;    /* substring of stderr */
} bad_case_t;

static const bad_case_t cases[] = {
    /* ---- malformed INI ---- */
    {"unterminated section header", "[system\narrival_rate = 1\n", 0, "lp '%1$s'", 2,
     "malformed section header"},
    {"key before any section", "arrival_rate = 1\n" GOOD, 0, "lp '%1$s'", 2, "before any section"},
    {"unknown section", GOOD "[foo]\nx = 1\n", 0, "lp '%1$s'", 2, "unknown section '[foo]'"},
    {"unknown key", SYS "colour = red\n" TYPE_A, 0, "lp '%1$s'", 2, "unknown key 'colour'"},
    {"duplicate type", GOOD TYPE_A, 0, "lp '%1$s'", 2, "duplicate type 'a'"},
    {"empty file", "", 0, "lp '%1$s'", 2, "missing [system] section"},
    {"no type section", SYS, 0, "lp '%1$s'", 2, "no [type NAME] section"},
    {"missing rate", SYS "[type a]\nservers = 1\naccuracy = 0.6\n", 0, "lp '%1$s'", 2,
     "missing the required key 'rate'"},
    {"both arrival_rate and load", SYS "load = 0.5\n" TYPE_A, 0, "lp '%1$s'", 2,
     "both arrival_rate"},
    {"neither arrival_rate nor load", "[system]\naccuracy_target = 0.5\n" TYPE_A, 0, "lp '%1$s'", 2,
     "needs arrival_rate or load"},
    {"empty value", "[system]\narrival_rate =\naccuracy_target = 0.5\n" TYPE_A, 0, "lp '%1$s'", 2,
     "has no value"},
    {"two numbers in one value", "[system]\narrival_rate = 1 2\naccuracy_target = 0.5\n" TYPE_A, 0,
     "lp '%1$s'", 2, "trailing text"},
    {"line too long", NULL, F_LONGLINE, "lp '%1$s'", 2, "line too long"},
    {"type name too long", SYS "[type " "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
     "]\nservers = 1\nrate = 1\naccuracy = 0.6\n", 0, "lp '%1$s'", 2, "longer than 63"},
    /* ---- bad numbers ---- */
    {"NaN rate in the file", SYS "[type a]\nservers = 1\nrate = nan\naccuracy = 0.6\n", 0,
     "lp '%1$s'", 2, "rate 'nan' is not a finite number"},
    {"inf rate in the file", SYS "[type a]\nservers = 1\nrate = inf\naccuracy = 0.6\n", 0,
     "lp '%1$s'", 2, "rate 'inf' is not a finite number"},
    {"NaN rate by --set", NULL, 0, "lp '%1$s' --set type.small.rate=nan", 2,
     "rate 'nan' is not a finite number"},
    {"-inf arrival rate by --set", NULL, 0, "lp '%1$s' --set system.arrival_rate=-inf", 2,
     "'-inf'"},
    {"negative rate", NULL, 0, "lp '%1$s' --set type.small.rate=-1", 2, "rate '-1' must be > 0"},
    {"zero rate", NULL, 0, "lp '%1$s' --set type.small.rate=0", 2, "rate '0' must be > 0"},
    {"rate 1e308", NULL, 0, "lp '%1$s' --set type.small.rate=1e308", 2,
     "rate '1e308' must be in [1e-09, 1e+09]"},
    {"arrival rate 1e308", NULL, 0, "lp '%1$s' --set system.arrival_rate=1e308", 2,
     "arrival_rate '1e308'"},
    {"denormal arrival rate", NULL, 0, "lp '%1$s' --set system.arrival_rate=0x1p-1074", 2,
     "magnitude limits"},
    {"zero load", NULL, 0, "lp '%1$s' --set system.load=0", 2, "load '0' must be > 0"},
    {"a* above 1", NULL, 0, "lp '%1$s' --set system.accuracy_target=1.5", 2,
     "accuracy_target '1.5' must be in [0, 1]"},
    {"a* below 0", NULL, 0, "lp '%1$s' --set system.accuracy_target=-0.1", 2,
     "accuracy_target '-0.1' must be in [0, 1]"},
    {"type accuracy above 1", NULL, 0, "lp '%1$s' --set type.large.accuracy=1.01", 2,
     "accuracy '1.01'"},
    {"fractional servers", SYS "[type a]\nservers = 1.5\nrate = 1\naccuracy = 0.6\n", 0,
     "lp '%1$s'", 2, "servers '1.5' must be an integer"},
    {"zero servers", NULL, 0, "lp '%1$s' --set type.small.servers=0", 2,
     "servers '0' must be an integer in [1, 1000000]"},
    {"servers beyond 64 bits", NULL, 0, "lp '%1$s' --set type.small.servers=99999999999999999999", 2,
     "servers '99999999999999999999'"},
    {"negative buffer", NULL, 0, "lp '%1$s' --set system.buffer=-3", 2, "buffer '-3'"},
    {"zero scale", NULL, 0, "lp '%1$s' --set system.scale=0", 2, "scale '0'"},
    {"Erlang with 0 phases", NULL, 0, "lp '%1$s' --set type.small.service=erlang:0", 2,
     "bad phase count"},
    {"unknown service", NULL, 0, "lp '%1$s' --set type.small.service=weibull", 2,
     "service 'weibull' is not one of"},
    /* ---- no answer (4) ---- */
    {"arrival rate beyond Lambda_max", NULL, 0, "lp '%1$s' --set system.arrival_rate=100", 4,
     "beyond Lambda_max"},
    {"a* above every accuracy", NULL, 0, "lp '%1$s' --set system.accuracy_target=0.95", 4,
     "above every type's accuracy"},
    {"rjiq beyond Lambda_max", NULL, 0, "solve '%1$s' --policy rjiq --set system.arrival_rate=2", 4,
     "exceeds Lambda_max(a*) = 1.4999999999999998"}, /* shortest round trip (accq/fmt.h) */
    /* ---- bad --set / --vary / options ---- */
    {"--set without a dot", NULL, 0, "lp '%1$s' --set nodot", 2, "needs section.key=value"},
    {"--set without =", NULL, 0, "lp '%1$s' --set system.arrival_rate", 2,
     "needs section.key=value"},
    {"--set unknown key", NULL, 0, "lp '%1$s' --set system.nokey=1", 2, "nokey"},
    {"--set unknown type", NULL, 0, "lp '%1$s' --set type.nosuch.rate=1", 2, "nosuch"},
    {"--vary without N", NULL, 0, "lp '%1$s' --vary load=1:2", 2, "PARAM=FROM:TO:N"},
    {"--vary bad FROM", NULL, 0, "lp '%1$s' --vary load=a:2:3", 2, "FROM is not a finite number"},
    {"--vary N = 0", NULL, 0, "lp '%1$s' --vary load=0.1:0.9:0", 2, "N must be a whole number"},
    {"--vary empty name", NULL, 0, "lp '%1$s' --vary =0.1:0.9:3", 2, "--vary"},
    {"sweep --vary unknown parameter", NULL, 0, "sweep '%1$s' --policy rjiq --vary nosuch=1:2:3", 2,
     "unknown parameter 'nosuch'"},
    {"unknown policy", NULL, 0, "solve '%1$s' --policy nosuch", 2, "unknown policy 'nosuch'"},
    {"pod:0", NULL, 0, "solve '%1$s' --policy pod:0", 2, "D must be an integer >= 1"},
    {"rjiq:abc", NULL, 0, "solve '%1$s' --policy rjiq:abc", 2, "'abc' is not a number"},
    {"unknown solver", NULL, 0, "solve '%1$s' --policy jsq --solver magic", 2,
     "unknown solver 'magic'"},
    {"--tol nan", NULL, 0, "solve '%1$s' --policy jsq --tol nan", 2, "needs a finite number"},
    {"--tol 0", NULL, 0, "solve '%1$s' --policy jsq --tol 0", 2,
     "--tol needs a finite number strictly between 0 and 1 (got '0')"},
    {"--scale 0", NULL, 0, "solve '%1$s' --policy jsq --scale 0", 2,
     "--scale needs a whole number from 1 to 2147483647 (got '0')"},
    {"--buffer 0", NULL, 0, "solve '%1$s' --policy jsq --buffer 0", 2,
     "--buffer needs a whole number >= 1 or auto (got '0')"},
    {"--max-states -5", NULL, 0, "solve '%1$s' --policy jsq --max-states -5", 2,
     "--max-states needs a whole number"},
    {"--digits 99", NULL, 0, "lp '%1$s' --digits 99", 2, "from 1 to 17"},
    {"unknown format", NULL, 0, "lp '%1$s' --format xml", 2, "unknown format 'xml'"},
    {"missing option value", NULL, 0, "solve '%1$s' --policy", 2, "--policy needs a value"},
    {"unknown option", NULL, 0, "lp '%1$s' --bogus", 2, "unknown option '--bogus'"},
    {"too many arguments", NULL, 0, "lp '%1$s' extra1 extra2", 2, "unexpected argument"},
    {"unknown command", NULL, 0, "nosuchcmd", 2, "unknown command 'nosuchcmd'"},
    {"no command", NULL, 0, "", 2, "usage: accq COMMAND"},
    {"--out in a missing directory", NULL, 0, "lp '%1$s' --out /nonexistent-accq-dir/x.txt", 2,
     "/nonexistent-accq-dir/x.txt"},
    /* ---- files ---- */
    {"missing file", NULL, 0, "lp /nonexistent-accq-model.ini", 2, "No such file or directory"},
    {"directory as model", NULL, 0, "lp /tmp", 2, "is a directory"},
    {"path through a file", NULL, 0, "lp '%1$s/x.ini'", 2, "Not a directory"},
    {"unreadable file (EIO)", NULL, 0, "lp /proc/self/mem", 2, "/proc/self/mem"},
    {"binary garbage", NULL, F_GARBAGE, "lp '%1$s'", 2, "binary data"},
    {"40 types", NULL, F_TYPES40, "lp '%1$s'", 2, "too many types"},
    /* ---- too large (3) ---- */
    {"32 types: state count over 2^63", NULL, F_TYPES32, "solve '%1$s' --policy jsq", 3,
     "over 2^63"},
    {"scale and buffer 1e6: over 2^63", NULL, 0,
     "solve '%1$s' --policy jsq --scale 1000000 --buffer 1000000", 3, "over 2^63"},
    {"out of memory: refused with the estimate", NULL, 0,
     "solve '%1$s' --policy jsq --buffer 200 --scale 3 --max-states 1e18", 3, "GiB"},
    {"over --max-states", NULL, 0, "solve '%1$s' --policy jsq --buffer 10 --max-states 10", 3,
     "limits: 10 states"},
};
#define NCASES ((int)(sizeof cases / sizeof cases[0]))

static const char *write_special(int special) {
  size_t cap = 200000, n = 0;
  char *text = malloc(cap);
  ck_assert_ptr_nonnull(text);
  text[0] = '\0';
  const char *path = NULL;
  if (special == F_GARBAGE) {
    /* 4096 pseudo-random bytes (fixed LCG), NULs and high bytes included */
    static char buf[] = "/tmp/accq-test-garbage-XXXXXX";
    int fd = mkstemp(buf);
    ck_assert_int_ge(fd, 0);
    unsigned char bytes[4096];
    unsigned long long x = 12345;
    for (size_t i = 0; i < sizeof bytes; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      bytes[i] = (unsigned char)(x >> 56);
    }
    ck_assert_int_eq((int)write(fd, bytes, sizeof bytes), (int)sizeof bytes);
    close(fd);
    free(text);
    return buf;
  }
  if (special == F_TYPES40 || special == F_TYPES32) {
    n += (size_t)snprintf(text + n, cap - n, "%s", SYS);
    int k = special == F_TYPES40 ? 40 : 32;
    for (int i = 0; i < k; i++)
      n += (size_t)snprintf(text + n, cap - n,
                            "[type t%d]\nservers = 1\nrate = 1\naccuracy = 0.6\n", i);
  } else if (special == F_LONGLINE) {
    n += (size_t)snprintf(text + n, cap - n, "[system]\nname = ");
    memset(text + n, 'x', 100000);
    n += 100000;
    text[n++] = '\n';
    text[n] = '\0';
  }
  path = accq_tmp_file(text, ".ini");
  free(text);
  return path;
}

START_TEST(test_bad_input) {
  const bad_case_t *c = &cases[_i];
  char path[4096];
  const char *tmp = NULL;
  if (c->special)
    tmp = write_special(c->special);
  else if (c->file)
    tmp = accq_tmp_file(c->file, ".ini");
  if (c->special || c->file) ck_assert_msg(tmp != NULL, "%s: cannot write the model", c->name);
  snprintf(path, sizeof path, "%s", tmp ? tmp : accq_src_path("models/two-tier.ini"));
  char args[8192];
  snprintf(args, sizeof args, c->args, path);
  char *out = NULL, *err = NULL;
  int rc = accq_run(args, &out, &err);
  if (tmp) unlink(path);
  ck_assert_msg(rc >= 0 && rc < 128, "[%s] accq %s: killed or crashed (status %d); stderr: %s",
                c->name, args, rc, err);
  ck_assert_msg(rc == c->want, "[%s] accq %s: exit %d, want %d; stderr: %s", c->name, args, rc,
                c->want, err);
  ck_assert_msg(strstr(err, c->msg) != NULL, "[%s] accq %s: stderr lacks '%s': %s", c->name, args,
                c->msg, err);
  ck_assert_msg(!strstr(err, "Sanitizer") && !strstr(err, "runtime error"),
                "[%s] accq %s: sanitizer report: %s", c->name, args, err);
  if (c->want == 2)
    ck_assert_msg(out[0] == '\0', "[%s] accq %s: refused but printed on stdout: %s", c->name, args,
                  out);
  free(out);
  free(err);
}
END_TEST

/* A file without read permission.  root reads it anyway, so there the case
 * checks that accq then reads it as a model (exit 0) instead. */
START_TEST(test_unreadable_file) {
  const char *p = accq_tmp_file(SYS TYPE_A, ".ini");
  ck_assert_ptr_nonnull(p);
  char path[256], args[512];
  snprintf(path, sizeof path, "%s", p);
  ck_assert_int_eq(chmod(path, 0), 0);
  snprintf(args, sizeof args, "lp '%s'", path);
  char *out = NULL, *err = NULL;
  int rc = accq_run(args, &out, &err);
  unlink(path);
  if (geteuid() == 0) {
    ck_assert_msg(rc == 0, "root: exit %d: %s", rc, err);
  } else {
    ck_assert_msg(rc == 2, "exit %d, want 2: %s", rc, err);
    ck_assert_msg(strstr(err, "Permission denied"), "stderr: %s", err);
  }
  free(out);
  free(err);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("bad_inputs");
  TCase *tc = tcase_create("catalogue");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_bad_input, 0, NCASES);
  tcase_add_test(tc, test_unreadable_file);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  /* the catalogue is the minimum of 40 cases, and more */
  if (NCASES < 40) {
    fprintf(stderr, "only %d cases in the catalogue\n", NCASES);
    return EXIT_FAILURE;
  }
  printf("bad-input catalogue: %d cases\n", NCASES);
  return accq_run_suite(suite());
}
