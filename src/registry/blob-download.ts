// Downloads one blob into a file, resumably: bytes are appended to the file
// and hashed as they arrive; when the connection drops or stalls, the
// download continues from the last byte with an HTTP Range request (a
// registry that ignores Range resends the whole blob and the known prefix is
// skipped). The file only ever grows, so a reader may follow it while it is
// written. Size and sha256 are checked at the end; a mismatch is
// digest_mismatch and the caller must discard the file. A descriptor that
// lists `urls` (foreign / non-distributable layers) is fetched from those
// first, as Docker does, then from the registry.
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../errors.js';
import { registryHost, type ImageReference } from '../image/reference.js';
import type { CallAuth, RegistryClient } from './client.js';
import { isTransient, networkError, RegistryHttpError, TransientNetworkError } from './registry-errors.js';
import { fromFetch, openRegistryBlob, type BlobResponse } from './blob-response.js';
import { backoffDelay, type RetryPolicy } from './transport.js';
import { Sink } from './blob-sink.js';

export interface BlobToFetch {
  digest: string;
  size: number;
  urls?: string[];
}

export interface DownloadOptions extends CallAuth {
  /** Called with the byte count as it grows. */
  onProgress?: (bytes: number) => void;
  /** Called for each (re)connection: 0 for the first, then the offset resumed from. */
  onConnect?: (offset: number) => void;
  /** The file already holds this many bytes of the blob (an earlier, interrupted download): they are hashed and the download continues after them. */
  resumeFrom?: number;
  /** Also receives every byte of the blob, in order (the file's existing prefix first); awaited, so it can hold the download back. */
  tap?: (chunk: Buffer) => Promise<void> | undefined;
  /** The path of the file behind the descriptor: the hashing thread then writes it (see blob-sink.ts). */
  path?: string;
  /** The descriptor is a memory file: the hashing thread writes through a duplicate of it. */
  memoryFile?: boolean;
}

/** Where the bytes come from: opens the blob from an offset (a Range request when > 0). */
export interface BlobOpener {
  /** host[:port], for messages */
  host: string;
  policy: RetryPolicy;
  stallTimeoutMs: number;
  open(offset: number, signal: AbortSignal): Promise<BlobResponse>;
}

/**
 * How many bytes one body takes in before it lets the thread's event loop go
 * round: a socket hands over up to 32 reads (8 MiB of raw-get's) at a time,
 * whose hand-off (copies into the hashing and extraction rings, which wait
 * while those are full) would keep other transfers' events and new tasks
 * waiting. (1 MiB measured the same as 256 KiB.)
 */
const TURN_BYTES = 256 * 1024;

/**
 * Calls `onStall` once `stallMs` pass without a touch() while not held: held
 * while the download itself waits (a push in progress), as then no byte can
 * arrive, and it is not the registry that is slow.
 */
function stallWatch(stallMs: number, onStall: () => void) {
  let last = Date.now();
  let held = false;
  let timer: NodeJS.Timeout;
  const check = () => {
    const idle = held ? 0 : Date.now() - last;
    if (idle < stallMs) timer = setTimeout(check, stallMs - idle);
    else onStall();
  };
  timer = setTimeout(check, stallMs);
  return {
    touch: () => { last = Date.now(); },
    hold: () => { held = true; },
    release: () => { held = false; last = Date.now(); },
    stop: () => clearTimeout(timer),
  };
}

/**
 * Reads `res`'s body into `sink`, chunk by chunk as the socket delivers them
 * (pausing only while a push asks to wait); fails with a
 * TransientNetworkError when no byte arrives for `stallMs`. Done once the
 * blob's last byte is in, without waiting for the body to end (a server
 * may keep the connection open).
 */
async function drain(res: BlobResponse, sink: Sink, skip: number, stallMs: number, abort: AbortController, host: string, what: string, onProgress?: (n: number) => void): Promise<void> {
  const body = res.body();
  let toSkip = skip;
  let stalled = false;
  const clock = stallWatch(stallMs, () => {
    stalled = true;
    abort.abort();
  });
  let waiting: Promise<void> | undefined;
  let turnBytes = 0;
  let sinkError: { err: unknown } | undefined;
  let whole!: () => void;
  const allIn = new Promise<void>((resolve) => { whole = resolve; });
  const onData = (data: Buffer) => {
    clock.touch();
    let chunk = data;
    if (toSkip > 0) {
      const n = Math.min(toSkip, chunk.length);
      toSkip -= n;
      chunk = chunk.subarray(n);
      if (chunk.length === 0) return;
    }
    let next: Promise<void> | undefined;
    try {
      next = sink.push(chunk);
    } catch (err) {
      sinkError = { err };
      body.destroy();
      return;
    }
    onProgress?.(sink.offset);
    if (sink.complete) whole();
    turnBytes += chunk.length;
    if (!next && turnBytes >= TURN_BYTES) next = new Promise((resolve) => setImmediate(resolve));
    if (!next) return;
    turnBytes = 0;
    body.pause();
    clock.hold();
    waiting = next.then(() => {
      clock.release();
      body.resume();
    }, (err: unknown) => {
      sinkError = { err };
      body.destroy();
    });
  };
  body.on('data', onData);
  try {
    const ended = finished(body).catch((err: unknown) => {
      if (sinkError || sink.complete) return;
      if (stalled) throw new TransientNetworkError(`registry ${host} stopped sending ${what} for ${Math.round(stallMs / 1000)} s`, { cause: err });
      throw networkError(err, host, what);
    });
    // all in: the body's end, if it comes with the last bytes, is let through first (a kept-alive socket stays usable)
    await Promise.race([ended, allIn.then(() => new Promise((resolve) => setImmediate(resolve)))]);
    await waiting;
    if (sinkError) throw sinkError.err;
  } finally {
    clock.stop();
    body.off('data', onData);
    if (!body.readableEnded) body.destroy();
  }
  await sink.flush();
}

