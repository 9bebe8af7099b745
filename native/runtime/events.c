/* `events`: container statistics (cpu, memory, pids, hugetlb) as runc prints them,
 * one JSON object per line: once with --stats, else every --interval until
 * the container stops, with {"type":"oom"} lines when the kernel's OOM
 * killer acts in the container (v1 memory.oom_control eventfd, v2
 * memory.events). */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

static bool read_u64(const cgroup_set *cg, const char *file, unsigned long long *out) {
  const char *d = cgroup_dir_with(cg, file);
  char p[PATH_MAX];
  berth_error e;
  if (!d) return false;
  snprintf(p, sizeof p, "%s/%s", d, file);
  _cleanup_free_ char *txt = read_file_str(p, &e);
  if (!txt) return false;
  if (strncmp(txt, "max", 3) == 0) { *out = 0; return true; }
  *out = strtoull(txt, NULL, 10);
  return true;
}

/* "key value" lines (cpu.stat, cpuacct.stat, memory.events). */
static bool read_key(const cgroup_set *cg, const char *file, const char *key, unsigned long long *out) {
  const char *d = cgroup_dir_with(cg, file);
  char p[PATH_MAX];
  berth_error e;
  if (!d) return false;
  snprintf(p, sizeof p, "%s/%s", d, file);
  _cleanup_free_ char *txt = read_file_str(p, &e);
  size_t kl = strlen(key);
  for (char *l = txt; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    if (strncmp(l, key, kl) == 0 && l[kl] == ' ') { *out = strtoull(l + kl + 1, NULL, 10); return true; }
  return false;
}

static void num(json_writer *w, const char *k, unsigned long long v) { jw_key(w, k); jw_uint(w, v); }

static void cpu_stats(json_writer *w, const cgroup_set *cg) {
  unsigned long long total = 0, user = 0, sys = 0, v;
  long tick = sysconf(_SC_CLK_TCK);
  jw_key(w, "cpu"); jw_begin_object(w);
  jw_key(w, "usage"); jw_begin_object(w);
  if (read_u64(cg, "cpuacct.usage", &total)) {
    if (read_key(cg, "cpuacct.stat", "user", &v)) user = v * (1000000000ULL / (unsigned long long)tick);
    if (read_key(cg, "cpuacct.stat", "system", &v)) sys = v * (1000000000ULL / (unsigned long long)tick);
    const char *d = cgroup_dir_with(cg, "cpuacct.usage_percpu");
    char p[PATH_MAX];
    berth_error e;
    jw_key(w, "percpu"); jw_begin_array(w);
    if (d) {
      snprintf(p, sizeof p, "%s/cpuacct.usage_percpu", d);
      _cleanup_free_ char *txt = read_file_str(p, &e);
      for (char *t = txt ? strtok(txt, " \n") : NULL; t; t = strtok(NULL, " \n")) jw_uint(w, strtoull(t, NULL, 10));
    }
    jw_end_array(w);
  } else if (read_key(cg, "cpu.stat", "usage_usec", &v)) {
    total = v * 1000;
    if (read_key(cg, "cpu.stat", "user_usec", &v)) user = v * 1000;
    if (read_key(cg, "cpu.stat", "system_usec", &v)) sys = v * 1000;
  }
  num(w, "total", total); num(w, "kernel", sys); num(w, "user", user);
  jw_end_object(w);
  jw_key(w, "throttling"); jw_begin_object(w);
  if (read_key(cg, "cpu.stat", "nr_periods", &v)) num(w, "periods", v);
  if (read_key(cg, "cpu.stat", "nr_throttled", &v)) num(w, "throttled_periods", v);
  jw_end_object(w);
  jw_end_object(w);
}

static void memory_stats(json_writer *w, const cgroup_set *cg) {
  unsigned long long usage = 0, limit = 0, max = 0, failcnt = 0, v;
  if (read_u64(cg, "memory.usage_in_bytes", &usage)) {
    read_u64(cg, "memory.limit_in_bytes", &limit);
    read_u64(cg, "memory.max_usage_in_bytes", &max);
    read_u64(cg, "memory.failcnt", &failcnt);
  } else if (read_u64(cg, "memory.current", &usage)) {
    if (!read_u64(cg, "memory.max", &limit) || limit == 0) limit = UINT64_MAX;
    read_u64(cg, "memory.peak", &max);
    if (read_key(cg, "memory.events", "max", &v)) failcnt = v;
  }
  jw_key(w, "memory"); jw_begin_object(w);
  jw_key(w, "usage"); jw_begin_object(w);
  num(w, "limit", limit); num(w, "usage", usage); num(w, "max", max); num(w, "failcnt", failcnt);
  jw_end_object(w);
  jw_end_object(w);
}

static void pids_stats(json_writer *w, const cgroup_set *cg) {
  unsigned long long cur = 0, limit = 0;
  read_u64(cg, "pids.current", &cur);
  read_u64(cg, "pids.max", &limit); /* "max" reads as 0, as runc reports it */
  jw_key(w, "pids"); jw_begin_object(w);
  num(w, "current", cur); num(w, "limit", limit);
  jw_end_object(w);
}

static int print_event(const char *type, const container_state *st, berth_error *err) {
  json_writer w;
  jw_init(&w, false);
  jw_begin_object(&w);
  jw_key(&w, "type"); jw_string(&w, type);
  jw_key(&w, "id"); jw_string(&w, st->id);
  if (strcmp(type, "stats") == 0) {
    jw_key(&w, "data"); jw_begin_object(&w);
    cpu_stats(&w, &st->cg);
    memory_stats(&w, &st->cg);
    pids_stats(&w, &st->cg);
    cgroup_hugetlb_stats(&w, &st->cg);
    jw_end_object(&w);
  }
  jw_end_object(&w);
  const char *txt = jw_result(&w, err);
  if (txt) { printf("%s\n", txt); fflush(stdout); }
  jw_free(&w);
  return txt ? 0 : -1;
}

/* Go-style duration: "5s", "500ms", "1m", "1.5s"; milliseconds out. */
static int parse_interval(const char *s, int *ms, berth_error *err) {
  char *end;
  double v = strtod(s, &end);
  double mul = strcmp(end, "ms") == 0 ? 1 : strcmp(end, "s") == 0 || !*end ? 1000 : strcmp(end, "m") == 0 ? 60000 : -1;
  if (end == s || mul < 0 || v <= 0 || v * mul > 86400000.0) return berth_fail(err, 0, "--interval %s: use a duration like 5s or 500ms", s);
  *ms = (int)(v * mul) ? (int)(v * mul) : 1;
  return 0;
}

/* An fd that becomes readable on OOM, or -1 when the container has no
 * memory controller we can watch. *v2 tells how to consume it. */
static int oom_fd(const cgroup_set *cg, bool *v2) {
  const char *d = cgroup_dir_with(cg, "memory.oom_control");
  char p[PATH_MAX];
  *v2 = false;
  if (d) {
    int efd = eventfd(0, EFD_CLOEXEC);
    snprintf(p, sizeof p, "%s/memory.oom_control", d);
    _cleanup_close_ int ofd = open(p, O_RDONLY | O_CLOEXEC);
    if (efd < 0 || ofd < 0) { if (efd >= 0) close(efd); return -1; }
    char line[64];
    snprintf(line, sizeof line, "%d %d", efd, ofd);
    snprintf(p, sizeof p, "%s/cgroup.event_control", d);
    berth_error e;
    if (write_file(p, line, &e) < 0) { close(efd); return -1; }
    return efd;
  }
  if ((d = cgroup_dir_with(cg, "memory.events"))) {
    *v2 = true;
    snprintf(p, sizeof p, "%s/memory.events", d);
    return open(p, O_RDONLY | O_CLOEXEC);
  }
  return -1;
}

int cmd_events(const global_opts *g, const char *id, bool stats_once, const char *interval, berth_error *err) {
  container_state st;
  int rc = -1, ms = 5000;
  _cleanup_close_ int ofd = -1, pfd = -1;
  bool v2 = false;
  if (state_load(g, id, &st, err) < 0) goto out;
  if (interval && parse_interval(interval, &ms, err) < 0) goto out;
  if (state_status(&st) == ST_STOPPED) { berth_fail(err, 0, "container \"%s\" is not running", id); goto out; }
  if (stats_once) { rc = print_event("stats", &st, err); goto out; }
  ofd = oom_fd(&st.cg, &v2);
  pfd = (int)syscall(SYS_pidfd_open, st.pid, 0);
  unsigned long long ooms = 0, now;
  if (v2) read_key(&st.cg, "memory.events", "oom_kill", &ooms);
  if (print_event("stats", &st, err) < 0) goto out;
  for (;;) {
    struct pollfd p[2] = { { .fd = ofd, .events = v2 ? POLLPRI : POLLIN }, { .fd = pfd, .events = POLLIN } };
    int r = poll(p, 2, ms);
    if (r < 0 && errno != EINTR) { berth_fail(err, errno, "poll"); goto out; }
    if (!process_alive(st.pid, st.start_time)) break;
    if (r > 0 && p[0].revents) {
      uint64_t n;
      if (!v2 && read(ofd, &n, sizeof n) == sizeof n && print_event("oom", &st, err) < 0) goto out;
      if (v2 && read_key(&st.cg, "memory.events", "oom_kill", &now) && now > ooms) {
        ooms = now;
        if (print_event("oom", &st, err) < 0) goto out;
      }
    }
    if (r == 0 && print_event("stats", &st, err) < 0) goto out;
  }
  rc = 0;
out:
  state_free(&st);
  return rc;
}
