/* accq golden MODEL [KEY=VALUE..] [MODEL [KEY=VALUE..]].. --out golden.json:
 * exact reference values for external simulators (checked by `accq
 * check-sim`).
 *
 * For each model and policy, the lumped chain at the model's buffer (auto:
 * grown until the boundary mass and the change of E[T] are below 1e-9) gives
 * the measures; each entry carries the truncation B, the boundary mass, the
 * last relative change of E[T] when B grew, the stationary residual, the
 * SHA-256 of the model file and the overrides applied, so a user can tell
 * how exact "exact" is and where it came from.
 *
 * An entry that is not a reference (the policy is unstable or infeasible at
 * this load, the truncation did not converge, the chain is too large) is
 * written with its "status" and "reason" and no "measures": check-sim skips
 * it and says so.  The exit status is then the worst of those (4 no answer,
 * 3 numerical) unless --allow-partial.
 *
 * Besides the type-level means, each entry has the distributions the chain
 * knows exactly, which tell dispatch rules apart (jsq and jiq differ by
 * 1.9e-4 in E[T] on two-tier): level.TYPE.Q (fraction of type-TYPE servers
 * holding exactly Q jobs) and p_wait.TYPE; and frac_below.pXX, the fraction
 * of jobs whose response time is at most the exact percentile pXX (0.5,
 * 0.9, 0.95, 0.99): the unbiased way to test percentiles. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accq/accq.h"
#include "accq/check.h"
#include "cli/cli.h"
#include "cli/simcli.h"

/* Levels with a smaller exact fraction are left out (they test nothing a
 * simulation could resolve, and keep files small at large B). */
#define LEVEL_MIN 1e-12

