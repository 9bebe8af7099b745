/* A layer's extraction on a thread fed through a ring (see untar_thread.h).
 *
 * Ring positions only grow: the producer copies into [head, tail + RING), the
 * thread extracts [tail, head) a slice at a time and moves tail up. Positions
 * are read and moved under the mutex; copies and extraction run outside it.
 * As in sha256_bg.c, a sleeping side is woken only once WAKE bytes (or
 * bytes of room) wait, and the thread looks again every IDLE_TAKE_NS anyway.
 * A failure is kept: later writes return it, the rest of the bytes are
 * dropped, and close reports it. */
#include "untar_thread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bg_ring.h"
#include "unzstd.h"

#define RING BG_RING_SIZE
#define WAKE (256u << 10)
#define SLICE (256u << 10) /* extracted per turn: room comes back to a waiting producer this often */
#define IDLE_TAKE_NS (20L * 1000 * 1000)
#define INFLATE_CHUNK (256u << 10)
#define WORKER_STACK (512u << 10)

const char *untar_fail_code(int kind) {
  return kind == UNTAR_FAIL_UNSAFE ? "BERTH_UNSAFE_LAYER" : kind == UNTAR_FAIL_FORMAT ? "BERTH_BAD_TAR" : "BERTH_IO";
}

/* One step of a decoder: as gunzip_step; 0, or -1 with the decoder's message in *message. */
typedef int (*decode_step)(void *dec, unsigned char *dst, size_t cap, const unsigned char *src, size_t len, size_t *produced,
                           size_t *consumed, int *more, const char **message);

static int gzip_step(void *dec, unsigned char *dst, size_t cap, const unsigned char *src, size_t len, size_t *produced, size_t *consumed,
                     int *more, const char **message) {
  if (gunzip_step(dec, dst, cap, src, len, produced, consumed, more) == Z_OK) return 0;
  *message = gunzip_message(dec);
  return -1;
}

static int zstd_step(void *dec, unsigned char *dst, size_t cap, const unsigned char *src, size_t len, size_t *produced, size_t *consumed,
                     int *more, const char **message) {
  if (unzstd_step(dec, dst, cap, src, len, produced, consumed, more) == 0) return 0;
  *message = unzstd_message(dec);
  return -1;
}

/* Decodes len bytes and extracts the output (through the diffID's ring when it has one, else through *out,
 * allocated on first use). 0; -1 when the extraction failed (u->fail_kind); -2 when the data is bad (err). */
static int decode_feed(struct untar *u, decode_step step, void *dec, unsigned char **out, const unsigned char *src, size_t len, int *more,
                       berth_error *err) {
  for (;;) {
    /* decode straight into the diffID hasher's ring when it has one: the tar is then read from there, not copied */
    size_t cap = INFLATE_CHUNK;
    unsigned char *dst = untar_hash_reserve(u, INFLATE_CHUNK, &cap);
    int committed = dst != NULL;
    if (!dst && !(dst = *out) && !(dst = *out = malloc(INFLATE_CHUNK))) {
      u->fail_kind = UNTAR_FAIL_IO;
      return berth_fail(err, ENOMEM, "out of memory");
    }
    size_t produced = 0, consumed = 0;
    const char *message = NULL;
    if (step(dec, dst, cap, src, len, &produced, &consumed, more, &message) < 0) {
      berth_fail(err, 0, "%s", message);
      return -2;
    }
    if (produced > 0) {
      if (committed) untar_hash_commit(u, produced);
      if ((committed ? untar_feed_hashed(u, dst, produced, err) : untar_feed(u, dst, produced, err)) < 0) return -1;
    }
    src += consumed;
    len -= consumed;
    /* done once the input is used up and the output was not full (nothing left inside the decoder) */
    if (len == 0 && (produced < cap || !*more)) return 0;
    if (produced == 0 && consumed == 0) { /* input left that the decoder will not take: never drop it silently */
      berth_fail(err, 0, "the decoder made no progress");
      return -2;
    }
  }
}

int untar_inflate_feed(struct untar *u, struct gunzip *g, unsigned char **out, const unsigned char *src, size_t len, int *more,
                       berth_error *err) {
  return decode_feed(u, gzip_step, g, out, src, len, more, err);
}

static void gzip_free(void *dec) {
  gunzip_free(dec);
}

static void zstd_free(void *dec) {
  unzstd_free(dec);
}

/* What a compressed layer needs: its decoder, the code bad data gets, and what a stream cut short says. */
struct untar_codec {
  decode_step step;
  void (*free)(void *dec);
  const char *bad_code;
  const char *cut_short;
};

static const struct untar_codec GZIP_CODEC = {gzip_step, gzip_free, "Z_DATA_ERROR", "unexpected end of file: the gzip data ends in the middle of a member"};
static const struct untar_codec ZSTD_CODEC = {zstd_step, zstd_free, "BERTH_BAD_ZSTD", "the zstd data ends in the middle of a frame"};

/* Extracts n bytes on the calling thread; on failure fills t->err and t->fail_code (not t->failed). */
static int extract(struct untar_thread *t, const unsigned char *p, size_t n) {
  if (!t->codec) {
    if (untar_feed(&t->u, p, n, &t->err) == 0) return 0;
    t->fail_code = untar_fail_code(t->u.fail_kind);
    return -1;
  }
  int rc = decode_feed(&t->u, t->codec->step, t->dec, &t->out, p, n, &t->more, &t->err);
  if (rc == 0) return 0;
  t->fail_code = rc == -2 ? t->codec->bad_code : untar_fail_code(t->u.fail_kind);
  return -1;
}

