/* accq lp: the LP bound of docs/lp.md for a model, or over a range (--vary).
 * Parses, calls the LP module, builds one report, prints it in any format. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/lp.h"
#include "cli/cli.h"

static const char *status_name(accq_lp_status_t s) {
  switch (s) {
  case ACCQ_LP_OPTIMAL: return "optimal";
  case ACCQ_LP_ACCURACY_INFEASIBLE: return "accuracy_infeasible";
  case ACCQ_LP_CAPACITY_INFEASIBLE: return "capacity_infeasible";
  }
  return "unknown";
}

typedef struct {
  const char *solver; /* "glpk" | "combinatorial" */
  int exact;
  double slack;
} lp_opts_t;

/* One solved point: the model (resolved when possible), the float result and,
 * with --exact, the rational one. */
typedef struct {
  accq_model_t m;
  int have_lambda;       /* 0 when load mode could not be resolved (a* infeasible) */
  accq_lp_result_t r;
  accq_lp_exact_t ex;
  int have_exact;
} point_t;

/* Resolves and solves m in place.  Infeasibility is a result, not an error. */
static int solve_point(point_t *pt, const lp_opts_t *o, accq_err_t *err) {
  memset(&pt->r, 0, sizeof pt->r);
  memset(&pt->ex, 0, sizeof pt->ex);
  pt->have_exact = 0;
  pt->have_lambda = 1;
  int st = ACCQ_SUCCESS;
  if (!accq_model_is_resolved(&pt->m)) {
    /* the model is resolved when loaded or set: an unresolved load means
     * Lambda = load * Lambda_max(a*) does not exist (a* > max a_k) */
    pt->have_lambda = 0;
    pt->r.status = ACCQ_LP_ACCURACY_INFEASIBLE;
    pt->r.t_lp = pt->r.t_free = pt->r.price = NAN;
    return ACCQ_SUCCESS;
  }
  accq_lp_problem_t p;
  if ((st = accq_lp_problem_from_model(&p, &pt->m, o->slack)) != 0)
    return accq_err_set(err, st, "--slack %g: must be in [0, 1)", o->slack);
  st = !strcmp(o->solver, "combinatorial") ? accq_lp_solve_combinatorial(&p, &pt->r, err)
                                           : accq_lp_solve(&p, &pt->r, err);
  if (st) return st;
  if (o->exact) {
    if ((st = accq_lp_solve_exact(&p, &pt->ex, err)) != 0) return st;
    pt->have_exact = 1;
    /* the exact answer is printed only when the float one agrees with it */
    if ((st = accq_lp_check_exact(&p, &pt->r, &pt->ex, err)) != 0) return st;
  }
  return ACCQ_SUCCESS;
}

static void point_free(point_t *pt) {
  if (pt->have_exact) accq_lp_exact_free(&pt->ex);
  pt->have_exact = 0;
}

/* The reason of an infeasible point, for stderr and for humans. */
static void reason(const point_t *pt, char *buf, size_t size) {
  const accq_model_t *m = &pt->m;
  if (pt->r.status == ACCQ_LP_ACCURACY_INFEASIBLE) {
    int best = 0;
    for (int k = 1; k < m->ntypes; k++)
      if (m->types[k].accuracy > m->types[best].accuracy) best = k;
    snprintf(buf, size,
             "accuracy target %g is above every type's accuracy (best: '%s' with %g): "
             "no dispatch policy can meet it",
             m->accuracy_target, m->types[best].name, m->types[best].accuracy);
  } else {
    snprintf(buf, size,
             "arrival rate %g is beyond Lambda_max(a*) = %.17g for accuracy target %g: "
             "no policy meeting the target is stable",
             m->arrival_rate, pt->r.lambda_max, m->accuracy_target);
  }
}

static void add_num(accq_report_section_t *s, const char *key, const char *label, double v,
                    const char *exact) {
  if (exact)
    accq_kv_num_exact(s, key, label, v, exact);
  else
    accq_kv_num(s, key, label, v, 0);
}

/* The breakpoints failed their check (lp.h): not printed, exit status 3. */
static int breakpoints_withheld(const point_t *pt) {
  return pt->have_lambda && pt->r.status != ACCQ_LP_ACCURACY_INFEASIBLE &&
         !pt->r.breakpoints_verified;
}

/* ---- one model -------------------------------------------------------------- */

