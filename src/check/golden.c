/* Golden files (accq/check.h): exact reference values of the lumped chains
 * for external simulators, computed entry by entry and rendered as a report
 * (JSON through the report module). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"
#include "accq/dist.h"

/* Levels with a smaller exact fraction are left out (they test nothing a
 * simulation could resolve, and keep files small at large B). */
#define LEVEL_MIN 1e-12

void accq_check_golden_options_init(accq_check_golden_options_t *opt) {
  memset(opt, 0, sizeof *opt);
}

static const char *status_word(int st) {
  switch (st) {
  case ACCQ_EUNSTABLE: return "unstable";
  case ACCQ_EACCINFEAS:
  case ACCQ_ECAPINFEAS: return "infeasible";
  case ACCQ_ETOOBIG: return "too_large";
  default: return "not_converged";
  }
}

/* Statuses that make an entry "not a reference" rather than the whole file fail. */
static int no_reference(int st) {
  return st == ACCQ_EUNSTABLE || st == ACCQ_EACCINFEAS || st == ACCQ_ECAPINFEAS ||
         st == ACCQ_ETOOBIG || st == ACCQ_ENOCONV || st == ACCQ_ERANGE;
}

/* Appends one measure to an entry (capacity managed by the caller's count). */
static int add_measure(accq_check_golden_entry_t *e, int *cap, const char *name, double v) {
  if (e->nmeasures == *cap) {
    int nc = *cap ? 2 * *cap : 64;
    accq_check_golden_measure_t *x = realloc(e->measures, (size_t)nc * sizeof *x);
    if (!x) return -1;
    e->measures = x;
    *cap = nc;
  }
  if (!(e->measures[e->nmeasures].name = strdup(name))) return -1;
  e->measures[e->nmeasures++].value = v;
  return 0;
}

/* The measures of a reference entry, in the file's order: the measure table,
 * gap, correctness, frac_below.pXX, p_wait.TYPE, level.TYPE.Q. */
static int fill_measures(accq_check_golden_entry_t *e, const accq_model_t *m,
                         const accq_analysis_t *an, const double *level, const double *pw) {
  char name[ACCQ_NAME_MAX + 48];
  int cap = 0, bad = 0;
  for (int j = 0; j < accq_check_measure_count(m->ntypes); j++)
    bad |= add_measure(e, &cap, accq_check_measure_name(m, j, name, (int)sizeof name),
                       accq_check_measure_exact(&an->m, m->ntypes, j));
  bad |= add_measure(e, &cap, "gap", an->m.gap);
  bad |= add_measure(e, &cap, "correctness", an->m.accuracy);
  static const char *const pct[4] = {"p50", "p90", "p95", "p99"};
  static const double frac[4] = {0.5, 0.9, 0.95, 0.99};
  for (int j = 0; j < 4; j++) {
    snprintf(name, sizeof name, "frac_below.%s", pct[j]);
    bad |= add_measure(e, &cap, name, frac[j]);
  }
  for (int k = 0; k < m->ntypes; k++) {
    snprintf(name, sizeof name, "p_wait.%s", m->types[k].name);
    bad |= add_measure(e, &cap, name, pw[k]);
  }
  for (int k = 0; k < m->ntypes; k++)
    for (int q = 0; q <= an->buffer; q++) {
      double v = level[k * (an->buffer + 1) + q];
      if (!(v >= LEVEL_MIN)) continue;
      snprintf(name, sizeof name, "level.%s.%d", m->types[k].name, q);
      bad |= add_measure(e, &cap, name, v);
    }
  return bad ? -1 : 0;
}

/* The identity of an entry: model, file, SHA-256, overrides, policy, lambda. */
static int entry_identity(accq_check_golden_entry_t *e, const accq_check_golden_model_t *gm,
                          const char *policy) {
  const accq_model_t *m = gm->model;
  e->model = strdup(m->name);
  e->file = strdup(m->file);
  e->sha256 = strdup(gm->sha256 ? gm->sha256 : "");
  e->policy = strdup(policy);
  e->lambda = (double)m->scale * m->arrival_rate;
  e->scale = m->scale;
  if (!e->model || !e->file || !e->sha256 || !e->policy) return -1;
  if (gm->nsets > 0 && !(e->sets = calloc((size_t)gm->nsets, sizeof *e->sets))) return -1;
  for (int s = 0; s < gm->nsets; s++) {
    if (!(e->sets[s] = strdup(gm->sets[s]))) return -1;
    e->nsets++;
  }
  return 0;
}

