// The control channel: HTTP on a unix socket, upgraded to a websocket at
// CONTROL_PATH; each message is one msgpack frame (src/protocol/frames.ts).
import { createServer, type Server } from 'node:http';
import { rm } from 'node:fs/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { pack, unpack } from 'msgpackr';
import { BerthError, serializeError } from '../errors.js';
import { CONTROL_PATH, isClientFrame, type ServerFrame } from '../protocol/frames.js';
import { UploadQueue } from './upload-queue.js';
import type { Handler } from './call-context.js';
import { listenUnix } from './unix-listen.js';

export { ensureSocketFree } from './unix-listen.js';

const MAX_FRAME = 8 * 1024 * 1024;
/** A producer that awaits drained() waits while more than this is unsent to its client. */
const SEND_HIGH_WATER = 4 * 1024 * 1024;
/** More than this unsent and the client is disconnected. */
const SLOW_CLIENT_LIMIT = 256 * 1024 * 1024;

export interface ControlServer {
  close(): Promise<void>;
}

export async function startControlServer(
  socketPath: string,
  handlers: Record<string, Handler>,
  opts: { gid: number | null },
): Promise<ControlServer> {

  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end(`berthd speaks a websocket control channel at ${CONTROL_PATH}\n`);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  http.on('upgrade', (req, socket, head) => {
    if (req.url !== CONTROL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, handlers));
  });

  await listenUnix(http, socketPath, opts.gid);

  return {
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
      await rm(socketPath, { force: true });
    },
  };
}

function serveConnection(ws: WebSocket, handlers: Record<string, Handler>): void {
  const calls = new Map<number, { abort: AbortController; upload: UploadQueue }>();
  // Bytes handed to ws but not yet written to the socket. Producers that can
  // wait (logs) await drained(); a client that lets the rest pile up past
  // SLOW_CLIENT_LIMIT is disconnected rather than held in memory.
  let unsent = 0;
  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const send = (frame: ServerFrame) => {
    if (ws.readyState !== ws.OPEN) return;
    const bytes = pack(frame);
    unsent += bytes.length;
    ws.send(bytes, () => {
      unsent -= bytes.length;
      if (unsent <= SEND_HIGH_WATER / 2) wake();
    });
    if (unsent > SLOW_CLIENT_LIMIT) {
      ws.close(1008, `the client read too slowly: more than ${SLOW_CLIENT_LIMIT >> 20} MiB waited to be sent`);
      ws.terminate();
    }
  };
  const drained = (): Promise<void> =>
    unsent <= SEND_HIGH_WATER || ws.readyState !== ws.OPEN ? Promise.resolve() : new Promise((r) => waiters.push(r));

  ws.on('message', (data, isBinary) => {
    let frame: unknown;
    try {
      if (!isBinary) throw new Error('text frame');
      frame = unpack(data as Buffer);
    } catch {
      send({ t: 'err', id: 0, error: { code: 'invalid_argument', message: 'malformed frame: expected one msgpack-encoded binary message' } });
      return;
    }
    if (!isClientFrame(frame)) {
      const id = typeof (frame as { id?: unknown })?.id === 'number' ? (frame as { id: number }).id : 0;
      send({ t: 'err', id, error: { code: 'invalid_argument', message: 'malformed frame: see src/protocol/frames.ts for the frame shapes' } });
      return;
    }
    const call = calls.get(frame.id);
    switch (frame.t) {
      case 'data':
        call?.upload.push(frame.data);
        return;
      case 'end':
        call?.upload.end();
        return;
      case 'cancel':
        call?.abort.abort('cancel');
        call?.upload.fail(new BerthError('invalid_argument', 'the client cancelled the call'));
        return;
      case 'req': {
        if (calls.has(frame.id)) {
          send({ t: 'err', id: frame.id, error: { code: 'invalid_argument', message: `request id ${frame.id} is already in use on this connection` } });
          return;
        }
        const handler = Object.hasOwn(handlers, frame.method) ? handlers[frame.method] : undefined;
        if (!handler) {
          send({ t: 'err', id: frame.id, error: { code: 'invalid_argument', message: `unknown method "${frame.method}": the daemon and the CLI may be different versions` } });
          return;
        }
        const abort = new AbortController();
        const upload = new UploadQueue();
        calls.set(frame.id, { abort, upload });
        const id = frame.id;
        // A handler that throws before returning its promise must not take
        // the daemon down: run it inside the promise chain.
        Promise.resolve()
          .then(() =>
            handler(frame.params ?? {}, {
              emit: (ev) => send({ t: 'ev', id, ev }),
              drained,
              upload: () => upload,
              signal: abort.signal,
            }),
          )
          .then(
          (result) => send({ t: 'res', id, result: result ?? null }),
          (err) => send({ t: 'err', id, error: serializeError(err) }),
        ).finally(() => calls.delete(id));
        return;
      }
    }
  });
  ws.on('close', () => {
    wake();
    for (const c of calls.values()) {
      c.abort.abort('disconnect');
      c.upload.fail(new BerthError('invalid_argument', 'the client disconnected'));
    }
  });
  ws.on('error', () => ws.terminate());
}
