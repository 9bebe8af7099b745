// A GET over a bare TCP socket, for blob bodies from plain-http registries
// (loopback, insecure registries): the response head is parsed here and the
// socket itself is the body, so each chunk the kernel delivers reaches the
// download as the Buffer the socket read it into — not copied again by
// node:http's parser into a Buffer of its own, nor passed through an
// IncomingMessage stream (about a third less CPU per byte on the pool
// thread). The socket reads through `onread`, into a fresh 256 KiB buffer
// each time (a reader may keep a chunk), and the body is a plain Readable
// those reads are pushed into: a quarter of the reads and callbacks of
// Node's 64 KiB default and none of a socket stream's own machinery — about
// 40 % less CPU per byte again. Only what such a blob answer looks like is handled: a
// status line, headers, and a body of Content-Length bytes on a connection
// the server closes. Anything else (a redirect, chunked or encoded bodies, a
// head without a length) gives null: the caller asks node:http instead.
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import type { BlobResponse } from './blob-response.js';
import { networkError, TransientNetworkError } from './registry-errors.js';

export interface RawGet {
  url: string;
  /** host[:port], for messages */
  host: string;
  what: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** Time allowed until the response head arrives. */
  headersTimeoutMs: number;
}

/** Redirects are followed by node:http's path (http-get.ts). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** A response head larger than this is not a blob answer. */
const MAX_HEAD = 64 * 1024;
/** Bytes asked of the kernel per read. */
const READ_BYTES = 256 * 1024;
/** What the body holds while its reader is paused before the socket stops reading. */
const BODY_BUFFER = 4 * READ_BYTES;

interface Head { status: number; headers: Map<string, string> }

function parseHead(text: string): Head | null {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) return null;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(m[1]), headers };
}

/** Whether the body is exactly Content-Length bytes, as sent: the only kind read here. */
function plainBody(h: Head): boolean {
  const te = h.headers.get('transfer-encoding');
  const ce = h.headers.get('content-encoding');
  return (te === undefined || te.toLowerCase() === 'identity') && (ce === undefined || ce.toLowerCase() === 'identity') && /^\d+$/.test(h.headers.get('content-length') ?? '');
}

function request(u: URL, g: RawGet): string {
  const lines = [`GET ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, 'Connection: close'];
  for (const [k, v] of Object.entries(g.headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new BerthError('invalid_argument', `the request for ${g.what} has a header with a line break in it (${JSON.stringify(k)})`);
    lines.push(`${k}: ${v}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * GETs an http: URL. Resolves with the response (status, headers, the socket
 * as its body, positioned at the body's first byte), or null when the answer
 * needs node:http (the socket is closed then; the request may be sent again).
 */
export function rawGet(g: RawGet): Promise<BlobResponse | null> {
  const u = new URL(g.url);
  if (u.protocol !== 'http:') return Promise.resolve(null);
  const text = request(u, g);
  return new Promise<BlobResponse | null>((resolve, reject) => {
    // where each read goes: the head's parser, then the body
    let deliver: (chunk: Buffer) => void = onHead;
    const socket: Socket = connect({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 80),
      onread: { buffer: () => Buffer.allocUnsafe(READ_BYTES), callback: (n, buf) => { deliver((buf as Buffer).subarray(0, n)); return true; } },
    });
    socket.resume(); // reading starts once connected; flowing, so that 'end' is emitted (the bytes only come through onread)
    let settled = false;
    let head: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new TransientNetworkError(`registry ${g.host} did not answer within ${Math.round(g.headersTimeoutMs / 1000)} s for ${g.what}`)), g.headersTimeoutMs);
    const onAbort = () => socket.destroy(new Error('aborted', { cause: g.signal?.reason }));
    g.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      settled = true;
      clearTimeout(timer);
      deliver = () => undefined;
      socket.off('error', fail);
      socket.off('end', onEnd);
    };
    function fail(err: unknown): void {
      if (settled) return;
      done();
      g.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err instanceof TransientNetworkError ? err : networkError(err, g.host, g.url));
    }
    function onEnd(): void {
      fail(new TransientNetworkError(`registry ${g.host} closed the connection before answering for ${g.what}`));
    }
    function onHead(chunk: Buffer): void {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD) {
          done();
          socket.destroy();
          resolve(null);
        }
        return;
      }
      done();
      const h = parseHead(head.subarray(0, end).toString('latin1'));
      if (!h || !plainBody(h) || (REDIRECTS.has(h.status) && h.headers.has('location'))) {
        g.signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(null);
        return;
      }
      // the socket reads again when the body is read; the body's first bytes may have come with the head
      socket.pause();
      const body = bodyOf(socket);
      const rest = head.subarray(end + 4);
      if (rest.length > 0) body.push(rest);
      deliver = (chunk) => { if (!body.push(chunk)) socket.pause(); };
      // the caller's signal governs the body too (its listener goes when the socket closes)
      socket.once('close', () => g.signal?.removeEventListener('abort', onAbort));
      resolve({
        status: h.status,
        header: (n) => h.headers.get(n.toLowerCase()) ?? null,
        body: () => body,
        cancel: async () => { body.destroy(); },
      });
    }
    socket.on('error', fail);
    socket.on('end', onEnd);
    socket.write(text);
  });
}

/**
 * The body of a response whose head was read: the socket's reads pushed into a Readable (see deliver above),
 * which asks the socket for more when read and ends with it. A socket that closes before its end (a reset, an
 * abort) errors the body; destroying the body closes the socket. Errors before anybody reads are kept for the
 * reader, not left unhandled.
 */
function bodyOf(socket: Socket): Readable {
  const body = new Readable({
    highWaterMark: BODY_BUFFER,
    read: () => { socket.resume(); },
    destroy: (err, cb) => { socket.destroy(); cb(err); },
  });
  let ended = false;
  socket.on('end', () => { ended = true; body.push(null); });
  socket.on('error', (err) => body.destroy(err));
  socket.on('close', () => { if (!ended) body.destroy(new Error('socket closed before the body ended')); });
  body.on('error', () => undefined);
  return body;
}
