#include "overlay.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "util.h"

int shim_overlay_mount(const char *bundle, const char *options, char *target, size_t size, berth_error *err) {
  if (shim_path_join(target, size, bundle, "rootfs", err) < 0) return -1;
  if (mkdir(target, 0755) < 0 && errno != EEXIST) return berth_fail(err, errno, "mkdir %s", target);
  if (mount("overlay", target, "overlay", 0, options) < 0)
    return berth_fail(err, errno, "mount overlay on %s (%s)", target, options);
  return 0;
}

int shim_overlay_umount(const char *target, berth_error *err) {
  if (umount2(target, 0) == 0) return 0;
  if (errno == EBUSY && umount2(target, MNT_DETACH) == 0) return 0;
  return berth_fail(err, errno, "unmount %s", target);
}
