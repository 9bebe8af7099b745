/* Command line of berth-shim:
 *   berth-shim --id ID --bundle DIR --state-dir DIR --runtime PATH
 *              [--runtime-root DIR] [--rootfs-overlay OPTIONS] [COMMON...]
 *   berth-shim exec --id CONTAINER_ID --exec-id EXEC_ID --state-dir DIR
 *              --runtime PATH [--runtime-root DIR] --process FILE [COMMON...]
 * COMMON: [--stdin] [--terminal] [--log-file PATH]
 *         [--log-driver local|json-file|none] [--log-max-size BYTES] [--log-max-file N]
 * Every path is made absolute here, before the shim changes directory. */
#ifndef SHIM_ARGS_H
#define SHIM_ARGS_H

#include <limits.h>
#include <stdint.h>

#include "error.h"

typedef enum { SHIM_MODE_CREATE, SHIM_MODE_EXEC } shim_mode;
typedef enum { SHIM_LOG_LOCAL, SHIM_LOG_JSON, SHIM_LOG_NONE } shim_log_driver;

typedef struct shim_config {
  shim_mode mode;
  const char *id;               /* the container */
  const char *exec_id;          /* exec mode only */
  char bundle[PATH_MAX];        /* create mode: absolute, exists */
  char process[PATH_MAX];       /* exec mode: absolute path of the process JSON */
  char state_dir[PATH_MAX];     /* absolute, exists (created if missing) */
  char runtime[PATH_MAX];       /* absolute if given with a slash, else a name for PATH */
  char runtime_root[PATH_MAX];  /* absolute, or "" when not given */
  const char *overlay_opts;     /* overlay mount data, or NULL */
  int open_stdin;               /* --stdin: the process's stdin is a pipe (or the pty) the shim writes */
  int terminal;                 /* --terminal: the process runs on a pty received via console.sock */
  shim_log_driver log_driver;   /* default local; none for exec unless a log flag is given */
  uint64_t log_max_size;        /* 0: never rotate */
  unsigned log_max_file;        /* files kept when rotating, >= 1 */
  char log_file[PATH_MAX];      /* absolute; default STATE/container.log */
  char runtime_log[PATH_MAX];   /* STATE/runtime.log */
  char pid_file[PATH_MAX];      /* STATE/init.pid, or STATE/exec.pid */
  char console_sock[PATH_MAX];  /* STATE/console.sock */
} shim_config;

int shim_parse_args(int argc, char **argv, shim_config *cfg, berth_error *err);

#endif
