/* Dispatch policies of docs/policies.md.
 *
 * Every rule reads only the per-type occupancy count[k][q] and the policy's own
 * constants (rates, accuracies, pairs, LP split).  Scores that differ by at most
 * 1e-12 relative are ties.  Routes with level ACCQ_LEVEL_ANY stand for "a
 * uniformly random server of type k" so that the simulator stays O(1) per
 * arrival while the chain expands them per level.
 */
#include "accq/fmt.h"
#include "accq/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCQ_TIE_REL 1e-12

struct accq_policy {
  accq_policy_kind_t kind;
  char name[48];
  int ntypes;
  double mu[ACCQ_MAX_TYPES];
  double acc[ACCQ_MAX_TYPES];
  double a_star;
  int in_h[ACCQ_MAX_TYPES];      /* a_k >= a* */
  int has_split;
  double split[ACCQ_MAX_TYPES];  /* p_k (rjiq, random-lp) */
  double slack;
  int saturated;                 /* first type the split saturates, or -1 */
  int d;                         /* pod sample size */
  int npairs;
  accq_pair_t pairs[ACCQ_MAX_PAIRS];   /* pop, priority order */
  /* ACCQ_POLICY_TABLE: the caller's rule */
  accq_dispatch_fn custom_fn;
  const void *custom_ctx;
  int custom_max_routes;
  int custom_meets;
};

const char *const accq_policy_names[] = {"rjiq", "pop", "random-lp", "accurate-jiq",
                                          "jiq",  "jfiq", "jsq",      "sed",
                                          "pod"};
const int accq_policy_nnames = (int)(sizeof accq_policy_names / sizeof accq_policy_names[0]);

void accq_policy_options_init(accq_policy_options_t *opt) {
  if (!opt) return;
  opt->slack = 0.0;
  opt->d = 2;
  opt->finite_buffer = 0;
}

/* a is strictly less than b beyond the tie tolerance. */
static int score_less(double a, double b) {
  return a < b && (b - a) > ACCQ_TIE_REL * fmax(fabs(a), fabs(b));
}

static int parse_number_suffix(const char *s, double *v) {
  char *end = NULL;
  if (!*s) return 0;
  *v = strtod(s, &end);
  return end && *end == '\0';
}

static int list_names(char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < accq_policy_nnames; i++) {
    int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", accq_policy_names[i]);
    if (w < 0 || (size_t)w >= size - used) break;
    used += (size_t)w;
  }
  return 0;
}

/* Solves the LP at the model's arrival rate and stores the split. */
static int policy_lp_split(accq_policy_t *p, const accq_model_t *m, double slack,
                           int finite_buffer, accq_err_t *err) {
  accq_lp_problem_t prob;
  accq_lp_result_t *res = NULL;
  int st;
  if (!(m->arrival_rate > 0) || !isfinite(m->arrival_rate))
    return accq_err_set(err, ACCQ_EINVAL,
                        "policy '%s' needs a resolved arrival rate > 0 (got %s)", p->name,
                        ACCQ_FMT(m->arrival_rate));
  st = accq_lp_problem_from_model(&prob, m, slack);
  if (st) return accq_err_set(err, st, "policy '%s': bad slack %g", p->name, slack);
  res = malloc(sizeof *res);
  if (!res) return accq_err_set(err, ACCQ_ENOMEM, "policy '%s': out of memory", p->name);
  st = accq_lp_solve(&prob, res, err);
  if (st) goto cleanup;
  if (res->status == ACCQ_LP_ACCURACY_INFEASIBLE) {
    st = accq_err_set(err, ACCQ_EACCINFEAS,
                      "policy '%s': accuracy target a* = %s exceeds every type's accuracy",
                      p->name, ACCQ_FMT(m->accuracy_target));
    goto cleanup;
  }
  if (res->status == ACCQ_LP_CAPACITY_INFEASIBLE) {
    st = accq_err_set(err, ACCQ_ECAPINFEAS,
                      "policy '%s': arrival rate %s exceeds Lambda_max(a*) = %s%s",
                      p->name, ACCQ_FMT(m->arrival_rate), ACCQ_FMT(res->lambda_max),
                      slack > 0 ? " with the slack on the capacities" : "");
    goto cleanup;
  }
  p->has_split = 1;
  for (int k = 0; k < m->ntypes; k++) p->split[k] = res->x[k] / prob.lambda;
  /* Renormalize the rounding of the LP solution so the split sums to 1. */
  {
    double sum = 0;
    for (int k = 0; k < m->ntypes; k++) {
      if (p->split[k] < 0) p->split[k] = 0;
      sum += p->split[k];
    }
    if (!(sum > 0)) {
      st = accq_err_set(err, ACCQ_ENUMERIC, "policy '%s': LP split sums to %g", p->name, sum);
      goto cleanup;
    }
    for (int k = 0; k < m->ntypes; k++) p->split[k] /= sum;
  }
  p->saturated = -1;
  for (int k = 0; k < m->ntypes && p->saturated < 0; k++) {
    double capk = m->types[k].servers * m->types[k].rate;
    if (res->x[k] >= capk * (1 - 1e-12)) p->saturated = k;
  }
  if (p->kind == ACCQ_POLICY_RJIQ && !finite_buffer) {
    for (int k = 0; k < m->ntypes; k++) {
      double capk = m->types[k].servers * m->types[k].rate;
      if (res->x[k] >= capk * (1 - 1e-12)) {
        st = accq_err_set(err, ACCQ_EUNSTABLE,
                          "policy '%s': the LP split saturates type '%s' (x = %.17g, "
                          "n mu = %.17g: load %.12g on that type); R-JIQ is unstable at "
                          "every size: use a slack, e.g. rjiq:0.05, or an explicit finite "
                          "buffer (a loss system)",
                          p->name, m->types[k].name, res->x[k], capk, res->x[k] / capk);
        goto cleanup;
      }
    }
  }
  st = ACCQ_SUCCESS;
cleanup:
  free(res);
  return st;
}

