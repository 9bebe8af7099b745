// Parsing and validation of manifests and indexes from their bytes. The media
// type comes from the registry's Content-Type (or the referencing descriptor)
// and, failing that, from the document's own "mediaType" field or its shape.
import { BerthError } from '../errors.js';
import { isSha256Digest } from './digest.js';
import {
  DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V2, IMAGE_MANIFEST_TYPES, INDEX_TYPES, OCI_INDEX, OCI_MANIFEST, SCHEMA1_TYPES,
} from './media-types.js';
import type { Descriptor, ImageIndex, ImageManifest, ParsedManifest } from './manifest-types.js';

export type { Descriptor, ImageIndex, ImageManifest, ParsedManifest, Platform, ImageConfig } from './manifest-types.js';
export { selectPlatform, formatPlatform, type PlatformWanted } from './platform.js';
export { parseImageConfig } from './image-config.js';

function bad(what: string, why: string): BerthError {
  return new BerthError('invalid_argument', `invalid ${what}: ${why}`);
}

export function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new BerthError('invalid_argument', `invalid ${what}: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(what, 'expected a JSON object');
  return value as Record<string, unknown>;
}

function isStringRecord(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === 'string');
}

/** Validates one descriptor; `where` names it in errors ("config", "layers[2]"). */
export function validateDescriptor(v: unknown, what: string, where: string): Descriptor {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(what, `${where} is not an object`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw bad(what, `${where}.mediaType is missing`);
  if (!isSha256Digest(d.digest)) throw bad(what, `${where}.digest ${JSON.stringify(d.digest)} is not sha256:<64 hex>`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw bad(what, `${where}.size ${JSON.stringify(d.size)} is not a non-negative integer`);
  }
  if (d.annotations !== undefined && !isStringRecord(d.annotations)) throw bad(what, `${where}.annotations must map strings to strings`);
  if (d.platform !== undefined) {
    const p = d.platform as Record<string, unknown>;
    if (p === null || typeof p !== 'object' || typeof p.os !== 'string' || typeof p.architecture !== 'string') {
      throw bad(what, `${where}.platform needs string "os" and "architecture"`);
    }
  }
  return d as unknown as Descriptor;
}

function schema1Error(): BerthError {
  return new BerthError(
    'invalid_argument',
    'this image uses Docker image manifest schema 1 (application/vnd.docker.distribution.manifest.v1+json), which is deprecated and not supported; '
      + 're-push the image with a current client so the registry serves an OCI or Docker schema 2 manifest',
  );
}

function inferMediaType(doc: Record<string, unknown>): string | undefined {
  if (typeof doc.mediaType === 'string') return doc.mediaType;
  if (doc.schemaVersion === 1 || Array.isArray(doc.fsLayers)) return SCHEMA1_TYPES[0];
  if (Array.isArray(doc.manifests)) return OCI_INDEX;
  if (doc.config !== undefined && Array.isArray(doc.layers)) return OCI_MANIFEST;
  return undefined;
}

/**
 * Parses a manifest or index. `declaredType` is the Content-Type / descriptor
 * media type if known. Throws invalid_argument for schema 1, unknown types and
 * malformed documents.
 */
export function parseManifest(bytes: Uint8Array, declaredType?: string): ParsedManifest {
  const doc = parseJsonObject(bytes, 'manifest');
  const declared = declaredType && declaredType !== 'application/json' && declaredType !== 'text/plain' ? declaredType : undefined;
  const mediaType = declared ?? inferMediaType(doc);
  if (doc.schemaVersion === 1 || (mediaType !== undefined && SCHEMA1_TYPES.includes(mediaType))) throw schema1Error();
  if (mediaType === undefined) {
    throw bad('manifest', 'it has no mediaType and is neither an image manifest (config + layers) nor an index (manifests)');
  }
  if (!IMAGE_MANIFEST_TYPES.includes(mediaType) && !INDEX_TYPES.includes(mediaType)) {
    throw new BerthError('invalid_argument', `unsupported manifest media type "${mediaType}"; Berth reads ${[...INDEX_TYPES, ...IMAGE_MANIFEST_TYPES].join(', ')}`);
  }
  if (doc.schemaVersion !== 2) throw bad('manifest', `schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2`);
  if (typeof doc.mediaType === 'string' && doc.mediaType !== mediaType) {
    throw bad('manifest', `its mediaType field "${doc.mediaType}" contradicts the declared type "${mediaType}"`);
  }
  if (INDEX_TYPES.includes(mediaType)) return { kind: 'index', mediaType, index: validateIndex(doc, mediaType) };
  return { kind: 'manifest', mediaType, manifest: validateImageManifest(doc, mediaType) };
}

function validateImageManifest(doc: Record<string, unknown>, mediaType: string): ImageManifest {
  const what = mediaType === DOCKER_MANIFEST_V2 ? 'Docker schema 2 manifest' : 'OCI image manifest';
  if (doc.manifests !== undefined) throw bad(what, 'it has a "manifests" list, which belongs to an index');
  validateDescriptor(doc.config, what, 'config');
  if (!Array.isArray(doc.layers)) throw bad(what, '"layers" must be an array');
  doc.layers.forEach((l, i) => validateDescriptor(l, what, `layers[${i}]`));
  if (doc.subject !== undefined) validateDescriptor(doc.subject, what, 'subject');
  if (doc.annotations !== undefined && !isStringRecord(doc.annotations)) throw bad(what, 'annotations must map strings to strings');
  return doc as unknown as ImageManifest;
}

function validateIndex(doc: Record<string, unknown>, mediaType: string): ImageIndex {
  const what = mediaType === DOCKER_MANIFEST_LIST ? 'Docker manifest list' : 'OCI image index';
  if (!Array.isArray(doc.manifests)) throw bad(what, '"manifests" must be an array');
  doc.manifests.forEach((m, i) => validateDescriptor(m, what, `manifests[${i}]`));
  if (doc.annotations !== undefined && !isStringRecord(doc.annotations)) throw bad(what, 'annotations must map strings to strings');
  return doc as unknown as ImageIndex;
}

/** Parses bytes that must be an image manifest (not an index). */
export function parseImageManifest(bytes: Uint8Array, declaredType?: string): ImageManifest {
  const parsed = parseManifest(bytes, declaredType);
  if (parsed.kind !== 'manifest') {
    throw new BerthError('invalid_argument', `expected an image manifest but got an index (${parsed.mediaType}); select a platform first`);
  }
  return parsed.manifest;
}
