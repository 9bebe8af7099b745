// What a method handler gets besides its parameters: a way to push stream
// events to the caller, the caller's upload (if any), and cancellation.
import type { StreamEvent } from '../protocol/frames.js';

export interface CallContext {
  emit(ev: StreamEvent): void;
  /** Resolves once what was emitted so far is mostly written to the caller: a producer awaits it so a slow reader cannot make the daemon buffer without bound. */
  drained(): Promise<void>;
  /** chunks the client uploads after its request, ending with its `end` frame */
  upload(): AsyncIterable<Uint8Array>;
  /** aborted when the client cancels (reason 'cancel') or disconnects (reason 'disconnect') */
  signal: AbortSignal;
}

export type Handler = (params: Record<string, unknown>, call: CallContext) => Promise<unknown>;
