/* accq golden MODEL [KEY=VALUE..] [MODEL [KEY=VALUE..]].. --out golden.json:
 * exact reference values for external simulators (checked by `accq
 * check-sim`).
 *
 * For each model and policy, the lumped chain at the model's buffer (auto:
 * grown until the boundary mass and the change of E[T] are below 1e-9) gives
 * the measures; each entry carries the truncation B, the boundary mass, the
 * last relative change of E[T] when B grew, the stationary residual, the
 * SHA-256 of the model file and the overrides applied, so a user can tell
 * how exact "exact" is and where it came from.
 *
 * An entry that is not a reference (the policy is unstable or infeasible at
 * this load, the truncation did not converge, the chain is too large) is
 * written with its "status" and "reason" and no "measures": check-sim skips
 * it and says so.  The exit status is then the worst of those (4 no answer,
 * 3 numerical) unless --allow-partial.
 *
 * Besides the type-level means, each entry has the distributions the chain
 * knows exactly, which tell dispatch rules apart (jsq and jiq differ by
 * 1.9e-4 in E[T] on two-tier): level.TYPE.Q (fraction of type-TYPE servers
 * holding exactly Q jobs) and p_wait.TYPE; and frac_below.pXX, the fraction
 * of jobs whose response time is at most the exact percentile pXX (0.5,
 * 0.9, 0.95, 0.99): the unbiased way to test percentiles.
 *
 * The computation and the file's layout are accq_check_golden_compute and
 * accq_check_golden_report (accq/check.h); this file parses the models and
 * their overrides, and writes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "cli/cli.h"
#include "cli/dist_run.h"
#include "cli/simcli.h"


/* A positional argument that sets a key of the model before it. */
static int is_override(const char *a) { return strchr(a, '=') && strchr(a, '.'); }

typedef struct {
  const char *path;
  int first_set, nsets; /* its overrides: args[first_set .. first_set+nsets) */
  accq_model_t m;
  char sha[65];
  const char *sets[ACCQ_CLI_LIST_MAX]; /* --set values, then its own overrides */
} model_arg_t;

/* One cell per (model, policy) entry (accq_dist_run); rank 0 appends them in
 * cell order. */
typedef struct {
  const accq_check_golden_model_t *gm;
  int nm;
  const char (*names)[ACCQ_NAME_MAX];
  int npol;
  const accq_check_golden_options_t *opt;
  accq_check_golden_t *g;
} run_t;

static int eval_entry(void *ctx, int cell, void **bytes, size_t *len, accq_err_t *err) {
  run_t *r = ctx;
  return accq_check_golden_cell(r->gm, r->nm, r->names, r->npol, r->opt, cell, bytes, len, err);
}

static int store_entry(void *ctx, int cell, const void *bytes, size_t len, accq_err_t *err) {
  run_t *r = ctx;
  return accq_check_golden_add(r->g, r->gm, r->nm, r->names, r->npol, cell, bytes, len, err);
}

/* What a checkpoint is bound to: every model (its canonical text, path,
 * SHA-256 and overrides, in order) into *text (malloc'd), the policies and
 * the buffer into opts. */
static int identity(const accq_check_golden_model_t *gm, int nm,
                    const char (*names)[ACCQ_NAME_MAX], int npol, int buffer, char **text,
                    char *opts, size_t osize, accq_err_t *err) {
  size_t cap = 4096, used = 0;
  for (int a = 0; a < nm; a++) {
    int need = accq_model_format(gm[a].model, NULL, 0);
    cap += (size_t)(need > 0 ? need : 0) + strlen(gm[a].path) + 256;
    for (int s = 0; s < gm[a].nsets; s++) cap += strlen(gm[a].sets[s]) + 2;
  }
  if (!(*text = malloc(cap))) return accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  (*text)[0] = '\0';
  for (int a = 0; a < nm; a++) {
    used += (size_t)snprintf(*text + used, cap - used, "# model %d %s sha256 %s sets", a + 1,
                             gm[a].path, gm[a].sha256);
    for (int s = 0; s < gm[a].nsets; s++)
      used += (size_t)snprintf(*text + used, cap - used, " %s", gm[a].sets[s]);
    used += (size_t)snprintf(*text + used, cap - used, "\n");
    accq_model_format(gm[a].model, *text + used, (int)(cap - used));
    used += strlen(*text + used);
  }
  opts[0] = '\0';
  accq_cli_dist_opt(opts, osize, "buffer", "%d", buffer);
  for (int i = 0; i < npol; i++) accq_cli_dist_opt(opts, osize, "policy", "%s", names[i]);
  return ACCQ_SUCCESS;
}

