// Brings a journal entry written by an older engine to the current machine
// versions, or says it is not a machine transition at all. Entries written
// before entries carried a version are version 1.
import type { JournalEntry } from '../store/journal-entry.js';
import { MACHINES } from './machine-catalog.js';

export type MigratedEntry =
  /** a transition of the current machine: replay `entry.event` */
  | { kind: 'transition'; entry: JournalEntry }
  /** the engine closed the actor without a machine transition (state kept, status changes) */
  | { kind: 'closed'; entry: JournalEntry }
  /** written by an engine bug and carrying no meaning; replay passes over it */
  | { kind: 'ignored'; entry: JournalEntry; reason: string };

/** Events the engine itself journals for an actor, outside its machine. */
export const ENGINE_EVENTS = new Set(['daemon.abandoned']);

export class UnknownMachineVersionError extends Error {}

export function migrateEntry(entry: JournalEntry): MigratedEntry {
  const catalog = MACHINES[entry.kind];
  if (!catalog) throw new UnknownMachineVersionError(`entry ${entry.seq}: unknown actor kind '${entry.kind}'`);
  const v = entry.v ?? 1;
  if (v > catalog.version) {
    throw new UnknownMachineVersionError(
      `entry ${entry.seq}: written by a newer engine (${entry.kind} machine v${v}; this engine has v${catalog.version})`,
    );
  }
  if (ENGINE_EVENTS.has(entry.event.type)) return { kind: 'closed', entry };
  // Engines before journal v1.1 journaled the daemon's own shutdown (every
  // actor stopped) as a transition to 'stopped', which also dropped the
  // actor's record. It was never a machine transition.
  if (entry.event.type === 'xstate.stop') return { kind: 'ignored', entry, reason: 'daemon shutdown journaled by an older engine' };
  return { kind: 'transition', entry: { ...entry, v: catalog.version } };
}
