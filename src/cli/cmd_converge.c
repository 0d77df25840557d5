/* accq converge MODEL --policy P --scales 1,2,4,...: the gap E[T]/T_LP - 1 as
 * the system grows (chain where it fits, simulation beyond), the fitted
 * log-log rate, and a log-log plot.  The grid, the fits, the limit and the
 * plot are the library's (accq/grid.h); this file parses, calls and prints. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/grid.h"
#include "cli/cli.h"
#include "cli/dist_run.h"
#include "cli/numlist.h"

#define MAX_SCALES 32

/* The sizes through the executor (serial, MPI ranks, --checkpoint): point i
 * is cell i (its simulation seed is seed + i, whoever computes it). */
typedef struct {
  const accq_model_t *m;
  const char *policy;
  const int *scales;
  const accq_converge_options_t *o;
  accq_converge_point_t *pts;
} converge_job_t;

static int converge_eval(void *ctx, int c, void **bytes, size_t *len, accq_err_t *err) {
  converge_job_t *j = ctx;
  accq_converge_point_t *p = malloc(sizeof *p);
  if (!p) return accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  int st = accq_converge_point(j->m, j->policy, j->scales[c], c, j->o, p, err);
  if (!st) st = accq_converge_point_pack(p, bytes, len, err);
  free(p);
  return st;
}

static int converge_store(void *ctx, int c, const void *bytes, size_t len, accq_err_t *err) {
  converge_job_t *j = ctx;
  return accq_converge_point_unpack(&j->pts[c], bytes, len, err);
}

/* What changes a point (the checkpoint's identity): not --threads, --format. */
static void converge_options_text(char *buf, size_t size, const char *policy, const int *scales,
                                  int n, const accq_converge_options_t *o) {
  buf[0] = '\0';
  accq_cli_dist_opt(buf, size, "policy", "%s", policy);
  for (int i = 0; i < n; i++) accq_cli_dist_opt(buf, size, "scale", "%d", scales[i]);
  accq_cli_dist_opt(buf, size, "max_states", "%lld", (long long)o->max_states);
  accq_cli_dist_opt(buf, size, "max_buffer", "%d", o->max_buffer);
  accq_cli_dist_opt(buf, size, "simulate", "%d", o->force_sim);
  accq_cli_dist_opt(buf, size, "replications", "%d", o->replications);
  accq_cli_dist_opt(buf, size, "jobs", "%ld", o->jobs);
  accq_cli_dist_opt(buf, size, "seed", "%lu", o->seed);
}

/* The key-value section: model, the fitted rates and the mean-field limit. */
static void summary_kv(accq_report_section_t *s, const accq_model_t *m, const char *policy,
                       const accq_converge_summary_t *sm) {
  accq_kv_str(s, "model", "model", m->name);
  accq_kv_str(s, "policy", "policy", policy);
  accq_kv_num(s, "lambda", "Lambda per unit of scale", m->arrival_rate, 0);
  accq_kv_num(s, "accuracy_target", "accuracy target a*", m->accuracy_target, 0);
  if (sm->have_fit) {
    accq_kv_num(s, "slope", "fitted rate: gap ~ C m^slope, slope", sm->fit.slope, 4);
    if (isfinite(sm->fit.slope_se))
      accq_kv_num(s, "slope_se", "standard error of the slope", sm->fit.slope_se, 2);
    else
      accq_kv_null(s, "slope_se", "standard error of the slope", "- (two points)");
    accq_kv_num(s, "constant", "C", exp(sm->fit.intercept), 4);
    accq_kv_num(s, "r2", "r^2 of the log-log fit", sm->fit.r2, 4);
    accq_kv_int(s, "fit_points", "points in the fit (gap > 0)", sm->fit.n);
  } else {
    accq_kv_null(s, "slope", "fitted rate", sm->fit_reason);
  }
  if (sm->have_limit) {
    accq_kv_num(s, "limit_mean_response_time", "mean-field limit of E[T] (m -> infinity)",
                sm->limit_et, 10);
    accq_kv_num(s, "limit_gap", "its gap to T_LP", sm->limit_gap, 4);
    if (sm->have_limit_fit) {
      accq_kv_num(s, "limit_slope", "fitted rate to the limit: E[T]/limit - 1 ~ C m^slope",
                  sm->limit_fit.slope, 4);
      accq_kv_int(s, "limit_fit_points", "points in that fit (E[T] above the limit)",
                  sm->limit_fit.n);
    } else {
      accq_kv_null(s, "limit_slope", "fitted rate to the limit", sm->limit_fit_reason);
    }
  } else {
    accq_kv_null(s, "limit_mean_response_time", "mean-field limit of E[T]", sm->limit_reason);
  }
}

