// Unpacks one layer blob into a new directory in a single streaming pass on
// this thread: blob → [zstd (zstd.ts)] → the addon's extraction
// (native-untar.ts: gunzip, sha256 of the uncompressed tar — the diffID — and
// the tar entries, in one native call per chunk). LayerWriter takes the
// blob's bytes as they arrive (the pool's layer transfer feeds it from the
// socket, synchronously); unpackLayer feeds it from a file, which may still be
// downloading (followSize: read as it grows). Files are written without
// per-file fsync; unless the caller syncs itself (noSync: the layer actor
// flushes once before it commits), the layer's filesystem is synced once
// (syncfs) before the directory is renamed. The extraction starts each file's
// writeback as it closes it (sync_file_range, not waited for), so that the
// final flush has little left to write. Extraction happens in
// `target.tmp-<random>`, renamed to `target` only when every entry was written
// and the diffID matched; on any failure the temp directory is removed.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { BerthError } from '../errors.js';
import { isSha256Digest } from './digest.js';
import { lstatOrUndefined } from './layer-paths.js';
import { layerCompression, type LayerCompression } from './media-types.js';
import { blobSource } from './blob-source.js';
import { createZstdDecompress } from './zstd.js';
import { NativeUntar, untarError } from './native-untar.js';
import type { UntarResult } from '../native/addon.js';
import { syncFilesystem } from '../util/sync-fs.js';

export interface UnpackLayerArgs {
  /** Path of the (possibly compressed) layer blob, e.g. a ContentStore path. */
  blobPath: string;
  /** Layer media type: selects gzip, zstd or plain tar. */
  mediaType: string;
  /** The blob is still being written: read it as it grows, up to this many bytes. */
  followSize?: number;
  /** Skip the final syncfs: the caller syncs before it relies on the layer (the layer actor's commit, tests). */
  noSync?: boolean;
  /** Directory to create; must not exist or be empty. */
  target: string;
  /** When given, the computed diffID must equal it (else digest_mismatch). */
  expectedDiffId?: string;
}

export interface UnpackLayerResult {
  /** sha256 of the uncompressed tar stream. */
  diffId: string;
  /** Bytes of the uncompressed tar stream. */
  size: number;
  /** Sum of the sizes of the regular files written. */
  contentSize: number;
}

function checkTarget(target: string): void {
  const st = lstatOrUndefined(target);
  if (!st) return;
  if (!st.isDirectory() || readdirSync(target).length > 0) {
    throw new BerthError('conflict', `cannot unpack a layer into ${target}: it already exists and is not an empty directory; remove it first`);
  }
}

function wrap(err: unknown, args: UnpackLayerArgs): BerthError {
  if (err instanceof BerthError) return err;
  const known = untarError(err, args.blobPath, args.mediaType);
  if (known) return known;
  const e = err as NodeJS.ErrnoException;
  return new BerthError('io_error', `unpacking layer ${args.blobPath} into ${args.target} failed: ${e?.message ?? String(err)}`, { cause: err });
}

/** Feeds the layer's bytes, as they arrive, to the native extraction (through a zstd stream only without zstd-napi). */
class Extraction {
  private readonly untar: NativeUntar;
  private readonly zstd: Transform | undefined;
  private zstdError: unknown;

  constructor(compression: LayerCompression, root: string, verified: boolean) {
    const zstdStream = compression === 'zstd' && !NativeUntar.takesZstd();
    this.untar = new NativeUntar(root, zstdStream ? 'none' : compression, verified);
    if (zstdStream) {
      this.zstd = createZstdDecompress();
      this.zstd.on('data', (tar: Buffer) => {
        if (this.zstdError !== undefined) return;
        try {
          this.untar.write(tar);
        } catch (err) {
          this.zstdError = err;
          this.zstd!.destroy();
        }
      });
      this.zstd.on('error', (err) => { this.zstdError ??= err; });
    }
  }

