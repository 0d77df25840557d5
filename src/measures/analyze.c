/* The analysis driver: model -> chain -> pi -> measures, with `buffer = auto`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accq/clock.h"
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
  opt->auto_max_buffer = 0;
  opt->explicit_chain = 0;
  opt->keep_chain = 0;
  opt->product_form = 1;
}

const char *accq_analysis_verdict_name(accq_analysis_verdict_t v) {
  switch (v) {
  case ACCQ_ANALYSIS_CONVERGED:
    return "converged";
  case ACCQ_ANALYSIS_FINITE_BUFFER:
    return "finite-buffer";
  case ACCQ_ANALYSIS_TRUNCATED:
    return "truncated";
  case ACCQ_ANALYSIS_NOT_CONVERGED:
    return "not-converged";
  case ACCQ_ANALYSIS_REFUSED:
    return "refused";
  }
  return "refused";
}

const char *accq_analysis_status_word(int status, accq_analysis_verdict_t v) {
  switch (status) {
  case ACCQ_SUCCESS:
    return "ok";
  case ACCQ_ETOOBIG:
    return "too_large";
  case ACCQ_ENOCONV:
    return v == ACCQ_ANALYSIS_TRUNCATED ? "truncated" : "not_converged";
  case ACCQ_EUNSTABLE:
    return "unstable";
  case ACCQ_EACCINFEAS:
  case ACCQ_ECAPINFEAS:
    return "infeasible";
  case ACCQ_ENOMEM:
    return "out_of_memory";
  case ACCQ_EINTR:
    return "interrupted";
  default:
    return "error";
  }
}

void accq_analysis_release(accq_analysis_t *a) {
  if (!a) return;
  accq_chain_free(a->chain);
  free(a->pi);
  a->chain = NULL;
  a->pi = NULL;
}

#define GIB (1024.0 * 1024.0 * 1024.0)

/* Does the chain at buffer B fit the limits?  The size is the reachable
 * count (accq_chain_size_reachable: exact, counted up to --max-states, or the
 * product bound when the count itself would not fit in memory), so it is the
 * size the build will need; *states, *bytes and *exact (1 exact, -1 "more
 * than *states - 1", 0 an upper bound) are filled for messages. */
static int chain_fits_ex(const accq_model_t *mm, const accq_policy_t *pol,
                         const accq_analysis_options_t *opt, int B, double *states,
                         double *bytes, int *exact) {
  double st = INFINITY, by = INFINITY;
  int ex = 0;
  if (opt->explicit_chain) {
    double n = 0;
    for (int k = 0; k < mm->ntypes; k++) n += (double)mm->scale * mm->types[k].servers;
    int K = 1; /* MMPP: K phases per server configuration (docs/chains.md) */
    if (mm->arrivals.kind != ACCQ_ARRIVALS_POISSON &&
        accq_chain_phases(mm, &K, NULL, NULL, NULL, NULL))
      K = 1;
    st = pow(B + 1.0, n) * K;
    by = st * 100.0;
  } else if (accq_chain_size_reachable(mm, pol, B, &opt->chain, &st, &by, &ex, NULL) !=
             ACCQ_SUCCESS) {
    st = by = INFINITY;
    ex = 0;
  }
  if (states) *states = st;
  if (bytes) *bytes = by;
  if (exact) *exact = ex;
  double max_bytes = opt->chain.max_bytes > 0 ? opt->chain.max_bytes : accq_chain_max_bytes_default();
  return st <= (double)opt->chain.max_states && by <= max_bytes && st < 2147483647.0;
}

static int chain_fits(const accq_model_t *mm, const accq_policy_t *pol,
                      const accq_analysis_options_t *opt, int B, double *states,
                      double *bytes) {
  return chain_fits_ex(mm, pol, opt, B, states, bytes, NULL);
}

/* The largest B in (lo, hi] whose chain fits, or lo when none does (sizes
 * grow with B, so bisection). */
