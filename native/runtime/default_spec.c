/* `spec`: writes a default config.json like `runc spec` (but with
 * terminal=false, so that `run` works without a terminal on stdin).
 * `--rootless` writes the variant an unprivileged user can run: a user
 * namespace mapping root in the container to the caller, no network
 * namespace, /sys bound from the host instead of mounted, no cgroup mount,
 * no gid= option on devpts and no resources. */
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static void strings(json_writer *w, const char *const *v) {
  jw_begin_array(w);
  for (; *v; v++) jw_string(w, *v);
  jw_end_array(w);
}

static void mount_entry(json_writer *w, const char *dest, const char *type, const char *src, const char *const *opts) {
  jw_begin_object(w);
  jw_key(w, "destination"); jw_string(w, dest);
  jw_key(w, "type"); jw_string(w, type);
  jw_key(w, "source"); jw_string(w, src);
  if (opts) { jw_key(w, "options"); strings(w, opts); }
  jw_end_object(w);
}

static void id_mapping(json_writer *w, const char *key, unsigned long host_id) {
  jw_key(w, key); jw_begin_array(w); jw_begin_object(w);
  jw_key(w, "containerID"); jw_int(w, 0);
  jw_key(w, "hostID"); jw_int(w, (long long)host_id);
  jw_key(w, "size"); jw_int(w, 1);
  jw_end_object(w); jw_end_array(w);
}

int cmd_spec(const char *bundle, bool rootless, berth_error *err) {
  char path[PATH_MAX];
  struct stat st;
  snprintf(path, sizeof path, "%s/config.json", bundle);
  if (stat(path, &st) == 0) return berth_fail(err, EEXIST, "%s already exists: remove it first", path);
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  json_writer w;
  jw_init(&w, true);
  jw_begin_object(&w);
  jw_key(&w, "ociVersion"); jw_string(&w, BERTH_OCI_VERSION);
  jw_key(&w, "process"); jw_begin_object(&w);
  jw_key(&w, "terminal"); jw_bool(&w, false);
  jw_key(&w, "user"); jw_begin_object(&w); jw_key(&w, "uid"); jw_int(&w, 0); jw_key(&w, "gid"); jw_int(&w, 0); jw_end_object(&w);
  jw_key(&w, "args"); strings(&w, (const char *const[]){ "sh", NULL });
  jw_key(&w, "env"); strings(&w, (const char *const[]){ "PATH=" DEFAULT_PATH, "TERM=xterm", NULL });
  jw_key(&w, "cwd"); jw_string(&w, "/");
  jw_key(&w, "capabilities"); jw_begin_object(&w);
  const char *sets[] = { "bounding", "effective", "permitted", "ambient" };
  for (int k = 0; k < 4; k++) { jw_key(&w, sets[k]); strings(&w, caps); }
  jw_end_object(&w);
  jw_key(&w, "rlimits"); jw_begin_array(&w); jw_begin_object(&w);
  jw_key(&w, "type"); jw_string(&w, "RLIMIT_NOFILE"); jw_key(&w, "hard"); jw_int(&w, 1024); jw_key(&w, "soft"); jw_int(&w, 1024);
  jw_end_object(&w); jw_end_array(&w);
  jw_key(&w, "noNewPrivileges"); jw_bool(&w, true);
  jw_end_object(&w);
  jw_key(&w, "root"); jw_begin_object(&w); jw_key(&w, "path"); jw_string(&w, "rootfs"); jw_key(&w, "readonly"); jw_bool(&w, true); jw_end_object(&w);
  jw_key(&w, "hostname"); jw_string(&w, "berth");
  jw_key(&w, "mounts"); jw_begin_array(&w);
  mount_entry(&w, "/proc", "proc", "proc", NULL);
  mount_entry(&w, "/dev", "tmpfs", "tmpfs", (const char *const[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL });
  if (rootless)
    mount_entry(&w, "/dev/pts", "devpts", "devpts", (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL });
  else
    mount_entry(&w, "/dev/pts", "devpts", "devpts", (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL });
  mount_entry(&w, "/dev/shm", "tmpfs", "shm", (const char *const[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL });
  mount_entry(&w, "/dev/mqueue", "mqueue", "mqueue", (const char *const[]){ "nosuid", "noexec", "nodev", NULL });
  if (rootless) {
    /* an unprivileged user may not mount sysfs or cgroups: bind the host's /sys read-only */
    mount_entry(&w, "/sys", "none", "/sys", (const char *const[]){ "rbind", "nosuid", "noexec", "nodev", "ro", NULL });
  } else {
    mount_entry(&w, "/sys", "sysfs", "sysfs", (const char *const[]){ "nosuid", "noexec", "nodev", "ro", NULL });
    mount_entry(&w, "/sys/fs/cgroup", "cgroup", "cgroup", (const char *const[]){ "nosuid", "noexec", "nodev", "relatime", "ro", NULL });
  }
  jw_end_array(&w);
  jw_key(&w, "linux"); jw_begin_object(&w);
  if (rootless) {
    id_mapping(&w, "uidMappings", (unsigned long)geteuid());
    id_mapping(&w, "gidMappings", (unsigned long)getegid());
  } else {
    jw_key(&w, "resources"); jw_begin_object(&w); jw_end_object(&w);
  }
  jw_key(&w, "namespaces"); jw_begin_array(&w);
  const char *ns_root[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
  const char *ns_rootless[] = { "pid", "ipc", "uts", "mount", "cgroup", "user", NULL };
  for (const char *const *k = rootless ? ns_rootless : ns_root; *k; k++) { jw_begin_object(&w); jw_key(&w, "type"); jw_string(&w, *k); jw_end_object(&w); }
  jw_end_array(&w);
  jw_key(&w, "maskedPaths"); strings(&w, (const char *const[]){ "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL });
  jw_key(&w, "readonlyPaths"); strings(&w, (const char *const[]){ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL });
  jw_end_object(&w);
  jw_end_object(&w);
  const char *txt = jw_result(&w, err);
  int r = -1;
  if (txt) {
    char *body;
    if (asprintf(&body, "%s\n", txt) < 0) { jw_free(&w); return berth_fail(err, ENOMEM, "spec"); }
    r = write_file_atomic(path, body, 0644, err);
    free(body);
  }
  jw_free(&w);
  return r;
}
