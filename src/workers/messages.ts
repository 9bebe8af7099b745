// Messages between the router (main thread) and the actor hosts (worker
// threads). Every message travels msgpack-encoded (see wire.ts).
import type { SerializedError } from '../errors.js';
import type { ActorKind } from '../store/journal-entry.js';
import type { StreamEvent } from '../protocol/frames.js';

export interface SpawnSpec { kind: ActorKind; input: unknown }

/** What the host reports about every transition, for events and the visualizer. */
export interface StateNote {
  actorId: string;
  kind: ActorKind;
  seq: number;
  event: string;
  state: unknown;
  status: string;
  time: string;
}

export type ToHost =
  | { op: 'init'; config: HostConfig }
  | { op: 'deliver'; actorId: string; msg: ActorMessage; replyId: number; spawn?: SpawnSpec }
  | { op: 'restore'; actorId: string; replyId: number }
  | { op: 'reply'; replyId: number; ok: true; value: unknown }
  | { op: 'reply'; replyId: number; ok: false; error: SerializedError }
  | { op: 'shutdown' }
  /** fault injection only: the host dies as a crashing thread would */
  | { op: 'crash' };

export type FromHost =
  | { op: 'ready' }
  | { op: 'reply'; replyId: number; ok: true; value: unknown }
  | { op: 'reply'; replyId: number; ok: false; error: SerializedError }
  | { op: 'ask'; replyId: number; to: string; msg: ActorMessage; spawn?: SpawnSpec }
  | { op: 'task'; replyId: number; name: string; args: unknown }
  | { op: 'notify'; actorId: string; event: StreamEvent }
  | { op: 'state'; note: StateNote }
  | { op: 'gone'; actorId: string };

/** A request to an actor; `type` selects the handler. */
export interface ActorMessage { type: string; [key: string]: unknown }

/** Paths and settings every actor host needs. */
export interface HostConfig {
  root: string;
  execRoot: string;
  runtimePath: string;
  runtimeRoot: string;
  shimPath: string;
  hostIndex: number;
  /** registry settings from daemon.json (mirrors, insecure registries, download concurrency) */
  registry?: import('../registry/registry-config.js').RegistryConfig;
}