/* After the last byte: is the archive complete? Sets the outcome. */
static void finish(struct untar_thread *t) {
  if (!t->failed && t->codec && t->more) {
    berth_fail(&t->err, 0, "%s", t->codec->cut_short);
    t->fail_code = t->codec->bad_code;
    t->failed = 1;
  }
  if (!t->failed && untar_finish(&t->u, t->hex, &t->err) < 0) {
    t->fail_code = untar_fail_code(t->u.fail_kind);
    t->failed = 1;
  }
  t->done = 1;
}

static void *worker_main(void *arg) {
  struct untar_thread *t = arg;
  pthread_mutex_lock(&t->mu);
  for (;;) {
    if (t->dropping) break;
    if (t->tail < t->head) {
      size_t off = t->tail % RING;
      size_t len = t->head - t->tail;
      if (len > RING - off) len = RING - off;
      if (len > SLICE) len = SLICE;
      int skip = t->failed;
      pthread_mutex_unlock(&t->mu);
      int rc = skip ? 0 : extract(t, t->ring + off, len);
      pthread_mutex_lock(&t->mu);
      if (rc < 0) t->failed = 1;
      t->tail += len;
      if (t->producer_waiting && (RING - (t->head - t->tail) >= WAKE || t->failed)) pthread_cond_signal(&t->has_space);
      continue;
    }
    if (t->closing) break;
    t->worker_waiting = 1;
    bg_wait_at_most(&t->has_data, &t->mu, IDLE_TAKE_NS);
    t->worker_waiting = 0;
  }
  int drop = t->dropping;
  pthread_mutex_unlock(&t->mu);
  if (!drop) {
    finish(t);
    t->on_done(t, t->on_done_arg);
  }
  return NULL;
}

static void free_decoder(struct untar_thread *t) {
  if (t->codec) t->codec->free(t->dec);
  t->codec = NULL;
  t->dec = NULL;
}

int untar_thread_start(struct untar_thread *t, const char *root, enum untar_compression compression, int unchecked, berth_error *err) {
  memset(t, 0, sizeof *t);
  if (compression == UNTAR_GZIP) {
    int zerr = Z_OK;
    if (!(t->dec = gunzip_new(unchecked, &zerr))) return berth_fail(err, zerr == Z_MEM_ERROR ? ENOMEM : 0, "cannot start the gzip decoder");
    t->codec = &GZIP_CODEC;
  }
  if (compression == UNTAR_ZSTD) {
    if (!(t->dec = unzstd_new(unchecked))) return berth_fail(err, unzstd_available() ? ENOMEM : ENOTSUP, "cannot start the zstd decoder");
    t->codec = &ZSTD_CODEC;
  }
  if (untar_init(&t->u, root, err) < 0) {
    free_decoder(t);
    return -1;
  }
  t->u_live = 1;
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->has_data, NULL);
  pthread_cond_init(&t->has_space, NULL);
  t->ring = bg_ring_get();
  if (t->ring && bg_thread_start(&t->thread, WORKER_STACK, worker_main, t) == 0) t->threaded = 1; /* else: extracted inline */
  return 0;
}

static int failure(struct untar_thread *t, berth_error *err) {
  *err = t->err;
  return -1;
}

int untar_thread_write(struct untar_thread *t, const void *data, size_t n, berth_error *err) {
  const unsigned char *p = data;
  if (!t->threaded) {
    if (!t->failed && n > 0 && extract(t, p, n) < 0) t->failed = 1;
    return t->failed ? failure(t, err) : 0;
  }
  pthread_mutex_lock(&t->mu);
  while (n > 0 && !t->failed) {
    size_t used = t->head - t->tail;
    if (used == RING) {
      t->producer_waiting = 1;
      if (t->worker_waiting) pthread_cond_signal(&t->has_data);
      pthread_cond_wait(&t->has_space, &t->mu);
      t->producer_waiting = 0;
      continue;
    }
    size_t off = t->head % RING;
    size_t c = RING - used;
    if (c > RING - off) c = RING - off;
    if (c > n) c = n;
    pthread_mutex_unlock(&t->mu);
    memcpy(t->ring + off, p, c); /* the thread reads only [tail, head): this span is the producer's */
    pthread_mutex_lock(&t->mu);
    t->head += c;
    p += c;
    n -= c;
    if (t->worker_waiting && t->head - t->tail >= WAKE) pthread_cond_signal(&t->has_data);
  }
  int failed = t->failed;
  pthread_mutex_unlock(&t->mu);
  return failed ? failure(t, err) : 0;
}

void untar_thread_close(struct untar_thread *t, void (*on_done)(struct untar_thread *t, void *arg), void *arg) {
  if (!t->threaded) {
    finish(t);
    on_done(t, arg);
    return;
  }
  pthread_mutex_lock(&t->mu);
  t->on_done = on_done;
  t->on_done_arg = arg;
  t->closing = 1;
  pthread_cond_signal(&t->has_data);
  pthread_mutex_unlock(&t->mu);
}

void untar_thread_release(struct untar_thread *t) {
  if (t->threaded) {
    pthread_mutex_lock(&t->mu);
    if (!t->closing) t->dropping = 1; /* once closed, the thread finishes and reports */
    pthread_cond_signal(&t->has_data);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    t->threaded = 0;
  }
  if (t->u_live) untar_release(&t->u);
  t->u_live = 0;
  free_decoder(t);
  free(t->out);
  t->out = NULL;
  if (t->ring) {
    bg_ring_put(t->ring);
    t->ring = NULL;
    pthread_cond_destroy(&t->has_space);
    pthread_cond_destroy(&t->has_data);
    pthread_mutex_destroy(&t->mu);
  }
}
