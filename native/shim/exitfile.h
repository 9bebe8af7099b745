/* STATE/exit.json, written atomically once the container's init exits:
 *   {"exitCode":N,"signal":S,"exitedAt":"2006-01-02T15:04:05.999999999Z","oomKilled":false} */
#ifndef SHIM_EXITFILE_H
#define SHIM_EXITFILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Format the exit record for a wait status into out (with a trailing newline). */
int shim_exit_format(int wait_status, uint64_t exited_ns, int oom_killed, char *out, size_t size, berth_error *err);

/* Write text to dir/exit.json via a temporary file, fsync and rename. */
int shim_exit_write(const char *dir, const char *text, berth_error *err);

#endif
