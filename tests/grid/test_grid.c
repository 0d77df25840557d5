/* The grid module (accq/grid.h): sweep and convergence grids as cells computed
 * on their own (the same numbers in any order, by one cell or the whole run),
 * the product-form policies not capped by the sweep's joint-chain buffer, the
 * summary of cells without a number, and the cell statuses' exit codes
 * against the library's status table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/grid.h"
#include "testutil.h"

static accq_model_t two_tier(void) {
  accq_model_t m;
  accq_err_t err;
  int st = accq_model_load(&m, accq_src_path("models/two-tier.ini"), NULL, 0, &err);
  ck_assert_msg(st == ACCQ_SUCCESS, "%s", err.msg);
  return m;
}

/* Two cells are the same result: status, reason, and every number bit for bit. */
static void same_cell(const accq_sweep_cell_t *a, const accq_sweep_cell_t *b, const char *what) {
  ck_assert_msg(a->status == b->status, "%s: status %d vs %d", what, a->status, b->status);
  ck_assert_msg(!strcmp(a->reason, b->reason), "%s: reason '%s' vs '%s'", what, a->reason,
                b->reason);
  ck_assert_msg(a->buffer == b->buffer && a->states == b->states, "%s: B/states", what);
  ck_assert_msg(!memcmp(&a->m.mean_response_time, &b->m.mean_response_time, sizeof(double)) &&
                    !memcmp(&a->m.accuracy, &b->m.accuracy, sizeof(double)),
                "%s: E[T] %.17g vs %.17g", what, a->m.mean_response_time,
                b->m.mean_response_time);
}