static accq_report_t *single_report(const point_t *pt, const lp_opts_t *o) {
  const accq_model_t *m = &pt->m;
  const accq_lp_result_t *r = &pt->r;
  const accq_lp_exact_t *ex = pt->have_exact ? &pt->ex : NULL;
  int ok = r->status == ACCQ_LP_OPTIMAL;
  char title[ACCQ_NAME_MAX + 600], why[512] = "";
  snprintf(title, sizeof title, "accq lp: %s (%s)", m->name, m->file);
  if (!ok) reason(pt, why, sizeof why);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(s, "model", NULL, m->name);
  accq_kv_str(s, "file", NULL, m->file);
  if (m->lambda_mode == ACCQ_LAMBDA_LOAD)
    accq_kv_num(s, "load", "load (fraction of Lambda_max)", m->load, 0);
  if (pt->have_lambda)
    accq_kv_num(s, "lambda", "Lambda (arrival rate)", m->arrival_rate, 0);
  else
    accq_kv_null(s, "lambda", "Lambda (arrival rate)", "undefined (load of Lambda_max = 0)");
  accq_kv_num(s, "accuracy_target", "a* (accuracy target)", m->accuracy_target, 0);
  if (o->slack > 0) accq_kv_num(s, "slack", "slack on capacities", o->slack, 0);
  accq_kv_str(s, "status", NULL, status_name(r->status));
  if (!ok) {
    accq_kv_str(s, "reason", NULL, why);
    accq_kv_null(s, "t_lp", "T_LP (bound on E[T])", "none: infeasible");
    accq_kv_null(s, "price_of_accuracy", "price of accuracy", "none");
  } else {
    add_num(s, "t_lp", "T_LP (bound on E[T])", ex ? ex->t_lp_value : r->t_lp, ex ? ex->t_lp : NULL);
  }
  if (pt->have_lambda) {
    accq_kv_num(s, "t_free", "T_free (no accuracy row)", r->t_free, 0);
    if (ok) accq_kv_num(s, "price_of_accuracy", "price of accuracy T_LP/T_free", r->price, 0);
  } else {
    accq_kv_null(s, "t_free", "T_free (no accuracy row)", "undefined");
  }
  add_num(s, "lambda_max", "Lambda_max(a*)", ex ? ex->lambda_max_value : r->lambda_max,
          ex ? ex->lambda_max : NULL);
  accq_kv_str(s, "solver", NULL, ex ? "exact (GMP rationals)" : o->solver);
  accq_kv_str(s, "verified", "verified by",
              ex ? "exact (GMP) solution, agreeing with the float solver"
              : r->exact_polished
                  ? "exact (GMP) values: the LP is ill-conditioned (float error bound above 1e-10)"
              : !strcmp(o->solver, "combinatorial")
                  ? "primal, dual and complementary-slackness checks (relative, 1e-9)"
                  : "GLPK and the combinatorial solver agree to 1e-9; primal, dual and "
                    "complementary-slackness checks (relative, 1e-9)");

  /* split: JSON's {TYPE: x_k}; humans and CSV get the per-type table below */
  if (ok) {
    accq_report_section_t *sp = accq_report_kv(rep, "split", NULL);
    accq_report_section_visibility(sp, ACCQ_REPORT_JSON_ONLY);
    for (int k = 0; k < m->ntypes; k++)
      accq_kv_num(sp, m->types[k].name, NULL, ex ? ex->x_value[k] : r->x[k], 0);
  } else {
    accq_kv_null(s, "split", NULL, NULL);
    accq_kv_visibility(s, ACCQ_REPORT_JSON_ONLY);
  }
  if (ex && ok) {
    accq_report_section_t *e = accq_report_kv(rep, "exact", NULL);
    accq_report_section_visibility(e, ACCQ_REPORT_JSON_ONLY);
    accq_kv_str(e, "t_lp", NULL, ex->t_lp);
    accq_kv_str(e, "lambda_max", NULL, ex->lambda_max);
    accq_report_section_t *es = accq_kv_object(e, "split", NULL);
    for (int k = 0; k < m->ntypes; k++) accq_kv_str(es, m->types[k].name, NULL, ex->x[k]);
  }

  accq_report_section_t *t = accq_report_table(rep, "types", "Types and the optimal split x_k");
  accq_table_col(t, "type", NULL, 0);
  accq_table_col(t, "servers", "n_k", 0);
  accq_table_col(t, "rate", "mu_k", 0);
  accq_table_col(t, "accuracy", "a_k", 0);
  accq_table_col(t, "x", "x_k", 0);
  accq_table_col(t, "p", "p_k = x_k/Lambda", 0);
  if (ex) accq_table_col(t, "x_exact", "x_k exact", 0);
  for (int k = 0; k < m->ntypes; k++) {
    accq_table_row(t);
    accq_table_str(t, m->types[k].name);
    accq_table_int(t, m->types[k].servers);
    accq_table_num(t, m->types[k].rate);
    accq_table_num(t, m->types[k].accuracy);
    if (ok) {
      accq_table_num(t, ex ? ex->x_value[k] : r->x[k]);
      accq_table_num(t, r->p[k]);
      if (ex) accq_table_str(t, ex->x[k]);
    } else {
      accq_table_null(t, NULL);
      accq_table_null(t, NULL);
      if (ex) accq_table_null(t, NULL);
    }
  }

  if (pt->have_lambda) {
    accq_report_section_t *pr = accq_report_table(rep, "pairs", "Ordered pairs in priority order");
    accq_table_col(pr, "h", NULL, 0);
    accq_table_col(pr, "l", NULL, 0);
    accq_table_col(pr, "w", "w (share of h)", 0);
    accq_table_col(pr, "s", "s (mean service)", 0);
    for (int i = 0; i < r->npairs; i++) {
      const accq_pair_t *q = &r->pairs[i];
      accq_table_row(pr);
      accq_table_str(pr, m->types[q->h].name);
      if (q->l >= 0)
        accq_table_str(pr, m->types[q->l].name);
      else
        accq_table_null(pr, NULL);
      accq_table_num(pr, q->w);
      accq_table_num(pr, q->s);
    }

    /* breakpoints: JSON's plain list of Lambda values (plus C at each) ... */
    accq_report_section_t *bj = accq_report_kv(rep, NULL, NULL);
    accq_report_section_visibility(bj, ACCQ_REPORT_JSON_ONLY);
    if (breakpoints_withheld(pt)) {
      accq_kv_null(bj, "breakpoints", NULL, "not verified");
      accq_kv_null(bj, "breakpoint_costs", NULL, "not verified");
      accq_kv_str(s, "breakpoints_status", "breakpoints", "not_verified");
      accq_kv_str(s, "breakpoints_reason", "why", r->breakpoints_reason);
    } else {
      accq_kv_nums(bj, "breakpoints", NULL, r->breakpoints, r->nbreak, 0);
      accq_kv_nums(bj, "breakpoint_costs", NULL, r->c_break, r->nbreak, 0);
    }
    /* ... and a table for the other formats */
    accq_report_section_t *bt =
        accq_report_table(rep, "breakpoints", "Breakpoints of C(Lambda) = Lambda T_LP(Lambda)");
    accq_report_section_visibility(bt, ACCQ_REPORT_NOT_JSON);
    accq_table_col(bt, "lambda", "Lambda", 0);
    accq_table_col(bt, "c", "C(Lambda)", 0);
    for (int i = 0; i < r->nbreak; i++) {
      accq_table_row(bt);
      accq_table_num(bt, r->breakpoints[i]);
      accq_table_num(bt, r->c_break[i]);
    }

    if (ok && isnan(r->dual_flow)) {
      /* the answer came from the exact solver after the float split failed
       * its check: the float duals were not verified, so none is printed */
      accq_report_section_t *d = accq_report_kv(rep, NULL, NULL);
      accq_kv_null(d, "duals", "Dual values", "not verified (answer from the exact solver)");
    } else if (ok) {
      accq_report_section_t *d =
          accq_report_kv(rep, "duals", "Dual values (of min sum_k x_k/mu_k)");
      accq_kv_num(d, "flow", "flow row", r->dual_flow, 0);
      accq_kv_num(d, "accuracy", "accuracy row", r->dual_acc, 0);
      accq_report_section_t *dc = accq_kv_object(d, "capacity", "capacity rows");
      for (int k = 0; k < m->ntypes; k++) accq_kv_num(dc, m->types[k].name, NULL, r->dual_cap[k], 0);
      accq_kv_num(d, "duality_gap", "duality gap", r->duality_gap, 0);
    }
  }
  return rep;
}

