// The control-channel client: one websocket on the daemon's unix socket,
// many concurrent calls multiplexed by id. Every way the connection can fail
// ends in a BerthError — a call never hangs on a dead daemon.
import type { Readable } from 'node:stream';
import { pack } from 'msgpackr/pack';
import { unpack } from 'msgpackr/unpack';
import { CONTROL_PATH, type ClientFrame, type ServerFrame, type StreamEvent } from '../src/protocol/frames.js';
import type { MethodName, Methods } from '../src/protocol/methods.js';
import { BerthError, deserializeError } from '../src/errors.js';
import { resolveHost, type DaemonAddress } from './host.js';
import { markDaemonError } from './daemon-errors.js';
import { ControlSocket, OpenError } from './ws-client.js';

/** Largest data frame sent while uploading. */
export const UPLOAD_CHUNK_BYTES = 256 * 1024;
/** Stop feeding the socket while more than this is queued in the websocket. */
const UPLOAD_HIGH_WATER_BYTES = 1024 * 1024;
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface CallOptions {
  /** Called for each pushed event, in order. Return a promise to apply backpressure: no further frame is handled until it settles. */
  onEvent?: (ev: StreamEvent) => void | Promise<void>;
  /** Streamed to the daemon as data frames after the request, then an end frame. */
  upload?: Readable;
  /** Aborting sends a cancel frame; the call still settles with whatever the daemon answers. */
  signal?: AbortSignal;
}

export interface BerthClient {
  readonly address: DaemonAddress;
  call<M extends MethodName>(method: M, params: Methods[M]['params'], opts?: CallOptions): Promise<Methods[M]['result']>;
  close(): void;
}

export { isDaemonError } from './daemon-errors.js';

export function unavailableMessage(address: DaemonAddress, cause?: NodeJS.ErrnoException): string {
  if (cause?.code === 'EACCES' || cause?.code === 'EPERM') {
    return `Cannot connect to the Berth daemon at ${address.url}: permission denied on the socket. ` +
      'Run berth as a user allowed to open it (e.g. with sudo), or point -H/BERTH_HOST at a socket you can use.';
  }
  return `Cannot connect to the Berth daemon at ${address.url}. Is berthd running? ` +
    '(start it with `berthd`, or point -H/BERTH_HOST at its socket)';
}

/** Opens the control channel. `host` is the -H value, if given; see resolveHost for the fallbacks. */
export async function connect(host?: string, env: NodeJS.ProcessEnv = process.env): Promise<BerthClient> {
  const address = resolveHost(host, env);
  const ws = await openSocket(address);
  return new Connection(address, ws);
}

async function openSocket(address: DaemonAddress): Promise<ControlSocket> {
  try {
    return await ControlSocket.open(address.socketPath, CONTROL_PATH, HANDSHAKE_TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof OpenError)) throw err;
    const f = err.failure;
    if (f.kind === 'http') {
      throw new BerthError('daemon_unavailable',
        `The socket ${address.url} answered, but not as a Berth daemon (HTTP ${f.status} on ${CONTROL_PATH}). ` +
        'Is -H/BERTH_HOST pointing at the right socket?');
    }
    if (f.kind === 'connect') {
      const code = f.error.code;
      const known = code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'EPERM';
      const message = known ? unavailableMessage(address, f.error) : `${unavailableMessage(address)} (${f.error.message})`;
      throw new BerthError('daemon_unavailable', message, { cause: f.error });
    }
    throw new BerthError('daemon_unavailable', `${unavailableMessage(address)} (${err.message})`, { cause: err });
  }
}

interface PendingCall {
  method: string;
  onEvent?: CallOptions['onEvent'];
  resolve(result: unknown): void;
  reject(err: Error): void;
  settled: boolean;
}

class Connection implements BerthClient {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly inbox: ServerFrame[] = [];
  private draining = false;
  /** Set once the connection is unusable: makes the error each call still waiting (or made later) fails with. */
  private lost: ((method: string) => BerthError) | undefined;

  constructor(readonly address: DaemonAddress, private readonly ws: ControlSocket) {
    ws.on({
      message: (data, isBinary) => this.receive(data, isBinary),
      close: (err) => this.lose(err),
    });
  }

