/* Helpers shared by simulate, crosscheck, golden and check-sim (see simcli.h). */
#include "cli/simcli.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int parse_count(const char *s, long long *v) {
  int64_t x; /* the options' whole-number parser: 1e5, 2e6 exact */
  if (accq_cli_parse_whole(s, &x) || x < 0 || x > 9000000000000000LL) return -1;
  *v = (long long)x;
  return 0;
}

int accq_simcli_options(const accq_cli_t *cli, int replications, const char *jobs,
                        const char *warmup, const char *buffer, accq_sim_options_t *o) {
  accq_sim_options_init(o);
  o->seed = cli->seed;
  o->threads = cli->threads;
  if (replications) {
    if (replications < 2)
      return accq_cli_usage(cli, "--replications must be >= 2 for a confidence interval (got %d)",
                            replications);
    o->replications = replications;
  }
  if (jobs && (parse_count(jobs, &o->jobs) || o->jobs < 1))
    return accq_cli_usage(cli, "--jobs must be a whole number >= 1 (got '%s')", jobs);
  if (warmup && parse_count(warmup, &o->warmup))
    return accq_cli_usage(cli, "--warmup must be a whole number >= 0 (got '%s')", warmup);
  if (buffer) {
    int b;
    if (!strcmp(buffer, "inf") || !strcmp(buffer, "infinite"))
      o->buffer = 0;
    else if (accq_cli_parse_int(buffer, &b) || b < 1)
      return accq_cli_usage(cli, "--buffer must be an integer >= 1, or inf (got '%s')", buffer);
    else
      o->buffer = b;
  }
  return 0;
}

void accq_simcli_progress_cb(double fraction, void *ctx) {
  accq_simcli_progress_t *p = ctx;
  accq_progress_update(&p->bar, p->index + fraction);
}
