/* cgroups: finds every cgroup v1 hierarchy and the cgroup2 mount through
 * /proc/self/mountinfo, creates the container's cgroup in each, applies
 * linux.resources, moves the init in, and removes the cgroup on delete.
 * Works for pure v1, pure v2 and hybrid hosts. */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>

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

static int discover(const spec *s, const char *id, cgroup_set *cg, berth_error *err) {
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

static int write_in(const char *dir, const char *file, const char *val, berth_error *err) {
  char p[PATH_MAX];
  if (snprintf(p, sizeof p, "%s/%s", dir, file) >= (int)sizeof p) return berth_fail(err, ENAMETOOLONG, "%s/%s", dir, file);
  return write_file(p, val, err);
}

static bool has_file(const char *dir, const char *file) {
  char p[PATH_MAX];
  if (snprintf(p, sizeof p, "%s/%s", dir, file) >= (int)sizeof p) return false;
  return access(p, F_OK) == 0;
}

/* A new v1 cpuset cgroup starts with no cpus/mems: copy them from the parent. */
static void cpuset_inherit(const char *dir) {
  const char *files[] = { "cpuset.cpus", "cpuset.mems" };
  for (int k = 0; k < 2; k++) {
    char p[PATH_MAX], pp[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/%s", dir, files[k]) >= (int)sizeof p) return;
    snprintf(pp, sizeof pp, "%s", dir);
    char *slash = strrchr(pp, '/');
    if (!slash) return;
    if (snprintf(slash, sizeof pp - (size_t)(slash - pp), "/%s", files[k]) >= (int)(sizeof pp - (size_t)(slash - pp))) return;
    berth_error e;
    _cleanup_free_ char *mine = read_file_str(p, &e);
    if (!mine || (mine[0] != '\n' && mine[0] != '\0')) continue;
    _cleanup_free_ char *parent = read_file_str(pp, &e);
    if (parent) write_file(p, parent, &e);
  }
}

static int make_dirs(const cgroup_set *cg, size_t k, berth_error *err) {
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", cg->dirs[k]);
  bool cpuset = !cg->v2[k] && strstr(cg->ctrls[k], "cpuset");
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char c = *p;
    *p = '\0';
    if (mkdir(buf, 0755) == 0) { if (cpuset) cpuset_inherit(buf); }
    else if (errno != EEXIST) return berth_fail(err, errno, "creating cgroup %s", buf);
    /* Like runc: on pure v2 every ancestor gives its children what it is offered.
     * On a hybrid host v2 controllers are enabled only for a limit that needs one. */
    if (cg->v2[k] && c && cgroup_is_pure_v2() && has_file(buf, "cgroup.subtree_control")) cgroup_v2_enable_offered(buf);
    *p = c;
    if (!c) break;
  }
  return 0;
}

static bool names_controller(const char *ctrls, const char *name, size_t len) {
  for (const char *p = ctrls; *p;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == len && strncmp(p, name, len) == 0) return true;
    if (!comma) break;
    p = comma + 1;
  }
  return false;
}

/* The controller a file belongs to: "memory" for memory.max. */
static void controller_of(const char *file, char *out, size_t n) {
  snprintf(out, n, "%.*s", (int)strcspn(file, "."), file);
}

/* Writes one limit to the hierarchy that owns its controller: the first with
 * `v1file`/`v2file`, else the cgroup2 one after enabling the controller there
 * (unless a v1 hierarchy holds it). Like runc, a limit no hierarchy can take
 * is an error, naming the missing controller. */
