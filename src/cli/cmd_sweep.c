/* accq sweep MODEL --policy P[,..] --vary PARAM=A:B:N [--measure M,..]: a table
 * over one model parameter with t_lp beside, in every output format, and a
 * plot (the first measure against the parameter; the LP bound as a curve when
 * the measure is the mean response time). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/fmt.h"
#include "accq/accq.h"
#include "accq/verify.h"
#include "cli/cli.h"
#include "ext/gnuplot.h"

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

static const char *short_label(const char *measure) {
  static const char *const map[][2] = {
      {"mean_response_time", "E[T]"}, {"loss_probability", "P_loss"}, {"p_wait", "P(W>0)"},
      {"boundary_mass", "boundary"},  {"throughput", "X"},            {"mean_jobs", "L"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(map[i][0], measure)) return map[i][1];
  return measure;
}

/* What every number of the table is: said in the title and in JSON. */
static const char *method_label(int simulate, int finite_buffer) {
  if (simulate) return "simulation, infinite buffer, 95% confidence intervals";
  if (finite_buffer) return "exact chains of the model's finite buffer, losses included";
  return "exact chains, infinite buffer: truncation below 1e-9 or no number";
}

/* The LP bound at one point of the sweep (at the offered rate). */
typedef struct {
  double t_lp;
  accq_cell_status_t t_lp_status;
  char t_lp_reason[ACCQ_ERR_MSG_MAX + 64];
} point_t;

static void t_lp_at(const accq_model_t *mi, point_t *pt) {
  accq_lp_problem_t lp;
  accq_lp_result_t lr;
  accq_err_t e;
  accq_err_clear(&e);
  pt->t_lp = NAN;
  int st = accq_lp_problem_from_model(&lp, mi, 0.0);
  if (!st) st = accq_lp_solve(&lp, &lr, &e);
  if (st) {
    pt->t_lp_status = accq_cell_status_of(st);
    snprintf(pt->t_lp_reason, sizeof pt->t_lp_reason, "LP: %s", e.msg[0] ? e.msg : accq_strerror(st));
  } else if (lr.status == ACCQ_LP_ACCURACY_INFEASIBLE) {
    pt->t_lp_status = ACCQ_CELL_INFEASIBLE;
    snprintf(pt->t_lp_reason, sizeof pt->t_lp_reason,
             "no bound: the accuracy target %s is above every type's accuracy",
             ACCQ_FMT(mi->accuracy_target));
  } else if (lr.status != ACCQ_LP_OPTIMAL) {
    pt->t_lp_status = ACCQ_CELL_BEYOND_CAPACITY;
    snprintf(pt->t_lp_reason, sizeof pt->t_lp_reason,
             "no bound: arrival rate %.6g is beyond Lambda_max(a*) = %.6g", mi->arrival_rate,
             lr.lambda_max);
  } else {
    pt->t_lp = lr.t_lp;
  }
}

