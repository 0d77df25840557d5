/* Model files (docs/model.md): parsing with inih through
 * src/ext/inih.c, validation, --set overrides, and writing a model back.
 *
 * Every key has one setter that parses its text and checks its value; the file
 * parser and --set use the same setters, so a value is refused with the same
 * words wherever it comes from:  "[type small] rate '-1' must be > 0".  The file
 * parser prefixes "FILE:LINE", --set prefixes "--set ARG".  Numbers go through
 * strtod/strtol with the whole text consumed; NaN, inf, overflow (1e309) and
 * underflow (1e-400) are refused, and magnitudes are bounded by the
 * ACCQ_MODEL_* limits of accq/model.h so later arithmetic cannot overflow. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "accq/model.h"
#include "model/model_internal.h"

/* ------------------------------------------------------------------------ */
/* Checks on values (shared by the setters and accq_model_validate).  Each
 * returns 0 when the value is fine, else 1 with `why` a predicate such as
 * "must be > 0". */

static int check_positive(double x, double lo, double hi, char *why, size_t n) {
  if (!(x > 0)) return snprintf(why, n, "must be > 0"), 1;
  if (!(x >= lo && x <= hi))
    return snprintf(why, n, "must be in [%g, %g] (the model's magnitude limits)", lo, hi), 1;
  return 0;
}

static int check_unit(double x, char *why, size_t n) {
  if (!(x >= 0 && x <= 1)) return snprintf(why, n, "must be in [0, 1]"), 1;
  return 0;
}

static int check_int(long x, long lo, long hi, char *why, size_t n) {
  if (x < lo || x > hi) return snprintf(why, n, "must be an integer in [%ld, %ld]", lo, hi), 1;
  return 0;
}

static int check_name_text(const char *s, char *why, size_t n) {
  size_t len = strlen(s);
  if (len == 0) return snprintf(why, n, "must not be empty"), 1;
  if (len >= ACCQ_NAME_MAX)
    return snprintf(why, n, "is longer than %d characters", ACCQ_NAME_MAX - 1), 1;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) return snprintf(why, n, "contains a control character"), 1;
    if (c == ';' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
      return snprintf(why, n, "contains ' ;', which starts a comment in a model file"), 1;
  }
  if (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t')
    return snprintf(why, n, "has leading or trailing blanks"), 1;
  return 0;
}

/* Type names appear in --set type.NAME.key=value and in output keys. */
static int check_type_name(const char *s, char *why, size_t n) {
  size_t len = strlen(s);
  if (len == 0) return snprintf(why, n, "is empty (write [type NAME])"), 1;
  if (len >= ACCQ_NAME_MAX)
    return snprintf(why, n, "is longer than %d characters", ACCQ_NAME_MAX - 1), 1;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-';
    if (!ok) return snprintf(why, n, "may use only letters, digits, '_' and '-'"), 1;
  }
  return 0;
}

static int check_service(const accq_service_t *s, char *why, size_t n) {
  switch (s->kind) {
  case ACCQ_SERVICE_EXP:
  case ACCQ_SERVICE_DET:
    return 0;
  case ACCQ_SERVICE_ERLANG:
    if (!(s->param >= 1 && s->param <= ACCQ_MODEL_ERLANG_MAX && s->param == floor(s->param)))
      return snprintf(why, n, "needs erlang:K with K an integer in [1, %d]", ACCQ_MODEL_ERLANG_MAX), 1;
    return 0;
  case ACCQ_SERVICE_HYPEREXP:
    if (!(s->param >= 1 && s->param <= ACCQ_MODEL_SCV_MAX))
      return snprintf(why, n,
                      "needs hyperexp:SCV with SCV in [1, %g] (a hyperexponential has SCV >= 1)",
                      ACCQ_MODEL_SCV_MAX), 1;
    return 0;
  case ACCQ_SERVICE_LOGNORMAL:
    if (!(s->param > 0 && s->param <= ACCQ_MODEL_SCV_MAX))
      return snprintf(why, n, "needs lognormal:SCV with SCV in (0, %g]", ACCQ_MODEL_SCV_MAX), 1;
    return 0;
  }
  return snprintf(why, n, "has an unknown service kind %d", (int)s->kind), 1;
}

/* ------------------------------------------------------------------------ */
/* Text to numbers. */

