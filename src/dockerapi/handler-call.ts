// Calls one of the daemon's method handlers (the same ones the control
// channel serves) on behalf of an HTTP request: the CallContext's events go
// to a callback, its upload comes from a byte stream, and it is cancelled
// when the HTTP client goes away.
import type { CallContext, Handler } from '../daemon/call-context.js';
import type { StreamEvent } from '../protocol/frames.js';
import { ApiError } from './http-util.js';

export type Handlers = Partial<Record<string, Handler>>;

export interface HttpCall {
  onEvent?: (ev: StreamEvent) => void;
  /** resolves when the HTTP side has written what it was given */
  drained?: () => Promise<void>;
  upload?: AsyncIterable<Uint8Array>;
  signal: AbortSignal;
}

export async function callHandler<T = unknown>(handlers: Handlers, method: string, params: Record<string, unknown>, call: HttpCall): Promise<T> {
  const handler = handlers[method];
  if (!handler) throw new ApiError(501, `${method} is not available in this daemon`);
  const ctx: CallContext = {
    emit: (ev) => call.onEvent?.(ev),
    drained: call.drained ?? (async () => {}),
    upload: () => call.upload ?? (async function* () {})(),
    signal: call.signal,
  };
  return (await handler(params, ctx)) as T;
}

/** An AbortSignal that fires when the response's connection closes early. */
export function closeSignal(res: { once(ev: 'close', cb: () => void): unknown; writableFinished?: boolean }): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort('disconnect');
  });
  return ac.signal;
}
