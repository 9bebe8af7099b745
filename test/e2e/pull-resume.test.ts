// The proxy runs in this process: drive the CLI with berthAsync, never the
// blocking berth(), or the proxy could not answer.
// A pull cut short by a daemon crash (SIGKILL while a layer blob is half
// downloaded) is resumed by the next pull after the restart: the partial
// blob is kept, re-hashed, and the rest is fetched with a Range request
// starting where the file ends. The result verifies like any pull.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js';
import { pushLayeredImage } from '../registry/layered-image.js';
import { chainIds, layerDirName } from '../../src/store/chain-id.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let daemon: TestDaemon;
let cfgDir: string;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  // the stalled transfer must still be waiting (not yet retried) when the daemon is killed
  process.env.BERTH_REGISTRY_STALL_MS = '60000';
  // blobs written as they arrive (a blob received into memory is not resumed after a crash: see the staged tests)
  cfgDir = mkdtempSync(join(tmpdir(), 'berth-resume-'));
  writeFileSync(join(cfgDir, 'daemon.json'), JSON.stringify({ 'in-memory-blob-max': 0 }));
  daemon = await startDaemon(['--config-file', join(cfgDir, 'daemon.json')]);
});

afterAll(async () => {
  delete process.env.BERTH_REGISTRY_STALL_MS;
  await daemon?.stop();
  await proxy?.stop();
  await registry?.stop();
  if (cfgDir) rmSync(cfgDir, { recursive: true, force: true });
});

/** Size of the partial download of `digest` once it has some bytes and stopped growing (the transfer stalled; polls up to 20 s). */
async function partialBytes(digest: string): Promise<number> {
  const dir = join(daemon.root, 'content/partial');
  let last = 0;
  let same = 0;
  for (let i = 0; i < 400; i++) {
    const name = readdirSync(dir).find((n) => n.startsWith(digest.slice(7)));
    const size = name ? statSync(join(dir, name)).size : 0;
    same = size > 0 && size === last ? same + 1 : 0;
    if (same >= 4) return size; // unchanged for 200 ms: the bytes received before the stall are all written
    last = size;
    await sleep(50);
  }
  throw new Error(`no partial download of ${digest} appeared in ${dir}`);
}

describe('pull across a daemon crash', () => {
  it('resumes a half-downloaded layer with Range after SIGKILL and restart', async () => {
    const img = await pushLayeredImage(registry.host, 'resume', [{ files: [{ name: 'data/big', size: 3_000_000, seed: 7 }] }], { compression: 'none' });
    const blob = img.layers[0]!;
    proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${blob.digest}$`), fault: { kind: 'stall', afterBytes: 1_000_000 } });
    const first = daemon.berthAsync(['pull', `${proxy.host}/resume`]);
    const have = await partialBytes(blob.digest);
    await daemon.restart(); // SIGKILL, then start again on the same root
    const cut = await first;
    expect(cut.code).not.toBe(0);
    expect(have).toBeLessThanOrEqual(1_000_000);

    proxy.clearRules();
    const r = await daemon.berthAsync(['pull', `${proxy.host}/resume`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const gets = proxy.blobGets(blob.digest);
    expect(gets[0]!.range).toBeNull();
    expect(gets[gets.length - 1]!.range).toBe(`bytes=${have}-`); // resumed exactly where the file ended
    const stored = readFileSync(join(daemon.root, 'content/blobs/sha256', blob.digest.slice(7)));
    expect(`sha256:${createHash('sha256').update(stored).digest('hex')}`).toBe(blob.digest);
    expect(readdirSync(join(daemon.root, 'content/partial'))).toEqual([]);
    const run = daemon.berth(['images', '--format', '{{.Repository}}']);
    expect(run.stdout).toContain(`${proxy.host}/resume`);
  });

  // A crash after a layer's blob was stored (or its record written) but
  // before its download file was removed must not leave that file for ever:
  // the next pull of the layer removes it.
  it('removes a finished download a crash left behind when the layer is pulled again', async () => {
    const img = await pushLayeredImage(registry.host, 'leftover', [{ files: [{ name: 'data/small', size: 200_000, seed: 11 }] }], { compression: 'none' });
    const ref = `${proxy.host}/leftover`;
    expect((await daemon.berthAsync(['pull', ref])).code).toBe(0);
    const chains = chainIds(img.diffIds);
    const partial = join(daemon.root, 'content/partial');
    const names = img.layers.map((l, i) => `${l.digest.slice(7)}-${layerDirName(chains[i]!)}`);
    for (const n of names) writeFileSync(join(partial, n), 'stale');
    // layer recorded: the check finds it present
    expect((await daemon.berthAsync(['pull', ref])).code).toBe(0);
    expect(readdirSync(partial)).toEqual([]);
    // blob stored, layer not recorded: the transfer is planned from the store
    const blobPath = join(daemon.root, 'content/blobs/sha256', img.layers[1]!.digest.slice(7));
    const bytes = readFileSync(blobPath);
    expect((await daemon.berthAsync(['rmi', ref])).code).toBe(0);
    writeFileSync(blobPath, bytes);
    for (const n of names) writeFileSync(join(partial, n), 'stale');
    expect((await daemon.berthAsync(['pull', ref])).code).toBe(0);
    expect(readdirSync(partial)).toEqual([]);
  });
});
