// The visualizer's live feed: the router's state notes, layer download
// progress and actor-host changes, batched so a page gets at most one message
// of each kind every `intervalMs` (progress keeps only the latest figure per
// layer, so ≤ 10 updates/s per layer by default). Nothing here is journaled,
// and nothing runs unless a page is connected.
import type { MetadataDb } from '../store/db.js';
import type { ActorRouter, HostInfo } from '../workers/router.js';
import type { StateNote } from '../workers/messages.js';
import type { StreamEvent } from '../protocol/frames.js';
import { summary, type ActorSummary } from './ui-data.js';

/** A layer download as the pull's progress stream reports it (`layer`: the first 12 hex of the blob digest, as `berth pull` prints). */
export interface LayerProgress { pull: string; layer: string; status: string; current: number | null; total: number | null }

export type FeedMessage =
  | { type: 'states'; actors: ActorSummary[] }
  | { type: 'progress'; layers: LayerProgress[] }
  | { type: 'hosts'; hosts: HostInfo[] };

export class LiveFeed {
  private readonly watchers = new Set<(msg: FeedMessage) => void>();
  private pending = new Map<string, StateNote>();
  private progress = new Map<string, LayerProgress>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly db: MetadataDb, private readonly router: ActorRouter, private readonly intervalMs = 100) {}

  /** Starts `cb` with the hosts as they are now; then batches as things change. */
  watch(cb: (msg: FeedMessage) => void): () => void {
    this.watchers.add(cb);
    if (this.unsubscribe.length === 0) {
      this.unsubscribe = [
        this.router.onState((note) => this.note(note)),
        this.router.onNotify((actorId, ev) => this.notified(actorId, ev)),
        this.router.onHosts((hosts) => this.send({ type: 'hosts', hosts })),
      ];
    }
    cb({ type: 'hosts', hosts: this.router.hostList() });
    return () => {
      this.watchers.delete(cb);
      if (this.watchers.size === 0) this.stopListening();
    };
  }

  private note(n: StateNote): void {
    this.pending.set(n.actorId, n);
    this.schedule();
  }

  private notified(actorId: string, ev: StreamEvent): void {
    if (ev.kind !== 'progress' || !actorId.startsWith('pull/')) return;
    const key = `${actorId} ${ev.id}`;
    const before = this.progress.get(key);
    // A status without figures ("Verifying Checksum") keeps the last bytes seen.
    this.progress.set(key, { pull: actorId, layer: ev.id, status: ev.status, current: ev.current ?? before?.current ?? null, total: ev.total ?? before?.total ?? null });
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  private send(msg: FeedMessage): void {
    for (const w of this.watchers) w(msg);
  }

  private flush(): void {
    this.timer = null;
    const notes = [...this.pending.values()];
    const layers = [...this.progress.values()];
    this.pending = new Map();
    this.progress = new Map();
    const hostOf = (id: string) => this.router.hostFor(id);
    if (notes.length > 0) {
      // Contexts are read from the journal here, off the transition's path.
      const actors = notes.map((n): ActorSummary => {
        const e = this.db.journal.get(n.seq);
        return e ? summary(e, hostOf) : { actorId: n.actorId, kind: n.kind, seq: n.seq, event: n.event, state: n.state, status: n.status, time: n.time, context: null, host: hostOf(n.actorId) };
      });
      this.send({ type: 'states', actors });
    }
    if (layers.length > 0) this.send({ type: 'progress', layers });
  }

  private stopListening(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = new Map();
    this.progress = new Map();
  }

  close(): void {
    this.stopListening();
    this.watchers.clear();
  }
}