/* ---- a range -------------------------------------------------------------------- */

static int vary_run(const accq_cli_t *cli, const accq_model_t *base, const lp_opts_t *o,
                    const char *vary_arg) {
  accq_err_t err;
  accq_err_clear(&err);
  accq_cli_vary_t v;
  if (accq_cli_vary_parse(vary_arg, &v, &err) ||
      accq_model_vary_check(base, v.param, v.key, (int)sizeof v.key, &err))
    return accq_cli_usage(cli, "%s", err.msg);
  char title[ACCQ_NAME_MAX + 700];
  snprintf(title, sizeof title, "accq lp: %s (%s), %s from %g to %g", base->name, base->file,
           v.param, v.from, v.to);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(s, "model", NULL, base->name);
  accq_kv_str(s, "file", NULL, base->file);
  accq_kv_str(s, "vary", NULL, v.param);
  accq_kv_str(s, "solver", NULL, o->exact ? "exact (GMP rationals)" : o->solver);
  char label[sizeof v.param + 32];
  snprintf(label, sizeof label, "LP bound over %s", v.param);
  accq_report_section_t *t = accq_report_table(rep, "rows", label);
  /* the varied value first; Lambda and a* beside it unless they are it */
  int show_lambda = strcmp(v.key, "system.arrival_rate") != 0;
  int show_target = strcmp(v.key, "system.accuracy_target") != 0;
  accq_table_col(t, v.param, NULL, 0);
  if (show_lambda) accq_table_col(t, "lambda", "Lambda", 0);
  if (show_target) accq_table_col(t, "accuracy_target", "a*", 0);
  accq_table_col(t, "status", NULL, 0);
  accq_table_col(t, "t_lp", "T_LP", 0);
  if (o->exact) accq_table_col(t, "t_lp_exact", "T_LP exact", 0);
  accq_table_col(t, "t_free", "T_free", 0);
  accq_table_col(t, "price_of_accuracy", "T_LP/T_free", 0);
  accq_table_col(t, "lambda_max", "Lambda_max", 0);
  for (int k = 0; k < base->ntypes; k++) {
    char key[ACCQ_NAME_MAX + 4];
    snprintf(key, sizeof key, "x_%s", base->types[k].name);
    accq_table_col(t, key, NULL, 0);
  }
  accq_report_set_primary(rep, t);

  accq_progress_t bar;
  accq_progress_start(&bar, "accq lp", v.n, cli->quiet);
  int rc = 0, failed = 0;
  point_t pt;
  for (int i = 0; i < v.n; i++) {
    pt.m = *base;
    pt.have_exact = 0;
    int st = accq_cli_vary_apply(&v, i, &pt.m, &err);
    if (!st) st = solve_point(&pt, o, &err);
    if (st && accq_status_exit_code(st) == accq_status_exit_code(ACCQ_ENUMERIC)) {
      /* a numerical failure at one value: that row says so, the others are
       * printed, and the exit status is 3 */
      accq_err_prefix(&err, "--vary %s=%.17g", v.param, accq_cli_vary_value(&v, i));
      fprintf(stderr, "accq: %s\n", err.msg);
      accq_err_clear(&err);
      failed++;
      accq_table_row(t);
      accq_table_num(t, accq_cli_vary_value(&v, i));
      if (show_lambda) accq_table_null(t, NULL);
      if (show_target) accq_table_num(t, pt.m.accuracy_target);
      accq_table_str(t, "numerical_failure");
      int rest = 4 + (o->exact ? 1 : 0) + base->ntypes;
      for (int c = 0; c < rest; c++) accq_table_null(t, NULL);
      point_free(&pt);
      accq_progress_update(&bar, i + 1);
      continue;
    }
    if (st) {
      accq_err_prefix(&err, "--vary %s=%.17g", v.param, accq_cli_vary_value(&v, i));
      rc = accq_cli_fail(&err);
      point_free(&pt);
      goto cleanup;
    }
    const accq_lp_result_t *r = &pt.r;
    int ok = r->status == ACCQ_LP_OPTIMAL;
    accq_table_row(t);
    accq_table_num(t, accq_cli_vary_value(&v, i));
    if (show_lambda && pt.have_lambda)
      accq_table_num(t, pt.m.arrival_rate);
    else if (show_lambda)
      accq_table_null(t, NULL);
    if (show_target) accq_table_num(t, pt.m.accuracy_target);
    accq_table_str(t, status_name(r->status));
    if (ok) {
      accq_table_num(t, pt.have_exact ? pt.ex.t_lp_value : r->t_lp);
      if (o->exact) accq_table_str(t, pt.ex.t_lp);
    } else {
      accq_table_null(t, NULL);
      if (o->exact) accq_table_null(t, NULL);
    }
    if (pt.have_lambda)
      accq_table_num(t, r->t_free);
    else
      accq_table_null(t, NULL);
    if (ok)
      accq_table_num(t, r->price);
    else
      accq_table_null(t, NULL);
    accq_table_num(t, pt.have_exact ? pt.ex.lambda_max_value : r->lambda_max);
    for (int k = 0; k < base->ntypes; k++) {
      if (ok)
        accq_table_num(t, pt.have_exact ? pt.ex.x_value[k] : r->x[k]);
      else
        accq_table_null(t, NULL);
    }
    point_free(&pt);
    accq_progress_update(&bar, i + 1);
  }
  accq_progress_finish(&bar);
  rc = accq_cli_emit(cli, rep);
  if (rc == 0 && failed) {
    fprintf(stderr, "accq: %d of %d values have no verified bound (numerical_failure rows)\n",
            failed, v.n);
    rc = accq_status_exit_code(ACCQ_ENUMERIC);
  }
cleanup:
  accq_progress_finish(&bar);
  accq_report_free(rep);
  return rc;
}

