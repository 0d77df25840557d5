/* accq solve: exact stationary measures of docs/chains.md, docs/measures.md for one or more policies.
 * Parses, calls accq_analyze per policy, builds one report (docs/output.md JSON
 * keys plus diagnostics), prints it in any format.  Computes nothing itself. */
#include <complex.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/report.h"
#include "cli/cli.h"

#define MAX_POLICIES 64

typedef struct {
  char name[64];
  accq_policy_t *pol;
  accq_analysis_t a;
  int status;                 /* 0, or the status of the policy or the analysis */
  int analyzed;               /* accq_analyze ran and filled a (best estimate at least) */
  char message[ACCQ_ERR_MSG_MAX];
  int nspec;                  /* eigenvalues computed (--spectrum) */
  double complex *spec;
} result_t;

/* The JSON status word and the verdict of a result. */
static const char *status_word(const result_t *r) {
  if (r->analyzed) return accq_analysis_status_word(r->status, r->a.verdict);
  return accq_analysis_status_word(r->status, ACCQ_ANALYSIS_REFUSED);
}
static const char *verdict_word(const result_t *r) {
  return r->analyzed ? accq_analysis_verdict_name(r->a.verdict) : "refused";
}

/* FILE for one policy: as given with one policy, "base-POLICY.ext" with several. */
static void mtx_path(char *buf, size_t size, const char *path, const char *policy, int several) {
  if (!several) {
    snprintf(buf, size, "%s", path);
    return;
  }
  char pol[64];
  snprintf(pol, sizeof pol, "%s", policy);
  for (char *c = pol; *c; c++)
    if (*c == ':' || *c == '/') *c = '_';
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(path, '.');
  if (dot && (!slash || dot > slash))
    snprintf(buf, size, "%.*s-%s%s", (int)(dot - path), path, pol, dot);
  else
    snprintf(buf, size, "%s-%s", path, pol);
}

static void kv_num_or_null(accq_report_section_t *s, const char *key, const char *label, double v,
                           const char *why) {
  if (isfinite(v))
    accq_kv_num(s, key, label, v, 0);
  else
    accq_kv_null(s, key, label, why);
}

static void table_num_or_null(accq_report_section_t *t, double v, const char *why) {
  if (isfinite(v))
    accq_table_num(t, v);
  else
    accq_table_null(t, why);
}

/* The measures of one result as a section: an answer (status ok) under the
 * docs/output.md keys, a best estimate (not an answer) under "best_estimate". */
static void measures_kv(accq_report_section_t *r, const accq_model_t *m, const accq_measures_t *x) {
  accq_kv_num(r, "mean_response_time", NULL, x->mean_response_time, 0);
  accq_kv_num(r, "accuracy", NULL, x->accuracy, 0);
  accq_kv_num(r, "loss_probability", NULL, x->loss_probability, 0);
  accq_kv_num(r, "p_wait", NULL, x->p_wait, 0);
  accq_report_section_t *u = accq_kv_object(r, "utilization", NULL);
  for (int k = 0; k < m->ntypes; k++) accq_kv_num(u, m->types[k].name, NULL, x->utilization[k], 0);
  accq_report_section_t *th = accq_kv_object(r, "throughput", NULL);
  for (int k = 0; k < m->ntypes; k++) accq_kv_num(th, m->types[k].name, NULL, x->throughput[k], 0);
  accq_report_section_t *pc = accq_kv_object(r, "percentiles", NULL);
  kv_num_or_null(pc, "p50", NULL, x->p50, "no convergence");
  kv_num_or_null(pc, "p90", NULL, x->p90, "no convergence");
  kv_num_or_null(pc, "p95", NULL, x->p95, "no convergence");
  kv_num_or_null(pc, "p99", NULL, x->p99, "no convergence");
  kv_num_or_null(r, "gap", NULL, x->gap, "no bound at the admitted rate");
}

