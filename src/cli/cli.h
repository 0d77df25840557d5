/* The accq command: one file per subcommand, each `int accq_cli_NAME(int argc,
 * char **argv)` returning the process exit status (docs/output.md: 0 done,
 * 1 check failed, 2 bad usage or model, 3 numerical failure, 4 no answer).
 * The CLI parses, calls the library and prints; it computes nothing itself.
 *
 * Writing a command (see cmd_lp.c for a complete one):
 *
 *   int accq_cli_solve(int argc, char **argv) {
 *     const char *policies = NULL;
 *     int max_states = 0;
 *     const accq_cli_opt_t opts[] = {
 *       {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]", "policies to solve"},
 *       {"max-states", 0, ACCQ_OPT_INT, &max_states, "N", "refuse larger chains"},
 *       {0}};
 *     const accq_cli_spec_t spec = {"solve", "[MODEL] --policy P[,P..]",
 *       "Exact stationary measures from the Markov chain (docs/chains.md, docs/measures.md).",
 *       ACCQ_CLI_COMMON, opts, 0, 1};
 *     accq_cli_t cli;
 *     int rc = accq_cli_parse(&spec, argc, argv, &cli);
 *     if (rc >= 0) return rc;                  // --help (0) or bad usage (2)
 *     accq_model_t m;
 *     if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;   // resolved
 *     accq_err_t err;
 *     ... call the library; on failure: return accq_cli_fail(&err); ...
 *     accq_report_t *rep = accq_report_alloc("accq solve: ...");
 *     ... build the result once (accq/report.h) ...
 *     rc = accq_cli_emit(&cli, rep);           // --format, --out, exit status
 *     accq_report_free(rep);
 *     return rc;
 *   }
 *
 * Messages: errors go to stderr as "accq: MESSAGE" (library messages already
 * name the file and line), usage errors as "accq CMD: MESSAGE" plus a hint to
 * --help.  Nothing else is printed on stderr unless -v is given, except the
 * progress bar (terminal only, see below).
 */
#ifndef ACCQ_CLI_H
#define ACCQ_CLI_H

#include <stdint.h>

#include "accq/model.h"
#include "accq/report.h"
#include "accq/status.h"

#define ACCQ_CLI_COMMANDS(X)                                                     \
  X(lp, "LP bound, split, Lambda_max, T_free, pairs, breakpoints")               \
  X(solve, "exact stationary measures from the Markov chain")                    \
  X(simulate, "discrete-event estimates with confidence intervals")              \
  X(crosscheck, "chain vs simulator, every policy, pass/fail per measure")       \
  X(converge, "gap to T_LP as the system grows, fitted rate, plot")              \
  X(sweep, "a table over one parameter, any measure")                            \
  X(verify, "the claims of docs/claims.md on the bundled models (the main job)")         \
  X(golden, "exact reference values for external simulators")                    \
  X(check_sim, "check an external simulator's estimates against golden values")  \
  X(optimal, "the constrained-optimal dispatch policy of a small system")        \
  X(limit, "mean-field limit (m -> infinity) of each policy: fixed point, E[T]")

#define ACCQ_X_DECL(name, help) int accq_cli_##name(int argc, char **argv);
ACCQ_CLI_COMMANDS(ACCQ_X_DECL)
#undef ACCQ_X_DECL

/* ---- option parsing -------------------------------------------------------- */

/* Common options a command may accept (bits of accq_cli_spec_t.common). */
enum {
  ACCQ_CLI_FORMAT = 1 << 0,  /* --format text|csv|json|markdown|latex, --digits N */
  ACCQ_CLI_OUT = 1 << 1,     /* --out FILE (atomic; "-" is stdout) */
  ACCQ_CLI_SET = 1 << 2,     /* --set section.key=value (repeatable) */
  ACCQ_CLI_PLOT = 1 << 3,    /* --plot FILE.png|svg|pdf */
  ACCQ_CLI_SEED = 1 << 4,    /* --seed N (unsigned 64-bit) */
  ACCQ_CLI_THREADS = 1 << 5, /* --threads N (>= 1) */
  /* -q/--quiet, -v/--verbose and -h/--help are always accepted */
  ACCQ_CLI_COMMON = ACCQ_CLI_FORMAT | ACCQ_CLI_OUT | ACCQ_CLI_SET, /* what most commands take */
  ACCQ_CLI_ALL = 0x3f
};

/* What an option accepts.  Every number goes through one parser (see
 * accq_cli_parse_whole / accq_cli_parse_double below): whole numbers may be
 * written in exponent form when the value is whole (`2e7`, `1e5`, `2.5e3`),
 * never with a fraction (`1.5`) or in hex; a value outside the kind's range
 * is refused with exit 2 and a message naming the option and the value.  The
 * kinds with a lower bound exist so that 0 or a negative number is refused
 * where it means nothing, instead of silently standing for "the default"
 * (a command keeps 0 in the target as "not given": no accepted value is 0). */
