// The bare-socket GET for blob bodies from plain-http registries, against a
// TCP server in this process that writes exactly the bytes each case needs.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawGet } from '../../src/registry/raw-get.js';
import { networkError, TransientNetworkError } from '../../src/registry/registry-errors.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A server that answers every connection with `answer(socket, request text)`; resolves with its port. */
async function serve(answer: (s: Socket, req: string) => void): Promise<number> {
  server = createServer((s) => {
    let req = '';
    s.on('data', (c) => {
      req += c.toString('latin1');
      if (req.includes('\r\n\r\n')) answer(s, req);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return (server!.address() as { port: number }).port;
}

const get = (port: number, extra: Partial<Parameters<typeof rawGet>[0]> = {}) =>
  rawGet({ url: `http://127.0.0.1:${port}/v2/r/blobs/sha256:ab?x=1`, host: `127.0.0.1:${port}`, what: 'blob ab', headers: { authorization: 'Bearer t', range: 'bytes=5-' }, headersTimeoutMs: 5000, ...extra });

async function readAll(r: NonNullable<Awaited<ReturnType<typeof rawGet>>>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r.body()) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('rawGet', () => {
  it('sends the request as given and reads a Content-Length body, the head split across writes', async () => {
    const body = Buffer.alloc(300_000, 9);
    let seen = '';
    const port = await serve((s, req) => {
      seen = req;
      s.write('HTTP/1.1 206 Partial Content\r\nContent-Ran');
      setTimeout(() => {
        s.write(`ge: bytes 5-300004/300005\r\nContent-Length: ${body.length}\r\nX-Two: a\r\nX-Two: b\r\n\r\n`);
        s.write(body.subarray(0, 1000));
        setTimeout(() => s.end(body.subarray(1000)), 20);
      }, 20);
    });
    const r = await get(port);
    expect(r).not.toBeNull();
    expect(r!.status).toBe(206);
    expect(r!.header('Content-Range')).toBe('bytes 5-300004/300005');
    expect(r!.header('x-two')).toBe('a, b');
    expect((await readAll(r!)).equals(body)).toBe(true);
    expect(seen.startsWith('GET /v2/r/blobs/sha256:ab?x=1 HTTP/1.1\r\n')).toBe(true);
    expect(seen).toContain(`\r\nHost: 127.0.0.1:${port}\r\n`);
    expect(seen).toContain('\r\nauthorization: Bearer t\r\n');
    expect(seen).toContain('\r\nrange: bytes=5-\r\n');
    expect(seen).toContain('\r\nConnection: close\r\n');
  });

  it('leaves to node:http what it does not read itself: chunked or encoded bodies, redirects, https', async () => {
    for (const head of [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc',
      'HTTP/1.1 307 Temporary Redirect\r\nLocation: http://elsewhere/blob\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc',
      'not http at all\r\n\r\n',
    ]) {
      const port = await serve((s) => s.end(head));
      expect(await get(port), head).toBeNull();
      await new Promise((r) => server!.close(r));
      server = undefined;
    }
    expect(await rawGet({ url: 'https://127.0.0.1:1/v2/', host: 'x', what: 'x', headers: {}, headersTimeoutMs: 1000 })).toBeNull();
  });

  it('an error status is answered like any other (the caller decides)', async () => {
    const port = await serve((s) => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno'));
    const r = await get(port);
    expect(r!.status).toBe(404);
    await r!.cancel();
  });

  it('fails with a transient error naming the registry: refused, closed before a head, no head in time', async () => {
    const port = await serve((s) => s.destroy());
    const closed = await get(port).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(TransientNetworkError);
    await new Promise((r) => server!.close(r));
    server = undefined;
    const refused = await get(port).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransientNetworkError);
    expect((refused as Error).message).toMatch(/connection refused/);
    const silent = await serve(() => undefined);
    const late = await get(silent, { headersTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(TransientNetworkError);
    expect((late as Error).message).toContain('did not answer within');
  });

  it('an abort during the body ends the body with an error', async () => {
    const port = await serve((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nxyz'));
    const ac = new AbortController();
    const r = await get(port, { signal: ac.signal });
    const reading = readAll(r!).then(() => 'ended', (e: unknown) => (e as Error).message);
    ac.abort();
    expect(await reading).toBe('aborted');
  });

  it('a paused reader stops the socket: the body holds at most a few reads; every byte arrives, in order', async () => {
    const body = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE(i, i);
    const port = await serve((s) => { s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`); s.end(body); });
    const r = await get(port);
    const stream = r!.body();
    const parts: Buffer[] = [];
    let held = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => {
        parts.push(c);
        stream.pause(); // a slow reader: the sender fills the socket meanwhile
        setTimeout(() => { held = Math.max(held, stream.readableLength); stream.resume(); }, 2);
      });
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect(Buffer.concat(parts).equals(body)).toBe(true);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(2 * 1024 * 1024); // not the whole body: the socket stopped reading
  });

  it('a connection reset in the middle of the body errors it as a cut connection (a download resumes from there)', async () => {
    const port = await serve((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
      s.write(Buffer.alloc(300_000, 1), () => setTimeout(() => s.resetAndDestroy(), 20));
    });
    const r = await get(port);
    const failure = await readAll(r!).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    const mapped = networkError(failure, '127.0.0.1', 'blob ab');
    expect(mapped).toBeInstanceOf(TransientNetworkError);
    expect(mapped.message).toMatch(/was (reset|cut)/);
  });
});
