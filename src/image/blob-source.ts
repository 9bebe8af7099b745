// Reads a layer blob, optionally while it is still being downloaded: in
// follow mode the file is read up to `size` bytes, waiting for more when it
// reaches the current end (woken by inotify when the file is written, with a
// slow poll as a safety net). The downloader signals failure by unlinking the
// file; a reader that is waiting then sees no links left and stops.
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BerthError } from '../errors.js';

const CHUNK = 1024 * 1024;
/** Poll interval when inotify works (a missed event costs at most this), and when it does not. */
const SAFETY_POLL_MS = 50;
const POLL_MS = 3;

/** Resolves waiters when `path` changes (fs.watch), or after a timeout. */
class ChangeWaiter {
  private readonly watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private changed = false;

  constructor(path: string) {
    try {
      this.watcher = watch(path, { persistent: false }, () => {
        this.changed = true;
        this.wake?.();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
  }

  /** Waits for a change since the last call (returns at once if there was one). */
  async wait(): Promise<void> {
    if (this.changed) {
      this.changed = false;
      return;
    }
    const ms = this.watcher ? SAFETY_POLL_MS : POLL_MS;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(t); resolve(); };
    });
    this.wake = undefined;
    this.changed = false;
  }

  close(): void {
    this.watcher?.close();
  }
}

async function* follow(path: string, size: number): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  const changes = new ChangeWaiter(path);
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
      await changes.wait();
    }
  } finally {
    changes.close();
    await fh.close();
  }
}

/** The blob at `path` as a stream; with `followSize`, follows a file still being written. */
export function blobSource(path: string, followSize?: number): Readable {
  if (followSize === undefined) return createReadStream(path, { highWaterMark: CHUNK });
  return Readable.from(follow(path, followSize), { objectMode: false });
}
