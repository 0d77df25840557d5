/* Common option parsing for every accq command (see cli.h). */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "accq/version.h"
#include "cli/cli.h"
#include "accq/policy.h"

/* ---- numbers ------------------------------------------------------------------ */

/* One parser for every number of every option (cli.h).  Whole numbers are
 * read exactly in decimal: the digits of "2.5e3" are 25 with exponent
 * 3 - 1 = 2, so the value is 2500; a value whose digits would need a fraction
 * ("1.5", "2e-1") is refused, and nothing goes through a double, so no form is
 * ever rounded (1e16 and 9007199254740993 are exact). */

static int only_chars(const char *s, const char *allowed) {
  for (; *s; s++)
    if (!strchr(allowed, *s)) return 0;
  return 1;
}

/* Magnitude and sign of a whole decimal: [+-]digits[.digits][(e|E)[+-]digits].
 * 0 on success, -1 on bad syntax, a fraction or a magnitude above UINT64_MAX. */
static int whole_decimal(const char *s, int *neg, int *signed_, uint64_t *mag) {
  *neg = *signed_ = 0;
  if (*s == '+' || *s == '-') {
    *neg = *s == '-';
    *signed_ = 1;
    s++;
  }
  char digits[64];
  int nd = 0, nfrac = 0, seen = 0, dot = 0;
  for (; *s && *s != 'e' && *s != 'E'; s++) {
    if (*s == '.') {
      if (dot) return -1;
      dot = 1;
      continue;
    }
    if (*s < '0' || *s > '9') return -1;
    seen = 1;
    if (dot) nfrac++;
    if (nd == 0 && *s == '0') continue; /* leading zeros (and a zero mantissa) */
    if (nd >= (int)sizeof digits - 1) return -1; /* more digits than any 64-bit value */
    digits[nd++] = *s;
  }
  if (!seen) return -1;
  long exp10 = 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    int eneg = 0;
    if (*s == '+' || *s == '-') eneg = *s++ == '-';
    if (*s < '0' || *s > '9') return -1;
    for (; *s; s++) {
      if (*s < '0' || *s > '9') return -1;
      if (exp10 < 100000) exp10 = exp10 * 10 + (*s - '0');
    }
    if (eneg) exp10 = -exp10;
  }
  /* the digits counted after the point were also counted in nd unless they
   * were leading zeros: the value is digits x 10^(exp10 - nfrac) */
  long shift = exp10 - nfrac;
  if (nd == 0) {
    *mag = 0;
    return 0;
  }
  while (shift < 0) { /* trailing zeros can absorb a negative shift */
    if (digits[nd - 1] != '0') return -1; /* a fraction */
    nd--;
    shift++;
  }
  if (shift > 20) return -1;
  uint64_t v = 0;
  for (int i = 0; i < nd + shift; i++) {
    unsigned d = i < nd ? (unsigned)(digits[i] - '0') : 0;
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
  }
  *mag = v;
  return 0;
}

int accq_cli_parse_whole(const char *s, int64_t *v) {
  int neg, sg;
  uint64_t mag;
  if (!s || !*s || whole_decimal(s, &neg, &sg, &mag)) return -1;
  if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX) return -1;
  *v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  return 0;
}

int accq_cli_parse_int(const char *s, int *v) {
  int64_t x;
  if (accq_cli_parse_whole(s, &x) || x < INT_MIN || x > INT_MAX) return -1;
  *v = (int)x;
  return 0;
}

int accq_cli_parse_u64(const char *s, uint64_t *v) {
  int neg, sg;
  uint64_t mag;
  if (!s || !*s || whole_decimal(s, &neg, &sg, &mag) || sg) return -1;
  *v = mag;
  return 0;
}

int accq_cli_parse_double(const char *s, double *v) {
  /* decimal forms only: strtod would also take hex, inf and nan */
  if (!s || !*s || !only_chars(s, "0123456789+-.eE")) return -1;
  char *end;
  errno = 0;
  double x = strtod(s, &end);
  if (*end || end == s || !isfinite(x) || (errno == ERANGE && fabs(x) > 1.0)) return -1;
  *v = x;
  return 0;
}