static void t_lp_cell(accq_report_section_t *t, const point_t *pt) {
  if (pt->t_lp_status)
    accq_table_null(t, accq_cell_status_label(pt->t_lp_status));
  else
    accq_table_num(t, pt->t_lp);
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

int accq_cli_sweep(int argc, char **argv) {
  const char *policy_s = "rjiq,pop", *vary_s = NULL, *measure_s = "mean_response_time";
  int simulate = 0, max_buffer = 0, jobs = 0, reps = 0, allow_partial = 0;
  int64_t max_states = 0;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policy_s, "P[,P..]", "policies (default rjiq,pop)"},
      {"vary", 0, ACCQ_OPT_STRING, &vary_s, "PARAM=A:B:N",
       "lambda, load, accuracy_target, type.NAME.servers|rate|accuracy from A to B, N values"},
      {"measure", 'm', ACCQ_OPT_STRING, &measure_s, "M[,M..]",
       "mean_response_time (default), accuracy, loss_probability, p_wait, p50, p90, p95, "
       "p99, gap, boundary_mass, throughput, mean_jobs, utilization.TYPE, throughput.TYPE"},
      {"simulate", 0, ACCQ_OPT_FLAG, &simulate, NULL,
       "simulate (infinite buffer) instead of the exact chain"},
      {"max-states", 0, ACCQ_OPT_SIZE, &max_states, "N",
       "chain state limit (default 2e7, and the free memory)"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &max_buffer, "B",
       "largest auto buffer (default 80; beyond it a cell is marked truncated)"},
      {"jobs", 0, ACCQ_OPT_COUNT, &jobs, "N", "simulated jobs per replication (default 1e5)"},
      {"replications", 0, ACCQ_OPT_COUNT, &reps, "R", "simulation replications (default 10)"},
      {"allow-partial", 0, ACCQ_OPT_FLAG, &allow_partial, NULL,
       "exit 0 when some cells have no number (they stay marked)"},
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
      "for the mean response time).",
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
  {
    accq_measures_t dummy;
    memset(&dummy, 0, sizeof dummy);
    double v;
    for (int j = 0; j < nmeas; j++)
      if (accq_sweep_measure(&m, &dummy, meas[j], &v, &err))
        return accq_cli_usage(&cli, "%s", err.msg);
    for (int p = 0; p < npol; p++) {
      int known = 0;
      for (int k = 0; k < accq_policy_nnames; k++) {
        size_t len = strlen(accq_policy_names[k]);
        if (!strncmp(pols[p], accq_policy_names[k], len) &&
            (pols[p][len] == '\0' || pols[p][len] == ':'))
          known = 1;
      }
      if (!known) return accq_cli_usage(&cli, "--policy: unknown policy '%s'", pols[p]);
    }
  }

  accq_sweep_options_t so;
  accq_sweep_options_init(&so);
  so.simulate = simulate;
  if (max_states) so.max_states = max_states;
  if (max_buffer) so.max_buffer = max_buffer;
  if (jobs) so.jobs = jobs;
  if (reps) so.replications = reps;
  so.seed = (unsigned long)cli.seed;
  so.threads = cli.threads;

  int nv = vary.n;
  double *xv = calloc((size_t)nv, sizeof *xv);
  point_t *pt = calloc((size_t)nv, sizeof *pt);
  accq_sweep_cell_t *cells = calloc((size_t)nv * (size_t)npol, sizeof *cells);
  if (!xv || !pt || !cells) {
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory for %d sweep points", nv);
    rc = accq_cli_fail(&err);
    goto cleanup;
  }
  int finite_buffer = 0; /* a model with its own B: every chain is that finite-buffer system */
  accq_progress_t bar;
  accq_progress_start(&bar, "sweep", (double)nv * npol, cli.quiet);
  for (int i = 0; i < nv; i++) {
    xv[i] = accq_cli_vary_value(&vary, i);
    accq_model_t mi;
    accq_err_t e;
    accq_err_clear(&e);
    int st = accq_sweep_apply(&m, vary.param, xv[i], &mi, &e);
    pt[i].t_lp = NAN;
    if (st && accq_status_exit_code(st) < 3) { /* a bad value of the parameter: bad usage */
      accq_progress_finish(&bar);
      rc = accq_cli_fail(&e);
      goto cleanup;
    }
    if (st) {
      pt[i].t_lp_status = accq_cell_status_of(st);
      snprintf(pt[i].t_lp_reason, sizeof pt[i].t_lp_reason, "%s", e.msg);
    } else {
      finite_buffer |= mi.buffer > 0;
      t_lp_at(&mi, &pt[i]);
    }
    for (int p = 0; p < npol; p++) {
      accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
      if (st) { /* the model has no resolved rate: nothing to compute */
        memset(c, 0, sizeof *c);
        c->status = accq_cell_status_of(st);
        snprintf(c->reason, sizeof c->reason, "%s", e.msg);
      } else if (accq_sweep_eval(&mi, pols[p], &so, c, &e)) {
        accq_progress_finish(&bar);
        rc = accq_cli_fail(&e);
        goto cleanup;
      }
      if (c->status && cli.verbose)
        fprintf(stderr, "accq sweep: %s at %s=%s: %s: %s\n", pols[p], vary.param, ACCQ_FMT(xv[i]),
                accq_cell_status_name(c->status), c->reason);
      accq_progress_update(&bar, (double)i * npol + p + 1);
    }
  }
  accq_progress_finish(&bar);

  /* every warning and every cell without a number: counted for the exit
   * status and the stderr summary */
  int worst = 0, nbad = 0, counts[ACCQ_CELL_INFEASIBLE + 1] = {0}, nwarn = 0;
  for (int i = 0; i < nv; i++) {
    if (pt[i].t_lp_status) {
      nbad++;
      counts[pt[i].t_lp_status]++;
      int x = accq_cell_exit_code(pt[i].t_lp_status);
      if (x > worst) worst = x;
    }
    for (int p = 0; p < npol; p++) {
      const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
      nwarn += c->nwarnings;
      if (!c->status) continue;
      nbad++;
      counts[c->status]++;
      int x = accq_cell_exit_code(c->status);
      if (x > worst) worst = x;
    }
  }

  {
    char title[512];
    snprintf(title, sizeof title, "accq sweep: %s (m = %d), %s from %g to %g (%s)", m.name,
             m.scale, vary.param, vary.from, vary.to, method_label(simulate, finite_buffer));
    accq_report_t *rep = accq_report_alloc(title);
    accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
    accq_report_section_visibility(kv, ACCQ_REPORT_JSON_ONLY); /* humans: the title, the notes */
    accq_kv_str(kv, "method", NULL, method_label(simulate, finite_buffer));
    /* JSON "warnings": every cell without a number and every simulation
     * warning, as texts; humans get the notes table below */
    {
      int nw = nbad + nwarn, k = 0;
      char **texts = calloc((size_t)(nw > 0 ? nw : 1), sizeof *texts);
      for (int i = 0; texts && i < nv; i++) {
        if (pt[i].t_lp_status)
          texts[k++] = note_text(vary.param, xv[i], "t_lp", accq_cell_status_name(pt[i].t_lp_status),
                                 pt[i].t_lp_reason);
        for (int p = 0; p < npol; p++) {
          const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
          if (c->status)
            texts[k++] = note_text(vary.param, xv[i], pols[p], accq_cell_status_name(c->status),
                                   c->reason);
          for (int w = 0; w < c->nwarnings; w++)
            texts[k++] = note_text(vary.param, xv[i], pols[p], "warning", c->warnings[w]);
        }
      }
      accq_kv_strs(kv, "warnings", "warnings", (const char *const *)texts, texts ? k : 0);
      for (int j = 0; texts && j < k; j++) free(texts[j]);
      free(texts);
    }

    /* CSV and JSON: the numbers, then per column group its status and reason */
    char tlabel[160];
    snprintf(tlabel, sizeof tlabel, "by %s", vary.param);
    accq_report_section_t *t = accq_report_table(rep, "rows", tlabel);
    accq_report_section_visibility(t, ACCQ_REPORT_ONLY(ACCQ_FORMAT_CSV) | ACCQ_REPORT_JSON_ONLY);
    accq_table_col(t, vary.param, vary.param, 4);
    accq_table_col(t, "t_lp", "T_LP", 6);
    static char k2[ACCQ_CLI_LIST_MAX * 2][160];
    int nk = 0;
    for (int p = 0; p < npol; p++) {
      for (int j = 0; j < nmeas; j++, nk++) {
        snprintf(k2[nk], sizeof k2[nk], "%s.%s", pols[p], meas[j]);
        accq_table_col(t, k2[nk], NULL, 6);
      }
      if (simulate) {
        snprintf(k2[nk], sizeof k2[nk], "%s.mean_response_time_ci95", pols[p]);
        accq_table_col(t, k2[nk++], NULL, 2);
      }
    }
    accq_table_col(t, "t_lp.status", NULL, 0);
    accq_table_col(t, "t_lp.reason", NULL, 0);
    static char s2[MAX_POL][4][160];
    for (int p = 0; p < npol; p++) {
      const char *sfx[4] = {"status", "reason", "buffer", "warnings"};
      for (int q = 0; q < 4; q++) {
        snprintf(s2[p][q], sizeof s2[p][q], "%s.%s", pols[p], sfx[q]);
        accq_table_col(t, s2[p][q], NULL, 0);
      }
    }
    for (int i = 0; i < nv; i++) {
      accq_table_row(t);
      accq_table_num(t, xv[i]);
      t_lp_cell(t, &pt[i]);
      for (int p = 0; p < npol; p++) {
        const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
        for (int j = 0; j < nmeas; j++) value_cell(t, &m, c, meas[j]);
        if (simulate) {
          if (c->status)
            accq_table_null(t, accq_cell_status_label(c->status));
          else
            accq_table_num(t, c->ci95);
        }
      }
      accq_table_str(t, accq_cell_status_name(pt[i].t_lp_status));
      if (pt[i].t_lp_status)
        accq_table_str(t, pt[i].t_lp_reason);
      else
        accq_table_null(t, NULL);
      for (int p = 0; p < npol; p++) {
        const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
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
    }
    accq_report_set_primary(rep, t);

    /* text, Markdown, LaTeX: the numbers, each cell without one showing its
     * status, and the reasons in a notes table below */
    accq_report_section_t *h = accq_report_table(rep, "rows", tlabel);
    accq_report_section_visibility(h, ACCQ_REPORT_HUMAN_ONLY);
    accq_table_col(h, vary.param, vary.param, 4);
    accq_table_col(h, "t_lp", "T_LP", 6);
    static char l2[ACCQ_CLI_LIST_MAX * 2][160];
    int nl = 0;
    for (int p = 0; p < npol; p++) {
      for (int j = 0; j < nmeas; j++, nl++) {
        snprintf(l2[nl], sizeof l2[nl], "%s %s", pols[p], short_label(meas[j]));
        accq_table_col(h, k2[nl], l2[nl], 6);
      }
      if (simulate) {
        snprintf(l2[nl], sizeof l2[nl], "%s E[T] +-", pols[p]);
        accq_table_col(h, k2[nl], l2[nl], 2);
        nl++;
      }
    }
    for (int i = 0; i < nv; i++) {
      accq_table_row(h);
      accq_table_num(h, xv[i]);
      t_lp_cell(h, &pt[i]);
      for (int p = 0; p < npol; p++) {
        const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
        for (int j = 0; j < nmeas; j++) value_cell(h, &m, c, meas[j]);
        if (simulate) {
          if (c->status)
            accq_table_null(h, accq_cell_status_label(c->status));
          else
            accq_table_num(h, c->ci95);
        }
      }
    }
    if (nbad + nwarn > 0) {
      accq_report_section_t *n = accq_report_table(rep, "notes", "cells without a number, warnings");
      accq_report_section_visibility(n, ACCQ_REPORT_HUMAN_ONLY);
      accq_table_col(n, vary.param, vary.param, 4);
      accq_table_col(n, "what", "policy", 0);
      accq_table_col(n, "status", "status", 0);
      accq_table_col(n, "reason", "reason", 0);
      for (int i = 0; i < nv; i++) {
        if (pt[i].t_lp_status) {
          accq_table_row(n);
          accq_table_num(n, xv[i]);
          accq_table_str(n, "T_LP");
          accq_table_str(n, accq_cell_status_name(pt[i].t_lp_status));
          accq_table_str(n, pt[i].t_lp_reason);
        }
        for (int p = 0; p < npol; p++) {
          const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
          if (c->status) {
            accq_table_row(n);
            accq_table_num(n, xv[i]);
            accq_table_str(n, pols[p]);
            accq_table_str(n, accq_cell_status_name(c->status));
            accq_table_str(n, c->reason);
          }
          for (int w = 0; w < c->nwarnings; w++) {
            accq_table_row(n);
            accq_table_num(n, xv[i]);
            accq_table_str(n, pols[p]);
            accq_table_str(n, "warning");
            accq_table_str(n, c->warnings[w]);
          }
        }
      }
    }
    rc = accq_cli_emit(&cli, rep);
    accq_report_free(rep);
  }

  /* stderr, whatever -q says: simulation warnings, and what has no number */
  for (int i = 0; i < nv; i++)
    for (int p = 0; p < npol; p++) {
      const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
      for (int w = 0; w < c->nwarnings; w++)
        fprintf(stderr, "accq sweep: warning: %s at %s=%s: %s\n", pols[p], vary.param, ACCQ_FMT(xv[i]),
                c->warnings[w]);
    }
  if (nbad) {
    char list[512] = "";
    size_t len = 0;
    for (int s = 1; s <= ACCQ_CELL_INFEASIBLE; s++)
      if (counts[s])
        len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0, "%s%d %s",
                                len ? ", " : "", counts[s], accq_cell_status_name(s));
    fprintf(stderr, "accq sweep: %d of %d cells not computed (%s)%s\n", nbad, nv * (npol + 1), list,
            allow_partial ? "; --allow-partial: exit 0" : "");
    /* the first reason of each status, so that the summary says why */
    for (int s = 1; s <= ACCQ_CELL_INFEASIBLE; s++) {
      if (!counts[s]) continue;
      for (int i = 0, shown = 0; i < nv && !shown; i++) {
        if (pt[i].t_lp_status == (accq_cell_status_t)s) {
          fprintf(stderr, "  %s: T_LP at %s=%s: %s\n", accq_cell_status_name(s), vary.param, ACCQ_FMT(xv[i]),
                  pt[i].t_lp_reason);
          shown = 1;
        }
        for (int p = 0; p < npol && !shown; p++) {
          const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
          if (c->status == (accq_cell_status_t)s) {
            fprintf(stderr, "  %s: %s at %s=%s: %s\n", accq_cell_status_name(s), pols[p],
                    vary.param, ACCQ_FMT(xv[i]), c->reason);
            shown = 1;
          }
        }
      }
    }
    if (!allow_partial && !rc) rc = worst;
  }

  if (cli.plot) {
    accq_plot_series_t ser[MAX_POL + 1];
    char labels[MAX_POL][96];
    double *ys = calloc((size_t)nv * npol, sizeof *ys), *tl = calloc((size_t)nv, sizeof *tl);
    double *lo = calloc((size_t)nv * npol, sizeof *lo), *hi = calloc((size_t)nv * npol, sizeof *hi);
    int ns = 0;
    if (!ys || !lo || !hi || !tl) {
      free(ys);
      free(lo);
      free(hi);
      free(tl);
      accq_err_set(&err, ACCQ_ENOMEM, "out of memory for the plot");
      if (!rc) rc = accq_cli_fail(&err);
      goto cleanup;
    }
    int is_et = !strcmp(meas[0], "mean_response_time");
    for (int p = 0; p < npol; p++) {
      for (int i = 0; i < nv; i++) {
        const accq_sweep_cell_t *c = &cells[(size_t)i * npol + p];
        double v = NAN; /* a cell without a number is a gap in the curve */
        if (!c->status) accq_sweep_measure(&m, &c->m, meas[0], &v, NULL);
        ys[p * nv + i] = v;
        lo[p * nv + i] = v - (is_et && !c->status ? c->ci95 : 0);
        hi[p * nv + i] = v + (is_et && !c->status ? c->ci95 : 0);
      }
      snprintf(labels[p], sizeof labels[p], "%s", pols[p]);
      ser[ns++] = (accq_plot_series_t){labels[p], nv, xv, ys + p * nv,
                                       simulate && is_et ? lo + p * nv : NULL,
                                       simulate && is_et ? hi + p * nv : NULL,
                                       ACCQ_PLOT_LINESPOINTS};
    }
    for (int i = 0; i < nv; i++) tl[i] = pt[i].t_lp;
    if (is_et) ser[ns++] = (accq_plot_series_t){"LP bound", nv, xv, tl, NULL, NULL, ACCQ_PLOT_LINES};
    char ptitle[256], ylabel[128];
    snprintf(ptitle, sizeof ptitle, "%s, m = %d: %s against %s (%s)", m.name, m.scale,
             short_label(meas[0]), vary.param,
             simulate ? "simulation, 95% CI" : finite_buffer ? "exact, finite buffer" : "exact");
    snprintf(ylabel, sizeof ylabel, "%s", is_et ? "mean response time E[T]" : meas[0]);
    accq_plot_t pl = {ptitle, vary.param, ylabel, 0, 0, ns, ser};
    accq_err_clear(&err);
    if (accq_gnuplot_render(&pl, cli.plot, &err)) {
      int prc = accq_cli_fail(&err);
      if (!rc) rc = prc;
    }
    free(ys);
    free(lo);
    free(hi);
    free(tl);
  }

cleanup:
  free(xv);
  free(pt);
  free(cells);
  return rc;
}
