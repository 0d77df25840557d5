/* accq sweep and converge: a cell (or size) that has no verified number is
 * marked with its status and reason in every format, the exit status says why
 * (3 numerical, 4 no answer; the worst cell decides) unless --allow-partial,
 * stderr summarizes, and nothing truncated is labelled exact.  The numbers that
 * are printed are checked against closed forms (random-lp: every server an
 * M/M/1 or M/M/1/B queue fed by the LP split). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *two_tier(void) {
  static char path[1024];
  snprintf(path, sizeof path, "'%s'", accq_src_path("models/two-tier.ini"));
  return path;
}

typedef struct {
  int rc;
  char *out, *err;
} run_t;

static run_t run(const char *fmt, const char *model) {
  char args[4096];
  snprintf(args, sizeof args, fmt, model);
  run_t r;
  r.rc = accq_run(args, &r.out, &r.err);
  return r;
}

static void run_free(run_t *r) {
  free(r->out);
  free(r->err);
}

static json_t *parse_json(const run_t *r) {
  json_error_t je;
  json_t *j = json_loads(r->out, 0, &je);
  ck_assert_msg(j != NULL, "not JSON (%s): %s", je.text, r->out);
  return j;
}

/* The CSV field of column `col` in data row `row` (0-based), unquoted; fields
 * here hold no embedded commas except quoted reasons, which are skipped
 * correctly.  Returns a static buffer. */
static const char *csv_field(const char *csv, int row, const char *col) {
  static char field[4096];
  const char *p = csv;
  int want = -1, r = -1;
  while (!strncmp(p, "# provenance.", 13)) { /* the provenance comment lines (accq/report.h) */
    p = strchr(p, '\n');
    p = p ? p + 1 : "";
  }
  while (*p) {
    int c = 0;
    while (*p && *p != '\r' && *p != '\n') {
      char buf[4096];
      size_t n = 0;
      if (*p == '"') {
        p++;
        while (*p && !(*p == '"' && p[1] != '"')) {
          if (*p == '"') p++;
          if (n < sizeof buf - 1) buf[n++] = *p;
          p++;
        }
        if (*p == '"') p++;
      } else {
        while (*p && *p != ',' && *p != '\r' && *p != '\n') {
          if (n < sizeof buf - 1) buf[n++] = *p;
          p++;
        }
      }
      buf[n] = '\0';
      if (r < 0 && !strcmp(buf, col)) want = c;
      if (r == row && c == want) {
        snprintf(field, sizeof field, "%s", buf);
        return field;
      }
      if (*p == ',') p++;
      c++;
    }
    while (*p == '\r' || *p == '\n') p++;
    r++;
  }
  ck_abort_msg("CSV: no column '%s' or row %d in:\n%s", col, row, csv);
  return NULL;
}

/* A cell over the state limit (pop's first chain at B = 4 has 75 states >
 * --max-states 5): exit 3, marked too_large with its reason in CSV and JSON,
 * no number; the other policy of the row (random-lp, a product of M/M/1
 * queues here) is still computed and equals its closed form; stderr
 * summarizes.  With --allow-partial: exit 0, the marks stay. */
