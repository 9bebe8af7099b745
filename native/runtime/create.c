/* `create`, the runtime's side: state dir, exec fifo, cgroups, one clone()
 * with every new namespace, then a short handshake with the init over a
 * socketpair. The init reports "ready" once it sits blocked before exec (the
 * executable was already looked up), or the error that stopped it. */
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

static int write_id_map(pid_t pid, const char *file, const id_map *m, size_t n, berth_error *err) {
  char path[64], buf[4096] = "";
  size_t len = 0;
  for (size_t k = 0; k < n; k++)
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%u %u %u\n", m[k].container_id, m[k].host_id, m[k].size);
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  if (write_file(path, buf, err) < 0) return berth_error_wrap(err, "writing the user namespace mapping");
  return 0;
}

/* Wait for "R" (ready) or "E<message>" from the init; on "H" run the
 * prestart and createRuntime hooks here, in the runtime's namespaces. */
static int wait_ready(int sock, pid_t pid, const spec *s, const char *id, berth_error *err) {
  char msg[BERTH_ERROR_MSG_MAX + 2];
  for (;;) {
    ssize_t n;
    do n = recv(sock, msg, sizeof msg - 1, 0); while (n < 0 && errno == EINTR);
    if (n > 0 && msg[0] == 'R') return 0;
    if (n > 0 && msg[0] == 'H') {
      _cleanup_free_ char *st = hook_state_json(id, "creating", pid, s->bundle, s->annotations);
      if (!st) return berth_fail(err, ENOMEM, "hook state");
      if (run_hooks(s->hooks, "prestart", st, err) < 0 || run_hooks(s->hooks, "createRuntime", st, err) < 0) return -1;
      if (send(sock, "G", 1, MSG_NOSIGNAL) != 1) return berth_fail(err, errno, "resuming the container init");
      continue;
    }
    if (n > 0 && msg[0] == 'E') {
      msg[n] = '\0';
      return berth_fail(err, 0, "unable to start container process: %s", msg + 1);
    }
    break;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return berth_fail(err, 0, "unable to start container process: the init was killed by signal %d during setup", WTERMSIG(status));
  return berth_fail(err, 0, "unable to start container process: the init exited with status %d during setup", WEXITSTATUS(status));
}

/* The console socket for the init (*child_end): the caller's
 * --console-socket, or (run in the foreground) one end of a pair whose other
 * end we keep in *ours to receive the pty master. Both stay -1 without a
 * terminal. */
static int console_for(const spec *s, const create_opts *o, int *child_end, int *ours, berth_error *err) {
  *child_end = *ours = -1;
  if (!s->terminal) {
    if (o->console_socket) return berth_fail(err, 0, "--console-socket was given but process.terminal is false");
    return 0;
  }
  if (o->console_socket) return (*child_end = console_socket_connect(o->console_socket, err)) < 0 ? -1 : 0;
  if (!o->foreground) return berth_fail(err, 0, "process.terminal is true: pass --console-socket PATH (or use run in the foreground)");
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return berth_fail(err, errno, "socketpair for the console");
  *ours = sv[0];
  *child_end = sv[1];
  return 0;
}

static int setup_ns_fds(const spec *s, int *fds, int *clone_flags, berth_error *err) {
  *clone_flags = 0;
  for (size_t k = 0; k < s->nns; k++) {
    fds[k] = -1;
    if (!s->ns[k].path) {
      if (s->ns[k].flag != CLONE_NEWCGROUP) *clone_flags |= s->ns[k].flag; /* cgroup ns: after the move */
      continue;
    }
    if ((fds[k] = open(s->ns[k].path, O_RDONLY | O_CLOEXEC)) < 0)
      return berth_fail(err, errno, "opening namespace %s", s->ns[k].path);
  }
  for (size_t k = 0; k < s->nns; k++) {
    if (fds[k] < 0) continue;
    if (s->ns[k].flag == CLONE_NEWUSER && (*clone_flags & ~CLONE_NEWUSER))
      return berth_fail(err, 0, "joining an existing user namespace (%s) while creating other namespaces is not supported yet", s->ns[k].path);
    if (s->ns[k].flag == CLONE_NEWPID) {
      /* A pid namespace applies to children: join it here, before clone. */
      if (setns(fds[k], CLONE_NEWPID) < 0) return berth_fail(err, errno, "joining pid namespace %s", s->ns[k].path);
      close(fds[k]);
      fds[k] = -1;
    }
  }
  return 0;
}

int container_create(const global_opts *g, const char *id, create_opts *o, pid_t *out_pid, berth_error *err) {
  if (validate_id(id, err) < 0) return -1;
  spec *s = spec_load(o->bundle ? o->bundle : ".", err);
  if (!s) return -1;
  if (!spec_has_ns(s, CLONE_NEWNS)) { spec_free(s); return berth_fail(err, 0, "linux.namespaces must include a mount namespace"); }
  int rc = -1, sv[2] = { -1, -1 }, fifo_fd = -1, ns_fds[10], con_child = -1, con_ours = -1;
  o->console_fd = -1;
  pid_t pid = -1;
  bool made_dir = false;
  container_state st = { 0 };
  char fifo[PATH_MAX], ts[64];
  for (size_t k = 0; k < 10; k++) ns_fds[k] = -1;

  if (mkdir_p(g->root, 0711, err) < 0) goto out;
  st.dir = state_dir_path(g, id);
  if (mkdir(st.dir, 0711) < 0) {
    if (errno == EEXIST) berth_fail(err, EEXIST, "container with id \"%s\" already exists", id);
    else berth_fail(err, errno, "creating state directory %s", st.dir);
    goto out;
  }
  made_dir = true;
  snprintf(fifo, sizeof fifo, "%s/exec.fifo", st.dir);
  if (mkfifo(fifo, 0622) < 0) { berth_fail(err, errno, "creating %s", fifo); goto out; }
  if (chmod(fifo, 0622) < 0 || (fifo_fd = open(fifo, O_PATH | O_CLOEXEC)) < 0) { berth_fail(err, errno, "opening %s", fifo); goto out; }
  if (console_for(s, o, &con_child, &con_ours, err) < 0) goto out;
  if (cgroup_prepare(s, id, &st.cg, err) < 0) goto out;
  if (devcgroup_apply(s, &st.cg, err) < 0) goto out;
  int clone_flags;
  if (setup_ns_fds(s, ns_fds, &clone_flags, err) < 0) goto out;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) { berth_fail(err, errno, "socketpair"); goto out; }
  fflush(NULL);
  pid = (pid_t)syscall(SYS_clone, (unsigned long)clone_flags | SIGCHLD, 0, NULL, NULL, 0);
  if (pid < 0) {
    berth_fail(err, errno, "clone with namespace flags %#x", clone_flags);
    if (err->errnum == EINVAL || err->errnum == EPERM) berth_error_wrap(err, "the kernel refused to create the namespaces");
    goto out;
  }
  if (pid == 0) {
    close(sv[0]);
    if (con_ours >= 0) close(con_ours);
    init_args a = { .s = s, .cg = &st.cg, .id = id, .sync_fd = sv[1], .fifo_fd = fifo_fd, .console_fd = con_child,
                    .preserve_fds = o->preserve_fds, .no_pivot = o->no_pivot, .ns_fds = ns_fds };
    container_init(&a);
  }
  close(sv[1]);
  sv[1] = -1;
  if (con_child >= 0) { close(con_child); con_child = -1; }
  if (spec_has_ns(s, CLONE_NEWUSER) && (clone_flags & CLONE_NEWUSER)) {
    if (write_id_map(pid, "uid_map", s->uid_maps, s->nuid_maps, err) < 0 ||
        write_id_map(pid, "gid_map", s->gid_maps, s->ngid_maps, err) < 0)
      goto out;
  }
  if (cgroup_add_pid(&st.cg, pid, err) < 0) goto out;
  char go[32];
  int gn = snprintf(go, sizeof go, "G%d", (int)pid);
  if (send(sv[0], go, (size_t)gn, MSG_NOSIGNAL) != gn) { berth_fail(err, errno, "releasing the container init"); goto out; }
  if (wait_ready(sv[0], pid, s, id, err) < 0) goto out;
  if (con_ours >= 0 && (o->console_fd = console_recv(con_ours, err)) < 0) goto out;

  if (process_start_time(pid, &st.start_time, err) < 0) goto out;
  rfc3339_now(ts, sizeof ts);
  st.id = (char *)id;
  st.pid = pid;
  st.bundle = s->bundle;
  st.rootfs = s->rootfs;
  st.created = ts;
  st.annotations = s->annotations;
  st.hooks = s->hooks;
  if (state_write(g, &st, err) < 0) goto out;
  if (o->pid_file) {
    char buf[32];
    snprintf(buf, sizeof buf, "%d", (int)pid);
    if (write_file_atomic(o->pid_file, buf, 0644, err) < 0) { berth_error_wrap(err, "writing --pid-file"); goto out; }
  }
  *out_pid = pid;
  rc = 0;
out:
  if (rc < 0) {
    berth_error ignored;
    if (pid > 0) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); }
    if (st.cg.n) cgroup_remove(&st.cg, &ignored);
    if (made_dir) {
      char p[PATH_MAX];
      unlink(fifo);
      snprintf(p, sizeof p, "%s/state.json", st.dir);
      unlink(p);
      rmdir(st.dir);
      /* The container existed and is gone: poststop hooks run, as after a delete. */
      if (has_hooks(s->hooks, "poststop")) {
        _cleanup_free_ char *js = hook_state_json(id, "stopped", 0, s->bundle, s->annotations);
        if (js) run_hooks_warn(s->hooks, "poststop", js);
      }
    }
  }
  for (size_t k = 0; k < 10; k++) if (ns_fds[k] >= 0) close(ns_fds[k]);
  if (sv[0] >= 0) close(sv[0]);
  if (sv[1] >= 0) close(sv[1]);
  if (fifo_fd >= 0) close(fifo_fd);
  if (con_child >= 0) close(con_child);
  if (con_ours >= 0) close(con_ours);
  if (rc < 0 && o->console_fd >= 0) { close(o->console_fd); o->console_fd = -1; }
  cgroup_set_free(&st.cg);
  free(st.dir);
  spec_free(s);
  return rc;
}
