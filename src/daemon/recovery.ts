// Daemon start-up: rebuilds the engine from the journal. The actors table is
// a checkpoint of the journal (each record is written in the same
// transaction as its actor's latest entry); recovery first checks that
// checkpoint against the journal written since the last start and rebuilds
// any record the journal contradicts by replaying the actor's entries through
// its machine (src/replay), then re-creates the live actors from it.
import type { AnyStateMachine } from 'xstate';
import { appendTransition } from '../store/journal.js';
import type { MetadataDb } from '../store/db.js';
import type { JournalEntry } from '../store/journal-entry.js';
import type { ActorRouter } from '../workers/router.js';
import { migrateEntry } from '../replay/migrate-entry.js';
import { replayActor } from '../replay/replay-actor.js';
import { MACHINES } from '../replay/machine-catalog.js';
import { isStoringBlob } from '../machines/layer.js';
import { layerActorId } from '../actors/layer-id.js';

const CHECKED_KEY = 'recovery.checkedSeq';

export interface CheckpointRepair {
  actorId: string;
  action: 'rebuilt' | 'dropped' | 'unreplayable';
  detail: string;
}

/** What the checkpoint should say about an actor whose last meaningful entry is `last`. */
function expected(last: JournalEntry): 'live' | 'ended' {
  return last.status === 'active' ? 'live' : 'ended';
}

/** Checks (and repairs) the actors table against the journal written since the last start. */
export function reconcileCheckpoints(db: MetadataDb, log: (line: string) => void): CheckpointRepair[] {
  const from = ((db.meta.get(CHECKED_KEY) as number | undefined) ?? 0) + 1;
  const lastOf = new Map<string, JournalEntry>();
  let lastSeq = from - 1;
  for (const { key, value } of db.journal.getRange({ start: from })) {
    lastSeq = key;
    if (migrateEntry(value).kind !== 'ignored') lastOf.set(value.actorId, value);
    else if (!lastOf.has(value.actorId)) lastOf.set(value.actorId, value);
  }
  const suspects: string[] = [];
  for (const [actorId, last] of lastOf) {
    const record = db.actors.get(actorId);
    const ignoredTail = migrateEntry(last).kind === 'ignored';
    if (!ignoredTail && expected(last) === 'ended') {
      if (record) suspects.push(actorId);
    } else if (ignoredTail || !record || record.seq !== last.seq) {
      suspects.push(actorId);
    }
  }
  const repairs = suspects.length > 0 ? repair(db, new Set(suspects)) : [];
  for (const r of repairs) log(`berthd: recovery: ${r.actorId}: ${r.action} (${r.detail})`);
  if (lastSeq >= from) db.meta.putSync(CHECKED_KEY, lastSeq);
  return repairs;
}

function repair(db: MetadataDb, ids: Set<string>): CheckpointRepair[] {
  const entries = new Map<string, JournalEntry[]>();
  for (const { value } of db.journal.getRange()) {
    if (!ids.has(value.actorId)) continue;
    let list = entries.get(value.actorId);
    if (!list) entries.set(value.actorId, (list = []));
    list.push(value);
  }
  const out: CheckpointRepair[] = [];
  db.root.transactionSync(() => {
    for (const [actorId, list] of entries) {
      const replay = replayActor(list);
      if (replay.mismatches.length > 0) {
        const m = replay.mismatches[0];
        out.push({ actorId, action: 'unreplayable', detail: `entry ${m.seq} (${m.event}): ${m.what}; checkpoint kept` });
        continue;
      }
      const lastSeq = list[list.length - 1].seq;
      if (replay.status !== 'active' || !replay.snapshot) {
        db.actors.remove(actorId);
        out.push({ actorId, action: 'dropped', detail: `the journal ends it in state ${JSON.stringify(replay.state)}` });
        continue;
      }
      const machine: AnyStateMachine = MACHINES[replay.kind].machine;
      const init = list.find((e) => e.event.type === 'xstate.init')!;
      db.actors.put(actorId, { actorId, kind: replay.kind, snapshot: machine.getPersistedSnapshot(replay.snapshot), seq: lastSeq, input: init.event.input });
      if (replay.kind === 'container') reclaimName(db, replay.context as { id: string; name: string });
      out.push({ actorId, action: 'rebuilt', detail: `state ${JSON.stringify(replay.state)} from ${replay.steps} entries` });
    }
  });
  return out;
}

function reclaimName(db: MetadataDb, ctx: { id: string; name: string }): void {
  if (db.names.get(ctx.name) === undefined) db.names.put(ctx.name, ctx.id);
}

/**
 * A layer whose blob was received into memory and whose record may be written already (committing, storingBlob):
 * restored, so that it fetches the blob the restart lost and stores it. Other layers cut short start afresh at the next pull.
 */
function storesItsBlob(kind: string, snapshot: unknown): boolean {
  if (kind !== 'layer') return false;
  const snap = snapshot as { value?: unknown; context?: { plan?: { staged?: boolean } | null } };
  return isStoringBlob(snap.value) || (snap.value === 'committing' && snap.context?.plan?.staged === true);
}

/** Layer records still saying blobPending with no actor left to store the blob: the blob is missing (push fetches it, save says so). */
async function settleOrphanedBlobs(db: MetadataDb): Promise<void> {
  for (const { key, value } of [...db.layers.getRange()]) {
    if (value.blobPending && db.actors.get(layerActorId(value.chainId)) === undefined) await db.layers.put(key, { ...value, blobPending: false });
  }
}

/** Re-creates every persisted actor; pulls, pushes and layers cut short by a crash are closed in the journal (but see storesItsBlob). */
export async function restoreActors(db: MetadataDb, router: ActorRouter, onlyHost?: number): Promise<void> {
  const restores: Promise<void>[] = [];
  for (const { key, value } of db.actors.getRange()) {
    if (onlyHost !== undefined && router.hostFor(key) !== onlyHost) continue;
    if (value.kind === 'container' || storesItsBlob(value.kind, value.snapshot)) {
      restores.push(router.restore(key));
    } else {
      const snap = value.snapshot as { value?: unknown; context?: unknown };
      await appendTransition(
        db,
        { actorId: key, kind: value.kind, event: { type: 'daemon.abandoned' }, state: snap.value ?? null, context: snap.context ?? null, status: 'stopped', time: new Date().toISOString() },
        { record: null },
      );
    }
  }
  await Promise.all(restores);
  await settleOrphanedBlobs(db);
}