/* Every entry's cell (over the MPI ranks when started by mpirun) into g on
 * rank 0, in file order.  -1 on rank 0 when done; otherwise the exit status
 * (0 on the other ranks, which write nothing). */
static int compute(const accq_cli_t *cli, const char *checkpoint,
                   const accq_check_golden_model_t *gm, int nm,
                   const char (*names)[ACCQ_NAME_MAX], int npol, int buffer,
                   accq_check_golden_t *g) {
  accq_err_t err;
  accq_err_clear(&err);
  accq_check_golden_init(g);
  accq_check_golden_options_t opt;
  accq_check_golden_options_init(&opt);
  opt.buffer = buffer;
  char *text = NULL, opts[4096];
  if (identity(gm, nm, names, npol, buffer, &text, opts, sizeof opts, &err) ||
      accq_check_golden_start(g, nm * npol, &err)) {
    free(text);
    return accq_cli_fail(&err);
  }
  run_t r = {gm, nm, names, npol, &opt, g};
  const accq_cli_dist_job_t job = {"golden",   NULL,        opts, checkpoint, nm * npol,
                                   eval_entry, store_entry, &r};
  int rc = accq_cli_dist_run_text(cli, &job, text);
  free(text);
  if (rc >= 0) accq_check_golden_release(g);
  return rc;
}

/* Computes the entries and writes the file; the exit status. */
static int write_golden(const accq_cli_t *cli, model_arg_t *ma, int nm,
                        const char (*names)[ACCQ_NAME_MAX], int npol, int buffer,
                        int allow_partial, const char *checkpoint) {
  accq_check_golden_model_t *gm = calloc((size_t)nm, sizeof *gm);
  accq_err_t err;
  accq_err_clear(&err);
  if (!gm) {
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    return accq_cli_fail(&err);
  }
  for (int a = 0; a < nm; a++) {
    int n = 0;
    for (int s = 0; s < cli->sets.n; s++) ma[a].sets[n++] = cli->sets.v[s];
    for (int s = 0; s < ma[a].nsets; s++) ma[a].sets[n++] = cli->args[ma[a].first_set + s];
    gm[a] = (accq_check_golden_model_t){&ma[a].m, ma[a].path, ma[a].sha, ma[a].sets, n};
  }
  accq_check_golden_t g;
  int crc = compute(cli, checkpoint, gm, nm, names, npol, buffer, &g);
  free(gm);
  if (crc >= 0) return crc; /* an error (printed), or not rank 0 (writes nothing) */
  for (int i = 0; i < g.nwarnings; i++) fprintf(stderr, "accq golden: %s\n", g.warnings[i]);
  accq_report_t *rep = accq_check_golden_report(&g);
  int rc = 0;
  if (!rep) {
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    rc = accq_cli_fail(&err);
  } else if (accq_report_write_file(rep, ACCQ_FORMAT_JSON, cli->out, &err)) {
    rc = accq_cli_fail(&err);
  } else if (g.nwarnings && !allow_partial) {
    fprintf(stderr,
            "accq golden: %d entr%s not a reference (written with status and reason; "
            "--allow-partial to exit 0)\n",
            g.nwarnings, g.nwarnings == 1 ? "y is" : "ies are");
    rc = g.worst;
  }
  accq_report_free(rep);
  accq_check_golden_release(&g);
  return rc;
}

