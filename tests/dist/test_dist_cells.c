/* Cells as bytes (accq/grid.h, accq/sim.h packing; accq/dist.h): what a rank
 * or a checkpoint hands to rank 0 must be the result itself, bit for bit.
 *  - sweep cells (bounds, ok cells, cells without a number with their
 *    reasons) packed, unpacked into another grid: every field equal;
 *  - convergence points (a chain and a simulated one with warnings);
 *  - simulate: accq_sim_run against replications run in two blocks,
 *    packed, unpacked and combined (accq_sim_run_reps + accq_sim_combine):
 *    the same result struct, byte for byte over every estimate;
 *  - truncated or extended bytes are refused (EINVAL), never half-read. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/dist.h"
#include "accq/grid.h"
#include "accq/sim.h"
#include "testutil.h"

static accq_model_t two_tier(void) {
  accq_model_t m;
  accq_err_t err;
  int st = accq_model_load(&m, accq_src_path("models/two-tier.ini"), NULL, 0, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "%s", err.msg);
  return m;
}

#define SAME_BITS(a, b, what) \
  ck_assert_msg(!memcmp(&(a), &(b), sizeof(a)), "%s: %.17g vs %.17g", what, (double)(a), (double)(b))

static void same_measures(const accq_measures_t *a, const accq_measures_t *b) {
  SAME_BITS(a->mean_response_time, b->mean_response_time, "E[T]");
  SAME_BITS(a->accuracy, b->accuracy, "accuracy");
  SAME_BITS(a->p99, b->p99, "p99");
  SAME_BITS(a->tail_integral, b->tail_integral, "tail integral");
  ck_assert(!memcmp(a->throughput, b->throughput, sizeof a->throughput));
  ck_assert(!memcmp(a->utilization, b->utilization, sizeof a->utilization));
}

START_TEST(test_sweep_cells_roundtrip) {
  accq_model_t m = two_tier();
  const double xs[] = {0.5, 1.2}; /* 1.2: beyond capacity, cells without a number */
  const char *pols[] = {"jsq", "random-lp"};
  accq_sweep_options_t o;
  accq_sweep_options_init(&o);
  accq_sweep_grid_t *a = NULL, *b = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_sweep_grid_alloc(&a, &m, "load", xs, 2, pols, 2, &o, &err), 0);
  ck_assert_int_eq(accq_sweep_grid_alloc(&b, &m, "load", xs, 2, pols, 2, &o, &err), 0);
  int n = accq_sweep_grid_ncells(a);
  for (int c = 0; c < n; c++) {
    ck_assert_int_eq(accq_sweep_grid_eval(a, c, &err), 0);
    void *bytes;
    size_t len;
    ck_assert_int_eq(accq_sweep_grid_pack(a, c, &bytes, &len, &err), 0);
    /* one byte short, one byte more: refused */
    ck_assert_int_eq(accq_sweep_grid_unpack(b, c, bytes, len - 1, &err), ACCQ_EINVAL);
    void *more = malloc(len + 1);
    memcpy(more, bytes, len);
    ((unsigned char *)more)[len] = 0;
    ck_assert_int_eq(accq_sweep_grid_unpack(b, c, more, len + 1, &err), ACCQ_EINVAL);
    free(more);
    ck_assert_int_eq(accq_sweep_grid_unpack(b, c, bytes, len, &err), 0);
    free(bytes);
  }
  int nbad = 0;
  for (int i = 0; i < 2; i++) {
    const accq_sweep_bound_t *x = accq_sweep_grid_bound(a, i), *y = accq_sweep_grid_bound(b, i);
    ck_assert_int_eq(x->status, y->status);
    ck_assert_str_eq(x->reason, y->reason);
    SAME_BITS(x->t_lp, y->t_lp, "t_lp");
    for (int p = 0; p < 2; p++) {
      const accq_sweep_cell_t *u = accq_sweep_grid_cell(a, i, p), *v = accq_sweep_grid_cell(b, i, p);
      ck_assert_int_eq(u->status, v->status);
      ck_assert_str_eq(u->reason, v->reason);
      ck_assert_int_eq(u->buffer, v->buffer);
      ck_assert(u->states == v->states);
      SAME_BITS(u->boundary_mass, v->boundary_mass, "boundary mass");
      same_measures(&u->m, &v->m);
      nbad += u->status != ACCQ_CELL_OK;
    }
  }
  /* the grid has both kinds: numbers at 0.5, reasons at 1.2 */
  ck_assert_int_eq(accq_sweep_grid_cell(a, 0, 0)->status, ACCQ_CELL_OK);
  ck_assert_int_gt(nbad, 0);
  accq_sweep_grid_free(a);
  accq_sweep_grid_free(b);
}
END_TEST

