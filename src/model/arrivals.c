/* The [arrivals] section of a model file (docs/model.md): parsing, checks,
 * writing back, and reading a trace CSV.
 *
 *   [arrivals]
 *   process = piecewise        ; first key: poisson|piecewise|sinusoid|mmpp|trace
 *   rates = relative           ; absolute (default: per unit scale) or multiples of Lambda
 *   step = 0 1                 ; piecewise: TIME RATE, one line per step, times
 *   step = 500 1.3             ;   increasing from 0
 *   cycle = 1500               ; piecewise, optional: the schedule repeats
 *   mean = 1 / amplitude = 0.3 / period = 1000     ; sinusoid
 *   phase = 0.5 / phase = 2    ; mmpp: one rate per phase, then one generator
 *   generator = -0.1 0.1       ;   row per phase (off-diagonal >= 0, rows sum to 0)
 *   generator = 0.4 -0.4
 *   file = trace-example.csv   ; trace: a CSV of timestamps, relative to the model file
 *
 * Every value is checked where it is read; what needs the whole section
 * (counts, the generator's rows, the trace file) is checked at its end, the
 * message blaming the line of the key concerned. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* realpath */
#endif
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/arrivals.h"
#include "accq/model.h"
#include "model/arrivals_internal.h"
#include "model/model_internal.h"

enum { K_PROCESS, K_RATES, K_CYCLE, K_MEAN, K_AMPLITUDE, K_PERIOD, K_FILE, K_STEP, K_PHASE, K_GEN };

static const char *const key_names[] = {"process", "rates",  "cycle", "mean",  "amplitude",
                                        "period",  "file",   "step",  "phase", "generator"};
#define NKEYS 10

/* which keys apply to which process (bit per key) */
static unsigned keys_of(accq_arrivals_kind_t k) {
  unsigned common = 1u << K_PROCESS | 1u << K_RATES;
  switch (k) {
  case ACCQ_ARRIVALS_PIECEWISE: return common | 1u << K_STEP | 1u << K_CYCLE;
  case ACCQ_ARRIVALS_SINUSOID: return common | 1u << K_MEAN | 1u << K_AMPLITUDE | 1u << K_PERIOD;
  case ACCQ_ARRIVALS_MMPP: return common | 1u << K_PHASE | 1u << K_GEN;
  case ACCQ_ARRIVALS_TRACE: return 1u << K_PROCESS | 1u << K_FILE;
  default: return 1u << K_PROCESS;
  }
}

const char *accq_arrivals_kind_name(accq_arrivals_kind_t kind) {
  static const char *const n[] = {"poisson", "piecewise", "sinusoid", "mmpp", "trace"};
  return (unsigned)kind < 5 ? n[kind] : "?";
}

/* A finite number filling the whole token; 0 on success. */
static int num(const char *s, double *x) {
  char *end;
  errno = 0;
  *x = strtod(s, &end);
  return end == s || *end != '\0' || !isfinite(*x) || errno == ERANGE;
}

/* Splits v on blanks into at most n numbers; returns the count, -1 on a bad token
 * (its text in bad), -2 when there are more than n. */
static int numbers(const char *v, double *out, int n, char *bad, size_t badsz) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", v);
  int c = 0;
  for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok;
       tok = strtok_r(NULL, " \t,", &save)) {
    if (c >= n) return -2;
    if (num(tok, &out[c])) {
      accq_i_printable(tok, -1, bad, badsz);
      return -1;
    }
    c++;
  }
  return c;
}

int accq_i_arrivals_section(accq_model_t *m, int line, accq_err_t *err) {
  if (m->arrivals.line)
    return accq_err_set(err, ACCQ_EMODEL, "duplicate [arrivals] section (first at line %d)",
                        m->arrivals.line), 0;
  memset(&m->arrivals, 0, sizeof m->arrivals);
  m->arrivals.line = line;
  return 1;
}

