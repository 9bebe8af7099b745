// Which containers `stats` shows, looked up again for every sample from the
// persisted actor records (cheap LMDB reads, no actor messages): named
// containers while they exist, or every running one (with `all`, every one).
import { BerthError } from '../errors.js';
import { containerActorId } from '../actors/container-actor.js';
import { dockerState, type ContainerContext } from '../machines/container.js';
import { findContainerId } from './lookup.js';
import type { MetadataDb } from '../store/db.js';

/** A container to sample; `pid` is null when it does not run (its row shows zeros). */
export interface StatsTarget { id: string; name: string; pid: number | null }

/** The containers to show now; `last` once there is nothing left to follow (every named container gone or stopped). */
export type StatsTargets = () => { targets: StatsTarget[]; last: boolean };

interface Persisted { value: unknown; context: ContainerContext }

function target(value: unknown, c: ContainerContext): StatsTarget {
  const state = dockerState(value);
  const runs = (state === 'running' || state === 'paused') && typeof c.pid === 'number' && c.pid > 0;
  return { id: c.id, name: c.name.replace(/^\//, ''), pid: runs ? c.pid : null };
}

/** Resolves the names at once (an unknown one is a not_found error); the returned function re-reads the records each time. */
export function statsTargets(db: MetadataDb, refs: string[], all: boolean): StatsTargets {
  if (refs.some((r) => r.trim() === '')) throw new BerthError('invalid_argument', 'invalid container name or id: an empty string');
  const ids = [...new Set(refs.map((r) => findContainerId(db, r)))];
  if (ids.length > 0) {
    return () => {
      const found: StatsTarget[] = [];
      for (const id of ids) {
        const snap = db.actors.get(containerActorId(id))?.snapshot as Persisted | undefined;
        if (snap) found.push(target(snap.value, snap.context));
      }
      return { targets: found, last: !found.some((t) => t.pid !== null) };
    };
  }
  return () => {
    const found: { t: StatsTarget; created: string }[] = [];
    for (const { value } of db.actors.getRange({ start: 'container/', end: 'container0' })) {
      const snap = value.snapshot as Persisted;
      const t = target(snap.value, snap.context);
      if (all || t.pid !== null) found.push({ t, created: snap.context.createdAt });
    }
    return { targets: found.sort((a, b) => b.created.localeCompare(a.created)).map((f) => f.t), last: false };
  };
}
