/* A small JSON DOM parser and a streaming writer (RFC 8259, UTF-8).
 *
 * Parsing: json_parse() builds a tree of json_value; lookups never fail hard,
 * they return NULL when a key is absent or a value has the wrong type, so
 * callers check shape with the typed accessors. Free with json_free().
 * Writing: json_writer appends to a growing buffer; commas and (optional)
 * indentation are handled by the writer. */
#ifndef BERTH_JSON_H
#define BERTH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;
struct json_value {
  json_type type;
  bool boolean;
  /* numbers: `num` always; `is_int` when the literal is an integer that fits
   * int64 (`i`) — or uint64 (`u`, with `is_uint`) for large positive values. */
  double num;
  bool is_int, is_uint;
  int64_t i;
  uint64_t u;
  char *str;          /* JSON_STRING (NUL-terminated; embedded NULs rejected) */
  size_t len;         /* items in an array / members in an object */
  json_value **items; /* array items or object member values */
  char **keys;        /* object member names */
};

/* Parse `len` bytes. On error the message names line and column. */
json_value *json_parse(const char *text, size_t len, berth_error *err);
/* Read and parse a whole file. */
json_value *json_parse_file(const char *path, berth_error *err);
void json_free(json_value *v);

const char *json_type_name(json_type t);
json_value *json_get(const json_value *obj, const char *key); /* NULL if absent/not object */
const char *json_get_string(const json_value *obj, const char *key); /* NULL if absent/not string */
bool json_is(const json_value *v, json_type t);

typedef struct json_writer {
  char *buf;
  size_t len, cap;
  bool pretty;
  int depth;
  bool need_comma[64];
  bool after_key;
  bool oom;
} json_writer;

void jw_init(json_writer *w, bool pretty);
void jw_free(json_writer *w);
void jw_begin_object(json_writer *w);
void jw_end_object(json_writer *w);
void jw_begin_array(json_writer *w);
void jw_end_array(json_writer *w);
void jw_key(json_writer *w, const char *key);
void jw_string(json_writer *w, const char *s);
void jw_int(json_writer *w, long long v);
void jw_uint(json_writer *w, unsigned long long v);
void jw_bool(json_writer *w, bool v);
void jw_null(json_writer *w);
/* Write a parsed value back out (used to copy annotations). */
void jw_value(json_writer *w, const json_value *v);
/* Finish: returns the NUL-terminated text (owned by the writer) or NULL on OOM. */
const char *jw_result(json_writer *w, berth_error *err);

#endif
