/* Helpers shared by the simulator's commands (simulate, crosscheck, golden,
 * check-sim): option values and progress.  Parsing and printing only; the
 * numerics live in src/sim and src/check, and output goes through reports
 * (accq/report.h). */
#ifndef ACCQ_SIMCLI_H
#define ACCQ_SIMCLI_H

#include "accq/sim.h"
#include "cli/cli.h"

#define ACCQ_SIMCLI_MAX_POLICIES 32

/* Sim options from the command-line strings (NULL: default).  jobs and warmup
 * accept 1e6-style numbers; buffer accepts an integer >= 1, or "inf"/"0" for
 * infinite.  Prints a usage error and returns 2 on a bad value, else 0. */
int accq_simcli_options(const accq_cli_t *cli, int replications, const char *jobs,
                        const char *warmup, const char *buffer, accq_sim_options_t *o);

/* Progress glue: the simulator reports a fraction of one run; the bar shows
 * (index + fraction) of `total` runs. */
typedef struct {
  accq_progress_t bar;
  int index;
} accq_simcli_progress_t;
void accq_simcli_progress_cb(double fraction, void *ctx);

#endif
