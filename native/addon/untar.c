/* The tar side of the native layer extraction: a state machine fed with the
 * uncompressed stream in chunks of any size. It parses ustar/GNU headers
 * (octal or base-256 numbers, the ustar name prefix), PAX extended headers
 * (path, linkpath, size, uid, gid, mtime, SCHILY.xattr.*) and GNU long
 * names/links (PAX records: untar_pax.c), and hands each entry to untar_entry.c with its data as it
 * arrives. Everything fed is hashed (sha256, with the OpenSSL that node
 * exports, on a thread of its own: sha256_bg.c): that is the layer's
 * diffID. Sizes are checked before anything is allocated or written. */
#include "untar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

int untar_failf(struct untar *u, int kind, berth_error *err, int errnum, const char *fmt, ...) {
  char msg[BERTH_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  u->fail_kind = kind;
  return berth_fail(err, errnum, "%s", msg);
}

static void free_xattrs(struct untar_xattr *x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(x[i].name);
    free(x[i].value);
  }
  free(x);
}

void untar_entry_clear(struct untar_entry *e) {
  free(e->name);
  free(e->linkname);
  free_xattrs(e->xattrs, e->nxattrs);
  memset(e, 0, sizeof *e);
}

static void clear_pending(struct untar *u) {
  free(u->pax_path);
  free(u->pax_linkpath);
  free(u->gnu_name);
  free(u->gnu_link);
  u->pax_path = u->pax_linkpath = u->gnu_name = u->gnu_link = NULL;
  free_xattrs(u->pax_xattrs, u->pax_nxattrs);
  u->pax_xattrs = NULL;
  u->pax_nxattrs = 0;
  u->has_pax_size = u->has_pax_uid = u->has_pax_gid = u->has_pax_mtime = 0;
}

int untar_init(struct untar *u, const char *root, berth_error *err) {
  memset(u, 0, sizeof *u);
  u->file_fd = -1;
  u->cache_fd = -1;
  u->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (u->root_fd < 0) return untar_failf(u, UNTAR_FAIL_IO, err, errno, "cannot open the layer directory %s", root);
  if (sha256_bg_start(&u->sha, err) < 0) {
    untar_release(u);
    u->fail_kind = UNTAR_FAIL_IO;
    return -1;
  }
  u->sha_live = 1;
  return 0;
}

void untar_release(struct untar *u) {
  if (u->file_fd >= 0) close(u->file_fd);
  u->file_fd = -1;
  untar_cache_drop(u);
  if (u->root_fd >= 0) close(u->root_fd);
  u->root_fd = -1;
  if (u->sha_live) sha256_bg_release(&u->sha);
  u->sha_live = 0;
  free(u->meta_buf);
  u->meta_buf = NULL;
  clear_pending(u);
  untar_entry_clear(&u->cur);
  for (size_t i = 0; i < u->ndirs; i++) free(u->dirs[i].path);
  free(u->dirs);
  u->dirs = NULL;
  u->ndirs = u->cap_dirs = 0;
}

/* A numeric header field: octal (NUL/space padded) or base-256 (high bit set). */
static int field_num(struct untar *u, const unsigned char *f, size_t len, const char *what, uint64_t *out, berth_error *err) {
  uint64_t v = 0;
  if (f[0] & 0x80) {
    if (f[0] == 0xff) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a tar header has a negative %s", what);
    v = f[0] & 0x7f;
    for (size_t i = 1; i < len; i++) {
      if (v >> 55) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a tar header has an absurd %s", what);
      v = (v << 8) | f[i];
    }
    *out = v;
    return 0;
  }
  size_t i = 0;
  while (i < len && (f[i] == ' ' || f[i] == 0)) i++;
  for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
    if (v >> 60) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a tar header has an absurd %s", what);
    v = (v << 3) | (uint64_t)(f[i] - '0');
  }
  for (; i < len; i++)
    if (f[i] != ' ' && f[i] != 0)
      return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a tar header has an invalid %s field; the data is not a tar archive (or is still compressed)", what);
  *out = v;
  return 0;
}

static int checksum_ok(const unsigned char *b, uint64_t want) {
  uint64_t us = 0;
  int64_t s = 0;
  for (size_t i = 0; i < 512; i++) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : b[i];
    us += c;
    s += (signed char)c;
  }
  return us == want || (uint64_t)s == want;
}

