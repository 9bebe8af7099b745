#include "logsink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "libc-compat.h"

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int shim_sink_open(shim_log_sink *s, const char *path, uint64_t max_size, unsigned max_file, berth_error *err) {
  s->fd = -1;
  s->len = 0;
  s->due_ns = 0;
  s->max_size = max_size;
  s->max_file = max_file ? max_file : 1;
  if (strlen(path) >= sizeof s->path) return berth_fail(err, ENAMETOOLONG, "log file %s", path);
  strcpy(s->path, path);
  s->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (s->fd < 0) return berth_fail(err, errno, "open log file %s", path);
  struct stat st;
  if (fstat(s->fd, &st) < 0) return berth_fail(err, errno, "stat log file %s", path);
  s->size = (uint64_t)st.st_size;
  return 0;
}

/* Write the buffer and then data[0..len) with as few syscalls as possible. */
static int write_out(shim_log_sink *s, const void *data, size_t len, berth_error *err) {
  struct iovec iov[2] = {{s->buf, s->len}, {(void *)data, len}};
  int idx = s->len ? 0 : 1;
  /* where this write starts in the file: s->size already counts it */
  uint64_t start = s->size - s->len - len;
  while (idx < 2) {
    ssize_t n = writev(s->fd, iov + idx, 2 - idx);
    if (n < 0) {
      int e = errno;
      if (e == EINTR) continue;
      /* A write cut short (disk full) would leave half a record that every
         later record is read through: drop what did not fit, whole. */
      if (ftruncate(s->fd, (off_t)start) == 0) s->size = start;
      s->len = 0;
      s->due_ns = 0;
      return berth_fail(err, e, "write log file %s", s->path);
    }
    size_t done = (size_t)n;
    while (idx < 2 && done >= iov[idx].iov_len) done -= iov[idx++].iov_len;
    if (idx < 2) {
      iov[idx].iov_base = (char *)iov[idx].iov_base + done;
      iov[idx].iov_len -= done;
    }
    while (idx < 2 && iov[idx].iov_len == 0) idx++;
  }
  s->len = 0;
  s->due_ns = 0;
  return 0;
}

int shim_sink_flush(shim_log_sink *s, berth_error *err) {
  if (s->fd < 0 || s->len == 0) return 0;
  return write_out(s, NULL, 0, err);
}

static void name_of(const shim_log_sink *s, unsigned i, char *out, size_t size) {
  if (i == 0) snprintf(out, size, "%s", s->path);
  else snprintf(out, size, "%s.%u", s->path, i);
}

static int rotate(shim_log_sink *s, berth_error *err) {
  if (shim_sink_flush(s, err) < 0) return -1;
  char from[PATH_MAX + 16], to[PATH_MAX + 16], fresh[PATH_MAX + 16];
  for (unsigned i = s->max_file - 1; i >= 2; i--) {
    name_of(s, i - 1, from, sizeof from);
    name_of(s, i, to, sizeof to);
    if (rename(from, to) < 0 && errno != ENOENT) return berth_fail(err, errno, "rotate %s", from);
  }
  snprintf(fresh, sizeof fresh, "%s.new", s->path);
  int nfd = open(fresh, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (nfd < 0) return berth_fail(err, errno, "create %s", fresh);
  /* Afterwards `fresh` names the old content and the path the new file. */
  if (renameat2(AT_FDCWD, fresh, AT_FDCWD, s->path, RENAME_EXCHANGE) < 0) {
    int e = errno;
    if (e != EINVAL && e != ENOSYS) {
      close(nfd);
      unlink(fresh);
      return berth_fail(err, e, "rotate %s", s->path);
    }
    /* No RENAME_EXCHANGE here: a short window without the file. */
    if (rename(s->path, fresh) < 0 || rename(fresh, s->path) < 0) {
      e = errno;
      close(nfd);
      return berth_fail(err, e, "rotate %s", s->path);
    }
  }
  name_of(s, 1, to, sizeof to);
  if (s->max_file >= 2 ? rename(fresh, to) < 0 : unlink(fresh) < 0) shim_diag("rotate: %s", strerror(errno));
  close(s->fd);
  s->fd = nfd;
  s->size = 0;
  return 0;
}

int shim_sink_unit(shim_log_sink *s, size_t len, berth_error *err) {
  if (s->fd < 0) return berth_fail(err, EBADF, "log file is closed");
  if (s->max_size && s->size > 0 && s->size + len > s->max_size) return rotate(s, err);
  return 0;
}

int shim_sink_put(shim_log_sink *s, const void *data, size_t len, uint64_t delay_ns, berth_error *err) {
  if (s->fd < 0) return berth_fail(err, EBADF, "log file is closed");
  s->size += len;
  if (s->len + len > sizeof s->buf) return write_out(s, data, len, err);
  if (s->len == 0) s->due_ns = mono_ns() + delay_ns;
  memcpy(s->buf + s->len, data, len);
  s->len += len;
  return 0;
}

void shim_sink_close(shim_log_sink *s) {
  berth_error err;
  if (s->fd < 0) return;
  if (shim_sink_flush(s, &err) < 0) shim_diag_error("container log", &err);
  fsync(s->fd);
  close(s->fd);
  s->fd = -1;
}
