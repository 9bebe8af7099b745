// downloadWith against a real HTTP server on 127.0.0.1: its stall timeout
// counts only the time the registry keeps the download waiting, not the time
// the download's own consumer takes; a body whose bytes are all in is done
// even when the server keeps the connection open.
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadWith } from '../../src/registry/blob-download.js';
import { directOpener } from '../../src/registry/direct-blob.js';

const body = Buffer.alloc(1_000_000, 'berth');
const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
let dir: string;
let server: Server;
let base: string;
let respond: (res: ServerResponse) => void;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-blobdl-'));
  server = createServer((_req, res) => respond(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function download(name: string, stallMs: number, tap?: (chunk: Buffer) => Promise<void> | undefined): Promise<number> {
  const path = join(dir, name);
  const fd = openSync(path, 'w+');
  const opener = directOpener({ url: `${base}/blob`, host: base.slice(7), headers: {}, headersTimeoutMs: 5000 }, { retries: 0, baseDelayMs: 10, maxDelayMs: 10 }, stallMs, 'test blob');
  return downloadWith(opener, { digest, size: body.length }, fd, 'test blob', { tap, path }).finally(() => closeSync(fd));
}

describe('downloadWith: stall timeout and completion', () => {
  it('fails a body the registry stops sending, naming the stall', async () => {
    respond = (res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 1000)); // and nothing more
    };
    await expect(download('stalled', 200)).rejects.toThrow(/stopped sending test blob/);
  });

  it('does not count the time its own consumer makes it wait', async () => {
    respond = (res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    };
    let slow = 0;
    const tap = (): Promise<void> | undefined => (slow++ < 3 ? sleep(300) : undefined); // 3 × 300 ms, each longer than the timeout
    expect(await download('held', 200, tap)).toBe(body.length);
    expect(slow).toBeGreaterThan(3);
    expect(readFileSync(join(dir, 'held')).equals(body)).toBe(true);
  });

  it('is done once the last byte is in, although the server keeps the connection open', async () => {
    respond = (res) => {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body); // never ended
    };
    expect(await download('open', 5000)).toBe(body.length);
    expect(readFileSync(join(dir, 'open')).equals(body)).toBe(true);
  });
});
