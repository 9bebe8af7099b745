#ifndef BERTH_ADDON_SYNCFS_H
#define BERTH_ADDON_SYNCFS_H

#include "napi_util.h"

napi_value addon_syncfs(napi_env env, napi_callback_info info);

#endif
