// The addon's sha256 hashed on a thread of its own (native/addon/sha256_bg.c,
// sha256_napi.c): blob downloads hash with it, and the layer extraction hashes
// the tar (the diffID) with the same code. Compared with node:crypto on inputs
// below, at and across the 4 MiB ring, in chunks of every size.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BackgroundSha256 } from '../../src/image/background-sha256.js';
import { addonHas, closeFd, memfdCreate, sha256Create, sha256Digest, sha256Update, sha256WriteTo, sha256WriteToFd } from '../../src/native/addon.js';

const RING = 4 * 1024 * 1024;
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Hashes `data` natively, fed in chunks whose sizes cycle through `sizes`. */
function nativeHex(data: Buffer, sizes: number[]): string {
  const h = sha256Create();
  for (let o = 0, i = 0; o < data.length; i++) {
    const n = sizes[i % sizes.length];
    sha256Update(h, data.subarray(o, o + n));
    o += n;
  }
  return sha256Digest(h);
}

describe('native background sha256', () => {
  it('is built into the addon', () => {
    expect(addonHas('sha256Create')).toBe(true);
  });

  it('equals node:crypto for empty, small, ring-sized and larger inputs in chunks of any size', () => {
    expect(sha256Digest(sha256Create())).toBe(hex(Buffer.alloc(0)));
    const big = randomBytes(3 * RING + 12_345);
    for (const len of [1, 63, 64, 65, 100_000, RING - 1, RING, RING + 1, big.length]) {
      const data = big.subarray(0, len);
      for (const sizes of [[len], [1, 7, 4096, 65_536, 1_000_003], [RING + 17]]) expect(nativeHex(data, sizes)).toBe(hex(data));
    }
  });

  it('copies what it is given: the caller may reuse its buffer at once', () => {
    const data = randomBytes(2 * RING);
    const buf = Buffer.alloc(65_536);
    const h = sha256Create();
    for (let o = 0; o < data.length; o += buf.length) {
      data.copy(buf, 0, o, o + buf.length);
      sha256Update(h, buf);
      buf.fill(0xee); // overwritten before the hashing thread may have read it
    }
    expect(sha256Digest(h)).toBe(hex(data));
  });

  it('refuses use after the digest was taken, and bad arguments', () => {
    const h = sha256Create();
    sha256Update(h, Buffer.from('x'));
    sha256Digest(h);
    expect(() => sha256Digest(h)).toThrow(/already taken/);
    expect(() => sha256Update(h, Buffer.from('y'))).toThrow(/already taken/);
    expect(() => sha256Update(sha256Create(), 'text' as unknown as Buffer)).toThrow(TypeError);
    expect(() => sha256Digest({} as never)).toThrow(TypeError);
  });

  it('handles that are dropped unfinished are freed with their threads', async () => {
    const before = threadCount();
    for (let i = 0; i < 40; i++) sha256Update(sha256Create(), randomBytes(RING + 1000));
    expect(threadCount()).toBeGreaterThan(before);
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 50 && threadCount() > before; i++) {
      gc?.();
      await new Promise((r) => setTimeout(r, 20));
      // without --expose-gc, pressure makes V8 collect the handles
      if (!gc) Buffer.alloc(8 * 1024 * 1024).fill(1);
    }
    expect(threadCount()).toBeLessThanOrEqual(before);
  });

  it('writes the bytes to a file as it hashes them: whole, after what the file held, with O_DIRECT or without', () => {
    const dir = mkdtempSync('/tmp/berth-sha256-');
    try {
      const data = randomBytes(2 * RING + 4321);
      // from offset 0 (O_DIRECT on ext4), in chunks that do not line up with blocks
      const a = join(dir, 'a');
      writeFileSync(a, '');
      const h = sha256Create();
      sha256WriteTo(h, a, 0);
      for (let o = 0, i = 0; o < data.length; i++) {
        const n = [65_536, 1, 4095, 300_007][i % 4];
        sha256Update(h, data.subarray(o, o + n));
        o += n;
      }
      expect(sha256Digest(h)).toBe(hex(data));
      expect(readFileSync(a).equals(data)).toBe(true);
      // after a prefix the file already holds (a resumed download): bytes hashed before writeTo are not written
      const b = join(dir, 'b');
      writeFileSync(b, data.subarray(0, 1000));
      const r = sha256Create();
      sha256Update(r, data.subarray(0, 1000));
      sha256WriteTo(r, b, 1000);
      sha256Update(r, data.subarray(1000));
      expect(() => sha256WriteTo(r, b, 0)).toThrow(/already set/);
      expect(sha256Digest(r)).toBe(hex(data));
      expect(readFileSync(b).equals(data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes to a duplicate of a descriptor (a memory file, which has no path to open): the caller may close its own at once', () => {
    const data = randomBytes(RING + 777);
    const fd = memfdCreate('berth-sha256-test');
    try {
      const h = sha256Create();
      sha256WriteToFd(h, fd, 0);
      expect(() => sha256WriteToFd(h, fd, 0)).toThrow(/already set/);
      sha256Update(h, data.subarray(0, 5000));
      sha256Update(h, data.subarray(5000));
      expect(sha256Digest(h)).toBe(hex(data));
      expect(readFileSync(`/proc/self/fd/${fd}`).equals(data)).toBe(true);
      expect(() => sha256WriteToFd(sha256Create(), 1 << 30, 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
      expect(() => sha256WriteToFd(sha256Create(), -1, 0)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    } finally {
      closeFd(fd);
    }
  });

  it('gets bytes to the file while no more arrive (a stalled download), then the rest at the end', async () => {
    const dir = mkdtempSync('/tmp/berth-sha256-');
    try {
      const f = join(dir, 'f');
      writeFileSync(f, '');
      const h = sha256Create();
      sha256WriteTo(h, f, 0);
      const data = randomBytes(100_000); // far below the size that wakes the thread
      sha256Update(h, data);
      let size = 0;
      for (let i = 0; i < 100 && size === 0; i++) {
        await sleep(20);
        size = statSync(f).size;
      }
      expect(size).toBeGreaterThan(90_000); // whole blocks; the last partial one waits for the end
      expect(sha256Digest(h)).toBe(hex(data));
      expect(statSync(f).size).toBe(100_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a failed write (a full filesystem) when the digest is taken, and a file it cannot open at once', () => {
    const dir = mkdtempSync('/tmp/berth-sha256-');
    const mnt = join(dir, 'small');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    try {
      const f = join(mnt, 'f');
      writeFileSync(f, '');
      const h = sha256Create();
      sha256WriteTo(h, f, 0);
      sha256Update(h, randomBytes(3 * 1024 * 1024));
      expect(() => sha256Digest(h)).toThrow(expect.objectContaining({ code: 'ENOSPC', syscall: 'write', path: f }));
      expect(() => sha256WriteTo(sha256Create(), join(dir, 'missing', 'x'), 0)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open' }));
      expect(() => new BackgroundSha256().writeTo(join(dir, 'missing', 'x'), 0)).toThrow(expect.objectContaining({ code: 'io_error', message: expect.stringContaining('cannot write') }));
      const w = new BackgroundSha256();
      expect(w.writeTo(f, 0)).toBe(true);
      w.update(randomBytes(2 * 1024 * 1024));
      expect(() => w.digest()).toThrow(expect.objectContaining({ code: 'io_error', message: expect.stringContaining(`writing ${f} failed: ENOSPC`) }));
    } finally {
      execFileSync('umount', ['-l', mnt]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('BackgroundSha256 gives "sha256:<hex>"', () => {
    const s = new BackgroundSha256();
    const data = randomBytes(RING + 5);
    s.update(data.subarray(0, 10));
    s.update(data.subarray(10));
    expect(s.digest()).toBe(`sha256:${hex(data)}`);
  });
});

function threadCount(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}
