/* crosscheck's procedure (accq/check.h): for every policy, the exact chain
 * at buffer B against the simulator with the same B, every measure of the
 * measure table, one Holm family over all comparisons (docs/claims.md,
 * claim 5).  Each comparison is a two-sided t test of "the simulator's mean
 * equals the exact value" with R-1 degrees of freedom; the family passes when
 * nothing is rejected, which is the same as every exact value lying inside
 * its Bonferroni interval mean +- t_{1-alpha/(2n), R-1} se.  A rare event
 * that no replication observed (se = 0) is judged by the bound
 * ((hi - exact)/(hi - lo))^R (accq_check_row_t). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/check.h"
#include "accq/dist.h"

void accq_check_crosscheck_options_init(accq_check_crosscheck_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  opt->alpha = 0.01;
  opt->max_buffer = 20;
  accq_sim_options_init(&opt->sim);
}

void accq_check_crosscheck_release(accq_check_crosscheck_t *res) {
  if (!res) return;
  free(res->checks);
  free(res->rows);
  free(res->skipped_policy);
  free(res->skipped_reason);
  free(res->warning_policy);
  free(res->warning);
  memset(res, 0, sizeof *res);
}

/* Progress of policy `index`: the simulator reports a fraction of its run. */
typedef struct {
  const accq_check_crosscheck_options_t *opt;
  int index;
} progress_t;

static void on_progress(double fraction, void *ctx) {
  progress_t *p = ctx;
  p->opt->progress(p->index + fraction, p->opt->progress_ctx);
}

static int allocate(accq_check_crosscheck_t *res, int npol, int nmeas, accq_err_t *err) {
  size_t n = (size_t)npol * (size_t)nmeas, w = (size_t)npol * ACCQ_SIM_MAX_WARNINGS;
  res->checks = calloc(n ? n : 1, sizeof *res->checks);
  res->rows = calloc(n ? n : 1, sizeof *res->rows);
  res->skipped_policy = calloc((size_t)npol + 1, sizeof *res->skipped_policy);
  res->skipped_reason = calloc((size_t)npol + 1, sizeof *res->skipped_reason);
  res->warning_policy = calloc(w + 1, sizeof *res->warning_policy);
  res->warning = calloc(w + 1, sizeof *res->warning);
  if (!res->checks || !res->rows || !res->skipped_policy || !res->skipped_reason ||
      !res->warning_policy || !res->warning)
    return accq_err_set(err, ACCQ_ENOMEM, "crosscheck: no memory");
  return ACCQ_SUCCESS;
}

/* Chain and simulation of one policy; its comparisons appended to res.
 * ACCQ_SUCCESS also when the policy has no answer (then skipped). */
static int one_policy(const accq_model_t *m, const char *name, int index,
                      const accq_check_crosscheck_options_t *opt, accq_check_crosscheck_t *res,
                      accq_err_t *err) {
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_policy_t *pol = NULL;
  int st = accq_policy_alloc(&pol, name, m, &popt, err);
  if (st && accq_status_exit_code(st) == 4) {
    /* no answer for this policy (unstable, infeasible): nothing to compare */
    snprintf(res->skipped_policy[res->nskipped], ACCQ_NAME_MAX, "%s", name);
    snprintf(res->skipped_reason[res->nskipped++], ACCQ_ERR_MSG_MAX, "%s", err->msg);
    return ACCQ_SUCCESS;
  }
  accq_analysis_t an;
  accq_sim_result_t r;
  memset(&an, 0, sizeof an);
  if (!st) {
    accq_analysis_options_t aopt;
    accq_analysis_options_init(&aopt);
    aopt.buffer = opt->buffer;
    aopt.auto_max_buffer = opt->max_buffer;
    st = accq_analyze(m, pol, &aopt, &an, err);
  }
  if (!st) {
    accq_sim_options_t so = opt->sim;
    progress_t prog = {opt, index};
    so.buffer = an.buffer;
    so.progress = opt->progress ? on_progress : NULL;
    so.progress_ctx = &prog;
    st = accq_sim_run(m, pol, &so, &r, NULL, err);
  }
  if (st) {
    accq_err_prefix(err, "policy %s", name);
    accq_analysis_release(&an);
    accq_policy_free(pol);
    return st;
  }
  res->jobs = r.jobs;
  for (int j = 0; j < r.nwarnings; j++) {
    snprintf(res->warning_policy[res->nwarnings], ACCQ_NAME_MAX, "%s", accq_policy_name(pol));
    snprintf(res->warning[res->nwarnings++], ACCQ_SIM_WARNING_MAX, "%s", r.warnings[j]);
  }
  const int K = m->ntypes;
  for (int j = 0; j < accq_check_measure_count(K); j++) {
    accq_check_row_t *c = &res->checks[res->n];
    accq_check_crosscheck_row_t *row = &res->rows[res->n++];
    accq_estimate_t e = accq_check_measure_estimate(&r, j);
    c->exact = accq_check_measure_exact(&an.m, K, j);
    c->mean = e.mean;
    c->se = e.se;
    c->replications = r.replications;
    accq_check_measure_bounds(m, j, &c->lo, &c->hi);
    snprintf(row->policy, ACCQ_NAME_MAX, "%s", accq_policy_name(pol));
    accq_check_measure_name(m, j, row->measure, (int)sizeof row->measure);
    row->buffer = an.buffer;
  }
  accq_analysis_release(&an);
  accq_policy_free(pol);
  return ACCQ_SUCCESS;
}

