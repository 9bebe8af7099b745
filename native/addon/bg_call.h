/* Calls that a background thread of the addon serves and a promise reports
 * (syncfs.c, file_write_out.c): the request carries the deferred promise and
 * a threadsafe function back to the thread that asked, and is freed there
 * once the promise is settled, or when that thread has gone away. Each kind
 * of call has a queue and one thread, started on first use and shared by
 * every JavaScript thread of the process, which takes everything queued so
 * far as one batch. */
#ifndef BERTH_ADDON_BG_CALL_H
#define BERTH_ADDON_BG_CALL_H

#include "napi_util.h"

#include <pthread.h>

struct bg_call {
  napi_deferred deferred;
  napi_threadsafe_function tsfn;
  int err;             /* 0, or the errno the promise is rejected with */
  const char *syscall; /* the call that failed, named in the rejection */
  char *path;          /* named in the rejection; freed with the request */
  void (*release)(struct bg_call *); /* frees the request this is embedded in */
  struct bg_call *next;              /* in its queue, then in its batch */
};

struct bg_queue {
  void (*run)(struct bg_call *batch); /* on the thread: does a batch's work (oldest first), setting each err */
  void (*at_start)(void);             /* on the thread, once before the first batch (NULL: nothing) */
  size_t stack;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct bg_call *queued; /* newest first */
  int running;
};

#define BG_QUEUE(run_fn, at_start_fn, stack_bytes) \
  { .run = (run_fn), .at_start = (at_start_fn), .stack = (stack_bytes), .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER }

/* On the asking thread: creates the promise and the way back to this thread. NULL after throwing;
 * the caller then releases the request itself. */
napi_value bg_call_begin(napi_env env, struct bg_call *c, const char *name);

/* On the asking thread, after bg_call_begin: hands c to the queue's thread, which settles it once its
 * batch is done (when no thread can be started, the call runs here, synchronously). */
void bg_call_submit(napi_env env, struct bg_queue *q, struct bg_call *c);

#endif
