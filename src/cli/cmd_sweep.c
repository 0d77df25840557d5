/* accq sweep MODEL --policy P[,..] --vary PARAM=A:B:N [--measure M,..]: a table
 * over one model parameter with t_lp beside, in every output format, and a
 * plot (the first measure against the parameter; the LP bound as a curve when
 * the measure is the mean response time).  The grid and the plot are the
 * library's (accq/grid.h); this file parses, calls and prints. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/fmt.h"
#include "accq/accq.h"
#include "accq/grid.h"
#include "cli/cli.h"
#include "cli/dist_run.h"

#define MAX_POL 16
#define MAX_MEAS 16

static int split_list(char *s, const char **out, int cap) {
  int n = 0;
  for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
    if (n >= cap) return -1;
    out[n++] = tok;
  }
  return n;
}

static void t_lp_cell(accq_report_section_t *t, const accq_sweep_bound_t *b) {
  if (b->status)
    accq_table_null(t, accq_cell_status_label(b->status));
  else
    accq_table_num(t, b->t_lp);
}

static void value_cell(accq_report_section_t *t, const accq_model_t *m,
                       const accq_sweep_cell_t *c, const char *measure) {
  double v = NAN;
  if (c->status) {
    accq_table_null(t, accq_cell_status_label(c->status));
    return;
  }
  accq_sweep_measure(m, &c->m, measure, &v, NULL);
  accq_table_num(t, v);
}

/* "load=0.95: rjiq: truncated: REASON" (malloc'ed, NULL on failure). */
static char *note_text(const char *param, double x, const char *what, const char *status,
                       const char *reason) {
  size_t n = strlen(param) + strlen(what) + strlen(status) + strlen(reason) + 64;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s=%s: %s: %s: %s", param, ACCQ_FMT(x), what, status, reason);
  return s;
}

/* What the sweep shows: the grid, the measures, and the column keys (kept
 * alive until the report is emitted). */
typedef struct {
  const accq_sweep_grid_t *g;
  const accq_model_t *m;
  const char *param;
  int nv, npol, nmeas, simulate;
  const char *const *meas;
  char keys[ACCQ_CLI_LIST_MAX * 2][160];  /* "pol.measure" */
  char labels[ACCQ_CLI_LIST_MAX * 2][160];/* "pol E[T]" */
  char skeys[MAX_POL][4][160];            /* "pol.status" ... */
} view_t;

/* JSON "warnings": every cell without a number and every simulation warning. */
static void warnings_kv(accq_report_section_t *kv, const view_t *v, int nw) {
  int k = 0;
  char **texts = calloc((size_t)(nw > 0 ? nw : 1), sizeof *texts);
  for (int i = 0; texts && i < v->nv; i++) {
    double x = accq_sweep_grid_value(v->g, i);
    const accq_sweep_bound_t *b = accq_sweep_grid_bound(v->g, i);
    if (b->status)
      texts[k++] = note_text(v->param, x, "t_lp", accq_cell_status_name(b->status), b->reason);
    for (int p = 0; p < v->npol; p++) {
      const accq_sweep_cell_t *c = accq_sweep_grid_cell(v->g, i, p);
      const char *pol = accq_sweep_grid_policy(v->g, p);
      if (c->status)
        texts[k++] = note_text(v->param, x, pol, accq_cell_status_name(c->status), c->reason);
      for (int w = 0; w < c->nwarnings; w++)
        texts[k++] = note_text(v->param, x, pol, "warning", c->warnings[w]);
    }
  }
  accq_kv_strs(kv, "warnings", "warnings", (const char *const *)texts, texts ? k : 0);
  for (int j = 0; texts && j < k; j++) free(texts[j]);
  free(texts);
}

