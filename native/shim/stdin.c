#include "stdin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>

#include "diag.h"

void shim_stdin_init(shim_stdin *s, int fd, int is_tty, int epfd, uint64_t tag) {
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->opened = fd >= 0;
  s->is_tty = is_tty;
  s->epfd = epfd;
  s->tag = tag;
}

static void watch(shim_stdin *s, int on) {
  if (s->fd < 0 || s->watching == on) return;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = s->tag};
  if (epoll_ctl(s->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->fd, &ev) == 0) s->watching = on;
  else shim_diag("stdin epoll: %s", strerror(errno));
}

static void release(shim_stdin *s) {
  free(s->buf);
  s->buf = NULL;
  s->off = s->len = 0;
}

static void do_close(shim_stdin *s) {
  watch(s, 0);
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  release(s);
}

/* Terminal: the end of input is the VEOF character at the start of a line. */
static void send_eof(shim_stdin *s) {
  struct termios t;
  unsigned char eof = 4;
  if (tcgetattr(s->fd, &t) == 0 && t.c_cc[VEOF]) eof = t.c_cc[VEOF];
  ssize_t w = write(s->fd, &eof, 1);
  (void)w;
}

/* Write from p; returns bytes written, or -1 if the reader is gone. */
static ssize_t push(shim_stdin *s, const unsigned char *p, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(s->fd, p + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      shim_diag("stdin: %s; closing it", strerror(errno));
      return -1;
    }
    done += (size_t)n;
  }
  return (ssize_t)done;
}

static int finish_close(shim_stdin *s) {
  if (s->is_tty) send_eof(s);
  do_close(s);
  return 0;
}

ssize_t shim_stdin_write(shim_stdin *s, const void *data, size_t len, const char **why) {
  if (!s->opened) {
    *why = "stdin is not open";
    return -1;
  }
  if (s->fd < 0 || s->close_pending) {
    *why = "stdin is closed";
    return -1;
  }
  if (len == 0) return 0;
  size_t taken = 0;
  if (s->len == 0) {
    ssize_t n = push(s, data, len);
    if (n < 0) {
      do_close(s);
      *why = "stdin is closed";
      return -1;
    }
    taken = (size_t)n;
  }
  size_t room = SHIM_STDIN_BUFFER - s->len;
  size_t rest = len - taken < room ? len - taken : room;
  if (rest == 0) return (ssize_t)taken;
  if (!s->buf && !(s->buf = malloc(SHIM_STDIN_BUFFER))) return (ssize_t)taken;
  if (s->off + s->len + rest > SHIM_STDIN_BUFFER) {
    memmove(s->buf, s->buf + s->off, s->len);
    s->off = 0;
  }
  memcpy(s->buf + s->off + s->len, (const unsigned char *)data + taken, rest);
  s->len += rest;
  watch(s, 1);
  return (ssize_t)(taken + rest);
}

int shim_stdin_writable(shim_stdin *s) {
  if (s->fd < 0) return 0;
  if (s->len == 0) {
    watch(s, 0);
    return 0;
  }
  ssize_t n = push(s, s->buf + s->off, s->len);
  if (n < 0) {
    do_close(s);
    return 1; /* held-back writers learn that stdin is closed */
  }
  s->off += (size_t)n;
  s->len -= (size_t)n;
  if (s->len == 0) {
    watch(s, 0);
    release(s);
    if (s->close_pending) finish_close(s);
  }
  return n > 0;
}

int shim_stdin_close(shim_stdin *s, const char **why) {
  if (!s->opened) {
    *why = "stdin is not open";
    return -1;
  }
  if (s->fd < 0 || s->close_pending) {
    *why = "stdin is closed";
    return -1;
  }
  if (s->len > 0) {
    s->close_pending = 1;
    return 0;
  }
  return finish_close(s);
}

void shim_stdin_shutdown(shim_stdin *s) {
  do_close(s);
}
