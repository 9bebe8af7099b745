/* berth-runtime: shared types and entry points. One section per source file. */
#ifndef BERTH_RUNTIME_H
#define BERTH_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "json.h"

#define BERTH_OCI_VERSION "1.0.2"
#define DEFAULT_ROOT "/run/berth-runtime"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- global options (main.c) ---- */
typedef struct {
  const char *root;
  const char *log_path;
  bool log_json;
  bool debug;
} global_opts;

/* ---- log.c ---- */
void log_setup(const global_opts *g);
/* Print "berth-runtime: msg" on stderr and append it to --log. */
void log_error(const char *msg);
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* RFC 3339 timestamp of now (UTC, nanoseconds) into buf. */
void rfc3339_now(char *buf, size_t len);

/* ---- spec.c / spec_linux.c: the parts of config.json we act on ---- */
typedef struct {
  char *destination, *type, *source;
  unsigned long flags;       /* MS_* to set */
  unsigned long propagation; /* MS_PRIVATE|MS_REC ... or 0 */
  bool bind;                 /* bind or rbind */
  char *data;                /* filesystem-specific options, comma separated */
} mount_spec;

typedef struct { int flag; char *path; } ns_spec; /* flag: CLONE_NEW* */
typedef struct { uint32_t container_id, host_id, size; } id_map;

typedef struct {
  char *path;
  char type; /* 'c' 'b' 'u' 'p' */
  int64_t major, minor;
  uint32_t mode; bool has_mode;
  uint32_t uid, gid;
} device_spec;

typedef struct { int resource; const char *name; uint64_t soft, hard; } rlimit_spec;
typedef struct { char *key, *value; } kv;

typedef struct {
  bool has_memory_limit; int64_t memory_limit;
  bool has_memory_swap; int64_t memory_swap;
  bool has_pids_limit; int64_t pids_limit;
  bool has_cpu_shares; uint64_t cpu_shares;
  bool has_cpu_quota; int64_t cpu_quota;
  bool has_cpu_period; uint64_t cpu_period;
} resources_spec;

typedef struct {
  json_value *doc; /* the whole config.json */
  char *bundle;    /* absolute */
  char *rootfs;    /* absolute */
  bool root_readonly;

  char **args; size_t nargs;
  char **env; size_t nenv;  /* NULL-terminated too */
  char *cwd;
  uint32_t uid, gid; uint32_t *gids; size_t ngids;
  bool has_umask; uint32_t umask;
  bool has_caps; uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
  rlimit_spec *rlimits; size_t nrlimits;
  bool no_new_privs;
  bool has_oom_score_adj; int oom_score_adj;
  char *hostname, *domainname;

  mount_spec *mounts; size_t nmounts;
  ns_spec ns[10]; size_t nns;
  id_map *uid_maps; size_t nuid_maps;
  id_map *gid_maps; size_t ngid_maps;
  device_spec *devices; size_t ndevices;
  char **masked; size_t nmasked;
  char **readonly; size_t nreadonly;
  kv *sysctl; size_t nsysctl;
  char *cgroups_path; /* may be NULL */
  resources_spec res;
  unsigned long rootfs_propagation; /* MS_* flags, default MS_SLAVE|MS_REC */
  json_value *annotations;          /* borrowed from doc, may be NULL */
} spec;

spec *spec_load(const char *bundle, berth_error *err);
void spec_free(spec *s);
bool spec_has_ns(const spec *s, int flag);
int spec_string_array(const json_value *arr, const char *field, char ***out, size_t *n, berth_error *err);
/* spec_linux.c: the "linux" object and mount options */
int spec_parse_linux(spec *s, const json_value *linux_, berth_error *err);
int spec_parse_mounts(spec *s, const json_value *mounts, berth_error *err);
int parse_mount_options(mount_spec *m, const json_value *opts, berth_error *err);
/* default_spec.c */
int cmd_spec(const char *bundle, berth_error *err);
/* features.c */
int cmd_features(berth_error *err);

/* ---- caps.c: capabilities, user, rlimits ---- */
int cap_from_name(const char *name);
const char *cap_name(int cap);
int cap_last(void);
int caps_parse_list(const json_value *arr, const char *field, uint64_t *out, berth_error *err);
int rlimit_from_name(const char *name);
int apply_rlimits(const spec *s, berth_error *err);
/* setgroups/setresgid/setresuid keeping capabilities, then bounding, capset, ambient */
int apply_user_and_caps(const spec *s, berth_error *err);

/* ---- paths.c ---- */
/* Resolve `unsafe` (an absolute container path) inside `root`, following
 * symlinks as the container would see them. A path that climbs out of root
 * with ".." is rejected. Result is malloc'd (host path). */
char *secure_join(const char *root, const char *unsafe, berth_error *err);
int mkdir_p(const char *path, mode_t mode, berth_error *err);
/* Ensure a mount point exists at host path `p` (under rootfs): a directory, or
 * an empty file when `file` is set. */
