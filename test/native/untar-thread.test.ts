// The addon's threaded extraction (native/addon/untar_thread*.c): the bytes
// are copied into a 4 MiB ring and extracted (gzip inflated, zstd decoded) on
// a thread of its own. Same
// tree and diffID as the extraction on the calling thread, failures found on
// the thread come back through the next write or finish, and ending it early
// stops the thread.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compress as zstdCompress } from 'zstd-napi';
import { untarThreadCreate, untarThreadEnd, untarThreadFinish, untarThreadWrite, untarZstd, type UntarThreadHandle } from '../../src/native/addon.js';
import { archive, entry } from './tar-builder.js';
import { sandboxesPerTest, sha } from './untar-fixture.js';
import { eventually } from '../fixtures/poll.js';

const box = sandboxesPerTest();

/** Writes data in chunks of the given sizes (cycled); returns the error a write threw, if any. */
function feed(h: UntarThreadHandle, data: Buffer, sizes: number[]): unknown {
  try {
    for (let o = 0, i = 0; o < data.length; i++) {
      const n = sizes[i % sizes.length];
      untarThreadWrite(h, data.subarray(o, o + n));
      o += n;
    }
  } catch (err) {
    return err;
  }
  return undefined;
}

/** Sectors written to the block device holding `path` so far (/sys/dev/block/MAJ:MIN/stat, field 7). */
function sectorsWritten(path: string): number {
  const dev = statSync(path).dev;
  const major = Math.floor(dev / 256) & 0xfff; // Linux's new_encode_dev, as node reports st_dev
  const minor = (dev & 0xff) | ((Math.floor(dev / 4096) & 0xfff00));
  return Number(readFileSync(`/sys/dev/block/${major}:${minor}/stat`, 'utf8').trim().split(/\s+/)[6]);
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

/** The error an extraction refuses `bytes` with: thrown while they are fed, or at finish. */
async function refusal(h: UntarThreadHandle, bytes: Buffer): Promise<{ code?: string; message: string }> {
  return (feed(h, bytes, [65_536]) as { code?: string; message: string } | undefined) ?? (await rejection(untarThreadFinish(h)));
}

/** `whole` cut 1000 bytes before its end is refused at finish (code, cutMessage); random bytes are refused with code. */
async function expectCutAndJunkRefused(compression: 'gzip' | 'zstd', whole: Buffer, code: string, cutMessage: RegExp): Promise<void> {
  const cut = untarThreadCreate(box().root, compression, true);
  expect(feed(cut, whole.subarray(0, whole.length - 1000), [65_536])).toBeUndefined();
  const e1 = await rejection(untarThreadFinish(cut));
  expect(e1.code).toBe(code);
  expect(e1.message).toMatch(cutMessage);

  const junk = untarThreadCreate(box().root, compression, true);
  expect((await refusal(junk, randomBytes(300_000))).code).toBe(code);
  untarThreadEnd(junk);
}

// ~14 MB of tar, incompressible for the most part: more than the ring holds, so writes wait for the thread
const files = Array.from({ length: 24 }, (_, i) => entry({ name: `data/f${i}`, mode: 0o640, data: randomBytes(500_000 + i * 7_000) }));
const big = archive(entry({ name: 'data/', type: '5', mode: 0o750, mtime: 1_600_000_000 }), ...files, entry({ name: 'data/text', data: 'lorem ipsum '.repeat(100_000) }));

describe('native untar on its own thread', () => {
  it('extracts gzip (concatenated members) and plain tar larger than its ring, with the same tree and diffID', async () => {
    const gz = Buffer.concat([gzipSync(big.subarray(0, 5_000_000)), gzipSync(big.subarray(5_000_000))]);
    for (const [bytes, gzip] of [[gz, true], [big, false]] as const) {
      const { root } = box();
      const h = untarThreadCreate(root, gzip ? 'gzip' : 'tar', true);
      expect(feed(h, bytes, [65_536, 1, 300_001, 4096, 2_000_000])).toBeUndefined();
      const r = await untarThreadFinish(h);
      expect(r.diffId).toBe(sha(big));
      expect(r.size).toBe(big.length);
      expect(readFileSync(join(root, 'data/f23')).length).toBe(500_000 + 23 * 7_000);
      expect(readFileSync(join(root, 'data/text'), 'utf8')).toBe('lorem ipsum '.repeat(100_000));
      expect(readdirSync(join(root, 'data')).length).toBe(25);
      untarThreadEnd(h); // after finish: nothing left to do
    }
  });

  it('reports an unsafe entry found on the thread through a later write or finish; nothing lands outside', async () => {
    const { root, outside } = box();
    const evil = archive(...files.slice(0, 12), entry({ name: '../outside/escaped', data: 'x' }), ...files.slice(12));
    const h = untarThreadCreate(root, 'tar', false);
    const thrown = feed(h, evil, [65_536]) as { code?: string; message: string } | undefined;
    const err = thrown ?? (await rejection(untarThreadFinish(h)));
    expect(err.code).toBe('BERTH_UNSAFE_LAYER');
    expect(err.message).toMatch(/escaped/);
    untarThreadEnd(h);
    expect(existsSync(join(outside, 'escaped'))).toBe(false);
  });

  it('rejects gzip that ends inside a member, and bytes that are not gzip', async () => {
    await expectCutAndJunkRefused('gzip', gzipSync(big), 'Z_DATA_ERROR', /middle of a member/);
  });

  it('decodes zstd on its thread: concatenated and skippable frames, the same tree and diffID', async () => {
    expect(untarZstd()).toBe(true); // the build compiles libzstd's decoder in (native/Makefile)
    // a skippable frame (magic 0x184D2A5?, 4-byte length, payload) between two frames, each with a content checksum
    const skippable = Buffer.concat([Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('skip!')]);
    const zst = Buffer.concat([zstdCompress(big.subarray(0, 6_000_000), { checksumFlag: true }), skippable, zstdCompress(big.subarray(6_000_000), { checksumFlag: true })]);
    for (const unchecked of [false, true]) {
      const { root } = box();
      const h = untarThreadCreate(root, 'zstd', unchecked);
      expect(feed(h, zst, [65_536, 1, 300_001, 4096, 2_000_000])).toBeUndefined();
      const r = await untarThreadFinish(h);
      expect(r.diffId).toBe(sha(big));
      expect(r.size).toBe(big.length);
      expect(readFileSync(join(root, 'data/f23')).length).toBe(500_000 + 23 * 7_000);
      expect(readFileSync(join(root, 'data/text'), 'utf8')).toBe('lorem ipsum '.repeat(100_000));
    }
  });

  it('rejects zstd that ends inside a frame, bytes that are not zstd, and (checked) a bad frame checksum', async () => {
    const zst = zstdCompress(big, { checksumFlag: true });
    await expectCutAndJunkRefused('zstd', zst, 'BERTH_BAD_ZSTD', /middle of a frame/);

    // the frame's checksum (its last 4 bytes) altered: refused when checked, ignored when the caller checks the diffID
    const bad = Buffer.from(zst);
    bad[bad.length - 1] ^= 0xff;
    const checked = untarThreadCreate(box().root, 'zstd', false);
    const e3 = await refusal(checked, bad);
    expect(e3.code).toBe('BERTH_BAD_ZSTD');
    expect(e3.message).toMatch(/checksum/i);
    untarThreadEnd(checked);
    const trusting = untarThreadCreate(box().root, 'zstd', true);
    expect(feed(trusting, bad, [65_536])).toBeUndefined();
    expect((await untarThreadFinish(trusting)).diffId).toBe(sha(big));

    expect(() => untarThreadCreate(box().root, 'xz' as 'tar', true)).toThrow(/compression must be/);
  });

  it('starts writing each file to the disk as it closes it, with no flush asked for', async () => {
    // without that the data would wait in the page cache for the kernel's periodic writeback (30 s)
    const { root } = box();
    const data = randomBytes(16 << 20);
    const before = sectorsWritten(root);
    const h = untarThreadCreate(root, 'tar', true);
    untarThreadWrite(h, archive(entry({ name: 'big', data })));
    await untarThreadFinish(h);
    await eventually(() => sectorsWritten(root) - before >= data.length / 512, 5000, 'the file was written to the disk');
  });

  it('can be ended while bytes still wait to be extracted; a spent handle is refused', async () => {
    const h = untarThreadCreate(box().root, 'tar', true);
    untarThreadWrite(h, big.subarray(0, 3_000_000));
    untarThreadEnd(h);
    untarThreadEnd(h);
    expect(() => untarThreadWrite(h, big.subarray(0, 512))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect(() => untarThreadFinish(h)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));

    const done = untarThreadCreate(box().root, 'tar', true);
    untarThreadWrite(done, archive(entry({ name: 'a', data: 'a' })));
    const p = untarThreadFinish(done);
    expect(() => untarThreadFinish(done)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
    expect((await p).size).toBeGreaterThan(0);
  });
});
