// How much freed memory the daemon's C allocator keeps for reuse. A layer
// transfer allocates and frees tens of megabytes in blocks of 64 KiB–4 MiB
// (socket reads, inflate windows, hashing rings); with glibc's defaults each
// cycle gives the pages back to the kernel (heap trim above 128 KiB free,
// munmap of blocks above the mmap threshold) and faults them in again, zeroed,
// on the next pull. Keeping up to 64 MiB free at the heap's top and serving
// blocks below 32 MiB from the heap halved the daemon's page faults per pull
// and cut its CPU by ~8 % (docs/benchmarks.md, ninth round), for ~12 MB more
// resident memory after pulls.
import { addonHas, mallocTune } from '../native/addon.js';

const MiB = 1024 * 1024;

export const MALLOC_RETENTION = { trimThreshold: 64 * MiB, topPad: 16 * MiB, mmapThreshold: 32 * MiB } as const;

/** Applies MALLOC_RETENTION to the whole process (every thread's arena); false when the addon or glibc is missing. */
export function retainFreedMemory(): boolean {
  if (!addonHas('mallocTune')) return false;
  const r = MALLOC_RETENTION;
  return mallocTune(r.trimThreshold, r.topPad, r.mmapThreshold);
}
