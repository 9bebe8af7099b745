/* The container init, from clone() to execve(): joins namespaces given by
 * path, sets up the rootfs, hostname, sysctls, limits, user and capabilities,
 * looks the program up, reports "ready", then blocks on the exec fifo until
 * `start` opens it. Any failure is sent to the runtime as "E<message>". */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

static void fail_init(int sync_fd, const berth_error *err) __attribute__((noreturn));
static void fail_init(int sync_fd, const berth_error *err) {
  char msg[BERTH_ERROR_MSG_MAX + 2];
  int n = snprintf(msg, sizeof msg, "E%s", err->msg);
  send(sync_fd, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1), MSG_NOSIGNAL);
  _exit(1);
}

static int join_namespaces(const spec *s, int *ns_fds, berth_error *err) {
  /* The user namespace first: it owns the others. */
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < s->nns; k++) {
      if (ns_fds[k] < 0 || (s->ns[k].flag == CLONE_NEWUSER) != (pass == 0)) continue;
      if (setns(ns_fds[k], s->ns[k].flag) < 0) return berth_fail(err, errno, "joining namespace %s", s->ns[k].path);
      close(ns_fds[k]);
      ns_fds[k] = -1;
    }
  return 0;
}

static int apply_sysctls(const spec *s, berth_error *err) {
  for (size_t k = 0; k < s->nsysctl; k++) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "/proc/sys/%s", s->sysctl[k].key);
    for (char *c = path + 10; c < path + n; c++) if (*c == '.') *c = '/';
    if (write_file(path, s->sysctl[k].value, err) < 0)
      return berth_error_wrap(err, "linux.sysctl %s=%s", s->sysctl[k].key, s->sysctl[k].value);
  }
  return 0;
}

static int check_candidate(const char *p) {
  struct stat st;
  if (stat(p, &st) < 0) return -errno;
  if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111)) return -EACCES;
  if (faccessat(AT_FDCWD, p, X_OK, AT_EACCESS) < 0) return -errno;
  return 0;
}

char *lookup_executable(const spec *s, berth_error *err) {
  const char *name = s->args[0];
  if (strchr(name, '/')) {
    int r = check_candidate(name);
    if (r == 0) return strdup(name);
    if (r == -ENOENT) return berth_fail(err, 0, "exec: \"%s\": stat %s: no such file or directory", name, name), NULL;
    if (r == -EACCES) return berth_fail(err, 0, "exec: \"%s\": permission denied", name), NULL;
    return berth_fail(err, -r, "exec: \"%s\"", name), NULL;
  }
  const char *path = DEFAULT_PATH;
  for (size_t k = 0; k < s->nenv; k++) if (strncmp(s->env[k], "PATH=", 5) == 0) path = s->env[k] + 5;
  bool denied = false;
  for (const char *p = path;;) {
    size_t n = strcspn(p, ":");
    char cand[PATH_MAX];
    if (n == 0) snprintf(cand, sizeof cand, "./%s", name);
    else snprintf(cand, sizeof cand, "%.*s/%s", (int)n, p, name);
    int r = check_candidate(cand);
    if (r == 0) return strdup(cand);
    if (r == -EACCES) denied = true;
    if (!p[n]) break;
    p += n + 1;
  }
  if (denied) return berth_fail(err, 0, "exec: \"%s\": permission denied", name), NULL;
  return berth_fail(err, 0, "exec: \"%s\": executable file not found in $PATH", name), NULL;
}

/* seccomp*.c may not be linked in yet (then spec.c refuses linux.seccomp). */
extern int berth_seccomp_install(const json_value *linux_seccomp, berth_error *err) __attribute__((weak));

static int install_seccomp(const spec *s, berth_error *err) {
  if (!berth_seccomp_install) return berth_fail(err, 0, "linux.seccomp: this build has no seccomp support");
  if (berth_seccomp_install(s->seccomp, err) < 0) return berth_error_wrap(err, "installing the seccomp filter");
  return 0;
}

int finish_process_setup(const spec *s, berth_error *err) {
  if (apply_rlimits(s, err) < 0) return -1;
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: do it while
   * we still have every capability. */
  if (s->seccomp && !s->no_new_privs && install_seccomp(s, err) < 0) return -1;
  if (apply_user_and_caps(s, err) < 0) return -1;
  if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return berth_fail(err, errno, "setting no_new_privs");
  if (s->seccomp && s->no_new_privs && install_seccomp(s, err) < 0) return -1;
  return 0;
}

void prepare_fds_for_exec(int preserve) {
  for (int fd = 3; fd < 3 + preserve; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0) fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
  }
  close_range(3 + (unsigned)preserve, ~0U, CLOSE_RANGE_CLOEXEC);
}

/* Ask the runtime to run prestart and createRuntime hooks (in its own
 * namespaces, with our mounts in place), and wait until it has. */
static int runtime_hooks(const init_args *a, berth_error *err) {
  if (!has_hooks(a->s->hooks, "prestart") && !has_hooks(a->s->hooks, "createRuntime")) return 0;
  char go;
  if (send(a->sync_fd, "H", 1, MSG_NOSIGNAL) != 1) return berth_fail(err, errno, "asking the runtime to run hooks");
  if (recv(a->sync_fd, &go, 1, 0) != 1 || go != 'G') _exit(1); /* the runtime reports the hook failure itself */
  return 0;
}

