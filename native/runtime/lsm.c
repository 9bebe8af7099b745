/* Linux security modules for the container's process: an AppArmor profile
 * or an SELinux label (process.apparmorProfile / process.selinuxLabel, or
 * exec --apparmor / --process-label). Checked against the host before
 * anything is created, applied through /proc/self/attr just before execve. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool apparmor_enabled(void) {
  char buf[8] = "";
  int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n > 0 && buf[0] == 'Y';
}

static bool selinux_enabled(void) {
  struct stat st;
  return stat("/sys/fs/selinux/enforce", &st) == 0;
}

int lsm_check(const spec *s, berth_error *err) {
  if (s->apparmor_profile && !apparmor_enabled())
    return berth_fail(err, 0, "AppArmor profile \"%s\" asked for, but AppArmor is not enabled on this host: drop the profile (or enable AppArmor)", s->apparmor_profile);
  if (s->selinux_label && !selinux_enabled())
    return berth_fail(err, 0, "SELinux label \"%s\" asked for, but SELinux is not enabled on this host: drop the label (or enable SELinux)", s->selinux_label);
  return 0;
}

static int write_attr(const char *primary, const char *fallback, const char *value, berth_error *err) {
  int fd = open(primary, O_WRONLY | O_CLOEXEC);
  if (fd < 0 && fallback) fd = open(fallback, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return berth_fail(err, errno, "opening %s", primary);
  ssize_t n = write(fd, value, strlen(value));
  int e = errno;
  close(fd);
  if (n < 0) return berth_fail(err, e, "setting the process's security label to \"%s\"", value);
  return 0;
}

int lsm_apply(const spec *s, berth_error *err) {
  if (s->apparmor_profile) {
    char v[4096];
    snprintf(v, sizeof v, "exec %s", s->apparmor_profile);
    if (write_attr("/proc/self/attr/apparmor/exec", "/proc/self/attr/exec", v, err) < 0) return -1;
  }
  if (s->selinux_label && write_attr("/proc/self/attr/exec", NULL, s->selinux_label, err) < 0) return -1;
  return 0;
}
