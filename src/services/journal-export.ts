// `berth debug journal`: a slice of the journal as a portable event log —
// one actor (a container by name or id, or any actor id such as
// pull/… or layer/…), a time range, or all of it.
import type { MetadataDb } from '../store/db.js';
import type { JournalEntry } from '../store/journal-entry.js';
import { EVENT_LOG_FORMAT, EVENT_LOG_VERSION, type EventLog } from '../replay/event-log.js';
import { timeMs } from './events-service.js';

export interface JournalSliceParams {
  actor?: string;
  since?: string;
  until?: string;
}

function matchesActor(e: JournalEntry, ref: string): boolean {
  if (ref.includes('/')) return e.actorId.startsWith(ref);
  if (e.kind !== 'container') return false;
  const ctx = e.context as { id?: string; name?: string } | null;
  return ctx?.name === ref || (/^[0-9a-f]+$/.test(ref) && e.actorId.startsWith(`container/${ref}`));
}

export function exportJournal(db: MetadataDb, p: JournalSliceParams): EventLog {
  const since = timeMs(p.since, '--since');
  const until = timeMs(p.until, '--until');
  // An actor's slice is whole: its later entries are kept even if the
  // container was renamed, so the slice replays from its creation.
  const actors = new Set<string>();
  const entries: JournalEntry[] = [];
  for (const { value } of db.journal.getRange()) {
    if (p.actor !== undefined && !actors.has(value.actorId)) {
      if (!matchesActor(value, p.actor)) continue;
      actors.add(value.actorId);
    }
    const ms = Date.parse(value.time);
    if (since !== null && ms < since) continue;
    if (until !== null && ms > until) continue;
    entries.push(value);
  }
  return { format: EVENT_LOG_FORMAT, version: EVENT_LOG_VERSION, exportedAt: new Date().toISOString(), slice: { actor: p.actor, since: p.since, until: p.until }, entries };
}
