/* Error and debug reporting: stderr for the caller, plus --log FILE in text
 * (logfmt like runc) or json ({"level","msg","time"} per line). */
#include "runtime.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static const global_opts *opts;

void log_setup(const global_opts *g) { opts = g; }

void rfc3339_now(char *buf, size_t len) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  char sec[32];
  strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, len, "%s.%09ldZ", sec, ts.tv_nsec);
}

static void append_log(const char *level, const char *msg) {
  if (!opts || !opts->log_path) return;
  int fd = open(opts->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char ts[64];
  rfc3339_now(ts, sizeof ts);
  json_writer w;
  jw_init(&w, false);
  if (opts->log_json) {
    jw_begin_object(&w);
    jw_key(&w, "level"); jw_string(&w, level);
    jw_key(&w, "msg"); jw_string(&w, msg);
    jw_key(&w, "time"); jw_string(&w, ts);
    jw_end_object(&w);
  } else {
    jw_string(&w, msg); /* a quoted, escaped message, as logfmt wants */
  }
  berth_error e;
  const char *body = jw_result(&w, &e);
  if (body) {
    char *line = NULL;
    int n = opts->log_json ? asprintf(&line, "%s\n", body) : asprintf(&line, "time=\"%s\" level=%s msg=%s\n", ts, level, body);
    if (n > 0 && write(fd, line, (size_t)n) < 0) { /* nowhere left to report it */ }
    free(line);
  }
  jw_free(&w);
  close(fd);
}

void log_error(const char *msg) {
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
  append_log("error", msg);
}

static void vlog(const char *level, bool to_stderr, const char *fmt, va_list ap) {
  char msg[BERTH_ERROR_MSG_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (to_stderr) fprintf(stderr, "berth-runtime: %s: %s\n", level, msg);
  append_log(level, msg);
}

void log_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog("warning", !opts || !opts->log_path, fmt, ap);
  va_end(ap);
}

void log_debug(const char *fmt, ...) {
  if (!opts || !opts->debug) return;
  va_list ap;
  va_start(ap, fmt);
  vlog("debug", !opts->log_path, fmt, ap);
  va_end(ap);
}
