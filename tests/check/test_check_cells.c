/* crosscheck and golden as independent cells (accq/check.h: *_cell, *_add):
 * cells evaluated in any order and appended in cell order give the result of
 * the serial procedure field for field and bit for bit; a cell's bytes do
 * not depend on which cells ran before it in the same process; the
 * deserialized numbers are the chain's own (compared with == to an
 * independent accq_analyze); bytes that are cut short, too long or of
 * another kind are refused.  (Under MPI the same functions run on other
 * ranks: tests/mpi compares whole outputs.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "accq/dist.h"
#include "testutil.h"

static void load(const char *rel, accq_model_t *m) {
  accq_err_t err;
  ck_assert_msg(accq_model_load(m, accq_src_path(rel), NULL, 0, &err) == 0, "%s", err.msg);
  ck_assert_msg(accq_lp_model_resolve(m, &err) == 0, "%s", err.msg);
}

/* bitwise equality of doubles (NaN == NaN with the same bits) */
static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ---- crosscheck ---- */

#define XPOL 3
static const char xpol[XPOL][ACCQ_NAME_MAX] = {"jsq", "rjiq", "pop"};

static void xopts(accq_check_crosscheck_options_t *o) {
  accq_check_crosscheck_options_init(o);
  o->sim.replications = 3;
  o->sim.jobs = 3000;
  o->sim.warmup = 500;
}

static void same_crosscheck(const accq_check_crosscheck_t *a, const accq_check_crosscheck_t *b) {
  ck_assert_int_eq(a->n, b->n);
  ck_assert_int_eq(a->replications, b->replications);
  ck_assert_int_eq(a->jobs, b->jobs);
  ck_assert_int_eq(a->failures, b->failures);
  ck_assert_int_eq(a->service_changed, b->service_changed);
  for (int i = 0; i < a->n; i++) {
    const accq_check_row_t *x = &a->checks[i], *y = &b->checks[i];
    ck_assert_msg(same_bits(x->exact, y->exact) && same_bits(x->mean, y->mean) &&
                      same_bits(x->se, y->se) && same_bits(x->lo, y->lo) &&
                      same_bits(x->hi, y->hi) && same_bits(x->z, y->z) &&
                      same_bits(x->p_holm, y->p_holm),
                  "comparison %d differs", i);
    ck_assert_int_eq(x->replications, y->replications);
    ck_assert_int_eq(x->reject, y->reject);
    ck_assert_str_eq(a->rows[i].policy, b->rows[i].policy);
    ck_assert_str_eq(a->rows[i].measure, b->rows[i].measure);
    ck_assert_int_eq(a->rows[i].buffer, b->rows[i].buffer);
  }
  ck_assert_int_eq(a->nskipped, b->nskipped);
  for (int i = 0; i < a->nskipped; i++) {
    ck_assert_str_eq(a->skipped_policy[i], b->skipped_policy[i]);
    ck_assert_str_eq(a->skipped_reason[i], b->skipped_reason[i]);
  }
  ck_assert_int_eq(a->nwarnings, b->nwarnings);
  for (int i = 0; i < a->nwarnings; i++) {
    ck_assert_str_eq(a->warning_policy[i], b->warning_policy[i]);
    ck_assert_str_eq(a->warning[i], b->warning[i]);
  }
}

