/* Finding the cgroup hierarchies: every v1 hierarchy and the cgroup2 mount
 * from /proc/self/mountinfo (skipping mounts something else now covers), the
 * container's directory in each, and the controllers of a loaded set. */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

bool cgroup_is_pure_v2(void) {
  static int cached = -1;
  if (cached < 0) {
    struct statfs sf;
    cached = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
  }
  return cached;
}

/* Same set of comma-separated tokens, ignoring order. */
static bool same_tokens(const char *a, const char *b) {
  char x[256], y[256];
  snprintf(x, sizeof x, ",%s,", a);
  snprintf(y, sizeof y, ",%s,", b);
  for (int pass = 0; pass < 2; pass++) {
    const char *src = pass ? b : a, *other = pass ? x : y;
    char tok[128];
    for (const char *p = src; *p;) {
      size_t n = strcspn(p, ",");
      snprintf(tok, sizeof tok, ",%.*s,", (int)n, p);
      if (!strstr(other, tok)) return false;
      p += n; if (*p) p++;
    }
  }
  return true;
}

static bool is_controller_opt(const char *o, size_t n) {
  static const char *ctl[] = { "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio",
                               "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc" };
  if (n > 5 && strncmp(o, "name=", 5) == 0) return true;
  for (size_t k = 0; k < sizeof ctl / sizeof ctl[0]; k++)
    if (strlen(ctl[k]) == n && strncmp(o, ctl[k], n) == 0) return true;
  return false;
}

/* The calling process's path in the hierarchy described by `ctrls` ("" = v2). */
static char *own_path(const char *ctrls, bool v2, berth_error *err) {
  _cleanup_free_ char *txt = read_file_str("/proc/self/cgroup", err);
  if (!txt) return NULL;
  for (char *line = strtok(txt, "\n"); line; line = strtok(NULL, "\n")) {
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c1 = *c2 = '\0';
    const char *lc = c1 + 1;
    if (v2 ? (strcmp(line, "0") == 0 && !*lc) : (*lc && same_tokens(lc, ctrls))) return strdup(c2 + 1);
  }
  return strdup("/");
}

static int add_hierarchy(cgroup_set *cg, const spec *s, const char *id, const char *mnt, const char *mroot,
                         const char *ctrls, bool v2, berth_error *err) {
  if (cg->n >= CG_MAX) return 0;
  for (size_t k = 0; k < cg->n; k++)
    if (cg->v2[k] == v2 && same_tokens(cg->ctrls[k], ctrls)) return 0; /* same hierarchy mounted twice */
  char dir[PATH_MAX];
  const char *p = s->cgroups_path;
  if (p && p[0] == '/') {
    snprintf(dir, sizeof dir, "%s%s", mnt, p);
  } else {
    _cleanup_free_ char *own = own_path(ctrls, v2, err);
    if (!own) return -1;
    /* v2, like runc: under the parent of our own cgroup, which most probably
     * has processes (ours) and so could give the new cgroup no controllers. */
    if (v2) { char *slash = strrchr(own, '/'); if (slash) slash[slash == own] = '\0'; }
    const char *rel = own;
    size_t rl = strlen(mroot);
    if (strcmp(mroot, "/") != 0 && strncmp(own, mroot, rl) == 0) rel = own + rl;
    if (strcmp(rel, "/") == 0) rel = "";
    snprintf(dir, sizeof dir, "%s%s/%s", mnt, rel, p ? p : id);
  }
  const char *base = strrchr(mnt, '/');
  size_t k = cg->n++;
  cg->dirs[k] = strdup(dir);
  cg->ctrls[k] = strdup(ctrls);
  cg->names[k] = strdup(base && base[1] ? base + 1 : "unified");
  cg->v2[k] = v2;
  if (!cg->dirs[k] || !cg->ctrls[k] || !cg->names[k]) return berth_fail(err, ENOMEM, "cgroups");
  return 0;
}

/* A mount hidden by a later one on top of (or above) its mount point, e.g.
 * the v1 hierarchies under a cgroup2 mounted over /sys/fs/cgroup: the path
 * no longer reaches the device mountinfo names ("major:minor"). */
static bool shadowed(const char *mnt, const char *majmin) {
  unsigned maj, min;
  struct stat st;
  if (sscanf(majmin, "%u:%u", &maj, &min) != 2) return false;
  return stat(mnt, &st) < 0 || major(st.st_dev) != maj || minor(st.st_dev) != min;
}

/* Calls fn for every cgroup hierarchy mounted here: its mount point, the
 * root of the mount and its controllers ("" for cgroup2). */
typedef int (*cgroup_mount_fn)(void *ctx, const char *mnt, const char *mroot, const char *ctrls, bool v2, berth_error *err);
static int for_each_cgroup_mount(cgroup_mount_fn fn, void *ctx, berth_error *err) {
  _cleanup_free_ char *txt = read_file_str("/proc/self/mountinfo", err);
  if (!txt) return -1;
  char *save;
  for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *f[6] = { 0 }, *p = line;
    for (int k = 0; k < 6 && p; k++) { f[k] = p; p = strchr(p, ' '); if (p) *p++ = '\0'; }
    char *sep = !p ? NULL : strncmp(p, "- ", 2) == 0 ? p - 1 : strstr(p, " - ");
    if (!f[4] || !sep || shadowed(f[4], f[2])) continue;
    char *fstype = sep + 3, *src = strchr(fstype, ' ');
    if (!src) continue;
    *src++ = '\0';
    char *super = strchr(src, ' ');
    super = super ? super + 1 : (char *)"";
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0) continue;
    char ctrls[256] = "";
    if (!v2) {
      for (char *o = super; *o;) {
        size_t n = strcspn(o, ",");
        if (is_controller_opt(o, n)) {
          size_t l = strlen(ctrls);
          snprintf(ctrls + l, sizeof ctrls - l, "%s%.*s", l ? "," : "", (int)n, o);
        }
        o += n; if (*o) o++;
      }
      if (!*ctrls) continue;
    }
    if (fn(ctx, f[4], f[3], ctrls, v2, err) < 0) return -1;
  }
  return 0;
}

struct discover_ctx { cgroup_set *cg; const spec *s; const char *id; };
static int discover_one(void *ctx, const char *mnt, const char *mroot, const char *ctrls, bool v2, berth_error *err) {
  struct discover_ctx *d = ctx;
  return add_hierarchy(d->cg, d->s, d->id, mnt, mroot, ctrls, v2, err);
}

int cgroup_discover(const spec *s, const char *id, cgroup_set *cg, berth_error *err) {
  struct discover_ctx d = { cg, s, id };
  return for_each_cgroup_mount(discover_one, &d, err);
}

/* A set loaded from state.json knows only its directories: name each v1
 * hierarchy's controllers from the mount its directory lives under. */
static int name_one(void *ctx, const char *mnt, const char *mroot, const char *ctrls, bool v2, berth_error *err) {
  (void)mroot; (void)err;
  cgroup_set *cg = ctx;
  size_t ml = strlen(mnt);
  for (size_t k = 0; k < cg->n; k++) {
    if (v2 || cg->v2[k] || (cg->ctrls[k] && *cg->ctrls[k])) continue;
    if (strncmp(cg->dirs[k], mnt, ml) == 0 && cg->dirs[k][ml] == '/') {
      free(cg->ctrls[k]);
      cg->ctrls[k] = strdup(ctrls);
    }
  }
  return 0;
}

int cgroup_name_controllers(cgroup_set *cg, berth_error *err) {
  return for_each_cgroup_mount(name_one, cg, err);
}