/* JSON "warnings": sizes without a number and simulation warnings. */
static void warnings_kv(accq_report_section_t *s, const accq_converge_point_t *pts, int n) {
  const char *texts[MAX_SCALES * (ACCQ_CELL_MAX_WARNINGS + 1)];
  static char buf[MAX_SCALES * (ACCQ_CELL_MAX_WARNINGS + 1)][2200];
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (pts[i].status) {
      snprintf(buf[k], sizeof buf[k], "m=%d: %s: %s", pts[i].scale,
               accq_cell_status_name(pts[i].status), pts[i].reason);
      texts[k] = buf[k];
      k++;
    }
    for (int w = 0; w < pts[i].nwarnings; w++) {
      snprintf(buf[k], sizeof buf[k], "m=%d: warning: %s", pts[i].scale, pts[i].warnings[w]);
      texts[k] = buf[k];
      k++;
    }
  }
  accq_kv_strs(s, "warnings", "warnings", texts, k);
  accq_kv_visibility(s, ACCQ_REPORT_JSON_ONLY); /* humans: the notes table */
}

static void point_row(accq_report_section_t *t, const accq_converge_point_t *p, int human) {
  accq_table_row(t);
  accq_table_int(t, p->scale);
  if (p->status) {
    const char *why = accq_cell_status_label(p->status);
    accq_table_null(t, "-");
    accq_table_null(t, "-");
    accq_table_null(t, "-");
    for (int c = 0; c < 7; c++) accq_table_null(t, why);
  } else {
    accq_table_str(t, p->exact ? "chain" : "simulation");
    if (p->exact) {
      accq_table_int(t, p->buffer);
      accq_table_int(t, p->states);
    } else {
      accq_table_null(t, "inf");
      accq_table_null(t, "-");
    }
    accq_table_num(t, p->mean_response_time);
    accq_table_num(t, p->ci95);
    accq_table_num(t, p->t_lp);
    accq_table_num(t, p->gap);
    accq_table_num(t, p->gap_lo);
    accq_table_num(t, p->gap_hi);
    accq_table_num(t, p->accuracy);
  }
  if (human) return;
  accq_table_str(t, accq_cell_status_name(p->status));
  if (p->status)
    accq_table_str(t, p->reason);
  else
    accq_table_null(t, NULL);
  if (p->nwarnings) {
    char wj[ACCQ_CELL_MAX_WARNINGS * (ACCQ_CELL_WARNING_MAX + 3)] = "";
    for (int w = 0; w < p->nwarnings; w++) {
      if (w) strcat(wj, " | ");
      strcat(wj, p->warnings[w]);
    }
    accq_table_str(t, wj);
  } else {
    accq_table_null(t, NULL);
  }
}

/* CSV and JSON: the numbers, then status, reason and warnings per size;
 * humans: the numbers (a size without one shows its status) and notes. */
