// Layer blobs up to in-memory-blob-max are received into memory and written
// to the content store after their layer is committed (the layer machine's
// storingBlob). These tests take that path with the daemon's defaults:
// blobs end up stored and sound, readers of blobs (save) get them, a
// daemon killed while it holds blobs in memory fetches them again after
// its restart — both a blob whose layer was committed and one still
// downloading — and a daemon stopped with SIGTERM writes a held blob out
// before it exits.
// The proxy runs in this process: drive the CLI with berthAsync, never the
// blocking berth(), or the proxy could not answer.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { eventually } from '../fixtures/poll.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js';
import { pushLayeredImage } from '../registry/layered-image.js';
import { chainIds } from '../../src/store/chain-id.js';
import { openMetadataDb } from '../../src/store/db.js';
import type { LayerRecord } from '../../src/store/records.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let daemon: TestDaemon;
let seed = 4100;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  // a stalled transfer must still be waiting (not yet retried) when the daemon is killed
  process.env.BERTH_REGISTRY_STALL_MS = '60000';
  daemon = await startDaemon();
});

afterAll(async () => {
  delete process.env.BERTH_REGISTRY_STALL_MS;
  await daemon?.stop();
  await proxy?.stop();
  await registry?.stop();
});

const blobsDir = () => join(daemon.root, 'content/blobs/sha256');

/** The layer records (read from LMDB alongside the daemon). */
async function layerRecords(): Promise<LayerRecord[]> {
  const db = openMetadataDb(daemon.root);
  try {
    return [...db.layers.getRange()].map((e) => e.value);
  } finally {
    await db.root.close();
  }
}


function storedSound(digest: string): boolean {
  const p = join(blobsDir(), digest.slice(7));
  return existsSync(p) && `sha256:${createHash('sha256').update(readFileSync(p)).digest('hex')}` === digest;
}

/** Memory files (staged blobs) the daemon process holds open. */
function memoryFiles(): number {
  const pid = daemon.proc.pid!;
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('/memfd:berth-blob-');
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

/**
 * Starts a pull of a fresh image (busybox, a small layer, a big one) whose big blob stalls after 1 MB, and
 * returns once the small layer is committed with its blob held in memory (the pull waits for the big one).
 */
async function pullHoldingSmallBlob(repo: string) {
  const img = await pushLayeredImage(registry.host, repo, [
    { files: [{ name: 'data/small', size: 200_000, seed: seed++ }] },
    { files: [{ name: 'data/big', size: 3_000_000, seed: seed++ }] },
  ], { compression: 'none' });
  const [, small, big] = img.layers as [unknown, typeof img.layers[0], typeof img.layers[0]]; // the first is busybox's
  const chains = chainIds(img.diffIds);
  proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${big.digest}$`), fault: { kind: 'stall', afterBytes: 1_000_000 } });
  const ref = `${proxy.host}/${repo}`;
  const first = daemon.berthAsync(['pull', ref]);
  await eventually(async () => (await layerRecords()).some((r) => r.chainId === chains[1] && r.blobPending === true), 20_000, 'the small layer is committed with its blob pending');
  expect(existsSync(join(blobsDir(), small.digest.slice(7)))).toBe(false);
  expect(proxy.blobGets(small.digest)).toHaveLength(1);
  return { small, big, ref, first };
}

describe('blobs received into memory', () => {
  it('are stored after the pull; save right after the pull has every blob; nothing stays in memory', async () => {
    const img = await pushLayeredImage(registry.host, 'staged', [0, 1, 2].map((i) => ({ files: [{ name: `data/f${i}`, size: 400_000, seed: seed++ }] })));
    const ref = `${registry.host}/staged`;
    expect((await daemon.berthAsync(['pull', '-q', ref])).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'berth-staged-'));
    try {
      const save = await daemon.berthAsync(['save', '-o', join(dir, 'img.tar'), ref]);
      expect(save.stderr).toBe('');
      expect(save.code).toBe(0);
      const names = new Set(execFileSync('tar', ['-tf', join(dir, 'img.tar')], { encoding: 'utf8' }).split('\n'));
      for (const l of img.layers) expect(names.has(`blobs/sha256/${l.digest.slice(7)}`), l.digest).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const l of img.layers) expect(storedSound(l.digest), l.digest).toBe(true);
    // stored as every blob is (not with the memory file's 0777)
    for (const l of img.layers) expect(statSync(join(blobsDir(), l.digest.slice(7))).mode & 0o7777, l.digest).toBe(0o644);
    await eventually(async () => (await layerRecords()).every((r) => !r.blobPending), 10_000, 'no layer record says blobPending');
    await eventually(() => memoryFiles() === 0, 10_000, 'the daemon holds no memory file');
    expect(readdirSync(join(daemon.root, 'content/partial'))).toEqual([]);
  });

  it('a daemon killed while holding blobs fetches them again: one of a committed layer, one still downloading', async () => {
    const { small, big, ref, first } = await pullHoldingSmallBlob('staged-crash');
    await daemon.restart(); // SIGKILL: the blobs in memory are gone
    expect((await first).code).not.toBe(0);
    proxy.clearRules();

    const r = await daemon.berthAsync(['pull', ref]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // both blobs were fetched again from the start (nothing of them had reached the disk)
    await eventually(() => storedSound(small.digest) && storedSound(big.digest), 20_000, 'both blobs are stored');
    expect(proxy.blobGets(small.digest).map((g) => g.range)).toEqual([null, null]);
    expect(proxy.blobGets(big.digest).every((g) => g.range === null)).toBe(true);
    await eventually(async () => (await layerRecords()).every((rec) => !rec.blobPending), 10_000, 'no layer record says blobPending');
    expect(readdirSync(join(daemon.root, 'content/partial'))).toEqual([]);
    const run = await daemon.berthAsync(['run', '--rm', ref, 'sh', '-c', 'wc -c < /data/big']);
    expect(run.stdout.trim()).toBe('3000000');
  });

  it('a daemon stopped with SIGTERM while holding a blob writes it out first: it is not fetched again', async () => {
    const { small, big, ref, first } = await pullHoldingSmallBlob('staged-stop');
    await daemon.kill('SIGTERM');
    expect((await first).code).not.toBe(0);
    expect(storedSound(small.digest)).toBe(true); // written out before the daemon exited
    proxy.clearRules();
    await daemon.restart();
    const r = await daemon.berthAsync(['pull', ref]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await eventually(() => storedSound(big.digest), 20_000, 'the big blob is stored');
    expect(proxy.blobGets(small.digest)).toHaveLength(1); // never fetched again
    await eventually(async () => (await layerRecords()).every((rec) => !rec.blobPending), 10_000, 'no layer record says blobPending');
    expect(readdirSync(join(daemon.root, 'content/partial'))).toEqual([]);
  });
});
