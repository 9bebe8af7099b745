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
#include <zlib.h>

#include "gunzip.h"
#include "untar.h"

#define INFLATE_CHUNK (256 * 1024)

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

static void throw_fail(napi_env env, struct untar_handle *h, const berth_error *err) {
  const char *code = h->u.fail_kind == UNTAR_FAIL_UNSAFE ? "BERTH_UNSAFE_LAYER" : h->u.fail_kind == UNTAR_FAIL_FORMAT ? "BERTH_BAD_TAR" : "BERTH_IO";
  h->failed = 1;
  napi_value msg, e;
  if (napi_create_string_utf8(env, err->msg, NAPI_AUTO_LENGTH, &msg) != napi_ok || napi_create_error(env, NULL, msg, &e) != napi_ok) {
    napi_throw_error(env, code, err->msg);
    return;
  }
  napi_value c;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c) == napi_ok) napi_set_named_property(env, e, "code", c);
  if (err->errnum) addon_set_number(env, e, "errno", -(double)err->errnum);
  napi_throw(env, e);
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
  for (;;) {
    /* inflate straight into the diffID hasher's ring when it has one: the tar is then read from there, not copied */
    size_t cap = INFLATE_CHUNK;
    unsigned char *dst = untar_hash_reserve(&h->u, INFLATE_CHUNK, &cap);
    int committed = dst != NULL;
    if (!dst && !(dst = h->out) && !(dst = h->out = malloc(INFLATE_CHUNK))) {
      napi_throw_error(env, "ENOMEM", "untar: out of memory");
      return NULL;
    }
    size_t produced, consumed;
    if (gunzip_step(g, dst, cap, src, len, &produced, &consumed, &more) != Z_OK) {
      h->failed = 1;
      napi_throw_error(env, "Z_DATA_ERROR", gunzip_message(g));
      return NULL;
    }
    berth_error err;
    if (produced > 0) {
      if (committed) untar_hash_commit(&h->u, produced);
      if ((committed ? untar_feed_hashed(&h->u, dst, produced, &err) : untar_feed(&h->u, dst, produced, &err)) < 0) {
        throw_fail(env, h, &err);
        return NULL;
      }
    }
    src += consumed;
    len -= consumed;
    /* done once the input is used up and the output was not full (nothing left inside zlib) */
    if (len == 0 && (produced < cap || !more)) break;
    if (produced == 0 && consumed == 0) { /* input left that zlib will not take: never drop it silently */
      h->failed = 1;
      napi_throw_error(env, "Z_DATA_ERROR", "the gzip decoder made no progress");
      return NULL;
    }
  }
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
