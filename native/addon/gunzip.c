/* Streaming gunzip on the calling thread, with the zlib that node itself
 * exports (no library is linked: the symbols resolve against the node
 * binary when the addon is loaded). Node's zlib streams inflate on libuv's
 * thread pool, one hand-off per chunk; a layer unpacked on a pool thread is
 * cheaper inflated where it is read.
 *
 *   gunzipCreate(unchecked?)       -> handle (freed by gunzipEnd, or when collected); unchecked
 *                                     skips the gzip trailer's CRC-32 and length checks (the
 *                                     caller verifies the output with a digest)
 *   gunzipStream(handle, dst, src) -> [more, produced, consumed]
 *       inflates from src into dst; more is 0 when the data seen so far ends
 *       exactly at the end of a gzip member, 1 while a member is unfinished.
 *       Concatenated members are read as one stream; bytes after the last
 *       member that do not start another are ignored, as Node's gunzip does.
 *       Corrupt data throws an Error with .code "Z_DATA_ERROR" (or the
 *       zlib error's name) and zlib's message.
 *   gunzipEnd(handle)              -> frees the decoder now */
#include "gunzip.h"

#include <stdlib.h>
#include <zlib.h>

struct gunzip {
  z_stream z;
  int error;    /* zlib's code of the last failure */
  int live;     /* inflateEnd not yet called */
  int ended;    /* the last member is complete */
  int trailing; /* ignoring what follows the last member */
};

static void gunzip_release(struct gunzip *g) {
  if (g->live) inflateEnd(&g->z);
  g->live = 0;
}

static void gunzip_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  gunzip_free(data);
}

static void throw_zlib(napi_env env, int ret, const char *msg) {
  const char *code = ret == Z_DATA_ERROR ? "Z_DATA_ERROR" : ret == Z_MEM_ERROR ? "Z_MEM_ERROR" : ret == Z_NEED_DICT ? "Z_NEED_DICT" : "Z_STREAM_ERROR";
  napi_throw_error(env, code, msg ? msg : "invalid gzip data");
}

struct gunzip *gunzip_handle(napi_env env, napi_value v) {
  return addon_external(env, v, "gunzip: the handle must come from gunzipCreate()");
}

struct gunzip *gunzip_new(int unchecked, int *zerr) {
  struct gunzip *g = calloc(1, sizeof *g);
  if (!g) {
    *zerr = Z_MEM_ERROR;
    return NULL;
  }
  int ret = inflateInit2(&g->z, 16 + MAX_WBITS); /* 16: gzip wrapper only */
  if (ret != Z_OK) {
    free(g);
    *zerr = ret;
    return NULL;
  }
  /* unchecked: no CRC-32 and no length check of the output (zlib skips both). For layers whose
   * tar is checked against its diffID (a sha256), which catches everything these would; the
   * CRC was ~7 % of an unpack's CPU. */
  if (unchecked) inflateValidate(&g->z, 0);
  g->live = 1;
  return g;
}

void gunzip_free(struct gunzip *g) {
  if (!g) return;
  gunzip_release(g);
  free(g);
}

napi_value addon_gunzip_create(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  bool unchecked = false;
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) == napi_ok && t == napi_boolean) napi_get_value_bool(env, argv[0], &unchecked);
  int zerr = Z_OK;
  struct gunzip *g = gunzip_new(unchecked, &zerr);
  if (!g) {
    throw_zlib(env, zerr, zerr == Z_MEM_ERROR ? "gunzip: out of memory" : "gunzip: cannot initialise the decoder");
    return NULL;
  }
  return addon_new_external(env, g, gunzip_finalize, "gunzip");
}

static napi_value result(napi_env env, int more, size_t produced, size_t consumed) {
  napi_value arr, v;
  double vals[3] = {more, (double)produced, (double)consumed};
  if (napi_create_array_with_length(env, 3, &arr) != napi_ok) return NULL;
  for (uint32_t i = 0; i < 3; i++)
    if (napi_create_double(env, vals[i], &v) != napi_ok || napi_set_element(env, arr, i, v) != napi_ok) return NULL;
  return arr;
}

napi_value addon_gunzip_stream(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (addon_args(env, info, argv, 3) < 0) return NULL;
  struct gunzip *g = gunzip_handle(env, argv[0]);
  if (!g) return NULL;
  unsigned char *dst, *src;
  size_t dst_len, src_len;
  if (addon_buffer(env, argv[1], "gunzip: dst must be a Buffer", &dst, &dst_len) < 0 ||
      addon_buffer(env, argv[2], "gunzip: src must be a Buffer", &src, &src_len) < 0)
    return NULL;
  if (!g->live) {
    napi_throw_error(env, "ERR_INVALID_STATE", "gunzip: the decoder was ended");
    return NULL;
  }
  size_t produced, consumed;
  int more;
  if (gunzip_step(g, dst, dst_len, src, src_len, &produced, &consumed, &more) != Z_OK) {
    throw_zlib(env, g->error, g->z.msg);
    return NULL;
  }
  return result(env, more, produced, consumed);
}

int gunzip_step(struct gunzip *g, unsigned char *dst, size_t dst_len, const unsigned char *src, size_t src_len, size_t *produced,
                size_t *consumed, int *more) {
  *produced = 0;
  *consumed = 0;
  *more = 0;
  if (!g->live) {
    g->error = Z_STREAM_ERROR;
    return Z_STREAM_ERROR;
  }
  if (g->trailing) {
    *consumed = src_len;
    return Z_OK;
  }
  if (dst_len > UINT32_MAX) dst_len = UINT32_MAX;
  if (src_len > UINT32_MAX) src_len = UINT32_MAX;
  g->z.next_out = dst;
  g->z.avail_out = (uInt)dst_len;
  g->z.next_in = (unsigned char *)src;
  g->z.avail_in = (uInt)src_len;
  while (g->z.avail_out > 0 && g->z.avail_in > 0) {
    if (g->ended) {
      if (*g->z.next_in != 0x1f) { /* not another member: ignore the rest */
        g->trailing = 1;
        g->z.next_in += g->z.avail_in;
        g->z.avail_in = 0;
        break;
      }
      inflateReset(&g->z);
      g->ended = 0;
    }
    int ret = inflate(&g->z, Z_NO_FLUSH);
    if (ret == Z_STREAM_END) {
      g->ended = 1;
      continue;
    }
    if (ret == Z_BUF_ERROR) break; /* no progress possible with this input: wait for more */
    if (ret != Z_OK) {
      g->error = ret;
      return ret;
    }
  }
  *more = g->ended ? 0 : 1;
  *produced = dst_len - g->z.avail_out;
  *consumed = src_len - g->z.avail_in;
  return Z_OK;
}

napi_value addon_gunzip_end(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct gunzip *g = gunzip_handle(env, argv[0]);
  if (!g) return NULL;
  gunzip_release(g);
  return NULL;
}

const char *gunzip_message(struct gunzip *g) {
  return g->z.msg ? g->z.msg : "invalid gzip data";
}
