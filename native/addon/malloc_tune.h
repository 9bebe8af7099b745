#ifndef BERTH_ADDON_MALLOC_TUNE_H
#define BERTH_ADDON_MALLOC_TUNE_H
#include <node_api.h>

napi_value addon_malloc_tune(napi_env env, napi_callback_info info);

#endif