/* ---- cells: one policy each (accq_dist_run), serialized exactly ---- */

/* The model as the chains see it: every service made exponential (a copy). */
static int exp_model(const accq_model_t *model, accq_model_t *m) {
  int changed = 0;
  *m = *model;
  for (int k = 0; k < m->ntypes; k++) {
    changed |= m->types[k].service.kind != ACCQ_SERVICE_EXP;
    m->types[k].service.kind = ACCQ_SERVICE_EXP; /* the chains assume it */
    m->types[k].service.param = 0;
  }
  return changed;
}

static int check_options(const accq_check_crosscheck_options_t *opt, accq_err_t *err) {
  if (!(opt->alpha > 0 && opt->alpha < 1))
    return accq_err_set(err, ACCQ_EINVAL, "alpha must be in (0,1) (got %g)", opt->alpha);
  if (opt->max_buffer < 1)
    return accq_err_set(err, ACCQ_EINVAL, "the auto buffer's cap must be >= 1 (got %d)",
                        opt->max_buffer);
  if (opt->buffer < 0)
    return accq_err_set(err, ACCQ_EINVAL, "buffer must be >= 1, or 0 for auto (got %d)",
                        opt->buffer);
  return ACCQ_SUCCESS;
}

int accq_check_crosscheck_start(const accq_model_t *model, int npolicies,
                                const accq_check_crosscheck_options_t *opt,
                                accq_check_crosscheck_t *res, accq_err_t *err) {
  memset(res, 0, sizeof *res);
  int st = check_options(opt, err);
  if (st) return st;
  accq_model_t m;
  res->service_changed = exp_model(model, &m);
  st = allocate(res, npolicies, accq_check_measure_count(m.ntypes), err);
  res->replications = opt->sim.replications;
  res->jobs = opt->sim.jobs;
  return st;
}

/* A cell's bytes: jobs of its simulation (-1: none ran), its comparisons,
 * its skipped policy, its warnings.  Doubles as their bits (accq/dist.h). */
static void pack(accq_dist_buf_t *b, const accq_check_crosscheck_t *part, int simulated) {
  accq_dist_put_i64(b, simulated ? (int64_t)part->jobs : -1);
  accq_dist_put_i64(b, part->n);
  for (int i = 0; i < part->n; i++) {
    const accq_check_row_t *c = &part->checks[i];
    const accq_check_crosscheck_row_t *r = &part->rows[i];
    accq_dist_put_f64(b, c->exact);
    accq_dist_put_f64(b, c->mean);
    accq_dist_put_f64(b, c->se);
    accq_dist_put_i64(b, c->replications);
    accq_dist_put_f64(b, c->lo);
    accq_dist_put_f64(b, c->hi);
    accq_dist_put_i64(b, c->target);
    accq_dist_put_str(b, r->policy);
    accq_dist_put_str(b, r->measure);
    accq_dist_put_i64(b, r->buffer);
  }
  accq_dist_put_i64(b, part->nskipped);
  for (int i = 0; i < part->nskipped; i++) {
    accq_dist_put_str(b, part->skipped_policy[i]);
    accq_dist_put_str(b, part->skipped_reason[i]);
  }
  accq_dist_put_i64(b, part->nwarnings);
  for (int i = 0; i < part->nwarnings; i++) {
    accq_dist_put_str(b, part->warning_policy[i]);
    accq_dist_put_str(b, part->warning[i]);
  }
}

int accq_check_crosscheck_cell(const accq_model_t *model, const char *policy, int index,
                               const accq_check_crosscheck_options_t *opt, void **bytes,
                               size_t *len, accq_err_t *err) {
  *bytes = NULL;
  *len = 0;
  int st = check_options(opt, err);
  if (st) return st;
  accq_model_t m;
  exp_model(model, &m);
  accq_check_crosscheck_t part;
  memset(&part, 0, sizeof part);
  part.jobs = -1;
  st = allocate(&part, 1, accq_check_measure_count(m.ntypes), err);
  if (!st) st = one_policy(&m, policy, index, opt, &part, err);
  if (!st) {
    accq_dist_buf_t b;
    accq_dist_buf_init(&b);
    pack(&b, &part, part.jobs >= 0);
    st = accq_dist_buf_take(&b, bytes, len, err);
  }
  accq_check_crosscheck_release(&part);
  return st;
}

