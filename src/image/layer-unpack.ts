// Unpacks one layer blob into a new directory in a single streaming pass on
// this thread: blob → [zstd (zstd.ts)] → the addon's extraction
// (native-untar.ts: gunzip, sha256 of the uncompressed tar — the diffID — and
// the tar entries, in one native call per chunk). The blob may still be downloading (followSize): it is then
// read as it grows. Files are written without per-file fsync; unless the
// caller syncs itself (noSync: the layer actor flushes once before it
// commits), the layer's filesystem is synced once (syncfs) before the
// directory is renamed. Extraction happens in `target.tmp-<random>` which is renamed
// to `target` only when every entry was written and the diffID matched; on
// any failure the temp directory is removed.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
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

async function checkTarget(target: string): Promise<void> {
  const st = await lstatOrUndefined(target);
  if (!st) return;
  if (!st.isDirectory() || (await readdir(target)).length > 0) {
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

/** Runs src → native untar (which decodes gzip and zstd itself and hashes the tar; zstd through a stream only without zstd-napi); resolves when the archive is fully consumed. */
async function runExtraction(src: Readable, compression: LayerCompression, root: string, verified: boolean): Promise<UntarResult> {
  const zstdStream = compression === 'zstd' && !NativeUntar.takesZstd();
  const untar = new NativeUntar(root, zstdStream ? 'none' : compression, verified);
  try {
    const input: Readable = zstdStream ? pipeline(src, createZstdDecompress(), () => undefined) : src;
    for await (const chunk of input) untar.write(chunk as Buffer);
    return untar.finish();
  } finally {
    untar.end();
    src.destroy();
  }
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
  try {
    // a source that failed while the directory was made has no listener to tell: check it here
    if (source?.destroyed) throw source.errored ?? new BerthError('io_error', `the data of layer ${args.blobPath} stopped before it was unpacked`);
    const { diffId, size, contentSize } = await runExtraction(source ?? blobSource(args.blobPath, args.followSize), compression, tmp, args.expectedDiffId !== undefined);
    if (args.expectedDiffId !== undefined && diffId !== args.expectedDiffId) {
      throw new BerthError('digest_mismatch', `layer ${basename(args.blobPath)} unpacks to diffID ${diffId} but the image config says ${args.expectedDiffId}; the image is corrupt`);
    }
    if (!args.noSync) await syncFilesystem(tmp);
    if (await lstatOrUndefined(args.target)) await rmdir(args.target);
    await rename(tmp, args.target);
    return { diffId, size, contentSize };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw wrap(err, args);
  }
}