static accq_sweep_grid_t *small_sweep(const double *xs, int n) {
  accq_model_t m = two_tier();
  const char *pols[] = {"rjiq", "jsq", "random-lp"};
  accq_sweep_options_t o;
  accq_sweep_options_init(&o);
  accq_sweep_grid_t *g = NULL;
  accq_err_t err;
  int st = accq_sweep_grid_alloc(&g, &m, "load", xs, n, pols, 3, &o, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  return g;
}

/* The cell API: evaluating the cells forward, backward, or gathering them
 * from another grid with accq_sweep_grid_store gives the same results (what
 * a distributed run relies on). */
START_TEST(test_sweep_cells_order_independent) {
  const double xs[] = {0.3, 0.6, 1.2};
  accq_sweep_grid_t *fw = small_sweep(xs, 3), *bw = small_sweep(xs, 3), *gathered = small_sweep(xs, 3);
  accq_err_t err;
  int n = accq_sweep_grid_ncells(fw);
  ck_assert_int_eq(n, 3 * 4); /* points x (bound + 3 policies) */
  ck_assert_int_eq(accq_sweep_grid_run(fw, NULL, NULL, &err), 0);
  for (int c = n - 1; c >= 0; c--) ck_assert_int_eq(accq_sweep_grid_eval(bw, c, &err), 0);
  for (int c = 0; c < n; c++) {
    int i = c / 4, j = c % 4;
    ck_assert_int_eq(accq_sweep_grid_store(gathered, c, j ? NULL : accq_sweep_grid_bound(bw, i),
                                           j ? accq_sweep_grid_cell(bw, i, j - 1) : NULL, &err),
                     0);
  }
  for (int i = 0; i < 3; i++) {
    const accq_sweep_bound_t *a = accq_sweep_grid_bound(fw, i), *b = accq_sweep_grid_bound(bw, i);
    ck_assert_int_eq(a->status, b->status);
    ck_assert(!memcmp(&a->t_lp, &b->t_lp, sizeof(double)));
    for (int p = 0; p < 3; p++) {
      same_cell(accq_sweep_grid_cell(fw, i, p), accq_sweep_grid_cell(bw, i, p), "backward");
      same_cell(accq_sweep_grid_cell(fw, i, p), accq_sweep_grid_cell(gathered, i, p), "gathered");
    }
  }
  /* the bound's value is the lp suite's; here: a bound below capacity, none beyond */
  ck_assert_int_eq(accq_sweep_grid_bound(fw, 0)->status, ACCQ_CELL_OK);
  ck_assert_int_eq(accq_sweep_grid_bound(fw, 2)->status, ACCQ_CELL_BEYOND_CAPACITY);
  ck_assert(isnan(accq_sweep_grid_bound(fw, 2)->t_lp));
  accq_sweep_summary_t s;
  accq_sweep_grid_summary(fw, &s);
  ck_assert_int_eq(s.ncells, 12);
  /* load 1.2 (Lambda = 1.8 > Lambda_max(a*) = 1.5): no bound, and rjiq and
   * random-lp refuse the rate; jsq (stable up to the total capacity) may
   * answer or be truncated.  So at least three beyond_capacity marks. */
  ck_assert_msg(s.nbad >= 3 && s.counts[ACCQ_CELL_BEYOND_CAPACITY] >= 3, "nbad %d", s.nbad);
  ck_assert_int_eq(s.worst_exit, 4);
  /* bad cell index, missing payload */
  ck_assert_int_eq(accq_sweep_grid_eval(fw, n, &err), ACCQ_EINVAL);
  ck_assert_int_eq(accq_sweep_grid_store(fw, 1, NULL, NULL, &err), ACCQ_EINVAL);
  accq_sweep_grid_free(fw);
  accq_sweep_grid_free(bw);
  accq_sweep_grid_free(gathered);
}
END_TEST

/* Random-lp with an infinite buffer is a product of M/M/1 queues (Poisson
 * thinning of the arrivals by the LP split p_k, Bernoulli routing to the n_k
 * servers): E[T] = (1/Lambda) sum_k n_k rho_k / (1 - rho_k), rho_k = Lambda p_k /
 * (n_k mu_k).  At load 0.9 on two-tier the queue of type large has rho = 0.9,
 * whose tail 0.9^B needs B ~ 200 for a boundary mass below 1e-9: the sweep's
 * joint-chain cap (80) marked the cell truncated before; the per-type chains
 * of the product form are not capped by it. */
START_TEST(test_product_form_not_capped) {
  accq_model_t m = two_tier();
  double xs[] = {0.9};
  const char *pols[] = {"random-lp", "rjiq"};
  accq_sweep_options_t o;
  accq_sweep_options_init(&o);
  ck_assert_int_eq(o.max_buffer, 80);
  accq_sweep_grid_t *g = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_sweep_grid_alloc(&g, &m, "load", xs, 1, pols, 2, &o, &err), 0);
  ck_assert_int_eq(accq_sweep_grid_run(g, NULL, NULL, &err), 0);
  const accq_sweep_cell_t *c = accq_sweep_grid_cell(g, 0, 0);
  ck_assert_msg(c->status == ACCQ_CELL_OK, "random-lp: %s", c->reason);
  ck_assert_msg(c->buffer > 80, "random-lp: B = %d", c->buffer);
  /* the closed form, with the LP split */
  accq_model_t mm;
  ck_assert_int_eq(accq_sweep_apply(&m, "load", 0.9, &mm, &err), 0);
  accq_lp_problem_t lp;
  accq_lp_result_t lr;
  ck_assert_int_eq(accq_lp_problem_from_model(&lp, &mm, 0.0), 0);
  ck_assert_int_eq(accq_lp_solve(&lp, &lr, &err), 0);
  double L = 0, lam = mm.arrival_rate * mm.scale;
  for (int k = 0; k < mm.ntypes; k++) {
    double n = (double)mm.types[k].servers * mm.scale;
    double rho = lam * lr.p[k] / (n * mm.types[k].rate);
    L += n * rho / (1 - rho);
  }
  ACCQ_CK_CLOSE(c->m.mean_response_time, L / lam, 1e-8, 0, "random-lp E[T], M/M/1 product");
  /* rjiq: the same chain question, also answered (exactly: its JIQ chains per
   * type; the value is the solve suite's, here that it is not truncated) */
  c = accq_sweep_grid_cell(g, 0, 1);
  ck_assert_msg(c->status == ACCQ_CELL_OK, "rjiq: %s", c->reason);
  ck_assert_msg(c->buffer > 80, "rjiq: B = %d", c->buffer);
  accq_sweep_grid_free(g);
  /* an explicit cap applies to them too (the CLI's --max-buffer sets both) */
  o.max_buffer = o.product_max_buffer = 10;
  ck_assert_int_eq(accq_sweep_grid_alloc(&g, &m, "load", xs, 1, pols, 2, &o, &err), 0);
  ck_assert_int_eq(accq_sweep_grid_run(g, NULL, NULL, &err), 0);
  ck_assert_int_eq(accq_sweep_grid_cell(g, 0, 0)->status, ACCQ_CELL_TRUNCATED);
  ck_assert(isnan(accq_sweep_grid_cell(g, 0, 0)->m.mean_response_time) ||
            accq_sweep_grid_cell(g, 0, 0)->status != ACCQ_CELL_OK);
  accq_sweep_grid_free(g);
}
END_TEST

