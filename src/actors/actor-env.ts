// What an actor host gives the actors it runs: paths, metadata, and the
// router's services (asking other actors, running pool tasks, notifying
// subscribers). Actors do their I/O through this and nothing global.
import type { MetadataDb } from '../store/db.js';
import type { ActorMessage, HostConfig, SpawnSpec } from '../workers/messages.js';
import type { StreamEvent } from '../protocol/frames.js';
import type { StateNote } from '../workers/messages.js';

export interface ActorEnv {
  config: HostConfig;
  db: MetadataDb;
  ask<T = unknown>(to: string, msg: ActorMessage, spawn?: SpawnSpec): Promise<T>;
  runTask<T = unknown>(name: string, args: unknown): Promise<T>;
  notify(actorId: string, event: StreamEvent): void;
  noteState(note: StateNote): void;
  /** the actor reached a final state and has flushed its journal */
  finished(actorId: string): void;
  /**
   * A transition of the actor could not be journaled: what it holds in
   * memory is ahead of the journal. The host drops it; the next message
   * re-creates it from its last journaled state.
   */
  journalFailed(actorId: string): void;
}

/** An actor as its host sees it. */
export interface HostedActor {
  readonly actorId: string;
  handle(msg: ActorMessage): Promise<unknown>;
  /** Stops the actor; a promise when something must still be finished before the daemon exits (a layer's blob held in memory is written out). */
  stop(): void | Promise<void>;
}

export type ActorFactory = (env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown) => HostedActor;
