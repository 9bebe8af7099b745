/* Small fd and path helpers used throughout the shim. */
#ifndef SHIM_UTIL_H
#define SHIM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Write all of buf, retrying on EINTR and short writes (blocking fds). */
int shim_write_all(int fd, const void *buf, size_t len, berth_error *err);

/* Set O_NONBLOCK on fd. */
int shim_set_nonblock(int fd, berth_error *err);

/* Read a whole small file (at most size-1 bytes) into buf, NUL-terminated. */
int shim_read_small_file(const char *path, char *buf, size_t size, berth_error *err);

/* Join dir and name into out ("dir/name"). Fails if it does not fit. */
int shim_path_join(char *out, size_t size, const char *dir, const char *name, berth_error *err);

/* Nanoseconds since the epoch (CLOCK_REALTIME). */
uint64_t shim_now_ns(void);

/* Store v big-endian into p. */
void shim_put_be32(unsigned char *p, uint32_t v);
void shim_put_be64(unsigned char *p, uint64_t v);
uint32_t shim_get_be32(const unsigned char *p);

#endif
