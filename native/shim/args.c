#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Make path absolute against the current directory without requiring it to exist. */
static int absolutize(const char *path, char *out, size_t size, berth_error *err) {
  if (path[0] == '/') {
    if (strlen(path) >= size) return berth_fail(err, ENAMETOOLONG, "path %s", path);
    strcpy(out, path);
    return 0;
  }
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return berth_fail(err, errno, "getcwd");
  return shim_path_join(out, size, cwd, path, err);
}

static int existing_dir(const char *flag, const char *path, char *out, berth_error *err) {
  char resolved[PATH_MAX];
  if (!realpath(path, resolved)) return berth_fail(err, errno, "%s %s", flag, path);
  struct stat st;
  if (stat(resolved, &st) < 0) return berth_fail(err, errno, "%s %s", flag, path);
  if (!S_ISDIR(st.st_mode)) return berth_fail(err, ENOTDIR, "%s %s", flag, path);
  strcpy(out, resolved);
  return 0;
}

static int valid_id(const char *id) {
  if (!id[0] || strlen(id) > 1024) return 0;
  for (const char *p = id; *p; p++)
    if (*p == '/' || (unsigned char)*p < 0x20) return 0;
  return strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

static int parse_u64(const char *flag, const char *s, uint64_t max, uint64_t *out, berth_error *err) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (s[0] < '0' || s[0] > '9' || *end || errno || v > max) return berth_fail(err, 0, "invalid %s %s", flag, s);
  *out = v;
  return 0;
}

static int parse_driver(const char *s, shim_log_driver *out, berth_error *err) {
  if (strcmp(s, "local") == 0) *out = SHIM_LOG_LOCAL;
  else if (strcmp(s, "json-file") == 0) *out = SHIM_LOG_JSON;
  else if (strcmp(s, "none") == 0) *out = SHIM_LOG_NONE;
  else return berth_fail(err, 0, "invalid --log-driver %s (local, json-file or none)", s);
  return 0;
}