typedef enum {
  ACCQ_OPT_FLAG = 0, /* int *target set to 1; no value */
  ACCQ_OPT_STRING,   /* const char **target = the value (points into argv) */
  ACCQ_OPT_INT,      /* int *target: any whole number */
  ACCQ_OPT_DOUBLE,   /* double *target: any finite number */
  ACCQ_OPT_LIST,     /* accq_cli_list_t *target: repeatable, each value appended */
  ACCQ_OPT_COUNT,    /* int *target: a whole number >= 1 (replications, sizes, buffers) */
  ACCQ_OPT_COUNT0,   /* int *target: a whole number >= 0 (where 0 means something) */
  ACCQ_OPT_SIZE,     /* int64_t *target: a whole number >= 1 up to 9.2e18 (state limits) */
  ACCQ_OPT_POSITIVE, /* double *target: a finite number > 0 */
  ACCQ_OPT_POSITIVE_INF, /* double *target: a number > 0, or inf (INFINITY: no limit) */
  ACCQ_OPT_NONNEG,   /* double *target: a finite number >= 0 */
  ACCQ_OPT_PROB      /* double *target: a number strictly between 0 and 1 */
} accq_opt_kind_t;

#define ACCQ_CLI_LIST_MAX 64
typedef struct {
  int n;
  const char *v[ACCQ_CLI_LIST_MAX];
} accq_cli_list_t;

/* A command-specific option, "--name VALUE", "--name=VALUE" or "-c VALUE".
 * Arrays of options end with an entry whose name is NULL ({0}). */
typedef struct {
  const char *name;     /* long name without "--" */
  char short_name;      /* 0 if none */
  accq_opt_kind_t kind;
  void *target;
  const char *metavar;  /* "N", "FILE"... for --help (NULL for flags) */
  const char *help;
} accq_cli_opt_t;

typedef struct {
  const char *name;          /* "lp" (as typed: "check-sim") */
  const char *synopsis;      /* "[MODEL] [options]" */
  const char *description;   /* one or more lines for --help */
  unsigned common;           /* ACCQ_CLI_* bits */
  const accq_cli_opt_t *opts;/* NULL or {0}-terminated */
  int min_args, max_args;    /* positional arguments (max -1: unlimited) */
} accq_cli_spec_t;

/* What accq_cli_parse found.  Strings point into argv. */
typedef struct {
  const accq_cli_spec_t *spec;
  accq_format_t format;      /* ACCQ_FORMAT_TEXT unless --format */
  int digits;                /* --digits N for human formats (0 = full precision) */
  const char *out;           /* --out FILE, or NULL for stdout */
  const char *plot;          /* --plot FILE, or NULL */
  accq_cli_list_t sets;      /* --set values, in order */
  uint64_t seed;             /* --seed (default 1) */
  int seed_given;
  int threads;               /* --threads (default 1) */
  int quiet, verbose;        /* -q, -v (counted) */
  int nargs;                 /* positional arguments */
  const char *args[ACCQ_CLI_LIST_MAX];
  const char *model;         /* args[0] when the command takes one, else NULL */
  int argc;                  /* the command's argv as given to accq_cli_parse (provenance) */
  char **argv;
} accq_cli_t;

/* Parses argv (argv[0] is the command name) against spec and the common
 * options it allows.  Returns -1 when the command should go on; 0 after
 * printing --help to stdout; 2 after printing a usage error (unknown option,
 * missing or bad value, bad --format, too many or too few arguments) to stderr.
 * "--" ends the options.  Options and arguments may come in any order. */
int accq_cli_parse(const accq_cli_spec_t *spec, int argc, char **argv, accq_cli_t *cli);

/* Sets the provenance of rep (accq/report.h): accq's version and git
 * revision, the command line ("accq" + the argv given to accq_cli_parse), the
 * seed (commands taking --seed), the model and its SHA-256 (commands taking
 * a MODEL; the built-in model's text without one) and the date.
 * accq_cli_emit calls it, so every report carries it.  ACCQ_EUSAGE for a bad
 * SOURCE_DATE_EPOCH, ACCQ_EIO when the model file cannot be read again. */
int accq_cli_provenance(const accq_cli_t *cli, accq_report_t *rep, accq_err_t *err);

/* Prints the --help text of a command to f. */
void accq_cli_help(const accq_cli_spec_t *spec, FILE *f);

