/* accq verify [MODEL..]: the claims on each model, one row per claim and
 * model.  Exit status: 1 when some row FAILs; else 3 when some row is SKIPPED
 * (a claim that could not be checked anywhere, e.g. every chain over the state
 * limit, is not a pass); else 0 (PASS, or PARTIAL: held on the part checked).
 * The CLI parses, calls the library (accq_verify_model per model, the run's
 * summary and report from accq/verify.h) and prints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/accq.h"
#include "accq/clock.h"
#include "accq/verify.h"
#include "cli/cli.h"
#include "cli/dist_run.h"
#include "cli/numlist.h"

#define MAX_MODELS 64

/* One line per claim row on stderr (not with -q), when it starts and when it
 * is done, so that a long row is seen running even without a terminal.
 * Under mpirun only rank 0's lines reach the terminal (the other ranks'
 * stderr is closed), so a row computed elsewhere shows up when it arrives. */
static void on_row(void *ctx, int claim, const char *title, const char *model,
                   const accq_claim_row_t *row) {
  const accq_cli_t *cli = ctx;
  if (cli->quiet) return;
  if (isatty(2)) fputs("\r\033[K", stderr); /* the executor's bar redraws at its next update */
  if (!row)
    fprintf(stderr, "accq verify: %s: claim %d (%s)...\n", model, claim, title);
  else
    fprintf(stderr, "accq verify: %s: claim %d (%s): %s%s (%.1f s)\n", model, claim, title,
            accq_verdict_name(row->verdict), row->stopped ? ", stopped by the time limit" : "",
            row->seconds);
  fflush(stderr);
}

/* Human layout: a table of verdicts, each row followed by its evidence and note. */
static void write_text(FILE *f, const accq_claim_row_t *rows, int n, int nmodels,
                       double seconds) {
  int count[4];
  accq_verify_count(rows, n, count);
  fprintf(f, "accq verify: %d model(s), %d row(s), %.1f s\n\n", nmodels, n, seconds);
  fprintf(f, "%-32s %-20s %-8s %8s %13s\n", "claim", "model", "verdict", "checked",
          "worst margin");
  for (int i = 0; i < n; i++) {
    const accq_claim_row_t *r = &rows[i];
    char claim[64];
    snprintf(claim, sizeof claim, "%d %s", r->claim, r->title);
    if (r->verdict == ACCQ_VERDICT_SKIPPED) {
      /* nothing was checked: no margin that could be read as a result */
      fprintf(f, "%-32s %-20s %-8s %8d %13s\n", claim, r->model, accq_verdict_name(r->verdict),
              r->instances, "-");
      fprintf(f, "    reason:   %s\n", r->reason);
      if (r->note[0]) fprintf(f, "    note:     %s\n", r->note);
      continue;
    }
    fprintf(f, "%-32s %-20s %-8s %8d %13.4g\n", claim, r->model, accq_verdict_name(r->verdict),
            r->instances, r->worst_margin);
    fprintf(f, "    margin:   %s\n", r->margin_what);
    if (r->evidence[0]) fprintf(f, "    evidence: %s\n", r->evidence);
    if (r->note[0]) fprintf(f, "    note:     %s\n", r->note);
    for (int j = 0; j < r->nwarnings && j < ACCQ_VERIFY_ROW_WARNINGS; j++)
      fprintf(f, "    warning:  %s (not used as evidence)\n", r->warnings[j]);
  }
  fprintf(f, "\n%d PASS, %d PARTIAL, %d FAIL, %d SKIPPED: verdict %s\n",
          count[ACCQ_VERDICT_PASS], count[ACCQ_VERDICT_PARTIAL], count[ACCQ_VERDICT_FAIL],
          count[ACCQ_VERDICT_SKIPPED], accq_verdict_name(accq_verify_overall(rows, n)));
}

/* The option strings of the grid, before parsing. */
typedef struct {
  const char *claims, *loads, *scales, *sim_scales, *fault, *checkpoint;
  int64_t max_states;
  int jobs, reps, max_buffer;
  double time_limit;
} grid_args_t;

