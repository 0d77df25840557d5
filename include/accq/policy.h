/* Dispatch policies of docs/policies.md, one dispatch function for the chain
 * engine and the simulator alike.
 *
 * A policy sees the per-type occupancy c[k][q] (how many type-k servers hold q
 * jobs) and returns a distribution over routes (type k, level q): the job goes
 * to a uniformly chosen type-k server holding q jobs.  A route with level
 * ACCQ_LEVEL_ANY means "a uniformly random server of type k, whatever its
 * level": the chain expands it to c[k][q]/n_k per level, the simulator draws a
 * server index directly (O(1) at any size).
 */
#ifndef ACCQ_POLICY_H
#define ACCQ_POLICY_H

#include "accq/lp.h"
#include "accq/model.h"

#define ACCQ_LEVEL_ANY (-1)

typedef enum {
  ACCQ_POLICY_RJIQ = 0,
  ACCQ_POLICY_POP,
  ACCQ_POLICY_RANDOM_LP,
  ACCQ_POLICY_ACCURATE_JIQ,
  ACCQ_POLICY_JIQ,
  ACCQ_POLICY_JFIQ,
  ACCQ_POLICY_JSQ,
  ACCQ_POLICY_SED,
  ACCQ_POLICY_POD,
  ACCQ_POLICY_TABLE,      /* a table indexed by lumped state (accq optimal) */
  ACCQ_POLICY_EXTERNAL,   /* a type added with accq_policy_register */
  ACCQ_POLICY_COUNT
} accq_policy_kind_t;

/* Occupancy seen by a policy.  count[k][q] for q = 0..top[k] (top[k] is the
 * highest level with a non-zero count, or higher); servers[k] = sum_q count[k][q]. */
typedef struct {
  int ntypes;
  const int *servers;          /* m n_k */
  const int *const *count;     /* count[k][q] */
  const int *top;
  int buffer;                  /* B, or 0 when infinite (simulator) */
} accq_occ_t;

typedef struct {
  int type;
  int level;                   /* q, or ACCQ_LEVEL_ANY */
  double prob;
} accq_route_t;

typedef struct {
  double slack;                /* R-JIQ slack e in [0,1) (default 0) */
  int d;                       /* pod:D sample size (default 2) */
  int finite_buffer;           /* the policy will run with a finite buffer B (default 0):
                                  an R-JIQ split that saturates a type is then accepted
                                  (the finite-buffer system is stable: it loses jobs);
                                  see accq_policy_saturated_type */
} accq_policy_options_t;

typedef struct accq_policy accq_policy_t;

void accq_policy_options_init(accq_policy_options_t *opt);

/* Builds a policy from its name ("rjiq", "pop", "random-lp", "accurate-jiq",
 * "jiq", "jfiq", "jsq", "sed", "pod" or "pod:D", "rjiq:E" for slack E) for a
 * model at its resolved arrival rate.  Policies that use the LP split (rjiq,
 * random-lp) solve the LP here; POP uses only the ordered pairs, never Lambda.
 * Errors: ACCQ_EUSAGE unknown name (message lists the valid ones),
 * ACCQ_EACCINFEAS / ACCQ_ECAPINFEAS when the LP has no solution,
 * ACCQ_EUNSTABLE when rjiq's split saturates a type (x_k = n_k mu_k within 1e-12
 * relative) unless opt->finite_buffer, ACCQ_EACCINFEAS for accurate-jiq with empty H.
 * The policy is read-only after alloc: share it across threads. */
int accq_policy_alloc(accq_policy_t **pol, const char *spec, const accq_model_t *m,
                      const accq_policy_options_t *opt, accq_err_t *err);
void accq_policy_free(accq_policy_t *pol);

const char *accq_policy_name(const accq_policy_t *pol);     /* canonical, e.g. "pod:2" */
accq_policy_kind_t accq_policy_kind(const accq_policy_t *pol);
/* Does the policy meet a* by construction (docs/policies.md table; its type's
 * meets_target, or the flag given to accq_policy_alloc_custom)? */
int accq_policy_meets_target(const accq_policy_t *pol);
/* Does the policy read Lambda? */
int accq_policy_knows_lambda(const accq_policy_t *pol);
/* The type's flags for a policy (0 for custom policies): accq_policy_type_t. */
int accq_policy_sheds(const accq_policy_t *pol);
int accq_policy_accurate_only(const accq_policy_t *pol);
/* Split p_k used by rjiq / random-lp (NULL for others). */
const double *accq_policy_split(const accq_policy_t *pol);

