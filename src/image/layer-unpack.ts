// Unpacks one layer blob into a new directory in a single streaming pass:
// blob → (gunzip | zstd, both on this thread: gunzip.ts, zstd.ts) → sha256 of the uncompressed tar (the diffID) → tar
// extraction. The blob may still be downloading (followSize): it is then
// read as it grows. Files are written without per-file fsync; unless the
// caller syncs itself (noSync: the layer actor flushes once before it
// commits), the layer's filesystem is synced once (syncfs) before the
// directory is renamed. Extraction happens in `target.tmp-<random>` which is renamed
// to `target` only when every entry was written and the diffID matched; on
// any failure the temp directory is removed.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Duplex, Readable, Transform } from 'node:stream';
import tar from 'tar-stream';
import { BerthError } from '../errors.js';
import { isSha256Digest } from './digest.js';
import { applyDirTimes, writeEntry, type EntryData, type ExtractContext, type Headers } from './layer-entries.js';
import { lstatOrUndefined } from './layer-paths.js';
import { layerCompression, type LayerCompression } from './media-types.js';
import { blobSource } from './blob-source.js';
import { createZstdDecompress } from './zstd.js';
import { createLayerGunzip } from './gunzip.js';
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

/** sha256 and byte count of the uncompressed tar, fed from the stream's data events (no extra stream hop). */
class TarDigest {
  readonly hash = createHash('sha256');
  bytes = 0;
  readonly add = (chunk: Buffer): void => {
    this.bytes += chunk.length;
    this.hash.update(chunk);
  };
}

async function checkTarget(target: string): Promise<void> {
  const st = await lstatOrUndefined(target);
  if (!st) return;
  if (!st.isDirectory() || (await readdir(target)).length > 0) {
    throw new BerthError('conflict', `cannot unpack a layer into ${target}: it already exists and is not an empty directory; remove it first`);
  }
}

function wrap(err: unknown, args: UnpackLayerArgs): BerthError {
  if (err instanceof BerthError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR' || /incorrect header check|unexpected end of file/i.test(e?.message ?? '')) {
    return new BerthError('invalid_argument', `layer ${args.blobPath} is not valid gzip data (${e.message}); its media type says ${args.mediaType}`, { cause: err });
  }
  if (/tar|header|Unexpected end of data/i.test(e?.message ?? '') && !e?.code) {
    return new BerthError('invalid_argument', `layer ${args.blobPath} is not a valid tar archive: ${e.message}`, { cause: err });
  }
  return new BerthError('io_error', `unpacking layer ${args.blobPath} into ${args.target} failed: ${e?.message ?? String(err)}`, { cause: err });
}

function decompressor(c: LayerCompression): Duplex | undefined {
  if (c === 'gzip') return createLayerGunzip();
  if (c === 'zstd') return createZstdDecompress();
  return undefined;
}

/** Runs src → [decompress] → extract, hashing what reaches the extractor; resolves when the archive is fully consumed. */
function runExtraction(src: Readable, compression: LayerCompression, digest: TarDigest, ctx: ExtractContext): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const extract = tar.extract();
    const dec = decompressor(compression);
    const tarStream: Readable = dec ? src.pipe(dec as unknown as Transform) : src;
    const nodeStreams: Readable[] = dec ? [src, tarStream] : [src];
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      for (const s of nodeStreams) s.destroy();
      extract.destroy();
      reject(err);
    };
    for (const s of nodeStreams) s.on('error', fail);
    extract.on('error', fail);
    extract.on('finish', () => { if (!failed) resolve(); });
    extract.on('entry', (header, stream, next) => {
      writeEntry(ctx, header as unknown as Headers, stream as unknown as EntryData).then(
        () => next(),
        (err: unknown) => fail(err),
      );
    });
    // a data listener sees every chunk, in order, that pipe() hands to the extractor
    tarStream.on('data', digest.add);
    tarStream.pipe(extract as unknown as NodeJS.WritableStream);
  });
}

/** Unpacks `blobPath` (or the blob's bytes from `source`, when given) into `target` atomically; see the module comment. */
export async function unpackLayer(args: UnpackLayerArgs, source?: Readable): Promise<UnpackLayerResult> {
  const compression = layerCompression(args.mediaType);
  if (compression === undefined) {
    throw new BerthError('invalid_argument', `cannot unpack layer ${args.blobPath}: unknown layer media type "${args.mediaType}"`);
  }
  if (args.expectedDiffId !== undefined && !isSha256Digest(args.expectedDiffId)) {
    throw new BerthError('invalid_argument', `expected diffID "${args.expectedDiffId}" is not a sha256 digest`);
  }
  await checkTarget(args.target);
  await mkdir(dirname(args.target), { recursive: true });
  const tmp = `${args.target}.tmp-${randomBytes(6).toString('hex')}`;
  await mkdir(tmp, { mode: 0o755 });
  const ctx: ExtractContext = { root: tmp, dirTimes: new Map(), contentSize: 0 };
  try {
    const hasher = new TarDigest();
    // a source that failed while the directory was made has no listener to tell: check it here
    if (source?.destroyed) throw source.errored ?? new BerthError('io_error', `the data of layer ${args.blobPath} stopped before it was unpacked`);
    await runExtraction(source ?? blobSource(args.blobPath, args.followSize), compression, hasher, ctx);
    await applyDirTimes(ctx);
    const diffId = `sha256:${hasher.hash.digest('hex')}`;
    if (args.expectedDiffId !== undefined && diffId !== args.expectedDiffId) {
      throw new BerthError('digest_mismatch', `layer ${basename(args.blobPath)} unpacks to diffID ${diffId} but the image config says ${args.expectedDiffId}; the image is corrupt`);
    }
    if (!args.noSync) await syncFilesystem(tmp);
    if (await lstatOrUndefined(args.target)) await rmdir(args.target);
    await rename(tmp, args.target);
    return { diffId, size: hasher.bytes, contentSize: ctx.contentSize };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw wrap(err, args);
  }
}