static int parse_double(const char *v, double *out, char *why, size_t n) {
  char shown[80];
  if (*v == '\0') return snprintf(why, n, "has no value"), 1;
  errno = 0;
  char *end;
  double x = strtod(v, &end);
  if (end == v) return snprintf(why, n, "is not a number"), 1;
  if (*end != '\0')
    return snprintf(why, n, "is not a number (trailing text '%s')",
                    accq_i_printable(end, -1, shown, sizeof shown)), 1;
  if (isnan(x) || isinf(x)) {
    if (errno == ERANGE) return snprintf(why, n, "is out of the range of a double"), 1;
    return snprintf(why, n, "is not a finite number"), 1;
  }
  if (errno == ERANGE)
    return snprintf(why, n, "is out of the range of a double (underflow)"), 1;
  *out = x;
  return 0;
}

static int parse_int(const char *v, long lo, long hi, int *out, char *why, size_t n) {
  char shown[80];
  if (*v == '\0') return snprintf(why, n, "has no value"), 1;
  errno = 0;
  char *end;
  long x = strtol(v, &end, 10);
  if (end == v || *end != '\0') {
    double d;
    char tmp[8];
    if (end != v && parse_double(v, &d, tmp, sizeof tmp) == 0)
      return snprintf(why, n, "must be an integer in [%ld, %ld], not a fraction or exponent", lo,
                      hi), 1;
    if (end == v) return snprintf(why, n, "is not an integer"), 1;
    return snprintf(why, n, "is not an integer (trailing text '%s')",
                    accq_i_printable(end, -1, shown, sizeof shown)), 1;
  }
  if (errno == ERANGE || x < lo || x > hi) return check_int(errno == ERANGE ? LONG_MAX : x, lo, hi, why, n);
  *out = (int)x;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* One setter per key: parse `v`, check it, store it.  t is the type index. */

typedef int (*setter_fn)(accq_model_t *m, int t, const char *v, char *why, size_t n);

static int set_name(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  if (check_name_text(v, why, n)) return 1;
  snprintf(m->name, sizeof m->name, "%s", v);
  return 0;
}

static int set_arrival_rate(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  double x;
  if (parse_double(v, &x, why, n) ||
      check_positive(x, ACCQ_MODEL_RATE_MIN, ACCQ_MODEL_LAMBDA_MAX, why, n))
    return 1;
  m->lambda_mode = ACCQ_LAMBDA_RATE;
  m->arrival_rate = x;
  m->load = NAN;
  return 0;
}

static int set_load(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  double x;
  if (parse_double(v, &x, why, n) ||
      check_positive(x, ACCQ_MODEL_LOAD_MIN, ACCQ_MODEL_LOAD_MAX, why, n))
    return 1;
  m->lambda_mode = ACCQ_LAMBDA_LOAD;
  m->load = x;
  m->arrival_rate = NAN; /* resolved by accq_model_resolve once the model is complete */
  return 0;
}

static int set_accuracy_target(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  double x;
  if (parse_double(v, &x, why, n) || check_unit(x, why, n)) return 1;
  m->accuracy_target = x;
  return 0;
}

static int set_buffer(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  if (strcmp(v, "auto") == 0) {
    m->buffer = 0;
    return 0;
  }
  int b;
  if (parse_int(v, 1, ACCQ_MODEL_INT_MAX, &b, why, n)) {
    size_t l = strlen(why);
    snprintf(why + l, n - l, " (or 'auto')");
    return 1;
  }
  m->buffer = b;
  return 0;
}

static int set_scale(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  return parse_int(v, 1, ACCQ_MODEL_INT_MAX, &m->scale, why, n);
}

static int set_servers(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  return parse_int(v, 1, ACCQ_MODEL_INT_MAX, &m->types[t].servers, why, n);
}

static int set_rate(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  double x;
  if (parse_double(v, &x, why, n) ||
      check_positive(x, ACCQ_MODEL_RATE_MIN, ACCQ_MODEL_RATE_MAX, why, n))
    return 1;
  m->types[t].rate = x;
  return 0;
}

static int set_accuracy(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  double x;
  if (parse_double(v, &x, why, n) || check_unit(x, why, n)) return 1;
  m->types[t].accuracy = x;
  return 0;
}

static int set_service(accq_model_t *m, int t, const char *v, char *why, size_t n) {
  static const struct {
    const char *word;
    accq_service_kind_t kind;
  } kinds[] = {{"exp", ACCQ_SERVICE_EXP},
               {"det", ACCQ_SERVICE_DET},
               {"erlang", ACCQ_SERVICE_ERLANG},
               {"hyperexp", ACCQ_SERVICE_HYPEREXP},
               {"lognormal", ACCQ_SERVICE_LOGNORMAL}};
  const char *colon = strchr(v, ':');
  size_t wl = colon ? (size_t)(colon - v) : strlen(v);
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    if (strlen(kinds[i].word) != wl || strncmp(v, kinds[i].word, wl) != 0) continue;
    accq_service_t s = {kinds[i].kind, 0};
    int needs = s.kind == ACCQ_SERVICE_ERLANG || s.kind == ACCQ_SERVICE_HYPEREXP ||
                s.kind == ACCQ_SERVICE_LOGNORMAL;
    if (!needs && colon) return snprintf(why, n, "takes no parameter (write '%s')", kinds[i].word), 1;
    if (needs) {
      char tmp[200];
      if (!colon || colon[1] == '\0')
        return snprintf(why, n, "needs a parameter (%s)",
                        s.kind == ACCQ_SERVICE_ERLANG ? "erlang:K" :
                        s.kind == ACCQ_SERVICE_HYPEREXP ? "hyperexp:SCV" : "lognormal:SCV"), 1;
      if (s.kind == ACCQ_SERVICE_ERLANG) {
        int k;
        if (parse_int(colon + 1, 1, ACCQ_MODEL_ERLANG_MAX, &k, tmp, sizeof tmp))
          return snprintf(why, n, "has a bad phase count K: %s", tmp), 1;
        s.param = k;
      } else if (parse_double(colon + 1, &s.param, tmp, sizeof tmp)) {
        return snprintf(why, n, "has a bad SCV: %s", tmp), 1;
      }
    }
    if (check_service(&s, why, n)) return 1;
    m->types[t].service.kind = s.kind; /* fields, not the struct: keep padding bytes defined */
    m->types[t].service.param = s.param;
    return 0;
  }
  return snprintf(why, n, "is not one of exp, det, erlang:K, hyperexp:SCV, lognormal:SCV"), 1;
}