START_TEST(test_too_large_cell) {
  run_t r = run("sweep %s -p pop,random-lp --vary load=0.5:0.5:1 --max-states 5 --format csv",
                two_tier());
  ck_assert_msg(r.rc == 3, "exit %d (want 3)\n%s\n%s", r.rc, r.out, r.err);
  ck_assert_str_eq(csv_field(r.out, 0, "pop.status"), "too_large");
  ck_assert_str_eq(csv_field(r.out, 0, "pop.mean_response_time"), "");
  ck_assert_ptr_nonnull(strstr(csv_field(r.out, 0, "pop.reason"), "--max-states"));
  ck_assert_str_eq(csv_field(r.out, 0, "random-lp.status"), "ok");
  /* two-tier at load 0.5: Lambda = 0.5 Lambda_max(a*) = 0.75; LP split 1/3
   * small (2 servers, mu 4: lambda 0.125 each), 2/3 large (1 server, mu 1:
   * lambda 0.5); E[T] = (1/3)/(4 - 0.125) + (2/3)/(1 - 0.5) = 1.41935483870968 */
  double et = atof(csv_field(r.out, 0, "random-lp.mean_response_time"));
  ACCQ_CK_CLOSE(et, (1.0 / 3) / 3.875 + (2.0 / 3) / 0.5, 1e-9, 0, "random-lp E[T], M/M/1 closed form");
  ck_assert_ptr_nonnull(strstr(r.err, "1 of 3 cells not computed (1 too_large)"));
  ck_assert_ptr_nonnull(strstr(r.err, "pop at load=0.5"));
  run_free(&r);

  r = run("sweep %s -p pop,random-lp --vary load=0.5:0.5:1 --max-states 5 --format json", two_tier());
  ck_assert_int_eq(r.rc, 3);
  json_t *j = parse_json(&r);
  json_t *row = json_array_get(json_object_get(j, "rows"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(row, "pop.status")), "too_large");
  ck_assert(json_is_null(json_object_get(row, "pop.mean_response_time")));
  ck_assert(json_is_string(json_object_get(row, "pop.reason")));
  ck_assert_str_eq(json_string_value(json_object_get(row, "random-lp.status")), "ok");
  ck_assert(json_is_null(json_object_get(row, "random-lp.reason")));
  ck_assert(json_is_real(json_object_get(row, "random-lp.mean_response_time")));
  json_t *w = json_object_get(j, "warnings");
  ck_assert_int_eq((int)json_array_size(w), 1);
  ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(w, 0)), "pop: too_large"));
  json_decref(j);
  run_free(&r);

  /* text, Markdown and LaTeX: the cell shows its status, the reason below */
  const char *fmts[] = {"text", "markdown", "latex"};
  for (int f = 0; f < 3; f++) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sweep %%s -p pop,random-lp --vary load=0.5:0.5:1 --max-states 5 --format %s",
             fmts[f]);
    r = run(cmd, two_tier());
    ck_assert_int_eq(r.rc, 3);
    ck_assert_msg(strstr(r.out, "too large") &&
                      strstr(r.out, f == 2 ? "too\\_large" : "too_large") && /* LaTeX escapes _ */
                      strstr(r.out, "--max-states"),
                  "%s: the cell or its reason is not shown:\n%s", fmts[f], r.out);
    run_free(&r);
  }

  r = run("sweep %s -p pop,random-lp --vary load=0.5:0.5:1 --max-states 5 --format csv "
          "--allow-partial",
          two_tier());
  ck_assert_msg(r.rc == 0, "--allow-partial: exit %d\n%s", r.rc, r.err);
  ck_assert_str_eq(csv_field(r.out, 0, "pop.status"), "too_large");
  ck_assert_str_eq(csv_field(r.out, 0, "pop.mean_response_time"), "");
  ck_assert_ptr_nonnull(strstr(r.err, "--allow-partial: exit 0"));
  run_free(&r);
}
END_TEST

/* The example: a truncated chain (boundary mass 0.008 at B = 6, the
 * largest allowed) was printed as E[T] 1.35 under "(exact chains)" while the
 * infinite-buffer value is 1.4168.  Now: status truncated, no number, the
 * boundary mass in the reason, exit 3, and no "(exact chains)" label. */
