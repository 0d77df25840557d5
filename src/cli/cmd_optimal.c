/* accq optimal: the constrained-optimal dispatch rule of a small system
 * (docs/policies.md `optimal`), its value t_opt, the rule itself, its evaluation by the
 * chain engine, and the sandwich T_LP(X) <= t_opt <= E[T] against the
 * accuracy-meeting policies at the same m and B. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accq/lp.h"
#include "accq/measures.h"
#include "accq/clock.h"
#include "accq/optimal.h"
#include "cli/cli.h"

#include <unistd.h>

static double clock_seconds(void) { return accq_clock_now(); }

/* Per-state rows sorted by decreasing probability. */
typedef struct {
  uint64_t rank;
  double pi;
} state_row_t;

static int by_pi_desc(const void *a, const void *b) {
  double x = ((const state_row_t *)a)->pi, y = ((const state_row_t *)b)->pi;
  return (x < y) - (x > y);
}

/* "small:2,0,0 large:1,0,0" */
static void occupancy_text(const accq_model_t *m, int B, const int *c, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int k = 0; k < m->ntypes && used < size; k++) {
    used += (size_t)snprintf(buf + used, size - used, "%s%s:", k ? " " : "", m->types[k].name);
    for (int q = 0; q <= B && used < size; q++)
      used += (size_t)snprintf(buf + used, size - used, "%s%d", q ? "," : "", c[k * (B + 1) + q]);
  }
}

static void routes_text(const accq_model_t *m, int B, const accq_route_t *r, int n, char *buf,
                        size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used < size; i++) {
    if (r[i].level >= B)
      used += (size_t)snprintf(buf + used, size - used, "%slost", i ? ", " : "");
    else
      used += (size_t)snprintf(buf + used, size - used, "%s%s@%d %.6g", i ? ", " : "",
                               m->types[r[i].type].name, r[i].level, r[i].prob);
  }
}

/* Progress on stderr: the level of the continuation in B and the simplex
 * pivots there (the bar on a terminal; with -v one line per level).  The bar
 * fills with the time used out of --time-limit: the work of a level is not
 * known in advance (pivots per level vary by 100x), the deadline is. */
typedef struct {
  accq_progress_t bar;
  char label[192];
  int verbose;
  double limit;
} progress_ctx_t;

static void on_progress(void *ctx, const accq_optimal_progress_t *p) {
  progress_ctx_t *c = ctx;
  snprintf(c->label, sizeof c->label,
           "optimal: buffer %d of %d (%lld states), %lld pivots; time limit %g s", p->buffer,
           p->target_buffer, (long long)p->states, (long long)p->pivots, c->limit);
  accq_progress_update(&c->bar, p->seconds);
  if (c->verbose && p->level_done) {
    accq_progress_finish(&c->bar);
    fprintf(stderr, "accq optimal: buffer %d (%lld states): %s, %lld pivots, %.2f s\n", p->buffer,
            (long long)p->states,
            p->level_status == ACCQ_SUCCESS ? "optimum found" : "no rule meets a*",
            (long long)p->pivots, p->seconds);
    c->bar.enabled = isatty(2);
  }
}

/* Default B when the model says `auto`: the largest B <= 8 whose lumped space
 * stays within `limit` states (at least 1). */
static int default_buffer(const accq_model_t *m, double limit) {
  int servers[ACCQ_MAX_TYPES];
  for (int k = 0; k < m->ntypes; k++) servers[k] = m->scale * m->types[k].servers;
  int best = 1;
  for (int B = 1; B <= 8; B++) {
    double count;
    if (accq_space_count(m->ntypes, servers, B, &count, NULL) || count > limit) break;
    best = B;
  }
  return best;
}

/* The solve failed: the message on stderr, and a report whose status says
 * why (JSON "status"/"reason", t_opt null) with what is known.  Except when no
 * rule of the class meets a*, a valid bound at B is given: T_LP at a lower
 * bound of the admitted rate (accq_optimal_lower_bound).  The last level
 * solved is the optimum of a smaller buffer, a different system: shown,
 * labelled so, never as a bound. */
