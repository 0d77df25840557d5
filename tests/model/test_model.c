/* Model files (docs/model.md): the bundled models parse and
 * validate, the embedded default is models/two-tier.ini byte for byte, every model
 * round-trips through accq_model_format, --set overrides, and every refusal of the
 * catalogue gives its status and "FILE:LINE: " prefix and names the bad value.
 * Expected values are the literal numbers written in the model texts below. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accq/lp.h"
#include "accq/model.h"
#include "model/model_internal.h"
#include "testutil.h"

static const char *const bundled[] = {"two-tier", "llm-three-tier", "saturating", "at-target",
                                      "nonbinding"};
#define NBUNDLED ((int)(sizeof bundled / sizeof bundled[0]))

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char *buf = malloc(1 << 20);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  fclose(f);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

static const char *model_path(const char *name) {
  static char rel[256];
  snprintf(rel, sizeof rel, "models/%s.ini", name);
  return accq_src_path(rel);
}

/* Field-by-field equality, ignoring where the model came from (file, line). */
static void assert_same_model(const accq_model_t *a, const accq_model_t *b) {
  ck_assert_str_eq(a->name, b->name);
  ck_assert_int_eq(a->lambda_mode, b->lambda_mode);
  if (a->lambda_mode == ACCQ_LAMBDA_RATE)
    ck_assert(a->arrival_rate == b->arrival_rate);
  else
    ck_assert(a->load == b->load);
  ck_assert(a->accuracy_target == b->accuracy_target);
  ck_assert_int_eq(a->buffer, b->buffer);
  ck_assert_int_eq(a->scale, b->scale);
  ck_assert_int_eq(a->ntypes, b->ntypes);
  for (int t = 0; t < a->ntypes; t++) {
    ck_assert_str_eq(a->types[t].name, b->types[t].name);
    ck_assert_int_eq(a->types[t].servers, b->types[t].servers);
    ck_assert(a->types[t].rate == b->types[t].rate);
    ck_assert(a->types[t].accuracy == b->types[t].accuracy);
    ck_assert_int_eq(a->types[t].service.kind, b->types[t].service.kind);
    ck_assert(a->types[t].service.param == b->types[t].service.param);
  }
}

static void assert_round_trip(const accq_model_t *m) {
  char text[1 << 14];
  int n = accq_model_format(m, text, sizeof text);
  ck_assert_int_gt(n, 0);
  ck_assert_int_lt(n, (int)sizeof text);
  accq_model_t back;
  accq_err_t err;
  accq_err_clear(&err);
  ck_assert_msg(accq_model_parse_string(&back, text, "<formatted>", NULL, 0, &err) == 0,
                "round trip failed: %s\n%s", err.msg, text);
  assert_same_model(m, &back);
}

START_TEST(test_bundled_models_parse) {
  for (int i = 0; i < NBUNDLED; i++) {
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    int st = accq_model_load(&m, model_path(bundled[i]), NULL, 0, &err);
    ck_assert_msg(st == 0, "%s: %s", bundled[i], err.msg);
    ck_assert_int_eq(accq_model_validate(&m, &err), 0);
    ck_assert_str_eq(m.name, bundled[i]); /* each file names itself */
    /* small enough for exact chains at scale 1 */
    int total = 0;
    for (int t = 0; t < m.ntypes; t++) total += m.types[t].servers;
    ck_assert_int_le(total, 4);
    ck_assert_int_le(m.ntypes, 3);
    ck_assert_int_eq(m.scale, 1);
    assert_round_trip(&m);
  }
}
END_TEST

/* The numbers written in models/two-tier.ini. */
/* Each bundled model shows what its comment says.  Loads come from the LP
 * module's Lambda_max(a*) (GLPK); the other numbers are the files' own. */
static void lp_of(const char *name, accq_model_t *m, accq_lp_result_t *r) {
  accq_err_t err;
  accq_lp_problem_t p;
  ck_assert_int_eq(accq_model_load(m, model_path(name), NULL, 0, &err), 0);
  ck_assert_msg(accq_lp_model_resolve(m, &err) == 0, "%s: %s", name, err.msg);
  ck_assert_int_eq(accq_lp_problem_from_model(&p, m, 0), 0);
  ck_assert_msg(accq_lp_solve(&p, r, &err) == 0, "%s: %s", name, err.msg);
  ck_assert_int_eq(r->status, ACCQ_LP_OPTIMAL);
}

START_TEST(test_bundled_models_show_their_point) {
  accq_model_t m;
  accq_lp_result_t r;
  /* moderate loads: Lambda / Lambda_max(a*) in [0.5, 0.8] */
  const char *moderate[] = {"two-tier", "llm-three-tier", "at-target", "nonbinding"};
  for (int i = 0; i < 4; i++) {
    lp_of(moderate[i], &m, &r);
    double load = m.arrival_rate / r.lambda_max;
    ck_assert_msg(load >= 0.5 && load <= 0.8, "%s: load %g", moderate[i], load);
  }
  /* two-tier: Lambda_max = 1.5 and the split 1/3, 2/3 (hand derivation in the file) */
  lp_of("two-tier", &m, &r);
  ACCQ_CK_CLOSE(r.lambda_max, 1.5, 1e-12, 0, "two-tier Lambda_max");
  ACCQ_CK_CLOSE(r.x[1], 2.0 / 3.0, 1e-12, 0, "two-tier x_large");
  /* saturating: high load, one type at capacity (x_medium = n mu = 2) */
  lp_of("saturating", &m, &r);
  ck_assert(m.load == 0.9);
  int t = accq_model_type_index(&m, "medium");
  ACCQ_CK_CLOSE(r.x[t], m.types[t].servers * m.types[t].rate, 1e-12, 0, "saturated medium");
  ACCQ_CK_CLOSE(r.lambda_max, 5.25, 1e-12, 0, "saturating Lambda_max");
  /* at-target: some type's accuracy is exactly a* */
  ck_assert_int_eq(accq_model_load(&m, model_path("at-target"), NULL, 0, NULL), 0);
  t = accq_model_type_index(&m, "target");
  ck_assert(m.types[t].accuracy == m.accuracy_target);
  /* nonbinding: a* below every accuracy, so T_LP = T_free */
  lp_of("nonbinding", &m, &r);
  for (int k = 0; k < m.ntypes; k++) ck_assert(m.types[k].accuracy > m.accuracy_target);
  ACCQ_CK_CLOSE(r.t_lp, r.t_free, 1e-12, 0, "nonbinding T_LP = T_free");
  /* llm-three-tier: MMLU 5-shot of Llama 2 7B/13B/70B (Touvron et al. 2023, Table 3) */
  ck_assert_int_eq(accq_model_load(&m, model_path("llm-three-tier"), NULL, 0, NULL), 0);
  ck_assert(m.types[0].accuracy == 0.453);
  ck_assert(m.types[1].accuracy == 0.548);
  ck_assert(m.types[2].accuracy == 0.689);
}
END_TEST

