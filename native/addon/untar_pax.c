/* PAX extended headers ("LEN KEY=VALUE\n" records) for the native untar:
 * path and linkpath (a NUL in them is refused), size, uid, gid, mtime (with
 * up to nanoseconds) and SCHILY.xattr.* (binary values kept as they are),
 * stored on the untar state for the next entry. Other keys are ignored. */
#include "untar.h"

#include <errno.h>
#include <string.h>

static int parse_decimal(const char *s, size_t n, uint64_t *out) {
  uint64_t v = 0;
  if (n == 0) return -1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10) return -1;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return 0;
}

/* PAX mtime: seconds with an optional fraction. */
static int parse_pax_time(const char *s, size_t n, struct timespec *ts) {
  const char *dot = memchr(s, '.', n);
  size_t ilen = dot ? (size_t)(dot - s) : n;
  uint64_t sec;
  if (parse_decimal(s, ilen, &sec) < 0 || sec > INT64_MAX / 2) return -1;
  long nsec = 0;
  if (dot) {
    size_t i = ilen + 1;
    for (int d = 0; d < 9; d++) {
      nsec *= 10;
      if (i < n) {
        if (s[i] < '0' || s[i] > '9') return -1;
        nsec += s[i++] - '0';
      }
    }
  }
  ts->tv_sec = (time_t)sec;
  ts->tv_nsec = nsec;
  return 0;
}

static int pax_record(struct untar *u, const char *key, size_t klen, const char *val, size_t vlen, berth_error *err) {
#define KEY_IS(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
  if (KEY_IS("path") || KEY_IS("linkpath")) {
    char **dst = KEY_IS("path") ? &u->pax_path : &u->pax_linkpath;
    if (memchr(val, 0, vlen)) return untar_failf(u, UNTAR_FAIL_UNSAFE, err, 0, "a layer entry's PAX %.*s contains a NUL byte; the layer was not unpacked (it may be malicious)", (int)klen, key);
    free(*dst);
    *dst = untar_strndup(u, val, vlen, err);
    return *dst ? 0 : -1;
  }
  if (KEY_IS("size") || KEY_IS("uid") || KEY_IS("gid")) {
    uint64_t v;
    if (parse_decimal(val, vlen, &v) < 0) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a PAX header has an invalid %.*s \"%.*s\"", (int)klen, key, (int)(vlen > 40 ? 40 : vlen), val);
    if (KEY_IS("size")) u->pax_size = v, u->has_pax_size = 1;
    else if (KEY_IS("uid")) u->pax_uid = v, u->has_pax_uid = 1;
    else u->pax_gid = v, u->has_pax_gid = 1;
    return 0;
  }
  if (KEY_IS("mtime")) {
    if (parse_pax_time(val, vlen, &u->pax_mtime) == 0) u->has_pax_mtime = 1; /* an odd mtime keeps the header's */
    return 0;
  }
  static const char xp[] = "SCHILY.xattr.";
  if (klen > sizeof xp - 1 && memcmp(key, xp, sizeof xp - 1) == 0) {
    struct untar_xattr *x = realloc(u->pax_xattrs, (u->pax_nxattrs + 1) * sizeof *x);
    if (!x) return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory reading a PAX header");
    u->pax_xattrs = x;
    x = &x[u->pax_nxattrs];
    x->name = untar_strndup(u, key + sizeof xp - 1, klen - (sizeof xp - 1), err);
    x->value = x->name ? untar_strndup(u, val, vlen, err) : NULL;
    x->len = vlen;
    if (!x->value) {
      free(x->name);
      return -1;
    }
    u->pax_nxattrs++;
  }
  return 0;
#undef KEY_IS
}

int untar_parse_pax(struct untar *u, const char *p, size_t n, berth_error *err) {
  size_t off = 0;
  while (off < n) {
    if (p[off] == 0) break; /* NUL padding */
    const char *sp = memchr(p + off, ' ', n - off);
    uint64_t len;
    if (!sp || parse_decimal(p + off, (size_t)(sp - (p + off)), &len) < 0 || len > n - off || len < 5)
      return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a PAX extended header is malformed");
    const char *rec = sp + 1, *end = p + off + len - 1; /* end: the '\n' */
    const char *eq = memchr(rec, '=', (size_t)(end - rec));
    if (*end != '\n' || !eq) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a PAX extended header is malformed");
    if (pax_record(u, rec, (size_t)(eq - rec), eq + 1, (size_t)(end - eq - 1), err) < 0) return -1;
    off += len;
  }
  return 0;
}