/* Can the rule ever send a job to type k?  0 for a type with a zero LP share
 * (rjiq, random-lp), a type below a* (accurate-jiq), a type in no pair with a
 * positive weight (pop); 1 otherwise (custom rules: 1).  A type that is never
 * chosen stays empty, so the chain gives it one state (accq_chain_build). */
int accq_policy_uses_type(const accq_policy_t *pol, int k);

/* For the policies with an LP split (rjiq, random-lp): the first type whose
 * share saturates it (x_k >= n_k mu_k (1 - 1e-12)), else -1.  Such a policy
 * is unstable with infinite buffers (every server of that type is critically
 * loaded); with a finite buffer it is a stable loss system. */
int accq_policy_saturated_type(const accq_policy_t *pol);

/* Upper bound on the routes dispatch can return for this occupancy. */
int accq_policy_max_routes(const accq_policy_t *pol, const accq_occ_t *occ);

/* The dispatch rule: writes at most `cap` routes with positive probabilities
 * summing to 1 (within rounding) and sets *nroutes.  ACCQ_ERANGE if cap is
 * too small.  Pure: no allocation, no randomness, thread-safe.
 * Cost O(ntypes * levels) (pop: O(pairs + ntypes * levels)). */
int accq_policy_dispatch(const accq_policy_t *pol, const accq_occ_t *occ,
                         accq_route_t *routes, int cap, int *nroutes);

/* A policy defined by the caller's dispatch function (kind ACCQ_POLICY_TABLE),
 * e.g. the table-driven optimal rule of accq optimal, or a deliberately broken
 * policy in tests.  `fn` must follow accq_policy_dispatch's contract; ctx is
 * borrowed (it must outlive the policy); max_routes bounds what fn returns;
 * meets_target says whether the policy claims to meet a*. */
typedef int (*accq_dispatch_fn)(const void *ctx, const accq_occ_t *occ, accq_route_t *routes,
                                int cap, int *nroutes);
int accq_policy_alloc_custom(accq_policy_t **pol, const char *name, const accq_model_t *m,
                             accq_dispatch_fn fn, const void *ctx, int max_routes,
                             int meets_target, accq_err_t *err);

/* rjiq:est=ewma:TAU (R-JIQ re-solving its LP split at an online estimate of
 * Lambda, in the simulator): the estimator's time constant TAU, 0 for every
 * other policy.  The policy is rjiq at the model's Lambda until re-split. */
double accq_policy_est_tau(const accq_policy_t *pol);
/* A private copy (for per-replication state such as rjiq:est's split); a policy
 * with a registered type's private state is refused (ACCQ_EINVAL). */
int accq_policy_clone(const accq_policy_t *src, accq_policy_t **dst, accq_err_t *err);
/* Re-solves the LP split of rjiq / random-lp at arrival rate `lambda` (per
 * unit scale) of model m, in place; beyond Lambda_max(a*) the split at
 * Lambda_max(a*) (*clamped = 1).  A saturating split is accepted (the
 * simulator judges stability).  Errors as accq_policy_alloc's LP errors. */
int accq_policy_resplit(accq_policy_t *pol, const accq_model_t *m, double lambda, int *clamped,
                        accq_err_t *err);

/* ---- the policy registry ------------------------------------------------------
 *
 * Every policy is a type object (as GSL's gsl_rng_type): a name, flags that the
 * consumers read (verify's claims, optimal's comparison class, the simulator's
 * stability check, the chain's size count, the help and docs/policies.md), and
 * the ops of its rule.  The built-in types are one file each in src/policy/ plus
 * one row in src/policy/registry.c; a caller may add its own type with
 * accq_policy_register (tests/policy/test_registry.c does).  Adding a policy =
 * one file + one table row: nothing else keeps a list of policies.
 */
typedef struct accq_policy_type accq_policy_type_t;