/* Rates: per unit scale within the model's Lambda limit, or a multiple of Lambda. */
static int check_rate(const accq_arrivals_t *a, double x, int allow_zero, const char *what,
                      const char *v, accq_err_t *err) {
  char shown[80];
  double hi = a->relative ? ACCQ_MODEL_LOAD_MAX : ACCQ_MODEL_LAMBDA_MAX;
  if (!(allow_zero ? x >= 0 : x > 0) || x > hi)
    return accq_err_set(err, ACCQ_EMODEL, "[arrivals] %s '%s' must be %s and at most %g%s", what,
                        accq_i_printable(v, -1, shown, sizeof shown),
                        allow_zero ? ">= 0" : "> 0", hi,
                        a->relative ? " (a multiple of Lambda)" : " (jobs per unit time per unit scale)"),
           0;
  return 1;
}

int accq_i_arrivals_key(accq_model_t *m, int line, const char *key, const char *value,
                        accq_err_t *err) {
  accq_arrivals_t *a = &m->arrivals;
  char shown[80], sk[80], bad[80];
  int k = -1;
  for (int i = 0; i < NKEYS; i++)
    if (strcmp(key, key_names[i]) == 0) k = i;
  accq_i_printable(value, -1, shown, sizeof shown);
  if (k < 0)
    return accq_err_set(err, ACCQ_EMODEL,
                        "unknown key '%s' in [arrivals] (known keys: process, rates, step, "
                        "cycle, mean, amplitude, period, phase, generator, file)",
                        accq_i_printable(key, -1, sk, sizeof sk)), 0;
  if (k != K_PROCESS && !a->key_line[K_PROCESS])
    return accq_err_set(err, ACCQ_EMODEL,
                        "[arrivals] key '%s' before 'process': the process comes first", key), 0;
  if (k < K_STEP && a->key_line[k])
    return accq_err_set(err, ACCQ_EMODEL, "duplicate key '%s' in [arrivals] (first at line %d)",
                        key, a->key_line[k]), 0;
  if (k != K_PROCESS && !(keys_of(a->kind) >> k & 1))
    return accq_err_set(err, ACCQ_EMODEL, "[arrivals] key '%s' does not apply to process %s", key,
                        accq_arrivals_kind_name(a->kind)), 0;
  if (k < K_STEP) a->key_line[k] = line;
  double x = 0;
  switch (k) {
  case K_PROCESS:
    for (int i = 0; i < 5; i++)
      if (strcmp(value, accq_arrivals_kind_name((accq_arrivals_kind_t)i)) == 0) {
        a->kind = (accq_arrivals_kind_t)i;
        return 1;
      }
    return accq_err_set(err, ACCQ_EMODEL,
                        "[arrivals] process '%s' is unknown (expected poisson, piecewise, "
                        "sinusoid, mmpp or trace)", shown), 0;
  case K_RATES:
    if (strcmp(value, "absolute") == 0 || strcmp(value, "relative") == 0) {
      a->relative = value[0] == 'r';
      if (a->nsteps || a->nphases || a->key_line[K_MEAN] || a->key_line[K_AMPLITUDE])
        return accq_err_set(err, ACCQ_EMODEL,
                            "[arrivals] rates must come before the first rate it qualifies"), 0;
      return 1;
    }
    return accq_err_set(err, ACCQ_EMODEL,
                        "[arrivals] rates '%s' must be absolute (per unit scale, like "
                        "arrival_rate) or relative (multiples of Lambda)", shown), 0;
  case K_CYCLE:
  case K_PERIOD:
    if (num(value, &x) || !(x > 0) || x > 1e15)
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] %s '%s' must be a number in (0, 1e15]",
                          key, shown), 0;
    if (k == K_CYCLE) a->cycle = x; else a->period = x;
    return 1;
  case K_MEAN:
  case K_AMPLITUDE:
    if (num(value, &x))
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] %s '%s' is not a number", key, shown), 0;
    if (!check_rate(a, x, k == K_AMPLITUDE, key, value, err)) return 0;
    if (k == K_MEAN) a->mean = x; else a->amplitude = x;
    return 1;
  case K_FILE:
    if (!*value || strlen(value) >= sizeof a->trace - 1)
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] file '%s' must be a path of 1 to %d bytes",
                          shown, (int)sizeof a->trace - 2), 0;
    snprintf(a->trace, sizeof a->trace, "%s", value);
    return 1;
  case K_STEP: {
    double v[3];
    int n = numbers(value, v, 2, bad, sizeof bad);
    if (n != 2)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] step '%s' must be two numbers: TIME RATE%s%s", shown,
                          n == -1 ? " (not a number: " : "", n == -1 ? bad : ""), 0;
    if (a->nsteps >= ACCQ_ARRIVALS_MAX_STEPS)
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] more than %d steps",
                          ACCQ_ARRIVALS_MAX_STEPS), 0;
    if (a->nsteps == 0 && v[0] != 0)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] the first step must start at time 0 (got %g)", v[0]), 0;
    if (a->nsteps > 0 && !(v[0] > a->step_time[a->nsteps - 1]))
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] step time %g must be after the previous step's %g", v[0],
                          a->step_time[a->nsteps - 1]), 0;
    if (!(v[0] <= 1e15))
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] step time %g is beyond 1e15", v[0]), 0;
    if (!check_rate(a, v[1], 1, "step rate", value, err)) return 0;
    a->step_time[a->nsteps] = v[0];
    a->step_rate[a->nsteps++] = v[1];
    return 1;
  }
  case K_PHASE:
    if (a->nphases >= ACCQ_ARRIVALS_MAX_PHASES)
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] more than %d phases",
                          ACCQ_ARRIVALS_MAX_PHASES), 0;
    if (num(value, &x))
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] phase '%s' is not a number", shown), 0;
    if (!check_rate(a, x, 1, "phase rate", value, err)) return 0;
    a->phase_rate[a->nphases++] = x;
    return 1;
  case K_GEN: {
    if (a->ngen >= ACCQ_ARRIVALS_MAX_PHASES)
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] more than %d generator rows",
                          ACCQ_ARRIVALS_MAX_PHASES), 0;
    double v[ACCQ_ARRIVALS_MAX_PHASES];
    int n = numbers(value, v, ACCQ_ARRIVALS_MAX_PHASES, bad, sizeof bad);
    if (n == -1)
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] generator row '%s': '%s' is not a number",
                          shown, bad), 0;
    if (n < 1)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] generator row '%s' must hold one number per phase (at "
                          "most %d)", shown, ACCQ_ARRIVALS_MAX_PHASES), 0;
    int i = a->ngen;
    if (n != a->nphases)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] generator row %d has %d entries for %d phases (give the "
                          "'phase = RATE' lines first, one per phase)", i + 1, n, a->nphases), 0;
    double sum = 0, mag = 0;
    for (int j = 0; j < n; j++) {
      if (j != i && !(v[j] >= 0))
        return accq_err_set(err, ACCQ_EMODEL,
                            "[arrivals] generator row %d: entry %d is %g, a rate must be >= 0 "
                            "off the diagonal", i + 1, j + 1, v[j]), 0;
      if (fabs(v[j]) > 1e9)
        return accq_err_set(err, ACCQ_EMODEL,
                            "[arrivals] generator row %d: entry %d = %g is beyond 1e9", i + 1,
                            j + 1, v[j]), 0;
      sum += v[j];
      mag = fmax(mag, fabs(v[j]));
      a->gen[i][j] = v[j];
    }
    if (fabs(sum) > 1e-12 * mag)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] generator row %d sums to %g; each row of a generator "
                          "sums to 0 (the diagonal is minus the row's other rates)", i + 1, sum), 0;
    a->key_line[K_GEN] = a->ngen == 0 ? line : a->key_line[K_GEN];
    a->ngen++;
    return 1;
  }
  }
  return 1;
}

