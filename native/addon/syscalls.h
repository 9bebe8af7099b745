#ifndef BERTH_ADDON_SYSCALLS_H
#define BERTH_ADDON_SYSCALLS_H

#include "napi_util.h"

napi_value addon_mknod(napi_env env, napi_callback_info info);
napi_value addon_lsetxattr(napi_env env, napi_callback_info info);
napi_value addon_lgetxattr(napi_env env, napi_callback_info info);
napi_value addon_mount(napi_env env, napi_callback_info info);
napi_value addon_umount2(napi_env env, napi_callback_info info);
napi_value addon_mark_top_dir(napi_env env, napi_callback_info info);
napi_value addon_memfd_create(napi_env env, napi_callback_info info);
napi_value addon_close_fd(napi_env env, napi_callback_info info);

#endif
