/* What the native threads fed through a ring share (sha256_bg.c,
 * untar_thread.c): the 4 MiB page-aligned rings, a few of which are kept for
 * the next layer so that their pages are not faulted in again for every
 * layer; starting such a thread (also syncfs.c's flusher), with every signal
 * blocked; and its idle wait. */
#ifndef BERTH_ADDON_BG_RING_H
#define BERTH_ADDON_BG_RING_H

#include <pthread.h>
#include <stddef.h>

#define BG_RING_SIZE (4u << 20)
#define BG_RING_ALIGN 4096u

/* A ring of BG_RING_SIZE bytes (NULL when out of memory). */
unsigned char *bg_ring_get(void);
/* Gives it back (NULL is ignored). */
void bg_ring_put(unsigned char *ring);

/* Starts fn(arg) on a thread with `stack` bytes of stack and every signal blocked (signals stay
 * with the threads that handle them). 0, or -1 when no thread could be started. */
int bg_thread_start(pthread_t *thread, size_t stack, void *(*fn)(void *), void *arg);

/* With mu held: waits on cv for at most ns nanoseconds. */
void bg_wait_at_most(pthread_cond_t *cv, pthread_mutex_t *mu, long ns);

#endif