/* Analyzes one (model, policy) into e: ACCQ_SUCCESS for a reference, a
 * no-reference status (err says why), or an error that fails the file. */
static int entry_compute(accq_check_golden_entry_t *e, const accq_model_t *m, const char *policy,
                         const accq_check_golden_options_t *opt, accq_err_t *err) {
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_policy_t *pol = NULL;
  accq_analysis_t an;
  memset(&an, 0, sizeof an);
  double *level = NULL, pw[ACCQ_MAX_TYPES];
  int st = accq_policy_alloc(&pol, policy, m, &popt, err);
  if (st == ACCQ_EUSAGE) return st; /* a misspelt policy: usage, before anything is written */
  if (!st) {
    free(e->policy); /* the canonical name */
    if (!(e->policy = strdup(accq_policy_name(pol))))
      st = accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  }
  if (!st) {
    accq_analysis_options_t aopt;
    accq_analysis_options_init(&aopt);
    aopt.buffer = opt->buffer;
    aopt.keep_chain = 1;
    st = accq_analyze(m, pol, &aopt, &an, err);
    if (!st && !an.auto_converged)
      st = accq_err_set(err, ACCQ_ENOCONV,
                        "the truncation did not converge (B = %d, boundary mass %.3g, last "
                        "change of E[T] %.3g): %s",
                        an.buffer, an.m.boundary_mass, an.auto_change,
                        an.warning[0] ? an.warning : "no reference value");
  }
  if (!st) {
    level = malloc((size_t)m->ntypes * (size_t)(an.buffer + 1) * sizeof *level);
    st = level ? accq_check_exact_levels(an.chain, pol, an.pi, level, pw, err)
               : accq_err_set(err, ACCQ_ENOMEM, "out of memory");
  }
  if (!st) {
    e->buffer = an.buffer;
    e->states = (long long)an.states;
    snprintf(e->solver, sizeof e->solver, "%s", an.solver.name);
    e->residual = an.solver.residual;
    e->boundary_mass = an.m.boundary_mass;
    e->truncation_change = an.auto_change;
    e->truncation_converged = an.auto_converged;
    e->t_lp = an.m.t_lp;
    if (fill_measures(e, m, &an, level, pw))
      st = accq_err_set(err, ACCQ_ENOMEM, "out of memory for the measures");
  }
  free(level);
  accq_analysis_release(&an);
  accq_policy_free(pol);
  return st;
}

/* ---- cells: one (model, policy) entry each (accq_dist_run) ---- */

/* An entry's bytes: every field, in a fixed order, doubles as their bits
 * (accq/dist.h); a string that may be NULL is preceded by a presence flag. */
static void put_opt_str(accq_dist_buf_t *b, const char *s) {
  accq_dist_put_i64(b, s != NULL);
  if (s) accq_dist_put_str(b, s);
}

static void pack_entry(accq_dist_buf_t *b, const accq_check_golden_entry_t *e) {
  put_opt_str(b, e->model);
  put_opt_str(b, e->file);
  put_opt_str(b, e->sha256);
  accq_dist_put_i64(b, e->nsets);
  for (int s = 0; s < e->nsets; s++) accq_dist_put_str(b, e->sets[s]);
  put_opt_str(b, e->policy);
  accq_dist_put_f64(b, e->lambda);
  accq_dist_put_i64(b, e->scale);
  accq_dist_put_i64(b, e->code);
  put_opt_str(b, e->status);
  put_opt_str(b, e->reason);
  accq_dist_put_i64(b, e->buffer);
  accq_dist_put_i64(b, e->states);
  accq_dist_put_str(b, e->solver);
  accq_dist_put_f64(b, e->residual);
  accq_dist_put_f64(b, e->boundary_mass);
  accq_dist_put_f64(b, e->truncation_change);
  accq_dist_put_f64(b, e->t_lp);
  accq_dist_put_i64(b, e->truncation_converged);
  accq_dist_put_i64(b, e->nmeasures);
  for (int j = 0; j < e->nmeasures; j++) {
    accq_dist_put_str(b, e->measures[j].name);
    accq_dist_put_f64(b, e->measures[j].value);
  }
}

