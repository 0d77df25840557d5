/* The policy object: alloc by spec through the registry, the accessors, and
 * the one dispatch entry used by the chain engine and the simulator. */
#include "policy/policy_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void accq_policy_options_init(accq_policy_options_t *opt) {
  if (!opt) return;
  opt->slack = 0.0;
  opt->d = 2;
  opt->finite_buffer = 0;
}

int accq_i_policy_parse_number(const char *s, double *v) {
  char *end = NULL;
  if (!*s) return 0;
  *v = strtod(s, &end);
  return end && *end == '\0';
}

/* "only rjiq:E (slack) and pod:D take an argument"-style list. */
static void list_arg_forms(char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < accq_policy_type_count(); i++) {
    const accq_policy_type_t *t = accq_policy_type_get(i);
    if (!t->arg) continue;
    int w = snprintf(buf + used, size - used, "%s%s:%s", used ? ", " : "", t->name, t->arg);
    if (w < 0 || (size_t)w >= size - used) break;
    used += (size_t)w;
  }
}

/* The model's data every rule may read, checked. */
static int fill_common(accq_policy_t *p, const char *spec, const accq_model_t *m,
                       const accq_policy_options_t *opt, accq_err_t *err) {
  p->ntypes = m->ntypes;
  p->a_star = m->accuracy_target;
  for (int k = 0; k < m->ntypes; k++) {
    p->mu[k] = m->types[k].rate;
    p->acc[k] = m->types[k].accuracy;
    p->in_h[k] = m->types[k].accuracy >= m->accuracy_target;
    if (!(p->mu[k] > 0) || !isfinite(p->mu[k]))
      return accq_err_set(err, ACCQ_EINVAL, "policy '%s': rate of type '%s' must be > 0 (got %g)",
                          spec, m->types[k].name, p->mu[k]);
  }
  p->slack = opt->slack;
  p->saturated = -1;
  p->d = opt->d;
  return ACCQ_SUCCESS;
}

int accq_policy_alloc(accq_policy_t **pol, const char *spec, const accq_model_t *m,
                      const accq_policy_options_t *opt, accq_err_t *err) {
  accq_policy_options_t defaults;
  double arg = 0;
  int has_arg = 0, st;

  *pol = NULL;
  if (!opt) {
    accq_policy_options_init(&defaults);
    opt = &defaults;
  }
  if (!spec || !m) return accq_err_set(err, ACCQ_EINVAL, "policy: missing name or model");
  /* rjiq:est=ewma:TAU[:E] is rjiq with an online estimate of Lambda (rjiq_est.c) */
  if (strncmp(spec, "rjiq:est", 8) == 0) return accq_i_policy_rjiq_est_alloc(pol, spec, m, opt, err);
  if (m->ntypes < 1 || m->ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "policy '%s': model has %d types", spec, m->ntypes);
  const char *colon = strchr(spec, ':');
  if (colon) {
    if (!accq_i_policy_parse_number(colon + 1, &arg))
      return accq_err_set(err, ACCQ_EUSAGE, "policy '%s': '%s' is not a number", spec, colon + 1);
    has_arg = 1;
  }
  const accq_policy_type_t *type = accq_policy_type_find(spec);
  char forms[256];
  if (!type) {
    char names[512];
    accq_policy_type_list(names, sizeof names);
    return accq_err_set(err, ACCQ_EUSAGE, "unknown policy '%s' (valid: %s)", spec, names);
  }
  if (has_arg && !type->arg) {
    list_arg_forms(forms, sizeof forms);
    return accq_err_set(err, ACCQ_EUSAGE, "policy '%s': only %s take an argument", spec, forms);
  }
  accq_policy_t *p = calloc(1, sizeof *p);
  if (!p) return accq_err_set(err, ACCQ_ENOMEM, "policy '%s': out of memory", spec);
  p->type = type;
  p->kind = accq_i_policy_type_kind(type);
  /* the canonical name: the base name, or the spec for a registered type with an
   * argument; a built-in init rewrites it ("pod:2", "rjiq:0.05") */
  snprintf(p->name, sizeof p->name, "%s", p->kind == ACCQ_POLICY_EXTERNAL ? spec : type->name);
  st = fill_common(p, spec, m, opt, err);
  if (!st) st = type->init(p, spec, m, opt, has_arg, arg, err);
  if (st) {
    accq_policy_free(p);
    return st;
  }
  *pol = p;
  return ACCQ_SUCCESS;
}

