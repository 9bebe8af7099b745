// The full config of a stored image (VOLUMEs, EXPOSEd ports), read from its
// config blob in the content store; the LMDB record keeps only what runs it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseImageConfig } from '../image/image-config.js';
import type { ImageRuntimeConfig } from '../image/manifest-types.js';

export async function imageRuntimeConfig(root: string, imageId: string): Promise<ImageRuntimeConfig> {
  try {
    const cfg = parseImageConfig(await readFile(join(root, 'content', 'blobs', 'sha256', imageId.replace(/^sha256:/, ''))));
    return cfg.config ?? {};
  } catch {
    return {};
  }
}