START_TEST(test_two_tier_values) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_load(&m, model_path("two-tier"), NULL, 0, &err), 0);
  ck_assert_int_eq(m.lambda_mode, ACCQ_LAMBDA_RATE);
  ck_assert(m.arrival_rate == 1.0);
  ck_assert(m.accuracy_target == 0.80);
  ck_assert_int_eq(m.buffer, 0);
  ck_assert_int_eq(m.scale, 1);
  ck_assert_int_eq(m.ntypes, 2);
  ck_assert_str_eq(m.types[0].name, "small");
  ck_assert_int_eq(m.types[0].servers, 2);
  ck_assert(m.types[0].rate == 4.0);
  ck_assert(m.types[0].accuracy == 0.60);
  ck_assert_int_eq(m.types[0].service.kind, ACCQ_SERVICE_EXP);
  ck_assert_str_eq(m.types[1].name, "large");
  ck_assert_int_eq(m.types[1].servers, 1);
  ck_assert(m.types[1].rate == 1.0);
  ck_assert(m.types[1].accuracy == 0.90);
  ck_assert_int_eq(m.types[0].line, 13); /* line of "[type small]" in the file */
  ck_assert_int_eq(accq_model_type_index(&m, "large"), 1);
  ck_assert_int_eq(accq_model_type_index(&m, "medium"), -1);
  ck_assert_str_eq(m.file, model_path("two-tier"));
}
END_TEST

START_TEST(test_default_is_two_tier) {
  size_t len;
  char *file = slurp(model_path("two-tier"), &len);
  ck_assert_uint_eq(strlen(accq_i_default_model_text), len);
  ck_assert_msg(memcmp(accq_i_default_model_text, file, len) == 0,
                "src/model/default_model.c differs from models/two-tier.ini: regenerate it");
  accq_model_t d, f;
  accq_err_t err;
  ck_assert_int_eq(accq_model_default(&d, &err), 0);
  ck_assert_str_eq(d.file, "<default>");
  ck_assert_int_eq(accq_model_load(&f, model_path("two-tier"), NULL, 0, &err), 0);
  assert_same_model(&d, &f);
  free(file);
}
END_TEST


/* ------------------------------------------------------------------------ */
/* The refusal catalogue.  Each case gives a model text, the expected status, the
 * text of the line the message must blame (its line number is looked up in the
 * case text, so the "t.ini:LINE: " prefix is checked exactly; NULL means line 1)
 * and up to two pieces the message must contain (the offending value). */

#define SYS "[system]\narrival_rate = 1.0\naccuracy_target = 0.5\n"
#define TYA "[type a]\nservers = 1\nrate = 2.0\naccuracy = 0.9\n"
#define SYSK(k) "[system]\narrival_rate = 1.0\naccuracy_target = 0.5\n" k "\n" TYA
#define TYAK(k) SYS "[type a]\nservers = 1\nrate = 2.0\naccuracy = 0.9\n" k "\n"
#define TYA_RATE(v) SYS "[type a]\nservers = 1\nrate = " v "\naccuracy = 0.9\n"
#define TYA_ACC(v) SYS "[type a]\nservers = 1\nrate = 2.0\naccuracy = " v "\n"
#define TYA_SERVERS(v) SYS "[type a]\nservers = " v "\nrate = 2.0\naccuracy = 0.9\n"
#define SYS_AT(v) "[system]\narrival_rate = 1.0\naccuracy_target = " v "\n" TYA

typedef struct {
  const char *text;
  int status;
  const char *blame; /* text of the blamed line */
  const char *has1, *has2;
} refusal_t;

