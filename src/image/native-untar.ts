// The layer extraction of the native addon (native/addon/untar*.c) as used by
// the unpacker: tar bytes go in (gzip is inflated inside the same native
// call, zstd is decoded here first), entries come out beneath the layer
// directory, and the sha256 of the tar (the diffID) is computed on the way.
import { BerthError } from '../errors.js';
import { gunzipCreate, gunzipEnd, untarCreate, untarEnd, untarFinish, untarGunzip, untarWrite, type GunzipHandle, type UntarHandle, type UntarResult } from '../native/addon.js';
import type { LayerCompression } from './media-types.js';

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
    case 'BERTH_IO':
      return new BerthError('io_error', `unpacking layer ${blob} failed: ${e.message}`, { cause: err });
    default:
      return undefined;
  }
}

/** One extraction into `root`, fed with the layer's bytes as they are (gzip or plain tar) or decoded (zstd). */
export class NativeUntar {
  private readonly h: UntarHandle;
  private readonly gz: GunzipHandle | undefined;
  private gzipMore = 0;

  constructor(root: string, compression: LayerCompression) {
    this.h = untarCreate(root);
    this.gz = compression === 'gzip' ? gunzipCreate() : undefined;
  }

  /** Feeds bytes: compressed when the layer is gzip, else tar. */
  write(chunk: Buffer): void {
    if (this.gz) this.gzipMore = untarGunzip(this.h, this.gz, chunk);
    else untarWrite(this.h, chunk);
  }

  finish(): UntarResult {
    if (this.gzipMore !== 0) throw Object.assign(new Error('unexpected end of file: the gzip data ends in the middle of a member'), { code: 'Z_DATA_ERROR' });
    return untarFinish(this.h);
  }

  /** Frees everything (after finish or a failure). */
  end(): void {
    untarEnd(this.h);
    if (this.gz) gunzipEnd(this.gz);
  }
}
