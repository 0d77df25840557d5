/* accq: analytical solver and verification suite for accuracy-constrained job
 * assignment (LP bound, R-JIQ, POP).  Includes every public module header. */
#ifndef ACCQ_H
#define ACCQ_H
#include "accq/status.h"
#include "accq/model.h"
#include "accq/lp.h"
#include "accq/policy.h"
#include "accq/chain.h"
#include "accq/stationary.h"
#include "accq/measures.h"
#include "accq/report.h"
#include "accq/limit.h"
#include "accq/version.h"
#include "accq/fmt.h"
#endif
