// Random bytes for the websocket client (the handshake key, each frame's
// masking key), read from the kernel's /dev/urandom through node:fs, which
// every start has loaded already; node:crypto costs ~15 internal modules to
// load. Bytes are read 256 at a time and never handed out twice.
import { closeSync, openSync, readSync } from 'node:fs';

const POOL_BYTES = 256;
let pool = Buffer.alloc(0);
let used = 0;

function refill(): void {
  const fresh = Buffer.allocUnsafe(POOL_BYTES);
  const fd = openSync('/dev/urandom', 'r');
  try {
    let filled = 0;
    while (filled < POOL_BYTES) filled += readSync(fd, fresh, filled, POOL_BYTES - filled, null);
  } finally {
    closeSync(fd);
  }
  pool = fresh;
  used = 0;
}

/** Fills `target` with random bytes. */
export function fillRandom(target: Uint8Array): void {
  let filled = 0;
  while (filled < target.length) {
    if (used === pool.length) refill();
    const n = Math.min(target.length - filled, pool.length - used);
    target.set(pool.subarray(used, used + n), filled);
    pool.fill(0, used, used + n);
    used += n;
    filled += n;
  }
}
