/* spawn(path, args, env) starts a program with posix_spawn, which glibc
 * implements with clone(CLONE_VM|CLONE_VFORK): unlike fork() it copies no
 * page tables, so a large daemon pays nothing for its own size. The child
 * gets stdin from /dev/null, stdout and stderr on new pipes, no other fd,
 * an empty signal mask and default dispositions (as libuv gives its children).
 * reap(pid) collects the exit status without blocking. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void closep(int *fd) {
  if (*fd >= 0) close(*fd);
}
#define _auto_close_ __attribute__((cleanup(closep)))

/* A NULL-terminated malloc'd array of malloc'd strings. */
static void free_strv(char ***p) {
  if (!*p) return;
  for (char **s = *p; *s; s++) free(*s);
  free(*p);
}
#define _auto_strv_ __attribute__((cleanup(free_strv)))

static void free_str(char **p) { free(*p); }
#define _auto_free_ __attribute__((cleanup(free_str)))

/* JS string array -> strv; `prefix` (may be NULL) becomes element 0. */
static int strv_from_array(napi_env env, napi_value arr, const char *what, const char *prefix, char ***out) {
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, arr, &is_array) != napi_ok || !is_array || napi_get_array_length(env, arr, &n) != napi_ok) {
    addon_throw_type(env, what);
    return -1;
  }
  size_t off = prefix ? 1 : 0;
  char **v = calloc((size_t)n + off + 1, sizeof *v);
  if (!v) {
    napi_throw_error(env, "ENOMEM", "spawn: out of memory");
    return -1;
  }
  *out = v;
  if (prefix && !(v[0] = strdup(prefix))) {
    napi_throw_error(env, "ENOMEM", "spawn: out of memory");
    return -1;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    if (napi_get_element(env, arr, i, &el) != napi_ok || addon_string(env, el, what, 0, &v[i + off]) < 0) return -1;
  }
  return 0;
}

static void attr_destroy(posix_spawnattr_t **a) {
  if (*a) posix_spawnattr_destroy(*a);
}
static void actions_destroy(posix_spawn_file_actions_t **a) {
  if (*a) posix_spawn_file_actions_destroy(*a);
}

/* Start `path` with stdout/stderr on the write ends given; returns the pid or
 * -1 with the errno in *errnum. */
static pid_t start_child(const char *path, char **argv, char **envp, int out_w, int err_w, int *errnum) {
  posix_spawnattr_t attr_storage;
  posix_spawn_file_actions_t actions_storage;
  __attribute__((cleanup(attr_destroy))) posix_spawnattr_t *attr = NULL;
  __attribute__((cleanup(actions_destroy))) posix_spawn_file_actions_t *actions = NULL;
  int rc;
  if ((rc = posix_spawnattr_init(&attr_storage)) != 0) goto fail;
  attr = &attr_storage;
  if ((rc = posix_spawn_file_actions_init(&actions_storage)) != 0) goto fail;
  actions = &actions_storage;
  /* Every bit set, not sigfillset(): glibc's sigfillset leaves out its two
   * internal signals (32, 33), and its posix_spawn then sets those to SIG_IGN
   * in the child, which exec keeps and every later process (the container's
   * too) would inherit. libuv's children start with them at default. */
  sigset_t none, all;
  sigemptyset(&none);
  memset(&all, 0xff, sizeof all);
  if ((rc = posix_spawnattr_setsigmask(attr, &none)) != 0 || (rc = posix_spawnattr_setsigdefault(attr, &all)) != 0 ||
      (rc = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0)
    goto fail;
  /* dup2 onto 1 and 2 clears close-on-exec there; closefrom drops every
   * other fd the daemon holds, close-on-exec or not. */
  if ((rc = posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0)) != 0 ||
      (rc = posix_spawn_file_actions_adddup2(actions, out_w, 1)) != 0 ||
      (rc = posix_spawn_file_actions_adddup2(actions, err_w, 2)) != 0 ||
      (rc = posix_spawn_file_actions_addclosefrom_np(actions, 3)) != 0)
    goto fail;
  pid_t pid;
  if ((rc = posix_spawnp(&pid, path, actions, attr, argv, envp ? envp : environ)) != 0) goto fail;
  return pid;
fail:
  *errnum = rc;
  return -1;
}

static int set_int(napi_env env, napi_value obj, const char *name, int value) {
  return addon_set_number(env, obj, name, value);
}

napi_value addon_spawn(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (addon_args(env, info, argv, 3) < 0) return NULL;
  _auto_free_ char *path = NULL;
  _auto_strv_ char **args = NULL;
  _auto_strv_ char **envp = NULL;
  if (addon_string(env, argv[0], "path", 0, &path) < 0 ||
      strv_from_array(env, argv[1], "args must be an array of strings", path, &args) < 0)
    return NULL;
  napi_valuetype env_type;
  if (napi_typeof(env, argv[2], &env_type) != napi_ok) return NULL;
  if (env_type != napi_null && env_type != napi_undefined &&
      strv_from_array(env, argv[2], "env must be null or an array of NAME=value strings", NULL, &envp) < 0)
    return NULL;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) < 0) {
    addon_throw_errno(env, errno, "pipe2", NULL);
    return NULL;
  }
  _auto_close_ int out_r = out_pipe[0];
  _auto_close_ int out_w = out_pipe[1];
  if (pipe2(err_pipe, O_CLOEXEC) < 0) {
    addon_throw_errno(env, errno, "pipe2", NULL);
    return NULL;
  }
  _auto_close_ int err_r = err_pipe[0];
  _auto_close_ int err_w = err_pipe[1];
  int errnum = 0;
  pid_t pid = start_child(path, args, envp, out_w, err_w, &errnum);
  if (pid < 0) {
    addon_throw_errno(env, errnum, "spawn", path);
    return NULL;
  }
  napi_value result;
  if (napi_create_object(env, &result) != napi_ok || set_int(env, result, "pid", pid) < 0 ||
      set_int(env, result, "stdoutFd", out_r) < 0 || set_int(env, result, "stderrFd", err_r) < 0) {
    /* The child runs but the caller cannot know it: do not leave a zombie behind. */
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    return NULL;
  }
  out_r = -1; /* handed to the caller */
  err_r = -1;
  return result;
}

napi_value addon_reap(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  int64_t pid;
  if (addon_int64(env, argv[0], "pid", &pid) < 0) return NULL;
  if (pid <= 0 || pid > 0x7fffffff) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "pid must be a positive process id");
    return NULL;
  }
  int status = 0;
  pid_t r;
  while ((r = waitpid((pid_t)pid, &status, WNOHANG)) < 0 && errno == EINTR) {}
  if (r < 0) {
    addon_throw_errno(env, errno, "waitpid", NULL);
    return NULL;
  }
  napi_value result;
  if (r == 0) {
    napi_get_null(env, &result);
    return result;
  }
  napi_value null_v;
  napi_get_null(env, &null_v);
  if (napi_create_object(env, &result) != napi_ok) return NULL;
  if (WIFEXITED(status)) {
    if (set_int(env, result, "code", WEXITSTATUS(status)) < 0 ||
        napi_set_named_property(env, result, "signal", null_v) != napi_ok)
      return NULL;
  } else {
    if (set_int(env, result, "signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0) < 0 ||
        napi_set_named_property(env, result, "code", null_v) != napi_ok)
      return NULL;
  }
  return result;
}
