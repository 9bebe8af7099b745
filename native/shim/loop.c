#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "exitfile.h"
#include "logfile.h"
#include "overlay.h"
#include "runtime.h"
#include "util.h"

#define TAG_SIGNAL 1u
#define TAG_STDOUT 2u
#define TAG_STDERR 3u
/* How long output may stay open after init exits (e.g. a process outside
 * the container's PID namespace kept the pipe) before the shim stops waiting. */
#define SHIM_DRAIN_MS 5000
#define SHIM_CLIENT_FLUSH_MS 2000

static unsigned char out_buf[32 * 1024];

static void reply(shim_attach *a, int slot, uint8_t type, const char *text) {
  shim_attach_send(a, slot, type, text, strlen(text));
}

static int parse_signal(const char *s, size_t len) {
  if (len == 0 || len > 3) return -1;
  int v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v >= 1 && v <= SIGRTMAX ? v : -1;
}

static void on_command(shim_attach *a, int slot, uint8_t type, const char *payload, size_t len, void *ctx) {
  shim_loop *l = ctx;
  berth_error err;
  berth_error_clear(&err);
  char msg[64];
  if (type != SHIM_FRAME_START && type != SHIM_FRAME_KILL) {
    snprintf(msg, sizeof msg, "unknown frame type 0x%02x", type);
    reply(a, slot, SHIM_FRAME_ERROR, msg);
    return;
  }
  if (l->exited) {
    reply(a, slot, SHIM_FRAME_ERROR, "container has exited");
    return;
  }
  if (type == SHIM_FRAME_START) {
    const char *args[] = {"start", l->cfg->id, NULL};
    shim_diag("start requested");
    if (shim_runtime_run(l->cfg, args, &err) < 0) {
      shim_diag_error("start", &err);
      reply(a, slot, SHIM_FRAME_ERROR, err.msg);
    } else {
      reply(a, slot, SHIM_FRAME_OK, "{\"started\":true}");
    }
    return;
  }
  int sig = parse_signal(payload, len);
  if (sig < 0) {
    reply(a, slot, SHIM_FRAME_ERROR, "KILL needs a signal number between 1 and SIGRTMAX");
    return;
  }
  char sigstr[12];
  snprintf(sigstr, sizeof sigstr, "%d", sig);
  const char *args[] = {"kill", l->cfg->id, sigstr, NULL};
  shim_diag("kill %d requested", sig);
  if (shim_runtime_run(l->cfg, args, &err) < 0) {
    shim_diag_error("kill", &err);
    reply(a, slot, SHIM_FRAME_ERROR, err.msg);
  } else {
    snprintf(msg, sizeof msg, "{\"killed\":true,\"signal\":%d}", sig);
    reply(a, slot, SHIM_FRAME_OK, msg);
  }
}

int shim_loop_init(shim_loop *l, berth_error *err) {
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_SIGNAL};
  if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0) return berth_fail(err, errno, "epoll add signalfd");
  for (int i = 0; i < 2; i++) {
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = i == 0 ? TAG_STDOUT : TAG_STDERR};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->pipe_fd[i], &ev) < 0) return berth_fail(err, errno, "epoll add pipe");
  }
  return shim_attach_listen(&l->attach, l->epfd, SHIM_ATTACH_SOCK, on_command, l, err);
}

static void reap(shim_loop *l) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      if (pid < 0 && errno == EINTR) continue;
      return;
    }
    if (pid == l->init_pid && !l->exited) {
      l->exited = 1;
      l->wait_status = status;
      l->exited_ns = shim_now_ns();
      shim_diag("container init %d exited, wait status 0x%x", (int)pid, status);
    }
  }
}

