/* The MPI adapter (ext/mpi.h).  Only this file includes <mpi.h>. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext/mpi.h"

#ifdef ACCQ_HAVE_MPI
#include <mpi.h>
#endif

void accq_mpi_i_idle(int *idle) {
  /* 50 us doubling to 2 ms: a reply to a waiting rank comes within ~1 ms,
   * and an idle rank costs < 1% of a core */
  long us = 50L << (*idle < 6 ? *idle : 6);
  if (us > 2000) us = 2000;
  struct timespec ts = {0, us * 1000L};
  nanosleep(&ts, NULL);
  (*idle)++;
}

#ifdef ACCQ_HAVE_MPI

/* A launcher sets these (Open MPI's mpirun; PMIx: Open MPI >= 4 and srun
 * --mpi=pmix; PMI: MPICH's hydra and srun --mpi=pmi2).  A plain `accq` has
 * none of them and never calls MPI_Init (startup time; and the sanitizer and
 * valgrind runs stay free of the MPI library's own allocations). */
int accq_mpi_i_launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

const char *accq_mpi_i_version(void) {
  static char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int n = 0;
  if (MPI_Get_library_version(v, &n) != MPI_SUCCESS) return NULL;
  /* "Open MPI v4.1.4, package: Debian OpenMPI, ident: ..., repo rev: ..." -> up to the first comma */
  char *c = strchr(v, ',');
  if (c) *c = '\0';
  char *nl = strchr(v, '\n');
  if (nl) *nl = '\0';
  return v;
}

int accq_mpi_i_init(int *argc, char ***argv, int *rank, int *size, int *threads,
                    accq_err_t *err) {
  int provided = MPI_THREAD_SINGLE;
  *rank = 0;
  *size = 1;
  *threads = 0;
  /* SERIALIZED is enough: during a run only rank 0's server thread calls MPI;
   * the caller's thread calls it before and after (pthread_join orders them) */
  if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
    return accq_err_set(err, ACCQ_ENUMERIC, "MPI_Init_thread failed");
  /* errors come back as codes (the executor reports them), not MPI's abort */
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  *threads = provided >= MPI_THREAD_SERIALIZED;
  return ACCQ_SUCCESS;
}

void accq_mpi_i_finalize(void) {
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
}

void accq_mpi_i_abort(int exit_status) { MPI_Abort(MPI_COMM_WORLD, exit_status); }

static int mpi_fail(accq_err_t *err, int rc, const char *what) {
  char s[MPI_MAX_ERROR_STRING];
  int n = 0;
  if (MPI_Error_string(rc, s, &n) != MPI_SUCCESS) snprintf(s, sizeof s, "code %d", rc);
  return accq_err_set(err, ACCQ_ENUMERIC, "MPI: %s failed: %s", what, s);
}

int accq_mpi_i_send(int dest, int tag, const void *buf, size_t len, accq_err_t *err) {
  if (len > (size_t)INT_MAX)
    return accq_err_set(err, ACCQ_ETOOBIG, "MPI: a cell's result of %zu bytes (over 2 GiB)", len);
  int rc = MPI_Send(buf, (int)len, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
  return rc == MPI_SUCCESS ? ACCQ_SUCCESS : mpi_fail(err, rc, "MPI_Send");
}

int accq_mpi_i_iprobe(int *src, int *tag, size_t *len) {
  int flag = 0, n = 0;
  MPI_Status s;
  if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &s) != MPI_SUCCESS) return -1;
  if (!flag) return 0;
  if (MPI_Get_count(&s, MPI_BYTE, &n) != MPI_SUCCESS) return -1;
  *src = s.MPI_SOURCE;
  *tag = s.MPI_TAG;
  *len = (size_t)n;
  return 1;
}

/* MPI_Probe busy-waits (Open MPI has no blocking progress): polling with
 * sleeps leaves the core to the ranks that compute */
int accq_mpi_i_wait(int src, int *from, int *tag, size_t *len, accq_err_t *err) {
  int idle = 0;
  for (;;) {
    int flag = 0, n = 0;
    MPI_Status s;
    int rc = MPI_Iprobe(src < 0 ? MPI_ANY_SOURCE : src, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &s);
    if (rc != MPI_SUCCESS) return mpi_fail(err, rc, "MPI_Iprobe");
    if (flag) {
      MPI_Get_count(&s, MPI_BYTE, &n);
      *from = s.MPI_SOURCE;
      *tag = s.MPI_TAG;
      *len = (size_t)n;
      return ACCQ_SUCCESS;
    }
    accq_mpi_i_idle(&idle);
  }
}

int accq_mpi_i_recv(int src, int tag, void *buf, size_t len, accq_err_t *err) {
  int rc = MPI_Recv(buf, (int)len, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return rc == MPI_SUCCESS ? ACCQ_SUCCESS : mpi_fail(err, rc, "MPI_Recv");
}

#else

int accq_mpi_i_launched(void) { return 0; }
const char *accq_mpi_i_version(void) { return NULL; }
int accq_mpi_i_init(int *argc, char ***argv, int *rank, int *size, int *threads,
                    accq_err_t *err) {
  *rank = 0;
  *size = 1;
  *threads = 0;
  return accq_err_set(err, ACCQ_ENUMERIC, "this accq was built without MPI");
}
void accq_mpi_i_finalize(void) {}
void accq_mpi_i_abort(int exit_status) { (void)exit_status; }
int accq_mpi_i_send(int dest, int tag, const void *buf, size_t len, accq_err_t *err) {
  return accq_err_set(err, ACCQ_ENUMERIC, "this accq was built without MPI");
}
int accq_mpi_i_iprobe(int *src, int *tag, size_t *len) { return -1; }
int accq_mpi_i_wait(int src, int *from, int *tag, size_t *len, accq_err_t *err) {
  return accq_err_set(err, ACCQ_ENUMERIC, "this accq was built without MPI");
}
int accq_mpi_i_recv(int src, int tag, void *buf, size_t len, accq_err_t *err) {
  return accq_err_set(err, ACCQ_ENUMERIC, "this accq was built without MPI");
}

#endif
