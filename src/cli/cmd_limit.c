/* accq limit: the mean-field (m -> infinity) fixed point of each policy, its
 * measures and diagnostics, for one model or over a range (--vary).  Parses,
 * calls the limit module (accq/limit.h), builds one report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/fmt.h"
#include "accq/limit.h"
#include "accq/lp.h"
#include "cli/cli.h"

#define MAX_POLICIES 32
#define MAX_LEVELS_SHOWN 12 /* queue-length columns for humans; JSON has them all */

static const char *status_word(int st) {
  switch (st) {
  case ACCQ_SUCCESS: return "ok";
  case ACCQ_EUNSTABLE: return "unstable";
  case ACCQ_ECAPINFEAS: return "infeasible";
  case ACCQ_EACCINFEAS: return "infeasible";
  case ACCQ_ENOCONV: return "not_converged";
  case ACCQ_ETOOBIG: return "too_large";
  case ACCQ_ENOMEM: return "out_of_memory";
  default: return "numerical_failure";
  }
}

/* One policy at one model: the workspace (NULL when alloc refused it), status, reason. */
typedef struct {
  char name[64];
  accq_limit_t *w;
  int status;
  char reason[ACCQ_ERR_MSG_MAX];
} run_t;

/* Solves; a usage error (unknown policy) is returned, every other outcome is
 * recorded in the run. */
static int run_one(run_t *r, const accq_model_t *m, const char *name,
                   const accq_limit_options_t *opt) {
  accq_err_t err;
  accq_err_clear(&err);
  memset(r, 0, sizeof *r);
  snprintf(r->name, sizeof r->name, "%s", name);
  int st = accq_limit_alloc(&r->w, m, name, opt, &err);
  if (st == ACCQ_EUSAGE || st == ACCQ_EINVAL) {
    snprintf(r->reason, sizeof r->reason, "%s", err.msg);
    r->status = st;
    return st;
  }
  if (!st) {
    snprintf(r->name, sizeof r->name, "%s", accq_limit_policy_name(r->w));
    st = accq_limit_solve(r->w, &err);
  }
  r->status = st;
  if (st) snprintf(r->reason, sizeof r->reason, "%s", err.msg);
  return ACCQ_SUCCESS;
}

static void run_free(run_t *r) {
  accq_limit_free(r->w);
  r->w = NULL;
}

/* exit code of the worst outcome */
static int worse(int rc, int st) {
  int e = accq_status_exit_code(st);
  return e > rc ? e : rc;
}

/* ---- one model ------------------------------------------------------------- */

static void result_json(accq_report_section_t *list, const accq_model_t *m, const run_t *r) {
  accq_report_section_t *e = accq_kv_list_add(list, r->name);
  accq_kv_str(e, "policy", NULL, r->name);
  accq_kv_str(e, "status", NULL, status_word(r->status));
  if (r->status) {
    accq_kv_str(e, "reason", NULL, r->reason);
    return;
  }
  accq_kv_null(e, "reason", NULL, NULL);
  const accq_limit_result_t *x = accq_limit_result(r->w);
  accq_kv_num(e, "mean_response_time", NULL, x->et, 0);
  if (isnan(x->gap))
    accq_kv_null(e, "gap", NULL, "no bound: LP infeasible");
  else
    accq_kv_num(e, "gap", NULL, x->gap, 0);
  accq_kv_num(e, "accuracy", NULL, x->accuracy, 0);
  accq_kv_num(e, "p_wait", NULL, x->p_wait, 0);
  accq_kv_num(e, "mean_jobs", NULL, x->mean_jobs, 0);
  accq_report_section_t *u = accq_kv_object(e, "utilization", NULL);
  for (int k = 0; k < m->ntypes; k++) accq_kv_num(u, m->types[k].name, NULL, x->utilization[k], 0);
  accq_report_section_t *th = accq_kv_object(e, "throughput", NULL);
  for (int k = 0; k < m->ntypes; k++) accq_kv_num(th, m->types[k].name, NULL, x->throughput[k], 0);
  /* P(a type-k server holds q jobs) = s_k[q] - s_k[q+1], up to the last level with mass */
  accq_report_section_t *ql = accq_kv_object(e, "queue_length", NULL);
  for (int k = 0; k < m->ntypes; k++) {
    double v[4096];
    int n = 0;
    for (int q = 0; q <= x->levels && n < 4096; q++) {
      double s = accq_limit_level(r->w, k, q);
      if (q > 0 && s <= 0) break;
      /* a tied level can differ from its neighbour by rounding (1e-23): clamp at 0 */
      v[n++] = fmax(0.0, s - accq_limit_level(r->w, k, q + 1));
    }
    accq_kv_nums(ql, m->types[k].name, NULL, v, n, 0);
  }
  accq_report_section_t *d = accq_kv_object(e, "diagnostics", NULL);
  accq_kv_num(d, "residual", NULL, x->residual, 0);
  accq_kv_num(d, "flow_residual", NULL, x->flow_residual, 0);
  if (isnan(x->et_error))
    accq_kv_null(d, "et_error", NULL, "not estimated");
  else
    accq_kv_num(d, "et_error", NULL, x->et_error, 0);
  accq_kv_num(d, "tail", NULL, x->tail, 0);
  if (isnan(x->abscissa))
    accq_kv_null(d, "spectral_abscissa", NULL, "not computed (too many unknowns)");
  else
    accq_kv_num(d, "spectral_abscissa", NULL, x->abscissa, 0);
  accq_kv_int(d, "levels", NULL, x->levels);
  accq_kv_int(d, "face", NULL, x->face);
  accq_kv_int(d, "unknowns", NULL, x->dimension);
  accq_kv_num(d, "ode_time", NULL, x->ode_time, 0);
  accq_kv_int(d, "ode_steps", NULL, x->ode_steps);
  accq_kv_int(d, "newton_iterations", NULL, x->newton_iterations);
  accq_kv_num(d, "seconds", NULL, x->seconds, 0);
}

