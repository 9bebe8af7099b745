#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int shim_write_all(int fd, const void *buf, size_t len, berth_error *err) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return berth_fail(err, errno, "write to fd %d", fd);
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int shim_set_nonblock(int fd, berth_error *err) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    return berth_fail(err, errno, "set O_NONBLOCK on fd %d", fd);
  return 0;
}

int shim_read_small_file(const char *path, char *buf, size_t size, berth_error *err) {
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return berth_fail(err, errno, "open %s", path);
  size_t off = 0;
  while (off + 1 < size) {
    ssize_t n = read(fd, buf + off, size - 1 - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return berth_fail(err, errno, "read %s", path);
    }
    if (n == 0) break;
    off += (size_t)n;
  }
  buf[off] = '\0';
  return 0;
}

int shim_path_join(char *out, size_t size, const char *dir, const char *name, berth_error *err) {
  int n = snprintf(out, size, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= size) return berth_fail(err, ENAMETOOLONG, "path %s/%s", dir, name);
  return 0;
}

uint64_t shim_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void shim_put_be32(unsigned char *p, uint32_t v) {
  for (int i = 3; i >= 0; i--) { p[i] = (unsigned char)(v & 0xff); v >>= 8; }
}

void shim_put_be64(unsigned char *p, uint64_t v) {
  for (int i = 7; i >= 0; i--) { p[i] = (unsigned char)(v & 0xff); v >>= 8; }
}

uint32_t shim_get_be32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
