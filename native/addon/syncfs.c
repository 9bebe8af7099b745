/* syncfs(path): flushes the filesystem holding `path` and returns a promise
 * (undefined, or an errno Error naming the path).
 *
 * The flushes run on one thread of their own, shared by every JavaScript
 * thread of the process, not on libuv's thread pool: a flush takes 20-200 ms
 * while layers are being written, and on the pool it held one of the four
 * threads that every fs.promises call of the daemon queues for (a layer's
 * set-up waited behind three flushes). The thread also commits flushes in
 * groups across threads: every request queued before a flush starts is
 * served by that flush (one syncfs per filesystem), requests that arrive
 * while it runs wait for the next one. */
#include "syncfs.h"

#include "bg_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSHER_STACK (64u << 10)

struct flush_req {
  struct flush_req *next;
  char *path;
  napi_deferred deferred;
  napi_threadsafe_function tsfn;
  dev_t dev;
  int err;
};

static pthread_mutex_t flush_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flush_cv = PTHREAD_COND_INITIALIZER;
static struct flush_req *flush_queue; /* waiting for a flush that has not started */
static int flusher_running;

static void req_free(struct flush_req *r) {
  free(r->path);
  free(r);
}

/* On the requesting thread: settles the promise. env is NULL when that thread is going away. */
static void settle(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  (void)context;
  struct flush_req *r = data;
  if (env != NULL) {
    if (r->err == 0) {
      napi_value undef;
      napi_get_undefined(env, &undef);
      napi_resolve_deferred(env, r->deferred, undef);
    } else {
      /* Build the errno Error by throwing it, then take it back as the rejection. */
      addon_throw_errno(env, r->err, "syncfs", r->path);
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_reject_deferred(env, r->deferred, error);
    }
  }
  req_free(r);
}

/* One syncfs per filesystem among the requests of a batch; a request whose path cannot be
 * reached gets its own error. */
static void flush_batch(struct flush_req *batch) {
  for (struct flush_req *r = batch; r; r = r->next) {
    struct stat st;
    if (stat(r->path, &st) < 0) {
      r->err = errno;
    } else {
      r->dev = st.st_dev;
      r->err = -1; /* not flushed yet */
    }
  }
  for (struct flush_req *r = batch; r; r = r->next) {
    if (r->err != -1) continue;
    int fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int e = fd < 0 ? errno : (syncfs(fd) < 0 ? errno : 0);
    if (fd >= 0) close(fd);
    if (fd < 0) {
      r->err = e; /* this path only: another of the same filesystem may still flush it */
      continue;
    }
    for (struct flush_req *o = r; o; o = o->next)
      if (o->err == -1 && o->dev == r->dev) o->err = e;
  }
}

static void *flusher(void *arg) {
  (void)arg;
  pthread_mutex_lock(&flush_mu);
  for (;;) {
    while (!flush_queue) pthread_cond_wait(&flush_cv, &flush_mu);
    struct flush_req *batch = flush_queue;
    flush_queue = NULL;
    pthread_mutex_unlock(&flush_mu);
    flush_batch(batch);
    while (batch) {
      struct flush_req *r = batch;
      batch = r->next;
      napi_threadsafe_function tsfn = r->tsfn;
      if (napi_call_threadsafe_function(tsfn, r, napi_tsfn_blocking) != napi_ok) req_free(r);
      napi_release_threadsafe_function(tsfn, napi_tsfn_release);
    }
    pthread_mutex_lock(&flush_mu);
  }
  return NULL;
}

/* Queues r, starting the thread on first use; 0, or -1 when no thread could be started. */
static int enqueue(struct flush_req *r) {
  int rc = 0;
  pthread_mutex_lock(&flush_mu);
  if (!flusher_running) {
    pthread_t t;
    rc = bg_thread_start(&t, FLUSHER_STACK, flusher, NULL);
    if (rc == 0) {
      pthread_detach(t); /* it lives as long as the process */
      flusher_running = 1;
    }
  }
  if (rc == 0) {
    r->next = flush_queue;
    flush_queue = r;
    pthread_cond_signal(&flush_cv);
  }
  pthread_mutex_unlock(&flush_mu);
  return rc;
}

napi_value addon_syncfs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct flush_req *r = calloc(1, sizeof *r);
  if (!r) {
    napi_throw_error(env, "ENOMEM", "syncfs: out of memory");
    return NULL;
  }
  if (addon_string(env, argv[0], "path", 0, &r->path) < 0) {
    free(r);
    return NULL;
  }
  napi_value promise, name;
  if (napi_create_string_utf8(env, "berth_syncfs", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, NULL, settle, &r->tsfn) != napi_ok) {
    req_free(r);
    napi_throw_error(env, NULL, "syncfs: cannot create the completion handle");
    return NULL;
  }
  if (napi_create_promise(env, &r->deferred, &promise) != napi_ok) {
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    req_free(r);
    napi_throw_error(env, NULL, "syncfs: cannot create the promise");
    return NULL;
  }
  if (enqueue(r) < 0) {
    /* no thread: flush here, synchronously (rare; the result is the same) */
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    r->next = NULL;
    flush_batch(r);
    settle(env, NULL, NULL, r);
  }
  return promise;
}
