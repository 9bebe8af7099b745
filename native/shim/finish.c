/* The end of the supervised process: complete the log, write exit.json,
 * tell the clients, clean up after the container (create mode), and close. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "exitfile.h"
#include "loop.h"
#include "overlay.h"
#include "runtime.h"

#define SHIM_CLIENT_FLUSH_MS 2000

void shim_loop_record_exit(shim_loop *l) {
  berth_error err;
  if (l->exit_recorded) return;
  l->exit_recorded = 1;
  for (int i = 0; i < 2; i++)
    if (l->io.out[i] >= 0) {
      close(l->io.out[i]);
      l->io.out[i] = -1;
    }
  l->io.master = -1;
  shim_stdin_shutdown(&l->in);
  /* The log is complete before anyone learns of the exit. */
  shim_loop_log_result(shim_log_flush(&l->log, 1, &err), &err);
  /* Like Docker, a container counts as OOM killed if the kernel killed any
   * of its processes; an exec shares the container's cgroup, so only its own
   * SIGKILL counts. */
  int oom = shim_oom_killed(&l->oom);
  if (l->cfg->mode == SHIM_MODE_EXEC)
    oom = oom && WIFSIGNALED(l->wait_status) && WTERMSIG(l->wait_status) == SIGKILL;
  if (shim_exit_format(l->wait_status, l->exited_ns, oom, l->exit_text, sizeof l->exit_text, &err) < 0 ||
      shim_exit_write(l->cfg->state_dir, l->exit_text, &err) < 0)
    shim_diag_error("exit.json", &err);
  l->attach.exit_text = l->exit_text;
  shim_attach_broadcast(&l->attach, SHIM_FRAME_EXIT, l->exit_text, strlen(l->exit_text));
}

void shim_loop_finish(shim_loop *l) {
  berth_error err;
  shim_loop_record_exit(l);

  if (l->cfg->mode == SHIM_MODE_CREATE) {
    const char *args[] = {"delete", "--force", l->cfg->id, NULL};
    if (shim_runtime_run(l->cfg, args, &err) < 0) shim_diag_error("runtime delete", &err);
    if (l->overlay_target && shim_overlay_umount(l->overlay_target, &err) < 0) shim_diag_error("overlay", &err);
  }
  /* Anyone who connected meanwhile still learns how the process ended. */
  shim_attach_accept(&l->attach);
  shim_attach_shutdown(&l->attach, SHIM_ATTACH_SOCK, SHIM_CLIENT_FLUSH_MS);
  shim_log_close(&l->log);
  unlink("shim.pid");
  shim_diag("%s %s finished: %s", l->cfg->mode == SHIM_MODE_EXEC ? "exec" : "container",
            l->cfg->mode == SHIM_MODE_EXEC ? l->cfg->exec_id : l->cfg->id, l->exit_text);
}
