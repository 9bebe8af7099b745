#include "exitfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int shim_exit_format(int wait_status, uint64_t exited_ns, int oom_killed, char *out, size_t size, berth_error *err) {
  int code = 0, sig = 0;
  if (WIFEXITED(wait_status)) {
    code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    sig = WTERMSIG(wait_status);
    code = 128 + sig;
  }
  time_t secs = (time_t)(exited_ns / 1000000000ull);
  long nsec = (long)(exited_ns % 1000000000ull);
  struct tm tm;
  if (!gmtime_r(&secs, &tm)) return berth_fail(err, errno, "gmtime");
  int n = snprintf(out, size, "{\"exitCode\":%d,\"signal\":%d,\"exitedAt\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\","
                   "\"oomKilled\":%s}\n",
                   code, sig, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec,
                   oom_killed ? "true" : "false");
  if (n < 0 || (size_t)n >= size) return berth_fail(err, 0, "exit record does not fit");
  return 0;
}

int shim_exit_write(const char *dir, const char *text, berth_error *err) {
  char tmp[PATH_MAX], final[PATH_MAX];
  if (shim_path_join(tmp, sizeof tmp, dir, "exit.json.tmp", err) < 0 ||
      shim_path_join(final, sizeof final, dir, "exit.json", err) < 0)
    return -1;
  {
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return berth_fail(err, errno, "create %s", tmp);
    if (shim_write_all(fd, text, strlen(text), err) < 0) return berth_error_wrap(err, "write %s", tmp);
    if (fsync(fd) < 0) return berth_fail(err, errno, "fsync %s", tmp);
  }
  if (rename(tmp, final) < 0) return berth_fail(err, errno, "rename %s to %s", tmp, final);
  _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return berth_fail(err, errno, "open %s", dir);
  if (fsync(dfd) < 0) return berth_fail(err, errno, "fsync %s", dir);
  return 0;
}
