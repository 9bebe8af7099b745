// One layer in one pass on one pool thread: each chunk of the registry's
// response is handed to the hashing thread (which also appends it to the
// download file) and unpacked (decompress → diffID → untar) right away, in the
// same callback, so the bytes are never re-read from the file nor queued
// between stages. The download resumes with Range after a cut (the unpacker
// just waits for the next chunk) and, on a restart, from
// what the file already holds (those bytes are fed to the unpacker first).
// Outcomes are reported apart, as the layer machine keeps them: the blob
// (verified or rejected) and the tree (unpacked or rejected). A tree that
// fails does not stop the download: the blob is still verified and kept.
// A response only the registry client's general path can handle (an auth
// challenge, an error status) ends the task with `fallback`.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { serializeError, type SerializedError } from '../errors.js';
import type { DirectBlobRequest } from '../registry/blob-response.js';
import { downloadWith } from '../registry/blob-download.js';
import { directOpener, NeedsGeneralPath } from '../registry/direct-blob.js';
import type { RetryPolicy } from '../registry/transport.js';
import { LayerWriter } from './layer-unpack.js';

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
  /** ingestPath names a memory file (/proc/self/fd/N of the layer actor's): written through the descriptor opened here */
  memoryFile?: boolean;
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

export async function transferLayer(a: TransferLayerArgs): Promise<TransferLayerResult> {
  let treeErr: { err: unknown } | undefined;
  let writer: LayerWriter | undefined;
  try {
    // named in messages by its digest (the bytes may be going to a memory file, /proc/self/fd/N)
    writer = LayerWriter.open({ blobPath: a.blobDigest, mediaType: a.mediaType, target: a.target, expectedDiffId: a.expectedDiffId, noSync: true });
  } catch (err) {
    treeErr = { err };
  }
  // Each chunk is unpacked as it arrives, on this thread (the tap returns a promise only for zstd without zstd-napi).
  // A tree that fails stops being fed; the blob is still verified and kept.
  const tap = (chunk: Buffer): Promise<void> | undefined => {
    if (!writer || treeErr) return undefined;
    try {
      return writer.write(chunk)?.catch((err: unknown) => { treeErr ??= { err }; });
    } catch (err) {
      treeErr = { err };
      return undefined;
    }
  };
  let blobErr: unknown = null;
  let fd: number | undefined;
  try {
    // synchronous: on this busy thread every await of the file system waits for a turn of the event loop
    fd = openSync(a.ingestPath, 'r+');
    const resumeFrom = fstatSync(fd).size;
    await downloadWith(directOpener(a.request, a.retry, a.stallTimeoutMs, a.what), { digest: a.blobDigest, size: a.blobSize }, fd, a.what, { resumeFrom, tap, path: a.ingestPath, memoryFile: a.memoryFile });
  } catch (err) {
    blobErr = err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  let size: number | null = null;
  if (writer && !treeErr && blobErr === null) {
    try {
      size = (await writer.finish()).size;
    } catch (err) {
      treeErr = { err };
    }
  } else {
    await writer?.abort();
    if (blobErr !== null) treeErr ??= { err: blobErr }; // the tree ends with the bytes that were to make it
  }
  if (blobErr instanceof NeedsGeneralPath) return { fallback: { status: blobErr.status }, blobError: null, treeError: null, size: null };
  return {
    blobError: blobErr === null ? null : serializeError(blobErr),
    treeError: treeErr === undefined ? null : serializeError(treeErr.err),
    size,
  };
}
