/* The state directory of one container: <root>/<id>/state.json (written
 * atomically) and exec.fifo while the container is "created". */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

int validate_id(const char *id, berth_error *err) {
  if (!id || !*id) return berth_fail(err, 0, "container id is missing");
  if (strlen(id) > 1024) return berth_fail(err, 0, "container id is too long (at most 1024 characters)");
  if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0) return berth_fail(err, 0, "invalid container id \"%s\"", id);
  for (const char *c = id; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("_+-.", *c)))
      return berth_fail(err, 0, "invalid container id \"%s\": use only letters, digits, '_', '+', '-' and '.'", id);
  return 0;
}

char *state_dir_path(const global_opts *g, const char *id) {
  char *p;
  if (asprintf(&p, "%s/%s", g->root, id) < 0) return NULL;
  return p;
}

int process_start_time(pid_t pid, unsigned long long *out, berth_error *err) {
  char p[64];
  snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
  _cleanup_free_ char *txt = read_file_str(p, err);
  if (!txt) return -1;
  char *s = strrchr(txt, ')'); /* comm may contain spaces and parentheses */
  if (!s) return berth_fail(err, 0, "malformed %s", p);
  /* After ")": field 3 is state; starttime is field 22. */
  char state = s[2];
  if (state == 'Z' || state == 'X') return berth_fail(err, ESRCH, "process %d has exited", (int)pid);
  s += 2;
  for (int field = 3; field < 22; field++) {
    s = strchr(s, ' ');
    if (!s) return berth_fail(err, 0, "malformed %s", p);
    s++;
  }
  *out = strtoull(s, NULL, 10);
  return 0;
}

bool process_alive(pid_t pid, unsigned long long start_time) {
  unsigned long long st;
  berth_error e;
  if (pid <= 0) return false;
  if (process_start_time(pid, &st, &e) < 0) return false;
  return st == start_time;
}

container_status state_status(const container_state *st) {
  if (!process_alive(st->pid, st->start_time)) return ST_STOPPED;
  if (freezer_state(&st->cg) == 1) return ST_PAUSED;
  char fifo[PATH_MAX];
  snprintf(fifo, sizeof fifo, "%s/exec.fifo", st->dir);
  return access(fifo, F_OK) == 0 ? ST_CREATED : ST_RUNNING;
}

const char *status_name(container_status s) {
  return s == ST_CREATED ? "created" : s == ST_RUNNING ? "running" : s == ST_PAUSED ? "paused" : "stopped";
}

int state_write(const global_opts *g, const container_state *st, berth_error *err) {
  (void)g;
  json_writer w;
  jw_init(&w, false);
  jw_begin_object(&w);
  jw_key(&w, "ociVersion"); jw_string(&w, BERTH_OCI_VERSION);
  jw_key(&w, "id"); jw_string(&w, st->id);
  jw_key(&w, "pid"); jw_int(&w, st->pid);
  jw_key(&w, "pidStartTime"); jw_uint(&w, st->start_time);
  jw_key(&w, "bundle"); jw_string(&w, st->bundle);
  jw_key(&w, "rootfs"); jw_string(&w, st->rootfs);
  jw_key(&w, "created"); jw_string(&w, st->created);
  jw_key(&w, "annotations");
  if (st->annotations) jw_value(&w, st->annotations); else { jw_begin_object(&w); jw_end_object(&w); }
  if (st->hooks) { jw_key(&w, "hooks"); jw_value(&w, st->hooks); }
  jw_key(&w, "cgroupPaths");
  jw_begin_array(&w);
  for (size_t k = 0; k < st->cg.n; k++) jw_string(&w, st->cg.dirs[k]);
  jw_end_array(&w);
  jw_end_object(&w);
  const char *txt = jw_result(&w, err);
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/state.json", st->dir);
  int r = txt ? write_file_atomic(p, txt, 0600, err) : -1;
  jw_free(&w);
  return r;
}

int state_load(const global_opts *g, const char *id, container_state *st, berth_error *err) {
  memset(st, 0, sizeof *st);
  if (validate_id(id, err) < 0) return -1;
  if (!(st->dir = state_dir_path(g, id))) return berth_fail(err, ENOMEM, "state path");
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/state.json", st->dir);
  if (!(st->doc = json_parse_file(p, err))) {
    if (err->errnum == ENOENT) { berth_fail(err, 0, "container \"%s\" does not exist", id); err->errnum = ENOENT; }
    return -1;
  }
  const char *v;
  json_value *pid = json_get(st->doc, "pid"), *stt = json_get(st->doc, "pidStartTime");
  st->pid = pid && pid->is_int ? (pid_t)pid->i : 0;
  st->start_time = stt && stt->is_uint ? stt->u : 0;
  st->id = strdup(id);
  st->bundle = strdup((v = json_get_string(st->doc, "bundle")) ? v : "");
  st->rootfs = strdup((v = json_get_string(st->doc, "rootfs")) ? v : "");
  st->created = strdup((v = json_get_string(st->doc, "created")) ? v : "");
  st->annotations = json_get(st->doc, "annotations");
  st->hooks = json_get(st->doc, "hooks");
  json_value *cgp = json_get(st->doc, "cgroupPaths");
  for (size_t k = 0; cgp && cgp->type == JSON_ARRAY && k < cgp->len && k < CG_MAX; k++)
    if (cgp->items[k]->type == JSON_STRING) st->cg.dirs[st->cg.n++] = strdup(cgp->items[k]->str);
  cgroup_classify(&st->cg);
  if (!st->id || !st->bundle || !st->rootfs || !st->created) return berth_fail(err, ENOMEM, "loading state");
  return 0;
}

void state_free(container_state *st) {
  free(st->id); free(st->bundle); free(st->rootfs); free(st->created); free(st->dir);
  cgroup_set_free(&st->cg);
  json_free(st->doc);
  memset(st, 0, sizeof *st);
}

/* runtime-spec state, plus runc's extra fields (rootfs, created, owner). */
void state_json(json_writer *w, const container_state *st, container_status status) {
  jw_begin_object(w);
  jw_key(w, "ociVersion"); jw_string(w, BERTH_OCI_VERSION);
  jw_key(w, "id"); jw_string(w, st->id);
  jw_key(w, "pid"); jw_int(w, status == ST_STOPPED ? 0 : st->pid);
  jw_key(w, "status"); jw_string(w, status_name(status));
  jw_key(w, "bundle"); jw_string(w, st->bundle);
  jw_key(w, "rootfs"); jw_string(w, st->rootfs);
  jw_key(w, "created"); jw_string(w, st->created);
  jw_key(w, "owner"); jw_string(w, "");
  jw_key(w, "annotations");
  if (st->annotations) jw_value(w, st->annotations); else { jw_begin_object(w); jw_end_object(w); }
  jw_end_object(w);
}