int ensure_mount_point(const char *p, bool file, berth_error *err);
int write_file(const char *path, const char *data, berth_error *err);
int write_file_atomic(const char *path, const char *data, mode_t mode, berth_error *err);
char *read_file_str(const char *path, berth_error *err);

typedef struct cgroup_set cgroup_set;
/* ---- rootfs.c / mounts.c / devices.c ---- */
/* Runs in the init, in its new mount namespace: prepares the rootfs, performs
 * every mount, creates devices and pivots (or chroots when no_pivot). */
int prepare_rootfs(const spec *s, const cgroup_set *cg, berth_error *err);
int enter_rootfs(const spec *s, bool no_pivot, berth_error *err);
int do_mount(const spec *s, const mount_spec *m, const cgroup_set *cg, berth_error *err);
int setup_devices(const spec *s, berth_error *err);
int setup_masked_and_readonly(const spec *s, berth_error *err);
int remount_readonly(const char *path, berth_error *err);

/* ---- cgroup.c ---- */
#define CG_MAX 16
struct cgroup_set {
  size_t n;
  char *dirs[CG_MAX];     /* host paths of the container's cgroup in each hierarchy */
  char *ctrls[CG_MAX];    /* mount options naming the hierarchy ("memory", "name=systemd"), "" for cgroup2 */
  char *names[CG_MAX];    /* basename of the host mount point ("memory", "unified") */
  bool v2[CG_MAX];
};
int cgroup_prepare(const spec *s, const char *id, cgroup_set *cg, berth_error *err);
int cgroup_add_pid(const cgroup_set *cg, pid_t pid, berth_error *err);
int cgroup_remove(const cgroup_set *cg, berth_error *err);
void cgroup_set_free(cgroup_set *cg);
/* Pids currently in the container's cgroup (from the first hierarchy that has
 * cgroup.procs); malloc'd array, count in *n. */
pid_t *cgroup_pids(const cgroup_set *cg, size_t *n, berth_error *err);
bool cgroup_is_pure_v2(void);

/* ---- state.c ---- */
typedef enum { ST_CREATED, ST_RUNNING, ST_STOPPED } container_status;
typedef struct {
  char *id, *bundle, *rootfs, *created, *dir;
  pid_t pid;
  unsigned long long start_time; /* /proc/pid/stat field 22, to detect pid reuse */
  json_value *annotations;       /* owned by doc */
  json_value *doc;
  cgroup_set cg;
} container_state;
int validate_id(const char *id, berth_error *err);
char *state_dir_path(const global_opts *g, const char *id);
int state_write(const global_opts *g, const container_state *st, berth_error *err);
/* Returns -1 with err->errnum == ENOENT when the container does not exist. */
int state_load(const global_opts *g, const char *id, container_state *st, berth_error *err);
void state_free(container_state *st);
container_status state_status(const container_state *st);
const char *status_name(container_status s);
bool process_alive(pid_t pid, unsigned long long start_time);
int process_start_time(pid_t pid, unsigned long long *out, berth_error *err);
void state_json(json_writer *w, const container_state *st, container_status status);

/* ---- create.c / init.c ---- */
typedef struct {
  const char *bundle;
  const char *pid_file;
  bool no_pivot;
  bool foreground; /* run without -d: keep the init as our child */
} create_opts;
/* Creates the container; on success *pid is the init's host pid. */
int container_create(const global_opts *g, const char *id, const create_opts *o, pid_t *pid, berth_error *err);
/* The init's side, never returns on success (blocks on the exec fifo, then execs). */
void container_init(const spec *s, const cgroup_set *cg, int sync_fd, int fifo_fd, bool no_pivot, int *ns_fds) __attribute__((noreturn));
/* Look process.args[0] up in the container PATH (after pivot). */
char *lookup_executable(const spec *s, berth_error *err);

/* ---- commands.c / run.c ---- */
int cmd_start(const global_opts *g, const char *id, berth_error *err);
int cmd_state(const global_opts *g, const char *id, berth_error *err);
int cmd_kill(const global_opts *g, const char *id, const char *sig, bool all, berth_error *err);
int cmd_delete(const global_opts *g, const char *id, bool force, berth_error *err);
int cmd_list(const global_opts *g, bool quiet, bool json, berth_error *err);
/* Returns the container's exit status mapped to 0..255 (128+signal), or -1. */
int cmd_run(const global_opts *g, const char *id, const create_opts *o, bool detach, berth_error *err);
/* Release a created container: read its exec fifo. */
int start_container(const global_opts *g, container_state *st, berth_error *err);
/* Remove the state dir and cgroups of a container whose processes are gone. */
int destroy_container(container_state *st, berth_error *err);

/* ---- signals.c ---- */
int parse_signal(const char *s, berth_error *err);

#endif
