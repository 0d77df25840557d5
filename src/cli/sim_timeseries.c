/* accq simulate's time series (see sim_timeseries.h and docs/simulator.md,
 * "Time-resolved measures").
 *
 * CSV (--timeseries FILE, written atomically through the outfile API): one
 * row per (policy, window), columns
 *   policy, t0, t1, rate, rate_source, status, arrivals, replications,
 *   accuracy, accuracy_ci95, mean_response_time, mean_response_time_ci95,
 *   t_lp, gap, below
 * rate is Lambda(t) per unit scale over the window ("integral" of the model's
 * rate, or "counted" arrivals for mmpp and trace); status "ok", "infeasible"
 * (no LP bound at that rate: t_lp and gap empty) or "empty" (no job in any
 * replication: the measures empty); below is the fraction of replications
 * whose window is below a* (accq/sim.h, ACCQ_SIM_BELOW_Z).
 *
 * --plot FILE draws E[T] per window (95% intervals) of every policy with the
 * moving bound T_LP(Lambda(t)); FILE with "-accuracy" before its extension
 * draws the accuracy per window with a*. */
#include "cli/sim_timeseries.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int accq_simts_begin(const accq_cli_t *cli, accq_simts_t *ts, double window, const char *csv) {
  memset(ts, 0, sizeof *ts);
  ts->window = window;
  ts->csv = csv;
  if (window <= 0 && (csv || cli->plot))
    return accq_cli_usage(cli, "%s needs --window W (the width of the time windows)",
                          csv ? "--timeseries" : "--plot");
  const char *inputs[1] = {cli->model};
  int nin = cli->model ? 1 : 0;
  accq_err_t err;
  accq_err_clear(&err);
  if (csv && accq_outfile_check(csv, inputs, nin, &err)) return accq_cli_fail(&err);
  if (cli->plot && accq_outfile_check(cli->plot, inputs, nin, &err)) return accq_cli_fail(&err);
  return 0;
}

void accq_simts_report(accq_simts_t *ts, accq_report_t *rep) {
  if (!(ts->window > 0)) return;
  char title[160];
  snprintf(title, sizeof title,
           "time series: windows of width %g, fraction below a* (mean, 95%% CI over replications)",
           ts->window);
  ts->table = accq_report_table(rep, "timeseries", title);
  accq_report_section_visibility(ts->table, ACCQ_REPORT_HUMAN_ONLY);
  accq_table_col(ts->table, "policy", NULL, 0);
  accq_table_col(ts->table, "windows", NULL, 0);
  accq_table_col(ts->table, "below", "below a*", 4);
  accq_table_col(ts->table, "below_ci95", "ci95", 2);
  accq_table_col(ts->table, "worst_gap", "largest gap to T_LP(Lambda(t))", 4);
}

int accq_simts_run(accq_simts_t *ts, const accq_model_t *m, const accq_policy_t *pol,
                   const accq_sim_options_t *so, accq_sim_result_t *r, accq_err_t *err) {
  if (!(ts->window > 0)) return accq_sim_run(m, pol, so, r, NULL, err);
  if (ts->n >= ACCQ_SIMCLI_MAX_POLICIES)
    return accq_err_set(err, ACCQ_EUSAGE, "at most %d policies", ACCQ_SIMCLI_MAX_POLICIES);
  accq_sim_series_t *se = &ts->series[ts->n];
  int st = accq_sim_run_series(m, pol, so, ts->window, r, NULL, se, err);
  if (st) return st;
  snprintf(ts->names[ts->n], sizeof ts->names[0], "%s", accq_policy_name(pol));
  ts->n++;
  return ACCQ_SUCCESS;
}

static double worst_gap(const accq_sim_series_t *se) {
  double g = NAN;
  for (int i = 0; i < se->nwindows; i++)
    if (isfinite(se->w[i].gap) && !(se->w[i].gap <= g)) g = se->w[i].gap;
  return g;
}

