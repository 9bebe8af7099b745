/* Streaming gunzip on the calling thread (see gunzip.c). */
#ifndef BERTH_ADDON_GUNZIP_H
#define BERTH_ADDON_GUNZIP_H

#include "napi_util.h"

napi_value addon_gunzip_create(napi_env env, napi_callback_info info);
napi_value addon_gunzip_stream(napi_env env, napi_callback_info info);
napi_value addon_gunzip_end(napi_env env, napi_callback_info info);

#endif
