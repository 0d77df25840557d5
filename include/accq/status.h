/* accq status codes and error messages.
 *
 * Every fallible function returns an int status (ACCQ_SUCCESS = 0) and, when the
 * caller passes a non-NULL accq_err_t, fills it with a message that names the
 * offending value.  There is no global "last error".  Input errors (bad model,
 * bad option) are distinct from numerical outcomes (no convergence, too large,
 * infeasible), and each maps to one exit status of the command line
 * (docs/output.md: 0 done, 1 check failed, 2 bad input, 3 numerical, 4 no answer).
 */
#ifndef ACCQ_STATUS_H
#define ACCQ_STATUS_H

#include <stdarg.h>

/* X(name, value, exit_status, description) */
#define ACCQ_STATUS_LIST(X)                                                        \
  X(ACCQ_SUCCESS, 0, 0, "success")                                                 \
  X(ACCQ_EINVAL, 1, 2, "invalid argument")                                         \
  X(ACCQ_EMODEL, 2, 2, "invalid model")                                            \
  X(ACCQ_EIO, 3, 2, "cannot read or write file")                                   \
  X(ACCQ_EUSAGE, 4, 2, "bad usage")                                                \
  X(ACCQ_ENOMEM, 5, 3, "out of memory")                                            \
  X(ACCQ_ETOOBIG, 6, 3, "problem too large")                                       \
  X(ACCQ_ENOCONV, 7, 3, "no convergence")                                          \
  X(ACCQ_ENUMERIC, 8, 3, "numerical failure")                                      \
  X(ACCQ_ERANGE, 9, 3, "buffer too small")                                         \
  X(ACCQ_EACCINFEAS, 10, 4, "accuracy target infeasible")                          \
  X(ACCQ_ECAPINFEAS, 11, 4, "arrival rate beyond capacity")                        \
  X(ACCQ_EUNSTABLE, 12, 4, "policy unstable")                                      \
  X(ACCQ_ECHECK, 13, 1, "check failed")                                            \
  X(ACCQ_EINTR, 14, 130, "interrupted")                                           \
  X(ACCQ_EWRITE, 15, 3, "cannot write the output")

typedef enum {
#define ACCQ_X_ENUM(name, value, exit_status, text) name = value,
  ACCQ_STATUS_LIST(ACCQ_X_ENUM)
#undef ACCQ_X_ENUM
  ACCQ_STATUS_COUNT
} accq_status_t;

/* Fixed description of a status code ("no convergence"); never NULL. */
const char *accq_strerror(int status);
/* Exit status of the command line for a status code (docs/output.md). */
int accq_status_exit_code(int status);

#define ACCQ_ERR_MSG_MAX 1024

/* An error report: the status and a message naming the offending value.
 * Callers own it (usually on the stack); functions fill it only on failure. */
typedef struct {
  int status;
  char msg[ACCQ_ERR_MSG_MAX];
} accq_err_t;

/* Clears an error report (status 0, empty message).  NULL is accepted. */
void accq_err_clear(accq_err_t *err);
/* Fills err (if not NULL) with status and a printf-style message; returns status,
 * so that `return accq_err_set(err, ACCQ_EMODEL, "rate must be > 0 (got %g)", r);`
 * reads naturally. */
int accq_err_set(accq_err_t *err, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int accq_err_vset(accq_err_t *err, int status, const char *fmt, va_list ap);
/* Prepends "prefix: " to an already set message (for context such as a file name). */
void accq_err_prefix(accq_err_t *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
