/* The analysis driver: model -> chain -> pi -> measures, with `buffer = auto`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/lp.h"
#include "accq/measures.h"
#include "measures/measures_internal.h"

void accq_analysis_options_init(accq_analysis_options_t *opt) {
  memset(opt, 0, sizeof *opt);
  accq_chain_options_init(&opt->chain);
  accq_stationary_options_init(&opt->solver);
  opt->buffer = 0;
  opt->auto_mass = 1e-9;
  opt->auto_rel = 1e-9;
  opt->auto_max_buffer = 200;
  opt->explicit_chain = 0;
  opt->keep_chain = 0;
}

void accq_analysis_release(accq_analysis_t *a) {
  if (!a) return;
  accq_chain_free(a->chain);
  free(a->pi);
  a->chain = NULL;
  a->pi = NULL;
}

/* One chain at buffer B: build, solve, measure.  On success or ENOCONV the
 * chain and pi are handed to the caller (*chain_out, *pi_out), who frees them. */
static int run_once(const accq_model_t *m, const accq_policy_t *pol,
                    const accq_analysis_options_t *opt, int B, accq_analysis_t *out,
                    accq_chain_t **chain_out, double **pi_out, accq_err_t *err) {
  accq_chain_t *c = NULL;
  double *pi = NULL;
  int st = opt->explicit_chain ? accq_chain_build_explicit(&c, m, pol, B, &opt->chain, err)
                               : accq_chain_build(&c, m, pol, B, &opt->chain, err);
  if (st) return st;
  pi = malloc(sizeof *pi * (size_t)(c->nstates > 0 ? c->nstates : 1));
  if (!pi) {
    st = accq_err_set(err, ACCQ_ENOMEM, "cannot allocate pi (%lld states)",
                      (long long)c->nstates);
    goto fail;
  }
  memset(&out->solver, 0, sizeof out->solver);
  int solve_st = accq_stationary_solve(&c->Q, &opt->solver, pi, &out->solver, err);
  if (solve_st && solve_st != ACCQ_ENOCONV) {
    st = solve_st;
    goto fail;
  }
  /* Measures also from a non-converged pi: the best estimate, reported with
   * its residual (the solve's status wins). */
  accq_err_t merr;
  accq_err_clear(&merr);
  int meas_st = accq_measures_compute(c, pol, pi, &out->m, &merr);
  if (meas_st && meas_st != ACCQ_ENOCONV) {
    if (err) *err = merr;
    st = meas_st;
    goto fail;
  }
  if (!solve_st && meas_st && err) *err = merr;
  out->buffer = B;
  out->states = c->nstates;
  out->transitions = c->Q.nnz;
  out->product_states = c->product_states;
  *chain_out = c;
  *pi_out = pi;
  return solve_st ? solve_st : meas_st;
fail:
  accq_chain_free(c);
  free(pi);
  return st;
}

/* Next buffer for `auto`.  For a stable chain the boundary mass decays
 * geometrically in B (mass(B) ~ C r^B) once B is past the bulk of the queue
 * lengths, so two masses give r and the B that reaches a tenth of the target;
 * jumping there directly saves the intermediate (largest) chains.  While the
 * estimate is unreliable (first steps, mass still large) growth is at most
 * fourfold.  Once the mass is below the target, only the E[T] change is
 * missing: a small step B + B/16 confirms it (the states grow ~ B^(servers),
 * so this step is the cheapest honest look at the E[T] change). */
static int next_buffer(int B, double mass, int Bprev, double mass_prev, double target,
                       double *predicted) {
  *predicted = NAN;
  if (mass <= target) return B + (B >= 16 ? B / 16 : 1);
  int lo = B + (B >= 4 ? B / 4 : 1), hi = 4 * B;
  const int reliable = (mass < 0.05 && mass_prev < 0.5) || B >= 32;
  if (Bprev > 0 && mass_prev > 0 && mass > 0 && mass < mass_prev) {
    double r = pow(mass / mass_prev, 1.0 / (B - Bprev));
    double steps = log(0.1 * target / mass) / log(r);
    if (isfinite(steps) && steps > 0) {
      double want = B + ceil(steps);
      if (reliable) *predicted = want;
      if (mass < 0.05 && mass_prev < 0.5) hi = 16 * B; /* geometric regime: trust it */
      if (want < lo) return lo;
      if (want > hi) return hi;
      return (int)want;
    }
  } else if (Bprev > 0 && reliable) {
    *predicted = INFINITY; /* the mass does not decrease: no B will do */
  }
  return 2 * B;
}

static void format_change(char *buf, size_t size, double change) {
  if (isfinite(change))
    snprintf(buf, size, "%.3g", change);
  else
    snprintf(buf, size, "unknown (one B only)");
}

