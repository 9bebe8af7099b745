/* OCI hooks: each is an executable given the container state JSON on stdin,
 * with exactly its own args and env, killed when its timeout (seconds) runs
 * out. The caller picks the moment and the namespaces (see create.c, init.c,
 * commands.c). */
#include "runtime.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *const kinds[] = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };

char *hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle, const json_value *annotations) {
  json_writer w;
  berth_error e;
  jw_init(&w, false);
  jw_begin_object(&w);
  jw_key(&w, "ociVersion"); jw_string(&w, BERTH_OCI_VERSION);
  jw_key(&w, "id"); jw_string(&w, id);
  jw_key(&w, "status"); jw_string(&w, status);
  if (pid > 0) { jw_key(&w, "pid"); jw_int(&w, pid); }
  jw_key(&w, "bundle"); jw_string(&w, bundle);
  jw_key(&w, "annotations");
  if (annotations) jw_value(&w, annotations); else { jw_begin_object(&w); jw_end_object(&w); }
  jw_end_object(&w);
  const char *txt = jw_result(&w, &e);
  char *out = txt ? strdup(txt) : NULL;
  jw_free(&w);
  return out;
}

int check_hooks(const json_value *hooks, berth_error *err) {
  if (!hooks || hooks->type == JSON_NULL) return 0;
  if (hooks->type != JSON_OBJECT) return berth_fail(err, 0, "hooks must be an object");
  for (size_t k = 0; k < hooks->len; k++) {
    bool known = false;
    for (const char *const *n = kinds; *n; n++) known |= strcmp(*n, hooks->keys[k]) == 0;
    if (!known) return berth_fail(err, 0, "hooks.%s: unknown hook kind (valid: prestart, createRuntime, createContainer, "
                                  "startContainer, poststart, poststop)", hooks->keys[k]);
    json_value *arr = hooks->items[k];
    if (arr->type == JSON_NULL) continue;
    if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "hooks.%s must be an array", hooks->keys[k]);
    for (size_t i = 0; i < arr->len; i++) {
      json_value *h = arr->items[i], *t = json_get(h, "timeout");
      const char *path = json_get_string(h, "path");
      if (!path || path[0] != '/') return berth_fail(err, 0, "hooks.%s[%zu].path must be an absolute path", hooks->keys[k], i);
      if (t && t->type != JSON_NULL && (!t->is_int || t->i <= 0))
        return berth_fail(err, 0, "hooks.%s[%zu].timeout must be a positive number of seconds", hooks->keys[k], i);
      char **v; size_t n;
      berth_error e2;
      for (int f = 0; f < 2; f++) {
        const char *field = f ? "env" : "args";
        if (spec_string_array(json_get(h, field), field, &v, &n, &e2) < 0) {
          for (size_t j = 0; v && j < n; j++) free(v[j]);
          free(v);
          return berth_fail(err, 0, "hooks.%s[%zu].%s: %s", hooks->keys[k], i, field, e2.msg);
        }
        for (size_t j = 0; j < n; j++) free(v[j]);
        free(v);
      }
    }
  }
  return 0;
}

bool has_hooks(const json_value *hooks, const char *kind) {
  json_value *a = json_get(hooks, kind);
  return a && a->type == JSON_ARRAY && a->len > 0;
}

static void free_strv(char **v) {
  for (char **p = v; p && *p; p++) free(*p);
  free(v);
}

/* Wait for `pid` for up to timeout_s seconds (0: forever); kill it past that. */
static int wait_hook(pid_t pid, int timeout_s, int *status, berth_error *err) {
  if (timeout_s > 0) {
    _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0) {
      struct pollfd p = { .fd = pfd, .events = POLLIN };
      int r;
      do r = poll(&p, 1, timeout_s * 1000); while (r < 0 && errno == EINTR);
      if (r == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, status, 0);
        return berth_fail(err, ETIMEDOUT, "timed out after %d s and was killed", timeout_s);
      }
    }
  }
  while (waitpid(pid, status, 0) < 0)
    if (errno != EINTR) return berth_fail(err, errno, "waiting for it");
  return 0;
}

static int run_one(const json_value *h, const char *state, berth_error *err) {
  const char *path = json_get_string(h, "path");
  json_value *t = json_get(h, "timeout");
  int timeout_s = t && t->is_int ? (int)t->i : 0;
  char **args = NULL, **env = NULL;
  size_t nargs = 0, nenv = 0;
  int rc = -1;
  _cleanup_close_ int in = -1;
  if (spec_string_array(json_get(h, "args"), "args", &args, &nargs, err) < 0 ||
      spec_string_array(json_get(h, "env"), "env", &env, &nenv, err) < 0)
    goto out;
  char *defargs[] = { (char *)path, NULL }, *noenv[] = { NULL };
  /* The state goes through a memfd: no size limit and no pipe to keep fed. */
  in = (int)syscall(SYS_memfd_create, "hook-state", MFD_CLOEXEC);
  size_t len = strlen(state);
  if (in < 0 || write(in, state, len) != (ssize_t)len || lseek(in, 0, SEEK_SET) < 0) {
    berth_fail(err, errno, "preparing its stdin");
    goto out;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) { berth_fail(err, errno, "fork"); goto out; }
  if (pid == 0) {
    dup2(in, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, nargs ? args : defargs, env ? env : noenv);
    fprintf(stderr, "berth-runtime: hook %s: %s\n", path, strerror(errno));
    _exit(127);
  }
  int status;
  if (wait_hook(pid, timeout_s, &status, err) < 0) goto out;
  if (WIFSIGNALED(status)) berth_fail(err, 0, "was killed by signal %d", WTERMSIG(status));
  else if (WEXITSTATUS(status) == 127) berth_fail(err, 0, "exited with status 127 (could it be executed?)");
  else if (WEXITSTATUS(status)) berth_fail(err, 0, "exited with status %d", WEXITSTATUS(status));
  else rc = 0;
out:
  free_strv(args);
  free_strv(env);
  return rc;
}

int run_hooks(const json_value *hooks, const char *kind, const char *state, berth_error *err) {
  json_value *arr = json_get(hooks, kind);
  if (!arr || arr->type != JSON_ARRAY) return 0;
  for (size_t k = 0; k < arr->len; k++)
    if (run_one(arr->items[k], state, err) < 0)
      return berth_error_wrap(err, "%s hook #%zu (%s)", kind, k, json_get_string(arr->items[k], "path"));
  return 0;
}

void run_hooks_warn(const json_value *hooks, const char *kind, const char *state) {
  json_value *arr = json_get(hooks, kind);
  if (!arr || arr->type != JSON_ARRAY) return;
  for (size_t k = 0; k < arr->len; k++) {
    berth_error e;
    berth_error_clear(&e);
    if (run_one(arr->items[k], state, &e) < 0) log_warn("%s hook #%zu (%s) failed: %s", kind, k, json_get_string(arr->items[k], "path"), e.msg);
  }
}