/* A malloc'd string read back (length checked against the bytes left). */
static char *get_dup(accq_dist_reader_t *r) {
  uint64_t n = accq_dist_get_u64(r);
  if (r->failed || n > r->len - r->pos) {
    r->failed = 1;
    return NULL;
  }
  char *s = malloc((size_t)n + 1);
  if (!s) {
    r->failed = 1;
    return NULL;
  }
  accq_dist_get_bytes(r, s, (size_t)n);
  s[n] = '\0';
  return s;
}

static char *get_opt_str(accq_dist_reader_t *r) {
  return accq_dist_get_i64(r) ? get_dup(r) : NULL;
}

/* A count: at most one entry per 8 bytes left (every entry is longer). */
static int get_count(accq_dist_reader_t *r) {
  int64_t n = accq_dist_get_i64(r);
  if (n < 0 || (uint64_t)n > (r->len - r->pos) / 8) {
    r->failed = 1;
    return 0;
  }
  return (int)n;
}

static void unpack_entry(accq_dist_reader_t *r, accq_check_golden_entry_t *e) {
  e->model = get_opt_str(r);
  e->file = get_opt_str(r);
  e->sha256 = get_opt_str(r);
  int nsets = get_count(r);
  if (nsets > 0 && !(e->sets = calloc((size_t)nsets, sizeof *e->sets))) r->failed = 1;
  for (int s = 0; s < nsets && !r->failed; s++) e->sets[e->nsets++] = get_dup(r);
  e->policy = get_opt_str(r);
  e->lambda = accq_dist_get_f64(r);
  e->scale = (int)accq_dist_get_i64(r);
  e->code = (int)accq_dist_get_i64(r);
  e->status = get_opt_str(r);
  e->reason = get_opt_str(r);
  e->buffer = (int)accq_dist_get_i64(r);
  e->states = (long long)accq_dist_get_i64(r);
  accq_dist_get_str(r, e->solver, sizeof e->solver);
  e->residual = accq_dist_get_f64(r);
  e->boundary_mass = accq_dist_get_f64(r);
  e->truncation_change = accq_dist_get_f64(r);
  e->t_lp = accq_dist_get_f64(r);
  e->truncation_converged = (int)accq_dist_get_i64(r);
  int nm = get_count(r);
  if (nm > 0 && !(e->measures = calloc((size_t)nm, sizeof *e->measures))) r->failed = 1;
  for (int j = 0; j < nm && !r->failed; j++) {
    e->measures[j].name = get_dup(r);
    e->measures[j].value = accq_dist_get_f64(r);
    e->nmeasures++;
  }
}

int accq_check_golden_cell(const accq_check_golden_model_t *models, int nmodels,
                           const char (*policies)[ACCQ_NAME_MAX], int npolicies,
                           const accq_check_golden_options_t *opt, int cell, void **bytes,
                           size_t *len, accq_err_t *err) {
  *bytes = NULL;
  *len = 0;
  if (cell < 0 || npolicies < 1 || cell >= nmodels * npolicies)
    return accq_err_set(err, ACCQ_EINVAL, "golden: cell %d outside 0..%d", cell,
                        nmodels * npolicies - 1);
  const accq_check_golden_model_t *gm = &models[cell / npolicies];
  const char *policy = policies[cell % npolicies];
  /* one entry in a file of its own, so accq_check_golden_release frees it */
  accq_check_golden_t one;
  accq_check_golden_init(&one);
  if (!(one.entries = calloc(1, sizeof *one.entries)))
    return accq_err_set(err, ACCQ_ENOMEM, "golden: out of memory");
  one.n = one.cap = 1;
  accq_check_golden_entry_t *e = one.entries;
  accq_err_t why;
  accq_err_clear(&why);
  int st = ACCQ_SUCCESS;
  if (entry_identity(e, gm, policy)) {
    st = accq_err_set(err, ACCQ_ENOMEM, "golden: out of memory");
  } else {
    int est = entry_compute(e, gm->model, policy, opt, &why);
    if (est == ACCQ_EUSAGE || (est && !no_reference(est))) {
      *err = why;
      if (est != ACCQ_EUSAGE) accq_err_prefix(err, "%s, policy %s", gm->model->name, policy);
      st = est;
    } else if (est) { /* not a reference: its status and reason, no measures */
      e->code = est;
      if (!(e->status = strdup(status_word(est))) || !(e->reason = strdup(why.msg)))
        st = accq_err_set(err, ACCQ_ENOMEM, "golden: out of memory");
    } else if (!(e->status = strdup("ok"))) {
      st = accq_err_set(err, ACCQ_ENOMEM, "golden: out of memory");
    }
  }
  if (!st) {
    accq_dist_buf_t b;
    accq_dist_buf_init(&b);
    pack_entry(&b, e);
    st = accq_dist_buf_take(&b, bytes, len, err);
  }
  accq_check_golden_release(&one);
  return st;
}