static const refusal_t refusals[] = {
    /* sections */
    {SYS "[sytem]\nx = 1\n" TYA, ACCQ_EMODEL, "[sytem]", "unknown section", "'[sytem]'"},
    {SYS "[types b]\n" TYA, ACCQ_EMODEL, "[types b]", "unknown section", "'[types b]'"},
    {TYA, ACCQ_EMODEL, NULL, "missing [system] section", NULL},
    {"", ACCQ_EMODEL, NULL, "missing [system] section", NULL},
    {"# only a comment\n", ACCQ_EMODEL, NULL, "missing [system] section", NULL},
    {SYS TYA "[system] ; again\n", ACCQ_EMODEL, "[system] ; again", "duplicate [system]",
     "first at line 1"},
    {SYS, ACCQ_EMODEL, "[system]", "no [type NAME] section", NULL},
    {SYS TYA "[type  a]\nservers = 1\n", ACCQ_EMODEL, "[type  a]", "duplicate type 'a'",
     "first at line 4"},
    {SYS "[type]\nservers = 1\n", ACCQ_EMODEL, "[type]", "type name ''", "empty"},
    {SYS "[type   ]\nservers = 1\n", ACCQ_EMODEL, "[type   ]", "type name ''", "empty"},
    {SYS "[type a.b]\nservers = 1\n", ACCQ_EMODEL, "[type a.b]", "'a.b'", "letters, digits"},
    {SYS "[type a]]\n", ACCQ_EMODEL, "[type a]]", "unexpected text ']'", NULL},
    {SYS "[type 0123456789012345678901234567890123456789012345678901234567890123]\n",
     ACCQ_EMODEL, "[type 0123", "longer than 63", NULL},
    {SYS "[type b\n", ACCQ_EMODEL, "[type b", "no closing ']'", "'[type b'"},
    {SYS "[system] junk\n", ACCQ_EMODEL, "[system] junk", "'junk'", NULL},
    /* keys */
    {"[system]\narival_rate = 1.0\n", ACCQ_EMODEL, "arival_rate", "unknown key 'arival_rate'",
     "[system]"},
    {TYAK("speed = 3"), ACCQ_EMODEL, "speed = 3", "unknown key 'speed'", "[type a]"},
    {"x = 1\n" SYS TYA, ACCQ_EMODEL, "x = 1", "'x'", "before any section"},
    {TYAK("rate = 3.0"), ACCQ_EMODEL, "rate = 3.0", "duplicate key 'rate'", "first at line 6"},
    {SYS "[type a]\nservers = 1\naccuracy = 0.9\n", ACCQ_EMODEL, "[type a]",
     "[type a] is missing the required key 'rate'", NULL},
    {SYS "[type a]\nrate = 1\naccuracy = 0.9\n", ACCQ_EMODEL, "[type a]", "'servers'", NULL},
    {SYS "[type a]\nservers = 1\nrate = 1\n", ACCQ_EMODEL, "[type a]", "'accuracy'", NULL},
    {"[system]\narrival_rate = 1\n" TYA, ACCQ_EMODEL, "[system]", "'accuracy_target'", NULL},
    {"[system]\narrival_rate = 1\nload = 0.5\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL,
     "load = 0.5", "both arrival_rate (line 2) and load (line 3)", NULL},
    {"[system]\nload = 0.5\narrival_rate = 1\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL,
     "arrival_rate = 1", "both arrival_rate (line 3) and load (line 2)", NULL},
    {"[system]\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL, "[system]", "arrival_rate or load",
     NULL},
    {SYS "[type a]\nservers 1\n", ACCQ_EMODEL, "servers 1", "syntax error", "'servers 1'"},
    /* the first error wins, whether inih or the model found it */
    {SYS "[type a]\nservers 1\nbogus = 2\n", ACCQ_EMODEL, "servers 1", "syntax error", NULL},
    {SYS "[type a]\nbogus = 2\nservers 1\n", ACCQ_EMODEL, "bogus", "unknown key 'bogus'", NULL},
    {SYS "[type a]\n= 3\n", ACCQ_EMODEL, "= 3", "unknown key ''", NULL},
    /* values: rates */
    {TYA_RATE("0"), ACCQ_EMODEL, "rate = 0", "rate '0' must be > 0", NULL},
    {TYA_RATE("-1"), ACCQ_EMODEL, "rate = -1", "rate '-1' must be > 0", NULL},
    {TYA_RATE("fast"), ACCQ_EMODEL, "rate = fast", "'fast' is not a number", NULL},
    {TYA_RATE("4.0x"), ACCQ_EMODEL, "rate = 4.0x", "'4.0x' is not a number", "trailing text 'x'"},
    {TYA_RATE("4 # fast"), ACCQ_EMODEL, "rate = 4 # fast", "'4 # fast' is not a number", NULL},
    {TYA_RATE("nan"), ACCQ_EMODEL, "rate = nan", "'nan' is not a finite number", NULL},
    {TYA_RATE("NaN"), ACCQ_EMODEL, "rate = NaN", "'NaN' is not a finite number", NULL},
    {TYA_RATE("inf"), ACCQ_EMODEL, "rate = inf", "'inf' is not a finite number", NULL},
    {TYA_RATE("-inf"), ACCQ_EMODEL, "rate = -inf", "'-inf' is not a finite number", NULL},
    {TYA_RATE("Infinity"), ACCQ_EMODEL, "rate = Infinity", "'Infinity'", "finite"},
    {TYA_RATE("1e309"), ACCQ_EMODEL, "rate = 1e309", "'1e309' is out of the range of a double",
     NULL},
    {TYA_RATE("1e-400"), ACCQ_EMODEL, "rate = 1e-400", "'1e-400' is out of the range", NULL},
    {TYA_RATE(""), ACCQ_EMODEL, "rate =", "rate '' has no value", NULL},
    {TYA_RATE("2e9"), ACCQ_EMODEL, "rate = 2e9", "'2e9' must be in [1e-09, 1e+09]", NULL},
    {TYA_RATE("1e-10"), ACCQ_EMODEL, "rate = 1e-10", "'1e-10' must be in [1e-09, 1e+09]", NULL},
    {"[system]\narrival_rate = 0\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL, "arrival_rate = 0",
     "arrival_rate '0' must be > 0", NULL},
    {"[system]\narrival_rate = -2\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL,
     "arrival_rate = -2", "arrival_rate '-2' must be > 0", NULL},
    {"[system]\narrival_rate = 1e13\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL,
     "arrival_rate = 1e13", "'1e13' must be in [1e-09, 1e+12]", NULL},
    {"[system]\nload = 0\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL, "load = 0",
     "load '0' must be > 0", NULL},
    {"[system]\nload = -0.5\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL, "load = -0.5",
     "load '-0.5' must be > 0", NULL},
    {"[system]\nload = 1e4\naccuracy_target = 0.5\n" TYA, ACCQ_EMODEL, "load = 1e4",
     "'1e4' must be in [1e-09, 1000]", NULL},
    /* values: accuracies */
    {TYA_ACC("1.5"), ACCQ_EMODEL, "accuracy = 1.5", "accuracy '1.5' must be in [0, 1]", NULL},
    {TYA_ACC("-0.1"), ACCQ_EMODEL, "accuracy = -0.1", "accuracy '-0.1' must be in [0, 1]", NULL},
    {TYA_ACC("high"), ACCQ_EMODEL, "accuracy = high", "'high' is not a number", NULL},
    {TYA_ACC("nan"), ACCQ_EMODEL, "accuracy = nan", "'nan' is not a finite number", NULL},
    {SYS_AT("1.01"), ACCQ_EMODEL, "accuracy_target = 1.01",
     "accuracy_target '1.01' must be in [0, 1]", NULL},
    {SYS_AT("-0.5"), ACCQ_EMODEL, "accuracy_target = -0.5",
     "accuracy_target '-0.5' must be in [0, 1]", NULL},
    {SYS_AT("inf"), ACCQ_EMODEL, "accuracy_target = inf", "'inf' is not a finite number", NULL},
    /* values: integers */
    {TYA_SERVERS("2.5"), ACCQ_EMODEL, "servers = 2.5", "servers '2.5' must be an integer", NULL},
    {TYA_SERVERS("two"), ACCQ_EMODEL, "servers = two", "servers 'two' is not an integer", NULL},
    {TYA_SERVERS("2x"), ACCQ_EMODEL, "servers = 2x", "'2x' is not an integer", "trailing text 'x'"},
    {TYA_SERVERS("0"), ACCQ_EMODEL, "servers = 0", "servers '0' must be an integer in [1, 1000000]",
     NULL},
    {TYA_SERVERS("-3"), ACCQ_EMODEL, "servers = -3", "servers '-3' must be an integer", NULL},
    {TYA_SERVERS("2000000"), ACCQ_EMODEL, "servers = 2000000",
     "servers '2000000' must be an integer in [1, 1000000]", NULL},
    {TYA_SERVERS("99999999999999999999999"), ACCQ_EMODEL, "servers = 9999",
     "'99999999999999999999999' must be an integer in [1, 1000000]", NULL},
    {TYA_SERVERS("1e3"), ACCQ_EMODEL, "servers = 1e3", "'1e3' must be an integer", NULL},
    {SYSK("scale = 1.5"), ACCQ_EMODEL, "scale = 1.5", "scale '1.5' must be an integer", NULL},
    {SYSK("scale = 0"), ACCQ_EMODEL, "scale = 0", "scale '0' must be an integer in [1, 1000000]",
     NULL},
    {SYSK("buffer = 3.5"), ACCQ_EMODEL, "buffer = 3.5", "buffer '3.5' must be an integer",
     "'auto'"},
    {SYSK("buffer = 0"), ACCQ_EMODEL, "buffer = 0", "buffer '0' must be an integer in [1, 1000000]",
     "'auto'"},
    {SYSK("buffer = -1"), ACCQ_EMODEL, "buffer = -1", "buffer '-1'", "'auto'"},
    {SYSK("buffer = Auto"), ACCQ_EMODEL, "buffer = Auto", "buffer 'Auto'", "'auto'"},
    {"[system]\narrival_rate = 1.0\naccuracy_target = 0.5\nscale = 5000\n"
     "[type a]\nservers = 5000\nrate = 2.0\naccuracy = 0.9\n",
     ACCQ_EMODEL, "servers = 5000", "servers * scale = 5000 * 5000 = 25000000",
     "limit of 10000000"},
    /* values: names */
    {SYSK("name ="), ACCQ_EMODEL, "name =", "name '' must not be empty", NULL},
    {SYSK("name = 0123456789012345678901234567890123456789012345678901234567890123"),
     ACCQ_EMODEL, "name = 0123", "longer than 63", NULL},
    /* values: service */
    {TYAK("service = gamma"), ACCQ_EMODEL, "service = gamma", "service 'gamma' is not one of",
     NULL},
    {TYAK("service = exp:2"), ACCQ_EMODEL, "service = exp:2", "'exp:2'", "no parameter"},
    {TYAK("service = erlang"), ACCQ_EMODEL, "service = erlang", "'erlang'", "needs a parameter"},
    {TYAK("service = erlang:0"), ACCQ_EMODEL, "service = erlang:0", "'erlang:0'", "[1, 1000]"},
    {TYAK("service = erlang:2.5"), ACCQ_EMODEL, "service = erlang:2.5", "'erlang:2.5'",
     "integer"},
    {TYAK("service = erlang:5000"), ACCQ_EMODEL, "service = erlang:5000", "'erlang:5000'",
     "[1, 1000]"},
    {TYAK("service = hyperexp:0.5"), ACCQ_EMODEL, "service = hyperexp:0.5", "'hyperexp:0.5'",
     "SCV >= 1"},
    {TYAK("service = hyperexp:1e5"), ACCQ_EMODEL, "service = hyperexp:1e5", "'hyperexp:1e5'",
     "10000"},
    {TYAK("service = hyperexp:nan"), ACCQ_EMODEL, "service = hyperexp:nan", "'hyperexp:nan'",
     "finite"},
    {TYAK("service = lognormal:0"), ACCQ_EMODEL, "service = lognormal:0", "'lognormal:0'",
     "(0, 10000]"},
    {TYAK("service = lognormal:-1"), ACCQ_EMODEL, "service = lognormal:-1", "'lognormal:-1'",
     "(0, 10000]"},
    /* lines inih cannot take */
    {SYS "[type a]\nservers = 1\nrate = 2.00000000000000000000000000000000000000000000000000"
         "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "0000000000000000000000000000000000000000000000000000000000000000000000000000000000\n",
     ACCQ_EMODEL, "rate = 2.000", "line too long", "limit is 196"},
};
#define NREFUSALS ((int)(sizeof refusals / sizeof refusals[0]))

