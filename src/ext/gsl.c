/* GSL adapter (see ext/gsl.h): the non-aborting error handler and the mapping of
 * GSL error codes to accq statuses. */
#include "ext/gsl.h"

#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

/* Per-thread record of the last error GSL reported through its handler. */
static _Thread_local int last_code;
static _Thread_local char last_reason[256];

static void record_handler(const char *reason, const char *file, int line, int gsl_errno) {
  last_code = gsl_errno;
  snprintf(last_reason, sizeof last_reason, "%s (%s:%d)", reason ? reason : "?",
           file ? file : "?", line);
}

void accq_gsl_init(void) {
  /* gsl_set_error_handler is a plain pointer store; installing the same
   * handler from two threads at once is harmless, so a flag suffices. */
  static volatile int installed;
  if (!installed) {
    gsl_set_error_handler(record_handler);
    installed = 1;
  }
}

int accq_gsl_last(const char **reason) {
  if (reason) *reason = last_reason;
  return last_code;
}

void accq_gsl_clear(void) {
  last_code = 0;
  last_reason[0] = '\0';
}

const char *accq_gsl_code_name(int c) {
  switch (c) {
#define N(x) case x: return #x;
    N(GSL_SUCCESS) N(GSL_FAILURE) N(GSL_CONTINUE) N(GSL_EDOM) N(GSL_ERANGE)
    N(GSL_EFAULT) N(GSL_EINVAL) N(GSL_EFAILED) N(GSL_EFACTOR) N(GSL_ESANITY)
    N(GSL_ENOMEM) N(GSL_EBADFUNC) N(GSL_ERUNAWAY) N(GSL_EMAXITER) N(GSL_EZERODIV)
    N(GSL_EBADTOL) N(GSL_ETOL) N(GSL_EUNDRFLW) N(GSL_EOVRFLW) N(GSL_ELOSS)
    N(GSL_EROUND) N(GSL_EBADLEN) N(GSL_ENOTSQR) N(GSL_ESING) N(GSL_EDIVERGE)
    N(GSL_EUNSUP) N(GSL_EUNIMPL) N(GSL_ECACHE) N(GSL_ETABLE) N(GSL_ENOPROG)
    N(GSL_ENOPROGJ) N(GSL_ETOLF) N(GSL_ETOLX) N(GSL_ETOLG) N(GSL_EOF)
#undef N
  default:
    return "GSL_E(unknown)";
  }
}

int accq_gsl_map(int c) {
  switch (c) {
  case GSL_SUCCESS:
    return ACCQ_SUCCESS;
  case GSL_ENOMEM:
    return ACCQ_ENOMEM;
  case GSL_CONTINUE:
  case GSL_EMAXITER:
  case GSL_ETOL:
  case GSL_ETOLF:
  case GSL_ETOLX:
  case GSL_ETOLG:
  case GSL_ENOPROG:
  case GSL_ENOPROGJ:
  case GSL_ERUNAWAY:
  case GSL_EDIVERGE:
    return ACCQ_ENOCONV;
  case GSL_EINVAL:
  case GSL_EDOM:
  case GSL_EBADLEN:
  case GSL_ENOTSQR:
  case GSL_EBADTOL:
  case GSL_EFAULT:
    return ACCQ_EINVAL;
  default:
    return ACCQ_ENUMERIC;
  }
}

int accq_gsl_status(int c, const char *what, accq_err_t *err) {
  int st = accq_gsl_map(c);
  if (st == ACCQ_SUCCESS) return st;
  const char *reason = "";
  if (last_code == c && last_reason[0]) reason = last_reason;
  return accq_err_set(err, st, "%s: %s (%s)%s%s%s", what ? what : "GSL", accq_gsl_code_name(c),
                      gsl_strerror(c), reason[0] ? " [" : "", reason, reason[0] ? "]" : "");
}

double accq_gsl_t_quantile(double p, int dof) {
  accq_gsl_init(); /* a domain error must not abort */
  return dof >= 1 ? gsl_cdf_tdist_Pinv(p, dof) : gsl_cdf_ugaussian_Pinv(p);
}

double accq_gsl_t_upper(double x, int dof) {
  accq_gsl_init();
  return dof >= 1 ? gsl_cdf_tdist_Q(x, dof) : gsl_cdf_ugaussian_Q(x);
}
