#ifndef BERTH_ADDON_FILE_WRITE_OUT_H
#define BERTH_ADDON_FILE_WRITE_OUT_H

#include "napi_util.h"

napi_value addon_write_out_file(napi_env env, napi_callback_info info);

#endif
