/* The MPI path of the executor (accq/dist.h): dynamic load balancing with
 * every rank computing, rank 0 included.
 *
 * Why a server thread on rank 0 and not a shared counter in an MPI window:
 * this Open MPI (4.1, `ompi_info`: "OMPI progress: no") has no asynchronous
 * progress, so a passive-target MPI_Fetch_and_op served by osc/pt2pt (TCP
 * between nodes) only completes when rank 0 enters MPI, and rank 0 sits in a
 * cell for minutes.  Measured (tests/mpi/probe_fetch_and_op.c, rank 0
 * computing 2 s): 0.000 s on one node (osc/sm), 2.163 s over TCP.  A second thread on rank 0 that only serves requests
 * (MPI_THREAD_SERIALIZED: it makes every MPI call of the run, rank 0's
 * computing thread none) answers at once, and costs nothing while idle: it
 * polls with short sleeps (ext/mpi.c), unlike MPI's busy-waiting receives.
 * Without thread support rank 0 only serves.
 *
 * Protocol (tags): a worker sends RESULT(cell, bytes) (cell -1 at start:
 * ready), rank 0 answers WORK(next cell, or -1 with the run's status: stop);
 * a worker whose eval fails sends ERROR(status, message) and gets WORK(-1);
 * at the end each worker sends STATS(wall, busy, cells).  Rank 0 appends each
 * result to the checkpoint as it arrives; every cell is stored in order at
 * the end by accq_dist_run, so the output does not depend on who computed
 * what. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "accq/clock.h"
#include "dist/dist_internal.h"
#include "ext/mpi.h"

enum { TAG_RESULT = 101, TAG_ERROR = 102, TAG_WORK = 103, TAG_STATS = 104 };

typedef struct {
  accq_dist_run_t *r;
  int size;
  pthread_mutex_t lock;
  int next;                 /* first cell not handed out yet */
  int stop;                 /* the run's status once something failed (0: going) */
  accq_err_t err;           /* its message */
  int comm_failed;          /* MPI itself failed in the server */
} server_t;

static void set_stop(server_t *s, int st, const accq_err_t *e, int rank) {
  if (s->stop) return;
  s->stop = st;
  s->err = *e;
  if (rank > 0) accq_err_prefix(&s->err, "rank %d", rank);
}

/* the next cell to compute (-1: none, or stopping); under the lock */
static int take_next(server_t *s) {
  accq_dist_run_t *r = s->r;
  while (s->next < r->ncells && r->bytes[s->next]) s->next++;
  if (s->stop || s->next >= r->ncells) return -1;
  return s->next++;
}

static int send_work(int dest, int cell, int status, accq_err_t *err) {
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  accq_dist_put_i64(&b, cell);
  accq_dist_put_i64(&b, status);
  int st = b.failed ? accq_err_set(err, ACCQ_ENOMEM, "out of memory")
                    : accq_mpi_i_send(dest, TAG_WORK, b.data, b.len, err);
  accq_dist_buf_free(&b);
  return st;
}

/* One message from a worker; 0, or an MPI failure (the run cannot go on). */
static int serve_one(server_t *s, int src, int tag, unsigned char *msg, size_t len,
                     int *nstats, accq_err_t *err) {
  accq_dist_run_t *r = s->r;
  accq_dist_reader_t rd;
  accq_dist_reader_init(&rd, msg, len);
  if (tag == TAG_STATS) {
    r->stats[src].wall = accq_dist_get_f64(&rd);
    r->stats[src].busy = accq_dist_get_f64(&rd);
    r->stats[src].cells = (int)accq_dist_get_i64(&rd);
    (*nstats)++;
    return ACCQ_SUCCESS;
  }
  accq_err_t e;
  accq_err_clear(&e);
  pthread_mutex_lock(&s->lock);
  if (tag == TAG_RESULT) {
    int c = (int)accq_dist_get_i64(&rd);
    if (c >= 0) {
      size_t n = len - rd.pos;
      void *bytes = malloc(n ? n : 1);
      int st = bytes ? ACCQ_SUCCESS : accq_err_set(&e, ACCQ_ENOMEM, "out of memory");
      if (bytes) {
        memcpy(bytes, msg + rd.pos, n);
        st = accq_dist_i_finish(r, c, bytes, n, &e);
      }
      if (st) set_stop(s, st, &e, 0);
    }
  } else if (tag == TAG_ERROR) {
    int st = (int)accq_dist_get_i64(&rd);
    accq_dist_get_str(&rd, e.msg, sizeof e.msg);
    e.status = st ? st : ACCQ_ENUMERIC;
    set_stop(s, e.status, &e, src);
  }
  int next = take_next(s), status = s->stop;
  pthread_mutex_unlock(&s->lock);
  return send_work(src, next, status, err);
}

/* Rank 0's server: answers every worker until each has sent its stats. */
static void *server_main(void *arg) {
  server_t *s = arg;
  int nstats = 0, idle = 0;
  accq_err_t err;
  while (nstats < s->size - 1) {
    int src, tag;
    size_t len;
    int got = accq_mpi_i_iprobe(&src, &tag, &len);
    if (got == 0) {
      accq_mpi_i_idle(&idle);
      continue;
    }
    idle = 0;
    unsigned char *msg = got > 0 ? malloc(len ? len : 1) : NULL;
    int st = got < 0 ? accq_err_set(&err, ACCQ_ENUMERIC, "MPI: MPI_Iprobe failed")
             : !msg  ? accq_err_set(&err, ACCQ_ENOMEM, "out of memory for a %zu-byte message", len)
                     : accq_mpi_i_recv(src, tag, msg, len, &err);
    if (!st) st = serve_one(s, src, tag, msg, len, &nstats, &err);
    free(msg);
    if (st) { /* MPI is broken: nothing more can be gathered */
      pthread_mutex_lock(&s->lock);
      set_stop(s, st, &err, 0);
      s->comm_failed = 1;
      pthread_mutex_unlock(&s->lock);
      break;
    }
  }
  return NULL;
}

