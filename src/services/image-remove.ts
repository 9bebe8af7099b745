// `rmi` with Docker's semantics (daemon/images/image_delete.go):
//  - by reference: untag; when that was the image's last reference the image
//    is deleted too; refused (unless forced) when it is the last reference and
//    a container uses the image — forced, it only untags.
//  - by id: with one reference (or one repository) the references go and the
//    image is deleted; with several, only when forced.
//  - an image any container uses (running or not) is never deleted.
// All of it in one LMDB transaction; layers and blobs go in the GC after.
import { BerthError } from '../errors.js';
import { familiarName, parseReference } from '../image/reference.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageRecord } from '../store/records.js';
import type { ImageDeleteItem } from '../protocol/methods.js';
import { findImage } from './lookup.js';
import { containerUses, type ContainerUse } from './image-usage.js';
import { dropTag, familiar, isSingleReference, namesById, repositoryOf, shortImageId, tagKey } from './image-refs.js';

function conflict(img: ImageRecord, hard: boolean, why: string): BerthError {
  return new BerthError('conflict', `conflict: unable to delete ${shortImageId(img.id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${why}`);
}

function containerConflict(img: ImageRecord, users: ContainerUse[], force: boolean): BerthError | undefined {
  const running = users.find((c) => c.running);
  if (running) return conflict(img, true, `image is being used by running container ${running.id.slice(0, 12)}`);
  const stopped = users[0];
  if (stopped) return conflict(img, force, `image is being used by stopped container ${stopped.id.slice(0, 12)}`);
  return undefined;
}

/** Deletes the image record and all its references; the caller has checked for conflicts. */
function deleteImage(db: MetadataDb, img: ImageRecord, items: ImageDeleteItem[]): void {
  for (const t of [...img.repoTags]) {
    dropTag(db, img, t);
    items.push({ untagged: familiar(t) });
  }
  for (const d of img.repoDigests) items.push({ untagged: familiar(d) });
  db.images.remove(img.id);
  items.push({ deleted: img.id });
}

/** Untags the reference `name` names; returns true when the image has references left. */
function untagReference(db: MetadataDb, img: ImageRecord, name: string, items: ImageDeleteItem[]): boolean {
  const ref = parseReference(name);
  if (ref.digest) {
    const key = `${ref.registry}/${ref.repository}@${ref.digest}`;
    if (!img.repoDigests.includes(key)) throw new BerthError('not_found', `No such image: ${name}`);
    img.repoDigests = img.repoDigests.filter((d) => d !== key);
    items.push({ untagged: familiarName({ registry: ref.registry, repository: ref.repository, digest: ref.digest }) });
  } else {
    const key = tagKey(ref);
    if (!img.repoTags.includes(key)) throw new BerthError('not_found', `No such image: ${name}`);
    dropTag(db, img, key);
    items.push({ untagged: familiar(key) });
    // Digest references of a repository whose last tag went go with it.
    const repo = `${ref.registry}/${ref.repository}`;
    if (!img.repoTags.some((t) => repositoryOf(t) === repo)) {
      for (const d of img.repoDigests.filter((x) => repositoryOf(x) === repo)) items.push({ untagged: familiar(d) });
      img.repoDigests = img.repoDigests.filter((x) => repositoryOf(x) !== repo);
    }
  }
  return img.repoTags.length + img.repoDigests.length > 0;
}

/** One `rmi NAME` in the current transaction. */
export function removeImageInTxn(db: MetadataDb, name: string, force: boolean): ImageDeleteItem[] {
  const found = findImage(db, name);
  if (!found) throw new BerthError('not_found', `No such image: ${name}`);
  const img: ImageRecord = { ...found, repoTags: [...found.repoTags], repoDigests: [...found.repoDigests] };
  const users = containerUses(db).filter((c) => c.imageId === img.id);
  const items: ImageDeleteItem[] = [];

  if (!namesById(name, img)) {
    if (!force && isSingleReference(img) && users.length > 0) {
      throw new BerthError('conflict',
        `conflict: unable to remove repository reference "${name}" (must force) - container ${users[0].id.slice(0, 12)} is using its referenced image ${shortImageId(img.id)}`);
    }
    if (untagReference(db, img, name, items)) {
      db.images.put(img.id, img);
      return items;
    }
    // The last reference went: delete the image unless a container uses it (then it stays, untagged).
    if (users.length > 0) {
      db.images.put(img.id, img);
      return items;
    }
    deleteImage(db, img, items);
    return items;
  }

  const c = containerConflict(img, users, force);
  if (c) throw c;
  if (!force && !isSingleReference(img) && img.repoTags.length + img.repoDigests.length > 0) {
    throw conflict(img, false, 'image is referenced in multiple repositories');
  }
  deleteImage(db, img, items);
  return items;
}

export async function removeImage(db: MetadataDb, name: string, force: boolean): Promise<ImageDeleteItem[]> {
  if (typeof name !== 'string' || name === '') throw new BerthError('invalid_argument', 'no image given: berth rmi [-f] IMAGE [IMAGE...]');
  return db.root.transaction(() => removeImageInTxn(db, name, force));
}
