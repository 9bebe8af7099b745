/* The syscalls: mknod, lsetxattr, lgetxattr, mount, umount2, memfd_create, close, and the
 * FS_TOPDIR_FL inode flag. Each returns undefined (or the value) and throws
 * an errno Error naming the path. */
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ADDON_XATTR_MAX (64 * 1024)

static void freep(void *p) { free(*(void **)p); }
#define _auto_free_ __attribute__((cleanup(freep)))

static napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value addon_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (addon_args(env, info, argv, 4) < 0) return NULL;
  _auto_free_ char *path = NULL;
  int64_t mode, major, minor;
  if (addon_string(env, argv[0], "path", 0, &path) < 0 || addon_int64(env, argv[1], "mode", &mode) < 0 ||
      addon_int64(env, argv[2], "major", &major) < 0 || addon_int64(env, argv[3], "minor", &minor) < 0)
    return NULL;
  if (mode < 0 || mode > 0xffffffffLL || major < 0 || major > 0xffffffffLL || minor < 0 || minor > 0xffffffffLL) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "mode, major and minor must be unsigned 32-bit integers");
    return NULL;
  }
  if (mknod(path, (mode_t)mode, makedev((unsigned)major, (unsigned)minor)) < 0) {
    addon_throw_errno(env, errno, "mknod", path);
    return NULL;
  }
  return undefined(env);
}

napi_value addon_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (addon_args(env, info, argv, 3) < 0) return NULL;
  _auto_free_ char *path = NULL;
  _auto_free_ char *name = NULL;
  if (addon_string(env, argv[0], "path", 0, &path) < 0 || addon_string(env, argv[1], "name", 0, &name) < 0)
    return NULL;
  bool is_buffer = false;
  void *data = NULL;
  size_t len = 0;
  if (napi_is_buffer(env, argv[2], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    addon_throw_type(env, "value must be a Buffer");
    return NULL;
  }
  if (lsetxattr(path, name, data, len, 0) < 0) {
    addon_throw_errno(env, errno, "lsetxattr", path);
    return NULL;
  }
  return undefined(env);
}

napi_value addon_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (addon_args(env, info, argv, 2) < 0) return NULL;
  _auto_free_ char *path = NULL;
  _auto_free_ char *name = NULL;
  if (addon_string(env, argv[0], "path", 0, &path) < 0 || addon_string(env, argv[1], "name", 0, &name) < 0)
    return NULL;
  /* Ask for the size, then read; retry if the value grew in between. */
  for (int attempt = 0; attempt < 4; attempt++) {
    ssize_t size = lgetxattr(path, name, NULL, 0);
    if (size < 0) break;
    _auto_free_ char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (!buf) {
      addon_throw_errno(env, ENOMEM, "lgetxattr", path);
      return NULL;
    }
    ssize_t n = lgetxattr(path, name, buf, (size_t)size);
    if (n < 0 && errno == ERANGE) continue;
    if (n < 0) break;
    napi_value result;
    void *dst;
    if (napi_create_buffer_copy(env, (size_t)n, buf, &dst, &result) != napi_ok) return NULL;
    return result;
  }
  if (errno == ENODATA) {
    napi_value null;
    napi_get_null(env, &null);
    return null;
  }
  addon_throw_errno(env, errno, "lgetxattr", path);
  return NULL;
}

napi_value addon_mount(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (addon_args(env, info, argv, 5) < 0) return NULL;
  _auto_free_ char *source = NULL;
  _auto_free_ char *target = NULL;
  _auto_free_ char *fstype = NULL;
  _auto_free_ char *data = NULL;
  int64_t flags;
  if (addon_string(env, argv[0], "source", 1, &source) < 0 || addon_string(env, argv[1], "target", 0, &target) < 0 ||
      addon_string(env, argv[2], "fstype", 1, &fstype) < 0 || addon_int64(env, argv[3], "flags", &flags) < 0 ||
      addon_string(env, argv[4], "data", 1, &data) < 0)
    return NULL;
  if (flags < 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "flags must not be negative");
    return NULL;
  }
  if (mount(source, target, fstype, (unsigned long)flags, data) < 0) {
    addon_throw_errno(env, errno, "mount", target);
    return NULL;
  }
  return undefined(env);
}

napi_value addon_umount2(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (addon_args(env, info, argv, 2) < 0) return NULL;
  _auto_free_ char *target = NULL;
  int64_t flags;
  if (addon_string(env, argv[0], "target", 0, &target) < 0 || addon_int64(env, argv[1], "flags", &flags) < 0)
    return NULL;
  if (flags < 0 || flags > 0x7fffffff) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "flags out of range");
    return NULL;
  }
  if (umount2(target, (int)flags) < 0) {
    addon_throw_errno(env, errno, "umount2", target);
    return NULL;
  }
  return undefined(env);
}

/* markTopDir(path) -> whether the directory now has FS_TOPDIR_FL ("chattr +T"): ext4's Orlov
 * allocator then places each new subdirectory in a block group of its own choosing instead of
 * its parent's. false when the filesystem has no such flag. */
napi_value addon_mark_top_dir(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  _auto_free_ char *path = NULL;
  if (addon_string(env, argv[0], "path", 0, &path) < 0) return NULL;
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    addon_throw_errno(env, errno, "open", path);
    return NULL;
  }
  int flags = 0;
  int rc = ioctl(fd, FS_IOC_GETFLAGS, &flags);
  if (rc == 0 && !(flags & FS_TOPDIR_FL)) {
    flags |= FS_TOPDIR_FL;
    rc = ioctl(fd, FS_IOC_SETFLAGS, &flags);
    if (rc == 0) rc = ioctl(fd, FS_IOC_GETFLAGS, &flags); /* a filesystem may accept and drop it */
  }
  int saved = errno;
  close(fd);
  if (rc < 0 && saved != ENOTTY && saved != EOPNOTSUPP && saved != EINVAL && saved != ENOSYS) {
    addon_throw_errno(env, saved, "ioctl", path);
    return NULL;
  }
  napi_value out;
  napi_get_boolean(env, rc == 0 && (flags & FS_TOPDIR_FL), &out);
  return out;
}

/* memfdCreate(name) -> fd of a new anonymous memory file (memfd_create(2), close-on-exec): a file
 * that lives only in memory, outside every filesystem (so no syncfs of one writes it), and is freed
 * when its last descriptor closes. Reopenable by /proc/self/fd/<fd>. */
napi_value addon_memfd_create(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  _auto_free_ char *name = NULL;
  if (addon_string(env, argv[0], "name", 0, &name) < 0) return NULL;
  int fd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC);
  if (fd < 0) {
    addon_throw_errno(env, errno, "memfd_create", name);
    return NULL;
  }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

/* closeFd(fd): close(2) of a descriptor the addon opened (a memory file): Node's fs warns when a
 * worker thread closes one it did not open itself. */
napi_value addon_close_fd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  int64_t fd;
  if (addon_int64(env, argv[0], "fd", &fd) < 0) return NULL;
  if (fd < 0 || fd > INT32_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "fd must be a descriptor number");
    return NULL;
  }
  if (close((int)fd) < 0 && errno != EINTR) {
    addon_throw_errno(env, errno, "close", "descriptor");
    return NULL;
  }
  return undefined(env);
}
