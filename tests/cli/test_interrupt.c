/* Clean interruption, atomic --out and reproducible output, end to end
 * (issue 7, docs/output.md).
 *
 * - SIGTERM / SIGINT during a long solve, sweep or simulation: the process
 *   exits with 128 + signal (143 / 130, main.c's handler), the --out target
 *   keeps its previous contents (it is only ever replaced by a rename) and no
 *   temporary file is left in its directory.
 * - A finished long run with --out writes exactly what stdout would show.
 * - Repeated runs give byte-identical output: lp in every format, simulate
 *   with a fixed seed (also across --threads), solve except the wall-clock
 *   "seconds" of its solver statistics (masked, see mask_seconds). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  size_t got = fread(buf, 1, (size_t)n, f);
  buf[got] = '\0';
  fclose(f);
  return buf;
}

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[1024];
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

/* Starts accq with argv (NULL-terminated, without the program), sends sig
 * after delay_ms, and returns the exit status (128 + signal when killed by a
 * signal rather than exiting; -1 when it had already finished by itself, as
 * then nothing was interrupted). */
static int run_and_signal(char *const args[], int sig, int delay_ms) {
  char *argv[64];
  int n = 0;
  argv[n++] = (char *)ACCQ_BINARY;
  for (int i = 0; args[i] && n < 63; i++) argv[n++] = args[i];
  argv[n] = NULL;
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(ACCQ_BINARY, argv);
    _exit(127);
  }
  struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  int st;
  if (waitpid(pid, &st, WNOHANG) == pid) return -1; /* finished too early */
  kill(pid, sig);
  ck_assert_int_eq(waitpid(pid, &st, 0), pid);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st) + 1000; /* +1000: killed, not exited */
}

/* The interrupted command must exit (not die) with 128 + sig, leave the
 * previous --out contents and nothing else in the directory. */
static void check_interrupt(const char *const cmd[], int sig) {
  char dir[] = "/tmp/accq-test-intr-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char out[256];
  snprintf(out, sizeof out, "%s/result.txt", dir);
  FILE *f = fopen(out, "w");
  fputs("previous contents\n", f);
  fclose(f);
  char *args[64];
  int n = 0;
  for (int i = 0; cmd[i]; i++) args[n++] = (char *)cmd[i];
  args[n++] = "--out";
  args[n++] = out;
  args[n++] = "-q";
  args[n] = NULL;
  int rc = run_and_signal(args, sig, 500);
  ck_assert_msg(rc != -1, "accq %s finished within 0.5 s: the test needs a longer run", cmd[0]);
  ck_assert_msg(rc == 128 + sig, "accq %s: status %d after signal %d (want exit %d; >1000: killed)",
                cmd[0], rc, sig, 128 + sig);
  char *text = slurp(out);
  ck_assert_ptr_nonnull(text);
  ck_assert_str_eq(text, "previous contents\n");
  free(text);
  ck_assert_msg(count_entries(dir) == 1, "accq %s left a temporary file in %s", cmd[0], dir);
  remove_dir(dir);
}

/* llm-three-tier with jsq at B = 40: ~200k-state chain, seconds to solve
 * in Release (minutes under ASan); the signal comes at 0.5 s. */
START_TEST(test_sigterm_solve) {
  const char *cmd[] = {"solve", accq_src_path("models/llm-three-tier.ini"), "--policy", "jsq",
                       "--buffer", "40", NULL};
  check_interrupt(cmd, SIGTERM);
}
END_TEST

START_TEST(test_sigint_solve) {
  const char *cmd[] = {"solve", accq_src_path("models/llm-three-tier.ini"), "--policy", "jsq",
                       "--buffer", "40", NULL};
  check_interrupt(cmd, SIGINT);
}
END_TEST

START_TEST(test_sigint_sweep) {
  const char *cmd[] = {"sweep", accq_src_path("models/llm-three-tier.ini"), "--policy", "pop",
                       "--vary", "load=0.5:0.95:8", NULL};
  check_interrupt(cmd, SIGINT);
}
END_TEST

START_TEST(test_sigterm_simulate) {
  const char *cmd[] = {"simulate", accq_src_path("models/two-tier.ini"), "--policy", "rjiq",
                       "-r", "10", "-n", "2000000", NULL};
  check_interrupt(cmd, SIGTERM);
}
END_TEST

/* A finished long run: --out holds exactly what stdout shows (simulate with a
 * fixed seed is deterministic), and nothing else is left in the directory. */
