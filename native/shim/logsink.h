/* The file a log driver writes: append-only, buffered, rotated by size.
 * Drivers write in units (a record, a JSON line); a unit is never split
 * across files. Rotation keeps max_file files: F.(n-2) -> F.(n-1), ...,
 * F -> F.1, the oldest dropped; F itself is swapped for a fresh empty file
 * with RENAME_EXCHANGE, so a reader always finds F. With max_file 1 the
 * old content is simply dropped. */
#ifndef SHIM_LOGSINK_H
#define SHIM_LOGSINK_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SHIM_SINK_BUFFER (16 * 1024)

typedef struct shim_log_sink {
  int fd;
  char path[PATH_MAX];
  uint64_t size;      /* bytes in the current file, including the buffer */
  uint64_t max_size;  /* 0: never rotate */
  unsigned max_file;
  uint64_t due_ns;    /* CLOCK_MONOTONIC ns by which the buffer should be written; 0 when empty */
  size_t len;
  unsigned char buf[SHIM_SINK_BUFFER];
} shim_log_sink;

/* Open (or create) path for appending; its current size counts towards rotation. */
int shim_sink_open(shim_log_sink *s, const char *path, uint64_t max_size, unsigned max_file, berth_error *err);

/* Start a unit of len bytes: rotates first if it would not fit. */
int shim_sink_unit(shim_log_sink *s, size_t len, berth_error *err);

/* Append bytes of the current unit; the buffer is written when full and
 * at the latest delay_ns after it stopped being empty (see due_ns). */
int shim_sink_put(shim_log_sink *s, const void *data, size_t len, uint64_t delay_ns, berth_error *err);

int shim_sink_flush(shim_log_sink *s, berth_error *err);

void shim_sink_close(shim_log_sink *s);

#endif
