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
  ACCQ_LAMBDA_LOAD        /* load given: Lambda = load * Lambda_max(a*), resolved when
                             the model is loaded or set (accq_model_resolve) */
} accq_lambda_mode_t;

typedef struct {
  char name[ACCQ_NAME_MAX];   /* [system] name, or the file's base name */
  char file[512];             /* where it came from ("<default>", "<string>", path) */
  accq_lambda_mode_t lambda_mode;
  double arrival_rate;        /* Lambda per unit scale.  In load mode it is resolved by
                                 accq_model_load / parse_string / set (accq_model_resolve);
                                 NaN only when a* > max a_k (no load can be resolved) or
                                 for a model built by hand and not yet resolved */
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

/* Index of the type called `name`, or -1. */
int accq_model_type_index(const accq_model_t *m, const char *name);

/* Writes the model back as an INI text that parses back to the same model
 * (numbers in the shortest form that reads back exactly).  snprintf-like:
 * returns the length of the whole text, writes at most size-1 characters plus
 * a NUL; buf may be NULL when size is 0.  Returns -1 for a NULL model. */
int accq_model_format(const accq_model_t *m, char *buf, int size);

/* ---- resolving a load ------------------------------------------------------------ */

/* Lambda_max(a*) of docs/lp.md for capacities cap_k and accuracies a_k: the
 * largest total rate whose accuracy row sum (a_k - a*) x_k >= 0 holds with
 * 0 <= x_k <= cap_k.  Types with a_k >= a* run at capacity and build the surplus
 * sum cap_k (a_k - a*); the others are added most accurate first until it is
 * spent.  0 when a* > max a_k.  The one implementation (the LP module calls it). 
 * Cost O(K^2). */
double accq_model_lambda_max_of(int ntypes, const double *cap, const double *acc, double a_star);
/* The same for a model at full capacities n_k mu_k (per unit scale). */
double accq_model_lambda_max(const accq_model_t *m);

/* In load mode sets m->arrival_rate = load * Lambda_max(a*) (a rate-mode model is
 * left as is).  accq_model_load, accq_model_parse_string and accq_model_set call
 * it, so a loaded model is resolved once and nobody else needs to.
 * ACCQ_EACCINFEAS (arrival_rate left NaN) when a* > max a_k, naming the best type;
 * ACCQ_EINVAL for a bad load or type count. */
int accq_model_resolve(accq_model_t *m, accq_err_t *err);
/* 1 when the model's arrival rate is a number > 0 (rate mode, or a resolved load). */
int accq_model_is_resolved(const accq_model_t *m);

/* ---- meeting the accuracy target ---------------------------------------------- */

/* The one tolerance on "accuracy A meets a*" (docs/policies.md, "Meeting the target"): absolute, because
 * a computed accuracy (a chain whose boundary mass is at most 1e-9, a solve to a
 * residual) stands for the true one to about that much.  Decision: a policy that
 * meets a* by construction (its type's meets_target) is compared with T_LP at a*;
 * any other policy whose computed accuracy A passes accq_model_meets_target is
 * compared with T_LP at min(A - tol, a*) (accq_model_target_held), the least
 * target its true accuracy can have: the LP is discontinuous at a_k = a*
 * (docs/lp.md), so T_LP(a*) can exceed every rule whose accuracy is within
 * 1e-12 of a*. */
#define ACCQ_ACCURACY_TOL 1e-9
/* accuracy >= a* - ACCQ_ACCURACY_TOL (0 for NaN). */
int accq_model_meets_target(const accq_model_t *m, double accuracy);
/* The target a policy that does not meet a* by construction is held to in the
 * LP comparison: min(accuracy - ACCQ_ACCURACY_TOL, a*), at least 0 (NaN: a*). */
double accq_model_target_held(const accq_model_t *m, double accuracy);

/* ---- the --vary parameters ------------------------------------------------------- */

/* One table of the parameters a command can vary (lp, sweep, limit --vary):
 * name as typed, what it sets, whether values must be whole numbers.  A
 * "type.NAME.FIELD" entry stands for every type NAME of the model. */
typedef struct {
  const char *name;      /* "load", "arrival_rate", "type.NAME.rate", ... */
  const char *key;       /* accq_model_set key ("system.load"; "rate" for type.NAME.rate) */
  int integer;           /* 1: values must be whole numbers >= 1 */
  const char *summary;   /* one line for the help and docs/model.md */
} accq_model_vary_param_t;

int accq_model_vary_count(void);
const accq_model_vary_param_t *accq_model_vary_get(int i);
/* Checks that `param` names a variable of this model ("lambda" is an alias of
 * arrival_rate, "system.KEY" of KEY; type.NAME.FIELD needs the type); ACCQ_EUSAGE listing the valid
 * names otherwise.  key (size bytes) receives the accq_model_set key, may be NULL. */
int accq_model_vary_check(const accq_model_t *m, const char *param, char *key, int size,
                          accq_err_t *err);
/* Sets param = value on *m (accq_model_set, which re-resolves a load; values as
 * %.17g, whole-number parameters as %.0f).  On failure *m is unchanged:
 * ACCQ_EUSAGE unknown parameter or a value that is not a whole number >= 1 for
 * a whole-number one ("--vary PARAM: reason"), ACCQ_EMODEL a value the model
 * refuses (accq_model_set's "KEY=VALUE: reason"). */
int accq_model_vary_apply(accq_model_t *m, const char *param, double value, accq_err_t *err);

#endif
