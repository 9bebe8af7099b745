// A blob response body as downloads read it, from either HTTP stack: Node's
// http/https modules (the fast path for blob bodies: no web-stream layers,
// ~5× less CPU per byte than fetch) or a fetch Response (the general path,
// which answers auth challenges and reports registry errors).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ImageReference } from '../image/reference.js';
import type { CallAuth, RegistryClient } from './client.js';
import { plainGet } from './http-get.js';
import type { RegistryRequest } from './transport.js';

export interface BlobResponse {
  status: number;
  header(name: string): string | null;
  /** The body as a stream (read once); it errors when the connection breaks or the signal aborts. */
  body(): Readable;
  /** Discards the rest of the body. */
  cancel(): Promise<void>;
}

export function fromFetch(res: Response): BlobResponse {
  return {
    status: res.status,
    header: (n) => res.headers.get(n),
    body: () => (res.body ? Readable.fromWeb(res.body as WebReadableStream<Uint8Array>) : Readable.from([])),
    cancel: async () => { await res.body?.cancel().catch(() => undefined); },
  };
}

export function fromIncoming(msg: IncomingMessage): BlobResponse {
  return {
    status: msg.statusCode ?? 0,
    header: (n) => {
      const v = msg.headers[n.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    body: () => msg,
    cancel: async () => { msg.destroy(); },
  };
}

/** A plain GET of a blob, as the fast path sends it: URL, host and the headers the transport would send now (cached token included). */
export interface DirectBlobRequest {
  url: string;
  host: string;
  headers: Record<string, string>;
  headersTimeoutMs: number;
}

/** The fast path's request for blob `digest` of `ref`, or null when there are mirrors to try (the general path's job). */
export function directBlobRequest(client: RegistryClient, ref: ImageReference, digest: string, headers: Record<string, string>, credential: CallAuth['credential'], what: string): DirectBlobRequest | null {
  const endpoints = client.endpoints(ref);
  if (endpoints.length !== 1) return null;
  const ep = endpoints[0]!;
  const req: RegistryRequest = { url: `${ep.base}/v2/${ref.repository}/blobs/${digest}`, host: ep.host, headers, scopes: [`repository:${ref.repository}:pull`], credential, what };
  return { url: req.url, host: ep.host, headers: client.transport.currentHeaders(req), headersTimeoutMs: client.transport.headersTimeout };
}

/**
 * Opens blob `digest` of `ref` from `offset` (Range): first with node:http and
 * the credentials the transport already holds; when that does not give 200
 * or 206 (an auth challenge, an error status, mirrors to try), through the
 * client's general path, which handles those.
 */
export async function openRegistryBlob(client: RegistryClient, ref: ImageReference, digest: string, headers: Record<string, string>, auth: CallAuth & { signal: AbortSignal }, what: string): Promise<BlobResponse> {
  const direct = directBlobRequest(client, ref, digest, headers, auth.credential, what);
  if (direct) {
    const msg = await plainGet({ ...direct, signal: auth.signal });
    if (msg.statusCode === 200 || msg.statusCode === 206) return fromIncoming(msg);
    msg.destroy();
  }
  return fromFetch(await client.pullRequest(ref, `blobs/${digest}`, { headers, what, retry: true }, auth));
}
