/* Creating one tar entry of a layer beneath the layer directory, by name
 * relative to its parent's fd (untar_safe.c): regular files (O_EXCL|
 * O_NOFOLLOW), directories, symlinks (targets kept verbatim: they resolve
 * inside the container), hard links (target resolved beneath the root, never
 * a directory), devices and fifos, SCHILY.xattr.* attributes (after chown,
 * which would clear security.capability), and overlayfs whiteouts: ".wh.NAME"
 * becomes a 0/0 character device NAME, ".wh..wh..opq" sets
 * trusted.overlay.opaque=y on its directory, other ".wh..wh.*" names (aufs
 * bookkeeping) are skipped. A later entry replaces an earlier one, except
 * that a directory over a directory keeps it. Directory mtimes are set last,
 * deepest first, as writing children changes them. A file's writeback is
 * started as it is closed (nobody waits for it: see untar_entry_end). */
#include "untar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define UNSAFE_TAIL "; the layer was not unpacked (it may be malicious)"
#define WH ".wh."
#define OPAQUE ".wh..wh..opq"

static int unsafe(struct untar *u, const char *name, const char *why, berth_error *err) {
  return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "layer entry \"%s\" %s" UNSAFE_TAIL, name, why);
}

static int io(struct untar *u, int errnum, const char *what, const char *name, berth_error *err) {
  return untar_failf(u, UNTAR_FAIL_IO, err, errnum, "%s for layer entry \"%s\"%s", what, name,
                     errnum == EPERM ? " (needs root)" : "");
}

static int set_xattrs(struct untar *u, int fd, int dirfd, const char *base, berth_error *err) {
  struct untar_entry *e = &u->cur;
  char proc[64 + 4096];
  if (fd < 0 && e->nxattrs) snprintf(proc, sizeof proc, "/proc/self/fd/%d/%s", dirfd, base);
  for (size_t i = 0; i < e->nxattrs; i++) {
    struct untar_xattr *x = &e->xattrs[i];
    int rc = fd >= 0 ? fsetxattr(fd, x->name, x->value, x->len, 0) : lsetxattr(proc, x->name, x->value, x->len, 0);
    if (rc < 0) {
      int en = errno;
      return untar_failf(u, UNTAR_FAIL_IO, err, en, "setting extended attribute %s on layer entry \"%s\" failed%s", x->name, e->name,
                         en == ENOTSUP ? " (the file system does not support this attribute)" : en == EPERM ? " (trusted.* and security.* attributes need root)" : "");
    }
  }
  return 0;
}

/* chown, chmod (after chown, which clears setuid/setgid) and, unless deferred, mtime; by name in dirfd. */
static int set_meta(struct untar *u, int dirfd, const char *base, int chmod_it, int times, berth_error *err) {
  struct untar_entry *e = &u->cur;
  if (fchownat(dirfd, base, e->uid, e->gid, AT_SYMLINK_NOFOLLOW) < 0) return io(u, errno, "chown", e->name, err);
  if (chmod_it && fchmodat(dirfd, base, e->mode, 0) < 0) return io(u, errno, "chmod", e->name, err);
  struct timespec ts[2] = {e->mtime, e->mtime};
  if (times && utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0) return io(u, errno, "setting the mtime", e->name, err);
  return 0;
}

static int remember_dir(struct untar *u, char **comps, int n, berth_error *err) {
  size_t len = 1;
  for (int i = 0; i < n; i++) len += strlen(comps[i]) + 1;
  char *path = malloc(len), *p = path;
  if (!path) return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory");
  for (int i = 0; i < n; i++) p += sprintf(p, i ? "/%s" : "%s", comps[i]);
  *p = 0;
  if (u->ndirs == u->cap_dirs) {
    size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
    struct dir_time *d = realloc(u->dirs, cap * sizeof *d);
    if (!d) {
      free(path);
      return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory");
    }
    u->dirs = d;
    u->cap_dirs = cap;
  }
  u->dirs[u->ndirs++] = (struct dir_time){.path = path, .mtime = u->cur.mtime};
  return 0;
}

