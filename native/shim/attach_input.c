/* Reading client frames: commands are handed over whole, STDIN payloads are
 * streamed to the stdin buffer as they arrive, and a client whose STDIN
 * bytes do not fit is not read from until shim_attach_resume. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "attach.h"
#include "diag.h"
#include "util.h"

static const char not_owner[] = "stdin is attached by another client";

static void reply_error(shim_attach *a, int slot, const char *msg) {
  shim_attach_send(a, slot, SHIM_FRAME_ERROR, msg, strlen(msg));
}

static void consume(shim_client *c, size_t n) {
  memmove(c->in, c->in + n, c->in_len - n);
  c->in_len -= n;
}

/* A STDIN frame begins: may this client write to stdin? */
static int claim_stdin(shim_attach *a, int slot) {
  const char *why = "stdin is not open";
  if (a->stdin_owner >= 0 && a->stdin_owner != slot) {
    reply_error(a, slot, not_owner);
    return 0;
  }
  if (!a->on_stdin || a->on_stdin(a->ctx, NULL, 0, &why) < 0) {
    reply_error(a, slot, why);
    return 0;
  }
  a->stdin_owner = slot;
  return 1;
}

/* Pass STDIN payload bytes on; returns 0 when the client must wait. */
static int feed_stdin(shim_attach *a, int slot) {
  shim_client *c = &a->clients[slot];
  size_t n = c->in_len < c->stdin_left ? c->in_len : c->stdin_left;
  size_t used = n;
  if (!c->stdin_discard) {
    const char *why = "stdin is closed";
    ssize_t r = a->on_stdin(a->ctx, c->in, n, &why);
    if (r < 0) {
      reply_error(a, slot, why);
      c->stdin_discard = 1;
    } else {
      used = (size_t)r;
    }
  }
  consume(c, used);
  c->stdin_left -= (uint32_t)used;
  if (used < n) {
    c->blocked = 1;
    return 0;
  }
  return 1;
}

static void parse_frames(shim_attach *a, int slot) {
  shim_client *c = &a->clients[slot];
  while (c->fd >= 0 && !c->blocked) {
    if (c->stdin_left > 0) {
      if (c->in_len == 0 || !feed_stdin(a, slot)) return;
      continue;
    }
    if (c->in_len < SHIM_FRAME_HEADER) return;
    uint8_t type = c->in[0];
    uint32_t len = shim_get_be32(c->in + 1);
    if (type == SHIM_FRAME_STDIN) {
      consume(c, SHIM_FRAME_HEADER);
      c->stdin_left = len;
      c->stdin_discard = !claim_stdin(a, slot);
      continue;
    }
    if (len > SHIM_CMD_PAYLOAD_MAX) {
      static const char msg[] = "frame too large";
      shim_attach_send(a, slot, SHIM_FRAME_ERROR, msg, sizeof msg - 1);
      shim_attach_drop(a, slot, msg);
      return;
    }
    size_t total = SHIM_FRAME_HEADER + len;
    if (c->in_len < total) return;
    char payload[SHIM_CMD_PAYLOAD_MAX + 1];
    memcpy(payload, c->in + SHIM_FRAME_HEADER, len);
    payload[len] = '\0';
    consume(c, total);
    if (type == SHIM_FRAME_STDIN_CLOSE && a->stdin_owner >= 0 && a->stdin_owner != slot) {
      reply_error(a, slot, not_owner);
      continue;
    }
    a->on_command(a, slot, type, payload, len, a->ctx);
  }
}

/* Read and parse until the socket is empty, closed, or the client must wait. */
static void read_input(shim_attach *a, int slot) {
  shim_client *c = &a->clients[slot];
  while (c->fd >= 0 && !c->read_closed && !c->blocked) {
    ssize_t n = read(c->fd, c->in + c->in_len, SHIM_CLIENT_IN - c->in_len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) shim_attach_drop(a, slot, strerror(errno));
      return;
    }
    if (n == 0) {
      c->read_closed = 1; /* the client may still read output */
      return;
    }
    c->in_len += (size_t)n;
    parse_frames(a, slot);
  }
}

void shim_attach_event(shim_attach *a, int slot, uint32_t events) {
  if (slot < 0 || slot >= SHIM_MAX_CLIENTS) return;
  shim_client *c = &a->clients[slot];
  if (c->fd < 0) return;
  if ((events & EPOLLOUT) && shim_attach_flush(a, slot) < 0) return;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
    read_input(a, slot);
    if (c->fd >= 0 && (events & (EPOLLERR | EPOLLHUP))) {
      if (!c->blocked) {
        shim_attach_drop(a, slot, "hung up");
        return;
      }
      /* Gone, but what it sent still goes to stdin: wait outside epoll,
       * which would report the hang-up again and again. */
      epoll_ctl(a->epfd, EPOLL_CTL_DEL, c->fd, NULL);
      c->parked = 1;
      return;
    }
  }
  if (c->fd >= 0) shim_attach_watch(a, slot);
}

void shim_attach_resume(shim_attach *a) {
  for (int i = 0; i < SHIM_MAX_CLIENTS; i++) {
    shim_client *c = &a->clients[i];
    if (c->fd < 0 || !c->blocked) continue;
    c->blocked = 0;
    parse_frames(a, i);
    if (c->fd < 0 || c->blocked) continue;
    if (!c->parked) {
      shim_attach_watch(a, i);
      continue;
    }
    read_input(a, i);
    if (c->fd >= 0 && !c->blocked) shim_attach_drop(a, i, "hung up");
  }
}