/* 1-based number of the first line of text that starts with `blame`. */
static int line_of(const char *text, const char *blame) {
  if (!blame) return 1;
  int line = 1;
  for (const char *p = text; *p; line++) {
    if (strncmp(p, blame, strlen(blame)) == 0) return line;
    const char *nl = strchr(p, '\n');
    if (!nl) break;
    p = nl + 1;
  }
  ck_abort_msg("blamed line '%s' not in the case text", blame);
  return -1;
}

static void check_refusal(int i, const refusal_t *r, const char *origin, int line, int status,
                          const accq_err_t *err) {
  char prefix[600];
  snprintf(prefix, sizeof prefix, "%s:%d: ", origin, line);
  ck_assert_msg(status == r->status, "case %d: status %d, want %d (%s)", i, status, r->status,
                err->msg);
  ck_assert_int_eq(err->status, r->status);
  ck_assert_msg(strncmp(err->msg, prefix, strlen(prefix)) == 0, "case %d: '%s' does not start with '%s'",
                i, err->msg, prefix);
  ck_assert_msg(strstr(err->msg, r->has1) != NULL, "case %d: '%s' lacks '%s'", i, err->msg, r->has1);
  if (r->has2)
    ck_assert_msg(strstr(err->msg, r->has2) != NULL, "case %d: '%s' lacks '%s'", i, err->msg,
                  r->has2);
}

START_TEST(test_refusals_from_string) {
  for (int i = 0; i < NREFUSALS; i++) {
    const refusal_t *r = &refusals[i];
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    int st = accq_model_parse_string(&m, r->text, "t.ini", NULL, 0, &err);
    check_refusal(i, r, "t.ini", line_of(r->text, r->blame), st, &err);
  }
}
END_TEST

/* The same catalogue through real files: the prefix is the path. */
START_TEST(test_refusals_from_file) {
  for (int i = 0; i < NREFUSALS; i++) {
    const refusal_t *r = &refusals[i];
    char path[300];
    snprintf(path, sizeof path, "%s", accq_tmp_file(r->text, ".ini"));
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    int st = accq_model_load(&m, path, NULL, 0, &err);
    check_refusal(i, r, path, line_of(r->text, r->blame), st, &err);
    unlink(path);
  }
}
END_TEST

