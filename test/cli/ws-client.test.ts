// The CLI's own websocket client against the `ws` server the daemon uses, on a
// real unix socket: handshake checks, fragmentation, control frames, large
// messages, and framing errors.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ControlSocket, OpenError } from '../../cli/ws-client.js';
import { encodeFrame, FrameDecoder, FrameError, OP_BINARY } from '../../cli/ws-frames.js';

const PATH = '/v1/control';
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function socketPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ws-test-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 's.sock');
}

async function wsServer(onConnection: (ws: WebSocket) => void): Promise<string> {
  const path = await socketPath();
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: PATH });
  wss.on('connection', onConnection);
  await new Promise<void>((resolve) => http.listen(path, resolve));
  cleanup.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return path;
}

/** A raw server that answers the handshake with `reply` (then whatever `after` writes). */
async function rawServer(reply: (key: string) => string, after?: Buffer): Promise<string> {
  const path = await socketPath();
  const server: NetServer = createNetServer((sock) => {
    let head = '';
    sock.on('data', (b) => {
      head += b.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(head)?.[1] ?? '';
      sock.write(reply(key));
      if (after) sock.write(after);
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return path;
}

function collect(sock: ControlSocket): { messages: Buffer[]; closed: Promise<Error | undefined> } {
  const messages: Buffer[] = [];
  let done!: (e: Error | undefined) => void;
  const closed = new Promise<Error | undefined>((r) => { done = r; });
  sock.on({ message: (data) => { messages.push(data); }, close: (err) => done(err) });
  return { messages, closed };
}

async function openFailure(p: Promise<unknown>): Promise<OpenError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OpenError);
  return err as OpenError;
}

describe('CLI websocket client', () => {
  it('exchanges binary messages both ways, including a 5 MiB one and an empty one', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 7);
    big.write('end', big.length - 3);
    const path = await wsServer((ws) => ws.on('message', (data: Buffer) => ws.send(data)));
    const sock = await ControlSocket.open(path, PATH, 5000);
    const { messages } = collect(sock);
    sock.send(Buffer.from('hello'));
    sock.send(big);
    sock.send(Buffer.alloc(0));
    await expect.poll(() => messages.length, { timeout: 10_000 }).toBe(3);
    expect(messages[0].toString()).toBe('hello');
    expect(messages[1].equals(big)).toBe(true);
    expect(messages[2].length).toBe(0);
    sock.close();
  });

  it('joins fragmented messages and answers pings with pongs', async () => {
    let pong: Buffer | undefined;
    const path = await wsServer((ws) => {
      ws.on('pong', (data) => { pong = data; });
      ws.ping(Buffer.from('are you there'));
      ws.send(Buffer.from('part one, '), { fin: false });
      ws.send(Buffer.from('part two'), { fin: true });
    });
    const sock = await ControlSocket.open(path, PATH, 5000);
    const { messages } = collect(sock);
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0].toString()).toBe('part one, part two');
    await expect.poll(() => pong?.toString()).toBe('are you there');
    sock.close();
  });

  it('holds messages back while paused and delivers them in order on resume', async () => {
    const path = await wsServer((ws) => { for (let i = 0; i < 5; i++) ws.send(Buffer.from(`m${i}`)); });
    const sock = await ControlSocket.open(path, PATH, 5000);
    sock.pause();
    const { messages } = collect(sock);
    await new Promise((r) => setTimeout(r, 200));
    expect(messages).toHaveLength(0);
    expect(sock.isPaused).toBe(true);
    sock.resume();
    await expect.poll(() => messages.length).toBe(5);
    expect(messages.map(String)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    sock.close();
  });

  it('a clean close from the server ends without an error; an abnormal code ends with one', async () => {
    const path = await wsServer((ws) => ws.close(1000));
    const a = collect(await ControlSocket.open(path, PATH, 5000));
    expect(await a.closed).toBeUndefined();
    const path2 = await wsServer((ws) => ws.close(1011, 'boom'));
    const b = collect(await ControlSocket.open(path2, PATH, 5000));
    expect((await b.closed)?.message).toMatch(/code 1011/);
  });

  it('a frame too large is refused and the server is told 1009', async () => {
    let code: number | undefined;
    const path = await wsServer((ws) => {
      ws.on('close', (c) => { code = c; });
      // A header announcing 128 MiB, more than the client accepts.
      const header = Buffer.from([0x82, 127, 0, 0, 0, 0, 8, 0, 0, 0]);
      (ws as unknown as { _socket: import('node:net').Socket })._socket.write(header);
    });
    const { closed } = collect(await ControlSocket.open(path, PATH, 5000));
    expect((await closed)?.message).toMatch(/larger than the client accepts/);
    await expect.poll(() => code).toBe(1009);
  });

  it('refuses a non-101 answer, a wrong accept key, a non-HTTP answer, and a silent server', async () => {
    const notFound = await rawServer(() => 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    expect((await openFailure(ControlSocket.open(notFound, PATH, 5000))).failure).toEqual({ kind: 'http', status: 404 });
    const badKey = await rawServer(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n');
    expect((await openFailure(ControlSocket.open(badKey, PATH, 5000))).message).toMatch(/Sec-WebSocket-Accept/);
    const garbage = await rawServer(() => 'SSH-2.0-OpenSSH\r\n\r\n');
    expect((await openFailure(ControlSocket.open(garbage, PATH, 5000))).message).toMatch(/not HTTP/);
    const silent = await rawServer(() => '');
    expect((await openFailure(ControlSocket.open(silent, PATH, 300))).failure.kind).toBe('timeout');
  });

  it('names the connect error when nothing listens', async () => {
    const err = await openFailure(ControlSocket.open(await socketPath(), PATH, 5000));
    expect(err.failure.kind).toBe('connect');
    expect((err.failure as { error: NodeJS.ErrnoException }).error.code).toBe('ENOENT');
  });
});

describe('frame codec', () => {
  function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
    const len = payload.length;
    const ext = len < 126 ? Buffer.alloc(0) : len < 0x10000 ? Buffer.alloc(2) : Buffer.alloc(8);
    if (ext.length === 2) ext.writeUInt16BE(len);
    if (ext.length === 8) ext.writeBigUInt64BE(BigInt(len));
    const b1 = len < 126 ? len : len < 0x10000 ? 126 : 127;
    return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, b1]), ext, payload]);
  }

  it('decodes frames of every length form fed one byte at a time', () => {
    const payloads = [Buffer.from('x'), Buffer.alloc(300, 1), Buffer.alloc(70_000, 2)];
    const bytes = Buffer.concat(payloads.map((p) => serverFrame(OP_BINARY, p)));
    const dec = new FrameDecoder(1 << 20);
    const out: Buffer[] = [];
    for (const b of bytes) {
      dec.push(Buffer.from([b]));
      for (let f = dec.next(); f; f = dec.next()) out.push(f.payload);
    }
    expect(out.map((p) => p.length)).toEqual([1, 300, 70_000]);
    expect(out.every((p, i) => p.equals(payloads[i]))).toBe(true);
  });

  it('refuses masked server frames and reserved bits', () => {
    const masked = new FrameDecoder(100);
    masked.push(Buffer.from([0x82, 0x81, 1, 2, 3, 4, 5]));
    expect(() => masked.next()).toThrow(FrameError);
    const rsv = new FrameDecoder(100);
    rsv.push(Buffer.from([0xc2, 0x00]));
    expect(() => rsv.next()).toThrow(/reserved bits/);
  });

  it('encodes masked client frames that unmask to the payload', () => {
    for (const len of [0, 5, 125, 126, 65_535, 65_536]) {
      const payload = Buffer.alloc(len);
      for (let i = 0; i < len; i++) payload[i] = i & 0xff;
      const frame = encodeFrame(OP_BINARY, payload);
      expect(frame[0]).toBe(0x82);
      expect(frame[1] & 0x80).toBe(0x80);
      const lenField = frame[1] & 0x7f;
      const at = lenField < 126 ? 2 : lenField === 126 ? 4 : 10;
      const key = frame.subarray(at, at + 4);
      const body = frame.subarray(at + 4);
      expect(body.length).toBe(len);
      const unmasked = Buffer.from(body.map((b, i) => b ^ key[i & 3]));
      expect(unmasked.equals(payload)).toBe(true);
    }
  });
});
