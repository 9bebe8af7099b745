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

function nameInUse(name: string, owner: string): BerthError {
  return new BerthError(
    'conflict',
    `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}

/**
 * The name a new container asks for: `requested` if no container has it
 * (a conflict otherwise), or a generated one that is free now. It is claimed
 * by `claimName` in the container's creation commit, which decides races.
 */
export function pickName(db: MetadataDb, requested: string | undefined): string {
  if (requested !== undefined) {
    const owner = db.names.get(requested);
    if (owner !== undefined) throw nameInUse(requested, owner);
    return requested;
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = generated();
    if (db.names.get(candidate) === undefined) return candidate;
  }
  throw new BerthError('internal', 'could not generate a free container name');
}

/** The name's part of a container's creation commit: `check` (inside the transaction) refuses a name another container took meanwhile. */
export function claimName(db: MetadataDb, name: string, id: string): { check: () => void; write: () => void } {
  return {
    check: () => {
      const owner = db.names.get(name);
      if (owner !== undefined && owner !== id) throw nameInUse(name, owner);
    },
    write: () => db.names.put(name, id),
  };
}