START_TEST(test_truncated_not_exact) {
  run_t r = run("sweep %s -p rjiq,random-lp --vary load=0.5:0.5:1 --max-buffer 6 --format csv",
                two_tier());
  ck_assert_msg(r.rc == 3, "exit %d (want 3)\n%s\n%s", r.rc, r.out, r.err);
  ck_assert_str_eq(csv_field(r.out, 0, "rjiq.status"), "truncated");
  ck_assert_str_eq(csv_field(r.out, 0, "rjiq.mean_response_time"), "");
  ck_assert_ptr_nonnull(strstr(csv_field(r.out, 0, "rjiq.reason"), "boundary mass"));
  ck_assert_str_eq(csv_field(r.out, 0, "random-lp.status"), "truncated");
  run_free(&r);
  r = run("sweep %s -p rjiq --vary load=0.5:0.5:1 --max-buffer 6", two_tier());
  ck_assert_int_eq(r.rc, 3);
  ck_assert_msg(!strstr(r.out, "(exact chains)"), "truncated cells labelled exact:\n%s", r.out);
  ck_assert_ptr_nonnull(strstr(r.out, "truncated"));
  /* no number of the truncated chain anywhere (E[T] at B = 6 is 1.3504...) */
  ck_assert_msg(!strstr(r.out, "1.350"), "the truncated E[T] is printed:\n%s", r.out);
  run_free(&r);
  /* with the default room the same cell converges: status ok, boundary
   * mass <= 1e-9 */
  r = run("sweep %s -p rjiq -m mean_response_time,boundary_mass --vary load=0.5:0.5:1 --format csv",
          two_tier());
  ck_assert_msg(r.rc == 0, "exit %d\n%s", r.rc, r.err);
  ck_assert_str_eq(csv_field(r.out, 0, "rjiq.status"), "ok");
  ck_assert(atof(csv_field(r.out, 0, "rjiq.boundary_mass")) <= 1e-9);
  run_free(&r);
}
END_TEST

/* Loads at or beyond capacity: two-tier serves at most 2 x 4 + 1 = 9 jobs
 * per unit time, so lambda = 9 and 12 are beyond capacity for every policy
 * (marked beyond_capacity, exit 4), and lambda = 1 is computed (random-lp:
 * split 1/3, 2/3: E[T] = (1/3)/(4 - 1/6) + (2/3)/(1 - 2/3) = 2/23 + 2). */
START_TEST(test_beyond_capacity_marked) {
  run_t r = run("sweep %s -p random-lp,jsq --vary lambda=1:12:3 --format json", two_tier());
  /* lambda 1, 6.5, 12: jsq at 6.5 is stable but its chain needs a large B */
  ck_assert_msg(r.rc == 4, "exit %d (want 4)\n%s", r.rc, r.err);
  json_t *j = parse_json(&r);
  json_t *rows = json_object_get(j, "rows");
  ck_assert_int_eq((int)json_array_size(rows), 3);
  json_t *r0 = json_array_get(rows, 0), *r2 = json_array_get(rows, 2);
  ck_assert_str_eq(json_string_value(json_object_get(r0, "random-lp.status")), "ok");
  ACCQ_CK_CLOSE(json_number_value(json_object_get(r0, "random-lp.mean_response_time")),
                2.0 / 23 + 2.0, 1e-9, 0, "random-lp at lambda 1, M/M/1 closed form");
  for (int p = 0; p < 2; p++) {
    char k[64];
    snprintf(k, sizeof k, "%s.status", p ? "jsq" : "random-lp");
    ck_assert_str_eq(json_string_value(json_object_get(r2, k)), "beyond_capacity");
    snprintf(k, sizeof k, "%s.mean_response_time", p ? "jsq" : "random-lp");
    ck_assert(json_is_null(json_object_get(r2, k)));
    snprintf(k, sizeof k, "%s.reason", p ? "jsq" : "random-lp");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r2, k)), "= 9"));
  }
  /* no bound beyond Lambda_max(a*) = 1.5 either */
  ck_assert(json_is_null(json_object_get(r2, "t_lp")));
  ck_assert_str_eq(json_string_value(json_object_get(r2, "t_lp.status")), "beyond_capacity");
  json_decref(j);
  ck_assert_ptr_nonnull(strstr(r.err, "beyond_capacity"));
  run_free(&r);
  r = run("sweep %s -p random-lp,jsq --vary lambda=1:12:3 --allow-partial", two_tier());
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "beyond capacity"));
  run_free(&r);
}
END_TEST

