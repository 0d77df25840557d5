/* accq crosscheck MODEL: for every policy, the exact chain at its buffer B
 * against the simulator with the same B, measure by measure (docs/claims.md,
 * claim 5).  The procedure is accq_check_crosscheck (accq/check.h); this file
 * parses the options and prints.
 *
 * Each comparison is a two-sided t test of "the simulator's mean equals the
 * exact value" with R-1 degrees of freedom (R independent replications).  The
 * many comparisons (policies x measures) are one family: Holm's step-down
 * correction keeps the family-wise error at --alpha (default 0.01).  The run
 * passes when nothing is rejected, which is the same as every exact value
 * lying inside its Bonferroni interval mean +- t_{1-alpha/(2n), R-1} se (the
 * "interval" column); Holm's adjusted p-values then say how far each one is
 * from failing.  Exit status 1 when any comparison fails.
 *
 * Both sides use the same buffer B: the model's (auto, capped by --max-buffer
 * = 20: the comparison is exact at any B, and an unstable policy would
 * otherwise grow the chain to B = 200) or --buffer's.  Service is made
 * exponential, which the chains assume.  A rare event that no replication
 * ever observed (loss, boundary mass, an almost unused type: se = 0) is judged
 * by the bound ((hi - exact)/(hi - lo))^R on the probability that R
 * replications all miss it, [lo, hi] the measure's possible values
 * (accq_check_row_t).
 *
 * The simulator's bias diagnostics (a trend left in a replication's window)
 * are reported as warnings: on standard error (also with -q), in a
 * "warnings" table (policy, warning) for humans and, in JSON, a top-level
 * list of texts "POLICY: warning". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "accq/sim.h"
#include "cli/cli.h"
#include "cli/dist_run.h"
#include "cli/simcli.h"

/* The comparisons table; each failure also on standard error. */
static void comparisons(accq_report_t *rep, const accq_check_crosscheck_t *x, double alpha) {
  accq_report_section_t *t = accq_report_table(rep, "comparisons", "chain (exact) vs simulation");
  accq_table_col(t, "policy", NULL, 0);
  accq_table_col(t, "buffer", "B", 0);
  accq_table_col(t, "measure", NULL, 0);
  accq_table_col(t, "exact", NULL, 6);
  accq_table_col(t, "mean", "simulated", 6);
  accq_table_col(t, "ci95", NULL, 2);
  accq_table_col(t, "interval", "Bonferroni half-width", 2);
  accq_table_col(t, "z", NULL, 3);
  accq_table_col(t, "p_holm", "Holm p", 3);
  accq_table_col(t, "verdict", NULL, 0);
  accq_report_set_primary(rep, t);
  for (int i = 0; i < x->n; i++) {
    const accq_check_row_t *c = &x->checks[i];
    const accq_check_crosscheck_row_t *r = &x->rows[i];
    double ci95 = accq_check_bonferroni_halfwidth(c->se, c->replications, 1, 0.05);
    accq_table_row(t);
    accq_table_str(t, r->policy);
    accq_table_int(t, r->buffer);
    accq_table_str(t, r->measure);
    accq_table_num(t, c->exact);
    accq_table_num(t, c->mean);
    accq_table_num(t, ci95);
    accq_table_num(t, accq_check_bonferroni_halfwidth(c->se, c->replications, x->n, alpha));
    accq_table_num(t, c->z);
    accq_table_num(t, c->p_holm);
    accq_table_str(t, c->reject ? "FAIL" : "ok");
    if (c->reject)
      fprintf(stderr,
              "accq crosscheck: FAIL %s %s (B = %d): exact %.10g, simulated %.10g +- %.3g "
              "(z = %.3g, Holm p = %.3g < alpha = %g)\n",
              r->policy, r->measure, r->buffer, c->exact, c->mean, ci95, c->z, c->p_holm, alpha);
  }
}

/* The simulator's warnings: a table for humans (when any), a top-level JSON
 * list of texts "POLICY: warning", and standard error (never hidden by -q). */