int accq_cli_parse_double_inf(const char *s, double *v) {
  if (s && (*s == '+')) s++;
  if (s && (!strcasecmp(s, "inf") || !strcasecmp(s, "infinity"))) {
    *v = INFINITY;
    return 0;
  }
  return accq_cli_parse_double(s, v);
}

/* ---- messages ------------------------------------------------------------------ */

int accq_cli_usage(const accq_cli_t *cli, const char *fmt, ...) {
  const char *name = cli && cli->spec ? cli->spec->name : NULL;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "accq%s%s: ", name ? " " : "", name ? name : "");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  if (name) fprintf(stderr, "(try 'accq %s --help')\n", name);
  return 2;
}

int accq_cli_fail(const accq_err_t *err) {
  int st = err && err->status ? err->status : ACCQ_EINVAL;
  const char *msg = err && err->msg[0] ? err->msg : accq_strerror(st);
  fprintf(stderr, "accq: %s\n", msg);
  return accq_status_exit_code(st);
}

/* ---- help ------------------------------------------------------------------------ */

static void help_line(FILE *f, char s, const char *name, const char *metavar, const char *help) {
  char left[80];
  if (s)
    snprintf(left, sizeof left, "-%c, --%s%s%s", s, name, metavar ? " " : "", metavar ? metavar : "");
  else
    snprintf(left, sizeof left, "    --%s%s%s", name, metavar ? " " : "", metavar ? metavar : "");
  fprintf(f, "  %-30s %s\n", left, help);
}

void accq_cli_help(const accq_cli_spec_t *spec, FILE *f) {
  fprintf(f, "usage: accq %s %s\n\n", spec->name, spec->synopsis ? spec->synopsis : "");
  if (spec->description) fprintf(f, "%s\n\n", spec->description);
  fprintf(f, "options:\n");
  for (const accq_cli_opt_t *o = spec->opts; o && o->name; o++)
    help_line(f, o->short_name, o->name, o->metavar, o->help ? o->help : "");
  unsigned c = spec->common;
  if (c & ACCQ_CLI_FORMAT) {
    /* from the format registry: "text (default), csv, json, markdown or latex" */
    char fh[256];
    const char *fl = accq_format_list(), *comma = strchr(fl, ',');
    snprintf(fh, sizeof fh, "%.*s (default)%s", (int)(comma ? (size_t)(comma - fl) : strlen(fl)),
             fl, comma ? comma : "");
    help_line(f, 0, "format", "FMT", fh);
    help_line(f, 0, "digits", "N", "significant digits in text/markdown/latex (default: all)");
  }
  if (c & ACCQ_CLI_OUT) help_line(f, 0, "out", "FILE", "write to FILE atomically instead of stdout");
  if (c & ACCQ_CLI_SET)
    help_line(f, 0, "set", "SEC.KEY=VAL", "override a model value, e.g. system.load=0.9 (repeatable)");
  if (c & ACCQ_CLI_PLOT) help_line(f, 0, "plot", "FILE", "draw a plot with gnuplot (.png, .svg or .pdf)");
  if (c & ACCQ_CLI_SEED) help_line(f, 0, "seed", "N", "random seed (default 1)");
  if (c & ACCQ_CLI_THREADS) help_line(f, 0, "threads", "N", "worker threads (default 1)");
  help_line(f, 'q', "quiet", NULL, "no progress bar");
  help_line(f, 'v', "verbose", NULL, "more detail on stderr");
  help_line(f, 'h', "help", NULL, "this help");
  int numeric = 0;
  for (const accq_cli_opt_t *o = spec->opts; o && o->name; o++)
    numeric |= o->kind != ACCQ_OPT_FLAG && o->kind != ACCQ_OPT_STRING && o->kind != ACCQ_OPT_LIST;
  if (numeric)
    fprintf(f, "\nNumbers may use exponent form (2e7 = 20000000); counts are whole numbers, and\n"
               "0 or a negative value is refused where it means nothing (never read as the default).\n");
  if (spec->max_args != 0 && spec->synopsis && strstr(spec->synopsis, "MODEL"))
    fprintf(f, "\nMODEL is an INI model file (see models/); without one the embedded\n"
               "default model (models/two-tier.ini) is used.\n");
}

/* ---- parsing ------------------------------------------------------------------- */

