/* The policy registry: the built-in types in docs/policies.md order (one row
 * each; the row's kind is its accq_policy_kind_t), then the types added with
 * accq_policy_register.  Every list of policies (names, `--policy all`,
 * verify's classes, optimal's comparison class, the help, docs/policies.md)
 * is derived from this table. */
#include "policy/policy_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const accq_policy_type_t *type;
  accq_policy_kind_t kind;
} builtin[] = {
    {&accq_i_policy_rjiq, ACCQ_POLICY_RJIQ},
    {&accq_i_policy_pop, ACCQ_POLICY_POP},
    {&accq_i_policy_random_lp, ACCQ_POLICY_RANDOM_LP},
    {&accq_i_policy_accurate_jiq, ACCQ_POLICY_ACCURATE_JIQ},
    {&accq_i_policy_jiq, ACCQ_POLICY_JIQ},
    {&accq_i_policy_jfiq, ACCQ_POLICY_JFIQ},
    {&accq_i_policy_jsq, ACCQ_POLICY_JSQ},
    {&accq_i_policy_sed, ACCQ_POLICY_SED},
    {&accq_i_policy_pod, ACCQ_POLICY_POD},
};
#define NBUILTIN ((int)(sizeof builtin / sizeof builtin[0]))

/* Registered types follow the built-in ones; the name and spec arrays are kept
 * in step so that accq_policy_names stays a plain array of strings. */
static const accq_policy_type_t *extra[ACCQ_POLICY_MAX_TYPES];
static int nextra;
static const char *names[ACCQ_POLICY_MAX_TYPES + NBUILTIN + 1];
static const char *specs[ACCQ_POLICY_MAX_TYPES + NBUILTIN + 1];
static int lists_built;

static void build_lists(void) {
  int n = accq_policy_type_count();
  for (int i = 0; i < n; i++) {
    const accq_policy_type_t *t = accq_policy_type_get(i);
    names[i] = t->name;
    specs[i] = t->default_spec ? t->default_spec : t->name;
  }
  names[n] = specs[n] = NULL;
  lists_built = 1;
}

int accq_policy_type_count(void) { return NBUILTIN + nextra; }

const accq_policy_type_t *accq_policy_type_get(int i) {
  if (i < 0 || i >= NBUILTIN + nextra) return NULL;
  return i < NBUILTIN ? builtin[i].type : extra[i - NBUILTIN];
}

accq_policy_kind_t accq_i_policy_type_kind(const accq_policy_type_t *type) {
  for (int i = 0; i < NBUILTIN; i++)
    if (builtin[i].type == type) return builtin[i].kind;
  return ACCQ_POLICY_EXTERNAL;
}

const accq_policy_type_t *accq_policy_type_find(const char *spec) {
  if (!spec) return NULL;
  size_t len = strcspn(spec, ":");
  for (int i = 0; i < accq_policy_type_count(); i++) {
    const accq_policy_type_t *t = accq_policy_type_get(i);
    if (strlen(t->name) == len && !strncmp(t->name, spec, len)) return t;
  }
  return NULL;
}

const char *const *accq_policy_type_names(void) {
  if (!lists_built) build_lists();
  return names;
}

const char *const *accq_policy_type_specs(void) {
  if (!lists_built) build_lists();
  return specs;
}

int accq_policy_type_check(const accq_policy_type_t *t, accq_err_t *err) {
  if (!t) return accq_err_set(err, ACCQ_EINVAL, "policy type: NULL entry");
  if (!t->name || !*t->name || strlen(t->name) >= 32)
    return accq_err_set(err, ACCQ_EINVAL, "policy type: name missing or longer than 31 characters");
  for (const char *c = t->name; *c; c++)
    if (!(isalnum((unsigned char)*c) || *c == '-'))
      return accq_err_set(err, ACCQ_EINVAL,
                          "policy type '%s': name may hold letters, digits and '-' only",
                          t->name);
  if (!t->summary || !*t->summary)
    return accq_err_set(err, ACCQ_EINVAL, "policy type '%s': empty summary", t->name);
  if (strchr(t->summary, '\n') || strchr(t->summary, '|'))
    return accq_err_set(err, ACCQ_EINVAL,
                        "policy type '%s': the summary must be one line without '|'", t->name);
  if (t->arg && !*t->arg)
    return accq_err_set(err, ACCQ_EINVAL, "policy type '%s': empty argument name", t->name);
  if (t->default_spec && accq_policy_type_find(t->default_spec) != NULL &&
      strncmp(t->default_spec, t->name, strlen(t->name)))
    return accq_err_set(err, ACCQ_EINVAL, "policy type '%s': default spec '%s' names another type",
                        t->name, t->default_spec);
  const char *missing = !t->init         ? "init"
                        : !t->dispatch   ? "dispatch"
                        : !t->max_routes ? "max_routes"
                        : !t->uses_type  ? "uses_type"
                                         : NULL;
  if (missing)
    return accq_err_set(err, ACCQ_EINVAL, "policy type '%s': op %s is NULL", t->name, missing);
  return ACCQ_SUCCESS;
}