int accq_cli_lp(int argc, char **argv) {
  int exact = 0;
  const char *solver = "glpk", *vary = NULL;
  double slack = 0.0;
  const accq_cli_opt_t opts[] = {
      {"exact", 0, ACCQ_OPT_FLAG, &exact, NULL,
       "also solve in exact rational arithmetic (GMP): t_lp, split, Lambda_max as fractions"},
      {"solver", 0, ACCQ_OPT_STRING, &solver, "NAME", "glpk (default) or combinatorial"},
      {"vary", 0, ACCQ_OPT_STRING, &vary, "PARAM=A:B:N",
       "the bound over N values from A to B of load, lambda, accuracy_target or SEC.KEY"},
      {"slack", 0, ACCQ_OPT_DOUBLE, &slack, "E", "capacity rows (1-E) n_k mu_k (default 0)"},
      {0}};
  const accq_cli_spec_t spec = {
      "lp", "[MODEL] [options]",
      "The LP lower bound T_LP on the mean response time of every policy that meets\n"
      "the accuracy target (docs/lp.md): the optimal split, Lambda_max(a*), T_free, the\n"
      "price of accuracy, the ordered pairs, the breakpoints of C(Lambda) and the dual\n"
      "values.  Every number is checked: GLPK's answer against the combinatorial\n"
      "solver's (they must agree to 1e-9) and each for primal and dual feasibility\n"
      "and complementary slackness; an ill-conditioned LP is answered exactly (GMP).\n"
      "Exit status 3 when an answer fails a check or the solvers disagree (nothing is\n"
      "printed for it), 4 when no bound exists (accuracy target above every type's\n"
      "accuracy, or arrival rate beyond Lambda_max); with --vary the table says so\n"
      "per row, and the exit status is 3 if a row failed a check, else 0.",
      ACCQ_CLI_COMMON, opts, 0, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (strcmp(solver, "glpk") && strcmp(solver, "combinatorial"))
    return accq_cli_usage(&cli, "unknown solver '%s' (expected glpk or combinatorial)", solver);
  if (!(slack >= 0.0 && slack < 1.0))
    return accq_cli_usage(&cli, "--slack must be in [0, 1) (got %g)", slack);
  lp_opts_t o = {solver, exact, slack};

  point_t pt;
  if ((rc = accq_cli_load_model(&cli, &pt.m, 0)) != 0) return rc;
  if (vary) return vary_run(&cli, &pt.m, &o, vary);

  accq_err_t err;
  accq_err_clear(&err);
  if (solve_point(&pt, &o, &err)) {
    point_free(&pt);
    return accq_cli_fail(&err);
  }
  accq_report_t *rep = single_report(&pt, &o);
  rc = accq_cli_emit(&cli, rep);
  accq_report_free(rep);
  if (rc == 0 && breakpoints_withheld(&pt)) {
    fprintf(stderr, "accq: the breakpoints of C are not printed: %s\n", pt.r.breakpoints_reason);
    rc = accq_status_exit_code(ACCQ_ENUMERIC);
  }
  if ((rc == 0 || rc == accq_status_exit_code(ACCQ_ENUMERIC)) && pt.r.status != ACCQ_LP_OPTIMAL) {
    char why[512];
    reason(&pt, why, sizeof why);
    fprintf(stderr, "accq: infeasible: %s\n", why);
    rc = accq_status_exit_code(pt.r.status == ACCQ_LP_ACCURACY_INFEASIBLE ? ACCQ_EACCINFEAS
                                                                         : ACCQ_ECAPINFEAS);
  }
  point_free(&pt);
  return rc;
}