START_TEST(test_sweep_grid_refusals) {
  accq_model_t m = two_tier();
  double xs[] = {0.5};
  const char *bad[] = {"rjiq", "fastest"};
  accq_sweep_grid_t *g = NULL;
  accq_err_t err;
  ck_assert_int_eq(accq_sweep_grid_alloc(&g, &m, "load", xs, 1, bad, 2, NULL, &err), ACCQ_EUSAGE);
  ck_assert_msg(strstr(err.msg, "'fastest'"), "%s", err.msg);
  ck_assert_ptr_null(g);
  ck_assert_int_eq(accq_sweep_grid_alloc(&g, &m, "speed", xs, 1, bad, 1, NULL, &err), ACCQ_EUSAGE);
  /* a value that is bad usage is an error of the cell, not a mark */
  double servers[] = {2.5};
  ck_assert_int_eq(accq_sweep_grid_alloc(&g, &m, "type.small.servers", servers, 1, bad, 1, NULL,
                                         &err),
                   0);
  ck_assert_int_eq(accq_sweep_grid_eval(g, 0, &err), ACCQ_EUSAGE);
  accq_sweep_grid_free(g);
  ck_assert_int_eq(accq_sweep_measure_check(&m, "utilization.large", &err), 0);
  ck_assert_int_eq(accq_sweep_measure_check(&m, "latency", &err), ACCQ_EUSAGE);
  ck_assert_str_eq(accq_sweep_measure_label("mean_response_time"), "E[T]");
  /* scale and buffer, as `lp --vary` takes them: whole numbers only */
  char key[64];
  ck_assert_int_eq(accq_sweep_param_key(&m, "scale", key, sizeof key, &err), 0);
  ck_assert_str_eq(key, "system.scale");
  accq_model_t out;
  ck_assert_int_eq(accq_sweep_apply(&m, "scale", 3, &out, &err), 0);
  ck_assert_int_eq(out.scale, 3);
  ck_assert_int_eq(accq_sweep_apply(&m, "scale", 1.5, &out, &err), ACCQ_EUSAGE);
  ck_assert_int_eq(accq_sweep_apply(&m, "buffer", 4, &out, &err), 0);
  ck_assert_int_eq(out.buffer, 4);
}
END_TEST

/* The command line: `sweep --vary scale=` works as `lp --vary scale=` does
 * (it was refused); the numbers are the chain's at each m (m = 1 and 2:
 * rjiq's product form, exact). */
START_TEST(test_cli_vary_scale) {
  char args[1024], *out = NULL, *err = NULL;
  snprintf(args, sizeof args, "sweep '%s' --vary scale=1:2:2 -p rjiq -q --format csv",
           accq_src_path("models/two-tier.ini"));
  int rc = accq_run(args, &out, &err);
  ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
  ck_assert_msg(strstr(out, "scale,t_lp,rjiq.mean_response_time"), "%s", out);
  ck_assert_msg(strstr(out, "\n2,0.75"), "%s", out);
  free(out);
  free(err);
}
END_TEST