/* The per-policy status, reason, buffer and warnings columns of one row. */
static void status_cells(accq_report_section_t *t, const accq_sweep_cell_t *c) {
  accq_table_str(t, accq_cell_status_name(c->status));
  if (c->status)
    accq_table_str(t, c->reason);
  else
    accq_table_null(t, NULL);
  if (c->simulated || c->buffer <= 0)
    accq_table_null(t, c->simulated ? "inf" : "-");
  else
    accq_table_int(t, c->buffer);
  if (c->nwarnings) {
    char wj[ACCQ_CELL_MAX_WARNINGS * (ACCQ_CELL_WARNING_MAX + 3)] = "";
    for (int w = 0; w < c->nwarnings; w++) {
      if (w) strcat(wj, " | ");
      strcat(wj, c->warnings[w]);
    }
    accq_table_str(t, wj);
  } else {
    accq_table_null(t, NULL);
  }
}

/* The numbers of row i: x, T_LP, each policy's measures (and E[T]'s +-). */
static void number_cells(accq_report_section_t *t, const view_t *v, int i) {
  accq_table_row(t);
  accq_table_num(t, accq_sweep_grid_value(v->g, i));
  t_lp_cell(t, accq_sweep_grid_bound(v->g, i));
  for (int p = 0; p < v->npol; p++) {
    const accq_sweep_cell_t *c = accq_sweep_grid_cell(v->g, i, p);
    for (int j = 0; j < v->nmeas; j++) value_cell(t, v->m, c, v->meas[j]);
    if (v->simulate) {
      if (c->status)
        accq_table_null(t, accq_cell_status_label(c->status));
      else
        accq_table_num(t, c->ci95);
    }
  }
}

/* CSV and JSON: the numbers, then per column group its status and reason. */
static void machine_table(accq_report_t *rep, view_t *v, const char *tlabel) {
  accq_report_section_t *t = accq_report_table(rep, "rows", tlabel);
  accq_report_section_visibility(t, ACCQ_REPORT_ONLY(ACCQ_FORMAT_CSV) | ACCQ_REPORT_JSON_ONLY);
  accq_table_col(t, v->param, v->param, 4);
  accq_table_col(t, "t_lp", "T_LP", 6);
  int nk = 0;
  for (int p = 0; p < v->npol; p++) {
    const char *pol = accq_sweep_grid_policy(v->g, p);
    for (int j = 0; j < v->nmeas; j++, nk++) {
      snprintf(v->keys[nk], sizeof v->keys[nk], "%s.%s", pol, v->meas[j]);
      accq_table_col(t, v->keys[nk], NULL, 6);
    }
    if (v->simulate) {
      snprintf(v->keys[nk], sizeof v->keys[nk], "%s.mean_response_time_ci95", pol);
      accq_table_col(t, v->keys[nk++], NULL, 2);
    }
  }
  accq_table_col(t, "t_lp.status", NULL, 0);
  accq_table_col(t, "t_lp.reason", NULL, 0);
  for (int p = 0; p < v->npol; p++) {
    const char *sfx[4] = {"status", "reason", "buffer", "warnings"};
    for (int q = 0; q < 4; q++) {
      snprintf(v->skeys[p][q], sizeof v->skeys[p][q], "%s.%s", accq_sweep_grid_policy(v->g, p),
               sfx[q]);
      accq_table_col(t, v->skeys[p][q], NULL, 0);
    }
  }
  for (int i = 0; i < v->nv; i++) {
    number_cells(t, v, i);
    const accq_sweep_bound_t *b = accq_sweep_grid_bound(v->g, i);
    accq_table_str(t, accq_cell_status_name(b->status));
    if (b->status)
      accq_table_str(t, b->reason);
    else
      accq_table_null(t, NULL);
    for (int p = 0; p < v->npol; p++) status_cells(t, accq_sweep_grid_cell(v->g, i, p));
  }
  accq_report_set_primary(rep, t);
}

