/* The cell executor (accq/dist.h): serial, or over MPI ranks through the
 * adapter src/ext/mpi.c (the only file that includes <mpi.h>).  Both paths
 * share the checkpoint handling and the final in-order store, so the results
 * rank 0 stores are the same bytes whatever ran them. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accq/clock.h"
#include "accq/dist.h"
#include "accq/report.h"
#include "accq/version.h"
#include "dist/dist_internal.h"
#include "ext/mpi.h"

/* ---- interruption (async-signal-safe state) ---- */
static volatile sig_atomic_t g_armed;        /* a serial checkpointed run is going */
static volatile sig_atomic_t g_interrupted;  /* the signal, 0: none */

/* What a process stopped by a signal says on its way out while a checkpointed
 * run is going (written by the handler: write(2) only). */
static char g_note[1024];
static volatile sig_atomic_t g_note_len;

static void say_note(void) {
  if (g_note_len > 0 && write(2, g_note, (size_t)g_note_len) < 0) g_note_len = 0;
}

int accq_dist_interrupt(int sig) {
  if (g_interrupted) { /* the second signal: exit now */
    say_note();
    return 0;
  }
  g_interrupted = sig;
  if (g_armed) {
    static const char wait_note[] =
        "accq: finishing the current cell, then stopping (signal again to stop now)\n";
    if (write(2, wait_note, sizeof wait_note - 1) < 0) return 1;
    return 1;
  }
  say_note();
  return 0;
}

static void set_note(const accq_dist_t *d, const char *checkpoint) {
  g_note_len = 0;
  if (!checkpoint || accq_dist_rank(d) != 0) return;
  int n = snprintf(g_note, sizeof g_note,
                   "accq: stopped by a signal%s; every finished cell is in the checkpoint %s: "
                   "rerun the same command (with any number of ranks) to resume\n",
                   accq_dist_is_mpi(d) ? " (under mpirun: a rank died or the job was stopped)"
                                       : "",
                   checkpoint);
  g_note_len = n > 0 && n < (int)sizeof g_note ? n : 0;
}

int accq_dist_interrupted(void) { return (int)g_interrupted; }

/* ---- setup ---- */
static accq_dist_t *g_current;

accq_dist_t *accq_dist_get(void) { return g_current; }

const char *accq_dist_mpi_version(void) { return accq_mpi_i_version(); }

int accq_dist_init(int *argc, char ***argv, accq_dist_t **out, accq_err_t *err) {
  *out = NULL;
  accq_dist_t *d = calloc(1, sizeof *d);
  if (!d) return accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  d->rank = 0;
  d->size = 1;
  if (accq_mpi_i_launched()) {
    int st = accq_mpi_i_init(argc, argv, &d->rank, &d->size, &d->server_thread, err);
    if (st) {
      free(d);
      return st;
    }
    d->mpi = 1;
  }
  *out = d;
  g_current = d;
  return ACCQ_SUCCESS;
}

void accq_dist_finalize(accq_dist_t *d) {
  if (!d) return;
  if (g_current == d) g_current = NULL;
  if (d->mpi) accq_mpi_i_finalize();
  free(d);
}

int accq_dist_rank(const accq_dist_t *d) { return d ? d->rank : 0; }
int accq_dist_size(const accq_dist_t *d) { return d ? d->size : 1; }
int accq_dist_is_mpi(const accq_dist_t *d) { return d ? d->mpi : 0; }

void accq_dist_abort(accq_dist_t *d, int exit_status) {
  if (d && d->mpi) accq_mpi_i_abort(exit_status);
}

void accq_dist_options_init(accq_dist_options_t *o) { memset(o, 0, sizeof *o); }

static void hash_text(const char *s, char hex[65]) {
  accq_sha256_t h;
  accq_sha256_init(&h);
  if (s) accq_sha256_update(&h, s, strlen(s));
  accq_sha256_final(&h, hex);
}

void accq_dist_identity(accq_dist_options_t *o, const char *command, const char *model_text,
                        const char *options_text) {
  snprintf(o->command, sizeof o->command, "%s", command ? command : "");
  hash_text(model_text, o->model_hash);
  /* the version and revision belong to the options: results of two builds
   * are never mixed in one output */
  accq_sha256_t h;
  accq_sha256_init(&h);
  const char *parts[] = {"accq ", accq_version(), " git ", accq_version_git(), "\n",
                         options_text ? options_text : ""};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    accq_sha256_update(&h, parts[i], strlen(parts[i]));
  accq_sha256_final(&h, o->options_hash);
  accq_sha256_init(&h);
  const char *ids[] = {o->command, "\n", o->model_hash, "\n", o->options_hash, "\n"};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
    accq_sha256_update(&h, ids[i], strlen(ids[i]));
  accq_sha256_final(&h, o->identity);
}

int accq_dist_identity_model(accq_dist_options_t *o, const char *command, const accq_model_t *m,
                             const char *options_text, accq_err_t *err) {
  int n = accq_model_format(m, NULL, 0);
  char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!text) return accq_err_set(err, ACCQ_ENOMEM, "out of memory formatting the model");
  accq_model_format(m, text, n + 1);
  accq_dist_identity(o, command, text, options_text);
  free(text);
  return ACCQ_SUCCESS;
}

void accq_dist_checkpoint_info(const accq_dist_t *d, accq_dist_checkpoint_info_t *info) {
  if (d)
    *info = d->info;
  else
    memset(info, 0, sizeof *info);
}

/* ---- the run state shared by the serial and MPI paths ---- */

void accq_dist_i_progress(accq_dist_run_t *r) {
  if (r->opt && r->opt->progress && r->ncells > 0)
    r->opt->progress(r->opt->progress_ctx, r->opt->command[0] ? r->opt->command : "cells",
                     (double)r->ndone / r->ncells);
}

