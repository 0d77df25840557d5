/* A command's cells through the executor (cli/dist_run.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/dist_run.h"

static void on_progress(void *ctx, const char *what, double fraction) {
  (void)what;
  accq_progress_update(ctx, fraction);
}

void accq_cli_dist_opt(char *buf, size_t size, const char *key, const char *fmt, ...) {
  size_t n = strlen(buf);
  if (n + 1 >= size) return;
  snprintf(buf + n, size - n, "%s=", key);
  n = strlen(buf);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + n, size - n, fmt, ap);
  va_end(ap);
  n = strlen(buf);
  if (n + 1 < size) {
    buf[n] = ';';
    buf[n + 1] = '\0';
  }
}

static void print_stats(const accq_dist_rank_stats_t *s, int size) {
  for (int i = 0; i < size; i++)
    fprintf(stderr, "accq: rank %d: %d cells, busy %.3f s of %.3f s (%.0f%%)\n", i, s[i].cells,
            s[i].busy, s[i].wall, s[i].wall > 0 ? 100 * s[i].busy / s[i].wall : 0.0);
}

int accq_cli_dist_run(const accq_cli_t *cli, const accq_cli_dist_job_t *job) {
  return accq_cli_dist_run_text(cli, job, NULL);
}

int accq_cli_dist_run_text(const accq_cli_t *cli, const accq_cli_dist_job_t *job,
                           const char *model_text) {
  accq_dist_t *d = accq_dist_get();
  int rank = accq_dist_rank(d), size = accq_dist_size(d);
  accq_err_t err;
  accq_err_clear(&err);
  accq_dist_options_t o;
  accq_dist_options_init(&o);
  o.checkpoint = job->checkpoint;
  int st = ACCQ_SUCCESS;
  if (job->model)
    st = accq_dist_identity_model(&o, job->command, job->model, job->options_text, &err);
  else
    accq_dist_identity(&o, job->command, model_text, job->options_text);
  if (st) return accq_cli_fail(&err);
  /* the output must not replace the checkpoint (nor the other way round) */
  if (job->checkpoint) {
    const char *outs[2] = {cli->out, cli->plot};
    for (int i = 0; i < 2; i++) {
      if (!outs[i]) continue;
      if (!strcmp(outs[i], job->checkpoint) ||
          accq_outfile_check(outs[i], &job->checkpoint, 1, &err) == ACCQ_EUSAGE)
        return accq_cli_usage(cli, "%s %s is also the --checkpoint file", i ? "--plot" : "--out",
                              outs[i]);
    }
  }
  accq_progress_t bar;
  accq_progress_start(&bar, job->command, 1.0, cli->quiet || rank != 0);
  o.progress = on_progress;
  o.progress_ctx = &bar;
  accq_dist_rank_stats_t *stats = calloc((size_t)size, sizeof *stats);
  if (!stats) {
    accq_progress_finish(&bar);
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    return accq_cli_fail(&err);
  }
  /* under mpirun a rank that dies takes the job down (mpirun kills the others,
   * rank 0's last words may not get through): say how to resume up front */
  if (rank == 0 && job->checkpoint && accq_dist_is_mpi(d) && !cli->quiet)
    fprintf(stderr,
            "accq %s: %d ranks, checkpoint %s: if the job stops before the end (a rank dies, "
            "a time limit), rerun the same command (any number of ranks) to resume\n",
            job->command, size, job->checkpoint);
  st = accq_dist_run(d, job->ncells, job->eval, job->store, job->ctx, &o, stats, &err);
  accq_progress_finish(&bar);
  if (rank == 0 && job->checkpoint && !cli->quiet) {
    accq_dist_checkpoint_info_t info;
    accq_dist_checkpoint_info(d, &info);
    if (info.dropped_bytes)
      fprintf(stderr, "accq %s: %s: dropped a torn last record (%lld bytes; recomputed)\n",
              job->command, job->checkpoint, info.dropped_bytes);
    if (info.resumed)
      fprintf(stderr, "accq %s: %s: %d of %d cells from the checkpoint\n", job->command,
              job->checkpoint, info.resumed, job->ncells);
  }
  if (rank == 0 && cli->verbose && !st) print_stats(stats, size);
  free(stats);
  if (st) {
    int sig = accq_dist_interrupted();
    int rc = accq_cli_fail(&err);
    return st == ACCQ_EINTR && sig ? 128 + sig : rc;
  }
  return rank == 0 ? -1 : 0;
}