/** Offset a 206 response starts at, from Content-Range "bytes START-END/TOTAL". */
function rangeStart(res: BlobResponse): number | undefined {
  const m = /^bytes\s+(\d+)-/.exec(res.header('content-range') ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Foreign / non-distributable layers: tries the descriptor's http(s) urls in order; the last error, or undefined when none was usable. */
async function openUrls(client: RegistryClient, blob: BlobToFetch, headers: Record<string, string>, signal: AbortSignal, what: string): Promise<{ res?: Response; err?: unknown }> {
  let err: unknown;
  for (const url of blob.urls ?? []) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') continue;
    try {
      return { res: await client.transport.send({ url, host: parsed.host, headers, scopes: [], what: `foreign ${what} from ${url}`, signal }) };
    } catch (e) {
      if (signal.aborted) throw e;
      err = e;
    }
  }
  return { err };
}

/**
 * Opens the blob from `offset`. As Docker does, a descriptor with `urls`
 * (foreign or non-distributable layer) is fetched from those first; the
 * registry is asked when it has none, or when none of them answered.
 */
async function open(client: RegistryClient, ref: ImageReference, blob: BlobToFetch, offset: number, opts: DownloadOptions, signal: AbortSignal, what: string): Promise<BlobResponse> {
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  const foreign = blob.urls?.length ? await openUrls(client, blob, headers, signal, what) : {};
  if (foreign.res) return fromFetch(foreign.res);
  try {
    return await openRegistryBlob(client, ref, blob.digest, headers, { credential: opts.credential, signal }, what);
  } catch (err) {
    // the registry not having a foreign layer is expected: report why its urls failed
    if (foreign.err !== undefined && err instanceof RegistryHttpError && err.status === 404) throw foreign.err;
    throw err;
  }
}

/**
 * Downloads `blob` of `ref` into the file open as `fd` (empty, or holding `opts.resumeFrom` bytes of it), resuming after
 * failures, and verifies it. Resolves with its size; throws digest_mismatch
 * when the content is wrong, or the last error when the registry kept failing.
 */
export function downloadBlobToFile(client: RegistryClient, ref: ImageReference, blob: BlobToFetch, fd: number, opts: DownloadOptions = {}): Promise<number> {
  const what = `blob ${blob.digest} of ${ref.registry}/${ref.repository}`;
  const opener: BlobOpener = {
    host: registryHost(ref),
    policy: client.transport.policy,
    stallTimeoutMs: client.stallTimeoutMs,
    open: (offset, signal) => open(client, ref, blob, offset, opts, signal, what),
  };
  return downloadWith(opener, blob, fd, what, opts);
}

/** downloadBlobToFile with the bytes from `src`: resumes, verifies, and feeds `opts.tap`. */
export async function downloadWith(src: BlobOpener, blob: BlobToFetch, fd: number, what: string, opts: DownloadOptions = {}): Promise<number> {
  const host = src.host;
  const sink = new Sink(fd, blob.size, what, opts.tap, opts.path, opts.memoryFile);
  if (opts.resumeFrom && opts.resumeFrom > 0 && opts.resumeFrom <= blob.size) await sink.adopt(opts.resumeFrom);
  const policy = src.policy;
  let failures = 0;
  const fail = (err: unknown): never => {
    sink.settle(); // every byte received is in the file before anyone resumes from it
    throw err;
  };
  while (sink.offset < blob.size || (sink.offset === 0 && blob.size === 0 && failures === 0)) {
    const abort = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
    const before = sink.offset;
    try {
      opts.onConnect?.(sink.offset);
      const res = await src.open(sink.offset, signal);
      let skip = 0;
      if (res.status === 206) {
        if (rangeStart(res) !== sink.offset) {
          await res.cancel();
          throw new BerthError('registry_error', `registry ${host} answered a request for ${what} from byte ${sink.offset} with ${res.header('content-range')}`);
        }
      } else {
        skip = sink.offset;
        const declared = res.header('content-length');
        if (declared !== null && Number(declared) !== blob.size) {
          await res.cancel();
          throw new BerthError('digest_mismatch', `${what}: the registry announces ${declared} bytes but the descriptor declares ${blob.size}`);
        }
      }
      await drain(res, sink, skip, src.stallTimeoutMs, abort, host, what, opts.onProgress);
      if (sink.offset < blob.size) throw new TransientNetworkError(`registry ${host} ended ${what} after ${sink.offset} of ${blob.size} bytes`);
      if (blob.size === 0) break;
    } catch (err) {
      await sink.flush().catch(() => undefined);
      if (opts.signal?.aborted) fail(new BerthError('registry_error', `download of ${what} was cancelled`));
      if (!isTransient(err)) fail(err);
      // Progress resets the count: only repeated failures without progress give up.
      failures = sink.offset > before ? 1 : failures + 1;
      if (failures > policy.retries) fail(err);
      await sleep(backoffDelay(policy, failures - 1));
    }
  }
  const actual = sink.hash.digest();
  if (sink.offset !== blob.size) {
    throw new BerthError('digest_mismatch', `${what} has ${sink.offset} bytes but its descriptor declares ${blob.size}; the content is truncated or corrupt`);
  }
  if (actual !== blob.digest) {
    throw new BerthError('digest_mismatch', `${what} has digest ${actual} but ${blob.digest} was expected; the content is corrupt or was tampered with`);
  }
  return sink.offset;
}
