/* The measurement behind src/dist/mpi_run.c's design (not built by CMake):
 * does a passive-target MPI_Fetch_and_op on rank 0's window complete while
 * rank 0 computes without calling MPI?  Rank 0 busy-loops 2 s; rank 1 times
 * one fetch-and-add.
 *   mpicc -O2 -o probe probe_fetch_and_op.c
 *   mpirun --oversubscribe -np 2 ./probe                                  # one node: osc/sm
 *   mpirun --oversubscribe -np 2 --mca btl self,tcp --mca osc ^sm ./probe # as between nodes
 * Open MPI 4.1.4 (`ompi_info`: "OMPI progress: no"), 2026-12-01: 0.000 s
 * with osc/sm, 2.163 s over TCP (osc/pt2pt: the atomic waits for rank 0's
 * next MPI call; osc/rdma refuses the window over the TCP btl). */
#include <mpi.h>
#include <stdio.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(int argc, char **argv) {
  int provided, rank;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  long *base; MPI_Win win;
  MPI_Win_allocate(sizeof(long), sizeof(long), MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win);
  *base = 0;
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    double t0 = now(); volatile double x = 0;
    while (now() - t0 < 2.0) x += 1;   /* computing, no MPI */
  } else {
    double t0 = now(); long one = 1, old;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
    MPI_Fetch_and_op(&one, &old, MPI_LONG, 0, 0, MPI_SUM, win);
    MPI_Win_unlock(0, win);
    printf("fetch_and_op took %.3f s (old %ld)\n", now() - t0, old);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Win_free(&win);
  MPI_Finalize();
  return 0;
}