int accq_policy_alloc(accq_policy_t **pol, const char *spec, const accq_model_t *m,
                      const accq_policy_options_t *opt, accq_err_t *err) {
  accq_policy_options_t defaults;
  accq_policy_t *p = NULL;
  const char *colon;
  char base[32];
  size_t blen;
  double arg = 0;
  int has_arg = 0, st = ACCQ_SUCCESS;

  *pol = NULL;
  if (!opt) {
    accq_policy_options_init(&defaults);
    opt = &defaults;
  }
  if (!spec || !m) return accq_err_set(err, ACCQ_EINVAL, "policy: missing name or model");
  if (m->ntypes < 1 || m->ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "policy '%s': model has %d types", spec, m->ntypes);

  colon = strchr(spec, ':');
  blen = colon ? (size_t)(colon - spec) : strlen(spec);
  if (blen >= sizeof base) blen = sizeof base - 1;
  memcpy(base, spec, blen);
  base[blen] = '\0';
  if (colon) {
    if (!parse_number_suffix(colon + 1, &arg)) {
      return accq_err_set(err, ACCQ_EUSAGE, "policy '%s': '%s' is not a number", spec,
                          colon + 1);
    }
    has_arg = 1;
  }

  p = calloc(1, sizeof *p);
  if (!p) return accq_err_set(err, ACCQ_ENOMEM, "policy '%s': out of memory", spec);
  p->kind = ACCQ_POLICY_COUNT;
  for (int i = 0; i < accq_policy_nnames; i++)
    if (strcmp(base, accq_policy_names[i]) == 0) p->kind = (accq_policy_kind_t)i;
  if (p->kind == ACCQ_POLICY_COUNT) {
    char names[256];
    list_names(names, sizeof names);
    st = accq_err_set(err, ACCQ_EUSAGE, "unknown policy '%s' (valid: %s, pod:D, rjiq:E)",
                      spec, names);
    goto cleanup;
  }
  if (has_arg && p->kind != ACCQ_POLICY_RJIQ && p->kind != ACCQ_POLICY_POD) {
    st = accq_err_set(err, ACCQ_EUSAGE,
                      "policy '%s': only rjiq:E (slack) and pod:D take an argument", spec);
    goto cleanup;
  }
  p->ntypes = m->ntypes;
  p->a_star = m->accuracy_target;
  for (int k = 0; k < m->ntypes; k++) {
    p->mu[k] = m->types[k].rate;
    p->acc[k] = m->types[k].accuracy;
    p->in_h[k] = m->types[k].accuracy >= m->accuracy_target;
    if (!(p->mu[k] > 0) || !isfinite(p->mu[k])) {
      st = accq_err_set(err, ACCQ_EINVAL, "policy '%s': rate of type '%s' must be > 0 (got %g)",
                        spec, m->types[k].name, p->mu[k]);
      goto cleanup;
    }
  }
  p->slack = opt->slack;
  p->saturated = -1;
  p->d = opt->d;
  if (p->kind == ACCQ_POLICY_RJIQ && has_arg) p->slack = arg;
  if (p->kind == ACCQ_POLICY_POD && has_arg) {
    if (arg != floor(arg) || arg < 1 || arg > 1e6) {
      st = accq_err_set(err, ACCQ_EUSAGE, "policy '%s': D must be an integer >= 1 (got %g)",
                        spec, arg);
      goto cleanup;
    }
    p->d = (int)arg;
  }
  if (p->kind == ACCQ_POLICY_POD && p->d < 1) {
    st = accq_err_set(err, ACCQ_EUSAGE, "policy '%s': D must be >= 1 (got %d)", spec, p->d);
    goto cleanup;
  }
  if (p->kind == ACCQ_POLICY_RJIQ && !(p->slack >= 0 && p->slack < 1)) {
    st = accq_err_set(err, ACCQ_EUSAGE, "policy '%s': slack must be in [0,1) (got %g)", spec,
                      p->slack);
    goto cleanup;
  }

  switch (p->kind) {
  case ACCQ_POLICY_RJIQ:
    if (p->slack > 0)
      snprintf(p->name, sizeof p->name, "rjiq:%g", p->slack);
    else
      snprintf(p->name, sizeof p->name, "rjiq");
    break;
  case ACCQ_POLICY_POD:
    snprintf(p->name, sizeof p->name, "pod:%d", p->d);
    break;
  default:
    snprintf(p->name, sizeof p->name, "%s", accq_policy_names[p->kind]);
  }

  switch (p->kind) {
  case ACCQ_POLICY_RJIQ:
    st = policy_lp_split(p, m, p->slack, opt->finite_buffer, err);
    break;
  case ACCQ_POLICY_RANDOM_LP:
    st = policy_lp_split(p, m, 0.0, opt->finite_buffer, err);
    break;
  case ACCQ_POLICY_POP: {
    /* The pairs depend only on rates, accuracies and a*: build the LP problem
     * from a copy whose arrival rate is a fixed placeholder, so POP provably
     * never sees the model's Lambda. */
    accq_model_t blind = *m;
    accq_lp_problem_t prob;
    blind.lambda_mode = ACCQ_LAMBDA_RATE;
    blind.arrival_rate = 1.0;
    st = accq_lp_problem_from_model(&prob, &blind, 0.0);
    if (st) {
      st = accq_err_set(err, st, "policy '%s': cannot form the pairs", spec);
      break;
    }
    p->npairs = accq_lp_pairs(&prob, p->pairs);
    if (p->npairs <= 0)
      st = accq_err_set(err, ACCQ_EACCINFEAS,
                        "policy '%s': no type reaches the accuracy target a* = %s", spec,
                        ACCQ_FMT(m->accuracy_target));
    break;
  }
  case ACCQ_POLICY_ACCURATE_JIQ: {
    int any = 0;
    for (int k = 0; k < m->ntypes; k++) any |= p->in_h[k];
    if (!any)
      st = accq_err_set(err, ACCQ_EACCINFEAS,
                        "policy '%s': no type reaches the accuracy target a* = %s", spec,
                        ACCQ_FMT(m->accuracy_target));
    break;
  }
  default:
    break;
  }
  if (st) goto cleanup;
  *pol = p;
  return ACCQ_SUCCESS;
cleanup:
  free(p);
  return st;
}

