/* GENERATED from models/two-tier.ini: do not edit by hand.
 * The embedded default model (accq_model_default).  tests/model/test_model.c
 * checks that this text equals the file byte for byte; after editing the file,
 * regenerate the string (then add the ';' after its last line) with
 *   sed 's/\\/\\\\/g; s/"/\\"/g; s/^/    "/; s/$/\\n"/' models/two-tier.ini
 */
#include "model/model_internal.h"

const char accq_i_default_model_text[] =
    "# Two tiers: a fast, inaccurate pool and one slow, accurate server (the default model).\n"
    "# Shows the basic trade-off: to meet a* = 0.80 the LP sends 2/3 of the jobs to the\n"
    "# slow tier and 1/3 to the fast one, w = (0.80 - 0.60) / (0.90 - 0.60) = 2/3.\n"
    "# Lambda_max(a*) = 1.5 (large saturated at 1, small taking 0.5), so arrival_rate = 1.0\n"
    "# is a load of 2/3; the large server is then busy 2/3 of the time.\n"
    "[system]\n"
    "name = two-tier\n"
    "arrival_rate = 1.0          ; total Lambda (jobs per unit time)\n"
    "accuracy_target = 0.80      ; a*\n"
    "buffer = auto               ; per-server truncation B for the Markov chains\n"
    "scale = 1                   ; m, multiplies servers and Lambda\n"
    "\n"
    "[type small]\n"
    "servers = 2\n"
    "rate = 4.0                  ; mu, jobs per unit time per server\n"
    "accuracy = 0.60\n"
    "service = exp               ; simulator only: exp | det | erlang:K | hyperexp:SCV | lognormal:SCV\n"
    "\n"
    "[type large]\n"
    "servers = 1\n"
    "rate = 1.0\n"
    "accuracy = 0.90\n"
    "service = exp\n";
