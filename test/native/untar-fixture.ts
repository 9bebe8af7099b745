// Runs the addon's extraction on a buffer, in chunks of a chosen size.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { untarCreate, untarEnd, untarFinish, untarWrite, type UntarResult } from '../../src/native/addon.js';

/** A sandbox: `root` is the layer dir, `outside` a sibling that nothing may touch. */
export function sandbox(): { base: string; root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'berth-untar-'));
  const root = join(base, 'layer');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  return { base, root, outside };
}

/** How paths are resolved: openat2 (with the walk where it fails), or the walk alone (kernels without openat2). */
export type Resolve = 'openat2' | 'walk';

export function extract(root: string, tar: Buffer, chunk = 64 * 1024, resolve: Resolve = 'openat2'): UntarResult {
  const h = untarCreate(root, resolve === 'walk');
  try {
    for (let o = 0; o < tar.length; o += chunk) untarWrite(h, tar.subarray(o, o + chunk));
    return untarFinish(h);
  } finally {
    untarEnd(h);
  }
}
