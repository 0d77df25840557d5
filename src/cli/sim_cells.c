/* accq simulate's replications through the executor (cli/sim_cells.h). */
#include <stdlib.h>
#include <string.h>

#include "accq/clock.h"
#include "accq/grid.h"
#include "accq/dist.h"
#include "cli/dist_run.h"
#include "cli/sim_cells.h"

/* Bytes of a cell: status, message, seconds, n, then n replications. */
static int cell_eval(void *ctx, int c, void **bytes, size_t *len, accq_err_t *err) {
  accq_simcells_t *sc = ctx;
  int p = c / sc->nb, first = (c % sc->nb) * sc->T;
  int n = sc->R - first < sc->T ? sc->R - first : sc->T;
  accq_sim_rep_t *reps = calloc((size_t)n, sizeof *reps);
  if (!reps) return accq_err_set(err, ACCQ_ENOMEM, "out of memory for %d replications", n);
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_policy_t *pol = NULL;
  accq_err_t e;
  accq_err_clear(&e);
  double t0 = accq_clock_now();
  int st = accq_policy_alloc(&pol, sc->names[p], sc->m, &popt, &e);
  if (!st) st = accq_sim_run_reps(sc->m, pol, &sc->so, first, n, reps, &e);
  accq_policy_free(pol);
  if (st && accq_cell_is_hard_error(st)) { /* bad usage, an interruption: stop the run */
    free(reps);
    if (err) *err = e;
    return st;
  }
  /* a policy without an answer (unstable, too large...) is said in its cells */
  accq_dist_buf_t b;
  accq_dist_buf_init(&b);
  accq_dist_put_i64(&b, st);
  accq_dist_put_str(&b, st ? e.msg : "");
  accq_dist_put_f64(&b, accq_clock_now() - t0);
  accq_dist_put_i64(&b, st ? 0 : n);
  for (int i = 0; !st && i < n; i++) accq_sim_rep_pack(&reps[i], &b);
  free(reps);
  return accq_dist_buf_take(&b, bytes, len, err);
}

static int cell_store(void *ctx, int c, const void *bytes, size_t len, accq_err_t *err) {
  accq_simcells_t *sc = ctx;
  int p = c / sc->nb, first = (c % sc->nb) * sc->T;
  accq_dist_reader_t rd;
  accq_dist_reader_init(&rd, bytes, len);
  int st = (int)accq_dist_get_i64(&rd);
  char msg[ACCQ_ERR_MSG_MAX];
  accq_dist_get_str(&rd, msg, sizeof msg);
  sc->seconds[p] += accq_dist_get_f64(&rd);
  int64_t n = accq_dist_get_i64(&rd);
  if (n < 0 || n > sc->R - first || (!st && n != (sc->R - first < sc->T ? sc->R - first : sc->T)))
    rd.failed = 1;
  for (int64_t i = 0; !rd.failed && i < n; i++)
    accq_sim_rep_unpack(&rd, &sc->reps[(size_t)p * (size_t)sc->R + (size_t)(first + i)]);
  char what[64];
  snprintf(what, sizeof what, "simulation cell %d", c);
  int rst = accq_dist_reader_end(&rd, what, err);
  if (rst) return rst;
  if (st && !sc->status[p]) { /* the first failing block of the policy, in index order */
    sc->status[p] = st;
    snprintf(sc->msg[p], sizeof sc->msg[p], "%s", msg);
  }
  return ACCQ_SUCCESS;
}

/* What changes a replication (the checkpoint's identity); T sets the cells. */
static void options_text(char *buf, size_t size, const accq_simcells_t *sc) {
  buf[0] = '\0';
  for (int p = 0; p < sc->npol; p++) accq_cli_dist_opt(buf, size, "policy", "%s", sc->names[p]);
  const accq_sim_options_t *o = &sc->so;
  accq_cli_dist_opt(buf, size, "replications", "%d", o->replications);
  accq_cli_dist_opt(buf, size, "jobs", "%lld", o->jobs);
  accq_cli_dist_opt(buf, size, "warmup", "%lld", o->warmup);
  accq_cli_dist_opt(buf, size, "seed", "%llu", (unsigned long long)o->seed);
  accq_cli_dist_opt(buf, size, "buffer", "%d", o->buffer);
  accq_cli_dist_opt(buf, size, "correctness", "%d", o->sample_correctness);
  accq_cli_dist_opt(buf, size, "start", "%d,%d", o->empty_start, o->mser);
  accq_cli_dist_opt(buf, size, "block", "%d", sc->T);
}

int accq_simcells_run(const accq_cli_t *cli, accq_simcells_t *sc, const accq_model_t *m,
                      const char (*names)[ACCQ_NAME_MAX], int npol, const accq_sim_options_t *so,
                      const char *checkpoint) {
  memset(sc, 0, sizeof *sc);
  sc->m = m;
  sc->names = names;
  sc->npol = npol;
  sc->so = *so;
  sc->so.progress = NULL;
  sc->so.progress_ctx = NULL;
  sc->R = so->replications;
  /* a block per OpenMP team: --threads (0: all) replications at once */
  sc->T = so->threads > 0 ? so->threads : accq_sim_max_threads();
  if (sc->T < 1) sc->T = 1;
  if (sc->T > sc->R) sc->T = sc->R;
  sc->nb = (sc->R + sc->T - 1) / sc->T;
  accq_err_t err;
  if (accq_dist_rank(accq_dist_get()) == 0) {
    sc->reps = calloc((size_t)npol * (size_t)sc->R, sizeof *sc->reps);
    if (!sc->reps) {
      accq_err_set(&err, ACCQ_ENOMEM, "out of memory for %d x %d replications", npol, sc->R);
      return accq_cli_fail(&err);
    }
  }
  char otext[4096];
  options_text(otext, sizeof otext, sc);
  const accq_cli_dist_job_t job = {"simulate", m,         otext,      checkpoint,
                                   npol * sc->nb, cell_eval, cell_store, sc};
  return accq_cli_dist_run(cli, &job);
}

int accq_simcells_result(accq_simcells_t *sc, int i, const accq_policy_t *pol,
                         accq_sim_result_t *r, accq_err_t *err) {
  if (sc->status[i]) return accq_err_set(err, sc->status[i], "%s", sc->msg[i]);
  int st = accq_sim_combine(sc->m, pol, &sc->so, &sc->reps[(size_t)i * (size_t)sc->R], r, err);
  if (!st) r->seconds = sc->seconds[i];
  return st;
}

void accq_simcells_free(accq_simcells_t *sc) {
  free(sc->reps);
  sc->reps = NULL;
}
