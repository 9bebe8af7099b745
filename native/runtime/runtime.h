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

/* One linux.resources.devices rule; major/minor -1 is "*". */
typedef struct { bool allow; char type; int64_t major, minor; char access[4]; } dev_rule;

typedef struct {
  char *cpuset_cpus, *cpuset_mems; /* NULL when not set */
  bool has_memory_limit; int64_t memory_limit;
  bool has_memory_swap; int64_t memory_swap;
  bool has_memory_reservation; int64_t memory_reservation;
  bool has_pids_limit; int64_t pids_limit;
  bool has_cpu_shares; uint64_t cpu_shares;
  bool has_cpu_quota; int64_t cpu_quota;
  bool has_cpu_period; uint64_t cpu_period;
  struct hugepage_limit { char page_size[16]; uint64_t limit; } *hugepages; size_t nhugepages;
  uint64_t blkio_weight; /* 0: not set */
  struct blkio_device { int kind; size_t index; int64_t major, minor; uint64_t value; } *blkio_devs; size_t nblkio_devs;
} resources_spec;

typedef struct {
  json_value *doc; /* the whole config.json */
  char *bundle;    /* absolute */
  char *rootfs;    /* absolute */
  bool root_readonly;

  char **args; size_t nargs;
  char **env; size_t nenv;  /* NULL-terminated too */
  bool terminal;
  bool has_console_size; unsigned console_height, console_width;
  char *cwd;
  uint32_t uid, gid; uint32_t *gids; size_t ngids;
  bool has_umask; uint32_t umask;
  bool has_caps; uint64_t cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
  rlimit_spec *rlimits; size_t nrlimits;
  bool no_new_privs;
  bool has_oom_score_adj; int oom_score_adj;
  const char *apparmor_profile, *selinux_label; /* borrowed (doc or argv); NULL when not asked for */
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
  dev_rule *dev_rules; size_t ndev_rules; bool has_dev_rules;
  json_value *hooks;                /* borrowed from doc, may be NULL */
  json_value *seccomp;              /* borrowed from doc, may be NULL */
  unsigned long rootfs_propagation; /* MS_* flags, default MS_SLAVE|MS_REC */
  json_value *annotations;          /* borrowed from doc, may be NULL */
} spec;

spec *spec_load(const char *bundle, berth_error *err);
void spec_free(spec *s);
bool spec_has_ns(const spec *s, int flag);
int spec_string_array(const json_value *arr, const char *field, char ***out, size_t *n, berth_error *err);
/* Replace the process fields of `s` with those of `p` (exec --process). */
int spec_parse_process(spec *s, const json_value *p, berth_error *err);
void spec_free_process(spec *s);
/* linux.resources (also the `update -r` file); frees what it had before. */
int spec_parse_resources(resources_spec *rs, const json_value *r, berth_error *err);
void resources_free(resources_spec *rs);
/* spec_linux.c: the "linux" object and mount options */
int spec_parse_linux(spec *s, const json_value *linux_, berth_error *err);
int spec_parse_mounts(spec *s, const json_value *mounts, berth_error *err);
int parse_mount_options(mount_spec *m, const json_value *opts, berth_error *err);
/* default_spec.c */
int cmd_spec(const char *bundle, bool rootless, berth_error *err);
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
int cgroup_write(const char *dir, const char *file, const char *val, berth_error *err);
bool cgroup_has_file(const char *dir, const char *file);
/* Fill v2[] for a set loaded from state.json (by the files each dir holds). */
void cgroup_classify(cgroup_set *cg);
/* The dir of the hierarchy that has `file`, or NULL. */
const char *cgroup_dir_with(const cgroup_set *cg, const char *file);
int cgroup_add_pid(const cgroup_set *cg, pid_t pid, berth_error *err);
int cgroup_remove(const cgroup_set *cg, berth_error *err);
void cgroup_set_free(cgroup_set *cg);
/* Pids currently in the container's cgroup (from the first hierarchy that has
 * cgroup.procs); malloc'd array, count in *n. */
