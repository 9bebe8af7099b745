// The receiving end of a blob download: hashes the bytes (on a native thread
// of their own, see background-sha256.ts), hands them to an optional tap (an
// unpacker fed on the same pass), and appends them to the download file. It
// refuses bytes beyond the declared size. Given the file's path, the hashing
// thread writes the file too (O_DIRECT where possible: the blob skips the
// page cache and the layer's flush); else the bytes are appended here in
// batches.
import { read, writev } from 'node:fs';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';
import { BackgroundSha256 } from '../image/background-sha256.js';

const readAt = promisify(read);
const writevAt = promisify(writev);

/** Flushes this much at a time to the file (fewer syscalls than one write per network chunk). */
const WRITE_BATCH = 256 * 1024;

/** What is left of `bufs` after its first `n` bytes. */
function remainderAfter(bufs: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (n >= b.length) { n -= b.length; continue; }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}

export class Sink {
  offset = 0;
  readonly hash = new BackgroundSha256();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  /** The hashing thread writes the file (decided at the first byte, after any adopted prefix). */
  private threadWrites: boolean | undefined;

  constructor(
    /** the download file, open for reading and writing */
    private readonly fd: number,
    private readonly size: number,
    private readonly what: string,
    private readonly tap?: (chunk: Buffer) => Promise<void> | undefined,
    /** the file behind fd: when given, the hashing thread writes it */
    private readonly path?: string,
    /** fd is a memory file (no path to open again): the hashing thread writes through a duplicate of fd */
    private readonly memoryFile = false,
  ) {}

  /** Whether every byte of the blob has arrived. */
  get complete(): boolean {
    return this.offset === this.size;
  }

  /** Takes the next bytes; returns a promise only when the caller must wait before pushing more (the tap or a file write). */
  push(chunk: Uint8Array): Promise<void> | undefined {
    if (this.offset + chunk.length > this.size) {
      throw new BerthError('digest_mismatch', `${this.what} is larger than the ${this.size} bytes its descriptor declares; the content is corrupt or was tampered with`);
    }
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.threadWrites ??= this.memoryFile ? this.hash.writeToFd(this.fd, this.written) : this.path !== undefined && this.hash.writeTo(this.path, this.written);
    this.hash.update(b);
    this.offset += b.length;
    const tapped = this.tap?.(b);
    if (this.threadWrites) return tapped;
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes < WRITE_BATCH) return tapped;
    return tapped ? tapped.then(() => this.flush()) : this.flush();
  }

  /** After a failure: returns once every byte received is in the file (the hashing thread writes it), so that a resume starts from the file's true end. */
  settle(): void {
    if (!this.threadWrites) return;
    try {
      this.hash.digest();
    } catch {
      // the failure being reported matters more than this one
    }
  }

  /** Takes the first `n` bytes already in the file as received. */
  async adopt(n: number): Promise<void> {
    let buf = Buffer.allocUnsafe(Math.min(n, 1024 * 1024));
    while (this.written < n) {
      const { bytesRead } = await readAt(this.fd, buf, 0, Math.min(buf.length, n - this.written), this.written);
      if (bytesRead === 0) throw new BerthError('io_error', `${this.what}: the partial download ended before ${n} bytes`);
      this.hash.update(buf.subarray(0, bytesRead));
      if (this.tap) {
        await this.tap(buf.subarray(0, bytesRead));
        buf = Buffer.allocUnsafe(buf.length); // the tap may keep the chunk
      }
      this.written += bytesRead;
    }
    this.offset = n;
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    // writev: the network chunks go to the file without being copied into one buffer first
    let bufs = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    for (let left = total; left > 0;) {
      const { bytesWritten } = await writevAt(this.fd, bufs, this.written);
      this.written += bytesWritten;
      left -= bytesWritten;
      if (left > 0) bufs = remainderAfter(bufs, bytesWritten);
    }
  }
}
