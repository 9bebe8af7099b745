/* Streaming tar extraction into a layer directory (see untar.c for the
 * format side, untar_entry.c for creating entries, untar_safe.c for keeping
 * every path beneath the layer directory). Fed with the uncompressed tar in
 * chunks of any size; hashes what it is fed (the layer's diffID). */
#ifndef BERTH_ADDON_UNTAR_H
#define BERTH_ADDON_UNTAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"
#include "sha256_bg.h"

/* What kind of failure the last error was (the JS side maps it to a BerthError code). */
enum untar_fail { UNTAR_FAIL_IO = 0, UNTAR_FAIL_UNSAFE, UNTAR_FAIL_FORMAT };

/* Entry and metadata limits: anything larger is refused, not allocated. */
#define UNTAR_META_MAX (1u << 20)          /* a PAX header or GNU long name */
#define UNTAR_SIZE_MAX ((uint64_t)1 << 50) /* one entry's data (1 PiB) */

struct untar_xattr {
  char *name;
  char *value;
  size_t len;
};

/* One entry's header after PAX/GNU records were applied. */
struct untar_entry {
  char type;
  char *name;     /* malloc'd */
  char *linkname; /* malloc'd, may be "" */
  unsigned mode;
  uid_t uid;
  gid_t gid;
  struct timespec mtime;
  uint64_t size;
  unsigned devmajor, devminor;
  struct untar_xattr *xattrs;
  size_t nxattrs;
};

struct dir_time {
  char *path; /* relative to the root, "" for the root */
  struct timespec mtime;
};

struct untar {
  int root_fd;
  int walk_only;               /* act as if openat2 were ENOSYS (tests of the fallback walk) */
  int fail_kind;               /* enum untar_fail of the last error */
  struct sha256_bg sha;         /* the diffID, hashed on its own thread */
  int sha_live;
  uint64_t fed;                /* bytes of tar fed */
  uint64_t content_size;       /* sum of regular file sizes written */
  /* parser state */
  unsigned char block[512];
  size_t block_len;            /* bytes of block filled */
  uint64_t data_left;          /* data bytes of the current entry still to come */
  uint64_t pad_left;           /* padding after the data */
  int in_data;                 /* reading data or padding, not a header */
  int ended;                   /* saw the end-of-archive blocks */
  char meta_type;              /* 'x', 'g', 'L', 'K' while collecting a metadata entry, else 0 */
  char *meta_buf;
  size_t meta_len;
  /* pending from PAX / GNU records, for the next entry */
  char *pax_path, *pax_linkpath, *gnu_name, *gnu_link;
  int has_pax_size, has_pax_uid, has_pax_gid, has_pax_mtime;
  uint64_t pax_size;
  uint64_t pax_uid, pax_gid;
  struct timespec pax_mtime;
  struct untar_xattr *pax_xattrs;
  size_t pax_nxattrs;
  /* the entry being written */
  struct untar_entry cur;
  int file_fd;                 /* regular file being written, else -1 */
  uint64_t file_written;
  /* a cached parent directory: its relative path and an fd */
  char *cache_path;
  int cache_fd;
  int cache_stale;             /* a directory was removed: reopen before the next use */
  struct dir_time *dirs;
  size_t ndirs, cap_dirs;
};

/* untar.c: the format */
int untar_init(struct untar *u, const char *root, berth_error *err);
void untar_release(struct untar *u);
int untar_feed(struct untar *u, const unsigned char *p, size_t n, berth_error *err);

/* The same without copying for the hash: the caller writes its tar bytes where untar_hash_reserve
 * says (NULL: no hashing thread, use untar_feed), hands them to the hash with untar_hash_commit,
 * then feeds them with untar_feed_hashed. */
unsigned char *untar_hash_reserve(struct untar *u, size_t want, size_t *len);
void untar_hash_commit(struct untar *u, size_t n);
int untar_feed_hashed(struct untar *u, const unsigned char *p, size_t n, berth_error *err);
/* Checks the archive is complete, sets directory mtimes; hex gets the sha256 (65 bytes). */
int untar_finish(struct untar *u, char hex[65], berth_error *err);
int untar_failf(struct untar *u, int kind, berth_error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A malloc'd NUL-terminated copy of n bytes. */
char *untar_strndup(struct untar *u, const void *p, size_t n, berth_error *err);

/* untar_pax.c: a PAX extended header's records, kept on u for the next entry */
int untar_parse_pax(struct untar *u, const char *p, size_t n, berth_error *err);

/* untar_entry.c: creating entries */
int untar_entry_begin(struct untar *u, berth_error *err);
int untar_entry_data(struct untar *u, const unsigned char *p, size_t n, berth_error *err);
int untar_entry_end(struct untar *u, berth_error *err);
int untar_apply_dir_times(struct untar *u, berth_error *err);
void untar_entry_clear(struct untar_entry *e);

/* untar_safe.c: paths beneath the root */
/* Splits name into components in place (lexically resolving "." and ".."); absolute names
 * are refused unless allow_abs. Returns the count, or -1. comps must hold strlen(name)/2+1 pointers. */
int untar_components(struct untar *u, char *name, int allow_abs, const char *what, char **comps, berth_error *err);
/* Opens (O_RDONLY|O_DIRECTORY) the directory made of comps[0..n), beneath the root, never through a
 * symlink; missing directories are created (0755) when create, else refused. The fd is owned by the
 * cache: do not close it. */
int untar_parent(struct untar *u, char **comps, int n, int create, const char *what, berth_error *err);
/* Makes way for a new entry `base` in dir fd: a directory is kept when keep_dir (returns 1), anything
 * else there is removed (returns 0). */
int untar_clear(struct untar *u, int dirfd, const char *base, int keep_dir, berth_error *err);
void untar_cache_drop(struct untar *u);
/* The directory at path ("" is the root) if it still is one, beneath the root; -1 (no error) if not.
 * The caller closes it unless it is root_fd. */
int untar_open_existing_dir(struct untar *u, const char *path);

#endif
