/* The [arrivals] section of docs/model.md: each process parses to the values
 * written in the text, writes back (accq_model_format) to a text that parses
 * to the same process, every refusal names FILE:LINE and the bad value, and a
 * trace CSV round-trips: the timestamps read are the ones written (%.17g, so
 * exactly), its path is taken relative to the model file, and the sampler
 * replays them in order and loops with the documented period.  Expected values
 * are the literal numbers of the texts below. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/arrival_sampler.h"
#include "accq/arrivals.h"
#include "accq/model.h"
#include "testutil.h"

#define SYS "[system]\nname = t\narrival_rate = 2\naccuracy_target = 0.7\n" \
            "[type a]\nservers = 2\nrate = 2\naccuracy = 0.8\n"

static int parse(accq_model_t *m, const char *text, accq_err_t *err) {
  return accq_model_parse_string(m, text, "x.ini", NULL, 0, err);
}

static void parse_ok(accq_model_t *m, const char *text) {
  accq_err_t err;
  int st = parse(m, text, &err);
  ck_assert_msg(st == 0, "parse: %s", err.msg);
}

/* format then parse back: the same arrivals, field by field */
static void round_trip(const accq_model_t *m) {
  char buf[16384];
  int n = accq_model_format(m, buf, sizeof buf);
  ck_assert_int_lt(n, (int)sizeof buf);
  accq_model_t b;
  parse_ok(&b, buf);
  const accq_arrivals_t *x = &m->arrivals, *y = &b.arrivals;
  ck_assert_int_eq(x->kind, y->kind);
  ck_assert_int_eq(x->relative, y->relative);
  ck_assert_int_eq(x->nsteps, y->nsteps);
  for (int i = 0; i < x->nsteps; i++) {
    ck_assert(x->step_time[i] == y->step_time[i]);
    ck_assert(x->step_rate[i] == y->step_rate[i]);
  }
  ck_assert(x->cycle == y->cycle);
  ck_assert(x->mean == y->mean && x->amplitude == y->amplitude && x->period == y->period);
  ck_assert_int_eq(x->nphases, y->nphases);
  for (int i = 0; i < x->nphases; i++) {
    ck_assert(x->phase_rate[i] == y->phase_rate[i]);
    for (int j = 0; j < x->nphases; j++) ck_assert(x->gen[i][j] == y->gen[i][j]);
  }
  ck_assert_str_eq(x->trace, y->trace);
  ck_assert(x->trace_n == y->trace_n);
}

START_TEST(test_processes) {
  accq_model_t m;
  parse_ok(&m, SYS);
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_POISSON);
  ck_assert_int_eq(m.arrivals.line, 0);
  round_trip(&m);

  parse_ok(&m, SYS "[arrivals]\nprocess = piecewise\nrates = relative\nstep = 0 1\n"
                   "step = 100 1.3\nstep = 250.5 0\ncycle = 400\n");
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_PIECEWISE);
  ck_assert_int_eq(m.arrivals.line, 9);
  ck_assert_int_eq(m.arrivals.relative, 1);
  ck_assert_int_eq(m.arrivals.nsteps, 3);
  ck_assert(m.arrivals.step_time[2] == 250.5 && m.arrivals.step_rate[1] == 1.3);
  ck_assert(m.arrivals.cycle == 400);
  round_trip(&m);

  parse_ok(&m, SYS "[arrivals]\nprocess = sinusoid\nmean = 2\namplitude = 0.5\nperiod = 1e3\n");
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_SINUSOID);
  ck_assert(m.arrivals.mean == 2 && m.arrivals.amplitude == 0.5 && m.arrivals.period == 1000);
  round_trip(&m);

  parse_ok(&m, SYS "[arrivals]\nprocess = mmpp\nphase = 0.5\nphase = 4\n"
                   "generator = -0.1 0.1\ngenerator = 0.3 -0.3\n");
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_MMPP);
  ck_assert_int_eq(m.arrivals.nphases, 2);
  ck_assert(m.arrivals.gen[1][0] == 0.3 && m.arrivals.gen[0][0] == -0.1);
  round_trip(&m);

  parse_ok(&m, SYS "[arrivals]\nprocess = poisson\n");
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_POISSON);
  round_trip(&m);
}
END_TEST