static json_t *definitions(void) {
  accq_model_t d;
  memset(&d, 0, sizeof d);
  d.ntypes = 1;
  snprintf(d.types[0].name, ACCQ_NAME_MAX, "TYPE");
  json_t *o = json_object();
  char name[ACCQ_NAME_MAX + 32];
  for (int i = 0; i < accq_sim_measure_count(1); i++) {
    const char *def = accq_sim_measure_definition(&d, i);
    char buf[300];
    if (accq_sim_measure_is_percentile(i)) {
      snprintf(buf, sizeof buf,
               "%s (the exact value; test a simulator with frac_below.%s, not with averaged "
               "per-replication percentiles, which are biased on short replications)",
               def, accq_sim_measure_name(&d, i, name, (int)sizeof name));
      def = buf;
    }
    json_object_set_new(o, accq_sim_measure_name(&d, i, name, (int)sizeof name), json_string(def));
  }
  json_object_set_new(o, "gap", json_string("E[T] / T_LP(X) - 1, T_LP the LP bound at the admitted rate X per unit scale"));
  json_object_set_new(o, "correctness",
                      json_string("fraction of admitted jobs answered correctly; its expectation is the accuracy A"));
  json_object_set_new(o, "level.TYPE.Q",
                      json_string("time-average fraction of the servers of type TYPE holding exactly "
                                  "Q jobs (in service + waiting); levels with fraction below 1e-12 "
                                  "are omitted"));
  json_object_set_new(o, "p_wait.TYPE",
                      json_string("fraction of the admitted jobs sent to type TYPE that find their "
                                  "server busy"));
  json_object_set_new(o, "frac_below.pXX",
                      json_string("fraction of admitted jobs whose response time is <= this entry's "
                                  "exact pXX (0.5, 0.9, 0.95, 0.99 by definition): per replication, "
                                  "count the jobs below measures.pXX; a proportion, unbiased at any "
                                  "run length"));
  return o;
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

/* A positional argument that sets a key of the model before it. */
static int is_override(const char *a) { return strchr(a, '=') && strchr(a, '.'); }

typedef struct {
  const char *path;
  int first_set, nsets; /* its overrides: args[first_set .. first_set+nsets) */
  accq_model_t m;
  char sha[65];
} model_arg_t;

int accq_cli_golden(int argc, char **argv) {
  const char *policies = "all";
  int buffer = 0, allow_partial = 0;
  const accq_cli_opt_t opts[] = {
      {"policy", 'p', ACCQ_OPT_STRING, &policies, "P[,P..]", "policies (default all)"},
      {"buffer", 'b', ACCQ_OPT_COUNT, &buffer, "B", "chain buffer (default: the model's, auto)"},
      {"allow-partial", 0, ACCQ_OPT_FLAG, &allow_partial, NULL,
       "exit 0 even when some entries are not references (unstable, not converged)"},
      {0}};
  const accq_cli_spec_t spec = {
      "golden", "MODEL [SECTION.KEY=VALUE..] [MODEL [..]].. [--out golden.json] [options]",
      "Exact reference values (lumped Markov chain) of every policy on each model,\n"
      "with their definitions, truncation, residuals and the model file's SHA-256,\n"
      "as JSON for `accq check-sim golden.json results.csv`.  SECTION.KEY=VALUE\n"
      "arguments after a model override its keys (after any --set), so one file can\n"
      "give several entries: `golden m.ini system.load=0.5 m.ini system.load=0.9`.\n"
      "Entries that are not references (unstable policy, truncation not converged)\n"
      "carry \"status\" and \"reason\" and no measures; the exit status is then 4 or 3\n"
      "unless --allow-partial.",
      ACCQ_CLI_OUT | ACCQ_CLI_SET, opts, 1, -1};
  accq_cli_t cli;
  int rc = accq_cli_parse(&spec, argc, argv, &cli);
  if (rc >= 0) return rc;
  if (buffer < 0) return accq_cli_usage(&cli, "--buffer must be >= 1 (got %d)", buffer);
  char names[ACCQ_SIMCLI_MAX_POLICIES][ACCQ_NAME_MAX];
  int npol;
  if ((rc = accq_cli_policy_list(&cli, ACCQ_SIMCLI_MAX_POLICIES, policies, names, &npol))) return rc;

  /* models and their overrides */
  model_arg_t *ma = calloc((size_t)cli.nargs, sizeof *ma);
  if (!ma) {
    fprintf(stderr, "accq: out of memory\n");
    return 3;
  }
  int nm = 0;
  for (int a = 0; a < cli.nargs; a++) {
    if (is_override(cli.args[a])) {
      if (nm == 0) {
        free(ma);
        return accq_cli_usage(&cli, "'%s' sets a key but no model comes before it", cli.args[a]);
      }
      ma[nm - 1].nsets++;
    } else {
      ma[nm].path = cli.args[a];
      ma[nm].first_set = a + 1;
      nm++;
    }
  }
  accq_err_t err;
  accq_err_clear(&err);
  /* load every model first: names, outputs and ambiguities are refused
   * before any chain is built */
  const char *inputs[ACCQ_CLI_LIST_MAX];
  for (int i = 0; i < nm; i++) inputs[i] = ma[i].path;
  for (int i = 0; i < nm; i++) {
    accq_cli_t one = cli;
    one.model = ma[i].path;
    for (int s = 0; s < ma[i].nsets; s++) {
      if (one.sets.n >= ACCQ_CLI_LIST_MAX) {
        free(ma);
        return accq_cli_usage(&cli, "too many overrides");
      }
      one.sets.v[one.sets.n++] = cli.args[ma[i].first_set + s];
    }
    if ((rc = accq_cli_load_model(&one, &ma[i].m, 1)) != 0 ||
        (rc = accq_outfile_check(cli.out, inputs, nm, &err) ? accq_cli_fail(&err) : 0) != 0 ||
        (rc = accq_sha256_file(ma[i].path, ma[i].sha, &err) ? accq_cli_fail(&err) : 0) != 0 ||
        /* the path goes into the JSON as "file" */
        (rc = accq_report_check_text(ma[i].m.file, "the model file's path", &err) ? accq_cli_fail(&err) : 0) != 0) {
      free(ma);
      return rc;
    }
    double li = (double)ma[i].m.scale * ma[i].m.arrival_rate;
    for (int j = 0; j < i; j++) {
      double lj = (double)ma[j].m.scale * ma[j].m.arrival_rate;
      if (!strcmp(ma[i].m.name, ma[j].m.name) && fabs(li - lj) <= 1e-6 * fmax(1, fabs(lj))) {
        accq_err_set(&err, ACCQ_EUSAGE,
                     "models %d (%s) and %d (%s) are both named '%s' at lambda %.10g: check-sim "
                     "could not tell their entries apart; give one another name "
                     "(e.g. %s system.name=%s-2)",
                     j + 1, ma[j].path, i + 1, ma[i].path, ma[i].m.name, li, ma[i].path,
                     ma[i].m.name);
        free(ma);
        return accq_cli_fail(&err);
      }
    }
  }

  json_t *root = json_object(), *entries = json_array(), *warnings = json_array();
  json_object_set_new(root, "format", json_string("accq-golden"));
  json_object_set_new(root, "version", json_integer(2));
  json_object_set_new(
      root, "notes",
      json_string("Exact values of the lumped Markov chain (exponential service, FCFS, "
                  "per-server buffer B: a job sent to a full server is lost). Rates are for "
                  "the whole system of scale m. Entries whose status is not \"ok\" are not "
                  "references and carry no measures. check-sim reads a CSV with columns model, "
                  "policy, lambda, measure, mean, stderr or ci_halfwidth (95%), replications."));
  json_object_set_new(root, "definitions", definitions());
  accq_policy_options_t popt;
  accq_policy_options_init(&popt);
  accq_progress_t bar;
  accq_progress_start(&bar, "golden", (double)nm * npol, cli.quiet);
  int worst = 0, nbad = 0;
  for (int a = 0; a < nm; a++) {
    const accq_model_t *m = &ma[a].m;
    for (int i = 0; i < npol; i++) {
      accq_progress_update(&bar, (double)a * npol + i);
      accq_policy_t *pol = NULL;
      accq_analysis_options_t aopt;
      accq_analysis_t an;
      memset(&an, 0, sizeof an);
      accq_err_clear(&err);
      json_t *e = json_object();
      json_object_set_new(e, "model", json_string(m->name));
      json_object_set_new(e, "file", json_string(m->file));
      json_object_set_new(e, "model_sha256", json_string(ma[a].sha));
      json_t *sets = json_array();
      for (int s = 0; s < cli.sets.n; s++) json_array_append_new(sets, json_string(cli.sets.v[s]));
      for (int s = 0; s < ma[a].nsets; s++)
        json_array_append_new(sets, json_string(cli.args[ma[a].first_set + s]));
      json_object_set_new(e, "sets", sets);
      json_object_set_new(e, "policy", json_string(names[i]));
      json_object_set_new(e, "lambda", accq_simcli_real((double)m->scale * m->arrival_rate));
      json_object_set_new(e, "scale", json_integer(m->scale));
      int st = accq_policy_alloc(&pol, names[i], m, &popt, &err);
      if (st == ACCQ_EUSAGE) { /* a misspelt policy: usage, before anything is written */
        accq_progress_finish(&bar);
        json_decref(e);
        json_decref(root);
        json_decref(entries);
        json_decref(warnings);
        free(ma);
        return accq_cli_fail(&err);
      }
      if (!st) {
        json_object_set_new(e, "policy", json_string(accq_policy_name(pol)));
        accq_analysis_options_init(&aopt);
        aopt.buffer = buffer;
        aopt.keep_chain = 1;
        st = accq_analyze(m, pol, &aopt, &an, &err);
        if (!st && !an.auto_converged)
          st = accq_err_set(&err, ACCQ_ENOCONV,
                            "the truncation did not converge (B = %d, boundary mass %.3g, last "
                            "change of E[T] %.3g): %s",
                            an.buffer, an.m.boundary_mass, an.auto_change,
                            an.warning[0] ? an.warning : "no reference value");
      }
      double *level = NULL, pw[ACCQ_MAX_TYPES];
      if (!st) {
        level = malloc((size_t)m->ntypes * (size_t)(an.buffer + 1) * sizeof *level);
        st = level ? accq_check_exact_levels(an.chain, pol, an.pi, level, pw, &err)
                   : accq_err_set(&err, ACCQ_ENOMEM, "out of memory");
      }
      if (st && st != ACCQ_EUNSTABLE && st != ACCQ_EACCINFEAS && st != ACCQ_ECAPINFEAS &&
          st != ACCQ_ETOOBIG && st != ACCQ_ENOCONV && st != ACCQ_ERANGE) {
        /* out of memory, a dispatch failure: no file */
        accq_progress_finish(&bar);
        accq_err_prefix(&err, "%s, policy %s", m->name, names[i]);
        free(level);
        accq_analysis_release(&an);
        accq_policy_free(pol);
        json_decref(e);
        json_decref(root);
        json_decref(entries);
        json_decref(warnings);
        free(ma);
        return accq_cli_fail(&err);
      }
      if (st) {
        /* not a reference: status and reason, no number to mistake for one */
        json_object_set_new(e, "status", json_string(status_word(st)));
        json_object_set_new(e, "reason", json_string(err.msg));
        char w[ACCQ_ERR_MSG_MAX + 1200];
        snprintf(w, sizeof w, "%s (%s), policy %s: %s: %s", m->name, ma[a].path, names[i],
                 status_word(st), err.msg);
        json_array_append_new(warnings, json_string(w));
        fprintf(stderr, "accq golden: %s\n", w); /* never hidden by -q */
        int code = accq_status_exit_code(st);
        if (code > worst) worst = code;
        nbad++;
      } else {
        json_object_set_new(e, "status", json_string("ok"));
        json_object_set_new(e, "reason", json_null());
        json_object_set_new(e, "buffer", json_integer(an.buffer));
        json_object_set_new(e, "states", json_integer(an.states));
        json_object_set_new(e, "solver", json_string(an.solver.name));
        json_object_set_new(e, "residual", accq_simcli_real(an.solver.residual));
        json_object_set_new(e, "boundary_mass", accq_simcli_real(an.m.boundary_mass));
        json_object_set_new(e, "truncation_change", accq_simcli_real(an.auto_change));
        json_object_set_new(e, "truncation_converged", json_boolean(an.auto_converged));
        json_object_set_new(e, "t_lp", accq_simcli_real(an.m.t_lp));
        json_t *ms = json_object();
        char name[ACCQ_NAME_MAX + 48];
        for (int j = 0; j < accq_sim_measure_count(m->ntypes); j++)
          json_object_set_new(ms, accq_sim_measure_name(m, j, name, (int)sizeof name),
                              accq_simcli_real(accq_sim_exact_measure(&an.m, m->ntypes, j)));
        json_object_set_new(ms, "gap", accq_simcli_real(an.m.gap));
        json_object_set_new(ms, "correctness", accq_simcli_real(an.m.accuracy));
        static const char *const pct[4] = {"p50", "p90", "p95", "p99"};
        static const double frac[4] = {0.5, 0.9, 0.95, 0.99};
        for (int j = 0; j < 4; j++) {
          snprintf(name, sizeof name, "frac_below.%s", pct[j]);
          json_object_set_new(ms, name, json_real(frac[j]));
        }
        for (int k = 0; k < m->ntypes; k++) {
          snprintf(name, sizeof name, "p_wait.%s", m->types[k].name);
          json_object_set_new(ms, name, accq_simcli_real(pw[k]));
        }
        for (int k = 0; k < m->ntypes; k++)
          for (int q = 0; q <= an.buffer; q++) {
            double v = level[k * (an.buffer + 1) + q];
            if (!(v >= LEVEL_MIN)) continue;
            snprintf(name, sizeof name, "level.%s.%d", m->types[k].name, q);
            json_object_set_new(ms, name, json_real(v));
          }
        json_object_set_new(e, "measures", ms);
      }
      json_array_append_new(entries, e);
      free(level);
      accq_analysis_release(&an);
      accq_policy_free(pol);
    }
  }
  accq_progress_finish(&bar);
  json_object_set_new(root, "warnings", warnings);
  json_object_set_new(root, "entries", entries);
  rc = accq_simcli_write_json(&cli, cli.out, root);
  free(ma);
  if (rc) return rc;
  if (nbad && !allow_partial) {
    fprintf(stderr,
            "accq golden: %d entr%s not a reference (written with status and reason; "
            "--allow-partial to exit 0)\n",
            nbad, nbad == 1 ? "y is" : "ies are");
    return worst;
  }
  return 0;
}