/* A list of sizes (--scales, --sim-scales): whole numbers >= 1. */
static int parse_sizes(const accq_cli_t *cli, const char *opt, const char *s, int *v, int *n) {
  if (accq_cli_parse_ints(s, v, ACCQ_VERIFY_MAX_GRID, n))
    return accq_cli_usage(cli, "--%s: expected a list such as %s (got '%s')", opt,
                          strcmp(opt, "scales") ? "4,16" : "1,2", s);
  for (int i = 0; i < *n; i++)
    if (v[i] < 1) return accq_cli_usage(cli, "--%s: sizes must be >= 1 (got %d)", opt, v[i]);
  return -1;
}

/* The grid options into o; -1 when they are good, else the usage exit status. */
static int parse_grid(const accq_cli_t *cli, const grid_args_t *a, accq_verify_options_t *o) {
  if (a->claims) {
    int c[ACCQ_VERIFY_NCLAIMS + 1], n;
    if (accq_cli_parse_ints(a->claims, c, ACCQ_VERIFY_NCLAIMS + 1, &n))
      return accq_cli_usage(cli, "--claims: expected a list such as 1,2,5 (got '%s')", a->claims);
    o->claims = 0;
    for (int i = 0; i < n; i++) {
      if (c[i] < 1 || c[i] > ACCQ_VERIFY_NCLAIMS)
        return accq_cli_usage(cli, "--claims: claims are 1..%d (got %d)", ACCQ_VERIFY_NCLAIMS,
                              c[i]);
      o->claims |= 1u << (c[i] - 1);
    }
  }
  if (a->loads) {
    if (accq_cli_parse_doubles(a->loads, o->loads, ACCQ_VERIFY_MAX_GRID, &o->nloads))
      return accq_cli_usage(cli, "--loads: expected a list such as 0.3,0.6 (got '%s')", a->loads);
    for (int i = 0; i < o->nloads; i++)
      if (!(o->loads[i] > 0 && o->loads[i] <= 1))
        return accq_cli_usage(cli, "--loads: each load must be in (0,1] (got %g)", o->loads[i]);
  }
  int rc;
  if (a->scales && (rc = parse_sizes(cli, "scales", a->scales, o->scales, &o->nscales)) >= 0)
    return rc;
  if (a->sim_scales &&
      (rc = parse_sizes(cli, "sim-scales", a->sim_scales, o->sim_scales, &o->nsim_scales)) >= 0)
    return rc;
  if (a->reps == 1) return accq_cli_usage(cli, "--replications must be >= 2 (got 1)");
  if (a->max_states) o->max_states = a->max_states;
  if (a->max_buffer) o->max_buffer = a->max_buffer;
  if (a->jobs) o->sim_jobs = a->jobs;
  if (a->reps) o->sim_replications = a->reps;
  /* inf: no limit (the library's 0) */
  o->time_limit = isinf(a->time_limit) ? 0 : a->time_limit;
  o->seed = (unsigned long)cli->seed;
  /* a typo in a fault is a usage error before anything runs */
  accq_err_t ferr;
  accq_err_clear(&ferr);
  if (accq_verify_fault_check(a->fault, &ferr)) return accq_cli_usage(cli, "%s", ferr.msg);
  o->fault = a->fault;
  return -1;
}

/* The models: the arguments, or every bundled one; every model is loaded (and a
 * bad one refused) before anything is computed.  0 or the exit status. */
static int load_models(const accq_cli_t *cli, accq_model_t **models, int *nmodels) {
  static char paths[MAX_MODELS][1024];
  accq_err_t err;
  accq_err_clear(&err);
  *nmodels = 0;
  if (cli->nargs == 0) {
    char dir[1024];
    if (accq_verify_bundled_models(paths, MAX_MODELS, nmodels, dir, sizeof dir, &err))
      return accq_cli_fail(&err);
    if (cli->verbose) fprintf(stderr, "accq verify: %d bundled model(s) in %s\n", *nmodels, dir);
  } else {
    for (int i = 0; i < cli->nargs; i++) snprintf(paths[(*nmodels)++], 1024, "%s", cli->args[i]);
  }
  *models = calloc((size_t)*nmodels, sizeof **models);
  if (!*models) {
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    return accq_cli_fail(&err);
  }
  for (int i = 0; i < *nmodels; i++)
    if (accq_model_load(&(*models)[i], paths[i], cli->sets.v, cli->sets.n, &err)) {
      free(*models);
      *models = NULL;
      return accq_cli_fail(&err);
    }
  return 0;
}

