#ifndef BERTH_ADDON_SPAWN_H
#define BERTH_ADDON_SPAWN_H

#include "napi_util.h"

/* spawn(path, args, env|null) -> {pid, stdoutFd, stderrFd} */
napi_value addon_spawn(napi_env env, napi_callback_info info);
/* reap(pid) -> {code, signal} | null while the child still runs */
napi_value addon_reap(napi_env env, napi_callback_info info);

#endif
