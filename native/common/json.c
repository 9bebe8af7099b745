/* JSON parser (recursive descent into a DOM) and writer. */
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  const char *p, *start, *end;
  berth_error *err;
  int depth;
} parser;

static int perr(parser *ps, const char *what) {
  int line = 1, col = 1;
  for (const char *c = ps->start; c < ps->p && c < ps->end; c++) {
    if (*c == '\n') { line++; col = 1; } else col++;
  }
  return berth_fail(ps->err, 0, "invalid JSON at line %d column %d: %s", line, col, what);
}

static void skip_ws(parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static json_value *new_value(json_type t) {
  json_value *v = calloc(1, sizeof *v);
  if (v) v->type = t;
  return v;
}

static int hex4(parser *ps, unsigned *out) {
  if (ps->end - ps->p < 4) return perr(ps, "truncated \\u escape");
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = *ps->p++;
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return perr(ps, "bad hex digit in \\u escape");
  }
  *out = v;
  return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F)); return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* ps->p is just past the opening quote. */
static char *parse_string_raw(parser *ps) {
  const char *s = ps->p;
  size_t n = 0;
  while (s < ps->end && *s != '"') { if (*s == '\\') s++; s++; n++; }
  if (s >= ps->end) { perr(ps, "unterminated string"); return NULL; }
  char *out = malloc(n * 4 + 1), *o = out; /* escapes never grow beyond 4 bytes per source char */
  if (!out) { berth_fail(ps->err, ENOMEM, "parsing JSON"); return NULL; }
  while (*ps->p != '"') {
    unsigned char c = (unsigned char)*ps->p;
    if (c < 0x20) { free(out); perr(ps, "control character in string"); return NULL; }
    if (c != '\\') { *o++ = (char)c; ps->p++; continue; }
    ps->p++;
    char e = *ps->p++;
    switch (e) {
      case '"': *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      case '/': *o++ = '/'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'n': *o++ = '\n'; break;
      case 'r': *o++ = '\r'; break;
      case 't': *o++ = '\t'; break;
      case 'u': {
        unsigned cp;
        if (hex4(ps, &cp) < 0) { free(out); return NULL; }
        if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
          unsigned lo;
          ps->p += 2;
          if (hex4(ps, &lo) < 0) { free(out); return NULL; }
          if (lo >= 0xDC00 && lo < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          else cp = 0xFFFD;
        } else if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
        if (cp == 0) { free(out); perr(ps, "\\u0000 is not allowed in strings"); return NULL; }
        o += put_utf8(o, cp);
        break;
      }
      default: free(out); ps->p--; perr(ps, "bad escape sequence"); return NULL;
    }
  }
  ps->p++;
  *o = '\0';
  return out;
}

static json_value *parse_value(parser *ps);

static int push(json_value *v, json_value *item, char *key) {
  if ((v->len & (v->len - 1)) == 0) { /* grow at powers of two */
    size_t cap = v->len ? v->len * 2 : 4;
    json_value **ni = realloc(v->items, cap * sizeof *ni);
    if (!ni) return -1;
    v->items = ni;
    if (v->type == JSON_OBJECT) {
      char **nk = realloc(v->keys, cap * sizeof *nk);
      if (!nk) return -1;
      v->keys = nk;
    }
  }
  v->items[v->len] = item;
  if (v->type == JSON_OBJECT) v->keys[v->len] = key;
  v->len++;
  return 0;
}

static json_value *parse_container(parser *ps, bool object) {
  json_value *v = new_value(object ? JSON_OBJECT : JSON_ARRAY);
  if (!v) { berth_fail(ps->err, ENOMEM, "parsing JSON"); return NULL; }
  if (++ps->depth > 200) { perr(ps, "nesting too deep"); goto fail; }
  ps->p++;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) { ps->p++; ps->depth--; return v; }
  for (;;) {
    char *key = NULL;
    skip_ws(ps);
    if (object) {
      if (ps->p >= ps->end || *ps->p != '"') { perr(ps, "expected a member name in double quotes"); goto fail; }
      ps->p++;
      if (!(key = parse_string_raw(ps))) goto fail;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') { free(key); perr(ps, "expected ':' after member name"); goto fail; }
      ps->p++;
    }
    json_value *item = parse_value(ps);
    if (!item) { free(key); goto fail; }
    if (push(v, item, key) < 0) { free(key); json_free(item); berth_fail(ps->err, ENOMEM, "parsing JSON"); goto fail; }
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') { ps->p++; continue; }
    if (ps->p < ps->end && *ps->p == (object ? '}' : ']')) { ps->p++; break; }
    perr(ps, object ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
    goto fail;
  }
  ps->depth--;
  return v;
fail:
  json_free(v);
  return NULL;
}