/* The top-level key-values: the model, the largest chain solved, T_LP. */
static accq_report_section_t *header_kv(accq_report_t *rep, const accq_model_t *m,
                                        const accq_lp_result_t *lp, const result_t *res, int n,
                                        int explicit_chain) {
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  /* Top level: buffer/states/transitions of the largest chain solved (each
   * result carries its own). */
  int big = -1;
  for (int i = 0; i < n; i++)
    if (res[i].analyzed && (big < 0 || res[i].a.states > res[big].a.states)) big = i;
  accq_kv_str(s, "model", NULL, m->name);
  accq_kv_str(s, "file", NULL, m->file);
  accq_kv_num(s, "lambda", "Lambda (arrival rate per unit scale)", m->arrival_rate, 0);
  accq_kv_num(s, "accuracy_target", "a* (accuracy target)", m->accuracy_target, 0);
  accq_kv_int(s, "scale", "m (scale)", m->scale);
  accq_kv_num(s, "total_arrival_rate", "m Lambda (total arrival rate)", m->arrival_rate * m->scale,
              0);
  double mean = 0;
  int nph = 0;
  if (m->arrivals.kind == ACCQ_ARRIVALS_MMPP && !accq_chain_phases(m, &nph, NULL, NULL, &mean, NULL)) {
    /* docs/chains.md, "MMPP arrivals": the chain's offered rate is the long-run one */
    accq_kv_str(s, "arrivals", "arrivals", "mmpp (the phase is a state component)");
    accq_kv_num(s, "mean_arrival_rate", "m Lambda-bar (long-run rate of the mmpp)", mean, 0);
  }
  if (m->buffer > 0)
    accq_kv_str(s, "system", "system", "finite buffer (B given): exact for that B, losses shown");
  else
    accq_kv_str(s, "system", "system",
                "infinite buffers (buffer = auto: B grows until the truncation is negligible)");
  if (big >= 0) {
    accq_kv_int(s, "buffer", "B (buffer per server, largest chain)", res[big].a.buffer);
    accq_kv_int(s, "states", "states (largest chain, reachable)", res[big].a.states);
    accq_kv_int(s, "transitions", "transitions (off-diagonal)", res[big].a.transitions);
  } else {
    accq_kv_null(s, "buffer", "B (buffer per server, largest chain)", "no chain solved");
    accq_kv_null(s, "states", "states (largest chain, reachable)", "no chain solved");
    accq_kv_null(s, "transitions", "transitions (off-diagonal)", "no chain solved");
  }
  accq_kv_str(s, "chain", NULL, explicit_chain ? "explicit" : "lumped");
  if (lp->status == ACCQ_LP_OPTIMAL)
    accq_kv_num(s, "t_lp", "T_LP at Lambda (bound)", lp->t_lp, 0);
  else
    accq_kv_null(s, "t_lp", "T_LP at Lambda (bound)",
                 lp->status == ACCQ_LP_ACCURACY_INFEASIBLE ? "none: accuracy target infeasible"
                                                           : "none: Lambda beyond Lambda_max(a*)");

  return s;
}

