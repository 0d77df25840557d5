/* The system of docs/model.md, read from an INI model file (docs/model.md).
 *
 * A model is a plain value (no heap memory): copy it freely.  Rates are in jobs
 * per unit time, per unit of scale: the system of size m = `scale` has
 * m * servers servers of each type and arrival rate m * arrival_rate.
 */
#ifndef ACCQ_MODEL_H
#define ACCQ_MODEL_H

#include "accq/status.h"

#define ACCQ_MAX_TYPES 32       /* more types are refused with a message */
#define ACCQ_NAME_MAX 64

/* Magnitude limits enforced by validation, so that later arithmetic (capacities,
 * m * n_k * B state counts in 64 bits, m * Lambda) cannot overflow.  A value
 * outside them is refused with a message naming the value and the limit. */
#define ACCQ_MODEL_RATE_MIN 1e-9        /* mu_k and Lambda (jobs per unit time) */
#define ACCQ_MODEL_RATE_MAX 1e9         /* mu_k */
#define ACCQ_MODEL_LAMBDA_MAX 1e12      /* Lambda per unit scale */
#define ACCQ_MODEL_LOAD_MIN 1e-9        /* load = Lambda / Lambda_max(a*) */
#define ACCQ_MODEL_LOAD_MAX 1e3         /* loads > 1 are legal: the LP reports them */
#define ACCQ_MODEL_INT_MAX 1000000      /* servers, scale, buffer each */
#define ACCQ_MODEL_SERVERS_MAX 10000000 /* servers * scale per type */
#define ACCQ_MODEL_ERLANG_MAX 1000      /* phases K of erlang:K */
#define ACCQ_MODEL_SCV_MAX 1e4          /* SCV of hyperexp/lognormal */

typedef enum {
  ACCQ_SERVICE_EXP = 0,   /* exponential (the Markov models assume this) */
  ACCQ_SERVICE_DET,       /* deterministic 1/mu */
  ACCQ_SERVICE_ERLANG,    /* Erlang with `param` phases (integer >= 1) */
  ACCQ_SERVICE_HYPEREXP,  /* two-phase hyperexponential, balanced means, SCV = param >= 1 */
  ACCQ_SERVICE_LOGNORMAL  /* lognormal with SCV = param > 0 */
} accq_service_kind_t;

typedef struct {
  accq_service_kind_t kind;
  double param;           /* K for erlang, SCV for hyperexp/lognormal, else 0 */
} accq_service_t;

typedef struct {
  char name[ACCQ_NAME_MAX];
  int servers;            /* n_k >= 1, per unit scale */
  double rate;            /* mu_k > 0 */
  double accuracy;        /* a_k in [0,1] */
  accq_service_t service;
  int line;               /* line of the [type NAME] header (0 if not from a file) */
} accq_type_t;

typedef enum {
  ACCQ_LAMBDA_RATE = 0,   /* arrival_rate given: `arrival_rate` is Lambda */
  ACCQ_LAMBDA_LOAD        /* load given: Lambda = load * Lambda_max(a*), resolved by
                             accq_lp_model_resolve() (the LP module) */
} accq_lambda_mode_t;

typedef struct {
  char name[ACCQ_NAME_MAX];   /* [system] name, or the file's base name */
  char file[512];             /* where it came from ("<default>", "<string>", path) */
  accq_lambda_mode_t lambda_mode;
  double arrival_rate;        /* Lambda per unit scale (NaN in load mode until resolved) */
  double load;                /* fraction of Lambda_max(a*) when lambda_mode == LOAD, else NaN */
  double accuracy_target;     /* a* in [0,1] */
  int buffer;                 /* B >= 1, or 0 for `auto` */
  int scale;                  /* m >= 1 */
  int ntypes;
  accq_type_t types[ACCQ_MAX_TYPES];
} accq_model_t;

/* Reads and validates a model file, then applies the overrides `sets`
 * ("section.key=value" as in `--set system.arrival_rate=3.5` or
 * `--set type.small.servers=4`), then validates the result.  On failure the
 * message is "FILE:LINE: reason naming the value" (for an override,
 * "--set ARG: reason") and the status is ACCQ_EMODEL (bad content), ACCQ_EIO
 * (unreadable file, directory) or ACCQ_EUSAGE (malformed --set).  Nothing is
 * computed from a model that failed: *m is unspecified then. */
int accq_model_load(accq_model_t *m, const char *path, const char *const *sets,
                    int nsets, accq_err_t *err);

/* The same from NUL-terminated text in memory; `origin` names it in messages
 * and gives the default model name (NULL: "<string>").  Cost O(text length). */
int accq_model_parse_string(accq_model_t *m, const char *text, const char *origin,
                            const char *const *sets, int nsets, accq_err_t *err);

/* Applies one override "section.key=value" to an already valid model and
 * re-validates.  Setting system.load switches the model to load mode and
 * system.arrival_rate back to rate mode.  Used by --set and by sweeps (--vary).
 * On failure *m is left unchanged and the message is "ASSIGNMENT: reason"
 * (accq_model_load adds "--set "): ACCQ_EUSAGE for a malformed assignment
 * (no '=', unknown section, type or key), ACCQ_EMODEL for a bad value. */
int accq_model_set(accq_model_t *m, const char *assignment, accq_err_t *err);

/* Validation of docs/model.md (servers >= 1, rate > 0 and finite, accuracy in [0,1],
 * a* in [0,1], Lambda > 0 or load in (0, ...), scale >= 1, buffer >= 0 ...)
 * and of the ACCQ_MODEL_* magnitude limits.  In load mode arrival_rate may be
 * NaN (unresolved) or the resolved Lambda > 0.  Message without a FILE:LINE
 * prefix, e.g. "[type small] rate 0 must be > 0".  Cost O(ntypes^2). */
int accq_model_validate(const accq_model_t *m, accq_err_t *err);

/* The embedded default model (models/two-tier.ini, compiled in). */
int accq_model_default(accq_model_t *m, accq_err_t *err);
/* Its text, byte for byte models/two-tier.ini (static storage). */
const char *accq_model_default_text(void);

/* Index of the type called `name`, or -1. */
int accq_model_type_index(const accq_model_t *m, const char *name);

/* Writes the model back as an INI text that parses back to the same model
 * (numbers in the shortest form that reads back exactly).  snprintf-like:
 * returns the length of the whole text, writes at most size-1 characters plus
 * a NUL; buf may be NULL when size is 0.  Returns -1 for a NULL model. */
int accq_model_format(const accq_model_t *m, char *buf, int size);

#endif
