// Client side of a shim's attach socket. Frames are 1 byte type, 4 bytes
// big-endian length, payload. The shim sends output (1 stdout, 2 stderr), the
// exit record (3), and replies (4 ok, 5 error); we send START (0x10) and KILL (0x11).
import { connect, type Socket } from 'node:net';
import { BerthError } from '../errors.js';
import { runtimeError } from './runtime-errors.js';

export const FRAME = { STDOUT: 1, STDERR: 2, EXIT: 3, OK: 4, ERROR: 5, START: 0x10, KILL: 0x11, STDIN: 0x12, STDIN_CLOSE: 0x13, RESIZE: 0x14 } as const;

export interface ExitRecord { exitCode: number; signal: number; exitedAt: string; oomKilled?: boolean }

export class AttachClient {
  private buf: Buffer = Buffer.alloc(0);
  private replies: { resolve(v: string): void; reject(e: Error): void }[] = [];
  private exitWaiters: { resolve(v: ExitRecord): void; reject(e: Error): void }[] = [];
  private exitRecord: ExitRecord | null = null;
  private closedError: Error | null = null;
  private closeWaiters: (() => void)[] = [];
  onOutput: (stream: 1 | 2, data: Uint8Array) => void = () => {};

  private constructor(private readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (e) => this.onClose(e));
    sock.on('close', () => this.onClose(new Error('the shim closed the attach socket')));
  }

  static open(path: string): Promise<AttachClient> {
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        resolve(new AttachClient(sock));
      });
      sock.once('error', reject);
    });
  }

  start(): Promise<string> {
    return this.request(FRAME.START, Buffer.alloc(0)).catch((e: Error) => {
      throw runtimeError(e.message);
    });
  }

  kill(signal: number): Promise<string> {
    return this.request(FRAME.KILL, Buffer.from(String(signal)));
  }

  /** Writes to the container's stdin (the shim answers nothing unless it fails). */
  writeStdin(data: Uint8Array): Promise<void> {
    return this.send(FRAME.STDIN, Buffer.from(data));
  }

  async closeStdin(): Promise<void> {
    await this.request(FRAME.STDIN_CLOSE, Buffer.alloc(0));
  }

  async resize(rows: number, cols: number): Promise<void> {
    await this.request(FRAME.RESIZE, Buffer.from(`${rows} ${cols}`));
  }

  /** Resolves with the exit record once the container has exited. */
  exited(): Promise<ExitRecord> {
    if (this.exitRecord) return Promise.resolve(this.exitRecord);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.exitWaiters.push({ resolve, reject }));
  }

  /** Resolves when the shim closes the socket: after an exit, its cleanup is done. */
  closed(): Promise<void> {
    if (this.closedError) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  get hasExited(): boolean {
    return this.exitRecord !== null;
  }

  close(): void {
    this.sock.destroy();
  }

  /** A frame with no reply; resolves when the socket has taken it (backpressure). */
  private send(type: number, payload: Buffer): Promise<void> {
    if (this.closedError) return Promise.reject(new BerthError('not_running', this.closedError.message));
    const header = Buffer.alloc(5);
    header[0] = type;
    header.writeUInt32BE(payload.length, 1);
    return new Promise((resolve, reject) => {
      this.sock.write(Buffer.concat([header, payload]), (err) => (err ? reject(err) : resolve()));
    });
  }

  private request(type: number, payload: Buffer): Promise<string> {
    if (this.closedError) return Promise.reject(this.closedError);
    const header = Buffer.alloc(5);
    header[0] = type;
    header.writeUInt32BE(payload.length, 1);
    this.sock.write(Buffer.concat([header, payload]));
    return new Promise((resolve, reject) => this.replies.push({ resolve, reject }));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      const type = this.buf[0];
      const payload = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      this.onFrame(type, payload);
    }
  }

  private onFrame(type: number, payload: Buffer): void {
    switch (type) {
      case FRAME.STDOUT:
      case FRAME.STDERR:
        this.onOutput(type, new Uint8Array(payload));
        return;
      case FRAME.EXIT: {
        const rec = JSON.parse(payload.toString('utf8')) as ExitRecord;
        this.exitRecord = rec;
        for (const w of this.exitWaiters.splice(0)) w.resolve(rec);
        return;
      }
      case FRAME.OK:
        this.replies.shift()?.resolve(payload.toString('utf8'));
        return;
      case FRAME.ERROR: {
        // STDIN frames get no reply unless refused; such a refusal answers no request.
        const msg = payload.toString('utf8');
        if (/^stdin /.test(msg) && this.replies.length === 0) return;
        this.replies.shift()?.reject(new Error(msg));
        return;
      }
    }
  }

  private onClose(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const w of this.closeWaiters.splice(0)) w();
    for (const r of this.replies.splice(0)) r.reject(new BerthError('runtime_error', err.message));
    if (!this.exitRecord) for (const w of this.exitWaiters.splice(0)) w.reject(err);
  }
}
