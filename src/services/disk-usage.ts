// `system df`: the space images, containers, volumes and build cache take.
// An image's size counts all its layers; a layer used by several images is
// "shared". A container's size is its writable layer (overlay upper dir).
import type { DiskUsage } from '../protocol/fs-methods.js';
import type { MetadataDb } from '../store/db.js';
import { containerPaths } from '../runtime/paths.js';
import { dirSize } from '../util/dir-size.js';
import type { Row } from './container-filters.js';
import type { FsPaths } from './container-root.js';
import { familiar } from './image-refs.js';

export async function diskUsage(db: MetadataDb, paths: FsPaths, containers: Row[]): Promise<DiskUsage> {
  const images = [...db.images.getRange()].map(({ value }) => value);
  const users = new Map<string, number>();
  for (const img of images) for (const l of img.layers) users.set(l.chainId, (users.get(l.chainId) ?? 0) + 1);
  const layerSize = (chainId: string) => db.layers.get(chainId)?.size ?? 0;
  const perImage = new Map<string, number>();
  for (const c of containers) perImage.set(c.imageId, (perImage.get(c.imageId) ?? 0) + 1);
  return {
    images: images.map((img) => {
      const unique = new Set(img.layers.map((l) => l.chainId));
      let size = 0, shared = 0;
      for (const id of unique) {
        size += layerSize(id);
        if ((users.get(id) ?? 0) > 1) shared += layerSize(id);
      }
      return { id: img.id, repoTags: img.repoTags.map(familiar), created: img.created, size, sharedSize: shared, containers: perImage.get(img.id) ?? 0, layers: [...unique] };
    }),
    layerSizes: Object.fromEntries([...users.keys()].map((id) => [id, layerSize(id)])),
    containers: await Promise.all(containers.map(async (c) => ({
      id: c.id, name: c.name, image: c.image, command: c.command, created: c.created, state: c.state, status: c.status,
      sizeRw: await dirSize(containerPaths(paths.root, paths.execRoot, c.id).upper),
    }))),
    volumes: [],
    buildCache: [],
  };
}
