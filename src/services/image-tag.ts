// `tag SOURCE TARGET`: points TARGET at SOURCE's image in one transaction;
// the image TARGET named before loses that tag (and may become dangling).
import { BerthError } from '../errors.js';
import { parseReference } from '../image/reference.js';
import type { MetadataDb } from '../store/db.js';
import { findImage } from './lookup.js';
import { tagKey } from './image-refs.js';

/** Parses TARGET of `tag`/`import`: a name with an optional tag, never a digest. */
export function parseTagTarget(target: string): string {
  if (typeof target !== 'string' || target === '') throw new BerthError('invalid_argument', 'no target given: berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]');
  const ref = parseReference(target);
  if (ref.digest) throw new BerthError('invalid_argument', `refusing to create a tag with a digest reference: "${target}"; give a name with an optional :TAG`);
  return tagKey(ref);
}

export async function tagImage(db: MetadataDb, source: string, target: string): Promise<null> {
  if (typeof source !== 'string' || source === '') throw new BerthError('invalid_argument', 'no source image given: berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]');
  const key = parseTagTarget(target);
  await db.root.transaction(() => {
    const img = findImage(db, source);
    if (!img) throw new BerthError('not_found', `No such image: ${source}`);
    setTagInTxn(db, img.id, key);
  });
  return null;
}

/** Moves tag `key` (normalised) to image `id`; call inside a transaction. */
export function setTagInTxn(db: MetadataDb, id: string, key: string): void {
  const img = db.images.get(id);
  if (!img) throw new BerthError('not_found', `No such image: ${id}`);
  const previousId = db.tags.get(key);
  if (previousId === id && img.repoTags.includes(key)) return;
  if (previousId && previousId !== id) {
    const previous = db.images.get(previousId);
    if (previous) db.images.put(previousId, { ...previous, repoTags: previous.repoTags.filter((t) => t !== key) });
  }
  db.tags.put(key, id);
  db.images.put(id, { ...img, repoTags: img.repoTags.includes(key) ? img.repoTags : [...img.repoTags, key] });
}
