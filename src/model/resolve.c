/* Resolving a load into an arrival rate, and the one "meets the target"
 * predicate (docs/policies.md, "Meeting the target").
 *
 * Lambda_max(a*) lives here, not in the LP module, so that a model is resolved
 * when it is loaded (the model module calls nothing above it); the LP module
 * calls accq_model_lambda_max_of for its slack capacities.
 */
#include <math.h>
#include <stddef.h>

#include "accq/model.h"

/* Types with a_k >= a* run at capacity and build the accuracy surplus
 * D = sum cap_k (a_k - a*); the others are added most accurate first (their
 * "weight" per unit rate is a* - a_k), each up to its capacity or until the
 * surplus is spent.  Cost O(K^2). */
double accq_model_lambda_max_of(int K, const double *cap, const double *acc, double a_star) {
  if (K < 1 || K > ACCQ_MAX_TYPES || !cap || !acc) return 0.0;
  double best = -1;
  for (int k = 0; k < K; k++)
    if (acc[k] > best) best = acc[k];
  if (a_star > best) return 0.0;
  double total = 0, surplus = 0;
  int low[ACCQ_MAX_TYPES], nl = 0;
  for (int k = 0; k < K; k++) {
    if (acc[k] >= a_star) {
      total += cap[k];
      surplus += cap[k] * (acc[k] - a_star);
    } else {
      low[nl++] = k;
    }
  }
  for (int i = 1; i < nl; i++) { /* most accurate first */
    int v = low[i], j = i - 1;
    while (j >= 0 && acc[low[j]] < acc[v]) {
      low[j + 1] = low[j];
      j--;
    }
    low[j + 1] = v;
  }
  for (int i = 0; i < nl && surplus > 0; i++) {
    int k = low[i];
    double need = a_star - acc[k]; /* > 0 */
    double x = surplus / need;
    if (x >= cap[k]) {
      x = cap[k];
      surplus -= x * need;
    } else {
      surplus = 0;
    }
    total += x;
  }
  return total;
}

double accq_model_lambda_max(const accq_model_t *m) {
  double cap[ACCQ_MAX_TYPES], acc[ACCQ_MAX_TYPES];
  if (!m || m->ntypes < 1 || m->ntypes > ACCQ_MAX_TYPES) return 0.0;
  for (int k = 0; k < m->ntypes; k++) {
    /* the LP module's capacity (1 - slack) n_k mu_k at slack 0, the same bits */
    cap[k] = (1 - 0.0) * m->types[k].servers * m->types[k].rate;
    acc[k] = m->types[k].accuracy;
  }
  return accq_model_lambda_max_of(m->ntypes, cap, acc, m->accuracy_target);
}

int accq_model_resolve(accq_model_t *m, accq_err_t *err) {
  if (!m) return accq_err_set(err, ACCQ_EINVAL, "model is NULL");
  if (m->lambda_mode != ACCQ_LAMBDA_LOAD) return ACCQ_SUCCESS;
  if (m->ntypes < 1 || m->ntypes > ACCQ_MAX_TYPES)
    return accq_err_set(err, ACCQ_EINVAL, "model needs 1..%d types (got %d)", ACCQ_MAX_TYPES,
                        m->ntypes);
  if (!(m->load > 0) || !isfinite(m->load))
    return accq_err_set(err, ACCQ_EINVAL, "load must be > 0 and finite (got %g)", m->load);
  int best = 0;
  for (int k = 1; k < m->ntypes; k++)
    if (m->types[k].accuracy > m->types[best].accuracy) best = k;
  if (m->accuracy_target > m->types[best].accuracy) {
    m->arrival_rate = NAN;
    return accq_err_set(err, ACCQ_EACCINFEAS,
                        "accuracy target a* = %.15g exceeds the best accuracy max a_k = %.15g "
                        "(type '%s'): no load can be resolved",
                        m->accuracy_target, m->types[best].accuracy, m->types[best].name);
  }
  m->arrival_rate = m->load * accq_model_lambda_max(m);
  return ACCQ_SUCCESS;
}

int accq_model_is_resolved(const accq_model_t *m) {
  return m && m->arrival_rate > 0 && isfinite(m->arrival_rate);
}

/* The tolerance is absolute and one-sided (docs/policies.md, "Meeting the
 * target"): an accuracy A computed from a chain or a simulation stands for a
 * true accuracy of at least A - ACCQ_ACCURACY_TOL. */
int accq_model_meets_target(const accq_model_t *m, double accuracy) {
  return m && accuracy >= m->accuracy_target - ACCQ_ACCURACY_TOL;
}

/* The LP bound is nondecreasing in the target, so the bound at the least true
 * accuracy the computed one allows, min(A - tol, a*), holds whatever the true
 * accuracy within the tolerance.  Only inside [a* - tol, a* + tol) does this
 * differ from a*: elsewhere the comparison is the plain one at a*. */
double accq_model_target_held(const accq_model_t *m, double accuracy) {
  if (!m) return NAN;
  if (isnan(accuracy)) return m->accuracy_target;
  double t = accuracy - ACCQ_ACCURACY_TOL;
  if (t > m->accuracy_target) t = m->accuracy_target;
  return t < 0 ? 0 : t;
}
