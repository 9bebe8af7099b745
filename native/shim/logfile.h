/* The container log: append-only binary records, one per read of a pipe:
 *   [1 byte stream: 1=stdout 2=stderr][8 bytes BE ns since epoch][4 bytes BE length][bytes] */
#ifndef SHIM_LOGFILE_H
#define SHIM_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SHIM_LOG_HEADER 13

int shim_log_open(const char *path, berth_error *err); /* returns fd or -1 */

int shim_log_append(int fd, uint8_t stream, uint64_t ts_ns, const void *data, size_t len, berth_error *err);

#endif
