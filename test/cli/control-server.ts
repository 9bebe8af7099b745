// A tiny peer for client tests: a real websocket server on a real unix
// socket that speaks the control-channel frames. Each test scripts its replies.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { pack, unpack } from 'msgpackr';
import { CONTROL_PATH, type ClientFrame, type ServerFrame } from '../../src/protocol/frames.js';

export interface Peer {
  socket: WebSocket;
  send(frame: ServerFrame): void;
}

export interface ControlServer {
  socketPath: string;
  host: string;
  /** Every frame received, in order. */
  received: ClientFrame[];
  close(): Promise<void>;
}

export async function startControlServer(onFrame: (frame: ClientFrame, peer: Peer) => void): Promise<ControlServer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cli-test-'));
  const socketPath = join(dir, 'berth.sock');
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: CONTROL_PATH });
  const received: ClientFrame[] = [];
  wss.on('connection', (socket) => {
    const peer: Peer = { socket, send: (frame) => socket.send(pack(frame)) };
    socket.on('message', (data: Buffer) => {
      const frame = unpack(data) as ClientFrame;
      received.push(frame);
      onFrame(frame, peer);
    });
  });
  await new Promise<void>((resolve) => http.listen(socketPath, resolve));
  return {
    socketPath,
    host: `unix://${socketPath}`,
    received,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
