// A one-shot handler call for a route that answers with one JSON document:
// no events, no upload, cancelled only if the client goes away first.
import { callHandler } from './handler-call.js';
import type { RouteContext } from './route.js';

export function ask<T = unknown>(ctx: RouteContext, method: string, params: Record<string, unknown> = {}): Promise<T> {
  return callHandler<T>(ctx.handlers, method, params, { signal: new AbortController().signal });
}
