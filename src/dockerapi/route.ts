// What a Docker API route gets, and the byte sink that streaming routes
// (logs, attach, exec, pull progress) write to — a plain chunked response
// or a hijacked connection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handlers } from './handler-call.js';
import type { Hijacked } from './hijack.js';

export interface Sink {
  write(data: Buffer): void;
  drained(): Promise<void>;
  signal: AbortSignal;
  /** stdin from a hijacked connection */
  stdin?: AsyncIterable<Uint8Array>;
}

export interface RouteContext {
  req: IncomingMessage;
  /** undefined for a hijacked request */
  res?: ServerResponse;
  hijacked?: Hijacked;
  params: string[];
  query: URLSearchParams;
  handlers: Handlers;
  /** the JSON body (for a hijacked request, what came before the stream) */
  body<T>(): Promise<T | null>;
  /** starts a streaming reply (or uses the hijacked connection) */
  stream(contentType: string): Sink;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PUT';
  path: RegExp;
  run(ctx: RouteContext): Promise<void>;
}
