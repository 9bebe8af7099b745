// Byte-level layer progress in the visualizer: a pull's layer downloads send
// live, unjournaled figures (the ones `berth pull` prints) to the page, at
// most one per layer per batch. A proxy stalls one layer mid-way, so figures
// before and after the stall reach the page in different batches.
// The proxy runs in this process: the CLI is driven with berthAsync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js';
import { pushLayeredImage } from '../registry/layered-image.js';
import { openPage, startVisualizer, type Visualizer } from './page-fixture.js';

let v: Visualizer;
let registry: TestRegistry;
let proxy: FaultProxy;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.host);
  process.env.BERTH_REGISTRY_STALL_MS = '2000'; // how long the stalled figure stays on the page
  try {
    v = await startVisualizer();
  } finally {
    delete process.env.BERTH_REGISTRY_STALL_MS;
  }
  await openPage(v);
}, 120_000);

afterAll(async () => {
  await v?.close();
  await proxy?.stop();
  await registry?.stop();
});

interface ProgressItem { pull: string; layer: string; status: string; current: number | null; total: number | null }

describe('live layer progress', () => {
  it('shows bytes per layer under the pull, an intermediate figure while a layer stalls, and the full size at the end', async () => {
    const img = await pushLayeredImage(registry.host, 'vis/progress', [
      { files: [{ name: 'big/data', size: 3_000_000, seed: 71 }] },
      { files: [{ name: 'small/data', size: 700_000, seed: 72 }] },
    ]);
    const big = img.layers[1]!;
    const bigShort = big.digest.slice(7, 19);
    proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${big.digest}$`), fault: { kind: 'stall', afterBytes: 1_800_000 } });

    // A second watcher on the raw feed, to check what the page is sent.
    const u = new URL(v.url);
    const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`);
    const feed: ProgressItem[][] = [];
    ws.on('message', (m) => {
      const msg = JSON.parse(String(m)) as { type: string; layers?: ProgressItem[] };
      if (msg.type === 'progress') feed.push(msg.layers!);
    });
    await new Promise((r) => ws.once('open', r));

    const pulling = v.daemon.berthAsync(['pull', `${proxy.host}/vis/progress`]);
    const pullRow = v.page.locator('#actor-list .actor[data-actor^="pull/"][data-state="fetching"]');
    await pullRow.waitFor({ timeout: 60_000 });
    await pullRow.click();
    const bar = v.page.locator(`#pull-layers .layer-row[data-layer="${bigShort}"] .bar`);
    // The stall parts the figures before and after it by seconds, so the page records at least one in between.
    const seenOnPage = async () => ((await bar.getAttribute('data-seen')) ?? '').split(',').filter(Boolean).map(Number);
    await expect.poll(async () => (await seenOnPage()).some((n) => n > 0 && n < big.size), { timeout: 30_000 }).toBe(true);
    expect(Number(await bar.getAttribute('data-total'))).toBe(big.size);
    await v.shot('pull-progress-running');

    const r = await pulling;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(proxy.blobGets(big.digest).map((g) => g.fault)).toContain('stall');
    await expect.poll(async () => Number(await bar.getAttribute('data-current')), { timeout: 30_000 }).toBe(big.size);
    const seen = await seenOnPage();
    expect(seen[seen.length - 1]).toBe(big.size);
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // bytes only grow
    // every layer of the image got its bar, each full at the end
    for (const layer of img.layers.slice(1)) {
      const b = v.page.locator(`#pull-layers .layer-row[data-layer="${layer.digest.slice(7, 19)}"] .bar`);
      await expect.poll(async () => Number(await b.getAttribute('data-current'))).toBe(layer.size);
    }
    await expect.poll(v.activeStates, { timeout: 30_000 }).toContain('pull.done');
    await v.shot('pull-progress-done');

    // Batched: one figure per layer in each message, and the raw feed saw the final one too.
    ws.close();
    expect(feed.length).toBeGreaterThan(0);
    for (const batch of feed) {
      const keys = batch.map((p) => `${p.pull} ${p.layer}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(feed.flat().some((p) => p.layer === bigShort && p.current === big.size && p.total === big.size)).toBe(true);

    // Progress is not journaled: the layer actor's history holds its transitions only.
    const layerId = await v.page.locator(`#pull-layers .layer-row[data-layer="${bigShort}"]`).getAttribute('data-actor');
    const history = (await (await fetch(`${u.origin}/api/journal?actor=${encodeURIComponent(layerId!)}&token=${u.searchParams.get('token')}`)).json()) as { state: unknown }[];
    expect(history.length).toBeGreaterThan(0);
    expect(history.length).toBeLessThan(10);

    // the layer actor's own page shows the same download
    await v.page.locator(`#pull-layers .layer-row[data-layer="${bigShort}"]`).click();
    await expect.poll(() => v.page.locator('#actor-title').textContent()).toBe(`layer ${layerId}`);
    const own = v.page.locator(`#layer-bytes[data-layer="${bigShort}"] .bar`);
    await expect.poll(async () => Number(await own.getAttribute('data-current'))).toBe(big.size);
    expect((await own.getAttribute('data-seen'))?.split(',').map(Number)).toEqual(seen);
    await v.shot('pull-progress-layer');
  }, 180_000);
});
