// Replays one actor's journal entries through its pure machine and checks
// that every step reproduces the state and context that were journaled.
// Machines are deterministic (times and ids come in events and input), so
// a mismatch means a journal that lies or a machine that changed without a
// migration. Used by `berth debug replay`, by recovery when an actor's
// checkpoint is unusable, and by the tests.
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import type { JournalEntry } from '../store/journal-entry.js';
import { MACHINES } from './machine-catalog.js';
import { migrateEntry } from './migrate-entry.js';
import { firstDifference, sameData } from './same-data.js';

export interface ReplayMismatch {
  seq: number;
  event: string;
  what: string;
}

export interface ActorReplay {
  actorId: string;
  kind: JournalEntry['kind'];
  steps: number;
  /** resulting state value, context and status (xstate's) */
  state: unknown;
  context: unknown;
  status: string;
  /** the machine snapshot after the last step, for rehydrating a live actor */
  snapshot: AnyMachineSnapshot | null;
  mismatches: ReplayMismatch[];
  ignored: number;
}

/** `entries` are one actor id's entries in sequence order, starting with its xstate.init; the result is its last life's. */
export function replayActor(entries: JournalEntry[]): ActorReplay {
  if (entries.length === 0) throw new Error('replayActor: no entries');
  const { actorId, kind } = entries[0];
  const { machine } = MACHINES[kind];
  const out: ActorReplay = { actorId, kind, steps: 0, state: null, context: null, status: 'active', snapshot: null, mismatches: [], ignored: 0 };
  let snap: AnyMachineSnapshot | null = null;
  for (const raw of entries) {
    const m = migrateEntry(raw);
    const entry = m.entry;
    if (m.kind === 'ignored') {
      out.ignored++;
      continue;
    }
    if (m.kind === 'closed') {
      out.status = entry.status;
      out.steps++;
      continue;
    }
    // An actor id can be used again once its actor has ended (a layer pulled
    // again after rmi): its creation starts a new life from the initial state.
    if (entry.event.type === 'xstate.init') snap = null;
    if (snap === null) {
      if (entry.event.type !== 'xstate.init') {
        out.mismatches.push({ seq: entry.seq, event: entry.event.type, what: 'the log does not start with the actor\'s creation (xstate.init)' });
        return out;
      }
      [snap] = initialTransition(machine, entry.event.input as never) as [AnyMachineSnapshot, unknown];
    } else {
      [snap] = transition(machine, snap as never, entry.event as never) as [AnyMachineSnapshot, unknown];
    }
    out.steps++;
    out.snapshot = snap;
    out.state = snap.value;
    out.context = snap.context;
    out.status = snap.status;
    if (!sameData(snap.value, entry.state)) {
      out.mismatches.push({ seq: entry.seq, event: entry.event.type, what: `state ${firstDifference(snap.value, entry.state)}` });
    } else if (!sameData(snap.context, entry.context)) {
      out.mismatches.push({ seq: entry.seq, event: entry.event.type, what: `context ${firstDifference(snap.context, entry.context)}` });
    } else if (snap.status !== entry.status) {
      out.mismatches.push({ seq: entry.seq, event: entry.event.type, what: `status ${snap.status} ≠ ${entry.status}` });
    }
  }
  return out;
}

/** Groups a journal (or a slice of one) by actor, keeping sequence order. */
export function byActor(entries: Iterable<JournalEntry>): Map<string, JournalEntry[]> {
  const groups = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    let g = groups.get(e.actorId);
    if (!g) groups.set(e.actorId, (g = []));
    g.push(e);
  }
  for (const g of groups.values()) g.sort((a, b) => a.seq - b.seq);
  return groups;
}
