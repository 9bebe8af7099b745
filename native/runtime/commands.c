/* start, state, kill, delete and list: commands on an existing state dir. */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The init writes "0" once its startContainer hooks ran and it is about to
 * exec, or "E<message>" when a hook failed. */
static int read_fifo_result(int fd, const container_state *st, berth_error *err) {
  char msg[BERTH_ERROR_MSG_MAX + 2];
  size_t len = 0;
  for (;;) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, 100);
    if (r < 0 && errno != EINTR) return berth_fail(err, errno, "waiting on the exec fifo");
    if (r > 0) {
      ssize_t n = read(fd, msg + len, sizeof msg - 1 - len);
      if (n > 0) { len += (size_t)n; if (msg[0] == '0' || len == sizeof msg - 1) break; continue; }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      break; /* EOF */
    }
    if (len == 0 && !process_alive(st->pid, st->start_time)) break;
  }
  msg[len] = '\0';
  if (len && msg[0] == '0') return 0;
  if (len && msg[0] == 'E') return berth_fail(err, 0, "cannot start container \"%s\": %s", st->id, msg + 1);
  return berth_fail(err, 0, "cannot start container \"%s\": its init exited before it was started", st->id);
}

int start_container(const global_opts *g, container_state *st, berth_error *err) {
  (void)g;
  container_status status = state_status(st);
  if (status != ST_CREATED)
    return berth_fail(err, 0, "cannot start container \"%s\": it is %s, not created", st->id, status_name(status));
  char fifo[PATH_MAX];
  snprintf(fifo, sizeof fifo, "%s/exec.fifo", st->dir);
  /* Non-blocking open succeeds without a writer; the init's blocking open
   * completes as soon as we hold the read end. */
  _cleanup_close_ int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return berth_fail(err, errno, "opening %s", fifo);
  int r = read_fifo_result(fd, st, err);
  unlink(fifo);
  if (r < 0) return -1;
  if (has_hooks(st->hooks, "poststart")) {
    _cleanup_free_ char *js = hook_state_json(st->id, "running", st->pid, st->bundle, st->annotations);
    if (js) run_hooks_warn(st->hooks, "poststart", js);
  }
  return 0;
}

int cmd_start(const global_opts *g, const char *id, berth_error *err) {
  container_state st;
  int r = state_load(g, id, &st, err);
  if (r == 0) r = start_container(g, &st, err);
  state_free(&st);
  return r;
}

int cmd_state(const global_opts *g, const char *id, berth_error *err) {
  container_state st;
  if (state_load(g, id, &st, err) < 0) { state_free(&st); return -1; }
  json_writer w;
  jw_init(&w, true);
  state_json(&w, &st, state_status(&st));
  const char *txt = jw_result(&w, err);
  if (txt) printf("%s\n", txt);
  jw_free(&w);
  state_free(&st);
  return txt ? 0 : -1;
}

/* Every process of the cgroup: SIGKILL through cgroup v2's cgroup.kill when
 * the kernel has it, else frozen meanwhile so none can fork a new one
 * between reading cgroup.procs and the signal. */
static int signal_all(container_state *st, int sig, berth_error *err) {
  berth_error ignored;
  int killed = sig == SIGKILL ? cgroup_v2_kill(&st->cg, err) : 0;
  if (killed < 0) return -1;
  if (killed) {
    if (freezer_state(&st->cg) == 1) freezer_set(&st->cg, false, &ignored); /* v1-frozen tasks die once thawed */
    return 0;
  }
  size_t n;
  pid_t *first = cgroup_pids(&st->cg, &n, err);
  free(first);
  if (!first) return -1;
  if (n == 0) return 0;
  int was = freezer_state(&st->cg);
  if (was == 0) freezer_set(&st->cg, true, &ignored);
  _cleanup_free_ pid_t *pids = cgroup_pids(&st->cg, &n, err);
  for (size_t k = 0; pids && k < n; k++) kill(pids[k], sig);
  /* Frozen tasks only act on the signal once thawed; a paused container
   * stays paused unless it is being killed. */
  if (was == 0 || (was == 1 && sig == SIGKILL)) freezer_set(&st->cg, false, &ignored);
  return pids ? 0 : -1;
}

