/* The attach socket STATE/attach.sock. Frames in both directions are
 * [1 byte type][4 bytes big-endian payload length][payload].
 *   shim -> client: 0x01 stdout, 0x02 stderr, 0x03 exit (exit.json text),
 *                   0x04 reply ok (JSON), 0x05 reply error (message)
 *   client -> shim: 0x10 START, 0x11 KILL (payload: signal number in ASCII)
 * Clients never block the shim: output is queued per client and a client
 * whose queue passes SHIM_CLIENT_BACKLOG_MAX is dropped. */
#ifndef SHIM_ATTACH_H
#define SHIM_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum {
  SHIM_FRAME_STDOUT = 0x01,
  SHIM_FRAME_STDERR = 0x02,
  SHIM_FRAME_EXIT = 0x03,
  SHIM_FRAME_OK = 0x04,
  SHIM_FRAME_ERROR = 0x05,
  SHIM_FRAME_START = 0x10,
  SHIM_FRAME_KILL = 0x11,
};

#define SHIM_FRAME_HEADER 5
#define SHIM_MAX_CLIENTS 32
#define SHIM_CMD_PAYLOAD_MAX 256
#define SHIM_CLIENT_BACKLOG_MAX (256 * 1024)

/* epoll tags: the listening socket and clients (tag base + slot). */
#define SHIM_TAG_LISTEN 4u
#define SHIM_TAG_CLIENT 16u

typedef struct shim_client {
  int fd; /* -1: free slot */
  int read_closed;
  int watching_out;
  size_t in_len;
  unsigned char in[SHIM_FRAME_HEADER + SHIM_CMD_PAYLOAD_MAX];
  unsigned char *out; /* pending bytes, allocated only while a backlog exists */
  size_t out_len, out_cap;
} shim_client;

struct shim_attach;
typedef void (*shim_command_fn)(struct shim_attach *a, int slot, uint8_t type, const char *payload, size_t len,
                                void *ctx);

typedef struct shim_attach {
  int listen_fd;
  int epfd;
  shim_command_fn on_command;
  void *ctx;
  const char *exit_text; /* once set, every new client gets the exit frame */
  shim_client clients[SHIM_MAX_CLIENTS];
} shim_attach;

/* Bind path (relative to the current directory) with mode 0600, listen,
 * and register with epfd. */
int shim_attach_listen(shim_attach *a, int epfd, const char *path, shim_command_fn fn, void *ctx, berth_error *err);

void shim_attach_accept(shim_attach *a);
void shim_attach_event(shim_attach *a, int slot, uint32_t events);

/* Queue a frame to one client / every client. A client that cannot keep up
 * is dropped (the return value says whether it is still connected). */
int shim_attach_send(shim_attach *a, int slot, uint8_t type, const void *data, size_t len);
void shim_attach_broadcast(shim_attach *a, uint8_t type, const void *data, size_t len);

/* Send queued output for up to timeout_ms, then close every client and the
 * listening socket, and remove path. */
void shim_attach_shutdown(shim_attach *a, const char *path, int timeout_ms);

#endif