static int set_value(accq_cli_t *cli, const char *opt, accq_opt_kind_t kind, void *target,
                     const char *val) {
  int64_t w;
  double d;
  switch (kind) {
  case ACCQ_OPT_STRING:
    *(const char **)target = val;
    return 0;
  case ACCQ_OPT_INT:
    if (accq_cli_parse_int(val, (int *)target))
      return accq_cli_usage(cli, "option %s needs a whole number (got '%s')", opt, val);
    return 0;
  case ACCQ_OPT_COUNT:
  case ACCQ_OPT_COUNT0: {
    int lo = kind == ACCQ_OPT_COUNT ? 1 : 0;
    if (accq_cli_parse_whole(val, &w) || w < lo || w > INT_MAX)
      return accq_cli_usage(cli, "option %s needs a whole number from %d to %d (got '%s')", opt,
                            lo, INT_MAX, val);
    *(int *)target = (int)w;
    return 0;
  }
  case ACCQ_OPT_SIZE:
    /* 9.2e18 < 2^63 - 1 */
    if (accq_cli_parse_whole(val, &w) || w < 1 || w > (int64_t)9200000000000000000LL)
      return accq_cli_usage(cli, "option %s needs a whole number from 1 to 9.2e18 (got '%s')", opt,
                            val);
    *(int64_t *)target = w;
    return 0;
  case ACCQ_OPT_DOUBLE:
    if (accq_cli_parse_double(val, (double *)target))
      return accq_cli_usage(cli, "option %s needs a finite number (got '%s')", opt, val);
    return 0;
  case ACCQ_OPT_POSITIVE:
    if (accq_cli_parse_double(val, &d) || !(d > 0))
      return accq_cli_usage(cli, "option %s needs a finite number > 0 (got '%s')", opt, val);
    *(double *)target = d;
    return 0;
  case ACCQ_OPT_POSITIVE_INF:
    if (accq_cli_parse_double_inf(val, &d) || !(d > 0))
      return accq_cli_usage(cli, "option %s needs a number > 0, or inf (got '%s')", opt, val);
    *(double *)target = d;
    return 0;
  case ACCQ_OPT_NONNEG:
    if (accq_cli_parse_double(val, &d) || !(d >= 0))
      return accq_cli_usage(cli, "option %s needs a finite number >= 0 (got '%s')", opt, val);
    *(double *)target = d;
    return 0;
  case ACCQ_OPT_PROB:
    if (accq_cli_parse_double(val, &d) || !(d > 0 && d < 1))
      return accq_cli_usage(cli, "option %s needs a finite number strictly between 0 and 1 (got '%s')",
                            opt, val);
    *(double *)target = d;
    return 0;
  case ACCQ_OPT_LIST: {
    accq_cli_list_t *l = target;
    if (l->n >= ACCQ_CLI_LIST_MAX)
      return accq_cli_usage(cli, "option %s given more than %d times", opt, ACCQ_CLI_LIST_MAX);
    l->v[l->n++] = val;
    return 0;
  }
  case ACCQ_OPT_FLAG:
    break;
  }
  *(int *)target = 1;
  return 0;
}

/* Common options as a table built from the spec's bits. */
enum { C_FORMAT = 1, C_DIGITS, C_OUT, C_SET, C_PLOT, C_SEED, C_THREADS, C_QUIET, C_VERBOSE, C_HELP };
typedef struct {
  const char *name;
  char short_name;
  unsigned bit; /* 0: always */
  int id;
  int takes_value;
} common_opt_t;
static const common_opt_t common_opts[] = {
    {"format", 0, ACCQ_CLI_FORMAT, C_FORMAT, 1}, {"digits", 0, ACCQ_CLI_FORMAT, C_DIGITS, 1},
    {"out", 0, ACCQ_CLI_OUT, C_OUT, 1},          {"set", 0, ACCQ_CLI_SET, C_SET, 1},
    {"plot", 0, ACCQ_CLI_PLOT, C_PLOT, 1},       {"seed", 0, ACCQ_CLI_SEED, C_SEED, 1},
    {"threads", 0, ACCQ_CLI_THREADS, C_THREADS, 1}, {"quiet", 'q', 0, C_QUIET, 0},
    {"verbose", 'v', 0, C_VERBOSE, 0},           {"help", 'h', 0, C_HELP, 0}};
