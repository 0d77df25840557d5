/* The [arrivals] section's parser, called by the model file parser
 * (src/model/model.c).  Never installed. */
#ifndef ACCQ_MODEL_ARRIVALS_INTERNAL_H
#define ACCQ_MODEL_ARRIVALS_INTERNAL_H

#include "accq/model.h"

/* The [arrivals] header at `line`: 1 to go on, 0 with err filled (a second
 * [arrivals] section). */
int accq_i_arrivals_section(accq_model_t *m, int line, accq_err_t *err);

/* One key of the [arrivals] section: 1 to go on, 0 with err filled (the
 * message names the key and value, without FILE:LINE). */
int accq_i_arrivals_key(accq_model_t *m, int line, const char *key, const char *value,
                        accq_err_t *err);

/* After the whole file: the section is complete and consistent (a trace is
 * read here, its path taken relative to the model file's directory).
 * Returns 0, or the line to blame with err filled. */
int accq_i_arrivals_finish(accq_model_t *m, accq_err_t *err);

#endif
