/* The console socket for a process with a terminal: the runtime is given
 * --console-socket STATE/console.sock, connects, and sends the pty master
 * as SCM_RIGHTS with the terminal's name as the payload. */
#ifndef SHIM_CONSOLE_H
#define SHIM_CONSOLE_H

#include <stddef.h>

#include "error.h"

/* Bind and listen on path (mode 0600); returns the socket fd. */
int shim_console_listen(const char *path, berth_error *err);

/* Accept the runtime's connection (waiting up to timeout_ms) and receive the
 * master; returns the fd (close-on-exec, non-blocking). name gets the
 * terminal's name. */
int shim_console_receive(int listen_fd, int timeout_ms, char *name, size_t size, berth_error *err);

#endif