typedef struct {
  const char *key;
  setter_fn set;
  int required;
} key_def;

enum { SYS_NAME, SYS_ARRIVAL_RATE, SYS_LOAD, SYS_ACCURACY_TARGET, SYS_BUFFER, SYS_SCALE, NSYS };
static const key_def system_keys[NSYS] = {
    {"name", set_name, 0},         {"arrival_rate", set_arrival_rate, 0},
    {"load", set_load, 0},         {"accuracy_target", set_accuracy_target, 1},
    {"buffer", set_buffer, 0},     {"scale", set_scale, 0}};

enum { TY_SERVERS, TY_RATE, TY_ACCURACY, TY_SERVICE, NTY };
static const key_def type_keys[NTY] = {{"servers", set_servers, 1},
                                       {"rate", set_rate, 1},
                                       {"accuracy", set_accuracy, 1},
                                       {"service", set_service, 0}};

static int find_key(const key_def *defs, int n, const char *key) {
  for (int i = 0; i < n; i++)
    if (strcmp(defs[i].key, key) == 0) return i;
  return -1;
}

static void key_list(const key_def *defs, int n, char *out, size_t sz) {
  size_t o = 0;
  out[0] = '\0';
  for (int i = 0; i < n && o < sz; i++)
    o += (size_t)snprintf(out + o, sz - o, "%s%s", i ? ", " : "", defs[i].key);
}

static void where(const accq_model_t *m, int t, char *out, size_t sz) {
  if (t < 0)
    snprintf(out, sz, "[system]");
  else
    snprintf(out, sz, "[type %s]", m->types[t].name);
}

/* Applies key=value in section t (-1 = system) with its setter; on failure
 * fills err with "[section] key 'value' why" and returns ACCQ_EMODEL. */
static int apply_key(accq_model_t *m, int t, int k, const char *value, accq_err_t *err) {
  const key_def *d = t < 0 ? &system_keys[k] : &type_keys[k];
  char why[400], w[96], shown[160];
  if (d->set(m, t, value, why, sizeof why) == 0) return ACCQ_SUCCESS;
  where(m, t, w, sizeof w);
  return accq_err_set(err, ACCQ_EMODEL, "%s %s '%s' %s", w, d->key,
                      accq_i_printable(value, -1, shown, sizeof shown), why);
}

