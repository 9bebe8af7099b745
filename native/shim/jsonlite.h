/* The little JSON the shim needs: escaping strings it emits, and pulling one
 * string field out of the runtime's JSON log lines. Not a general parser. */
#ifndef SHIM_JSONLITE_H
#define SHIM_JSONLITE_H

#include <stddef.h>

/* Write in[0..n) as JSON string content (no surrounding quotes) into out,
 * always NUL-terminated; stops early rather than split an escape. Returns
 * the length written. */
size_t shim_json_escape(const char *in, size_t n, char *out, size_t size);

/* Find the string value of "key" in one JSON object text line[0..n) and
 * unescape it into out (NUL-terminated, truncated to fit). Returns 0 when
 * found, -1 when the line has no such string field. */
int shim_json_get_string(const char *line, size_t n, const char *key, char *out, size_t size);

/* Scan a JSON-lines text for the last line carrying a string "key"; copy
 * its value into out. Returns 0 when found, -1 otherwise. */
int shim_json_last_string(const char *text, size_t n, const char *key, char *out, size_t size);

#endif
