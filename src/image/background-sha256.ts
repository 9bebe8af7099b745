// A sha256 for large streams (blob downloads): with the addon, update() only
// copies the bytes and a native thread hashes them meanwhile
// (native/addon/sha256_bg.c), so the thread that also receives and unpacks
// them does not pay for the hash. The same thread can write them to the
// download file (writeTo). Without the addon it hashes inline.
import { createHash, type Hash } from 'node:crypto';
import { BerthError } from '../errors.js';
import { addonHas, sha256Create, sha256Digest, sha256Update, sha256WriteTo, sha256WriteToFd, type Sha256Handle } from '../native/addon.js';

export class BackgroundSha256 {
  private readonly native: Sha256Handle | undefined;
  private readonly inline: Hash | undefined;

  constructor() {
    if (addonHas('sha256Create')) this.native = sha256Create();
    else this.inline = createHash('sha256');
  }

  update(bytes: Buffer): void {
    if (this.native) sha256Update(this.native, bytes);
    else this.inline!.update(bytes);
  }

  /**
   * From now on the bytes are also written to `path` from `offset` on, on the hashing thread.
   * false when that is not available (no addon): the caller writes them itself.
   */
  writeTo(path: string, offset: number): boolean {
    if (!this.native || !addonHas('sha256WriteTo')) return false;
    try {
      sha256WriteTo(this.native, path, offset);
    } catch (err) {
      throw new BerthError('io_error', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
    return true;
  }

  /** As writeTo, into a duplicate of descriptor `fd` (a memory file has no path to open). */
  writeToFd(fd: number, offset: number): boolean {
    if (!this.native || !addonHas('sha256WriteToFd')) return false;
    try {
      sha256WriteToFd(this.native, fd, offset);
    } catch (err) {
      throw new BerthError('io_error', `cannot write to descriptor ${fd}: ${(err as Error).message}`, { cause: err });
    }
    return true;
  }

  /** "sha256:<hex>", once every byte is hashed (and written); once only. A failed write is an io_error. */
  digest(): string {
    if (!this.native) return `sha256:${this.inline!.digest('hex')}`;
    try {
      return `sha256:${sha256Digest(this.native)}`;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.syscall === 'write') throw new BerthError('io_error', `writing ${e.path} failed: ${e.message}`, { cause: err });
      throw err;
    }
  }
}
