// The state visualizer in real headless Chromium against a real daemon:
// containers run and stop, an image is pulled, and the page follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { Page } from 'playwright-core';
import type { TestDaemon } from '../fixtures/daemon.js';
import { ok } from '../fixtures/e2e-helpers.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushLayeredImage } from '../registry/layered-image.js';
import { openPage, startVisualizer, type Visualizer } from './page-fixture.js';

let v: Visualizer;
let daemon: TestDaemon;
let registry: TestRegistry;
let page: Page;
let url: string;

const shot = (name: string) => v.shot(name);
const activeStates = () => v.activeStates();

beforeAll(async () => {
  [v, registry] = await Promise.all([startVisualizer(), startRegistry()]);
  ({ daemon, page, url } = v);
}, 120_000);

afterAll(async () => {
  await v?.close();
  await registry?.stop();
});

describe('access', () => {
  it('berth ui prints a 127.0.0.1 URL carrying the token kept 0600 under the exec-root', () => {
    const u = new URL(url);
    expect(u.hostname).toBe('127.0.0.1');
    const tokenFile = join(daemon.execRoot, 'ui.token');
    expect(u.searchParams.get('token')).toBe(readFileSync(tokenFile, 'utf8').trim());
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  it('refuses pages, API and websocket without the right token', async () => {
    const u = new URL(url);
    const base = `${u.origin}`;
    for (const path of ['/', '/app.js', '/api/actors', '/api/machines', '/api/journal?actor=x', `/?token=${'0'.repeat(48)}`, '/?token=']) {
      const r = await fetch(base + path);
      expect({ path, status: r.status }).toEqual({ path, status: 401 });
      expect(await r.text()).toContain('berth ui');
    }
    const wsOutcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://${u.host}/ws?token=wrong`);
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(wsOutcome).toBe('refused');
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('page', () => {
  it('shows running containers live, highlights the state as it changes, and travels back in time', async () => {
    await openPage(v);
    const id = ok(daemon.berth(['run', '-d', '--name', 'vis-web', 'busybox', 'sleep', '300'])).trim();
    const row = page.locator(`#actor-list .actor[data-actor="container/${id}"]`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toMatch(/^running/);
    await row.click();
    await expect.poll(activeStates, { timeout: 30_000 }).toContain('container.running');
    expect(await page.locator('#chart g.edge').count()).toBeGreaterThan(3);
    await page.locator('#stats th', { hasText: 'Memory' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#stats td').nth(2).textContent()).toMatch(/^\d+$/); // PIDs of the running sleep
    await shot('container-running');

    ok(daemon.berth(['stop', '-t', '1', 'vis-web']));
    await expect.poll(activeStates, { timeout: 30_000 }).toContain('container.exited');
    expect(await activeStates()).not.toContain('container.running');
    await expect.poll(() => row.getAttribute('data-state')).toBe('exited');
    await shot('container-exited');

    // time travel: the first journal entry shows the state it recorded, read-only
    const first = page.locator('#timeline li').first();
    await first.click();
    await expect.poll(() => page.locator('#mode').getAttribute('class')).toBe('past');
    const past = await page.locator('#chart').getAttribute('data-current');
    expect(past).not.toBe('exited');
    expect(await activeStates()).not.toContain('container.exited');
    expect(await first.getAttribute('class')).toBe('current');
    await shot('container-time-travel');
    await page.click('#back-live');
    await expect.poll(activeStates).toContain('container.exited');
  }, 120_000);

  it('lists a second container that started while the page was open and groups actors by kind', async () => {
    const id = ok(daemon.berth(['run', '-d', '--name', 'vis-two', 'busybox', 'sleep', '300'])).trim();
    await page.locator(`#actor-list .actor[data-actor="container/${id}"][data-state^="running"]`).waitFor();
    const groups = await page.$$eval('#actor-list .group', (gs) => gs.map((g) => g.textContent));
    expect(groups.some((g) => g?.startsWith('container ('))).toBe(true);
    ok(daemon.berth(['rm', '-f', 'vis-two']));
    await expect.poll(() => page.locator(`#actor-list .actor[data-actor="container/${id}"]`).getAttribute('data-state'), { timeout: 30_000 }).not.toMatch(/^running/);
  }, 60_000);

  it('shows a pull with its layer downloads', async () => {
    await pushLayeredImage(registry.host, 'vis/layers', [
      { files: [{ name: 'a/data', size: 400_000, seed: 21 }] },
      { files: [{ name: 'b/data', size: 300_000, seed: 22 }] },
    ]);
    ok(daemon.berth(['pull', `${registry.host}/vis/layers`]));
    const pullRow = page.locator('#actor-list .actor[data-actor^="pull"]').first();
    await pullRow.waitFor({ timeout: 30_000 });
    await pullRow.click();
    await expect.poll(() => page.locator('#pull-layers .layer-row').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(activeStates, { timeout: 30_000 }).toContain('pull.done');
    // a layer may still be storing its blob (storingBlob, usable) when its pull is done: present soon after
    const layerStates = () => page.$$eval('#pull-layers .layer-row td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
    await expect.poll(async () => (await layerStates()).every((s) => s === 'present'), { timeout: 30_000 }).toBe(true);
    const inPull = await page.$$eval('#pull-layers .layer-done', (tds) => tds.map((t) => t.textContent));
    expect(inPull).toEqual(inPull.map(() => 'in pull: done'));
    await shot('pull');
    await page.locator('#pull-layers .layer-row').first().click();
    await expect.poll(() => page.locator('#actor-title').textContent()).toMatch(/^layer layer\//);
    await expect.poll(activeStates).toContain('layer.present');
    await shot('layer');
  }, 120_000);
});
