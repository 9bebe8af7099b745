// Finding images and containers by the names users type.
import { BerthError } from '../errors.js';
import { parseReference, formatReference } from '../image/reference.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageRecord } from '../store/records.js';

export function findImage(db: MetadataDb, name: string): ImageRecord | undefined {
  const idLike = /^(sha256:)?[0-9a-f]{6,64}$/.exec(name);
  if (idLike) {
    const prefix = name.startsWith('sha256:') ? name : `sha256:${name}`;
    for (const { key, value } of db.images.getRange({ start: prefix })) {
      if (!key.startsWith(prefix)) break;
      return value;
    }
  }
  let ref;
  try {
    ref = parseReference(name);
  } catch (err) {
    if (idLike) return undefined;
    throw err;
  }
  if (ref.digest) {
    for (const { value } of db.images.getRange()) {
      if (value.manifestDigest === ref.digest) return value;
    }
    return undefined;
  }
  const id = db.tags.get(formatReference(ref));
  return id ? db.images.get(id) : undefined;
}

/** Resolves a container name, full id or unique id prefix to its full id. */
export function findContainerId(db: MetadataDb, ref: string): string {
  const byName = db.names.get(ref.startsWith('/') ? ref.slice(1) : ref);
  if (byName) return byName;
  if (/^[0-9a-f]{1,64}$/.test(ref)) {
    const matches: string[] = [];
    const start = `container/${ref}`;
    for (const key of db.actors.getKeys({ start })) {
      if (!key.startsWith(start)) break;
      matches.push(key.slice('container/'.length));
    }
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) throw new BerthError('invalid_argument', `multiple containers match the id prefix "${ref}"; give more characters`);
  }
  throw new BerthError('not_found', `No such container: ${ref}`);
}
