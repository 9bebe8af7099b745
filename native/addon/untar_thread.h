/* A layer's extraction (gzip inflated or zstd decoded, then untar and the diffID) on a
 * thread of its own, fed through a ring. The thread that reads the layer from
 * the network only copies its bytes in and goes on: the extractions of the
 * layers being pulled then run side by side on every core, not one after
 * the other on the reading thread. Without a thread (pthread_create failed)
 * the bytes are extracted on the caller's thread, with the same result. */
#ifndef BERTH_ADDON_UNTAR_THREAD_H
#define BERTH_ADDON_UNTAR_THREAD_H

#include <pthread.h>
#include <stdint.h>

#include "error.h"
#include "gunzip.h"
#include "untar.h"

enum untar_compression { UNTAR_PLAIN = 0, UNTAR_GZIP, UNTAR_ZSTD };
struct untar_codec;

struct untar_thread {
  struct untar u;
  int u_live;
  const struct untar_codec *codec; /* gzip's or zstd's (untar_thread.c); NULL: a plain tar */
  void *dec;                   /* the codec's decoder */
  unsigned char *out;          /* decoding buffer when the diffID has no ring to decode into */
  pthread_t thread;
  int threaded;
  pthread_mutex_t mu;
  pthread_cond_t has_data;     /* producer → extracting thread */
  pthread_cond_t has_space;    /* extracting thread → producer */
  unsigned char *ring;
  uint64_t head, tail;         /* bytes copied in / extracted, since the start */
  int closing;                 /* no more bytes: extract what is left, then finish */
  int dropping;                /* stop without extracting the rest */
  int worker_waiting, producer_waiting;
  int more;                    /* the gzip (zstd) data so far ends inside a member (frame) */
  /* outcome, set by the extracting thread */
  int failed;
  const char *fail_code;       /* BERTH_UNSAFE_LAYER, BERTH_BAD_TAR, BERTH_IO, BERTH_BAD_ZSTD or zlib's Z_* name */
  berth_error err;
  int done;                    /* finish ran (failed or not) */
  char hex[65];                /* the diffID when it succeeded */
  void (*on_done)(struct untar_thread *t, void *arg);
  void *on_done_arg;
};

/* Opens the extraction into the (empty) directory root of bytes compressed as said (unchecked: skip
 * gzip's CRC or zstd's frame checksums, the caller checks the diffID). Starts the thread. A zstd
 * extraction without a zstd decoder in this build fails with ENOTSUP. */
int untar_thread_start(struct untar_thread *t, const char *root, enum untar_compression compression, int unchecked, berth_error *err);

/* Copies n bytes in; waits only while the ring is full. Returns -1 (err, t->fail_code) once the
 * extraction has failed. */
int untar_thread_write(struct untar_thread *t, const void *p, size_t n, berth_error *err);

/* No more bytes: the thread extracts what is left, checks the archive is complete and calls
 * on_done(t, arg) from the extracting thread (t->failed, t->err, t->hex tell the outcome). */
void untar_thread_close(struct untar_thread *t, void (*on_done)(struct untar_thread *t, void *arg), void *arg);

/* Stops the thread (dropping what was not extracted; after close, once it has reported) and
 * frees everything; safe twice. */
void untar_thread_release(struct untar_thread *t);

/* The error code the JavaScript side gets for an enum untar_fail. */
const char *untar_fail_code(int kind);

/* Inflates len bytes of gzip with g and extracts the output (through the diffID's ring when it has
 * one, else through *out, allocated on first use); *more as gunzip_step. 0; -1 when the extraction
 * failed (u->fail_kind); -2 when the gzip data is bad (message in err). */
int untar_inflate_feed(struct untar *u, struct gunzip *g, unsigned char **out, const unsigned char *src, size_t len, int *more,
                       berth_error *err);

#endif
