/* accq simulate MODEL --policy P[,P..]: discrete-event estimates with 95%
 * confidence intervals.  JSON: the measure keys of `solve`, each an object
 * {"mean", "ci95"}, plus "replications", "jobs", "seed"; per result "status"
 * ("ok" or "unstable"), "reason", the run length used ("jobs", "warmup",
 * "truncated", "start") and "warnings" (texts); a top-level "warnings" list
 * of texts "POLICY: warning".  CSV: one row per (policy, measure) with the columns
 * check-sim reads plus "warnings" (the policy's warnings joined by " | ").
 * Warnings also go to standard error, whatever -q says. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "accq/sim.h"
#include "cli/cli.h"
#include "cli/dist_run.h"
#include "cli/sim_cells.h"
#include "cli/sim_timeseries.h"
#include "cli/simcli.h"

static void est(accq_report_section_t *s, const char *key, accq_estimate_t e) {
  accq_report_section_t *o = accq_kv_object(s, key, NULL);
  accq_kv_num(o, "mean", NULL, e.mean, 0);
  accq_kv_num(o, "ci95", NULL, e.ci95, 0);
}

/* One element of the JSON "results" list: solve's keys, each {"mean", "ci95"}. */
static accq_report_section_t *result_json(accq_report_section_t *list, const accq_model_t *m,
                                          const char *policy, const accq_sim_result_t *r,
                                          int correctness) {
  accq_report_section_t *o = accq_kv_list_add(list, policy);
  accq_kv_str(o, "policy", NULL, policy);
  accq_kv_str(o, "status", NULL, "ok");
  accq_kv_null(o, "reason", NULL, NULL);
  accq_kv_int(o, "jobs", NULL, r->jobs);
  accq_report_section_t *w = accq_kv_object(o, "warmup", NULL);
  accq_kv_int(w, "min", NULL, r->warmup_min);
  accq_kv_int(w, "max", NULL, r->warmup);
  accq_kv_num(o, "truncated", NULL, r->truncated, 0);
  accq_kv_str(o, "start", NULL, r->start);
  accq_kv_num(o, "load", NULL, r->load, 0);
  const char *wl[ACCQ_SIM_MAX_WARNINGS];
  for (int i = 0; i < r->nwarnings; i++) wl[i] = r->warnings[i];
  accq_kv_strs(o, "warnings", NULL, wl, r->nwarnings);
  est(o, "mean_response_time", r->mean_response_time);
  est(o, "accuracy", r->accuracy);
  if (correctness) est(o, "correctness", r->correctness);
  est(o, "loss_probability", r->loss_probability);
  est(o, "p_wait", r->p_wait);
  est(o, "mean_jobs", r->mean_jobs);
  accq_report_section_t *u = accq_kv_object(o, "utilization", NULL);
  for (int k = 0; k < m->ntypes; k++) est(u, m->types[k].name, r->utilization[k]);
  accq_report_section_t *x = accq_kv_object(o, "throughput", NULL);
  for (int k = 0; k < m->ntypes; k++) est(x, m->types[k].name, r->throughput[k]);
  accq_report_section_t *pc = accq_kv_object(o, "percentiles", NULL);
  est(pc, "p50", r->p50);
  est(pc, "p90", r->p90);
  est(pc, "p95", r->p95);
  est(pc, "p99", r->p99);
  est(o, "gap", r->gap);
  est(o, "boundary_mass", r->boundary_mass);
  if (r->resplits > 0) accq_kv_num(o, "resplits", NULL, r->resplits, 0); /* rjiq:est */
  return o;
}

static void table_row(accq_report_section_t *t, const accq_model_t *m, const char *policy,
                      double lambda, const char *measure, accq_estimate_t e, int R,
                      const char *warnings) {
  accq_table_row(t);
  accq_table_str(t, m->name);
  accq_table_str(t, policy);
  accq_table_num(t, lambda);
  accq_table_str(t, measure);
  accq_table_num(t, e.mean);
  accq_table_num(t, e.ci95);
  accq_table_num(t, e.se);
  accq_table_int(t, R);
  accq_table_str(t, warnings);
}

