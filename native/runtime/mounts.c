/* One entry of config.json "mounts": bind mounts, regular filesystems and
 * the cgroup filesystem. Destinations are resolved inside the rootfs. */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* Flags a bind remount must keep, or the kernel refuses it (locked mounts). */
static unsigned long kept_flags(const char *path) {
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs(path, &sv) < 0) return 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
  return f;
}

int remount_readonly(const char *path, berth_error *err) {
  unsigned long f = kept_flags(path) | MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (mount(NULL, path, NULL, f, NULL) < 0) return berth_fail(err, errno, "remounting %s read-only", path);
  return 0;
}

static int bind_mount(const spec *s, const mount_spec *m, const char *dest, berth_error *err) {
  char src[PATH_MAX];
  if (m->source[0] == '/') snprintf(src, sizeof src, "%s", m->source);
  else snprintf(src, sizeof src, "%s/%s", s->bundle, m->source);
  struct stat st;
  if (stat(src, &st) < 0) return berth_fail(err, errno, "bind mount source %s", src);
  if (ensure_mount_point(dest, !S_ISDIR(st.st_mode), err) < 0) return -1;
  if (mount(src, dest, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
    return berth_fail(err, errno, "bind-mounting %s on %s", src, m->destination);
  unsigned long extra = m->flags & ~(MS_REC | MS_REMOUNT | MS_BIND);
  if (extra) {
    unsigned long f = (kept_flags(dest) & ~MS_RDONLY) | extra | MS_BIND | MS_REMOUNT;
    if (mount(NULL, dest, NULL, f, NULL) < 0)
      return berth_fail(err, errno, "applying options to bind mount %s", m->destination);
  }
  return 0;
}

static int mount_cgroup(const spec *s, const mount_spec *m, const char *dest, const cgroup_set *cg, berth_error *err) {
  unsigned long flags = m->flags & ~MS_REMOUNT;
  bool cgns = spec_has_ns(s, CLONE_NEWCGROUP);
  if (ensure_mount_point(dest, false, err) < 0) return -1;
  if (cgroup_is_pure_v2()) {
    if (cgns && mount("cgroup2", dest, "cgroup2", flags, NULL) == 0) return 0;
    for (size_t k = 0; k < cg->n; k++) {
      if (!cg->v2[k]) continue;
      if (mount(cg->dirs[k], dest, NULL, MS_BIND | MS_REC, NULL) < 0)
        return berth_fail(err, errno, "bind-mounting the container's cgroup on %s", m->destination);
      return (flags & MS_RDONLY) ? remount_readonly(dest, err) : 0;
    }
    return berth_fail(err, 0, "mounting cgroup2 on %s: the container has no cgroup2 directory", m->destination);
  }
  /* v1 or hybrid: a tmpfs holding one directory per hierarchy. */
  if (mount("tmpfs", dest, "tmpfs", (flags & ~MS_RDONLY), "mode=755") < 0)
    return berth_fail(err, errno, "mounting the tmpfs for cgroup hierarchies on %s", m->destination);
  for (size_t k = 0; k < cg->n; k++) {
    char sub[PATH_MAX];
    if (cg->v2[k]) continue; /* like runc: a hybrid host's controller-less cgroup2 tree is not shown */
    snprintf(sub, sizeof sub, "%s/%s", dest, cg->names[k]);
    if (mkdir(sub, 0755) < 0 && errno != EEXIST) return berth_fail(err, errno, "creating %s", sub);
    int r = -1;
    if (cgns) r = mount("cgroup", sub, cg->v2[k] ? "cgroup2" : "cgroup", flags, cg->v2[k] ? NULL : cg->ctrls[k]);
    if (r < 0) {
      if (mount(cg->dirs[k], sub, NULL, MS_BIND | MS_REC, NULL) < 0)
        return berth_fail(err, errno, "bind-mounting cgroup %s on %s/%s", cg->dirs[k], m->destination, cg->names[k]);
      if ((flags & MS_RDONLY) && remount_readonly(sub, err) < 0) return -1;
    }
  }
  if ((flags & MS_RDONLY) && mount(NULL, dest, NULL, MS_REMOUNT | flags, "mode=755") < 0)
    return berth_fail(err, errno, "remounting %s read-only", m->destination);
  return 0;
}

int do_mount(const spec *s, const mount_spec *m, const cgroup_set *cg, berth_error *err) {
  _cleanup_free_ char *dest = secure_join(s->rootfs, m->destination, err);
  if (!dest) return berth_error_wrap(err, "mount destination %s", m->destination);
  int r;
  if (m->bind) r = bind_mount(s, m, dest, err);
  else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0) r = mount_cgroup(s, m, dest, cg, err);
  else {
    if (ensure_mount_point(dest, false, err) < 0) return -1;
    r = mount(m->source, dest, m->type, m->flags, m->data);
    if (r < 0 && errno == EPERM && (strcmp(m->type, "sysfs") == 0 || strcmp(m->type, "mqueue") == 0)) {
      /* No network/ipc namespace of our own (or a user namespace): reuse the host's. */
      const char *host = strcmp(m->type, "sysfs") == 0 ? "/sys" : "/dev/mqueue";
      r = mount(host, dest, NULL, MS_BIND | MS_REC, NULL);
      if (r == 0 && (m->flags & MS_RDONLY)) r = remount_readonly(dest, err);
      else if (r < 0) r = berth_fail(err, errno, "bind-mounting host %s on %s", host, m->destination);
    } else if (r < 0) {
      int e = errno;
      r = berth_fail(err, e, "mounting %s (type %s, options \"%s\") on %s", m->source, m->type, m->data ? m->data : "",
                     m->destination);
      if (e == EINVAL || e == ENODEV) berth_error_wrap(err, "check the mount type and options");
    }
  }
  if (r < 0) return -1;
  if (m->propagation && mount(NULL, dest, NULL, m->propagation, NULL) < 0)
    return berth_fail(err, errno, "setting propagation of %s", m->destination);
  return 0;
}