#define NCOMMON ((int)(sizeof common_opts / sizeof common_opts[0]))

static int common_value(accq_cli_t *cli, int id, const char *opt, const char *val) {
  accq_err_t err;
  switch (id) {
  case C_FORMAT:
    if (accq_format_parse(val, &cli->format, &err)) return accq_cli_usage(cli, "%s", err.msg);
    return 0;
  case C_DIGITS:
    if (accq_cli_parse_int(val, &cli->digits) || cli->digits < 1 || cli->digits > 17)
      return accq_cli_usage(cli, "option %s needs a whole number from 1 to 17 (got '%s')", opt, val);
    return 0;
  case C_OUT:
    if (!*val) return accq_cli_usage(cli, "option %s needs a file name", opt);
    cli->out = strcmp(val, "-") ? val : NULL;
    return 0;
  case C_SET:
    if (!strchr(val, '=') || !strchr(val, '.'))
      return accq_cli_usage(cli, "option %s needs section.key=value (got '%s')", opt, val);
    return set_value(cli, opt, ACCQ_OPT_LIST, &cli->sets, val);
  case C_PLOT:
    if (!*val) return accq_cli_usage(cli, "option %s needs a file name", opt);
    cli->plot = val;
    return 0;
  case C_SEED:
    if (accq_cli_parse_u64(val, &cli->seed))
      return accq_cli_usage(cli, "option %s needs a whole number >= 0 (got '%s')", opt, val);
    cli->seed_given = 1;
    return 0;
  case C_THREADS:
    if (accq_cli_parse_int(val, &cli->threads) || cli->threads < 1 || cli->threads > 4096)
      return accq_cli_usage(cli, "option %s needs a whole number from 1 to 4096 (got '%s')", opt, val);
    return 0;
  }
  return 0;
}

int accq_cli_parse(const accq_cli_spec_t *spec, int argc, char **argv, accq_cli_t *cli) {
  memset(cli, 0, sizeof *cli);
  cli->spec = spec;
  cli->argc = argc;
  cli->argv = argv;
  cli->format = ACCQ_FORMAT_TEXT;
  cli->seed = 1;
  cli->threads = 1;
  int only_args = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (only_args || a[0] != '-' || !a[1]) { /* "-" alone is an argument */
      if (cli->nargs >= ACCQ_CLI_LIST_MAX || (spec->max_args >= 0 && cli->nargs >= spec->max_args))
        return accq_cli_usage(cli, "unexpected argument '%s'", a);
      cli->args[cli->nargs++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      only_args = 1;
      continue;
    }
    /* split "--name=value"; find a long or short option */
    char name[64];
    const char *val = NULL;
    int is_long = a[1] == '-';
    const char *common_hit_name = NULL;
    int common_id = 0, common_takes = 0;
    const accq_cli_opt_t *hit = NULL;
    if (is_long) {
      const char *eq = strchr(a + 2, '=');
      size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
      if (len >= sizeof name) return accq_cli_usage(cli, "unknown option '%s'", a);
      memcpy(name, a + 2, len);
      name[len] = '\0';
      if (eq) val = eq + 1;
      for (const accq_cli_opt_t *o = spec->opts; o && o->name; o++)
        if (!strcmp(o->name, name)) hit = o;
      for (int k = 0; !hit && k < NCOMMON; k++)
        if (!strcmp(common_opts[k].name, name) &&
            (!common_opts[k].bit || (spec->common & common_opts[k].bit))) {
          common_hit_name = common_opts[k].name;
          common_id = common_opts[k].id;
          common_takes = common_opts[k].takes_value;
        }
    } else {
      if (a[2]) return accq_cli_usage(cli, "unknown option '%s' (long options start with --)", a);
      name[0] = a[1];
      name[1] = '\0';
      for (const accq_cli_opt_t *o = spec->opts; o && o->name; o++)
        if (o->short_name && o->short_name == a[1]) hit = o;
      for (int k = 0; !hit && k < NCOMMON; k++)
        if (common_opts[k].short_name == a[1]) {
          common_hit_name = common_opts[k].name;
          common_id = common_opts[k].id;
          common_takes = common_opts[k].takes_value;
        }
    }
    if (!hit && !common_hit_name) return accq_cli_usage(cli, "unknown option '%s'", a);
    int takes = hit ? hit->kind != ACCQ_OPT_FLAG : common_takes;
    char shown[80];
    snprintf(shown, sizeof shown, "%s%s", is_long ? "--" : "-", name);
    if (!takes) {
      if (val) return accq_cli_usage(cli, "option %s takes no value", shown);
    } else if (!val) {
      if (i + 1 >= argc) return accq_cli_usage(cli, "option %s needs a value", shown);
      val = argv[++i];
    }
    int rc;
    if (hit) {
      rc = set_value(cli, shown, hit->kind, hit->target, val);
    } else if (common_id == C_HELP) {
      accq_cli_help(spec, stdout);
      return 0;
    } else if (common_id == C_QUIET) {
      cli->quiet = 1;
      rc = 0;
    } else if (common_id == C_VERBOSE) {
      cli->verbose++;
      rc = 0;
    } else {
      rc = common_value(cli, common_id, shown, val);
    }
    if (rc) return rc;
  }
  if (cli->nargs < spec->min_args)
    return accq_cli_usage(cli, "missing argument (usage: accq %s %s)", spec->name,
                          spec->synopsis ? spec->synopsis : "");
  if (spec->synopsis && !strncmp(spec->synopsis, "[MODEL]", 7) && cli->nargs > 0)
    cli->model = cli->args[0];
  else if (spec->synopsis && !strncmp(spec->synopsis, "MODEL", 5) && cli->nargs > 0)
    cli->model = cli->args[0];
  return -1;
}