void accq_simts_result(accq_simts_t *ts, accq_report_section_t *o, const char *policy) {
  if (!(ts->window > 0) || ts->n < 1) return;
  const accq_sim_series_t *se = &ts->series[ts->n - 1];
  accq_report_section_t *t = accq_kv_object(o, "timeseries", NULL);
  accq_kv_num(t, "window", NULL, se->width, 0);
  accq_kv_int(t, "windows", NULL, se->nwindows);
  accq_report_section_t *b = accq_kv_object(t, "below_fraction", NULL);
  accq_kv_num(b, "mean", NULL, se->below_fraction.mean, 0);
  accq_kv_num(b, "ci95", NULL, se->below_fraction.ci95, 0);
  accq_kv_num(t, "worst_gap", NULL, worst_gap(se), 0);
  if (ts->table) {
    accq_table_row(ts->table);
    accq_table_str(ts->table, policy);
    accq_table_int(ts->table, se->nwindows);
    accq_table_num(ts->table, se->below_fraction.mean);
    accq_table_num(ts->table, se->below_fraction.ci95);
    accq_table_num(ts->table, worst_gap(se));
  }
}

static void csv_num(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, ",%.17g", v);
  else
    fputs(",", f);
}

static int write_csv(const accq_simts_t *ts, const char *path, accq_err_t *err) {
  accq_outfile_t *of = NULL;
  int st = accq_outfile_open(path, &of, err);
  if (st) return st;
  FILE *f = accq_outfile_stream(of);
  fputs("policy,t0,t1,rate,rate_source,status,arrivals,replications,accuracy,accuracy_ci95,"
        "mean_response_time,mean_response_time_ci95,t_lp,gap,below\n", f);
  for (int p = 0; p < ts->n; p++)
    for (int i = 0; i < ts->series[p].nwindows; i++) {
      const accq_sim_window_t *w = &ts->series[p].w[i];
      int ok = w->nreps > 0;
      fprintf(f, "%s", ts->names[p]);
      csv_num(f, w->t0);
      csv_num(f, w->t1);
      csv_num(f, w->rate);
      fprintf(f, ",%s,%s,%lld,%d", w->rate_counted ? "counted" : "integral", w->status,
              w->arrivals, w->nreps);
      csv_num(f, ok ? w->accuracy.mean : NAN);
      csv_num(f, ok ? w->accuracy.ci95 : NAN);
      csv_num(f, ok ? w->mean_response_time.mean : NAN);
      csv_num(f, ok ? w->mean_response_time.ci95 : NAN);
      csv_num(f, w->t_lp);
      csv_num(f, ok ? w->gap : NAN);
      csv_num(f, ok ? w->below : NAN);
      fputc('\n', f);
    }
  return accq_outfile_commit(of, err);
}

/* path with "-accuracy" before its extension. */
static void accuracy_path(const char *path, char *out, size_t n) {
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash)) dot = path + strlen(path);
  snprintf(out, n, "%.*s-accuracy%s", (int)(dot - path), path, dot);
}

int accq_simts_finish(accq_simts_t *ts, const accq_cli_t *cli, const accq_model_t *m) {
  int rc = 0;
  accq_err_t err;
  accq_err_clear(&err);
  if (ts->window > 0 && ts->csv && write_csv(ts, ts->csv, &err)) rc = accq_cli_fail(&err);
  if (ts->window > 0 && cli->plot && !rc) {
    char apath[1024];
    accuracy_path(cli->plot, apath, sizeof apath);
    const char *names[ACCQ_SIMCLI_MAX_POLICIES];
    for (int p = 0; p < ts->n; p++) names[p] = ts->names[p];
    if (accq_sim_series_plot(ts->series, names, ts->n, m, ts->window, cli->plot, 0, &err) ||
        accq_sim_series_plot(ts->series, names, ts->n, m, ts->window, apath, 1, &err))
      rc = accq_cli_fail(&err);
  }
  for (int p = 0; p < ts->n; p++) accq_sim_series_free(&ts->series[p]);
  ts->n = 0;
  return rc;
}
