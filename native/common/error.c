#include "error.h"

#include <string.h>

int berth_fail(berth_error *err, int errnum, const char *fmt, ...) {
  if (!err) return -1;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if (errnum && (size_t)n < sizeof err->msg)
    snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", strerror(errnum));
  err->errnum = errnum;
  return -1;
}

int berth_error_wrap(berth_error *err, const char *fmt, ...) {
  if (!err) return -1;
  char prefix[BERTH_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  char old[BERTH_ERROR_MSG_MAX];
  memcpy(old, err->msg, sizeof old);
  size_t used = (size_t)snprintf(err->msg, sizeof err->msg, "%s: ", prefix);
  if (used < sizeof err->msg) snprintf(err->msg + used, sizeof err->msg - used, "%s", old);
  return -1;
}
