// What the visualizer shows, read from the journal: every actor's latest
// transition, one actor's history, and batched live notes from the router.
import type { MetadataDb } from '../store/db.js';
import type { JournalEntry } from '../store/journal-entry.js';
import type { ActorRouter } from '../workers/router.js';
import type { StateNote } from '../workers/messages.js';

export interface ActorSummary { actorId: string; kind: string; seq: number; event: string; state: unknown; status: string; time: string; context: unknown }

function summary(e: JournalEntry): ActorSummary {
  return { actorId: e.actorId, kind: e.kind, seq: e.seq, event: e.event.type, state: e.state, status: e.status, time: e.time, context: e.context };
}

/** The latest entry of every actor the journal knows, newest first. */
export function latestPerActor(db: MetadataDb, limit = 2000): ActorSummary[] {
  const out = new Map<string, ActorSummary>();
  for (const { value } of db.journal.getRange({ reverse: true })) {
    if (!out.has(value.actorId)) out.set(value.actorId, summary(value));
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

/**
 * Collects the router's state notes and hands them on at most every
 * `intervalMs` as one batch, reading the entries' contexts from the journal
 * then, off the transition's path. Only runs while someone is watching.
 */
export class LiveFeed {
  private readonly watchers = new Set<(batch: ActorSummary[]) => void>();
  private pending = new Map<string, StateNote>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly db: MetadataDb, private readonly router: ActorRouter, private readonly intervalMs = 100) {}

  watch(cb: (batch: ActorSummary[]) => void): () => void {
    this.watchers.add(cb);
    this.unsubscribe ??= this.router.onState((note) => this.note(note));
    return () => {
      this.watchers.delete(cb);
      if (this.watchers.size === 0 && this.unsubscribe) {
        this.unsubscribe();
        this.unsubscribe = null;
      }
    };
  }

  private note(n: StateNote): void {
    this.pending.set(n.actorId, n);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  private flush(): void {
    this.timer = null;
    const notes = [...this.pending.values()];
    this.pending = new Map();
    const batch = notes.map((n): ActorSummary => {
      const e = this.db.journal.get(n.seq);
      return e ? summary(e) : { actorId: n.actorId, kind: n.kind, seq: n.seq, event: n.event, state: n.state, status: n.status, time: n.time, context: null };
    });
    for (const w of this.watchers) w(batch);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe?.();
    this.watchers.clear();
  }
}
