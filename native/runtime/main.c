/* berth-runtime: an OCI runtime with runc's command line.
 *   berth-runtime [global options] COMMAND [options] ARGS
 * Errors go to stderr (and --log); the exit status is then 1. */
#include "runtime.h"

#include <string.h>

typedef struct {
  const char *long_name; char short_name; bool takes_value;
  const char *value; bool set;
  const char **multi; size_t *nmulti; /* repeatable: every value is appended here */
} opt;

static void usage(FILE *f) {
  fprintf(f,
    "usage: berth-runtime [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND [options] ARGS\n"
    "commands:\n"
    "  create [--bundle DIR] [--pid-file FILE] [--console-socket PATH] [--preserve-fds N] [--no-pivot] ID\n"
    "                                                            create a container, blocked before exec\n"
    "  start ID                                                  let a created container exec its process\n"
    "  run [-d] [create options] ID                              create and start; wait unless -d\n"
    "  exec [--process FILE | -t -d --cwd DIR -e K=V -u UID[:GID] --cap CAP --console-socket PATH --pid-file FILE\n"
    "       --preserve-fds N --no-new-privs] ID [COMMAND ARGS...]  run another process in the container\n"
    "  pause ID / resume ID                                      freeze / thaw every process of the container\n"
    "  ps [--format table|json] ID                               the container's processes\n"
    "  update [-r FILE | --memory --memory-swap --cpu-shares --cpu-quota --cpu-period --cpuset-cpus\n"
    "         --cpuset-mems --pids-limit] ID                    change the container's cgroup limits\n"
    "  events [--stats] [--interval 5s] ID                       statistics (and OOM events) as JSON lines\n"
    "  state ID                                                  print the runtime-spec state JSON\n"
    "  kill [--all] ID [SIGNAL]                                  send a signal (default TERM)\n"
    "  delete [--force] ID                                       remove a stopped container\n"
    "  list [-q] [--format table|json]                           list containers\n"
    "  spec [--bundle DIR]                                       write a default config.json\n"
    "  features                                                  print the supported features as JSON\n");
}

/* Parse options (anywhere among the arguments) into `opts`; positional
 * arguments are collected into pos. */
/* With `rest` set, parsing stops at the first positional argument, and
 * *rest is the index of the argument after it (exec ID CMD ARGS...). */
static int parse_opts_rest(int argc, char **argv, opt *opts, const char **pos, int *npos, int maxpos, int *rest, berth_error *err) {
  *npos = 0;
  bool only_pos = false;
  if (rest) *rest = argc;
  for (int i = 0; i < argc; i++) {
    char *a = argv[i];
    if (only_pos || a[0] != '-' || !a[1]) {
      if (*npos >= maxpos) return berth_fail(err, 0, "unexpected argument \"%s\"", a);
      pos[(*npos)++] = a;
      if (rest) { *rest = i + 1; return 0; }
      continue;
    }
    if (strcmp(a, "--") == 0) { only_pos = true; continue; }
    const char *name = a[1] == '-' ? a + 2 : a + 1, *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    opt *o = NULL;
    for (opt *p = opts; p->long_name; p++)
      if ((nlen == strlen(p->long_name) && strncmp(name, p->long_name, nlen) == 0) ||
          (nlen == 1 && p->short_name == name[0]))
        o = p;
    if (!o) return berth_fail(err, 0, "unknown option %s (see berth-runtime --help)", a);
    o->set = true;
    if (!o->takes_value) continue;
    if (eq) o->value = eq + 1;
    else if (i + 1 < argc) o->value = argv[++i];
    else return berth_fail(err, 0, "option %s needs a value", a);
    if (o->multi) o->multi[(*o->nmulti)++] = o->value;
  }
  return 0;
}

static int parse_opts(int argc, char **argv, opt *opts, const char **pos, int *npos, int maxpos, berth_error *err) {
  return parse_opts_rest(argc, argv, opts, pos, npos, maxpos, NULL, err);
}

static int parse_count(const char *flag, const char *v, int *out, berth_error *err) {
  char *end;
  long n = strtol(v, &end, 10);
  if (end == v || *end || n < 0 || n > 100000) return berth_fail(err, 0, "--%s %s: not a count", flag, v);
  *out = (int)n;
  return 0;
}

#define OPT(l, s, v) { l, s, v, NULL, false, NULL, NULL }
#define OPT_END { NULL, 0, false, NULL, false, NULL, NULL }

