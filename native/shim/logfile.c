#include "logfile.h"

#include <string.h>
#include <time.h>

#include "util.h"

#define COALESCE_NS ((uint64_t)SHIM_LOG_COALESCE_MS * 1000000ull)

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int shim_log_open(shim_log *lg, const shim_config *cfg, berth_error *err) {
  lg->driver = cfg->log_driver;
  lg->open = 0;
  lg->rec_len = 0;
  lg->line_len[0] = lg->line_len[1] = 0;
  if (lg->driver == SHIM_LOG_NONE) return 0;
  if (shim_sink_open(&lg->sink, cfg->log_file, cfg->log_max_size, cfg->log_max_file, err) < 0) return -1;
  lg->open = 1;
  return 0;
}

/* local: one record out of data, straight to the file. */
static int put_record(shim_log *lg, uint8_t stream, uint64_t ts, const void *data, size_t len, berth_error *err) {
  unsigned char hdr[SHIM_LOG_HEADER];
  hdr[0] = stream;
  shim_put_be64(hdr + 1, ts);
  shim_put_be32(hdr + 9, (uint32_t)len);
  if (shim_sink_unit(&lg->sink, sizeof hdr + len, err) < 0) return -1;
  if (shim_sink_put(&lg->sink, hdr, sizeof hdr, 0, err) < 0) return -1;
  if (shim_sink_put(&lg->sink, data, len, 0, err) < 0) return -1;
  return shim_sink_flush(&lg->sink, err);
}

static int flush_record(shim_log *lg, berth_error *err) {
  if (lg->rec_len == 0) return 0;
  size_t len = lg->rec_len;
  lg->rec_len = 0;
  lg->rec_due = 0;
  return put_record(lg, lg->rec_stream, lg->rec_ts, lg->rec, len, err);
}

static int local_write(shim_log *lg, uint8_t stream, uint64_t ts, const unsigned char *data, size_t len,
                       berth_error *err) {
  /* Records stay in order: the other stream's bytes go out first. */
  if (lg->rec_len && (lg->rec_stream != stream || lg->rec_len + len > sizeof lg->rec))
    if (flush_record(lg, err) < 0) return -1;
  if (len >= sizeof lg->rec) return put_record(lg, stream, ts, data, len, err);
  if (lg->rec_len == 0) {
    lg->rec_stream = stream;
    lg->rec_ts = ts;
    lg->rec_due = mono_ns() + COALESCE_NS;
  }
  memcpy(lg->rec + lg->rec_len, data, len);
  lg->rec_len += len;
  return 0;
}

static int json_write(shim_log *lg, uint8_t stream, uint64_t ts, const unsigned char *data, size_t len,
                      berth_error *err) {
  int i = stream == 2;
  while (len > 0) {
    const unsigned char *nl = memchr(data, '\n', len);
    size_t take = nl ? (size_t)(nl - data) + 1 : len;
    size_t held = lg->line_len[i];
    if (held == 0 && nl && take <= SHIM_LOG_LINE_MAX) {
      /* A whole line in this read: no copy. */
      if (shim_log_json_line(&lg->sink, stream, ts, data, take, err) < 0) return -1;
    } else {
      if (held == 0) lg->line_ts[i] = ts;
      size_t room = SHIM_LOG_LINE_MAX - held;
      if (take > room) {
        take = room;
        nl = NULL;
      }
      memcpy(lg->line[i] + held, data, take);
      lg->line_len[i] = held + take;
      if (nl || lg->line_len[i] == SHIM_LOG_LINE_MAX) {
        lg->line_len[i] = 0;
        if (shim_log_json_line(&lg->sink, stream, lg->line_ts[i], lg->line[i], held + take, err) < 0) return -1;
      }
    }
    data += take;
    len -= take;
  }
  return 0;
}

int shim_log_write(shim_log *lg, uint8_t stream, uint64_t ts_ns, const void *data, size_t len, berth_error *err) {
  if (!lg->open || len == 0) return 0;
  if (lg->driver == SHIM_LOG_LOCAL) return local_write(lg, stream, ts_ns, data, len, err);
  return json_write(lg, stream, ts_ns, data, len, err);
}

uint64_t shim_log_due(const shim_log *lg) {
  if (!lg->open) return 0;
  uint64_t due = lg->sink.len ? lg->sink.due_ns : 0;
  if (lg->rec_len && (!due || lg->rec_due < due)) due = lg->rec_due;
  return due;
}

int shim_log_flush(shim_log *lg, int final, berth_error *err) {
  if (!lg->open) return 0;
  uint64_t now = mono_ns();
  if (lg->rec_len && (final || lg->rec_due <= now) && flush_record(lg, err) < 0) return -1;
  if (final && lg->driver == SHIM_LOG_JSON) {
    for (int i = 0; i < 2; i++) {
      size_t n = lg->line_len[i];
      lg->line_len[i] = 0;
      if (n && shim_log_json_line(&lg->sink, (uint8_t)(i + 1), lg->line_ts[i], lg->line[i], n, err) < 0) return -1;
    }
  }
  if (lg->sink.len && (final || lg->sink.due_ns <= now)) return shim_sink_flush(&lg->sink, err);
  return 0;
}

void shim_log_close(shim_log *lg) {
  berth_error err;
  if (!lg->open) return;
  if (shim_log_flush(lg, 1, &err) < 0) err.msg[0] = '\0';
  shim_sink_close(&lg->sink);
  lg->open = 0;
}