static void result_rows(accq_report_section_t *t, const accq_model_t *m, const char *policy,
                        const accq_sim_result_t *r, int correctness) {
  char name[ACCQ_NAME_MAX + 32];
  char wj[ACCQ_SIM_MAX_WARNINGS * (ACCQ_SIM_WARNING_MAX + 3)] = "";
  for (int i = 0; i < r->nwarnings; i++) {
    if (i) strcat(wj, " | ");
    strcat(wj, r->warnings[i]);
  }
  int n = accq_check_measure_count(m->ntypes);
  for (int i = 0; i < n; i++)
    table_row(t, m, policy, r->lambda, accq_check_measure_name(m, i, name, (int)sizeof name),
              accq_check_measure_estimate(r, i), r->replications, wj);
  table_row(t, m, policy, r->lambda, "gap", r->gap, r->replications, wj);
  if (correctness)
    table_row(t, m, policy, r->lambda, "correctness", r->correctness, r->replications, wj);
}

/* The run's parameters: model, rate, scale, buffer, replications, jobs, warm-up, seed. */
static void header_kv(accq_report_t *rep, const accq_model_t *m, const accq_sim_options_t *so) {
  accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
  double lambda = (double)m->scale * m->arrival_rate;
  accq_kv_str(kv, "model", NULL, m->name);
  accq_kv_num(kv, "lambda", "arrival rate (m Lambda)", lambda, 0);
  accq_kv_int(kv, "scale", "scale m", m->scale);
  accq_kv_str(kv, "arrivals", "arrival process (docs/model.md)",
              accq_arrivals_kind_name(m->arrivals.kind));
  if (so->buffer > 0)
    accq_kv_int(kv, "buffer", "buffer B", so->buffer);
  else
    accq_kv_null(kv, "buffer", "buffer B", "infinite");
  accq_kv_int(kv, "replications", NULL, so->replications);
  if (so->jobs > 0)
    accq_kv_int(kv, "jobs", "jobs per replication", so->jobs);
  else
    accq_kv_null(kv, "jobs", "jobs per replication",
                 "default (per policy: see the run length table)");
  if (so->warmup >= 0)
    accq_kv_int(kv, "warmup", "warm-up jobs per replication", so->warmup);
  else
    accq_kv_null(kv, "warmup", "warm-up jobs per replication",
                 "adaptive (per policy: see the run length table)");
  if (so->seed <= (uint64_t)INT64_MAX) {
    accq_kv_int(kv, "seed", NULL, (long long)so->seed);
  } else {
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)so->seed);
    accq_kv_str(kv, "seed", NULL, seed);
  }
}

/* The estimates (every format but JSON; the primary table). */
static accq_report_section_t *estimates_table(accq_report_t *rep) {
  accq_report_section_t *tab =
      accq_report_table(rep, "estimates", "estimates (mean, 95% CI half-width, standard error)");
  accq_report_section_visibility(tab, ACCQ_REPORT_NOT_JSON);
  accq_table_col(tab, "model", NULL, 0);
  accq_table_col(tab, "policy", NULL, 0);
  accq_table_col(tab, "lambda", NULL, 6);
  accq_table_col(tab, "measure", NULL, 0);
  accq_table_col(tab, "mean", NULL, 6);
  accq_table_col(tab, "ci_halfwidth", "ci95", 2);
  accq_table_col(tab, "stderr", NULL, 2);
  accq_table_col(tab, "replications", NULL, 0);
  accq_table_col(tab, "warnings", NULL, 0);
  accq_report_set_primary(rep, tab);
  return tab;
}

static accq_report_section_t *runs_table(accq_report_t *rep) {
  /* humans: the run length of each policy; JSON has it per result */
  accq_report_section_t *runs = accq_report_table(rep, "runs", "run length per replication");
  accq_report_section_visibility(runs, ACCQ_REPORT_HUMAN_ONLY);
  accq_table_col(runs, "policy", NULL, 0);
  accq_table_col(runs, "start", NULL, 0);
  accq_table_col(runs, "warmup", "warm-up (min..max)", 0);
  accq_table_col(runs, "jobs", "measured", 0);
  accq_table_col(runs, "truncated", "MSER-5 cut (mean)", 6);
  accq_table_col(runs, "load", "load", 4);
  return runs;
}

static void runs_row(accq_report_section_t *runs, const char *pname, const accq_sim_result_t *r) {
  char wbuf[64];
  accq_table_row(runs);
  accq_table_str(runs, pname);
  accq_table_str(runs, r->start);
  snprintf(wbuf, sizeof wbuf, "%lld..%lld", r->warmup_min, r->warmup);
  accq_table_str(runs, wbuf);
  accq_table_int(runs, r->jobs);
  accq_table_num(runs, r->truncated);
  accq_table_num(runs, r->load);
}

/* The replications as cells (serial, MPI, --checkpoint): -1 when rank 0 has
 * them all (go on), else the status to return (0 on the other ranks).  A
 * --window run keeps its per-replication windows and runs on rank 0 alone. */
