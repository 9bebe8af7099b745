/* Command line of berth-shim:
 *   berth-shim --id ID --bundle DIR --state-dir DIR --runtime PATH
 *              [--runtime-root DIR] [--rootfs-overlay OPTIONS] [--log-file PATH]
 * Every path is made absolute here, before the shim changes directory. */
#ifndef SHIM_ARGS_H
#define SHIM_ARGS_H

#include <limits.h>

#include "error.h"

typedef struct shim_config {
  const char *id;
  char bundle[PATH_MAX];        /* absolute, exists */
  char state_dir[PATH_MAX];     /* absolute, exists (created if missing) */
  char runtime[PATH_MAX];       /* absolute if given with a slash, else a name for PATH */
  char runtime_root[PATH_MAX];  /* absolute, or "" when not given */
  const char *overlay_opts;     /* overlay mount data, or NULL */
  char log_file[PATH_MAX];      /* absolute; default STATE/container.log */
  char runtime_log[PATH_MAX];   /* STATE/runtime.log */
  char pid_file[PATH_MAX];      /* STATE/init.pid */
} shim_config;

int shim_parse_args(int argc, char **argv, shim_config *cfg, berth_error *err);

#endif
