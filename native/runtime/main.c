/* berth-runtime: an OCI runtime with runc's command line.
 *   berth-runtime [global options] COMMAND [options] ARGS
 * Errors go to stderr (and --log); the exit status is then 1. */
#include "runtime.h"

#include <string.h>

typedef struct {
  const char *long_name; char short_name; bool takes_value;
  const char *value; bool set;
} opt;

static void usage(FILE *f) {
  fprintf(f,
    "usage: berth-runtime [--root DIR] [--log FILE] [--log-format text|json] [--debug] COMMAND [options] ARGS\n"
    "commands:\n"
    "  create [--bundle DIR] [--pid-file FILE] [--no-pivot] ID   create a container, blocked before exec\n"
    "  start ID                                                  let a created container exec its process\n"
    "  run [-d] [--bundle DIR] [--pid-file FILE] [--no-pivot] ID create and start; wait unless -d\n"
    "  state ID                                                  print the runtime-spec state JSON\n"
    "  kill [--all] ID [SIGNAL]                                  send a signal (default TERM)\n"
    "  delete [--force] ID                                       remove a stopped container\n"
    "  list [-q] [--format table|json]                           list containers\n"
    "  spec [--bundle DIR]                                       write a default config.json\n"
    "  features                                                  print the supported features as JSON\n");
}

/* Parse options (anywhere among the arguments) into `opts`; positional
 * arguments are collected into pos. */
static int parse_opts(int argc, char **argv, opt *opts, const char **pos, int *npos, int maxpos, berth_error *err) {
  *npos = 0;
  bool only_pos = false;
  for (int i = 0; i < argc; i++) {
    char *a = argv[i];
    if (only_pos || a[0] != '-' || !a[1]) {
      if (*npos >= maxpos) return berth_fail(err, 0, "unexpected argument \"%s\"", a);
      pos[(*npos)++] = a;
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
  }
  return 0;
}

static const char *need_id(const char **pos, int npos, const char *cmd, berth_error *err) {
  if (npos < 1) return berth_fail(err, 0, "\"%s\" requires a container id", cmd), NULL;
  return pos[0];
}

static int dispatch(global_opts *g, const char *cmd, int argc, char **argv, berth_error *err) {
  const char *pos[3];
  int npos;
  if (strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0) {
    opt o[] = { { "bundle", 'b', true, NULL, false }, { "pid-file", 0, true, NULL, false }, { "no-pivot", 0, false, NULL, false },
                { "detach", 'd', false, NULL, false }, { "console-socket", 0, true, NULL, false },
                { "no-new-keyring", 0, false, NULL, false }, { "preserve-fds", 0, true, NULL, false },
                { "keep", 0, false, NULL, false }, { NULL, 0, false, NULL, false } };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    if (o[6].set && strcmp(o[6].value, "0") != 0) return berth_fail(err, 0, "--preserve-fds is not supported yet");
    if (o[3].set && cmd[0] == 'c') return berth_fail(err, 0, "unknown option --detach for create");
    create_opts co = { .bundle = o[0].set ? o[0].value : ".", .pid_file = o[1].value, .no_pivot = o[2].set };
    if (cmd[0] == 'r') { co.foreground = !o[3].set; return cmd_run(g, id, &co, o[3].set, err); }
    pid_t pid;
    return container_create(g, id, &co, &pid, err);
  }
  if (strcmp(cmd, "start") == 0 || strcmp(cmd, "state") == 0) {
    opt o[] = { { NULL, 0, false, NULL, false } };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    return cmd[3] == 'r' ? cmd_start(g, id, err) : cmd_state(g, id, err);
  }
  if (strcmp(cmd, "kill") == 0) {
    opt o[] = { { "all", 'a', false, NULL, false }, { NULL, 0, false, NULL, false } };
    if (parse_opts(argc, argv, o, pos, &npos, 2, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    return cmd_kill(g, id, npos > 1 ? pos[1] : NULL, o[0].set, err);
  }
  if (strcmp(cmd, "delete") == 0) {
    opt o[] = { { "force", 'f', false, NULL, false }, { NULL, 0, false, NULL, false } };
    if (parse_opts(argc, argv, o, pos, &npos, 1, err) < 0) return -1;
    const char *id = need_id(pos, npos, cmd, err);
    if (!id) return -1;
    return cmd_delete(g, id, o[0].set, err);
  }
  if (strcmp(cmd, "list") == 0 || strcmp(cmd, "ps") == 0) {
    opt o[] = { { "quiet", 'q', false, NULL, false }, { "format", 'f', true, NULL, false }, { NULL, 0, false, NULL, false } };
    if (parse_opts(argc, argv, o, pos, &npos, 0, err) < 0) return -1;
    const char *fmt = o[1].set ? o[1].value : "table";
    if (strcmp(fmt, "json") != 0 && strcmp(fmt, "table") != 0) return berth_fail(err, 0, "invalid --format %s (table or json)", fmt);
    return cmd_list(g, o[0].set, strcmp(fmt, "json") == 0, err);
  }
  if (strcmp(cmd, "spec") == 0) {
    opt o[] = { { "bundle", 'b', true, NULL, false }, { "rootless", 0, false, NULL, false }, { NULL, 0, false, NULL, false } };
    if (parse_opts(argc, argv, o, pos, &npos, 0, err) < 0) return -1;
    if (o[1].set) return berth_fail(err, 0, "spec --rootless is not supported yet");
    return cmd_spec(o[0].set ? o[0].value : ".", err);
  }
  if (strcmp(cmd, "features") == 0) return cmd_features(err);
  static const char *later[] = { "exec", "pause", "resume", "update", "events", "checkpoint", "restore" };
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
