// The CLI's websocket client for the control channel: the opening handshake
// over a unix socket, then RFC 6455 messages. Written on node:net rather than
// the `ws` package because every CLI invocation pays for what it loads, and
// `ws` (with http, https, tls and zlib behind it) costs more CPU to load than
// the rest of a short command.
import { createConnection, type Socket } from 'node:net';
import { fillRandom } from './entropy.js';
import { sha1 } from './sha1.js';
import {
  encodeFrame, FrameDecoder, FrameError, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT,
} from './ws-frames.js';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_HEADER_BYTES = 16 * 1024;
/** Largest message accepted from the daemon (its frames are chunked far below this). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Why the handshake failed: the socket could not be reached, or something else answered. */
export type OpenFailure =
  | { kind: 'connect'; error: NodeJS.ErrnoException }
  | { kind: 'http'; status: number }
  | { kind: 'protocol'; message: string }
  | { kind: 'timeout' };

export class OpenError extends Error {
  constructor(readonly failure: OpenFailure) {
    super(describe(failure));
  }
}

function describe(f: OpenFailure): string {
  switch (f.kind) {
    case 'connect': return f.error.message;
    case 'http': return `HTTP ${f.status}`;
    case 'protocol': return f.message;
    case 'timeout': return 'no answer to the websocket handshake';
  }
}

export interface SocketEvents {
  message(data: Buffer, isBinary: boolean): void;
  /** Called once, when the connection is gone; with an error unless it closed cleanly. */
  close(error?: Error): void;
}

export class ControlSocket {
  private readonly decoder = new FrameDecoder(MAX_MESSAGE_BYTES);
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private paused = false;
  private closed = false;
  private handlers: SocketEvents | undefined;

  private constructor(private readonly socket: Socket, leftover: Buffer) {
    if (leftover.length > 0) this.decoder.push(leftover);
    socket.on('data', (bytes: Buffer) => {
      this.decoder.push(bytes);
      this.process();
    });
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish(new Error('the connection closed')));
  }

  /** Connects to `socketPath` and upgrades `path` to a websocket. */
  static open(socketPath: string, path: string, timeoutMs: number): Promise<ControlSocket> {
    return new Promise((resolve, reject) => {
      const keyBytes = Buffer.allocUnsafe(16);
      fillRandom(keyBytes);
      const key = keyBytes.toString('base64');
      const socket = createConnection({ path: socketPath });
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => fail({ kind: 'timeout' }), timeoutMs);
      const fail = (f: OpenFailure) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.destroy();
        reject(new OpenError(f));
      };
      socket.once('error', (error: NodeJS.ErrnoException) => fail({ kind: 'connect', error }));
      socket.once('close', () => fail({ kind: 'protocol', message: 'the socket closed during the websocket handshake' }));
      socket.on('connect', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      });
      const onData = (bytes: Buffer) => {
        head = Buffer.concat([head, bytes]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEADER_BYTES) fail({ kind: 'protocol', message: 'the handshake answer is too long' });
          return;
        }
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1];
        if (status === undefined) return fail({ kind: 'protocol', message: 'the answer is not HTTP' });
        if (status !== '101') return fail({ kind: 'http', status: Number(status) });
        const accept = header(lines, 'sec-websocket-accept');
        const expected = sha1(Buffer.from(key + ACCEPT_GUID, 'latin1')).toString('base64');
        if (accept !== expected) return fail({ kind: 'protocol', message: 'the websocket handshake answer has a wrong Sec-WebSocket-Accept' });
        clearTimeout(timer);
        socket.removeAllListeners();
        resolve(new ControlSocket(socket, head.subarray(end + 4)));
      };
      socket.on('data', onData);
    });
  }

  on(handlers: SocketEvents): void {
    this.handlers = handlers;
    this.process();
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  send(data: Buffer, done?: (err?: Error) => void): void {
    if (this.closed) {
      done?.(new Error('the connection is closed'));
      return;
    }
    this.socket.write(encodeFrame(OP_BINARY, data), done ? (err) => done(err ?? undefined) : undefined);
  }

  /** Stops delivering messages (and reading the socket) until resume(). */
  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    this.socket.resume();
    this.process();
  }

  close(code = 1000): void {
    if (this.closed) return;
    this.sendClose(code);
    this.finish();
  }

  terminate(): void {
    this.socket.destroy();
    this.finish();
  }

  private sendClose(code: number): void {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.socket.end(encodeFrame(OP_CLOSE, payload));
  }

  private process(): void {
    if (!this.handlers) return;
    try {
      while (!this.paused && !this.closed) {
        const frame = this.decoder.next();
        if (!frame) return;
        this.handle(frame.fin, frame.opcode, frame.payload);
      }
    } catch (err) {
      this.finish(err as Error);
      this.sendClose(err instanceof FrameError ? err.closeCode : 1002);
    }
  }

  private handle(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) {
      this.socket.write(encodeFrame(OP_PONG, payload));
      return;
    }
    if (opcode === OP_PONG) return;
    if (opcode === OP_CLOSE) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.sendClose(code === 1005 ? 1000 : code);
      this.finish(code === 1000 || code === 1005 ? undefined : new Error(`the daemon closed the channel (code ${code})`));
      return;
    }
    if (opcode === OP_CONTINUATION) {
      if (this.fragments.length === 0) throw new FrameError('the daemon sent a continuation without a first fragment', 1002);
    } else if (opcode === OP_TEXT || opcode === OP_BINARY) {
      if (this.fragments.length > 0) throw new FrameError('the daemon started a message inside another', 1002);
      this.fragmentOpcode = opcode;
    } else {
      throw new FrameError(`the daemon sent an unknown frame type ${opcode}`, 1002);
    }
    this.fragments.push(payload);
    if (!fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
    this.fragments = [];
    this.handlers?.message(data, this.fragmentOpcode === OP_BINARY);
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.close(error);
  }
}

function header(lines: string[], name: string): string | undefined {
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return undefined;
}