START_TEST(test_crosscheck_cells_any_order) {
  accq_model_t m;
  load("models/saturating.ini", &m); /* rjiq has no answer there: a skipped cell */
  accq_check_crosscheck_options_t o;
  xopts(&o);
  accq_err_t err;
  accq_check_crosscheck_t serial, cells;
  ck_assert_msg(accq_check_crosscheck(&m, xpol, XPOL, &o, &serial, &err) == 0, "%s", err.msg);
  ck_assert_int_eq(serial.nskipped, 1);
  /* the cells in reverse order, as another rank might compute them */
  void *bytes[XPOL];
  size_t len[XPOL];
  for (int i = XPOL - 1; i >= 0; i--)
    ck_assert_msg(accq_check_crosscheck_cell(&m, xpol[i], i, &o, &bytes[i], &len[i], &err) == 0,
                  "%s", err.msg);
  /* and cell 0 again after the others: the very same bytes */
  void *again;
  size_t alen;
  ck_assert_int_eq(accq_check_crosscheck_cell(&m, xpol[0], 0, &o, &again, &alen, &err), 0);
  ck_assert_uint_eq(alen, len[0]);
  ck_assert_int_eq(memcmp(again, bytes[0], alen), 0);
  free(again);
  ck_assert_int_eq(accq_check_crosscheck_start(&m, XPOL, &o, &cells, &err), 0);
  for (int i = 0; i < XPOL; i++)
    ck_assert_msg(accq_check_crosscheck_add(&cells, bytes[i], len[i], &err) == 0, "%s", err.msg);
  accq_check_crosscheck_finish(&cells, &o);
  same_crosscheck(&serial, &cells);
  /* the exact value came through the bytes unchanged: jsq's E[T] is the
   * chain's own, bit for bit (an independent analysis at the same B) */
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_policy_t *p;
  ck_assert_int_eq(accq_policy_alloc(&p, "jsq", &m, &popt, &err), 0);
  accq_analysis_options_t aopt;
  accq_analysis_options_init(&aopt);
  aopt.auto_max_buffer = 20;
  accq_analysis_t an;
  ck_assert_int_eq(accq_analyze(&m, p, &aopt, &an, &err), 0);
  ck_assert_str_eq(cells.rows[0].measure, "mean_response_time");
  ck_assert(same_bits(cells.checks[0].exact, an.m.mean_response_time));
  accq_analysis_release(&an);
  accq_policy_free(p);
  /* bytes cut short, with a byte too many, or of a golden cell: refused */
  accq_check_crosscheck_t bad;
  ck_assert_int_eq(accq_check_crosscheck_start(&m, 1, &o, &bad, &err), 0);
  ck_assert_int_eq(accq_check_crosscheck_add(&bad, bytes[0], len[0] - 1, &err), ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "crosscheck cell"));
  unsigned char *longer = malloc(len[0] + 1);
  memcpy(longer, bytes[0], len[0]);
  longer[len[0]] = 0;
  accq_check_crosscheck_release(&bad);
  ck_assert_int_eq(accq_check_crosscheck_start(&m, 1, &o, &bad, &err), 0);
  ck_assert_int_eq(accq_check_crosscheck_add(&bad, longer, len[0] + 1, &err), ACCQ_EINVAL);
  accq_check_crosscheck_release(&bad);
  free(longer);
  for (int i = 0; i < XPOL; i++) free(bytes[i]);
  accq_check_crosscheck_release(&serial);
  accq_check_crosscheck_release(&cells);
}
END_TEST

/* ---- golden ---- */

#define GPOL 3
static const char gpol[GPOL][ACCQ_NAME_MAX] = {"jsq", "rjiq", "jiq"};

static void same_golden(const accq_check_golden_t *a, const accq_check_golden_t *b) {
  ck_assert_int_eq(a->n, b->n);
  ck_assert_int_eq(a->nwarnings, b->nwarnings);
  ck_assert_int_eq(a->worst, b->worst);
  for (int i = 0; i < a->nwarnings; i++) ck_assert_str_eq(a->warnings[i], b->warnings[i]);
  for (int i = 0; i < a->n; i++) {
    const accq_check_golden_entry_t *x = &a->entries[i], *y = &b->entries[i];
    ck_assert_str_eq(x->model, y->model);
    ck_assert_str_eq(x->policy, y->policy);
    ck_assert_str_eq(x->file, y->file);
    ck_assert_str_eq(x->sha256, y->sha256);
    ck_assert_str_eq(x->status, y->status);
    ck_assert_int_eq(x->reason == NULL, y->reason == NULL);
    if (x->reason) ck_assert_str_eq(x->reason, y->reason);
    ck_assert_int_eq(x->index, y->index);
    ck_assert_int_eq(x->code, y->code);
    ck_assert_int_eq(x->nsets, y->nsets);
    for (int s = 0; s < x->nsets; s++) ck_assert_str_eq(x->sets[s], y->sets[s]);
    ck_assert(same_bits(x->lambda, y->lambda));
    ck_assert_int_eq(x->scale, y->scale);
    ck_assert_int_eq(x->buffer, y->buffer);
    ck_assert_int_eq(x->states, y->states);
    ck_assert_str_eq(x->solver, y->solver);
    ck_assert(same_bits(x->residual, y->residual) && same_bits(x->boundary_mass, y->boundary_mass) &&
              same_bits(x->truncation_change, y->truncation_change) &&
              same_bits(x->t_lp, y->t_lp));
    ck_assert_int_eq(x->truncation_converged, y->truncation_converged);
    ck_assert_int_eq(x->nmeasures, y->nmeasures);
    for (int j = 0; j < x->nmeasures; j++) {
      ck_assert_str_eq(x->measures[j].name, y->measures[j].name);
      ck_assert_msg(same_bits(x->measures[j].value, y->measures[j].value), "%s",
                    x->measures[j].name);
    }
  }
}