/* More than ACCQ_MAX_TYPES types: refused at the first type too many. */
START_TEST(test_too_many_types) {
  static char text[1 << 14];
  int o = snprintf(text, sizeof text, "%s", SYS);
  for (int t = 0; t <= ACCQ_MAX_TYPES; t++)
    o += snprintf(text + o, sizeof text - o,
                  "[type t%d]\nservers = 1\nrate = 1\naccuracy = 0.9\n", t);
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_parse_string(&m, text, "t.ini", NULL, 0, &err), ACCQ_EMODEL);
  /* [type t32] is on line 4 + 32 * 4 (3 system lines, 4 lines per type) */
  char want[200];
  snprintf(want, sizeof want, "t.ini:%d: too many types: [type t%d] would be type %d, the limit is %d",
           4 + 4 * ACCQ_MAX_TYPES, ACCQ_MAX_TYPES, ACCQ_MAX_TYPES + 1, ACCQ_MAX_TYPES);
  ck_assert_str_eq(err.msg, want);
  /* exactly ACCQ_MAX_TYPES is fine */
  char *cut = strstr(text, "[type t32]");
  *cut = '\0';
  ck_assert_int_eq(accq_model_parse_string(&m, text, "t.ini", NULL, 0, &err), 0);
  ck_assert_int_eq(m.ntypes, ACCQ_MAX_TYPES);
}
END_TEST


/* ------------------------------------------------------------------------ */
/* What the parser accepts (and so what Debian's inih build is relied on for). */

static accq_model_t parse_ok(const char *text) {
  accq_model_t m;
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_model_parse_string(&m, text, "ok.ini", NULL, 0, &err);
  ck_assert_msg(st == 0, "refused: %s\n%s", err.msg, text);
  return m;
}

