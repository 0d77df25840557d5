/* accq crosscheck MODEL: for every policy, the exact chain at its buffer B
 * against the simulator with the same B, measure by measure (docs/claims.md, claim 5).
 *
 * Each comparison is a two-sided t test of "the simulator's mean equals the
 * exact value" with R-1 degrees of freedom (R independent replications).  The
 * many comparisons (policies x measures) are one family: Holm's step-down
 * correction keeps the family-wise error at --alpha (default 0.01).  The run
 * passes when nothing is rejected, which is the same as every exact value
 * lying inside its Bonferroni interval mean +- t_{1-alpha/(2n), R-1} se (the
 * "interval" column); Holm's adjusted p-values then say how far each one is
 * from failing.  Exit status 1 when any comparison fails.
 *
 * Both sides use the same buffer B: the model's (auto, capped by --max-buffer
 * = 20: the comparison is exact at any B, and an unstable policy would
 * otherwise grow the chain to B = 200) or --buffer's.  Service is made
 * exponential, which the chains assume.  A rare event that no replication
 * ever observed (loss, boundary mass, an almost unused type: se = 0) is judged
 * by the bound ((hi - exact)/(hi - lo))^R on the probability that R
 * replications all miss it, [lo, hi] the measure's possible values
 * (accq_sim_check_t).
 *
 * The simulator's bias diagnostics (a trend left in a replication's window)
 * are reported as warnings: on standard error (also with -q), in a
 * "warnings" table (policy, warning) for humans and, in JSON, a top-level
 * list of texts "POLICY: warning". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/sim.h"
#include "cli/cli.h"
#include "cli/simcli.h"

typedef struct {
  char policy[ACCQ_NAME_MAX];
  char measure[ACCQ_NAME_MAX + 32];
  int buffer;
} row_t;

int accq_cli_crosscheck(int argc, char **argv) {
  const char *policies = "all", *jobs = NULL, *warmup = NULL, *buffer = NULL;
  int replications = 0, max_buffer = 20;
  double alpha = 0.01;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]", "policies to check (default all)"},
      {"replications", 'r', ACCQ_OPT_COUNT, &replications, "R", "replications (default 10)"},
      {"jobs", 'n', ACCQ_OPT_STRING, &jobs, "J",
       "measured arrivals per replication (default as in simulate)"},
      {"warmup", 'w', ACCQ_OPT_STRING, &warmup, "W",
       "discarded arrivals (default adaptive, as in simulate)"},
      {"buffer", 'b', ACCQ_OPT_STRING, &buffer, "B",
       "buffer of both chain and simulator (default: the model's, auto)"},
      {"alpha", 'a', ACCQ_OPT_PROB, &alpha, "A", "family-wise error level (default 0.01)"},
      {"max-buffer", 0, ACCQ_OPT_COUNT, &max_buffer, "B",
       "cap of the auto buffer (default 20; both sides use the same B, so it need not be tight)"},
      {0}};
  const accq_cli_spec_t spec = {
      "crosscheck", "[MODEL] [options]",
      "Chain vs simulator for every policy, with the same buffer B and exponential\n"
      "service: a t test per measure (z = (mean - exact) / se, R-1 d.f.), Holm's\n"
      "correction over all comparisons at family-wise level --alpha.  Passes when no\n"
      "comparison is rejected, i.e. when every exact value lies in its Bonferroni\n"
      "interval mean +- t_{1-alpha/(2n),R-1} se.  Exit status 1 on any failure.",
      ACCQ_CLI_COMMON | ACCQ_CLI_SEED | ACCQ_CLI_THREADS, opts, 0, 1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (!(alpha > 0 && alpha < 1)) return accq_cli_usage(&cli, "--alpha must be in (0,1) (got %g)", alpha);
  if (max_buffer < 1) return accq_cli_usage(&cli, "--max-buffer must be >= 1 (got %d)", max_buffer);
  char names[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  int npol;
  if ((rc = accq_cli_policy_list(&cli, ACCQ_SIMCLI_MAX_POLICIES, policies, names, &npol))) return rc;
  accq_sim_options_t so;
  if ((rc = accq_simcli_options(&cli, replications, jobs, warmup, NULL, &so))) return rc;
  int chain_buffer = 0;
  if (buffer && strcmp(buffer, "auto") &&
      (accq_cli_parse_int(buffer, &chain_buffer) || chain_buffer < 1))
    return accq_cli_usage(&cli, "--buffer must be an integer >= 1 or auto (got '%s')", buffer);
  accq_model_t m;
  if ((rc = accq_cli_load_model(&cli, &m, 1)) != 0) return rc;
  int non_exp = 0;
  for (int k = 0; k < m.ntypes; k++) {
    non_exp |= m.types[k].service.kind != ACCQ_SERVICE_EXP;
    m.types[k].service.kind = ACCQ_SERVICE_EXP; /* the chains assume it */
    m.types[k].service.param = 0;
  }
  if (non_exp && !cli.quiet)
    fprintf(stderr, "accq crosscheck: note: service set to exponential (the chains assume it)\n");

  const int K = m.ntypes, nmeas = accq_sim_measure_count(K);
  accq_sim_check_t *chk = calloc((size_t)npol * nmeas, sizeof *chk);
  row_t *rows = calloc((size_t)npol * nmeas, sizeof *rows);
  char skipped[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_ERR_MSG_MAX];
  int nskip = 0, n = 0;
  char skipped_name[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  /* the simulator's warnings, per policy */
  static char wpol[ACCQ_SIMCLI_MAX_POLICIES * ACCQ_SIM_MAX_WARNINGS][ACCQ_NAME_MAX];
  static char wtext[ACCQ_SIMCLI_MAX_POLICIES * ACCQ_SIM_MAX_WARNINGS][ACCQ_SIM_WARNING_MAX];
  int nwarn = 0;
  long long jobs_used = so.jobs;
  if (!chk || !rows) {
    free(chk);
    free(rows);
    accq_err_t e;
    accq_err_set(&e, ACCQ_ENOMEM, "crosscheck: no memory");
    return accq_cli_fail(&e);
  }
  accq_err_t err;
  accq_err_clear(&err);
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_simcli_progress_t prog;
  accq_progress_start(&prog.bar, "crosscheck", npol, cli.quiet);
  so.progress = accq_simcli_progress_cb;
  so.progress_ctx = &prog;
  for (int i = 0; i < npol; i++) {
    accq_policy_t *pol = NULL;
    prog.index = i;
    int st = accq_policy_alloc(&pol, names[i], &m, &popt, &err);
    if (st && accq_status_exit_code(st) == 4) {
      /* no answer for this policy (unstable, infeasible): nothing to compare */
      snprintf(skipped_name[nskip], ACCQ_NAME_MAX, "%s", names[i]);
      snprintf(skipped[nskip++], ACCQ_ERR_MSG_MAX, "%s", err.msg);
      continue;
    }
    accq_analysis_options_t aopt;
    accq_analysis_t an;
    accq_sim_result_t r;
    if (!st) {
      accq_analysis_options_init(&aopt);
      aopt.buffer = chain_buffer;
      /* an unstable policy would grow B to 200 (millions of states with three
       * types); the comparison is exact at any B, so a small cap does */
      aopt.auto_max_buffer = max_buffer;
      st = accq_analyze(&m, pol, &aopt, &an, &err);
    }
    if (!st) {
      so.buffer = an.buffer;
      st = accq_sim_run(&m, pol, &so, &r, NULL, &err);
    }
    if (st) {
      accq_progress_finish(&prog.bar);
      accq_err_prefix(&err, "policy %s", names[i]);
      accq_policy_free(pol);
      free(chk);
      free(rows);
      return accq_cli_fail(&err);
    }
    jobs_used = r.jobs;
    for (int j = 0; j < r.nwarnings; j++) {
      snprintf(wpol[nwarn], sizeof wpol[0], "%s", accq_policy_name(pol));
      snprintf(wtext[nwarn++], sizeof wtext[0], "%s", r.warnings[j]);
    }
    for (int j = 0; j < nmeas; j++, n++) {
      accq_estimate_t e = accq_sim_result_measure(&r, j);
      chk[n].exact = accq_sim_exact_measure(&an.m, K, j);
      chk[n].mean = e.mean;
      chk[n].se = e.se;
      chk[n].replications = r.replications;
      accq_sim_measure_bounds(&m, j, &chk[n].lo, &chk[n].hi);
      snprintf(rows[n].policy, ACCQ_NAME_MAX, "%s", accq_policy_name(pol));
      accq_sim_measure_name(&m, j, rows[n].measure, (int)sizeof rows[n].measure);
      rows[n].buffer = an.buffer;
    }
    accq_policy_free(pol);
  }
  accq_progress_finish(&prog.bar);
  int nrej = accq_sim_holm(chk, n, alpha);

  char title[256];
  snprintf(title, sizeof title, "accq crosscheck: %s", m.name);
  accq_report_t *rep = accq_report_alloc(title);
  accq_report_section_t *kv = accq_report_kv(rep, NULL, NULL);
  accq_kv_str(kv, "model", NULL, m.name);
  accq_kv_num(kv, "lambda", "arrival rate (m Lambda)", (double)m.scale * m.arrival_rate, 0);
  accq_kv_int(kv, "scale", "scale m", m.scale);
  accq_kv_int(kv, "replications", NULL, so.replications);
  accq_kv_int(kv, "jobs", "jobs per replication", jobs_used);
  char seed[32];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)so.seed);
  accq_kv_str(kv, "seed", NULL, seed);
  accq_kv_num(kv, "alpha", "family-wise level", alpha, 0);
  accq_kv_str(kv, "correction", NULL, "holm");
  accq_kv_int(kv, "compared", "comparisons", n);
  accq_kv_int(kv, "failures", NULL, nrej);
  accq_kv_bool(kv, "pass", NULL, nrej == 0);
  accq_report_section_t *t = accq_report_table(rep, "comparisons", "chain (exact) vs simulation");
  accq_table_col(t, "policy", NULL, 0);
  accq_table_col(t, "buffer", "B", 0);
  accq_table_col(t, "measure", NULL, 0);
  accq_table_col(t, "exact", NULL, 6);
  accq_table_col(t, "mean", "simulated", 6);
  accq_table_col(t, "ci95", NULL, 2);
  accq_table_col(t, "interval", "Bonferroni half-width", 2);
  accq_table_col(t, "z", NULL, 3);
  accq_table_col(t, "p_holm", "Holm p", 3);
  accq_table_col(t, "verdict", NULL, 0);
  accq_report_set_primary(rep, t);
  for (int i = 0; i < n; i++) {
    accq_table_row(t);
    accq_table_str(t, rows[i].policy);
    accq_table_int(t, rows[i].buffer);
    accq_table_str(t, rows[i].measure);
    accq_table_num(t, chk[i].exact);
    accq_table_num(t, chk[i].mean);
    accq_table_num(t, accq_sim_bonferroni_halfwidth(chk[i].se, chk[i].replications, 1, 0.05));
    accq_table_num(t, accq_sim_bonferroni_halfwidth(chk[i].se, chk[i].replications, n, alpha));
    accq_table_num(t, chk[i].z);
    accq_table_num(t, chk[i].p_holm);
    accq_table_str(t, chk[i].reject ? "FAIL" : "ok");
    if (chk[i].reject)
      fprintf(stderr,
              "accq crosscheck: FAIL %s %s (B = %d): exact %.10g, simulated %.10g +- %.3g "
              "(z = %.3g, Holm p = %.3g < alpha = %g)\n",
              rows[i].policy, rows[i].measure, rows[i].buffer, chk[i].exact, chk[i].mean,
              accq_sim_bonferroni_halfwidth(chk[i].se, chk[i].replications, 1, 0.05), chk[i].z,
              chk[i].p_holm, alpha);
  }
  {
    /* humans: a table, only when there is something in it */
    accq_report_section_t *w = NULL;
    if (nwarn) {
      w = accq_report_table(rep, "warnings_table", "warnings (simulator)");
      accq_report_section_visibility(w, ACCQ_REPORT_HUMAN_ONLY);
      accq_table_col(w, "policy", NULL, 0);
      accq_table_col(w, "warning", NULL, 0);
    }
    static char joined[ACCQ_SIMCLI_MAX_POLICIES * ACCQ_SIM_MAX_WARNINGS]
                      [ACCQ_NAME_MAX + ACCQ_SIM_WARNING_MAX + 4];
    const char *wp[ACCQ_SIMCLI_MAX_POLICIES * ACCQ_SIM_MAX_WARNINGS];
    for (int i = 0; i < nwarn; i++) {
      accq_table_row(w);
      accq_table_str(w, wpol[i]);
      accq_table_str(w, wtext[i]);
      /* never hidden by -q (which hides the progress bar only) */
      fprintf(stderr, "accq crosscheck: warning: %s: %s\n", wpol[i], wtext[i]);
      snprintf(joined[i], sizeof joined[0], "%.63s: %.511s", wpol[i], wtext[i]);
      wp[i] = joined[i];
    }
    /* JSON: top-level "warnings", a list of texts "POLICY: warning" */
    accq_kv_strs(kv, "warnings", NULL, wp, nwarn);
    accq_kv_visibility(kv, ACCQ_REPORT_JSON_ONLY);
  }
  if (nskip) {
    accq_report_section_t *s = accq_report_kv(rep, "skipped", "skipped (no answer)");
    for (int i = 0; i < nskip; i++) accq_kv_str(s, skipped_name[i], NULL, skipped[i]);
  }
  rc = accq_cli_emit(&cli, rep);
  accq_report_free(rep);
  free(chk);
  free(rows);
  if (rc) return rc;
  return nrej ? 1 : 0;
}
