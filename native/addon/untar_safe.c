/* Keeping layer extraction beneath the layer directory. Entry names are
 * split into components and resolved lexically ("a/../b" is "b"; a ".."
 * above the root or an absolute name is refused). Parent directories are
 * opened with openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|
 * RESOLVE_NO_MAGICLINKS) from the root's fd; when that fails (a parent is
 * missing, is a symlink, or openat2 is ENOSYS) a walk opens one component
 * at a time with O_NOFOLLOW, creating missing directories, and says which
 * component was wrong. Every entry is then created relative to its parent's
 * fd, by a name without "/", so nothing is ever written through a symlink.
 * The last parent opened is cached (entries come grouped by directory); the
 * cache is dropped whenever a directory is removed. */
#include "untar.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNSAFE_TAIL "; the layer was not unpacked (it may be malicious)"
#define RM_DEPTH_MAX 4096

int untar_components(struct untar *u, char *name, int allow_abs, const char *what, char **comps, berth_error *err) {
  int n = 0;
  if (name[0] == '/' && !allow_abs) return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "layer entry \"%s\" has an absolute path" UNSAFE_TAIL, what);
  char *save = NULL;
  for (char *c = strtok_r(name, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0) continue;
    if (strcmp(c, "..") == 0) {
      if (n == 0) return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "layer entry \"%s\" uses \"..\" to escape the layer root" UNSAFE_TAIL, what);
      n--;
      continue;
    }
    comps[n++] = c;
  }
  return n;
}

void untar_cache_drop(struct untar *u) {
  if (u->cache_fd >= 0) close(u->cache_fd);
  u->cache_fd = -1;
  free(u->cache_path);
  u->cache_path = NULL;
}

static char *join(char **comps, int n) {
  size_t len = 1;
  for (int i = 0; i < n; i++) len += strlen(comps[i]) + 1;
  char *s = malloc(len), *p = s;
  if (!s) return NULL;
  for (int i = 0; i < n; i++) {
    size_t l = strlen(comps[i]);
    if (i) *p++ = '/';
    memcpy(p, comps[i], l);
    p += l;
  }
  *p = 0;
  return s;
}

static int open_beneath(const struct untar *u, const char *path) {
  if (u->walk_only) {
    errno = ENOSYS;
    return -1;
  }
  int root = u->root_fd;
  struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, root, path, &how, sizeof how);
}

/* One component at a time, never following a symlink. */
static int walk(struct untar *u, char **comps, int n, int create, const char *what, berth_error *err) {
  int cur = u->root_fd;
  for (int i = 0; i < n; i++) {
    int fd = openat(cur, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (mkdirat(cur, comps[i], 0755) < 0 && errno != EEXIST) {
        int e = errno;
        if (cur != u->root_fd) close(cur);
        return untar_failf(u, UNTAR_FAIL_IO, err, e, "creating the parent directories of layer entry \"%s\"", what);
      }
      fd = openat(cur, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      int e = errno;
      struct stat st;
      int is_link = e != ENOENT && fstatat(cur, comps[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
      if (cur != u->root_fd) close(cur);
      _cleanup_free_ char *sub = join(comps, i + 1);
      const char *s = sub ? sub : comps[i];
      if (e == ENOENT) return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "layer entry \"%s\" refers to %s, which does not exist in the layer" UNSAFE_TAIL, what, s);
      if (is_link) return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "layer entry \"%s\" would be written through the symlink %s" UNSAFE_TAIL, what, s);
      if (e == ENOTDIR) return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "layer entry \"%s\" has a parent %s that is not a directory" UNSAFE_TAIL, what, s);
      return untar_failf(u, UNTAR_FAIL_IO, err, e, "opening %s for layer entry \"%s\"", s, what);
    }
    if (cur != u->root_fd) close(cur);
    cur = fd;
  }
  return cur;
}

int untar_parent(struct untar *u, char **comps, int n, int create, const char *what, berth_error *err) {
  if (n == 0) return u->root_fd;
  _cleanup_free_ char *path = join(comps, n);
  if (!path) return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory");
  if (u->cache_stale) untar_cache_drop(u);
  u->cache_stale = 0;
  if (u->cache_path && strcmp(u->cache_path, path) == 0) return u->cache_fd;
  int fd = open_beneath(u, path);
  if (fd < 0) fd = walk(u, comps, n, create, what, err);
  if (fd < 0) return -1;
  untar_cache_drop(u);
  u->cache_fd = fd;
  u->cache_path = path;
  path = NULL;
  return fd;
}

static int rm_tree(int dirfd, const char *name, int depth) {
  if (depth > RM_DEPTH_MAX) {
    errno = ELOOP;
    return -1;
  }
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -1;
  }
  int rc = 0;
  for (struct dirent *de; rc == 0 && (de = readdir(d));) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    int is_dir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    rc = is_dir ? rm_tree(fd, de->d_name, depth + 1) : unlinkat(fd, de->d_name, 0);
  }
  closedir(d);
  return rc < 0 ? -1 : unlinkat(dirfd, name, AT_REMOVEDIR);
}

int untar_clear(struct untar *u, int dirfd, const char *base, int keep_dir, berth_error *err) {
  struct stat st;
  if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return 0;
    return untar_failf(u, UNTAR_FAIL_IO, err, errno, "checking what is at %s", base);
  }
  if (S_ISDIR(st.st_mode)) {
    if (keep_dir) return 1;
    /* the cached parent may lie inside: it is dropped, but after the caller is done with its fd */
    u->cache_stale = 1;
    if (rm_tree(dirfd, base, 0) < 0) return untar_failf(u, UNTAR_FAIL_IO, err, errno, "removing the directory %s that a later entry replaces", base);
    return 0;
  }
  if (unlinkat(dirfd, base, 0) < 0) return untar_failf(u, UNTAR_FAIL_IO, err, errno, "removing %s that a later entry replaces", base);
  return 0;
}

int untar_open_existing_dir(struct untar *u, const char *path) {
  if (!*path) return u->root_fd;
  int fd = open_beneath(u, path);
  if (fd >= 0 || errno != ENOSYS) return fd;
  _cleanup_free_ char *work = strdup(path);
  if (!work) return -1;
  int cur = u->root_fd;
  char *save = NULL;
  for (char *c = strtok_r(work, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    fd = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (cur != u->root_fd) close(cur);
    if (fd < 0) return -1;
    cur = fd;
  }
  return cur;
}
