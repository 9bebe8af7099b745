// The layer extraction of the native addon (native/addon/untar*.c) as used by
// the unpacker: bytes go in (gzip and zstd are decoded by the extraction's own
// thread), entries come out beneath the layer directory, and the sha256 of the
// tar (the diffID) is computed on the way. An addon built without libzstd's
// decoder leaves zstd to be decoded here first, by zstd-napi's streaming step
// into one reused buffer, copied into the extraction before the next step.
import { BerthError } from '../errors.js';
import { untarThreadCreate, untarThreadEnd, untarThreadFinish, untarThreadWrite, untarZstd, type UntarResult, type UntarThreadHandle } from '../native/addon.js';
import type { LayerCompression } from './media-types.js';
import { badZstd, loadZstdNapi, zstdStep } from './zstd.js';

/** Turns the addon's errors into BerthErrors that say which layer. */
export function untarError(err: unknown, blob: string, mediaType: string): BerthError | undefined {
  const e = err as { code?: unknown; message?: string };
  switch (e?.code) {
    case 'BERTH_UNSAFE_LAYER':
      return new BerthError('unsafe_layer', e.message ?? 'unsafe layer', { cause: err });
    case 'BERTH_BAD_TAR':
      return new BerthError('invalid_argument', `layer ${blob} is not a valid tar archive: ${e.message}`, { cause: err });
    case 'Z_DATA_ERROR':
      return new BerthError('invalid_argument', `layer ${blob} is not valid gzip data (${e.message}); its media type says ${mediaType}`, { cause: err });
    case 'BERTH_BAD_ZSTD':
      return new BerthError('invalid_argument', `layer ${blob} is not valid zstd data (${e.message}); its media type says ${mediaType}`, { cause: err });
    case 'BERTH_IO':
      return new BerthError('io_error', `unpacking layer ${blob} failed: ${e.message}`, { cause: err });
    default:
      return undefined;
  }
}

/**
 * One extraction into `root`, fed with the layer's bytes as they are (gzip or plain tar) or decoded here
 * (zstd). The extraction itself (inflate, untar, the diffID) runs on a native thread of its own: the
 * thread reading the layer only copies the bytes in, and the layers pulled together are extracted side
 * by side on every core.
 */
export class NativeUntar {
  private readonly h: UntarThreadHandle;
  private readonly zstd: { step: (dst: Buffer, src: Buffer) => [number, number, number]; out: Buffer } | undefined;
  /** The zstd data so far ends inside a frame. */
  private more = 0;

  /** Throws when compression is zstd and zstd-napi is missing: the caller decodes zstd itself then (see takesZstd).
   * verified: the caller checks the tar's diffID, so gzip's own CRC-32 and length checks, and zstd's frame checksums, are skipped. */
  constructor(root: string, compression: LayerCompression, verified = false) {
    const native = compression !== 'zstd' || untarZstd();
    const z = native ? undefined : zstdStep(verified);
    if (!native && !z) throw new Error('zstd-napi is not available');
    this.h = untarThreadCreate(root, compression === 'none' || !native ? 'tar' : compression, verified);
    this.zstd = z ? { step: z.step, out: Buffer.allocUnsafe(z.outSize) } : undefined;
  }

  /** Whether zstd layers can be fed compressed (the addon or zstd-napi decodes them); else feed the output of createZstdDecompress() as tar. */
  static takesZstd(): boolean {
    return untarZstd() || !(loadZstdNapi() instanceof Error);
  }

  /** Feeds bytes: compressed when the layer is gzip or zstd, else tar. Throws once the extraction has failed. */
  write(chunk: Buffer): void {
    if (this.zstd) this.writeZstd(chunk);
    else untarThreadWrite(this.h, chunk);
  }

  private writeZstd(chunk: Buffer): void {
    const { step, out } = this.zstd!;
    let src = chunk;
    for (;;) {
      let r: [number, number, number];
      try {
        r = step(out, src);
      } catch (err) {
        throw badZstd((err as Error).message);
      }
      const [more, produced, consumed] = r;
      if (produced > 0) untarThreadWrite(this.h, out.subarray(0, produced)); // copied: out is reused
      src = src.subarray(consumed);
      if (src.length === 0 && (produced < out.length || more === 0)) {
        this.more = more;
        return;
      }
      if (produced === 0 && consumed === 0) throw badZstd('the decoder made no progress');
    }
  }

  /** Once every byte was written: resolves when they are all extracted and the archive was complete. */
  finish(): Promise<UntarResult> {
    if (this.zstd && this.more !== 0) throw badZstd('the data ends in the middle of a frame');
    return untarThreadFinish(this.h);
  }

  /** Stops and frees everything (after a failure; after finish it is a no-op). */
  end(): void {
    untarThreadEnd(this.h);
  }
}
