/* pause/resume through the freezer (v1 freezer.state, v2 cgroup.freeze),
 * and `ps`: the container's processes from its cgroup. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <time.h>

/* v1 freezer dir, else the v2 dir (cgroup.freeze), else NULL. */
static const char *freezer_dir(const cgroup_set *cg, bool *v2) {
  const char *d = cgroup_dir_with(cg, "freezer.state");
  *v2 = !d;
  return d ? d : cgroup_dir_with(cg, "cgroup.freeze");
}

static char *read_in(const char *dir, const char *file, berth_error *err) {
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/%s", dir, file);
  return read_file_str(p, err);
}

/* 1 frozen, 0 thawed (or in between), -1 unknown. */
static int current(const char *dir, bool v2) {
  berth_error e;
  _cleanup_free_ char *txt = read_in(dir, v2 ? "cgroup.events" : "freezer.state", &e);
  if (!txt) return -1;
  if (!v2) return strncmp(txt, "FROZEN", 6) == 0 ? 1 : strncmp(txt, "THAWED", 6) == 0 ? 0 : 2;
  const char *f = strstr(txt, "frozen ");
  return f ? f[7] == '1' : -1;
}

int freezer_state(const cgroup_set *cg) {
  bool v2;
  const char *d = freezer_dir(cg, &v2);
  if (!d) return -1;
  int c = current(d, v2);
  return c == 1;
}

int freezer_set(const cgroup_set *cg, bool frozen, berth_error *err) {
  bool v2;
  const char *d = freezer_dir(cg, &v2);
  if (!d) return berth_fail(err, 0, "the container has no freezer (neither a v1 freezer hierarchy nor cgroup v2)");
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/%s", d, v2 ? "cgroup.freeze" : "freezer.state");
  const char *val = v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
  /* The transition is asynchronous: wait for it (about 10 s at most),
   * writing again now and then, as a v1 freeze can stall on a busy task. */
  for (int k = 0; k < 2000; k++) {
    if (k % 100 == 0 && write_file(p, val, err) < 0) return berth_error_wrap(err, frozen ? "freezing the container" : "thawing the container");
    if (current(d, v2) == (frozen ? 1 : 0)) return 0;
    nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
  }
  if (frozen) { berth_error ignored; write_file(p, v2 ? "0" : "THAWED", &ignored); }
  return berth_fail(err, ETIMEDOUT, "the container did not become %s", frozen ? "frozen" : "thawed");
}

int cmd_pause(const global_opts *g, const char *id, bool pause, berth_error *err) {
  container_state st;
  int r = state_load(g, id, &st, err);
  if (r == 0) {
    container_status s = state_status(&st);
    if (pause && s != ST_RUNNING && s != ST_CREATED) r = berth_fail(err, 0, "cannot pause container \"%s\": it is %s, not running", id, status_name(s));
    else if (!pause && s != ST_PAUSED) r = berth_fail(err, 0, "cannot resume container \"%s\": it is %s, not paused", id, status_name(s));
    else r = freezer_set(&st.cg, pause, err);
  }
  state_free(&st);
  return r;
}

static void proc_field(pid_t pid, const char *key, char *out, size_t n) {
  char p[64];
  berth_error e;
  snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
  snprintf(out, n, "?");
  _cleanup_free_ char *txt = read_file_str(p, &e);
  const char *f = txt ? strstr(txt, key) : NULL;
  if (f) sscanf(f + strlen(key), "%*[ \t]%63s", out);
}

static void proc_cmd(pid_t pid, char *out, size_t n) {
  char p[64];
  berth_error e;
  snprintf(p, sizeof p, "/proc/%d/cmdline", (int)pid);
  _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
  ssize_t len = fd >= 0 ? read(fd, out, n - 1) : -1;
  if (len <= 0) { proc_field(pid, "Name:", out + 1, n - 2); out[0] = '['; strcat(out, "]"); (void)e; return; }
  for (ssize_t k = 0; k < len - 1; k++) if (!out[k]) out[k] = ' ';
  out[len] = '\0';
}

int cmd_ps(const global_opts *g, const char *id, bool json, berth_error *err) {
  container_state st;
  if (state_load(g, id, &st, err) < 0) { state_free(&st); return -1; }
  size_t n = 0;
  pid_t *pids = state_status(&st) == ST_STOPPED ? calloc(1, sizeof *pids) : cgroup_pids(&st.cg, &n, err);
  state_free(&st);
  if (!pids) return -1;
  if (json) {
    printf("[");
    for (size_t k = 0; k < n; k++) printf("%s%d", k ? "," : "", (int)pids[k]);
    printf("]\n");
  } else {
    printf("%-8s %-8s %-8s %s\n", "UID", "PID", "PPID", "CMD");
    for (size_t k = 0; k < n; k++) {
      char uid[64], ppid[64], cmd[512];
      proc_field(pids[k], "Uid:", uid, sizeof uid);
      proc_field(pids[k], "PPid:", ppid, sizeof ppid);
      proc_cmd(pids[k], cmd, sizeof cmd);
      printf("%-8s %-8d %-8s %s\n", uid, (int)pids[k], ppid, cmd);
    }
  }
  free(pids);
  return 0;
}