static accq_report_t *single_report(const accq_model_t *m, double t_lp, const run_t *runs, int n) {
  char title[ACCQ_NAME_MAX + 600];
  snprintf(title, sizeof title, "accq limit: %s (%s), m -> infinity", m->name, m->file);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(s, "model", NULL, m->name);
  accq_kv_str(s, "file", NULL, m->file);
  if (m->lambda_mode == ACCQ_LAMBDA_LOAD)
    accq_kv_num(s, "load", "load (fraction of Lambda_max)", m->load, 0);
  accq_kv_num(s, "lambda", "Lambda (arrival rate per unit scale)", m->arrival_rate, 0);
  accq_kv_num(s, "accuracy_target", "a* (accuracy target)", m->accuracy_target, 0);
  if (isnan(t_lp))
    accq_kv_null(s, "t_lp", "T_LP (bound)", "none: LP infeasible");
  else
    accq_kv_num(s, "t_lp", "T_LP (bound)", t_lp, 0);
  accq_report_section_t *list = accq_kv_list(s, "results", "results");
  accq_kv_visibility(s, ACCQ_REPORT_JSON_ONLY);
  for (int i = 0; i < n; i++) result_json(list, m, &runs[i]);

  accq_report_section_t *t = accq_report_table(rep, "policies", "Mean-field limit per policy");
  accq_report_section_visibility(t, ACCQ_REPORT_NOT_JSON);
  accq_table_col(t, "policy", NULL, 0);
  accq_table_col(t, "status", NULL, 0);
  accq_table_col(t, "mean_response_time", "E[T]", 10);
  accq_table_col(t, "gap", "gap to T_LP", 4);
  accq_table_col(t, "accuracy", NULL, 8);
  accq_table_col(t, "p_wait", "P(W>0)", 4);
  accq_table_col(t, "residual", NULL, 2);
  accq_table_col(t, "spectral_abscissa", "abscissa", 4);
  accq_table_col(t, "levels", "Q", 0);
  accq_table_col(t, "reason", NULL, 0);
  for (int i = 0; i < n; i++) {
    const run_t *r = &runs[i];
    accq_table_row(t);
    accq_table_str(t, r->name);
    accq_table_str(t, status_word(r->status));
    if (r->status) {
      for (int j = 0; j < 7; j++) accq_table_null(t, NULL);
      accq_table_str(t, r->reason);
      continue;
    }
    const accq_limit_result_t *x = accq_limit_result(r->w);
    accq_table_num(t, x->et);
    if (isnan(x->gap)) accq_table_null(t, NULL);
    else accq_table_num(t, x->gap);
    accq_table_num(t, x->accuracy);
    accq_table_num(t, x->p_wait);
    accq_table_num(t, x->residual);
    if (isnan(x->abscissa)) accq_table_null(t, "not computed");
    else accq_table_num(t, x->abscissa);
    accq_table_int(t, x->levels);
    accq_table_str(t, "");
  }

  accq_report_section_t *ty = accq_report_table(rep, "types", "Per type at the fixed point");
  accq_report_section_visibility(ty, ACCQ_REPORT_NOT_JSON);
  accq_table_col(ty, "policy", NULL, 0);
  accq_table_col(ty, "type", NULL, 0);
  accq_table_col(ty, "utilization", "utilization s_k[1]", 8);
  accq_table_col(ty, "throughput", "throughput X_k", 8);
  for (int q = 0; q < MAX_LEVELS_SHOWN; q++) {
    char key[16], label[32];
    snprintf(key, sizeof key, "p%d", q);
    snprintf(label, sizeof label, "P(q=%d)", q);
    accq_table_col(ty, key, label, 4);
  }
  for (int i = 0; i < n; i++) {
    if (runs[i].status) continue;
    const accq_limit_result_t *x = accq_limit_result(runs[i].w);
    for (int k = 0; k < m->ntypes; k++) {
      accq_table_row(ty);
      accq_table_str(ty, runs[i].name);
      accq_table_str(ty, m->types[k].name);
      accq_table_num(ty, x->utilization[k]);
      accq_table_num(ty, x->throughput[k]);
      for (int q = 0; q < MAX_LEVELS_SHOWN; q++)
        accq_table_num(ty, fmax(0.0, accq_limit_level(runs[i].w, k, q) -
                                         accq_limit_level(runs[i].w, k, q + 1)));
    }
  }
  return rep;
}

