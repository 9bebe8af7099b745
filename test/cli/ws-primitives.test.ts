// The websocket client's own SHA-1 (cli/sha1.ts) and random bytes
// (cli/entropy.ts), which stand in for node:crypto on the CLI's start path.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sha1 } from '../../cli/sha1.js';
import { fillRandom } from '../../cli/entropy.js';

describe('sha1', () => {
  it('gives RFC 6455\'s handshake example', () => {
    const accept = sha1(Buffer.from('dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11')).toString('base64');
    expect(accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('agrees with node:crypto for every length across the padding boundaries, and for long input', () => {
    const input = Buffer.alloc(300);
    for (let i = 0; i < input.length; i++) input[i] = (i * 151 + 7) & 0xff;
    for (let n = 0; n <= 200; n++) {
      const part = input.subarray(0, n);
      expect([n, sha1(part).toString('hex')]).toEqual([n, createHash('sha1').update(part).digest('hex')]);
    }
    const big = Buffer.alloc(1_000_003, 0xa5);
    expect(sha1(big).toString('hex')).toBe(createHash('sha1').update(big).digest('hex'));
  });
});

describe('fillRandom', () => {
  it('fills buffers of any size, across pool refills, never repeating a block', () => {
    const seen = new Set<string>();
    for (const size of [4, 16, 255, 256, 257, 1000]) {
      for (let i = 0; i < 20; i++) {
        const b = Buffer.alloc(size);
        fillRandom(b);
        const hex = b.toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
    // 1000 random bytes are not all zero (what an unfilled buffer would hold): chance 2^-8000
    const b = Buffer.alloc(1000);
    fillRandom(b);
    expect(b.some((x) => x !== 0)).toBe(true);
  });
});
