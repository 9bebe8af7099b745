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

#include "bg_call.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct flush_req {
  struct bg_call call; /* call.err is -1 while the request's filesystem is not flushed yet */
  dev_t dev;
};

static void req_free(struct bg_call *c) {
  free(c);
}

/* One syncfs per filesystem among the requests of a batch; a request whose path cannot be
 * reached gets its own error. */
static void flush_batch(struct bg_call *batch) {
  for (struct bg_call *c = batch; c; c = c->next) {
    struct stat st;
    if (stat(c->path, &st) < 0) {
      c->err = errno;
    } else {
      ((struct flush_req *)c)->dev = st.st_dev;
      c->err = -1;
    }
  }
  for (struct bg_call *c = batch; c; c = c->next) {
    if (c->err != -1) continue;
    int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int e = fd < 0 ? errno : (syncfs(fd) < 0 ? errno : 0);
    if (fd >= 0) close(fd);
    if (fd < 0) {
      c->err = e; /* this path only: another of the same filesystem may still flush it */
      continue;
    }
    dev_t dev = ((struct flush_req *)c)->dev;
    for (struct bg_call *o = c; o; o = o->next)
      if (o->err == -1 && ((struct flush_req *)o)->dev == dev) o->err = e;
  }
}

static struct bg_queue flushes = BG_QUEUE(flush_batch, NULL, 64u << 10);

napi_value addon_syncfs(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (addon_args(env, info, argv, 1) < 0) return NULL;
  struct flush_req *r = calloc(1, sizeof *r);
  if (!r) {
    napi_throw_error(env, "ENOMEM", "syncfs: out of memory");
    return NULL;
  }
  r->call.release = req_free;
  r->call.syscall = "syncfs";
  if (addon_string(env, argv[0], "path", 0, &r->call.path) < 0) {
    free(r);
    return NULL;
  }
  napi_value promise = bg_call_begin(env, &r->call, "berth_syncfs");
  if (!promise) {
    free(r->call.path);
    free(r);
    return NULL;
  }
  bg_call_submit(env, &flushes, &r->call);
  return promise;
}