/* ---- a range ----------------------------------------------------------------- */

static int vary_run(const accq_cli_t *cli, const accq_model_t *base, char names[][64], int npol,
                    const accq_limit_options_t *opt, const char *vary_arg) {
  accq_err_t err;
  accq_err_clear(&err);
  accq_cli_vary_t v;
  if (accq_cli_vary_parse(vary_arg, &v, &err) ||
      accq_model_vary_check(base, v.param, v.key, (int)sizeof v.key, &err))
    return accq_cli_usage(cli, "%s", err.msg);
  char title[ACCQ_NAME_MAX + 1000];
  snprintf(title, sizeof title, "accq limit: %s (%s), %s from %g to %g, m -> infinity", base->name,
           base->file, v.param, v.from, v.to);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(s, "model", NULL, base->name);
  accq_kv_str(s, "file", NULL, base->file);
  accq_kv_str(s, "vary", NULL, v.param);
  char label[sizeof v.param + 48];
  snprintf(label, sizeof label, "Mean-field limit over %s", v.param);
  accq_report_section_t *t = accq_report_table(rep, "rows", label);
  int show_lambda = strcmp(v.key, "system.arrival_rate") != 0;
  accq_table_col(t, v.param, NULL, 0);
  if (show_lambda) accq_table_col(t, "lambda", "Lambda", 0);
  accq_table_col(t, "policy", NULL, 0);
  accq_table_col(t, "status", NULL, 0);
  accq_table_col(t, "mean_response_time", "E[T]", 10);
  accq_table_col(t, "t_lp", "T_LP", 10);
  accq_table_col(t, "gap", "gap to T_LP", 4);
  accq_table_col(t, "accuracy", NULL, 8);
  accq_table_col(t, "p_wait", "P(W>0)", 4);
  accq_table_col(t, "residual", NULL, 2);
  accq_table_col(t, "spectral_abscissa", "abscissa", 4);
  accq_table_col(t, "reason", NULL, 0);
  accq_report_set_primary(rep, t);
  accq_progress_t bar;
  accq_progress_start(&bar, "accq limit", (double)v.n * npol, cli->quiet);
  int rc = 0, worst = 0;
  /* for --plot: E[T] per policy and T_LP over the range (NaN where none) */
  double *px = calloc((size_t)v.n, sizeof(double));
  double *py = calloc((size_t)v.n * (size_t)(npol + 1), sizeof(double));
  if (!px || !py) {
    free(px);
    free(py);
    accq_report_free(rep);
    accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
    return accq_cli_fail(&err);
  }
  for (int i = 0; i < v.n * (npol + 1); i++) py[i] = NAN;
  for (int i = 0; i < v.n && rc == 0; i++) {
    accq_model_t m = *base;
    int st = accq_cli_vary_apply(&v, i, &m, &err);
    int resolved = accq_model_is_resolved(&m); /* resolved by accq_model_set */
    if (st) {
      accq_err_prefix(&err, "--vary %s=%.17g", v.param, accq_cli_vary_value(&v, i));
      rc = accq_cli_fail(&err);
      break;
    }
    px[i] = accq_cli_vary_value(&v, i);
    for (int p = 0; p < npol; p++) {
      run_t r;
      memset(&r, 0, sizeof r);
      if (resolved) {
        if (run_one(&r, &m, names[p], opt)) {
          rc = accq_cli_usage(cli, "%s", r.reason);
          run_free(&r);
          break;
        }
      } else {
        snprintf(r.name, sizeof r.name, "%s", names[p]);
        r.status = ACCQ_EACCINFEAS;
        snprintf(r.reason, sizeof r.reason, "accuracy target %s is above every type's accuracy",
                 ACCQ_FMT(m.accuracy_target));
      }
      accq_table_row(t);
      accq_table_num(t, accq_cli_vary_value(&v, i));
      if (show_lambda) {
        if (resolved) accq_table_num(t, m.arrival_rate);
        else accq_table_null(t, NULL);
      }
      accq_table_str(t, r.name);
      accq_table_str(t, status_word(r.status));
      if (r.status) {
        for (int j = 0; j < 7; j++) accq_table_null(t, NULL);
        accq_table_str(t, r.reason);
        /* rows without an answer (unstable, infeasible) are results; a
         * numerical failure is a failure of the command */
        if (accq_status_exit_code(r.status) == 3) worst = worse(worst, r.status);
      } else {
        const accq_limit_result_t *x = accq_limit_result(r.w);
        py[(size_t)p * v.n + i] = x->et;
        py[(size_t)npol * v.n + i] = x->t_lp;
        accq_table_num(t, x->et);
        if (isnan(x->t_lp)) accq_table_null(t, NULL);
        else accq_table_num(t, x->t_lp);
        if (isnan(x->gap)) accq_table_null(t, NULL);
        else accq_table_num(t, x->gap);
        accq_table_num(t, x->accuracy);
        accq_table_num(t, x->p_wait);
        accq_table_num(t, x->residual);
        if (isnan(x->abscissa)) accq_table_null(t, "not computed");
        else accq_table_num(t, x->abscissa);
        accq_table_str(t, "");
      }
      run_free(&r);
      accq_progress_update(&bar, (double)i * npol + p + 1);
    }
  }
  accq_progress_finish(&bar);
  if (rc == 0 && cli->plot) {
    const char *pn[MAX_POLICIES];
    for (int p = 0; p < npol; p++) pn[p] = names[p];
    if (accq_limit_plot_vary(title, v.param, px, v.n, pn, npol, py, py + (size_t)npol * v.n,
                             cli->plot, &err))
      rc = accq_cli_fail(&err);
  }
  if (rc == 0) rc = accq_cli_emit(cli, rep);
  accq_report_free(rep);
  free(px);
  free(py);
  return rc ? rc : worst;
}

