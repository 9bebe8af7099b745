/* Creating the container: pipes for its output and `RUNTIME create`. */
#ifndef SHIM_CREATE_H
#define SHIM_CREATE_H

#include <sys/types.h>

#include "args.h"
#include "error.h"

/* Run `create --bundle B --pid-file STATE/init.pid ID` with new pipes as the
 * runtime's (and so the container's) stdout and stderr. On success out_rd
 * holds the non-blocking read ends and *init_pid the container's init. */
int shim_container_create(const shim_config *cfg, int out_rd[2], pid_t *init_pid, berth_error *err);

#endif
