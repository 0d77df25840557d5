/* Internals of the cell executor (never installed): the state of one run,
 * shared by the serial path (dist.c) and the MPI path (mpi_run.c). */
#ifndef ACCQ_DIST_INTERNAL_H
#define ACCQ_DIST_INTERNAL_H

#include <stddef.h>

#include "accq/dist.h"

struct accq_dist {
  int rank, size;
  int mpi;                  /* MPI was initialised */
  int server_thread;        /* MPI gives threads: rank 0 serves work from a thread */
  accq_dist_checkpoint_info_t info;
};

typedef struct {
  int ncells;
  accq_dist_eval_fn eval;
  void *ctx;
  const accq_dist_options_t *opt;
  accq_dist_ckpt_t *ck;     /* rank 0, with --checkpoint */
  void **bytes;             /* rank 0: every finished cell's bytes (NULL: not yet) */
  size_t *len;
  int ndone;                /* rank 0: cells with bytes */
  double t0, busy;          /* this rank's start and time in eval */
  int computed;             /* cells this rank computed */
  accq_dist_rank_stats_t *stats; /* rank 0 after an MPI run: size() entries */
} accq_dist_run_t;

/* Every cell not in the checkpoint, in order, in this process. */
int accq_dist_i_run_serial(accq_dist_run_t *r, accq_err_t *err);
int accq_dist_i_eval(accq_dist_run_t *r, int c, void **bytes, size_t *len, accq_err_t *err);
int accq_dist_i_finish(accq_dist_run_t *r, int c, void *bytes, size_t len, accq_err_t *err);
void accq_dist_i_progress(accq_dist_run_t *r);
/* The MPI path: every rank enters with st (rank 0's setup status); returns the
 * run's status, the same on every rank for errors that stop the job. */
int accq_dist_i_run_mpi(accq_dist_t *d, accq_dist_run_t *r, int st, accq_err_t *err);

#endif