/* Text, Markdown, LaTeX: the numbers, each cell without one showing its status. */
static void human_table(accq_report_t *rep, view_t *v, const char *tlabel) {
  accq_report_section_t *h = accq_report_table(rep, "rows", tlabel);
  accq_report_section_visibility(h, ACCQ_REPORT_HUMAN_ONLY);
  accq_table_col(h, v->param, v->param, 4);
  accq_table_col(h, "t_lp", "T_LP", 6);
  int nl = 0;
  for (int p = 0; p < v->npol; p++) {
    const char *pol = accq_sweep_grid_policy(v->g, p);
    for (int j = 0; j < v->nmeas; j++, nl++) {
      snprintf(v->labels[nl], sizeof v->labels[nl], "%s %s", pol,
               accq_sweep_measure_label(v->meas[j]));
      accq_table_col(h, v->keys[nl], v->labels[nl], 6);
    }
    if (v->simulate) {
      snprintf(v->labels[nl], sizeof v->labels[nl], "%s E[T] +-", pol);
      accq_table_col(h, v->keys[nl], v->labels[nl], 2);
      nl++;
    }
  }
  for (int i = 0; i < v->nv; i++) number_cells(h, v, i);
}

static void note_row(accq_report_section_t *n, double x, const char *what, const char *status,
                     const char *reason) {
  accq_table_row(n);
  accq_table_num(n, x);
  accq_table_str(n, what);
  accq_table_str(n, status);
  accq_table_str(n, reason);
}

/* Humans: the reasons of the cells without a number, and the warnings. */
static void notes_table(accq_report_t *rep, const view_t *v) {
  accq_report_section_t *n = accq_report_table(rep, "notes", "cells without a number, warnings");
  accq_report_section_visibility(n, ACCQ_REPORT_HUMAN_ONLY);
  accq_table_col(n, v->param, v->param, 4);
  accq_table_col(n, "what", "policy", 0);
  accq_table_col(n, "status", "status", 0);
  accq_table_col(n, "reason", "reason", 0);
  for (int i = 0; i < v->nv; i++) {
    double x = accq_sweep_grid_value(v->g, i);
    const accq_sweep_bound_t *b = accq_sweep_grid_bound(v->g, i);
    if (b->status) note_row(n, x, "T_LP", accq_cell_status_name(b->status), b->reason);
    for (int p = 0; p < v->npol; p++) {
      const accq_sweep_cell_t *c = accq_sweep_grid_cell(v->g, i, p);
      const char *pol = accq_sweep_grid_policy(v->g, p);
      if (c->status) note_row(n, x, pol, accq_cell_status_name(c->status), c->reason);
      for (int w = 0; w < c->nwarnings; w++) note_row(n, x, pol, "warning", c->warnings[w]);
    }
  }
}

static int emit_report(const accq_cli_t *cli, view_t *v, const accq_cli_vary_t *vary,
                       const accq_sweep_summary_t *sum) {
  char title[512];
  const char *method = accq_sweep_method_label(v->simulate, sum->finite_buffer);
  snprintf(title, sizeof title, "accq sweep: %s (m = %d), %s from %g to %g (%s)", v->m->name,
           v->m->scale, vary->param, vary->from, vary->to, method);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
  accq_report_section_visibility(kv, ACCQ_REPORT_JSON_ONLY); /* humans: the title, the notes */
  accq_kv_str(kv, "method", NULL, method);
  warnings_kv(kv, v, sum->nbad + sum->nwarnings);
  char tlabel[160];
  snprintf(tlabel, sizeof tlabel, "by %s", vary->param);
  machine_table(rep, v, tlabel);
  human_table(rep, v, tlabel);
  if (sum->nbad + sum->nwarnings > 0) notes_table(rep, v);
  int rc = accq_cli_emit(cli, rep);
  accq_report_free(rep);
  return rc;
}

/* stderr, whatever -q says: simulation warnings, and what has no number (the
 * count per status and the first reason of each). */
