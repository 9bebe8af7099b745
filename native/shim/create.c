#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "runtime.h"
#include "util.h"

static int read_pid_file(const char *path, pid_t *pid, berth_error *err) {
  char buf[32];
  if (shim_read_small_file(path, buf, sizeof buf, err) < 0) return -1;
  char *end;
  long v = strtol(buf, &end, 10);
  if (end == buf || v <= 0 || (*end && *end != '\n')) return berth_fail(err, 0, "bad pid in %s: %s", path, buf);
  *pid = (pid_t)v;
  return 0;
}

int shim_container_create(const shim_config *cfg, int out_rd[2], pid_t *init_pid, berth_error *err) {
  int p_out[2], p_err[2];
  if (pipe2(p_out, O_CLOEXEC) < 0) return berth_fail(err, errno, "pipe");
  if (pipe2(p_err, O_CLOEXEC) < 0) {
    int e = errno;
    close(p_out[0]);
    close(p_out[1]);
    return berth_fail(err, e, "pipe");
  }
  _cleanup_close_ int rd_out = p_out[0];
  _cleanup_close_ int rd_err = p_err[0];
  off_t offset = shim_runtime_log_offset(cfg);
  unlink(cfg->pid_file);
  const char *args[] = {"create", "--bundle", cfg->bundle, "--pid-file", cfg->pid_file, cfg->id, NULL};
  pid_t pid;
  int rc = shim_runtime_spawn(cfg, args, p_out[1], p_err[1], &pid, err);
  /* Only the runtime (and the container after it) may hold the write ends,
   * so the pipes reach EOF when the container is gone. */
  close(p_out[1]);
  close(p_err[1]);
  if (rc < 0) return -1;
  int fds[2] = {rd_out, rd_err};
  if (shim_set_nonblock(rd_out, err) < 0 || shim_set_nonblock(rd_err, err) < 0) return -1;
  static shim_capture cap;
  int status;
  if (shim_runtime_wait(pid, fds, 2, &cap, &status, err) < 0) return -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return shim_runtime_failure(cfg, "create", offset, &cap, status, err);
  if (cap.len) shim_diag("runtime create printed: %s", cap.buf);
  if (read_pid_file(cfg->pid_file, init_pid, err) < 0) return berth_error_wrap(err, "runtime create");
  out_rd[0] = rd_out;
  out_rd[1] = rd_err;
  rd_out = rd_err = -1;
  return 0;
}