/* Grows a res array to hold `n` entries of `size` bytes. */
static int grow(void *pp, size_t n, size_t size) {
  void **p = pp;
  void *q = realloc(*p, (n ? n : 1) * size);
  if (!q) return -1;
  *p = q;
  return 0;
}

/* A count read from a cell's bytes: at most one entry per 8 bytes left (every
 * entry is longer), so corrupt bytes cannot ask for a huge allocation. */
static int read_count(accq_dist_reader_t *r) {
  int64_t n = accq_dist_get_i64(r);
  if (n < 0 || (uint64_t)n > (r->len - r->pos) / 8) {
    r->failed = 1;
    return 0;
  }
  return (int)n;
}

int accq_check_crosscheck_add(accq_check_crosscheck_t *res, const void *bytes, size_t len,
                              accq_err_t *err) {
  accq_dist_reader_t r;
  accq_dist_reader_init(&r, bytes, len);
  int64_t jobs = accq_dist_get_i64(&r);
  int n = read_count(&r);
  if (grow(&res->checks, (size_t)res->n + (size_t)n, sizeof *res->checks) ||
      grow(&res->rows, (size_t)res->n + (size_t)n, sizeof *res->rows))
    return accq_err_set(err, ACCQ_ENOMEM, "crosscheck: no memory");
  for (int i = 0; i < n && !r.failed; i++) {
    accq_check_row_t *c = &res->checks[res->n];
    accq_check_crosscheck_row_t *row = &res->rows[res->n++];
    memset(c, 0, sizeof *c);
    memset(row, 0, sizeof *row);
    c->exact = accq_dist_get_f64(&r);
    c->mean = accq_dist_get_f64(&r);
    c->se = accq_dist_get_f64(&r);
    c->replications = (int)accq_dist_get_i64(&r);
    c->lo = accq_dist_get_f64(&r);
    c->hi = accq_dist_get_f64(&r);
    c->target = (int)accq_dist_get_i64(&r);
    accq_dist_get_str(&r, row->policy, sizeof row->policy);
    accq_dist_get_str(&r, row->measure, sizeof row->measure);
    row->buffer = (int)accq_dist_get_i64(&r);
  }
  n = read_count(&r);
  if (grow(&res->skipped_policy, (size_t)res->nskipped + (size_t)n, sizeof *res->skipped_policy) ||
      grow(&res->skipped_reason, (size_t)res->nskipped + (size_t)n, sizeof *res->skipped_reason))
    return accq_err_set(err, ACCQ_ENOMEM, "crosscheck: no memory");
  for (int i = 0; i < n && !r.failed; i++, res->nskipped++) {
    accq_dist_get_str(&r, res->skipped_policy[res->nskipped], ACCQ_NAME_MAX);
    accq_dist_get_str(&r, res->skipped_reason[res->nskipped], ACCQ_ERR_MSG_MAX);
  }
  n = read_count(&r);
  if (grow(&res->warning_policy, (size_t)res->nwarnings + (size_t)n, sizeof *res->warning_policy) ||
      grow(&res->warning, (size_t)res->nwarnings + (size_t)n, sizeof *res->warning))
    return accq_err_set(err, ACCQ_ENOMEM, "crosscheck: no memory");
  for (int i = 0; i < n && !r.failed; i++, res->nwarnings++) {
    accq_dist_get_str(&r, res->warning_policy[res->nwarnings], ACCQ_NAME_MAX);
    accq_dist_get_str(&r, res->warning[res->nwarnings], ACCQ_SIM_WARNING_MAX);
  }
  int st = accq_dist_reader_end(&r, "crosscheck cell", err);
  if (!st && jobs >= 0) res->jobs = jobs; /* the last simulated policy's, as before */
  return st;
}

void accq_check_crosscheck_finish(accq_check_crosscheck_t *res,
                                  const accq_check_crosscheck_options_t *opt) {
  res->failures = accq_check_holm(res->checks, res->n, opt->alpha);
}

/* The serial run is the cells in order through the same bytes, so that a run
 * spread over ranks (accq_dist_run) cannot differ from it. */
int accq_check_crosscheck(const accq_model_t *model, const char (*policies)[ACCQ_NAME_MAX],
                          int npolicies, const accq_check_crosscheck_options_t *opt,
                          accq_check_crosscheck_t *res, accq_err_t *err) {
  int st = accq_check_crosscheck_start(model, npolicies, opt, res, err);
  for (int i = 0; i < npolicies && !st; i++) {
    void *bytes = NULL;
    size_t len = 0;
    st = accq_check_crosscheck_cell(model, policies[i], i, opt, &bytes, &len, err);
    if (!st) st = accq_check_crosscheck_add(res, bytes, len, err);
    free(bytes);
  }
  if (st) return st;
  accq_check_crosscheck_finish(res, opt);
  return ACCQ_SUCCESS;
}
