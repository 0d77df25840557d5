/* accq sweep MODEL --policy P[,..] --vary PARAM=A:B:N [--measure M,..]: a table
 * over one model parameter with t_lp beside, in every output format, and a
 * plot (the first measure against the parameter; the LP bound as a curve when
 * the measure is the mean response time). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *why_short(int status) {
  switch (status) {
  case ACCQ_EUNSTABLE: return "unstable";
  case ACCQ_ECAPINFEAS: return "infeasible";
  case ACCQ_EACCINFEAS: return "infeasible";
  case ACCQ_ETOOBIG: return "too large";
  case ACCQ_ENOCONV: return "no convergence";
  default: return "-";
  }
}

int accq_cli_sweep(int argc, char **argv) {
  const char *policy_s = "rjiq,pop", *vary_s = NULL, *measure_s = "mean_response_time";
  int simulate = 0, max_states = 0, max_buffer = 0, jobs = 0, reps = 0;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policy_s, "P[,P..]", "policies (default rjiq,pop)"},
      {"vary", 0, ACCQ_OPT_STRING, &vary_s, "PARAM=A:B:N",
       "lambda, load, accuracy_target, type.NAME.servers|rate|accuracy from A to B, N values"},
      {"measure", 'm', ACCQ_OPT_STRING, &measure_s, "M[,M..]",
       "mean_response_time (default), accuracy, loss_probability, p_wait, p50, p90, p95, "
       "p99, gap, boundary_mass, throughput, mean_jobs, utilization.TYPE, throughput.TYPE"},
      {"simulate", 0, ACCQ_OPT_FLAG, &simulate, NULL,
       "simulate (infinite buffer) instead of the exact chain"},
      {"max-states", 0, ACCQ_OPT_INT, &max_states, "N", "chain state limit (default 200000)"},
      {"max-buffer", 0, ACCQ_OPT_INT, &max_buffer, "B", "largest auto buffer (default 80)"},
      {"jobs", 0, ACCQ_OPT_INT, &jobs, "N", "simulated jobs per replication (default 100000)"},
      {"replications", 0, ACCQ_OPT_INT, &reps, "R", "simulation replications (default 10)"},
      {0}};
  const accq_cli_spec_t spec = {
      "sweep", "MODEL --vary PARAM=A:B:N [options]",
      "A table of measures over one model parameter, with the LP bound t_lp\n"
      "(at the offered rate) beside.  --format latex gives a booktabs table ready\n"
      "to paste; --plot FILE.png|svg|pdf draws the first measure against the\n"
      "parameter (with the LP bound as a curve for the mean response time).",
      ACCQ_CLI_ALL, opts, 1, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (!vary_s) return accq_cli_usage(&cli, "--vary PARAM=A:B:N is required");
  if (max_states < 0 || max_buffer < 0 || jobs < 0 || reps < 0 || reps == 1)
    return accq_cli_usage(&cli, "--max-states, --max-buffer, --jobs must be positive and "
                                "--replications at least 2");
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

  int nv = vary.n, ncell = npol * nmeas;
  double *xv = calloc((size_t)nv, sizeof *xv), *tlp = calloc((size_t)nv, sizeof *tlp);
  double *val = calloc((size_t)nv * (size_t)ncell, sizeof *val);
  double *ci = calloc((size_t)nv * (size_t)npol, sizeof *ci);
  int *stv = calloc((size_t)nv * (size_t)npol, sizeof *stv);
  if (!xv || !tlp || !val || !ci || !stv) {
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory for %d sweep points", nv);
    rc = accq_cli_fail(&err);
    goto cleanup;
  }
  accq_progress_t bar;
  accq_progress_start(&bar, "sweep", (double)nv * npol, cli.quiet);
  for (int i = 0; i < nv; i++) {
    xv[i] = accq_cli_vary_value(&vary, i);
    accq_model_t mi;
    int st = accq_sweep_apply(&m, vary.param, xv[i], &mi, &err);
    tlp[i] = NAN;
    if (st && st != ACCQ_EACCINFEAS) {
      accq_progress_finish(&bar);
      rc = accq_cli_fail(&err);
      goto cleanup;
    }
    if (!st) {
      accq_lp_problem_t lp;
      accq_lp_result_t lr;
      if (!accq_lp_problem_from_model(&lp, &mi, 0.0) && !accq_lp_solve(&lp, &lr, NULL) &&
          lr.status == ACCQ_LP_OPTIMAL)
        tlp[i] = lr.t_lp;
    }
    for (int p = 0; p < npol; p++) {
      accq_measures_t ms;
      int B = 0;
      accq_err_t e;
      accq_err_clear(&e);
      int s2 = st ? st : accq_sweep_eval(&mi, pols[p], &so, &ms, &ci[i * npol + p], &B, &e);
      stv[i * npol + p] = s2;
      if (s2 && s2 != ACCQ_EUNSTABLE && s2 != ACCQ_ECAPINFEAS && s2 != ACCQ_EACCINFEAS &&
          s2 != ACCQ_ETOOBIG && s2 != ACCQ_ENOCONV) {
        accq_progress_finish(&bar);
        rc = accq_cli_fail(&e);
        goto cleanup;
      }
      if (s2 && cli.verbose)
        fprintf(stderr, "accq sweep: %s at %s=%g: %s\n", pols[p], vary.param, xv[i], e.msg);
      for (int j = 0; j < nmeas; j++) {
        double v = NAN;
        if (!s2) accq_sweep_measure(&mi, &ms, meas[j], &v, NULL);
        val[((size_t)i * npol + p) * nmeas + j] = v;
      }
      accq_progress_update(&bar, (double)i * npol + p + 1);
    }
  }
  accq_progress_finish(&bar);

  {
    char title[512];
    snprintf(title, sizeof title, "accq sweep: %s (m = %d), %s from %g to %g%s", m.name,
             m.scale, vary.param, vary.from, vary.to,
             simulate ? " (simulation)" : " (exact chains)");
    accq_report_t *rep = accq_report_alloc(title);
    char tlabel[160];
    snprintf(tlabel, sizeof tlabel, "by %s", vary.param);
    accq_report_section_t *t = accq_report_table(rep, "rows", tlabel);
    accq_table_col(t, vary.param, vary.param, 4);
    accq_table_col(t, "t_lp", "T_LP", 6);
    char k2[ACCQ_CLI_LIST_MAX][160], l2[ACCQ_CLI_LIST_MAX][160];
    int nk = 0;
    for (int p = 0; p < npol; p++) {
      for (int j = 0; j < nmeas && nk < ACCQ_CLI_LIST_MAX; j++, nk++) {
        snprintf(k2[nk], sizeof k2[nk], "%s.%s", pols[p], meas[j]);
        snprintf(l2[nk], sizeof l2[nk], "%s %s", pols[p], short_label(meas[j]));
        accq_table_col(t, k2[nk], l2[nk], 6);
      }
      if (simulate && nk < ACCQ_CLI_LIST_MAX) {
        snprintf(k2[nk], sizeof k2[nk], "%s.mean_response_time_ci95", pols[p]);
        snprintf(l2[nk], sizeof l2[nk], "%s E[T] +-", pols[p]);
        accq_table_col(t, k2[nk], l2[nk], 2);
        nk++;
      }
    }
    for (int i = 0; i < nv; i++) {
      accq_table_row(t);
      accq_table_num(t, xv[i]);
      if (isnan(tlp[i]))
        accq_table_null(t, "infeasible");
      else
        accq_table_num(t, tlp[i]);
      for (int p = 0; p < npol; p++) {
        int s2 = stv[i * npol + p];
        for (int j = 0; j < nmeas; j++) {
          if (s2)
            accq_table_null(t, why_short(s2));
          else
            accq_table_num(t, val[((size_t)i * npol + p) * nmeas + j]);
        }
        if (simulate) {
          if (s2)
            accq_table_null(t, why_short(s2));
          else
            accq_table_num(t, ci[i * npol + p]);
        }
      }
    }
    accq_report_set_primary(rep, t);
    rc = accq_cli_emit(&cli, rep);
    accq_report_free(rep);
  }

  if (cli.plot) {
    accq_plot_series_t ser[MAX_POL + 1];
    char labels[MAX_POL][96];
    double *ys = calloc((size_t)nv * npol, sizeof *ys);
    double *lo = calloc((size_t)nv * npol, sizeof *lo), *hi = calloc((size_t)nv * npol, sizeof *hi);
    int ns = 0;
    if (!ys || !lo || !hi) {
      free(ys);
      free(lo);
      free(hi);
      accq_err_set(&err, ACCQ_ENOMEM, "out of memory for the plot");
      if (!rc) rc = accq_cli_fail(&err);
      goto cleanup;
    }
    int is_et = !strcmp(meas[0], "mean_response_time");
    for (int p = 0; p < npol; p++) {
      for (int i = 0; i < nv; i++) {
        ys[p * nv + i] = val[((size_t)i * npol + p) * nmeas];
        lo[p * nv + i] = ys[p * nv + i] - (is_et ? ci[i * npol + p] : 0);
        hi[p * nv + i] = ys[p * nv + i] + (is_et ? ci[i * npol + p] : 0);
      }
      snprintf(labels[p], sizeof labels[p], "%s", pols[p]);
      ser[ns++] = (accq_plot_series_t){labels[p], nv, xv, ys + p * nv,
                                       simulate && is_et ? lo + p * nv : NULL,
                                       simulate && is_et ? hi + p * nv : NULL,
                                       ACCQ_PLOT_LINESPOINTS};
    }
    if (is_et) ser[ns++] = (accq_plot_series_t){"LP bound", nv, xv, tlp, NULL, NULL, ACCQ_PLOT_LINES};
    char ptitle[256], ylabel[128];
    snprintf(ptitle, sizeof ptitle, "%s, m = %d: %s against %s%s", m.name, m.scale,
             short_label(meas[0]), vary.param,
             simulate ? " (simulation, 95% CI)" : " (exact chains)");
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
  }

cleanup:
  free(xv);
  free(tlp);
  free(val);
  free(ci);
  free(stv);
  return rc;
}