/* One entry of the JSON results list. */
static void result_json(accq_report_section_t *list, const accq_model_t *m, const result_t *rs) {
  const accq_analysis_t *a = &rs->a;
  const accq_measures_t *x = &a->m;
  const int ok = rs->status == 0;
  accq_report_section_t *r = accq_kv_list_add(list, rs->name);
  accq_kv_str(r, "policy", NULL, rs->name);
  accq_kv_str(r, "status", NULL, status_word(rs));
  if (ok)
    accq_kv_null(r, "reason", NULL, NULL);
  else
    accq_kv_str(r, "reason", NULL, rs->message);
  accq_kv_str(r, "verdict", NULL, verdict_word(rs));
  if (ok) {
    measures_kv(r, m, x);
  } else {
    /* no number that could be mistaken for an answer */
    accq_kv_null(r, "mean_response_time", NULL, "no answer");
    accq_kv_null(r, "accuracy", NULL, "no answer");
    accq_kv_null(r, "loss_probability", NULL, "no answer");
    accq_kv_null(r, "p_wait", NULL, "no answer");
    accq_kv_null(r, "utilization", NULL, "no answer");
    accq_kv_null(r, "throughput", NULL, "no answer");
    accq_kv_null(r, "percentiles", NULL, "no answer");
    accq_kv_null(r, "gap", NULL, "no answer");
  }
  if (!rs->analyzed) return;
  accq_kv_num(r, "boundary_mass", NULL, x->boundary_mass, 0);
  accq_report_section_t *sv = accq_kv_object(r, "solver", NULL);
  accq_kv_str(sv, "name", NULL, a->solver.name);
  accq_kv_int(sv, "iterations", NULL, a->solver.iterations);
  accq_kv_num(sv, "residual", NULL, a->solver.residual, 0);
  accq_kv_num(sv, "seconds", NULL, a->solver.seconds, 0);
  accq_kv_bool(sv, "converged", NULL, a->verdict != ACCQ_ANALYSIS_NOT_CONVERGED);
  if (isfinite(a->solver.subdominant)) accq_kv_num(sv, "subdominant", NULL, a->solver.subdominant, 0);
  if (ok) {
    accq_kv_bool(r, "meets_target", NULL, accq_model_meets_target(m, x->accuracy));
    accq_kv_num(r, "throughput_total", NULL, x->throughput_total, 0);
    accq_kv_num(r, "mean_jobs", NULL, x->mean_jobs, 0);
    kv_num_or_null(r, "t_lp_admitted", NULL, x->t_lp, "LP infeasible at the admitted rate");
  } else {
    /* the best estimate, labelled as such (CONVENTIONS: return the best estimate
     * with its residual), for diagnosis only */
    accq_report_section_t *be = accq_kv_object(r, "best_estimate", NULL);
    measures_kv(be, m, x);
  }
  accq_kv_int(r, "buffer", NULL, a->buffer);
  accq_kv_int(r, "states", NULL, a->states);
  accq_kv_int(r, "transitions", NULL, a->transitions);
  accq_kv_int(r, "product_states", NULL, (long long)a->product_states);
  accq_kv_num(r, "estimated_states", NULL, a->estimated_states, 0);
  accq_kv_bool(r, "product_form", NULL, a->product_form);
  if (a->product_form) {
    accq_report_section_t *tb = accq_kv_object(r, "type_buffer", NULL);
    for (int k = 0; k < m->ntypes; k++) accq_kv_int(tb, m->types[k].name, NULL, a->type_buffer[k]);
    accq_report_section_t *ts = accq_kv_object(r, "type_states", NULL);
    for (int k = 0; k < m->ntypes; k++) accq_kv_int(ts, m->types[k].name, NULL, a->type_states[k]);
    accq_kv_num(r, "joint_states", NULL, a->joint_states, 0);
  }
  accq_kv_bool(r, "auto_converged", NULL, a->auto_converged);
  kv_num_or_null(r, "auto_change", NULL, a->auto_change, "one B only");
  accq_kv_int(r, "auto_steps", NULL, a->auto_steps);
  accq_kv_str(r, "warning", NULL, a->warning);
  accq_report_section_t *d = accq_kv_object(r, "diagnostics", NULL);
  accq_kv_num(d, "little_tail_error", NULL, x->little_tail_error, 0);
  accq_kv_num(d, "flow_balance_error", NULL, x->flow_balance_error, 0);
  accq_kv_num(d, "tail_integral", NULL, x->tail_integral, 0);
  if (rs->nspec > 0) {
    accq_report_section_t *sp = accq_kv_list(r, "spectrum", NULL);
    for (int j = 0; j < rs->nspec; j++) {
      accq_report_section_t *e = accq_kv_list_add(sp, NULL);
      accq_kv_num(e, "re", NULL, creal(rs->spec[j]), 0);
      accq_kv_num(e, "im", NULL, cimag(rs->spec[j]), 0);
      accq_kv_num(e, "modulus", NULL, cabs(rs->spec[j]), 0);
    }
  }
}

  /* Humans and CSV: the same values as tables; the verdict is the second
   * column, and a result that is not an answer shows no numbers. */
