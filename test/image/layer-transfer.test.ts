// transferLayer: download → verify → unpack of one layer in one pass, against
// a real HTTP server on 127.0.0.1 that can cut a body short, check Range
// requests, challenge, or serve wrong bytes.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transferLayer, type TransferLayerArgs } from '../../src/image/layer-transfer.js';
import { makeTar, TAR_GZIP } from './layer-fixtures.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let dir: string;
let server: Server;
let base: string;
/** How the next requests are answered, per test. */
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end();
const ranges: (string | null)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-transfer-'));
  server = createServer((req, res) => {
    ranges.push(req.headers.range ?? null);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address() as { port: number };
  base = `http://127.0.0.1:${a.port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** Serves `body` with Range support; `cutAt` cuts the first full response after that many bytes. */
function serve(body: Buffer, cutAt?: number): void {
  let cut = cutAt !== undefined;
  handler = (req, res) => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, { 'content-length': body.length - from, ...(m ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
    if (cut && from === 0) {
      cut = false;
      res.write(body.subarray(0, cutAt));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end(body.subarray(from));
  };
}

async function layer(entries: { name: string; content: string }[]): Promise<{ blob: Buffer; diffId: string }> {
  const tar = await makeTar(entries.map((e) => ({ ...e })));
  return { blob: gzipSync(tar), diffId: sha(tar) };
}

function args(name: string, blob: Buffer, diffId: string, digest = sha(blob)): TransferLayerArgs {
  const ingestPath = join(dir, `${name}.partial`);
  if (!existsSync(ingestPath)) writeFileSync(ingestPath, '');
  return {
    request: { url: `${base}/v2/r/blobs/${digest}`, host: base.slice(7), headers: { 'user-agent': 'test' }, headersTimeoutMs: 5000 },
    retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 },
    stallTimeoutMs: 5000,
    what: `blob ${digest}`,
    blobDigest: digest,
    blobSize: blob.length,
    ingestPath,
    mediaType: TAR_GZIP,
    target: join(dir, name),
    expectedDiffId: diffId,
  };
}

const big = 'x'.repeat(300_000) + Array.from({ length: 20000 }, (_, i) => i.toString(36)).join(',');

describe('transferLayer', () => {
  it('downloads, verifies and unpacks in one pass, resuming with Range after a cut', async () => {
    const { blob, diffId } = await layer([{ name: 'etc/hostname', content: 'berth\n' }, { name: 'big', content: big }]);
    serve(blob, 1000);
    ranges.length = 0;
    const a = args('cut', blob, diffId);
    const r = await transferLayer(a);
    expect(r).toEqual({ blobError: null, treeError: null, size: expect.any(Number) });
    expect(ranges).toEqual([null, 'bytes=1000-']);
    expect(readFileSync(a.ingestPath).equals(blob)).toBe(true);
    expect(readFileSync(join(a.target, 'big'), 'utf8')).toBe(big);
  });

  it('resumes from what the download file already holds and still unpacks every byte', async () => {
    const { blob, diffId } = await layer([{ name: 'big', content: big }]);
    serve(blob);
    ranges.length = 0;
    const a = args('resume', blob, diffId);
    writeFileSync(a.ingestPath, blob.subarray(0, 777));
    const r = await transferLayer(a);
    expect(r.blobError).toBeNull();
    expect(r.treeError).toBeNull();
    expect(ranges).toEqual(['bytes=777-']);
    expect(readFileSync(join(a.target, 'big'), 'utf8')).toBe(big);
  });

  it('bytes that do not match the digest: blob rejected, nothing unpacked', async () => {
    const { blob, diffId } = await layer([{ name: 'big', content: big }]);
    const other = Buffer.from(blob);
    other[other.length - 10] ^= 0xff;
    serve(other);
    const a = args('corrupt', blob, diffId);
    const r = await transferLayer(a);
    expect(r.blobError?.code).toBe('digest_mismatch');
    expect(r.treeError).not.toBeNull();
    expect(existsSync(a.target)).toBe(false);
  });

  it('a layer that escapes its directory: tree rejected, the blob still verified and kept', async () => {
    const { blob, diffId } = await layer([{ name: '../evil', content: 'x' }, { name: 'big', content: big }]);
    serve(blob);
    const a = args('evil', blob, diffId);
    const r = await transferLayer(a);
    expect(r.blobError).toBeNull();
    expect(r.treeError?.code).toBe('unsafe_layer');
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    expect(existsSync(join(dir, '..', 'evil'))).toBe(false);
    expect(readFileSync(a.ingestPath).equals(blob)).toBe(true);
  });

  it('a layer that does not give the config\'s diffID: tree rejected naming the blob by its digest, the blob kept', async () => {
    const { blob } = await layer([{ name: 'a', content: big }]);
    serve(blob);
    const wrong = `sha256:${'0'.repeat(64)}`;
    const a = args('wrongdiff', blob, wrong);
    const r = await transferLayer(a);
    expect(r.blobError).toBeNull();
    expect(r.treeError?.code).toBe('digest_mismatch');
    expect(r.treeError?.message).toBe(`layer ${a.blobDigest} unpacks to diffID ${(await layer([{ name: 'a', content: big }])).diffId} but the image config says ${wrong}; the image is corrupt`);
    expect(existsSync(join(dir, 'wrongdiff'))).toBe(false);
    expect(readFileSync(a.ingestPath).equals(blob)).toBe(true);
  });

  it('a download file that is gone is a blob error, and no half-made layer directory is left', async () => {
    const { blob, diffId } = await layer([{ name: 'a', content: 'a' }]);
    serve(blob);
    const a = { ...args('gone', blob, diffId), ingestPath: join(dir, 'no-such-dir', 'x.partial') };
    const r = await transferLayer(a);
    expect(r.blobError?.message).toMatch(/ENOENT/);
    expect(r.treeError).not.toBeNull();
    expect(readdirSync(dir).filter((n) => n === 'gone' || n.startsWith('gone.tmp-'))).toEqual([]);
  });

  it('an auth challenge is left to the general path: fallback with the status, nothing unpacked', async () => {
    const { blob, diffId } = await layer([{ name: 'a', content: 'a' }]);
    handler = (_q, res) => { res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://127.0.0.1:1/token"' }); res.end(); };
    const a = args('auth', blob, diffId);
    const r = await transferLayer(a);
    expect(r.fallback).toEqual({ status: 401 });
    expect(existsSync(a.target)).toBe(false);
    expect(readFileSync(a.ingestPath).length).toBe(0);
  });
});