/* Stationary law of an irreducible generator (K <= 8) by Gaussian elimination
 * with partial pivoting on pi Q = 0, sum pi = 1; 0 on success, -1 when some
 * pi_i <= 0 (the generator is not irreducible). */
int accq_i_arrivals_stationary(const accq_arrivals_t *a, double *pi);
int accq_i_arrivals_stationary(const accq_arrivals_t *a, double *pi) {
  int K = a->nphases;
  double A[ACCQ_ARRIVALS_MAX_PHASES][ACCQ_ARRIVALS_MAX_PHASES + 1];
  /* equations: sum_i pi_i Q[i][j] = 0 for j < K-1, and sum_i pi_i = 1 */
  for (int j = 0; j < K; j++) {
    for (int i = 0; i < K; i++) A[j][i] = j < K - 1 ? a->gen[i][j] : 1.0;
    A[j][K] = j < K - 1 ? 0.0 : 1.0;
  }
  for (int c = 0; c < K; c++) {
    int p = c;
    for (int r = c + 1; r < K; r++)
      if (fabs(A[r][c]) > fabs(A[p][c])) p = r;
    if (!(fabs(A[p][c]) > 0)) return -1;
    if (p != c)
      for (int j = 0; j <= K; j++) {
        double t = A[c][j];
        A[c][j] = A[p][j];
        A[p][j] = t;
      }
    for (int r = 0; r < K; r++) {
      if (r == c) continue;
      double f = A[r][c] / A[c][c];
      for (int j = c; j <= K; j++) A[r][j] -= f * A[c][j];
    }
  }
  for (int i = 0; i < K; i++) {
    pi[i] = A[i][K] / A[i][i];
    if (!(pi[i] > 1e-300)) return -1;
  }
  return 0;
}

