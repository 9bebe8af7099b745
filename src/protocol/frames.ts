// Frames of the control channel: a websocket on the daemon's unix socket,
// each message one msgpack-encoded frame. Requests carry an id chosen by the
// client; everything the server sends about that request carries the same id.
//
//   client → server   req     start a call                 { t, id, method, params }
//                     data    a chunk of an upload stream  { t, id, data }
//                     end     the upload stream is done    { t, id }
//                     cancel  the client gives up on id    { t, id }
//   server → client   ev      one item of a pushed stream  { t, id, ev }
//                     res     final result                 { t, id, result }
//                     err     final error                  { t, id, error: { code, message } }
import type { SerializedError } from '../errors.js';
import type { EngineEvent, StatsSample } from './container-methods.js';

export const PROTOCOL_VERSION = 1;
/** Path of the websocket endpoint on the control socket. */
export const CONTROL_PATH = `/v${PROTOCOL_VERSION}/control`;

export type ClientFrame =
  | { t: 'req'; id: number; method: string; params: Record<string, unknown> }
  | { t: 'data'; id: number; data: Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'cancel'; id: number };

export type ServerFrame =
  | { t: 'ev'; id: number; ev: StreamEvent }
  | { t: 'res'; id: number; result: unknown }
  | { t: 'err'; id: number; error: SerializedError };

/** Items pushed while a call is in progress. */
export type StreamEvent =
  | { kind: 'output'; stream: 1 | 2; data: Uint8Array }
  | { kind: 'progress'; id: string; status: string; current?: number; total?: number }
  | { kind: 'status'; message: string }
  | { kind: 'container-id'; id: string }
  /** a chunk of a byte stream the call produces (save, export), in order */
  | { kind: 'data'; data: Uint8Array }
  | { kind: 'event'; event: EngineEvent }
  /** `container.stats` with stream: one table of samples, about once a second */
  | { kind: 'stats'; samples: StatsSample[] };

export function isClientFrame(v: unknown): v is ClientFrame {
  if (!v || typeof v !== 'object') return false;
  const f = v as Record<string, unknown>;
  if (typeof f.id !== 'number' || !Number.isSafeInteger(f.id)) return false;
  switch (f.t) {
    case 'req':
      return typeof f.method === 'string' && (f.params === undefined || (typeof f.params === 'object' && f.params !== null));
    case 'data':
      return f.data instanceof Uint8Array;
    case 'end':
    case 'cancel':
      return true;
    default:
      return false;
  }
}
