// A Transform around a synchronous streaming decoder that fills an output
// buffer from an input buffer and says how much it used, such as libzstd's
// ZSTD_decompressStream (zstd-napi; createZstdDecompress in zstd.ts). Layers
// do not go through it: the native untar takes the decoder's steps directly.
// It runs on the calling thread, with no hand-off to libuv's thread pool.
import { Transform, type TransformCallback } from 'node:stream';

export interface SyncDecoder {
  /** [more, produced, consumed]: more is 0 when the input so far ends exactly at the end of a frame/member. */
  step(dst: Buffer, src: Buffer): [number, number, number];
  /** Frees the decoder (optional). */
  end?(): void;
}

export class SyncDecoderStream extends Transform {
  /** The last call returned before the end of a frame. */
  private inFrame = false;

  constructor(
    private readonly decoder: SyncDecoder,
    private readonly outSize: number,
    private readonly badData: (detail: string) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      let src = chunk;
      for (;;) {
        const dst = Buffer.allocUnsafe(this.outSize);
        const [more, produced, consumed] = this.decoder.step(dst, src);
        if (produced > 0) this.push(produced === dst.length ? dst : dst.subarray(0, produced));
        src = src.subarray(consumed);
        // done with this chunk once the input is used up and the output was not full (nothing more buffered in the decoder)
        if (src.length === 0 && (produced < dst.length || more === 0)) {
          this.inFrame = more !== 0;
          break;
        }
        if (produced === 0 && consumed === 0) throw new Error('the decoder made no progress');
      }
    } catch (err) {
      cb(this.badData((err as Error).message));
      return;
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.decoder.end?.();
    cb(this.inFrame ? this.badData('the data ends in the middle of a frame') : null);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.decoder.end?.();
    cb(err);
  }
}
