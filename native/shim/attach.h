/* The attach socket STATE/attach.sock. Frames in both directions are
 * [1 byte type][4 bytes big-endian payload length][payload].
 *   shim -> client: 0x01 stdout, 0x02 stderr, 0x03 exit (exit.json text),
 *                   0x04 reply ok (JSON), 0x05 reply error (message)
 *   client -> shim: 0x10 START, 0x11 KILL (payload: signal number in ASCII),
 *                   0x12 STDIN (bytes for the process's stdin, any length; no
 *                   reply unless refused), 0x13 STDIN_CLOSE, 0x14 RESIZE
 *                   (payload "ROWS COLS" in ASCII)
 * Every command frame (START, KILL, STDIN_CLOSE, RESIZE) gets exactly one
 * reply; STDIN frames get an error reply only when refused. The first client
 * to send STDIN owns stdin until it disconnects; STDIN and STDIN_CLOSE from
 * anyone else are refused with "stdin is attached by another client".
 * STDIN payloads are streamed, never held whole: while the stdin buffer is
 * full the shim stops reading from the owner (backpressure).
 * Clients never block the shim: output is queued per client and a client
 * whose queue passes its backlog limit is dropped. */
#ifndef SHIM_ATTACH_H
#define SHIM_ATTACH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum {
  SHIM_FRAME_STDOUT = 0x01,
  SHIM_FRAME_STDERR = 0x02,
  SHIM_FRAME_EXIT = 0x03,
  SHIM_FRAME_OK = 0x04,
  SHIM_FRAME_ERROR = 0x05,
  SHIM_FRAME_START = 0x10,
  SHIM_FRAME_KILL = 0x11,
  SHIM_FRAME_STDIN = 0x12,
  SHIM_FRAME_STDIN_CLOSE = 0x13,
  SHIM_FRAME_RESIZE = 0x14,
};

#define SHIM_FRAME_HEADER 5
#define SHIM_MAX_CLIENTS 32
#define SHIM_CMD_PAYLOAD_MAX 256
#define SHIM_CLIENT_IN 4096 /* per-client input buffer, allocated while connected */
#define SHIM_CLIENT_BACKLOG_MAX (256 * 1024)

/* epoll tags: the listening socket and clients (tag base + slot). */
#define SHIM_TAG_LISTEN 4u
#define SHIM_TAG_CLIENT 16u

typedef struct shim_client {
  int fd; /* -1: free slot */
  int read_closed;
  int watching_out;
  int blocked;          /* stdin is full: not reading from this client */
  int parked;           /* blocked and hung up: out of the epoll set until stdin drains */
  int stdin_discard;    /* the current STDIN frame was refused */
  uint32_t stdin_left;  /* payload bytes of the current STDIN frame still to come */
  size_t in_len;
  unsigned char *in;    /* SHIM_CLIENT_IN bytes */
  unsigned char *out;   /* pending bytes, allocated only while a backlog exists */
  size_t out_len, out_cap, backlog_max;
} shim_client;

struct shim_attach;
typedef void (*shim_command_fn)(struct shim_attach *a, int slot, uint8_t type, const char *payload, size_t len,
                                void *ctx);
/* Take up to len bytes for stdin (len 0: may this client write at all?).
 * Returns the bytes taken (fewer when the buffer is full), or -1 with *why. */
typedef ssize_t (*shim_stdin_fn)(void *ctx, const void *data, size_t len, const char **why);
typedef void (*shim_accept_fn)(struct shim_attach *a, int slot, void *ctx);

typedef struct shim_attach {
  int listen_fd;
  int epfd;
  shim_command_fn on_command;
  shim_stdin_fn on_stdin;   /* optional: without it STDIN is refused */
  shim_accept_fn on_accept; /* optional: called for each new client */
  void *ctx;
  int stdin_owner;          /* slot, or -1 */
  const char *exit_text;    /* once set, every new client gets the exit frame */
  shim_client clients[SHIM_MAX_CLIENTS];
} shim_attach;

/* Bind path (relative to the current directory) with mode 0600, listen,
 * and register with epfd. */
int shim_attach_listen(shim_attach *a, int epfd, const char *path, shim_command_fn fn, void *ctx, berth_error *err);

void shim_attach_accept(shim_attach *a);
void shim_attach_event(shim_attach *a, int slot, uint32_t events);

/* Stdin has room again: read from clients that were held back. */
void shim_attach_resume(shim_attach *a);

/* Queue a frame to one client / every client. A client that cannot keep up
 * is dropped (the return value says whether it is still connected). */
int shim_attach_send(shim_attach *a, int slot, uint8_t type, const void *data, size_t len);
void shim_attach_broadcast(shim_attach *a, uint8_t type, const void *data, size_t len);

/* Queue already framed bytes to one client, raising its backlog limit by len
 * (output kept for a client that was not there yet). */
int shim_attach_send_raw(shim_attach *a, int slot, const void *data, size_t len);

/* Send queued output for up to timeout_ms, then close every client and the
 * listening socket, and remove path. */
void shim_attach_shutdown(shim_attach *a, const char *path, int timeout_ms);

/* Internal to attach*.c. */
void shim_attach_drop(shim_attach *a, int slot, const char *why);
void shim_attach_watch(shim_attach *a, int slot);
int shim_attach_flush(shim_attach *a, int slot);

#endif