static int whiteout(struct untar *u, char **comps, int n, berth_error *err) {
  struct untar_entry *e = &u->cur;
  const char *base = comps[n - 1];
  int pfd = untar_parent(u, comps, n - 1, 1, e->name, err);
  if (pfd < 0) return -1;
  if (strcmp(base, OPAQUE) == 0) {
    if (fsetxattr(pfd, "trusted.overlay.opaque", "y", 1, 0) < 0) return io(u, errno, "marking the directory opaque (trusted.overlay.opaque)", e->name, err);
    return 0;
  }
  if (strncmp(base, WH WH, 8) == 0) return 0; /* aufs bookkeeping (.wh..wh.plnk etc.), not content */
  const char *hidden = base + 4;
  if (!*hidden || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0) return unsafe(u, e->name, "is a whiteout without a valid name", err);
  if (untar_clear(u, pfd, hidden, 0, err) < 0) return -1;
  if (mknodat(pfd, hidden, S_IFCHR, makedev(0, 0)) < 0) return io(u, errno, "creating the whiteout device", e->name, err);
  return 0;
}

static int hard_link(struct untar *u, char **comps, int n, int pfd_unused, berth_error *err) {
  (void)pfd_unused;
  struct untar_entry *e = &u->cur;
  if (!e->linkname[0]) return unsafe(u, e->name, "is a hard link without a target", err);
  char what[8192];
  snprintf(what, sizeof what, "%s\" (hard link to \"%s", e->name, e->linkname);
  _cleanup_free_ char *work = strdup(e->linkname);
  _cleanup_free_ char **tcomps = malloc((strlen(e->linkname) / 2 + 2) * sizeof *tcomps);
  if (!work || !tcomps) return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory");
  int tn = untar_components(u, work, 1, what, tcomps, err);
  if (tn < 0) return -1;
  if (tn == 0) return unsafe(u, what, "points at the layer root", err);
  int tp = untar_parent(u, tcomps, tn - 1, 0, what, err);
  if (tp < 0) return -1;
  _cleanup_close_ int tfd = fcntl(tp, F_DUPFD_CLOEXEC, 0);
  if (tfd < 0) return io(u, errno, "dup", e->name, err);
  const char *tbase = tcomps[tn - 1];
  struct stat st;
  if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return unsafe(u, what, "points at a file that is not in the layer (yet)", err);
    return io(u, errno, "checking the hard link's target", e->name, err);
  }
  if (S_ISDIR(st.st_mode)) return unsafe(u, what, "points at a directory", err);
  int pfd = untar_parent(u, comps, n - 1, 1, e->name, err);
  if (pfd < 0) return -1;
  if (tn == n) {
    int same = 1;
    for (int i = 0; i < n && same; i++) same = strcmp(tcomps[i], comps[i]) == 0;
    if (same) return 0;
  }
  if (untar_clear(u, pfd, comps[n - 1], 0, err) < 0) return -1;
  if (linkat(tfd, tbase, pfd, comps[n - 1], 0) < 0) return io(u, errno, "creating the hard link", e->name, err);
  return 0;
}

