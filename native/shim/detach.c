#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "libc-compat.h"

int shim_ensure_stdio(berth_error *err) {
  for (int fd = 0; fd < 3; fd++) {
    if (fcntl(fd, F_GETFD) >= 0) continue;
    int n = open("/dev/null", O_RDWR);
    if (n < 0) return berth_fail(err, errno, "open /dev/null");
    if (n != fd) return berth_fail(err, 0, "unexpected fd %d for /dev/null", n);
  }
  return 0;
}

int shim_detach(int keep_fd, const char *state_dir, berth_error *err) {
  if (setsid() < 0) return berth_fail(err, errno, "setsid");
  if (keep_fd > 3 && close_range(3, (unsigned)keep_fd - 1, 0) < 0) return berth_fail(err, errno, "close_range");
  if (close_range((unsigned)keep_fd + 1, ~0u, 0) < 0) return berth_fail(err, errno, "close_range");
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return berth_fail(err, errno, "open /dev/null");
  for (int fd = 0; fd < 3; fd++)
    if (dup2(null, fd) < 0) return berth_fail(err, errno, "dup2 /dev/null");
  close(null);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return berth_fail(err, errno, "PR_SET_CHILD_SUBREAPER");
  if (chdir(state_dir) < 0) return berth_fail(err, errno, "chdir %s", state_dir);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  return 0;
}

int shim_signalfd(berth_error *err) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) return berth_fail(err, errno, "sigprocmask");
  int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return berth_fail(err, errno, "signalfd");
  return fd;
}
