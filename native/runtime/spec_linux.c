/* Parses config.json's "linux" object and "mounts" (with mount options). */
#include "runtime.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#include "seccomp.h"

/* seccomp*.c may not be linked in yet: then linux.seccomp is refused. */
extern int berth_seccomp_compile(const json_value *linux_seccomp, struct sock_filter **out, size_t *out_len, berth_error *err)
  __attribute__((weak));

static const struct { const char *name; int flag; } ns_types[] = {
  { "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
  { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
  { "cgroup", CLONE_NEWCGROUP },
};

static int parse_namespaces(spec *s, const json_value *arr, berth_error *err) {
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "linux.namespaces must be an array");
  for (size_t k = 0; k < arr->len; k++) {
    const char *type = json_get_string(arr->items[k], "type");
    const char *path = json_get_string(arr->items[k], "path");
    if (!type) return berth_fail(err, 0, "linux.namespaces[%zu].type is missing", k);
    int flag = 0;
    for (size_t t = 0; t < sizeof ns_types / sizeof ns_types[0]; t++)
      if (strcmp(type, ns_types[t].name) == 0) flag = ns_types[t].flag;
    if (!flag) {
      if (strcmp(type, "time") == 0) return berth_fail(err, 0, "linux.namespaces[%zu]: the time namespace is not supported yet", k);
      return berth_fail(err, 0, "linux.namespaces[%zu]: unknown namespace type \"%s\" (valid: pid, network, mount, ipc, uts, user, cgroup)", k, type);
    }
    if (spec_has_ns(s, flag)) return berth_fail(err, 0, "linux.namespaces: namespace type \"%s\" is listed twice", type);
    if (s->nns >= sizeof s->ns / sizeof s->ns[0]) return berth_fail(err, 0, "linux.namespaces: too many entries");
    s->ns[s->nns].flag = flag;
    if (path && *path && !(s->ns[s->nns].path = strdup(path))) return berth_fail(err, ENOMEM, "namespaces");
    s->nns++;
  }
  return 0;
}

static int parse_idmaps(const json_value *arr, const char *field, id_map **out, size_t *n, berth_error *err) {
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "%s must be an array", field);
  if (!(*out = calloc(arr->len + 1, sizeof **out))) return berth_fail(err, ENOMEM, "%s", field);
  for (size_t k = 0; k < arr->len; k++) {
    json_value *c = json_get(arr->items[k], "containerID"), *h = json_get(arr->items[k], "hostID"), *z = json_get(arr->items[k], "size");
    if (!c || !c->is_int || !h || !h->is_int || !z || !z->is_int || c->i < 0 || h->i < 0 || z->i <= 0)
      return berth_fail(err, 0, "%s[%zu] needs integer containerID, hostID and size", field, k);
    (*out)[k] = (id_map){ (uint32_t)c->i, (uint32_t)h->i, (uint32_t)z->i };
    *n = k + 1;
  }
  return 0;
}

static int parse_devices(spec *s, const json_value *arr, berth_error *err) {
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "linux.devices must be an array");
  if (!(s->devices = calloc(arr->len + 1, sizeof *s->devices))) return berth_fail(err, ENOMEM, "devices");
  for (size_t k = 0; k < arr->len; k++) {
    json_value *d = arr->items[k];
    device_spec *dv = &s->devices[s->ndevices];
    const char *path = json_get_string(d, "path"), *type = json_get_string(d, "type");
    if (!path || path[0] != '/') return berth_fail(err, 0, "linux.devices[%zu].path must be an absolute path", k);
    if (!type || strlen(type) != 1 || !strchr("cbup", type[0])) return berth_fail(err, 0, "linux.devices[%zu].type must be one of c, b, u, p", k);
    dv->type = type[0];
    json_value *ma = json_get(d, "major"), *mi = json_get(d, "minor"), *fm = json_get(d, "fileMode");
    if (dv->type != 'p' && (!ma || !ma->is_int || !mi || !mi->is_int)) return berth_fail(err, 0, "linux.devices[%zu] (%s) needs integer major and minor", k, path);
    dv->major = ma && ma->is_int ? ma->i : 0;
    dv->minor = mi && mi->is_int ? mi->i : 0;
    if (fm && fm->is_int) { dv->mode = (uint32_t)fm->i; dv->has_mode = true; }
    json_value *u = json_get(d, "uid"), *g = json_get(d, "gid");
    dv->uid = u && u->is_int ? (uint32_t)u->i : 0;
    dv->gid = g && g->is_int ? (uint32_t)g->i : 0;
    if (!(dv->path = strdup(path))) return berth_fail(err, ENOMEM, "devices");
    s->ndevices++;
  }
  return 0;
}

