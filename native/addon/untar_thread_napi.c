/* JavaScript side of the threaded layer extraction (untar_thread.c):
 *
 *   untarThreadCreate(dir, compression, unchecked) -> handle; dir is the (empty) layer directory;
 *                                compression "gzip", "zstd" or "tar" (unchecked: skip gzip's CRC-32
 *                                or zstd's frame checksums, the caller checks the diffID); the
 *                                extraction runs on a thread of its own
 *   untarZstd()                  whether this build decodes zstd (see unzstd.c)
 *   untarThreadWrite(handle, buf) copies buf in (waits only while 4 MiB are still to extract)
 *   untarThreadFinish(handle)    -> Promise<{ diffId, size, contentSize }> once every byte is
 *                                extracted and the archive was complete (directory mtimes set)
 *   untarThreadEnd(handle)       stops the thread and closes everything (also when collected)
 *
 * Failures (a write's throw, finish's rejection) are Errors with the codes of untarWrite and
 * untarGunzip: BERTH_UNSAFE_LAYER, BERTH_BAD_TAR, BERTH_IO (with .errno), Z_DATA_ERROR or
 * BERTH_BAD_ZSTD (bytes that are not zstd, or end inside a frame). A
 * failure found on the thread is reported by the next write, or by finish. */
#include "untar_thread_napi.h"

#include <stdlib.h>
#include <string.h>

#include "untar_napi.h"
#include "untar_thread.h"
#include "unzstd.h"

struct thread_handle {
  struct untar_thread t;
  int live;        /* started, not released */
  int finishing;   /* finish was called */
  napi_threadsafe_function tsfn;
  napi_deferred deferred;
  napi_ref self;   /* keeps the handle while finish runs */
};

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct thread_handle *h = data;
  if (h->live) untar_thread_release(&h->t);
  free(h);
}

static struct thread_handle *handle_arg(napi_env env, napi_value v) {
  struct thread_handle *h = addon_external(env, v, "untarThread: the handle must come from untarThreadCreate()");
  if (h && (!h->live || h->finishing)) {
    napi_throw_error(env, "ERR_INVALID_STATE", "untarThread: the extraction already finished or ended");
    return NULL;
  }
  return h;
}

static napi_value fail_value(napi_env env, const char *code, const berth_error *err) {
  napi_value e = untar_error_value(env, code, err);
  if (!e) napi_create_error(env, NULL, NULL, &e);
  return e;
}

napi_value addon_untar_thread_create(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (addon_args(env, info, argv, 3) < 0) return NULL;
  bool unchecked = false;
  _cleanup_free_ char *dir = NULL, *kind = NULL;
  if (addon_string(env, argv[0], "untarThread: dir", 0, &dir) < 0 || addon_string(env, argv[1], "untarThread: compression", 0, &kind) < 0)
    return NULL;
  if (napi_get_value_bool(env, argv[2], &unchecked) != napi_ok) {
    addon_throw_type(env, "untarThread: unchecked must be a boolean");
    return NULL;
  }
  enum untar_compression compression;
  if (strcmp(kind, "gzip") == 0) compression = UNTAR_GZIP;
  else if (strcmp(kind, "zstd") == 0) compression = UNTAR_ZSTD;
  else if (strcmp(kind, "tar") == 0) compression = UNTAR_PLAIN;
  else {
    addon_throw_type(env, "untarThread: compression must be \"gzip\", \"zstd\" or \"tar\"");
    return NULL;
  }
  struct thread_handle *h = calloc(1, sizeof *h);
  if (!h) {
    napi_throw_error(env, "ENOMEM", "untarThread: out of memory");
    return NULL;
  }
  berth_error err;
  if (untar_thread_start(&h->t, dir, compression, unchecked, &err) < 0) {
    napi_throw(env, fail_value(env, untar_fail_code(h->t.u.fail_kind), &err));
    free(h);
    return NULL;
  }
  h->live = 1;
  return addon_new_external(env, h, finalize, "untarThread");
}

napi_value addon_untar_thread_write(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (addon_args(env, info, argv, 2) < 0) return NULL;
  struct thread_handle *h = handle_arg(env, argv[0]);
  unsigned char *src;
  size_t len;
  if (!h || addon_buffer(env, argv[1], "untarThread: the data must be a Buffer", &src, &len) < 0) return NULL;
  berth_error err;
  if (untar_thread_write(&h->t, src, len, &err) < 0) napi_throw(env, fail_value(env, h->t.fail_code, &err));
  return NULL;
}

/* On the JavaScript thread, once the extracting thread has finished; env is NULL when that
 * thread is going away (then the handle's finalizer frees everything). */
static void settle(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  (void)context;
  struct thread_handle *h = data;
  if (!env) return;
  struct untar_thread *t = &h->t;
  napi_value result = NULL;
  if (!t->failed) {
    char digest[80];
    snprintf(digest, sizeof digest, "sha256:%s", t->hex);
    napi_value v;
    if (napi_create_object(env, &result) != napi_ok || napi_create_string_utf8(env, digest, NAPI_AUTO_LENGTH, &v) != napi_ok ||
        napi_set_named_property(env, result, "diffId", v) != napi_ok || addon_set_number(env, result, "size", (double)t->u.fed) < 0 ||
        addon_set_number(env, result, "contentSize", (double)t->u.content_size) < 0)
      result = NULL;
  }
  if (result) {
    napi_resolve_deferred(env, h->deferred, result);
  } else {
    berth_error fallback;
    if (!t->failed) berth_fail(&fallback, 0, "untarThread: cannot build the result");
    napi_reject_deferred(env, h->deferred, fail_value(env, t->failed ? t->fail_code : "BERTH_IO", t->failed ? &t->err : &fallback));
  }
  untar_thread_release(t);
  h->live = 0;
  napi_delete_reference(env, h->self);
}

/* On the extracting thread. */
static void done(struct untar_thread *t, void *arg) {
  (void)t;
  struct thread_handle *h = arg;
  napi_threadsafe_function tsfn = h->tsfn;
  napi_call_threadsafe_function(tsfn, h, napi_tsfn_blocking);
  napi_release_threadsafe_function(tsfn, napi_tsfn_release);
}

napi_value addon_untar_thread_finish(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct thread_handle *h = handle_arg(env, argv[0]);
  if (!h) return NULL;
  napi_value promise, name;
  if (napi_create_string_utf8(env, "berth_untar_thread", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, NULL, settle, &h->tsfn) != napi_ok) {
    napi_throw_error(env, NULL, "untarThread: cannot create the completion handle");
    return NULL;
  }
  if (napi_create_promise(env, &h->deferred, &promise) != napi_ok || napi_create_reference(env, argv[0], 1, &h->self) != napi_ok) {
    napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
    napi_throw_error(env, NULL, "untarThread: cannot create the promise");
    return NULL;
  }
  h->finishing = 1;
  untar_thread_close(&h->t, done, h);
  return promise;
}

napi_value addon_untar_thread_end(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct thread_handle *h = addon_external(env, argv[0], "untarThread: the handle must come from untarThreadCreate()");
  if (!h) return NULL;
  if (h->live && !h->finishing) {
    untar_thread_release(&h->t);
    h->live = 0;
  }
  return NULL;
}

napi_value addon_untar_zstd(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_get_boolean(env, unzstd_available(), &v);
  return v;
}
