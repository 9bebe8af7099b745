// Streaming zstd decompression for layers. Node 20's zlib has no zstd, so:
// zstd-napi (the reference libzstd built into an N-API module, ~1 GB/s,
// runs on the calling thread: layers are unpacked on pool threads), else
// fzstd (pure JavaScript, ~5× slower) when that module cannot be loaded.
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { BerthError } from '../errors.js';
import { SyncDecoderStream } from './stream-decoder.js';

/** The part of zstd-napi's low-level binding used here (libzstd's streaming decoder). */
interface DCtx { decompressStream(dst: Buffer, src: Buffer): [number, number, number]; setParameter(param: number, value: number): void }
type NapiBinding = { DCtx: new () => DCtx; dStreamOutSize(): number };

let napi: NapiBinding | Error | undefined;

/** zstd-napi's binding, or the Error that kept it from loading (loaded once, lazily). */
export function loadZstdNapi(): NapiBinding | Error {
  if (napi === undefined) {
    try {
      napi = createRequire(import.meta.url)('zstd-napi/binding') as NapiBinding;
    } catch (err) {
      napi = err instanceof Error ? err : new Error(String(err));
    }
  }
  return napi;
}

export function badZstd(detail: string): BerthError {
  return new BerthError('invalid_argument', `layer is not valid zstd data (${detail.trim() || 'decompression failed'}); its media type says zstd`);
}

/** fzstd as a Transform. */
class ZstdJs extends Transform {
  private readonly d = new Decompress((chunk: Uint8Array) => { this.push(Buffer.from(chunk)); });

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.d.push(chunk);
      cb();
    } catch (err) {
      cb(badZstd((err as Error).message));
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(badZstd((err as Error).message));
    }
  }
}

/** libzstd's ZSTD_d_forceIgnoreChecksum (zstd.h: ZSTD_d_experimentalParam3 since 1.4.7; zstd-napi passes parameters through). */
const ZSTD_D_FORCE_IGNORE_CHECKSUM = 1002;

/**
 * libzstd's streaming step ([more, produced, consumed], as SyncDecoder.step) and its output size, or undefined when
 * zstd-napi cannot be loaded. `verified`: the caller checks the output's sha256 (a layer's diffID), so the frames'
 * own XXH64 checksums are not computed (where libzstd allows it; else they are checked as usual).
 */
export function zstdStep(verified = false): { step: (dst: Buffer, src: Buffer) => [number, number, number]; outSize: number } | undefined {
  const b = loadZstdNapi();
  if (b instanceof Error) return undefined;
  const dctx = new b.DCtx();
  if (verified) {
    try {
      dctx.setParameter(ZSTD_D_FORCE_IGNORE_CHECKSUM, 1);
    } catch {
      // an older libzstd: checksums stay checked
    }
  }
  return { step: (dst, src) => dctx.decompressStream(dst, src), outSize: Math.max(b.dStreamOutSize(), 256 * 1024) };
}

/** A stream that decompresses zstd; `impl` forces one implementation (tests). */
export function createZstdDecompress(impl?: 'napi' | 'js'): Transform {
  const b = impl === 'js' ? undefined : loadZstdNapi();
  if (impl === 'napi' && b instanceof Error) throw new BerthError('internal', `zstd-napi cannot be loaded: ${b.message}`);
  const napiStep = b && !(b instanceof Error) ? zstdStep() : undefined;
  if (!napiStep) return new ZstdJs();
  return new SyncDecoderStream({ step: napiStep.step }, napiStep.outSize, badZstd);
}
