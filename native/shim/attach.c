#include "attach.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

int shim_attach_listen(shim_attach *a, int epfd, const char *path, shim_command_fn fn, void *ctx, berth_error *err) {
  memset(a, 0, sizeof *a);
  a->epfd = epfd;
  a->on_command = fn;
  a->ctx = ctx;
  a->stdin_owner = -1;
  for (int i = 0; i < SHIM_MAX_CLIENTS; i++) a->clients[i].fd = -1;

  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return berth_fail(err, ENAMETOOLONG, "socket path %s", path);
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return berth_fail(err, errno, "socket");
  a->listen_fd = fd;
  if (unlink(path) < 0 && errno != ENOENT) return berth_fail(err, errno, "remove stale %s", path);
  mode_t old = umask(0177);
  int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (rc < 0) return berth_fail(err, errno, "bind %s", path);
  if (chmod(path, 0600) < 0) return berth_fail(err, errno, "chmod %s", path);
  if (listen(fd, 64) < 0) return berth_fail(err, errno, "listen %s", path);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = SHIM_TAG_LISTEN};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) return berth_fail(err, errno, "epoll add %s", path);
  return 0;
}

void shim_attach_drop(shim_attach *a, int slot, const char *why) {
  shim_client *c = &a->clients[slot];
  if (c->fd < 0) return;
  shim_diag("attach client %d dropped: %s", slot, why);
  if (!c->parked) epoll_ctl(a->epfd, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->out);
  free(c->in);
  memset(c, 0, sizeof *c);
  c->fd = -1;
  if (a->stdin_owner == slot) a->stdin_owner = -1;
}

void shim_attach_watch(shim_attach *a, int slot) {
  shim_client *c = &a->clients[slot];
  if (c->fd < 0 || c->parked) return;
  int want_out = c->out_len > 0;
  struct epoll_event ev = {.events = (c->read_closed || c->blocked ? 0 : EPOLLIN) | (want_out ? EPOLLOUT : 0),
                           .data.u64 = SHIM_TAG_CLIENT + (unsigned)slot};
  if (epoll_ctl(a->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) shim_attach_drop(a, slot, "epoll");
  else c->watching_out = want_out;
}

/* Write as much of the backlog as the socket takes. */
int shim_attach_flush(shim_attach *a, int slot) {
  shim_client *c = &a->clients[slot];
  size_t off = 0;
  while (off < c->out_len) {
    ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      shim_attach_drop(a, slot, strerror(errno));
      return -1;
    }
    off += (size_t)n;
  }
  memmove(c->out, c->out + off, c->out_len - off);
  c->out_len -= off;
  if (c->out_len == 0) {
    free(c->out);
    c->out = NULL;
    c->out_cap = 0;
  }
  return 0;
}

static int enqueue(shim_attach *a, int slot, const void *data, size_t len) {
  shim_client *c = &a->clients[slot];
  if (c->out_len + len > c->backlog_max) {
    shim_attach_drop(a, slot, "backlog limit exceeded");
    return -1;
  }
  if (c->out_len + len > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + len) cap *= 2;
    unsigned char *p = realloc(c->out, cap);
    if (!p) {
      shim_attach_drop(a, slot, "out of memory");
      return -1;
    }
    c->out = p;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, data, len);
  c->out_len += len;
  return 0;
}

int shim_attach_send_raw(shim_attach *a, int slot, const void *data, size_t len) {
  shim_client *c = &a->clients[slot];
  if (c->fd < 0 || c->parked) return -1;
  c->backlog_max += len;
  if (enqueue(a, slot, data, len) < 0) return -1;
  if (shim_attach_flush(a, slot) < 0) return -1;
  if ((c->out_len > 0) != c->watching_out) shim_attach_watch(a, slot);
  return c->fd >= 0 ? 0 : -1;
}

int shim_attach_send(shim_attach *a, int slot, uint8_t type, const void *data, size_t len) {
  shim_client *c = &a->clients[slot];
  if (c->fd < 0) return -1;
  if (c->parked) return 0; /* the peer is gone; only its stdin is still being written */
  unsigned char hdr[SHIM_FRAME_HEADER];
  hdr[0] = type;
  shim_put_be32(hdr + 1, (uint32_t)len);
  size_t sent = 0;
  if (c->out_len == 0) {
    struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)data, len}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
    ssize_t n;
    do n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT); while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      shim_attach_drop(a, slot, strerror(errno));
      return -1;
    }
    if (n > 0) sent = (size_t)n;
  }
  if (sent < sizeof hdr && enqueue(a, slot, hdr + sent, sizeof hdr - sent) < 0) return -1;
  size_t data_sent = sent > sizeof hdr ? sent - sizeof hdr : 0;
  if (data_sent < len && enqueue(a, slot, (const char *)data + data_sent, len - data_sent) < 0) return -1;
  if ((c->out_len > 0) != c->watching_out) shim_attach_watch(a, slot);
  return c->fd >= 0 ? 0 : -1;
}

