// Makes a pulled image visible: one LMDB transaction writes the image record
// and moves its tag, so a crash leaves either the whole image or none of it.
import { BerthError } from '../errors.js';
import { parseReference, formatReference } from '../image/reference.js';
import type { MetadataDb } from '../store/db.js';
import type { PullContext } from '../machines/pull.js';
import type { ImageRecord } from '../store/records.js';

export async function commitImage(db: MetadataDb, ctx: PullContext): Promise<void> {
  const image = ctx.image;
  if (!image) throw new BerthError('internal', 'commit before the image was resolved');
  const ref = parseReference(ctx.ref);
  const repo = `${ref.registry}/${ref.repository}`;
  const tagRef = ctx.tag && ref.tag ? formatReference({ registry: ref.registry, repository: ref.repository, tag: ref.tag }) : null;
  const digestRef = ctx.source === 'registry' ? `${repo}@${image.manifestDigest}` : null;
  await db.root.transaction(() => {
    let size = 0;
    for (const l of image.layers) {
      const rec = db.layers.get(l.chainId);
      if (!rec) throw new BerthError('internal', `layer ${l.chainId} is not committed; the image cannot be made visible`);
      size += rec.size;
    }
    const prior = db.images.get(image.configDigest);
    const record: ImageRecord = {
      id: image.configDigest,
      manifestDigest: image.manifestDigest,
      repoTags: prior?.repoTags ?? [],
      repoDigests: prior?.repoDigests ?? [],
      config: image.config,
      layers: image.layers.map((l) => ({ chainId: l.chainId, diffId: l.diffId, blobDigest: l.blobDigest })),
      size,
      created: image.created,
    };
    if (tagRef) {
      const previousId = db.tags.get(tagRef);
      if (previousId && previousId !== record.id) {
        const previous = db.images.get(previousId);
        if (previous) db.images.put(previousId, { ...previous, repoTags: previous.repoTags.filter((t) => t !== tagRef) });
      }
      db.tags.put(tagRef, record.id);
      if (!record.repoTags.includes(tagRef)) record.repoTags = [...record.repoTags, tagRef];
    }
    if (digestRef && !record.repoDigests.includes(digestRef)) record.repoDigests = [...record.repoDigests, digestRef];
    db.images.put(record.id, record);
  });
}