int cgroup_set_limit(const cgroup_set *cg, const char *what, const char *v1file, const char *v1val,
                     const char *v2file, const char *v2val, berth_error *err) {
  char ctrl[64];
  controller_of(v2file ? v2file : v1file, ctrl, sizeof ctrl);
  bool on_v1 = false;
  for (size_t k = 0; k < cg->n; k++) {
    const char *f = cg->v2[k] ? v2file : v1file, *v = cg->v2[k] ? v2val : v1val;
    if (!cg->v2[k] && cg->ctrls[k] && names_controller(cg->ctrls[k], ctrl, strlen(ctrl))) on_v1 = true;
    if (!f || !has_file(cg->dirs[k], f)) continue;
    if (write_in(cg->dirs[k], f, v, err) < 0) return berth_error_wrap(err, "applying linux.resources.%s", what);
    return 0;
  }
  for (size_t k = 0; k < cg->n && v2file && !on_v1; k++) {
    if (!cg->v2[k]) continue;
    if (cgroup_v2_enable(cg->dirs[k], ctrl, err) < 0) return berth_error_wrap(err, "linux.resources.%s needs the %s controller", what, ctrl);
    if (!has_file(cg->dirs[k], v2file)) break;
    if (write_in(cg->dirs[k], v2file, v2val, err) < 0) return berth_error_wrap(err, "applying linux.resources.%s", what);
    return 0;
  }
  return berth_fail(err, 0, "linux.resources.%s is set but the %s controller is not available to the container's cgroup "
                    "(no %s here: enable the controller, or remove the limit)", what, ctrl,
                    on_v1 ? v1file : v2file ? v2file : v1file);
}

static int apply_memory(const cgroup_set *cg, const resources_spec *r, berth_error *err) {
  char a[64], b[64];
  if (r->has_memory_limit && r->memory_limit != 0) {
    snprintf(a, sizeof a, "%lld", (long long)r->memory_limit);
    snprintf(b, sizeof b, "%s", r->memory_limit < 0 ? "max" : a);
    if (cgroup_set_limit(cg, "memory.limit", "memory.limit_in_bytes", a, "memory.max", b, err) < 0) return -1;
    if (r->has_memory_swap && r->memory_swap != 0) {
      snprintf(a, sizeof a, "%lld", (long long)r->memory_swap);
      long long sw = r->memory_swap < 0 || r->memory_limit < 0 ? -1 : r->memory_swap - r->memory_limit;
      if (sw < 0) snprintf(b, sizeof b, "max"); else snprintf(b, sizeof b, "%lld", sw);
      berth_error ignored; /* swap accounting is often disabled: best effort */
      cgroup_set_limit(cg, "memory.swap", "memory.memsw.limit_in_bytes", a, "memory.swap.max", b, &ignored);
    }
  }
  if (r->has_memory_reservation && r->memory_reservation != 0) {
    snprintf(a, sizeof a, "%lld", (long long)r->memory_reservation);
    snprintf(b, sizeof b, "%s", r->memory_reservation < 0 ? "max" : a);
    if (cgroup_set_limit(cg, "memory.reservation", "memory.soft_limit_in_bytes", a, "memory.low", b, err) < 0) return -1;
  }
  return 0;
}

int cgroup_apply_resources(const cgroup_set *cg, const resources_spec *r, berth_error *err) {
  char a[64], b[64];
  if (apply_memory(cg, r, err) < 0) {
    /* v1 keeps memsw >= limit: raising both needs the swap limit first. */
    berth_error first = *err;
    resources_spec swap_first = *r;
    if (!r->has_memory_swap || r->memory_swap <= 0 || r->memory_limit <= 0) return -1;
    snprintf(a, sizeof a, "%lld", (long long)r->memory_swap);
    berth_error ignored;
    if (cgroup_set_limit(cg, "memory.swap", "memory.memsw.limit_in_bytes", a, NULL, NULL, &ignored) < 0) { *err = first; return -1; }
    if (apply_memory(cg, &swap_first, err) < 0) return -1;
  }
  if (r->cpuset_cpus && cgroup_set_limit(cg, "cpu.cpus", "cpuset.cpus", r->cpuset_cpus, "cpuset.cpus", r->cpuset_cpus, err) < 0) return -1;
  if (r->cpuset_mems && cgroup_set_limit(cg, "cpu.mems", "cpuset.mems", r->cpuset_mems, "cpuset.mems", r->cpuset_mems, err) < 0) return -1;
  if (r->has_pids_limit && r->pids_limit != 0) {
    if (r->pids_limit > 0) snprintf(a, sizeof a, "%lld", (long long)r->pids_limit); else snprintf(a, sizeof a, "max");
    if (cgroup_set_limit(cg, "pids.limit", "pids.max", a, "pids.max", a, err) < 0) return -1;
  }
  if (r->has_cpu_shares && r->cpu_shares != 0) {
    unsigned long long sh = r->cpu_shares < 2 ? 2 : r->cpu_shares > 262144 ? 262144 : r->cpu_shares;
    snprintf(a, sizeof a, "%llu", (unsigned long long)r->cpu_shares);
    snprintf(b, sizeof b, "%llu", 1 + ((sh - 2) * 9999) / 262142);
    if (cgroup_set_limit(cg, "cpu.shares", "cpu.shares", a, "cpu.weight", b, err) < 0) return -1;
  }
  if ((r->has_cpu_quota && r->cpu_quota != 0) || (r->has_cpu_period && r->cpu_period != 0)) {
    unsigned long long period = r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000;
    if (r->has_cpu_period && r->cpu_period) {
      snprintf(a, sizeof a, "%llu", period);
      berth_error ignored;
      cgroup_set_limit(cg, "cpu.period", "cpu.cfs_period_us", a, NULL, NULL, &ignored);
    }
    long long q = r->has_cpu_quota ? r->cpu_quota : -1;
    snprintf(a, sizeof a, "%lld", q > 0 ? q : -1);
    if (q > 0) snprintf(b, sizeof b, "%lld %llu", q, period); else snprintf(b, sizeof b, "max %llu", period);
    if (cgroup_set_limit(cg, "cpu.quota", "cpu.cfs_quota_us", a, "cpu.max", b, err) < 0) return -1;
  }
  return cgroup_apply_hugetlb(cg, r, err);
}

