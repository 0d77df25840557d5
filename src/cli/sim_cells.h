/* accq simulate's replications as cells of the executor (accq/dist.h):
 * serial, across MPI ranks, or resumed from --checkpoint, with the same
 * output.  Cell c is policy p = c / nb, block b = c % nb of T consecutive
 * replications (T = the --threads of a rank: the block's replications run on
 * its OpenMP threads); each replication depends only on the seed and its
 * index, and rank 0 combines the R replications of a policy in index order
 * (accq_sim_combine), exactly as accq_sim_run does. */
#ifndef ACCQ_CLI_SIM_CELLS_H
#define ACCQ_CLI_SIM_CELLS_H

#include "accq/sim.h"
#include "cli/cli.h"
#include "cli/simcli.h"

typedef struct {
  const accq_model_t *m;
  const char (*names)[ACCQ_NAME_MAX];
  int npol, R, T, nb;
  accq_sim_options_t so;        /* without progress (the executor reports cells) */
  accq_sim_rep_t *reps;         /* npol * R, rank 0 */
  int status[ACCQ_SIMCLI_MAX_POLICIES];              /* a policy's run failed (0: ok) */
  char msg[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_ERR_MSG_MAX];
  double seconds[ACCQ_SIMCLI_MAX_POLICIES];          /* time in its replications (-v) */
} accq_simcells_t;

/* Runs every replication of every policy.  Returns -1 on rank 0 when all are
 * there (go on), 0 on the other ranks (return 0, print nothing), or the exit
 * status of a printed error (accq_cli_dist_run). */
int accq_simcells_run(const accq_cli_t *cli, accq_simcells_t *sc, const accq_model_t *m,
                      const char (*names)[ACCQ_NAME_MAX], int npol, const accq_sim_options_t *so,
                      const char *checkpoint);
/* Policy i's result (rank 0, after run): what accq_sim_run(m, pol, so) gives,
 * or its error. */
int accq_simcells_result(accq_simcells_t *sc, int i, const accq_policy_t *pol,
                         accq_sim_result_t *r, accq_err_t *err);
void accq_simcells_free(accq_simcells_t *sc);

#endif