static void init_model(accq_model_t *m, const char *origin) {
  memset(m, 0, sizeof *m);
  snprintf(m->file, sizeof m->file, "%s", origin);
  /* default name: the origin's base name without ".ini" */
  const char *base = strrchr(origin, '/');
  base = base ? base + 1 : origin;
  size_t bl = strlen(base);
  if (bl > 4 && strcmp(base + bl - 4, ".ini") == 0) bl -= 4;
  if (bl >= sizeof m->name) bl = sizeof m->name - 1;
  /* only printable characters, no ';' (it could start a comment when written back) */
  size_t o = 0;
  for (size_t i = 0; i < bl; i++) {
    unsigned char ch = (unsigned char)base[i];
    if (o == 0 && (ch == ' ' || ch == '\t')) continue;
    m->name[o++] = (ch < 0x20 || ch == 0x7f || ch == ';') ? '_' : (char)ch;
  }
  while (o > 0 && (m->name[o - 1] == ' ' || m->name[o - 1] == '\t')) o--;
  m->name[o] = '\0';
  if (m->name[0] == '\0') snprintf(m->name, sizeof m->name, "model");
  m->lambda_mode = ACCQ_LAMBDA_RATE;
  m->arrival_rate = NAN;
  m->load = NAN;
  m->accuracy_target = NAN;
  m->buffer = 0;
  m->scale = 1;
}

/* ------------------------------------------------------------------------ */
/* Validation. */

/* Shortest %g text that reads back to exactly x (15 digits usually do). */
static const char *num(double x, char *b, size_t n) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(b, n, "%.*g", prec, x);
    if (strtod(b, NULL) == x) break;
  }
  return b;
}

