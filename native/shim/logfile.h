/* The container log, written by one of three drivers:
 *   local      binary records [1 byte stream: 1=stdout 2=stderr][8 bytes BE ns
 *              since epoch][4 bytes BE length][bytes]. Short reads are coalesced:
 *              a stream's bytes wait up to SHIM_LOG_COALESCE_MS (or until
 *              SHIM_LOG_RECORD_MAX bytes, or until the other stream writes) and
 *              become one record stamped with the time of its first byte.
 *   json-file  Docker's format, one object per line:
 *              {"log":"...\n","stream":"stdout","time":"2006-01-02T15:04:05.999999999Z"}
 *              A partial line waits for its newline, SHIM_LOG_LINE_MAX bytes, or the end.
 *   none       nothing.
 * Both files rotate by size (see logsink.h). */
#ifndef SHIM_LOGFILE_H
#define SHIM_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "error.h"
#include "logsink.h"

#define SHIM_LOG_HEADER 13
#define SHIM_LOG_COALESCE_MS 10
#define SHIM_LOG_RECORD_MAX (16 * 1024)
#define SHIM_LOG_LINE_MAX (16 * 1024)

typedef struct shim_log {
  shim_log_driver driver;
  int open;
  shim_log_sink sink;
  /* local: the record being gathered */
  uint8_t rec_stream;
  uint64_t rec_ts, rec_due;
  size_t rec_len;
  unsigned char rec[SHIM_LOG_RECORD_MAX];
  /* json-file: each stream's partial line */
  uint64_t line_ts[2];
  size_t line_len[2];
  unsigned char line[2][SHIM_LOG_LINE_MAX];
} shim_log;

int shim_log_open(shim_log *lg, const shim_config *cfg, berth_error *err);

/* Output of stream 1 (stdout) or 2 (stderr), read at ts_ns (CLOCK_REALTIME). */
int shim_log_write(shim_log *lg, uint8_t stream, uint64_t ts_ns, const void *data, size_t len, berth_error *err);

/* CLOCK_MONOTONIC ns at which shim_log_flush should be called; 0: nothing waits. */
uint64_t shim_log_due(const shim_log *lg);

/* Write what has waited long enough; final also writes partial lines. */
int shim_log_flush(shim_log *lg, int final, berth_error *err);

void shim_log_close(shim_log *lg);

/* json-file: write one line (or a line's piece) as a JSON object. */
int shim_log_json_line(shim_log_sink *sink, uint8_t stream, uint64_t ts_ns, const unsigned char *data, size_t len,
                       berth_error *err);

#endif
