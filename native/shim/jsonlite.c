#include "jsonlite.h"

#include <stdio.h>
#include <string.h>

size_t shim_json_escape(const char *in, size_t n, char *out, size_t size) {
  size_t o = 0;
  if (size == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)in[i];
    char tmp[8];
    size_t len;
    switch (c) {
      case '"': memcpy(tmp, "\\\"", 2); len = 2; break;
      case '\\': memcpy(tmp, "\\\\", 2); len = 2; break;
      case '\n': memcpy(tmp, "\\n", 2); len = 2; break;
      case '\r': memcpy(tmp, "\\r", 2); len = 2; break;
      case '\t': memcpy(tmp, "\\t", 2); len = 2; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          len = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", c);
        } else {
          tmp[0] = (char)c;
          len = 1;
        }
    }
    if (o + len >= size) break;
    memcpy(out + o, tmp, len);
    o += len;
  }
  out[o] = '\0';
  return o;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int read_hex4(const char *p, const char *end, unsigned *v) {
  if (end - p < 4) return -1;
  unsigned x = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexval(p[i]);
    if (h < 0) return -1;
    x = (x << 4) | (unsigned)h;
  }
  *v = x;
  return 0;
}

/* Append one code point as UTF-8 if it fits. */
static void put_utf8(char *out, size_t size, size_t *o, unsigned cp) {
  char b[4];
  size_t len;
  if (cp < 0x80) { b[0] = (char)cp; len = 1; }
  else if (cp < 0x800) { b[0] = (char)(0xc0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3f)); len = 2; }
  else if (cp < 0x10000) {
    b[0] = (char)(0xe0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    b[2] = (char)(0x80 | (cp & 0x3f)); len = 3;
  } else {
    b[0] = (char)(0xf0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); b[3] = (char)(0x80 | (cp & 0x3f)); len = 4;
  }
  if (out && *o + len < size) memcpy(out + *o, b, len);
  if (*o + len < size) *o += len;
}

/* Parse the string starting at p (just after the opening quote). Decoded
 * bytes go to out when it is non-NULL. Returns a pointer after the closing
 * quote, or NULL if the string is malformed or unterminated. */
static const char *parse_string(const char *p, const char *end, char *out, size_t size) {
  size_t o = 0;
  while (p < end) {
    char c = *p++;
    if (c == '"') {
      if (out && size) out[o < size ? o : size - 1] = '\0';
      return p;
    }
    if (c != '\\') {
      if (out && o + 1 < size) out[o] = c;
      if (o + 1 < size) o++;
      continue;
    }
    if (p >= end) return NULL;
    char e = *p++;
    unsigned cp;
    switch (e) {
      case 'n': cp = '\n'; break;
      case 't': cp = '\t'; break;
      case 'r': cp = '\r'; break;
      case 'b': cp = '\b'; break;
      case 'f': cp = '\f'; break;
      case '/': case '\\': case '"': cp = (unsigned char)e; break;
      case 'u':
        if (read_hex4(p, end, &cp) < 0) return NULL;
        p += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
          unsigned lo;
          if (read_hex4(p + 2, end, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
          }
        }
        break;
      default: return NULL;
    }
    put_utf8(out, size, &o, cp);
  }
  return NULL;
}

static const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
  return p;
}

int shim_json_get_string(const char *line, size_t n, const char *key, char *out, size_t size) {
  const char *p = line, *end = line + n;
  size_t klen = strlen(key);
  while (p < end) {
    if (*p != '"') { p++; continue; }
    const char *start = p + 1;
    const char *after = parse_string(start, end, NULL, 0);
    if (!after) return -1;
    const char *q = skip_ws(after, end);
    /* A key is a string followed by ':'; compare its raw text (keys we look
     * for never contain escapes). */
    if (q < end && *q == ':' && (size_t)(after - 1 - start) == klen && memcmp(start, key, klen) == 0) {
      q = skip_ws(q + 1, end);
      if (q < end && *q == '"') return parse_string(q + 1, end, out, size) ? 0 : -1;
    }
    p = after;
  }
  return -1;
}

int shim_json_last_string(const char *text, size_t n, const char *key, char *out, size_t size) {
  int found = -1;
  const char *p = text, *end = text + n;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    char tmp[1024];
    if (shim_json_get_string(p, (size_t)(le - p), key, tmp, sizeof tmp) == 0 && size > 0) {
      snprintf(out, size, "%s", tmp);
      found = 0;
    }
    p = nl ? nl + 1 : end;
  }
  return found;
}