int accq_model_validate(const accq_model_t *m, accq_err_t *err) {
  char why[400], w[96], b[40];
  if (!m) return accq_err_set(err, ACCQ_EINVAL, "no model");
  if (memchr(m->name, '\0', sizeof m->name) == NULL || check_name_text(m->name, why, sizeof why))
    return accq_err_set(err, ACCQ_EMODEL, "[system] name %s", why);
  if (m->lambda_mode == ACCQ_LAMBDA_RATE) {
    if (check_positive(m->arrival_rate, ACCQ_MODEL_RATE_MIN, ACCQ_MODEL_LAMBDA_MAX, why, sizeof why))
      return accq_err_set(err, ACCQ_EMODEL, "[system] arrival_rate %s %s",
                          num(m->arrival_rate, b, sizeof b), why);
  } else if (m->lambda_mode == ACCQ_LAMBDA_LOAD) {
    if (check_positive(m->load, ACCQ_MODEL_LOAD_MIN, ACCQ_MODEL_LOAD_MAX, why, sizeof why))
      return accq_err_set(err, ACCQ_EMODEL, "[system] load %s %s", num(m->load, b, sizeof b), why);
    if (!isnan(m->arrival_rate) && !(m->arrival_rate > 0 && isfinite(m->arrival_rate)))
      return accq_err_set(err, ACCQ_EMODEL, "[system] resolved arrival rate %s must be > 0",
                          num(m->arrival_rate, b, sizeof b));
  } else {
    return accq_err_set(err, ACCQ_EMODEL, "[system] unknown lambda mode %d", (int)m->lambda_mode);
  }
  if (check_unit(m->accuracy_target, why, sizeof why))
    return accq_err_set(err, ACCQ_EMODEL, "[system] accuracy_target %s %s",
                        num(m->accuracy_target, b, sizeof b), why);
  if (m->buffer != 0 && check_int(m->buffer, 1, ACCQ_MODEL_INT_MAX, why, sizeof why))
    return accq_err_set(err, ACCQ_EMODEL, "[system] buffer %d %s (or 'auto')", m->buffer, why);
  if (check_int(m->scale, 1, ACCQ_MODEL_INT_MAX, why, sizeof why))
    return accq_err_set(err, ACCQ_EMODEL, "[system] scale %d %s", m->scale, why);
  if (m->ntypes < 1)
    return accq_err_set(err, ACCQ_EMODEL, "no [type NAME] section: a model needs a server type");
  if (m->ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EMODEL, "%d types: more than the limit of %d types",
                        m->ntypes, ACCQ_MAX_TYPES);
  for (int t = 0; t < m->ntypes; t++) {
    const accq_type_t *ty = &m->types[t];
    if (memchr(ty->name, '\0', sizeof ty->name) == NULL || check_type_name(ty->name, why, sizeof why))
      return accq_err_set(err, ACCQ_EMODEL, "type %d: name %s", t + 1, why);
    where(m, t, w, sizeof w);
    for (int u = 0; u < t; u++)
      if (strcmp(m->types[u].name, ty->name) == 0)
        return accq_err_set(err, ACCQ_EMODEL, "duplicate type '%s'", ty->name);
    if (check_int(ty->servers, 1, ACCQ_MODEL_INT_MAX, why, sizeof why))
      return accq_err_set(err, ACCQ_EMODEL, "%s servers %d %s", w, ty->servers, why);
    if (check_positive(ty->rate, ACCQ_MODEL_RATE_MIN, ACCQ_MODEL_RATE_MAX, why, sizeof why))
      return accq_err_set(err, ACCQ_EMODEL, "%s rate %s %s", w, num(ty->rate, b, sizeof b), why);
    if (check_unit(ty->accuracy, why, sizeof why))
      return accq_err_set(err, ACCQ_EMODEL, "%s accuracy %s %s", w, num(ty->accuracy, b, sizeof b),
                          why);
    if (check_service(&ty->service, why, sizeof why))
      return accq_err_set(err, ACCQ_EMODEL, "%s service %s", w, why);
    long total = (long)ty->servers * (long)m->scale;
    if (total > ACCQ_MODEL_SERVERS_MAX)
      return accq_err_set(err, ACCQ_EMODEL,
                          "%s servers * scale = %d * %d = %ld exceeds the limit of %d servers "
                          "per type",
                          w, ty->servers, m->scale, total, ACCQ_MODEL_SERVERS_MAX);
  }
  return ACCQ_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* Parsing a file's text. */

typedef struct {
  accq_model_t *m;
  accq_err_t err;             /* message without the "FILE:LINE: " prefix */
  int section;                /* 0 none yet, 1 [system], 2 [type], 3 unknown */
  int cur;                    /* current type index */
  int system_line;
  int sys_line[NSYS];
  int type_line[ACCQ_MAX_TYPES][NTY];
} parse_ctx;

static int on_section(void *user, int line, const char *header) {
  parse_ctx *c = user;
  accq_model_t *m = c->m;
  char shown[160], why[200];
  if (strcmp(header, "system") == 0) {
    if (c->system_line)
      return accq_err_set(&c->err, ACCQ_EMODEL, "duplicate [system] section (first at line %d)",
                          c->system_line), 0;
    c->system_line = line;
    c->section = 1;
    return 1;
  }
  if (strncmp(header, "type", 4) == 0 && (header[4] == '\0' || header[4] == ' ' || header[4] == '\t')) {
    const char *name = header + 4;
    while (*name == ' ' || *name == '\t') name++;
    if (check_type_name(name, why, sizeof why))
      return accq_err_set(&c->err, ACCQ_EMODEL, "type name '%s' %s",
                          accq_i_printable(name, -1, shown, sizeof shown), why), 0;
    int prev = accq_model_type_index(m, name);
    if (prev >= 0)
      return accq_err_set(&c->err, ACCQ_EMODEL, "duplicate type '%s' (first at line %d)", name,
                          m->types[prev].line), 0;
    if (m->ntypes >= ACCQ_MAX_TYPES)
      return accq_err_set(&c->err, ACCQ_EMODEL,
                          "too many types: [type %s] would be type %d, the limit is %d", name,
                          m->ntypes + 1, ACCQ_MAX_TYPES), 0;
    accq_type_t *ty = &m->types[m->ntypes];
    memset(ty, 0, sizeof *ty);
    snprintf(ty->name, sizeof ty->name, "%s", name);
    ty->rate = NAN;
    ty->accuracy = NAN;
    ty->service.kind = ACCQ_SERVICE_EXP;
    ty->line = line;
    memset(c->type_line[m->ntypes], 0, sizeof c->type_line[0]);
    c->cur = m->ntypes++;
    c->section = 2;
    return 1;
  }
  return accq_err_set(&c->err, ACCQ_EMODEL,
                      "unknown section '[%s]' (expected [system] or [type NAME])",
                      accq_i_printable(header, -1, shown, sizeof shown)), 0;
}

static int on_key(void *user, int line, const char *key, const char *value) {
  parse_ctx *c = user;
  char shown[160], known[200], w[96];
  if (c->section == 0)
    return accq_err_set(&c->err, ACCQ_EMODEL,
                        "key '%s' before any section (start with [system] or [type NAME])",
                        accq_i_printable(key, -1, shown, sizeof shown)), 0;
  int t = c->section == 1 ? -1 : c->cur;
  const key_def *defs = t < 0 ? system_keys : type_keys;
  int nd = t < 0 ? NSYS : NTY;
  int *lines = t < 0 ? c->sys_line : c->type_line[t];
  where(c->m, t, w, sizeof w);
  int k = find_key(defs, nd, key);
  if (k < 0) {
    key_list(defs, nd, known, sizeof known);
    return accq_err_set(&c->err, ACCQ_EMODEL, "unknown key '%s' in %s (known keys: %s)",
                        accq_i_printable(key, -1, shown, sizeof shown), w, known), 0;
  }
  if (lines[k])
    return accq_err_set(&c->err, ACCQ_EMODEL, "duplicate key '%s' in %s (first at line %d)", key,
                        w, lines[k]), 0;
  lines[k] = line;
  return apply_key(c->m, t, k, value, &c->err) == ACCQ_SUCCESS;
}

/* Checks after the whole file was read: missing sections and keys, exactly one
 * of arrival_rate and load, servers * scale.  Returns the line to blame. */
static int check_complete(parse_ctx *c) {
  accq_model_t *m = c->m;
  if (!c->system_line)
    return accq_err_set(&c->err, ACCQ_EMODEL,
                        "missing [system] section (it holds arrival_rate or load and "
                        "accuracy_target)"), 1;
  for (int k = 0; k < NSYS; k++)
    if (system_keys[k].required && !c->sys_line[k])
      return accq_err_set(&c->err, ACCQ_EMODEL, "[system] is missing the required key '%s'",
                          system_keys[k].key), c->system_line;
  int lr = c->sys_line[SYS_ARRIVAL_RATE], ll = c->sys_line[SYS_LOAD];
  if (lr && ll)
    return accq_err_set(&c->err, ACCQ_EMODEL,
                        "[system] gives both arrival_rate (line %d) and load (line %d); keep one",
                        lr, ll), lr > ll ? lr : ll;
  if (!lr && !ll)
    return accq_err_set(&c->err, ACCQ_EMODEL,
                        "[system] needs arrival_rate or load (Lambda, or a fraction of Lambda_max(a*))"),
           c->system_line;
  if (m->ntypes == 0)
    return accq_err_set(&c->err, ACCQ_EMODEL,
                        "no [type NAME] section: a model needs at least one server type"),
           c->system_line;
  for (int t = 0; t < m->ntypes; t++)
    for (int k = 0; k < NTY; k++)
      if (type_keys[k].required && !c->type_line[t][k])
        return accq_err_set(&c->err, ACCQ_EMODEL, "[type %s] is missing the required key '%s'",
                            m->types[t].name, type_keys[k].key), m->types[t].line;
  for (int t = 0; t < m->ntypes; t++) {
    long total = (long)m->types[t].servers * (long)m->scale;
    if (total > ACCQ_MODEL_SERVERS_MAX)
      return accq_err_set(&c->err, ACCQ_EMODEL,
                          "[type %s] servers * scale = %d * %d = %ld exceeds the limit of %d "
                          "servers per type",
                          m->types[t].name, m->types[t].servers, m->scale, total,
                          ACCQ_MODEL_SERVERS_MAX), c->type_line[t][TY_SERVERS];
  }
  return 0;
}

/* A valid model in load mode gets its arrival rate now, once.  When a* > max a_k
 * no load can be resolved: the model is still valid (the LP reports the
 * infeasibility, exit 4), and arrival_rate stays NaN. */
static void resolve_quietly(accq_model_t *m) { (void)accq_model_resolve(m, NULL); }

static int parse_text(accq_model_t *m, const char *text, size_t len, const char *origin,
                      const char *const *sets, int nsets, accq_err_t *err) {
  parse_ctx *c = calloc(1, sizeof *c);
  if (!c) return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", origin);
  int st = ACCQ_SUCCESS;
  init_model(m, origin);
  c->m = m;
  accq_i_ini_handlers_t h = {c, on_section, on_key};
  accq_i_ini_result_t res;
  if (accq_i_ini_parse(text, len, &h, &res)) {
    if (res.from_callback)
      st = accq_err_set(err, c->err.status, "%s:%d: %s", origin, res.line, c->err.msg);
    else
      st = accq_err_set(err, ACCQ_EMODEL, "%s:%d: %s", origin, res.line, res.msg);
    goto cleanup;
  }
  int line = check_complete(c);
  if (line) {
    st = accq_err_set(err, c->err.status, "%s:%d: %s", origin, line, c->err.msg);
    goto cleanup;
  }
  st = accq_model_validate(m, err);
  if (st) {
    accq_err_prefix(err, "%s", origin);
    goto cleanup;
  }
  resolve_quietly(m);
  for (int i = 0; i < nsets; i++) {
    st = accq_model_set(m, sets[i], err);
    if (st) {
      /* accq_model_set says "ARG: reason"; the command line wrote --set ARG */
      if (err) {
        char tmp[ACCQ_ERR_MSG_MAX];
        memcpy(tmp, err->msg, sizeof tmp);
        snprintf(err->msg, sizeof err->msg, "--set %.*s", ACCQ_ERR_MSG_MAX - 8, tmp);
      }
      goto cleanup;
    }
  }
cleanup:
  free(c);
  return st;
}

int accq_model_parse_string(accq_model_t *m, const char *text, const char *origin,
                            const char *const *sets, int nsets, accq_err_t *err) {
  if (!m || !text) return accq_err_set(err, ACCQ_EINVAL, "no model text");
  if (!origin) origin = "<string>";
  return parse_text(m, text, strlen(text), origin, sets, nsets, err);
}

int accq_model_load(accq_model_t *m, const char *path, const char *const *sets, int nsets,
                    accq_err_t *err) {
  if (!m || !path) return accq_err_set(err, ACCQ_EINVAL, "no model path");
  struct stat sb;
  FILE *f = NULL;
  char *buf = NULL;
  int st = ACCQ_SUCCESS;
  if (stat(path, &sb) != 0) return accq_err_set(err, ACCQ_EIO, "%s: %s", path, strerror(errno));
  if (S_ISDIR(sb.st_mode))
    return accq_err_set(err, ACCQ_EIO, "%s: is a directory, not a model file", path);
  f = fopen(path, "rb");
  if (!f) return accq_err_set(err, ACCQ_EIO, "%s: %s", path, strerror(errno));
  buf = malloc((size_t)ACCQ_I_MODEL_TEXT_MAX + 1);
  if (!buf) {
    st = accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", path);
    goto cleanup;
  }
  size_t n = fread(buf, 1, (size_t)ACCQ_I_MODEL_TEXT_MAX + 1, f);
  if (ferror(f)) {
    st = accq_err_set(err, ACCQ_EIO, "%s: %s", path, strerror(errno ? errno : EIO));
    goto cleanup;
  }
  if (n > (size_t)ACCQ_I_MODEL_TEXT_MAX) {
    st = accq_err_set(err, ACCQ_EMODEL, "%s: larger than %d bytes: not a model file", path,
                      ACCQ_I_MODEL_TEXT_MAX);
    goto cleanup;
  }
  st = parse_text(m, buf, n, path, sets, nsets, err);
cleanup:
  if (f) fclose(f);
  free(buf);
  return st;
}

int accq_model_default(accq_model_t *m, accq_err_t *err) {
  return accq_model_parse_string(m, accq_i_default_model_text, "<default>", NULL, 0, err);
}

int accq_model_type_index(const accq_model_t *m, const char *name) {
  if (!m || !name) return -1;
  for (int t = 0; t < m->ntypes && t < ACCQ_MAX_TYPES; t++)
    if (strcmp(m->types[t].name, name) == 0) return t;
  return -1;
}

/* ------------------------------------------------------------------------ */
/* Overrides. */

static void trim(char *s) {
  size_t n = strlen(s), b = 0;
  while (b < n && (s[b] == ' ' || s[b] == '\t')) b++;
  while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  memmove(s, s + b, n - b);
  s[n - b] = '\0';
}

int accq_model_set(accq_model_t *m, const char *assignment, accq_err_t *err) {
  char lhs[256], value[512], shown[160], known[200];
  if (!m || !assignment) return accq_err_set(err, ACCQ_EINVAL, "no model or assignment");
  const char *arg = accq_i_printable(assignment, -1, shown, sizeof shown);
  const char *eq = strchr(assignment, '=');
  if (!eq)
    return accq_err_set(err, ACCQ_EUSAGE,
                        "%s: expected section.key=value (e.g. system.arrival_rate=3.5 or "
                        "type.small.servers=4)",
                        arg);
  size_t ln = (size_t)(eq - assignment);
  if (ln >= sizeof lhs || strlen(eq + 1) >= sizeof value)
    return accq_err_set(err, ACCQ_EUSAGE, "%s: too long", arg);
  memcpy(lhs, assignment, ln);
  lhs[ln] = '\0';
  snprintf(value, sizeof value, "%s", eq + 1);
  trim(lhs);
  trim(value);
  int t;
  const char *key;
  const key_def *defs;
  int nd;
  if (strncmp(lhs, "system.", 7) == 0) {
    t = -1, key = lhs + 7, defs = system_keys, nd = NSYS;
  } else if (strncmp(lhs, "type.", 5) == 0) {
    char *name = lhs + 5, *dot = strchr(name, '.');
    if (!dot)
      return accq_err_set(err, ACCQ_EUSAGE, "%s: expected type.NAME.key=value", arg);
    *dot = '\0';
    t = accq_model_type_index(m, name);
    if (t < 0) {
      size_t o = 0;
      known[0] = '\0';
      for (int u = 0; u < m->ntypes && o < sizeof known; u++)
        o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", u ? ", " : "",
                              m->types[u].name);
      char nm[160];
      return accq_err_set(err, ACCQ_EUSAGE, "%s: no type '%s' in the model (types: %s)", arg,
                          accq_i_printable(name, -1, nm, sizeof nm), known);
    }
    key = dot + 1, defs = type_keys, nd = NTY;
  } else {
    return accq_err_set(err, ACCQ_EUSAGE,
                        "%s: unknown section (expected system.KEY=VALUE or type.NAME.KEY=VALUE)",
                        arg);
  }
  int k = find_key(defs, nd, key);
  if (k < 0) {
    char kn[160], w[96];
    key_list(defs, nd, known, sizeof known);
    where(m, t, w, sizeof w);
    return accq_err_set(err, ACCQ_EUSAGE, "%s: unknown key '%s' in %s (known keys: %s)", arg,
                        accq_i_printable(key, -1, kn, sizeof kn), w, known);
  }
  accq_model_t *copy = malloc(sizeof *copy);
  if (!copy) return accq_err_set(err, ACCQ_ENOMEM, "%s: out of memory", arg);
  memcpy(copy, m, sizeof *copy);
  int st = apply_key(copy, t, k, value, err);
  if (st == ACCQ_SUCCESS) st = accq_model_validate(copy, err);
  if (st == ACCQ_SUCCESS) resolve_quietly(copy);
  if (st)
    accq_err_prefix(err, "%s", arg);
  else
    memcpy(m, copy, sizeof *m);
  free(copy);
  return st;
}