/* Issue example: `sweep` printed pop at load 1.2 (beyond Lambda_max(a*) =
 * 1.5 on two-tier) with no marker.  POP keeps a* by construction, so it can
 * serve at most Lambda_max(a*): unstable there, exit 4, no number; and
 * accurate-jiq (only the large type, capacity 1, meets a*) is unstable at
 * load 0.85 (Lambda = 1.275 > 1) while pop is not refused there. */
START_TEST(test_unstable_policy_marked) {
  run_t r = run("sweep %s -p pop,accurate-jiq --vary load=0.85:1.2:2 --max-buffer 10 --format json",
                two_tier());
  ck_assert_msg(r.rc == 4, "exit %d (want 4)\n%s", r.rc, r.err);
  json_t *j = parse_json(&r);
  json_t *r0 = json_array_get(json_object_get(j, "rows"), 0),
         *r1 = json_array_get(json_object_get(j, "rows"), 1);
  ck_assert_str_eq(json_string_value(json_object_get(r0, "accurate-jiq.status")), "unstable");
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r0, "accurate-jiq.reason")),
                               "capacity of the accurate types"));
  ck_assert_str_ne(json_string_value(json_object_get(r0, "pop.status")), "unstable");
  ck_assert_str_eq(json_string_value(json_object_get(r1, "pop.status")), "unstable");
  ck_assert(json_is_null(json_object_get(r1, "pop.mean_response_time")));
  ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r1, "pop.reason")), "1.5"));
  json_decref(j);
  run_free(&r);
}
END_TEST

/* A model with its own buffer is a finite-buffer system: exact (losses
 * included) and labelled so, never refused as truncated.  random-lp with B = 3
 * at Lambda = 1: small servers M/M/1/3 with rho 1/24, the large one with rho
 * 2/3; E[T] = L/X = 1.2008783854438985 and P_loss = 0.0820743900813226 (the
 * M/M/1/B distribution P_n = rho^n (1-rho)/(1-rho^(B+1)), hand-summed). */
START_TEST(test_finite_buffer_exact) {
  run_t r = run("sweep %s -p random-lp -m mean_response_time,loss_probability --vary lambda=1:1:1 "
                "--set system.buffer=3 --format csv",
                two_tier());
  ck_assert_msg(r.rc == 0, "exit %d\n%s", r.rc, r.err);
  double L = 0, X = 0;
  const double lam[2] = {1.0 / 6, 2.0 / 3}, mu[2] = {4, 1}, n[2] = {2, 1};
  for (int k = 0; k < 2; k++) {
    double rho = lam[k] / mu[k], z = 0, l = 0;
    for (int q = 0; q <= 3; q++) {
      z += pow(rho, q);
      l += q * pow(rho, q);
    }
    L += n[k] * l / z;
    X += n[k] * lam[k] * (1 - pow(rho, 3) / z);
  }
  ACCQ_CK_CLOSE(atof(csv_field(r.out, 0, "random-lp.mean_response_time")), L / X, 1e-9, 0,
                "E[T] of M/M/1/3 queues");
  ACCQ_CK_CLOSE(atof(csv_field(r.out, 0, "random-lp.loss_probability")), 1 - X, 1e-9, 0,
                "P_loss of M/M/1/3 queues");
  ck_assert_str_eq(csv_field(r.out, 0, "random-lp.buffer"), "3");
  run_free(&r);
  r = run("sweep %s -p random-lp --vary lambda=1:1:1 --set system.buffer=3", two_tier());
  ck_assert_int_eq(r.rc, 0);
  ck_assert_ptr_nonnull(strstr(r.out, "finite buffer"));
  run_free(&r);
}
END_TEST

/* converge: an R-JIQ split that saturates a type (saturating.ini: the LP puts
 * load 1 on type medium) has no infinite-buffer answer at any size: every
 * size marked unstable with the reason, exit 4; --allow-partial 0. */
