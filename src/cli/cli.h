/* The accq command: one file per subcommand, each `int accq_cli_NAME(int argc,
 * char **argv)` returning the process exit status (INTERFACE.md).  The CLI
 * parses, calls the library and prints; it computes nothing itself. */
#ifndef ACCQ_CLI_H
#define ACCQ_CLI_H

#define ACCQ_CLI_COMMANDS(X)                                                     \
  X(lp, "LP bound, split, Lambda_max, T_free, pairs, breakpoints")               \
  X(solve, "exact stationary measures from the Markov chain")                    \
  X(simulate, "discrete-event estimates with confidence intervals")              \
  X(crosscheck, "chain vs simulator, every policy, pass/fail per measure")       \
  X(converge, "gap to T_LP as the system grows, fitted rate, plot")              \
  X(sweep, "a table over one parameter, any measure")                            \
  X(verify, "the claims of SPEC 8 on the bundled models (the main job)")         \
  X(golden, "exact reference values for external simulators")                    \
  X(check_sim, "check an external simulator's estimates against golden values")  \
  X(optimal, "the constrained-optimal dispatch policy of a small system")

#define ACCQ_X_DECL(name, help) int accq_cli_##name(int argc, char **argv);
ACCQ_CLI_COMMANDS(ACCQ_X_DECL)
#undef ACCQ_X_DECL

#endif
