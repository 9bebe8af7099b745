/* sha256 on a hashing thread fed through a ring (see sha256_bg.h).
 *
 * The producer copies into [head, tail + RING) and the hashing thread digests
 * [tail, head); both positions only grow and are read and moved under the
 * mutex, the copies and the hashing run outside it. The producer wakes a
 * sleeping hasher once WAKE bytes wait (or at the end), not for every small
 * chunk. Rings are kept for the next digest (a few), so their pages are not
 * faulted in again for every layer. */
#include "sha256_bg.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define RING (4u << 20)
#define WAKE (1u << 20) /* waking a thread costs a futex call and, in a VM, an IPI: not for every chunk */
#define SPARE_RINGS 6
#define HASHER_STACK (256u << 10)

static pthread_mutex_t spare_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *spare[SPARE_RINGS];
static int nspare;

static unsigned char *ring_get(void) {
  unsigned char *r = NULL;
  pthread_mutex_lock(&spare_mu);
  if (nspare > 0) r = spare[--nspare];
  pthread_mutex_unlock(&spare_mu);
  return r ? r : malloc(RING);
}

static void ring_put(unsigned char *r) {
  if (!r) return;
  pthread_mutex_lock(&spare_mu);
  if (nspare < SPARE_RINGS) {
    spare[nspare++] = r;
    r = NULL;
  }
  pthread_mutex_unlock(&spare_mu);
  free(r);
}

static void *hasher_main(void *arg) {
  struct sha256_bg *s = arg;
  pthread_mutex_lock(&s->mu);
  for (;;) {
    while (s->head == s->tail && !s->closing) {
      s->hasher_waiting = 1;
      pthread_cond_wait(&s->has_data, &s->mu);
      s->hasher_waiting = 0;
    }
    if (s->dropping || s->head == s->tail) break;
    size_t off = s->tail % RING;
    size_t len = s->head - s->tail;
    if (len > RING - off) len = RING - off;
    pthread_mutex_unlock(&s->mu);
    int ok = EVP_DigestUpdate(s->ctx, s->ring + off, len) == 1;
    pthread_mutex_lock(&s->mu);
    if (!ok) s->failed = 1;
    s->tail += len;
    if (s->producer_waiting) pthread_cond_signal(&s->has_space);
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

static int start_thread(struct sha256_bg *s) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return -1;
  pthread_attr_setstacksize(&attr, HASHER_STACK);
  /* the thread inherits a full signal mask: signals stay with the threads that handle them */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&s->thread, &attr, hasher_main, s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  return rc == 0 ? 0 : -1;
}

int sha256_bg_start(struct sha256_bg *s, berth_error *err) {
  memset(s, 0, sizeof *s);
  s->ctx = EVP_MD_CTX_new();
  if (!s->ctx || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
    return berth_fail(err, ENOMEM, "cannot start a sha256");
  }
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->has_data, NULL);
  pthread_cond_init(&s->has_space, NULL);
  s->ring = ring_get();
  if (s->ring && start_thread(s) == 0) s->threaded = 1; /* else: hashed inline, as fast as before */
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
  return s->ring + off; /* the hasher reads only [tail, head): this span is the producer's */
}

void sha256_bg_commit(struct sha256_bg *s, size_t n) {
  pthread_mutex_lock(&s->mu);
  s->head += n;
  if (s->hasher_waiting && s->head - s->tail >= WAKE) pthread_cond_signal(&s->has_data);
  pthread_mutex_unlock(&s->mu);
}

void sha256_bg_update(struct sha256_bg *s, const void *data, size_t n) {
  const unsigned char *p = data;
  if (!s->threaded) {
    if (n > 0 && EVP_DigestUpdate(s->ctx, p, n) != 1) s->failed = 1;
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

int sha256_bg_final(struct sha256_bg *s, unsigned char md[32], berth_error *err) {
  if (!s->ctx) return berth_fail(err, 0, "sha256: the digest was already taken");
  stop_thread(s, 0);
  unsigned int len = 0;
  int ok = !s->failed && EVP_DigestFinal_ex(s->ctx, md, &len) == 1 && len == 32;
  EVP_MD_CTX_free(s->ctx);
  s->ctx = NULL;
  return ok ? 0 : berth_fail(err, 0, "sha256 failed");
}

void sha256_bg_release(struct sha256_bg *s) {
  if (!s->ring && !s->ctx) return; /* never started, or released */
  stop_thread(s, 1);
  ring_put(s->ring);
  s->ring = NULL;
  if (s->ctx) EVP_MD_CTX_free(s->ctx);
  s->ctx = NULL;
  pthread_cond_destroy(&s->has_space);
  pthread_cond_destroy(&s->has_data);
  pthread_mutex_destroy(&s->mu);
}
