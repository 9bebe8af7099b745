#include "napi_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_string(napi_env env, napi_value obj, const char *name, const char *value) {
  napi_value v;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok) napi_set_named_property(env, obj, name, v);
}

void addon_throw_errno(napi_env env, int errnum, const char *syscall, const char *path) {
  const char *code = strerrorname_np(errnum);
  if (!code) code = "EUNKNOWN";
  char msg[4200];
  if (path)
    snprintf(msg, sizeof msg, "%s: %s, %s '%s'", code, strerror(errnum), syscall, path);
  else
    snprintf(msg, sizeof msg, "%s: %s, %s", code, strerror(errnum), syscall);
  napi_value js_msg, error;
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &js_msg) != napi_ok ||
      napi_create_error(env, NULL, js_msg, &error) != napi_ok) {
    napi_throw_error(env, code, msg);
    return;
  }
  set_string(env, error, "code", code);
  set_string(env, error, "syscall", syscall);
  if (path) set_string(env, error, "path", path);
  addon_set_number(env, error, "errno", -(double)errnum);
  napi_throw(env, error);
}

void addon_throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
}

int addon_args(napi_env env, napi_callback_info info, napi_value *argv, size_t want) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "cannot read arguments");
    return -1;
  }
  napi_value undef;
  napi_get_undefined(env, &undef);
  for (size_t i = argc; i < want; i++) argv[i] = undef;
  return 0;
}

int addon_string(napi_env env, napi_value v, const char *what, int nullable, char **out) {
  napi_valuetype t;
  *out = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  if (nullable && (t == napi_null || t == napi_undefined)) return 0;
  char msg[160];
  if (t != napi_string) {
    snprintf(msg, sizeof msg, "%s must be a string%s", what, nullable ? " or null" : "");
    addon_throw_type(env, msg);
    return -1;
  }
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return -1;
  char *s = malloc(len + 1);
  if (!s) {
    addon_throw_errno(env, ENOMEM, "malloc", NULL);
    return -1;
  }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) {
    free(s);
    snprintf(msg, sizeof msg, "%s must not contain NUL bytes", what);
    addon_throw_type(env, msg);
    return -1;
  }
  *out = s;
  return 0;
}

int addon_int64(napi_env env, napi_value v, const char *what, int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  double d;
  if (t != napi_number || napi_get_value_double(env, v, &d) != napi_ok || d != (double)(int64_t)d) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s must be an integer", what);
    addon_throw_type(env, msg);
    return -1;
  }
  *out = (int64_t)d;
  return 0;
}

int addon_set_number(napi_env env, napi_value obj, const char *name, double value) {
  napi_value v;
  if (napi_create_double(env, value, &v) != napi_ok) return -1;
  return napi_set_named_property(env, obj, name, v) == napi_ok ? 0 : -1;
}

int addon_buffer(napi_env env, napi_value v, const char *message, unsigned char **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is || napi_get_buffer_info(env, v, (void **)data, len) != napi_ok) {
    addon_throw_type(env, message);
    return -1;
  }
  return 0;
}

napi_value addon_new_external(napi_env env, void *data, napi_finalize finalize, const char *what) {
  napi_value ext;
  if (napi_create_external(env, data, finalize, NULL, &ext) == napi_ok) return ext;
  finalize(env, data, NULL);
  char msg[96];
  snprintf(msg, sizeof msg, "%s: cannot create the handle", what);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

void *addon_external(napi_env env, napi_value v, const char *message) {
  void *p = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &p) != napi_ok || !p) {
    addon_throw_type(env, message);
    return NULL;
  }
  return p;
}
