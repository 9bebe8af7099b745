/* `features`: what this runtime supports, in the runtime-spec features JSON. */
#include "runtime.h"
#include "seccomp.h"

extern int berth_seccomp_install(const json_value *linux_seccomp, berth_error *err) __attribute__((weak));

static void strings(json_writer *w, const char *const *v) {
  jw_begin_array(w);
  for (; *v; v++) jw_string(w, *v);
  jw_end_array(w);
}

int cmd_features(berth_error *err) {
  json_writer w;
  jw_init(&w, true);
  jw_begin_object(&w);
  jw_key(&w, "ociVersionMin"); jw_string(&w, "1.0.0");
  jw_key(&w, "ociVersionMax"); jw_string(&w, "1.2.0");
  jw_key(&w, "hooks");
  strings(&w, (const char *const[]){ "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL });
  jw_key(&w, "mountOptions");
  strings(&w, (const char *const[]){ "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand",
    "noatime", "nodev", "nodiratime", "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "private", "rbind",
    "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared", "slave", "strictatime",
    "suid", "sync", "unbindable", NULL });
  jw_key(&w, "linux"); jw_begin_object(&w);
  jw_key(&w, "namespaces"); strings(&w, (const char *const[]){ "cgroup", "ipc", "mount", "network", "pid", "user", "uts", NULL });
  jw_key(&w, "capabilities"); jw_begin_array(&w);
  for (int c = 0; c <= cap_last(); c++) if (cap_name(c)) jw_string(&w, cap_name(c));
  jw_end_array(&w);
  jw_key(&w, "cgroup"); jw_begin_object(&w);
  jw_key(&w, "v1"); jw_bool(&w, true); jw_key(&w, "v2"); jw_bool(&w, true);
  jw_key(&w, "systemd"); jw_bool(&w, false); jw_key(&w, "systemdUser"); jw_bool(&w, false);
  jw_end_object(&w);
  jw_key(&w, "seccomp"); jw_begin_object(&w); jw_key(&w, "enabled"); jw_bool(&w, berth_seccomp_install != NULL); jw_end_object(&w);
  jw_key(&w, "apparmor"); jw_begin_object(&w); jw_key(&w, "enabled"); jw_bool(&w, false); jw_end_object(&w);
  jw_key(&w, "selinux"); jw_begin_object(&w); jw_key(&w, "enabled"); jw_bool(&w, false); jw_end_object(&w);
  jw_end_object(&w);
  jw_key(&w, "annotations"); jw_begin_object(&w); jw_end_object(&w);
  jw_end_object(&w);
  const char *txt = jw_result(&w, err);
  if (txt) printf("%s\n", txt);
  jw_free(&w);
  return txt ? 0 : -1;
}
