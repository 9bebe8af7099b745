#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

/* How long output may stay open after the process exits (e.g. a process
 * outside the container's PID namespace kept the pipe) before the shim
 * stops waiting. */
#define SHIM_DRAIN_MS 5000

static unsigned char out_buf[32 * 1024];

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long mono_ms(void) { return (long)(mono_ns() / 1000000ull); }

void shim_loop_log_result(int rc, const berth_error *err) {
  static int failing;
  if (rc < 0 && !failing) shim_diag_error("container log (further failures are not reported)", err);
  else if (rc == 0 && failing) shim_diag("container log writable again");
  failing = rc < 0;
}

int shim_loop_init(shim_loop *l, berth_error *err) {
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = SHIM_TAG_SIGNAL};
  if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev) < 0) return berth_fail(err, errno, "epoll add signalfd");
  for (int i = 0; i < 2; i++) {
    if (l->io.out[i] < 0) continue;
    ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = i == 0 ? SHIM_TAG_STDOUT : SHIM_TAG_STDERR};
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->io.out[i], &ev) < 0) return berth_fail(err, errno, "epoll add output");
  }
  shim_stdin_init(&l->in, l->io.in, l->cfg->terminal, l->epfd, SHIM_TAG_STDIN);
  l->io.in = -1; /* owned by l->in now */
  if (shim_attach_listen(&l->attach, l->epfd, SHIM_ATTACH_SOCK, shim_loop_command, l, err) < 0) return -1;
  l->attach.on_stdin = shim_loop_stdin;
  l->attach.on_accept = shim_loop_accept;
  return 0;
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
      shim_diag("process %d exited, wait status 0x%x", (int)pid, status);
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

/* exec: keep output for the first client, framed as it will be sent. */
static void keep_for_replay(shim_loop *l, uint8_t type, const void *data, size_t len) {
  if (l->replay_dropped || l->replay_len + SHIM_FRAME_HEADER + len > SHIM_REPLAY_MAX) {
    if (!l->replay_dropped) shim_diag("over %d bytes of output before any client: not keeping more", SHIM_REPLAY_MAX);
    l->replay_dropped = 1; /* later output would leave a gap: keep none of it */
    return;
  }
  if (!l->replay && !(l->replay = malloc(SHIM_REPLAY_MAX))) return;
  l->replay[l->replay_len] = type;
  shim_put_be32(l->replay + l->replay_len + 1, (uint32_t)len);
  memcpy(l->replay + l->replay_len + SHIM_FRAME_HEADER, data, len);
  l->replay_len += SHIM_FRAME_HEADER + len;
}

static void handle_output(shim_loop *l, int i) {
  int fd = l->io.out[i];
  if (fd < 0) return;
  ssize_t n;
  do n = read(fd, out_buf, sizeof out_buf); while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    /* EIO: every slave of the terminal is closed. */
    if (errno != EIO) shim_diag("read %s: %s", i ? "stderr" : "stdout", strerror(errno));
  }
  if (n <= 0) {
    close(fd); /* also leaves the epoll set */
    l->io.out[i] = -1;
    if (fd == l->io.master) l->io.master = -1;
    return;
  }
  berth_error err;
  shim_loop_log_result(shim_log_write(&l->log, (uint8_t)(i + 1), shim_now_ns(), out_buf, (size_t)n, &err), &err);
  uint8_t type = i == 0 ? SHIM_FRAME_STDOUT : SHIM_FRAME_STDERR;
  if (l->cfg->mode == SHIM_MODE_EXEC && !l->ever_connected) keep_for_replay(l, type, out_buf, (size_t)n);
  else shim_attach_broadcast(&l->attach, type, out_buf, (size_t)n);
}

/* Milliseconds until the next deadline, -1 for none; 0 also when one passed. */
static int next_timeout(shim_loop *l, long drain_deadline, long client_deadline) {
  long t = -1;
  long now = mono_ms();
  long deadlines[2] = {drain_deadline, client_deadline};
  for (int i = 0; i < 2; i++)
    if (deadlines[i] && (t < 0 || deadlines[i] - now < t)) t = deadlines[i] - now;
  uint64_t due = shim_log_due(&l->log);
  if (due) {
    uint64_t ns = mono_ns();
    long wait = due <= ns ? 0 : (long)((due - ns + 999999) / 1000000);
    if (t < 0 || wait < t) t = wait;
  }
  return t < 0 ? -1 : t > 0 ? (int)t : 0;
}

int shim_loop_run(shim_loop *l, berth_error *err) {
  struct epoll_event events[16];
  long drain_deadline = 0, client_deadline = 0;
  for (;;) {
    long now = mono_ms();
    if (l->exited) {
      if (!drain_deadline) drain_deadline = now + SHIM_DRAIN_MS;
      if (l->io.out[0] >= 0 || l->io.out[1] >= 0) {
        if (now >= drain_deadline) {
          shim_diag("output still open %d ms after the exit; not waiting longer", SHIM_DRAIN_MS);
          break;
        }
      } else {
        drain_deadline = 0;
        /* exec: the output and exit still go to the first client. */
        if (l->cfg->mode != SHIM_MODE_EXEC || l->ever_connected) break;
        shim_loop_record_exit(l);
        if (!client_deadline) client_deadline = now + SHIM_EXEC_CLIENT_WAIT_MS;
        if (now >= client_deadline) {
          shim_diag("no client connected in %d ms after the exit", SHIM_EXEC_CLIENT_WAIT_MS);
          break;
        }
      }
    }
    int n = epoll_wait(l->epfd, events, 16, next_timeout(l, drain_deadline, client_deadline));
    if (n < 0) {
      if (errno == EINTR) continue;
      return berth_fail(err, errno, "epoll_wait");
    }
    uint64_t due = shim_log_due(&l->log);
    if (due && mono_ns() >= due) {
      berth_error lerr;
      shim_loop_log_result(shim_log_flush(&l->log, 0, &lerr), &lerr);
    }
    for (int i = 0; i < n; i++) {
      uint64_t tag = events[i].data.u64;
      if (tag == SHIM_TAG_SIGNAL) handle_signals(l);
      else if (tag == SHIM_TAG_STDOUT) handle_output(l, 0);
      else if (tag == SHIM_TAG_STDERR) handle_output(l, 1);
      else if (tag == SHIM_TAG_STDIN) {
        if (shim_stdin_writable(&l->in)) shim_attach_resume(&l->attach);
      } else if (tag == SHIM_TAG_LISTEN) shim_attach_accept(&l->attach);
      else if (tag >= SHIM_TAG_CLIENT) shim_attach_event(&l->attach, (int)(tag - SHIM_TAG_CLIENT), events[i].events);
    }
  }
  return 0;
}
