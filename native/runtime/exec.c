/* `exec`: a new process in a running container. We fork a helper that joins
 * the container's namespaces (user first, mount last) and clones the process
 * with CLONE_PARENT, so it is born in the container's pid namespace yet is
 * our child; we move it into the container's cgroups, then it applies the
 * process's limits, user, capabilities, no_new_privs and seccomp, and execs.
 * In the foreground we wait for it and return its status. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const struct { const char *name; int flag; } ns_order[] = {
  { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
  { "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP }, { "mnt", CLONE_NEWNS },
};
#define NNS (sizeof ns_order / sizeof ns_order[0])

/* fds[k]: the init's namespace of that type, or -1 when it is already ours. */
static int open_namespaces(pid_t pid, int *fds, berth_error *err) {
  for (size_t k = 0; k < NNS; k++) {
    char p[64], self[64];
    struct stat a, b;
    fds[k] = -1;
    snprintf(p, sizeof p, "/proc/%d/ns/%s", (int)pid, ns_order[k].name);
    snprintf(self, sizeof self, "/proc/self/ns/%s", ns_order[k].name);
    if (stat(p, &a) < 0) { if (errno == ENOENT) continue; return berth_fail(err, errno, "stat %s", p); }
    if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) continue;
    if ((fds[k] = open(p, O_RDONLY | O_CLOEXEC)) < 0) return berth_fail(err, errno, "opening %s", p);
  }
  return 0;
}

static int replace_strv(char ***v, size_t *n, const char **src, size_t ns) {
  for (size_t k = 0; k < *n; k++) free((*v)[k]);
  free(*v);
  *v = calloc(ns + 1, sizeof **v);
  *n = 0;
  if (!*v) return -1;
  for (size_t k = 0; k < ns; k++) if (!((*v)[(*n)++] = strdup(src[k]))) return -1;
  return 0;
}

static int set_env(spec *s, const char *kv, berth_error *err) {
  const char *eq = strchr(kv, '=');
  if (!eq || eq == kv) return berth_fail(err, 0, "--env %s: use KEY=VALUE", kv);
  size_t kl = (size_t)(eq - kv) + 1;
  char *d = strdup(kv);
  if (!d) return berth_fail(err, ENOMEM, "env");
  for (size_t k = 0; k < s->nenv; k++)
    if (strncmp(s->env[k], kv, kl) == 0) { free(s->env[k]); s->env[k] = d; return 0; }
  char **nv = realloc(s->env, (s->nenv + 2) * sizeof *nv);
  if (!nv) { free(d); return berth_fail(err, ENOMEM, "env"); }
  s->env = nv;
  s->env[s->nenv++] = d;
  s->env[s->nenv] = NULL;
  return 0;
}

/* --additional-gids N[,M...]: added to the process's supplementary groups. */
static int add_gids(spec *s, const char *list, berth_error *err) {
  _cleanup_free_ char *copy = strdup(list);
  if (!copy) return berth_fail(err, ENOMEM, "additional gids");
  for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    char *end;
    errno = 0;
    unsigned long g = strtoul(t, &end, 10);
    if (end == t || *end || errno || g > 0xffffffffUL) return berth_fail(err, 0, "--additional-gids %s: use numbers, e.g. -g 10 -g 20", list);
    uint32_t *ng = realloc(s->gids, (s->ngids + 1) * sizeof *ng);
    if (!ng) return berth_fail(err, ENOMEM, "additional gids");
    s->gids = ng;
    s->gids[s->ngids++] = (uint32_t)g;
  }
  return 0;
}

/* The process to run: --process FILE, or the bundle's process with the
 * command-line overrides. *doc keeps the --process document alive. */
