/* `update`: new limits for a container's cgroups, from a linux.resources
 * JSON file (-r FILE, "-" for stdin) or from runc's flags. */
#include "runtime.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

/* Bytes with an optional k/m/g/t suffix (powers of 1024); "-1" is unlimited. */
static int parse_size(const char *flag, const char *v, int64_t *out, berth_error *err) {
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (end == v || errno) return berth_fail(err, 0, "--%s %s: not a size (bytes, or a number with k, m, g or t)", flag, v);
  if (n == -1 && !*end) { *out = -1; return 0; }
  int shift = 0;
  switch (tolower((unsigned char)*end)) {
    case '\0': break;
    case 'k': shift = 10; break;
    case 'm': shift = 20; break;
    case 'g': shift = 30; break;
    case 't': shift = 40; break;
    default: return berth_fail(err, 0, "--%s %s: unknown unit", flag, v);
  }
  if (*end && end[1] && !(tolower((unsigned char)end[1]) == 'b' && !end[2])) return berth_fail(err, 0, "--%s %s: unknown unit", flag, v);
  if (n < 0) return berth_fail(err, 0, "--%s %s must not be negative", flag, v);
  *out = (int64_t)n << shift;
  return 0;
}

static int parse_int(const char *flag, const char *v, int64_t *out, berth_error *err) {
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (end == v || *end || errno) return berth_fail(err, 0, "--%s %s: not an integer", flag, v);
  *out = n;
  return 0;
}

static int from_flags(const update_opts *o, resources_spec *r, berth_error *err) {
  int64_t v;
  if (o->memory) { if (parse_size("memory", o->memory, &r->memory_limit, err) < 0) return -1; r->has_memory_limit = true; }
  if (o->memory_swap) { if (parse_size("memory-swap", o->memory_swap, &r->memory_swap, err) < 0) return -1; r->has_memory_swap = true; }
  if (o->memory_swap && !o->memory) return berth_fail(err, 0, "--memory-swap needs --memory too");
  if (o->pids_limit) { if (parse_int("pids-limit", o->pids_limit, &r->pids_limit, err) < 0) return -1; r->has_pids_limit = true; }
  if (o->cpu_quota) { if (parse_int("cpu-quota", o->cpu_quota, &r->cpu_quota, err) < 0) return -1; r->has_cpu_quota = true; }
  if (o->cpu_shares) {
    if (parse_int("cpu-shares", o->cpu_shares, &v, err) < 0) return -1;
    if (v < 0) return berth_fail(err, 0, "--cpu-shares must not be negative");
    r->cpu_shares = (uint64_t)v; r->has_cpu_shares = true;
  }
  if (o->cpu_period) {
    if (parse_int("cpu-period", o->cpu_period, &v, err) < 0) return -1;
    if (v < 0) return berth_fail(err, 0, "--cpu-period must not be negative");
    r->cpu_period = (uint64_t)v; r->has_cpu_period = true;
  }
  if ((o->cpuset_cpus && !(r->cpuset_cpus = strdup(o->cpuset_cpus))) || (o->cpuset_mems && !(r->cpuset_mems = strdup(o->cpuset_mems))))
    return berth_fail(err, ENOMEM, "cpuset");
  return 0;
}

int cmd_update(const global_opts *g, const char *id, const update_opts *o, berth_error *err) {
  container_state st;
  resources_spec r = { 0 };
  json_value *doc = NULL;
  int rc = -1;
  if (state_load(g, id, &st, err) < 0) goto out;
  if (state_status(&st) == ST_STOPPED) { berth_fail(err, 0, "cannot update container \"%s\": it is stopped", id); goto out; }
  if (o->resources_file) {
    const char *f = strcmp(o->resources_file, "-") == 0 ? "/dev/stdin" : o->resources_file;
    if (!(doc = json_parse_file(f, err)) || spec_parse_resources(&r, doc, err) < 0) { berth_error_wrap(err, "-r %s", o->resources_file); goto out; }
  } else if (from_flags(o, &r, err) < 0) {
    goto out;
  }
  rc = cgroup_name_controllers(&st.cg, err) < 0 ? -1 : cgroup_apply_resources(&st.cg, &r, err);
out:
  resources_free(&r);
  json_free(doc);
  state_free(&st);
  return rc;
}