  /** Synchronous unless zstd goes through a stream (then it resolves when the stream takes more). */
  write(chunk: Buffer): Promise<void> | undefined {
    if (!this.zstd) {
      this.untar.write(chunk);
      return undefined;
    }
    if (this.zstdError !== undefined) throw this.zstdError;
    if (this.zstd.write(chunk)) return undefined;
    return new Promise((resolve) => {
      const done = () => { this.zstd!.off('drain', done).off('close', done); resolve(); };
      this.zstd!.on('drain', done).on('close', done);
    });
  }

  async finish(): Promise<UntarResult> {
    if (this.zstd) {
      this.zstd.end();
      await finished(this.zstd).catch((err: unknown) => { this.zstdError ??= err; });
      if (this.zstdError !== undefined) throw this.zstdError;
    }
    return this.untar.finish();
  }

  end(): void {
    this.zstd?.destroy();
    this.untar.end();
  }
}

/**
 * One layer being unpacked into `target.tmp-<random>`: bytes go in with
 * write() as they arrive, finish() checks the diffID and renames the
 * directory to `target`; abort() (or any failure) removes it.
 */
export class LayerWriter {
  private done = false;

  private constructor(private readonly args: UnpackLayerArgs, private readonly tmp: string, private readonly ex: Extraction) {}

  /** Synchronous (a few quick calls): on a thread busy with other transfers each await would wait for a turn of its event loop. */
  static open(args: UnpackLayerArgs): LayerWriter {
    const compression = layerCompression(args.mediaType);
    if (compression === undefined) {
      throw new BerthError('invalid_argument', `cannot unpack layer ${args.blobPath}: unknown layer media type "${args.mediaType}"`);
    }
    if (args.expectedDiffId !== undefined && !isSha256Digest(args.expectedDiffId)) {
      throw new BerthError('invalid_argument', `expected diffID "${args.expectedDiffId}" is not a sha256 digest`);
    }
    checkTarget(args.target);
    mkdirSync(dirname(args.target), { recursive: true });
    const tmp = `${args.target}.tmp-${randomBytes(6).toString('hex')}`;
    mkdirSync(tmp, { mode: 0o755 });
    try {
      return new LayerWriter(args, tmp, new Extraction(compression, tmp, args.expectedDiffId !== undefined));
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw wrap(err, args);
    }
  }

  /** Feeds the next bytes of the blob. Synchronous except for zstd without zstd-napi; throws (wrapped) when they cannot be unpacked. */
  write(chunk: Buffer): Promise<void> | undefined {
    try {
      return this.ex.write(chunk)?.catch((err: unknown) => { throw wrap(err, this.args); });
    } catch (err) {
      throw wrap(err, this.args);
    }
  }

  /** After the blob's last byte: checks the diffID, syncs unless noSync, and puts the layer in place. */
  async finish(): Promise<UnpackLayerResult> {
    try {
      const { diffId, size, contentSize } = await this.ex.finish();
      const a = this.args;
      if (a.expectedDiffId !== undefined && diffId !== a.expectedDiffId) {
        throw new BerthError('digest_mismatch', `layer ${basename(a.blobPath)} unpacks to diffID ${diffId} but the image config says ${a.expectedDiffId}; the image is corrupt`);
      }
      this.ex.end();
      this.done = true;
      if (!a.noSync) await syncFilesystem(this.tmp);
      if (lstatOrUndefined(a.target)) rmdirSync(a.target);
      renameSync(this.tmp, a.target);
      return { diffId, size, contentSize };
    } catch (err) {
      await this.abort();
      throw wrap(err, this.args);
    }
  }

  /** Removes what was unpacked; for a layer whose bytes failed or will not be finished. */
  async abort(): Promise<void> {
    if (!this.done) this.ex.end();
    this.done = true;
    await rm(this.tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Unpacks `blobPath` (or the blob's bytes from `source`, when given) into `target` atomically; see the module comment. */
export async function unpackLayer(args: UnpackLayerArgs, source?: Readable): Promise<UnpackLayerResult> {
  const w = LayerWriter.open(args);
  const src = source ?? blobSource(args.blobPath, args.followSize);
  try {
    for await (const chunk of src) await w.write(chunk as Buffer);
  } catch (err) {
    await w.abort();
    throw wrap(err, args);
  } finally {
    src.destroy();
  }
  return w.finish();
}