static int run_cells(const accq_cli_t *cli, accq_simcells_t *cells, double window,
                     const char *checkpoint, const accq_model_t *m,
                     char names[][ACCQ_NAME_MAX], int npol, const accq_sim_options_t *so) {
  if (checkpoint && window > 0)
    return accq_cli_usage(cli, "--checkpoint does not apply to --window runs (their time "
                               "series are not kept per replication)");
  if (window > 0) return accq_dist_rank(accq_dist_get()) != 0 ? 0 : -1;
  int rc = accq_simcells_run(cli, cells, m, (const char(*)[ACCQ_NAME_MAX])names, npol, so,
                             checkpoint);
  if (rc >= 0) accq_simcells_free(cells);
  return rc;
}

int accq_cli_simulate(int argc, char **argv) {
  const char *policies = "rjiq,pop", *jobs = NULL, *warmup = NULL, *buffer = NULL;
  int replications = 0, correctness = 0;
  double window = 0;
  const char *timeseries = NULL, *checkpoint = NULL;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]",
       "policies, comma-separated: the names `accq policies` lists, or all; "
       "default rjiq,pop"},
      {"replications", 'r', ACCQ_OPT_COUNT, &replications, "R", "independent replications (default 10)"},
      {"jobs", 'n', ACCQ_OPT_STRING, &jobs, "J",
       "measured arrivals per replication (default max(1e5, 20 per server), up to x4 "
       "at high load on small systems)"},
      {"warmup", 'w', ACCQ_OPT_STRING, &warmup, "W",
       "discarded arrivals before them (default adaptive: until the number in system "
       "stops rising, at least max(J/10, 20 per server))"},
      {"buffer", 'b', ACCQ_OPT_STRING, &buffer, "B",
       "per-server buffer: an integer to mirror a chain (losses counted), or inf (default)"},
      {"correctness", 0, ACCQ_OPT_FLAG, &correctness, NULL,
       "also sample each admitted job's correctness (Bernoulli a_k)"},
      {"window", 0, ACCQ_OPT_POSITIVE, &window, "W",
       "time-resolved measures in windows of width W from time 0 (docs/simulator.md)"},
      {"timeseries", 0, ACCQ_OPT_STRING, &timeseries, "FILE.csv",
       "write the per-window accuracy, E[T], bound T_LP(Lambda(t)) and gap (needs --window; "
       "--plot draws them)"},
      {"checkpoint", 0, ACCQ_OPT_STRING, &checkpoint, "FILE", ACCQ_CLI_CHECKPOINT_HELP},
      {0}};
  const accq_cli_spec_t spec = {
      "simulate", "[MODEL] --policy P[,P..] [options]",
      "Discrete-event simulation of the model with the same dispatch code as the chains:\n"
      "independent replications on distinct mt19937 streams derived from --seed, an\n"
      "adaptive warm-up discarded (random-lp starts in its exact stationary law), MSER-5\n"
      "truncation per replication, 95% confidence intervals from Student's t.  Warnings\n"
      "(a trend left in the window) go to standard error even with -q.  A load at or\n"
      "beyond what the policy can serve, or a growing backlog, is refused (exit 4).\n"
      "The output is the same for every --threads.  Service distributions come from the\n"
      "model's `service` keys (exp, det, erlang:K, hyperexp:SCV, lognormal:SCV).\n"
      "Under mpirun the replications are shared among the ranks (the same output at\n"
      "any rank count; not with --window, which runs on rank 0); --checkpoint FILE\n"
      "makes a long run resumable.",
      ACCQ_CLI_COMMON | ACCQ_CLI_SEED | ACCQ_CLI_THREADS | ACCQ_CLI_PLOT, opts, 0, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  char names[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  int npol;
  if ((rc = accq_cli_policy_list(&cli, ACCQ_SIMCLI_MAX_POLICIES, policies, names, &npol))) return rc;
  accq_sim_options_t so;
  if ((rc = accq_simcli_options(&cli, replications, jobs, warmup, buffer, &so))) return rc;
  so.sample_correctness = correctness;
  static accq_simts_t ts;
  if ((rc = accq_simts_begin(&cli, &ts, window, timeseries))) return rc;
  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;
  static accq_simcells_t cells;
  if ((rc = run_cells(&cli, &cells, window, checkpoint, &m, names, npol, &so)) >= 0) return rc;

  accq_err_t err;
  accq_err_clear(&err);
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_simcli_progress_t prog;
  accq_progress_start(&prog.bar, "simulating", npol, cli.quiet || !(window > 0));
  so.progress = accq_simcli_progress_cb;
  so.progress_ctx = &prog;

  char title[256];
  snprintf(title, sizeof title, "accq simulate: %s", m.name);
  accq_report_t *rep = accq_report_alloc(title);
  header_kv(rep, &m, &so);
  accq_report_section_t *tlp = accq_report_kv(rep, NULL, NULL);
  accq_report_section_t *res = accq_report_kv(rep, NULL, NULL);
  accq_report_section_t *list = accq_kv_list(res, "results", NULL);
  accq_kv_visibility(res, ACCQ_REPORT_JSON_ONLY);
  accq_report_section_t *tab = estimates_table(rep);
  accq_report_section_t *runs = runs_table(rep);
  accq_report_section_t *wtab = accq_report_table(rep, "warnings", "warnings");
  accq_report_section_visibility(wtab, ACCQ_REPORT_NOT_JSON & ~ACCQ_REPORT_ONLY(ACCQ_FORMAT_CSV));
  accq_table_col(wtab, "policy", NULL, 0);
  accq_table_col(wtab, "warning", NULL, 0);
  accq_simts_report(&ts, rep);
  static char wtext[ACCQ_SIMCLI_MAX_POLICIES * ACCQ_SIM_MAX_WARNINGS]
                   [ACCQ_NAME_MAX + ACCQ_SIM_WARNING_MAX + 4];
  int nwarn = 0;
  double t_lp = NAN;
  int worst = 0;
  for (int i = 0; i < npol; i++) {
    accq_policy_t *pol = NULL;
    accq_sim_result_t r;
    prog.index = i;
    int st = accq_policy_alloc(&pol, names[i], &m, &popt, &err);
    if (!st)
      st = window > 0 ? accq_simts_run(&ts, &m, pol, &so, &r, &err)
                      : accq_simcells_result(&cells, i, pol, &r, &err);
    if (st) {
      accq_policy_free(pol);
      accq_progress_finish(&prog.bar);
      int code = accq_cli_fail(&err);
      /* no answer for this policy (unstable, infeasible): go on with the others */
      if (accq_status_exit_code(st) != 4) {
        accq_report_free(rep);
        accq_simcells_free(&cells);
        return code;
      }
      worst = 4;
      accq_report_section_t *o = accq_kv_list_add(list, names[i]);
      accq_kv_str(o, "policy", NULL, names[i]);
      accq_kv_str(o, "status", NULL,
                  st == ACCQ_EUNSTABLE ? "unstable" : "infeasible");
      accq_kv_str(o, "reason", NULL, err.msg);
      continue;
    }
    t_lp = r.t_lp;
    const char *pname = accq_policy_name(pol);
    accq_simts_result(&ts, result_json(list, &m, pname, &r, correctness), pname);
    result_rows(tab, &m, pname, &r, correctness);
    runs_row(runs, pname, &r);
    for (int j = 0; j < r.nwarnings; j++) {
      accq_table_row(wtab);
      accq_table_str(wtab, pname);
      accq_table_str(wtab, r.warnings[j]);
      snprintf(wtext[nwarn++], sizeof wtext[0], "%s: %s", pname, r.warnings[j]);
    }
    if (cli.verbose)
      fprintf(stderr, "accq simulate: %s: %lld events in %.3f s (%.3g events/s, %d threads)\n",
              pname, r.events, r.seconds, r.events / r.seconds, so.threads);
    accq_policy_free(pol);
  }
  accq_progress_finish(&prog.bar);
  /* never hidden by -q (which hides the progress bar only) */
  const char *wp[ACCQ_SIMCLI_MAX_POLICIES * ACCQ_SIM_MAX_WARNINGS];
  for (int j = 0; j < nwarn; j++) {
    fprintf(stderr, "accq simulate: warning: %s\n", wtext[j]);
    wp[j] = wtext[j];
  }
  /* JSON: top-level "warnings", a list of texts "POLICY: warning" */
  accq_kv_strs(res, "warnings", NULL, wp, nwarn);
  accq_kv_visibility(res, ACCQ_REPORT_JSON_ONLY);
  accq_kv_num(tlp, "t_lp", "T_LP (bound at Lambda)", t_lp, 0);
  rc = accq_cli_emit(&cli, rep);
  accq_report_free(rep);
  accq_simcells_free(&cells);
  int trc = accq_simts_finish(&ts, &cli, &m);
  if (!rc) rc = trc;
  return rc ? rc : worst;
}
