/* accq simulate --window W [--timeseries FILE.csv] [--plot FILE]: the
 * time-resolved measures of docs/simulator.md, kept apart from
 * cmd_simulate.c.  Parsing, collecting and writing only; the numbers come
 * from accq_sim_run_series. */
#ifndef ACCQ_CLI_SIM_TIMESERIES_H
#define ACCQ_CLI_SIM_TIMESERIES_H

#include "accq/report.h"
#include "accq/sim.h"
#include "cli/cli.h"
#include "cli/simcli.h"

typedef struct {
  double window;                          /* 0: no time series */
  const char *csv;                        /* --timeseries FILE, or NULL */
  int n;
  char names[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  accq_sim_series_t series[ACCQ_SIMCLI_MAX_POLICIES];
  accq_report_section_t *table;           /* humans: per policy, windows below a* */
} accq_simts_t;

/* Checks the options before anything runs (--timeseries and --plot need
 * --window; the files must be writable and not the model).  Returns 0, or a
 * printed usage error's status (2). */
int accq_simts_begin(const accq_cli_t *cli, accq_simts_t *ts, double window, const char *csv);

/* Adds the human table of the series summary to rep (when a window is set). */
void accq_simts_report(accq_simts_t *ts, accq_report_t *rep);

/* One policy's run: accq_sim_run, or accq_sim_run_series when a window is
 * set (the series is kept for accq_simts_finish and summarized in the JSON
 * result object o after success: accq_simts_result). */
int accq_simts_run(accq_simts_t *ts, const accq_model_t *m, const accq_policy_t *pol,
                   const accq_sim_options_t *so, accq_sim_result_t *r, accq_err_t *err);
void accq_simts_result(accq_simts_t *ts, accq_report_section_t *o, const char *policy);

/* Writes the CSV and the plots; frees the series.  Returns 0 or the printed
 * error's exit status. */
int accq_simts_finish(accq_simts_t *ts, const accq_cli_t *cli, const accq_model_t *m);

#endif
