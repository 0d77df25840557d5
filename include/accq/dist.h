/* Independent work units ("cells") run serially or across MPI ranks, with an
 * optional checkpoint file (src/dist; docs/output.md "Checkpoints").
 *
 * A command that has n independent cells (sweep points, convergence sizes,
 * simulation replications, claim rows) hands them to accq_dist_run:
 *
 *   accq_dist_t *d;
 *   accq_dist_init(&argc, &argv, &d, &err);      // once, in main()
 *   ...
 *   accq_dist_options_t o;
 *   accq_dist_options_init(&o);
 *   o.checkpoint = path_or_NULL;
 *   accq_dist_identity(&o, "sweep", model_text, options_text, &err);
 *   st = accq_dist_run(d, n, eval, store, ctx, &o, stats, &err);
 *   if (accq_dist_rank(d) == 0) ... print ...
 *   accq_dist_finalize(d);
 *
 * eval computes one cell and serializes its result (accq_dist_buf_*: exact,
 * doubles as their bits, so results gathered from any rank are the very bytes
 * a serial run stores).  store (rank 0 only) deserializes one cell's bytes
 * into the caller's result; it is called exactly once per cell, in cell order
 * 0..n-1, after every cell is done, on rank 0's calling thread, whether the
 * bytes come from the checkpoint or were computed (here or on another rank).
 * So results depend only on the inputs and the cell index, never on the rank
 * count, the rank that computed a cell or the order of evaluation.
 *
 * Serial build, or a binary not started by a launcher (mpirun/srun): rank 0
 * of 1, everything runs in the calling process.  MPI is initialised only when
 * the environment says a launcher started the process (OMPI_COMM_WORLD_SIZE,
 * PMIX_RANK or PMI_RANK), so a plain `accq` never touches MPI.
 */
#ifndef ACCQ_DIST_H
#define ACCQ_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "accq/model.h"
#include "accq/status.h"

typedef struct accq_dist accq_dist_t;

/* Progress: `what` names the run; fraction of the cells done in [0,1].  The
 * same signature as accq_grid_progress_fn (accq/grid.h), so one function
 * serves both. */
typedef void (*accq_dist_progress_fn)(void *ctx, const char *what, double fraction);

/* Starts the executor: MPI_Init_thread when launched by mpirun/srun and the
 * build has MPI (argc/argv may be rewritten by MPI), else serial.  *d is
 * always set on success.  ACCQ_ENUMERIC when MPI fails to start. */
int accq_dist_init(int *argc, char ***argv, accq_dist_t **d, accq_err_t *err);
/* MPI_Finalize when MPI was started; frees d (NULL accepted). */
void accq_dist_finalize(accq_dist_t *d);
/* The executor accq_dist_init made last (NULL before it and after
 * accq_dist_finalize): MPI is one per process, so commands find it here. */
accq_dist_t *accq_dist_get(void);
/* MPI's library version ("Open MPI v4.1.4"), or NULL in a build without MPI. */
const char *accq_dist_mpi_version(void);
/* This process's rank (0 serial, or d NULL) and the number of ranks (1). */
int accq_dist_rank(const accq_dist_t *d);
int accq_dist_size(const accq_dist_t *d);
/* 1 when running under MPI (even with one rank). */
int accq_dist_is_mpi(const accq_dist_t *d);
/* Stops every rank of the job (MPI_Abort) with this exit status, or returns
 * when serial.  For a rank that must stop on an error the others cannot see. */
void accq_dist_abort(accq_dist_t *d, int exit_status);

/* ---- byte buffers: exact serialization of a cell's result ------------------ */

/* A growable byte buffer.  Every number is written little-endian with a fixed
 * width (doubles as their IEEE-754 bits), so the bytes are the same on every
 * rank and in every checkpoint.  An allocation failure sets `failed`; the
 * writer checks it once at the end (accq_dist_buf_take). */
typedef struct {
  unsigned char *data;
  size_t len, cap;
  int failed;
} accq_dist_buf_t;

