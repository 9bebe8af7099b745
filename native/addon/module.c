/* berth_native.node: syscalls Node lacks (synchronous, except syncfs, writeOutFile and untarThreadFinish), plus their constants,
 * a fork-free spawn (posix_spawn) with its non-blocking reap, and a streaming gunzip on the
 * calling thread, layer extraction (tar, fed plain or gzip) beneath a directory, and a sha256
 * hashed on a thread of its own, and how much freed memory the allocator keeps. */
#include <sys/mount.h>
#include <sys/stat.h>

#include "file_write_out.h"
#include "gunzip.h"
#include "malloc_tune.h"
#include "mem_budget.h"
#include "napi_util.h"
#include "sha256_napi.h"
#include "spawn.h"
#include "syncfs.h"
#include "syscalls.h"
#include "untar_napi.h"
#include "untar_thread_napi.h"

static int add_function(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f) != napi_ok) return -1;
  return napi_set_named_property(env, exports, name, f) == napi_ok ? 0 : -1;
}

static int add_constants(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    double value;
  } table[] = {
      {"MS_RDONLY", MS_RDONLY}, {"MS_NOSUID", MS_NOSUID},   {"MS_NODEV", MS_NODEV},   {"MS_NOEXEC", MS_NOEXEC},
      {"MS_REMOUNT", MS_REMOUNT}, {"MS_BIND", MS_BIND},     {"MS_REC", MS_REC},       {"MS_PRIVATE", MS_PRIVATE},
      {"MS_SLAVE", MS_SLAVE},   {"MS_SHARED", MS_SHARED},   {"MNT_FORCE", MNT_FORCE}, {"MNT_DETACH", MNT_DETACH},
      {"S_IFCHR", S_IFCHR},     {"S_IFBLK", S_IFBLK},       {"S_IFIFO", S_IFIFO},
  };
  napi_value constants;
  if (napi_create_object(env, &constants) != napi_ok) return -1;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (addon_set_number(env, constants, table[i].name, table[i].value) < 0) return -1;
  napi_value frozen = constants;
  if (napi_object_freeze(env, frozen) != napi_ok) return -1;
  return napi_set_named_property(env, exports, "constants", constants) == napi_ok ? 0 : -1;
}

static napi_value init(napi_env env, napi_value exports) {
  if (add_function(env, exports, "mknod", addon_mknod) < 0 || add_function(env, exports, "lsetxattr", addon_lsetxattr) < 0 ||
      add_function(env, exports, "lgetxattr", addon_lgetxattr) < 0 || add_function(env, exports, "mount", addon_mount) < 0 ||
      add_function(env, exports, "umount2", addon_umount2) < 0 || add_function(env, exports, "markTopDir", addon_mark_top_dir) < 0 ||
      add_function(env, exports, "memfdCreate", addon_memfd_create) < 0 || add_function(env, exports, "closeFd", addon_close_fd) < 0 ||
      add_function(env, exports, "memBudgetTake", addon_mem_budget_take) < 0 ||
      add_function(env, exports, "memBudgetGive", addon_mem_budget_give) < 0 ||
      add_function(env, exports, "syncfs", addon_syncfs) < 0 ||
      add_function(env, exports, "writeOutFile", addon_write_out_file) < 0 || add_function(env, exports, "spawn", addon_spawn) < 0 ||
      add_function(env, exports, "reap", addon_reap) < 0 || add_function(env, exports, "gunzipCreate", addon_gunzip_create) < 0 ||
      add_function(env, exports, "gunzipStream", addon_gunzip_stream) < 0 || add_function(env, exports, "gunzipEnd", addon_gunzip_end) < 0 ||
      add_function(env, exports, "untarCreate", addon_untar_create) < 0 || add_function(env, exports, "untarWrite", addon_untar_write) < 0 ||
      add_function(env, exports, "untarGunzip", addon_untar_gunzip) < 0 || add_function(env, exports, "untarFinish", addon_untar_finish) < 0 ||
      add_function(env, exports, "untarEnd", addon_untar_end) < 0 || add_function(env, exports, "sha256Create", addon_sha256_create) < 0 ||
      add_function(env, exports, "sha256Update", addon_sha256_update) < 0 ||
      add_function(env, exports, "sha256WriteTo", addon_sha256_write_to) < 0 ||
      add_function(env, exports, "sha256WriteToFd", addon_sha256_write_to_fd) < 0 || add_function(env, exports, "sha256Digest", addon_sha256_digest) < 0 ||
      add_function(env, exports, "mallocTune", addon_malloc_tune) < 0 ||
      add_function(env, exports, "untarThreadCreate", addon_untar_thread_create) < 0 ||
      add_function(env, exports, "untarThreadWrite", addon_untar_thread_write) < 0 ||
      add_function(env, exports, "untarThreadFinish", addon_untar_thread_finish) < 0 ||
      add_function(env, exports, "untarThreadEnd", addon_untar_thread_end) < 0 ||
      add_function(env, exports, "untarZstd", addon_untar_zstd) < 0 ||
      add_constants(env, exports) < 0) {
    napi_throw_error(env, NULL, "berth_native: initialisation failed");
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
