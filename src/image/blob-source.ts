// Reads a layer blob, optionally while it is still being downloaded: in
// follow mode the file is read up to `size` bytes, waiting for more when it
// reaches the current end. The downloader signals failure by unlinking the
// file; a reader that is waiting then sees no links left and stops.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { BerthError } from '../errors.js';

const CHUNK = 1024 * 1024;
const POLL_MS = 3;

async function* follow(path: string, size: number): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    let pos = 0;
    while (pos < size) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
        continue;
      }
      const st = await fh.stat();
      if (st.nlink === 0 && st.size <= pos) {
        throw new BerthError('io_error', `the download of ${path} was abandoned after ${pos} of ${size} bytes`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    await fh.close();
  }
}

/** The blob at `path` as a stream; with `followSize`, follows a file still being written. */
export function blobSource(path: string, followSize?: number): Readable {
  if (followSize === undefined) return createReadStream(path, { highWaterMark: CHUNK });
  return Readable.from(follow(path, followSize), { objectMode: false });
}
