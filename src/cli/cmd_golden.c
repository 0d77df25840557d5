/* accq golden MODEL.. --out golden.json: exact reference values for external
 * simulators (checked by `accq check-sim`).
 *
 * For each model and policy, the lumped chain at the model's buffer (auto:
 * grown until the boundary mass and the change of E[T] are below 1e-9) gives
 * the measures of SPEC 6; each entry carries the truncation B, the boundary
 * mass, the last relative change of E[T] when B grew, and the stationary
 * residual, so a user can tell how exact "exact" is.  The file also defines
 * every measure name (the `measure` column of check-sim's CSV). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/sim.h"
#include "cli/cli.h"
#include "cli/simcli.h"

static json_t *definitions(void) {
  accq_model_t d;
  memset(&d, 0, sizeof d);
  d.ntypes = 1;
  snprintf(d.types[0].name, ACCQ_NAME_MAX, "TYPE");
  json_t *o = json_object();
  char name[ACCQ_NAME_MAX + 32];
  for (int i = 0; i < accq_sim_measure_count(1); i++)
    json_object_set_new(o, accq_sim_measure_name(&d, i, name, (int)sizeof name),
                        json_string(accq_sim_measure_definition(&d, i)));
  json_object_set_new(o, "gap", json_string("E[T] / T_LP(X) - 1, T_LP the LP bound at the admitted rate X per unit scale"));
  json_object_set_new(o, "correctness",
                      json_string("fraction of admitted jobs answered correctly; its expectation is the accuracy A"));
  return o;
}

int accq_cli_golden(int argc, char **argv) {
  const char *policies = "all";
  int buffer = 0;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]", "policies (default all)"},
      {"buffer", 'b', ACCQ_OPT_INT, &buffer, "B", "chain buffer (default: the model's, auto)"},
      {0}};
  const accq_cli_spec_t spec = {
      "golden", "MODEL.. [--out golden.json] [options]",
      "Exact reference values (lumped Markov chain, SPEC 5-6) of every policy on each\n"
      "model, with their definitions, truncation and residuals, as JSON for\n"
      "`accq check-sim golden.json results.csv`.",
      ACCQ_CLI_OUT | ACCQ_CLI_SET, opts, 1, -1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (buffer < 0) return accq_cli_usage(&cli, "--buffer must be >= 1 (got %d)", buffer);
  char names[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  int npol;
  if ((rc = accq_simcli_policies(&cli, policies, names, &npol))) return rc;

  json_t *root = json_object(), *entries = json_array();
  json_object_set_new(root, "format", json_string("accq-golden"));
  json_object_set_new(root, "version", json_integer(1));
  json_object_set_new(
      root, "notes",
      json_string("Exact values of the lumped Markov chain (exponential service, FCFS, "
                  "per-server buffer B: a job sent to a full server is lost). Rates are for "
                  "the whole system of scale m. check-sim reads a CSV with columns model, "
                  "policy, lambda, measure, mean, stderr or ci_halfwidth (95%), replications."));
  json_object_set_new(root, "definitions", definitions());
  accq_err_t err;
  accq_err_clear(&err);
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_progress_t bar;
  accq_progress_start(&bar, "golden", (double)cli.nargs * npol, cli.quiet);
  for (int a = 0; a < cli.nargs; a++) {
    accq_cli_t one = cli;
    one.model = cli.args[a];
    accq_model_t m;
    if ((rc = accq_cli_load_model(&one, &m, 1)) != 0) {
      json_decref(root);
      json_decref(entries);
      return rc;
    }
    for (int i = 0; i < npol; i++) {
      accq_progress_update(&bar, (double)a * npol + i);
      accq_policy_t *pol = NULL;
      accq_analysis_options_t aopt;
      accq_analysis_t an;
      int st = accq_policy_alloc(&pol, names[i], &m, &popt, &err);
      if (st && accq_status_exit_code(st) == 4) {
        if (!cli.quiet) fprintf(stderr, "accq golden: %s/%s skipped: %s\n", m.name, names[i], err.msg);
        continue;
      }
      if (!st) {
        accq_analysis_options_init(&aopt);
        aopt.buffer = buffer;
        st = accq_analyze(&m, pol, &aopt, &an, &err);
      }
      if (st) {
        accq_progress_finish(&bar);
        accq_err_prefix(&err, "%s, policy %s", m.name, names[i]);
        accq_policy_free(pol);
        json_decref(root);
        json_decref(entries);
        return accq_cli_fail(&err);
      }
      json_t *e = json_object(), *ms = json_object();
      json_object_set_new(e, "model", json_string(m.name));
      json_object_set_new(e, "file", json_string(m.file));
      json_object_set_new(e, "policy", json_string(accq_policy_name(pol)));
      json_object_set_new(e, "lambda", accq_simcli_real((double)m.scale * m.arrival_rate));
      json_object_set_new(e, "scale", json_integer(m.scale));
      json_object_set_new(e, "buffer", json_integer(an.buffer));
      json_object_set_new(e, "states", json_integer(an.states));
      json_object_set_new(e, "solver", json_string(an.solver.name));
      json_object_set_new(e, "residual", accq_simcli_real(an.solver.residual));
      json_object_set_new(e, "boundary_mass", accq_simcli_real(an.m.boundary_mass));
      json_object_set_new(e, "truncation_change", accq_simcli_real(an.auto_change));
      json_object_set_new(e, "truncation_converged", json_boolean(an.auto_converged));
      json_object_set_new(e, "t_lp", accq_simcli_real(an.m.t_lp));
      char name[ACCQ_NAME_MAX + 32];
      for (int j = 0; j < accq_sim_measure_count(m.ntypes); j++)
        json_object_set_new(ms, accq_sim_measure_name(&m, j, name, (int)sizeof name),
                            accq_simcli_real(accq_sim_exact_measure(&an.m, m.ntypes, j)));
      json_object_set_new(ms, "gap", accq_simcli_real(an.m.gap));
      json_object_set_new(ms, "correctness", accq_simcli_real(an.m.accuracy));
      json_object_set_new(e, "measures", ms);
      json_array_append_new(entries, e);
      accq_policy_free(pol);
    }
  }
  accq_progress_finish(&bar);
  json_object_set_new(root, "entries", entries);
  return accq_simcli_write_json(&cli, cli.out, root);
}
