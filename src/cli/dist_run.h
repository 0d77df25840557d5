/* Running a command's cells through the executor (accq/dist.h): the
 * --checkpoint option, the progress bar, the checkpoint notes and per-rank
 * statistics on stderr, and the exit status.  For every command whose work is
 * a list of independent cells (sweep, converge, simulate, verify ...). */
#ifndef ACCQ_CLI_DIST_RUN_H
#define ACCQ_CLI_DIST_RUN_H

#include "accq/dist.h"
#include "cli/cli.h"

/* The --checkpoint option's help text (one place for every command). */
#define ACCQ_CLI_CHECKPOINT_HELP                                                          \
  "append each finished cell to FILE and, rerun with the same command, skip the cells " \
  "already there (docs/output.md, Checkpoints)"

typedef struct {
  const char *command;      /* "sweep" (the checkpoint's identity, the progress label) */
  const accq_model_t *model;/* the model whose canonical text the identity hashes */
  const char *options_text; /* every option that changes a result, canonical */
  const char *checkpoint;   /* --checkpoint FILE, or NULL */
  int ncells;
  accq_dist_eval_fn eval;
  accq_dist_store_fn store;
  void *ctx;
} accq_cli_dist_job_t;

/* Runs the job.  Returns -1 on rank 0 when every cell is stored (the command
 * goes on to print); 0 on the other ranks when their share is done (the
 * command returns 0 and prints nothing); otherwise the exit status after
 * printing the error (2 for a checkpoint of another run, 128 + signal when
 * interrupted, ...).  -v: each rank's cells, busy and wall time on stderr. */
int accq_cli_dist_run(const accq_cli_t *cli, const accq_cli_dist_job_t *job);
/* The same for a command of several models (verify, golden): job->model is
 * NULL and the identity hashes model_text (every model's canonical text, in
 * order). */
int accq_cli_dist_run_text(const accq_cli_t *cli, const accq_cli_dist_job_t *job,
                           const char *model_text);

/* Appends "key=value;" to buf (size), for options_text. */
void accq_cli_dist_opt(char *buf, size_t size, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
