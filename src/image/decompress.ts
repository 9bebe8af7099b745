// Sniffs the first bytes of a stream and undoes gzip compression, so a
// rootfs tarball may be given plain or gzipped (as `docker import` accepts).
// Other compressions are refused with a message saying what to do.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BerthError } from '../errors.js';

const MAGIC: Array<[string, number[]]> = [
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

function startsWith(buf: Buffer, magic: number[]): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
}

export async function autoDecompress(input: AsyncIterable<Uint8Array>): Promise<Readable> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < 6 && !done) {
    const r = await it.next();
    if (r.done) done = true;
    else {
      head.push(Buffer.from(r.value));
      size += r.value.length;
    }
  }
  const first = Buffer.concat(head);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  }
  for (const [name, magic] of MAGIC) {
    if (startsWith(first, magic)) throw new BerthError('invalid_argument', `the tarball is ${name}-compressed; decompress it first or give a plain or gzipped tar`);
  }
  const source = Readable.from(all());
  if (first[0] === 0x1f && first[1] === 0x8b) {
    const gunzip = createGunzip();
    source.on('error', (err) => gunzip.destroy(err));
    return source.pipe(gunzip);
  }
  return source;
}
