/* cgroups: creates the container's cgroup in every hierarchy found (see
 * cgroup_discover.c), applies linux.resources (cgroup_limits.c), moves the
 * init in, lists its processes and removes the cgroup on delete. Works for
 * pure v1, pure v2 and hybrid hosts. */
#include "runtime.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int cgroup_write(const char *dir, const char *file, const char *val, berth_error *err) {
  char p[PATH_MAX];
  if (snprintf(p, sizeof p, "%s/%s", dir, file) >= (int)sizeof p) return berth_fail(err, ENAMETOOLONG, "%s/%s", dir, file);
  return write_file(p, val, err);
}

bool cgroup_has_file(const char *dir, const char *file) {
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
    if (cg->v2[k] && c && cgroup_is_pure_v2() && cgroup_has_file(buf, "cgroup.subtree_control")) cgroup_v2_enable_offered(buf);
    *p = c;
    if (!c) break;
  }
  return 0;
}

int cgroup_prepare(const spec *s, const char *id, cgroup_set *cg, berth_error *err) {
  memset(cg, 0, sizeof *cg);
  if (cgroup_discover(s, id, cg, err) < 0) return berth_error_wrap(err, "finding cgroup mounts");
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
    if (cgroup_write(cg->dirs[k], "cgroup.procs", v, err) < 0) return berth_error_wrap(err, "moving the init into its cgroup");
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
    cg->v2[k] = cgroup_has_file(cg->dirs[k], "cgroup.controllers");
    if (!cg->ctrls[k]) cg->ctrls[k] = strdup("");
    if (!cg->names[k]) cg->names[k] = strdup("");
  }
}

const char *cgroup_dir_with(const cgroup_set *cg, const char *file) {
  for (size_t k = 0; k < cg->n; k++)
    if (cg->dirs[k] && cgroup_has_file(cg->dirs[k], file)) return cg->dirs[k];
  return NULL;
}

void cgroup_set_free(cgroup_set *cg) {
  for (size_t k = 0; k < cg->n; k++) { free(cg->dirs[k]); free(cg->ctrls[k]); free(cg->names[k]); }
  cg->n = 0;
}
