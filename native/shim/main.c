/* berth-shim: one per container. See args.h for the command line and
 * attach.h for the attach protocol. The process the daemon spawns forks the
 * shim, waits until it reports, prints one JSON line and exits; the shim
 * lives on in its own session until the container has exited. */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "create.h"
#include "detach.h"
#include "diag.h"
#include "invoker.h"
#include "logfile.h"
#include "loop.h"
#include "overlay.h"
#include "runtime.h"
#include "util.h"

static shim_config cfg;
static shim_loop loop;
static char overlay_target[PATH_MAX];

/* Report a setup failure to the invoker and undo what was done. */
static int fail(int sync_fd, const char *what, berth_error *err) {
  berth_error ignored;
  shim_diag("setup failed: %s: %s", what, err->msg);
  if (loop.init_pid > 0 && cfg.mode == SHIM_MODE_EXEC) {
    kill(loop.init_pid, SIGKILL); /* the container itself is not ours to delete */
  } else if (loop.init_pid > 0) {
    const char *args[] = {"delete", "--force", cfg.id, NULL};
    if (shim_runtime_run(&cfg, args, &ignored) < 0) shim_diag_error("runtime delete", &ignored);
  }
  unlink("shim.pid");
  if (loop.overlay_target && shim_overlay_umount(loop.overlay_target, &ignored) < 0)
    shim_diag_error("overlay", &ignored);
  if (shim_report_error(sync_fd, err->msg, &ignored) < 0) shim_diag_error("report", &ignored);
  return 1;
}

/* STATE/shim.pid: how a restarted daemon finds the shim again. */
static int write_pid_file(berth_error *err) {
  char text[24];
  int n = snprintf(text, sizeof text, "%d\n", (int)getpid());
  {
    _cleanup_close_ int fd = open("shim.pid.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return berth_fail(err, errno, "create shim.pid.tmp");
    if (shim_write_all(fd, text, (size_t)n, err) < 0) return -1;
  }
  if (rename("shim.pid.tmp", "shim.pid") < 0) return berth_fail(err, errno, "rename shim.pid.tmp");
  return 0;
}

static int run_shim(int sync_fd) {
  berth_error err;
  berth_error_clear(&err);
  loop.cfg = &cfg;
  loop.epfd = loop.sigfd = -1;
  loop.io.out[0] = loop.io.out[1] = loop.io.in = loop.io.master = -1;

  if (shim_detach(sync_fd, cfg.state_dir, &err) < 0) return fail(sync_fd, "detach", &err);
  /* Client backlogs come and go; fixed thresholds make glibc hand their
   * memory back instead of keeping the high-water mark (musl's malloc
   * returns freed large blocks by itself). */
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 16 * 1024);
  mallopt(M_TRIM_THRESHOLD, 16 * 1024);
#endif
  if (shim_diag_open("shim.log", &err) < 0) err.msg[0] = '\0'; /* diagnostics are optional */
  if (cfg.mode == SHIM_MODE_EXEC) shim_diag("shim for exec %s in %s starting", cfg.exec_id, cfg.id);
  else shim_diag("shim for %s starting", cfg.id);
  if (write_pid_file(&err) < 0) return fail(sync_fd, "shim.pid", &err);
  if ((loop.sigfd = shim_signalfd(&err)) < 0) return fail(sync_fd, "signals", &err);
  if ((loop.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
    berth_fail(&err, errno, "epoll_create1");
    return fail(sync_fd, "epoll", &err);
  }
  if (cfg.overlay_opts) {
    if (shim_overlay_mount(cfg.bundle, cfg.overlay_opts, overlay_target, sizeof overlay_target, &err) < 0)
      return fail(sync_fd, "overlay", &err);
    loop.overlay_target = overlay_target;
  }
  if (shim_log_open(&loop.log, &cfg, &err) < 0) return fail(sync_fd, "log file", &err);
  if (shim_process_create(&cfg, &loop.io, &loop.init_pid, &err) < 0)
    return fail(sync_fd, cfg.mode == SHIM_MODE_EXEC ? "exec" : "create", &err);
  shim_diag("process created, pid %d", (int)loop.init_pid);
  if (shim_oom_init(&loop.oom, loop.init_pid, &err) < 0) shim_diag_error("OOM detection unavailable", &err);
  else shim_diag("OOM counter %s", loop.oom.path);
  if (shim_loop_init(&loop, &err) < 0) return fail(sync_fd, "attach", &err);
  if (shim_report_ready(sync_fd, loop.init_pid, &err) < 0) shim_diag_error("report ready", &err);
  close(sync_fd);

  if (shim_loop_run(&loop, &err) < 0) {
    shim_diag_error("event loop", &err);
    if (!loop.exited) {
      /* Without a loop the container cannot be supervised: end it. */
      kill(loop.init_pid, SIGKILL);
      int status = 0;
      while (waitpid(loop.init_pid, &status, 0) < 0 && errno == EINTR) {}
      loop.exited = 1;
      loop.wait_status = status;
    }
  }
  shim_loop_finish(&loop);
  return 0;
}

int main(int argc, char **argv) {
  berth_error err;
  berth_error_clear(&err);
  if (shim_ensure_stdio(&err) < 0) return 2;
  if (shim_parse_args(argc, argv, &cfg, &err) < 0) {
    shim_print_error(err.msg);
    return 2;
  }
  int sync_pipe[2];
  if (pipe2(sync_pipe, O_CLOEXEC) < 0) {
    berth_fail(&err, errno, "pipe");
    shim_print_error(err.msg);
    return 1;
  }
  pid_t child = fork();
  if (child < 0) {
    berth_fail(&err, errno, "fork");
    shim_print_error(err.msg);
    return 1;
  }
  if (child > 0) {
    close(sync_pipe[1]);
    return shim_invoker_finish(sync_pipe[0], child);
  }
  close(sync_pipe[0]);
  return run_shim(sync_pipe[1]);
}
