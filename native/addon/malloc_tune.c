/* mallocTune(trimThreshold, topPad, mmapThreshold): how much freed memory the
 * C allocator keeps instead of giving it back to the kernel. A layer transfer
 * allocates and frees tens of megabytes in blocks of 64 KiB–4 MiB; with glibc's
 * defaults each cycle returns the pages (trim, munmap) and takes them again,
 * one page fault each, which a virtualised guest pays dearly for. Returns
 * false where the C library is not glibc (nothing was changed). */
#include <malloc.h>

#include "malloc_tune.h"
#include "napi_util.h"

napi_value addon_malloc_tune(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (addon_args(env, info, argv, 3) < 0) return NULL;
  int64_t trim = 0, pad = 0, mmap_min = 0;
  if (addon_int64(env, argv[0], "trimThreshold", &trim) < 0 || addon_int64(env, argv[1], "topPad", &pad) < 0 ||
      addon_int64(env, argv[2], "mmapThreshold", &mmap_min) < 0)
    return NULL;
  if (trim < 0 || pad < 0 || mmap_min < 0 || trim > (1LL << 30) || pad > (1LL << 30) || mmap_min > (32LL << 20)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "mallocTune: sizes must be 0..1 GiB (mmapThreshold 0..32 MiB)");
    return NULL;
  }
  int ok = 0;
#ifdef __GLIBC__
  ok = mallopt(M_TRIM_THRESHOLD, (int)trim) == 1 && mallopt(M_TOP_PAD, (int)pad) == 1 && mallopt(M_MMAP_THRESHOLD, (int)mmap_min) == 1;
#endif
  napi_value out;
  napi_get_boolean(env, ok, &out);
  return out;
}
