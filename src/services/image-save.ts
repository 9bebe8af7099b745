// `save`: the named images as one tar (docker-save + OCI layout, see
// src/image/archive-writer.ts), streamed to the caller as data events.
// An image named by a tag is saved with that tag; by id, without tags.
import { BerthError } from '../errors.js';
import { parseReference } from '../image/reference.js';
import { writeImageArchive, type ArchiveImage } from '../image/archive-writer.js';
import type { ContentStore } from '../store/content-store.js';
import type { MetadataDb } from '../store/db.js';
import { waitForPendingBlobs } from '../store/pending-blobs.js';
import type { CallContext } from '../daemon/call-context.js';
import { requireImage } from './image-inspect.js';
import { namesById, tagKey } from './image-refs.js';

/** Chunks sent to the client are gathered up to this size. */
const CHUNK_BYTES = 256 * 1024;

export function selectImages(db: MetadataDb, names: string[]): ArchiveImage[] {
  const byId = new Map<string, ArchiveImage>();
  for (const name of names) {
    const img = requireImage(db, name);
    const entry = byId.get(img.id) ?? { id: img.id, manifestDigest: img.manifestDigest, tags: [] };
    byId.set(img.id, entry);
    if (namesById(name, img)) continue;
    const ref = parseReference(name);
    if (ref.digest) continue;
    const key = tagKey(ref);
    if (!entry.tags.includes(key)) entry.tags.push(key);
  }
  return [...byId.values()];
}

/** Sends `stream` to the caller as data events; stops when the caller goes away. */
export async function emitStream(stream: AsyncIterable<Buffer> & { destroy(err?: Error): void }, call: CallContext): Promise<void> {
  let pending: Buffer[] = [];
  let size = 0;
  const flush = () => {
    if (size === 0) return;
    call.emit({ kind: 'data', data: pending.length === 1 ? pending[0] : Buffer.concat(pending) });
    pending = [];
    size = 0;
  };
  for await (const chunk of stream) {
    if (call.signal.aborted) {
      stream.destroy();
      throw new BerthError('invalid_argument', 'the client went away; the stream was stopped');
    }
    pending.push(chunk);
    size += chunk.length;
    if (size >= CHUNK_BYTES) {
      flush();
      await new Promise((r) => setImmediate(r)); // let the socket drain
    }
  }
  flush();
}

export async function saveImages(db: MetadataDb, content: ContentStore, names: string[], call: CallContext): Promise<void> {
  const images = selectImages(db, names);
  // a pull just made may still be writing its layers' blobs to the store
  await waitForPendingBlobs(db, images.flatMap((i) => db.images.get(i.id)?.layers.map((l) => l.blobDigest) ?? []));
  const stream = await writeImageArchive(images, content);
  await emitStream(stream as unknown as AsyncIterable<Buffer> & { destroy(err?: Error): void }, call);
}