/* One cell per model (accq_dist_run): the claims of a model share its grid of
 * chains and its simulations (claims 3 and 4 reuse claim 2's), so splitting a
 * model's rows over ranks would repeat that shared work. */
typedef struct {
  const accq_cli_t *cli;
  const accq_model_t *models;
  accq_verify_options_t *o;
  accq_claim_row_t *rows;     /* rank 0: every model's rows, in model order */
  int nrows;
  const char *checkpoint;     /* --checkpoint FILE or NULL */
} run_t;

static int eval_model(void *ctx, int cell, void **bytes, size_t *len, accq_err_t *err) {
  run_t *r = ctx;
  accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
  int n = 0;
  int st = accq_verify_model(&r->models[cell], r->o, rows, &n, err);
  /* with a checkpoint, a row the time limit stopped is not a result to keep
   * (a rerun would read it back instead of finishing it): the run stops there,
   * with every finished model in the checkpoint */
  for (int j = 0; !st && r->checkpoint && j < n; j++)
    if (rows[j].stopped)
      st = accq_err_set(err, ACCQ_ENUMERIC,
                        "verify: the time limit (--time-limit %g s) stopped claim %d on %s; the "
                        "models finished are in the checkpoint %s: rerun the same command to "
                        "continue",
                        r->o->time_limit, rows[j].claim, rows[j].model, r->checkpoint);
  if (!st) st = accq_verify_rows_pack(rows, n, bytes, len, err);
  return st;
}

static int store_model(void *ctx, int cell, const void *bytes, size_t len, accq_err_t *err) {
  run_t *r = ctx;
  int n = 0;
  int st = accq_verify_rows_unpack(bytes, len, r->rows + r->nrows, ACCQ_VERIFY_NCLAIMS, &n, err);
  if (st) return st;
  r->nrows += n;
  if (r->cli->verbose) fprintf(stderr, "accq verify: %s done\n", r->models[cell].name);
  return ACCQ_SUCCESS;
}

/* What a checkpoint is bound to: the models (their canonical text, in order)
 * and every option that changes a row.  *text malloc'd. */
static int identity(const accq_model_t *models, int nmodels, const accq_verify_options_t *o,
                    char **text, char *opts, size_t osize, accq_err_t *err) {
  size_t cap = 1 << 16, used = 0;
  *text = malloc(cap);
  if (!*text) return accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  (*text)[0] = '\0';
  for (int i = 0; i < nmodels; i++) {
    int need = accq_model_format(&models[i], NULL, 0);
    if (need < 0) need = 0;
    if (used + (size_t)need + 64 > cap) {
      while (used + (size_t)need + 64 > cap) cap *= 2;
      char *t = realloc(*text, cap);
      if (!t) {
        free(*text);
        *text = NULL;
        return accq_err_set(err, ACCQ_ENOMEM, "out of memory");
      }
      *text = t;
    }
    used += (size_t)snprintf(*text + used, cap - used, "# model %d\n", i + 1);
    accq_model_format(&models[i], *text + used, (int)(cap - used));
    used += strlen(*text + used);
  }
  opts[0] = '\0';
  accq_cli_dist_opt(opts, osize, "claims", "%u", o->claims);
  accq_cli_dist_opt(opts, osize, "max_states", "%lld", (long long)o->max_states);
  accq_cli_dist_opt(opts, osize, "max_buffer", "%d,%d", o->max_buffer, o->small_buffer);
  accq_cli_dist_opt(opts, osize, "seed", "%lu", o->seed);
  accq_cli_dist_opt(opts, osize, "replications", "%d", o->sim_replications);
  accq_cli_dist_opt(opts, osize, "jobs", "%ld", o->sim_jobs);
  accq_cli_dist_opt(opts, osize, "fault", "%s", o->fault ? o->fault : "");
  char list[ACCQ_VERIFY_MAX_GRID * 26];
  size_t w = 0;
  list[0] = '\0';
  for (int i = 0; i < o->nloads; i++)
    w += (size_t)snprintf(list + w, sizeof list - w, "%.17g,", o->loads[i]);
  accq_cli_dist_opt(opts, osize, "loads", "%s", list);
  w = 0;
  for (int i = 0; i < o->nscales; i++)
    w += (size_t)snprintf(list + w, sizeof list - w, "%d,", o->scales[i]);
  accq_cli_dist_opt(opts, osize, "scales", "%s", list);
  w = 0;
  list[0] = '\0';
  for (int i = 0; i < o->nsim_scales; i++)
    w += (size_t)snprintf(list + w, sizeof list - w, "%d,", o->sim_scales[i]);
  accq_cli_dist_opt(opts, osize, "sim_scales", "%s", list);
  w = 0;
  list[0] = '\0';
  for (int i = 0; i < o->nslacks; i++)
    w += (size_t)snprintf(list + w, sizeof list - w, "%.17g,", o->slacks[i]);
  accq_cli_dist_opt(opts, osize, "slacks", "%s", list);
  return ACCQ_SUCCESS;
}