static void policies_table(accq_report_t *rep, const result_t *res, int n) {
  accq_report_section_t *t = accq_report_table(rep, "policies", "Measures per policy");
  accq_report_section_visibility(t, ACCQ_REPORT_NOT_JSON);
  accq_table_col(t, "policy", NULL, 0);
  accq_table_col(t, "status", "status", 0);
  accq_table_col(t, "verdict", "verdict", 0);
  accq_table_col(t, "mean_response_time", "E[T]", 8);
  accq_table_col(t, "gap", "gap to T_LP(X)", 4);
  accq_table_col(t, "accuracy", "accuracy", 8);
  accq_table_col(t, "loss_probability", "P_loss", 3);
  accq_table_col(t, "p_wait", "P(W>0)", 4);
  accq_table_col(t, "p50", "p50", 5);
  accq_table_col(t, "p90", "p90", 5);
  accq_table_col(t, "p99", "p99", 5);
  accq_table_col(t, "boundary_mass", "P(some q=B)", 3);
  accq_table_col(t, "buffer", "B", 0);
  accq_table_col(t, "states", "states", 0);
  accq_table_col(t, "solver", "solver", 0);
  accq_table_col(t, "residual", "residual", 3);
  accq_table_col(t, "seconds", "seconds", 3);
  for (int i = 0; i < n; i++) {
    const accq_analysis_t *a = &res[i].a;
    const int ok = res[i].status == 0;
    accq_table_row(t);
    accq_table_str(t, res[i].name);
    accq_table_str(t, status_word(&res[i]));
    accq_table_str(t, verdict_word(&res[i]));
    if (ok) {
      accq_table_num(t, a->m.mean_response_time);
      table_num_or_null(t, a->m.gap, "-");
      accq_table_num(t, a->m.accuracy);
      accq_table_num(t, a->m.loss_probability);
      accq_table_num(t, a->m.p_wait);
      table_num_or_null(t, a->m.p50, "-");
      table_num_or_null(t, a->m.p90, "-");
      table_num_or_null(t, a->m.p99, "-");
    } else {
      for (int j = 0; j < 8; j++) accq_table_null(t, "-");
    }
    if (res[i].analyzed) {
      accq_table_num(t, a->m.boundary_mass);
      accq_table_int(t, a->buffer);
      accq_table_int(t, a->states);
      accq_table_str(t, a->solver.name);
      accq_table_num(t, a->solver.residual);
      accq_table_num(t, a->solver.seconds);
    } else {
      for (int j = 0; j < 6; j++) accq_table_null(t, "-");
    }
  }
}

static void per_type_table(accq_report_t *rep, const accq_model_t *m, const result_t *res,
                           int n) {
  accq_report_section_t *pt = accq_report_table(rep, "per_type", "Per type");
  accq_report_section_visibility(pt, ACCQ_REPORT_NOT_JSON);
  accq_table_col(pt, "policy", NULL, 0);
  accq_table_col(pt, "type", NULL, 0);
  accq_table_col(pt, "throughput", "X_k", 8);
  accq_table_col(pt, "utilization", "U_k", 8);
  accq_table_col(pt, "buffer", "B_k", 0);
  for (int i = 0; i < n; i++) {
    if (res[i].status) continue;
    for (int k = 0; k < m->ntypes; k++) {
      accq_table_row(pt);
      accq_table_str(pt, res[i].name);
      accq_table_str(pt, m->types[k].name);
      accq_table_num(pt, res[i].a.m.throughput[k]);
      accq_table_num(pt, res[i].a.m.utilization[k]);
      accq_table_int(pt, res[i].a.type_buffer[k]);
    }
  }
}

static void diagnostics_table(accq_report_t *rep, const result_t *res, int n) {
  accq_report_section_t *dg = accq_report_table(rep, "diagnostics", "Diagnostics (should be ~0)");
  accq_report_section_visibility(dg, ACCQ_REPORT_NOT_JSON);
  accq_table_col(dg, "policy", NULL, 0);
  accq_table_col(dg, "little_tail_error", "|int P(T>t)dt - E[T]|/E[T]", 3);
  accq_table_col(dg, "flow_balance_error", "max|X_k - mu_k E[busy_k]|/X", 3);
  accq_table_col(dg, "auto_change", "E[T] change at last B step", 3);
  accq_table_col(dg, "warning", "note", 0);
  for (int i = 0; i < n; i++) {
    if (!res[i].analyzed) continue;
    accq_table_row(dg);
    accq_table_str(dg, res[i].name);
    accq_table_num(dg, res[i].a.m.little_tail_error);
    accq_table_num(dg, res[i].a.m.flow_balance_error);
    table_num_or_null(dg, res[i].a.auto_change,
                      res[i].a.auto_steps > 1 ? "-" : "one B only");
    accq_table_str(dg, res[i].a.warning[0] ? res[i].a.warning : "");
  }
}

