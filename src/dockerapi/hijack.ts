// Docker's hijacked connections (attach, exec start): the client asks for
// `Upgrade: tcp`, the server answers 101 and the HTTP connection becomes a
// raw byte stream — output (multiplexed unless a TTY) one way, stdin the
// other, a half-close from the client ending stdin.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Hijacked {
  /** the request body that came before the stream (exec start's JSON) */
  body: Buffer;
  write(data: Buffer): void;
  drained(): Promise<void>;
  stdin: AsyncIterable<Uint8Array>;
  /** fires when the client goes away */
  signal: AbortSignal;
  close(): void;
}

/** Reads the request body that precedes the stream; what follows it is the start of stdin. */
export async function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<{ body: Buffer; rest: Buffer }> {
  // The client half-closes when its stdin ends; output must still reach it.
  (socket as Duplex & { allowHalfOpen: boolean }).allowHalfOpen = true;
  const length = Number(req.headers['content-length'] ?? 0) || 0;
  let buffered = head;
  while (buffered.length < length) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (c: Buffer) => done(c);
      const onEnd = () => done(null);
      const done = (c: Buffer | null) => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.pause();
        resolve(c);
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.resume();
    });
    if (!chunk) break;
    buffered = Buffer.concat([buffered, chunk]);
  }
  return { body: buffered.subarray(0, length), rest: buffered.subarray(length) };
}

/** Answers 101 and turns the connection into the stream. */
export function upgrade(socket: Duplex, body: Buffer, rest: Buffer, contentType: string): Hijacked {
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  const ac = new AbortController();
  socket.once('close', () => ac.abort('disconnect'));
  socket.on('error', () => ac.abort('disconnect'));
  return {
    body,
    write: (data) => {
      if (!socket.destroyed) socket.write(data);
    },
    drained: () =>
      socket.writableNeedDrain && !socket.destroyed
        ? new Promise<void>((r) => {
            socket.once('drain', () => r());
            socket.once('close', () => r());
          })
        : Promise.resolve(),
    stdin: (async function* () {
      if (rest.length > 0) yield new Uint8Array(rest);
      // not destroyed at the end of stdin: the output still has to go out
      const chunks = (socket as Duplex & { iterator(o: { destroyOnReturn: boolean }): AsyncIterable<Buffer> }).iterator({ destroyOnReturn: false });
      for await (const chunk of chunks) yield new Uint8Array(chunk);
    })(),
    signal: ac.signal,
    close: () => socket.end(),
  };
}
