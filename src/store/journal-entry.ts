// One journaled machine transition. Everything needed to replay or inspect
// the transition is in the entry; times come from the actor, never the machine.

export interface JournalEntry {
  seq: number;
  /** version of the actor kind's machine that wrote the entry (src/replay/machine-catalog.ts); absent = 1 */
  v?: number;
  actorId: string;
  kind: ActorKind;
  /** the event that caused the transition, with its payload */
  event: { type: string; [key: string]: unknown };
  /** resulting state value (xstate StateValue) */
  state: unknown;
  /** resulting machine context */
  context: unknown;
  /** 'active' | 'done' | 'error' | 'stopped' */
  status: string;
  /** ISO-8601 time the transition was journaled */
  time: string;
}

export type ActorKind = 'container' | 'pull' | 'layer' | 'push';
