/* Placeholder until this subcommand's issue lands: refuses clearly. */
#include <stdio.h>

#include "cli/cli.h"

int accq_cli_solve(int argc, char **argv) {
  (void)argc;
  fprintf(stderr, "accq: '%s' is not implemented yet\n", argv[0]);
  return 2;
}