START_TEST(test_syntax_accepted) {
  /* '#' and ';' full-line comments, ';' inline comments, blank lines */
  accq_model_t m = parse_ok("# a comment\n; another\n\n[system] ; the system\n"
                            "arrival_rate = 1.5 ; Lambda\naccuracy_target = 0.5\n"
                            "[type a]\nservers = 3 ; three\nrate = 2.5\t; tab before\n"
                            "accuracy = 0.75\n");
  ck_assert(m.arrival_rate == 1.5);
  ck_assert_int_eq(m.types[0].servers, 3);
  ck_assert(m.types[0].rate == 2.5);
  /* indented keys are keys (inih's multi-line continuation is not used) */
  m = parse_ok("[system]\n  arrival_rate = 2\n  accuracy_target = 0.5\n[type a]\n"
               "    servers = 2\n    rate = 3\n    accuracy = 0.8\n");
  ck_assert_int_eq(m.types[0].servers, 2);
  ck_assert(m.types[0].rate == 3.0);
  /* CRLF line endings, a UTF-8 byte-order mark, "key: value", blanks in headers */
  m = parse_ok("\xEF\xBB\xBF[system]\r\narrival_rate: 2\r\naccuracy_target = 0.5\r\n"
               "[ type   b ]\r\nservers = 1\r\nrate = 4\r\naccuracy = 1\r\n");
  ck_assert(m.arrival_rate == 2.0);
  ck_assert_str_eq(m.types[0].name, "b");
  ck_assert(m.types[0].accuracy == 1.0);
  /* a long comment line is fine (only key lines are limited) */
  char text[2048];
  char dashes[600];
  memset(dashes, '-', sizeof dashes - 1);
  dashes[sizeof dashes - 1] = '\0';
  snprintf(text, sizeof text, "# %s\n" SYS "rate_comment_free = 0\n", dashes);
  accq_err_t err;
  ck_assert_int_eq(accq_model_parse_string(&m, text, "t.ini", NULL, 0, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg,
                   "t.ini:5: unknown key 'rate_comment_free' in [system] (known keys: name, "
                   "arrival_rate, load, accuracy_target, buffer, scale)");
  /* a long inline comment after a value is dropped before the length check */
  snprintf(text, sizeof text, SYS "[type a]\nservers = 1\nrate = 2 ; %s\naccuracy = 0.5\n",
           dashes);
  m = parse_ok(text);
  ck_assert(m.types[0].rate == 2.0);
}
END_TEST

START_TEST(test_values_accepted) {
  /* the magnitude limits themselves and rates 1e-6 and 1e6 (issue 7 edge cases) */
  accq_model_t m = parse_ok("[system]\narrival_rate = 1e-6\naccuracy_target = 0\n"
                            "[type slow]\nservers = 1\nrate = 1e-6\naccuracy = 0\n"
                            "[type fast]\nservers = 1\nrate = 1e6\naccuracy = 1\n"
                            "[type lo]\nservers = 1\nrate = 1e-9\naccuracy = 0.5\n"
                            "[type hi]\nservers = 1000000\nrate = 1e9\naccuracy = 0.5\n");
  ck_assert(m.types[0].rate == 1e-6);
  ck_assert(m.types[1].rate == 1e6);
  ck_assert(m.types[2].rate == 1e-9);
  ck_assert(m.types[3].rate == 1e9);
  ck_assert_int_eq(m.types[3].servers, 1000000);
  ck_assert(m.accuracy_target == 0.0);
  /* load mode with a* = 1 above every a_k: no load can be resolved, Lambda stays NaN
   * (the model is valid; the LP reports the infeasibility) */
  m = parse_ok("[system]\nload = 0.75\naccuracy_target = 1\nbuffer = 12\nscale = 10\n"
               "name = my model\n" TYA);
  ck_assert_int_eq(m.lambda_mode, ACCQ_LAMBDA_LOAD);
  ck_assert(m.load == 0.75);
  ck_assert(isnan(m.arrival_rate));
  ck_assert(m.accuracy_target == 1.0);
  ck_assert_int_eq(m.buffer, 12);
  ck_assert_int_eq(m.scale, 10);
  ck_assert_str_eq(m.name, "my model");
  /* loads above 1 are legal here; the LP reports them as capacity-infeasible */
  m = parse_ok("[system]\nload = 1.5\naccuracy_target = 0.5\n" TYA);
  ck_assert(m.load == 1.5);
  /* servers * scale exactly at the limit */
  m = parse_ok("[system]\narrival_rate = 1\naccuracy_target = 0.5\nscale = 10\n"
               "[type a]\nservers = 1000000\nrate = 1\naccuracy = 0.5\n");
  ck_assert_int_eq(m.types[0].servers * m.scale, ACCQ_MODEL_SERVERS_MAX);
  /* services */
  m = parse_ok(SYS "[type e]\nservers = 1\nrate = 1\naccuracy = 0.5\n"
                   "[type d]\nservers = 1\nrate = 1\naccuracy = 0.5\nservice = det\n"
                   "[type k]\nservers = 1\nrate = 1\naccuracy = 0.5\nservice = erlang:3\n"
                   "[type h]\nservers = 1\nrate = 1\naccuracy = 0.5\nservice = hyperexp:4\n"
                   "[type l]\nservers = 1\nrate = 1\naccuracy = 0.5\nservice = lognormal:0.5\n"
                   "[type h1]\nservers = 1\nrate = 1\naccuracy = 0.5\nservice = hyperexp:1\n");
  ck_assert_int_eq(m.types[0].service.kind, ACCQ_SERVICE_EXP);
  ck_assert(m.types[0].service.param == 0);
  ck_assert_int_eq(m.types[1].service.kind, ACCQ_SERVICE_DET);
  ck_assert_int_eq(m.types[2].service.kind, ACCQ_SERVICE_ERLANG);
  ck_assert(m.types[2].service.param == 3);
  ck_assert_int_eq(m.types[3].service.kind, ACCQ_SERVICE_HYPEREXP);
  ck_assert(m.types[3].service.param == 4);
  ck_assert_int_eq(m.types[4].service.kind, ACCQ_SERVICE_LOGNORMAL);
  ck_assert(m.types[4].service.param == 0.5);
  ck_assert(m.types[5].service.param == 1);
  assert_round_trip(&m);
  /* without a name key, the model is named after the file */
  m = parse_ok(SYS TYA);
  ck_assert_str_eq(m.name, "ok");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Files: unreadable, directory, binary, too large. */

START_TEST(test_file_errors) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_load(&m, "/nonexistent/dir/m.ini", NULL, 0, &err), ACCQ_EIO);
  ck_assert_str_eq(err.msg, "/nonexistent/dir/m.ini: No such file or directory");
  ck_assert_int_eq(accq_model_load(&m, "/tmp", NULL, 0, &err), ACCQ_EIO);
  ck_assert_str_eq(err.msg, "/tmp: is a directory, not a model file");
  ck_assert_int_eq(accq_model_load(&m, "/etc/passwd/m.ini", NULL, 0, &err), ACCQ_EIO);
  ck_assert_str_eq(err.msg, "/etc/passwd/m.ini: Not a directory");
  /* a read error after a successful open (reading address 0 of one's own memory) */
  ck_assert_int_eq(accq_model_load(&m, "/proc/self/mem", NULL, 0, &err), ACCQ_EIO);
  ck_assert_str_eq(err.msg, "/proc/self/mem: Input/output error");
  if (geteuid() != 0) { /* root reads anything */
    char path[300];
    snprintf(path, sizeof path, "%s", accq_tmp_file(SYS TYA, ".ini"));
    chmod(path, 0);
    ck_assert_int_eq(accq_model_load(&m, path, NULL, 0, &err), ACCQ_EIO);
    char want[400];
    snprintf(want, sizeof want, "%s: Permission denied", path);
    ck_assert_str_eq(err.msg, want);
    unlink(path);
  }
  /* a NUL byte on line 2 */
  char path[300];
  snprintf(path, sizeof path, "%s", accq_tmp_file("", ".ini"));
  FILE *f = fopen(path, "wb");
  fwrite("[system]\nname = a\0b\n", 1, 20, f);
  fclose(f);
  ck_assert_int_eq(accq_model_load(&m, path, NULL, 0, &err), ACCQ_EMODEL);
  char want[400];
  snprintf(want, sizeof want, "%s:2: binary data (a NUL byte): not a text model file", path);
  ck_assert_str_eq(err.msg, want);
  /* larger than the 1 MiB limit */
  f = fopen(path, "wb");
  for (int i = 0; i < (1 << 20) / 16 + 1; i++) fputs("# padding line.\n", f);
  fclose(f);
  ck_assert_int_eq(accq_model_load(&m, path, NULL, 0, &err), ACCQ_EMODEL);
  snprintf(want, sizeof want, "%s: larger than 1048576 bytes: not a model file", path);
  ck_assert_str_eq(err.msg, want);
  unlink(path);
  /* /dev/zero never ends: refused after the first MiB, not read forever */
  ck_assert_int_eq(accq_model_load(&m, "/dev/zero", NULL, 0, &err), ACCQ_EMODEL);
}
END_TEST

/* A tiny deterministic generator for the garbage tests (fixed seed). */
static unsigned long long rng_state;
static unsigned rng(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)(rng_state >> 33);
}

/* Random bytes are refused cleanly (EMODEL, "PATH:" prefix), never a crash. */
START_TEST(test_binary_garbage) {
  rng_state = 12345;
  static char buf[5000];
  char path[300];
  snprintf(path, sizeof path, "%s", accq_tmp_file("", ".bin"));
  for (int iter = 0; iter < 300; iter++) {
    size_t n = 1 + rng() % sizeof buf;
    for (size_t i = 0; i < n; i++) buf[i] = (char)(rng() & 0xff);
    FILE *f = fopen(path, "wb");
    fwrite(buf, 1, n, f);
    fclose(f);
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    int st = accq_model_load(&m, path, NULL, 0, &err);
    ck_assert_msg(st == ACCQ_EMODEL, "iteration %d: status %d (%s)", iter, st, err.msg);
    ck_assert(strncmp(err.msg, path, strlen(path)) == 0 && err.msg[strlen(path)] == ':');
    for (const char *p = err.msg; *p; p++) /* messages are printable */
      ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "byte %d in '%s'",
                    (unsigned char)*p, err.msg);
  }
  unlink(path);
}
END_TEST

/* Small edits of a valid model: either refused with a "FILE:LINE: " message or
 * accepted as a model that validates and round-trips. */
