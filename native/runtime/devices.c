/* Device nodes under the container's /dev: the defaults every container
 * gets, linux.devices, and the standard /dev symlinks. Runs before pivot. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static const device_spec defaults[] = {
  { .path = "/dev/null", .type = 'c', .major = 1, .minor = 3, .mode = 0666, .has_mode = true },
  { .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5, .mode = 0666, .has_mode = true },
  { .path = "/dev/full", .type = 'c', .major = 1, .minor = 7, .mode = 0666, .has_mode = true },
  { .path = "/dev/random", .type = 'c', .major = 1, .minor = 8, .mode = 0666, .has_mode = true },
  { .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9, .mode = 0666, .has_mode = true },
  { .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0, .mode = 0666, .has_mode = true },
};

static const struct { const char *target, *link; } links[] = {
  { "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" }, { "/proc/self/fd/1", "/dev/stdout" },
  { "/proc/self/fd/2", "/dev/stderr" }, { "pts/ptmx", "/dev/ptmx" },
};

/* Bind the host's node instead: mknod is refused in a user namespace. */
static int bind_device(const device_spec *d, const char *dest, berth_error *err) {
  int fd = open(dest, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0000);
  if (fd < 0 && errno != EEXIST) return berth_fail(err, errno, "creating bind target for %s", d->path);
  if (fd >= 0) close(fd);
  if (mount(d->path, dest, NULL, MS_BIND, NULL) < 0)
    return berth_fail(err, errno, "creating device %s: mknod is not permitted and binding the host's %s failed", d->path, d->path);
  return 0;
}

static int create_device(const spec *s, const device_spec *d, berth_error *err) {
  _cleanup_free_ char *dest = secure_join(s->rootfs, d->path, err);
  if (!dest) return berth_error_wrap(err, "device %s", d->path);
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", dest);
  char *slash = strrchr(dir, '/');
  if (slash && slash != dir) { *slash = '\0'; if (mkdir_p(dir, 0755, err) < 0) return -1; }
  mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  mode_t mode = d->has_mode ? (d->mode & 07777) : 0666;
  if (unlink(dest) < 0 && errno != ENOENT) return berth_fail(err, errno, "replacing %s", d->path);
  if (mknod(dest, type | mode, makedev((unsigned)d->major, (unsigned)d->minor)) < 0) {
    if (errno != EPERM) return berth_fail(err, errno, "mknod %s (%c %lld:%lld)", d->path, d->type, (long long)d->major, (long long)d->minor);
    return bind_device(d, dest, err);
  }
  if (chown(dest, d->uid, d->gid) < 0) return berth_fail(err, errno, "chown %s to %u:%u", d->path, d->uid, d->gid);
  return 0;
}

static bool listed(const spec *s, const char *path) {
  for (size_t k = 0; k < s->ndevices; k++) if (strcmp(s->devices[k].path, path) == 0) return true;
  return false;
}

int setup_devices(const spec *s, berth_error *err) {
  mode_t old = umask(0);
  int r = 0;
  for (size_t k = 0; k < sizeof defaults / sizeof defaults[0] && r == 0; k++)
    if (!listed(s, defaults[k].path)) r = create_device(s, &defaults[k], err);
  for (size_t k = 0; k < s->ndevices && r == 0; k++) r = create_device(s, &s->devices[k], err);
  umask(old);
  if (r < 0) return berth_error_wrap(err, "creating devices");
  for (size_t k = 0; k < sizeof links / sizeof links[0]; k++) {
    char dest[PATH_MAX];
    snprintf(dest, sizeof dest, "%s%s", s->rootfs, links[k].link);
    if (symlink(links[k].target, dest) < 0 && errno != EEXIST) {
      if (errno == EEXIST) continue;
      return berth_fail(err, errno, "creating symlink %s -> %s", links[k].link, links[k].target);
    }
  }
  return 0;
}