void accq_policy_free(accq_policy_t *pol) { free(pol); }

const char *accq_policy_name(const accq_policy_t *pol) { return pol->name; }
accq_policy_kind_t accq_policy_kind(const accq_policy_t *pol) { return pol->kind; }

int accq_policy_meets_target(const accq_policy_t *pol) {
  switch (pol->kind) {
  case ACCQ_POLICY_TABLE:
    return pol->custom_meets;
  case ACCQ_POLICY_RJIQ:
  case ACCQ_POLICY_POP:
  case ACCQ_POLICY_RANDOM_LP:
  case ACCQ_POLICY_ACCURATE_JIQ:
    return 1;
  default:
    return 0;
  }
}

int accq_policy_knows_lambda(const accq_policy_t *pol) {
  return pol->kind == ACCQ_POLICY_RJIQ || pol->kind == ACCQ_POLICY_RANDOM_LP;
}

const double *accq_policy_split(const accq_policy_t *pol) {
  return pol->has_split ? pol->split : NULL;
}

int accq_policy_uses_type(const accq_policy_t *pol, int k) {
  if (k < 0 || k >= pol->ntypes) return 0;
  switch (pol->kind) {
  case ACCQ_POLICY_RJIQ:
  case ACCQ_POLICY_RANDOM_LP:
    return pol->split[k] > 0;
  case ACCQ_POLICY_ACCURATE_JIQ:
    return pol->in_h[k];
  case ACCQ_POLICY_POP:
    /* rule_pop emits (h, w) and (l, 1 - w) only, and emit() drops zero
     * probabilities */
    for (int i = 0; i < pol->npairs; i++) {
      const accq_pair_t *pr = &pol->pairs[i];
      if (pr->h == k && pr->w > 0) return 1;
      if (pr->l == k && pr->l >= 0 && 1 - pr->w > 0) return 1;
    }
    return 0;
  default:
    return 1;
  }
}

