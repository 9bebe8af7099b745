// `import`: a root filesystem tarball (plain or gzipped) uploaded by the
// client becomes a one-layer image: the layer is stored uncompressed (its
// digest is its diff id), a config and a manifest are generated, and the
// image goes through a pull actor with a local source, like `load`.
import { BerthError } from '../errors.js';
import { autoDecompress } from '../image/decompress.js';
import { hostPlatform } from '../image/platform.js';
import { OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST } from '../image/media-types.js';
import type { ImageConfig, ImageManifest } from '../image/manifest-types.js';
import type { ContentStore } from '../store/content-store.js';
import type { MetadataDb } from '../store/db.js';
import type { CallContext } from '../daemon/call-context.js';
import type { ImportParams } from '../protocol/methods.js';
import type { ImageService } from './image-service.js';
import { applyChanges } from './image-changes.js';
import { parseTagTarget } from './image-tag.js';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function importImage(_db: MetadataDb, content: ContentStore, images: ImageService, p: ImportParams, call: CallContext): Promise<{ id: string }> {
  // Everything that can be wrong with the arguments is checked before the upload is read.
  const target = p.repository ? parseTagTarget(p.repository) : undefined;
  const run = applyChanges({ Env: [DEFAULT_PATH] }, p.changes ?? []);
  const tar = await autoDecompress(call.upload());
  const layer = await content.ingestUnknown(tar);
  if (layer.size === 0) throw new BerthError('invalid_argument', 'the tarball is empty; give a tar of a root file system (e.g. from berth export)');
  const created = new Date().toISOString();
  const platform = hostPlatform();
  const config: ImageConfig = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    config: run,
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    history: [{ created, comment: p.message ?? `Imported from ${p.source ?? '-'}` }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = await content.writeBytes(configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
    layers: [{ mediaType: OCI_LAYER_TAR, digest: layer.digest, size: layer.size }],
  };
  const manifestDigest = await content.writeBytes(Buffer.from(JSON.stringify(manifest)));
  const r = await images.runPull({ ref: target ?? `localhost/imported@${manifestDigest}`, source: 'local', manifestDigest, tag: target !== undefined }, call);
  return { id: r.id };
}