pid_t *cgroup_pids(const cgroup_set *cg, size_t *n, berth_error *err);

/* ---- cgroup_discover.c: the hierarchies, and the container's directory in each ---- */
bool cgroup_is_pure_v2(void);
int cgroup_discover(const spec *s, const char *id, cgroup_set *cg, berth_error *err);
/* A set loaded from state.json: name each v1 directory's controllers from its mount. */
int cgroup_name_controllers(cgroup_set *cg, berth_error *err);

/* ---- cgroup_limits.c ---- */
bool cgroup_names_controller(const char *ctrls, const char *name, size_t len);
/* One limit into the hierarchy owning its controller (v2: enabled on demand). */
int cgroup_set_limit(const cgroup_set *cg, const char *what, const char *v1file, const char *v1val,
                     const char *v2file, const char *v2val, berth_error *err);
/* Write the given limits into a container's cgroups (create, `update`). */
int cgroup_apply_resources(const cgroup_set *cg, const resources_spec *r, berth_error *err);

/* ---- cgroup_exec.c ---- */
/* exec --cgroup [CONTROLLERS:]PATH: into existing sub-cgroups of the container's (v1: of those controllers; without a prefix: in every hierarchy). */
int cgroup_add_pid_sub(cgroup_set *cg, pid_t pid, const char **subs, size_t nsubs, berth_error *err);

/* ---- cgroup_v2.c ---- */
bool cgroup_v2_offers(const char *dir, const char *ctrl);
/* Enables ctrl in cgroup.subtree_control of every ancestor of dir, from the mount root down. */
int cgroup_v2_enable(const char *dir, const char *ctrl, berth_error *err);
/* Best effort: every controller node is offered, for its children. */
void cgroup_v2_enable_offered(const char *node);
/* SIGKILL to every process of the container's v2 cgroup and below: 1 done, 0 no cgroup.kill, -1 error. */
int cgroup_v2_kill(const cgroup_set *cg, berth_error *err);

/* ---- cgroup_blkio.c: linux.resources.blockIO ---- */
int cgroup_parse_blkio(resources_spec *rs, const json_value *bio, berth_error *err);
int cgroup_apply_blkio(const cgroup_set *cg, const resources_spec *r, berth_error *err);

/* ---- cgroup_hugetlb.c: linux.resources.hugepageLimits ---- */
int cgroup_parse_hugepages(resources_spec *rs, const json_value *arr, berth_error *err);
int cgroup_apply_hugetlb(const cgroup_set *cg, const resources_spec *r, berth_error *err);
/* "hugetlb": {"2MB": {usage, max, failcnt}} for each page size the cgroup accounts. */
void cgroup_hugetlb_stats(json_writer *w, const cgroup_set *cg);

/* ---- state.c ---- */
typedef enum { ST_CREATED, ST_RUNNING, ST_STOPPED, ST_PAUSED } container_status;
typedef struct {
  char *id, *bundle, *rootfs, *created, *dir;
  pid_t pid;
  unsigned long long start_time; /* /proc/pid/stat field 22, to detect pid reuse */
  json_value *annotations;       /* owned by doc (or borrowed from the spec while creating) */
  json_value *hooks;             /* same; kept for poststart and poststop */
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
  const char *console_socket;
  int preserve_fds;
  bool no_pivot;
  bool foreground; /* run without -d: keep the init as our child */
  int console_fd;  /* out (foreground run with a terminal): the pty master, else -1 */
} create_opts;
/* Creates the container; on success *pid is the init's host pid. */
int container_create(const global_opts *g, const char *id, create_opts *o, pid_t *pid, berth_error *err);
typedef struct {
  const spec *s;
  const cgroup_set *cg;
  const char *id;
  int sync_fd, fifo_fd, console_fd; /* console_fd: connected console socket or -1 */
  int preserve_fds;
  bool no_pivot;
  int *ns_fds;
} init_args;
/* The init's side, never returns on success (blocks on the exec fifo, then execs). */
void container_init(const init_args *a) __attribute__((noreturn));
/* init.c, shared with exec: limits, user, caps, no_new_privs and seccomp, in that order. */
int finish_process_setup(const spec *s, berth_error *err);
/* Mark every fd from 3+preserve on close-on-exec, fds 3..3+preserve-1 inheritable. */
void prepare_fds_for_exec(int preserve);
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