static void points_tables(accq_report_t *rep, const accq_converge_point_t *pts, int n) {
  for (int human = 0; human < 2; human++) {
    accq_report_section_t *t = accq_report_table(rep, "points", "gap by size");
    accq_report_section_visibility(
        t, human ? ACCQ_REPORT_HUMAN_ONLY : ACCQ_REPORT_ONLY(ACCQ_FORMAT_CSV) | ACCQ_REPORT_JSON_ONLY);
    accq_table_col(t, "scale", "m", 0);
    accq_table_col(t, "method", "method", 0);
    accq_table_col(t, "buffer", "B", 0);
    accq_table_col(t, "states", "states", 0);
    accq_table_col(t, "mean_response_time", "E[T]", 8);
    accq_table_col(t, "ci95", "+- (95%)", 2);
    accq_table_col(t, "t_lp", "T_LP", 8);
    accq_table_col(t, "gap", "gap", 4);
    accq_table_col(t, "gap_lo", "gap low", 4);
    accq_table_col(t, "gap_hi", "gap high", 4);
    accq_table_col(t, "accuracy", "accuracy", 6);
    if (!human) {
      accq_table_col(t, "status", NULL, 0);
      accq_table_col(t, "reason", NULL, 0);
      accq_table_col(t, "warnings", NULL, 0);
    }
    for (int i = 0; i < n; i++) point_row(t, &pts[i], human);
    if (!human) accq_report_set_primary(rep, t);
  }
}

static void notes_table(accq_report_t *rep, const accq_converge_point_t *pts, int n) {
  accq_report_section_t *t = accq_report_table(rep, "notes", "sizes without a number, warnings");
  accq_report_section_visibility(t, ACCQ_REPORT_HUMAN_ONLY);
  accq_table_col(t, "scale", "m", 0);
  accq_table_col(t, "status", "status", 0);
  accq_table_col(t, "reason", "reason", 0);
  for (int i = 0; i < n; i++) {
    if (pts[i].status) {
      accq_table_row(t);
      accq_table_int(t, pts[i].scale);
      accq_table_str(t, accq_cell_status_name(pts[i].status));
      accq_table_str(t, pts[i].reason);
    }
    for (int w = 0; w < pts[i].nwarnings; w++) {
      accq_table_row(t);
      accq_table_int(t, pts[i].scale);
      accq_table_str(t, "warning");
      accq_table_str(t, pts[i].warnings[w]);
    }
  }
}

/* stderr, whatever -q says: warnings and the sizes without a number. */
static void stderr_summary(const accq_converge_point_t *pts, int n, int nbad, int allow_partial) {
  for (int i = 0; i < n; i++)
    for (int w = 0; w < pts[i].nwarnings; w++)
      fprintf(stderr, "accq converge: warning: m=%d: %s\n", pts[i].scale, pts[i].warnings[w]);
  if (!nbad) return;
  fprintf(stderr, "accq converge: %d of %d sizes not computed%s\n", nbad, n,
          allow_partial ? "; --allow-partial: exit 0" : "");
  for (int i = 0; i < n; i++)
    if (pts[i].status)
      fprintf(stderr, "  m=%d: %s: %s\n", pts[i].scale, accq_cell_status_name(pts[i].status),
              pts[i].reason);
}

