/* Whether the kernel's OOM killer struck the process's memory cgroup.
 * The cgroup comes from /proc/PID/cgroup right after create; the counter is
 * memory.oom_control's oom_kill (cgroup v1) or memory.events' oom_kill
 * (cgroup v2), read then and again at the exit: it went up = OOM killed. */
#ifndef SHIM_OOM_H
#define SHIM_OOM_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

typedef struct shim_oom {
  char path[PATH_MAX]; /* the counter file, "" when unknown */
  uint64_t baseline;
} shim_oom;

/* Find pid's memory cgroup and read the counter. */
int shim_oom_init(shim_oom *o, pid_t pid, berth_error *err);

/* 1 if the counter went up since shim_oom_init, 0 if not or unknown. */
int shim_oom_killed(const shim_oom *o);

#endif