START_TEST(test_mutations) {
  rng_state = 777;
  static const char alphabet[] = "[]=;#:.-+e0123456789 \t\nabcxyz\x01\xff";
  const char *base = accq_i_default_model_text;
  size_t n = strlen(base);
  static char text[4096];
  int accepted = 0, refused = 0;
  for (int iter = 0; iter < 3000; iter++) {
    memcpy(text, base, n + 1);
    int edits = 1 + (int)(rng() % 3);
    for (int e = 0; e < edits; e++) text[rng() % n] = alphabet[rng() % (sizeof alphabet - 1)];
    accq_model_t m;
    accq_err_t err;
    accq_err_clear(&err);
    int st = accq_model_parse_string(&m, text, "mut.ini", NULL, 0, &err);
    if (st == 0) {
      accepted++;
      ck_assert_int_eq(accq_model_validate(&m, &err), 0);
      assert_round_trip(&m);
    } else {
      refused++;
      int line = 0;
      ck_assert_int_eq(st, ACCQ_EMODEL);
      ck_assert_msg(sscanf(err.msg, "mut.ini:%d: ", &line) == 1 && line >= 1 && line <= 25,
                    "bad prefix: %s", err.msg);
    }
  }
  /* both outcomes occur, so both branches above were exercised */
  ck_assert_int_gt(accepted, 100);
  ck_assert_int_gt(refused, 100);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* --set overrides. */

static int load_with(accq_model_t *m, const char *const *sets, int n, accq_err_t *err) {
  accq_err_clear(err);
  return accq_model_load(m, model_path("two-tier"), sets, n, err);
}

START_TEST(test_set_overrides) {
  accq_model_t m;
  accq_err_t err;
  const char *ok[] = {"system.arrival_rate=1.2", "type.small.servers=4", "type.large.rate = 0.5",
                      "system.buffer=7", "type.small.service=erlang:2", "system.name=renamed"};
  ck_assert_msg(load_with(&m, ok, 6, &err) == 0, "%s", err.msg);
  ck_assert(m.arrival_rate == 1.2);
  ck_assert_int_eq(m.types[0].servers, 4);
  ck_assert(m.types[1].rate == 0.5);
  ck_assert_int_eq(m.buffer, 7);
  ck_assert_int_eq(m.types[0].service.kind, ACCQ_SERVICE_ERLANG);
  ck_assert_str_eq(m.name, "renamed");
  /* load switches to load mode and back */
  ck_assert_int_eq(accq_model_set(&m, "system.load=0.6", &err), 0);
  ck_assert_int_eq(m.lambda_mode, ACCQ_LAMBDA_LOAD);
  ck_assert(m.load == 0.6);
  /* resolved at once (accq_model_resolve): a* = 0.8, large (1 x 0.5, a = 0.9) runs at
   * capacity 0.5 with surplus 0.5 (0.9 - 0.8) = 0.05, small (4 x 4, a = 0.6) adds
   * 0.05 / (0.8 - 0.6) = 0.25, so Lambda_max(a*) = 0.75 by hand, Lambda = 0.6 x 0.75 */
  ck_assert_msg(fabs(m.arrival_rate - 0.6 * 0.75) <= 4e-16, "Lambda %.17g", m.arrival_rate);
  ck_assert_int_eq(accq_model_set(&m, "system.arrival_rate=2", &err), 0);
  ck_assert_int_eq(m.lambda_mode, ACCQ_LAMBDA_RATE);
  ck_assert(m.arrival_rate == 2.0);
  ck_assert(isnan(m.load));
  /* overrides apply in order: the last one wins */
  const char *twice[] = {"system.scale=3", "system.scale=5"};
  ck_assert_int_eq(load_with(&m, twice, 2, &err), 0);
  ck_assert_int_eq(m.scale, 5);
  /* a failed override leaves the model as it was */
  accq_model_t before;
  memcpy(&before, &m, sizeof m); /* bytes, padding included, for the memcmp below */
  ck_assert_int_eq(accq_model_set(&m, "type.small.rate=-1", &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "type.small.rate=-1: [type small] rate '-1' must be > 0");
  ck_assert(memcmp(&before, &m, sizeof m) == 0);
}
END_TEST

typedef struct {
  const char *arg;
  int status;
  const char *msg; /* exact message */
} bad_set_t;

static const bad_set_t bad_sets[] = {
    {"system.arrival_rate", ACCQ_EUSAGE,
     "--set system.arrival_rate: expected section.key=value (e.g. system.arrival_rate=3.5 or "
     "type.small.servers=4)"},
    {"type.medium.servers=2", ACCQ_EUSAGE,
     "--set type.medium.servers=2: no type 'medium' in the model (types: small, large)"},
    {"type.small=2", ACCQ_EUSAGE, "--set type.small=2: expected type.NAME.key=value"},
    {"sys.load=0.5", ACCQ_EUSAGE,
     "--set sys.load=0.5: unknown section (expected system.KEY=VALUE or type.NAME.KEY=VALUE)"},
    {"system.speed=3", ACCQ_EUSAGE,
     "--set system.speed=3: unknown key 'speed' in [system] (known keys: name, arrival_rate, "
     "load, accuracy_target, buffer, scale)"},
    {"type.large.cores=3", ACCQ_EUSAGE,
     "--set type.large.cores=3: unknown key 'cores' in [type large] (known keys: servers, rate, "
     "accuracy, service)"},
    {"system.arrival_rate=-1", ACCQ_EMODEL,
     "--set system.arrival_rate=-1: [system] arrival_rate '-1' must be > 0"},
    {"system.arrival_rate=", ACCQ_EMODEL,
     "--set system.arrival_rate=: [system] arrival_rate '' has no value"},
    {"system.load=nan", ACCQ_EMODEL,
     "--set system.load=nan: [system] load 'nan' is not a finite number"},
    {"system.accuracy_target=1.5", ACCQ_EMODEL,
     "--set system.accuracy_target=1.5: [system] accuracy_target '1.5' must be in [0, 1]"},
    {"type.small.servers=2.5", ACCQ_EMODEL,
     "--set type.small.servers=2.5: [type small] servers '2.5' must be an integer in [1, "
     "1000000], not a fraction or exponent"},
    {"type.large.accuracy=4.0x", ACCQ_EMODEL,
     "--set type.large.accuracy=4.0x: [type large] accuracy '4.0x' is not a number (trailing "
     "text 'x')"},
    {"type.small.rate=1e309", ACCQ_EMODEL,
     "--set type.small.rate=1e309: [type small] rate '1e309' is out of the range of a double"},
    {"system.scale=6000000", ACCQ_EMODEL,
     "--set system.scale=6000000: [system] scale '6000000' must be an integer in [1, 1000000]"},
    {"system.name=a ;b", ACCQ_EMODEL,
     "--set system.name=a ;b: [system] name 'a ;b' contains ' ;', which starts a comment in a "
     "model file"},
};

START_TEST(test_set_refusals) {
  for (int i = 0; i < (int)(sizeof bad_sets / sizeof bad_sets[0]); i++) {
    accq_model_t m;
    accq_err_t err;
    const char *arg = bad_sets[i].arg;
    int st = load_with(&m, &arg, 1, &err);
    ck_assert_msg(st == bad_sets[i].status, "%s: status %d, want %d (%s)", arg, st,
                  bad_sets[i].status, err.msg);
    ck_assert_str_eq(err.msg, bad_sets[i].msg);
  }
  /* the file is checked before the overrides */
  const char *arg = "system.arrival_rate=2";
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_parse_string(&m, TYA_RATE("0"), "t.ini", &arg, 1, &err),
                   ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "t.ini:6: [type a] rate '0' must be > 0");
  /* a cross-field limit, caught by re-validating the whole model after each override;
   * the message names both values and the limit */
  const char *two[] = {"type.small.servers=1000", "system.scale=100000"};
  ck_assert_int_eq(load_with(&m, two, 2, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "--set system.scale=100000: [type small] servers * scale = 1000 * "
                            "100000 = 100000000 exceeds the limit of 10000000 servers per type");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* accq_model_validate on models built in memory (as other modules do). */

START_TEST(test_validate) {
  accq_model_t d, m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_default(&d, &err), 0);
  ck_assert_int_eq(accq_model_validate(&d, &err), 0);
  m = d, m.types[0].rate = NAN;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "[type small] rate nan must be > 0");
  m = d, m.types[1].rate = 5e9;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "[type large] rate 5000000000 must be in [1e-09, 1e+09] (the model's "
                            "magnitude limits)");
  m = d, m.types[0].accuracy = 1.0000000000000002;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "[type small] accuracy 1.0000000000000002 must be in [0, 1]");
  m = d, m.types[0].servers = 0;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "[type small] servers 0 must be an integer in [1, 1000000]");
  m = d, m.arrival_rate = INFINITY;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "[system] arrival_rate inf must be in [1e-09, 1e+12] (the model's "
                            "magnitude limits)");
  m = d, m.accuracy_target = -0.25;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "[system] accuracy_target -0.25 must be in [0, 1]");
  m = d, m.scale = 0;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  m = d, m.buffer = -1;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  m = d, m.ntypes = 0;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  m = d, m.ntypes = ACCQ_MAX_TYPES + 1;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "33 types: more than the limit of 32 types");
  m = d, strcpy(m.types[1].name, "small");
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "duplicate type 'small'");
  m = d, m.types[0].service.kind = ACCQ_SERVICE_HYPEREXP, m.types[0].service.param = 0.5;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  /* load mode: Lambda unresolved (NaN) or resolved (> 0) is fine, negative is not */
  m = d, m.lambda_mode = ACCQ_LAMBDA_LOAD, m.load = 0.5, m.arrival_rate = NAN;
  ck_assert_int_eq(accq_model_validate(&m, &err), 0);
  m.arrival_rate = 0.75;
  ck_assert_int_eq(accq_model_validate(&m, &err), 0);
  m.arrival_rate = -1;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  m = d, m.lambda_mode = ACCQ_LAMBDA_LOAD, m.load = 0;
  ck_assert_int_eq(accq_model_validate(&m, &err), ACCQ_EMODEL);
  ck_assert_str_eq(err.msg, "[system] load 0 must be > 0");
}
END_TEST

