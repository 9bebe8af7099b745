#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#ifdef __GLIBC__
#include <sys/pidfd.h>
#endif
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libc-compat.h"

#include "jsonlite.h"
#include "util.h"

#define SHIM_RUNTIME_MAX_ARGS 24
#define SHIM_LOG_TAIL (64 * 1024)

int shim_runtime_spawn(const shim_config *cfg, const char *const *args, int in_fd, int out_fd, int err_fd,
                       pid_t *pid, berth_error *err) {
  const char *argv[SHIM_RUNTIME_MAX_ARGS];
  int n = 0;
  argv[n++] = cfg->runtime;
  if (cfg->runtime_root[0]) {
    argv[n++] = "--root";
    argv[n++] = cfg->runtime_root;
  }
  argv[n++] = "--log";
  argv[n++] = cfg->runtime_log;
  argv[n++] = "--log-format";
  argv[n++] = "json";
  for (; *args; args++) {
    if (n >= SHIM_RUNTIME_MAX_ARGS - 1) return berth_fail(err, E2BIG, "too many runtime arguments");
    argv[n++] = *args;
  }
  argv[n] = NULL;

  pid_t child = fork();
  if (child < 0) return berth_fail(err, errno, "fork %s", cfg->runtime);
  if (child == 0) {
    /* Undo what the shim set for itself: the runtime and the container must
     * start with default signal handling. */
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    if (in_fd >= 0 && dup2(in_fd, STDIN_FILENO) < 0) _exit(127);
    if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0) _exit(127);
    execvp(argv[0], (char *const *)argv);
    int e = errno;
    static const char prefix[] = "exec runtime ";
    ssize_t w = write(STDERR_FILENO, prefix, sizeof prefix - 1);
    w = write(STDERR_FILENO, argv[0], strlen(argv[0]));
    w = write(STDERR_FILENO, ": ", 2);
    w = write(STDERR_FILENO, strerror(e), strlen(strerror(e)));
    (void)w;
    _exit(127);
  }
  *pid = child;
  return 0;
}

static void capture_append(shim_capture *cap, const char *data, size_t len) {
  if (!cap) return;
  if (len >= sizeof cap->buf) {
    data += len - (sizeof cap->buf - 1);
    len = sizeof cap->buf - 1;
  }
  if (cap->len + len >= sizeof cap->buf) {
    size_t drop = cap->len + len - (sizeof cap->buf - 1);
    memmove(cap->buf, cap->buf + drop, cap->len - drop);
    cap->len -= drop;
  }
  memcpy(cap->buf + cap->len, data, len);
  cap->len += len;
  cap->buf[cap->len] = '\0';
}

/* Read what is available now; returns 1 at EOF, 0 otherwise. */
static int drain(int fd, shim_capture *cap) {
  char buf[1024];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) { capture_append(cap, buf, (size_t)n); continue; }
    if (n < 0 && errno == EINTR) continue;
    return n == 0;
  }
}

void shim_capture_drain(int fd, shim_capture *cap) { drain(fd, cap); }

int shim_runtime_wait(pid_t pid, const int *fds, int nfds, shim_capture *cap, int *status, berth_error *err) {
  struct pollfd pfd[4];
  if (nfds > 3) return berth_fail(err, EINVAL, "too many fds to watch");
  _cleanup_close_ int pidfd = pidfd_open(pid, 0);
  if (pidfd >= 0) {
    pfd[0] = (struct pollfd){.fd = pidfd, .events = POLLIN};
    for (int i = 0; i < nfds; i++) pfd[i + 1] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    for (;;) {
      int r = poll(pfd, (nfds_t)nfds + 1, -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        return berth_fail(err, errno, "poll while waiting for runtime");
      }
      for (int i = 1; i <= nfds; i++)
        if (pfd[i].fd >= 0 && pfd[i].revents && drain(pfd[i].fd, cap)) pfd[i].fd = -1;
      if (pfd[0].revents) break;
    }
  }
  /* Without pidfds we just block; the pipes hold far more than a runtime prints. */
  pid_t r;
  do r = waitpid(pid, status, 0); while (r < 0 && errno == EINTR);
  if (r < 0) return berth_fail(err, errno, "wait for runtime pid %d", (int)pid);
  for (int i = 0; i < nfds; i++) drain(fds[i], cap);
  return 0;
}

off_t shim_runtime_log_offset(const shim_config *cfg) {
  struct stat st;
  return stat(cfg->runtime_log, &st) == 0 ? st.st_size : 0;
}

static void trim(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
}

int shim_runtime_failure(const shim_config *cfg, const char *what, off_t log_offset, const shim_capture *cap,
                         int status, berth_error *err) {
  int fd = open(cfg->runtime_log, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > log_offset) {
      off_t from = st.st_size - log_offset > SHIM_LOG_TAIL ? st.st_size - SHIM_LOG_TAIL : log_offset;
      size_t len = (size_t)(st.st_size - from);
      _cleanup_free_ char *text = malloc(len);
      ssize_t n = text ? pread(fd, text, len, from) : -1;
      char msg[BERTH_ERROR_MSG_MAX];
      if (n > 0 && shim_json_last_string(text, (size_t)n, "msg", msg, sizeof msg) == 0 && msg[0]) {
        close(fd);
        return berth_fail(err, 0, "%s", msg);
      }
    }
    close(fd);
  }
  if (cap && cap->len) {
    char copy[SHIM_CAPTURE_MAX];
    memcpy(copy, cap->buf, cap->len + 1);
    trim(copy);
    if (copy[0]) return berth_fail(err, 0, "%s", copy);
  }
  if (WIFSIGNALED(status)) return berth_fail(err, 0, "runtime %s killed by signal %d", what, WTERMSIG(status));
  return berth_fail(err, 0, "runtime %s exited with status %d", what, WEXITSTATUS(status));
}

int shim_runtime_run(const shim_config *cfg, const char *const *args, berth_error *err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return berth_fail(err, errno, "pipe");
  _cleanup_close_ int rd = p[0];
  off_t offset = shim_runtime_log_offset(cfg);
  pid_t pid;
  int rc = shim_runtime_spawn(cfg, args, -1, p[1], p[1], &pid, err);
  close(p[1]);
  if (rc < 0) return -1;
  if (shim_set_nonblock(rd, err) < 0) return -1; /* the child still runs; it is reaped by the loop */
  static shim_capture cap;
  cap.len = 0;
  cap.buf[0] = '\0';
  int status;
  if (shim_runtime_wait(pid, &rd, 1, &cap, &status, err) < 0) return -1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  return shim_runtime_failure(cfg, args[0], offset, &cap, status, err);
}
