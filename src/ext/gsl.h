/* GSL adapter: the one place that owns GSL's error handler.
 *
 * GSL's default handler aborts the process; accq_gsl_init() replaces it once
 * (idempotent, cheap, call it before any GSL routine) by a handler that only
 * records the last error (reason, file, line, code) per thread.  GSL codes never
 * reach users raw: accq_gsl_status() maps them to accq statuses and writes a
 * message that keeps the GSL code's name ("GSL_ESING") and GSL's reason.
 */
#ifndef ACCQ_EXT_GSL_H
#define ACCQ_EXT_GSL_H

#include "accq/status.h"

/* Installs the recording (non-aborting) error handler once.  Thread-safe. */
void accq_gsl_init(void);

/* Name of a GSL error code ("GSL_EMAXITER"), never NULL. */
const char *accq_gsl_code_name(int gsl_code);

/* accq status for a GSL code: GSL_SUCCESS -> ACCQ_SUCCESS, GSL_ENOMEM ->
 * ACCQ_ENOMEM, GSL_EMAXITER/ETOL/ENOPROG/CONTINUE -> ACCQ_ENOCONV, GSL_EINVAL/
 * EDOM/EBADLEN/ENOTSQR/EBADTOL -> ACCQ_EINVAL, anything else ACCQ_ENUMERIC. */
int accq_gsl_map(int gsl_code);

/* Maps gsl_code (returned by a GSL routine called for `what`) and fills err
 * with "<what>: GSL_ESING (matrix is singular) [reason recorded by the handler]".
 * Returns the accq status (ACCQ_SUCCESS, err untouched, for GSL_SUCCESS). */
int accq_gsl_status(int gsl_code, const char *what, accq_err_t *err);

/* The last error recorded on this thread by the handler (code 0 = none since
 * the last accq_gsl_clear), its reason text (static per thread). */
int accq_gsl_last(const char **reason);
void accq_gsl_clear(void);

/* Student's t distribution with dof degrees of freedom (dof >= 1), or the
 * standard normal when dof < 1 (no spread estimate: a known standard error):
 * the quantile t_{p,dof} (0 < p < 1) and the upper tail P(T > x).  Wrappers
 * of gsl_cdf_tdist_Pinv/_Q and gsl_cdf_ugaussian_Pinv/_Q, for the comparison
 * statistics of accq/check.h. */
double accq_gsl_t_quantile(double p, int dof);
double accq_gsl_t_upper(double x, int dof);

#endif
