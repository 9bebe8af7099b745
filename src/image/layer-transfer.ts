// One layer in one pass on one pool thread: the registry's response is read
// here, hashed, appended to the download file, and fed to the unpacker
// (decompress → diffID → untar) on the same thread, so the bytes are never
// re-read from the file nor handed between threads. The download resumes
// with Range after a cut (the unpacker just waits) and, on a restart, from
// what the file already holds (those bytes are fed to the unpacker first).
// Outcomes are reported apart, as the layer machine keeps them: the blob
// (verified or rejected) and the tree (unpacked or rejected). A tree that
// fails does not stop the download: the blob is still verified and kept.
// A response only the registry client's general path can handle (an auth
// challenge, an error status) ends the task with `fallback`.
import { open, type FileHandle } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { serializeError, type SerializedError } from '../errors.js';
import type { DirectBlobRequest } from '../registry/blob-response.js';
import { downloadWith } from '../registry/blob-download.js';
import { directOpener, NeedsGeneralPath } from '../registry/direct-blob.js';
import type { RetryPolicy } from '../registry/transport.js';
import { unpackLayer } from './layer-unpack.js';

export interface TransferLayerArgs {
  request: DirectBlobRequest;
  retry: RetryPolicy;
  stallTimeoutMs: number;
  /** for messages: "blob sha256:… of registry/repository" */
  what: string;
  blobDigest: string;
  blobSize: number;
  /** the download file: appended to, resumed from its current size */
  ingestPath: string;
  mediaType: string;
  /** the layer directory to create */
  target: string;
  expectedDiffId?: string;
}

export interface TransferLayerResult {
  /** Set when the registry's answer needs the general path: nothing was unpacked, the file holds what was verified so far. */
  fallback?: { status: number };
  blobError: SerializedError | null;
  treeError: SerializedError | null;
  /** bytes of the uncompressed tar, when the tree was unpacked */
  size: number | null;
}

/** How much decompressed-side backlog the download may run ahead by. */
const FEED_BUFFER = 1024 * 1024;

function whenWritable(s: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

export async function transferLayer(a: TransferLayerArgs): Promise<TransferLayerResult> {
  const feed = new PassThrough({ highWaterMark: FEED_BUFFER });
  feed.on('error', () => undefined); // the unpacker reads the error from the stream (it may not be listening yet)
  const tree = unpackLayer({ blobPath: a.ingestPath, mediaType: a.mediaType, target: a.target, expectedDiffId: a.expectedDiffId, noSync: true }, feed).then(
    (r) => ({ size: r.size, error: null }),
    (err: unknown) => {
      feed.destroy();
      return { size: null, error: err };
    },
  );
  const tap = (chunk: Buffer): Promise<void> | undefined => {
    if (feed.destroyed) return undefined; // the tree failed: keep verifying the blob
    return feed.write(chunk) ? undefined : whenWritable(feed);
  };
  let blobErr: unknown = null;
  let fh: FileHandle | undefined;
  try {
    fh = await open(a.ingestPath, 'r+');
    const resumeFrom = (await fh.stat()).size;
    await downloadWith(directOpener(a.request, a.retry, a.stallTimeoutMs, a.what), { digest: a.blobDigest, size: a.blobSize }, fh, a.what, { resumeFrom, tap, path: a.ingestPath });
    feed.end();
  } catch (err) {
    blobErr = err;
    // with an error, so the unpacker fails instead of waiting for more
    feed.destroy(err instanceof Error ? err : new Error(String(err)));
  } finally {
    await fh?.close();
  }
  const t = await tree;
  if (blobErr instanceof NeedsGeneralPath) return { fallback: { status: blobErr.status }, blobError: null, treeError: null, size: null };
  return {
    blobError: blobErr === null ? null : serializeError(blobErr),
    treeError: t.error === null ? null : serializeError(t.error),
    size: t.size,
  };
}
