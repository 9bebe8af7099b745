/* Promises settled from the addon's background threads (see bg_call.h). */
#include "bg_call.h"

#include "bg_ring.h"

#include <stdlib.h>

static void release(struct bg_call *c) {
  free(c->path);
  c->path = NULL;
  c->release(c);
}

static void settle(napi_env env, struct bg_call *c) {
  if (c->err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, c->deferred, undef);
    return;
  }
  /* Build the errno Error by throwing it, then take it back as the rejection. */
  addon_throw_errno(env, c->err, c->syscall, c->path);
  napi_value error;
  napi_get_and_clear_last_exception(env, &error);
  napi_reject_deferred(env, c->deferred, error);
}

/* On the asking thread; env is NULL when that thread is going away. */
static void on_asking_thread(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  (void)context;
  struct bg_call *c = data;
  if (env != NULL) settle(env, c);
  release(c);
}

napi_value bg_call_begin(napi_env env, struct bg_call *c, const char *name) {
  napi_value promise, resource;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource) != napi_ok ||
      napi_create_threadsafe_function(env, NULL, NULL, resource, 0, 1, NULL, NULL, NULL, on_asking_thread, &c->tsfn) != napi_ok) {
    c->tsfn = NULL;
    napi_throw_error(env, NULL, "cannot create the completion handle");
    return NULL;
  }
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok) {
    napi_release_threadsafe_function(c->tsfn, napi_tsfn_abort);
    c->tsfn = NULL;
    napi_throw_error(env, NULL, "cannot create the promise");
    return NULL;
  }
  return promise;
}

/* Back to the asking thread, which settles and releases it. */
static void end(struct bg_call *c) {
  napi_threadsafe_function tsfn = c->tsfn;
  if (napi_call_threadsafe_function(tsfn, c, napi_tsfn_blocking) != napi_ok) release(c);
  napi_release_threadsafe_function(tsfn, napi_tsfn_release);
}

static void *serve(void *arg) {
  struct bg_queue *q = arg;
  if (q->at_start) q->at_start();
  pthread_mutex_lock(&q->mu);
  for (;;) {
    while (!q->queued) pthread_cond_wait(&q->cv, &q->mu);
    struct bg_call *batch = NULL;
    while (q->queued) { /* reversed: oldest first */
      struct bg_call *c = q->queued;
      q->queued = c->next;
      c->next = batch;
      batch = c;
    }
    pthread_mutex_unlock(&q->mu);
    q->run(batch);
    while (batch) {
      struct bg_call *c = batch;
      batch = c->next;
      end(c);
    }
    pthread_mutex_lock(&q->mu);
  }
  return NULL;
}

void bg_call_submit(napi_env env, struct bg_queue *q, struct bg_call *c) {
  int rc = 0;
  pthread_mutex_lock(&q->mu);
  if (!q->running) {
    pthread_t t;
    rc = bg_thread_start(&t, q->stack, serve, q);
    if (rc == 0) {
      pthread_detach(t); /* it lives as long as the process */
      q->running = 1;
    }
  }
  if (rc == 0) {
    c->next = q->queued;
    q->queued = c;
    pthread_cond_signal(&q->cv);
  }
  pthread_mutex_unlock(&q->mu);
  if (rc == 0) return;
  /* no thread (rare): the same work here */
  napi_release_threadsafe_function(c->tsfn, napi_tsfn_abort);
  c->next = NULL;
  q->run(c);
  settle(env, c);
  release(c);
}
