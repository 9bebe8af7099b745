// What the visualizer shows, read from the journal: every actor's latest
// transition (with the actor host it lives on) and one actor's history.
import type { MetadataDb } from '../store/db.js';
import type { JournalEntry } from '../store/journal-entry.js';

/** `host`: the actor host the router places the actor on (the router hashes the id; a replaced host keeps its index). */
export interface ActorSummary { actorId: string; kind: string; seq: number; event: string; state: unknown; status: string; time: string; context: unknown; host: number }

export type HostOf = (actorId: string) => number;

export function summary(e: JournalEntry, hostOf: HostOf): ActorSummary {
  return { actorId: e.actorId, kind: e.kind, seq: e.seq, event: e.event.type, state: e.state, status: e.status, time: e.time, context: e.context, host: hostOf(e.actorId) };
}

/** The latest entry of every actor the journal knows, newest first. */
export function latestPerActor(db: MetadataDb, hostOf: HostOf, limit = 2000): ActorSummary[] {
  const out = new Map<string, ActorSummary>();
  for (const { value } of db.journal.getRange({ reverse: true })) {
    if (!out.has(value.actorId)) out.set(value.actorId, summary(value, hostOf));
    if (out.size >= limit) break;
  }
  return [...out.values()];
}

/** One actor's journal, oldest first (the last `limit` entries). */
export function actorHistory(db: MetadataDb, actorId: string, limit = 1000): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const { value } of db.journal.getRange({ reverse: true })) {
    if (value.actorId !== actorId) continue;
    out.push(value);
    if (out.length >= limit) break;
  }
  return out.reverse();
}
