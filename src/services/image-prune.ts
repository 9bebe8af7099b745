// `image prune`: deletes dangling images (no tags), or with `all` every image
// no container uses; then one GC pass removes their layers and blobs.
import type { MetadataDb } from '../store/db.js';
import type { ImageDeleteItem, ImagePruneResult } from '../protocol/methods.js';
import { containerUses } from './image-usage.js';
import { familiar } from './image-refs.js';
import type { ImageGc } from './image-gc.js';

export async function pruneImages(db: MetadataDb, gc: ImageGc, all: boolean): Promise<ImagePruneResult> {
  const deleted = await db.root.transaction(() => {
    const used = new Set(containerUses(db).map((c) => c.imageId));
    const items: ImageDeleteItem[] = [];
    for (const { value: img } of [...db.images.getRange()]) {
      if (used.has(img.id)) continue;
      if (!all && img.repoTags.length > 0) continue;
      for (const t of img.repoTags) {
        if (db.tags.get(t) === img.id) db.tags.remove(t);
        items.push({ untagged: familiar(t) });
      }
      for (const d of img.repoDigests) items.push({ untagged: familiar(d) });
      db.images.remove(img.id);
      items.push({ deleted: img.id });
    }
    return items;
  });
  const gcResult = await gc.collect();
  return { deleted, spaceReclaimed: gcResult.spaceReclaimed };
}
