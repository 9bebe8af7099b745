#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

int shim_console_listen(const char *path, berth_error *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return berth_fail(err, ENAMETOOLONG, "console socket path %s", path);
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return berth_fail(err, errno, "socket");
  if (unlink(path) < 0 && errno != ENOENT) {
    int e = errno;
    close(fd);
    return berth_fail(err, e, "remove stale %s", path);
  }
  mode_t old = umask(0177);
  int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (rc < 0 || listen(fd, 4) < 0) {
    int e = errno;
    close(fd);
    return berth_fail(err, e, "listen on %s", path);
  }
  return fd;
}

static int wait_readable(int fd, int timeout_ms, berth_error *err) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r;
  do r = poll(&p, 1, timeout_ms); while (r < 0 && errno == EINTR);
  if (r < 0) return berth_fail(err, errno, "poll console socket");
  if (r == 0) return berth_fail(err, ETIMEDOUT, "runtime sent no terminal");
  return 0;
}

int shim_console_receive(int listen_fd, int timeout_ms, char *name, size_t size, berth_error *err) {
  if (wait_readable(listen_fd, timeout_ms, err) < 0) return -1;
  _cleanup_close_ int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) return berth_fail(err, errno, "accept on console socket");
  if (wait_readable(conn, timeout_ms, err) < 0) return -1;

  char payload[256];
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  struct iovec iov = {payload, sizeof payload - 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
  ssize_t n;
  do n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  if (n < 0) return berth_fail(err, errno, "receive terminal");
  int master = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
      memcpy(&master, CMSG_DATA(c), sizeof master);
  if (master < 0) return berth_fail(err, 0, "runtime sent no terminal fd on the console socket");
  payload[n] = '\0';
  if (size) snprintf(name, size, "%s", payload);
  if (shim_set_nonblock(master, err) < 0) {
    close(master);
    return -1;
  }
  return master;
}