static int get_i64(const json_value *obj, const char *key, bool *has, int64_t *out, berth_error *err) {
  json_value *v = json_get(obj, key);
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_NUMBER || !v->is_int) return berth_fail(err, 0, "linux.resources: %s must be an integer", key);
  *has = true; *out = v->i;
  return 0;
}

static int get_u64(const json_value *obj, const char *key, bool *has, uint64_t *out, berth_error *err) {
  json_value *v = json_get(obj, key);
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_NUMBER || !v->is_uint) return berth_fail(err, 0, "linux.resources: %s must be a non-negative integer", key);
  *has = true; *out = v->u;
  return 0;
}

/* "type major:minor access" rules; a missing type means "a" (all devices). */
static int parse_dev_rules(spec *s, const json_value *arr, berth_error *err) {
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "linux.resources.devices must be an array");
  s->has_dev_rules = true;
  if (!(s->dev_rules = calloc(arr->len + 1, sizeof *s->dev_rules))) return berth_fail(err, ENOMEM, "device rules");
  for (size_t k = 0; k < arr->len; k++) {
    json_value *d = arr->items[k], *allow = json_get(d, "allow"), *ma = json_get(d, "major"), *mi = json_get(d, "minor");
    dev_rule *r = &s->dev_rules[s->ndev_rules++];
    if (!allow || allow->type != JSON_BOOL) return berth_fail(err, 0, "linux.resources.devices[%zu].allow must be true or false", k);
    r->allow = allow->boolean;
    const char *type = json_get_string(d, "type"), *access = json_get_string(d, "access");
    r->type = type && *type ? type[0] : 'a';
    if (!strchr("abc", r->type) || (type && *type && type[1])) return berth_fail(err, 0, "linux.resources.devices[%zu].type must be a, b or c", k);
    r->major = ma && ma->type != JSON_NULL ? (ma->is_int ? ma->i : -2) : -1;
    r->minor = mi && mi->type != JSON_NULL ? (mi->is_int ? mi->i : -2) : -1;
    if (r->major < -1 || r->minor < -1) return berth_fail(err, 0, "linux.resources.devices[%zu]: major and minor must be integers", k);
    if (!access || !*access) access = "rwm";
    if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
      return berth_fail(err, 0, "linux.resources.devices[%zu].access \"%s\" must be made of r, w and m", k, access);
    snprintf(r->access, sizeof r->access, "%s", access);
  }
  return 0;
}

/* null, 0, false, or containers holding only such values. */
static bool no_limit(const json_value *v) {
  if (!v) return true;
  switch (v->type) {
    case JSON_NULL: return true;
    case JSON_BOOL: return !v->boolean;
    case JSON_NUMBER: return v->num == 0;
    case JSON_STRING: return !*v->str;
    default:
      for (size_t k = 0; k < v->len; k++) if (!no_limit(v->items[k])) return false;
      return true;
  }
}

void resources_free(resources_spec *rs) {
  free(rs->cpuset_cpus);
  free(rs->cpuset_mems);
  free(rs->hugepages);
  free(rs->blkio_devs);
  memset(rs, 0, sizeof *rs);
}