/* The refused policies and the spectra, when there are any. */
static void refused_and_spectrum(accq_report_t *rep, const result_t *res, int n) {
  int nbad = 0;
  for (int i = 0; i < n; i++) nbad += res[i].status != 0;
  if (nbad > 0) {
    accq_report_section_t *sk = accq_report_table(rep, "refused", "Policies without an answer");
    accq_report_section_visibility(sk, ACCQ_REPORT_NOT_JSON);
    accq_table_col(sk, "policy", NULL, 0);
    accq_table_col(sk, "status", NULL, 0);
    accq_table_col(sk, "reason", NULL, 0);
    for (int i = 0; i < n; i++) {
      if (!res[i].status) continue;
      accq_table_row(sk);
      accq_table_str(sk, res[i].name);
      accq_table_str(sk, status_word(&res[i]));
      accq_table_str(sk, res[i].message);
    }
  }
  int any_spec = 0;
  for (int i = 0; i < n; i++) any_spec |= res[i].nspec > 0;
  if (any_spec) {
    accq_report_section_t *sp = accq_report_table(rep, "spectrum",
                                                  "Leading eigenvalues of the uniformized chain");
    accq_report_section_visibility(sp, ACCQ_REPORT_NOT_JSON);
    accq_table_col(sp, "policy", NULL, 0);
    accq_table_col(sp, "index", "#", 0);
    accq_table_col(sp, "re", "Re", 12);
    accq_table_col(sp, "im", "Im", 12);
    accq_table_col(sp, "modulus", "|lambda|", 12);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < res[i].nspec; j++) {
        accq_table_row(sp);
        accq_table_str(sp, res[i].name);
        accq_table_int(sp, j + 1);
        accq_table_num(sp, creal(res[i].spec[j]));
        accq_table_num(sp, cimag(res[i].spec[j]));
        accq_table_num(sp, cabs(res[i].spec[j]));
      }
  }
}

static accq_report_t *build_report(const accq_model_t *m, const accq_lp_result_t *lp,
                                   result_t *res, int n, int explicit_chain) {
  char title[ACCQ_NAME_MAX + 700];
  snprintf(title, sizeof title, "accq solve: %s (%s), scale %d%s", m->name, m->file, m->scale,
           explicit_chain ? ", explicit chain" : "");
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *s = header_kv(rep, m, lp, res, n, explicit_chain);
  /* JSON: the results list of docs/output.md, every policy asked for, each with
   * its status, reason and verdict. */
  accq_report_section_t *list = accq_kv_list(s, "results", "results");
  accq_kv_visibility(s, ACCQ_REPORT_JSON_ONLY);
  for (int i = 0; i < n; i++) result_json(list, m, &res[i]);
  policies_table(rep, res, n);
  per_type_table(rep, m, res, n);
  diagnostics_table(rep, res, n);
  refused_and_spectrum(rep, res, n);
  return rep;
}

/* --export-mtx: the chain module writes the stream, the outfile API owns the
 * file (a regular file is replaced atomically; /dev/null, a FIFO or a symlink's
 * target are handled as for --out). */
static int export_mtx_file(const accq_chain_t *chain, const char *path, accq_err_t *err) {
  accq_outfile_t *of = NULL;
  int st = accq_outfile_open(path, &of, err);
  if (st) return st;
  if ((st = accq_chain_write_mtx(chain, accq_outfile_stream(of), err)) != 0) {
    accq_outfile_abort(of);
    return st;
  }
  return accq_outfile_commit(of, err);
}

/* Allocates one policy: a refusal that is a result (infeasible, unstable) is
 * kept in r; a usage error (a bad argument) is printed and its exit status
 * returned. */
