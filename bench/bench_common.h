/* Shared by the benchmarks: the two-type model of bench_chain and bench_solve
 * (fast: mu 3, a 0.5; slow: mu 1, a 0.8; a* = 0.6), at a fraction `load` of
 * Lambda_max(a*). */
#ifndef ACCQ_BENCH_COMMON_H
#define ACCQ_BENCH_COMMON_H

#include <stdio.h>
#include <string.h>

#include "accq/model.h"

static inline accq_model_t bench_model(int n_fast, int n_slow, double load) {
  accq_model_t m;
  memset(&m, 0, sizeof m);
  snprintf(m.name, sizeof m.name, "bench-two-type");
  m.lambda_mode = ACCQ_LAMBDA_RATE;
  m.accuracy_target = 0.6;
  m.scale = 1;
  m.ntypes = 2;
  snprintf(m.types[0].name, sizeof m.types[0].name, "fast");
  m.types[0].servers = n_fast;
  m.types[0].rate = 3.0;
  m.types[0].accuracy = 0.5;
  snprintf(m.types[1].name, sizeof m.types[1].name, "slow");
  m.types[1].servers = n_slow;
  m.types[1].rate = 1.0;
  m.types[1].accuracy = 0.8;
  /* Lambda_max(a*) by hand: slow at capacity n_slow, fast up to the accuracy
   * row: 0.2 x_slow >= 0.1 x_fast -> x_fast <= 2 n_slow (capped by 3 n_fast). */
  double x_fast = 2.0 * n_slow < 3.0 * n_fast ? 2.0 * n_slow : 3.0 * n_fast;
  m.arrival_rate = load * (n_slow + x_fast);
  m.buffer = 0;
  return m;
}

#endif
