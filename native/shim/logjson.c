/* json-file lines, as Docker writes them: the text is JSON-escaped with
 * <, > and & as \u003c \u003e \u0026, U+2028/U+2029 escaped, and every byte
 * of invalid UTF-8 replaced by \ufffd; the time is RFC 3339 in UTC with
 * nanoseconds, trailing zeros dropped. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "logfile.h"

#define JSON_DELAY_NS ((uint64_t)SHIM_LOG_COALESCE_MS * 1000000ull)

/* Length of the valid UTF-8 sequence at p (at most left bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t left) {
  unsigned c = p[0];
  size_t n;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (left < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  return n;
}

/* Escape the character at p into out (room for 8); *used gets the input bytes taken. */
static size_t escape_one(const unsigned char *p, size_t left, char *out, size_t *used) {
  static const char hex[] = "0123456789abcdef";
  unsigned c = p[0];
  *used = 1;
  switch (c) {
    case '"': memcpy(out, "\\\"", 2); return 2;
    case '\\': memcpy(out, "\\\\", 2); return 2;
    case '\n': memcpy(out, "\\n", 2); return 2;
    case '\r': memcpy(out, "\\r", 2); return 2;
    case '\t': memcpy(out, "\\t", 2); return 2;
    default: break;
  }
  if (c < 0x20 || c == '<' || c == '>' || c == '&') {
    memcpy(out, "\\u00", 4);
    out[4] = hex[c >> 4];
    out[5] = hex[c & 15];
    return 6;
  }
  if (c < 0x80) {
    out[0] = (char)c;
    return 1;
  }
  size_t n = utf8_len(p, left);
  if (n == 0) {
    memcpy(out, "\\ufffd", 6);
    return 6;
  }
  *used = n;
  if (n == 3 && c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
    memcpy(out, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
    return 6;
  }
  memcpy(out, p, n);
  return n;
}

static size_t escaped_len(const unsigned char *data, size_t len) {
  size_t total = 0, used;
  char tmp[8];
  for (size_t i = 0; i < len; i += used) {
    unsigned c = data[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
      total++;
      used = 1;
      continue;
    }
    total += escape_one(data + i, len - i, tmp, &used);
  }
  return total;
}

static int put_escaped(shim_log_sink *sink, const unsigned char *data, size_t len, berth_error *err) {
  char chunk[4096];
  size_t o = 0, used;
  for (size_t i = 0; i < len; i += used) {
    if (o + 8 > sizeof chunk) {
      if (shim_sink_put(sink, chunk, o, JSON_DELAY_NS, err) < 0) return -1;
      o = 0;
    }
    o += escape_one(data + i, len - i, chunk + o, &used);
  }
  return o ? shim_sink_put(sink, chunk, o, JSON_DELAY_NS, err) : 0;
}

static size_t format_time(uint64_t ts_ns, char *out, size_t size) {
  time_t secs = (time_t)(ts_ns / 1000000000ull);
  unsigned long nsec = (unsigned long)(ts_ns % 1000000000ull);
  struct tm tm;
  gmtime_r(&secs, &tm);
  int n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                   tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (nsec) {
    char frac[16];
    snprintf(frac, sizeof frac, ".%09lu", nsec);
    size_t f = strlen(frac);
    while (frac[f - 1] == '0') frac[--f] = '\0';
    n += snprintf(out + n, size - (size_t)n, "%s", frac);
  }
  n += snprintf(out + n, size - (size_t)n, "Z");
  return (size_t)n;
}

int shim_log_json_line(shim_log_sink *sink, uint8_t stream, uint64_t ts_ns, const unsigned char *data, size_t len,
                       berth_error *err) {
  static const char head[] = "{\"log\":\"";
  char tail[96];
  char when[48];
  format_time(ts_ns, when, sizeof when);
  int t = snprintf(tail, sizeof tail, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream == 2 ? "stderr" : "stdout",
                   when);
  size_t total = sizeof head - 1 + escaped_len(data, len) + (size_t)t;
  if (shim_sink_unit(sink, total, err) < 0) return -1;
  if (shim_sink_put(sink, head, sizeof head - 1, JSON_DELAY_NS, err) < 0) return -1;
  if (put_escaped(sink, data, len, err) < 0) return -1;
  return shim_sink_put(sink, tail, (size_t)t, JSON_DELAY_NS, err);
}
