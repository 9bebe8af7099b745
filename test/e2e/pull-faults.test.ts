// The proxy runs in this process: drive the CLI with berthAsync, never the
// blocking berth(), or the proxy could not answer.
// Pulls through a fault-injecting proxy, end to end (real daemon, real
// registry, the bundled CLI): dropped connections are resumed with Range,
// corrupt blobs are discarded and fetched again, 5xx/429 are retried, and
// permanent failures end cleanly — with nothing corrupt in the store and no
// half image visible.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js';
import { pushLayeredImage, type LayeredImage } from '../registry/layered-image.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let daemon: TestDaemon;
let seed = 100;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  process.env.BERTH_REGISTRY_RETRY_BASE_MS = '20';
  process.env.BERTH_REGISTRY_STALL_MS = '1500';
  daemon = await startDaemon();
});

afterAll(async () => {
  delete process.env.BERTH_REGISTRY_RETRY_BASE_MS;
  delete process.env.BERTH_REGISTRY_STALL_MS;
  await daemon?.stop();
  await proxy?.stop();
  await registry?.stop();
});

/** A fresh image (new layer content each time) in repository `repo`. */
async function freshImage(repo: string, sizes = [1_500_000, 600_000]): Promise<LayeredImage> {
  return pushLayeredImage(registry.host, repo, [{ files: sizes.map((size, i) => ({ name: `data/f${i}`, size, seed: seed++ })) }].flatMap((l) => sizes.map((_, i) => ({ files: [l.files[i]!] }))));
}

/** Every stored blob hashes to its name; no ingest files are left. */
function assertStoreSound(): void {
  const blobs = join(daemon.root, 'content/blobs/sha256');
  for (const name of readdirSync(blobs)) {
    const digest = createHash('sha256').update(readFileSync(join(blobs, name))).digest('hex');
    expect(digest, `blob ${name}`).toBe(name);
  }
  const ingest = join(daemon.root, 'content/ingest');
  expect(existsSync(ingest) ? readdirSync(ingest) : []).toEqual([]);
}

function listed(name: string): boolean {
  return daemon.berth(['images']).stdout.includes(name);
}