char *untar_strndup(struct untar *u, const void *p, size_t n, berth_error *err) {
  char *s = malloc(n + 1);
  if (!s) {
    untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory reading a tar header");
    return NULL;
  }
  memcpy(s, p, n);
  s[n] = 0;
  return s;
}

static int end_meta(struct untar *u, berth_error *err) {
  char t = u->meta_type;
  u->meta_type = 0;
  int rc = 0;
  if (t == 'x') rc = untar_parse_pax(u, u->meta_buf, u->meta_len, err);
  else if (t == 'L' || t == 'K') {
    size_t n = strnlen(u->meta_buf, u->meta_len);
    char **dst = t == 'L' ? &u->gnu_name : &u->gnu_link;
    free(*dst);
    *dst = untar_strndup(u, u->meta_buf, n, err);
    rc = *dst ? 0 : -1;
  } /* 'g': global PAX records are not applied (as Docker's unpacker) */
  free(u->meta_buf);
  u->meta_buf = NULL;
  u->meta_len = 0;
  return rc;
}

static char *header_string(struct untar *u, const unsigned char *f, size_t len, berth_error *err) {
  return untar_strndup(u, f, strnlen((const char *)f, len), err);
}

static int header_name(struct untar *u, const unsigned char *b, berth_error *err) {
  struct untar_entry *e = &u->cur;
  if (u->gnu_name || u->pax_path) {
    e->name = u->gnu_name ? u->gnu_name : u->pax_path;
    if (u->gnu_name) u->gnu_name = NULL;
    else u->pax_path = NULL;
  } else if (memcmp(b + 257, "ustar\0", 6) == 0 && b[345]) {
    size_t pl = strnlen((const char *)b + 345, 155), nl = strnlen((const char *)b, 100);
    if (!(e->name = malloc(pl + nl + 2))) return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory");
    memcpy(e->name, b + 345, pl);
    e->name[pl] = '/';
    memcpy(e->name + pl + 1, b, nl);
    e->name[pl + nl + 1] = 0;
  } else if (!(e->name = header_string(u, b, 100, err))) return -1;
  if (u->gnu_link || u->pax_linkpath) {
    e->linkname = u->gnu_link ? u->gnu_link : u->pax_linkpath;
    if (u->gnu_link) u->gnu_link = NULL;
    else u->pax_linkpath = NULL;
  } else if (!(e->linkname = header_string(u, b + 157, 100, err))) return -1;
  return 0;
}

static int begin_header(struct untar *u, const unsigned char *b, berth_error *err) {
  static const unsigned char zero[512];
  if (memcmp(b, zero, 512) == 0) {
    u->ended = 1; /* end of archive: what follows is ignored (but hashed) */
    return 0;
  }
  uint64_t sum, size, mode, uid, gid, mtime, dmaj, dmin;
  if (field_num(u, b + 148, 8, "checksum", &sum, err) < 0) return -1;
  if (!checksum_ok(b, sum)) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a tar header has a wrong checksum; the data is not a tar archive (or is corrupt, or still compressed)");
  if (field_num(u, b + 124, 12, "size", &size, err) < 0) return -1;
  char type = b[156] ? (char)b[156] : '0';
  if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
    if (size > UNTAR_META_MAX) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "a tar %s header claims %llu bytes, more than the %u allowed; the layer was not unpacked", type == 'L' || type == 'K' ? "GNU long name" : "PAX", (unsigned long long)size, UNTAR_META_MAX);
    if (!(u->meta_buf = malloc(size + 1))) return untar_failf(u, UNTAR_FAIL_IO, err, ENOMEM, "out of memory");
    u->meta_type = type;
    u->meta_len = 0;
  } else {
    struct untar_entry *e = &u->cur;
    if (field_num(u, b + 100, 8, "mode", &mode, err) < 0 || field_num(u, b + 108, 8, "uid", &uid, err) < 0 ||
        field_num(u, b + 116, 8, "gid", &gid, err) < 0 || field_num(u, b + 136, 12, "mtime", &mtime, err) < 0 ||
        field_num(u, b + 329, 8, "devmajor", &dmaj, err) < 0 || field_num(u, b + 337, 8, "devminor", &dmin, err) < 0 ||
        header_name(u, b, err) < 0)
      return -1;
    if (u->has_pax_size) size = u->pax_size;
    e->type = type;
    if (type == '0' && e->name[0] && e->name[strlen(e->name) - 1] == '/') e->type = '5';
    e->mode = (unsigned)(mode & 07777);
    e->uid = (uid_t)(u->has_pax_uid ? u->pax_uid : uid);
    e->gid = (gid_t)(u->has_pax_gid ? u->pax_gid : gid);
    if (u->has_pax_mtime) e->mtime = u->pax_mtime;
    else e->mtime = (struct timespec){.tv_sec = (time_t)mtime, .tv_nsec = 0};
    e->devmajor = (unsigned)dmaj;
    e->devminor = (unsigned)dmin;
    e->size = size;
    e->xattrs = u->pax_xattrs;
    e->nxattrs = u->pax_nxattrs;
    u->pax_xattrs = NULL;
    u->pax_nxattrs = 0;
    clear_pending(u);
    if (size > UNTAR_SIZE_MAX) return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "layer entry \"%s\" claims an absurd size (%llu bytes); the layer was not unpacked", e->name, (unsigned long long)size);
    if (untar_entry_begin(u, err) < 0) return -1;
  }
  u->in_data = 1;
  u->data_left = size;
  u->pad_left = (512 - size % 512) % 512;
  return 0;
}

