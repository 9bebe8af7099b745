/* Loads config.json into a `spec`: the process, root and top-level fields.
 * The "linux" object and mounts are in spec_linux.c. Fields we do not
 * implement are rejected with an error naming them, never silently ignored. */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

static char *xstrdup(const char *s, berth_error *err) {
  char *d = strdup(s);
  if (!d) berth_fail(err, ENOMEM, "copying string");
  return d;
}

int spec_string_array(const json_value *arr, const char *field, char ***out, size_t *n, berth_error *err) {
  *out = NULL; *n = 0;
  if (!arr || arr->type == JSON_NULL) return 0;
  if (arr->type != JSON_ARRAY) return berth_fail(err, 0, "%s must be an array of strings, not %s", field, json_type_name(arr->type));
  char **v = calloc(arr->len + 1, sizeof *v);
  if (!v) return berth_fail(err, ENOMEM, "%s", field);
  *out = v;
  for (size_t k = 0; k < arr->len; k++) {
    if (arr->items[k]->type != JSON_STRING) return berth_fail(err, 0, "%s[%zu] must be a string", field, k);
    if (!(v[k] = xstrdup(arr->items[k]->str, err))) return -1;
    *n = k + 1;
  }
  return 0;
}

static int get_u32(const json_value *obj, const char *key, const char *field, uint32_t *out, bool *present, berth_error *err) {
  json_value *v = json_get(obj, key);
  if (present) *present = false;
  if (!v || v->type == JSON_NULL) return 0;
  if (v->type != JSON_NUMBER || !v->is_int || v->i < 0 || v->i > UINT32_MAX)
    return berth_fail(err, 0, "%s must be an integer between 0 and %u", field, UINT32_MAX);
  *out = (uint32_t)v->i;
  if (present) *present = true;
  return 0;
}

static int parse_user(spec *s, const json_value *user, berth_error *err) {
  if (!user) return 0;
  if (user->type != JSON_OBJECT) return berth_fail(err, 0, "process.user must be an object");
  if (json_get_string(user, "username") && *json_get_string(user, "username"))
    return berth_fail(err, 0, "process.user.username is not supported: give numeric uid and gid");
  if (get_u32(user, "uid", "process.user.uid", &s->uid, NULL, err) < 0) return -1;
  if (get_u32(user, "gid", "process.user.gid", &s->gid, NULL, err) < 0) return -1;
  if (get_u32(user, "umask", "process.user.umask", &s->umask, &s->has_umask, err) < 0) return -1;
  json_value *g = json_get(user, "additionalGids");
  if (g && g->type != JSON_NULL) {
    if (g->type != JSON_ARRAY) return berth_fail(err, 0, "process.user.additionalGids must be an array");
    s->gids = calloc(g->len + 1, sizeof *s->gids);
    if (!s->gids) return berth_fail(err, ENOMEM, "additionalGids");
    for (size_t k = 0; k < g->len; k++) {
      json_value *x = g->items[k];
      if (x->type != JSON_NUMBER || !x->is_int || x->i < 0 || x->i > UINT32_MAX)
        return berth_fail(err, 0, "process.user.additionalGids[%zu] must be a non-negative integer", k);
      s->gids[s->ngids++] = (uint32_t)x->i;
    }
  }
  return 0;
}

static int parse_caps(spec *s, const json_value *c, berth_error *err) {
  if (!c || c->type == JSON_NULL) return 0;
  if (c->type != JSON_OBJECT) return berth_fail(err, 0, "process.capabilities must be an object");
  s->has_caps = true;
  if (caps_parse_list(json_get(c, "bounding"), "bounding", &s->cap_bounding, err) < 0 ||
      caps_parse_list(json_get(c, "effective"), "effective", &s->cap_effective, err) < 0 ||
      caps_parse_list(json_get(c, "inheritable"), "inheritable", &s->cap_inheritable, err) < 0 ||
      caps_parse_list(json_get(c, "permitted"), "permitted", &s->cap_permitted, err) < 0 ||
      caps_parse_list(json_get(c, "ambient"), "ambient", &s->cap_ambient, err) < 0)
    return berth_error_wrap(err, "process.capabilities");
  uint64_t unusable = s->cap_ambient & ~(s->cap_permitted & s->cap_inheritable);
  if (unusable) {
    /* The kernel only raises ambient caps that are permitted and inheritable;
     * like runc, warn and go on without them. */
    for (int c = 0; c < 64; c++)
      if (unusable & (1ULL << c)) log_warn("ambient capability %s is ignored: it is not in both permitted and inheritable", cap_name(c));
    s->cap_ambient &= ~unusable;
  }
  return 0;
}