int spec_parse_resources(resources_spec *rs, const json_value *r, berth_error *err) {
  resources_free(rs);
  if (!r || r->type == JSON_NULL) return 0;
  if (r->type != JSON_OBJECT) return berth_fail(err, 0, "linux.resources must be an object");
  json_value *mem = json_get(r, "memory"), *pids = json_get(r, "pids"), *cpu = json_get(r, "cpu");
  if (get_i64(mem, "limit", &rs->has_memory_limit, &rs->memory_limit, err) < 0 ||
      get_i64(mem, "swap", &rs->has_memory_swap, &rs->memory_swap, err) < 0 ||
      get_i64(mem, "reservation", &rs->has_memory_reservation, &rs->memory_reservation, err) < 0 ||
      get_i64(pids, "limit", &rs->has_pids_limit, &rs->pids_limit, err) < 0 ||
      get_u64(cpu, "shares", &rs->has_cpu_shares, &rs->cpu_shares, err) < 0 ||
      get_i64(cpu, "quota", &rs->has_cpu_quota, &rs->cpu_quota, err) < 0 ||
      get_u64(cpu, "period", &rs->has_cpu_period, &rs->cpu_period, err) < 0)
    return -1;
  const char *cpus = json_get_string(cpu, "cpus"), *mems = json_get_string(cpu, "mems");
  if ((cpus && *cpus && !(rs->cpuset_cpus = strdup(cpus))) || (mems && *mems && !(rs->cpuset_mems = strdup(mems))))
    return berth_fail(err, ENOMEM, "cpuset");
  if (cgroup_parse_hugepages(rs, json_get(r, "hugepageLimits"), err) < 0) return -1;
  if (cgroup_parse_blkio(rs, json_get(r, "blockIO"), err) < 0) return -1;
  /* Other resource kinds are accepted only when they ask for nothing (Docker
   * sends "blockIO": {"weight": 0}). */
  static const char *unsupported[] = { "network", "rdma", "unified" };
  for (size_t k = 0; k < sizeof unsupported / sizeof unsupported[0]; k++) {
    json_value *v = json_get(r, unsupported[k]);
    if (!no_limit(v))
      return berth_fail(err, 0, "linux.resources.%s is not supported yet: remove it from config.json", unsupported[k]);
  }
  return 0;
}

static int parse_resources(spec *s, const json_value *r, berth_error *err) {
  if (spec_parse_resources(&s->res, r, err) < 0) return -1;
  return parse_dev_rules(s, json_get(r, "devices"), err);
}

