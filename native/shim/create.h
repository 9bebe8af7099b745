/* Starting the process the shim supervises, through the runtime:
 *   create: RUNTIME create --bundle B --pid-file STATE/init.pid [--console-socket S] ID
 *   exec:   RUNTIME exec --process F --pid-file STATE/exec.pid -d [--console-socket S] ID
 * Without a terminal the process's stdout and stderr are pipes, its stdin a
 * pipe (--stdin) or /dev/null; with one, all three are the pty whose master
 * arrives on STATE/console.sock. */
#ifndef SHIM_CREATE_H
#define SHIM_CREATE_H

#include <sys/types.h>

#include "args.h"
#include "error.h"

typedef struct shim_stdio {
  int out[2];  /* non-blocking read ends of stdout and stderr; with a terminal out[0] is the master, out[1] -1 */
  int in;      /* non-blocking write end of stdin (with a terminal: a dup of the master), or -1 */
  int master;  /* the pty master (borrowed from out[0]) or -1 */
} shim_stdio;

/* On success io holds the shim's ends and *pid the process. On failure *pid
 * is set if the runtime got as far as creating the process. */
int shim_process_create(const shim_config *cfg, shim_stdio *io, pid_t *pid, berth_error *err);

#endif