int cmd_kill(const global_opts *g, const char *id, const char *sigstr, bool all, berth_error *err) {
  int sig = parse_signal(sigstr ? sigstr : "SIGTERM", err);
  if (sig < 0) return -1;
  container_state st;
  int r = state_load(g, id, &st, err);
  if (r == 0) {
    container_status status = state_status(&st);
    if (all && st.cg.n && status != ST_STOPPED) r = signal_all(&st, sig, err);
    else if (status == ST_STOPPED) r = berth_fail(err, 0, "container \"%s\" is not running", id);
    else if (kill(st.pid, sig) < 0) r = berth_fail(err, errno, "sending signal %d to container \"%s\" (pid %d)", sig, id, (int)st.pid);
  }
  state_free(&st);
  return r;
}

static void wait_gone(container_state *st) {
  for (int k = 0; k < 500 && process_alive(st->pid, st->start_time); k++)
    nanosleep(&(struct timespec){ 0, 2 * 1000 * 1000 }, NULL);
}

int destroy_container(container_state *st, berth_error *err) {
  int rc = 0;
  if (st->cg.n) {
    /* Anything left in the cgroup (the init's orphans) dies with it. */
    berth_error ignored;
    signal_all(st, SIGKILL, &ignored);
    if (cgroup_remove(&st->cg, err) < 0) rc = -1;
  }
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/exec.fifo", st->dir);
  unlink(p);
  snprintf(p, sizeof p, "%s/state.json", st->dir);
  unlink(p);
  if (rmdir(st->dir) < 0 && errno != ENOENT && rc == 0) rc = berth_fail(err, errno, "removing state directory %s", st->dir);
  if (has_hooks(st->hooks, "poststop")) {
    _cleanup_free_ char *js = hook_state_json(st->id, "stopped", 0, st->bundle, st->annotations);
    if (js) run_hooks_warn(st->hooks, "poststop", js);
  }
  return rc;
}

int cmd_delete(const global_opts *g, const char *id, bool force, berth_error *err) {
  container_state st;
  if (state_load(g, id, &st, err) < 0) {
    int e = err->errnum;
    if (e == ENOENT && st.dir) {
      rmdir(st.dir); /* a create that died before writing state.json */
      if (force) { state_free(&st); return 0; }
    }
    state_free(&st);
    return -1;
  }
  int r = 0;
  container_status status = state_status(&st);
  if ((status == ST_RUNNING || status == ST_PAUSED) && !force) {
    r = berth_fail(err, 0, "cannot delete container \"%s\" that is not stopped: %s (stop it first, or use --force)", id, status_name(status));
  } else {
    if (status != ST_STOPPED) {
      berth_error ignored;
      kill(st.pid, SIGKILL);
      if (status == ST_PAUSED) freezer_set(&st.cg, false, &ignored);
      wait_gone(&st);
    }
    r = destroy_container(&st, err);
  }
  state_free(&st);
  return r;
}

int cmd_list(const global_opts *g, bool quiet, bool json, berth_error *err) {
  DIR *d = opendir(g->root);
  json_writer w;
  jw_init(&w, false);
  if (json) jw_begin_array(&w);
  else if (!quiet) printf("%-12s%-12s%-12s%-12s  %-12s  %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  if (!d && errno != ENOENT) { jw_free(&w); return berth_fail(err, errno, "listing %s", g->root); }
  for (struct dirent *e; d && (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    container_state st;
    berth_error ignored;
    if (state_load(g, e->d_name, &st, &ignored) < 0) { state_free(&st); continue; }
    container_status status = state_status(&st);
    if (json) state_json(&w, &st, status);
    else if (quiet) printf("%s\n", st.id);
    else printf("%-12s%-12d%-12s%-12s  %-12s  %s\n", st.id, status == ST_STOPPED ? 0 : (int)st.pid, status_name(status), st.bundle, st.created, "root");
    state_free(&st);
  }
  if (d) closedir(d);
  if (json) {
    jw_end_array(&w);
    const char *txt = jw_result(&w, err);
    if (!txt) { jw_free(&w); return -1; }
    printf("%s\n", txt);
  }
  jw_free(&w);
  return 0;
}