START_TEST(test_converge_point_roundtrip) {
  accq_model_t m = two_tier();
  accq_converge_options_t o;
  accq_converge_options_init(&o);
  o.jobs = 20000;
  o.replications = 3;
  accq_err_t err;
  const int scales[] = {1, 40}; /* a chain, a simulation */
  for (int i = 0; i < 2; i++) {
    static accq_converge_point_t p, q;
    ck_assert_int_eq(accq_converge_point(&m, "jsq", scales[i], i, &o, &p, &err), 0);
    ck_assert_int_eq(p.status, ACCQ_CELL_OK);
    ck_assert_int_eq(p.exact, i == 0);
    void *bytes;
    size_t len;
    ck_assert_int_eq(accq_converge_point_pack(&p, &bytes, &len, &err), 0);
    ck_assert_int_eq(accq_converge_point_unpack(&q, bytes, len - 8, &err), ACCQ_EINVAL);
    ck_assert_int_eq(accq_converge_point_unpack(&q, bytes, len, &err), 0);
    free(bytes);
    ck_assert_int_eq(q.scale, p.scale);
    ck_assert_int_eq(q.exact, p.exact);
    ck_assert(q.states == p.states);
    SAME_BITS(q.mean_response_time, p.mean_response_time, "E[T]");
    SAME_BITS(q.ci95, p.ci95, "ci95");
    SAME_BITS(q.gap_lo, p.gap_lo, "gap_lo");
    SAME_BITS(q.gap_hi, p.gap_hi, "gap_hi");
    ck_assert_int_eq(q.nwarnings, p.nwarnings);
    for (int w = 0; w < p.nwarnings; w++) ck_assert_str_eq(q.warnings[w], p.warnings[w]);
  }
}
END_TEST

static void same_estimate(accq_estimate_t a, accq_estimate_t b, const char *what) {
  SAME_BITS(a.mean, b.mean, what);
  SAME_BITS(a.ci95, b.ci95, what);
  SAME_BITS(a.se, b.se, what);
}

/* accq_sim_run in one piece, and in pieces the way the executor runs it
 * (blocks of replications, through bytes, combined on rank 0): the same. */
START_TEST(test_sim_split_same_result) {
  accq_model_t m = two_tier();
  const char *pols[] = {"jiq", "random-lp"};
  for (int k = 0; k < 2; k++) {
    accq_policy_t *pol = NULL;
    accq_err_t err;
    accq_policy_options_t popt;
    accq_policy_options_init(&popt);
    ck_assert_int_eq(accq_policy_alloc(&pol, pols[k], &m, &popt, &err), 0);
    accq_sim_options_t so;
    accq_sim_options_init(&so);
    so.replications = 5;
    so.jobs = 20000;
    so.seed = 7;
    static accq_sim_result_t whole, parts;
    ck_assert_int_eq(accq_sim_run(&m, pol, &so, &whole, NULL, &err), 0);
    accq_sim_rep_t reps[5], back[5];
    /* blocks 0..2 and 3..4, as two cells would run them (threads 2) */
    so.threads = 2;
    ck_assert_int_eq(accq_sim_run_reps(&m, pol, &so, 0, 3, reps, &err), 0);
    ck_assert_int_eq(accq_sim_run_reps(&m, pol, &so, 3, 2, reps + 3, &err), 0);
    accq_dist_buf_t b;
    accq_dist_buf_init(&b);
    for (int r = 0; r < 5; r++) accq_sim_rep_pack(&reps[r], &b);
    accq_dist_reader_t rd;
    accq_dist_reader_init(&rd, b.data, b.len);
    for (int r = 0; r < 5; r++) accq_sim_rep_unpack(&rd, &back[r]);
    ck_assert_int_eq(accq_dist_reader_end(&rd, "replications", &err), 0);
    accq_dist_buf_free(&b);
    ck_assert_int_eq(accq_sim_combine(&m, pol, &so, back, &parts, &err), 0);
    same_estimate(whole.mean_response_time, parts.mean_response_time, "E[T]");
    same_estimate(whole.accuracy, parts.accuracy, "accuracy");
    same_estimate(whole.gap, parts.gap, "gap");
    same_estimate(whole.p99, parts.p99, "p99");
    for (int t = 0; t < m.ntypes; t++) {
      same_estimate(whole.throughput[t], parts.throughput[t], "X_k");
      same_estimate(whole.utilization[t], parts.utilization[t], "U_k");
    }
    ck_assert(whole.warmup == parts.warmup && whole.warmup_min == parts.warmup_min);
    SAME_BITS(whole.truncated, parts.truncated, "truncated");
    ck_assert_int_eq(whole.nwarnings, parts.nwarnings);
    ck_assert(whole.events == parts.events);
    ck_assert_str_eq(whole.start, parts.start);
    /* out of range blocks are refused */
    ck_assert_int_eq(accq_sim_run_reps(&m, pol, &so, 4, 2, reps, &err), ACCQ_EINVAL);
    accq_policy_free(pol);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("dist_cells");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_sweep_cells_roundtrip);
  tcase_add_test(tc, test_converge_point_roundtrip);
  tcase_add_test(tc, test_sim_split_same_result);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
