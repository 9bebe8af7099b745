// daemon.json parsing, insecure-registry matching, Retry-After parsing and
// both zstd decompressors (zstd-napi, fzstd fallback) on growing files.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDaemonConfig, loadDaemonConfig } from '../../src/daemon/config-file.js';
import { insecureMatcher } from '../../src/registry/registry-config.js';
import { parseRetryAfter } from '../../src/registry/registry-errors.js';
import { zstdStep, createZstdDecompress } from '../../src/image/zstd.js';
import { blobSource } from '../../src/image/blob-source.js';
import { seededBytes } from './layered-image.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('daemon.json', () => {
  it('reads Docker keys and defaults; a missing default file is fine, a missing explicit one is not', () => {
    const c = parseDaemonConfig({ 'registry-mirrors': ['https://mirror.example/'], 'insecure-registries': ['10.0.0.0/8', 'reg.local:5000'], 'max-concurrent-downloads': 5 }, 'x');
    expect(c.registry).toEqual({ mirrors: ['https://mirror.example'], insecureRegistries: ['10.0.0.0/8', 'reg.local:5000'], maxConcurrentDownloads: 5, inMemoryBlobMax: 64 * 1024 * 1024 });
    expect(loadDaemonConfig(join(dir, 'none.json'), false).registry.maxConcurrentDownloads).toBe(3);
    expect(parseDaemonConfig({ 'in-memory-blob-max': 0 }, 'x').registry.inMemoryBlobMax).toBe(0);
    expect(parseDaemonConfig({ 'in-memory-blob-max': 1048576 }, 'x').registry.inMemoryBlobMax).toBe(1048576);
    for (const v of [-1, 1.5, '64M', null]) expect(() => parseDaemonConfig({ 'in-memory-blob-max': v }, 'x')).toThrow(/"in-memory-blob-max" must be a number of bytes/);
    expect(() => loadDaemonConfig(join(dir, 'none.json'), true)).toThrow(/cannot read configuration file .*no such file/);
    writeFileSync(join(dir, 'bad.json'), '{"debug": true}');
    expect(() => loadDaemonConfig(join(dir, 'bad.json'), true)).toThrow(/unknown key "debug"/);
    expect(() => parseDaemonConfig({ 'registry-mirrors': ['ftp://x'] }, 'x')).toThrow(/only http and https/);
    expect(() => parseDaemonConfig({ 'insecure-registries': ['10.0.0.0/33'] }, 'x')).toThrow(/not a valid CIDR/);
    expect(() => parseDaemonConfig([], 'x')).toThrow(/must hold a JSON object/);
  });

  it('insecure registries: loopback always, host[:port] and CIDR entries', () => {
    const m = insecureMatcher(['10.1.0.0/16', 'reg.local', 'other:5000']);
    expect(m('127.0.0.1:5000')).toBe(true);
    expect(m('localhost')).toBe(true);
    expect(m('10.1.2.3:5000')).toBe(true);
    expect(m('10.2.0.1')).toBe(false);
    expect(m('reg.local:443')).toBe(true);
    expect(m('other:5000')).toBe(true);
    expect(m('other:6000')).toBe(false);
    expect(m('registry-1.docker.io')).toBe(false);
  });

  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

async function decompressFollowing(impl: 'napi' | 'js', compressed: Buffer): Promise<Buffer> {
  const path = join(dir, `z-${impl}`);
  writeFileSync(path, compressed.subarray(0, 1000));
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } });
  const done = pipeline(blobSource(path, compressed.length), createZstdDecompress(impl), sink);
  // the file grows while it is being read
  for (let off = 1000; off < compressed.length; off += 200_000) {
    await new Promise((r) => setTimeout(r, 5));
    appendFileSync(path, compressed.subarray(off, Math.min(off + 200_000, compressed.length)));
  }
  await done;
  return Buffer.concat(chunks);
}

describe('zstd', () => {
  const plain = Buffer.concat([seededBytes(1_000_000, 1), Buffer.alloc(1_000_000, 7)]);
  const compressed = execFileSync('zstd', ['-q', '-c'], { input: plain });
  for (const impl of ['napi', 'js'] as const) {
    it(`${impl}: decompresses a file that is still growing; garbage and a cut stream are clear errors`, async () => {
      expect((await decompressFollowing(impl, compressed)).equals(plain)).toBe(true);
      const bad = join(dir, `bad-${impl}`);
      writeFileSync(bad, Buffer.from('definitely not zstd'));
      await expect(pipeline(blobSource(bad), createZstdDecompress(impl), new Writable({ write(_c, _e, cb) { cb(); } }))).rejects.toThrow(/not valid zstd data/);
      const cut = join(dir, `cut-${impl}`);
      writeFileSync(cut, compressed.subarray(0, compressed.length - 100));
      await expect(pipeline(blobSource(cut), createZstdDecompress(impl), new Writable({ write(_c, _e, cb) { cb(); } }))).rejects.toThrow(/not valid zstd data/);
    });
  }

  it('napi: a caller that checks the sha256 itself skips the frame checksum; anyone else gets it checked', () => {
    const data = Buffer.alloc(1 << 20, 'berth');
    const frame = execFileSync('zstd', ['-q', '-c', '--check'], { input: data });
    frame[frame.length - 1] ^= 0xff; // the frame's XXH64, not its content
    const run = (verified: boolean) => {
      const z = zstdStep(verified)!;
      const out = Buffer.alloc(2 << 20);
      const [, produced] = z.step(out, frame);
      return out.subarray(0, produced);
    };
    expect(run(true).equals(data)).toBe(true);
    expect(() => run(false)).toThrow(/checksum/);
  });
});
