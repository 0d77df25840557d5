/* Internals of the policy module: the policy object and the helpers the
 * built-in rules share (one file per policy in src/policy/, one row each in
 * registry.c). */
#ifndef ACCQ_POLICY_INTERNAL_H
#define ACCQ_POLICY_INTERNAL_H

#include "accq/policy.h"

/* Scores that differ by at most this, relative, are ties (docs/policies.md). */
#define ACCQ_TIE_REL 1e-12

struct accq_policy {
  const accq_policy_type_t *type;  /* NULL for accq_policy_alloc_custom */
  accq_policy_kind_t kind;
  char name[48];
  int ntypes;
  double mu[ACCQ_MAX_TYPES];
  double acc[ACCQ_MAX_TYPES];
  double a_star;
  int in_h[ACCQ_MAX_TYPES];      /* a_k >= a* */
  int has_split;
  double split[ACCQ_MAX_TYPES];  /* p_k (rjiq, random-lp) */
  double slack;
  int saturated;                 /* first type the split saturates, or -1 */
  int d;                         /* pod sample size */
  int npairs;
  accq_pair_t pairs[ACCQ_MAX_PAIRS];   /* pop, priority order */
  void *data;                    /* private state of a registered type */
  /* ACCQ_POLICY_TABLE: the caller's rule */
  accq_dispatch_fn custom_fn;
  const void *custom_ctx;
  int custom_max_routes;
  int custom_meets;
};

/* The built-in types, one per file. */
extern const accq_policy_type_t accq_i_policy_rjiq, accq_i_policy_pop, accq_i_policy_random_lp,
    accq_i_policy_accurate_jiq, accq_i_policy_jiq, accq_i_policy_jfiq, accq_i_policy_jsq,
    accq_i_policy_sed, accq_i_policy_pod;

/* The kind of a type: its built-in kind, ACCQ_POLICY_EXTERNAL for registered ones. */
accq_policy_kind_t accq_i_policy_type_kind(const accq_policy_type_t *type);

/* Routes being written by a rule. */
typedef struct {
  accq_route_t *r;
  int cap, n;
} accq_i_route_buf_t;

int accq_i_policy_emit(accq_i_route_buf_t *b, int type, int level, double prob);
int accq_i_policy_score_less(double a, double b);
int accq_i_policy_qmin(const accq_occ_t *occ, int k);
/* JIQ over the types with mask[k] != 0 (all types when mask is NULL). */
int accq_i_policy_rule_jiq(const accq_occ_t *occ, const int *mask, accq_i_route_buf_t *b);
int accq_i_policy_rule_sed(const accq_policy_t *p, const accq_occ_t *occ, accq_i_route_buf_t *b);
/* The LP split at the model's arrival rate (rjiq, random-lp). */
int accq_i_policy_lp_split(accq_policy_t *p, const accq_model_t *m, double slack,
                           int finite_buffer, int refuse_saturation, accq_err_t *err);
/* rjiq / random-lp: route to each type with its split share. */
int accq_i_policy_rule_split(const accq_policy_t *p, const accq_occ_t *occ, int join_idle,
                             accq_i_route_buf_t *b);
/* Defaults of the ops. */
int accq_i_policy_routes_default(const accq_policy_t *p, const accq_occ_t *occ);
int accq_i_policy_uses_all(const accq_policy_t *p, int k);
int accq_i_policy_uses_split(const accq_policy_t *p, int k);

#endif