int accq_policy_saturated_type(const accq_policy_t *pol) {
  return pol->has_split ? pol->saturated : -1;
}

int accq_policy_max_routes(const accq_policy_t *pol, const accq_occ_t *occ) {
  if (pol->kind == ACCQ_POLICY_TABLE) return pol->custom_max_routes;
  int n = 2 * occ->ntypes + 2;
  if (pol->kind == ACCQ_POLICY_POD)
    for (int k = 0; k < occ->ntypes; k++) n += occ->top[k] + 1;
  return n;
}

/* ---- the rules ---- */

typedef struct {
  accq_route_t *r;
  int cap, n;
} route_buf_t;

static int emit(route_buf_t *b, int type, int level, double prob) {
  if (!(prob > 0)) return ACCQ_SUCCESS;
  if (b->n >= b->cap) return ACCQ_ERANGE;
  b->r[b->n].type = type;
  b->r[b->n].level = level;
  b->r[b->n].prob = prob;
  b->n++;
  return ACCQ_SUCCESS;
}

static int qmin_of(const accq_occ_t *occ, int k) {
  for (int q = 0; q <= occ->top[k]; q++)
    if (occ->count[k][q] > 0) return q;
  return occ->top[k]; /* unreachable for servers[k] >= 1 */
}

/* JIQ over the types with mask[k] != 0 (all types when mask is NULL). */
static int rule_jiq(const accq_occ_t *occ, const int *mask, route_buf_t *b) {
  double idle = 0, all = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    if (mask && !mask[k]) continue;
    idle += occ->count[k][0];
    all += occ->servers[k];
  }
  for (int k = 0; k < occ->ntypes && !st; k++) {
    if (mask && !mask[k]) continue;
    if (idle > 0)
      st = emit(b, k, 0, occ->count[k][0] / idle);
    else
      st = emit(b, k, ACCQ_LEVEL_ANY, occ->servers[k] / all);
  }
  return st;
}

static int rule_sed(const accq_policy_t *p, const accq_occ_t *occ, route_buf_t *b) {
  int qmin[ACCQ_MAX_TYPES];
  double best = INFINITY, tied = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    qmin[k] = qmin_of(occ, k);
    double s = (qmin[k] + 1) / p->mu[k];
    if (s < best) best = s;
  }
  for (int k = 0; k < occ->ntypes; k++)
    if (!score_less(best, (qmin[k] + 1) / p->mu[k])) tied += occ->count[k][qmin[k]];
  for (int k = 0; k < occ->ntypes && !st; k++)
    if (!score_less(best, (qmin[k] + 1) / p->mu[k]))
      st = emit(b, k, qmin[k], occ->count[k][qmin[k]] / tied);
  return st;
}

static int rule_jfiq(const accq_policy_t *p, const accq_occ_t *occ, route_buf_t *b) {
  double fastest = -1, tied = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++)
    if (occ->count[k][0] > 0 && p->mu[k] > fastest) fastest = p->mu[k];
  if (fastest < 0) return rule_sed(p, occ, b);
  for (int k = 0; k < occ->ntypes; k++)
    if (occ->count[k][0] > 0 && !score_less(p->mu[k], fastest)) tied += occ->count[k][0];
  for (int k = 0; k < occ->ntypes && !st; k++)
    if (occ->count[k][0] > 0 && !score_less(p->mu[k], fastest))
      st = emit(b, k, 0, occ->count[k][0] / tied);
  return st;
}

static int rule_jsq(const accq_occ_t *occ, route_buf_t *b) {
  int qbest = -1;
  double tied = 0;
  int st = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    int q = qmin_of(occ, k);
    if (qbest < 0 || q < qbest) qbest = q;
  }
  for (int k = 0; k < occ->ntypes; k++)
    if (qbest <= occ->top[k]) tied += occ->count[k][qbest];
  for (int k = 0; k < occ->ntypes && !st; k++)
    if (qbest <= occ->top[k] && occ->count[k][qbest] > 0)
      st = emit(b, k, qbest, occ->count[k][qbest] / tied);
  return st;
}

/* pod:D: the sampled minimum is at level q with probability
 * (N_{>=q}/N)^D - (N_{>=q+1}/N)^D (D draws with replacement), and the chosen
 * server is then uniform among the servers at level q, i.e. type k with
 * probability c_k[q] / C[q]. */
