/* Error reporting and scoped cleanup shared by every native program.
 *
 * Convention: every fallible function returns int (0 on success, -1 on
 * failure) or a pointer (NULL on failure) and takes `berth_error *err` as its
 * last parameter. On failure it fills *err with the errno (0 if none) and a
 * message that says what was wrong; callers add context with berth_error_wrap. */
#ifndef BERTH_ERROR_H
#define BERTH_ERROR_H

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

#define BERTH_ERROR_MSG_MAX 1024

typedef struct berth_error {
  int errnum;                     /* errno at the failure, 0 if not a syscall error */
  char msg[BERTH_ERROR_MSG_MAX];  /* human-readable, without trailing newline */
} berth_error;

/* Fill *err from a printf-style message; appends ": strerror(errnum)" when
 * errnum != 0. Always returns -1 so callers can `return berth_fail(...)`. */
int berth_fail(berth_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with more context ("creating container: ...").
 * Returns -1. */
int berth_error_wrap(berth_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void berth_error_clear(berth_error *err) { err->errnum = 0; err->msg[0] = '\0'; }

/* Scoped cleanup helpers. */
static inline void berth_freep(void *p) { free(*(void **)p); }
static inline void berth_closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void berth_fclosep(FILE **f) { if (*f) fclose(*f); }

#define _cleanup_free_  __attribute__((cleanup(berth_freep)))
#define _cleanup_close_ __attribute__((cleanup(berth_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(berth_fclosep)))

#endif