/* ---- output ------------------------------------------------------------------- */

/* Whether the command reads a MODEL (its synopsis starts with one). */
static int takes_model(const accq_cli_spec_t *spec) {
  const char *s = spec && spec->synopsis ? spec->synopsis : "";
  return !strncmp(s, "[MODEL]", 7) || !strncmp(s, "MODEL", 5);
}

int accq_cli_provenance(const accq_cli_t *cli, accq_report_t *rep, accq_err_t *err) {
  static char command[16384];
  char date[32], hex[65];
  accq_provenance_t p;
  memset(&p, 0, sizeof p);
  p.accq_version = accq_version();
  p.git_revision = accq_version_git();
  /* "accq" and the command's own argv (argv[0] is the command as typed) */
  char **args = malloc(((size_t)(cli->argc > 0 ? cli->argc : 0) + 1) * sizeof *args);
  if (!args) return accq_err_set(err, ACCQ_ENOMEM, "out of memory recording the command line");
  args[0] = (char *)"accq";
  for (int i = 0; i < cli->argc; i++) args[i + 1] = cli->argv[i];
  int st = accq_provenance_command(cli->argc + 1, args, command, sizeof command, err);
  free(args);
  if (st) return st;
  p.command = command;
  if (cli->spec && (cli->spec->common & ACCQ_CLI_SEED)) {
    p.has_seed = 1;
    p.seed = cli->seed;
  }
  if (takes_model(cli->spec)) {
    /* the file is read again for its hash: only a regular file gives the same
     * bytes twice (a pipe such as <(...) is consumed by the load: no hash) */
    struct stat sb;
    p.model = cli->model ? cli->model : "<default>";
    if (!cli->model || (stat(cli->model, &sb) == 0 && S_ISREG(sb.st_mode))) {
      st = accq_provenance_model_sha256(cli->model, accq_model_default_text(), cli->sets.v,
                                        cli->sets.n, hex, err);
      if (st) return st;
      p.model_sha256 = hex;
    }
  }
  if ((st = accq_provenance_date(date, err)) != 0) return st;
  p.date = date;
  p.text_footer = cli->verbose > 0;
  accq_report_set_provenance(rep, &p);
  return ACCQ_SUCCESS;
}

int accq_cli_emit(const accq_cli_t *cli, accq_report_t *rep) {
  accq_err_t err;
  accq_err_clear(&err);
  accq_report_set_digits(rep, cli->digits);
  int st = accq_cli_provenance(cli, rep, &err);
  if (!st) st = accq_report_write_file(rep, cli->format, cli->out, &err);
  if (st) return accq_cli_fail(&err);
  return 0;
}