static int warnings(accq_report_t *rep, accq_report_section_t *kv, const accq_check_crosscheck_t *x) {
  accq_report_section_t *w = NULL;
  if (x->nwarnings) {
    w = accq_report_table(rep, "warnings_table", "warnings (simulator)");
    accq_report_section_visibility(w, ACCQ_REPORT_HUMAN_ONLY);
    accq_table_col(w, "policy", NULL, 0);
    accq_table_col(w, "warning", NULL, 0);
  }
  const size_t len = ACCQ_NAME_MAX + ACCQ_SIM_WARNING_MAX + 4;
  char *joined = malloc((size_t)(x->nwarnings + 1) * len);
  const char **wp = malloc((size_t)(x->nwarnings + 1) * sizeof *wp);
  if (!joined || !wp) {
    free(joined);
    free(wp);
    return -1;
  }
  for (int i = 0; i < x->nwarnings; i++) {
    accq_table_row(w);
    accq_table_str(w, x->warning_policy[i]);
    accq_table_str(w, x->warning[i]);
    fprintf(stderr, "accq crosscheck: warning: %s: %s\n", x->warning_policy[i], x->warning[i]);
    snprintf(joined + (size_t)i * len, len, "%.63s: %.511s", x->warning_policy[i], x->warning[i]);
    wp[i] = joined + (size_t)i * len;
  }
  accq_kv_strs(kv, "warnings", NULL, wp, x->nwarnings);
  accq_kv_visibility(kv, ACCQ_REPORT_JSON_ONLY);
  free(joined);
  free(wp);
  return 0;
}

static int print(const accq_cli_t *cli, const accq_model_t *m, const accq_check_crosscheck_options_t *o,
                 const accq_check_crosscheck_t *x) {
  char title[256];
  snprintf(title, sizeof title, "accq crosscheck: %s", m->name);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(kv, "model", NULL, m->name);
  accq_kv_num(kv, "lambda", "arrival rate (m Lambda)", (double)m->scale * m->arrival_rate, 0);
  accq_kv_int(kv, "scale", "scale m", m->scale);
  accq_kv_int(kv, "replications", NULL, x->replications);
  accq_kv_int(kv, "jobs", "jobs per replication", x->jobs);
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->sim.seed);
  accq_kv_str(kv, "seed", NULL, seed);
  accq_kv_num(kv, "alpha", "family-wise level", o->alpha, 0);
  accq_kv_str(kv, "correction", NULL, "holm");
  accq_kv_int(kv, "compared", "comparisons", x->n);
  accq_kv_int(kv, "failures", NULL, x->failures);
  accq_kv_bool(kv, "pass", NULL, x->failures == 0);
  comparisons(rep, x, o->alpha);
  if (warnings(rep, kv, x)) {
    accq_report_free(rep);
    accq_err_t e;
    accq_err_set(&e, ACCQ_ENOMEM, "crosscheck: no memory");
    return accq_cli_fail(&e);
  }
  if (x->nskipped) {
    accq_report_section_t *s = accq_report_kv(rep, "skipped", "skipped (no answer)");
    for (int i = 0; i < x->nskipped; i++) accq_kv_str(s, x->skipped_policy[i], NULL, x->skipped_reason[i]);
  }
  int rc = accq_cli_emit(cli, rep);
  accq_report_free(rep);
  return rc;
}

/* One cell per policy (its chain and its simulation, accq_dist_run); rank 0
 * appends the cells in policy order and applies Holm's correction to all. */
typedef struct {
  const accq_model_t *m;
  const char (*names)[ACCQ_NAME_MAX];
  const accq_check_crosscheck_options_t *o;
  accq_check_crosscheck_t *x;
} run_t;

static int eval_policy(void *ctx, int cell, void **bytes, size_t *len, accq_err_t *err) {
  run_t *r = ctx;
  return accq_check_crosscheck_cell(r->m, r->names[cell], cell, r->o, bytes, len, err);
}

static int store_policy(void *ctx, int cell, const void *bytes, size_t len, accq_err_t *err) {
  run_t *r = ctx;
  (void)cell;
  return accq_check_crosscheck_add(r->x, bytes, len, err);
}

/* Every option that changes a cell (the checkpoint's identity; the model's
 * text is hashed by the executor).  --alpha is not among them: it enters only
 * Holm's correction, computed again from the cells on every run. */
static void options_text(const char (*names)[ACCQ_NAME_MAX], int npol,
                         const accq_check_crosscheck_options_t *o, char *buf, size_t size) {
  buf[0] = '\0';
  accq_cli_dist_opt(buf, size, "replications", "%d", o->sim.replications);
  accq_cli_dist_opt(buf, size, "jobs", "%lld", o->sim.jobs);
  accq_cli_dist_opt(buf, size, "warmup", "%lld", o->sim.warmup);
  accq_cli_dist_opt(buf, size, "seed", "%llu", (unsigned long long)o->sim.seed);
  accq_cli_dist_opt(buf, size, "buffer", "%d,%d", o->buffer, o->max_buffer);
  for (int i = 0; i < npol; i++) accq_cli_dist_opt(buf, size, "policy", "%s", names[i]);
}

/* Every policy's cell (over the MPI ranks when started by mpirun); on rank 0
 * the comparisons in policy order with Holm's correction.  -1 on rank 0 when
 * done; otherwise the exit status (0 on the other ranks). */
