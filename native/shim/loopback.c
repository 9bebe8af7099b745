#include "loopback.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* In the current network namespace: lo up unless it already is. */
static int lo_up_here(berth_error *err) {
  _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return berth_fail(err, errno, "socket in the container's network namespace");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return berth_fail(err, errno, "reading the flags of lo");
  if (ifr.ifr_flags & IFF_UP) return 0;
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) return berth_fail(err, errno, "bringing lo up");
  return 0;
}

int shim_loopback_up(pid_t pid, berth_error *err) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  _cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  _cleanup_close_ int theirs = open(path, O_RDONLY | O_CLOEXEC);
  if (own < 0 || theirs < 0) return berth_fail(err, errno, "opening the network namespaces of the shim and of %s", path);
  struct stat a, b;
  if (fstat(own, &a) < 0 || fstat(theirs, &b) < 0) return berth_fail(err, errno, "stat of a network namespace");
  if (a.st_dev == b.st_dev && a.st_ino == b.st_ino) return 0; /* --network host */
  if (setns(theirs, CLONE_NEWNET) < 0) return berth_fail(err, errno, "entering the container's network namespace");
  int rc = lo_up_here(err);
  /* The shim must not stay in the container's namespace: without the way back it cannot go on. */
  if (setns(own, CLONE_NEWNET) < 0) {
    fprintf(stderr, "berth-shim: cannot return to its own network namespace: %s\n", strerror(errno));
    abort();
  }
  return rc;
}
