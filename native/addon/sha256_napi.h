/* JavaScript side of the background sha256 (see sha256_napi.c). */
#ifndef BERTH_ADDON_SHA256_NAPI_H
#define BERTH_ADDON_SHA256_NAPI_H

#include "napi_util.h"

napi_value addon_sha256_create(napi_env env, napi_callback_info info);
napi_value addon_sha256_write_to(napi_env env, napi_callback_info info);
napi_value addon_sha256_write_to_fd(napi_env env, napi_callback_info info);
napi_value addon_sha256_update(napi_env env, napi_callback_info info);
napi_value addon_sha256_digest(napi_env env, napi_callback_info info);

#endif