int accq_policy_register(const accq_policy_type_t *type, accq_err_t *err) {
  int st = accq_policy_type_check(type, err);
  if (st) return st;
  for (int i = 0; i < accq_policy_type_count(); i++)
    if (!strcmp(accq_policy_type_get(i)->name, type->name))
      return accq_err_set(err, ACCQ_EINVAL, "policy type '%s' is already registered",
                          type->name);
  if (type->product_form)
    /* the per-type solver of the product form knows the within-type rules of
     * rjiq (JIQ) and random-lp (a random server) only */
    return accq_err_set(err, ACCQ_EINVAL,
                        "policy type '%s': product_form is reserved to the built-in types",
                        type->name);
  if (nextra >= ACCQ_POLICY_MAX_TYPES)
    return accq_err_set(err, ACCQ_ERANGE, "policy type '%s': the registry holds %d types at most",
                        type->name, ACCQ_POLICY_MAX_TYPES);
  extra[nextra++] = type;
  lists_built = 0;
  return ACCQ_SUCCESS;
}

int accq_policy_type_list(char *buf, int size) {
  int used = 0, n = accq_policy_type_count();
  if (buf && size > 0) buf[0] = '\0';
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++) {
      const accq_policy_type_t *t = accq_policy_type_get(i);
      if (pass == 1 && !t->arg) continue;
      size_t room = buf && used < size ? (size_t)(size - used) : 0;
      int w = pass == 0 ? snprintf(room ? buf + used : NULL, room, "%s%s", used ? ", " : "",
                                   t->name)
                        : snprintf(room ? buf + used : NULL, room, ", %s:%s", t->name, t->arg);
      if (w < 0) return -1;
      used += w;
    }
  return used;
}

/* Appends to a snprintf-like buffer. */
typedef struct {
  char *buf;
  int size, len;
} text_t;

static void put(text_t *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void put(text_t *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = t->buf && t->len < t->size ? (size_t)(t->size - t->len) : 0;
  int w = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
  va_end(ap);
  if (w > 0) t->len += w;
}

static const char *yes_no(int v) { return v ? "yes" : "no"; }

int accq_policy_type_table(char *buf, int size, int markdown) {
  text_t t = {buf, size, 0};
  if (buf && size > 0) buf[0] = '\0';
  if (markdown) {
    put(&t, "| name | the rule | reads Lambda | meets a* by construction | may lose a job while "
            "another server has room |\n|---|---|---|---|---|\n");
  } else {
    put(&t, "%-16s %-6s %-8s %-5s %s\n", "policy", "Lambda", "meets a*", "sheds", "rule");
  }
  for (int i = 0; i < accq_policy_type_count(); i++) {
    const accq_policy_type_t *ty = accq_policy_type_get(i);
    char name[64];
    if (markdown) {
      if (ty->arg)
        snprintf(name, sizeof name, "`%s`, `%s:%s`", ty->name, ty->name, ty->arg);
      else
        snprintf(name, sizeof name, "`%s`", ty->name);
      put(&t, "| %s | %s | %s | %s | %s |\n", name, ty->summary, yes_no(ty->knows_lambda),
          yes_no(ty->meets_target), yes_no(ty->sheds));
    } else {
      snprintf(name, sizeof name, ty->arg ? "%s[:%s]" : "%s", ty->name, ty->arg);
      put(&t, "%-16s %-6s %-8s %-5s %s\n", name, yes_no(ty->knows_lambda),
          yes_no(ty->meets_target), yes_no(ty->sheds), ty->summary);
    }
  }
  return t.len;
}
