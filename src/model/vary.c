/* The --vary parameters (accq/model.h): one table, read by `lp`, `sweep` and
 * `limit --vary` through accq_model_vary_check / accq_model_vary_apply, and by
 * docs/model.md.  A value is applied with accq_model_set, so it is checked by
 * the same setter as in a model file, and a load is re-resolved at once. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/model.h"

static const accq_model_vary_param_t params[] = {
    {"arrival_rate", "system.arrival_rate", 0, "Lambda per unit scale (alias: lambda)"},
    {"load", "system.load", 0, "Lambda as a fraction of Lambda_max(a*)"},
    {"accuracy_target", "system.accuracy_target", 0, "the accuracy target a*"},
    {"scale", "system.scale", 1, "the system size m (whole numbers)"},
    {"buffer", "system.buffer", 1, "the per-server buffer B of the chains (whole numbers)"},
    {"type.NAME.servers", "servers", 1, "n_k of type NAME (whole numbers)"},
    {"type.NAME.rate", "rate", 0, "mu_k of type NAME"},
    {"type.NAME.accuracy", "accuracy", 0, "a_k of type NAME"},
};
#define NPARAMS ((int)(sizeof params / sizeof params[0]))

int accq_model_vary_count(void) { return NPARAMS; }

const accq_model_vary_param_t *accq_model_vary_get(int i) {
  return i >= 0 && i < NPARAMS ? &params[i] : NULL;
}

/* The entry of `param` (type.X.FIELD matches type.NAME.FIELD), or NULL. */
static const accq_model_vary_param_t *find(const char *param, const char **type_name,
                                           size_t *type_len) {
  /* "system.KEY" is KEY, as in --set; "lambda" is arrival_rate */
  if (!strncmp(param, "system.", 7)) param += 7;
  const char *name = !strcmp(param, "lambda") ? "arrival_rate" : param;
  *type_name = NULL;
  *type_len = 0;
  if (!strncmp(name, "type.", 5)) {
    const char *dot = strrchr(name + 5, '.');
    if (!dot || dot == name + 5) return NULL;
    *type_name = name + 5;
    *type_len = (size_t)(dot - (name + 5));
    for (int i = 0; i < NPARAMS; i++)
      if (!strncmp(params[i].name, "type.NAME.", 10) && !strcmp(params[i].name + 10, dot + 1))
        return &params[i];
    return NULL;
  }
  for (int i = 0; i < NPARAMS; i++)
    if (!strcmp(params[i].name, name)) return &params[i];
  return NULL;
}

static void valid_list(char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < NPARAMS; i++) {
    int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", params[i].name);
    if (w < 0 || (size_t)w >= size - used) break;
    used += (size_t)w;
  }
}

int accq_model_vary_check(const accq_model_t *m, const char *param, char *key, int size,
                          accq_err_t *err) {
  const char *tname;
  size_t tlen;
  char valid[256];
  if (!m || !param) return accq_err_set(err, ACCQ_EINVAL, "--vary: no model or parameter");
  const accq_model_vary_param_t *p = find(param, &tname, &tlen);
  if (!p) {
    valid_list(valid, sizeof valid);
    return accq_err_set(err, ACCQ_EUSAGE,
                        "--vary: unknown parameter '%.80s' (valid: %s, with NAME a type of the "
                        "model; lambda is arrival_rate; system.KEY is KEY)",
                        param, valid);
  }
  if (tname) {
    char name[ACCQ_NAME_MAX];
    if (tlen >= sizeof name || (snprintf(name, sizeof name, "%.*s", (int)tlen, tname),
                                accq_model_type_index(m, name) < 0))
      return accq_err_set(err, ACCQ_EUSAGE, "--vary %.80s: the model has no type '%.*s'", param,
                          (int)(tlen < 64 ? tlen : 64), tname);
    if (key && size > 0) snprintf(key, (size_t)size, "type.%s.%s", name, p->key);
  } else if (key && size > 0) {
    snprintf(key, (size_t)size, "%s", p->key);
  }
  return ACCQ_SUCCESS;
}

int accq_model_vary_apply(accq_model_t *m, const char *param, double value, accq_err_t *err) {
  char key[ACCQ_NAME_MAX + 32], assign[ACCQ_NAME_MAX + 96];
  const char *tname;
  size_t tlen;
  int st = accq_model_vary_check(m, param, key, (int)sizeof key, err);
  if (st) return st;
  const accq_model_vary_param_t *p = find(param, &tname, &tlen);
  if (p->integer) {
    if (!(value == floor(value)) || value < 1 || value > ACCQ_MODEL_INT_MAX)
      return accq_err_set(err, ACCQ_EUSAGE,
                          "--vary %.80s: %s takes whole numbers from 1 to %d (got %.17g)", param,
                          p->name, ACCQ_MODEL_INT_MAX, value);
    snprintf(assign, sizeof assign, "%s=%.0f", key, value);
  } else {
    /* %.17g reads back to the same double */
    snprintf(assign, sizeof assign, "%s=%.17g", key, value);
  }
  return accq_model_set(m, assign, err);
}