int cgroup_prepare(const spec *s, const char *id, cgroup_set *cg, berth_error *err) {
  memset(cg, 0, sizeof *cg);
  if (discover(s, id, cg, err) < 0) return berth_error_wrap(err, "finding cgroup mounts");
  if (cg->n == 0) return berth_fail(err, 0, "no cgroup filesystem is mounted (mount cgroup2 on /sys/fs/cgroup)");
  for (size_t k = 0; k < cg->n; k++) {
    /* An existing cgroup is only reused when no process is in it. */
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/cgroup.procs", cg->dirs[k]);
    berth_error e;
    _cleanup_free_ char *procs = read_file_str(p, &e);
    if (procs && *procs) {
      berth_fail(err, EBUSY, "cgroup %s already has processes (is linux.cgroupsPath shared with another container?)", cg->dirs[k]);
      cgroup_set_free(cg);
      return -1;
    }
  }
  for (size_t k = 0; k < cg->n; k++)
    if (make_dirs(cg, k, err) < 0) { berth_error e; cgroup_remove(cg, &e); return -1; }
  if (cgroup_apply_resources(cg, &s->res, err) < 0) { berth_error e; cgroup_remove(cg, &e); return -1; }
  return 0;
}

int cgroup_add_pid(const cgroup_set *cg, pid_t pid, berth_error *err) {
  char v[32];
  snprintf(v, sizeof v, "%d", (int)pid);
  for (size_t k = 0; k < cg->n; k++)
    if (write_in(cg->dirs[k], "cgroup.procs", v, err) < 0) return berth_error_wrap(err, "moving the init into its cgroup");
  return 0;
}

pid_t *cgroup_pids(const cgroup_set *cg, size_t *n, berth_error *err) {
  *n = 0;
  for (size_t k = 0; k < cg->n; k++) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/cgroup.procs", cg->dirs[k]);
    _cleanup_free_ char *txt = read_file_str(p, err);
    if (!txt) continue;
    pid_t *out = calloc(strlen(txt) / 2 + 1, sizeof *out);
    if (!out) return berth_fail(err, ENOMEM, "reading %s", p), NULL;
    for (char *t = strtok(txt, "\n"); t; t = strtok(NULL, "\n")) out[(*n)++] = (pid_t)atoi(t);
    return out;
  }
  return berth_fail(err, ENOENT, "the container has no readable cgroup.procs"), NULL;
}

/* Sub-cgroups someone made inside the container's (exec --cgroup) go first. */
static void remove_children(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
    remove_children(sub);
    for (int tries = 0; rmdir(sub) < 0 && errno == EBUSY && tries < 200; tries++) nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
  }
  closedir(d);
}

