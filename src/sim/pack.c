/* A replication's measures as bytes and back (accq/sim.h), for replications
 * computed in other processes (MPI ranks) or read from a checkpoint
 * (accq/dist.h).  Every field explicitly, doubles as their bits. */
#include <string.h>

#include "accq/dist.h"
#include "accq/sim.h"

/* A field added to accq_sim_rep_t must be added below too: this breaks the
 * build until it is (the size of the struct as packed now). */
_Static_assert(sizeof(accq_sim_rep_t) == 8 * (20 + 7 + 2 * ACCQ_MAX_TYPES) + 2 * sizeof(int),
               "accq_sim_rep_t changed: update src/sim/pack.c");

#define REP_DOUBLES(X)                                                                 \
  X(window) X(mean_response_time) X(mean_jobs) X(accuracy) X(correctness)              \
  X(loss_probability) X(p_wait) X(throughput_total) X(boundary_mass) X(p50) X(p90)    \
  X(p95) X(p99) X(gap) X(trend_t) X(trend_l) X(growth) X(growth_first)                \
  X(growth_second) X(end_time)
#define REP_LONGS(X) X(arrivals) X(admitted) X(events) X(max_jobs_in_system) X(warmup) \
  X(truncated) X(resplits)
#define REP_INTS(X) X(warmup_capped) X(mser_late)

void accq_sim_rep_pack(const accq_sim_rep_t *r, accq_dist_buf_t *b) {
#define PUT_D(f) accq_dist_put_f64(b, r->f);
#define PUT_I(f) accq_dist_put_i64(b, (int64_t)r->f);
  REP_DOUBLES(PUT_D)
  REP_LONGS(PUT_I)
  REP_INTS(PUT_I)
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) accq_dist_put_f64(b, r->throughput[k]);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) accq_dist_put_f64(b, r->utilization[k]);
#undef PUT_D
#undef PUT_I
}

void accq_sim_rep_unpack(accq_dist_reader_t *rd, accq_sim_rep_t *r) {
  memset(r, 0, sizeof *r);
#define GET_D(f) r->f = accq_dist_get_f64(rd);
#define GET_L(f) r->f = (long long)accq_dist_get_i64(rd);
#define GET_I(f) r->f = (int)accq_dist_get_i64(rd);
  REP_DOUBLES(GET_D)
  REP_LONGS(GET_L)
  REP_INTS(GET_I)
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) r->throughput[k] = accq_dist_get_f64(rd);
  for (int k = 0; k < ACCQ_MAX_TYPES; k++) r->utilization[k] = accq_dist_get_f64(rd);
#undef GET_D
#undef GET_L
#undef GET_I
}
