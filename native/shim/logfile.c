#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util.h"

int shim_log_open(const char *path, berth_error *err) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return berth_fail(err, errno, "open log file %s", path);
  return fd;
}

int shim_log_append(int fd, uint8_t stream, uint64_t ts_ns, const void *data, size_t len, berth_error *err) {
  unsigned char hdr[SHIM_LOG_HEADER];
  hdr[0] = stream;
  shim_put_be64(hdr + 1, ts_ns);
  shim_put_be32(hdr + 9, (uint32_t)len);
  struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)data, len}};
  size_t total = sizeof hdr + len;
  ssize_t n;
  do n = writev(fd, iov, 2); while (n < 0 && errno == EINTR);
  if (n < 0) return berth_fail(err, errno, "append to container log");
  if ((size_t)n == total) return 0;
  /* Short write (e.g. a nearly full disk): finish the record so the file
   * stays decodable. */
  size_t done = (size_t)n;
  if (done < sizeof hdr) {
    if (shim_write_all(fd, hdr + done, sizeof hdr - done, err) < 0) return -1;
    done = sizeof hdr;
  }
  return shim_write_all(fd, (const char *)data + (done - sizeof hdr), total - done, err);
}