int accq_cli_golden(int argc, char **argv) {
  const char *policies = "all";
  int buffer = 0, allow_partial = 0;
  const char *checkpoint = NULL;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]", "policies (default all)"},
      {"buffer", 'b', ACCQ_OPT_COUNT, &buffer, "B", "chain buffer (default: the model's, auto)"},
      {"allow-partial", 0, ACCQ_OPT_FLAG, &allow_partial, NULL,
       "exit 0 even when some entries are not references (unstable, not converged)"},
      {"checkpoint", 0, ACCQ_OPT_STRING, &checkpoint, "FILE",
       ACCQ_CLI_CHECKPOINT_HELP " (one cell per entry)"},
      {0}};
  const accq_cli_spec_t spec = {
      "golden", "MODEL [SECTION.KEY=VALUE..] [MODEL [..]].. [--out golden.json] [options]",
      "Exact reference values (lumped Markov chain) of every policy on each model,\n"
      "with their definitions, truncation, residuals and the model file's SHA-256,\n"
      "as JSON for `accq check-sim golden.json results.csv`.  SECTION.KEY=VALUE\n"
      "arguments after a model override its keys (after any --set), so one file can\n"
      "give several entries: `golden m.ini system.load=0.5 m.ini system.load=0.9`.\n"
      "Entries that are not references (unstable policy, truncation not converged)\n"
      "carry \"status\" and \"reason\" and no measures; the exit status is then 4 or 3\n"
      "unless --allow-partial.",
      ACCQ_CLI_OUT | ACCQ_CLI_SET, opts, 1, -1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (buffer < 0) return accq_cli_usage(&cli, "--buffer must be >= 1 (got %d)", buffer);
  char names[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  int npol;
  if ((rc = accq_cli_policy_list(&cli, ACCQ_SIMCLI_MAX_POLICIES, policies, names, &npol))) return rc;

  /* models and their overrides */
  model_arg_t *ma = calloc((size_t)cli.nargs, sizeof *ma);
  if (!ma) {
    fprintf(stderr, "accq: out of memory\n");
    return 3;
  }
  int nm = 0;
  for (int a = 0; a < cli.nargs; a++) {
    if (is_override(cli.args[a])) {
      if (nm == 0) {
        free(ma);
        return accq_cli_usage(&cli, "'%s' sets a key but no model comes before it", cli.args[a]);
      }
      ma[nm - 1].nsets++;
    } else {
      ma[nm].path = cli.args[a];
      ma[nm].first_set = a + 1;
      nm++;
    }
  }
  accq_err_t err;
  accq_err_clear(&err);
  /* load every model first: names, outputs and ambiguities are refused
   * before any chain is built */
  const char *inputs[ACCQ_CLI_LIST_MAX];
  for (int i = 0; i < nm; i++) inputs[i] = ma[i].path;
  for (int i = 0; i < nm; i++) {
    accq_cli_t one = cli;
    one.model = ma[i].path;
    for (int s = 0; s < ma[i].nsets; s++) {
      if (one.sets.n >= ACCQ_CLI_LIST_MAX) {
        free(ma);
        return accq_cli_usage(&cli, "too many overrides");
      }
      one.sets.v[one.sets.n++] = cli.args[ma[i].first_set + s];
    }
    if ((rc = accq_cli_load_model(&one, &ma[i].m, 1)) != 0 ||
        (rc = accq_outfile_check(cli.out, inputs, nm, &err) ? accq_cli_fail(&err) : 0) != 0 ||
        (rc = accq_sha256_file(ma[i].path, ma[i].sha, &err) ? accq_cli_fail(&err) : 0) != 0 ||
        /* the path goes into the JSON as "file" */
        (rc = accq_report_check_text(ma[i].m.file, "the model file's path", &err) ? accq_cli_fail(&err) : 0) != 0) {
      free(ma);
      return rc;
    }
    double li = (double)ma[i].m.scale * ma[i].m.arrival_rate;
    for (int j = 0; j < i; j++) {
      double lj = (double)ma[j].m.scale * ma[j].m.arrival_rate;
      if (!strcmp(ma[i].m.name, ma[j].m.name) && fabs(li - lj) <= 1e-6 * fmax(1, fabs(lj))) {
        accq_err_set(&err, ACCQ_EUSAGE,
                     "models %d (%s) and %d (%s) are both named '%s' at lambda %.10g: check-sim "
                     "could not tell their entries apart; give one another name "
                     "(e.g. %s system.name=%s-2)",
                     j + 1, ma[j].path, i + 1, ma[i].path, ma[i].m.name, li, ma[i].path,
                     ma[i].m.name);
        free(ma);
        return accq_cli_fail(&err);
      }
    }
  }

  rc = write_golden(&cli, ma, nm, (const char (*)[ACCQ_NAME_MAX])names, npol, buffer, allow_partial,
                    checkpoint);
  free(ma);
  return rc;
}