/* Each bad section: the line blamed and a piece of the message. */
START_TEST(test_refusals) {
  static const struct {
    const char *arr;  /* the [arrivals] section (its header is line 9) */
    int line;
    const char *msg;
  } c[] = {
      {"process = bursty\n", 10, "process 'bursty' is unknown"},
      {"rates = relative\n", 10, "before 'process'"},
      {"process = piecewise\nprocess = mmpp\n", 11, "duplicate key 'process'"},
      {"process = piecewise\n", 9, "at least one 'step"},
      {"process = piecewise\nstep = 5 1\n", 11, "first step must start at time 0"},
      {"process = piecewise\nstep = 0 1\nstep = 0 2\n", 12, "must be after the previous"},
      {"process = piecewise\nstep = 0 -1\n", 11, "step rate '0 -1' must be >= 0"},
      {"process = piecewise\nstep = 0 x\n", 11, "not a number: x"},
      {"process = piecewise\nstep = 0 1 2\n", 11, "two numbers"},
      {"process = piecewise\nstep = 0 1\nstep = 10 0\n", 9, "long-run rate is 0"},
      {"process = piecewise\nstep = 0 1\nstep = 10 2\ncycle = 10\n", 13, "cycle 10 must be longer"},
      {"process = piecewise\nmean = 1\n", 11, "'mean' does not apply to process piecewise"},
      {"process = sinusoid\nmean = 1\namplitude = 2\nperiod = 5\n", 12, "amplitude 2 exceeds"},
      {"process = sinusoid\nmean = 1\nperiod = 5\n", 9, "sinusoid needs 'amplitude'"},
      {"process = sinusoid\nmean = 1\namplitude = 0\nperiod = 0\n", 13, "period '0' must be"},
      {"process = mmpp\nphase = 1\nphase = 2\ngenerator = -1 1\n", 13, "2 phases and 1 generator rows"},
      {"process = mmpp\nphase = 1\nphase = 2\ngenerator = -1 2\n", 13, "row 1 sums to 1"},
      {"process = mmpp\nphase = 1\nphase = 2\ngenerator = 1 -1\n", 13, "entry 2 is -1"},
      {"process = mmpp\nphase = 1\nphase = 2\ngenerator = -1 1 0\n", 13, "has 3 entries for 2 phases"},
      {"process = mmpp\nphase = 1\nphase = 2\ngenerator = 0 0\ngenerator = 1 -1\n", 13,
       "not irreducible"},
      {"process = mmpp\nphase = 0\nphase = 0\ngenerator = -1 1\ngenerator = 1 -1\n", 9,
       "every phase rate is 0"},
      {"process = trace\n", 9, "trace needs 'file"},
      {"process = trace\nfile = /nonexistent/accq-trace.csv\n", 11, "cannot read"},
      {"process = poisson\nfoo = 1\n", 11, "unknown key 'foo' in [arrivals]"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char text[2048], want[64];
    snprintf(text, sizeof text, SYS "[arrivals]\n%s", c[i].arr);
    accq_model_t m;
    accq_err_t err;
    int st = parse(&m, text, &err);
    ck_assert_msg(st == ACCQ_EMODEL, "case %zu: status %d (%s)", i, st, st ? err.msg : "");
    snprintf(want, sizeof want, "x.ini:%d: ", c[i].line);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "case %zu: '%s' does not start with '%s'",
                  i, err.msg, want);
    ck_assert_msg(strstr(err.msg, c[i].msg) != NULL, "case %zu: '%s' lacks '%s'", i, err.msg,
                  c[i].msg);
  }
  /* a second [arrivals] section */
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(parse(&m, SYS "[arrivals]\nprocess = poisson\n[arrivals]\n", &err), ACCQ_EMODEL);
  ck_assert_msg(strstr(err.msg, "x.ini:11: duplicate [arrivals] section (first at line 9)"),
                "%s", err.msg);
}
END_TEST

/* A trace written with %.17g reads back exactly; the model finds it next to
 * itself; bad lines are refused with CSV:LINE; the sampler replays it. */