static int dispatch_exec(global_opts *g, int argc, char **argv, berth_error *err) {
  const char *pos[1], *envs[argc + 1], *caps[argc + 1], *gids[argc + 1], *cgroups[argc + 1];
  int npos, rest;
  exec_opts eo = { .env = envs, .caps = caps, .gids = gids, .cgroups = cgroups };
  opt o[] = { OPT("process", 'p', true), OPT("tty", 't', false), OPT("detach", 'd', false), OPT("cwd", 0, true),
              { "env", 'e', true, NULL, false, envs, &eo.nenv }, OPT("user", 'u', true), OPT("console-socket", 0, true),
              OPT("pid-file", 0, true), { "cap", 'c', true, NULL, false, caps, &eo.ncaps }, OPT("no-new-privs", 0, false),
              OPT("preserve-fds", 0, true), { "additional-gids", 'g', true, NULL, false, gids, &eo.ngids },
              OPT("process-label", 0, true), OPT("apparmor", 0, true), OPT("ignore-paused", 0, false),
              { "cgroup", 0, true, NULL, false, cgroups, &eo.ncgroups }, OPT_END };
  if (parse_opts_rest(argc, argv, o, pos, &npos, 1, &rest, err) < 0) return -1;
  if (npos < 1) return berth_fail(err, 0, "\"exec\" requires a container id");
  eo.process_label = o[12].value; eo.apparmor = o[13].value;
  eo.process_file = o[0].value; eo.tty = o[1].set; eo.tty_set = o[1].set; eo.detach = o[2].set; eo.cwd = o[3].value;
  eo.user = o[5].value; eo.console_socket = o[6].value; eo.pid_file = o[7].value; eo.no_new_privs = o[9].set;
  if (o[10].set && parse_count("preserve-fds", o[10].value, &eo.preserve_fds, err) < 0) return -1;
  eo.args = (const char **)argv + rest;
  eo.nargs = (size_t)(argc - rest);
  if (eo.process_file && eo.nargs) return berth_fail(err, 0, "exec: give either --process FILE or a command, not both");
  return cmd_exec(g, pos[0], &eo, err);
}

static const char *need_id(const char **pos, int npos, const char *cmd, berth_error *err) {
  if (npos < 1) return berth_fail(err, 0, "\"%s\" requires a container id", cmd), NULL;
  return pos[0];
}