/* Checks every model (one cell each, over the MPI ranks when started by
 * mpirun), rows in model order on rank 0.  -1 on rank 0 when every row is
 * in; otherwise the exit status (0 on the other ranks, which print nothing). */
static int run_models(const accq_cli_t *cli, const char *checkpoint, const accq_model_t *models,
                      int nmodels, accq_verify_options_t *o, accq_claim_row_t *rows, int *nrows,
                      double *seconds) {
  run_t r = {cli, models, o, rows, 0, checkpoint};
  accq_err_t err;
  accq_err_clear(&err);
  char *text = NULL, opts[4096];
  if (identity(models, nmodels, o, &text, opts, sizeof opts, &err)) return accq_cli_fail(&err);
  o->progress = NULL; /* the executor's bar counts models */
  o->row_progress = on_row;
  o->progress_ctx = (void *)cli;
  const accq_cli_dist_job_t job = {"verify",   NULL,        opts, checkpoint, nmodels,
                                   eval_model, store_model, &r};
  double t0 = accq_clock_now();
  o->time_start = t0; /* one deadline for every model (each rank's own clock) */
  int rc = accq_cli_dist_run_text(cli, &job, text);
  free(text);
  *nrows = r.nrows;
  *seconds = accq_clock_now() - t0;
  return rc;
}

/* The rows in the chosen format; 0 or the exit status of a failed write. */
static int emit(const accq_cli_t *cli, const accq_claim_row_t *rows, int nrows, int nmodels,
                double seconds) {
  accq_err_t err;
  accq_err_clear(&err);
  if (cli->format != ACCQ_FORMAT_TEXT) {
    accq_report_t *rep = accq_verify_report(rows, nrows, nmodels, seconds);
    if (!rep) {
      accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
      return accq_cli_fail(&err);
    }
    int erc = accq_cli_emit(cli, rep);
    accq_report_free(rep);
    return erc;
  }
  /* stdout too goes through the outfile API, so a failed write is exit 3 */
  accq_outfile_t *of = NULL;
  if (accq_outfile_open(cli->out, &of, &err)) return accq_cli_fail(&err);
  write_text(accq_outfile_stream(of), rows, nrows, nmodels, seconds);
  if (accq_outfile_commit(of, &err)) return accq_cli_fail(&err);
  return 0;
}

/* Never hidden by -q: the exit status needs its reason on stderr. */
static void print_reasons(const accq_claim_row_t *rows, int nrows) {
  int count[4];
  accq_verify_count(rows, nrows, count);
  if (count[ACCQ_VERDICT_FAIL])
    fprintf(stderr, "accq verify: %d claim row(s) FAILED\n", count[ACCQ_VERDICT_FAIL]);
  for (int i = 0; i < nrows; i++) {
    if (rows[i].stopped)
      fprintf(stderr, "accq verify: claim %d on %s not done: %s\n", rows[i].claim,
              rows[i].model, rows[i].reason);
    else if (rows[i].verdict == ACCQ_VERDICT_SKIPPED)
      fprintf(stderr, "accq verify: warning: claim %d on %s SKIPPED (nothing checked): %s\n",
              rows[i].claim, rows[i].model, rows[i].reason);
    char wt[ACCQ_VERIFY_ROW_TEXTS][ACCQ_VERIFY_TEXT_MAX];
    int nw = accq_verify_row_warnings(&rows[i], 0, wt);
    for (int j = 0; j < nw; j++) fprintf(stderr, "accq verify: warning: %s\n", wt[j]);
  }
}

