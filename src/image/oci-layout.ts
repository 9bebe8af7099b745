// Loading an image archive: an OCI image layout as a tar stream (skopeo's
// oci-archive:, our busybox builder, Docker 25+ `docker save`), or a legacy
// `docker save` archive (manifest.json + layer tars). Every blob is verified
// into the ContentStore; every manifest the index lists must be complete.
import type { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import type { ContentStore } from '../store/content-store.js';
import { dropUnreferenced, readArchive, type ArchiveContents } from './archive-reader.js';
import { importDockerSave } from './docker-archive.js';
import { parseJsonObject, parseManifest } from './manifest.js';
import type { Descriptor, ImageIndex, Platform } from './manifest-types.js';
import { IMAGE_MANIFEST_TYPES, INDEX_TYPES, OCI_INDEX } from './media-types.js';
import { isValidReference } from './reference.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';

export interface ArchiveManifest {
  /** Digest of the manifest or index the archive lists (stored in the ContentStore). */
  digest: string;
  mediaType: string;
  size: number;
  /** Image reference to tag it with, when the archive says: io.containerd.image.name, a ref.name that is a full reference, or a docker save RepoTag. */
  name?: string;
  /** org.opencontainers.image.ref.name as written (often only a tag, e.g. "latest"). */
  refName?: string;
  /** io.containerd.image.name as written. */
  imageName?: string;
  platform?: Platform;
}

export interface ImageArchive {
  format: 'oci-layout' | 'docker-save';
  /** index.json of an OCI layout. */
  index?: ImageIndex;
  manifests: ArchiveManifest[];
}

/** The tag name for an index entry: see ArchiveManifest.name. A bare tag ("latest") names no repository. */
export function nameFromAnnotations(annotations: Record<string, string> | undefined): string | undefined {
  const containerd = annotations?.[CONTAINERD_NAME_ANNOTATION];
  if (containerd && isValidReference(containerd)) return containerd;
  const refName = annotations?.[REF_NAME_ANNOTATION];
  if (refName && /[:/@]/.test(refName) && isValidReference(refName)) return refName;
  return undefined;
}

async function checkDescriptor(store: ContentStore, d: Descriptor, where: string, required: boolean): Promise<boolean> {
  const size = await store.size(d.digest);
  if (size === undefined) {
    if (!required) return false;
    throw new BerthError('invalid_argument', `the archive is incomplete: ${where} ${d.digest} is not in it (nor already stored)`);
  }
  if (size !== d.size) {
    throw new BerthError('digest_mismatch', `${where} ${d.digest} is ${size} bytes but its descriptor says ${d.size}; the archive is corrupt`);
  }
  return true;
}

/** Checks that `d` and everything it references is stored; records the digests in `seen`. */
async function walk(store: ContentStore, d: Descriptor, where: string, required: boolean, seen: Set<string>, depth = 0): Promise<void> {
  seen.add(d.digest);
  if (!(await checkDescriptor(store, d, where, required))) return;
  const isIndex = INDEX_TYPES.includes(d.mediaType);
  if (!isIndex && !IMAGE_MANIFEST_TYPES.includes(d.mediaType)) return;
  if (depth > 4) throw new BerthError('invalid_argument', `the archive nests indexes more than 4 deep at ${d.digest}`);
  const parsed = parseManifest(await store.readBytes(d.digest), d.mediaType);
  if (parsed.kind === 'index') {
    // an index may list platforms the archive does not carry
    for (const m of parsed.index.manifests) await walk(store, m, 'manifest', false, seen, depth + 1);
    return;
  }
  await walk(store, parsed.manifest.config, `config of manifest ${d.digest}:`, true, seen, depth + 1);
  for (const l of parsed.manifest.layers) await walk(store, l, `layer of manifest ${d.digest}:`, true, seen, depth + 1);
}

async function importOciLayout(c: ArchiveContents, store: ContentStore): Promise<ImageArchive> {
  const layout = parseJsonObject(c.metadata.get('oci-layout')!, 'oci-layout file');
  if (typeof layout.imageLayoutVersion !== 'string' || !layout.imageLayoutVersion.startsWith('1.')) {
    throw new BerthError('invalid_argument', `unsupported OCI image layout version ${JSON.stringify(layout.imageLayoutVersion)}; expected 1.x`);
  }
  const indexBytes = c.metadata.get('index.json');
  if (!indexBytes) throw new BerthError('invalid_argument', 'the archive has an oci-layout file but no index.json; it is not a complete OCI image layout');
  const parsed = parseManifest(indexBytes, OCI_INDEX);
  if (parsed.kind !== 'index') throw new BerthError('invalid_argument', 'index.json of the archive is not an image index');
  const seen = new Set<string>();
  const manifests: ArchiveManifest[] = [];
  for (const d of parsed.index.manifests) {
    await walk(store, d, 'manifest listed in index.json', true, seen);
    const a = d.annotations ?? {};
    const entry: ArchiveManifest = { digest: d.digest, mediaType: d.mediaType, size: d.size };
    const name = nameFromAnnotations(a);
    if (name !== undefined) entry.name = name;
    if (a[REF_NAME_ANNOTATION] !== undefined) entry.refName = a[REF_NAME_ANNOTATION];
    if (a[CONTAINERD_NAME_ANNOTATION] !== undefined) entry.imageName = a[CONTAINERD_NAME_ANNOTATION];
    if (d.platform) entry.platform = d.platform;
    manifests.push(entry);
  }
  await dropUnreferenced(c, store, seen);
  return { format: 'oci-layout', index: parsed.index, manifests };
}

/**
 * Reads an image archive tar stream into `store` and lists its images.
 * OCI layouts are recognised by their oci-layout file; without one, a
 * manifest.json makes it a `docker save` archive.
 */
export async function readOciArchive(input: Readable, store: ContentStore): Promise<ImageArchive> {
  const contents = await readArchive(input, store);
  try {
    if (contents.metadata.has('oci-layout')) return await importOciLayout(contents, store);
    if (contents.metadata.has('manifest.json')) return await importDockerSave(contents, store);
  } catch (err) {
    await dropUnreferenced(contents, store, new Set()).catch(() => undefined);
    throw err;
  }
  await dropUnreferenced(contents, store, new Set());
  throw new BerthError('invalid_argument', 'the archive is neither an OCI image layout (no oci-layout file) nor a docker save archive (no manifest.json)');
}
