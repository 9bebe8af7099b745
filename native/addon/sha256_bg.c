/* sha256 (and optionally the file write) on a thread fed through a ring (see sha256_bg.h).
 *
 * Ring positions only grow: the producer copies into [head, tail + RING), the
 * thread hashes [hashed, head) and then writes [tail, hashed) to the file (or
 * just moves tail up when there is none). Positions are read and moved under
 * the mutex; copies, hashing and writes run outside it. The producer wakes a
 * sleeping thread once WAKE bytes wait (or at the end), not for every small
 * chunk; a waiting thread looks again every IDLE_TAKE_NS, so that fewer bytes
 * (a stalled download's) still reach the file. With O_DIRECT only whole blocks are written until the end, where the
 * flag is dropped for the last partial block. Rings and threads come from bg_ring.c. */
#include "sha256_bg.h"

#include "bg_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING BG_RING_SIZE
#define WAKE (1u << 20) /* waking a thread costs a futex call and, in a VM, an IPI: not for every chunk */
#define IDLE_TAKE_NS (20L * 1000 * 1000) /* a waiting thread looks for bytes below WAKE this often */
#define BLOCK 4096u      /* O_DIRECT alignment of offsets, lengths and memory */
#define HASHER_STACK (256u << 10)

static int pwrite_all(int fd, const unsigned char *p, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t w = pwrite(fd, p, n, (off_t)off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return w < 0 ? errno : EIO;
    p += w;
    n -= (size_t)w;
    off += (uint64_t)w;
  }
  return 0;
}

/* With the mutex held: how much of [tail, hashed) may be written now (contiguous in the ring). */
static size_t writable(struct sha256_bg *s, int last) {
  size_t n = s->hashed - s->tail;
  if (s->out_direct && !last) n -= (s->hashed - s->write_from) % BLOCK;
  size_t off = s->tail % RING;
  return n > RING - off ? RING - off : n;
}

/* With the mutex held (released around the work): hash what waits, then write what may be written. Returns whether anything moved. */
static int step(struct sha256_bg *s) {
  int moved = 0;
  if (s->hashed < s->head) {
    size_t off = s->hashed % RING;
    size_t len = s->head - s->hashed;
    if (len > RING - off) len = RING - off;
    pthread_mutex_unlock(&s->mu);
    int ok = EVP_DigestUpdate(s->ctx, s->ring + off, len) == 1;
    pthread_mutex_lock(&s->mu);
    if (!ok) s->failed = 1;
    s->hashed += len;
    moved = 1;
  }
  if (s->out_fd < 0 || s->write_err) {
    if (s->tail < s->hashed) moved = 1;
    s->tail = s->hashed;
  } else {
    int last = s->closing && s->hashed == s->head;
    size_t n = writable(s, last);
    if (n > 0) {
      if (last && s->out_direct) { /* the last partial block: without O_DIRECT */
        int fl = fcntl(s->out_fd, F_GETFL);
        if (fl >= 0) fcntl(s->out_fd, F_SETFL, fl & ~O_DIRECT);
        s->out_direct = 0;
      }
      size_t off = s->tail % RING;
      uint64_t at = s->out_off + (s->tail - s->write_from);
      pthread_mutex_unlock(&s->mu);
      int e = pwrite_all(s->out_fd, s->ring + off, n, at);
      pthread_mutex_lock(&s->mu);
      if (e) s->write_err = e;
      s->tail += n;
      moved = 1;
    }
  }
  if (moved && s->producer_waiting) pthread_cond_signal(&s->has_space);
  return moved;
}

static void *hasher_main(void *arg) {
  struct sha256_bg *s = arg;
  pthread_mutex_lock(&s->mu);
  for (;;) {
    if (s->dropping) break;
    if (step(s)) continue;
    if (s->closing && s->tail == s->head) break;
    s->hasher_waiting = 1;
    /* bytes below WAKE are not signalled: look again after a while anyway (the download may have stalled) */
    bg_wait_at_most(&s->has_data, &s->mu, IDLE_TAKE_NS);
    s->hasher_waiting = 0;
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

int sha256_bg_start(struct sha256_bg *s, berth_error *err) {
  memset(s, 0, sizeof *s);
  s->out_fd = -1;
  s->ctx = EVP_MD_CTX_new();
  if (!s->ctx || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
    return berth_fail(err, ENOMEM, "cannot start a sha256");
  }
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->has_data, NULL);
  pthread_cond_init(&s->has_space, NULL);
  s->ring = bg_ring_get();
  if (s->ring && bg_thread_start(&s->thread, HASHER_STACK, hasher_main, s) == 0) s->threaded = 1; /* else: hashed inline, as fast as before */
  return 0;
}

static int set_output(struct sha256_bg *s, int fd, int direct, uint64_t offset);

int sha256_bg_write_to(struct sha256_bg *s, const char *path, uint64_t offset, berth_error *err) {
  if (s->out_fd >= 0) return berth_fail(err, 0, "sha256: the output file is already set");
  int direct = s->threaded && offset % BLOCK == 0;
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | (direct ? O_DIRECT : 0));
  if (fd < 0 && direct && errno == EINVAL) { /* a filesystem without O_DIRECT */
    direct = 0;
    fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  }
  if (fd < 0) return berth_fail(err, errno, "cannot open %s", path);
  return set_output(s, fd, direct, offset);
}

