/* Terminals: the init opens a pty on the container's devpts instance, makes
 * the slave its stdio, controlling terminal and /dev/console, and sends the
 * master over the console socket (SCM_RIGHTS, payload: the terminal's name). Without a console
 * socket, `run` and `exec` in the foreground receive it themselves and copy it
 * to and from their own stdio. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

int console_socket_connect(const char *path, berth_error *err) {
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof sa.sun_path) return berth_fail(err, ENAMETOOLONG, "--console-socket %s", path);
  strcpy(sa.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return berth_fail(err, errno, "creating a socket for --console-socket");
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    return berth_fail(err, e, "connecting to --console-socket %s", path);
  }
  return fd;
}

static int send_fd(int sock, int fd, const char *name, berth_error *err) {
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do n = sendmsg(sock, &m, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
  if (n < 0) return berth_fail(err, errno, "sending the terminal over the console socket");
  return 0;
}

int console_recv(int sock, berth_error *err) {
  char name[256], cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  ssize_t n;
  do n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  if (n < 0) return berth_fail(err, errno, "receiving the terminal");
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  if (!c || c->cmsg_type != SCM_RIGHTS) return berth_fail(err, 0, "receiving the terminal: no file descriptor came with the message");
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

/* /dev/console is the container's terminal, as the runtime-spec asks: the
 * slave bind-mounted on a file made for it (the name is not followed if it is
 * a link, and the mount lands inside the container: this runs after pivot_root). */
static int mount_console(const char *slave, berth_error *err) {
  int fd = open("/dev/console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) return berth_fail(err, errno, "process.terminal: creating /dev/console");
  if (fd >= 0) close(fd);
  if (mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
    return berth_fail(err, errno, "process.terminal: bind-mounting %s on /dev/console", slave);
  return 0;
}

int console_setup(const spec *s, int sock, bool is_init, berth_error *err) {
  _cleanup_close_ int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return berth_fail(err, errno, "process.terminal: opening /dev/pts/ptmx (mount devpts with newinstance on /dev/pts)");
  int unlock = 0, n;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
    return berth_fail(err, errno, "process.terminal: unlocking the pty");
  char name[64];
  snprintf(name, sizeof name, "/dev/pts/%d", n);
  _cleanup_close_ int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return berth_fail(err, errno, "process.terminal: opening %s", name);
  if (fchown(slave, s->uid, (gid_t)-1) < 0) return berth_fail(err, errno, "process.terminal: chown %s to uid %u", name, s->uid);
  if (is_init && mount_console(name, err) < 0) return -1;
  if (s->has_console_size) {
    struct winsize ws = { .ws_row = (unsigned short)s->console_height, .ws_col = (unsigned short)s->console_width };
    if (ioctl(master, TIOCSWINSZ, &ws) < 0) return berth_fail(err, errno, "process.consoleSize");
  }
  if (send_fd(sock, master, name, err) < 0) return -1;
  if (setsid() < 0) return berth_fail(err, errno, "process.terminal: setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0) return berth_fail(err, errno, "process.terminal: making %s the controlling terminal", name);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) return berth_fail(err, errno, "process.terminal: making %s stdio", name);
  return 0;
}

static int write_all_fd(int fd, const char *b, size_t n) {
  while (n) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    b += w; n -= (size_t)w;
  }
  return 0;
}

static void copy_winsize(int master) {
  struct winsize ws;
  if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

int console_proxy(int master, pid_t pid, int *status, berth_error *err) {
  struct termios saved;
  bool raw = isatty(0) && tcgetattr(0, &saved) == 0;
  if (raw) {
    struct termios t = saved;
    cfmakeraw(&t);
    tcsetattr(0, TCSANOW, &t);
    copy_winsize(master);
  }
  _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0) return berth_fail(err, errno, "pidfd_open");
  bool in_open = true, out_open = true, exited = false;
  char buf[8192];
  while (out_open) {
    struct pollfd p[3] = { { .fd = master, .events = POLLIN }, { .fd = in_open ? 0 : -1, .events = POLLIN },
                           { .fd = exited ? -1 : pfd, .events = POLLIN } };
    int r = poll(p, 3, exited ? 0 : -1);
    if (r < 0) { if (errno == EINTR) { if (raw) copy_winsize(master); continue; } break; }
    if (r == 0) break; /* exited and the master is drained */
    if (p[0].revents) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) { if (write_all_fd(1, buf, (size_t)n) < 0) out_open = false; }
      else if (n == 0 || errno != EINTR) out_open = false; /* EIO: every slave fd is closed */
    }
    if (p[1].revents) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n > 0) write_all_fd(master, buf, (size_t)n);
      else if (n == 0 || errno != EINTR) {
        in_open = false;
        if (!raw) write_all_fd(master, "\x04", 1); /* end of input: EOF for the reader in canonical mode */
      }
    }
    if (p[2].revents) exited = true;
  }
  if (raw) tcsetattr(0, TCSANOW, &saved);
  while (waitpid(pid, status, 0) < 0)
    if (errno != EINTR) return berth_fail(err, errno, "waiting for the container process");
  return 0;
}