static int dispatch(global_opts *g, const char *cmd, int argc, char **argv, berth_error *err) {
  const char *pos[3];
  int npos;
  if (strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0) {
    opt o[] = { OPT("bundle", 'b', true), OPT("pid-file", 0, true), OPT("no-pivot", 0, false), OPT("detach", 'd', false),
                OPT("console-socket", 0, true), OPT("no-new-keyring", 0, false), OPT("preserve-fds", 0, true),
                OPT("keep", 0, false), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    if (o[3].set && cmd[0] == 'c') return berth_fail(err, 0, "unknown option --detach for create");
    create_opts co = { .bundle = o[0].set ? o[0].value : ".", .pid_file = o[1].value, .no_pivot = o[2].set,
                       .console_socket = o[4].value, .console_fd = -1 };
    if (o[6].set && parse_count("preserve-fds", o[6].value, &co.preserve_fds, err) < 0) return -1;
    if (cmd[0] == 'r') { co.foreground = !o[3].set; return cmd_run(g, id, &co, o[3].set, err); }
    pid_t pid;
    return container_create(g, id, &co, &pid, err);
  }
  if (strcmp(cmd, "start") == 0 || strcmp(cmd, "state") == 0) {
    opt o[] = { OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    return cmd[3] == 'r' ? cmd_start(g, id, err) : cmd_state(g, id, err);
  }
  if (strcmp(cmd, "kill") == 0) {
    opt o[] = { OPT("all", 'a', false), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 2, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    return cmd_kill(g, id, npos > 1 ? pos[1] : NULL, o[0].set, err);
  }
  if (strcmp(cmd, "delete") == 0) {
    opt o[] = { OPT("force", 'f', false), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    return cmd_delete(g, id, o[0].set, err);
  }
  if (strcmp(cmd, "list") == 0) {
    opt o[] = { OPT("quiet", 'q', false), OPT("format", 'f', true), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 0, err) < 0) return -1;
    const char *fmt = o[1].set ? o[1].value : "table";
    if (strcmp(fmt, "json") != 0 && strcmp(fmt, "table") != 0) return berth_fail(err, 0, "invalid --format %s (table or json)", fmt);
    return cmd_list(g, o[0].set, strcmp(fmt, "json") == 0, err);
  }
  if (strcmp(cmd, "spec") == 0) {
    opt o[] = { OPT("bundle", 'b', true), OPT("rootless", 0, false), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 0, err) < 0) return -1;
    return cmd_spec(o[0].set ? o[0].value : ".", o[1].set, err);
  }
  if (strcmp(cmd, "features") == 0) return cmd_features(err);
  if (strcmp(cmd, "exec") == 0) return dispatch_exec(g, argc, argv, err);
  if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
    opt o[] = { OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    return id ? cmd_pause(g, id, cmd[0] == 'p', err) : -1;
  }
  if (strcmp(cmd, "ps") == 0) {
    opt o[] = { OPT("format", 'f', true), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    const char *fmt = o[0].set ? o[0].value : "table";
    if (strcmp(fmt, "json") != 0 && strcmp(fmt, "table") != 0) return berth_fail(err, 0, "invalid --format %s (table or json)", fmt);
    return id ? cmd_ps(g, id, strcmp(fmt, "json") == 0, err) : -1;
  }
  if (strcmp(cmd, "update") == 0) {
    opt o[] = { OPT("resources", 'r', true), OPT("memory", 'm', true), OPT("memory-swap", 0, true), OPT("cpu-shares", 0, true),
                OPT("cpu-quota", 0, true), OPT("cpu-period", 0, true), OPT("cpuset-cpus", 0, true), OPT("cpuset-mems", 0, true),
                OPT("pids-limit", 0, true), OPT("memory-reservation", 0, true), OPT("kernel-memory", 0, true),
                OPT("blkio-weight", 0, true), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    if (o[9].set || o[10].set || o[11].set) return berth_fail(err, 0, "update: --memory-reservation, --kernel-memory and --blkio-weight are not supported");
    update_opts uo = { .resources_file = o[0].value, .memory = o[1].value, .memory_swap = o[2].value, .cpu_shares = o[3].value,
                       .cpu_quota = o[4].value, .cpu_period = o[5].value, .cpuset_cpus = o[6].value, .cpuset_mems = o[7].value,
                       .pids_limit = o[8].value };
    if (uo.resources_file) for (int k = 1; k <= 8; k++) if (o[k].set) return berth_fail(err, 0, "update: give either -r FILE or flags, not both");
    return cmd_update(g, id, &uo, err);
  }
  if (strcmp(cmd, "events") == 0) {
    opt o[] = { OPT("stats", 0, false), OPT("interval", 0, true), OPT_END };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    return id ? cmd_events(g, id, o[0].set, o[1].value, err) : -1;
  }
  static const char *later[] = { "checkpoint", "restore" };
  for (size_t k = 0; k < sizeof later / sizeof later[0]; k++)
    if (strcmp(cmd, later[k]) == 0) return berth_fail(err, 0, "the \"%s\" command is not supported yet", cmd);
  return berth_fail(err, 0, "unknown command \"%s\" (see berth-runtime --help)", cmd);
}

int main(int argc, char **argv) {
  global_opts g = { .root = DEFAULT_ROOT };
  berth_error err;
  berth_error_clear(&err);
  int i = 1;
  const char *fmt = "text";
  for (; i < argc && argv[i][0] == '-'; i++) {
    char *a = argv[i], *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
#define IS(s) (n == strlen(s) && strncmp(a, s, n) == 0)
#define VALUE() (eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL))
    if (IS("--help") || IS("-h")) { usage(stdout); return 0; }
    if (IS("--version") || IS("-v")) { printf("berth-runtime version 0.1.0\nspec: %s\n", BERTH_OCI_VERSION); return 0; }
    if (IS("--debug")) { g.debug = true; continue; }
    if (IS("--root") || IS("--log") || IS("--log-format") || IS("--criu") || IS("--rootless")) {
      const char *v = VALUE();
      if (!v) { fprintf(stderr, "berth-runtime: option %.*s needs a value\n", (int)n, a); return 1; }
      if (IS("--root")) g.root = v;
      else if (IS("--log")) g.log_path = v;
      else if (IS("--log-format")) fmt = v;
      continue;
    }
    if (IS("--systemd-cgroup")) { fprintf(stderr, "berth-runtime: --systemd-cgroup is not supported: use cgroupfs paths\n"); return 1; }
    fprintf(stderr, "berth-runtime: unknown global option %s (see berth-runtime --help)\n", a);
    return 1;
  }
  if (strcmp(fmt, "json") == 0) g.log_json = true;
  else if (strcmp(fmt, "text") != 0) { fprintf(stderr, "berth-runtime: invalid --log-format %s (text or json)\n", fmt); return 1; }
  log_setup(&g);
  if (i >= argc) { usage(stderr); return 1; }
  const char *cmd = argv[i];
  int r = dispatch(&g, cmd, argc - i - 1, argv + i + 1, &err);
  if (r < 0) {
    char msg[BERTH_ERROR_MSG_MAX + 64];
    snprintf(msg, sizeof msg, "berth-runtime %s failed: %s", cmd, err.msg);
    log_error(msg);
    return 1;
  }
  return r; /* run returns the container's status */
}
