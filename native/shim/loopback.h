/* A container in a network namespace of its own gets its loopback up, as
 * Docker's `none` network does: runtimes (runc, crun, ours) leave it down. */
#ifndef SHIM_LOOPBACK_H
#define SHIM_LOOPBACK_H

#include <sys/types.h>

#include "error.h"

/* Brings `lo` up in the network namespace of `pid` when it is not the shim's
 * own (the host's); a namespace whose lo is already up is left as it is. */
int shim_loopback_up(pid_t pid, berth_error *err);

#endif