void accq_dist_buf_init(accq_dist_buf_t *b);
void accq_dist_put_i64(accq_dist_buf_t *b, int64_t v);
void accq_dist_put_u64(accq_dist_buf_t *b, uint64_t v);
void accq_dist_put_f64(accq_dist_buf_t *b, double v);
/* A string (length then bytes; NULL as the empty string). */
void accq_dist_put_str(accq_dist_buf_t *b, const char *s);
void accq_dist_put_bytes(accq_dist_buf_t *b, const void *p, size_t n);
/* Hands the bytes to eval's caller (*bytes malloc'd, owned by the executor);
 * ACCQ_ENOMEM when a put failed (the buffer is freed either way). */
int accq_dist_buf_take(accq_dist_buf_t *b, void **bytes, size_t *len, accq_err_t *err);
void accq_dist_buf_free(accq_dist_buf_t *b);

/* Reading them back, in the order written.  Reading past the end or a string
 * longer than its destination sets `failed` (and returns 0 / an empty
 * string); the reader checks it once at the end (accq_dist_reader_end). */
typedef struct {
  const unsigned char *data;
  size_t len, pos;
  int failed;
} accq_dist_reader_t;

void accq_dist_reader_init(accq_dist_reader_t *r, const void *data, size_t len);
int64_t accq_dist_get_i64(accq_dist_reader_t *r);
uint64_t accq_dist_get_u64(accq_dist_reader_t *r);
double accq_dist_get_f64(accq_dist_reader_t *r);
void accq_dist_get_str(accq_dist_reader_t *r, char *dst, size_t size);
void accq_dist_get_bytes(accq_dist_reader_t *r, void *dst, size_t n);
/* ACCQ_EINVAL naming `what` (e.g. "sweep cell 12") unless every byte was read
 * exactly and nothing failed. */
int accq_dist_reader_end(const accq_dist_reader_t *r, const char *what, accq_err_t *err);

/* ---- running cells ---------------------------------------------------------- */

/* eval: compute cell `cell` and serialize its result into *bytes (malloc'd,
 * freed by the executor) and *len.  Called on any rank, once per cell not in
 * the checkpoint, on the thread that called accq_dist_run, never concurrently
 * with another eval or with store in the same process (it may use OpenMP
 * inside).  A non-zero return stops the run: it is
 * for what no cell can carry (accq_cell_is_hard_error: bad usage, EINTR);
 * what a cell can carry (unstable, too large...) belongs in its bytes. */
typedef int (*accq_dist_eval_fn)(void *ctx, int cell, void **bytes, size_t *len,
                                 accq_err_t *err);
/* store: rank 0 only, once per cell, in cell order, after every cell is done. */
typedef int (*accq_dist_store_fn)(void *ctx, int cell, const void *bytes, size_t len,
                                  accq_err_t *err);

typedef struct {
  const char *checkpoint;   /* --checkpoint FILE; NULL: none */
  /* What the checkpoint is bound to (accq_dist_identity fills them): */
  char command[32];         /* "sweep", "converge", ... */
  char model_hash[65];      /* sha256 hex of the resolved model text */
  char options_hash[65];    /* sha256 hex of the options that change results, with
                               accq's version and git revision */
  char identity[65];        /* sha256 hex of the three: a checkpoint written under
                               another identity is refused with the reason */
  accq_dist_progress_fn progress;  /* rank 0 (never concurrently); NULL: none */
  void *progress_ctx;
} accq_dist_options_t;

void accq_dist_options_init(accq_dist_options_t *o);
/* Fills command, model_hash (of model_text), options_hash (of options_text,
 * accq's version and git revision) and identity.  options_text must name
 * every option that changes a result (not --out, -q, --checkpoint, threads);
 * any canonical spelling, e.g. "param=load;values=0.5,0.9;seed=1". */
void accq_dist_identity(accq_dist_options_t *o, const char *command, const char *model_text,
                        const char *options_text);

