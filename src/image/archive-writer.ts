// Writes images as one tar stream holding both archive formats, as Docker 25+
// `docker save` does: an OCI image layout (oci-layout, index.json,
// blobs/sha256/*) and the legacy docker-save files (manifest.json,
// repositories) pointing at the same blobs. Every blob is written once,
// streamed from the content store.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BerthError } from '../errors.js';
import type { ContentStore } from '../store/content-store.js';
import { parseManifest } from './manifest.js';
import { familiarName, familiarRepository, parseReference } from './reference.js';
import { CONTAINERD_NAME_ANNOTATION, REF_NAME_ANNOTATION } from './oci-layout.js';
import { OCI_INDEX } from './media-types.js';
import type { Descriptor } from './manifest-types.js';

export interface ArchiveImage {
  /** config digest */
  id: string;
  manifestDigest: string;
  /** normalised references (registry/repo:tag) to name the image with; may be empty */
  tags: string[];
}

const MTIME = new Date(0);

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

interface Planned { image: ArchiveImage; manifest: Descriptor; config: Descriptor; layers: Descriptor[] }

async function plan(images: ArchiveImage[], content: ContentStore): Promise<Planned[]> {
  const out: Planned[] = [];
  for (const image of images) {
    const bytes = await content.readBytes(image.manifestDigest);
    const parsed = parseManifest(bytes);
    if (parsed.kind !== 'manifest') throw new BerthError('internal', `image ${image.id}: ${image.manifestDigest} is an index, not an image manifest`);
    const m = parsed.manifest;
    for (const d of [m.config, ...m.layers]) {
      if (!(await content.has(d.digest))) {
        throw new BerthError('not_found', `cannot save ${image.id}: blob ${d.digest} is not in the content store (the layer was reused from another image); pull the image again with its layers removed`);
      }
    }
    out.push({ image, manifest: { mediaType: parsed.mediaType, digest: image.manifestDigest, size: bytes.length }, config: m.config, layers: m.layers });
  }
  return out;
}

function addEntry(pack: tar.Pack, name: string, body: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, mode: 0o644, mtime: MTIME, uid: 0, gid: 0 }, body, (err) => (err ? reject(err) : resolve()));
  });
}

function addDir(pack: tar.Pack, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, type: 'directory', mode: 0o755, mtime: MTIME, uid: 0, gid: 0 }, (err) => (err ? reject(err) : resolve()));
  });
}

async function addBlob(pack: tar.Pack, content: ContentStore, d: Descriptor): Promise<void> {
  const size = await content.size(d.digest);
  if (size === undefined) throw new BerthError('not_found', `blob ${d.digest} disappeared from the content store while saving`);
  const entry = pack.entry({ name: blobPath(d.digest), size, mode: 0o644, mtime: MTIME, uid: 0, gid: 0 });
  await pipeline(createReadStream(content.path(d.digest)), entry);
}

function indexJson(planned: Planned[]): string {
  const manifests: Descriptor[] = [];
  for (const p of planned) {
    if (p.image.tags.length === 0) manifests.push(p.manifest);
    for (const t of p.image.tags) {
      const ref = parseReference(t);
      manifests.push({ ...p.manifest, annotations: { [CONTAINERD_NAME_ANNOTATION]: t, [REF_NAME_ANNOTATION]: ref.tag ?? 'latest' } });
    }
  }
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
}

function dockerManifestJson(planned: Planned[]): string {
  return JSON.stringify(planned.map((p) => ({
    Config: blobPath(p.config.digest),
    RepoTags: p.image.tags.map((t) => familiarName(parseReference(t))),
    Layers: p.layers.map((l) => blobPath(l.digest)),
  })));
}

function repositoriesJson(planned: Planned[]): string {
  const repos: Record<string, Record<string, string>> = {};
  for (const p of planned) {
    const top = p.layers.at(-1);
    for (const t of p.image.tags) {
      const ref = parseReference(t);
      const repo = familiarRepository(ref);
      (repos[repo] ??= {})[ref.tag ?? 'latest'] = (top ?? p.config).digest.slice('sha256:'.length);
    }
  }
  return JSON.stringify(repos);
}

/** Checks every blob is present, then returns the archive as a stream (errors end it with an error). */
export async function writeImageArchive(images: ArchiveImage[], content: ContentStore): Promise<Readable> {
  const planned = await plan(images, content);
  const pack = tar.pack();
  const produce = async () => {
    await addEntry(pack, 'oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await addDir(pack, 'blobs');
    await addDir(pack, 'blobs/sha256');
    const written = new Set<string>();
    for (const p of planned) {
      for (const d of [p.manifest, p.config, ...p.layers]) {
        if (written.has(d.digest)) continue;
        written.add(d.digest);
        await addBlob(pack, content, d);
      }
    }
    await addEntry(pack, 'index.json', indexJson(planned));
    await addEntry(pack, 'manifest.json', dockerManifestJson(planned));
    await addEntry(pack, 'repositories', repositoriesJson(planned));
    pack.finalize();
  };
  produce().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return pack as unknown as Readable;
}