/* The directory of the model file + rel (rel itself when absolute or when
 * the model did not come from a file). */
static void resolve_path(const char *model_file, const char *rel, char *out, size_t n) {
  const char *slash = strrchr(model_file, '/');
  int dir = (rel[0] == '/' || !slash || model_file[0] == '<') ? 0 : (int)(slash - model_file);
  if (dir + strlen(rel) + 2 > n) dir = 0; /* too long to join: as given */
  if (dir)
    snprintf(out, n, "%.*s/%.*s", dir, model_file, (int)(n - (size_t)dir - 2), rel);
  else
    snprintf(out, n, "%.*s", (int)n - 1, rel);
  char *real = realpath(out, NULL);
  if (real) {
    if (strlen(real) < n) snprintf(out, n, "%s", real);
    free(real);
  }
}

int accq_i_arrivals_finish(accq_model_t *m, accq_err_t *err) {
  accq_arrivals_t *a = &m->arrivals;
  if (!a->line) return 0;
  if (!a->key_line[K_PROCESS])
    return accq_err_set(err, ACCQ_EMODEL,
                        "[arrivals] needs 'process' (poisson, piecewise, sinusoid, mmpp or trace)"),
           a->line;
  switch (a->kind) {
  case ACCQ_ARRIVALS_POISSON: return 0;
  case ACCQ_ARRIVALS_PIECEWISE: {
    if (a->nsteps == 0)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] piecewise needs at least one 'step = TIME RATE' line"),
             a->line;
    double last = a->step_time[a->nsteps - 1];
    if (a->cycle > 0 && !(a->cycle > last))
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] cycle %g must be longer than the last step's time %g",
                          a->cycle, last), a->key_line[K_CYCLE];
    double avg = a->step_rate[a->nsteps - 1];
    if (a->cycle > 0) {
      avg = 0;
      for (int i = 0; i < a->nsteps; i++)
        avg += a->step_rate[i] * ((i + 1 < a->nsteps ? a->step_time[i + 1] : a->cycle) -
                                  a->step_time[i]);
      avg /= a->cycle;
    }
    if (!(avg > 0))
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] the schedule's long-run rate is 0 (%s): no job would "
                          "arrive in the long run",
                          a->cycle > 0 ? "every step of the cycle has rate 0" : "the last step has rate 0"),
             a->line;
    return 0;
  }
  case ACCQ_ARRIVALS_SINUSOID:
    for (int k = K_MEAN; k <= K_PERIOD; k++)
      if (!a->key_line[k])
        return accq_err_set(err, ACCQ_EMODEL, "[arrivals] sinusoid needs '%s'", key_names[k]),
               a->line;
    if (a->amplitude > a->mean)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] amplitude %g exceeds the mean %g: the rate would go "
                          "negative", a->amplitude, a->mean), a->key_line[K_AMPLITUDE];
    return 0;
  case ACCQ_ARRIVALS_MMPP: {
    if (a->nphases < 1)
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] mmpp needs one 'phase = RATE' line per phase"),
             a->line;
    if (a->ngen != a->nphases)
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] mmpp has %d phases and %d generator rows (one row per phase)",
                          a->nphases, a->ngen), a->key_line[K_GEN] ? a->key_line[K_GEN] : a->line;
    double pi[ACCQ_ARRIVALS_MAX_PHASES], mean = 0;
    if (a->nphases > 1 && accq_i_arrivals_stationary(a, pi))
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] the generator is not irreducible (some phase cannot be "
                          "reached from the others): no stationary phase law"),
             a->key_line[K_GEN];
    if (a->nphases == 1) pi[0] = 1;
    for (int i = 0; i < a->nphases; i++) mean += pi[i] * a->phase_rate[i];
    if (!(mean > 0))
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] every phase rate is 0: no job arrives"),
             a->line;
    return 0;
  }
  case ACCQ_ARRIVALS_TRACE: {
    if (!a->key_line[K_FILE])
      return accq_err_set(err, ACCQ_EMODEL, "[arrivals] trace needs 'file = PATH' (a CSV of "
                          "timestamps, relative to the model file)"), a->line;
    char path[sizeof a->trace];
    resolve_path(m->file, a->trace, path, sizeof path);
    double *t = NULL;
    long long n = 0;
    int st = accq_arrivals_read_trace(path, &t, &n, err);
    if (st) {
      if (err) err->status = st == ACCQ_EIO ? ACCQ_EMODEL : st;
      accq_err_prefix(err, "[arrivals] file");
      return a->key_line[K_FILE];
    }
    snprintf(a->trace, sizeof a->trace, "%s", path);
    a->trace_n = n;
    a->trace_first = t[0];
    a->trace_last = t[n - 1];
    free(t);
    if (!(a->trace_last > a->trace_first))
      return accq_err_set(err, ACCQ_EMODEL,
                          "[arrivals] trace '%s' spans no time (every timestamp is %g)", path,
                          a->trace_first), a->key_line[K_FILE];
    return 0;
  }
  }
  return 0;
}

