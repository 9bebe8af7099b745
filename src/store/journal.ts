// The append-only journal of machine transitions. Each entry allocates the
// next sequence number and is written with the actor's latest snapshot in one
// LMDB transaction, so a crash leaves either both or neither.
//
// Entries are group-committed per thread (see JournalWriter): what the actors
// of one thread record in a short window goes to disk in one synchronous
// transaction with one fdatasync. A commit happens as soon as somebody waits
// for it (a reply, an effect that must follow its entry), synchronously, or
// after the window, on lmdb-js's write thread.
import type { MetadataDb } from './db.js';
import type { JournalEntry } from './journal-entry.js';
import type { ActorRecord } from './records.js';
import { traceStart } from '../util/trace.js';

const SEQ_KEY = 'journal.seq';

/** The longest an entry nobody waits for stays in memory before it is committed. */
export const GROUP_WINDOW_MS = 5;

export type NewJournalEntry = Omit<JournalEntry, 'seq'>;

export interface AppendOptions {
  /** the actor's persisted snapshot after the transition; null removes the record (final state) */
  record: Omit<ActorRecord, 'seq'> | null;
  /** more writes that must commit with this entry or not at all */
  alsoWrite?: () => void;
  /**
   * Reads that decide whether the entry may be written at all (e.g. a name is
   * still free); it throws to refuse before anything of the entry is written.
   * A refused entry refuses the entries of the same actor queued after it.
   */
  precondition?: () => void;
}

interface Pending {
  entry: NewJournalEntry;
  opts: AppendOptions;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

export class JournalWriter {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** a background commit on lmdb-js's write thread; later commits wait for it, to keep the order */
  private inflight: Promise<void> = Promise.resolve();

  constructor(private readonly db: MetadataDb) {}

  /** Queues an entry; resolves with its sequence number once it is on disk. */
  append(entry: NewJournalEntry, opts: AppendOptions): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ entry, opts, resolve, reject });
      if (this.timer === null) {
        this.timer = setTimeout(() => void this.commit('background'), GROUP_WINDOW_MS);
        this.timer.unref();
      }
    });
  }

  /** Commits every queued entry now, on this thread; resolves once they are on disk. */
  flush(): Promise<void> {
    return this.commit('now');
  }

  /**
   * `now` commits synchronously (a caller waits: no thread hand-offs);
   * `background` (the window ran out, nobody waits) commits on lmdb-js's
   * write thread, so that a slow disk flush — one that must first write a
   * layer's data, say — does not stall this thread's other actors.
   */
  private async commit(how: 'now' | 'background'): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.inflight;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const trace = traceStart('journal');
    let outcome: Outcome[];
    try {
      if (how === 'background') {
        const commit = this.db.root.transaction(() => writeBatch(this.db, batch));
        this.inflight = commit.then(() => {}, () => {});
        outcome = await commit;
      } else {
        outcome = this.db.root.transactionSync(() => writeBatch(this.db, batch));
        // With overlappingSync off a synchronous commit is durable when it
        // returns, unless this thread's asynchronous write batch was open and
        // took the writes in: then they are durable once that batch commits.
        await this.db.root.committed;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    trace(`committed ${batch.length} entries (${how})`);
    batch.forEach((p, i) => {
      const o = outcome[i];
      if (typeof o === 'number') p.resolve(o);
      else p.reject(o.refused);
    });
  }
}

type Outcome = number | { refused: unknown };

function writeBatch(db: MetadataDb, batch: Pending[]): Outcome[] {
  let seq = journalLength(db);
  const refused = new Map<string, unknown>();
  const out: Outcome[] = [];
  for (const { entry, opts } of batch) {
    const earlier = refused.get(entry.actorId);
    if (earlier !== undefined) {
      out.push({ refused: earlier });
      continue;
    }
    try {
      opts.precondition?.();
    } catch (err) {
      refused.set(entry.actorId, err);
      out.push({ refused: err });
      continue;
    }
    seq += 1;
    db.journal.put(seq, { seq, ...entry });
    if (opts.record) db.actors.put(entry.actorId, { ...opts.record, seq });
    else db.actors.remove(entry.actorId);
    opts.alsoWrite?.();
    out.push(seq);
  }
  db.meta.put(SEQ_KEY, seq);
  return out;
}

const writers = new WeakMap<MetadataDb, JournalWriter>();

/** This thread's writer for `db`. */
export function journalWriter(db: MetadataDb): JournalWriter {
  let w = writers.get(db);
  if (!w) {
    w = new JournalWriter(db);
    writers.set(db, w);
  }
  return w;
}

/** Appends one entry and commits it (with anything else queued) at once. */
export async function appendTransition(db: MetadataDb, entry: NewJournalEntry, opts: AppendOptions): Promise<number> {
  const w = journalWriter(db);
  const seq = w.append(entry, opts);
  await w.flush();
  return seq;
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
