// Legacy `docker save` archives: manifest.json lists, per image, a config
// file, its layer tars and its RepoTags. Files were stored by readArchive
// under their computed digests; this writes an OCI manifest for each image.
import { BerthError } from '../errors.js';
import type { ContentStore } from '../store/content-store.js';
import { dropUnreferenced, lookupFile, type ArchiveContents } from './archive-reader.js';
import { parseImageConfig } from './image-config.js';
import type { Descriptor, ImageManifest } from './manifest-types.js';
import { OCI_CONFIG, OCI_LAYER_TAR, OCI_LAYER_TAR_GZIP, OCI_MANIFEST } from './media-types.js';
import type { ImageArchive, ArchiveManifest } from './oci-layout.js';
import { isValidReference } from './reference.js';
import { open } from 'node:fs/promises';

interface DockerSaveEntry { Config?: unknown; RepoTags?: unknown; Layers?: unknown }

function bad(why: string): BerthError {
  return new BerthError('invalid_argument', `invalid docker save archive: ${why}`);
}

async function isGzip(store: ContentStore, digest: string): Promise<boolean> {
  const fh = await open(store.path(digest), 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function importDockerSave(c: ArchiveContents, store: ContentStore): Promise<ImageArchive> {
  let list: unknown;
  try {
    list = JSON.parse(c.metadata.get('manifest.json')!.toString('utf8'));
  } catch (err) {
    throw new BerthError('invalid_argument', `invalid docker save archive: manifest.json is not JSON (${(err as Error).message})`, { cause: err });
  }
  if (!Array.isArray(list)) throw bad('manifest.json must be an array');
  const seen = new Set<string>();
  const manifests: ArchiveManifest[] = [];
  for (const [i, raw] of (list as DockerSaveEntry[]).entries()) {
    if (typeof raw?.Config !== 'string') throw bad(`manifest.json[${i}].Config is missing`);
    if (!Array.isArray(raw.Layers) || raw.Layers.some((l) => typeof l !== 'string')) throw bad(`manifest.json[${i}].Layers must be an array of paths`);
    const cfg = lookupFile(c, raw.Config);
    if (!cfg) throw bad(`config ${raw.Config} named by manifest.json[${i}] is not in the archive`);
    const config = parseImageConfig(await store.readBytes(cfg.digest));
    if (config.rootfs.diff_ids.length !== raw.Layers.length) {
      throw bad(`manifest.json[${i}] lists ${raw.Layers.length} layers but its config has ${config.rootfs.diff_ids.length} diff_ids`);
    }
    const layers: Descriptor[] = [];
    for (const [j, path] of (raw.Layers as string[]).entries()) {
      const f = lookupFile(c, path);
      if (!f) throw bad(`layer ${path} named by manifest.json[${i}] is not in the archive`);
      const gzip = await isGzip(store, f.digest);
      if (!gzip && f.digest !== config.rootfs.diff_ids[j]) {
        throw new BerthError('digest_mismatch', `docker save archive: layer ${path} has digest ${f.digest} but the config's diff_ids[${j}] is ${config.rootfs.diff_ids[j]}; the archive is corrupt`);
      }
      layers.push({ mediaType: gzip ? OCI_LAYER_TAR_GZIP : OCI_LAYER_TAR, digest: f.digest, size: f.size });
      seen.add(f.digest);
    }
    seen.add(cfg.digest);
    const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: cfg.digest, size: cfg.size }, layers };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = await store.writeBytes(bytes);
    seen.add(digest);
    const base: ArchiveManifest = { digest, mediaType: OCI_MANIFEST, size: bytes.length, platform: { os: config.os, architecture: config.architecture } };
    const tags = Array.isArray(raw.RepoTags) ? raw.RepoTags.filter((t): t is string => typeof t === 'string' && isValidReference(t)) : [];
    if (tags.length === 0) manifests.push(base);
    for (const t of tags) manifests.push({ ...base, name: t });
  }
  await dropUnreferenced(c, store, seen);
  return { format: 'docker-save', manifests };
}