static int alloc_policy(result_t *r, const char *name, const accq_model_t *m,
                        const accq_policy_options_t *po) {
  accq_err_t err;
  accq_err_clear(&err);
  snprintf(r->name, sizeof r->name, "%.63s", name);
  int st = accq_policy_alloc(&r->pol, name, m, po, &err);
  if (st && accq_status_exit_code(st) == 2) {
    if (!strstr(err.msg, name)) accq_err_prefix(&err, "policy '%s'", name);
    return accq_cli_fail(&err);
  }
  if (st) {
    r->status = st;
    snprintf(r->message, sizeof r->message, "%s", err.msg);
  } else {
    snprintf(r->name, sizeof r->name, "%s", accq_policy_name(r->pol));
  }
  return 0;
}

/* -v: each chain solved by buffer = auto, on stderr. */
static void step_line(void *ctx, const char *line) {
  fprintf(stderr, "accq solve: %s: %s\n", (const char *)ctx, line);
}

/* Analyzes one policy, then exports its generator and computes its spectrum
 * when asked; returns 0 or the exit status of a printed error. */
static int analyze_one(result_t *r, const accq_model_t *m, const accq_analysis_options_t *opt_in,
                       const char *export_mtx, int spectrum, int several, accq_progress_t *prog) {
  accq_err_t err;
  accq_err_clear(&err);
  accq_analysis_options_t opt_v = *opt_in;
  const accq_analysis_options_t *opt = &opt_v;
  if (opt_v.progress) opt_v.progress_ctx = (void *)r->name;
  int st = accq_analyze(m, r->pol, opt, &r->a, &err);
  r->status = st;
  r->analyzed = st == 0 || st == ACCQ_ENOCONV || (r->a.verdict == ACCQ_ANALYSIS_TRUNCATED);
  if (st) {
    if (!strstr(err.msg, r->name)) accq_err_prefix(&err, "policy '%s'", r->name);
    snprintf(r->message, sizeof r->message, "%s", err.msg);
  }
  if (export_mtx && r->a.chain && st == 0) {
    char path[4096];
    mtx_path(path, sizeof path, export_mtx, r->name, several);
    if (export_mtx_file(r->a.chain, path, &err)) {
      accq_progress_finish(prog);
      return accq_cli_fail(&err);
    }
  }
  if (spectrum > 0 && r->a.chain) {
    int k = spectrum;
    if (k > r->a.chain->nstates) k = (int)r->a.chain->nstates;
    r->spec = calloc((size_t)k, sizeof *r->spec);
    if (!r->spec) {
      accq_err_set(&err, ACCQ_ENOMEM, "out of memory for %d eigenvalues", k);
      return accq_cli_fail(&err);
    }
    if (accq_spectrum(&r->a.chain->Q, k, r->spec, &err)) {
      accq_progress_finish(prog);
      accq_err_prefix(&err, "--spectrum %d for '%s'", spectrum, r->name);
      return accq_cli_fail(&err);
    }
    r->nspec = k;
  }
  accq_analysis_release(&r->a);
  return 0;
}

/* --solver, --tol, --max-states, --storage, --max-memory into opt; 0, or
 * the exit status of a printed usage error. */
static int solver_options(accq_cli_t *cli, accq_analysis_options_t *opt, const char *solver,
                          double tol, int64_t max_states, const char *storage, double max_memory) {
  accq_err_t err;
  accq_err_clear(&err);
  if (solver && accq_solver_from_name(solver, &opt->solver.solver, &err))
    return accq_cli_usage(cli, "%s", err.msg);
  if (!isnan(tol)) {
    if (!(tol > 0 && tol < 1)) return accq_cli_usage(cli, "--tol must be in (0, 1) (got %g)", tol);
    opt->solver.tol = tol;
  }
  if (max_states) opt->chain.max_states = max_states;
  if (cli->verbose) opt->progress = step_line; /* its context: the policy (analyze_one) */
  if (storage && accq_storage_from_name(storage, &opt->chain.storage, &err))
    return accq_cli_usage(cli, "--storage: %s", err.msg);
  if (!isnan(max_memory)) opt->chain.max_bytes = max_memory * 1024.0 * 1024.0 * 1024.0;
  return 0;
}