static void handle_signals(shim_loop *l) {
  struct signalfd_siginfo si;
  int chld = 0;
  for (;;) {
    ssize_t n = read(l->sigfd, &si, sizeof si);
    if (n != (ssize_t)sizeof si) {
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    if (si.ssi_signo == SIGCHLD) {
      chld = 1;
    } else if (!l->exited) {
      shim_diag("forwarding signal %u to %d", si.ssi_signo, (int)l->init_pid);
      if (kill(l->init_pid, (int)si.ssi_signo) < 0) shim_diag("forward signal: %s", strerror(errno));
    }
  }
  if (chld) reap(l);
}

static void handle_output(shim_loop *l, int i) {
  int fd = l->pipe_fd[i];
  if (fd < 0) return;
  ssize_t n;
  do n = read(fd, out_buf, sizeof out_buf); while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    shim_diag("read container %s: %s", i ? "stderr" : "stdout", strerror(errno));
  }
  if (n <= 0) {
    close(fd); /* also leaves the epoll set */
    l->pipe_fd[i] = -1;
    return;
  }
  berth_error err;
  static int log_failing;
  if (l->log_fd >= 0) {
    if (shim_log_append(l->log_fd, (uint8_t)(i + 1), shim_now_ns(), out_buf, (size_t)n, &err) < 0) {
      if (!log_failing) shim_diag_error("container log (further failures are not reported)", &err);
      log_failing = 1;
    } else if (log_failing) {
      shim_diag("container log writable again");
      log_failing = 0;
    }
  }
  shim_attach_broadcast(&l->attach, i == 0 ? SHIM_FRAME_STDOUT : SHIM_FRAME_STDERR, out_buf, (size_t)n);
}

static long mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int shim_loop_run(shim_loop *l, berth_error *err) {
  struct epoll_event events[16];
  long drain_deadline = 0;
  while (!(l->exited && l->pipe_fd[0] < 0 && l->pipe_fd[1] < 0)) {
    int timeout = -1;
    if (l->exited) {
      if (!drain_deadline) drain_deadline = mono_ms() + SHIM_DRAIN_MS;
      long left = drain_deadline - mono_ms();
      if (left <= 0) {
        shim_diag("container output still open %d ms after exit; not waiting longer", SHIM_DRAIN_MS);
        break;
      }
      timeout = (int)left;
    }
    int n = epoll_wait(l->epfd, events, 16, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      return berth_fail(err, errno, "epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      uint64_t tag = events[i].data.u64;
      if (tag == TAG_SIGNAL) handle_signals(l);
      else if (tag == TAG_STDOUT) handle_output(l, 0);
      else if (tag == TAG_STDERR) handle_output(l, 1);
      else if (tag == SHIM_TAG_LISTEN) shim_attach_accept(&l->attach);
      else if (tag >= SHIM_TAG_CLIENT) shim_attach_event(&l->attach, (int)(tag - SHIM_TAG_CLIENT), events[i].events);
    }
  }
  return 0;
}

void shim_loop_finish(shim_loop *l) {
  berth_error err;
  for (int i = 0; i < 2; i++)
    if (l->pipe_fd[i] >= 0) {
      close(l->pipe_fd[i]);
      l->pipe_fd[i] = -1;
    }
  if (shim_exit_format(l->wait_status, l->exited_ns, l->exit_text, sizeof l->exit_text, &err) < 0 ||
      shim_exit_write(l->cfg->state_dir, l->exit_text, &err) < 0)
    shim_diag_error("exit.json", &err);
  l->attach.exit_text = l->exit_text;
  shim_attach_broadcast(&l->attach, SHIM_FRAME_EXIT, l->exit_text, strlen(l->exit_text));

  const char *args[] = {"delete", "--force", l->cfg->id, NULL};
  if (shim_runtime_run(l->cfg, args, &err) < 0) shim_diag_error("runtime delete", &err);
  if (l->overlay_target && shim_overlay_umount(l->overlay_target, &err) < 0) shim_diag_error("overlay", &err);
  /* Anyone who connected meanwhile still learns how the container ended. */
  shim_attach_accept(&l->attach);
  shim_attach_shutdown(&l->attach, SHIM_ATTACH_SOCK, SHIM_CLIENT_FLUSH_MS);
  if (l->log_fd >= 0) {
    fsync(l->log_fd);
    close(l->log_fd);
    l->log_fd = -1;
  }
  shim_diag("container %s finished: %s", l->cfg->id, l->exit_text);
}