void shim_attach_broadcast(shim_attach *a, uint8_t type, const void *data, size_t len) {
  for (int i = 0; i < SHIM_MAX_CLIENTS; i++)
    if (a->clients[i].fd >= 0) shim_attach_send(a, i, type, data, len);
}

void shim_attach_accept(shim_attach *a) {
  for (;;) {
    int fd = accept4(a->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) shim_diag("accept: %s", strerror(errno));
      return;
    }
    int slot = -1;
    for (int i = 0; i < SHIM_MAX_CLIENTS && slot < 0; i++)
      if (a->clients[i].fd < 0) slot = i;
    if (slot < 0) {
      static const char msg[] = "too many attach clients";
      unsigned char frame[SHIM_FRAME_HEADER + sizeof msg - 1];
      frame[0] = SHIM_FRAME_ERROR;
      shim_put_be32(frame + 1, sizeof msg - 1);
      memcpy(frame + SHIM_FRAME_HEADER, msg, sizeof msg - 1);
      ssize_t w = send(fd, frame, sizeof frame, MSG_NOSIGNAL | MSG_DONTWAIT);
      (void)w;
      close(fd);
      shim_diag("attach: refused a client, %d connected", SHIM_MAX_CLIENTS);
      continue;
    }
    shim_client *c = &a->clients[slot];
    memset(c, 0, sizeof *c);
    c->in = malloc(SHIM_CLIENT_IN);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = SHIM_TAG_CLIENT + (unsigned)slot};
    if (!c->in || epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
      free(c->in);
      c->in = NULL;
      close(fd);
      c->fd = -1;
      continue;
    }
    c->fd = fd;
    c->backlog_max = SHIM_CLIENT_BACKLOG_MAX;
    if (a->on_accept) a->on_accept(a, slot, a->ctx);
    if (c->fd >= 0 && a->exit_text) shim_attach_send(a, slot, SHIM_FRAME_EXIT, a->exit_text, strlen(a->exit_text));
  }
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Ends every client connection gracefully: the output backlog is written,
 * then our side is shut for writing (the client reads everything, then EOF)
 * and whatever the client still sends is read and dropped until it closes.
 * Closing with unread input instead would make the kernel reset the
 * connection, and the client could lose output it had not read yet. */
void shim_attach_shutdown(shim_attach *a, const char *path, int timeout_ms) {
  long deadline = now_ms() + timeout_ms;
  int shut[SHIM_MAX_CLIENTS] = {0};
  for (;;) {
    struct pollfd pfd[SHIM_MAX_CLIENTS];
    int slots[SHIM_MAX_CLIENTS], n = 0;
    for (int i = 0; i < SHIM_MAX_CLIENTS; i++) {
      shim_client *c = &a->clients[i];
      if (c->fd < 0) continue;
      if (c->out_len == 0 && !shut[i]) {
        shut[i] = 1;
        if (shutdown(c->fd, SHUT_WR) < 0) {
          shim_attach_drop(a, i, "shutdown");
          continue;
        }
      }
      pfd[n] = (struct pollfd){.fd = c->fd, .events = c->out_len > 0 ? POLLOUT : POLLIN};
      slots[n++] = i;
    }
    long left = deadline - now_ms();
    if (n == 0 || left <= 0) break;
    int r = poll(pfd, (nfds_t)n, (int)left);
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < n; i++) {
      int slot = slots[i];
      if (pfd[i].events & POLLOUT) {
        if (pfd[i].revents & (POLLERR | POLLHUP)) shim_attach_drop(a, slot, "hung up");
        else if (pfd[i].revents & POLLOUT) shim_attach_flush(a, slot);
      } else if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) {
        char sink[4096];
        ssize_t got = read(a->clients[slot].fd, sink, sizeof sink);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) shim_attach_drop(a, slot, "closed");
      }
    }
  }
  for (int i = 0; i < SHIM_MAX_CLIENTS; i++) shim_attach_drop(a, i, "shim exiting");
  if (a->listen_fd >= 0) close(a->listen_fd);
  a->listen_fd = -1;
  if (path) unlink(path);
}