int cgroup_remove(const cgroup_set *cg, berth_error *err) {
  int rc = 0;
  for (size_t k = 0; k < cg->n; k++) {
    if (!cg->dirs[k]) continue;
    remove_children(cg->dirs[k]);
    /* Exiting tasks leave the cgroup asynchronously: retry for up to ~2 s. */
    for (int tries = 0;; tries++) {
      if (rmdir(cg->dirs[k]) == 0 || errno == ENOENT) break;
      if (errno != EBUSY || tries >= 200) { rc = berth_fail(err, errno, "removing cgroup %s", cg->dirs[k]); break; }
      nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
    }
  }
  return rc;
}

void cgroup_classify(cgroup_set *cg) {
  for (size_t k = 0; k < cg->n; k++) {
    cg->v2[k] = has_file(cg->dirs[k], "cgroup.controllers");
    if (!cg->ctrls[k]) cg->ctrls[k] = strdup("");
    if (!cg->names[k]) cg->names[k] = strdup("");
  }
}

const char *cgroup_dir_with(const cgroup_set *cg, const char *file) {
  for (size_t k = 0; k < cg->n; k++)
    if (cg->dirs[k] && has_file(cg->dirs[k], file)) return cg->dirs[k];
  return NULL;
}

void cgroup_set_free(cgroup_set *cg) {
  for (size_t k = 0; k < cg->n; k++) { free(cg->dirs[k]); free(cg->ctrls[k]); free(cg->names[k]); }
  cg->n = 0;
}

/* Which sub-cgroup `--cgroup` values pick in hierarchy k ("" for the container's own). */
static int sub_for(const cgroup_set *cg, size_t k, const char **subs, size_t nsubs, const char **out, berth_error *err) {
  *out = "";
  for (size_t j = 0; j < nsubs; j++) {
    const char *colon = strchr(subs[j], ':');
    const char *path = colon ? colon + 1 : subs[j];
    if (*path == '\0' || strstr(path, "..")) return berth_fail(err, 0, "--cgroup %s: give a sub-cgroup path inside the container's cgroup", subs[j]);
    if (!colon) { *out = path; continue; }
    for (const char *c = subs[j]; c < colon;) {
      const char *comma = memchr(c, ',', (size_t)(colon - c));
      size_t len = comma ? (size_t)(comma - c) : (size_t)(colon - c);
      if (!cg->v2[k] && names_controller(cg->ctrls[k], c, len)) *out = path;
      c += len + 1;
    }
  }
  return 0;
}

int cgroup_add_pid_sub(cgroup_set *cg, pid_t pid, const char **subs, size_t nsubs, berth_error *err) {
  if (nsubs == 0) return cgroup_add_pid(cg, pid, err);
  if (cgroup_name_controllers(cg, err) < 0) return -1;
  /* every named controller must exist in some hierarchy of the container */
  for (size_t j = 0; j < nsubs; j++) {
    const char *colon = strchr(subs[j], ':');
    for (const char *c = subs[j]; colon && c < colon;) {
      const char *comma = memchr(c, ',', (size_t)(colon - c));
      size_t len = comma ? (size_t)(comma - c) : (size_t)(colon - c);
      bool found = false;
      for (size_t k = 0; k < cg->n && !found; k++) found = !cg->v2[k] && names_controller(cg->ctrls[k], c, len);
      if (!found) return berth_fail(err, 0, "--cgroup %s: the container has no cgroup v1 hierarchy for controller \"%.*s\"", subs[j], (int)len, c);
      c += len + 1;
    }
  }
  char v[32];
  snprintf(v, sizeof v, "%d", (int)pid);
  for (size_t k = 0; k < cg->n; k++) {
    const char *sub;
    if (sub_for(cg, k, subs, nsubs, &sub, err) < 0) return -1;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s%s%s", cg->dirs[k], *sub ? "/" : "", sub);
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
      return berth_fail(err, ENOENT, "--cgroup: sub-cgroup %s does not exist (create it first)", dir);
    if (write_in(dir, "cgroup.procs", v, err) < 0) return berth_error_wrap(err, "moving the process into %s", dir);
  }
  return 0;
}
