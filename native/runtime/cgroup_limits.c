/* linux.resources into cgroup files: each limit goes to the hierarchy owning
 * its controller (v1 file, or v2 file after enabling the controller there). */
#include "runtime.h"

#include <string.h>

bool cgroup_names_controller(const char *ctrls, const char *name, size_t len) {
  for (const char *p = ctrls; *p;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == len && strncmp(p, name, len) == 0) return true;
    if (!comma) break;
    p = comma + 1;
  }
  return false;
}

/* The controller a file belongs to: "memory" for memory.max. */
static void controller_of(const char *file, char *out, size_t n) {
  snprintf(out, n, "%.*s", (int)strcspn(file, "."), file);
}

/* Writes one limit to the hierarchy that owns its controller: the first with
 * `v1file`/`v2file`, else the cgroup2 one after enabling the controller there
 * (unless a v1 hierarchy holds it). Like runc, a limit no hierarchy can take
 * is an error, naming the missing controller. */
int cgroup_set_limit(const cgroup_set *cg, const char *what, const char *v1file, const char *v1val,
                     const char *v2file, const char *v2val, berth_error *err) {
  char ctrl[64], v1ctrl[64]; /* "io" on v2 is "blkio" on v1 */
  controller_of(v2file ? v2file : v1file, ctrl, sizeof ctrl);
  controller_of(v1file ? v1file : v2file, v1ctrl, sizeof v1ctrl);
  bool on_v1 = false;
  for (size_t k = 0; k < cg->n; k++) {
    const char *f = cg->v2[k] ? v2file : v1file, *v = cg->v2[k] ? v2val : v1val;
    if (!cg->v2[k] && cg->ctrls[k] && cgroup_names_controller(cg->ctrls[k], v1ctrl, strlen(v1ctrl))) on_v1 = true;
    if (!f || !cgroup_has_file(cg->dirs[k], f)) continue;
    if (cgroup_write(cg->dirs[k], f, v, err) < 0) return berth_error_wrap(err, "applying linux.resources.%s", what);
    return 0;
  }
  bool v1_side = true; /* which file to name: v2's when a v2 hierarchy could have held it */
  for (size_t k = 0; k < cg->n && v2file && !on_v1; k++) {
    if (!cg->v2[k]) continue;
    v1_side = false;
    if (cgroup_v2_enable(cg->dirs[k], ctrl, err) < 0) return berth_error_wrap(err, "linux.resources.%s needs the %s controller", what, ctrl);
    if (!cgroup_has_file(cg->dirs[k], v2file)) break;
    if (cgroup_write(cg->dirs[k], v2file, v2val, err) < 0) return berth_error_wrap(err, "applying linux.resources.%s", what);
    return 0;
  }
  return berth_fail(err, 0, "linux.resources.%s is set but the %s controller is not available to the container's cgroup "
                    "(no %s here: enable the controller, or remove the limit)", what, v1_side ? v1ctrl : ctrl,
                    v1_side && v1file ? v1file : v2file);
}

static int apply_memory(const cgroup_set *cg, const resources_spec *r, berth_error *err) {
  char a[64], b[64];
  if (r->has_memory_limit && r->memory_limit != 0) {
    snprintf(a, sizeof a, "%lld", (long long)r->memory_limit);
    snprintf(b, sizeof b, "%s", r->memory_limit < 0 ? "max" : a);
    if (cgroup_set_limit(cg, "memory.limit", "memory.limit_in_bytes", a, "memory.max", b, err) < 0) return -1;
    if (r->has_memory_swap && r->memory_swap != 0) {
      snprintf(a, sizeof a, "%lld", (long long)r->memory_swap);
      long long sw = r->memory_swap < 0 || r->memory_limit < 0 ? -1 : r->memory_swap - r->memory_limit;
      if (sw < 0) snprintf(b, sizeof b, "max"); else snprintf(b, sizeof b, "%lld", sw);
      berth_error ignored; /* swap accounting is often disabled: best effort */
      cgroup_set_limit(cg, "memory.swap", "memory.memsw.limit_in_bytes", a, "memory.swap.max", b, &ignored);
    }
  }
  if (r->has_memory_reservation && r->memory_reservation != 0) {
    snprintf(a, sizeof a, "%lld", (long long)r->memory_reservation);
    snprintf(b, sizeof b, "%s", r->memory_reservation < 0 ? "max" : a);
    if (cgroup_set_limit(cg, "memory.reservation", "memory.soft_limit_in_bytes", a, "memory.low", b, err) < 0) return -1;
  }
  return 0;
}