static const char *failure_status(int st) {
  switch (st) {
  case ACCQ_ENOCONV: return "not_converged";
  case ACCQ_EACCINFEAS: return "infeasible";
  case ACCQ_ETOOBIG: return "too_large";
  case ACCQ_ENOMEM: return "out_of_memory";
  default: return "failed";
  }
}

static int failure_report(const accq_cli_t *cli, const accq_model_t *m, int B,
                          const accq_optimal_options_t *oo, const accq_optimal_trace_t *trace,
                          const accq_err_t *err) {
  int rc = accq_cli_fail(err);
  double t_low = NAN, x_low = NAN;
  accq_err_t berr;
  const int infeasible = err->status == ACCQ_EACCINFEAS;
  int bst = infeasible ? ACCQ_EACCINFEAS : accq_optimal_lower_bound(m, B, oo, &t_low, &x_low, &berr);
  char title[ACCQ_NAME_MAX + 128];
  snprintf(title, sizeof title, "accq optimal: %s (scale %d, buffer %d): %s", m->name, m->scale, B,
           infeasible ? "no rule meets a*" : "not solved");
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(s, "model", NULL, m->name);
  accq_kv_int(s, "scale", "m", m->scale);
  accq_kv_int(s, "buffer", "B", B);
  accq_kv_str(s, "class", "class of rules", oo->shed ? "shedding" : "no shedding");
  accq_kv_str(s, "status", NULL, failure_status(err->status));
  accq_kv_str(s, "reason", NULL, err->msg);
  accq_kv_null(s, "t_opt", "t_opt (optimal E[T])",
               infeasible ? "none (no rule of the class meets a*)" : "not computed");
  if (infeasible) {
    if (isnan(trace->max_accuracy))
      accq_kv_null(s, "max_accuracy", "largest accuracy of a rule of the class", "not computed");
    else
      accq_kv_num(s, "max_accuracy", "largest accuracy of a rule of the class", trace->max_accuracy, 0);
  } else if (bst == ACCQ_SUCCESS) {
    accq_kv_num(s, "t_opt_lower_bound", "t_opt >= (valid bound at this B)", t_low, 0);
    accq_kv_num(s, "x_lower_bound", "  from T_LP at admitted rate/m >=", x_low, 0);
  } else {
    accq_kv_null(s, "t_opt_lower_bound", "t_opt >= (valid bound at this B)", berr.msg);
  }
  accq_report_section_t *lv = accq_kv_object(s, "last_completed_level",
                                             "last level of the continuation solved");
  if (trace->last_buffer > 0) {
    accq_kv_int(lv, "buffer", "buffer", trace->last_buffer);
    accq_kv_num(lv, "t_opt", "t_opt at that buffer (another system: NOT a bound at B)",
                trace->last_t_opt, 0);
  } else {
    accq_kv_null(lv, "buffer", "buffer", "none");
  }
  accq_kv_int(s, "pivots", "simplex pivots", (long long)trace->pivots);
  accq_kv_num(s, "seconds", NULL, trace->seconds, 3);
  int erc = accq_cli_emit(cli, rep);
  accq_report_free(rep);
  if (bst == ACCQ_SUCCESS && !infeasible)
    fprintf(stderr, "accq: best bound known at buffer %d: t_opt >= %.10g (T_LP at an admitted rate "
            ">= %.6g per unit scale)%s\n", B, t_low, x_low,
            trace->last_buffer > 0 ? "; the last level solved is shown in the output" : "");
  return erc ? erc : rc;
}