static int parse_propagation(const char *p, unsigned long *out, berth_error *err) {
  static const struct { const char *n; unsigned long f; } t[] = {
    { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC }, { "slave", MS_SLAVE },
    { "rslave", MS_SLAVE | MS_REC }, { "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
    if (strcmp(p, t[k].n) == 0) { *out = t[k].f; return 0; }
  return berth_fail(err, 0, "linux.rootfsPropagation \"%s\" is not one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable", p);
}

int spec_parse_linux(spec *s, const json_value *lx, berth_error *err) {
  json_value *sc = json_get(lx, "seccomp");
  if (sc && sc->type != JSON_NULL) {
    if (!berth_seccomp_compile) return berth_fail(err, 0, "linux.seccomp: seccomp is not supported yet; remove it from config.json");
    struct sock_filter *prog = NULL;
    size_t n = 0;
    if (berth_seccomp_compile(sc, &prog, &n, err) < 0) return berth_error_wrap(err, "linux.seccomp");
    free(prog);
    s->seccomp = sc;
  }
  static const char *unsupported[] = { "intelRdt", "personality", "timeOffsets", "memoryPolicy" };
  for (size_t k = 0; k < sizeof unsupported / sizeof unsupported[0]; k++)
    if (json_get(lx, unsupported[k]) && json_get(lx, unsupported[k])->type != JSON_NULL)
      return berth_fail(err, 0, "linux.%s is not supported yet: remove it from config.json", unsupported[k]);
  const char *ml = json_get_string(lx, "mountLabel");
  if (ml && *ml) return berth_fail(err, 0, "linux.mountLabel (SELinux) is not supported: remove it from config.json");
  if (parse_namespaces(s, json_get(lx, "namespaces"), err) < 0) return -1;
  if (parse_idmaps(json_get(lx, "uidMappings"), "linux.uidMappings", &s->uid_maps, &s->nuid_maps, err) < 0) return -1;
  if (parse_idmaps(json_get(lx, "gidMappings"), "linux.gidMappings", &s->gid_maps, &s->ngid_maps, err) < 0) return -1;
  if ((s->nuid_maps || s->ngid_maps) && !spec_has_ns(s, CLONE_NEWUSER))
    return berth_fail(err, 0, "linux.uidMappings/gidMappings need a user namespace in linux.namespaces");
  if (parse_devices(s, json_get(lx, "devices"), err) < 0) return -1;
  if (spec_string_array(json_get(lx, "maskedPaths"), "linux.maskedPaths", &s->masked, &s->nmasked, err) < 0) return -1;
  if (spec_string_array(json_get(lx, "readonlyPaths"), "linux.readonlyPaths", &s->readonly, &s->nreadonly, err) < 0) return -1;
  json_value *sys = json_get(lx, "sysctl");
  if (sys && sys->type == JSON_OBJECT && sys->len) {
    if (!(s->sysctl = calloc(sys->len, sizeof *s->sysctl))) return berth_fail(err, ENOMEM, "sysctl");
    for (size_t k = 0; k < sys->len; k++) {
      if (sys->items[k]->type != JSON_STRING) return berth_fail(err, 0, "linux.sysctl.%s must be a string", sys->keys[k]);
      if (!*sys->keys[k] || strstr(sys->keys[k], ".."))
        return berth_fail(err, 0, "linux.sysctl: invalid key \"%s\"", sys->keys[k]);
      s->sysctl[k].key = strdup(sys->keys[k]);
      s->sysctl[k].value = strdup(sys->items[k]->str);
      s->nsysctl = k + 1;
      if (!s->sysctl[k].key || !s->sysctl[k].value) return berth_fail(err, ENOMEM, "sysctl");
    }
  }
  const char *cp = json_get_string(lx, "cgroupsPath");
  if (cp && *cp) {
    if (strstr(cp, "..")) return berth_fail(err, 0, "linux.cgroupsPath \"%s\" must not contain \"..\"", cp);
    if (strchr(cp, ':') && cp[0] != '/') return berth_fail(err, 0, "linux.cgroupsPath \"%s\" looks like a systemd slice:name:scope path; systemd cgroups are not supported, use /parent/name", cp);
    if (!(s->cgroups_path = strdup(cp))) return berth_fail(err, ENOMEM, "cgroupsPath");
  }
  if (parse_resources(s, json_get(lx, "resources"), err) < 0) return -1;
  const char *rp = json_get_string(lx, "rootfsPropagation");
  if (rp && *rp && parse_propagation(rp, &s->rootfs_propagation, err) < 0) return -1;
  return 0;
}

/* ---- mounts ---- */

int parse_mount_options(mount_spec *m, const json_value *opts, berth_error *err) {
  static const struct { const char *n; bool clear; unsigned long f; } flags[] = {
    { "defaults", false, 0 }, { "ro", false, MS_RDONLY }, { "rw", true, MS_RDONLY },
    { "suid", true, MS_NOSUID }, { "nosuid", false, MS_NOSUID }, { "dev", true, MS_NODEV },
    { "nodev", false, MS_NODEV }, { "exec", true, MS_NOEXEC }, { "noexec", false, MS_NOEXEC },
    { "sync", false, MS_SYNCHRONOUS }, { "async", true, MS_SYNCHRONOUS }, { "dirsync", false, MS_DIRSYNC },
    { "mand", false, MS_MANDLOCK }, { "nomand", true, MS_MANDLOCK }, { "atime", true, MS_NOATIME },
    { "noatime", false, MS_NOATIME }, { "diratime", true, MS_NODIRATIME }, { "nodiratime", false, MS_NODIRATIME },
    { "relatime", false, MS_RELATIME }, { "norelatime", true, MS_RELATIME }, { "strictatime", false, MS_STRICTATIME },
    { "nostrictatime", true, MS_STRICTATIME }, { "remount", false, MS_REMOUNT }, { "silent", false, MS_SILENT },
  };
  size_t cap = 1, len = 0;
  if (!opts || opts->type == JSON_NULL) return 0;
  if (opts->type != JSON_ARRAY) return berth_fail(err, 0, "options must be an array of strings");
  for (size_t k = 0; k < opts->len; k++) if (opts->items[k]->type == JSON_STRING) cap += strlen(opts->items[k]->str) + 1;
  char *data = calloc(cap, 1);
  if (!data) return berth_fail(err, ENOMEM, "mount options");
  for (size_t k = 0; k < opts->len; k++) {
    if (opts->items[k]->type != JSON_STRING) { free(data); return berth_fail(err, 0, "options[%zu] must be a string", k); }
    const char *o = opts->items[k]->str;
    bool done = false;
    for (size_t f = 0; f < sizeof flags / sizeof flags[0] && !done; f++)
      if (strcmp(o, flags[f].n) == 0) {
        if (flags[f].clear) m->flags &= ~flags[f].f; else m->flags |= flags[f].f;
        done = true;
      }
    if (done) continue;
    if (strcmp(o, "bind") == 0) { m->bind = true; continue; }
    if (strcmp(o, "rbind") == 0) { m->bind = true; m->flags |= MS_REC; continue; }
    unsigned long prop;
    berth_error ignored;
    if (parse_propagation(o, &prop, &ignored) == 0) { m->propagation = prop; continue; }
    if (strcmp(o, "tmpcopyup") == 0 || strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0 || strncmp(o, "X-mount.", 8) == 0 ||
        strcmp(o, "rro") == 0 || strcmp(o, "rrw") == 0) {
      free(data);
      return berth_fail(err, 0, "mount option \"%s\" is not supported yet", o);
    }
    if (len) data[len++] = ',';
    memcpy(data + len, o, strlen(o));
    len += strlen(o);
  }
  if (len) m->data = data; else free(data);
  return 0;
}

int spec_parse_mounts(spec *s, const json_value *arr, berth_error *err) {
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "mounts must be an array");
  if (!(s->mounts = calloc(arr->len + 1, sizeof *s->mounts))) return berth_fail(err, ENOMEM, "mounts");
  for (size_t k = 0; k < arr->len; k++) {
    json_value *j = arr->items[k];
    mount_spec *m = &s->mounts[s->nmounts++];
    const char *dest = json_get_string(j, "destination"), *type = json_get_string(j, "type"), *src = json_get_string(j, "source");
    if (!dest || dest[0] != '/') return berth_fail(err, 0, "mounts[%zu].destination must be an absolute path (got \"%s\")", k, dest ? dest : "");
    if (!(m->destination = strdup(dest)) || !(m->type = strdup(type ? type : "")) || !(m->source = strdup(src ? src : "")))
      return berth_fail(err, ENOMEM, "mounts");
    if (parse_mount_options(m, json_get(j, "options"), err) < 0) return berth_error_wrap(err, "mounts[%zu] (%s)", k, dest);
    if (strcmp(m->type, "bind") == 0) m->bind = true;
    if (!m->bind && !*m->type) return berth_fail(err, 0, "mounts[%zu] (%s): type is missing and options have no bind/rbind", k, dest);
    if (m->bind && !*m->source) return berth_fail(err, 0, "mounts[%zu] (%s): a bind mount needs a source", k, dest);
    if (json_get(j, "uidMappings") || json_get(j, "gidMappings")) return berth_fail(err, 0, "mounts[%zu] (%s): idmapped mounts are not supported yet", k, dest);
  }
  return 0;
}
