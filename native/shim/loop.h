/* The shim's event loop: container output to the log and attach clients,
 * attach commands, signals (SIGCHLD reaping as a subreaper, SIGTERM
 * forwarded to the container), and the end of the container. */
#ifndef SHIM_LOOP_H
#define SHIM_LOOP_H

#include <stdint.h>
#include <sys/types.h>

#include "args.h"
#include "attach.h"
#include "error.h"

#define SHIM_ATTACH_SOCK "attach.sock"

typedef struct shim_loop {
  const shim_config *cfg;
  pid_t init_pid;
  int epfd;
  int sigfd;
  int log_fd;
  int pipe_fd[2];              /* read ends of the container's stdout, stderr; -1 after EOF */
  const char *overlay_target;  /* mounted by us, or NULL */
  int exited;
  int wait_status;
  uint64_t exited_ns;
  char exit_text[160];
  shim_attach attach;
} shim_loop;

/* Register the signal fd and output pipes with l->epfd (already created)
 * and bind the attach socket. */
int shim_loop_init(shim_loop *l, berth_error *err);

/* Run until the init process has exited and its output is drained. */
int shim_loop_run(shim_loop *l, berth_error *err);

/* Record the exit (exit.json, exit frame), delete the container, unmount
 * the overlay, close clients. */
void shim_loop_finish(shim_loop *l);

#endif
