/* Fuzz target for the model parser: accq_model_parse_string with --set
 * overrides, then accq_model_set on the parsed model, and the round trip
 * accq_model_format -> parse (a valid model must read back as the same model).
 *
 * Input layout: the INI text up to the first NUL byte; after it, up to 16
 * NUL-separated override strings ("section.key=value").  A property that fails
 * calls abort(), which libFuzzer and the replay driver report as a crash. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/model.h"

#define MAX_SETS 16

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_model: %s: %s\n", what, detail);
  abort();
}

static int same_double(double a, double b) {
  return (isnan(a) && isnan(b)) || a == b;
}

/* The fields a model file carries (not `file` or the line numbers). */
static int same_model(const accq_model_t *a, const accq_model_t *b) {
  if (strcmp(a->name, b->name) || a->lambda_mode != b->lambda_mode ||
      !same_double(a->arrival_rate, b->arrival_rate) || !same_double(a->load, b->load) ||
      !same_double(a->accuracy_target, b->accuracy_target) || a->buffer != b->buffer ||
      a->scale != b->scale || a->ntypes != b->ntypes)
    return 0;
  for (int k = 0; k < a->ntypes; k++) {
    const accq_type_t *s = &a->types[k], *t = &b->types[k];
    if (strcmp(s->name, t->name) || s->servers != t->servers || s->rate != t->rate ||
        s->accuracy != t->accuracy || s->service.kind != t->service.kind ||
        !same_double(s->service.param, t->service.param))
      return 0;
  }
  return 1;
}

static void check_error(int st, const accq_err_t *err, const char *where) {
  if (st != ACCQ_EMODEL && st != ACCQ_EUSAGE && st != ACCQ_EIO)
    fail(where, "unexpected status");
  if (err->status != st) fail(where, "err->status differs from the returned status");
  if (!memchr(err->msg, '\0', sizeof err->msg)) fail(where, "message not terminated");
  if (!err->msg[0]) fail(where, "empty message");
}

static void check_valid(const accq_model_t *m, const char *where) {
  accq_err_t err;
  if (accq_model_validate(m, &err)) fail(where, err.msg);
  /* round trip through the writer */
  int len = accq_model_format(m, NULL, 0);
  if (len < 0) fail(where, "accq_model_format failed");
  char *text = malloc((size_t)len + 1);
  if (!text) return;
  if (accq_model_format(m, text, len + 1) != len) fail(where, "format length changed");
  accq_model_t back;
  if (accq_model_parse_string(&back, text, "<roundtrip>", NULL, 0, &err)) {
    fprintf(stderr, "---\n%s---\n", text);
    fail("formatted model does not parse back", err.msg);
  }
  if (!same_model(m, &back)) {
    fprintf(stderr, "---\n%s---\n", text);
    fail(where, "formatted model parses back to a different model");
  }
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65536) return 0;
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  const char *sets[MAX_SETS] = {0};
  int nsets = 0;
  size_t pos = strlen(buf) + 1;
  while (pos < size && nsets < MAX_SETS) {
    sets[nsets++] = buf + pos;
    pos += strlen(buf + pos) + 1;
  }
  accq_model_t m;
  accq_err_t err;
  int st = accq_model_parse_string(&m, buf, "<fuzz>", sets, nsets, &err);
  if (st) {
    check_error(st, &err, "accq_model_parse_string");
  } else {
    check_valid(&m, "parsed model");
    for (int i = 0; i < nsets; i++) {
      accq_model_t copy = m;
      st = accq_model_set(&copy, sets[i], &err);
      if (st) {
        check_error(st, &err, "accq_model_set");
        if (memcmp(&copy, &m, sizeof m)) fail("accq_model_set", "failed set changed the model");
      } else {
        check_valid(&copy, "model after accq_model_set");
      }
    }
  }
  /* the same overrides on the embedded default model */
  if (accq_model_default(&m, &err)) fail("accq_model_default", err.msg);
  for (int i = 0; i < nsets; i++) {
    accq_model_t copy = m;
    st = accq_model_set(&copy, sets[i], &err);
    if (st)
      check_error(st, &err, "accq_model_set on the default model");
    else
      check_valid(&copy, "default model after accq_model_set");
  }
  free(buf);
  return 0;
}
