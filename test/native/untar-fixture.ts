// Runs the addon's extraction on a buffer, in chunks of a chosen size.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
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

/** For a test file: box() makes a sandbox, removed after each test. */
export function sandboxesPerTest(): () => ReturnType<typeof sandbox> {
  const bases: string[] = [];
  afterEach(() => {
    for (const b of bases.splice(0)) rmSync(b, { recursive: true, force: true });
  });
  return () => {
    const b = sandbox();
    bases.push(b.base);
    return b;
  };
}

/** "sha256:<hex>" of the bytes, as a diffID. */
export const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

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
