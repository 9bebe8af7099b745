/* Argument and error helpers for the addon. Every helper that can fail
 * returns -1 (or NULL) after leaving a pending JavaScript exception. */
#ifndef BERTH_ADDON_NAPI_UTIL_H
#define BERTH_ADDON_NAPI_UTIL_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Throw an Error like Node's fs errors: message "CODE: strerror, syscall 'path'",
 * with .code (errno name), .errno (negative, as Node does), .syscall, .path. */
void addon_throw_errno(napi_env env, int errnum, const char *syscall, const char *path);

/* Throw a TypeError with .code = ERR_INVALID_ARG_TYPE. */
void addon_throw_type(napi_env env, const char *message);

/* Fetch exactly `want` arguments (missing ones are undefined). */
int addon_args(napi_env env, napi_callback_info info, napi_value *argv, size_t want);

/* A JS string as a malloc'd UTF-8 C string; with nullable, null/undefined
 * give *out = NULL. The caller frees it. */
int addon_string(napi_env env, napi_value v, const char *what, int nullable, char **out);

int addon_int64(napi_env env, napi_value v, const char *what, int64_t *out);

/* A Buffer argument's bytes; a TypeError with `message` when it is not a Buffer. */
int addon_buffer(napi_env env, napi_value v, const char *message, unsigned char **data, size_t *len);

/* The pointer inside an external handle; a TypeError with `message` when it is not one. */
void *addon_external(napi_env env, napi_value v, const char *message);

/* `data` wrapped in an external handle that `finalize` frees when collected; when that fails,
 * `finalize` frees it now and an error "<what>: cannot create the handle" is thrown (NULL). */
napi_value addon_new_external(napi_env env, void *data, napi_finalize finalize, const char *what);

/* Set obj[name] = number. */
int addon_set_number(napi_env env, napi_value obj, const char *name, double value);

#endif
