/* Cost of `accq verify` on the bundled models, claim by claim: wall and CPU
 * seconds per model (the README's budget: the whole run under 5 minutes on a
 * 2-core machine).  Usage: bench_verify [MODELS_DIR]. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/accq.h"
#include "accq/verify.h"

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  static char paths[64][1024];
  int n = 0;
  char dir[1024];
  accq_err_t err;
  accq_err_clear(&err);
  if (argc > 1) setenv("ACCQ_MODELS_DIR", argv[1], 1);
  if (accq_verify_bundled_models(paths, 64, &n, dir, sizeof dir, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  printf("%-16s %6s %8s %8s   %s\n", "model", "claim", "wall s", "cpu s", "verdict");
  double w_all = wall(), c_all = cpu();
  for (int i = 0; i < n; i++) {
    accq_model_t m;
    if (accq_model_load(&m, paths[i], NULL, 0, &err)) {
      fprintf(stderr, "%s\n", err.msg);
      return 2;
    }
    /* each claim alone (the grid of exact chains is shared in a full run, so
     * the sum over claims exceeds the full run) */
    for (int c = 1; c <= ACCQ_VERIFY_NCLAIMS; c++) {
      accq_verify_options_t o;
      accq_verify_options_init(&o);
      o.claims = 1u << (c - 1);
      accq_claim_row_t rows[ACCQ_VERIFY_NCLAIMS];
      int nr = 0;
      double w0 = wall(), c0 = cpu();
      if (accq_verify_model(&m, &o, rows, &nr, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 3;
      }
      printf("%-16s %6d %8.2f %8.2f   %s\n", m.name, c, wall() - w0, cpu() - c0,
             accq_verdict_name(rows[0].verdict));
    }
  }
  printf("claims one at a time, all models: %.1f s wall, %.1f s CPU\n", wall() - w_all,
         cpu() - c_all);
  double w0 = wall(), c0 = cpu();
  static accq_claim_row_t all[64 * ACCQ_VERIFY_NCLAIMS];
  int nall = 0;
  for (int i = 0; i < n; i++) {
    accq_model_t m;
    accq_model_load(&m, paths[i], NULL, 0, &err);
    accq_verify_options_t o;
    accq_verify_options_init(&o);
    int nr = 0;
    accq_verify_model(&m, &o, all + nall, &nr, &err);
    nall += nr;
  }
  printf("full run (what accq verify does): %.1f s wall, %.1f s CPU, verdict %s\n", wall() - w0,
         cpu() - c0, accq_verdict_name(accq_verify_overall(all, nall)));
  return 0;
}