static int begin(struct untar *u, char **comps, int n, berth_error *err) {
  struct untar_entry *e = &u->cur;
  const char *base = n ? comps[n - 1] : NULL;
  if (base && strncmp(base, WH, 4) == 0) return whiteout(u, comps, n, err);
  if (n == 0) {
    if (e->type != '5') return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "layer entry \"%s\" is a tar type '%c' entry in place of the layer root" UNSAFE_TAIL, e->name, e->type);
    if (fchown(u->root_fd, e->uid, e->gid) < 0) return io(u, errno, "chown", e->name, err);
    if (fchmod(u->root_fd, e->mode) < 0) return io(u, errno, "chmod", e->name, err);
    return remember_dir(u, comps, 0, err);
  }
  int pfd = untar_parent(u, comps, n - 1, 1, e->name, err);
  if (pfd < 0) return -1;
  switch (e->type) {
  case '0':
  case '7':
    if (untar_clear(u, pfd, base, 0, err) < 0) return -1;
    u->file_fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (u->file_fd < 0) return io(u, errno, "creating the file", e->name, err);
    u->file_written = 0;
    return 0; /* metadata once the data is written */
  case '5': {
    int kept = untar_clear(u, pfd, base, 1, err);
    if (kept < 0) return -1;
    if (!kept && mkdirat(pfd, base, 0700) < 0) return io(u, errno, "creating the directory", e->name, err);
    if (set_meta(u, pfd, base, 1, 0, err) < 0 || remember_dir(u, comps, n, err) < 0) return -1;
    break;
  }
  case '2':
    if (!e->linkname[0]) return unsafe(u, e->name, "is a symlink without a target", err);
    if (untar_clear(u, pfd, base, 0, err) < 0) return -1;
    if (symlinkat(e->linkname, pfd, base) < 0) return io(u, errno, "creating the symlink", e->name, err);
    if (set_meta(u, pfd, base, 0, 1, err) < 0) return -1;
    break;
  case '1':
    return hard_link(u, comps, n, pfd, err); /* shares the target's inode and metadata */
  case '3':
  case '4':
  case '6': {
    mode_t type = e->type == '6' ? S_IFIFO : e->type == '4' ? S_IFBLK : S_IFCHR;
    if (untar_clear(u, pfd, base, 0, err) < 0) return -1;
    if (mknodat(pfd, base, type | e->mode, makedev(e->devmajor, e->devminor)) < 0) return io(u, errno, "mknod", e->name, err);
    if (set_meta(u, pfd, base, 1, 1, err) < 0) return -1;
    break;
  }
  default:
    return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "layer entry \"%s\" has tar type '%c', which Berth cannot unpack", e->name, e->type);
  }
  return set_xattrs(u, -1, pfd, base, err);
}

int untar_entry_begin(struct untar *u, berth_error *err) {
  const char *name = u->cur.name;
  _cleanup_free_ char *work = strdup(name);
  _cleanup_free_ char **comps = malloc((strlen(name) / 2 + 2) * sizeof *comps);
  if (!work || !comps) return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory");
  int n = untar_components(u, work, 0, name, comps, err);
  return n < 0 ? -1 : begin(u, comps, n, err);
}

int untar_entry_data(struct untar *u, const unsigned char *p, size_t n, berth_error *err) {
  if (u->file_fd < 0) return 0; /* entries other than files carry no data worth keeping */
  while (n > 0) {
    ssize_t w = write(u->file_fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return io(u, errno, "writing", u->cur.name, err);
    }
    p += w;
    n -= (size_t)w;
    u->file_written += (uint64_t)w;
  }
  return 0;
}

int untar_entry_end(struct untar *u, berth_error *err) {
  if (u->file_fd < 0) return 0;
  struct untar_entry *e = &u->cur;
  _cleanup_close_ int fd = u->file_fd;
  u->file_fd = -1;
  /* Start writing the data to the disk now, without waiting and without a cache flush: the layer's
   * flush before its commit then finds little left to write. Best effort (an optimisation only). */
  if (u->file_written > 0) (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  struct timespec ts[2] = {e->mtime, e->mtime};
  if (fchown(fd, e->uid, e->gid) < 0) return io(u, errno, "chown", e->name, err);
  if (fchmod(fd, e->mode) < 0) return io(u, errno, "chmod", e->name, err);
  if (set_xattrs(u, fd, -1, NULL, err) < 0) return -1;
  if (futimens(fd, ts) < 0) return io(u, errno, "setting the mtime", e->name, err);
  u->content_size += u->file_written;
  return 0;
}

static int deeper_first(const void *a, const void *b) {
  size_t la = strlen(((const struct dir_time *)a)->path), lb = strlen(((const struct dir_time *)b)->path);
  return la < lb ? 1 : la > lb ? -1 : 0;
}

int untar_apply_dir_times(struct untar *u, berth_error *err) {
  qsort(u->dirs, u->ndirs, sizeof *u->dirs, deeper_first);
  untar_cache_drop(u);
  for (size_t i = 0; i < u->ndirs; i++) {
    struct timespec ts[2] = {u->dirs[i].mtime, u->dirs[i].mtime};
    int fd = untar_open_existing_dir(u, u->dirs[i].path);
    if (fd < 0) continue; /* replaced by something else later in the archive */
    int rc = futimens(fd, ts);
    int e = errno;
    if (fd != u->root_fd) close(fd);
    if (rc < 0) return untar_failf(u, UNTAR_FAIL_IO, err, e, "setting the mtime of directory \"%s\"", u->dirs[i].path);
  }
  return 0;
}