static int build_process(spec *s, const exec_opts *o, json_value **doc, berth_error *err) {
  if (o->process_file) {
    if (!(*doc = json_parse_file(o->process_file, err))) return berth_error_wrap(err, "--process %s", o->process_file);
    spec_free_process(s);
    if (spec_parse_process(s, *doc, err) < 0) return berth_error_wrap(err, "--process %s", o->process_file);
  } else {
    if (o->nargs == 0) return berth_fail(err, 0, "exec needs the command to run (or --process FILE)");
    if (replace_strv(&s->args, &s->nargs, o->args, o->nargs) < 0) return berth_fail(err, ENOMEM, "args");
    if (!o->tty_set) s->terminal = false;
  }
  if (o->tty_set) s->terminal = o->tty;
  if (!s->terminal) s->has_console_size = false;
  for (size_t k = 0; k < o->nenv; k++) if (set_env(s, o->env[k], err) < 0) return -1;
  if (o->cwd) {
    if (o->cwd[0] != '/') return berth_fail(err, 0, "--cwd %s must be an absolute path", o->cwd);
    free(s->cwd);
    if (!(s->cwd = strdup(o->cwd))) return berth_fail(err, ENOMEM, "cwd");
  }
  if (o->user) {
    char *end;
    unsigned long u = strtoul(o->user, &end, 10), gr = 0;
    if (end == o->user || (*end && *end != ':')) return berth_fail(err, 0, "--user %s: use uid[:gid] (numbers)", o->user);
    if (*end == ':') {
      const char *g = end + 1;
      gr = strtoul(g, &end, 10);
      if (end == g || *end) return berth_fail(err, 0, "--user %s: use uid[:gid] (numbers)", o->user);
    }
    s->uid = (uint32_t)u;
    s->gid = (uint32_t)gr;
  }
  for (size_t k = 0; k < o->ncaps; k++) {
    int c = cap_from_name(o->caps[k]);
    if (c < 0) return berth_fail(err, 0, "--cap %s: unknown capability", o->caps[k]);
    uint64_t bit = 1ULL << c;
    s->cap_bounding |= bit; s->cap_effective |= bit; s->cap_permitted |= bit; s->cap_inheritable |= bit; s->cap_ambient |= bit;
  }
  if (o->no_new_privs) s->no_new_privs = true;
  for (size_t k = 0; k < o->ngids; k++) if (add_gids(s, o->gids[k], err) < 0) return -1;
  if (o->apparmor) s->apparmor_profile = o->apparmor;
  if (o->process_label) s->selinux_label = o->process_label;
  return lsm_check(s, err);
}

static void fail_child(int sock, const berth_error *err) __attribute__((noreturn));
static void fail_child(int sock, const berth_error *err) {
  char msg[BERTH_ERROR_MSG_MAX + 2];
  int n = snprintf(msg, sizeof msg, "E%s", err->msg);
  send(sock, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1), MSG_NOSIGNAL);
  _exit(1);
}

/* The process, once in the container's namespaces and cgroups. */
static void exec_child(const spec *s, int sock, int console, int preserve) __attribute__((noreturn));
static void exec_child(const spec *s, int sock, int console, int preserve) {
  berth_error err;
  berth_error_clear(&err);
  char go;
  if (recv(sock, &go, 1, 0) != 1 || go != 'G') _exit(1);
  if (console >= 0) {
    if (console_setup(s, console, false, &err) < 0) fail_child(sock, &err);
    close(console);
  }
  if (finish_process_setup(s, &err) < 0) fail_child(sock, &err);
  if (chdir(s->cwd) < 0) { berth_fail(&err, errno, "changing to cwd %s", s->cwd); fail_child(sock, &err); }
  umask(s->has_umask ? s->umask : 022);
  char *exe = lookup_executable(s, &err);
  if (!exe) fail_child(sock, &err);
  if (lsm_apply(s, &err) < 0) fail_child(sock, &err);
  if (send(sock, "R", 1, MSG_NOSIGNAL) != 1) _exit(1);
  /* sock is close-on-exec: the runtime sees it close when execve has succeeded */
  prepare_fds_for_exec(preserve);
  execve(exe, s->args, s->env);
  int e = errno;
  fprintf(stderr, "berth-runtime exec: %s: %s\n", exe, strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

/* The helper: join, clone the process as our parent's child, report its pid. */
static void join_and_clone(const spec *s, int *fds, int sock, int console, int preserve) __attribute__((noreturn));
static void join_and_clone(const spec *s, int *fds, int sock, int console, int preserve) {
  berth_error err;
  berth_error_clear(&err);
  for (size_t k = 0; k < NNS; k++) {
    if (fds[k] < 0) continue;
    if (setns(fds[k], ns_order[k].flag) < 0) { berth_fail(&err, errno, "joining the container's %s namespace", ns_order[k].name); fail_child(sock, &err); }
    close(fds[k]);
  }
  pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), 0, NULL, NULL, 0);
  if (pid < 0) { berth_fail(&err, errno, "clone"); fail_child(sock, &err); }
  if (pid == 0) exec_child(s, sock, console, preserve);
  char msg[32];
  int n = snprintf(msg, sizeof msg, "P%d", (int)pid);
  _exit(send(sock, msg, (size_t)n, MSG_NOSIGNAL) == n ? 0 : 1);
}

static int recv_msg(int sock, char *msg, size_t cap, berth_error *err) {
  ssize_t n;
  do n = recv(sock, msg, cap - 1, 0); while (n < 0 && errno == EINTR);
  if (n <= 0) return berth_fail(err, n < 0 ? errno : 0, "the exec helper exited without a word");
  msg[n] = '\0';
  if (msg[0] == 'E') return berth_fail(err, 0, "%s", msg + 1);
  return 0;
}

