/* accq verify [MODEL..]: the claims on each model, one row per claim and
 * model.  Exit status: 1 when some row FAILs; else 3 when some row is SKIPPED
 * (a claim that could not be checked anywhere, e.g. every chain over the state
 * limit, is not a pass); else 0 (PASS, or PARTIAL: held on the part checked). */
#include "accq/clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/accq.h"
#include "accq/verify.h"
#include "cli/cli.h"
#include "cli/numlist.h"

#define MAX_MODELS 64

typedef struct {
  accq_progress_t bar;
  int index;          /* model being checked */
} prog_t;

static void on_progress(void *ctx, const char *what, double fraction) {
  prog_t *p = ctx;
  (void)what;
  accq_progress_update(&p->bar, p->index + fraction);
}

static double now(void) { return accq_clock_now(); }

/* The simulation warnings of one row as texts "claim N on MODEL: simulation
 * ...: warning" (at most ACCQ_VERIFY_ROW_WARNINGS + 1: the last one counts the
 * warnings the row did not keep).  Returns how many were written. */
static int row_warnings(const accq_claim_row_t *r, char (*text)[ACCQ_VERIFY_WARNING_MAX + 160],
                        const char **ptr) {
  int n = 0, kept = r->nwarnings < ACCQ_VERIFY_ROW_WARNINGS ? r->nwarnings
                                                             : ACCQ_VERIFY_ROW_WARNINGS;
  for (int j = 0; j < kept; j++, n++) {
    snprintf(text[n], sizeof text[n], "claim %d on %s: %s (not used as evidence)", r->claim,
             r->model, r->warnings[j]);
    ptr[n] = text[n];
  }
  if (r->nwarnings > kept) {
    snprintf(text[n], sizeof text[n], "claim %d on %s: %d more simulation warning(s)", r->claim,
             r->model, r->nwarnings - kept);
    ptr[n] = text[n];
    n++;
  }
  return n;
}

