// Reference bookkeeping shared by tag, rmi and prune: an image's tags live
// both in the `tags` database (reference → id) and in the image record's
// repoTags; digest references only in repoDigests. Call inside a transaction.
import { familiarName, parseReference, type ImageReference } from '../image/reference.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageRecord } from '../store/records.js';

export function shortImageId(id: string): string {
  return id.slice(id.indexOf(':') + 1, id.indexOf(':') + 13);
}

export function repositoryOf(ref: string): string {
  const r = parseReference(ref);
  return `${r.registry}/${r.repository}`;
}

export function familiar(ref: string): string {
  return familiarName(parseReference(ref));
}

/** Docker's isSingleReference: at most one tag, and every digest reference in that tag's repository. */
export function isSingleReference(img: ImageRecord): boolean {
  const repos = new Set(img.repoDigests.map(repositoryOf));
  if (img.repoTags.length > 1) return false;
  if (img.repoTags.length === 1) {
    const repo = repositoryOf(img.repoTags[0]);
    return [...repos].every((r) => r === repo);
  }
  return repos.size === 1;
}

/** True when `name` as typed is an id (prefix) of `img` rather than a reference. */
export function namesById(name: string, img: ImageRecord): boolean {
  if (!/^(sha256:)?[0-9a-f]{6,64}$/.test(name)) return false;
  const prefix = name.startsWith('sha256:') ? name : `sha256:${name}`;
  return img.id.startsWith(prefix);
}

/** Removes one tag (normalised reference) from the tags database and the image's record (not yet written). */
export function dropTag(db: MetadataDb, img: ImageRecord, tagRef: string): void {
  if (db.tags.get(tagRef) === img.id) db.tags.remove(tagRef);
  img.repoTags = img.repoTags.filter((t) => t !== tagRef);
}

/** The normalised tag reference for a parsed reference with a tag. */
export function tagKey(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}:${ref.tag}`;
}