int accq_cli_solve(int argc, char **argv) {
  const char *policies = NULL, *solver = NULL, *buffer = NULL, *export_mtx = NULL, *storage = NULL;
  /* "not given" is INT_MIN or NaN, values no option can take, so that an
   * explicit --scale 0 or --tol 0 is refused rather than ignored */
  int scale = INT_MIN, explicit_chain = 0, spectrum = 0, max_buffer = INT_MIN;
  int64_t max_states = 0;
  double tol = NAN, max_memory = NAN;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]",
       "policies to solve, comma-separated, or 'all' (default all): the names `accq policies` "
       "lists"},
      {"solver", 0, ACCQ_OPT_STRING, &solver, "NAME",
       accq_solver_names_text()},
      {"buffer", 'B', ACCQ_OPT_STRING, &buffer, "B|auto",
       "jobs per server (default: the model's); B: the finite-buffer system; auto: B grows "
       "(x1.4) until the boundary mass and the E[T] change are <= 1e-9"},
      {"scale", 'm', ACCQ_OPT_COUNT, &scale, "m",
       "system size m (servers and Lambda times m; default: the model's)"},
      {"max-states", 0, ACCQ_OPT_SIZE, &max_states, "N",
       "refuse chains with more states (default 2e7), before allocating"},
      {"storage", 0, ACCQ_OPT_STRING, &storage, "auto|stored|matrix-free",
       "how the generator is kept (docs/chains.md, \"Storage\"): stored rows, or matrix-free "
       "(rows regenerated from each state's rank in every sweep: no memory per transition, "
       "slower); auto (default): stored when its estimate fits --max-memory, else matrix-free"},
      {"max-memory", 0, ACCQ_OPT_POSITIVE, &max_memory, "GIB",
       "memory limit of a chain and its solve in GiB (default 3/4 of the available memory): "
       "larger chains are refused before allocating, with the estimate"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &max_buffer, "B",
       "largest B tried by buffer = auto (default 200; 10000 per type for rjiq and random-lp)"},
      {"tol", 0, ACCQ_OPT_PROB, &tol, "TOL",
       "accept pi when max|(pi Q)_j| <= TOL max|Q_jj| (default 1e-12)"},
      {"explicit", 0, ACCQ_OPT_FLAG, &explicit_chain, NULL,
       "use the explicit per-server chain (small systems; cross-checks the lumping)"},
      {"export-mtx", 0, ACCQ_OPT_STRING, &export_mtx, "FILE",
       "write the generator Q in Matrix Market format (FILE-POLICY.mtx with several policies)"},
      {"spectrum", 0, ACCQ_OPT_COUNT, &spectrum, "K",
       "the K leading eigenvalues of the uniformized chain (ARPACK)"},
      {0}};
  const accq_cli_spec_t spec = {
      "solve", "[MODEL] [--policy P[,P..]|all] [options]",
      "Exact stationary measures (docs/chains.md, docs/measures.md) from the Markov chain of each policy:\n"
      "E[T], accuracy, loss, P(W>0), utilization and throughput per type, response-time\n"
      "percentiles, gap to the LP bound, boundary mass, solver statistics and the\n"
      "Little / flow-balance diagnostics.  Every result has a status and a verdict:\n"
      "converged (buffer = auto reached boundary mass and E[T] change <= 1e-9: the\n"
      "infinite-buffer answer), finite-buffer (an explicit --buffer B: exact for that\n"
      "system, losses shown), truncated / not-converged / refused (no answer: the\n"
      "numbers are withheld and the reason is printed).  rjiq and random-lp are\n"
      "solved as products of independent per-type chains.  Exit status: the worst\n"
      "result; 3 numerical (over --max-states or memory, no convergence), 4 no\n"
      "answer exists (e.g. an R-JIQ split that saturates a type, with buffer = auto).",
      ACCQ_CLI_COMMON, opts, 0, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;

  accq_analysis_options_t opt;
  accq_analysis_options_init(&opt);
  accq_err_t err;
  accq_err_clear(&err);
  if ((rc = solver_options(&cli, &opt, solver, tol, max_states, storage, max_memory)) != 0) return rc;
  char buffer_s[32]; /* --buffer through the option parser (2e1 is 20), then the model's */
  if (buffer && strcmp(buffer, "auto")) {
    int b;
    if (accq_cli_parse_int(buffer, &b) || b < 1)
      return accq_cli_usage(&cli, "option --buffer needs a whole number >= 1 or auto (got '%s')",
                            buffer);
    snprintf(buffer_s, sizeof buffer_s, "%d", b);
    buffer = buffer_s;
  }
  if (max_buffer != INT_MIN) {
    if (max_buffer < 1) return accq_cli_usage(&cli, "--max-buffer must be >= 1 (got %d)", max_buffer);
    opt.auto_max_buffer = max_buffer;
  }
  if (spectrum < 0 || spectrum > 1000)
    return accq_cli_usage(&cli, "--spectrum needs K from 1 to 1000 (got %d)", spectrum);
  opt.explicit_chain = explicit_chain;
  opt.strict_auto = 1; /* a truncated auto result is no answer: exit 3 */
  opt.keep_chain = export_mtx || spectrum > 0;
  static char names[MAX_POLICIES][64];
  int npol = 0;
  if ((rc = accq_cli_policy_list(&cli, MAX_POLICIES, policies ? policies : "all", names, &npol)) != 0) return rc;

  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;
  char set[128];
  if (scale != INT_MIN) {
    snprintf(set, sizeof set, "system.scale=%d", scale);
    if (accq_model_set(&m, set, &err)) return accq_cli_usage(&cli, "--scale: %s", err.msg);
  }
  if (buffer) {
    snprintf(set, sizeof set, "system.buffer=%s", buffer);
    if (accq_model_set(&m, set, &err)) return accq_cli_usage(&cli, "--buffer: %s", err.msg);
  }

  /* The bound at the model's Lambda (per unit of scale). */
  accq_lp_problem_t lpp;
  accq_lp_result_t lp;
  memset(&lp, 0, sizeof lp);
  if ((rc = accq_lp_problem_from_model(&lpp, &m, 0.0)) != 0 || accq_lp_solve(&lpp, &lp, &err))
    return accq_cli_fail(&err);

  /* Every policy is tried; one without an answer (unknown name aside, a
   * usage error) is reported with its status and reason and does not stop the
   * others.  The exit status is the worst among the results. */
  result_t *res = calloc((size_t)npol, sizeof *res);
  if (!res) {
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    return accq_cli_fail(&err);
  }
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  /* An explicit buffer asks about the finite-buffer system, which is stable
   * even where the LP split saturates a type (it loses jobs). */
  po.finite_buffer = m.buffer > 0;
  for (int i = 0; i < npol && rc == 0; i++) rc = alloc_policy(&res[i], names[i], &m, &po);
  accq_progress_t prog;
  accq_progress_start(&prog, "solving", npol, cli.quiet);
  for (int i = 0; i < npol && rc == 0; i++) {
    if (!res[i].pol) continue;
    if ((rc = analyze_one(&res[i], &m, &opt, export_mtx, spectrum, npol > 1, &prog)) != 0) break;
    if (cli.verbose && res[i].a.warning[0])
      fprintf(stderr, "accq: %s: %s\n", res[i].name, res[i].a.warning);
    accq_progress_update(&prog, i + 1);
  }
  accq_progress_finish(&prog);
  if (rc == 0) {
    accq_report_t *rep = build_report(&m, &lp, res, npol, explicit_chain);
    rc = accq_cli_emit(&cli, rep);
    accq_report_free(rep);
    if (rc == 0) {
      /* every result without an answer is named on stderr (never hidden by
       * -q); the exit status is the worst: 4 (no answer exists) over 3
       * (numerical) */
      for (int i = 0; i < npol; i++) {
        if (!res[i].status) continue;
        fprintf(stderr, "accq: %s\n", res[i].message);
        int code = accq_status_exit_code(res[i].status);
        if (code > rc) rc = code;
      }
    }
  }
  for (int i = 0; i < npol; i++) {
    accq_analysis_release(&res[i].a);
    accq_policy_free(res[i].pol);
    free(res[i].spec);
  }
  free(res);
  return rc;
}
