#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/accq.h"
#include "accq/dist.h"
#include "cli/cli.h"

typedef struct {
  const char *name;
  int (*run)(int, char **);
  const char *help;
} command_t;

/* check_sim is spelled check-sim on the command line. */
static const command_t commands[] = {
#define ACCQ_X_ENTRY(name, help) {#name, accq_cli_##name, help},
    ACCQ_CLI_COMMANDS(ACCQ_X_ENTRY)
#undef ACCQ_X_ENTRY
};

static void usage(FILE *f) {
  fprintf(f, "usage: accq COMMAND [options]   (accq COMMAND --help for details)\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    char name[32];
    snprintf(name, sizeof name, "%s", commands[i].name);
    for (char *p = name; *p; p++)
      if (*p == '_') *p = '-';
    fprintf(f, "  %-11s %s\n", name, commands[i].help);
  }
  fprintf(f, "  %-11s %s\n", "policies",
          "list the dispatch policies (docs/policies.md); --markdown: the docs table");
}

/* accq policies [--markdown]: the policy registry as text (the library writes it). */
static int list_policies(int argc, char **argv) {
  int markdown = argc == 2 && !strcmp(argv[1], "--markdown");
  if (argc > 2 || (argc == 2 && !markdown)) {
    fprintf(stderr, "usage: accq policies [--markdown]\n");
    return 2;
  }
  int n = accq_policy_type_table(NULL, 0, markdown);
  char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!buf) {
    fprintf(stderr, "accq policies: out of memory\n");
    return 3;
  }
  accq_policy_type_table(buf, n + 1, markdown);
  fputs(buf, stdout);
  free(buf);
  return fflush(stdout) ? 3 : 0;
}

/* accq's version, its git revision and every library it uses: built against
 * (header or pkg-config at configure time) and running (when the library
 * reports it and it differs). */
static void print_version(FILE *f) {
  fprintf(f, "accq %s (git %s)\n", accq_version(), accq_version_git());
  int n = 0;
  const accq_version_lib_t *libs = accq_version_libraries(&n);
  for (int i = 0; i < n; i++) {
    fprintf(f, "  %-26s %s", libs[i].name, libs[i].built);
    if (libs[i].running && strcmp(libs[i].running, libs[i].built))
      fprintf(f, " (running %s)", libs[i].running);
    fputc('\n', f);
  }
  const char *mpi = accq_dist_mpi_version();
  fprintf(f, "  %-26s %s\n", "MPI", mpi ? mpi : "none (built without MPI: serial only)");
}

/* SIGINT/SIGTERM: remove unfinished --out temporaries and stop with the
 * conventional 128 + signal status (130, 143).  The target file of --out is
 * untouched: it is only ever replaced by a complete rename.  A serial run with
 * --checkpoint instead finishes its current cell and stops cleanly
 * (accq_dist_interrupt; a second signal exits at once); any other run's
 * checkpoint is consistent anyway (whole fsync'ed records). */
static void on_signal(int sig) {
  if (accq_dist_interrupt(sig)) return;
  accq_outfile_unlink_pending();
  _exit(128 + sig);
}

static accq_dist_t *dist;

/* MPI_Finalize on every way out of a command (exit() included). */
static void finalize_dist(void) {
  accq_dist_finalize(dist);
  dist = NULL;
}

/* Under mpirun every rank runs the command; only rank 0 prints.  The other
 * ranks' stdout and stderr go to /dev/null (their errors reach rank 0, which
 * prints them), so nothing is printed twice. */
static int start_dist(int *argc, char ***argv) {
  accq_err_t err;
  if (accq_dist_init(argc, argv, &dist, &err)) {
    fprintf(stderr, "accq: %s\n", err.msg);
    return accq_status_exit_code(err.status);
  }
  atexit(finalize_dist);
  if (accq_dist_rank(dist) != 0 && !getenv("ACCQ_DIST_VERBOSE")) {
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) return 3;
  }
  return 0;
}

static int run_command(int argc, char **argv);

int main(int argc, char **argv) {
  int rc = start_dist(&argc, &argv);
  if (rc) return rc;
  rc = run_command(argc, argv);
  /* fflush before MPI_Finalize: rank 0's output is complete when mpirun returns */
  fflush(stdout);
  return rc;
}

static int run_command(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    print_version(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "policies")) return list_policies(argc - 1, argv + 1);
  char want[32];
  snprintf(want, sizeof want, "%s", argv[1]);
  for (char *p = want; *p; p++)
    if (*p == '-') *p = '_';
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(want, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "accq: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