static int parse_rlimits(spec *s, const json_value *r, berth_error *err) {
  if (!r || r->type == JSON_NULL) return 0;
  if (r->type != JSON_ARRAY) return berth_fail(err, 0, "process.rlimits must be an array");
  s->rlimits = calloc(r->len + 1, sizeof *s->rlimits);
  if (!s->rlimits) return berth_fail(err, ENOMEM, "rlimits");
  for (size_t k = 0; k < r->len; k++) {
    const char *type = json_get_string(r->items[k], "type");
    json_value *soft = json_get(r->items[k], "soft"), *hard = json_get(r->items[k], "hard");
    if (!type) return berth_fail(err, 0, "process.rlimits[%zu].type is missing", k);
    int res = rlimit_from_name(type);
    if (res < 0) return berth_fail(err, 0, "process.rlimits[%zu]: unknown rlimit type \"%s\" (use names like RLIMIT_NOFILE)", k, type);
    if (!soft || soft->type != JSON_NUMBER || !soft->is_uint || !hard || hard->type != JSON_NUMBER || !hard->is_uint)
      return berth_fail(err, 0, "process.rlimits[%zu] (%s): soft and hard must be non-negative integers", k, type);
    rlimit_spec *l = &s->rlimits[s->nrlimits++];
    l->resource = res;
    l->name = type; /* borrowed from the document, which lives as long as the spec */
    l->soft = soft->u; l->hard = hard->u;
  }
  return 0;
}

int spec_parse_process(spec *s, const json_value *p, berth_error *err) {
  if (!p || p->type != JSON_OBJECT) return berth_fail(err, 0, "process is missing or not an object: config.json must describe the process to run");
  json_value *t = json_get(p, "terminal");
  s->terminal = t && t->type == JSON_BOOL && t->boolean;
  if (spec_string_array(json_get(p, "args"), "process.args", &s->args, &s->nargs, err) < 0) return -1;
  if (s->nargs == 0 || !*s->args[0]) return berth_fail(err, 0, "process.args must name the program to run (it is empty)");
  if (spec_string_array(json_get(p, "env"), "process.env", &s->env, &s->nenv, err) < 0) return -1;
  if (!s->env && !(s->env = calloc(1, sizeof *s->env))) return berth_fail(err, ENOMEM, "env");
  const char *cwd = json_get_string(p, "cwd");
  if (!cwd || cwd[0] != '/') return berth_fail(err, 0, "process.cwd must be an absolute path (got \"%s\")", cwd ? cwd : "");
  if (!(s->cwd = xstrdup(cwd, err))) return -1;
  if (parse_user(s, json_get(p, "user"), err) < 0) return -1;
  if (parse_caps(s, json_get(p, "capabilities"), err) < 0) return -1;
  if (parse_rlimits(s, json_get(p, "rlimits"), err) < 0) return -1;
  json_value *nnp = json_get(p, "noNewPrivileges");
  s->no_new_privs = nnp && nnp->type == JSON_BOOL && nnp->boolean;
  json_value *oom = json_get(p, "oomScoreAdj");
  if (oom && oom->type != JSON_NULL) {
    if (oom->type != JSON_NUMBER || !oom->is_int || oom->i < -1000 || oom->i > 1000)
      return berth_fail(err, 0, "process.oomScoreAdj must be an integer between -1000 and 1000");
    s->has_oom_score_adj = true;
    s->oom_score_adj = (int)oom->i;
  }
  const char *aa = json_get_string(p, "apparmorProfile"), *se = json_get_string(p, "selinuxLabel");
  s->apparmor_profile = aa && *aa ? aa : NULL;
  s->selinux_label = se && *se ? se : NULL;
  if (lsm_check(s, err) < 0) return -1;
  json_value *cs = json_get(p, "consoleSize");
  if (cs && cs->type != JSON_NULL) {
    json_value *h = json_get(cs, "height"), *w = json_get(cs, "width");
    if (!h || !h->is_int || h->i < 0 || h->i > 65535 || !w || !w->is_int || w->i < 0 || w->i > 65535)
      return berth_fail(err, 0, "process.consoleSize needs integer height and width (0..65535)");
    s->has_console_size = true;
    s->console_height = (unsigned)h->i;
    s->console_width = (unsigned)w->i;
  }
  return 0;
}

