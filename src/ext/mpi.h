/* The MPI adapter (src/ext/mpi.c, the only file that includes <mpi.h>).
 * Without MPI in the build (ACCQ_MPI OFF) every function is a stub and
 * accq_mpi_i_launched() is 0, so the executor never takes its MPI path.
 * Messages are byte strings with a tag; waits poll with short sleeps instead
 * of MPI's busy-waiting receive, so an idle rank does not take a core from a
 * working one when ranks outnumber cores (mpirun --oversubscribe). */
#ifndef ACCQ_EXT_MPI_H
#define ACCQ_EXT_MPI_H

#include <stddef.h>

#include "accq/status.h"

/* 1 when the build has MPI and a launcher started this process
 * (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK in the environment). */
int accq_mpi_i_launched(void);
/* MPI's version string ("Open MPI v4.1.4, ..."), or NULL without MPI. */
const char *accq_mpi_i_version(void);
/* MPI_Init_thread asking for MPI_THREAD_SERIALIZED; *threads = 1 when given
 * (then a helper thread may make every MPI call while the caller's thread
 * makes none).  ACCQ_ENUMERIC when MPI fails to start. */
int accq_mpi_i_init(int *argc, char ***argv, int *rank, int *size, int *threads,
                    accq_err_t *err);
void accq_mpi_i_finalize(void);
void accq_mpi_i_abort(int exit_status);
/* Blocking standard send of len bytes; ACCQ_ENUMERIC on failure. */
int accq_mpi_i_send(int dest, int tag, const void *buf, size_t len, accq_err_t *err);
/* Is a message waiting (from anyone with any tag)?  1 with its source, tag and
 * length, 0 when none; -1 on failure. */
int accq_mpi_i_iprobe(int *src, int *tag, size_t *len);
/* Waits for a message (from `src`, or anyone when src < 0), polling with short
 * sleeps; fills its source, tag and length. */
int accq_mpi_i_wait(int src, int *from, int *tag, size_t *len, accq_err_t *err);
/* Receives the message found by iprobe/wait (buf of len bytes). */
int accq_mpi_i_recv(int src, int tag, void *buf, size_t len, accq_err_t *err);
/* A short sleep for polling loops (grows from 50 us to 2 ms while idle; idle = 0
 * resets it). */
void accq_mpi_i_idle(int *idle);

#endif