/* The same with the model's canonical text (accq_model_format: the resolved
 * model with its overrides, whatever file it came from) as model_text.
 * ACCQ_ENOMEM. */
int accq_dist_identity_model(accq_dist_options_t *o, const char *command, const accq_model_t *m,
                             const char *options_text, accq_err_t *err);

typedef struct {
  double wall;              /* seconds in accq_dist_run on that rank */
  double busy;              /* seconds in eval */
  int cells;                /* cells it computed */
} accq_dist_rank_stats_t;

/* What the run found in its checkpoint (rank 0; zero without one). */
typedef struct {
  int resumed;              /* cells read from the checkpoint (not recomputed) */
  long long dropped_bytes;  /* a torn or damaged tail dropped (0: none) */
  int created;              /* 1: the checkpoint file was new */
} accq_dist_checkpoint_info_t;

/* Runs cells 0..ncells-1: skips those in the checkpoint, computes the others
 * (serially, or with dynamic load balancing over every rank, rank 0
 * included), appends each finished cell to the checkpoint (rank 0 only:
 * write + fsync per record), then calls store for every cell in order on rank
 * 0.  stats: size() entries filled on rank 0 (may be NULL).  Ranks other
 * than 0 return ACCQ_SUCCESS when their share is done and print nothing.
 * Errors: ACCQ_EUSAGE for a checkpoint of another identity (the message names
 * both); ACCQ_EIO/EWRITE for the checkpoint file; ACCQ_EINTR when
 * accq_dist_interrupt asked to stop (the checkpoint then holds every
 * finished cell); eval's or store's error. */
int accq_dist_run(accq_dist_t *d, int ncells, accq_dist_eval_fn eval, accq_dist_store_fn store,
                  void *ctx, const accq_dist_options_t *opt, accq_dist_rank_stats_t *stats,
                  accq_err_t *err);
/* Rank 0 after accq_dist_run: what the checkpoint held. */
void accq_dist_checkpoint_info(const accq_dist_t *d, accq_dist_checkpoint_info_t *info);

/* For a SIGINT/SIGTERM handler (async-signal-safe).  Returns 1 when a serial
 * run with a checkpoint is under way: it then stops after the current cell
 * (accq_dist_run returns ACCQ_EINTR, the checkpoint holds every finished
 * cell) and the handler should return; 0 otherwise (the handler exits as
 * usual; the checkpoint stays consistent: each record is written whole and
 * fsync'ed, a torn last record is dropped by the next run).  A second signal
 * returns 0. */
int accq_dist_interrupt(int sig);
/* The signal that interrupted the run (0: none). */
int accq_dist_interrupted(void);

/* ---- checkpoint files (used by accq_dist_run; exposed for tests) ------------ */

typedef struct accq_dist_ckpt accq_dist_ckpt_t;
/* Opens (creating it when missing or empty) the checkpoint `path` for a run
 * of ncells cells under o's identity; reads every intact record; truncates a
 * torn or damaged tail.  A file that is not an accq checkpoint, or one of
 * another identity or cell count, is refused: ACCQ_EUSAGE with the reason.
 * Also refused when another process holds it (a lock). */
int accq_dist_ckpt_open(const char *path, int ncells, const accq_dist_options_t *o,
                        accq_dist_ckpt_t **ck, accq_err_t *err);
/* The bytes of cell c read from the file, or NULL when it is not there. */
const void *accq_dist_ckpt_get(const accq_dist_ckpt_t *ck, int c, size_t *len);
/* Appends cell c's record (write + fsync); ACCQ_EWRITE naming the path. */
int accq_dist_ckpt_append(accq_dist_ckpt_t *ck, int c, const void *bytes, size_t len,
                          accq_err_t *err);
void accq_dist_ckpt_info(const accq_dist_ckpt_t *ck, accq_dist_checkpoint_info_t *info);
void accq_dist_ckpt_close(accq_dist_ckpt_t *ck);

#endif
