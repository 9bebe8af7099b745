// A blob a pull received into memory is written to the content store after
// its layer is committed (the layer machine's storingBlob state); until then
// the layer's record says `blobPending`. Whoever reads blobs of an image
// (push, save) waits here for the ones still being written.
import type { MetadataDb } from './db.js';

const POLL_MS = 20;
/** Writing out a blob takes a moment (it is in memory); this bounds the wait when something is wrong. */
export const PENDING_BLOB_WAIT_MS = 120_000;

function pendingAmong(db: MetadataDb, digests: Set<string>): string[] {
  const out: string[] = [];
  for (const { value } of db.layers.getRange()) {
    if (value.blobPending && digests.has(value.blobDigest)) out.push(value.blobDigest);
  }
  return out;
}

/** Resolves once none of `digests` is a blob still being written out (or after `timeoutMs`: the caller then finds it missing and says so). */
export async function waitForPendingBlobs(db: MetadataDb, digests: Iterable<string>, timeoutMs = PENDING_BLOB_WAIT_MS): Promise<void> {
  const wanted = new Set(digests);
  const until = Date.now() + timeoutMs;
  while (pendingAmong(db, wanted).length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