/* A convergence point computed alone is the run's point (its seed is the
 * grid's seed plus its index, whatever else is computed). */
START_TEST(test_converge_point_alone) {
  accq_model_t m = two_tier();
  int scales[] = {1, 2};
  accq_converge_options_t o;
  accq_converge_options_init(&o);
  accq_converge_point_t pts[2], one;
  accq_err_t err;
  ck_assert_int_eq(accq_converge_run(&m, "rjiq", scales, 2, &o, pts, &err), 0);
  for (int i = 1; i >= 0; i--) {
    ck_assert_int_eq(accq_converge_point(&m, "rjiq", scales[i], i, &o, &one, &err), 0);
    ck_assert_int_eq(one.status, pts[i].status);
    ck_assert_int_eq(one.exact, 1);
    ck_assert(!memcmp(&one.gap, &pts[i].gap, sizeof(double)));
    ck_assert(!memcmp(&one.mean_response_time, &pts[i].mean_response_time, sizeof(double)));
  }
  ck_assert_int_eq(accq_converge_point(&m, "rjiq", 0, 0, &o, &one, &err), ACCQ_EUSAGE);
  /* the summary: two chain points, the fit through both, no bad point */
  accq_converge_summary_t s;
  accq_converge_summarize(&m, "rjiq", pts, 2, &s);
  ck_assert_int_eq(s.nbad, 0);
  ck_assert_int_eq(s.worst_exit, 0);
  if (pts[0].gap > 0 && pts[1].gap > 0) {
    ck_assert(s.have_fit);
    /* two points: the slope is log(g2/g1)/log 2 exactly */
    ACCQ_CK_CLOSE(s.fit.slope, log(pts[1].gap / pts[0].gap) / log(2.0), 1e-12, 0, "slope");
  }
}
END_TEST

/* Every status that a cell can carry maps to the exit status the library's
 * status table gives it (docs/output.md), and the names are the JSON ones. */
START_TEST(test_cell_status_table) {
  const int codes[] = {ACCQ_SUCCESS,    ACCQ_ENOMEM,       ACCQ_ETOOBIG,     ACCQ_ENOCONV,
                       ACCQ_ENUMERIC,   ACCQ_ERANGE,       ACCQ_EACCINFEAS,  ACCQ_ECAPINFEAS,
                       ACCQ_EUNSTABLE};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    accq_cell_status_t s = accq_cell_status_of(codes[i]);
    ck_assert_msg(accq_cell_exit_code(s) == accq_status_exit_code(codes[i]),
                  "status %d -> cell %s exit %d, library exit %d", codes[i],
                  accq_cell_status_name(s), accq_cell_exit_code(s),
                  accq_status_exit_code(codes[i]));
    ck_assert(!accq_cell_is_hard_error(codes[i]));
  }
  const int hard[] = {ACCQ_EINVAL, ACCQ_EMODEL, ACCQ_EIO, ACCQ_EUSAGE, ACCQ_EINTR};
  for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) ck_assert(accq_cell_is_hard_error(hard[i]));
  const char *names[ACCQ_CELL_NSTATUS] = {"ok", "truncated", "too_large", "not_converged",
                                          "failed", "unstable", "beyond_capacity", "infeasible"};
  for (int s = 0; s < ACCQ_CELL_NSTATUS; s++)
    ck_assert_str_eq(accq_cell_status_name((accq_cell_status_t)s), names[s]);
  ck_assert_int_eq(accq_cell_exit_code(ACCQ_CELL_TRUNCATED), 3);
}
END_TEST

int main(void) {
  Suite *s = suite_create("grid");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_sweep_cells_order_independent);
  tcase_add_test(tc, test_product_form_not_capped);
  tcase_add_test(tc, test_sweep_grid_refusals);
  tcase_add_test(tc, test_converge_point_alone);
  tcase_add_test(tc, test_cli_vary_scale);
  tcase_add_test(tc, test_cell_status_table);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
