#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int diag_fd = -1;

int shim_diag_open(const char *path, berth_error *err) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return berth_fail(err, errno, "open %s", path);
  if (diag_fd >= 0) close(diag_fd);
  diag_fd = fd;
  return 0;
}

void shim_diag(const char *fmt, ...) {
  if (diag_fd < 0) return;
  char line[1400];
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ [%d] ", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000,
                   (int)getpid());
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (m < 0) m = 0;
  size_t len = (size_t)n + (size_t)m;
  if (len > sizeof line - 2) len = sizeof line - 2;
  line[len++] = '\n';
  /* Best effort: diagnostics must never stop the shim. */
  ssize_t w = write(diag_fd, line, len);
  (void)w;
}

void shim_diag_error(const char *what, const berth_error *err) {
  shim_diag("error: %s: %s", what, err->msg);
}