/* Human layout: a table of verdicts, each row followed by its evidence and note. */
static void write_text(FILE *f, const accq_claim_row_t *rows, int n, int nmodels,
                       double seconds, const int *count) {
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

int accq_cli_verify(int argc, char **argv) {
  const char *claims_s = NULL, *loads_s = NULL, *scales_s = NULL, *sim_scales_s = NULL;
  const char *fault = NULL;
  int64_t max_states = 0;
  int jobs = 0, reps = 0, max_buffer = 0;
  const accq_cli_opt_t opts[] = {
      {"claims", 0, ACCQ_OPT_STRING, &claims_s, "1,2,..", "check only these claims (default all)"},
      {"loads", 0, ACCQ_OPT_STRING, &loads_s, "L,..",
       "loads (fractions of Lambda_max(a*)) of the grid (default 0.3,0.6,0.85)"},
      {"scales", 0, ACCQ_OPT_STRING, &scales_s, "M,..", "sizes m of the exact chains (default 1,2)"},
      {"sim-scales", 0, ACCQ_OPT_STRING, &sim_scales_s, "M,..",
       "sizes m simulated beyond the chains (default 4,16,64)"},
      {"max-states", 0, ACCQ_OPT_SIZE, &max_states, "N",
       "state limit per chain of the grid (default 2e4; larger instances are skipped)"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &max_buffer, "B", "largest auto buffer (default 60)"},
      {"jobs", 0, ACCQ_OPT_COUNT, &jobs, "N", "simulated jobs per replication (default 1e5)"},
      {"replications", 0, ACCQ_OPT_COUNT, &reps, "R", "simulation replications (default 10)"},
      {"inject-fault", 0, ACCQ_OPT_STRING, &fault, "FAULT",
       "for tests: claims-target=POLICY treats POLICY as meeting a* by construction (must make "
       "verify fail); sim-forget-warmup simulates with no warm-up (the bias warnings must "
       "show)"},
      {0}};
  const accq_cli_spec_t spec = {
      "verify", "[MODEL..] [options]",
      "Checks the claims of docs/claims.md on each model (default: every bundled model):\n"
      "  1 LP bound, 2 R-JIQ and POP meet a*, 3 R-JIQ asymptotically optimal,\n"
      "  4 POP near-optimal, 5 agreement of independent methods.\n"
      "Exact chains over a grid of loads and sizes, simulation beyond.  One row per\n"
      "claim and model: PASS (checked on at least one instance, held on all),\n"
      "PARTIAL (holds in part; the row says which), FAIL (an instance contradicts\n"
      "it) or SKIPPED (nothing could be checked; the row says why).\n"
      "Exit status: 1 if any row FAILs, else 3 if any row is SKIPPED, else 0.",
      ACCQ_CLI_FORMAT | ACCQ_CLI_OUT | ACCQ_CLI_SET | ACCQ_CLI_SEED, opts, 0, MAX_MODELS};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;

  accq_verify_options_t o;
  accq_verify_options_init(&o);
  if (claims_s) {
    int c[ACCQ_VERIFY_NCLAIMS + 1], n;
    if (accq_cli_parse_ints(claims_s, c, ACCQ_VERIFY_NCLAIMS + 1, &n))
      return accq_cli_usage(&cli, "--claims: expected a list such as 1,2,5 (got '%s')", claims_s);
    o.claims = 0;
    for (int i = 0; i < n; i++) {
      if (c[i] < 1 || c[i] > ACCQ_VERIFY_NCLAIMS)
        return accq_cli_usage(&cli, "--claims: claims are 1..%d (got %d)", ACCQ_VERIFY_NCLAIMS,
                              c[i]);
      o.claims |= 1u << (c[i] - 1);
    }
  }
  if (loads_s) {
    if (accq_cli_parse_doubles(loads_s, o.loads, ACCQ_VERIFY_MAX_GRID, &o.nloads))
      return accq_cli_usage(&cli, "--loads: expected a list such as 0.3,0.6 (got '%s')", loads_s);
    for (int i = 0; i < o.nloads; i++)
      if (!(o.loads[i] > 0 && o.loads[i] <= 1))
        return accq_cli_usage(&cli, "--loads: each load must be in (0,1] (got %g)", o.loads[i]);
  }
  if (scales_s) {
    if (accq_cli_parse_ints(scales_s, o.scales, ACCQ_VERIFY_MAX_GRID, &o.nscales))
      return accq_cli_usage(&cli, "--scales: expected a list such as 1,2 (got '%s')", scales_s);
    for (int i = 0; i < o.nscales; i++)
      if (o.scales[i] < 1)
        return accq_cli_usage(&cli, "--scales: sizes must be >= 1 (got %d)", o.scales[i]);
  }
  if (sim_scales_s) {
    if (accq_cli_parse_ints(sim_scales_s, o.sim_scales, ACCQ_VERIFY_MAX_GRID, &o.nsim_scales))
      return accq_cli_usage(&cli, "--sim-scales: expected a list such as 4,16 (got '%s')",
                            sim_scales_s);
    for (int i = 0; i < o.nsim_scales; i++)
      if (o.sim_scales[i] < 1)
        return accq_cli_usage(&cli, "--sim-scales: sizes must be >= 1 (got %d)", o.sim_scales[i]);
  }
  if (reps == 1) return accq_cli_usage(&cli, "--replications must be >= 2 (got 1)");
  if (max_states) o.max_states = max_states;
  if (max_buffer) o.max_buffer = max_buffer;
  if (jobs) o.sim_jobs = jobs;
  if (reps) o.sim_replications = reps;
  o.seed = (unsigned long)cli.seed;
  {
    /* a typo in a fault is a usage error before anything runs */
    accq_err_t ferr;
    accq_err_clear(&ferr);
    if (accq_verify_fault_check(fault, &ferr)) return accq_cli_usage(&cli, "%s", ferr.msg);
  }
  o.fault = fault;

  /* the models: the arguments, or every bundled one */
  static char paths[MAX_MODELS][1024];
  int nmodels = 0;
  accq_err_t err;
  accq_err_clear(&err);
  if (cli.nargs == 0) {
    char dir[1024];
    if (accq_verify_bundled_models(paths, MAX_MODELS, &nmodels, dir, sizeof dir, &err))
      return accq_cli_fail(&err);
    if (cli.verbose) fprintf(stderr, "accq verify: %d bundled model(s) in %s\n", nmodels, dir);
  } else {
    for (int i = 0; i < cli.nargs; i++) snprintf(paths[nmodels++], 1024, "%s", cli.args[i]);
  }
  accq_model_t *models = calloc((size_t)nmodels, sizeof *models);
  accq_claim_row_t *rows = calloc((size_t)nmodels * ACCQ_VERIFY_NCLAIMS, sizeof *rows);
  if (!models || !rows) {
    free(models);
    free(rows);
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    return accq_cli_fail(&err);
  }
  /* refuse any bad model before computing anything */
  for (int i = 0; i < nmodels; i++)
    if (accq_model_load(&models[i], paths[i], cli.sets.v, cli.sets.n, &err)) {
      free(models);
      free(rows);
      return accq_cli_fail(&err);
    }

  prog_t prog;
  accq_progress_start(&prog.bar, "verify", nmodels, cli.quiet);
  o.progress = on_progress;
  o.progress_ctx = &prog;
  int nrows = 0;
  double t0 = now();
  for (int i = 0; i < nmodels; i++) {
    prog.index = i;
    int n = 0;
    if (accq_verify_model(&models[i], &o, rows + nrows, &n, &err)) {
      accq_progress_finish(&prog.bar);
      free(models);
      free(rows);
      return accq_cli_fail(&err);
    }
    nrows += n;
    if (cli.verbose)
      fprintf(stderr, "accq verify: %s done (%.1f s)\n", models[i].name, now() - t0);
  }
  accq_progress_finish(&prog.bar);
  double seconds = now() - t0;

  int count[4] = {0, 0, 0, 0};
  for (int i = 0; i < nrows; i++) count[rows[i].verdict]++;
  accq_verdict_t overall = accq_verify_overall(rows, nrows);
  rc = overall == ACCQ_VERDICT_FAIL ? 1 : overall == ACCQ_VERDICT_SKIPPED ? 3 : 0;

  if (cli.format == ACCQ_FORMAT_TEXT) {
    /* stdout too goes through the outfile API, so a failed write is exit 3 */
    accq_outfile_t *of = NULL;
    if (accq_outfile_open(cli.out, &of, &err)) {
      rc = accq_cli_fail(&err);
    } else {
      write_text(accq_outfile_stream(of), rows, nrows, nmodels, seconds, count);
      if (accq_outfile_commit(of, &err)) rc = accq_cli_fail(&err);
    }
  } else {
    accq_report_t *rep = accq_report_alloc("accq verify: the claims of docs/claims.md");
    accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
    accq_kv_int(s, "models", "models", nmodels);
    accq_kv_int(s, "pass", "PASS", count[ACCQ_VERDICT_PASS]);
    accq_kv_int(s, "partial", "PARTIAL", count[ACCQ_VERDICT_PARTIAL]);
    accq_kv_int(s, "fail", "FAIL", count[ACCQ_VERDICT_FAIL]);
    accq_kv_int(s, "skipped", "SKIPPED", count[ACCQ_VERDICT_SKIPPED]);
    accq_kv_num(s, "seconds", "seconds", seconds, 3);
    accq_kv_str(s, "verdict", "verdict", accq_verdict_name(overall));
    /* the warnings: every row that could not be checked, with its reason, and
     * every simulation with a bias warning (not used as evidence) */
    size_t cap = (size_t)nrows * (ACCQ_VERIFY_ROW_WARNINGS + 2) + 1;
    char(*wtext)[ACCQ_VERIFY_WARNING_MAX + 160] = calloc(cap, sizeof *wtext);
    const char **warn = calloc(cap, sizeof *warn);
    int nwarn = 0;
    for (int i = 0; wtext && warn && i < nrows; i++) {
      if (rows[i].verdict == ACCQ_VERDICT_SKIPPED) {
        snprintf(wtext[nwarn], sizeof wtext[nwarn], "claim %d on %s SKIPPED: %s", rows[i].claim,
                 rows[i].model, rows[i].reason);
        warn[nwarn] = wtext[nwarn];
        nwarn++;
      }
      nwarn += row_warnings(&rows[i], wtext + nwarn, warn + nwarn);
    }
    accq_kv_strs(s, "warnings", "warnings", warn, nwarn);
    free(warn);
    free(wtext);
    accq_report_section_t *t = accq_report_table(rep, "claims", "claims");
    accq_table_col(t, "claim", "claim", 0);
    accq_table_col(t, "title", "title", 0);
    accq_table_col(t, "model", "model", 0);
    accq_table_col(t, "verdict", "verdict", 0);
    accq_table_col(t, "status", "status", 0);
    accq_table_col(t, "reason", "reason", 0);
    accq_table_col(t, "instances", "checked", 0);
    accq_table_col(t, "excluded", "excluded", 0);
    accq_table_col(t, "worst_margin", "worst margin", 4);
    accq_table_col(t, "margin", "margin measures", 0);
    accq_table_col(t, "evidence", "evidence", 0);
    accq_table_col(t, "note", "note", 0);
    accq_table_col(t, "seconds", "seconds", 3);
    for (int i = 0; i < nrows; i++) {
      const accq_claim_row_t *r = &rows[i];
      accq_table_row(t);
      accq_table_int(t, r->claim);
      accq_table_str(t, r->title);
      accq_table_str(t, r->model);
      accq_table_str(t, accq_verdict_name(r->verdict));
      int skipped = r->verdict == ACCQ_VERDICT_SKIPPED;
      accq_table_str(t, skipped ? "skipped" : "ok");
      if (skipped) accq_table_str(t, r->reason);
      else accq_table_null(t, NULL);
      accq_table_int(t, r->instances);
      accq_table_int(t, r->excluded);
      if (skipped) accq_table_null(t, "-"); /* no margin: nothing was checked */
      else accq_table_num(t, r->worst_margin);
      accq_table_str(t, r->margin_what);
      accq_table_str(t, r->evidence);
      accq_table_str(t, r->note);
      accq_table_num(t, r->seconds);
    }
    accq_report_set_primary(rep, t);
    int erc = accq_cli_emit(&cli, rep);
    accq_report_free(rep);
    if (erc) rc = erc;
  }
  /* never hidden by -q: the exit status needs its reason on stderr */
  if (count[ACCQ_VERDICT_FAIL])
    fprintf(stderr, "accq verify: %d claim row(s) FAILED\n", count[ACCQ_VERDICT_FAIL]);
  for (int i = 0; i < nrows; i++) {
    if (rows[i].verdict == ACCQ_VERDICT_SKIPPED)
      fprintf(stderr, "accq verify: warning: claim %d on %s SKIPPED (nothing checked): %s\n",
              rows[i].claim, rows[i].model, rows[i].reason);
    char wt[ACCQ_VERIFY_ROW_WARNINGS + 1][ACCQ_VERIFY_WARNING_MAX + 160];
    const char *wp[ACCQ_VERIFY_ROW_WARNINGS + 1];
    int nw = row_warnings(&rows[i], wt, wp);
    for (int j = 0; j < nw; j++) fprintf(stderr, "accq verify: warning: %s\n", wp[j]);
  }
  free(models);
  free(rows);
  return rc;
}