int accq_check_golden_start(accq_check_golden_t *g, int nentries, accq_err_t *err) {
  accq_check_golden_init(g);
  if (nentries > 0 && !(g->entries = calloc((size_t)nentries, sizeof *g->entries)))
    return accq_err_set(err, ACCQ_ENOMEM, "golden: out of memory for %d entries", nentries);
  g->cap = nentries;
  return ACCQ_SUCCESS;
}

/* An entry that is not a reference: its warning (the model as the user gave
 * it, the policy as spelt) and the worst exit status. */
static int add_warning(accq_check_golden_t *g, const accq_check_golden_entry_t *e,
                       const accq_check_golden_model_t *gm, const char *policy) {
  const char *status = e->status ? e->status : "", *reason = e->reason ? e->reason : "";
  size_t len = strlen(gm->model->name) + strlen(gm->path) + strlen(policy) + strlen(status) +
               strlen(reason) + 64;
  char *w = malloc(len);
  char **w2 = realloc(g->warnings, (size_t)(g->nwarnings + 1) * sizeof *w2);
  if (w2) g->warnings = w2;
  if (!w || !w2) {
    free(w);
    return -1;
  }
  snprintf(w, len, "%s (%s), policy %s: %s: %s", gm->model->name, gm->path, policy, status,
           reason);
  g->warnings[g->nwarnings++] = w;
  int code = accq_status_exit_code(e->code);
  if (code > g->worst) g->worst = code;
  return 0;
}

int accq_check_golden_add(accq_check_golden_t *g, const accq_check_golden_model_t *models,
                          int nmodels, const char (*policies)[ACCQ_NAME_MAX], int npolicies,
                          int cell, const void *bytes, size_t len, accq_err_t *err) {
  if (cell < 0 || npolicies < 1 || cell >= nmodels * npolicies || g->n >= g->cap)
    return accq_err_set(err, ACCQ_EINVAL, "golden: cell %d outside the file's %d entries", cell,
                        g->cap);
  accq_check_golden_entry_t *e = &g->entries[g->n++];
  memset(e, 0, sizeof *e);
  e->index = g->n - 1;
  accq_dist_reader_t r;
  accq_dist_reader_init(&r, bytes, len);
  unpack_entry(&r, e);
  char what[64];
  snprintf(what, sizeof what, "golden cell %d", cell);
  int st = accq_dist_reader_end(&r, what, err);
  if (!st && (!e->model || !e->file || !e->policy || !e->status))
    st = accq_err_set(err, ACCQ_EINVAL, "%s: an entry without model, file, policy or status",
                      what);
  if (!st && e->code &&
      add_warning(g, e, &models[cell / npolicies], policies[cell % npolicies]))
    st = accq_err_set(err, ACCQ_ENOMEM, "golden: out of memory");
  return st;
}

/* The serial run is the cells in order through the same bytes, so that a run
 * spread over ranks (accq_dist_run) cannot differ from it. */
int accq_check_golden_compute(const accq_check_golden_model_t *models, int nmodels,
                              const char (*policies)[ACCQ_NAME_MAX], int npolicies,
                              const accq_check_golden_options_t *opt, accq_check_golden_t *g,
                              accq_err_t *err) {
  int total = nmodels * npolicies;
  int st = accq_check_golden_start(g, total, err);
  for (int c = 0; c < total && !st; c++) {
    if (opt->progress) opt->progress((double)c, opt->progress_ctx);
    void *bytes = NULL;
    size_t len = 0;
    st = accq_check_golden_cell(models, nmodels, policies, npolicies, opt, c, &bytes, &len, err);
    if (!st) st = accq_check_golden_add(g, models, nmodels, policies, npolicies, c, bytes, len, err);
    free(bytes);
  }
  if (st) accq_check_golden_release(g);
  return st;
}

/* ---- the file ---- */

