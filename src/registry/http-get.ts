// GET and HEAD requests with node:http(s) rather than fetch: no web-stream
// layers per chunk, and no llhttp WebAssembly compiled in every worker
// thread that makes a request (fetch costs ~0.1 s of CPU per thread for that).
// Redirects are followed as fetch follows them.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { networkError, TransientNetworkError } from './registry-errors.js';

export interface PlainGet {
  method?: 'GET' | 'HEAD';
  url: string;
  /** host[:port], for messages */
  host: string;
  /** what was asked for, for messages (default: the URL) */
  what?: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** Time allowed until the response headers arrive. */
  headersTimeoutMs: number;
}

const MAX_REDIRECTS = 10;

function getOnce(method: string, url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers, signal }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/**
 * GETs `url` with node:http(s), following redirects (Authorization is sent
 * only to the original origin, as fetch does). Any status is returned; the
 * caller decides what it accepts.
 */
export async function plainGet(g: PlainGet): Promise<IncomingMessage> {
  const timer = new AbortController();
  const t = setTimeout(() => timer.abort(), g.headersTimeoutMs);
  const signal = g.signal ? AbortSignal.any([g.signal, timer.signal]) : timer.signal;
  const origin = new URL(g.url).origin;
  let url = new URL(g.url);
  try {
    for (let hop = 0; ; hop++) {
      const headers = { ...g.headers };
      if (url.origin !== origin) delete headers.authorization;
      const msg = await getOnce(g.method ?? 'GET', url, headers, signal);
      const location = msg.headers.location;
      if (msg.statusCode !== undefined && [301, 302, 303, 307, 308].includes(msg.statusCode) && location && hop < MAX_REDIRECTS) {
        msg.resume();
        url = new URL(location, url);
        continue;
      }
      // from here on the caller's signal alone governs the body
      return msg;
    }
  } catch (err) {
    if (timer.signal.aborted && !g.signal?.aborted) {
      throw new TransientNetworkError(`registry ${g.host} did not answer within ${Math.round(g.headersTimeoutMs / 1000)} s for ${g.what ?? g.url}`, { cause: err });
    }
    throw networkError(err, g.host, g.url);
  } finally {
    clearTimeout(t);
  }
}


const NO_BODY = new Set([204, 205, 304]);

/** `msg` as a fetch Response (its body streamed, not buffered). */
export function toResponse(msg: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(msg.headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
  }
  const status = msg.statusCode ?? 502;
  const empty = method === 'HEAD' || NO_BODY.has(status);
  if (empty) msg.resume();
  const body = empty ? null : (Readable.toWeb(msg) as unknown as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: msg.statusMessage ?? '', headers });
}
