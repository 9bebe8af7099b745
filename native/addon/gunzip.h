/* Streaming gunzip on the calling thread (see gunzip.c). */
#ifndef BERTH_ADDON_GUNZIP_H
#define BERTH_ADDON_GUNZIP_H

#include "napi_util.h"

napi_value addon_gunzip_create(napi_env env, napi_callback_info info);
napi_value addon_gunzip_stream(napi_env env, napi_callback_info info);
napi_value addon_gunzip_end(napi_env env, napi_callback_info info);

struct gunzip;
/* A decoder for C callers (see gunzipCreate for unchecked); NULL with zlib's error in *zerr. */
struct gunzip *gunzip_new(int unchecked, int *zerr);
void gunzip_free(struct gunzip *g);
/* The decoder behind a handle from gunzipCreate() (NULL with a TypeError pending). */
struct gunzip *gunzip_handle(napi_env env, napi_value v);
/* Inflates src into dst (see gunzip.c); returns Z_OK or zlib's error code (message in gunzip_message). */
int gunzip_step(struct gunzip *g, unsigned char *dst, size_t dst_len, const unsigned char *src, size_t src_len, size_t *produced,
                size_t *consumed, int *more);
const char *gunzip_message(struct gunzip *g);

#endif