static int exec_in(const global_opts *g, container_state *st, spec *s, const exec_opts *o, berth_error *err) {
  static volatile pid_t child;
  int fds[NNS], sv[2] = { -1, -1 }, con_child = -1, con_ours = -1, master = -1, rc = -1;
  pid_t helper = -1, pid = -1;
  char msg[BERTH_ERROR_MSG_MAX + 2];
  (void)g;
  for (size_t k = 0; k < NNS; k++) fds[k] = -1;
  if (s->terminal) {
    if (o->console_socket) { if ((con_child = console_socket_connect(o->console_socket, err)) < 0) goto out; }
    else if (o->detach) { berth_fail(err, 0, "exec -t -d needs --console-socket PATH"); goto out; }
    else {
      int cv[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cv) < 0) { berth_fail(err, errno, "socketpair"); goto out; }
      con_ours = cv[0]; con_child = cv[1];
    }
  } else if (o->console_socket) { berth_fail(err, 0, "--console-socket needs a terminal (-t)"); goto out; }
  if (open_namespaces(st->pid, fds, err) < 0) goto out;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) { berth_fail(err, errno, "socketpair"); goto out; }
  if (!o->detach) forward_signals(&child);
  fflush(NULL);
  if ((helper = fork()) < 0) { berth_fail(err, errno, "fork"); goto out; }
  if (helper == 0) { close(sv[0]); if (con_ours >= 0) close(con_ours); join_and_clone(s, fds, sv[1], con_child, o->preserve_fds); }
  close(sv[1]); sv[1] = -1;
  if (con_child >= 0) { close(con_child); con_child = -1; }
  int hs;
  int r = recv_msg(sv[0], msg, sizeof msg, err);
  while (waitpid(helper, &hs, 0) < 0 && errno == EINTR) {}
  if (r < 0) goto out;
  if (msg[0] != 'P') { berth_fail(err, 0, "unexpected message from the exec helper"); goto out; }
  child = pid = (pid_t)atoi(msg + 1);
  if (cgroup_add_pid_sub(&st->cg, pid, o->cgroups, o->ncgroups, err) < 0) goto out;
  if (send(sv[0], "G", 1, MSG_NOSIGNAL) != 1) { berth_fail(err, errno, "releasing the exec process"); goto out; }
  if (recv_msg(sv[0], msg, sizeof msg, err) < 0) goto out;
  { /* like runc, return (and write --pid-file) once the command is exec'd */
    char c;
    ssize_t n;
    do n = recv(sv[0], &c, 1, 0); while (n > 0 || (n < 0 && errno == EINTR));
  }
  if (con_ours >= 0 && (master = console_recv(con_ours, err)) < 0) goto out;
  if (o->pid_file) {
    char buf[32];
    snprintf(buf, sizeof buf, "%d", (int)pid);
    if (write_file_atomic(o->pid_file, buf, 0644, err) < 0) { berth_error_wrap(err, "writing --pid-file"); goto out; }
  }
  if (o->detach) { rc = 0; pid = -1; goto out; }
  int status = 0;
  if (master >= 0) { if (console_proxy(master, pid, &status, err) < 0) goto out; }
  else while (waitpid(pid, &status, 0) < 0) if (errno != EINTR) { berth_fail(err, errno, "waiting for the process"); goto out; }
  pid = -1;
  rc = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
out:
  if (rc < 0 && pid > 0) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); }
  child = 0;
  for (size_t k = 0; k < NNS; k++) if (fds[k] >= 0) close(fds[k]);
  if (sv[0] >= 0) close(sv[0]);
  if (sv[1] >= 0) close(sv[1]);
  if (con_child >= 0) close(con_child);
  if (con_ours >= 0) close(con_ours);
  if (master >= 0) close(master);
  return rc;
}

int cmd_exec(const global_opts *g, const char *id, const exec_opts *o, berth_error *err) {
  container_state st;
  spec *s = NULL;
  json_value *doc = NULL;
  int rc = -1;
  if (state_load(g, id, &st, err) < 0) goto out;
  container_status status = state_status(&st);
  if (status == ST_STOPPED) { berth_fail(err, 0, "cannot exec in a stopped container \"%s\"", id); goto out; }
  if (status == ST_PAUSED) { berth_fail(err, 0, "cannot exec in a paused container \"%s\" (resume it first)", id); goto out; }
  if (!(s = spec_load(st.bundle, err))) { berth_error_wrap(err, "loading the container's bundle"); goto out; }
  if (build_process(s, o, &doc, err) < 0) goto out;
  rc = exec_in(g, &st, s, o, err);
out:
  spec_free(s);
  json_free(doc);
  state_free(&st);
  return rc;
}
