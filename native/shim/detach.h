/* Turning the forked child into a detached shim process. */
#ifndef SHIM_DETACH_H
#define SHIM_DETACH_H

#include "error.h"

/* Make sure fds 0-2 are open (on /dev/null if not), so pipes never land there. */
int shim_ensure_stdio(berth_error *err);

/* New session, child subreaper, cwd = state_dir, stdio on /dev/null, every
 * fd except keep_fd closed, SIGPIPE and SIGHUP ignored. */
int shim_detach(int keep_fd, const char *state_dir, berth_error *err);

/* Block SIGCHLD, SIGTERM and SIGINT and return a non-blocking signalfd for them. */
int shim_signalfd(berth_error *err);

#endif