START_TEST(test_format) {
  accq_model_t m;
  accq_err_t err;
  ck_assert_int_eq(accq_model_default(&m, &err), 0);
  /* snprintf semantics: the length it needs, whatever the buffer */
  int need = accq_model_format(&m, NULL, 0);
  ck_assert_int_gt(need, 50);
  char small[20];
  ck_assert_int_eq(accq_model_format(&m, small, sizeof small), need);
  ck_assert_uint_eq(strlen(small), sizeof small - 1);
  char *full = malloc((size_t)need + 1);
  ck_assert_int_eq(accq_model_format(&m, full, need + 1), need);
  ck_assert_uint_eq(strlen(full), (size_t)need);
  ck_assert(strstr(full, "\n[type large]\nservers = 1\nrate = 1\naccuracy = 0.9\n") != NULL);
  free(full);
  /* values that need all 17 digits survive, and so do load mode and every service */
  m.arrival_rate = 0.1 + 0.2;
  m.types[0].rate = 1.0 / 3.0;
  m.types[0].service.kind = ACCQ_SERVICE_LOGNORMAL;
  m.types[0].service.param = 2.0 / 3.0;
  m.buffer = 17;
  m.scale = 8;
  assert_round_trip(&m);
  ck_assert_int_eq(accq_model_set(&m, "system.load=0.123456789", &err), 0);
  assert_round_trip(&m);
}
END_TEST
int main(void) {
  Suite *s = suite_create("model");
  TCase *tc = tcase_create("bundled");
  tcase_add_test(tc, test_bundled_models_parse);
  tcase_add_test(tc, test_two_tier_values);
  tcase_add_test(tc, test_bundled_models_show_their_point);
  tcase_add_test(tc, test_default_is_two_tier);
  suite_add_tcase(s, tc);
  tc = tcase_create("refusals");
  tcase_add_test(tc, test_refusals_from_string);
  tcase_add_test(tc, test_refusals_from_file);
  tcase_add_test(tc, test_too_many_types);
  tcase_add_test(tc, test_file_errors);
  tcase_add_test(tc, test_binary_garbage);
  tcase_add_test(tc, test_mutations);
  suite_add_tcase(s, tc);
  tc = tcase_create("accepted");
  tcase_add_test(tc, test_syntax_accepted);
  tcase_add_test(tc, test_values_accepted);
  tcase_add_test(tc, test_validate);
  tcase_add_test(tc, test_format);
  suite_add_tcase(s, tc);
  tc = tcase_create("set");
  tcase_add_test(tc, test_set_overrides);
  tcase_add_test(tc, test_set_refusals);
  suite_add_tcase(s, tc);
  return accq_run_suite(s);
}
