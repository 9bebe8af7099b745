/* `run`: create + start; in the foreground it stays the init's parent,
 * forwards signals, waits (copying the terminal when there is one and no
 * console socket), cleans up and returns the container's status. */
#include "runtime.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

static volatile pid_t *fwd_target;

static void forward(int sig) {
  if (fwd_target && *fwd_target > 0) kill(*fwd_target, sig);
}

void forward_signals(volatile pid_t *target) {
  static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
  sigemptyset(&sa.sa_mask);
  fwd_target = target;
  for (size_t k = 0; k < sizeof fwd / sizeof fwd[0]; k++) sigaction(fwd[k], &sa, NULL);
}

int cmd_run(const global_opts *g, const char *id, const create_opts *co, bool detach, berth_error *err) {
  static volatile pid_t child_pid;
  create_opts o = *co;
  pid_t pid;
  /* Forward signals from the start: one arriving during setup goes to the init. */
  if (!detach) forward_signals(&child_pid);
  if (container_create(g, id, &o, &pid, err) < 0) return -1;
  child_pid = pid;
  container_state st;
  if (state_load(g, id, &st, err) < 0 || start_container(g, &st, err) < 0) {
    berth_error ignored;
    kill(pid, SIGKILL);
    if (!detach) waitpid(pid, NULL, 0);
    if (st.dir) destroy_container(&st, &ignored);
    state_free(&st);
    if (o.console_fd >= 0) close(o.console_fd);
    return -1;
  }
  if (detach) { state_free(&st); return 0; }
  int status = 0;
  if (o.console_fd >= 0) {
    int r = console_proxy(o.console_fd, pid, &status, err);
    close(o.console_fd);
    if (r < 0) { state_free(&st); return -1; }
  } else {
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) { state_free(&st); return berth_fail(err, errno, "waiting for the container init"); }
    }
  }
  child_pid = 0;
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  int r = destroy_container(&st, err);
  state_free(&st);
  return r < 0 ? -1 : code;
}
