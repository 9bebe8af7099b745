/* Path helpers: resolving container paths inside the rootfs, creating mount
 * points, small file reads and (atomic) writes. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

/* Append component `c` (len n) to the resolved container path `out`. */
static int push_comp(char *out, size_t cap, const char *c, size_t n) {
  size_t len = strlen(out);
  if (len + n + 2 > cap) return -1;
  if (len == 0 || out[len - 1] != '/') out[len++] = '/';
  memcpy(out + len, c, n);
  out[len + n] = '\0';
  return 0;
}

char *secure_join(const char *root, const char *unsafe, berth_error *err) {
  /* `todo` holds what remains to be walked; symlink targets are spliced in
   * front of it. `cur` is the resolved container path so far ("" == "/"). */
  char todo[PATH_MAX * 2], cur[PATH_MAX] = "", host[PATH_MAX * 2], link[PATH_MAX];
  int links = 0;
  if (snprintf(todo, sizeof todo, "%s", unsafe) >= (int)sizeof todo) return berth_fail(err, ENAMETOOLONG, "%s", unsafe), NULL;
  char *p = todo;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    char *end = strchrnul(p, '/');
    size_t n = (size_t)(end - p);
    if (n == 1 && p[0] == '.') { p = end; continue; }
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (!*cur) return berth_fail(err, 0, "path %s escapes the container rootfs (\"..\" above /)", unsafe), NULL;
      *strrchr(cur, '/') = '\0';
      p = end;
      continue;
    }
    if (push_comp(cur, sizeof cur, p, n) < 0) return berth_fail(err, ENAMETOOLONG, "%s", unsafe), NULL;
    p = end;
    snprintf(host, sizeof host, "%s%s", root, cur);
    ssize_t ln = readlink(host, link, sizeof link - 1);
    if (ln < 0) {
      if (errno == EINVAL || errno == ENOENT || errno == ENOTDIR) continue; /* not a link, or not there yet */
      return berth_fail(err, errno, "resolving %s inside the rootfs", unsafe), NULL;
    }
    if (++links > 40) return berth_fail(err, ELOOP, "resolving %s inside the rootfs", unsafe), NULL;
    link[ln] = '\0';
    /* Splice: new todo = link + "/" + rest. */
    char rest[PATH_MAX * 2];
    snprintf(rest, sizeof rest, "%s", p);
    if (snprintf(todo, sizeof todo, "%s/%s", link, rest) >= (int)sizeof todo)
      return berth_fail(err, ENAMETOOLONG, "%s", unsafe), NULL;
    p = todo;
    if (link[0] == '/') cur[0] = '\0';      /* absolute links are relative to the container root */
    else *strrchr(cur, '/') = '\0';         /* relative: drop the link's own name */
  }
  char *out;
  if (asprintf(&out, "%s%s", root, *cur ? cur : "") < 0) return berth_fail(err, ENOMEM, "%s", unsafe), NULL;
  return out;
}

int mkdir_p(const char *path, mode_t mode, berth_error *err) {
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return berth_fail(err, ENAMETOOLONG, "mkdir %s", path);
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char c = *p;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return berth_fail(err, errno, "creating directory %s", buf);
    *p = c;
    if (!c) break;
  }
  return 0;
}

int ensure_mount_point(const char *p, bool file, berth_error *err) {
  struct stat st;
  if (stat(p, &st) == 0) return 0;
  if (!file) return mkdir_p(p, 0755, err);
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", p);
  char *slash = strrchr(dir, '/');
  if (slash && slash != dir) { *slash = '\0'; if (mkdir_p(dir, 0755, err) < 0) return -1; }
  int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return berth_fail(err, errno, "creating mount point file %s", p);
  close(fd);
  return 0;
}

static int write_all(int fd, const char *data, size_t len) {
  while (len) {
    ssize_t w = write(fd, data, len);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    data += w; len -= (size_t)w;
  }
  return 0;
}

int write_file(const char *path, const char *data, berth_error *err) {
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
  if (fd < 0) return berth_fail(err, errno, "open %s", path);
  if (write_all(fd, data, strlen(data)) < 0) return berth_fail(err, errno, "writing \"%s\" to %s", data, path);
  return 0;
}

int write_file_atomic(const char *path, const char *data, mode_t mode, berth_error *err) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.tmp-%d", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return berth_fail(err, errno, "creating %s", tmp);
  if (write_all(fd, data, strlen(data)) < 0) {
    int e = errno;
    close(fd); unlink(tmp);
    return berth_fail(err, e, "writing %s", tmp);
  }
  close(fd);
  if (rename(tmp, path) < 0) { int e = errno; unlink(tmp); return berth_fail(err, e, "renaming %s to %s", tmp, path); }
  return 0;
}

char *read_file_str(const char *path, berth_error *err) {
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return berth_fail(err, errno, "open %s", path), NULL;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf) return berth_fail(err, ENOMEM, "reading %s", path), NULL;
  for (;;) {
    if (len + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) { free(buf); return berth_fail(err, ENOMEM, "reading %s", path), NULL; }
      buf = nb; cap *= 2;
    }
    ssize_t r = read(fd, buf + len, cap - len - 1);
    if (r < 0) { if (errno == EINTR) continue; int e = errno; free(buf); return berth_fail(err, e, "reading %s", path), NULL; }
    if (r == 0) break;
    len += (size_t)r;
  }
  buf[len] = '\0';
  return buf;
}