struct accq_policy_type {
  const char *name;           /* base name as typed: "pod" (letters, digits, '-') */
  const char *arg;            /* name of the argument after ':' ("D" for pod:D, "E" for
                                 rjiq:E), NULL when the policy takes none */
  const char *default_spec;   /* the instance listed by `--policy all` and verify ("pod:2");
                                 NULL: the name */
  const char *summary;        /* one line for the help and docs/policies.md (non-empty) */
  int knows_lambda;           /* the rule reads the arrival rate Lambda */
  int meets_target;           /* meets a* by construction (docs/policies.md) */
  int sheds;                  /* may lose a job at a full server while another server has
                                 room (finite B); 0: loses a job only when all are full */
  int accurate_only;          /* sends jobs only to types with a_k >= a* (its usable
                                 capacity is theirs) */
  int count_exact;            /* every composition of a used type is reachable from the
                                 empty system (the chain's product count is exact) */
  int product_form;           /* the type is drawn independently of the state (an LP
                                 split): the system is a product of independent per-type
                                 systems, solved type by type (rjiq, random-lp; the
                                 per-type solver knows their rules only, so
                                 accq_policy_register refuses it) */
  /* Fills the private state of a new policy (accq_policy_set_data) from the model
   * at its resolved arrival rate and the options; has_arg / arg: the number after
   * ':' (only when `arg` above is not NULL).  Messages name the spec. */
  int (*init)(accq_policy_t *pol, const char *spec, const accq_model_t *m,
              const accq_policy_options_t *opt, int has_arg, double arg, accq_err_t *err);
  /* Frees the private state (NULL: nothing to free). */
  void (*fini)(accq_policy_t *pol);
  /* The rule: accq_policy_dispatch's contract. */
  int (*dispatch)(const accq_policy_t *pol, const accq_occ_t *occ, accq_route_t *routes,
                  int cap, int *nroutes);
  /* Upper bound on the routes dispatch returns for this occupancy. */
  int (*max_routes)(const accq_policy_t *pol, const accq_occ_t *occ);
  /* Can the rule ever send a job to type k (accq_policy_uses_type)? */
  int (*uses_type)(const accq_policy_t *pol, int k);
};

/* Number of registered types (built-in first, in docs/policies.md order). */
int accq_policy_type_count(void);
/* The i-th type, NULL when i is out of range. */
const accq_policy_type_t *accq_policy_type_get(int i);
/* The type of a base name or a spec ("pod", "pod:3"), NULL when unknown. */
const accq_policy_type_t *accq_policy_type_find(const char *spec);
/* The type of a policy (NULL for accq_policy_alloc_custom policies). */
const accq_policy_type_t *accq_policy_type(const accq_policy_t *pol);
/* Checks that a type has everything a consumer needs: a valid name, a
 * non-empty summary, init, dispatch, max_routes and uses_type; ACCQ_EINVAL
 * naming the missing field otherwise. */
int accq_policy_type_check(const accq_policy_type_t *type, accq_err_t *err);
/* Adds a type (checked as above; its name must be new).  The registry keeps the
 * pointer: *type must outlive every use.  Not thread-safe: register before any
 * policy is allocated in another thread.  ACCQ_EINVAL (bad or duplicate entry),
 * ACCQ_ERANGE (more than ACCQ_POLICY_MAX_TYPES). */
#define ACCQ_POLICY_MAX_TYPES 64
int accq_policy_register(const accq_policy_type_t *type, accq_err_t *err);

/* The private state of a policy, for the ops of its type. */
void accq_policy_set_data(accq_policy_t *pol, void *data);
void *accq_policy_data(const accq_policy_t *pol);
/* The model's data as the policy saw them at alloc: number of types, mu_k, a_k, a*. */
int accq_policy_ntypes(const accq_policy_t *pol);
double accq_policy_rate(const accq_policy_t *pol, int k);
double accq_policy_accuracy(const accq_policy_t *pol, int k);
double accq_policy_target(const accq_policy_t *pol);

/* Writes "rjiq, pop, ..., pod:D, rjiq:E"-style listing of the registered base
 * names (with their argument forms) into buf; snprintf-like return. */
int accq_policy_type_list(char *buf, int size);

/* The registry as text (snprintf-like: returns the whole length, writes at most
 * size-1 characters and a NUL; buf may be NULL when size is 0).  markdown = 0:
 * one line per type, "NAME[:ARG]  flags  summary", for `accq policies`;
 * markdown = 1: the table of docs/policies.md (header, separator, one row per
 * type: name, rule, reads Lambda, meets a* by construction, may lose a job while
 * another server has room), which tests/docs checks against the file. */
int accq_policy_type_table(char *buf, int size, int markdown);

/* The default specs of the registered types, in order ("rjiq", ..., "pod:2"):
 * what `--policy all` and verify run.  Valid until the next registration. */
const char *const *accq_policy_type_specs(void);
/* The base names, in order. */
const char *const *accq_policy_type_names(void);

/* The list of policy names for messages and `--policy all`: derived from the
 * registry (kept for the callers of the former arrays). */
#define accq_policy_names (accq_policy_type_names())
#define accq_policy_nnames (accq_policy_type_count())

#endif
