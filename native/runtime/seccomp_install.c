/* Loads the compiled linux.seccomp filter into the calling thread. */
#include "seccomp.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>

int berth_seccomp_install(const json_value *sc, berth_error *err) {
  if (!sc || sc->type == JSON_NULL) return 0;
  berth_sc_profile pr;
  if (berth_sc_parse(sc, &pr, err) < 0) return -1;
  _cleanup_free_ struct sock_filter *insns = NULL;
  size_t n = 0;
  unsigned flags = pr.flags;
  int r = berth_sc_generate(&pr, &insns, &n, err);
  berth_sc_profile_free(&pr);
  if (r < 0) return -1;
  struct sock_fprog prog = { .len = (unsigned short)n, .filter = insns };
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc > 0 && (flags & SECCOMP_FILTER_FLAG_TSYNC))
    return berth_fail(err, 0, "seccomp: SECCOMP_FILTER_FLAG_TSYNC: thread %ld cannot be synchronized", rc);
  if (rc < 0) {
    int e = errno;
    if (e == EACCES)
      return berth_fail(err, e, "seccomp: installing the filter (set process.noNewPrivileges or keep CAP_SYS_ADMIN)");
    if (e == EINVAL && flags)
      return berth_fail(err, e, "seccomp: installing the filter with flags 0x%x (does this kernel support them?)", flags);
    return berth_fail(err, e, "seccomp: installing the filter (%zu instructions)", n);
  }
  return 0;
}