/* The optimum, its LP and its evaluation by the chain engine. */
static void header_kv(accq_report_t *rep, const accq_model_t *m, int B,
                      const accq_optimal_options_t *oo, const accq_optimal_summary_t *sm,
                      const accq_optimal_trace_t *trace, double t_lp, const accq_analysis_t *ev) {
  accq_report_section_t *s = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(s, "model", NULL, m->name);
  accq_kv_num(s, "lambda", "Lambda (total, m * Lambda)", m->scale * m->arrival_rate, 0);
  accq_kv_num(s, "accuracy_target", "a*", m->accuracy_target, 0);
  accq_kv_int(s, "scale", "m", m->scale);
  accq_kv_int(s, "buffer", "B", B);
  accq_kv_str(s, "class", "class of rules",
              oo->shed ? "shedding (may reject a job in any state)"
                   : "no shedding (admits every job while some server has room)");
  if (oo->shed) accq_kv_num(s, "min_admitted_rate", "admitted rate >=", oo->min_admitted_rate, 0);
  accq_kv_str(s, "status", NULL, "ok");
  accq_kv_null(s, "reason", NULL, NULL);
  accq_kv_num(s, "t_opt", "t_opt (optimal E[T])", sm->t_opt, 0);
  accq_kv_num(s, "accuracy", "accuracy of the optimal rule", sm->accuracy, 0);
  accq_kv_num(s, "loss_probability", "loss probability", sm->loss_probability, 0);
  if (oo->shed)
    accq_kv_num(s, "shed_probability", "rejected while some server had room", sm->shed_probability, 0);
  accq_kv_num(s, "throughput", "admitted rate X", sm->throughput, 0);
  if (isnan(t_lp))
    accq_kv_null(s, "t_lp", "T_LP(X/m) (bound)", "none (LP infeasible at X)");
  else
    accq_kv_num(s, "t_lp", "T_LP(X/m) (bound)", t_lp, 0);
  accq_kv_num(s, "finite_size_gap", "t_opt / T_LP - 1 (what finite size costs)",
              sm->t_opt / t_lp - 1, 0);
  accq_report_section_t *lp = accq_kv_object(s, "lp", "occupation-measure LP");
  accq_kv_str(lp, "method", NULL, sm->method);
  accq_kv_int(lp, "states", "lumped states", (long long)sm->states);
  accq_kv_int(lp, "variables", "state-action variables", (long long)sm->variables);
  accq_kv_int(lp, "iterations", "simplex pivots (all levels)",
              (long long)sm->iterations);
  accq_kv_int(lp, "first_level", "first buffer of the continuation where a* is met",
              trace->first_feasible);
  accq_kv_int(lp, "infeasible_levels", "buffers below it where no rule meets a*",
              trace->infeasible_levels);
  accq_kv_int(lp, "positive_states", "states with pi > 0", (long long)sm->positive_states);
  accq_kv_int(lp, "randomized_states", "states where the rule randomizes",
              (long long)sm->randomized_states);
  accq_kv_num(lp, "balance_residual", "balance residual (relative)", sm->balance_residual, 3);
  accq_kv_num(lp, "seconds", NULL, sm->seconds, 3);
  accq_report_section_t *evs = accq_kv_object(s, "evaluation", "the rule evaluated by the chain engine");
  accq_kv_num(evs, "mean_response_time", "E[T]", ev->m.mean_response_time, 0);
  accq_kv_num(evs, "relative_difference", "|E[T] - t_opt| / t_opt",
              fabs(ev->m.mean_response_time - sm->t_opt) / sm->t_opt, 3);
  accq_kv_num(evs, "accuracy", NULL, ev->m.accuracy, 0);
  accq_kv_int(evs, "states", "reachable states", (long long)ev->states);
  accq_kv_num(evs, "residual", "stationary residual", ev->solver.residual, 3);
  /* The LP's t_opt is meant to agree with its rule's evaluation to 1e-8
   * (GLPK's tolerances of 1e-9, src/ext/glpk.c); where it does not (states of
   * probability 1e-15 beside ones of 1e-1: seen at 3.3e-8 on a random
   * two-type model), t_opt is only that accurate, and the output says so. */
  double rel = fabs(ev->m.mean_response_time - sm->t_opt) / sm->t_opt;
  char warn[400];
  const char *wl[1] = {warn};
  int nw = 0;
  if (!(rel <= 1e-8)) {
    snprintf(warn, sizeof warn,
             "t_opt (%s) and its rule's E[T] by the chain engine differ by %.2g (relative): "
             "t_opt is accurate to about that%s", sm->method, rel,
             strncmp(sm->method, "lagrange", 8) ? "; --method lagrange evaluates its rule exactly"
                                                : "");
    fprintf(stderr, "accq optimal: warning: %s\n", warn);
    nw = 1;
  }
  accq_kv_strs(s, "warnings", "warnings", wl, nw);

}

/* Each policy that meets a* by construction (the registry) against the
 * optimum of a class that contains it (accq_optimal_compare). */
