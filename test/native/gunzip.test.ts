// The addon's streaming gunzip (native/addon/gunzip.c; the layer extraction
// inflates with it, see untar.test.ts), against node:zlib's output.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { addonHas, gunzipCreate, gunzipEnd, gunzipStream } from '../../src/native/addon.js';

/** Data that compresses partly: random blocks between runs of text. */
function sample(n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.reduce((a, b) => a + b.length, 0) < n; i++) parts.push(i % 2 ? randomBytes(4096) : Buffer.from(`line ${i} `.repeat(900)));
  return Buffer.concat(parts).subarray(0, n);
}

/** Feeds `gz` to the decoder in chunks of `size` bytes; the output and whether it ended inside a member. */
function gunzipInChunks(gz: Buffer, size: number, unchecked = false): { out: Buffer; more: number } {
  const h = gunzipCreate(unchecked);
  const out: Buffer[] = [];
  let more = 0;
  for (let o = 0; o < gz.length; o += size) {
    let src = gz.subarray(o, o + size);
    for (;;) {
      const dst = Buffer.alloc(65536);
      const [m, produced, consumed] = gunzipStream(h, dst, src);
      more = m;
      out.push(dst.subarray(0, produced));
      src = src.subarray(consumed);
      if (src.length === 0 && (produced < dst.length || m === 0)) break;
    }
  }
  gunzipEnd(h);
  return { out: Buffer.concat(out), more };
}

describe('native gunzip', () => {
  it('is built into the addon', () => {
    expect(addonHas('gunzipCreate')).toBe(true);
  });

  it('inflates what node:zlib compressed, fed in chunks of any size', async () => {
    const data = sample(3_000_000);
    const gz = gzipSync(data);
    for (const size of [4096, 65536, gz.length]) expect(gunzipInChunks(gz, size).out.equals(data)).toBe(true);
    const small = sample(20_000);
    expect(gunzipInChunks(gzipSync(small), 1).out.equals(small)).toBe(true);
  });

  it('reads concatenated members as one stream and ignores bytes after the last one', async () => {
    const a = sample(100_000);
    const b = sample(70_000);
    const { out, more } = gunzipInChunks(Buffer.concat([gzipSync(a), gzipSync(b), Buffer.from('\0\0\0\0trailing')]), 5000);
    expect(more).toBe(0);
    expect(out.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('reports the end of a member: more is 0 only once a member is complete', () => {
    const gz = gzipSync(Buffer.from('hello'));
    const h = gunzipCreate();
    const dst = Buffer.alloc(64);
    const first = gunzipStream(h, dst, gz.subarray(0, gz.length - 3));
    expect(first[0]).toBe(1);
    const second = gunzipStream(h, dst.subarray(first[1]), gz.subarray(first[2]));
    expect(second[0]).toBe(0);
    expect(dst.subarray(0, first[1] + second[1]).toString()).toBe('hello');
    gunzipEnd(h);
    expect(() => gunzipStream(h, dst, gz)).toThrow(/ended/);
  });

  it('corrupt data throws Z_DATA_ERROR; truncated data ends inside a member', () => {
    const gz = gzipSync(sample(200_000));
    const bad = Buffer.from(gz);
    bad[100] ^= 0xff;
    bad[101] ^= 0xff;
    expect(() => gunzipInChunks(bad, 4096)).toThrow(expect.objectContaining({ code: 'Z_DATA_ERROR' }));
    expect(() => gunzipInChunks(Buffer.from('not gzip at all'), 4096)).toThrow(/incorrect header check/);
    expect(gunzipInChunks(gz.subarray(0, gz.length - 100), 4096).more).toBe(1);
  });

  it('checks the trailer (CRC-32, length) unless created unchecked, for output verified by a digest', () => {
    const data = sample(300_000);
    const gz = gzipSync(data);
    for (const at of [gz.length - 8, gz.length - 2]) { // a CRC byte, then a length byte
      const bad = Buffer.from(gz);
      bad[at] ^= 0x5a;
      expect(() => gunzipInChunks(bad, 4096)).toThrow(expect.objectContaining({ code: 'Z_DATA_ERROR' }));
      expect(gunzipInChunks(bad, 4096, true).out.equals(data)).toBe(true);
    }
    expect(() => gunzipInChunks(Buffer.from('not gzip at all'), 4096, true)).toThrow(/incorrect header check/); // the header still is
  });

  it('rejects a handle that is not one', () => {
    expect(() => gunzipStream({} as never, Buffer.alloc(1), Buffer.alloc(1))).toThrow(/gunzipCreate/);
  });
});