static void stderr_summary(const view_t *v, const accq_sweep_summary_t *sum, int allow_partial) {
  for (int i = 0; i < v->nv; i++)
    for (int p = 0; p < v->npol; p++) {
      const accq_sweep_cell_t *c = accq_sweep_grid_cell(v->g, i, p);
      for (int w = 0; w < c->nwarnings; w++)
        fprintf(stderr, "accq sweep: warning: %s at %s=%s: %s\n", accq_sweep_grid_policy(v->g, p),
                v->param, ACCQ_FMT(accq_sweep_grid_value(v->g, i)), c->warnings[w]);
    }
  if (!sum->nbad) return;
  char list[512] = "";
  size_t len = 0;
  for (int s = 1; s < ACCQ_CELL_NSTATUS; s++)
    if (sum->counts[s])
      len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0, "%s%d %s",
                              len ? ", " : "", sum->counts[s], accq_cell_status_name(s));
  fprintf(stderr, "accq sweep: %d of %d cells not computed (%s)%s\n", sum->nbad, sum->ncells, list,
          allow_partial ? "; --allow-partial: exit 0" : "");
  for (int s = 1; s < ACCQ_CELL_NSTATUS; s++) {
    if (!sum->counts[s]) continue;
    for (int i = 0, shown = 0; i < v->nv && !shown; i++) {
      double x = accq_sweep_grid_value(v->g, i);
      const accq_sweep_bound_t *b = accq_sweep_grid_bound(v->g, i);
      if (b->status == (accq_cell_status_t)s) {
        fprintf(stderr, "  %s: T_LP at %s=%s: %s\n", accq_cell_status_name(s), v->param, ACCQ_FMT(x),
                b->reason);
        shown = 1;
      }
      for (int p = 0; p < v->npol && !shown; p++) {
        const accq_sweep_cell_t *c = accq_sweep_grid_cell(v->g, i, p);
        if (c->status == (accq_cell_status_t)s) {
          fprintf(stderr, "  %s: %s at %s=%s: %s\n", accq_cell_status_name(s),
                  accq_sweep_grid_policy(v->g, p), v->param, ACCQ_FMT(x), c->reason);
          shown = 1;
        }
      }
    }
  }
}

/* The cells through the executor (serial, MPI ranks, --checkpoint): eval
 * computes a cell and packs it, store unpacks it on rank 0 (with -v, each
 * cell without a number on stderr). */
typedef struct {
  const accq_cli_t *cli;
  accq_sweep_grid_t *g;
} sweep_job_t;

static int sweep_eval(void *ctx, int c, void **bytes, size_t *len, accq_err_t *err) {
  sweep_job_t *j = ctx;
  int st = accq_sweep_grid_eval(j->g, c, err);
  return st ? st : accq_sweep_grid_pack(j->g, c, bytes, len, err);
}

static int sweep_store(void *ctx, int c, const void *bytes, size_t len, accq_err_t *err) {
  sweep_job_t *j = ctx;
  int st = accq_sweep_grid_unpack(j->g, c, bytes, len, err);
  int npol = accq_sweep_grid_npolicies(j->g), i = c / (npol + 1), p = c % (npol + 1) - 1;
  if (st || p < 0) return st;
  const accq_sweep_cell_t *cell = accq_sweep_grid_cell(j->g, i, p);
  if (cell->status && j->cli->verbose)
    fprintf(stderr, "accq sweep: %s at %s=%s: %s: %s\n", accq_sweep_grid_policy(j->g, p),
            accq_sweep_grid_param(j->g), ACCQ_FMT(accq_sweep_grid_value(j->g, i)),
            accq_cell_status_name(cell->status), cell->reason);
  return ACCQ_SUCCESS;
}

/* What changes a cell's result: the checkpoint's identity (not --measure,
 * --format, --threads: a rerun may change those). */
