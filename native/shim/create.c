#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "diag.h"
#include "loopback.h"
#include "runtime.h"
#include "util.h"

#define CONSOLE_TIMEOUT_MS 10000

static int read_pid_file(const char *path, pid_t *pid, berth_error *err) {
  char buf[32];
  if (shim_read_small_file(path, buf, sizeof buf, err) < 0) return -1;
  char *end;
  long v = strtol(buf, &end, 10);
  if (end == buf || v <= 0 || (*end && *end != '\n')) return berth_fail(err, 0, "bad pid in %s: %s", path, buf);
  *pid = (pid_t)v;
  return 0;
}

static void close_pair(int p[2]) {
  for (int i = 0; i < 2; i++)
    if (p[i] >= 0) close(p[i]);
  p[0] = p[1] = -1;
}

/* The pipes: [0] stdin (only with --stdin and no terminal), [1] stdout, [2] stderr. */
static int make_pipes(const shim_config *cfg, int p[3][2], berth_error *err) {
  for (int i = 0; i < 3; i++) p[i][0] = p[i][1] = -1;
  for (int i = 0; i < 3; i++) {
    if (i == 0 && (!cfg->open_stdin || cfg->terminal)) continue;
    if (pipe2(p[i], O_CLOEXEC) < 0) return berth_fail(err, errno, "pipe");
  }
  return 0;
}

static void build_args(const shim_config *cfg, const char **args) {
  int n = 0;
  if (cfg->mode == SHIM_MODE_EXEC) {
    args[n++] = "exec";
    args[n++] = "--process";
    args[n++] = cfg->process;
    args[n++] = "--pid-file";
    args[n++] = cfg->pid_file;
    args[n++] = "-d";
  } else {
    args[n++] = "create";
    args[n++] = "--bundle";
    args[n++] = cfg->bundle;
    args[n++] = "--pid-file";
    args[n++] = cfg->pid_file;
  }
  if (cfg->terminal) {
    args[n++] = "--console-socket";
    args[n++] = cfg->console_sock;
  }
  args[n++] = cfg->id;
  args[n] = NULL;
}

static int run_runtime(const shim_config *cfg, int p[3][2], berth_error *err) {
  const char *args[16];
  build_args(cfg, args);
  off_t offset = shim_runtime_log_offset(cfg);
  unlink(cfg->pid_file);
  pid_t pid;
  int rc = shim_runtime_spawn(cfg, args, p[0][0], p[1][1], p[2][1], &pid, err);
  /* Only the runtime (and the process after it) may hold the child's ends,
   * so the pipes reach EOF when the process is gone. */
  for (int i = 0; i < 3; i++) {
    int child_end = i == 0 ? 0 : 1;
    if (p[i][child_end] >= 0) close(p[i][child_end]);
    p[i][child_end] = -1;
  }
  if (rc < 0) return -1;
  if (shim_set_nonblock(p[1][0], err) < 0 || shim_set_nonblock(p[2][0], err) < 0) return -1;
  if (p[0][1] >= 0 && shim_set_nonblock(p[0][1], err) < 0) return -1;
  int fds[2] = {p[1][0], p[2][0]};
  /* An exec'd process runs at once: what it prints before the runtime
   * exits is its output, so the pipes are read only if the runtime fails. */
  int capture = cfg->mode == SHIM_MODE_CREATE || cfg->terminal;
  static shim_capture cap;
  cap.len = 0;
  cap.buf[0] = '\0';
  int status;
  if (shim_runtime_wait(pid, fds, capture ? 2 : 0, &cap, &status, err) < 0) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (!capture) {
      shim_capture_drain(fds[0], &cap);
      shim_capture_drain(fds[1], &cap);
    }
    return shim_runtime_failure(cfg, args[0], offset, &cap, status, err);
  }
  if (capture && cap.len) shim_diag("runtime %s printed: %s", args[0], cap.buf);
  return 0;
}

int shim_process_create(const shim_config *cfg, shim_stdio *io, pid_t *pid, berth_error *err) {
  io->out[0] = io->out[1] = io->in = io->master = -1;
  int p[3][2];
  _cleanup_close_ int console = -1;
  int rc = -1;
  if (make_pipes(cfg, p, err) < 0) goto out;
  if (cfg->terminal && (console = shim_console_listen(cfg->console_sock, err)) < 0) goto out;
  if (run_runtime(cfg, p, err) < 0) goto out;
  if (read_pid_file(cfg->pid_file, pid, err) < 0) {
    berth_error_wrap(err, "runtime %s", cfg->mode == SHIM_MODE_EXEC ? "exec" : "create");
    goto out;
  }
  if (cfg->mode == SHIM_MODE_CREATE && shim_loopback_up(*pid, err) < 0) goto out;
  if (cfg->terminal) {
    char name[128];
    int master = shim_console_receive(console, CONSOLE_TIMEOUT_MS, name, sizeof name, err);
    if (master < 0) goto out;
    shim_diag("terminal %s", name);
    io->out[0] = io->master = master;
    if (cfg->open_stdin && (io->in = fcntl(master, F_DUPFD_CLOEXEC, 3)) < 0) {
      berth_fail(err, errno, "dup terminal");
      goto out;
    }
  } else {
    io->out[0] = p[1][0];
    io->out[1] = p[2][0];
    io->in = p[0][1];
    p[1][0] = p[2][0] = p[0][1] = -1;
  }
  rc = 0;
out:
  for (int i = 0; i < 3; i++) close_pair(p[i]);
  if (cfg->terminal) unlink(cfg->console_sock);
  if (rc < 0) {
    if (io->master >= 0) close(io->master);
    io->out[0] = io->master = -1;
  }
  return rc;
}