int cgroup_apply_resources(const cgroup_set *cg, const resources_spec *r, berth_error *err) {
  char a[64], b[64];
  if (apply_memory(cg, r, err) < 0) {
    /* v1 keeps memsw >= limit: raising both needs the swap limit first. */
    berth_error first = *err;
    resources_spec swap_first = *r;
    if (!r->has_memory_swap || r->memory_swap <= 0 || r->memory_limit <= 0) return -1;
    snprintf(a, sizeof a, "%lld", (long long)r->memory_swap);
    berth_error ignored;
    if (cgroup_set_limit(cg, "memory.swap", "memory.memsw.limit_in_bytes", a, NULL, NULL, &ignored) < 0) { *err = first; return -1; }
    if (apply_memory(cg, &swap_first, err) < 0) return -1;
  }
  if (r->cpuset_cpus && cgroup_set_limit(cg, "cpu.cpus", "cpuset.cpus", r->cpuset_cpus, "cpuset.cpus", r->cpuset_cpus, err) < 0) return -1;
  if (r->cpuset_mems && cgroup_set_limit(cg, "cpu.mems", "cpuset.mems", r->cpuset_mems, "cpuset.mems", r->cpuset_mems, err) < 0) return -1;
  if (r->has_pids_limit && r->pids_limit != 0) {
    if (r->pids_limit > 0) snprintf(a, sizeof a, "%lld", (long long)r->pids_limit); else snprintf(a, sizeof a, "max");
    if (cgroup_set_limit(cg, "pids.limit", "pids.max", a, "pids.max", a, err) < 0) return -1;
  }
  if (r->has_cpu_shares && r->cpu_shares != 0) {
    unsigned long long sh = r->cpu_shares < 2 ? 2 : r->cpu_shares > 262144 ? 262144 : r->cpu_shares;
    snprintf(a, sizeof a, "%llu", (unsigned long long)r->cpu_shares);
    snprintf(b, sizeof b, "%llu", 1 + ((sh - 2) * 9999) / 262142);
    if (cgroup_set_limit(cg, "cpu.shares", "cpu.shares", a, "cpu.weight", b, err) < 0) return -1;
  }
  if ((r->has_cpu_quota && r->cpu_quota != 0) || (r->has_cpu_period && r->cpu_period != 0)) {
    unsigned long long period = r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000;
    if (r->has_cpu_period && r->cpu_period) {
      snprintf(a, sizeof a, "%llu", period);
      berth_error ignored;
      cgroup_set_limit(cg, "cpu.period", "cpu.cfs_period_us", a, NULL, NULL, &ignored);
    }
    long long q = r->has_cpu_quota ? r->cpu_quota : -1;
    snprintf(a, sizeof a, "%lld", q > 0 ? q : -1);
    if (q > 0) snprintf(b, sizeof b, "%lld %llu", q, period); else snprintf(b, sizeof b, "max %llu", period);
    if (cgroup_set_limit(cg, "cpu.quota", "cpu.cfs_quota_us", a, "cpu.max", b, err) < 0) return -1;
  }
  if (cgroup_apply_blkio(cg, r, err) < 0) return -1;
  return cgroup_apply_hugetlb(cg, r, err);
}
