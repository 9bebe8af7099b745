/* Streaming zstd decoding on the calling thread, for C callers (see unzstd.c). */
#ifndef BERTH_ADDON_UNZSTD_H
#define BERTH_ADDON_UNZSTD_H

#include <stddef.h>

struct unzstd;
/* Whether the addon was built with libzstd's decoder. */
int unzstd_available(void);
/* A decoder (unchecked: the frames' own checksums are not computed: the caller checks the output's
 * sha256); NULL when out of memory or built without libzstd. */
struct unzstd *unzstd_new(int unchecked);
void unzstd_free(struct unzstd *z);
/* Decodes from src into dst: *produced bytes written, *consumed taken; *more is set while the data
 * so far ends inside a frame. 0, or -1 when the data is not zstd (message in unzstd_message). */
int unzstd_step(struct unzstd *z, unsigned char *dst, size_t dst_len, const unsigned char *src, size_t src_len, size_t *produced,
                size_t *consumed, int *more);
const char *unzstd_message(struct unzstd *z);

#endif