int sha256_bg_write_to_fd(struct sha256_bg *s, int fd, uint64_t offset, berth_error *err) {
  if (s->out_fd >= 0) return berth_fail(err, 0, "sha256: the output file is already set");
  int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) return berth_fail(err, errno, "cannot duplicate descriptor %d", fd);
  return set_output(s, own, 0, offset);
}

/* Makes fd (owned from now on) the output, written from offset on. */
static int set_output(struct sha256_bg *s, int fd, int direct, uint64_t offset) {
  if (!s->threaded) {
    s->out_fd = fd;
    s->out_off = offset;
    return 0;
  }
  pthread_mutex_lock(&s->mu);
  /* what is in the ring now is not written; the file's bytes start at the next block of the ring,
   * so that ring blocks and file blocks line up for O_DIRECT */
  while (s->tail != s->head) {
    s->producer_waiting = 1;
    pthread_cond_signal(&s->has_data);
    pthread_cond_wait(&s->has_space, &s->mu);
    s->producer_waiting = 0;
  }
  s->head = s->hashed = s->tail = s->write_from = (s->head + BLOCK - 1) / BLOCK * BLOCK;
  s->out_fd = fd;
  s->out_direct = direct;
  s->out_off = offset;
  pthread_mutex_unlock(&s->mu);
  return 0;
}

unsigned char *sha256_bg_reserve(struct sha256_bg *s, size_t want, size_t *len) {
  if (!s->threaded) return NULL;
  pthread_mutex_lock(&s->mu);
  while (s->head - s->tail == RING) {
    s->producer_waiting = 1;
    if (s->hasher_waiting) pthread_cond_signal(&s->has_data);
    pthread_cond_wait(&s->has_space, &s->mu);
    s->producer_waiting = 0;
  }
  size_t off = s->head % RING;
  size_t n = RING - (s->head - s->tail);
  pthread_mutex_unlock(&s->mu);
  if (n > RING - off) n = RING - off;
  if (n > want) n = want;
  *len = n;
  return s->ring + off; /* the thread reads only [tail, head): this span is the producer's */
}

void sha256_bg_commit(struct sha256_bg *s, size_t n) {
  pthread_mutex_lock(&s->mu);
  s->head += n;
  if (s->hasher_waiting && s->head - s->hashed >= WAKE) pthread_cond_signal(&s->has_data);
  pthread_mutex_unlock(&s->mu);
}

void sha256_bg_update(struct sha256_bg *s, const void *data, size_t n) {
  const unsigned char *p = data;
  if (!s->threaded) {
    if (n > 0 && EVP_DigestUpdate(s->ctx, p, n) != 1) s->failed = 1;
    if (n > 0 && s->out_fd >= 0 && !s->write_err) {
      s->write_err = pwrite_all(s->out_fd, p, n, s->out_off);
      s->out_off += n;
    }
    return;
  }
  while (n > 0) {
    size_t len;
    unsigned char *dst = sha256_bg_reserve(s, n, &len);
    memcpy(dst, p, len);
    sha256_bg_commit(s, len);
    p += len;
    n -= len;
  }
}

static void stop_thread(struct sha256_bg *s, int drop) {
  if (!s->threaded) return;
  pthread_mutex_lock(&s->mu);
  s->closing = 1;
  s->dropping = drop;
  pthread_cond_signal(&s->has_data);
  pthread_mutex_unlock(&s->mu);
  pthread_join(s->thread, NULL);
  s->threaded = 0;
}

static int close_output(struct sha256_bg *s) {
  if (s->out_fd < 0) return 0;
  int e = close(s->out_fd) < 0 && errno != EINTR ? errno : 0;
  s->out_fd = -1;
  return e;
}

int sha256_bg_final(struct sha256_bg *s, char hex[65], berth_error *err) {
  if (!s->ctx) return berth_fail(err, 0, "sha256: the digest was already taken");
  stop_thread(s, 0);
  int werr = s->write_err ? s->write_err : close_output(s);
  unsigned char md[32];
  unsigned int len = 0;
  int ok = !s->failed && EVP_DigestFinal_ex(s->ctx, md, &len) == 1 && len == 32;
  EVP_MD_CTX_free(s->ctx);
  s->ctx = NULL;
  if (werr) return berth_fail(err, werr, "writing the downloaded bytes failed");
  if (!ok) return berth_fail(err, 0, "sha256 failed");
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[64] = 0;
  return 0;
}

void sha256_bg_release(struct sha256_bg *s) {
  if (!s->ring && !s->ctx) return; /* never started, or released */
  stop_thread(s, 1);
  close_output(s);
  bg_ring_put(s->ring);
  s->ring = NULL;
  if (s->ctx) EVP_MD_CTX_free(s->ctx);
  s->ctx = NULL;
  pthread_cond_destroy(&s->has_space);
  pthread_cond_destroy(&s->has_data);
  pthread_mutex_destroy(&s->mu);
}
