/* zstd layers decoded where gzip layers are inflated: on the layer's
 * extraction thread (untar_thread.c), straight into the diffID hasher's ring,
 * with libzstd's streaming decoder (ZSTD_decompressStream) built into the
 * addon from the zstd-napi dependency's sources (see the Makefile). Frames
 * may follow one another (a concatenation of frames is one stream); skippable
 * frames are skipped by libzstd. Without those sources unzstd_available() is
 * 0 and the daemon decodes zstd in JavaScript instead. */
#include "unzstd.h"

#include <stdlib.h>

#ifdef BERTH_HAVE_ZSTD
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_d_forceIgnoreChecksum */
#include <zstd.h>

struct unzstd {
  ZSTD_DCtx *d;
  const char *message;
};

int unzstd_available(void) {
  return 1;
}

struct unzstd *unzstd_new(int unchecked) {
  struct unzstd *z = calloc(1, sizeof *z);
  if (!z) return NULL;
  if (!(z->d = ZSTD_createDCtx())) {
    free(z);
    return NULL;
  }
  if (unchecked) ZSTD_DCtx_setParameter(z->d, ZSTD_d_forceIgnoreChecksum, ZSTD_d_ignoreChecksum);
  return z;
}

void unzstd_free(struct unzstd *z) {
  if (!z) return;
  ZSTD_freeDCtx(z->d);
  free(z);
}

int unzstd_step(struct unzstd *z, unsigned char *dst, size_t dst_len, const unsigned char *src, size_t src_len, size_t *produced,
                size_t *consumed, int *more) {
  ZSTD_outBuffer out = {dst, dst_len, 0};
  ZSTD_inBuffer in = {src, src_len, 0};
  size_t r = ZSTD_decompressStream(z->d, &out, &in);
  *produced = out.pos;
  *consumed = in.pos;
  if (ZSTD_isError(r)) {
    z->message = ZSTD_getErrorName(r);
    return -1;
  }
  *more = r != 0; /* 0: a frame ended and all of it is out */
  return 0;
}

const char *unzstd_message(struct unzstd *z) {
  return z->message ? z->message : "zstd decoding failed";
}

#else

int unzstd_available(void) {
  return 0;
}

struct unzstd *unzstd_new(int unchecked) {
  (void)unchecked;
  return NULL;
}

void unzstd_free(struct unzstd *z) {
  (void)z;
}

int unzstd_step(struct unzstd *z, unsigned char *dst, size_t dst_len, const unsigned char *src, size_t src_len, size_t *produced,
                size_t *consumed, int *more) {
  (void)z, (void)dst, (void)dst_len, (void)src, (void)src_len, (void)more;
  *produced = *consumed = 0;
  return -1;
}

const char *unzstd_message(struct unzstd *z) {
  (void)z;
  return "this build has no zstd decoder";
}

#endif
