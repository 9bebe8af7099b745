/* writeOutFile(fd, path): copies the whole of an open file (a layer blob the
 * pull received into a memory file) into the file at `path` (created, or
 * emptied first; mode 0644 either way), makes its data durable (fdatasync)
 * and returns a promise (undefined, or an errno Error naming the path).
 *
 * This is the work a pull leaves behind once its image is published, so it
 * runs on one thread of its own at the lowest CPU and I/O priority: it gives
 * way to whatever the daemon and its clients do meanwhile (the CLI that
 * asked for the pull exits while the blobs are written), and keeps the
 * megabytes it copies off libuv's pool, whose four threads every fs call of
 * the daemon queues for. The thread takes the requests queued so far as one
 * batch: it copies each and starts its writeback, then waits for each, so
 * that the disk writes the batch's files together. */
#include "file_write_out.h"

#include "bg_call.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define COPY_CHUNK (1u << 20) /* per sendfile call */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_BEST_EFFORT_LOWEST ((2 << 13) | 7)

struct write_req {
  struct bg_call call;
  int src; /* a duplicate of the caller's fd, closed with the request */
  int dst;
};

static void req_free(struct bg_call *c) {
  struct write_req *r = (struct write_req *)c;
  if (r->src >= 0) close(r->src);
  if (r->dst >= 0) close(r->dst);
  free(r);
}

static int fail(struct write_req *r, const char *syscall) {
  r->call.err = errno;
  r->call.syscall = syscall;
  return -1;
}

/* Opens the destination and copies the source into it, from its start to its end. */
static int copy_one(struct write_req *r) {
  r->dst = open(r->call.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (r->dst < 0) return fail(r, "open");
  if (fchmod(r->dst, 0644) < 0) return fail(r, "fchmod"); /* a file that was there, or a umask, keeps no other mode */
  off_t at = 0;
  for (;;) {
    ssize_t n = sendfile(r->dst, r->src, &at, COPY_CHUNK);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(r, "sendfile");
    if (n == 0) return 0;
  }
}

/* Copies each and starts its writeback, then waits for each: the disk writes them together. */
static void write_batch(struct bg_call *batch) {
  for (struct bg_call *c = batch; c; c = c->next)
    if (copy_one((struct write_req *)c) == 0) sync_file_range(((struct write_req *)c)->dst, 0, 0, SYNC_FILE_RANGE_WRITE); /* an early start only */
  for (struct bg_call *c = batch; c; c = c->next)
    if (c->err == 0 && fdatasync(((struct write_req *)c)->dst) < 0) fail((struct write_req *)c, "fdatasync");
}

/* Best effort: the copies are right at any priority. */
static void lowest_priority(void) {
  pid_t self = (pid_t)syscall(SYS_gettid);
  setpriority(PRIO_PROCESS, (id_t)self, 19);
  syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, self, IOPRIO_BEST_EFFORT_LOWEST);
}

static struct bg_queue writes = BG_QUEUE(write_batch, lowest_priority, 64u << 10);

napi_value addon_write_out_file(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (addon_args(env, info, argv, 2) < 0) return NULL;
  int64_t fd;
  if (addon_int64(env, argv[0], "fd", &fd) < 0) return NULL;
  struct write_req *r = calloc(1, sizeof *r);
  if (!r) {
    napi_throw_error(env, "ENOMEM", "writeOutFile: out of memory");
    return NULL;
  }
  r->call.release = req_free;
  r->src = r->dst = -1;
  if (addon_string(env, argv[1], "path", 0, &r->call.path) < 0) {
    free(r);
    return NULL;
  }
  /* The caller may close its fd once this returns: the copy reads a duplicate. */
  r->src = fd < 0 || fd > INT32_MAX ? -1 : fcntl((int)fd, F_DUPFD_CLOEXEC, 0);
  if (r->src < 0) {
    addon_throw_errno(env, fd < 0 || fd > INT32_MAX ? EBADF : errno, "writeOutFile", r->call.path);
    free(r->call.path);
    free(r);
    return NULL;
  }
  napi_value promise = bg_call_begin(env, &r->call, "berth_write_out_file");
  if (!promise) {
    free(r->call.path);
    req_free(&r->call);
    return NULL;
  }
  bg_call_submit(env, &writes, &r->call);
  return promise;
}