static int run_cells(const accq_cli_t *cli, const char *checkpoint, const accq_model_t *m,
                     const char (*names)[ACCQ_NAME_MAX], int npol,
                     accq_check_crosscheck_options_t *o, accq_check_crosscheck_t *x) {
  accq_err_t err;
  accq_err_clear(&err);
  o->progress = NULL; /* the executor's bar counts policies */
  if (accq_check_crosscheck_start(m, npol, o, x, &err)) return accq_cli_fail(&err);
  char otext[4096];
  options_text(names, npol, o, otext, sizeof otext);
  run_t r = {m, names, o, x};
  const accq_cli_dist_job_t job = {"crosscheck", m,  otext, checkpoint, npol,
                                   eval_policy,  store_policy, &r};
  int rc = accq_cli_dist_run(cli, &job);
  if (rc < 0) accq_check_crosscheck_finish(x, o);
  return rc;
}

int accq_cli_crosscheck(int argc, char **argv) {
  const char *policies = "all", *jobs = NULL, *warmup = NULL, *buffer = NULL, *checkpoint = NULL;
  int replications = 0, max_buffer = 20;
  double alpha = 0.01;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]", "policies to check (default all)"},
      {"replications", 'r', ACCQ_OPT_COUNT, &replications, "R", "replications (default 10)"},
      {"jobs", 'n', ACCQ_OPT_STRING, &jobs, "J",
       "measured arrivals per replication (default as in simulate)"},
      {"warmup", 'w', ACCQ_OPT_STRING, &warmup, "W",
       "discarded arrivals (default adaptive, as in simulate)"},
      {"buffer", 'b', ACCQ_OPT_STRING, &buffer, "B",
       "buffer of both chain and simulator (default: the model's, auto)"},
      {"alpha", 'a', ACCQ_OPT_PROB, &alpha, "A", "family-wise error level (default 0.01)"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &max_buffer, "B",
       "cap of the auto buffer (default 20; both sides use the same B, so it need not be tight)"},
      {"checkpoint", 0, ACCQ_OPT_STRING, &checkpoint, "FILE",
       ACCQ_CLI_CHECKPOINT_HELP " (one cell per policy)"},
      {0}};
  const accq_cli_spec_t spec = {
      "crosscheck", "[MODEL] [options]",
      "Chain vs simulator for every policy, with the same buffer B and exponential\n"
      "service: a t test per measure (z = (mean - exact) / se, R-1 d.f.), Holm's\n"
      "correction over all comparisons at family-wise level --alpha.  Passes when no\n"
      "comparison is rejected, i.e. when every exact value lies in its Bonferroni\n"
      "interval mean +- t_{1-alpha/(2n),R-1} se.  Exit status 1 on any failure.",
      ACCQ_CLI_COMMON | ACCQ_CLI_SEED | ACCQ_CLI_THREADS, opts, 0, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (!(alpha > 0 && alpha < 1)) return accq_cli_usage(&cli, "--alpha must be in (0,1) (got %g)", alpha);
  if (max_buffer < 1) return accq_cli_usage(&cli, "--max-buffer must be >= 1 (got %d)", max_buffer);
  char names[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  int npol;
  if ((rc = accq_cli_policy_list(&cli, ACCQ_SIMCLI_MAX_POLICIES, policies, names, &npol))) return rc;
  accq_check_crosscheck_options_t o;
  accq_check_crosscheck_options_init(&o);
  o.alpha = alpha;
  o.max_buffer = max_buffer;
  if ((rc = accq_simcli_options(&cli, replications, jobs, warmup, NULL, &o.sim))) return rc;
  if (buffer && strcmp(buffer, "auto") && (accq_cli_parse_int(buffer, &o.buffer) || o.buffer < 1))
    return accq_cli_usage(&cli, "--buffer must be an integer >= 1 or auto (got '%s')", buffer);
  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;
  for (int k = 0; k < m.ntypes; k++)
    if (m.types[k].service.kind != ACCQ_SERVICE_EXP && !cli.quiet &&
        accq_dist_rank(accq_dist_get()) == 0) {
      fprintf(stderr, "accq crosscheck: note: service set to exponential (the chains assume it)\n");
      break;
    }
  accq_check_crosscheck_t x;
  if ((rc = run_cells(&cli, checkpoint, &m, (const char (*)[ACCQ_NAME_MAX])names, npol, &o, &x)) >= 0) {
    accq_check_crosscheck_release(&x); /* an error, or not rank 0 (prints nothing) */
    return rc;
  }
  rc = print(&cli, &m, &o, &x);
  int failures = x.failures;
  accq_check_crosscheck_release(&x);
  if (rc) return rc;
  return failures ? 1 : 0;
}