static void comparison_table(accq_report_t *rep, const accq_model_t *m, int B,
                             const accq_optimal_options_t *oo, double t_opt, double t_start) {
  accq_report_section_t *t = accq_report_table(rep, "comparison",
                                               "accuracy-meeting policies at the same m and B");
  accq_table_col(t, "policy", NULL, 0);
  accq_table_col(t, "status", NULL, 0);
  accq_table_col(t, "mean_response_time", "E[T]", 0);
  accq_table_col(t, "accuracy", NULL, 0);
  accq_table_col(t, "loss_probability", "P_loss", 0);
  accq_table_col(t, "meets_target", "meets a*", 0);
  accq_table_col(t, "t_opt_class", "t_opt of its class", 0);
  accq_table_col(t, "class", "class", 0);
  accq_table_col(t, "t_opt_le_mean", "t_opt <= E[T]", 0);
  accq_table_col(t, "reason", NULL, 0);
  for (int i = 0; i < accq_policy_type_count(); i++) {
    if (!accq_policy_type_get(i)->meets_target) continue;
    accq_optimal_compared_t c;
    /* what is left of --time-limit after the main solve and the earlier comparisons */
    int pst = accq_optimal_compare(m, B, oo, t_opt, accq_policy_type_specs()[i],
                                   oo->max_seconds - (clock_seconds() - t_start), &c);
    accq_table_row(t);
    accq_table_str(t, c.policy);
    if (pst) {
      accq_table_str(t, pst == ACCQ_EUNSTABLE ? "unstable" : "failed");
      for (int col = 0; col < 7; col++) accq_table_null(t, "-");
      accq_table_str(t, c.reason);
      continue;
    }
    accq_table_str(t, isnan(c.t_opt_class) && c.meets_target ? "not_converged" : "ok");
    accq_table_num(t, c.mean_response_time);
    accq_table_num(t, c.accuracy);
    accq_table_num(t, c.loss_probability);
    accq_table_str(t, c.meets_target ? "yes" : "no");
    if (isnan(c.t_opt_class))
      accq_table_null(t, "-");
    else
      accq_table_num(t, c.t_opt_class);
    accq_table_str(t, c.class_label);
    if (c.t_opt_le_mean < 0)
      accq_table_null(t, c.meets_target ? "n/a" : "n/a (misses a*)");
    else
      accq_table_str(t, c.t_opt_le_mean ? "yes" : "NO");
    if (c.reason[0])
      accq_table_str(t, c.reason);
    else
      accq_table_null(t, NULL);
  }
}

/* The rule: every state with positive probability (JSON, CSV), the first
 * `show` (humans), most likely first.  Returns 0 or a printed error's status. */
static int rule_table(accq_report_t *rep, const accq_optimal_t *o, const accq_model_t *m, int B,
                      int show, accq_format_t format) {
  accq_err_t err;
  int rc = 0;
  state_row_t *rows = NULL;
  int *c = NULL;
  /* the rule: every state with positive probability (JSON), the first N (humans) */
  const accq_space_t *space = accq_optimal_space(o);
  uint64_t S = accq_space_size(space);
  rows = malloc(sizeof *rows * (size_t)S);
  c = malloc(sizeof *c * (size_t)(m->ntypes * (B + 1)));
  if (!rows || !c) {
    accq_err_set(&err, ACCQ_ENOMEM, "no memory to list the rule");
    rc = accq_cli_fail(&err);
    goto done;
  }
  size_t n = 0;
  for (uint64_t r = 0; r < S; r++) {
    const accq_route_t *routes;
    int nr;
    double pi = accq_optimal_state(o, r, &routes, &nr);
    if (pi > 0) rows[n++] = (state_row_t){r, pi};
  }
  qsort(rows, n, sizeof *rows, by_pi_desc);
  accq_report_section_t *t =
      accq_report_table(rep, "rule", "the optimal rule (most likely states first)");
  if (show == 0) accq_report_section_visibility(t, ACCQ_REPORT_NOT_JSON ^ ACCQ_REPORT_HUMAN_ONLY);
  accq_table_col(t, "state", "occupancy (type: servers at level 0,1,..,B)", 0);
  accq_table_col(t, "pi", "pi", 6);
  accq_table_col(t, "routes", "arriving job goes to (type@level prob)", 0);
  for (size_t i = 0; i < n; i++) {
    if (!accq_format_machine(format) && (int)i >= show) break; /* machine formats: every row */
    const accq_route_t *routes;
    int nr;
    accq_optimal_state(o, rows[i].rank, &routes, &nr);
    accq_space_unrank(space, rows[i].rank, c);
    char occ[1024], rt[1024];
    occupancy_text(m, B, c, occ, sizeof occ);
    routes_text(m, B, routes, nr, rt, sizeof rt);
    accq_table_row(t);
    accq_table_str(t, occ);
    accq_table_num(t, rows[i].pi);
    accq_table_str(t, rt);
  }
done:
  free(rows);
  free(c);
  return rc;
}