START_TEST(test_out_complete) {
  char dir[] = "/tmp/accq-test-out-XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char args[4096], out[256];
  snprintf(out, sizeof out, "%s/sim.json", dir);
  const char *base = "simulate '%s' --policy rjiq,pop -r 4 -n 200000 --seed 11 --format json -q";
  char cmd[2048];
  snprintf(cmd, sizeof cmd, base, accq_src_path("models/two-tier.ini"));
  snprintf(args, sizeof args, "%s --out '%s'", cmd, out);
  char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL;
  ck_assert_int_eq(accq_run(args, &o1, &e1), 0);
  ck_assert_str_eq(o1, ""); /* nothing on stdout with --out */
  ck_assert_int_eq(accq_run(cmd, &o2, &e2), 0);
  char *file = slurp(out);
  ck_assert_ptr_nonnull(file);
  ck_assert_msg(strlen(file) > 100, "short output: %s", file);
  /* the same bytes but for the provenance (the command line has --out) */
  ck_assert_str_eq(accq_strip_provenance(file), accq_strip_provenance(o2));
  ck_assert_int_eq(count_entries(dir), 1);
  free(file);
  free(o1);
  free(e1);
  free(o2);
  free(e2);
  remove_dir(dir);
}
END_TEST

static char *run_ok(const char *args) {
  char *out = NULL, *err = NULL;
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "accq %s: exit %d: %s", args, rc, err);
  free(err);
  /* the provenance (date, command line) differs between runs by design */
  return accq_strip_provenance(out);
}

/* Replaces the number after every "seconds": by 0 (wall-clock time is the
 * one thing a solve cannot repeat). */
static void mask_seconds(char *s) {
  char *p = s;
  while ((p = strstr(p, "\"seconds\": "))) {
    p += strlen("\"seconds\": ");
    char *q = p;
    while (*q && strchr("0123456789.eE+-", *q)) q++;
    memmove(p + 1, q, strlen(q) + 1);
    *p = '0';
  }
}

START_TEST(test_repeat_identical) {
  const char *formats[] = {"text", "csv", "json", "markdown", "latex"};
  char args[4096];
  for (int f = 0; f < 5; f++) {
    snprintf(args, sizeof args, "lp '%s' --format %s", accq_src_path("models/llm-three-tier.ini"),
             formats[f]);
    char *a = run_ok(args), *b = run_ok(args);
    ck_assert_msg(!strcmp(a, b), "accq %s differs between two runs", args);
    free(a);
    free(b);
  }
  snprintf(args, sizeof args, "lp '%s' --exact --vary load=0.1:0.9:5 --format json",
           accq_src_path("models/two-tier.ini"));
  char *a = run_ok(args), *b = run_ok(args);
  ck_assert_str_eq(a, b);
  free(a);
  free(b);

  snprintf(args, sizeof args, "solve '%s' --policy all --buffer 6 --format json",
           accq_src_path("models/two-tier.ini"));
  a = run_ok(args);
  b = run_ok(args);
  mask_seconds(a);
  mask_seconds(b);
  ck_assert_msg(strstr(a, "\"seconds\": 0"), "no solver seconds found to mask: %s", a);
  ck_assert_str_eq(a, b);
  free(a);
  free(b);

  /* the simulator: same seed, same bytes, for any --threads */
  char args2[4200];
  snprintf(args, sizeof args, "simulate '%s' --policy rjiq,pop,jsq -r 4 -n 20000 --seed 5 --format json",
           accq_src_path("models/llm-three-tier.ini"));
  snprintf(args2, sizeof args2, "%s --threads 2", args);
  a = run_ok(args);
  b = run_ok(args);
  char *c = run_ok(args2);
  ck_assert_str_eq(a, b);
  ck_assert_str_eq(a, c);
  free(a);
  free(b);
  free(c);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("interrupt");
  TCase *tc = tcase_create("signals");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_sigterm_solve);
  tcase_add_test(tc, test_sigint_solve);
  tcase_add_test(tc, test_sigint_sweep);
  tcase_add_test(tc, test_sigterm_simulate);
  suite_add_tcase(s, tc);
  TCase *to = tcase_create("output");
  tcase_set_timeout(to, 300);
  tcase_add_test(to, test_out_complete);
  tcase_add_test(to, test_repeat_identical);
  suite_add_tcase(s, to);
  return s;
}

int main(void) { return accq_run_suite(suite()); }
