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

/* Wait for "R" (ready) or "E<message>" from the init. */
static int wait_ready(int sock, pid_t pid, berth_error *err) {
  char msg[BERTH_ERROR_MSG_MAX + 2];
  ssize_t n;
  do n = recv(sock, msg, sizeof msg - 1, 0); while (n < 0 && errno == EINTR);
  if (n > 0 && msg[0] == 'R') return 0;
  if (n > 0 && msg[0] == 'E') {
    msg[n] = '\0';
    return berth_fail(err, 0, "unable to start container process: %s", msg + 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return berth_fail(err, 0, "unable to start container process: the init was killed by signal %d during setup", WTERMSIG(status));
  return berth_fail(err, 0, "unable to start container process: the init exited with status %d during setup", WEXITSTATUS(status));
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

int container_create(const global_opts *g, const char *id, const create_opts *o, pid_t *out_pid, berth_error *err) {
  if (validate_id(id, err) < 0) return -1;
  spec *s = spec_load(o->bundle ? o->bundle : ".", err);
  if (!s) return -1;
  if (!spec_has_ns(s, CLONE_NEWNS)) { spec_free(s); return berth_fail(err, 0, "linux.namespaces must include a mount namespace"); }
  int rc = -1, sv[2] = { -1, -1 }, fifo_fd = -1, ns_fds[10];
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
  if (cgroup_prepare(s, id, &st.cg, err) < 0) goto out;
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
    container_init(s, &st.cg, sv[1], fifo_fd, o->no_pivot, ns_fds);
  }
  close(sv[1]);
  sv[1] = -1;
  if (spec_has_ns(s, CLONE_NEWUSER) && (clone_flags & CLONE_NEWUSER)) {
    if (write_id_map(pid, "uid_map", s->uid_maps, s->nuid_maps, err) < 0 ||
        write_id_map(pid, "gid_map", s->gid_maps, s->ngid_maps, err) < 0)
      goto out;
  }
  if (cgroup_add_pid(&st.cg, pid, err) < 0) goto out;
  if (send(sv[0], "G", 1, MSG_NOSIGNAL) != 1) { berth_fail(err, errno, "releasing the container init"); goto out; }
  if (wait_ready(sv[0], pid, err) < 0) goto out;

  if (process_start_time(pid, &st.start_time, err) < 0) goto out;
  rfc3339_now(ts, sizeof ts);
  st.id = (char *)id;
  st.pid = pid;
  st.bundle = s->bundle;
  st.rootfs = s->rootfs;
  st.created = ts;
  st.annotations = s->annotations;
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
    }
  }
  for (size_t k = 0; k < 10; k++) if (ns_fds[k] >= 0) close(ns_fds[k]);
  if (sv[0] >= 0) close(sv[0]);
  if (sv[1] >= 0) close(sv[1]);
  if (fifo_fd >= 0) close(fifo_fd);
  cgroup_set_free(&st.cg);
  free(st.dir);
  spec_free(s);
  return rc;
}