static int largest_fit(const accq_model_t *mm, const accq_policy_t *pol,
                       const accq_analysis_options_t *opt, int lo, int hi) {
  while (lo < hi) {
    int mid = lo + (hi - lo + 1) / 2;
    if (chain_fits(mm, pol, opt, mid, NULL, NULL))
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

/* One chain at buffer B: build, solve, measure.  On success or ENOCONV the
 * chain and pi are handed to the caller (*chain_out, *pi_out), who frees them. */
int accq_i_solve_tight(const accq_generator_t *Q, const accq_stationary_options_t *opt,
                       double tight, double *pi, accq_stationary_stats_t *stats,
                       accq_err_t *err) {
  if (!(tight > 0) || !(tight < opt->tol)) return accq_stationary_solve(Q, opt, pi, stats, err);
  accq_stationary_options_t o = *opt;
  o.tol = tight;
  accq_err_t e;
  accq_err_clear(&e);
  int st = accq_stationary_solve(Q, &o, pi, stats, &e);
  if (st == ACCQ_ENOCONV && stats->residual <= opt->tol) {
    stats->converged = 1;
    return ACCQ_SUCCESS;
  }
  if (st && err) *err = e;
  return st;
}

/* buffer = auto's line for opt->progress after the chain at B (status ts). */
static void step_progress(const accq_analysis_options_t *opt, int B, int ts,
                          const accq_analysis_t *trial, const accq_err_t *terr, double t_step) {
  if (!opt->progress) return;
  char line[300];
  if (ts && ts != ACCQ_ENOCONV)
    snprintf(line, sizeof line, "B=%d: no answer (%.200s)", B, terr->msg);
  else
    snprintf(line, sizeof line, "B=%d: %lld states, boundary mass %.3g, E[T] %.10g, residual "
             "%.2g%s (%.3g s)", B, (long long)trial->states, trial->m.boundary_mass,
             trial->m.mean_response_time, trial->solver.residual, ts ? " (not converged)" : "",
             accq_clock_now() - t_step);
  opt->progress(opt->progress_ctx, line);
}

/* Relative tolerance of flow balance (X_k = mu_k E[busy_k]), an identity of
 * the exact pi: measured ~1e-15 on well-conditioned chains.  (Little's law
 * against the tail integral is not used here: on stiff chains its error is the
 * quadrature's, not pi's; it stays a printed diagnostic.) */
#define ACCQ_IDENTITY_TOL 1e-9

static int identities_hold(const accq_measures_t *mm) {
  return mm->flow_balance_error <= ACCQ_IDENTITY_TOL;
}

static int run_once(const accq_model_t *m, const accq_policy_t *pol,
                    const accq_analysis_options_t *opt, int B, double tight,
                    accq_analysis_t *out, accq_chain_t **chain_out, double **pi_out,
                    accq_err_t *err) {
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
  int solve_st = accq_i_solve_tight(&c->Q, &opt->solver, tight, pi, &out->solver, err);
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
  /* A small residual is not a small error on a stiff chain (rates 1e6 apart):
   * flow balance is an identity of the exact pi, so an error above
   * ACCQ_IDENTITY_TOL means pi is not accurate enough for the measures to be
   * stated to that accuracy.  One
   * retry with a more robust solve (dense LU when it fits, else a residual of
   * 1e-15); if the identities still fail, the result is not converged. */
  if (!solve_st && !meas_st && !identities_hold(&out->m)) {
    accq_stationary_options_t o2 = opt->solver;
    if (c->nstates <= 8000) o2.solver = ACCQ_SOLVER_DENSE;
    accq_err_t e2;
    accq_err_clear(&e2);
    int st2 = accq_i_solve_tight(&c->Q, &o2, o2.solver == ACCQ_SOLVER_DENSE ? 0 : 1e-15, pi,
                                 &out->solver, &e2);
    if (!st2) meas_st = accq_measures_compute(c, pol, pi, &out->m, &merr);
    if (st2 || meas_st || !identities_hold(&out->m)) {
      solve_st = ACCQ_ENOCONV;
      accq_err_set(err, ACCQ_ENOCONV,
                   "the stationary solve (%s) reached residual %.3g but flow balance, an "
                   "identity of the exact pi, is off by %.3g (tolerance %g): the chain is too "
                   "ill-conditioned for the measures to be verified to that accuracy",
                   out->solver.name, out->solver.residual, out->m.flow_balance_error,
                   ACCQ_IDENTITY_TOL);
    }
  }
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

int accq_i_auto_next(int B, int Bprev, double mass, double mass_prev, double target) {
  /* below the target only the E[T] change is missing: a small step (the
   * change over it is of the order of the mass already reached) */
  if (mass <= target) return B + (B >= 32 ? B / 16 : 2);
  int hi = (int)ceil(1.4 * B);
  if (hi < B + 1) hi = B + 1;
  if (Bprev > 0 && Bprev < B && mass_prev < 0.05 && mass < 0.05 && mass > 0 && mass < mass_prev) {
    double r = pow(mass / mass_prev, 1.0 / (B - Bprev));
    double want = B + ceil(log(0.5 * target / mass) / log(r));
    if (isfinite(want) && want < hi) hi = want > B + 1 ? (int)want : B + 1;
  }
  return hi;
}

static void format_change(char *buf, size_t size, double change) {
  if (isfinite(change))
    snprintf(buf, size, "%.3g", change);
  else
    snprintf(buf, size, "unknown (one B only)");
}

/* Fills status, verdict and reason of the result from the outcome. */
static int conclude(accq_analysis_t *out, int st, accq_err_t *lerr, int strict,
                    accq_err_t *err) {
  out->status = st;
  if (st == ACCQ_SUCCESS) {
    out->reason[0] = '\0';
    return st;
  }
  if (st != ACCQ_ENOCONV) out->verdict = ACCQ_ANALYSIS_REFUSED;
  snprintf(out->reason, sizeof out->reason, "%s", lerr->msg);
  /* compatible mode: a truncated auto result is returned as before (0), the
   * result's status/verdict/reason carry the truth */
  if (!strict && st == ACCQ_ENOCONV && out->verdict == ACCQ_ANALYSIS_TRUNCATED) return 0;
  if (err) *err = *lerr;
  return st;
}

/* The infinite-buffer question has no answer when the LP split loads a type
 * to exactly its capacity: every server of that type is a critically loaded
 * queue (a finite buffer makes it a stable loss system).  With buffer = auto
 * (B <= 0) and such a split, `unstable` gets the reason; strict mode: returns 1
 * (refuse now); compatible mode: the walk is computed as before, bounded to
 * B <= 200 (*opt may then point to `capped`), and the result says unstable. */
static int saturated_check(const accq_model_t *mm, const accq_policy_t *pol, int B,
                           const accq_analysis_options_t **opt, accq_analysis_options_t *capped,
                           accq_err_t *unstable) {
  accq_err_clear(unstable);
  if (B > 0) return 0;
  int sat = accq_policy_saturated_type(pol);
  if (sat < 0) return 0;
  accq_err_set(unstable, ACCQ_EUNSTABLE,
               "policy '%s': the LP split sends type '%s' its full capacity "
               "(load 1 on every server of that type): with infinite buffers the "
               "system is unstable at every size.  Use a slack (rjiq:0.05) or an "
               "explicit --buffer B for the finite-buffer (loss) system",
               accq_policy_name(pol), mm->types[sat].name);
  if ((*opt)->strict_auto) return 1;
  if ((*opt)->auto_max_buffer <= 0 || (*opt)->auto_max_buffer > 200) {
    *capped = **opt;
    capped->auto_max_buffer = 200;
    *opt = capped;
  }
  return 0;
}

/* buffer = auto: the next B (*nb) does not fit (need: its states and bytes,
 * need_exact as chain_fits_ex says).  Explains why in `why`
 * and returns 1 (stop) when no larger B fits or when the boundary mass, in its
 * geometric regime (two masses below 0.05), predicts that the targets need a B
 * far beyond the largest that fits (the answer would be refused anyway);
 * otherwise sets *nb to that largest B for a last try and returns 0. */
static int auto_last_try(const accq_model_t *mm, const accq_policy_t *pol,
                         const accq_analysis_options_t *opt, int B, int Bprev, double mass,
                         double mass_prev, const double need[2], int need_exact, int *nb,
                         char *why, size_t whysize) {
  const double need_states = need[0], need_bytes = need[1];
  int fit = largest_fit(mm, pol, opt, B, *nb);
  double max_bytes = opt->chain.max_bytes > 0 ? opt->chain.max_bytes : accq_chain_max_bytes_default();
  snprintf(why, whysize,
           "B=%d would need %s%.4g states%s, %.3g GiB%s (limits: %.4g states, "
           "--max-states; %.3g GiB of memory)",
           *nb, need_exact < 0 ? "more than " : need_exact ? "" : "at most ",
           need_exact < 0 ? need_states - 1 : need_states,
           need_exact > 0 ? " (exact count of the reachable states)"
           : need_exact < 0 ? " (reachable, counting stopped there)"
                            : " (upper bound: product of the per-type counts)",
           need_bytes / GIB, need_exact < 0 ? " at least" : "",
           (double)opt->chain.max_states, max_bytes / GIB);
  if (fit <= B) return 1;
  double predicted = NAN;
  if (Bprev > 0 && mass_prev < 0.05 && mass < 0.05 && mass > 0) {
    if (mass < mass_prev) {
      double r = pow(mass / mass_prev, 1.0 / (B - Bprev));
      predicted = B + log(opt->auto_mass / mass) / log(r);
    } else {
      predicted = INFINITY; /* the mass does not decay: no B will do */
    }
  }
  if (predicted > 2.0 * fit) {
    size_t len = strlen(why);
    snprintf(why + len, whysize - len,
             "; the boundary mass decays too slowly for the largest B that fits (%d): "
             "the targets need B ~ %.3g",
             fit, isfinite(predicted) ? predicted : INFINITY);
    return 1;
  }
  *nb = fit;
  return 0;
}

/* buffer = auto did not reach its targets: the refusal (status and message
 * in lerr) and the warning. */
static int auto_refusal(accq_analysis_t *out, const accq_policy_t *pol,
                        const accq_analysis_options_t *opt, const char *why, accq_err_t *lerr) {
  char shown[32];
  format_change(shown, sizeof shown, out->auto_change);
  int st = accq_err_set(lerr, ACCQ_ENOCONV,
                        "policy '%s': buffer=auto stopped at B=%d with boundary mass %.3g and "
                        "last relative change of E[T] %s (targets: %.3g and %.3g): %s.  No "
                        "infinite-buffer answer: try a larger --max-states, an explicit "
                        "--buffer B (exact for the finite-buffer system), or accq simulate",
                        accq_policy_name(pol), out->buffer, out->m.boundary_mass, shown,
                        opt->auto_mass, opt->auto_rel, why[0] ? why : "targets not reached");
  snprintf(out->warning, sizeof out->warning,
           "buffer=auto stopped at B=%d: boundary mass %.3g, last relative change of E[T] %s",
           out->buffer, out->m.boundary_mass, shown);
  out->verdict = ACCQ_ANALYSIS_TRUNCATED;
  return st;
}

/* A given buffer: one chain, exact for that finite-buffer system. */
static int analyze_given_buffer(const accq_model_t *mm, const accq_policy_t *pol,
                                const accq_analysis_options_t *opt, int B, accq_analysis_t *out,
                                accq_chain_t **c, double **pi, accq_err_t *lerr) {
  out->auto_converged = 1;
  out->auto_steps = 1;
  chain_fits(mm, pol, opt, B, &out->estimated_states, NULL);
  int st = run_once(mm, pol, opt, B, 0, out, c, pi, lerr);
  if (st && st != ACCQ_ENOCONV) return st;
  out->verdict = st ? ACCQ_ANALYSIS_NOT_CONVERGED : ACCQ_ANALYSIS_FINITE_BUFFER;
  for (int k = 0; k < mm->ntypes; k++) out->type_buffer[k] = B;
  if (out->m.boundary_mass > opt->auto_mass)
    snprintf(out->warning, sizeof out->warning,
             "finite-buffer system B=%d: boundary mass %.3g, loss probability %.3g (exact for "
             "this B, not the infinite-buffer system)",
             B, out->m.boundary_mass, out->m.loss_probability);
  return st;
}

/* Arrivals other than Poisson: only an MMPP has a chain (its phase a state
 * component, docs/chains.md); the others are refused (ACCQ_EMODEL).  With
 * buffer = auto (B <= 0) the infinite-buffer system must be stable at the
 * long-run rate m Lambda-bar the queues see, whatever Lambda the policy was
 * tuned for: the rule of the simulator (accq_sim_stability), checked here
 * because nothing else would stop the auto buffer: a split policy loads type k
 * with m Lambda-bar p_k against m n_k mu_k; another policy offers m Lambda-bar
 * to the capacity it can use (the accurate types for accurate-only rules, at
 * most m Lambda_max(a*) for a rule that meets a* by construction).
 * ACCQ_EUNSTABLE with the rates compared. */
static int phases_check(const accq_model_t *mm, const accq_policy_t *pol, int B, accq_err_t *e) {
  int K = 0;
  double mean = 0;
  int st = accq_chain_phases(mm, &K, NULL, NULL, &mean, e);
  if (st || B > 0) return st;
  const double tol = 1 - 1e-12, scale = (double)mm->scale;
  const double *p = accq_policy_split(pol);
  if (p && accq_policy_knows_lambda(pol)) {
    for (int k = 0; k < mm->ntypes; k++) {
      double cap = scale * mm->types[k].servers * mm->types[k].rate, x = mean * p[k];
      if (x > 0 && x >= tol * cap)
        return accq_err_set(e, ACCQ_EUNSTABLE,
                            "policy '%s' is unstable with mmpp arrivals: its split (the LP at "
                            "the model's Lambda) sends m Lambda-bar p_k = %.10g jobs per unit "
                            "time to type '%s', whose capacity is m n_k mu_k = %.10g; with "
                            "infinite buffers no mean exists (give a finite --buffer B)",
                            accq_policy_name(pol), x, mm->types[k].name, cap);
    }
    return ACCQ_SUCCESS;
  }
  double cap = 0;
  for (int k = 0; k < mm->ntypes; k++)
    if (!accq_policy_accurate_only(pol) || mm->types[k].accuracy >= mm->accuracy_target)
      cap += scale * mm->types[k].servers * mm->types[k].rate;
  if (accq_policy_meets_target(pol)) {
    accq_lp_problem_t pr;
    if (!accq_lp_problem_from_model(&pr, mm, 0.0)) {
      double lm = scale * accq_lp_lambda_max(&pr);
      if (isfinite(lm) && lm < cap) cap = lm;
    }
  }
  if (mean >= tol * cap)
    return accq_err_set(e, ACCQ_EUNSTABLE,
                        "policy '%s' is unstable with mmpp arrivals: the long-run rate m "
                        "Lambda-bar = %.10g is at or beyond the %.10g it can serve; with "
                        "infinite buffers no mean exists (give a finite --buffer B)",
                        accq_policy_name(pol), mean, cap);
  return ACCQ_SUCCESS;
}

/* Before any chain: MMPP arrivals have their own stability rule at the
 * long-run rate (phases_check; and no product form: thinning an MMPP gives
 * dependent per-type streams); Poisson arrivals the saturated split's
 * (saturated_check, which may cap *opt).  Nonzero: refuse with *lerr. */
static int stability_gate(const accq_model_t *mm, const accq_policy_t *pol, int B,
                          const accq_analysis_options_t **opt, accq_analysis_options_t *capped,
                          accq_err_t *unstable, accq_err_t *lerr) {
  accq_err_clear(unstable);
  if (mm->arrivals.kind != ACCQ_ARRIVALS_POISSON) return phases_check(mm, pol, B, lerr);
  if (saturated_check(mm, pol, B, opt, capped, unstable)) {
    *lerr = *unstable;
    return unstable->status;
  }
  return ACCQ_SUCCESS;
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
  accq_err_t lerr;
  accq_err_clear(&lerr);
  memset(out, 0, sizeof *out);
  out->auto_change = NAN;
  out->verdict = ACCQ_ANALYSIS_REFUSED;
  accq_model_t mm = *m;
  int st = accq_lp_model_resolve(&mm, &lerr);
  if (st) return conclude(out, st, &lerr, opt->strict_auto, err);
  accq_chain_t *c = NULL;
  double *pi = NULL;
  int B = opt->buffer > 0 ? opt->buffer : mm.buffer;

  /* The infinite-buffer question has no answer when the LP split loads a
   * type to exactly its capacity: every server of that type is a critically
   * loaded queue.  A finite buffer makes it a stable loss system. */
  accq_err_t unstable;
  accq_analysis_options_t capped;
  const int poisson = mm.arrivals.kind == ACCQ_ARRIVALS_POISSON;
  st = stability_gate(&mm, pol, B, &opt, &capped, &unstable, &lerr);
  if (st) return conclude(out, st, &lerr, 1, err);

  if (poisson && opt->product_form && !opt->explicit_chain && !opt->keep_chain &&
      accq_policy_type(pol) && accq_policy_type(pol)->product_form) {
    st = accq_i_analyze_product(&mm, pol, opt, B > 0 ? B : 0, out, &lerr);
    goto finish;
  }

  if (B > 0) {
    st = analyze_given_buffer(&mm, pol, opt, B, out, &c, &pi, &lerr);
    if (st && st != ACCQ_ENOCONV) return conclude(out, st, &lerr, opt->strict_auto, err);
    goto done;
  }

  /* buffer = auto: B grows by a factor near 1.4 while the mass is above the
   * target (the states grow like B^(servers), so each step costs a few times
   * the previous one and the total stays a small multiple of the last), then
   * by ~B/16 to confirm the E[T] change.  A step that does not fit is
   * replaced by the largest B that does, as the last try. */
  const int Bcap = opt->auto_max_buffer > 0 ? opt->auto_max_buffer : 200; /* default: as before */
  B = Bcap < 4 ? Bcap : 4;
  if (!chain_fits(&mm, pol, opt, B, NULL, NULL)) {
    int b = largest_fit(&mm, pol, opt, 0, B - 1);
    if (b >= 1) B = b; /* else run_once refuses with the figures */
  }
  int have = 0, last_try = 0, Bprev = 0;
  double mass_prev = NAN, et_prev = NAN;
  char why[ACCQ_ERR_MSG_MAX + 512] = "";
  accq_analysis_t trial;
  for (;;) {
    accq_chain_t *tc = NULL;
    double *tpi = NULL;
    accq_err_t terr;
    accq_err_clear(&terr);
    memset(&trial, 0, sizeof trial);
    chain_fits(&mm, pol, opt, B, &trial.estimated_states, NULL);
    double t_step = accq_clock_now();
    int ts = run_once(&mm, pol, opt, B, ACCQ_I_AUTO_TOL, &trial, &tc, &tpi, &terr);
    step_progress(opt, B, ts, &trial, &terr, t_step);
    if ((ts == ACCQ_ETOOBIG || ts == ACCQ_ENOMEM) && have) {
      snprintf(why, sizeof why, "B=%d could not be built (%s)", B, terr.msg);
      break;
    }
    if (ts && ts != ACCQ_ENOCONV) {
      accq_chain_free(c);
      free(pi);
      return conclude(out, ts, &terr, opt->strict_auto, err);
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
    out->verdict = ACCQ_ANALYSIS_TRUNCATED;
    for (int k = 0; k < mm.ntypes; k++) out->type_buffer[k] = B;
    have = 1;
    if (ts == ACCQ_ENOCONV) {
      lerr = terr;
      accq_err_prefix(&lerr, "buffer=auto at B=%d", B);
      snprintf(out->warning, sizeof out->warning,
               "buffer=auto stopped at B=%d: the stationary solve did not converge (residual %.3g)",
               B, out->solver.residual);
      out->verdict = ACCQ_ANALYSIS_NOT_CONVERGED;
      st = ts;
      goto done;
    }
    const double mass = out->m.boundary_mass;
    if (mass <= opt->auto_mass && out->auto_change <= opt->auto_rel) {
      out->auto_converged = 1;
      out->verdict = ACCQ_ANALYSIS_CONVERGED;
      break;
    }
    if (last_try) break;
    if (B >= Bcap) {
      snprintf(why, sizeof why, "B=%d is the largest allowed (--max-buffer)", B);
      break;
    }
    int nb = accq_i_auto_next(B, Bprev, mass, mass_prev, opt->auto_mass);
    if (nb > Bcap) nb = Bcap;
    double need[2] = {0, 0};   /* states, bytes */
    int need_exact = 0;
    if (!chain_fits_ex(&mm, pol, opt, nb, &need[0], &need[1], &need_exact)) {
      if (auto_last_try(&mm, pol, opt, B, Bprev, mass, mass_prev, need, need_exact, &nb, why,
                        sizeof why))
        break;
      last_try = 1;
    }
    mass_prev = mass;
    et_prev = out->m.mean_response_time;
    Bprev = B;
    B = nb;
  }
  if (!out->auto_converged) st = auto_refusal(out, pol, opt, why, &lerr);
done:
  if (opt->keep_chain) {
    out->chain = c;
    out->pi = pi;
  } else {
    accq_chain_free(c);
    free(pi);
  }
finish:
  if (unstable.status && (st == ACCQ_SUCCESS || st == ACCQ_ENOCONV)) {
    /* a saturated split in compatible mode: whatever auto reached, the
     * infinite-buffer system is unstable */
    out->auto_converged = 0;
    out->verdict = ACCQ_ANALYSIS_TRUNCATED;
    out->status = ACCQ_EUNSTABLE;
    snprintf(out->reason, sizeof out->reason, "%s", unstable.msg);
    snprintf(out->warning, sizeof out->warning, "unstable with infinite buffers (saturated LP split)");
    return 0;
  }
  return conclude(out, st, &lerr, opt->strict_auto, err);
}