int accq_arrivals_read_trace(const char *path, double **out, long long *nout, accq_err_t *err) {
  *out = NULL;
  *nout = 0;
  FILE *f = fopen(path, "r");
  if (!f) return accq_err_set(err, ACCQ_EIO, "%s: cannot read (%s)", path, strerror(errno));
  long long n = 0, cap = 1024, line = 0;
  double *t = malloc((size_t)cap * sizeof *t);
  char buf[512], shown[80];
  int st = ACCQ_SUCCESS;
  if (!t) {
    fclose(f);
    return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
  }
  while (fgets(buf, sizeof buf, f)) {
    line++;
    size_t len = strlen(buf);
    if (len == sizeof buf - 1 && buf[len - 1] != '\n') {
      st = accq_err_set(err, ACCQ_EMODEL, "%s:%lld: line longer than %d bytes", path, line,
                        (int)sizeof buf - 2);
      break;
    }
    char *p = buf;
    while (*p == ' ' || *p == '\t') p++;
    char *e = p + strcspn(p, ",;\r\n");
    int empty = e == p;
    char save = *e;
    *e = '\0';
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
    if (empty || *p == '#') continue;
    double x;
    if (num(p, &x)) {
      if (n == 0 && line == 1 && (save == ',' || save == '\n' || save == '\r' || save == '\0') &&
          !(*p >= '0' && *p <= '9') && *p != '-' && *p != '+' && *p != '.')
        continue; /* a header line */
      st = accq_err_set(err, ACCQ_EMODEL, "%s:%lld: timestamp '%s' is not a finite number", path,
                        line, accq_i_printable(p, -1, shown, sizeof shown));
      break;
    }
    if (!(x >= 0) || x > 1e15) {
      st = accq_err_set(err, ACCQ_EMODEL, "%s:%lld: timestamp %g must be in [0, 1e15]", path,
                        line, x);
      break;
    }
    if (n > 0 && x < t[n - 1]) {
      st = accq_err_set(err, ACCQ_EMODEL,
                        "%s:%lld: timestamp %.17g is before the previous one (%.17g): a trace "
                        "must be sorted", path, line, x, t[n - 1]);
      break;
    }
    if (n >= ACCQ_ARRIVALS_TRACE_MAX) {
      st = accq_err_set(err, ACCQ_EMODEL, "%s:%lld: more than %d timestamps", path, line,
                        ACCQ_ARRIVALS_TRACE_MAX);
      break;
    }
    if (n == cap) {
      double *nt = realloc(t, (size_t)(2 * cap) * sizeof *t);
      if (!nt) {
        st = accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory at %lld timestamps", path, n);
        break;
      }
      t = nt;
      cap *= 2;
    }
    t[n++] = x;
  }
  if (!st && ferror(f)) st = accq_err_set(err, ACCQ_EIO, "%s: read error", path);
  fclose(f);
  if (!st && n < 2)
    st = accq_err_set(err, ACCQ_EMODEL, "%s: %lld timestamp%s; a trace needs at least 2", path, n,
                      n == 1 ? "" : "s");
  if (st) {
    free(t);
    return st;
  }
  *out = t;
  *nout = n;
  return ACCQ_SUCCESS;
}

