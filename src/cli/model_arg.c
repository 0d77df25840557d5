/* The MODEL argument of the commands and --vary: loading, overrides, load
 * resolution (see cli.h). */
#include <stdio.h>
#include <string.h>

#include "accq/model.h"
#include "cli/cli.h"

int accq_cli_load_model(const accq_cli_t *cli, accq_model_t *m, int resolve) {
  accq_err_t err;
  accq_err_clear(&err);
  int st;
  if (cli->model) {
    st = accq_model_load(m, cli->model, cli->sets.v, cli->sets.n, &err);
  } else {
    st = accq_model_default(m, &err);
    for (int i = 0; !st && i < cli->sets.n; i++) st = accq_model_set(m, cli->sets.v[i], &err);
  }
  /* the model is resolved by loading; `resolve` asks that a load be resolvable
   * (a* <= max a_k), else the command stops here with the reason (exit 4) */
  if (!st && resolve && !accq_model_is_resolved(m)) st = accq_model_resolve(m, &err);
  /* the Markov chains, the mean-field limit and the claims assume Poisson
   * arrivals at Lambda: another [arrivals] process is for the simulator
   * (and lp, which reads only Lambda); an mmpp keeps the chain exact with its
   * phase as a state component (docs/chains.md), so solve and crosscheck
   * take it too */
  const char *cmd = cli->spec->name;
  const int chains = !strcmp(cmd, "solve") || !strcmp(cmd, "crosscheck");
  if (!st && m->arrivals.kind != ACCQ_ARRIVALS_POISSON && strcmp(cmd, "simulate") &&
      strcmp(cmd, "lp") && !(chains && m->arrivals.kind == ACCQ_ARRIVALS_MMPP)) {
    if (chains)
      st = accq_err_set(&err, ACCQ_EMODEL,
                        "%s:%d: [arrivals] process = %s: its rate moves in time (or replays "
                        "a trace), so no stationary Markov chain describes it; accq %s takes "
                        "poisson and mmpp arrivals, accq simulate every process "
                        "(docs/model.md)",
                        m->file, m->arrivals.line, accq_arrivals_kind_name(m->arrivals.kind),
                        cmd);
    else
      st = accq_err_set(&err, ACCQ_EMODEL,
                        "%s:%d: [arrivals] process = %s: accq %s assumes Poisson arrivals at "
                        "the model's Lambda; accq simulate takes every arrival process, accq "
                        "solve and crosscheck also mmpp (docs/model.md)",
                        m->file, m->arrivals.line, accq_arrivals_kind_name(m->arrivals.kind),
                        cmd);
  }
  /* before any computation: names the output can carry, and output paths
   * that can be written and are not the model file being read */
  for (int k = -1; !st && k < m->ntypes; k++)
    st = accq_report_check_text(k < 0 ? m->name : m->types[k].name,
                                k < 0 ? "the model name" : "a type name", &err);
  for (int i = 0; !st && i < 2; i++)
    st = accq_outfile_check(i ? cli->plot : cli->out, &cli->model, cli->model ? 1 : 0, &err);
  return st ? accq_cli_fail(&err) : 0;
}

int accq_cli_vary_apply(const accq_cli_vary_t *v, int i, accq_model_t *m, accq_err_t *err) {
  return accq_model_vary_apply(m, v->param, accq_cli_vary_value(v, i), err);
}
