/* The MPI adapter (ext/mpi.h).  Only this file includes <mpi.h>. */
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

#ifndef ACCQ_HAVE_MPI

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
