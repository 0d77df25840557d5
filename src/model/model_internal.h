/* Internals of the model module, shared between its source files.  The inih
 * adapter's interface is src/ext/inih.h (ext never includes model headers).
 * Never installed. */
#ifndef ACCQ_MODEL_INTERNAL_H
#define ACCQ_MODEL_INTERNAL_H

#include <stddef.h>

#include "accq/model.h"
#include "core/text.h"
#include "ext/inih.h"

/* A model file is at most this many bytes (reading stops there, so /dev/urandom
 * or a huge file is refused quickly instead of being read whole). */
#define ACCQ_I_MODEL_TEXT_MAX (1 << 20)

/* The text of models/two-tier.ini, compiled in (default_model.c). */
extern const char accq_i_default_model_text[];

#endif
