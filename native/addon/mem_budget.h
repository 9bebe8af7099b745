#ifndef BERTH_ADDON_MEM_BUDGET_H
#define BERTH_ADDON_MEM_BUDGET_H

#include "napi_util.h"

napi_value addon_mem_budget_take(napi_env env, napi_callback_info info);
napi_value addon_mem_budget_give(napi_env env, napi_callback_info info);

#endif
