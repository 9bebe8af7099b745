/* Running the OCI runtime (runc's CLI):
 *   RUNTIME [--root R] --log STATE/runtime.log --log-format json ARGS...
 * The runtime's error message is the last "msg" it logged as JSON. */
#ifndef SHIM_RUNTIME_H
#define SHIM_RUNTIME_H

#include <stddef.h>
#include <sys/types.h>

#include "args.h"
#include "error.h"

#define SHIM_CAPTURE_MAX 2048

typedef struct shim_capture {
  char buf[SHIM_CAPTURE_MAX]; /* the last bytes the runtime printed */
  size_t len;
} shim_capture;

/* Start the runtime with args (NULL-terminated). Its stdin is in_fd, or
 * the shim's fd 0 (/dev/null) when in_fd is -1; stdout out_fd, stderr err_fd. */
int shim_runtime_spawn(const shim_config *cfg, const char *const *args, int in_fd, int out_fd, int err_fd,
                       pid_t *pid, berth_error *err);

/* Append what the non-blocking fd holds now to cap. */
void shim_capture_drain(int fd, shim_capture *cap);

/* Wait for pid to exit while reading the non-blocking fds (nfds of them)
 * into cap. *status receives the wait status. */
int shim_runtime_wait(pid_t pid, const int *fds, int nfds, shim_capture *cap, int *status, berth_error *err);

/* Size of the runtime log now, to find what a command appends. */
off_t shim_runtime_log_offset(const shim_config *cfg);

/* Fill err with why a command failed: the last "msg" the runtime logged
 * after log_offset, else its captured output, else its exit status. */
int shim_runtime_failure(const shim_config *cfg, const char *what, off_t log_offset, const shim_capture *cap,
                         int status, berth_error *err);

/* Run a runtime command to completion with its output captured; returns -1
 * with the runtime's message in err when it fails. */
int shim_runtime_run(const shim_config *cfg, const char *const *args, berth_error *err);

#endif