int shim_parse_args(int argc, char **argv, shim_config *cfg, berth_error *err) {
  static const struct option opts[] = {
      {"id", required_argument, NULL, 'i'},
      {"bundle", required_argument, NULL, 'b'},
      {"state-dir", required_argument, NULL, 's'},
      {"runtime", required_argument, NULL, 'r'},
      {"runtime-root", required_argument, NULL, 'R'},
      {"rootfs-overlay", required_argument, NULL, 'o'},
      {"log-file", required_argument, NULL, 'l'},
      {"exec-id", required_argument, NULL, 'e'},
      {"process", required_argument, NULL, 'p'},
      {"stdin", no_argument, NULL, 'I'},
      {"terminal", no_argument, NULL, 't'},
      {"log-driver", required_argument, NULL, 'd'},
      {"log-max-size", required_argument, NULL, 'm'},
      {"log-max-file", required_argument, NULL, 'n'},
      {NULL, 0, NULL, 0},
  };
  const char *bundle = NULL, *state = NULL, *runtime = NULL, *root = NULL, *log = NULL, *process = NULL;
  int driver_given = 0;
  uint64_t max_file = 1;
  memset(cfg, 0, sizeof *cfg);
  if (argc > 1 && strcmp(argv[1], "exec") == 0) {
    cfg->mode = SHIM_MODE_EXEC;
    argv++;
    argc--;
  }
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'i': cfg->id = optarg; break;
      case 'b': bundle = optarg; break;
      case 's': state = optarg; break;
      case 'r': runtime = optarg; break;
      case 'R': root = optarg; break;
      case 'o': cfg->overlay_opts = optarg; break;
      case 'l': log = optarg; break;
      case 'e': cfg->exec_id = optarg; break;
      case 'p': process = optarg; break;
      case 'I': cfg->open_stdin = 1; break;
      case 't': cfg->terminal = 1; break;
      case 'd':
        if (parse_driver(optarg, &cfg->log_driver, err) < 0) return -1;
        driver_given = 1;
        break;
      case 'm':
        if (parse_u64("--log-max-size", optarg, UINT64_MAX, &cfg->log_max_size, err) < 0) return -1;
        break;
      case 'n':
        if (parse_u64("--log-max-file", optarg, 1000, &max_file, err) < 0) return -1;
        if (max_file < 1) return berth_fail(err, 0, "--log-max-file must be at least 1");
        break;
      default:
        if (optopt) return berth_fail(err, 0, "option %s needs a value", argv[optind - 1]);
        return berth_fail(err, 0, "unknown option %s", argv[optind - 1]);
    }
  }
  cfg->log_max_file = (unsigned)max_file;
  int exec = cfg->mode == SHIM_MODE_EXEC;
  if (optind < argc) return berth_fail(err, 0, "unexpected argument %s", argv[optind]);
  if (!cfg->id) return berth_fail(err, 0, "--id is required");
  if (!valid_id(cfg->id)) return berth_fail(err, 0, "invalid --id %s", cfg->id);
  if (exec) {
    if (!cfg->exec_id) return berth_fail(err, 0, "--exec-id is required");
    if (!valid_id(cfg->exec_id)) return berth_fail(err, 0, "invalid --exec-id %s", cfg->exec_id);
    if (!process) return berth_fail(err, 0, "--process is required");
    if (bundle || cfg->overlay_opts) return berth_fail(err, 0, "exec takes no --bundle or --rootfs-overlay");
    /* Exec output is not the container's log unless asked for. */
    if (!driver_given && !log) cfg->log_driver = SHIM_LOG_NONE;
  } else {
    if (cfg->exec_id || process) return berth_fail(err, 0, "--exec-id and --process need the exec command");
    if (!bundle) return berth_fail(err, 0, "--bundle is required");
  }
  if (!state) return berth_fail(err, 0, "--state-dir is required");
  if (!runtime || !runtime[0]) return berth_fail(err, 0, "--runtime is required");
  if (cfg->overlay_opts && !cfg->overlay_opts[0]) return berth_fail(err, 0, "--rootfs-overlay is empty");

  if (bundle && existing_dir("--bundle", bundle, cfg->bundle, err) < 0) return -1;
  if (process) {
    if (absolutize(process, cfg->process, sizeof cfg->process, err) < 0) return -1;
    if (access(cfg->process, R_OK) < 0) return berth_fail(err, errno, "--process %s", process);
  }
  if (mkdir(state, 0700) < 0 && errno != EEXIST) return berth_fail(err, errno, "--state-dir %s", state);
  if (existing_dir("--state-dir", state, cfg->state_dir, err) < 0) return -1;

  if (strchr(runtime, '/')) {
    if (absolutize(runtime, cfg->runtime, sizeof cfg->runtime, err) < 0) return -1;
    if (access(cfg->runtime, X_OK) < 0) return berth_fail(err, errno, "--runtime %s", runtime);
  } else {
    if (strlen(runtime) >= sizeof cfg->runtime) return berth_fail(err, ENAMETOOLONG, "--runtime");
    strcpy(cfg->runtime, runtime);
  }
  if (root && absolutize(root, cfg->runtime_root, sizeof cfg->runtime_root, err) < 0) return -1;
  if (log) {
    if (absolutize(log, cfg->log_file, sizeof cfg->log_file, err) < 0) return -1;
  } else if (shim_path_join(cfg->log_file, sizeof cfg->log_file, cfg->state_dir, "container.log", err) < 0) {
    return -1;
  }
  if (shim_path_join(cfg->runtime_log, sizeof cfg->runtime_log, cfg->state_dir, "runtime.log", err) < 0 ||
      shim_path_join(cfg->pid_file, sizeof cfg->pid_file, cfg->state_dir, exec ? "exec.pid" : "init.pid", err) < 0 ||
      shim_path_join(cfg->console_sock, sizeof cfg->console_sock, cfg->state_dir, "console.sock", err) < 0)
    return -1;
  return 0;
}
