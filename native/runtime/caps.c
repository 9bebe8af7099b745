/* Capabilities by name, rlimits by name, and switching the init to the
 * configured user while keeping exactly the configured capabilities. */
#include "runtime.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static const char *const cap_names[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
  "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
  "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
  "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof cap_names / sizeof cap_names[0]))

int cap_from_name(const char *name) {
  for (int k = 0; k < NCAPS; k++)
    if (strcasecmp(name, cap_names[k]) == 0 || strcasecmp(name, cap_names[k] + 4) == 0) return k;
  return -1;
}

const char *cap_name(int cap) { return cap >= 0 && cap < NCAPS ? cap_names[cap] : NULL; }

int cap_last(void) {
  static int last = -1;
  if (last >= 0) return last;
  berth_error e;
  _cleanup_free_ char *s = read_file_str("/proc/sys/kernel/cap_last_cap", &e);
  last = s ? atoi(s) : NCAPS - 1;
  return last;
}

int caps_parse_list(const json_value *arr, const char *field, uint64_t *out, berth_error *err) {
  *out = 0;
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "%s must be an array of capability names", field);
  for (size_t k = 0; k < arr->len; k++) {
    if (arr->items[k]->type != JSON_STRING) return berth_fail(err, 0, "%s[%zu] must be a string", field, k);
    int c = cap_from_name(arr->items[k]->str);
    if (c < 0) return berth_fail(err, 0, "%s: unknown capability \"%s\" (use names like CAP_CHOWN)", field, arr->items[k]->str);
    if (c > cap_last()) continue; /* known name, but this kernel does not have it: nothing to grant */
    *out |= 1ULL << c;
  }
  return 0;
}

static const struct { const char *n; int r; } rlimits[] = {
  { "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_STACK", RLIMIT_STACK }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

int rlimit_from_name(const char *name) {
  for (size_t k = 0; k < sizeof rlimits / sizeof rlimits[0]; k++)
    if (strcmp(name, rlimits[k].n) == 0) return rlimits[k].r;
  return -1;
}

static void fmt_limit(char *b, size_t n, uint64_t v) {
  if (v == (uint64_t)RLIM_INFINITY) snprintf(b, n, "unlimited");
  else snprintf(b, n, "%llu", (unsigned long long)v);
}

int apply_rlimits(const spec *s, berth_error *err) {
  for (size_t k = 0; k < s->nrlimits; k++) {
    const rlimit_spec *l = &s->rlimits[k];
    if (l->soft > l->hard) {
      return berth_fail(err, 0, "process.rlimits %s: soft limit %llu is above the hard limit %llu", l->name,
                        (unsigned long long)l->soft, (unsigned long long)l->hard);
    }
    struct rlimit cur, want = { .rlim_cur = l->soft, .rlim_max = l->hard };
    getrlimit(l->resource, &cur);
    if (setrlimit(l->resource, &want) == 0) continue;
    int e = errno;
    char h[32], ch[32];
    fmt_limit(h, sizeof h, l->hard);
    fmt_limit(ch, sizeof ch, cur.rlim_max);
    if (e == EPERM && l->hard > cur.rlim_max)
      return berth_fail(err, e, "setting %s to hard=%s: raising the hard limit above the current %s needs CAP_SYS_RESOURCE, "
                        "which this host does not grant (not in its capability bounding set); lower the hard limit in process.rlimits to at most %s",
                        l->name, h, ch, ch);
    return berth_fail(err, e, "setting %s (soft=%llu, hard=%s)", l->name, (unsigned long long)l->soft, h);
  }
  return 0;
}

static int capset_all(uint64_t eff, uint64_t perm, uint64_t inh, berth_error *err) {
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2] = {
    { .effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh },
    { .effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(perm >> 32), .inheritable = (uint32_t)(inh >> 32) },
  };
  if (syscall(SYS_capset, &hdr, data) < 0)
    return berth_fail(err, errno, "setting capabilities (capset effective=%#llx permitted=%#llx inheritable=%#llx)",
                      (unsigned long long)eff, (unsigned long long)perm, (unsigned long long)inh);
  return 0;
}

int apply_user_and_caps(const spec *s, berth_error *err) {
  int last = cap_last();
  if (s->has_caps) {
    /* Bounding set first: dropping needs CAP_SETPCAP, which we still hold. */
    for (int c = 0; c <= last; c++) {
      if (s->cap_bounding & (1ULL << c)) continue;
      if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
        return berth_fail(err, errno, "dropping %s from the bounding set", cap_name(c) ? cap_name(c) : "capability");
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl(PR_SET_KEEPCAPS)");
  }
  gid_t gids[s->ngids + 1];
  for (size_t k = 0; k < s->ngids; k++) gids[k] = s->gids[k];
  if (setgroups(s->ngids, gids) < 0 && !(errno == EPERM && s->ngids == 0))
    return berth_fail(err, errno, "setting additional groups (process.user.additionalGids)");
  if (setresgid(s->gid, s->gid, s->gid) < 0)
    return berth_fail(err, errno, "switching to gid %u (process.user.gid); with a user namespace the gid must be mapped", s->gid);
  if (setresuid(s->uid, s->uid, s->uid) < 0)
    return berth_fail(err, errno, "switching to uid %u (process.user.uid); with a user namespace the uid must be mapped", s->uid);
  if (!s->has_caps) return 0;
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return berth_fail(err, errno, "prctl(PR_SET_KEEPCAPS, 0)");
  /* Keep CAP_SETPCAP-free sets exactly as configured. */
  if (capset_all(s->cap_effective, s->cap_permitted, s->cap_inheritable, err) < 0) return -1;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return berth_fail(err, errno, "clearing ambient capabilities");
  for (int c = 0; c <= last; c++) {
    if (!(s->cap_ambient & (1ULL << c))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return berth_fail(err, errno, "raising ambient capability %s (it must also be in permitted and inheritable)", cap_name(c));
  }
  return 0;
}