/* A copy of the object itself: a registered type's private state (data, freed
 * by its fini) cannot be shared by two policies, so such a policy is refused. */
int accq_policy_clone(const accq_policy_t *src, accq_policy_t **dst, accq_err_t *err) {
  *dst = NULL;
  if (src->data)
    return accq_err_set(err, ACCQ_EINVAL,
                        "policy '%s': a policy with private state cannot be copied", src->name);
  *dst = malloc(sizeof **dst);
  if (!*dst) return accq_err_set(err, ACCQ_ENOMEM, "policy '%s': out of memory", src->name);
  **dst = *src;
  return ACCQ_SUCCESS;
}

void accq_policy_free(accq_policy_t *pol) {
  if (!pol) return;
  if (pol->type && pol->type->fini) pol->type->fini(pol);
  free(pol);
}

const char *accq_policy_name(const accq_policy_t *pol) { return pol->name; }
accq_policy_kind_t accq_policy_kind(const accq_policy_t *pol) { return pol->kind; }
const accq_policy_type_t *accq_policy_type(const accq_policy_t *pol) { return pol->type; }

int accq_policy_meets_target(const accq_policy_t *pol) {
  return pol->type ? pol->type->meets_target != 0 : pol->custom_meets;
}
int accq_policy_knows_lambda(const accq_policy_t *pol) {
  return pol->type && pol->type->knows_lambda;
}
int accq_policy_sheds(const accq_policy_t *pol) { return pol->type && pol->type->sheds; }
int accq_policy_accurate_only(const accq_policy_t *pol) {
  return pol->type && pol->type->accurate_only;
}

const double *accq_policy_split(const accq_policy_t *pol) {
  return pol->has_split ? pol->split : NULL;
}

int accq_policy_uses_type(const accq_policy_t *pol, int k) {
  if (k < 0 || k >= pol->ntypes) return 0;
  return pol->type ? pol->type->uses_type(pol, k) : 1;
}

int accq_policy_saturated_type(const accq_policy_t *pol) {
  return pol->has_split ? pol->saturated : -1;
}

int accq_policy_max_routes(const accq_policy_t *pol, const accq_occ_t *occ) {
  return pol->type ? pol->type->max_routes(pol, occ) : pol->custom_max_routes;
}

int accq_policy_dispatch(const accq_policy_t *pol, const accq_occ_t *occ,
                         accq_route_t *routes, int cap, int *nroutes) {
  if (pol->type) return pol->type->dispatch(pol, occ, routes, cap, nroutes);
  return pol->custom_fn(pol->custom_ctx, occ, routes, cap, nroutes);
}

void accq_policy_set_data(accq_policy_t *pol, void *data) { pol->data = data; }
void *accq_policy_data(const accq_policy_t *pol) { return pol->data; }
int accq_policy_ntypes(const accq_policy_t *pol) { return pol->ntypes; }
double accq_policy_rate(const accq_policy_t *pol, int k) {
  return k >= 0 && k < pol->ntypes ? pol->mu[k] : NAN;
}
double accq_policy_accuracy(const accq_policy_t *pol, int k) {
  return k >= 0 && k < pol->ntypes ? pol->acc[k] : NAN;
}
double accq_policy_target(const accq_policy_t *pol) { return pol->a_star; }

int accq_policy_alloc_custom(accq_policy_t **pol, const char *name, const accq_model_t *m,
                             accq_dispatch_fn fn, const void *ctx, int max_routes,
                             int meets_target, accq_err_t *err) {
  *pol = NULL;
  if (!name || !m || !fn || max_routes < 1)
    return accq_err_set(err, ACCQ_EINVAL, "custom policy: missing name, model or rule");
  accq_policy_t *p = calloc(1, sizeof *p);
  if (!p) return accq_err_set(err, ACCQ_ENOMEM, "policy '%s': out of memory", name);
  p->kind = ACCQ_POLICY_TABLE;
  snprintf(p->name, sizeof p->name, "%s", name);
  p->ntypes = m->ntypes;
  for (int k = 0; k < m->ntypes; k++) {
    p->mu[k] = m->types[k].rate;
    p->acc[k] = m->types[k].accuracy;
  }
  p->a_star = m->accuracy_target;
  p->custom_fn = fn;
  p->custom_ctx = ctx;
  p->custom_max_routes = max_routes;
  p->custom_meets = meets_target != 0;
  *pol = p;
  return ACCQ_SUCCESS;
}