int accq_cli_verify(int argc, char **argv) {
  grid_args_t a;
  memset(&a, 0, sizeof a);
  a.time_limit = ACCQ_VERIFY_TIME_LIMIT;
  const accq_cli_opt_t opts[] = {
      {"claims", 0, ACCQ_OPT_STRING, &a.claims, "1,2,..", "check only these claims (default all)"},
      {"loads", 0, ACCQ_OPT_STRING, &a.loads, "L,..",
       "loads (fractions of Lambda_max(a*)) of the grid (default 0.3,0.6,0.85)"},
      {"scales", 0, ACCQ_OPT_STRING, &a.scales, "M,..", "sizes m of the exact chains (default 1,2)"},
      {"sim-scales", 0, ACCQ_OPT_STRING, &a.sim_scales, "M,..",
       "sizes m simulated beyond the chains (default 4,16,64)"},
      {"max-states", 0, ACCQ_OPT_SIZE, &a.max_states, "N",
       "state limit per chain of the grid (default 2e4; larger instances are skipped)"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &a.max_buffer, "B", "largest auto buffer (default 60)"},
      {"jobs", 0, ACCQ_OPT_COUNT, &a.jobs, "N", "simulated jobs per replication (default 1e5)"},
      {"replications", 0, ACCQ_OPT_COUNT, &a.reps, "R", "simulation replications (default 10)"},
      {"time-limit", 0, ACCQ_OPT_POSITIVE_INF, &a.time_limit, "SECONDS",
       "stop after this many seconds of wall time (default 600; inf: none): the claim running "
       "then and the later ones are reported as not done, exit 3"},
      {"inject-fault", 0, ACCQ_OPT_STRING, &a.fault, "FAULT",
       "for tests: claims-target=POLICY treats POLICY as meeting a* by construction (must make "
       "verify fail); sim-forget-warmup simulates with no warm-up (the bias warnings must "
       "show)"},
      {"checkpoint", 0, ACCQ_OPT_STRING, &a.checkpoint, "FILE",
       ACCQ_CLI_CHECKPOINT_HELP " (one cell per model)"},
      {0}};
  const accq_cli_spec_t spec = {
      "verify", "[MODEL..] [options]",
      "Checks the claims of docs/claims.md on each model (default: every bundled model):\n"
      "  1 LP bound, 2 R-JIQ and POP meet a*, 3 R-JIQ asymptotically optimal,\n"
      "  4 POP near-optimal, 5 agreement of independent methods,\n"
      "  6 POP robust to a moving load.\n"
      "Exact chains over a grid of loads and sizes, simulation beyond.  One row per\n"
      "claim and model: PASS (checked on at least one instance, held on all),\n"
      "PARTIAL (holds in part; the row says which), FAIL (an instance contradicts\n"
      "it) or SKIPPED (nothing could be checked; the row says why).\n"
      "Exit status: 1 if any row FAILs, else 3 if any row is SKIPPED or not done\n"
      "(--time-limit), else 0.",
      ACCQ_CLI_FORMAT | ACCQ_CLI_OUT | ACCQ_CLI_SET | ACCQ_CLI_SEED, opts, 0, MAX_MODELS};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  accq_verify_options_t o;
  accq_verify_options_init(&o);
  if ((rc = parse_grid(&cli, &a, &o)) >= 0) return rc;
  accq_model_t *models = NULL;
  int nmodels = 0, nrows = 0;
  if ((rc = load_models(&cli, &models, &nmodels))) return rc;
  accq_claim_row_t *rows = calloc((size_t)nmodels * ACCQ_VERIFY_NCLAIMS, sizeof *rows);
  double seconds = 0;
  if (!rows) {
    accq_err_t err;
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    rc = accq_cli_fail(&err);
  } else if ((rc = run_models(&cli, a.checkpoint, models, nmodels, &o, rows, &nrows,
                               &seconds)) < 0) { /* rank 0 with every row */
    rc = accq_verify_exit_status(rows, nrows);
    int erc = emit(&cli, rows, nrows, nmodels, seconds);
    if (erc) rc = erc;
    print_reasons(rows, nrows);
  }
  free(models);
  free(rows);
  return rc;
}