int accq_cli_converge(int argc, char **argv) {
  const char *policy = "rjiq", *scales_s = "1,2,4,8,16,32";
  const char *checkpoint = NULL;
  int max_buffer = 0, jobs = 0, reps = 0, force_sim = 0, allow_partial = 0;
  int64_t max_states = 0;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policy, "P", "the policy (default rjiq)"},
      {"scales", 0, ACCQ_OPT_STRING, &scales_s, "M,..", "sizes m (default 1,2,4,8,16,32)"},
      {"max-states", 0, ACCQ_OPT_SIZE, &max_states, "N",
       "exact chain while it has at most N states (default 2e5), simulation beyond"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &max_buffer, "B", "largest auto buffer (default 80)"},
      {"simulate", 0, ACCQ_OPT_FLAG, &force_sim, NULL, "simulate every size"},
      {"jobs", 0, ACCQ_OPT_COUNT, &jobs, "N", "simulated jobs per replication (default 2e5)"},
      {"replications", 0, ACCQ_OPT_COUNT, &reps, "R", "simulation replications (default 10)"},
      {"allow-partial", 0, ACCQ_OPT_FLAG, &allow_partial, NULL,
       "exit 0 when some sizes have no number (they stay marked)"},
      {"checkpoint", 0, ACCQ_OPT_STRING, &checkpoint, "FILE", ACCQ_CLI_CHECKPOINT_HELP},
      {0}};
  const accq_cli_spec_t spec = {
      "converge", "MODEL [options]",
      "The gap E[T]/T_LP - 1 of one policy as the system size m grows (m servers\n"
      "of each kind per unit, arrival rate m Lambda): exact chains while the state\n"
      "space fits and the automatic buffer makes the truncation negligible,\n"
      "simulation with 95% confidence intervals beyond.  Prints the log-log\n"
      "least-squares rate (gap ~ C m^slope); --plot draws gap vs m on log-log axes.\n"
      "A size with no number (the policy unstable there, beyond capacity, the target\n"
      "infeasible: exit 4; the simulation refused: exit 3) is marked with its status\n"
      "and reason and summarized on stderr; --allow-partial exits 0 with the marks kept.\n"
      "Under mpirun the sizes are shared among the ranks (the same output at any\n"
      "rank count); --checkpoint FILE makes a long run resumable.",
      ACCQ_CLI_ALL, opts, 1, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  int scales[MAX_SCALES], n;
  if (accq_cli_parse_ints(scales_s, scales, MAX_SCALES, &n))
    return accq_cli_usage(&cli, "--scales: expected a list such as 1,2,4,8 (got '%s')", scales_s);
  for (int i = 0; i < n; i++)
    if (scales[i] < 1)
      return accq_cli_usage(&cli, "--scales: sizes must be >= 1 (got '%d')", scales[i]);
  if (reps == 1) return accq_cli_usage(&cli, "--replications must be >= 2 (got 1)");
  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;

  accq_converge_options_t o;
  accq_converge_options_init(&o);
  if (max_states) o.max_states = max_states;
  if (max_buffer) o.max_buffer = max_buffer;
  if (jobs) o.jobs = jobs;
  if (reps) o.replications = reps;
  o.force_sim = force_sim;
  o.seed = (unsigned long)cli.seed;
  o.threads = cli.threads;
  static accq_converge_point_t pts[MAX_SCALES];
  accq_err_t err;
  accq_err_clear(&err);
  char otext[2048];
  converge_options_text(otext, sizeof otext, policy, scales, n, &o);
  converge_job_t job = {&m, policy, scales, &o, pts};
  const accq_cli_dist_job_t dj = {"converge",    &m,           otext, checkpoint, n,
                                  converge_eval, converge_store, &job};
  if ((rc = accq_cli_dist_run(&cli, &dj)) >= 0) return rc; /* an error, or not rank 0 */
  static accq_converge_summary_t sm;
  accq_converge_summarize(&m, policy, pts, n, &sm);

  char title[256];
  snprintf(title, sizeof title, "accq converge: %s, policy %s", m.name, policy);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  summary_kv(s, &m, policy, &sm);
  warnings_kv(s, pts, n);
  points_tables(rep, pts, n);
  if (sm.nbad + sm.nwarnings > 0) notes_table(rep, pts, n);
  rc = accq_cli_emit(&cli, rep);
  accq_report_free(rep);
  stderr_summary(pts, n, sm.nbad, allow_partial);
  if (sm.nbad && !allow_partial && !rc) rc = sm.worst_exit;
  if (cli.plot) {
    accq_err_clear(&err);
    if (accq_converge_plot(&m, policy, pts, n, &sm, cli.plot, &err)) {
      int prc = accq_cli_fail(&err);
      if (!rc) rc = prc;
    }
  }
  return rc;
}