static void definitions(accq_report_section_t *o) {
  accq_model_t d;
  memset(&d, 0, sizeof d);
  d.ntypes = 1;
  snprintf(d.types[0].name, ACCQ_NAME_MAX, "TYPE");
  char name[ACCQ_NAME_MAX + 32];
  for (int i = 0; i < accq_check_measure_count(1); i++) {
    const char *def = accq_check_measure_definition(&d, i);
    char buf[300];
    if (accq_check_measure_is_percentile(i)) {
      snprintf(buf, sizeof buf,
               "%s (the exact value; test a simulator with frac_below.%s, not with averaged "
               "per-replication percentiles, which are biased on short replications)",
               def, accq_check_measure_name(&d, i, name, (int)sizeof name));
      def = buf;
    }
    accq_kv_str(o, accq_check_measure_name(&d, i, name, (int)sizeof name), NULL, def);
  }
  accq_kv_str(o, "gap", NULL, "E[T] / T_LP(X) - 1, T_LP the LP bound at the admitted rate X per unit scale");
  accq_kv_str(o, "correctness", NULL,
              "fraction of admitted jobs answered correctly; its expectation is the accuracy A");
  accq_kv_str(o, "level.TYPE.Q", NULL,
              "time-average fraction of the servers of type TYPE holding exactly "
              "Q jobs (in service + waiting); levels with fraction below 1e-12 "
              "are omitted");
  accq_kv_str(o, "p_wait.TYPE", NULL,
              "fraction of the admitted jobs sent to type TYPE that find their "
              "server busy");
  accq_kv_str(o, "frac_below.pXX", NULL,
              "fraction of admitted jobs whose response time is <= this entry's "
              "exact pXX (0.5, 0.9, 0.95, 0.99 by definition): per replication, "
              "count the jobs below measures.pXX; a proportion, unbiased at any "
              "run length");
}

static void entry_fields(accq_report_section_t *o, const accq_check_golden_entry_t *e) {
  accq_kv_str(o, "model", NULL, e->model);
  accq_kv_str(o, "file", NULL, e->file);
  accq_kv_str(o, "model_sha256", NULL, e->sha256);
  accq_kv_strs(o, "sets", NULL, (const char *const *)e->sets, e->nsets);
  accq_kv_str(o, "policy", NULL, e->policy);
  accq_kv_num(o, "lambda", NULL, e->lambda, 0);
  accq_kv_int(o, "scale", NULL, e->scale);
  accq_kv_str(o, "status", NULL, e->status);
  if (e->reason) {
    accq_kv_str(o, "reason", NULL, e->reason);
    return; /* not a reference: no number to mistake for one */
  }
  accq_kv_null(o, "reason", NULL, NULL);
  accq_kv_int(o, "buffer", NULL, e->buffer);
  accq_kv_int(o, "states", NULL, e->states);
  accq_kv_str(o, "solver", NULL, e->solver);
  accq_kv_num(o, "residual", NULL, e->residual, 0);
  accq_kv_num(o, "boundary_mass", NULL, e->boundary_mass, 0);
  accq_kv_num(o, "truncation_change", NULL, e->truncation_change, 0);
  accq_kv_bool(o, "truncation_converged", NULL, e->truncation_converged);
  accq_kv_num(o, "t_lp", NULL, e->t_lp, 0);
  accq_report_section_t *ms = accq_kv_object(o, "measures", NULL);
  for (int j = 0; j < e->nmeasures; j++) {
    if (isfinite(e->measures[j].value))
      accq_kv_num(ms, e->measures[j].name, NULL, e->measures[j].value, 0);
    else
      accq_kv_null(ms, e->measures[j].name, NULL, NULL);
  }
}

accq_report_t *accq_check_golden_report(const accq_check_golden_t *g) {
  accq_report_t *rep = accq_report_alloc("accq golden");
  if (!rep) return NULL;
  accq_report_section_t *top = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(top, "format", NULL, "accq-golden");
  accq_kv_int(top, "version", NULL, 2);
  accq_kv_str(top, "notes", NULL,
              "Exact values of the lumped Markov chain (exponential service, FCFS, "
              "per-server buffer B: a job sent to a full server is lost). Rates are for "
              "the whole system of scale m. Entries whose status is not \"ok\" are not "
              "references and carry no measures. check-sim reads a CSV with columns model, "
              "policy, lambda, measure, mean, stderr or ci_halfwidth (95%), replications.");
  definitions(accq_kv_object(top, "definitions", NULL));
  accq_kv_strs(top, "warnings", NULL, (const char *const *)g->warnings, g->nwarnings);
  accq_report_section_t *list = accq_kv_list(top, "entries", NULL);
  for (int i = 0; i < g->n; i++) entry_fields(accq_kv_list_add(list, g->entries[i].policy), &g->entries[i]);
  return rep;
}
