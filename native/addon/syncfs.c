/* syncfs(path): flushes the filesystem holding `path` on libuv's thread
 * pool and returns a promise (undefined, or an errno Error naming the path).
 * Replaces spawning coreutils `sync -f`, which costs a fork per flush. */
#include "syncfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct syncfs_work {
  napi_async_work work;
  napi_deferred deferred;
  char *path;
  int err;
};

static void syncfs_execute(napi_env env, void *data) {
  (void)env;
  struct syncfs_work *w = data;
  int fd = open(w->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    w->err = errno;
    return;
  }
  w->err = syncfs(fd) < 0 ? errno : 0;
  close(fd);
}

static void syncfs_complete(napi_env env, napi_status status, void *data) {
  struct syncfs_work *w = data;
  if (status != napi_ok) w->err = ECANCELED;
  if (w->err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, w->deferred, undef);
  } else {
    /* Build the errno Error by throwing it, then take it back as the rejection. */
    addon_throw_errno(env, w->err, "syncfs", w->path);
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_reject_deferred(env, w->deferred, error);
  }
  napi_delete_async_work(env, w->work);
  free(w->path);
  free(w);
}

napi_value addon_syncfs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct syncfs_work *w = calloc(1, sizeof *w);
  if (!w) {
    napi_throw_error(env, "ENOMEM", "syncfs: out of memory");
    return NULL;
  }
  if (addon_string(env, argv[0], "path", 0, &w->path) < 0) {
    free(w);
    return NULL;
  }
  napi_value promise, name;
  if (napi_create_promise(env, &w->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "berth_syncfs", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, syncfs_execute, syncfs_complete, w, &w->work) != napi_ok ||
      napi_queue_async_work(env, w->work) != napi_ok) {
    free(w->path);
    free(w);
    napi_throw_error(env, NULL, "syncfs: cannot queue the work");
    return NULL;
  }
  return promise;
}
