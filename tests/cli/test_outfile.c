/* --out, --plot: what each kind of target gets (src/report/outfile.c).
 * Regular files are replaced atomically by a rename; devices, FIFOs and
 * /dev/stdout are written directly; symlinks are followed; an input file is
 * refused before computing; a failed write is exit status 3. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/accq-outfile-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  chmod(dir, 0755);
}

static void teardown(void) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *b = calloc(1, 1 << 20);
  size_t n = fread(b, 1, (1 << 20) - 1, f);
  b[n] = '\0';
  fclose(f);
  return b;
}

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

static const char *model(void) { return accq_src_path("models/two-tier.ini"); }

/* What `accq lp MODEL` prints on stdout: the reference every target must get. */
static char *reference(void) {
  char args[512], *out = NULL;
  snprintf(args, sizeof args, "lp '%s'", model());
  ck_assert_int_eq(accq_run(args, &out, NULL), 0);
  ck_assert(strstr(out, "T_LP") || strlen(out) > 100);
  return out;
}

/* A shell command line with its own redirections; returns the exit status. */
static int sh(const char *cmd) {
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(dev_null_stays_a_device) {
  char args[512], *err = NULL;
  snprintf(args, sizeof args, "lp '%s' --out /dev/null", model());
  ck_assert_int_eq(accq_run(args, NULL, &err), 0);
  struct stat st;
  ck_assert_int_eq(stat("/dev/null", &st), 0);
  /* the old behaviour (rename over the target) turned /dev/null into a
   * regular file when run as root */
  ck_assert_msg(S_ISCHR(st.st_mode), "/dev/null is no longer a character device");
  free(err);
}
END_TEST

START_TEST(fifo_reader_gets_the_bytes) {
  char fifo[128], got[128], cmd[1024];
  snprintf(fifo, sizeof fifo, "%s/pipe", dir);
  snprintf(got, sizeof got, "%s/got", dir);
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  /* a reader process (cat) copies what arrives through the FIFO */
  snprintf(cmd, sizeof cmd, "cat '%s' > '%s' & '%s' lp '%s' --out '%s'; s=$?; wait; exit $s",
           fifo, got, ACCQ_BINARY, model(), fifo);
  ck_assert_int_eq(sh(cmd), 0);
  struct stat st;
  ck_assert_int_eq(lstat(fifo, &st), 0);
  ck_assert_msg(S_ISFIFO(st.st_mode), "the FIFO was replaced by a regular file");
  char *ref = reference(), *b = slurp(got);
  ck_assert_ptr_nonnull(b);
  ck_assert_str_eq(b, ref);
  free(ref);
  free(b);
}
END_TEST

START_TEST(symlink_target_replaced) {
  char link[128], target[128], args[512];
  snprintf(link, sizeof link, "%s/link.txt", dir);
  snprintf(target, sizeof target, "%s/target.txt", dir);
  put(target, "old content\n");
  ck_assert_int_eq(symlink("target.txt", link), 0); /* relative, as users make them */
  snprintf(args, sizeof args, "lp '%s' --out '%s'", model(), link);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  struct stat st;
  ck_assert_int_eq(lstat(link, &st), 0);
  ck_assert_msg(S_ISLNK(st.st_mode), "the symlink was replaced by a regular file");
  char *ref = reference(), *b = slurp(target);
  ck_assert_str_eq(b, ref);
  free(ref);
  free(b);
  /* a dangling link creates the file it names */
  unlink(target);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  ck_assert_int_eq(lstat(target, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
}
END_TEST

START_TEST(regular_file_replaced_atomically_keeps_mode) {
  char path[128], args[512];
  snprintf(path, sizeof path, "%s/out.txt", dir);
  put(path, "old\n");
  chmod(path, 0640);
  struct stat before, after;
  ck_assert_int_eq(stat(path, &before), 0);
  snprintf(args, sizeof args, "lp '%s' --out '%s'", model(), path);
  ck_assert_int_eq(accq_run(args, NULL, NULL), 0);
  ck_assert_int_eq(stat(path, &after), 0);
  /* a rename brings a new inode; an in-place rewrite would keep the old one */
  ck_assert(before.st_ino != after.st_ino);
  ck_assert_int_eq(after.st_mode & 07777, 0640);
  char *ref = reference(), *b = slurp(path);
  ck_assert_str_eq(b, ref);
  free(ref);
  free(b);
  /* no temporary file left in the directory */
  char cmd[256];
  snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir);
  ck_assert_int_eq(sh(cmd), 0);
}
END_TEST

START_TEST(model_file_refused_before_computing) {
  char copy[128], link[128], args[512], *err = NULL, *out = NULL;
  snprintf(copy, sizeof copy, "%s/model.ini", dir);
  snprintf(link, sizeof link, "%s/alias.ini", dir);
  char *orig = slurp(model());
  put(copy, orig);
  ck_assert_int_eq(symlink(copy, link), 0);
  const char *cmds[] = {"lp '%s' --out '%s'", "solve '%s' --policy jsq --out '%s'",
                        "lp '%s' --plot '%s'"};
  for (int i = 0; i < 3; i++) {
    /* by the same name, and through a symlink (same device and inode) */
    for (int j = 0; j < 2; j++) {
      snprintf(args, sizeof args, cmds[i], copy, j ? link : copy);
      if (i == 2) snprintf(args, sizeof args, "solve '%s' --policy jsq --out '%s'", link, copy);
      ck_assert_int_eq(accq_run(args, &out, &err), 2);
      ck_assert_msg(strstr(err, "overwrite the input"), "%s: %s", args, err);
      ck_assert_str_eq(out, ""); /* nothing computed, nothing printed */
      free(err);
      free(out);
    }
  }
  char *now = slurp(copy);
  ck_assert_str_eq(now, orig);
  free(now);
  free(orig);
}
END_TEST

START_TEST(dev_full_is_exit_3) {
  char args[512], *err = NULL;
  snprintf(args, sizeof args, "lp '%s' --out /dev/full", model());
  ck_assert_int_eq(accq_run(args, NULL, &err), 3);
  ck_assert_msg(strstr(err, "/dev/full") && strstr(err, "No space left"), "%s", err);
  free(err);
  snprintf(args, sizeof args, "lp '%s' --format json --out /dev/full", model());
  ck_assert_int_eq(accq_run(args, NULL, &err), 3);
  free(err);
  /* stdout onto /dev/full, and a closed stdout: exit 3 with the reason */
  char cmd[1024], errf[128];
  snprintf(errf, sizeof errf, "%s/err", dir);
  snprintf(cmd, sizeof cmd, "'%s' lp '%s' >/dev/full 2>'%s'", ACCQ_BINARY, model(), errf);
  ck_assert_int_eq(sh(cmd), 3);
  err = slurp(errf);
  ck_assert_msg(strstr(err, "standard output") && strstr(err, "No space left"), "%s", err);
  free(err);
  snprintf(cmd, sizeof cmd, "'%s' lp '%s' --format csv >&- 2>'%s'", ACCQ_BINARY, model(), errf);
  ck_assert_int_eq(sh(cmd), 3);
  err = slurp(errf);
  ck_assert_msg(strstr(err, "Bad file descriptor"), "%s", err);
  free(err);
  /* golden's JSON writer too */
  snprintf(cmd, sizeof cmd, "'%s' golden '%s' -p jsq >/dev/full 2>'%s'", ACCQ_BINARY, model(),
           errf);
  ck_assert_int_eq(sh(cmd), 3);
}
END_TEST

START_TEST(dev_stdout_written_directly) {
  char cmd[1024], got[128];
  snprintf(got, sizeof got, "%s/stdout.txt", dir);
  snprintf(cmd, sizeof cmd, "'%s' lp '%s' --out /dev/stdout > '%s'", ACCQ_BINARY, model(), got);
  ck_assert_int_eq(sh(cmd), 0);
  char *ref = reference(), *b = slurp(got);
  ck_assert_str_eq(b, ref);
  free(ref);
  free(b);
}
END_TEST

/* Runs `accq args` in a child that gives up root (uid/gid 65534, nobody) when
 * it has it; returns the exit status, stderr into err. */
static int run_unprivileged(const char *args, char **err) {
  char errf[128];
  snprintf(errf, sizeof errf, "%s/err", dir);
  pid_t pid = fork();
  ck_assert_int_ge(pid, 0);
  if (pid == 0) {
    int fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) dup2(fd, 2);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(99);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "exec '%s' %s >/dev/null", ACCQ_BINARY, args);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(98);
  }
  int st;
  waitpid(pid, &st, 0);
  *err = slurp(errf);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(read_only_directory) {
  char ro[128], args[512], *err = NULL;
  snprintf(ro, sizeof ro, "%s/ro", dir);
  ck_assert_int_eq(mkdir(ro, 0755), 0); /* nobody may read and enter, not write */
  chmod(dir, 0777);                     /* where the child writes its stderr */
  snprintf(args, sizeof args, "solve '%s' --policy jsq --out '%s/x.txt'", model(), ro);
  int rc = run_unprivileged(args, &err);
  if (rc == 99) {
    fprintf(stderr, "test_outfile: read_only_directory skipped: cannot drop privileges\n");
    free(err);
    return;
  }
  if (geteuid() != 0 && access(ro, W_OK) == 0) {
    fprintf(stderr, "test_outfile: read_only_directory skipped: the directory is writable\n");
    free(err);
    return;
  }
  /* refused before computing: exit 2 naming the directory and the reason */
  ck_assert_int_eq(rc, 2);
  ck_assert_msg(strstr(err, "cannot create files in directory") && strstr(err, "ro"), "%s", err);
  free(err);
  struct stat st;
  char path[160];
  snprintf(path, sizeof path, "%s/x.txt", ro);
  ck_assert_int_ne(stat(path, &st), 0);
  /* a plot into it too */
  snprintf(args, sizeof args, "lp '%s' --plot '%s/x.png'", model(), ro);
  ck_assert_int_eq(run_unprivileged(args, &err), 2);
  free(err);
}
END_TEST

START_TEST(non_utf8_model_name_refused_before_computing) {
  char *orig = slurp(model()), path[128], args[512], *err = NULL, *out = NULL;
  snprintf(path, sizeof path, "%s/latin1.ini", dir);
  char *p = strstr(orig, "name = two-tier");
  ck_assert_ptr_nonnull(p);
  memcpy(p, "name = caf\xe9-tie", 15); /* ISO-8859-1 e-acute: not UTF-8 */
  put(path, orig);
  const char *fmts[] = {"json", "csv", "text"};
  for (int i = 0; i < 3; i++) {
    snprintf(args, sizeof args, "solve '%s' --policy jsq --format %s", path, fmts[i]);
    ck_assert_int_eq(accq_run(args, &out, &err), 2);
    ck_assert_msg(strstr(err, "not valid UTF-8") && strstr(err, "0xE9"), "%s", err);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
  }
  free(orig);
  /* golden writes the model file's path into JSON: a path that is not UTF-8
   * is refused before computing; other commands' JSON escapes it (\xE9) */
  char latin[128];
  snprintf(latin, sizeof latin, "%s/caf\xe9.ini", dir);
  orig = slurp(model());
  put(latin, orig);
  free(orig);
  snprintf(args, sizeof args, "golden '%s' -p jsq", latin);
  ck_assert_int_eq(accq_run(args, &out, &err), 2);
  ck_assert_msg(strstr(err, "path is not valid UTF-8"), "%s", err);
  free(out);
  free(err);
  snprintf(args, sizeof args, "solve '%s' --policy jsq --format json", latin);
  ck_assert_int_eq(accq_run(args, &out, &err), 0);
  ck_assert_msg(strstr(out, "caf\\\\xE9.ini"), "%s", out);
  free(out);
  free(err);
}
END_TEST

START_TEST(plot_through_symlink) {
  if (access("/usr/bin/gnuplot", X_OK) != 0 && !getenv("ACCQ_GNUPLOT")) {
    fprintf(stderr, "test_outfile: plot test skipped: no gnuplot\n");
    return;
  }
  char link[128], target[128], args[512], *err = NULL;
  snprintf(link, sizeof link, "%s/plot.svg", dir);
  snprintf(target, sizeof target, "%s/real.svg", dir);
  put(target, "old");
  ck_assert_int_eq(symlink(target, link), 0);
  snprintf(args, sizeof args, "sweep '%s' --policy random-lp --vary load=0.2:0.6:3 --plot '%s'",
           model(), link);
  ck_assert_int_eq(accq_run(args, NULL, &err), 0);
  struct stat st;
  ck_assert_int_eq(lstat(link, &st), 0);
  ck_assert(S_ISLNK(st.st_mode));
  char *b = slurp(target);
  ck_assert_msg(strstr(b, "<svg"), "the link's target holds no picture");
  free(b);
  free(err);
}
END_TEST

int main(void) {
  Suite *s = suite_create("outfile");
  TCase *tc = tcase_create("targets");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, dev_null_stays_a_device);
  tcase_add_test(tc, fifo_reader_gets_the_bytes);
  tcase_add_test(tc, symlink_target_replaced);
  tcase_add_test(tc, regular_file_replaced_atomically_keeps_mode);
  tcase_add_test(tc, model_file_refused_before_computing);
  tcase_add_test(tc, dev_full_is_exit_3);
  tcase_add_test(tc, dev_stdout_written_directly);
  tcase_add_test(tc, read_only_directory);
  tcase_add_test(tc, non_utf8_model_name_refused_before_computing);
  tcase_add_test(tc, plot_through_symlink);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
