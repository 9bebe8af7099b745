/* Native layer extraction for JavaScript (see untar_napi.c). */
#ifndef BERTH_ADDON_UNTAR_NAPI_H
#define BERTH_ADDON_UNTAR_NAPI_H

#include "napi_util.h"

napi_value addon_untar_create(napi_env env, napi_callback_info info);
napi_value addon_untar_write(napi_env env, napi_callback_info info);
napi_value addon_untar_gunzip(napi_env env, napi_callback_info info);
napi_value addon_untar_finish(napi_env env, napi_callback_info info);
napi_value addon_untar_end(napi_env env, napi_callback_info info);

struct berth_error;
/* An Error with .code = code, err's message and (when it has one) .errno; NULL if it cannot be made. */
napi_value untar_error_value(napi_env env, const char *code, const struct berth_error *err);

#endif
