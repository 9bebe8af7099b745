// The append-only journal of machine transitions. An append allocates the
// next sequence number and writes the entry and the actor's latest snapshot in
// one LMDB transaction, so a crash leaves either both or neither.
import type { MetadataDb } from './db.js';
import type { JournalEntry } from './journal-entry.js';
import type { ActorRecord } from './records.js';

const SEQ_KEY = 'journal.seq';

export type NewJournalEntry = Omit<JournalEntry, 'seq'>;

export interface AppendOptions {
  /** the actor's persisted snapshot after the transition; null removes the record (final state) */
  record: Omit<ActorRecord, 'seq'> | null;
  /** more writes that must commit with this entry or not at all */
  alsoWrite?: () => void;
  /**
   * Reads that decide whether the entry may be written at all (e.g. a name is
   * still free); it throws to refuse, before anything is written: a throwing
   * callback does not undo writes it already made in LMDB's shared batch.
   */
  precondition?: () => void;
}

export function appendTransition(db: MetadataDb, entry: NewJournalEntry, opts: AppendOptions): Promise<number> {
  return db.root.transaction(() => {
    opts.precondition?.();
    const seq = ((db.meta.get(SEQ_KEY) as number | undefined) ?? 0) + 1;
    db.meta.put(SEQ_KEY, seq);
    db.journal.put(seq, { seq, ...entry });
    if (opts.record) db.actors.put(entry.actorId, { ...opts.record, seq });
    else db.actors.remove(entry.actorId);
    opts.alsoWrite?.();
    return seq;
  });
}

export function journalLength(db: MetadataDb): number {
  return (db.meta.get(SEQ_KEY) as number | undefined) ?? 0;
}

export interface JournalQuery {
  actorId?: string;
  fromSeq?: number;
  limit?: number;
}

export function readJournal(db: MetadataDb, q: JournalQuery = {}): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const { value } of db.journal.getRange({ start: q.fromSeq ?? 0 })) {
    if (q.actorId && value.actorId !== q.actorId) continue;
    out.push(value);
    if (q.limit && out.length >= q.limit) break;
  }
  return out;
}
