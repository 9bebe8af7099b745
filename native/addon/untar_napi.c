/* JavaScript side of the native layer extraction (untar*.c):
 *
 *   untarCreate(dir, walkOnly?)  -> handle; dir is the (empty) layer directory; walkOnly makes it
 *                                resolve paths as on a kernel without openat2 (tests)
 *   untarWrite(handle, buf)      feeds uncompressed tar bytes
 *   untarGunzip(handle, gz, buf) -> more: inflates buf with a gunzipCreate() decoder and feeds
 *                                the result, all in this call (no return to JS per output chunk);
 *                                more is 0 when the data so far ends at the end of a gzip member
 *   untarFinish(handle)          -> { diffId, size, contentSize }: checks the archive is complete,
 *                                sets directory mtimes; diffId is "sha256:<hex>" of the tar bytes
 *   untarEnd(handle)             closes what is open (also when collected)
 *
 * Failures throw an Error whose .code is BERTH_UNSAFE_LAYER (an entry would escape or is
 * malformed in a dangerous way), BERTH_BAD_TAR (not a valid tar archive), Z_DATA_ERROR (bad
 * gzip) or BERTH_IO (with .errno), and whose message says what was wrong. After a failure the
 * handle only accepts untarEnd. */
#include "untar_napi.h"

#include <stdlib.h>
#include <string.h>

#include "gunzip.h"
#include "untar.h"
#include "untar_thread.h"

struct untar_handle {
  struct untar u;
  int live;
  int failed;
  unsigned char *out; /* inflate buffer when the diffID hasher has no ring to inflate into */
};

static void release(struct untar_handle *h) {
  if (h->live) untar_release(&h->u);
  h->live = 0;
  free(h->out);
  h->out = NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release(data);
  free(data);
}

napi_value untar_error_value(napi_env env, const char *code, const berth_error *err) {
  napi_value msg, e, c;
  if (napi_create_string_utf8(env, err->msg, NAPI_AUTO_LENGTH, &msg) != napi_ok || napi_create_error(env, NULL, msg, &e) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c) == napi_ok) napi_set_named_property(env, e, "code", c);
  if (err->errnum) addon_set_number(env, e, "errno", -(double)err->errnum);
  return e;
}

static void throw_code(napi_env env, struct untar_handle *h, const char *code, const berth_error *err) {
  h->failed = 1;
  napi_value e = untar_error_value(env, code, err);
  if (e) napi_throw(env, e);
  else napi_throw_error(env, code, err->msg);
}

static void throw_fail(napi_env env, struct untar_handle *h, const berth_error *err) {
  throw_code(env, h, untar_fail_code(h->u.fail_kind), err);
}

static struct untar_handle *handle_arg(napi_env env, napi_value v, int need_live) {
  struct untar_handle *h = addon_external(env, v, "untar: the handle must come from untarCreate()");
  if (!h) return NULL;
  if (need_live && (!h->live || h->failed)) {
    napi_throw_error(env, "ERR_INVALID_STATE", "untar: the extraction already failed or ended");
    return NULL;
  }
  return h;
}

napi_value addon_untar_create(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (addon_args(env, info, argv, 2) < 0) return NULL;
  bool walk_only = false;
  napi_valuetype t;
  if (napi_typeof(env, argv[1], &t) != napi_ok) return NULL;
  if (t == napi_boolean) napi_get_value_bool(env, argv[1], &walk_only);
  _cleanup_free_ char *dir = NULL;
  if (addon_string(env, argv[0], "untar: dir", 0, &dir) < 0) return NULL;
  struct untar_handle *h = calloc(1, sizeof *h);
  if (!h) {
    napi_throw_error(env, "ENOMEM", "untar: out of memory");
    return NULL;
  }
  berth_error err;
  if (untar_init(&h->u, dir, &err) < 0) {
    throw_fail(env, h, &err);
    free(h);
    return NULL;
  }
  h->live = 1;
  h->u.walk_only = walk_only;
  return addon_new_external(env, h, finalize, "untar");
}

napi_value addon_untar_write(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (addon_args(env, info, argv, 2) < 0) return NULL;
  struct untar_handle *h = handle_arg(env, argv[0], 1);
  unsigned char *src;
  size_t len;
  if (!h || addon_buffer(env, argv[1], "untar: the data must be a Buffer", &src, &len) < 0) return NULL;
  berth_error err;
  if (untar_feed(&h->u, src, len, &err) < 0) throw_fail(env, h, &err);
  return NULL;
}

napi_value addon_untar_gunzip(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (addon_args(env, info, argv, 3) < 0) return NULL;
  struct untar_handle *h = handle_arg(env, argv[0], 1);
  if (!h) return NULL;
  struct gunzip *g = gunzip_handle(env, argv[1]);
  unsigned char *src;
  size_t len;
  if (!g || addon_buffer(env, argv[2], "untar: the data must be a Buffer", &src, &len) < 0) return NULL;
  int more = 1;
  berth_error err;
  int rc = untar_inflate_feed(&h->u, g, &h->out, src, len, &more, &err);
  if (rc == -2) throw_code(env, h, "Z_DATA_ERROR", &err);
  if (rc == -1) throw_fail(env, h, &err);
  if (rc < 0) return NULL;
  napi_value r;
  napi_create_int32(env, more, &r);
  return r;
}

napi_value addon_untar_finish(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct untar_handle *h = handle_arg(env, argv[0], 1);
  if (!h) return NULL;
  char hex[65], digest[80];
  berth_error err;
  if (untar_finish(&h->u, hex, &err) < 0) {
    throw_fail(env, h, &err);
    return NULL;
  }
  snprintf(digest, sizeof digest, "sha256:%s", hex);
  napi_value obj, v;
  if (napi_create_object(env, &obj) != napi_ok || napi_create_string_utf8(env, digest, NAPI_AUTO_LENGTH, &v) != napi_ok ||
      napi_set_named_property(env, obj, "diffId", v) != napi_ok || addon_set_number(env, obj, "size", (double)h->u.fed) < 0 ||
      addon_set_number(env, obj, "contentSize", (double)h->u.content_size) < 0)
    return NULL;
  release(h);
  return obj;
}

napi_value addon_untar_end(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct untar_handle *h = handle_arg(env, argv[0], 0);
  if (h) release(h);
  return NULL;
}