int accq_analyze(const accq_model_t *m, const accq_policy_t *pol,
                 const accq_analysis_options_t *opt_in, accq_analysis_t *out,
                 accq_err_t *err) {
  accq_analysis_options_t defaults;
  if (!opt_in) {
    accq_analysis_options_init(&defaults);
    opt_in = &defaults;
  }
  const accq_analysis_options_t *opt = opt_in;
  memset(out, 0, sizeof *out);
  out->auto_change = NAN;
  accq_model_t mm = *m;
  int st = accq_lp_model_resolve(&mm, err);
  if (st) return st;
  accq_chain_t *c = NULL;
  double *pi = NULL;
  int B = opt->buffer > 0 ? opt->buffer : mm.buffer;
  if (B > 0) {
    /* A given buffer: one chain. */
    out->auto_converged = 1;
    out->auto_steps = 1;
    st = run_once(&mm, pol, opt, B, out, &c, &pi, err);
    if (st && st != ACCQ_ENOCONV) return st;
    if (out->m.boundary_mass > opt->auto_mass)
      snprintf(out->warning, sizeof out->warning,
               "boundary mass %.3g at B=%d: the truncation may bias the measures", out->m.boundary_mass,
               B);
    goto done;
  }

  /* buffer = auto. */
  const int Bmax = opt->auto_max_buffer > 0 ? opt->auto_max_buffer : 200;
  B = Bmax < 4 ? Bmax : 4;
  int Bprev = 0, have = 0;
  double mass_prev = NAN, et_prev = NAN;
  accq_analysis_t trial;
  for (;;) {
    accq_chain_t *tc = NULL;
    double *tpi = NULL;
    accq_err_t terr;
    accq_err_clear(&terr);
    memset(&trial, 0, sizeof trial);
    int ts = run_once(&mm, pol, opt, B, &trial, &tc, &tpi, &terr);
    if (ts == ACCQ_ETOOBIG && have) {
      char shown[32];
      format_change(shown, sizeof shown, out->auto_change);
      snprintf(out->warning, sizeof out->warning,
               "buffer=auto stopped at B=%d (B=%d is over the state limit): boundary mass "
               "%.3g, last relative change of E[T] %s",
               out->buffer, B, out->m.boundary_mass, shown);
      break;
    }
    if (ts && ts != ACCQ_ENOCONV) {
      if (err) *err = terr;
      accq_chain_free(c);
      free(pi);
      return ts;
    }
    /* accept this B as the current best */
    accq_chain_free(c);
    free(pi);
    c = tc;
    pi = tpi;
    double change = fabs(trial.m.mean_response_time - et_prev) / trial.m.mean_response_time;
    int steps = out->auto_steps + 1;
    *out = trial;
    out->auto_steps = steps;
    out->auto_change = have ? change : NAN;
    have = 1;
    if (ts == ACCQ_ENOCONV) {
      if (err) *err = terr;
      snprintf(out->warning, sizeof out->warning,
               "buffer=auto stopped at B=%d: the stationary solve did not converge (residual %.3g)",
               B, out->solver.residual);
      st = ts;
      break;
    }
    if (out->m.boundary_mass <= opt->auto_mass && out->auto_change <= opt->auto_rel) {
      out->auto_converged = 1;
      break;
    }
    if (B >= Bmax) {
      char shown[32];
      format_change(shown, sizeof shown, out->auto_change);
      snprintf(out->warning, sizeof out->warning,
               "buffer=auto stopped at B=%d (the largest allowed): boundary mass %.3g, last "
               "relative change of E[T] %s",
               B, out->m.boundary_mass, shown);
      break;
    }
    double predicted;
    int nb = next_buffer(B, out->m.boundary_mass, Bprev, mass_prev, opt->auto_mass, &predicted);
    if (predicted > Bmax) {
      /* The target is out of reach within the largest B allowed (an unstable
       * policy, or a load very close to capacity).  Computing at Bmax still
       * improves the estimate; do it when that chain is cheap (<= 1e6
       * product states), otherwise stop here and say so. */
      double count = INFINITY;
      if (!opt->explicit_chain && B < Bmax &&
          accq_space_count(mm.ntypes, c->servers, Bmax, &count, NULL) == ACCQ_SUCCESS &&
          count <= 1e6) {
        Bprev = B;
        mass_prev = out->m.boundary_mass;
        et_prev = out->m.mean_response_time;
        B = Bmax;
        continue;
      }
      snprintf(out->warning, sizeof out->warning,
               "buffer=auto stopped at B=%d: boundary mass %.3g decays too slowly; the target "
               "%.3g needs B ~ %.0f > %d (the largest allowed, --max-buffer): the policy may be "
               "unstable at this load",
               B, out->m.boundary_mass, opt->auto_mass, isfinite(predicted) ? predicted : 1e9,
               Bmax);
      break;
    }
    Bprev = B;
    mass_prev = out->m.boundary_mass;
    et_prev = out->m.mean_response_time;
    B = nb < Bmax ? nb : Bmax;
  }
done:
  if (opt->keep_chain) {
    out->chain = c;
    out->pi = pi;
  } else {
    accq_chain_free(c);
    free(pi);
  }
  return st;
}