static json_value *parse_number(parser *ps) {
  const char *s = ps->p;
  bool integer = true;
  if (ps->p < ps->end && *ps->p == '-') ps->p++;
  if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9')) { perr(ps, "unexpected character"); return NULL; }
  while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  if (ps->p < ps->end && *ps->p == '.') {
    integer = false; ps->p++;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
    integer = false; ps->p++;
    if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  }
  char tmp[64];
  size_t n = (size_t)(ps->p - s);
  if (n >= sizeof tmp) { ps->p = s; perr(ps, "number literal too long"); return NULL; }
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  json_value *v = new_value(JSON_NUMBER);
  if (!v) { berth_fail(ps->err, ENOMEM, "parsing JSON"); return NULL; }
  v->num = strtod(tmp, NULL);
  if (integer) {
    errno = 0;
    if (tmp[0] == '-') {
      long long x = strtoll(tmp, NULL, 10);
      if (errno == 0) { v->is_int = true; v->i = x; }
    } else {
      unsigned long long x = strtoull(tmp, NULL, 10);
      if (errno == 0) {
        v->is_uint = true; v->u = x;
        if (x <= INT64_MAX) { v->is_int = true; v->i = (int64_t)x; }
      }
    }
  }
  return v;
}

static json_value *parse_literal(parser *ps, const char *word, json_type t, bool b) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) { perr(ps, "unexpected character"); return NULL; }
  ps->p += n;
  json_value *v = new_value(t);
  if (!v) { berth_fail(ps->err, ENOMEM, "parsing JSON"); return NULL; }
  v->boolean = b;
  return v;
}

static json_value *parse_value(parser *ps) {
  skip_ws(ps);
  if (ps->p >= ps->end) { perr(ps, "unexpected end of input"); return NULL; }
  switch (*ps->p) {
    case '{': return parse_container(ps, true);
    case '[': return parse_container(ps, false);
    case '"': {
      ps->p++;
      char *s = parse_string_raw(ps);
      if (!s) return NULL;
      json_value *v = new_value(JSON_STRING);
      if (!v) { free(s); berth_fail(ps->err, ENOMEM, "parsing JSON"); return NULL; }
      v->str = s;
      return v;
    }
    case 't': return parse_literal(ps, "true", JSON_BOOL, true);
    case 'f': return parse_literal(ps, "false", JSON_BOOL, false);
    case 'n': return parse_literal(ps, "null", JSON_NULL, false);
    default: return parse_number(ps);
  }
}

json_value *json_parse(const char *text, size_t len, berth_error *err) {
  parser ps = { .p = text, .start = text, .end = text + len, .err = err };
  json_value *v = parse_value(&ps);
  if (!v) return NULL;
  skip_ws(&ps);
  if (ps.p != ps.end) { json_free(v); perr(&ps, "unexpected data after the top-level value"); return NULL; }
  return v;
}

json_value *json_parse_file(const char *path, berth_error *err) {
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return berth_fail(err, errno, "open %s", path), NULL;
  struct stat st;
  if (fstat(fd, &st) < 0) return berth_fail(err, errno, "stat %s", path), NULL;
  size_t cap = (size_t)st.st_size + 1, len = 0;
  _cleanup_free_ char *buf = malloc(cap);
  if (!buf) return berth_fail(err, ENOMEM, "reading %s", path), NULL;
  for (;;) {
    if (len == cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) return berth_fail(err, ENOMEM, "reading %s", path), NULL;
      buf = nb; cap *= 2;
    }
    ssize_t r = read(fd, buf + len, cap - len);
    if (r < 0) { if (errno == EINTR) continue; return berth_fail(err, errno, "read %s", path), NULL; }
    if (r == 0) break;
    len += (size_t)r;
  }
  json_value *v = json_parse(buf, len, err);
  if (!v) berth_error_wrap(err, "%s", path);
  return v;
}

