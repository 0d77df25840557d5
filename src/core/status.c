#include "accq/status.h"

#include <stdio.h>
#include <string.h>

const char *accq_strerror(int status) {
  switch (status) {
#define ACCQ_X_CASE(name, value, exit_status, text) \
  case name:                                        \
    return text;
    ACCQ_STATUS_LIST(ACCQ_X_CASE)
#undef ACCQ_X_CASE
  default:
    return "unknown status";
  }
}

int accq_status_exit_code(int status) {
  switch (status) {
#define ACCQ_X_CASE(name, value, exit_status, text) \
  case name:                                        \
    return exit_status;
    ACCQ_STATUS_LIST(ACCQ_X_CASE)
#undef ACCQ_X_CASE
  default:
    return 3;
  }
}

void accq_err_clear(accq_err_t *err) {
  if (!err) return;
  err->status = ACCQ_SUCCESS;
  err->msg[0] = '\0';
}

int accq_err_vset(accq_err_t *err, int status, const char *fmt, va_list ap) {
  if (err) {
    err->status = status;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  }
  return status;
}

int accq_err_set(accq_err_t *err, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  accq_err_vset(err, status, fmt, ap);
  va_end(ap);
  return status;
}

void accq_err_prefix(accq_err_t *err, const char *fmt, ...) {
  if (!err) return;
  char head[ACCQ_ERR_MSG_MAX / 2], old[ACCQ_ERR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  size_t hl = strlen(head);
  memcpy(err->msg, head, hl);
  err->msg[hl] = ':';
  err->msg[hl + 1] = ' ';
  size_t room = sizeof err->msg - hl - 3, ol = strlen(old);
  if (ol > room) ol = room;
  memcpy(err->msg + hl + 2, old, ol);
  err->msg[hl + 2 + ol] = '\0';
}
