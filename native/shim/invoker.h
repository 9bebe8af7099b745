/* The conversation between the process the daemon spawned (the invoker) and
 * the detached shim, over a pipe: the shim writes one message and closes it.
 *   "R<init pid> <shim pid>"  ready
 *   "E<message>"              failed
 * The invoker turns it into one JSON line on stdout and its exit code. */
#ifndef SHIM_INVOKER_H
#define SHIM_INVOKER_H

#include <sys/types.h>

#include "error.h"

int shim_report_ready(int fd, pid_t init_pid, berth_error *err);
int shim_report_error(int fd, const char *message, berth_error *err);

/* Print {"ok":false,"error":MESSAGE} on stdout. */
void shim_print_error(const char *message);

/* Wait for the shim's message on fd, print the JSON line, return the exit code. */
int shim_invoker_finish(int fd, pid_t child);

#endif