/* The current entry's (or metadata's) data is complete. */
static int end_data(struct untar *u, berth_error *err) {
  if (u->meta_type) return end_meta(u, err);
  int rc = untar_entry_end(u, err);
  untar_entry_clear(&u->cur);
  return rc;
}

int untar_feed(struct untar *u, const unsigned char *p, size_t n, berth_error *err) {
  sha256_bg_update(&u->sha, p, n);
  return untar_feed_hashed(u, p, n, err);
}

unsigned char *untar_hash_reserve(struct untar *u, size_t want, size_t *len) {
  return sha256_bg_reserve(&u->sha, want, len);
}

void untar_hash_commit(struct untar *u, size_t n) {
  sha256_bg_commit(&u->sha, n);
}

int untar_feed_hashed(struct untar *u, const unsigned char *p, size_t n, berth_error *err) {
  u->fed += n;
  while (n > 0 && !u->ended) {
    if (!u->in_data) {
      size_t take = 512 - u->block_len;
      if (take > n) take = n;
      memcpy(u->block + u->block_len, p, take);
      u->block_len += take;
      p += take;
      n -= take;
      if (u->block_len < 512) break;
      u->block_len = 0;
      if (begin_header(u, u->block, err) < 0) return -1;
      if (u->in_data && u->data_left == 0 && end_data(u, err) < 0) return -1;
      continue;
    }
    if (u->data_left > 0) {
      size_t take = u->data_left < n ? (size_t)u->data_left : n;
      if (u->meta_type) {
        memcpy(u->meta_buf + u->meta_len, p, take);
        u->meta_len += take;
      } else if (untar_entry_data(u, p, take, err) < 0)
        return -1;
      u->data_left -= take;
      p += take;
      n -= take;
      if (u->data_left == 0 && end_data(u, err) < 0) return -1;
      continue;
    }
    size_t skip = u->pad_left < n ? (size_t)u->pad_left : n;
    u->pad_left -= skip;
    p += skip;
    n -= skip;
    if (u->pad_left == 0) u->in_data = 0;
  }
  return 0;
}

int untar_finish(struct untar *u, char hex[65], berth_error *err) {
  if (!u->ended && (u->block_len > 0 || u->data_left > 0 || u->meta_type))
    return untar_failf(u, UNTAR_FAIL_FORMAT, err, 0, "the tar archive is truncated: it ends in the middle of %s%s%s", u->cur.name ? "entry \"" : "a header", u->cur.name ? u->cur.name : "", u->cur.name ? "\"" : "");
  if (u->pad_left > 0) u->in_data = 0; /* missing padding after the last entry: tolerated */
  if (untar_apply_dir_times(u, err) < 0) return -1;
  if (sha256_bg_final(&u->sha, hex, err) < 0) {
    u->fail_kind = UNTAR_FAIL_IO;
    return -1;
  }
  return 0;
}