/* Prints "accq CMD: MESSAGE" and a hint to --help on stderr; returns 2. */
int accq_cli_usage(const accq_cli_t *cli, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prints "accq: MESSAGE" for a library error on stderr and returns its exit
 * status, accq_status_exit_code(err->status). */
int accq_cli_fail(const accq_err_t *err);

/* Loads cli->model (or the embedded default when there is none) with the
 * --set overrides.  With resolve != 0 a model given by `load =` gets its
 * arrival rate (accq_lp_model_resolve).  Returns 0, or prints the error and
 * returns its exit status (2 bad model, 4 when resolving a load is impossible
 * because the accuracy target is infeasible). */
int accq_cli_load_model(const accq_cli_t *cli, accq_model_t *m, int resolve);

/* Renders rep in cli->format (with cli->digits) to cli->out (atomically) or
 * stdout.  Returns 0, or prints the error and returns its exit status. */
int accq_cli_emit(const accq_cli_t *cli, accq_report_t *rep);

/* The number parser of every option (strict: the whole string, no overflow,
 * no silent rounding).  Return 0 on success, -1 otherwise (nothing printed).
 *  - whole numbers: [+-]digits[.digits][(e|E)[+-]digits] whose value is whole
 *    (`2e7`, `1E5`, `2.5e3`, `20`), read exactly in decimal (never through a
 *    double); `1.5`, `2e-1`, `0x10`, `inf`, `nan`, blanks are refused, and so
 *    are values outside int64 (parse_whole), int (parse_int), or signs and
 *    values above UINT64_MAX (parse_u64).
 *  - doubles: decimal forms only, finite (no inf, nan, hex, blanks, and no
 *    overflow to inf); parse_double_inf also accepts inf/infinity (any case,
 *    optional '+') as INFINITY. */
int accq_cli_parse_whole(const char *s, int64_t *v);
int accq_cli_parse_int(const char *s, int *v);
int accq_cli_parse_u64(const char *s, uint64_t *v);
int accq_cli_parse_double(const char *s, double *v);
int accq_cli_parse_double_inf(const char *s, double *v);

/* Splits "--policy a,b,c" into at most `max` names; an item `all` stands for
 * every policy.  Names are checked later, by accq_policy_alloc.  Returns 0, or
 * prints a usage error (empty list, empty item, too many) and returns 2. */
int accq_cli_policy_list(const accq_cli_t *cli, int max, const char *list,
                         char names[][ACCQ_NAME_MAX], int *n);

/* ---- --vary PARAM=A:B:N ----------------------------------------------------- */

/* A range over one model parameter.  PARAM is `load`, `lambda` or
 * `arrival_rate`, `accuracy_target` (or any other system key), or a full
 * `section.key` such as `type.small.rate`; `key` is what accq_model_set takes
 * ("system.load").  Values are (A (N-1-i) + B i)/(N-1), i = 0..N-1: evenly
 * spaced, the end points exact (N = 1: A). */
typedef struct {
  char param[ACCQ_NAME_MAX * 2];  /* as the user wrote it ("load") */
  char key[ACCQ_NAME_MAX * 2];    /* "system.load" */
  double from, to;
  int n;                          /* 1 <= n <= 1e6 */
} accq_cli_vary_t;

/* Parses "PARAM=A:B:N"; ACCQ_EUSAGE with a message naming the bad part. */
int accq_cli_vary_parse(const char *s, accq_cli_vary_t *v, accq_err_t *err);
/* The i-th value of the range. */
double accq_cli_vary_value(const accq_cli_vary_t *v, int i);
/* Applies value i to a model: accq_model_set(m, "KEY=VALUE"). */
int accq_cli_vary_apply(const accq_cli_vary_t *v, int i, accq_model_t *m, accq_err_t *err);

/* ---- progress bar ------------------------------------------------------------ */

/* A progress bar on stderr for long work:
 *
 *   accq_progress_t p;
 *   accq_progress_start(&p, "solving", total, cli.quiet);
 *   for (i = 0; i < total; i++) { ...; accq_progress_update(&p, i + 1); }
 *   accq_progress_finish(&p);
 *
 * It is drawn only when stderr is a terminal, -q was not given, and the work
 * has run for more than one second; redraws at most 10 times a second, so an
 * update costs one clock read.  finish erases the bar.  Call it from one
 * thread only (in OpenMP loops, from the master thread or under a critical
 * section).  total 0 means unknown: a counter without percentage. */
typedef struct {
  const char *label;
  double total;
  double start, last_draw; /* monotonic seconds */
  int enabled, drawn;
} accq_progress_t;

void accq_progress_start(accq_progress_t *p, const char *label, double total, int quiet);
void accq_progress_update(accq_progress_t *p, double done);
void accq_progress_finish(accq_progress_t *p);

#endif