/* Rank 0's own share, on the calling thread, while the server runs. */
static void compute_local(server_t *s) {
  accq_dist_run_t *r = s->r;
  for (;;) {
    pthread_mutex_lock(&s->lock);
    int c = take_next(s);
    pthread_mutex_unlock(&s->lock);
    if (c < 0) return;
    void *bytes;
    size_t len;
    accq_err_t e;
    accq_err_clear(&e);
    int st = accq_dist_i_eval(r, c, &bytes, &len, &e);
    pthread_mutex_lock(&s->lock);
    if (!st) st = accq_dist_i_finish(r, c, bytes, len, &e);
    if (st) set_stop(s, st, &e, 0);
    pthread_mutex_unlock(&s->lock);
    if (st) return;
  }
}

static int run_rank0(accq_dist_t *d, accq_dist_run_t *r, int st, accq_err_t *err) {
  r->stats = calloc((size_t)d->size, sizeof *r->stats);
  if (!r->stats && !st) st = accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  server_t s;
  memset(&s, 0, sizeof s);
  s.r = r;
  s.size = d->size;
  pthread_mutex_init(&s.lock, NULL);
  if (st) { /* setup failed (a refused checkpoint...): send every worker home */
    s.stop = st;
    s.err = *err;
  }
  if (r->stats) {
    pthread_t th;
    if (d->server_thread && !st && pthread_create(&th, NULL, server_main, &s) == 0) {
      compute_local(&s);
      pthread_join(th, NULL);
    } else {
      server_main(&s); /* no threads (or stopping): rank 0 only serves */
    }
    r->stats[0].wall = accq_clock_now() - r->t0;
    r->stats[0].busy = r->busy;
    r->stats[0].cells = r->computed;
  }
  pthread_mutex_destroy(&s.lock);
  if (s.stop) {
    if (err) *err = s.err;
    return s.stop;
  }
  return st;
}

static int run_worker(accq_dist_run_t *r, accq_err_t *err) {
  int cell = -1, status = ACCQ_SUCCESS, st;
  void *bytes = NULL;
  size_t len = 0;
  for (;;) {
    /* the result of `cell` (or ready), then the next assignment */
    accq_dist_buf_t b;
    accq_dist_buf_init(&b);
    if (status) {
      accq_dist_put_i64(&b, status);
      accq_dist_put_str(&b, err ? err->msg : "");
    } else {
      accq_dist_put_i64(&b, cell);
      accq_dist_put_bytes(&b, bytes, len);
    }
    free(bytes);
    bytes = NULL;
    st = b.failed ? accq_err_set(err, ACCQ_ENOMEM, "out of memory")
                  : accq_mpi_i_send(0, status ? TAG_ERROR : TAG_RESULT, b.data, b.len, err);
    accq_dist_buf_free(&b);
    if (st) return st;
    int from, tag;
    size_t n;
    unsigned char msg[16];
    if ((st = accq_mpi_i_wait(0, &from, &tag, &n, err))) return st;
    if (tag != TAG_WORK || n != sizeof msg)
      return accq_err_set(err, ACCQ_ENUMERIC, "MPI: unexpected message (tag %d, %zu bytes)", tag, n);
    if ((st = accq_mpi_i_recv(0, TAG_WORK, msg, n, err))) return st;
    accq_dist_reader_t rd;
    accq_dist_reader_init(&rd, msg, n);
    cell = (int)accq_dist_get_i64(&rd);
    int stop = (int)accq_dist_get_i64(&rd);
    if (cell < 0) {
      if (stop && !status)
        status = accq_err_set(err, stop, "stopped: the run failed on another rank (rank 0 "
                                         "reports it)");
      break;
    }
    status = accq_dist_i_eval(r, cell, &bytes, &len, err);
  }
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  accq_dist_put_f64(&b, accq_clock_now() - r->t0);
  accq_dist_put_f64(&b, r->busy);
  accq_dist_put_i64(&b, r->computed);
  st = b.failed ? accq_err_set(err, ACCQ_ENOMEM, "out of memory")
                : accq_mpi_i_send(0, TAG_STATS, b.data, b.len, err);
  accq_dist_buf_free(&b);
  return status ? status : st;
}

int accq_dist_i_run_mpi(accq_dist_t *d, accq_dist_run_t *r, int st, accq_err_t *err) {
  if (d->size == 1) { /* mpirun -np 1: the serial loop */
    if (st) return st;
    st = accq_dist_i_run_serial(r, err);
    r->stats = calloc(1, sizeof *r->stats);
    if (r->stats) {
      r->stats[0].wall = accq_clock_now() - r->t0;
      r->stats[0].busy = r->busy;
      r->stats[0].cells = r->computed;
    }
    return st;
  }
  if (d->rank == 0) return run_rank0(d, r, st, err);
  return run_worker(r, err);
}