  call<M extends MethodName>(method: M, params: Methods[M]['params'], opts: CallOptions = {}): Promise<Methods[M]['result']> {
    if (this.lost) return Promise.reject(this.lost(method));
    const id = this.nextId++;
    return new Promise<Methods[M]['result']>((resolve, reject) => {
      const onAbort = () => { if (!call.settled && !this.lost) this.send({ t: 'cancel', id }); };
      const settle = () => {
        call.settled = true;
        this.pending.delete(id);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const call: PendingCall = {
        method, onEvent: opts.onEvent, settled: false,
        resolve: (r) => { settle(); resolve(r as Methods[M]['result']); },
        reject: (e) => { settle(); reject(e); },
      };
      this.pending.set(id, call);
      this.send({ t: 'req', id, method, params: params as Record<string, unknown> });
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.upload) {
        this.upload(id, call, opts.upload).catch((err: unknown) => {
          if (call.settled) return;
          if (!this.lost) this.send({ t: 'cancel', id });
          call.reject(err instanceof BerthError ? err
            : new BerthError('io_error', `reading the upload failed: ${(err as Error).message ?? String(err)}`, { cause: err }));
        });
      }
    });
  }

  close(): void {
    this.lost ??= (method) => new BerthError('daemon_unavailable', `the connection was closed before '${method}' finished`);
    this.ws.close(1000);
  }

  private send(frame: ClientFrame, done?: (err?: Error) => void): void {
    this.ws.send(pack(frame), done);
  }

  private async upload(id: number, call: PendingCall, source: Readable): Promise<void> {
    for await (const piece of source as AsyncIterable<Buffer | string>) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
      for (let at = 0; at < bytes.length; at += UPLOAD_CHUNK_BYTES) {
        if (call.settled || this.lost) { source.destroy(); return; }
        const data = bytes.subarray(at, at + UPLOAD_CHUNK_BYTES);
        const flushed = new Promise<void>((res) => this.send({ t: 'data', id, data }, () => res()));
        if (this.ws.bufferedAmount > UPLOAD_HIGH_WATER_BYTES) await flushed;
      }
    }
    if (!call.settled && !this.lost) this.send({ t: 'end', id });
  }

  private receive(data: Buffer, isBinary: boolean): void {
    let frame: ServerFrame;
    try {
      if (!isBinary) throw new Error('text message');
      frame = unpack(data) as ServerFrame;
      if (!frame || typeof frame !== 'object' || typeof frame.id !== 'number') throw new Error('not a frame');
    } catch (err) {
      const why = (err as Error).message;
      this.lost ??= () => new BerthError('internal',
        `the daemon sent a message that is not a control-channel frame (${why}); are berth and berthd the same version?`);
      this.ws.terminate();
      return;
    }
    this.inbox.push(frame);
    if (!this.draining) void this.drain();
  }

  /** Handles frames strictly in order; pauses the socket while an event handler applies backpressure. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.inbox.length > 0) {
        const frame = this.inbox.shift()!;
        const call = this.pending.get(frame.id);
        if (!call || call.settled) continue;
        if (frame.t === 'ev') {
          if (!call.onEvent) continue;
          let handled: void | Promise<void>;
          try {
            handled = call.onEvent(frame.ev);
            if (handled) {
              this.ws.pause();
              await handled;
            }
          } catch (err) {
            call.reject(err as Error);
          }
        } else if (frame.t === 'res') {
          call.resolve(frame.result);
        } else if (frame.t === 'err') {
          call.reject(markDaemonError(deserializeError(frame.error ?? { code: 'internal', message: 'error frame without an error' })));
        }
      }
    } finally {
      this.draining = false;
      if (this.ws.isPaused) this.ws.resume();
    }
    if (this.lost) this.failPending();
  }

  private lose(cause?: Error): void {
    this.lost ??= (method) => new BerthError('daemon_unavailable',
      `The Berth daemon closed the connection before answering '${method}'. It may have stopped or crashed; check berthd's log` +
      (cause ? ` (${cause.message}).` : '.'), { cause });
    // Frames already received are delivered first (output before the hang-up); then everyone left is told.
    if (!this.draining) this.failPending();
  }

  private failPending(): void {
    const makeError = this.lost;
    if (!makeError) return;
    for (const call of [...this.pending.values()]) call.reject(makeError(call.method));
  }
}
