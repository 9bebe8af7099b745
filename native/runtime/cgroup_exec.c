/* exec --cgroup [CONTROLLERS:]PATH: a new process into existing sub-cgroups
 * of the container's cgroup. */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

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
      if (!cg->v2[k] && cgroup_names_controller(cg->ctrls[k], c, len)) *out = path;
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
      for (size_t k = 0; k < cg->n && !found; k++) found = !cg->v2[k] && cgroup_names_controller(cg->ctrls[k], c, len);
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
    if (cgroup_write(dir, "cgroup.procs", v, err) < 0) return berth_error_wrap(err, "moving the process into %s", dir);
  }
  return 0;
}
