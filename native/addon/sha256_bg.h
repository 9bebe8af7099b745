/* A sha256 computed on a thread of its own: the caller copies its bytes into
 * a ring and goes on, the hashing thread digests them meanwhile. A layer's
 * two digests (the compressed blob's, the tar's diffID) then cost the thread
 * that downloads and unpacks only a memcpy. The same thread can also write
 * the bytes to a file (the blob being downloaded), with O_DIRECT where the
 * file allows: the blob then neither fills the page cache nor waits in it for
 * the layer's flush. Without a thread (pthread_create failed) the bytes are
 * hashed and written on the caller's thread, with the same result. */
#ifndef BERTH_ADDON_SHA256_BG_H
#define BERTH_ADDON_SHA256_BG_H

#include <openssl/evp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct sha256_bg {
  EVP_MD_CTX *ctx;
  pthread_t thread;
  int threaded;               /* the hashing thread runs */
  pthread_mutex_t mu;
  pthread_cond_t has_data;    /* producer → hashing thread */
  pthread_cond_t has_space;   /* hashing thread → producer */
  unsigned char *ring;
  size_t head, hashed, tail;  /* bytes copied in / hashed / done with (written when there is a file), since the start; positions modulo the ring's size */
  int out_fd;                 /* the file the bytes go to, else -1 */
  int out_direct;             /* out_fd has O_DIRECT: only whole blocks at block offsets until the end */
  uint64_t out_off;           /* file offset of ring position write_from */
  size_t write_from;          /* bytes before this ring position are not written (hashed before the file was set) */
  int write_err;              /* errno of a failed write (nothing more is written) */
  int closing;                /* no more bytes: hash what is left and stop */
  int dropping;               /* stop without hashing the rest (release) */
  int hasher_waiting, producer_waiting;
  int failed;                 /* EVP_DigestUpdate failed */
};

/* Starts a digest (and its thread). */
int sha256_bg_start(struct sha256_bg *s, berth_error *err);

/* Hands n bytes to the digest; returns once they are copied (waits only while the ring is full). */
void sha256_bg_update(struct sha256_bg *s, const void *p, size_t n);

/* For a producer that can write its bytes straight into the ring (no copy): returns where up to
 * *len (<= want, >= 1) contiguous bytes may be written, waiting while the ring is full; NULL when
 * the digest has no thread (then hash with sha256_bg_update). The bytes are hashed once given to
 * sha256_bg_commit; they stay readable by the producer until its next reserve or update. */
unsigned char *sha256_bg_reserve(struct sha256_bg *s, size_t want, size_t *len);
void sha256_bg_commit(struct sha256_bg *s, size_t n);

/* From now on every byte given is also written to `path` (opened for writing, not truncated),
 * starting at file offset `offset`. */
int sha256_bg_write_to(struct sha256_bg *s, const char *path, uint64_t offset, berth_error *err);

/* The same into a duplicate of `fd` (a file without a path to open, such as a memory file); without O_DIRECT. */
int sha256_bg_write_to_fd(struct sha256_bg *s, int fd, uint64_t offset, berth_error *err);

/* Waits for every byte to be hashed (and written) and writes the digest as 64 lowercase hex
 * characters and a NUL. The digest is spent afterwards. */
int sha256_bg_final(struct sha256_bg *s, char hex[65], berth_error *err);

/* Stops the thread (dropping what was not hashed) and frees everything; safe after final and twice. */
void sha256_bg_release(struct sha256_bg *s);

#endif
