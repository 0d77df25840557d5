/* The built-in model's text (accq_model_default_text): what the provenance
 * of an output hashes when no model file is given. */
#include "model/model_internal.h"

const char *accq_model_default_text(void) { return accq_i_default_model_text; }