int accq_cli_limit(int argc, char **argv) {
  const char *policies = NULL, *vary = NULL, *trajectory = NULL;
  int q_max = 0, no_stability = 0;
  double time_limit = 0;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]", "policies (default all)"},
      {"vary", 0, ACCQ_OPT_STRING, &vary, "PARAM=A:B:N",
       "the limit over N values from A to B of load, lambda, accuracy_target or SEC.KEY"},
      {"trajectory", 0, ACCQ_OPT_STRING, &trajectory, "FILE.csv",
       "write the ODE trajectory from the empty state (one policy, no --vary)"},
      {"q-max", 0, ACCQ_OPT_COUNT, &q_max, "N", "largest queue truncation (default 2048)"},
      {"no-stability", 0, ACCQ_OPT_FLAG, &no_stability, NULL,
       "skip the eigenvalues of the Jacobian (the local stability check)"},
      {"time-limit", 0, ACCQ_OPT_POSITIVE_INF, &time_limit, "SECONDS",
       "limit of each policy's solve (default 60; inf: none); beyond: no number, exit 3"},
      {0}};
  const accq_cli_spec_t spec = {
      "limit", "[MODEL] [--policy P[,P..]] [options]",
      "The mean-field limit (m -> infinity, proportional scaling) of each policy: the\n"
      "fixed point of its fluid dynamics reached from the empty state, polished to an\n"
      "exact-drift residual below 1e-12, with E[T] (Little's law), the gap to T_LP,\n"
      "accuracy, P(wait), per-type utilization, throughput and queue lengths, and its\n"
      "local stability (spectral abscissa of the Jacobian).  The idle-first rules\n"
      "slide on the boundary where a type has no idle server (docs/limit.md).  Exit\n"
      "status 4 when no stable fixed point exists (overload) for a policy, 3 when the\n"
      "fixed point was not found; with --vary such rows say so and only numerical\n"
      "failures (3) set the exit status.",
      ACCQ_CLI_COMMON | ACCQ_CLI_PLOT, opts, 0, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  accq_limit_options_t opt;
  accq_limit_options_init(&opt);
  if (q_max) {
    if (q_max < opt.q_init || q_max > 1000000)
      return accq_cli_usage(&cli, "--q-max must be in [%d, 1000000] (got %d)", opt.q_init, q_max);
    opt.q_max = q_max;
  }
  opt.stability = !no_stability;
  if (time_limit > 0) opt.max_seconds = time_limit;
  static char names[MAX_POLICIES][64];
  int npol = 0;
  if ((rc = accq_cli_policy_list(&cli, MAX_POLICIES, policies ? policies : "all", names, &npol)) != 0) return rc;
  if (trajectory && (npol != 1 || vary))
    return accq_cli_usage(&cli, "--trajectory needs exactly one policy and no --vary");
  if (cli.plot && !vary && npol != 1)
    return accq_cli_usage(&cli, "--plot draws the trajectory of one policy, or E[T] over --vary");
  opt.trajectory = trajectory != NULL || (cli.plot && !vary);

  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;
  if (vary) return vary_run(&cli, &m, names, npol, &opt, vary);

  accq_err_t err;
  accq_err_clear(&err);
  accq_lp_problem_t prob;
  accq_lp_result_t lr;
  if ((rc = accq_lp_problem_from_model(&prob, &m, 0.0)) != 0 || accq_lp_solve(&prob, &lr, &err))
    return accq_cli_fail(&err);
  double t_lp = lr.status == ACCQ_LP_OPTIMAL ? lr.t_lp : NAN;

  run_t runs[MAX_POLICIES];
  int n = 0, worst = 0;
  accq_progress_t bar;
  accq_progress_start(&bar, "accq limit", npol, cli.quiet);
  for (int i = 0; i < npol; i++) {
    if (run_one(&runs[n], &m, names[i], &opt)) {
      accq_progress_finish(&bar);
      rc = accq_cli_usage(&cli, "%s", runs[n].reason);
      run_free(&runs[n]);
      goto cleanup;
    }
    if (runs[n].status) worst = worse(worst, runs[n].status);
    n++;
    accq_progress_update(&bar, i + 1);
  }
  accq_progress_finish(&bar);
  if (trajectory && runs[0].w && accq_limit_trajectory_points(runs[0].w) > 0) {
    accq_outfile_t *of;
    if ((rc = accq_outfile_open(trajectory, &of, &err)) != 0) {
      rc = accq_cli_fail(&err);
      goto cleanup;
    }
    if (accq_limit_trajectory_write(runs[0].w, accq_outfile_stream(of), &err)) {
      accq_outfile_abort(of);
      rc = accq_cli_fail(&err);
      goto cleanup;
    }
    if (accq_outfile_commit(of, &err)) {
      rc = accq_cli_fail(&err);
      goto cleanup;
    }
  }
  if (cli.plot && runs[0].w && accq_limit_trajectory_points(runs[0].w) > 0) {
    /* E[T](t) = L(t)/Lambda along the ODE from the empty state, and the limit */
    if (accq_limit_plot_trajectory(runs[0].w, cli.plot, &err)) {
      rc = accq_cli_fail(&err);
      goto cleanup;
    }
  }
  accq_report_t *rep = single_report(&m, t_lp, runs, n);
  rc = accq_cli_emit(&cli, rep);
  accq_report_free(rep);
  if (rc == 0 && worst) {
    for (int i = 0; i < n; i++)
      if (runs[i].status) {
        if (strstr(runs[i].reason, runs[i].name))
          fprintf(stderr, "accq: %s\n", runs[i].reason);
        else
          fprintf(stderr, "accq: policy '%s': %s\n", runs[i].name, runs[i].reason);
      }
    rc = worst;
  }
cleanup:
  for (int i = 0; i < n; i++) run_free(&runs[i]);
  return rc;
}