int accq_cli_optimal(int argc, char **argv) {
  int buffer = INT_MIN, scale = INT_MIN, show = 20, max_states = 50000, no_compare = 0, shed = 0;
  double time_limit = 300, min_rate = NAN;
  const char *method = "auto";
  const accq_cli_opt_t opts[] = {
      {"buffer", 'B', ACCQ_OPT_COUNT, &buffer, "B",
       "per-server buffer (default: the model's; for `auto`, the largest B <= 8 "
       "with at most 20,000 lumped states)"},
      {"scale", 'm', ACCQ_OPT_COUNT, &scale, "M", "system size m (default: the model's)"},
      {"method", 0, ACCQ_OPT_STRING, &method, "auto|lp|lagrange|simplex|interior",
       "lp (= simplex): the state-action LP; lagrange: Lagrangian relaxation with policy "
       "iteration, for large spaces; auto: lp up to 5,000 lumped states, lagrange above, "
       "and lagrange where the LP's t_opt is more than 1e-8 from its rule's E[T]"},
      {"show", 0, ACCQ_OPT_COUNT0, &show, "N", "states of the rule listed in human formats (default 20)"},
      {"max-states", 0, ACCQ_OPT_COUNT, &max_states, "N", "refuse larger lumped spaces (default 5e4: the LP is the cost)"},
      {"no-compare", 0, ACCQ_OPT_FLAG, &no_compare, NULL,
       "skip the comparison with the policies that meet a* by construction (accq policies)"},
      {"shed", 0, ACCQ_OPT_FLAG, &shed, NULL,
       "the shedding class: the rule may also reject a job in any state (needs "
       "--min-admitted-rate)"},
      {"min-admitted-rate", 0, ACCQ_OPT_POSITIVE, &min_rate, "X",
       "with --shed: admitted rate >= X (whole system, jobs per unit time)"},
      {"time-limit", 0, ACCQ_OPT_POSITIVE_INF, &time_limit, "SECONDS",
       "stop after this long with exit 3 and the best bound known (300)"},
      {0}};
  const accq_cli_spec_t spec = {
      "optimal", "[MODEL] [--scale M] [--buffer B]",
      "The constrained-optimal dispatch rule of a small system: the smallest E[T] over all\n"
      "randomized rules that see the whole lumped state, subject to accuracy >= a*, at the\n"
      "given m and B (state-action LP, Charnes-Cooper, GLPK).  The rule is evaluated again\n"
      "by the chain engine, and compared with the LP bound and the accuracy-meeting policies.\n"
      "JSON output carries the whole rule (every state with positive probability).\n"
      "The optimum admits every job while some server has room; with --shed it may also\n"
      "reject a job in any state, subject to an admitted rate >= --min-admitted-rate.\n"
      "A policy that loses jobs at full servers while others have room (loss > 1e-4) is\n"
      "compared with the shedding optimum at its own admitted rate.\n"
      "The LP is solved for B = 2, 3, .. up to the buffer asked for, each level warm-\n"
      "started from the last one where a* can be met; levels where no rule meets a* are\n"
      "skipped.  Exit 4 when no rule of the class meets a* at the buffer asked for (the\n"
      "message gives the largest accuracy such a rule reaches); exit 3 at the time limit,\n"
      "with a valid lower bound on t_opt.  Progress on stderr (a bar on a terminal, one\n"
      "line per level with -v).",
      ACCQ_CLI_COMMON, opts, 0, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  accq_optimal_options_t oo;
  accq_optimal_options_init(&oo);
  if (!strcmp(method, "simplex") || !strcmp(method, "lp"))
    oo.method = ACCQ_OPTIMAL_SIMPLEX;
  else if (!strcmp(method, "lagrange"))
    oo.method = ACCQ_OPTIMAL_LAGRANGE;
  else if (!strcmp(method, "interior"))
    oo.method = ACCQ_OPTIMAL_INTERIOR;
  else if (strcmp(method, "auto"))
    return accq_cli_usage(&cli, "--method must be auto, lp, lagrange, simplex or interior (got '%s')", method);
  if (show < 0) return accq_cli_usage(&cli, "--show must be >= 0 (got %d)", show);
  if (max_states < 1) return accq_cli_usage(&cli, "--max-states must be >= 1 (got %d)", max_states);
  /* INT_MIN: not given; 0 is not a buffer or a scale (never "the default") */
  if (buffer != INT_MIN && buffer < 1) return accq_cli_usage(&cli, "--buffer must be >= 1 (got %d)", buffer);
  if (scale != INT_MIN && scale < 1) return accq_cli_usage(&cli, "--scale must be >= 1 (got %d)", scale);
  if (!(time_limit > 0)) return accq_cli_usage(&cli, "--time-limit must be > 0 (got %g)", time_limit);
  if (shed && !(min_rate > 0))
    return accq_cli_usage(&cli, "--shed needs --min-admitted-rate X > 0 (without a floor on the "
                                "admitted rate the optimum rejects almost every job)");
  if (!shed && !isnan(min_rate))
    return accq_cli_usage(&cli, "--min-admitted-rate applies with --shed only");
  oo.max_states = max_states;
  oo.max_seconds = time_limit;
  oo.shed = shed;
  oo.min_admitted_rate = shed ? min_rate : 0;
  accq_optimal_trace_t trace;
  oo.trace = &trace;
  progress_ctx_t pc;
  memset(&pc, 0, sizeof pc);
  pc.verbose = cli.verbose;
  pc.limit = time_limit;
  snprintf(pc.label, sizeof pc.label, "optimal");
  oo.progress = on_progress;
  oo.progress_ctx = &pc;

  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;
  if (scale > 0) m.scale = scale;
  int B = buffer > 0 ? buffer : m.buffer > 0 ? m.buffer : default_buffer(&m, 20000);

  accq_err_t err;
  accq_err_clear(&err);
  accq_optimal_t *o = NULL;
  accq_report_t *rep = NULL;
  const double t_start = clock_seconds();
  accq_progress_start(&pc.bar, pc.label, time_limit, cli.quiet);
  int st = accq_optimal_solve(&m, B, &oo, &o, &err);
  accq_progress_finish(&pc.bar);
  if (st == ACCQ_EINVAL) return accq_cli_fail(&err);
  if (st) return failure_report(&cli, &m, B, &oo, &trace, &err);
  accq_optimal_summary_t sm;
  accq_optimal_summary(o, &sm);

  /* the bound at the admitted rate, per unit scale */
  accq_lp_result_t *lr = malloc(sizeof *lr);
  double t_lp = NAN;
  if (lr && !accq_lp_bound_at(&m, sm.throughput / m.scale, NAN, lr, NULL) &&
      lr->status == ACCQ_LP_OPTIMAL)
    t_lp = lr->t_lp;
  free(lr);

  /* the rule evaluated by the chain engine */
  accq_analysis_t ev;
  st = accq_optimal_evaluate(o, &m, B, &ev, &err);
  if (st) {
    rc = accq_cli_fail(&err);
    goto cleanup;
  }

  char title[ACCQ_NAME_MAX + 128];
  snprintf(title, sizeof title, "accq optimal: %s (scale %d, buffer %d)", m.name, m.scale, B);
  rep = accq_report_alloc(title);
  header_kv(rep, &m, B, &oo, &sm, &trace, t_lp, &ev);
  if (!no_compare)
    comparison_table(rep, &m, B, &oo, sm.t_opt, t_start);
  if ((rc = rule_table(rep, o, &m, B, show, cli.format)) != 0) goto cleanup;
  rc = accq_cli_emit(&cli, rep);

cleanup:
  accq_report_free(rep);
  accq_optimal_free(o);
  return rc;
}
