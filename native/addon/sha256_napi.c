/* A sha256 hashed on a thread of its own (sha256_bg.c), for JavaScript:
 *
 *   sha256Create()           -> handle (its thread stops when digested, or when collected)
 *   sha256WriteTo(handle, path, offset)  from now on the bytes are also written to the file at path
 *                               (not truncated), from offset on, by the same thread
 *   sha256Update(handle, buf)   copies buf in and returns; the hashing (and writing) happens meanwhile
 *   sha256Digest(handle)     -> lowercase hex; waits for the bytes still queued. The handle is spent.
 *                               A failed write throws an errno Error (.code, .errno, .path).
 *
 * A blob download hashes its bytes this way, so the thread that receives,
 * writes and unpacks them pays for a copy, not for the hash. */
#include "sha256_napi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256_bg.h"

struct sha256_handle {
  struct sha256_bg s;
  int digested;
  char *path; /* the output file, for errors */
};

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct sha256_handle *h = data;
  sha256_bg_release(&h->s);
  free(h->path);
  free(h);
}

/* The call's `n` arguments, the first being a handle not yet digested (NULL with an exception pending). */
static struct sha256_handle *handle_call(napi_env env, napi_callback_info info, napi_value *argv, size_t n) {
  if (addon_args(env, info, argv, n) < 0) return NULL;
  struct sha256_handle *h = addon_external(env, argv[0], "sha256: the handle must come from sha256Create()");
  if (h && h->digested) {
    napi_throw_error(env, "ERR_INVALID_STATE", "sha256: the digest was already taken");
    return NULL;
  }
  return h;
}

napi_value addon_sha256_create(napi_env env, napi_callback_info info) {
  (void)info;
  struct sha256_handle *h = calloc(1, sizeof *h);
  berth_error err;
  if (!h || sha256_bg_start(&h->s, &err) < 0) {
    free(h);
    napi_throw_error(env, "ENOMEM", "sha256: cannot start a digest");
    return NULL;
  }
  return addon_new_external(env, h, finalize, "sha256");
}

napi_value addon_sha256_write_to(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct sha256_handle *h = handle_call(env, info, argv, 3);
  if (!h) return NULL;
  _cleanup_free_ char *path = NULL;
  int64_t offset;
  if (addon_string(env, argv[1], "path", 0, &path) < 0 || addon_int64(env, argv[2], "offset", &offset) < 0) return NULL;
  if (offset < 0) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "offset must not be negative");
    return NULL;
  }
  berth_error err;
  if (sha256_bg_write_to(&h->s, path, (uint64_t)offset, &err) < 0) {
    if (err.errnum) addon_throw_errno(env, err.errnum, "open", path);
    else napi_throw_error(env, "ERR_INVALID_STATE", err.msg);
    return NULL;
  }
  h->path = strdup(path);
  return NULL;
}

/* sha256WriteToFd(handle, fd, offset): as sha256WriteTo, into a duplicate of descriptor fd. */
napi_value addon_sha256_write_to_fd(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  struct sha256_handle *h = handle_call(env, info, argv, 3);
  if (!h) return NULL;
  int64_t fd, offset;
  if (addon_int64(env, argv[1], "fd", &fd) < 0 || addon_int64(env, argv[2], "offset", &offset) < 0) return NULL;
  if (offset < 0 || fd < 0 || fd > INT32_MAX) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "fd and offset must not be negative");
    return NULL;
  }
  char name[32];
  snprintf(name, sizeof name, "descriptor %d", (int)fd);
  berth_error err;
  if (sha256_bg_write_to_fd(&h->s, (int)fd, (uint64_t)offset, &err) < 0) {
    if (err.errnum) addon_throw_errno(env, err.errnum, "dup", name);
    else napi_throw_error(env, "ERR_INVALID_STATE", err.msg);
    return NULL;
  }
  h->path = strdup(name);
  return NULL;
}

napi_value addon_sha256_update(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  struct sha256_handle *h = handle_call(env, info, argv, 2);
  if (!h) return NULL;
  unsigned char *data;
  size_t len;
  if (addon_buffer(env, argv[1], "sha256: the data must be a Buffer", &data, &len) < 0) return NULL;
  sha256_bg_update(&h->s, data, len);
  return NULL;
}

napi_value addon_sha256_digest(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct sha256_handle *h = handle_call(env, info, argv, 1);
  if (!h) return NULL;
  char hex[65];
  berth_error err;
  h->digested = 1;
  int rc = sha256_bg_final(&h->s, hex, &err);
  sha256_bg_release(&h->s);
  if (rc < 0) {
    if (err.errnum) addon_throw_errno(env, err.errnum, "write", h->path);
    else napi_throw_error(env, NULL, err.msg);
    return NULL;
  }
  napi_value out;
  if (napi_create_string_utf8(env, hex, 64, &out) != napi_ok) return NULL;
  return out;
}