static void sweep_options_text(char *buf, size_t size, const char *vary_s, const char *policy_s,
                               const accq_sweep_options_t *so) {
  buf[0] = '\0';
  accq_cli_dist_opt(buf, size, "vary", "%s", vary_s);
  accq_cli_dist_opt(buf, size, "policy", "%s", policy_s);
  accq_cli_dist_opt(buf, size, "simulate", "%d", so->simulate);
  accq_cli_dist_opt(buf, size, "max_states", "%lld", (long long)so->max_states);
  accq_cli_dist_opt(buf, size, "max_buffer", "%d,%d", so->max_buffer, so->product_max_buffer);
  accq_cli_dist_opt(buf, size, "replications", "%d", so->replications);
  accq_cli_dist_opt(buf, size, "jobs", "%ld", so->jobs);
  accq_cli_dist_opt(buf, size, "seed", "%lu", so->seed);
}

int accq_cli_sweep(int argc, char **argv) {
  const char *policy_s = "rjiq,pop", *vary_s = NULL, *measure_s = "mean_response_time";
  const char *checkpoint = NULL;
  int simulate = 0, max_buffer = 0, jobs = 0, reps = 0, allow_partial = 0;
  int64_t max_states = 0;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policy_s, "P[,P..]", "policies (default rjiq,pop)"},
      {"vary", 0, ACCQ_OPT_STRING, &vary_s, "PARAM=A:B:N",
       "lambda, load, accuracy_target, scale, buffer, type.NAME.servers|rate|accuracy from A to B, N values"},
      {"measure", 'm', ACCQ_OPT_STRING, &measure_s, "M[,M..]",
       "mean_response_time (default), accuracy, loss_probability, p_wait, p50, p90, p95, "
       "p99, gap, boundary_mass, throughput, mean_jobs, utilization.TYPE, throughput.TYPE"},
      {"simulate", 0, ACCQ_OPT_FLAG, &simulate, NULL,
       "simulate (infinite buffer) instead of the exact chain"},
      {"max-states", 0, ACCQ_OPT_SIZE, &max_states, "N",
       "chain state limit (default 2e7, and the free memory)"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &max_buffer, "B",
       "largest auto buffer (default 80, rjiq and random-lp: 10000 per type; beyond it a cell "
       "is marked truncated)"},
      {"jobs", 0, ACCQ_OPT_COUNT, &jobs, "N", "simulated jobs per replication (default 1e5)"},
      {"replications", 0, ACCQ_OPT_COUNT, &reps, "R", "simulation replications (default 10)"},
      {"allow-partial", 0, ACCQ_OPT_FLAG, &allow_partial, NULL,
       "exit 0 when some cells have no number (they stay marked)"},
      {"checkpoint", 0, ACCQ_OPT_STRING, &checkpoint, "FILE", ACCQ_CLI_CHECKPOINT_HELP},
      {0}};
  const accq_cli_spec_t spec = {
      "sweep", "MODEL --vary PARAM=A:B:N [options]",
      "A table of measures over one model parameter, with the LP bound t_lp\n"
      "(at the offered rate) beside.  With `buffer = auto` (the infinite-buffer system)\n"
      "a chain answers only when its truncation is negligible (boundary mass <= 1e-9,\n"
      "E[T] settled); a model with its own buffer B is solved exactly as that\n"
      "finite-buffer system (losses included).  A cell with no number (truncated,\n"
      "too large, not converged: exit 3; unstable, beyond capacity, infeasible:\n"
      "exit 4, the worst cell decides) is marked with its status and reason in every\n"
      "format and summarized on stderr; --allow-partial exits 0 with the marks kept.\n"
      "--format latex gives a booktabs table ready to paste; --plot FILE.png|svg|pdf\n"
      "draws the first measure against the parameter (with the LP bound as a curve\n"
      "for the mean response time).  Under mpirun the cells are shared among the\n"
      "ranks (the same output at any rank count); --checkpoint FILE makes a long\n"
      "sweep resumable.",
      ACCQ_CLI_ALL, opts, 1, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (!vary_s) return accq_cli_usage(&cli, "--vary PARAM=A:B:N is required");
  if (reps == 1) return accq_cli_usage(&cli, "--replications must be >= 2 (got 1)");
  accq_err_t err;
  accq_err_clear(&err);
  accq_cli_vary_t vary;
  if (accq_cli_vary_parse(vary_s, &vary, &err)) return accq_cli_usage(&cli, "%s", err.msg);
  char pbuf[512], mbuf[512];
  snprintf(pbuf, sizeof pbuf, "%s", policy_s);
  snprintf(mbuf, sizeof mbuf, "%s", measure_s);
  const char *pols[MAX_POL], *meas[MAX_MEAS];
  int npol = split_list(pbuf, pols, MAX_POL), nmeas = split_list(mbuf, meas, MAX_MEAS);
  if (npol <= 0) return accq_cli_usage(&cli, "--policy: expected P[,P..] (at most %d)", MAX_POL);
  if (nmeas <= 0) return accq_cli_usage(&cli, "--measure: expected M[,M..] (at most %d)", MAX_MEAS);
  if (npol * (nmeas + 1) > ACCQ_CLI_LIST_MAX)
    return accq_cli_usage(&cli, "--policy x --measure: at most %d columns (got %d x %d)",
                          ACCQ_CLI_LIST_MAX, npol, nmeas + 1);

  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 0)) != 0) return rc;
  /* check the parameter, the measures and the policies before computing */
  char key[256];
  if (accq_sweep_param_key(&m, vary.param, key, sizeof key, &err))
    return accq_cli_usage(&cli, "%s", err.msg);
  for (int j = 0; j < nmeas; j++)
    if (accq_sweep_measure_check(&m, meas[j], &err)) return accq_cli_usage(&cli, "%s", err.msg);

  accq_sweep_options_t so;
  accq_sweep_options_init(&so);
  so.simulate = simulate;
  if (max_states) so.max_states = max_states;
  if (max_buffer) so.max_buffer = so.product_max_buffer = max_buffer;
  if (jobs) so.jobs = jobs;
  if (reps) so.replications = reps;
  so.seed = (unsigned long)cli.seed;
  so.threads = cli.threads;

  double *xv = malloc(sizeof *xv * (size_t)vary.n);
  if (!xv) {
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory for %d sweep points", vary.n);
    return accq_cli_fail(&err);
  }
  for (int i = 0; i < vary.n; i++) xv[i] = accq_cli_vary_value(&vary, i);
  accq_sweep_grid_t *g = NULL;
  rc = accq_sweep_grid_alloc(&g, &m, vary.param, xv, vary.n, pols, npol, &so, &err);
  free(xv);
  if (rc) return rc == ACCQ_EUSAGE ? accq_cli_usage(&cli, "%s", err.msg) : accq_cli_fail(&err);
  char otext[2048];
  sweep_options_text(otext, sizeof otext, vary_s, policy_s, &so);
  sweep_job_t job = {&cli, g};
  const accq_cli_dist_job_t dj = {"sweep",   &m,         otext, checkpoint,
                                  accq_sweep_grid_ncells(g), sweep_eval, sweep_store, &job};
  if ((rc = accq_cli_dist_run(&cli, &dj)) >= 0) goto cleanup; /* an error, or not rank 0 */
  accq_sweep_summary_t sum;
  accq_sweep_grid_summary(g, &sum);
  static view_t v;
  v = (view_t){.g = g, .m = &m, .param = vary.param, .nv = vary.n, .npol = npol, .nmeas = nmeas,
               .simulate = simulate, .meas = meas};
  rc = emit_report(&cli, &v, &vary, &sum);
  stderr_summary(&v, &sum, allow_partial);
  if (sum.nbad && !allow_partial && !rc) rc = sum.worst_exit;
  if (cli.plot) {
    accq_err_clear(&err);
    if (accq_sweep_grid_plot(g, meas[0], cli.plot, &err)) {
      int prc = accq_cli_fail(&err);
      if (!rc) rc = prc;
    }
  }
cleanup:
  accq_sweep_grid_free(g);
  return rc;
}