/* converge shows the m -> infinity value: R-JIQ's mean-field limit on
 * two-tier equals T_LP (no type saturates at load 2/3), and T_LP by hand is
 * w/mu_large + (1 - w)/mu_small with w = (0.8 - 0.6)/(0.9 - 0.6) = 2/3:
 * 2/3 + 1/12 = 0.75.  The finite-size gap to the limit falls with m. */
START_TEST(test_converge_limit) {
  run_t r = run("converge %s --policy rjiq --scales 1,2,4 --format json", two_tier());
  ck_assert_msg(r.rc == 0, "exit %d\n%s\n%s", r.rc, r.out, r.err);
  json_t *j = parse_json(&r);
  double et = json_real_value(json_object_get(j, "limit_mean_response_time"));
  ck_assert_msg(fabs(et - 0.75) <= 1e-9 * 0.75, "limit %.17g, want 0.75", et);
  double slope = json_real_value(json_object_get(j, "limit_slope"));
  ck_assert_msg(slope < 0, "E[T]/limit - 1 does not fall with m (slope %.17g)", slope);
  json_decref(j);
  run_free(&r);
}
END_TEST

START_TEST(test_converge_marks_unstable) {
  static char model[1024];
  snprintf(model, sizeof model, "'%s'", accq_src_path("models/saturating.ini"));
  run_t r = run("converge %s --scales 1,2 --format csv", model);
  ck_assert_msg(r.rc == 4, "exit %d (want 4)\n%s\n%s", r.rc, r.out, r.err);
  for (int i = 0; i < 2; i++) {
    ck_assert_str_eq(csv_field(r.out, i, "status"), "unstable");
    ck_assert_str_eq(csv_field(r.out, i, "mean_response_time"), "");
    ck_assert_str_eq(csv_field(r.out, i, "gap"), "");
    ck_assert_ptr_nonnull(strstr(csv_field(r.out, i, "reason"), "saturates type 'medium'"));
  }
  ck_assert_ptr_nonnull(strstr(r.err, "2 of 2 sizes not computed"));
  run_free(&r);
  r = run("converge %s --scales 1,2 --format json --allow-partial", model);
  ck_assert_int_eq(r.rc, 0);
  json_t *j = parse_json(&r);
  json_t *p0 = json_array_get(json_object_get(j, "points"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(p0, "status")), "unstable");
  ck_assert(json_is_null(json_object_get(p0, "gap")));
  ck_assert_int_eq((int)json_array_size(json_object_get(j, "warnings")), 2);
  json_decref(j);
  run_free(&r);
  /* beyond the total capacity (two-tier: 9) every size is marked so */
  r = run("converge %s --scales 1 --set system.arrival_rate=10 --format csv", two_tier());
  ck_assert_int_eq(r.rc, 4);
  ck_assert_str_eq(csv_field(r.out, 0, "status"), "beyond_capacity");
  run_free(&r);
  /* an ordinary run: every size ok, status column "ok", exit 0 */
  r = run("converge %s --scales 1 --set system.load=0.5 --format csv", two_tier());
  ck_assert_msg(r.rc == 0, "exit %d\n%s", r.rc, r.err);
  ck_assert_str_eq(csv_field(r.out, 0, "status"), "ok");
  ck_assert_str_eq(csv_field(r.out, 0, "method"), "chain");
  run_free(&r);
}
END_TEST

int main(void) {
  Suite *s = suite_create("sweep-cells");
  TCase *tc = tcase_create("cells");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_too_large_cell);
  tcase_add_test(tc, test_truncated_not_exact);
  tcase_add_test(tc, test_beyond_capacity_marked);
  tcase_add_test(tc, test_unstable_policy_marked);
  tcase_add_test(tc, test_finite_buffer_exact);
  tcase_add_test(tc, test_converge_marks_unstable);
  tcase_add_test(tc, test_converge_limit);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
