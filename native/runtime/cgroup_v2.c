/* cgroup v2 specifics: which controllers a cgroup is offered, enabling one
 * top-down through cgroup.subtree_control (saying why when the kernel's
 * "no internal processes" rule or a v1-bound controller stops it), and
 * killing a whole cgroup through cgroup.kill. */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static char *read_in(const char *dir, const char *file) {
  char p[PATH_MAX];
  berth_error ignored;
  if (snprintf(p, sizeof p, "%s/%s", dir, file) >= (int)sizeof p) return NULL;
  return read_file_str(p, &ignored);
}

/* Whether the space-separated list in dir/file names ctrl. */
static bool lists(const char *dir, const char *file, const char *ctrl) {
  _cleanup_free_ char *txt = read_in(dir, file);
  size_t n = strlen(ctrl);
  for (char *p = txt; p && *p;) {
    size_t len = strcspn(p, " \n");
    if (len == n && strncmp(p, ctrl, n) == 0) return true;
    p += len;
    p += strspn(p, " \n");
  }
  return false;
}

bool cgroup_v2_offers(const char *dir, const char *ctrl) {
  return lists(dir, "cgroup.controllers", ctrl);
}

/* Length of the prefix of dir that is the root of its cgroup2 mount: the
 * topmost ancestor that is still a cgroup. */
static size_t mount_root_len(const char *dir) {
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", dir);
  size_t len = strlen(buf);
  for (;;) {
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf) return len;
    *slash = '\0';
    if (!cgroup_has_file(buf, "cgroup.controllers")) return len;
    len = strlen(buf);
  }
}

static int enable_in(const char *node, const char *ctrl, const char *for_dir, berth_error *err) {
  if (lists(node, "cgroup.subtree_control", ctrl)) return 0;
  if (!cgroup_v2_offers(node, ctrl)) {
    _cleanup_free_ char *offered = read_in(node, "cgroup.controllers");
    if (offered) offered[strcspn(offered, "\n")] = '\0';
    return berth_fail(err, 0, "cgroup v2 does not offer the %s controller at %s (its cgroup.controllers: \"%s\"; "
                      "on a hybrid host the controller is bound to a cgroup v1 hierarchy)", ctrl, node, offered ? offered : "");
  }
  char p[PATH_MAX], val[64];
  if (snprintf(p, sizeof p, "%s/cgroup.subtree_control", node) >= (int)sizeof p) return berth_fail(err, ENAMETOOLONG, "%s", node);
  snprintf(val, sizeof val, "+%s", ctrl);
  if (write_file(p, val, err) == 0) return 0;
  if (err->errnum == EBUSY)
    return berth_fail(err, EBUSY, "cannot enable the %s controller for %s: %s has processes of its own, and cgroup v2 "
                      "gives controllers only to the children of a cgroup without processes (move those processes "
                      "into a leaf cgroup, or choose a linux.cgroupsPath elsewhere)", ctrl, for_dir, node);
  return berth_error_wrap(err, "enabling the %s controller in %s", ctrl, node);
}

int cgroup_v2_enable(const char *dir, const char *ctrl, berth_error *err) {
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return berth_fail(err, ENAMETOOLONG, "%s", dir);
  size_t root = mount_root_len(buf);
  /* every ancestor from the mount root down to dir's parent, in order */
  for (size_t k = root; buf[k]; k++) {
    if (buf[k] != '/') continue;
    buf[k] = '\0';
    int r = enable_in(buf, ctrl, dir, err);
    buf[k] = '/';
    if (r < 0) return -1;
  }
  return 0;
}

void cgroup_v2_enable_offered(const char *node) {
  _cleanup_free_ char *txt = read_in(node, "cgroup.controllers");
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/cgroup.subtree_control", node);
  for (char *c = txt ? strtok(txt, " \n") : NULL; c; c = strtok(NULL, " \n")) {
    char val[64];
    berth_error ignored; /* a parent with processes keeps its controllers: the limits that need one say so */
    snprintf(val, sizeof val, "+%s", c);
    write_file(p, val, &ignored);
  }
}

int cgroup_v2_kill(const cgroup_set *cg, berth_error *err) {
  for (size_t k = 0; k < cg->n; k++) {
    if (!cg->v2[k] || !cg->dirs[k] || !cgroup_has_file(cg->dirs[k], "cgroup.kill")) continue;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/cgroup.kill", cg->dirs[k]);
    if (write_file(p, "1", err) < 0) return berth_error_wrap(err, "killing the container's cgroup");
    return 1;
  }
  return 0;
}
