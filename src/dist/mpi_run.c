/* The MPI path of the executor: placeholder until the scheduler lands. */
#include "dist/dist_internal.h"

int accq_dist_i_run_mpi(accq_dist_t *d, accq_dist_run_t *r, int st, accq_err_t *err) {
  if (st) return st;
  return accq_err_set(err, ACCQ_ENUMERIC, "MPI runs are not implemented yet");
}
