#include "oom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* pid's cgroup path in the hierarchy with the memory controller (v1), or in
 * the unified hierarchy (v2: *v2 = 1). */
static int cgroup_of(pid_t pid, char *out, size_t size, int *v2, berth_error *err) {
  char path[64], text[4096];
  snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
  if (shim_read_small_file(path, text, sizeof text, err) < 0) return -1;
  int found = 0;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c2 = '\0';
    const char *ctrls = c1 + 1;
    int memory = 0;
    for (const char *p = ctrls; (p = strstr(p, "memory")); p += 6)
      if ((p == ctrls || p[-1] == ',') && (p[6] == '\0' || p[6] == ',')) memory = 1;
    if (memory || (!found && ctrls[0] == '\0')) {
      snprintf(out, size, "%s", c2 + 1);
      *v2 = !memory;
      found = 1;
      if (memory) return 0;
    }
  }
  return found ? 0 : berth_fail(err, 0, "no memory cgroup in %s", path);
}

/* Field n (0-based, space separated) of line, copied into out. */
static int field(const char *line, int n, char *out, size_t size) {
  const char *p = line;
  for (int i = 0; i < n; i++) {
    p = strchr(p, ' ');
    if (!p) return -1;
    p++;
  }
  size_t len = strcspn(p, " ");
  if (len >= size) return -1;
  memcpy(out, p, len);
  out[len] = '\0';
  return 0;
}

typedef struct mount_query {
  int v2;
  char *point, *root;
  size_t size;
  int found;
} mount_query;

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS...] - FSTYPE SOURCE SUPER". */
static void mount_line(char *line, mount_query *q) {
  char mroot[256], point[256], fstype[32], super[512];
  const char *dash = strstr(line, " - ");
  if (q->found || !dash || field(line, 3, mroot, sizeof mroot) < 0 || field(line, 4, point, sizeof point) < 0 ||
      field(dash + 3, 0, fstype, sizeof fstype) < 0 || field(dash + 3, 2, super, sizeof super) < 0)
    return;
  int match = q->v2 ? strcmp(fstype, "cgroup2") == 0
                    : strcmp(fstype, "cgroup") == 0 && (strstr(super, ",memory") || strncmp(super, "memory", 6) == 0);
  if (!match) return;
  snprintf(q->point, q->size, "%s", point);
  snprintf(q->root, q->size, "%s", mroot);
  q->found = 1;
}

static int mount_of(int v2, char *out, char *root, size_t size, berth_error *err) {
  _cleanup_close_ int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return berth_fail(err, errno, "open /proc/self/mountinfo");
  mount_query q = {.v2 = v2, .point = out, .root = root, .size = size};
  char buf[4096];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    len += (size_t)n;
    buf[len] = '\0';
    char *start = buf, *nl;
    while ((nl = strchr(start, '\n'))) {
      *nl = '\0';
      mount_line(start, &q);
      start = nl + 1;
    }
    len -= (size_t)(start - buf);
    if (len == sizeof buf - 1) len = 0; /* a line longer than the buffer: skip it */
    memmove(buf, start, len);
  }
  return q.found ? 0 : berth_fail(err, 0, "no %s memory hierarchy mounted", v2 ? "cgroup2" : "cgroup v1");
}

/* The oom_kill counter in a memory.oom_control or memory.events file. */
static int read_counter(const char *path, uint64_t *value) {
  char text[1024];
  berth_error err;
  if (shim_read_small_file(path, text, sizeof text, &err) < 0) return -1;
  for (char *p = text; (p = strstr(p, "oom_kill ")); p++)
    if (p == text || p[-1] == '\n') {
      *value = strtoull(p + 9, NULL, 10);
      return 0;
    }
  return -1;
}

int shim_oom_init(shim_oom *o, pid_t pid, berth_error *err) {
  char cg[PATH_MAX / 2], mnt[256], root[256];
  int v2 = 0;
  o->path[0] = '\0';
  o->baseline = 0;
  if (cgroup_of(pid, cg, sizeof cg, &v2, err) < 0) return -1;
  if (mount_of(v2, mnt, root, sizeof mnt, err) < 0) return -1;
  /* The path is relative to the hierarchy's root; the mount may show a subtree. */
  const char *rel = cg;
  size_t rlen = strlen(root);
  if (strcmp(root, "/") != 0 && strncmp(cg, root, rlen) == 0) rel = cg + rlen;
  snprintf(o->path, sizeof o->path, "%s%s/%s", mnt, rel, v2 ? "memory.events" : "memory.oom_control");
  if (read_counter(o->path, &o->baseline) < 0) {
    int e = errno;
    berth_fail(err, e, "no oom_kill counter in %s", o->path);
    o->path[0] = '\0';
    return -1;
  }
  return 0;
}

int shim_oom_killed(const shim_oom *o) {
  uint64_t now;
  if (!o->path[0] || read_counter(o->path, &now) < 0) return 0;
  return now > o->baseline;
}