/* Shortest text that reads back to the same double. */
static const char *g17(double x, char *b, size_t n) {
  for (int p = 1; p <= 17; p++) {
    snprintf(b, n, "%.*g", p, x);
    if (strtod(b, NULL) == x) break;
  }
  return b;
}

int accq_arrivals_format(const accq_arrivals_t *a, char *buf, int size) {
  int used = 0;
  char b1[40], b2[40];
#define OUT(...)                                                                    \
  do {                                                                              \
    int w_ = snprintf(buf && used < size ? buf + used : NULL,                       \
                      buf && used < size ? (size_t)(size - used) : 0, __VA_ARGS__); \
    if (w_ > 0) used += w_;                                                         \
  } while (0)
  if (size > 0 && buf) buf[0] = '\0';
  if (!a || !a->line) return 0;
  OUT("\n[arrivals]\nprocess = %s\n", accq_arrivals_kind_name(a->kind));
  if (a->relative && a->kind != ACCQ_ARRIVALS_TRACE && a->kind != ACCQ_ARRIVALS_POISSON)
    OUT("rates = relative\n");
  switch (a->kind) {
  case ACCQ_ARRIVALS_PIECEWISE:
    for (int i = 0; i < a->nsteps; i++)
      OUT("step = %s %s\n", g17(a->step_time[i], b1, sizeof b1), g17(a->step_rate[i], b2, sizeof b2));
    if (a->cycle > 0) OUT("cycle = %s\n", g17(a->cycle, b1, sizeof b1));
    break;
  case ACCQ_ARRIVALS_SINUSOID:
    OUT("mean = %s\n", g17(a->mean, b1, sizeof b1));
    OUT("amplitude = %s\n", g17(a->amplitude, b1, sizeof b1));
    OUT("period = %s\n", g17(a->period, b1, sizeof b1));
    break;
  case ACCQ_ARRIVALS_MMPP:
    for (int i = 0; i < a->nphases; i++) OUT("phase = %s\n", g17(a->phase_rate[i], b1, sizeof b1));
    for (int i = 0; i < a->nphases; i++) {
      OUT("generator =");
      for (int j = 0; j < a->nphases; j++) OUT(" %s", g17(a->gen[i][j], b1, sizeof b1));
      OUT("\n");
    }
    break;
  case ACCQ_ARRIVALS_TRACE: OUT("file = %s\n", a->trace); break;
  default: break;
  }
#undef OUT
  return used;
}