/* ------------------------------------------------------------------------ */
/* Writing a model back. */

typedef struct {
  char *buf;
  int size;
  int len;
} out_buf;

static void out(out_buf *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void out(out_buf *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int room = o->len < o->size ? o->size - o->len : 0;
  int n = vsnprintf(room ? o->buf + o->len : NULL, (size_t)room, fmt, ap);
  va_end(ap);
  if (n > 0) o->len += n;
}

int accq_model_format(const accq_model_t *m, char *buf, int size) {
  if (!m || size < 0 || (size > 0 && !buf)) return -1;
  out_buf o = {buf, size, 0};
  if (size > 0) buf[0] = '\0';
  char shown[160];
  out(&o, "# accq model written back from %s\n",
      accq_i_printable(m->file, -1, shown, sizeof shown));
  char b1[40], b2[40];
  out(&o, "[system]\nname = %s\n", m->name);
  if (m->lambda_mode == ACCQ_LAMBDA_LOAD)
    out(&o, "load = %s\n", num(m->load, b1, sizeof b1));
  else
    out(&o, "arrival_rate = %s\n", num(m->arrival_rate, b1, sizeof b1));
  out(&o, "accuracy_target = %s\n", num(m->accuracy_target, b1, sizeof b1));
  if (m->buffer == 0)
    out(&o, "buffer = auto\n");
  else
    out(&o, "buffer = %d\n", m->buffer);
  out(&o, "scale = %d\n", m->scale);
  for (int t = 0; t < m->ntypes && t < ACCQ_MAX_TYPES; t++) {
    const accq_type_t *ty = &m->types[t];
    out(&o, "\n[type %s]\nservers = %d\nrate = %s\naccuracy = %s\n", ty->name, ty->servers,
        num(ty->rate, b1, sizeof b1), num(ty->accuracy, b2, sizeof b2));
    switch (ty->service.kind) {
    case ACCQ_SERVICE_EXP: out(&o, "service = exp\n"); break;
    case ACCQ_SERVICE_DET: out(&o, "service = det\n"); break;
    case ACCQ_SERVICE_ERLANG: out(&o, "service = erlang:%d\n", (int)ty->service.param); break;
    case ACCQ_SERVICE_HYPEREXP:
      out(&o, "service = hyperexp:%s\n", num(ty->service.param, b1, sizeof b1));
      break;
    case ACCQ_SERVICE_LOGNORMAL:
      out(&o, "service = lognormal:%s\n", num(ty->service.param, b1, sizeof b1));
      break;
    }
  }
  return o.len;
}