describe('pull through faults', () => {
  it('resumes a blob whose connection dropped mid-way with a Range request', async () => {
    const img = await freshImage('drop');
    const big = img.layers[1]!;
    proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${big.digest}$`), fault: { kind: 'drop', afterBytes: Math.floor(big.size / 2) } });
    const r = await daemon.berthAsync(['pull', `${proxy.host}/drop`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const gets = proxy.blobGets(big.digest);
    expect(gets[0]!.fault).toBe('drop');
    // resumed from what had been written when the connection dropped (at most the half sent)
    const resumed = gets.map((g) => /^bytes=(\d+)-$/.exec(g.range ?? '')).find((m) => m !== null);
    expect(Number(resumed![1])).toBeGreaterThan(0);
    expect(Number(resumed![1])).toBeLessThanOrEqual(Math.floor(big.size / 2));
    expect(listed(`${proxy.host}/drop`)).toBe(true);
    assertStoreSound();
  });

  it('resumes a blob whose transfer stalled', async () => {
    const img = await freshImage('stall');
    const big = img.layers[1]!;
    proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${big.digest}$`), fault: { kind: 'stall', afterBytes: 100_000 } });
    const r = await daemon.berthAsync(['pull', `${proxy.host}/stall`]);
    expect(r.code).toBe(0);
    expect(proxy.blobGets(big.digest).some((g) => /^bytes=\d+-$/.test(g.range ?? ''))).toBe(true);
    assertStoreSound();
  });

  it('discards a corrupt blob and fetches it again', async () => {
    const img = await freshImage('corrupt');
    const big = img.layers[1]!;
    proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${big.digest}$`), fault: { kind: 'corrupt' } });
    const r = await daemon.berthAsync(['pull', `${proxy.host}/corrupt`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const gets = proxy.blobGets(big.digest);
    expect(gets.map((g) => g.fault)).toEqual(['corrupt', null]);
    expect(gets.every((g) => g.range === null)).toBe(true);
    assertStoreSound();
    const run = daemon.berth(['run', '--rm', `${proxy.host}/corrupt`, 'sh', '-c', 'wc -c < /data/f1']);
    expect(run.stdout.trim()).toBe('600000');
  });

  it('retries 500 twice, and 429 after its Retry-After', async () => {
    await freshImage('flaky');
    proxy.addRule({ method: 'GET', path: /\/v2\/flaky\/manifests\/latest$/, fault: { kind: 'status', status: 500 }, times: 2 });
    proxy.addRule({ method: 'GET', path: /\/v2\/flaky\/blobs\//, fault: { kind: 'status', status: 429, retryAfter: 1 } });
    const before = proxy.requests.length;
    const r = await daemon.berthAsync(['pull', `${proxy.host}/flaky`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = proxy.requests.slice(before).map((x) => x.fault).filter((f) => f !== null);
    expect(seen).toEqual(['status', 'status', 'status']);
    assertStoreSound();
  });

  it('a corrupt image config is fetched again; one that stays corrupt fails the pull cleanly', async () => {
    const img = await freshImage('badconfig');
    const config = new RegExp(`/blobs/${img.config.digest}$`);
    proxy.addRule({ method: 'GET', path: config, fault: { kind: 'corrupt' } });
    const once = await daemon.berthAsync(['pull', `${proxy.host}/badconfig`]);
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    expect(proxy.blobGets(img.config.digest).map((g) => g.fault)).toEqual(['corrupt', null]);
    assertStoreSound();
    // manifest and config are in the content store once the image is listed
    for (const d of [img.manifest.digest, img.config.digest]) expect(existsSync(join(daemon.root, 'content/blobs/sha256', d.slice(7)))).toBe(true);

    const other = await freshImage('badconfig2');
    proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${other.config.digest}$`), fault: { kind: 'corrupt' }, times: 100 });
    const r = await daemon.berthAsync(['pull', `${proxy.host}/badconfig2`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/config blob .* corrupt or was tampered with/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(listed(`${proxy.host}/badconfig2`)).toBe(false);
    expect(existsSync(join(daemon.root, 'content/blobs/sha256', other.config.digest.slice(7)))).toBe(false);
    assertStoreSound();
    proxy.clearRules();
  });

  it('a permanent 404 fails cleanly: clear message, no image, nothing corrupt', async () => {
    const img = await freshImage('gone');
    proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${img.layers[2]!.digest}$`), fault: { kind: 'notFound' }, times: 100 });
    const r = await daemon.berthAsync(['pull', `${proxy.host}/gone`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/404/);
    expect(r.stderr).toMatch(/blob unknown/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(listed(`${proxy.host}/gone`)).toBe(false);
    assertStoreSound();
    proxy.clearRules();
    const again = await daemon.berthAsync(['pull', `${proxy.host}/gone`]);
    expect(again.code).toBe(0);
  });
});

describe('shared downloads', () => {
  it('two concurrent pulls of images sharing a layer download it once', async () => {
    const shared = { name: 'shared/blob', size: 2_000_000, seed: seed++ };
    const a = await pushLayeredImage(registry.host, 'share-a', [{ files: [shared] }, { files: [{ name: 'a', size: 1000, seed: seed++ }] }]);
    const b = await pushLayeredImage(registry.host, 'share-b', [{ files: [shared] }, { files: [{ name: 'b', size: 1000, seed: seed++ }] }]);
    expect(a.layers[1]!.digest).toBe(b.layers[1]!.digest);
    const [ra, rb] = await Promise.all([daemon.berthAsync(['pull', `${proxy.host}/share-a`]), daemon.berthAsync(['pull', `${proxy.host}/share-b`])]);
    expect(ra.code).toBe(0);
    expect(rb.code).toBe(0);
    expect(proxy.blobGets(a.layers[1]!.digest)).toHaveLength(1);
    assertStoreSound();
  });
});