spec *spec_load(const char *bundle, berth_error *err) {
  char path[PATH_MAX];
  struct stat st;
  if (stat(bundle, &st) < 0 || !S_ISDIR(st.st_mode))
    return berth_fail(err, errno ? errno : ENOTDIR, "bundle %s is not a directory (pass --bundle DIR with a config.json)", bundle), NULL;
  spec *s = calloc(1, sizeof *s);
  if (!s) return berth_fail(err, ENOMEM, "loading spec"), NULL;
  if (!(s->bundle = realpath(bundle, NULL))) { berth_fail(err, errno, "resolving bundle path %s", bundle); goto fail; }
  snprintf(path, sizeof path, "%s/config.json", s->bundle);
  if (!(s->doc = json_parse_file(path, err))) {
    if (err->errnum == ENOENT) berth_fail(err, ENOENT, "bundle %s has no config.json (create one, e.g. with `berth-runtime spec`)", s->bundle);
    else berth_error_wrap(err, "loading the bundle's config.json");
    goto fail;
  }
  if (s->doc->type != JSON_OBJECT) { berth_fail(err, 0, "%s: the top-level value must be an object", path); goto fail; }
  const char *ver = json_get_string(s->doc, "ociVersion");
  if (!ver) { berth_fail(err, 0, "%s: ociVersion is missing", path); goto fail; }
  if (strncmp(ver, "1.", 2) != 0) { berth_fail(err, 0, "%s: ociVersion %s is not supported (runtime-spec 1.x only)", path, ver); goto fail; }

  json_value *root = json_get(s->doc, "root");
  const char *rp = json_get_string(root, "path");
  if (!rp || !*rp) { berth_fail(err, 0, "%s: root.path is missing", path); goto fail; }
  char rootpath[PATH_MAX];
  if (rp[0] == '/') snprintf(rootpath, sizeof rootpath, "%s", rp);
  else snprintf(rootpath, sizeof rootpath, "%s/%s", s->bundle, rp);
  if (!(s->rootfs = realpath(rootpath, NULL))) { berth_fail(err, errno, "root.path %s (resolved %s)", rp, rootpath); goto fail; }
  if (stat(s->rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) { berth_fail(err, ENOTDIR, "root.path %s", s->rootfs); goto fail; }
  json_value *ro = json_get(root, "readonly");
  s->root_readonly = ro && ro->type == JSON_BOOL && ro->boolean;

  if (spec_parse_process(s, json_get(s->doc, "process"), err) < 0) goto wrap;
  const char *hn = json_get_string(s->doc, "hostname"), *dn = json_get_string(s->doc, "domainname");
  if (hn && *hn && !(s->hostname = xstrdup(hn, err))) goto fail;
  if (dn && *dn && !(s->domainname = xstrdup(dn, err))) goto fail;
  if (check_hooks(json_get(s->doc, "hooks"), err) < 0) goto wrap;
  s->hooks = json_get(s->doc, "hooks");
  if (spec_parse_mounts(s, json_get(s->doc, "mounts"), err) < 0) goto wrap;
  s->rootfs_propagation = MS_SLAVE | MS_REC;
  json_value *lx = json_get(s->doc, "linux");
  if (!lx || lx->type != JSON_OBJECT) { berth_fail(err, 0, "the linux object is missing: only Linux containers are supported"); goto wrap; }
  if (spec_parse_linux(s, lx, err) < 0) goto wrap;
  json_value *ann = json_get(s->doc, "annotations");
  if (ann && ann->type == JSON_OBJECT) s->annotations = ann;
  if (s->hostname && !spec_has_ns(s, CLONE_NEWUTS))
    { berth_fail(err, 0, "hostname is set but there is no uts namespace: add {\"type\":\"uts\"} to linux.namespaces"); goto wrap; }
  return s;
wrap:
  berth_error_wrap(err, "invalid %s", path);
fail:
  spec_free(s);
  return NULL;
}

bool spec_has_ns(const spec *s, int flag) {
  for (size_t k = 0; k < s->nns; k++) if (s->ns[k].flag == flag) return true;
  return false;
}

static void free_strv(char **v, size_t n) {
  if (!v) return;
  for (size_t k = 0; k < n; k++) free(v[k]);
  free(v);
}

void spec_free_process(spec *s) {
  free(s->cwd);
  free_strv(s->args, s->nargs); free_strv(s->env, s->nenv);
  free(s->gids); free(s->rlimits);
  s->cwd = NULL; s->args = s->env = NULL; s->nargs = s->nenv = 0;
  s->gids = NULL; s->ngids = 0; s->rlimits = NULL; s->nrlimits = 0;
  s->uid = s->gid = 0; s->has_umask = s->has_caps = s->no_new_privs = s->has_oom_score_adj = false;
  s->cap_bounding = s->cap_effective = s->cap_inheritable = s->cap_permitted = s->cap_ambient = 0;
  s->terminal = s->has_console_size = false;
  s->apparmor_profile = s->selinux_label = NULL;
}

void spec_free(spec *s) {
  if (!s) return;
  spec_free_process(s);
  json_free(s->doc);
  free(s->bundle); free(s->rootfs); free(s->hostname); free(s->domainname);
  free(s->dev_rules);
  resources_free(&s->res);
  for (size_t k = 0; k < s->nmounts; k++) {
    free(s->mounts[k].destination); free(s->mounts[k].type); free(s->mounts[k].source); free(s->mounts[k].data);
  }
  free(s->mounts);
  for (size_t k = 0; k < s->nns; k++) free(s->ns[k].path);
  free(s->uid_maps); free(s->gid_maps);
  for (size_t k = 0; k < s->ndevices; k++) free(s->devices[k].path);
  free(s->devices);
  free_strv(s->masked, s->nmasked); free_strv(s->readonly, s->nreadonly);
  for (size_t k = 0; k < s->nsysctl; k++) { free(s->sysctl[k].key); free(s->sysctl[k].value); }
  free(s->sysctl);
  free(s->cgroups_path);
  free(s);
}