/* ---- hooks.c ---- */
/* The runtime-spec state JSON given to hooks on stdin (malloc'd). */
char *hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle, const json_value *annotations);
/* Run every hook of hooks.<kind> in order; the first failure stops them. */
int run_hooks(const json_value *hooks, const char *kind, const char *state, berth_error *err);
/* Same, but failures are only logged as warnings (poststart, poststop). */
void run_hooks_warn(const json_value *hooks, const char *kind, const char *state);
bool has_hooks(const json_value *hooks, const char *kind);
int check_hooks(const json_value *hooks, berth_error *err);

/* ---- terminal.c ---- */
/* Connect to a --console-socket path (AF_UNIX stream). */
int console_socket_connect(const char *path, berth_error *err);
/* In the container (after pivot/setns): open a pty from /dev/pts/ptmx, send the
 * master over `sock`, make the slave our stdio and controlling terminal (and,
 * for the container's init, /dev/console). */
int console_setup(const spec *s, int sock, bool is_init, berth_error *err);
/* Receive the master fd sent by console_setup. */
int console_recv(int sock, berth_error *err);
/* Copy stdin to the master and the master to stdout until `pid` (our child)
 * exits; returns its wait status. */
int console_proxy(int master, pid_t pid, int *status, berth_error *err);

/* ---- freezer.c ---- */
/* 1 when frozen, 0 when not, -1 when no freezer is available. */
int freezer_state(const cgroup_set *cg);
int freezer_set(const cgroup_set *cg, bool frozen, berth_error *err);
int cmd_pause(const global_opts *g, const char *id, bool pause, berth_error *err);
int cmd_ps(const global_opts *g, const char *id, bool json, berth_error *err);

/* ---- devcgroup.c: linux.resources.devices ---- */
int devcgroup_apply(const spec *s, const cgroup_set *cg, berth_error *err);

/* ---- update.c / events.c / exec.c ---- */
typedef struct {
  const char *resources_file;
  const char *memory, *memory_swap, *cpu_shares, *cpu_quota, *cpu_period, *cpuset_cpus, *cpuset_mems, *pids_limit;
} update_opts;
int cmd_update(const global_opts *g, const char *id, const update_opts *o, berth_error *err);
int cmd_events(const global_opts *g, const char *id, bool stats_once, const char *interval, berth_error *err);
typedef struct {
  const char *process_file, *cwd, *user, *console_socket, *pid_file;
  const char **env; size_t nenv;
  const char **args; size_t nargs;
  const char **caps; size_t ncaps;
  const char **gids; size_t ngids;        /* --additional-gids, each "N" or "N,M,..." */
  const char **cgroups; size_t ncgroups;  /* --cgroup [CONTROLLERS:]PATH */
  const char *apparmor, *process_label;
  bool tty, tty_set, detach, no_new_privs;
  int preserve_fds;
} exec_opts;
int cmd_exec(const global_opts *g, const char *id, const exec_opts *o, berth_error *err);
/* run.c, shared with exec in the foreground: forward INT, TERM, HUP... to *target. */
void forward_signals(volatile pid_t *target);

/* ---- lsm.c: AppArmor profile / SELinux label ---- */
int lsm_check(const spec *s, berth_error *err);
int lsm_apply(const spec *s, berth_error *err);

/* ---- signals.c ---- */
int parse_signal(const char *s, berth_error *err);

#endif