START_TEST(test_golden_cells_any_order) {
  /* two models: two-tier as given, and over capacity (rjiq has no answer:
   * an entry that is not a reference, with its warning) */
  accq_model_t m[2];
  load("models/two-tier.ini", &m[0]);
  accq_err_t err;
  const char *sets1[] = {"system.load=1.2"};
  ck_assert_msg(accq_model_load(&m[1], accq_src_path("models/two-tier.ini"), sets1, 1, &err) == 0,
                "%s", err.msg);
  ck_assert_msg(accq_lp_model_resolve(&m[1], &err) == 0, "%s", err.msg);
  accq_check_golden_model_t gm[2] = {{&m[0], "two-tier.ini", "abc", NULL, 0},
                                     {&m[1], "two-tier.ini", "abc", sets1, 1}};
  accq_check_golden_options_t opt;
  accq_check_golden_options_init(&opt);
  accq_check_golden_t serial, cells;
  ck_assert_msg(accq_check_golden_compute(gm, 2, gpol, GPOL, &opt, &serial, &err) == 0, "%s",
                err.msg);
  ck_assert_int_ge(serial.nwarnings, 1);
  ck_assert_int_eq(serial.worst, 4);
  const int n = 2 * GPOL;
  void *bytes[2 * GPOL];
  size_t len[2 * GPOL];
  for (int c = n - 1; c >= 0; c--)
    ck_assert_msg(accq_check_golden_cell(gm, 2, gpol, GPOL, &opt, c, &bytes[c], &len[c], &err) == 0,
                  "%s", err.msg);
  ck_assert_int_eq(accq_check_golden_start(&cells, n, &err), 0);
  for (int c = 0; c < n; c++)
    ck_assert_msg(accq_check_golden_add(&cells, gm, 2, gpol, GPOL, c, bytes[c], len[c], &err) == 0,
                  "%s", err.msg);
  same_golden(&serial, &cells);
  /* the entry's numbers are the chain's own, bit for bit: jsq's E[T] and
   * T_LP from an independent analysis of the same chain */
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_policy_t *p;
  ck_assert_int_eq(accq_policy_alloc(&p, "jsq", &m[0], &popt, &err), 0);
  accq_analysis_options_t aopt;
  accq_analysis_options_init(&aopt);
  accq_analysis_t an;
  ck_assert_int_eq(accq_analyze(&m[0], p, &aopt, &an, &err), 0);
  double et;
  ck_assert(accq_check_golden_measure(&cells.entries[0], "mean_response_time", &et));
  ck_assert(same_bits(et, an.m.mean_response_time));
  ck_assert(same_bits(cells.entries[0].t_lp, an.m.t_lp));
  ck_assert_int_eq(cells.entries[0].buffer, an.buffer);
  accq_analysis_release(&an);
  accq_policy_free(p);
  /* refused: bytes cut short, an index outside the file, a crosscheck's bytes */
  accq_check_golden_t bad;
  ck_assert_int_eq(accq_check_golden_start(&bad, n, &err), 0);
  ck_assert_int_eq(accq_check_golden_add(&bad, gm, 2, gpol, GPOL, 0, bytes[0], len[0] - 3, &err),
                   ACCQ_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "golden cell 0"));
  accq_check_golden_release(&bad);
  ck_assert_int_eq(accq_check_golden_start(&bad, n, &err), 0);
  ck_assert_int_eq(accq_check_golden_add(&bad, gm, 2, gpol, GPOL, n, bytes[0], len[0], &err),
                   ACCQ_EINVAL);
  accq_check_golden_release(&bad);
  void *cb;
  size_t clen;
  ck_assert_int_eq(accq_check_golden_cell(gm, 2, gpol, GPOL, &opt, n, &cb, &clen, &err),
                   ACCQ_EINVAL);
  /* an unknown policy is an error of the cell (usage), not an entry */
  const char typo[1][ACCQ_NAME_MAX] = {"jsqq"};
  ck_assert_int_eq(accq_check_golden_cell(gm, 2, typo, 1, &opt, 0, &cb, &clen, &err), ACCQ_EUSAGE);
  for (int c = 0; c < n; c++) free(bytes[c]);
  accq_check_golden_release(&serial);
  accq_check_golden_release(&cells);
}
END_TEST

int main(void) {
  Suite *s = suite_create("check_cells");
  TCase *tc = tcase_create("cells");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_crosscheck_cells_any_order);
  tcase_add_test(tc, test_golden_cells_any_order);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