static int rule_pod(const accq_policy_t *p, const accq_occ_t *occ, route_buf_t *b) {
  int top = 0, st = 0;
  double n = 0;
  for (int k = 0; k < occ->ntypes; k++) {
    n += occ->servers[k];
    if (occ->top[k] > top) top = occ->top[k];
  }
  double above = n; /* N_{>=q} */
  for (int q = 0; q <= top && above > 0 && !st; q++) {
    double atq = 0;
    for (int k = 0; k < occ->ntypes; k++)
      if (q <= occ->top[k]) atq += occ->count[k][q];
    if (atq <= 0) continue;
    double next = above - atq;
    double pq = pow(above / n, p->d) - pow(next / n, p->d);
    for (int k = 0; k < occ->ntypes && !st; k++)
      if (q <= occ->top[k] && occ->count[k][q] > 0)
        st = emit(b, k, q, pq * occ->count[k][q] / atq);
    above = next;
  }
  return st;
}

static int rule_pop(const accq_policy_t *p, const accq_occ_t *occ, route_buf_t *b) {
  int qmin[ACCQ_MAX_TYPES];
  int st = 0;
  for (int i = 0; i < p->npairs; i++) {
    const accq_pair_t *pr = &p->pairs[i];
    if (occ->count[pr->h][0] <= 0) continue;
    if (pr->l >= 0 && pr->w < 1 && occ->count[pr->l][0] <= 0) continue;
    st = emit(b, pr->h, 0, pr->w);
    if (!st && pr->l >= 0) st = emit(b, pr->l, 0, 1 - pr->w);
    return st;
  }
  for (int k = 0; k < occ->ntypes; k++) qmin[k] = qmin_of(occ, k);
  int best = -1;
  double best_score = INFINITY;
  for (int i = 0; i < p->npairs; i++) {
    const accq_pair_t *pr = &p->pairs[i];
    double s = pr->w * (qmin[pr->h] + 1) / p->mu[pr->h];
    if (pr->l >= 0) s += (1 - pr->w) * (qmin[pr->l] + 1) / p->mu[pr->l];
    /* strictly better beyond the tie tolerance: ties keep the earlier pair */
    if (best < 0 || score_less(s, best_score)) {
      best = i;
      best_score = s;
    }
  }
  const accq_pair_t *pr = &p->pairs[best];
  st = emit(b, pr->h, qmin[pr->h], pr->w);
  if (!st && pr->l >= 0) st = emit(b, pr->l, qmin[pr->l], 1 - pr->w);
  return st;
}

static int rule_split(const accq_policy_t *p, const accq_occ_t *occ, int join_idle,
                      route_buf_t *b) {
  int st = 0;
  for (int k = 0; k < occ->ntypes && !st; k++) {
    if (!(p->split[k] > 0)) continue;
    if (join_idle && occ->count[k][0] > 0)
      st = emit(b, k, 0, p->split[k]);
    else
      st = emit(b, k, ACCQ_LEVEL_ANY, p->split[k]);
  }
  return st;
}

int accq_policy_dispatch(const accq_policy_t *pol, const accq_occ_t *occ,
                         accq_route_t *routes, int cap, int *nroutes) {
  route_buf_t b = {routes, cap, 0};
  int st;
  switch (pol->kind) {
  case ACCQ_POLICY_RJIQ:
    st = rule_split(pol, occ, 1, &b);
    break;
  case ACCQ_POLICY_RANDOM_LP:
    st = rule_split(pol, occ, 0, &b);
    break;
  case ACCQ_POLICY_POP:
    st = rule_pop(pol, occ, &b);
    break;
  case ACCQ_POLICY_ACCURATE_JIQ:
    st = rule_jiq(occ, pol->in_h, &b);
    break;
  case ACCQ_POLICY_JIQ:
    st = rule_jiq(occ, NULL, &b);
    break;
  case ACCQ_POLICY_JFIQ:
    st = rule_jfiq(pol, occ, &b);
    break;
  case ACCQ_POLICY_JSQ:
    st = rule_jsq(occ, &b);
    break;
  case ACCQ_POLICY_SED:
    st = rule_sed(pol, occ, &b);
    break;
  case ACCQ_POLICY_POD:
    st = rule_pod(pol, occ, &b);
    break;
  case ACCQ_POLICY_TABLE:
    return pol->custom_fn(pol->custom_ctx, occ, routes, cap, nroutes);
  default:
    st = ACCQ_EINVAL;
  }
  *nroutes = b.n;
  return st;
}

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
