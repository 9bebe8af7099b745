// The full config of a stored image (platform, VOLUMEs, EXPOSEd ports), read from its
// config blob in the content store; the LMDB record keeps only what runs it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseImageConfig } from '../image/image-config.js';
import type { ImageConfig, ImageRuntimeConfig } from '../image/manifest-types.js';

// Config blobs are content-addressed, so what was read once stays true.
const cache = new Map<string, ImageConfig>();
const CACHE_MAX = 64;

/** The image's whole config (platform, runtime config, history), or null when its blob cannot be read. */
export async function imageConfigBlob(root: string, imageId: string): Promise<ImageConfig | null> {
  const key = `${root}\0${imageId}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let config: ImageConfig;
  try {
    config = parseImageConfig(await readFile(join(root, 'content', 'blobs', 'sha256', imageId.replace(/^sha256:/, ''))));
  } catch {
    return null; // not cached: the blob may appear (a pull in progress)
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, config);
  return config;
}

export async function imageRuntimeConfig(root: string, imageId: string): Promise<ImageRuntimeConfig> {
  return (await imageConfigBlob(root, imageId))?.config ?? {};
}
