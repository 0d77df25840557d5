/* Helpers shared by the measures suites (header-only, included by each test). */
#ifndef ACCQ_TEST_MEASURES_COMMON_H
#define ACCQ_TEST_MEASURES_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/accq.h"
#include "testutil.h"

static inline void mt_model(accq_model_t *m, const char *text) {
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_model_parse_string(m, text, "<test>", NULL, 0, &err);
  ck_assert_msg(st == 0, "model: %s", err.msg);
}

static inline accq_policy_t *mt_policy(const accq_model_t *m, const char *name) {
  accq_policy_t *pol = NULL;
  accq_policy_options_t po;
  accq_policy_options_init(&po);
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_policy_alloc(&pol, name, m, &po, &err);
  ck_assert_msg(st == 0, "policy %s: %s", name, err.msg);
  return pol;
}

/* Chain + pi of a policy at buffer B (lumped or explicit), solved by `solver`
 * to residual `tol` (docs/chains.md's criterion).  The default 1e-12 leaves errors of a
 * few 1e-10 in E[T] on chains of ~1e3 states (measured: power 2.5e-10,
 * Gauss-Seidel 5e-11), so tests that compare to 1e-10 ask for 1e-14. */
typedef struct {
  accq_chain_t *c;
  double *pi;
  accq_stationary_stats_t stats;
} mt_solved_t;

static inline mt_solved_t mt_solve(const accq_model_t *m, const accq_policy_t *pol, int B,
                                   int explicit_chain, accq_solver_kind_t solver,
                                   double tol) {
  mt_solved_t s = {0};
  accq_chain_options_t co;
  accq_chain_options_init(&co);
  accq_err_t err;
  accq_err_clear(&err);
  int st = explicit_chain ? accq_chain_build_explicit(&s.c, m, pol, B, &co, &err)
                          : accq_chain_build(&s.c, m, pol, B, &co, &err);
  ck_assert_msg(st == 0, "chain (%s, B=%d): %s", accq_policy_name(pol), B, err.msg);
  s.pi = malloc(sizeof(double) * (size_t)s.c->nstates);
  accq_stationary_options_t so;
  accq_stationary_options_init(&so);
  so.solver = solver;
  so.tol = tol;
  st = accq_stationary_solve(&s.c->Q, &so, s.pi, &s.stats, &err);
  ck_assert_msg(st == 0, "solve (%s, %s): %s", accq_policy_name(pol), accq_solver_name(solver),
                err.msg);
  return s;
}

static inline void mt_free(mt_solved_t *s) {
  accq_chain_free(s->c);
  free(s->pi);
}

static inline accq_measures_t mt_measures(const mt_solved_t *s, const accq_policy_t *pol) {
  accq_measures_t ms;
  accq_err_t err;
  accq_err_clear(&err);
  int st = accq_measures_compute(s->c, pol, s->pi, &ms, &err);
  ck_assert_msg(st == 0, "measures (%s): %s", accq_policy_name(pol), err.msg);
  return ms;
}

/* One-shot: measures of `name` on model text at buffer B (lumped, auto solver). */
static inline accq_measures_t mt_run(const char *text, const char *name, int B) {
  accq_model_t m;
  mt_model(&m, text);
  accq_policy_t *pol = mt_policy(&m, name);
  mt_solved_t s = mt_solve(&m, pol, B, 0, ACCQ_SOLVER_AUTO, 1e-14);
  accq_measures_t ms = mt_measures(&s, pol);
  mt_free(&s);
  accq_policy_free(pol);
  return ms;
}

#endif
