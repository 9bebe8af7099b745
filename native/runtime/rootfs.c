/* Preparing the container's root filesystem in its mount namespace and
 * switching to it: pivot_root (or MS_MOVE + chroot with --no-pivot), then
 * masked and read-only paths. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static bool dev_is_tmpfs(const spec *s) {
  for (size_t k = 0; k < s->nmounts; k++)
    if (strcmp(s->mounts[k].destination, "/dev") == 0) return !s->mounts[k].bind;
  return false;
}

int prepare_rootfs(const spec *s, const cgroup_set *cg, berth_error *err) {
  /* Nothing we mount may propagate back to the host. */
  unsigned long prop = s->rootfs_propagation;
  if (prop & MS_SHARED) prop = MS_SLAVE | MS_REC; /* made shared again after the pivot */
  if (mount(NULL, "/", NULL, prop | MS_REC, NULL) < 0) return berth_fail(err, errno, "making / %s in the container's mount namespace", "private/slave");
  if (mount(s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
    int e = errno;
    berth_fail(err, e, "bind-mounting the rootfs %s on itself", s->rootfs);
    if (e == EACCES && s->nuid_maps)
      berth_error_wrap(err, "every directory up to the rootfs must be searchable by the container's root (host uid %u)", s->uid_maps[0].host_id);
    return -1;
  }
  for (size_t k = 0; k < s->nmounts; k++)
    if (do_mount(s, &s->mounts[k], cg, err) < 0) return -1;
  if (dev_is_tmpfs(s) && setup_devices(s, err) < 0) return -1;
  return 0;
}

static int pivot(const char *rootfs, berth_error *err) {
  _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0) return berth_fail(err, errno, "opening / and %s for pivot_root", rootfs);
  if (fchdir(newroot) < 0) return berth_fail(err, errno, "chdir to %s", rootfs);
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return berth_fail(err, errno, "pivot_root to %s (if the rootfs is on a ramfs/initramfs, use --no-pivot)", rootfs);
  /* The old root is now stacked on top of the new one: detach it. */
  if (fchdir(oldroot) < 0) return berth_fail(err, errno, "entering the old root");
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return berth_fail(err, errno, "making the old root a slave");
  if (umount2(".", MNT_DETACH) < 0) return berth_fail(err, errno, "detaching the old root");
  if (chdir("/") < 0) return berth_fail(err, errno, "chdir /");
  return 0;
}

static int move_chroot(const char *rootfs, berth_error *err) {
  if (chdir(rootfs) < 0) return berth_fail(err, errno, "chdir to %s", rootfs);
  if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0) return berth_fail(err, errno, "moving %s to / (--no-pivot)", rootfs);
  if (chroot(".") < 0) return berth_fail(err, errno, "chroot to %s", rootfs);
  if (chdir("/") < 0) return berth_fail(err, errno, "chdir /");
  return 0;
}

static int mask_path(const char *p, berth_error *err) {
  struct stat st;
  if (lstat(p, &st) < 0) {
    if (errno == ENOENT) return 0;
    return berth_fail(err, errno, "masking %s", p);
  }
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", p, "tmpfs", MS_RDONLY, NULL) < 0) return berth_fail(err, errno, "masking directory %s with a read-only tmpfs", p);
  } else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
    return berth_fail(err, errno, "masking %s with /dev/null", p);
  }
  return 0;
}

static int readonly_path(const char *p, berth_error *err) {
  if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
    if (errno == ENOENT) return 0;
    return berth_fail(err, errno, "bind-mounting readonly path %s", p);
  }
  return remount_readonly(p, err);
}

int setup_masked_and_readonly(const spec *s, berth_error *err) {
  for (size_t k = 0; k < s->nreadonly; k++)
    if (readonly_path(s->readonly[k], err) < 0) return berth_error_wrap(err, "linux.readonlyPaths");
  for (size_t k = 0; k < s->nmasked; k++)
    if (mask_path(s->masked[k], err) < 0) return berth_error_wrap(err, "linux.maskedPaths");
  return 0;
}

int enter_rootfs(const spec *s, bool no_pivot, berth_error *err) {
  if ((no_pivot ? move_chroot(s->rootfs, err) : pivot(s->rootfs, err)) < 0) return -1;
  if ((s->rootfs_propagation & MS_SHARED) && mount(NULL, "/", NULL, s->rootfs_propagation, NULL) < 0)
    return berth_fail(err, errno, "making the container root shared (linux.rootfsPropagation)");
  return 0;
}
