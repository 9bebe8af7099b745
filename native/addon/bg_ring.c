/* See bg_ring.h. Three layers are pulled at a time by default, each with two
 * digests and an extraction on threads of their own: nine rings kept cover
 * that. */
#include "bg_ring.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>

#define SPARE_RINGS 9

static pthread_mutex_t spare_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *spare[SPARE_RINGS];
static int nspare;

unsigned char *bg_ring_get(void) {
  unsigned char *r = NULL;
  pthread_mutex_lock(&spare_mu);
  if (nspare > 0) r = spare[--nspare];
  pthread_mutex_unlock(&spare_mu);
  return r ? r : aligned_alloc(BG_RING_ALIGN, BG_RING_SIZE);
}

void bg_ring_put(unsigned char *r) {
  if (!r) return;
  pthread_mutex_lock(&spare_mu);
  if (nspare < SPARE_RINGS) {
    spare[nspare++] = r;
    r = NULL;
  }
  pthread_mutex_unlock(&spare_mu);
  free(r);
}

int bg_thread_start(pthread_t *thread, size_t stack, void *(*fn)(void *), void *arg) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return -1;
  pthread_attr_setstacksize(&attr, stack);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(thread, &attr, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  return rc == 0 ? 0 : -1;
}

void bg_wait_at_most(pthread_cond_t *cv, pthread_mutex_t *mu, long ns) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_nsec += ns;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(cv, mu, &until);
}
