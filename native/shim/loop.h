/* The shim's event loop: process output to the log and attach clients,
 * attach commands and stdin, signals (SIGCHLD reaping as a subreaper,
 * SIGTERM forwarded to the process), and the end of the process. */
#ifndef SHIM_LOOP_H
#define SHIM_LOOP_H

#include <stdint.h>
#include <sys/types.h>

#include "args.h"
#include "attach.h"
#include "create.h"
#include "error.h"
#include "logfile.h"
#include "oom.h"
#include "stdin.h"

#define SHIM_ATTACH_SOCK "attach.sock"
/* exec: output kept for the first client (it connects after the process started). */
#define SHIM_REPLAY_MAX (1024 * 1024)
/* exec: how long a shim whose process has ended waits for that first client. */
#define SHIM_EXEC_CLIENT_WAIT_MS 10000

/* epoll tags (attach.h has 4 and 16+). */
#define SHIM_TAG_SIGNAL 1u
#define SHIM_TAG_STDOUT 2u
#define SHIM_TAG_STDERR 3u
#define SHIM_TAG_STDIN 5u

typedef struct shim_loop {
  const shim_config *cfg;
  pid_t init_pid;              /* the container's init, or the exec'd process */
  int epfd;
  int sigfd;
  shim_stdio io;               /* out[] become -1 at EOF */
  shim_stdin in;
  shim_log log;
  shim_oom oom;
  const char *overlay_target;  /* mounted by us, or NULL */
  int exited;
  int wait_status;
  uint64_t exited_ns;
  int exit_recorded;           /* exit.json written, exit frame sent */
  int ever_connected;          /* some client has connected */
  unsigned char *replay;       /* exec: framed output waiting for the first client */
  size_t replay_len;
  int replay_dropped;          /* the replay filled up; later output is not kept */
  char exit_text[192];
  shim_attach attach;
} shim_loop;

/* Register the signal fd, output and stdin with l->epfd (already created)
 * and bind the attach socket. */
int shim_loop_init(shim_loop *l, berth_error *err);

/* Run until the process has exited and its output is drained. */
int shim_loop_run(shim_loop *l, berth_error *err);

/* finish.c: complete the log, write exit.json, send the exit frame (once). */
void shim_loop_record_exit(shim_loop *l);

/* Record the exit if not done yet, delete the container, unmount
 * the overlay, close clients. */
void shim_loop_finish(shim_loop *l);

/* commands.c: the attach socket's command, stdin and accept handlers. */
void shim_loop_command(shim_attach *a, int slot, uint8_t type, const char *payload, size_t len, void *ctx);
ssize_t shim_loop_stdin(void *ctx, const void *data, size_t len, const char **why);
void shim_loop_accept(shim_attach *a, int slot, void *ctx);

/* loop.c: report log write failures (once per run of failures). */
void shim_loop_log_result(int rc, const berth_error *err);

#endif