/* ---- --vary ---------------------------------------------------------------------- */

int accq_cli_vary_parse(const char *s, accq_cli_vary_t *v, accq_err_t *err) {
  memset(v, 0, sizeof *v);
  const char *eq = s ? strchr(s, '=') : NULL;
  if (!eq || eq == s)
    return accq_err_set(err, ACCQ_EUSAGE, "--vary needs PARAM=FROM:TO:N (got '%s')", s ? s : "");
  size_t plen = (size_t)(eq - s);
  if (plen >= sizeof v->param - 8) /* room for "system." */
    return accq_err_set(err, ACCQ_EUSAGE, "--vary: parameter name too long in '%s'", s);
  memcpy(v->param, s, plen);
  v->param[plen] = '\0';
  if (strchr(v->param, '.'))
    memcpy(v->key, v->param, plen + 1);
  else if (!strcmp(v->param, "lambda"))
    snprintf(v->key, sizeof v->key, "system.arrival_rate");
  else
  {
    memcpy(v->key, "system.", 7);
    memcpy(v->key + 7, v->param, plen + 1);
  }
  char buf[256];
  snprintf(buf, sizeof buf, "%s", eq + 1);
  char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (!c1 || !c2 || strchr(c2 + 1, ':'))
    return accq_err_set(err, ACCQ_EUSAGE, "--vary needs PARAM=FROM:TO:N (got '%s')", s);
  *c1 = *c2 = '\0';
  if (accq_cli_parse_double(buf, &v->from))
    return accq_err_set(err, ACCQ_EUSAGE, "--vary %s: FROM is not a finite number (got '%s')",
                        v->param, buf);
  if (accq_cli_parse_double(c1 + 1, &v->to))
    return accq_err_set(err, ACCQ_EUSAGE, "--vary %s: TO is not a finite number (got '%s')",
                        v->param, c1 + 1);
  if (accq_cli_parse_int(c2 + 1, &v->n) || v->n < 1 || v->n > 1000000)
    return accq_err_set(err, ACCQ_EUSAGE,
                        "--vary %s: N must be a whole number from 1 to 1000000 (got '%s')",
                        v->param, c2 + 1);
  return ACCQ_SUCCESS;
}

double accq_cli_vary_value(const accq_cli_vary_t *v, int i) {
  if (v->n <= 1 || i == 0) return v->from; /* exact end points: from * n1 / n1 */
  if (i == v->n - 1) return v->to;         /* can differ from from in the last bit */
  /* a weighted mean of the end points rounds better than from + i*step:
   * 0.2:1.2:6 gives 0.6, not 0.6000000000000001 */
  double n1 = (double)(v->n - 1);
  double x = (v->from * (n1 - (double)i) + v->to * (double)i) / n1;
  if (isfinite(x)) return x;
  /* the products overflow for end points near DBL_MAX: a convex combination
   * stays within [from, to] */
  double t = (double)i / n1;
  return v->from * (1 - t) + v->to * t;
}

int accq_cli_policy_list(const accq_cli_t *cli, int max, const char *list,
                         char names[][ACCQ_NAME_MAX], int *n) {
  *n = 0;
  if (!list || !*list) return accq_cli_usage(cli, "--policy needs a name (or 'all')");
  const char *p = list;
  while (*p) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == 0 || len >= ACCQ_NAME_MAX) return accq_cli_usage(cli, "bad policy list '%s'", list);
    if (len == 3 && !strncmp(p, "all", 3)) {
      for (int i = 0; i < accq_policy_nnames; i++) {
        if (*n >= max) return accq_cli_usage(cli, "more than %d policies in '%s'", max, list);
        snprintf(names[(*n)++], ACCQ_NAME_MAX, "%s", accq_policy_names[i]);
      }
    } else {
      if (*n >= max) return accq_cli_usage(cli, "more than %d policies in '%s'", max, list);
      memcpy(names[*n], p, len);
      names[(*n)++][len] = '\0';
    }
    p += len + (comma ? 1 : 0);
    if (comma && !*p) return accq_cli_usage(cli, "bad policy list '%s' (trailing comma)", list);
  }
  return 0;
}
