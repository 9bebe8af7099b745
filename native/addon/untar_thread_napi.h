/* The threaded layer extraction for JavaScript (see untar_thread_napi.c). */
#ifndef BERTH_ADDON_UNTAR_THREAD_NAPI_H
#define BERTH_ADDON_UNTAR_THREAD_NAPI_H

#include "napi_util.h"

napi_value addon_untar_thread_create(napi_env env, napi_callback_info info);
napi_value addon_untar_thread_write(napi_env env, napi_callback_info info);
napi_value addon_untar_thread_finish(napi_env env, napi_callback_info info);
napi_value addon_untar_thread_end(napi_env env, napi_callback_info info);
napi_value addon_untar_zstd(napi_env env, napi_callback_info info);

#endif
