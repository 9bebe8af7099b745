/* linux.resources.devices: the device rules, followed by the devices every
 * container gets (null, zero, full, random, urandom, tty, ptmx, pts, mknod of
 * anything) and those of linux.devices. On cgroup v1 they are written to
 * devices.deny/devices.allow in order; with only cgroup v2 they are compiled
 * to a BPF_PROG_TYPE_CGROUP_DEVICE program (the last matching rule decides)
 * attached to the container's cgroup with bpf(2). */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>

static const dev_rule defaults[] = {
  { true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },
  { true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" }, { true, 'c', 1, 8, "rwm" },
  { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" }, { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
};
#define NDEFAULTS (sizeof defaults / sizeof defaults[0])

/* The rule list in force: the spec's, then the defaults, then linux.devices. */
static dev_rule *all_rules(const spec *s, size_t *n, berth_error *err) {
  dev_rule *r = calloc(s->ndev_rules + NDEFAULTS + s->ndevices + 1, sizeof *r);
  if (!r) return berth_fail(err, ENOMEM, "device rules"), NULL;
  *n = 0;
  for (size_t k = 0; k < s->ndev_rules; k++) r[(*n)++] = s->dev_rules[k];
  for (size_t k = 0; k < NDEFAULTS; k++) r[(*n)++] = defaults[k];
  for (size_t k = 0; k < s->ndevices; k++) {
    const device_spec *d = &s->devices[k];
    if (d->type != 'c' && d->type != 'b' && d->type != 'u') continue;
    r[(*n)++] = (dev_rule){ true, d->type == 'b' ? 'b' : 'c', d->major, d->minor, "rwm" };
  }
  return r;
}

static void fmt_num(char *b, size_t n, int64_t v) {
  if (v < 0) snprintf(b, n, "*"); else snprintf(b, n, "%lld", (long long)v);
}

static int apply_v1(const char *dir, const dev_rule *r, size_t n, berth_error *err) {
  for (size_t k = 0; k < n; k++) {
    char p[PATH_MAX], line[96], ma[24], mi[24];
    snprintf(p, sizeof p, "%s/%s", dir, r[k].allow ? "devices.allow" : "devices.deny");
    fmt_num(ma, sizeof ma, r[k].major);
    fmt_num(mi, sizeof mi, r[k].minor);
    if (r[k].type == 'a') snprintf(line, sizeof line, "a");
    else snprintf(line, sizeof line, "%c %s:%s %s", r[k].type, ma, mi, r[k].access);
    if (write_file(p, line, err) < 0) return berth_error_wrap(err, "applying device rule \"%s\"", line);
  }
  return 0;
}

#define INSN(c, d, s_, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s_), .off = (o), .imm = (i) })

static int access_bits(const char *a) {
  int b = 0;
  for (; *a; a++) b |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
  return b;
}

/* r2 = device type, r3 = requested access, r4 = major, r5 = minor; each rule
 * (last first) is a block that jumps past itself when it does not match. */
static struct bpf_insn *compile(const dev_rule *r, size_t n, size_t *len, berth_error *err) {
  struct bpf_insn *p = calloc(8 + n * 9, sizeof *p);
  if (!p) return berth_fail(err, ENOMEM, "device program"), NULL;
  size_t i = 0;
  p[i++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0);
  p[i++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
  p[i++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16);
  p[i++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
  p[i++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0);
  p[i++] = INSN(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0);
  bool total = false; /* a rule that matches everything ends the program */
  for (size_t k = n; k-- > 0 && !total;) {
    size_t jumps[4], nj = 0;
    int acc = access_bits(r[k].access);
    if (r[k].type != 'a') {
      jumps[nj++] = i;
      p[i++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0, r[k].type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
    }
    if (acc != 7) { /* any requested bit outside the rule: no match */
      p[i++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0);
      p[i++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, ~acc & 7);
      jumps[nj++] = i;
      p[i++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 1, 0, 0, 0);
    }
    if (r[k].major >= 0) { jumps[nj++] = i; p[i++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)r[k].major); }
    if (r[k].minor >= 0) { jumps[nj++] = i; p[i++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)r[k].minor); }
    p[i++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r[k].allow ? 1 : 0);
    p[i++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    for (size_t j = 0; j < nj; j++) p[jumps[j]].off = (int16_t)(i - jumps[j] - 1);
    total = nj == 0;
  }
  if (!total) { /* nothing matched: deny */
    p[i++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
    p[i++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  }
  *len = i;
  return p;
}

static int attach_v2(const char *dir, const dev_rule *r, size_t n, berth_error *err) {
  size_t len;
  _cleanup_free_ struct bpf_insn *prog = compile(r, n, &len, err);
  if (!prog) return -1;
  static char log[65536];
  union bpf_attr a;
  int pfd = -1;
  /* Quietly first; on failure again with the verifier's log for the error. */
  for (int level = 0; level < 2 && pfd < 0; level++) {
    memset(&a, 0, sizeof a);
    log[0] = '\0';
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)prog;
    a.insn_cnt = (uint32_t)len;
    a.license = (uint64_t)(uintptr_t)"Apache-2.0";
    a.log_buf = (uint64_t)(uintptr_t)(level ? log : NULL);
    a.log_size = level ? sizeof log : 0;
    a.log_level = (uint32_t)level;
    pfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
  }
  if (pfd < 0) {
    size_t l = strlen(log);
    return berth_fail(err, errno, "loading the device cgroup BPF program (verifier: %.300s)", l > 300 ? log + l - 300 : log);
  }
  _cleanup_close_ int prog_fd = pfd;
  _cleanup_close_ int cfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (cfd < 0) return berth_fail(err, errno, "opening %s", dir);
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t)cfd;
  a.attach_bpf_fd = (uint32_t)prog_fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a) < 0) return berth_fail(err, errno, "attaching the device program to %s", dir);
  return 0;
}

int devcgroup_apply(const spec *s, const cgroup_set *cg, berth_error *err) {
  if (!s->has_dev_rules || s->ndev_rules == 0) return 0;
  size_t n;
  _cleanup_free_ dev_rule *r = all_rules(s, &n, err);
  if (!r) return -1;
  const char *v1 = cgroup_dir_with(cg, "devices.allow");
  if (v1) return apply_v1(v1, r, n, err) < 0 ? berth_error_wrap(err, "linux.resources.devices") : 0;
  for (size_t k = 0; k < cg->n; k++)
    if (cg->v2[k]) return attach_v2(cg->dirs[k], r, n, err) < 0 ? berth_error_wrap(err, "linux.resources.devices") : 0;
  return berth_fail(err, 0, "linux.resources.devices: no devices cgroup (v1) nor cgroup v2 to enforce the rules with");
}
