// Container names: validation, generation and reservation.
import { randomInt } from 'node:crypto';
import { BerthError } from '../errors.js';
import type { MetadataDb } from '../store/db.js';

const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const LEFT = ['brave', 'calm', 'eager', 'fond', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'steady', 'swift', 'tidy', 'vivid', 'witty', 'zen'];
const RIGHT = ['anchor', 'beacon', 'buoy', 'cove', 'dock', 'ferry', 'harbor', 'jetty', 'keel', 'marina', 'mooring', 'pier', 'quay', 'tide', 'wharf'];

export function validateName(name: string): string {
  const n = name.startsWith('/') ? name.slice(1) : name;
  if (!VALID.test(n)) {
    throw new BerthError('invalid_argument', `Invalid container name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least two characters`);
  }
  return n;
}

function generated(): string {
  return `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}${randomInt(100)}`;
}

/** Reserves `name` (or a generated one) for container `id`; throws conflict if taken. */
export async function reserveName(db: MetadataDb, id: string, name: string | undefined): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = name ?? generated();
    const ok = await db.root.transaction(() => {
      if (db.names.get(candidate) !== undefined) return false;
      db.names.put(candidate, id);
      return true;
    });
    if (ok) return candidate;
    if (name) {
      throw new BerthError(
        'conflict',
        `Conflict. The container name "/${name}" is already in use by container "${db.names.get(name)}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
  }
  throw new BerthError('internal', 'could not generate a free container name');
}

export async function releaseName(db: MetadataDb, name: string, id: string): Promise<void> {
  await db.root.transaction(() => {
    if (db.names.get(name) === id) db.names.remove(name);
  });
}