void json_free(json_value *v) {
  if (!v) return;
  for (size_t k = 0; k < v->len; k++) {
    json_free(v->items[k]);
    if (v->keys) free(v->keys[k]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

const char *json_type_name(json_type t) {
  static const char *names[] = { "null", "boolean", "number", "string", "array", "object" };
  return names[t];
}

bool json_is(const json_value *v, json_type t) { return v && v->type == t; }

json_value *json_get(const json_value *obj, const char *key) {
  if (!obj || obj->type != JSON_OBJECT) return NULL;
  for (size_t k = obj->len; k-- > 0;) /* last duplicate wins, like most decoders */
    if (strcmp(obj->keys[k], key) == 0) return obj->items[k];
  return NULL;
}

const char *json_get_string(const json_value *obj, const char *key) {
  json_value *v = json_get(obj, key);
  return v && v->type == JSON_STRING ? v->str : NULL;
}

/* ---- writer ---- */

void jw_init(json_writer *w, bool pretty) {
  memset(w, 0, sizeof *w);
  w->pretty = pretty;
}

void jw_free(json_writer *w) {
  free(w->buf);
  w->buf = NULL;
}

static void put(json_writer *w, const char *s, size_t n) {
  if (w->oom) return;
  if (w->len + n + 1 > w->cap) {
    size_t cap = w->cap ? w->cap : 256;
    while (w->len + n + 1 > cap) cap *= 2;
    char *nb = realloc(w->buf, cap);
    if (!nb) { w->oom = true; return; }
    w->buf = nb;
    w->cap = cap;
  }
  memcpy(w->buf + w->len, s, n);
  w->len += n;
  w->buf[w->len] = '\0';
}

static void puts_(json_writer *w, const char *s) { put(w, s, strlen(s)); }

static void newline(json_writer *w) {
  if (!w->pretty) return;
  put(w, "\n", 1);
  for (int d = 0; d < w->depth; d++) put(w, "  ", 2);
}

/* Called before every value or key: separators and indentation. */
static void before_item(json_writer *w) {
  if (w->after_key) { w->after_key = false; return; }
  if (w->depth > 0) {
    if (w->need_comma[w->depth]) put(w, ",", 1);
    newline(w);
    w->need_comma[w->depth] = true;
  }
}

static void open_(json_writer *w, const char *c) {
  before_item(w);
  put(w, c, 1);
  if (w->depth < 63) w->depth++;
  w->need_comma[w->depth] = false;
}

static void close_(json_writer *w, const char *c) {
  bool had = w->need_comma[w->depth];
  if (w->depth > 0) w->depth--;
  if (had) newline(w);
  put(w, c, 1);
}

void jw_begin_object(json_writer *w) { open_(w, "{"); }
void jw_end_object(json_writer *w) { close_(w, "}"); }
void jw_begin_array(json_writer *w) { open_(w, "["); }
void jw_end_array(json_writer *w) { close_(w, "]"); }

static void quoted(json_writer *w, const char *s) {
  put(w, "\"", 1);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    char esc[8];
    switch (*c) {
      case '"': puts_(w, "\\\""); break;
      case '\\': puts_(w, "\\\\"); break;
      case '\n': puts_(w, "\\n"); break;
      case '\r': puts_(w, "\\r"); break;
      case '\t': puts_(w, "\\t"); break;
      default:
        if (*c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", *c); puts_(w, esc); }
        else put(w, (const char *)c, 1);
    }
  }
  put(w, "\"", 1);
}

void jw_key(json_writer *w, const char *key) {
  before_item(w);
  quoted(w, key);
  put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
  w->after_key = true;
}

void jw_string(json_writer *w, const char *s) { before_item(w); quoted(w, s ? s : ""); }

void jw_int(json_writer *w, long long v) {
  char b[32];
  before_item(w);
  snprintf(b, sizeof b, "%lld", v);
  puts_(w, b);
}

void jw_uint(json_writer *w, unsigned long long v) {
  char b[32];
  before_item(w);
  snprintf(b, sizeof b, "%llu", v);
  puts_(w, b);
}

void jw_bool(json_writer *w, bool v) { before_item(w); puts_(w, v ? "true" : "false"); }
void jw_null(json_writer *w) { before_item(w); puts_(w, "null"); }

void jw_value(json_writer *w, const json_value *v) {
  if (!v) { jw_null(w); return; }
  switch (v->type) {
    case JSON_NULL: jw_null(w); break;
    case JSON_BOOL: jw_bool(w, v->boolean); break;
    case JSON_NUMBER:
      if (v->is_int) jw_int(w, v->i);
      else if (v->is_uint) jw_uint(w, v->u);
      else { char b[64]; before_item(w); snprintf(b, sizeof b, "%.17g", v->num); puts_(w, b); }
      break;
    case JSON_STRING: jw_string(w, v->str); break;
    case JSON_ARRAY:
      jw_begin_array(w);
      for (size_t k = 0; k < v->len; k++) jw_value(w, v->items[k]);
      jw_end_array(w);
      break;
    case JSON_OBJECT:
      jw_begin_object(w);
      for (size_t k = 0; k < v->len; k++) { jw_key(w, v->keys[k]); jw_value(w, v->items[k]); }
      jw_end_object(w);
      break;
  }
}

const char *jw_result(json_writer *w, berth_error *err) {
  if (w->oom) return berth_fail(err, ENOMEM, "building JSON output"), NULL;
  if (!w->buf) put(w, "", 0);
  if (w->oom) return berth_fail(err, ENOMEM, "building JSON output"), NULL;
  return w->buf;
}
