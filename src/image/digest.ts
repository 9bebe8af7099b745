// sha256 digests: computing them, validating their form, and checking a
// stream against a descriptor (size and digest) while it flows.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BerthError } from '../errors.js';

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isSha256Digest(s: unknown): s is string {
  return typeof s === 'string' && SHA256_DIGEST.test(s);
}

/** Throws invalid_argument unless `digest` is "sha256:<64 lowercase hex>"; returns the hex part. */
export function digestHex(digest: string, what = 'digest'): string {
  if (!isSha256Digest(digest)) {
    throw new BerthError('invalid_argument', `${what} "${String(digest)}" is not a sha256 digest; expected sha256:<64 lowercase hex characters>`);
  }
  return digest.slice('sha256:'.length);
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface ExpectedContent {
  digest: string;
  size?: number;
}

/**
 * Pass-through stream that hashes and counts what flows through it and fails
 * with digest_mismatch as soon as more than `size` bytes arrive, or at the
 * end when the size or the sha256 differ. `label` names the content in errors.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  constructor(private readonly expected: ExpectedContent, private readonly label: string) {
    super();
    digestHex(expected.digest, `${label} digest`);
  }

  get bytes(): number {
    return this.count;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    const { size } = this.expected;
    if (size !== undefined && this.count > size) {
      cb(new BerthError('digest_mismatch', `${this.label} is larger than the ${size} bytes its descriptor declares; the content is corrupt or was tampered with`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const { size, digest } = this.expected;
    if (size !== undefined && this.count !== size) {
      cb(new BerthError('digest_mismatch', `${this.label} has ${this.count} bytes but its descriptor declares ${size}; the content is truncated or corrupt`));
      return;
    }
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== digest) {
      cb(new BerthError('digest_mismatch', `${this.label} has digest ${actual} but ${digest} was expected; the content is corrupt or was tampered with`));
      return;
    }
    cb();
  }
}
