/* The process's stdin as the shim holds it: the write end of a pipe, or a
 * second descriptor for the pty master. Bytes that the fd does not take at
 * once wait in a buffer of SHIM_STDIN_BUFFER bytes (allocated only while it
 * holds something); while it is full the attach layer stops reading from the
 * writing client. STDIN_CLOSE closes the pipe once the buffer is written; on
 * a terminal it sends the VEOF character (^D) instead, as a keyboard would. */
#ifndef SHIM_STDIN_H
#define SHIM_STDIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define SHIM_STDIN_BUFFER (64 * 1024)

typedef struct shim_stdin {
  int fd;            /* non-blocking; -1 when closed or never opened */
  int opened;        /* there was a stdin to write */
  int is_tty;
  int close_pending; /* STDIN_CLOSE came while bytes were buffered */
  int epfd;
  uint64_t tag;
  int watching;
  size_t off, len;
  unsigned char *buf;
} shim_stdin;

/* fd may be -1 (no stdin: every write is refused). Takes ownership of fd. */
void shim_stdin_init(shim_stdin *s, int fd, int is_tty, int epfd, uint64_t tag);

/* Take up to len bytes; returns the count taken, 0 when full, -1 with *why
 * when stdin is not open or was closed. len 0 only asks. */
ssize_t shim_stdin_write(shim_stdin *s, const void *data, size_t len, const char **why);

/* The fd became writable (epoll event with s->tag). Returns 1 if buffer
 * space was freed, so held-back clients can be resumed. */
int shim_stdin_writable(shim_stdin *s);

/* STDIN_CLOSE: returns 0, or -1 with *why. */
int shim_stdin_close(shim_stdin *s, const char **why);

/* Drop everything (the process is gone). */
void shim_stdin_shutdown(shim_stdin *s);

#endif
