// Runs one xstate machine and journals every transition it makes: each
// snapshot of the root actor becomes a journal entry and the actor's
// persisted snapshot, written in order (group-committed with the other
// entries of this thread, see JournalWriter). Replies to clients wait for the
// journal (flushed()), so what a client was told is always on disk.
import { createActor, waitFor, type InspectionEvent, type AnyActorRef, type AnyStateMachine, type Actor, type SnapshotFrom } from 'xstate';
import { journalWriter } from '../store/journal.js';
import { BerthError, serializeError } from '../errors.js';
import type { ActorKind } from '../store/journal-entry.js';
import { machineVersion } from '../replay/machine-catalog.js';
import { metadataWriteError } from '../store/write-errors.js';
import type { ActorEnv } from './actor-env.js';

export class JournaledActor<TMachine extends AnyStateMachine> {
  readonly ref: Actor<TMachine>;
  private lastWrite: Promise<unknown> = Promise.resolve();
  private writeError: unknown = null;
  private restoring: boolean;
  /** the creation was refused (see `creation`): the actor never existed */
  refused = false;

  constructor(
    private readonly env: ActorEnv,
    readonly actorId: string,
    private readonly kind: ActorKind,
    machine: TMachine,
    private readonly input: unknown,
    snapshot?: unknown,
    /** writes that commit with the actor's final journal entry (e.g. a removed container's name) */
    private readonly finalWrites?: (context: unknown) => void,
    /**
     * For a new actor: what commits with its first entry (e.g. a container's
     * name, claimed in the same transaction). `check` may throw a BerthError
     * to refuse the creation; then nothing is written and the actor is dropped.
     */
    private readonly creation?: { check: () => void; write: () => void },
  ) {
    this.restoring = snapshot !== undefined;
    let root: AnyActorRef | undefined;
    this.ref = createActor(machine, {
      input: input as never,
      snapshot: snapshot as never,
      inspect: (ev: InspectionEvent) => {
        if (ev.type !== '@xstate.snapshot' || ev.actorRef !== root) return;
        this.record(ev.event as { type: string }, ev.snapshot as SnapshotFrom<TMachine>);
      },
    } as never) as Actor<TMachine>;
    root = this.ref;
  }

  start(): this {
    this.ref.start();
    return this;
  }

  send(event: Parameters<Actor<TMachine>['send']>[0]): void {
    this.ref.send(event);
  }

  get snapshot(): SnapshotFrom<TMachine> {
    return this.ref.getSnapshot() as SnapshotFrom<TMachine>;
  }

  /** Commits what is queued and resolves once every transition so far is on disk. */
  async flushed(): Promise<void> {
    await journalWriter(this.env.db).flush();
    await this.written();
  }

  /** Resolves once every transition so far is on disk, without hastening the commit. */
  async written(): Promise<void> {
    await this.lastWrite;
    if (this.writeError) throw this.writeError;
  }

  /**
   * Waits for a snapshot matching `predicate`, then for the journal (unless
   * `durable` is false, or says false of that snapshot: for answers nothing
   * durable is built on, which then need not wait for a disk flush).
   */
  async until(predicate: (s: SnapshotFrom<TMachine>) => boolean, durable: boolean | ((s: SnapshotFrom<TMachine>) => boolean) = true): Promise<SnapshotFrom<TMachine>> {
    let s: SnapshotFrom<TMachine>;
    try {
      s = (await waitFor(this.ref as AnyActorRef, predicate as never, { timeout: Infinity })) as SnapshotFrom<TMachine>;
    } catch (err) {
      // stopped because a transition could not be journaled: that is the caller's error
      throw this.writeError ?? err;
    }
    if (typeof durable === 'function' ? durable(s) : durable) await this.flushed();
    else if (this.writeError) throw this.writeError;
    return s;
  }

  stop(): void {
    this.ref.stop();
  }

  private record(event: { type: string }, snapshot: SnapshotFrom<TMachine>): void {
    // Stopping the actor (daemon shutdown, host restart) is not a transition
    // of the machine: the actor lives on in the journal and is restored.
    if (event.type === 'xstate.stop') return;
    if (this.restoring && event.type === 'xstate.init') {
      // Re-creating from a persisted snapshot is not a transition.
      this.restoring = false;
      return;
    }
    this.restoring = false;
    const s = snapshot as unknown as { value: unknown; context: unknown; status: string };
    const time = new Date().toISOString();
    const final = s.status !== 'active';
    const persisted = final ? null : (this.ref as AnyActorRef).getPersistedSnapshot?.();
    const entry = {
      v: machineVersion(this.kind),
      actorId: this.actorId,
      kind: this.kind,
      event: sanitizeEvent(event),
      state: s.value,
      context: s.context,
      status: s.status,
      time,
    };
    const record = final ? null : { actorId: this.actorId, kind: this.kind, snapshot: persisted, input: this.input };
    // Queued in order; the thread's writer commits it with whatever else is
    // queued when somebody waits for it or after a short window.
    const previous = this.lastWrite;
    const first = event.type === 'xstate.init' ? this.creation : undefined;
    const alsoWrite = final && this.finalWrites ? () => this.finalWrites!(s.context) : first?.write;
    const write = journalWriter(this.env.db).append(entry, { record, alsoWrite, precondition: first?.check }).then(
      async (seq) => {
        await previous;
        this.env.noteState({ actorId: this.actorId, kind: this.kind, seq, event: event.type, state: s.value, status: s.status, time });
      },
      (err: unknown) => {
        if (this.writeError) return;
        if (first && err instanceof BerthError) {
          // the creation was refused: there is nothing to fall back to
          this.writeError = err;
          this.refused = true;
          this.env.finished(this.actorId);
          return;
        }
        this.writeError = metadataWriteError(err, this.env.config.root);
        this.env.journalFailed(this.actorId);
      },
    );
    this.lastWrite = write;
    if (final) void this.lastWrite.then(() => this.env.finished(this.actorId));
  }
}

/** Events as journaled: plain data, errors reduced to their code and message. */
export function sanitizeEvent(event: { type: string; [k: string]: unknown }): { type: string; [k: string]: unknown } {
  const out: { type: string; [k: string]: unknown } = { type: event.type };
  for (const [k, v] of Object.entries(event)) {
    if (k === 'type') continue;
    out[k] = v instanceof Error ? serializeError(v) : v;
  }
  return out;
}
