// A sha256 for large streams (blob downloads): with the addon, update() only
// copies the bytes and a native thread hashes them meanwhile
// (native/addon/sha256_bg.c), so the thread that also receives, writes and
// unpacks them does not pay for the hash. Without the addon it hashes inline.
import { createHash, type Hash } from 'node:crypto';
import { addonHas, sha256Create, sha256Digest, sha256Update, type Sha256Handle } from '../native/addon.js';

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

  /** "sha256:<hex>"; once only. */
  digest(): string {
    return `sha256:${this.native ? sha256Digest(this.native) : this.inline!.digest('hex')}`;
  }
}