/* Rank 0 records cell c's finished bytes (taking them): checkpoint first,
 * then kept for the in-order store. */
int accq_dist_i_finish(accq_dist_run_t *r, int c, void *bytes, size_t len, accq_err_t *err) {
  if (c < 0 || c >= r->ncells || r->bytes[c]) {
    free(bytes);
    return accq_err_set(err, ACCQ_EINVAL, "cell %d finished twice or out of range", c);
  }
  if (r->ck) {
    int st = accq_dist_ckpt_append(r->ck, c, bytes, len, err);
    if (st) {
      free(bytes);
      return st;
    }
  }
  r->bytes[c] = bytes;
  r->len[c] = len;
  r->ndone++;
  accq_dist_i_progress(r);
  return ACCQ_SUCCESS;
}

int accq_dist_i_eval(accq_dist_run_t *r, int c, void **bytes, size_t *len, accq_err_t *err) {
  double t0 = accq_clock_now();
  *bytes = NULL;
  *len = 0;
  int st = r->eval(r->ctx, c, bytes, len, err);
  r->busy += accq_clock_now() - t0;
  if (st) {
    free(*bytes);
    *bytes = NULL;
    return st;
  }
  if (!*bytes) return accq_err_set(err, ACCQ_EINVAL, "cell %d: eval returned no bytes", c);
  r->computed++;
  return ACCQ_SUCCESS;
}

int accq_dist_i_run_serial(accq_dist_run_t *r, accq_err_t *err) {
  g_armed = r->ck != NULL;
  int st = ACCQ_SUCCESS;
  for (int c = 0; c < r->ncells && !st; c++) {
    if (r->bytes[c]) continue;
    if (g_interrupted) {
      st = accq_err_set(err, ACCQ_EINTR,
                        "interrupted (signal %d): %d of %d cells are in the checkpoint %s; "
                        "rerun the same command to resume",
                        (int)g_interrupted, r->ndone, r->ncells,
                        r->opt->checkpoint ? r->opt->checkpoint : "(none)");
      break;
    }
    void *b;
    size_t n;
    st = accq_dist_i_eval(r, c, &b, &n, err);
    if (!st) st = accq_dist_i_finish(r, c, b, n, err);
  }
  g_armed = 0;
  return st;
}

static void run_free(accq_dist_run_t *r) {
  if (r->bytes)
    for (int c = 0; c < r->ncells; c++) free(r->bytes[c]);
  free(r->bytes);
  free(r->len);
  accq_dist_ckpt_close(r->ck);
}

int accq_dist_run(accq_dist_t *d, int ncells, accq_dist_eval_fn eval, accq_dist_store_fn store,
                  void *ctx, const accq_dist_options_t *opt, accq_dist_rank_stats_t *stats,
                  accq_err_t *err) {
  accq_dist_options_t dflt;
  if (!opt) {
    accq_dist_options_init(&dflt);
    opt = &dflt;
  }
  if (ncells < 0 || !eval || !store)
    return accq_err_set(err, ACCQ_EINVAL, "accq_dist_run: %d cells, eval %s, store %s", ncells,
                        eval ? "set" : "NULL", store ? "set" : "NULL");
  int rank = accq_dist_rank(d), size = accq_dist_size(d);
  if (d) memset(&d->info, 0, sizeof d->info);
  accq_dist_run_t r;
  memset(&r, 0, sizeof r);
  r.ncells = ncells;
  r.eval = eval;
  r.ctx = ctx;
  r.opt = opt;
  r.t0 = accq_clock_now();
  int st = ACCQ_SUCCESS;
  if (rank == 0) {
    r.bytes = calloc((size_t)ncells + 1, sizeof *r.bytes);
    r.len = calloc((size_t)ncells + 1, sizeof *r.len);
    if (!r.bytes || !r.len) st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for %d cells", ncells);
    if (!st && opt->checkpoint) {
      st = accq_dist_ckpt_open(opt->checkpoint, ncells, opt, &r.ck, err);
      for (int c = 0; !st && c < ncells; c++) {
        size_t n;
        const void *b = accq_dist_ckpt_get(r.ck, c, &n);
        if (!b) continue;
        r.bytes[c] = malloc(n ? n : 1);
        if (!r.bytes[c]) {
          st = accq_err_set(err, ACCQ_ENOMEM, "out of memory reading the checkpoint");
          break;
        }
        memcpy(r.bytes[c], b, n);
        r.len[c] = n;
        r.ndone++;
      }
      if (r.ck && d) accq_dist_ckpt_info(r.ck, &d->info);
    }
  }
  if (!st) set_note(d, opt->checkpoint);
  if (d && d->mpi)
    st = accq_dist_i_run_mpi(d, &r, st, err);
  else if (!st)
    st = accq_dist_i_run_serial(&r, err);
  if (!st && rank == 0) {
    /* every cell is here: store them in order (the same calls at any rank count) */
    for (int c = 0; c < ncells && !st; c++) {
      if (!r.bytes[c]) {
        st = accq_err_set(err, ACCQ_ENUMERIC, "cell %d was never computed", c);
        break;
      }
      st = store(ctx, c, r.bytes[c], r.len[c], err);
    }
  }
  if (stats && rank == 0 && !(d && d->mpi)) {
    stats[0].wall = accq_clock_now() - r.t0;
    stats[0].busy = r.busy;
    stats[0].cells = r.computed;
  } else if (stats && rank == 0) {
    for (int i = 0; i < size; i++) stats[i] = r.stats ? r.stats[i] : (accq_dist_rank_stats_t){0};
  }
  g_note_len = 0;
  free(r.stats);
  run_free(&r);
  return st;
}