START_TEST(test_trace_round_trip) {
  char dir[] = "/tmp/accq-trace-XXXXXX";
  ck_assert(mkdtemp(dir) != NULL);
  char csv[512], ini[512];
  snprintf(csv, sizeof csv, "%s/log.csv", dir);
  snprintf(ini, sizeof ini, "%s/m.ini", dir);
  double ts[200];
  FILE *f = fopen(csv, "w");
  fprintf(f, "timestamp,request\n");
  double t = 0.25;
  for (int i = 0; i < 200; i++) {
    ts[i] = t;
    fprintf(f, "%.17g,req%d\n", t, i);
    t += 0.1 + 0.01 * (i % 7) + 1.0 / 3.0; /* irregular, not representable in decimal */
  }
  fclose(f);
  f = fopen(ini, "w");
  fprintf(f, SYS "[arrivals]\nprocess = trace\nfile = log.csv\n");
  fclose(f);

  accq_model_t m;
  accq_err_t err;
  int st = accq_model_load(&m, ini, NULL, 0, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_TRACE);
  ck_assert(m.arrivals.trace_n == 200);
  ck_assert(m.arrivals.trace_first == ts[0] && m.arrivals.trace_last == ts[199]);
  ck_assert_msg(m.arrivals.trace[0] == '/', "path made absolute: %s", m.arrivals.trace);
  round_trip(&m);

  double *back = NULL;
  long long n = 0;
  ck_assert_int_eq(accq_arrivals_read_trace(m.arrivals.trace, &back, &n, &err), 0);
  ck_assert(n == 200);
  for (int i = 0; i < 200; i++) ck_assert_msg(back[i] == ts[i], "timestamp %d", i);
  free(back);

  /* replay: the timestamps in order, then again shifted by P = span n/(n-1) */
  accq_arrivals_plan_t *p = NULL;
  ck_assert_int_eq(accq_arrivals_plan_alloc(&p, &m.arrivals, m.arrival_rate, 1, &err), 0);
  double P = (ts[199] - ts[0]) * 200.0 / 199.0;
  ck_assert(accq_arrivals_mean_rate(p) == 200.0 / P);
  ck_assert(isnan(accq_arrivals_integral(p, 0, 1)));
  accq_arrivals_state_t s;
  accq_arrivals_start(p, &s, NULL);
  double x = 0;
  for (int loop = 0; loop < 3; loop++)
    for (int i = 0; i < 200; i++) {
      x = accq_arrivals_next(p, &s, x, NULL);
      ck_assert_msg(x == loop * P + ts[i] || (loop == 2 && x == (P + P) + ts[i]),
                    "loop %d, arrival %d: %.17g vs %.17g", loop, i, x, loop * P + ts[i]);
    }
  accq_arrivals_plan_free(p);

  /* refusals name the CSV and its line */
  f = fopen(csv, "w");
  fprintf(f, "0.5\n1.5\n1.0\n");
  fclose(f);
  st = accq_model_load(&m, ini, NULL, 0, &err);
  ck_assert_int_eq(st, ACCQ_EMODEL);
  ck_assert_msg(strstr(err.msg, "m.ini:11: [arrivals] file") && strstr(err.msg, "log.csv:3: timestamp 1 is before"),
                "%s", err.msg);
  f = fopen(csv, "w");
  fprintf(f, "0.5\nabc\n");
  fclose(f);
  st = accq_model_load(&m, ini, NULL, 0, &err);
  ck_assert_msg(st == ACCQ_EMODEL && strstr(err.msg, "log.csv:2: timestamp 'abc' is not"), "%s", err.msg);
  f = fopen(csv, "w");
  fprintf(f, "3\n");
  fclose(f);
  st = accq_model_load(&m, ini, NULL, 0, &err);
  ck_assert_msg(st == ACCQ_EMODEL && strstr(err.msg, "needs at least 2"), "%s", err.msg);
  remove(csv);
  remove(ini);
  rmdir(dir);
}
END_TEST

/* The bundled example models parse (models/arrivals/). */
START_TEST(test_bundled_examples) {
  accq_model_t m;
  accq_err_t err;
  int st = accq_model_load(&m, accq_src_path("models/arrivals/step-example.ini"), NULL, 0, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_PIECEWISE);
  ck_assert_int_eq(m.arrivals.nsteps, 3);
  st = accq_model_load(&m, accq_src_path("models/arrivals/trace-example.ini"), NULL, 0, &err);
  ck_assert_msg(st == 0, "%s", err.msg);
  ck_assert_int_eq(m.arrivals.kind, ACCQ_ARRIVALS_TRACE);
  ck_assert(m.arrivals.trace_n == 997); /* the lines of trace-example.csv after its header */
}
END_TEST

int main(void) {
  Suite *s = suite_create("model_arrivals");
  TCase *tc = tcase_create("arrivals");
  tcase_add_test(tc, test_processes);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_trace_round_trip);
  tcase_add_test(tc, test_bundled_examples);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
