// `commit`: a new image made of the container's image plus one layer holding
// the container's changes (its overlay upper dir in OCI form), with a config
// derived from the image's, the container's own settings and `--change`
// lines, and a history entry. It is registered through a pull actor with a
// local source, like `import` and `load`, so it is pushable as it stands.
import { BerthError } from '../errors.js';
import { hostPlatform } from '../image/platform.js';
import { parseImageConfig } from '../image/image-config.js';
import { tarUpperDir } from '../image/diff-tar.js';
import { OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST } from '../image/media-types.js';
import type { ImageConfig, ImageManifest, ImageRuntimeConfig } from '../image/manifest-types.js';
import type { ContainerInput } from '../machines/container.js';
import type { ContentStore } from '../store/content-store.js';
import type { MetadataDb } from '../store/db.js';
import type { CallContext } from '../daemon/call-context.js';
import type { CommitParams } from '../protocol/fs-methods.js';
import type { ImageService } from './image-service.js';
import { applyChanges } from './image-changes.js';
import { parseTagTarget } from './image-tag.js';
import { containerFs, type FsPaths } from './container-root.js';


function containerInput(db: MetadataDb, id: string): ContainerInput {
  const rec = db.actors.get(`container/${id}`);
  const snap = (rec?.snapshot ?? {}) as { context?: ContainerInput };
  const input = snap.context ?? (rec?.input as ContainerInput | undefined);
  if (!input) throw new BerthError('not_found', `No such container: ${id}`);
  return input;
}

/** The container's settings over the image's: its command, environment and labels. */
function mergeContainer(image: ImageRuntimeConfig, c: ContainerInput): ImageRuntimeConfig {
  const out: ImageRuntimeConfig = { ...image, Env: c.spec.env };
  const entry = image.Entrypoint ?? [];
  const args = c.spec.args;
  if (entry.length > 0 && entry.every((a, i) => args[i] === a)) out.Cmd = args.slice(entry.length);
  else if (args.length > 0) {
    out.Entrypoint = undefined;
    out.Cmd = args;
  }
  if (c.spec.labels && Object.keys(c.spec.labels).length > 0) out.Labels = { ...(image.Labels ?? {}), ...c.spec.labels };
  return out;
}

export async function commitContainer(db: MetadataDb, content: ContentStore, images: ImageService, paths: FsPaths, p: CommitParams, call: CallContext): Promise<{ id: string }> {
  const target = p.repository ? parseTagTarget(p.repository) : undefined;
  const fs = containerFs(db, paths, p.id);
  const container = containerInput(db, fs.use.id);
  const base = db.images.get(fs.use.imageId);
  if (!base) throw new BerthError('not_found', `the image of ${fs.where} (${fs.use.imageId}) is gone; the container cannot be committed`);
  const baseConfig: ImageConfig = parseImageConfig(await content.readBytes(base.id));
  const baseManifest = JSON.parse((await content.readBytes(base.manifestDigest)).toString('utf8')) as ImageManifest;
  const run = applyChanges(mergeContainer(baseConfig.config ?? {}, container), p.changes ?? []);
  const layer = await content.ingestUnknown(tarUpperDir(fs.paths.upper));
  const created = new Date().toISOString();
  const platform = hostPlatform();
  const config: ImageConfig = {
    ...baseConfig,
    created,
    architecture: baseConfig.architecture ?? platform.architecture,
    os: baseConfig.os ?? platform.os,
    ...(p.author ? { author: p.author } : {}),
    config: run,
    rootfs: { type: 'layers', diff_ids: [...baseConfig.rootfs.diff_ids, layer.digest] },
    history: [...(baseConfig.history ?? []), { created, created_by: container.spec.args.join(' '), ...(p.author ? { author: p.author } : {}), ...(p.message ? { comment: p.message } : {}) }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = await content.writeBytes(configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
    layers: [...baseManifest.layers, { mediaType: OCI_LAYER_TAR, digest: layer.digest, size: layer.size }],
  };
  const manifestDigest = await content.writeBytes(Buffer.from(JSON.stringify(manifest)));
  const r = await images.runPull({ ref: target ?? `localhost/committed@${manifestDigest}`, source: 'local', manifestDigest, tag: target !== undefined }, call);
  return { id: r.id };
}