static int setup_container(const init_args *a, pid_t host_pid, berth_error *err) {
  const spec *s = a->s;
  if (join_namespaces(s, a->ns_fds, err) < 0) return -1;
  if (spec_has_ns(s, CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
    return berth_fail(err, errno, "becoming root in the user namespace (map container uid and gid 0 in linux.uidMappings/gidMappings)");
  for (size_t k = 0; k < s->nns; k++)
    if (s->ns[k].flag == CLONE_NEWCGROUP && !s->ns[k].path && unshare(CLONE_NEWCGROUP) < 0)
      return berth_fail(err, errno, "creating the cgroup namespace");
  if (s->has_oom_score_adj) {
    char v[16];
    snprintf(v, sizeof v, "%d", s->oom_score_adj);
    if (write_file("/proc/self/oom_score_adj", v, err) < 0)
      return berth_error_wrap(err, "process.oomScoreAdj %d (lowering it needs CAP_SYS_RESOURCE)", s->oom_score_adj);
  }
  if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) return berth_fail(err, errno, "setting hostname %s", s->hostname);
  if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
    return berth_fail(err, errno, "setting domainname %s", s->domainname);
  if (prepare_rootfs(s, a->cg, err) < 0) return -1;
  if (runtime_hooks(a, err) < 0) return -1;
  if (has_hooks(s->hooks, "createContainer")) {
    /* In the container's namespaces, before pivot_root: paths resolve on the host. */
    _cleanup_free_ char *st = hook_state_json(a->id, "creating", host_pid, s->bundle, s->annotations);
    if (!st || run_hooks(s->hooks, "createContainer", st, err) < 0) return -1;
  }
  if (enter_rootfs(s, a->no_pivot, err) < 0) return -1;
  if (s->terminal && a->console_fd >= 0) {
    if (console_setup(s, a->console_fd, true, err) < 0) return -1;
    close(a->console_fd);
  }
  if (apply_sysctls(s, err) < 0) return -1;
  if (setup_masked_and_readonly(s, err) < 0) return -1;
  if (s->root_readonly && remount_readonly("/", err) < 0) return berth_error_wrap(err, "root.readonly");
  if (mkdir_p(s->cwd, 0755, err) < 0 && err->errnum != EROFS) return berth_error_wrap(err, "process.cwd");
  if (finish_process_setup(s, err) < 0) return -1;
  if (chdir(s->cwd) < 0) return berth_fail(err, errno, "changing to process.cwd %s", s->cwd);
  umask(s->has_umask ? s->umask : 022);
  return 0;
}

/* Tell `start` (reading the fifo) how it went: "0" or "E<message>". */
static void fifo_report(int fd, const berth_error *err) {
  char msg[BERTH_ERROR_MSG_MAX + 2];
  int n = err ? snprintf(msg, sizeof msg, "E%s", err->msg) : snprintf(msg, sizeof msg, "0");
  if (write(fd, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1)) < 0) _exit(1);
}

void container_init(const init_args *a) {
  const spec *s = a->s;
  berth_error err;
  berth_error_clear(&err);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  char go[32] = "";
  if (recv(a->sync_fd, go, sizeof go - 1, 0) < 1 || go[0] != 'G') _exit(1);
  pid_t host_pid = (pid_t)atoi(go + 1);
  if (setup_container(a, host_pid, &err) < 0) fail_init(a->sync_fd, &err);
  char *exe = lookup_executable(s, &err);
  if (!exe) fail_init(a->sync_fd, &err);
  if (lsm_apply(s, &err) < 0) fail_init(a->sync_fd, &err);
  char fifo[64];
  snprintf(fifo, sizeof fifo, "/proc/self/fd/%d", a->fifo_fd);
  prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  if (send(a->sync_fd, "R", 1, MSG_NOSIGNAL) != 1) _exit(1);
  close(a->sync_fd);
  /* Blocks until `start` opens the other end. */
  int fd;
  do fd = open(fifo, O_WRONLY | O_CLOEXEC); while (fd < 0 && errno == EINTR);
  if (fd < 0) { fprintf(stderr, "berth-runtime init: opening the exec fifo: %s\n", strerror(errno)); _exit(1); }
  if (has_hooks(s->hooks, "startContainer")) {
    _cleanup_free_ char *st = hook_state_json(a->id, "created", host_pid, s->bundle, s->annotations);
    if (!st || run_hooks(s->hooks, "startContainer", st, &err) < 0) {
      if (!st) berth_fail(&err, ENOMEM, "startContainer hooks");
      fifo_report(fd, &err);
      _exit(1);
    }
  }
  fifo_report(fd, NULL);
  close(fd);
  close(a->fifo_fd);
  prepare_fds_for_exec(a->preserve_fds);
  execve(exe, s->args, s->env);
  int e = errno;
  fprintf(stderr, "berth-runtime init: exec %s: %s\n", exe, strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}
