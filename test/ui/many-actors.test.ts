// Hundreds of actors: 200 containers created (not started) while the page is
// open arrive through batched live updates; the overview keeps only the rows
// in view in the DOM, scrolls to any of them, and selecting one works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { join } from 'node:path';
import { openPage, startVisualizer, type Visualizer } from './page-fixture.js';

let v: Visualizer;
const COUNT = 200;
const ROW_PX = 26; // one overview row (ui/overview.ts)

beforeAll(async () => {
  v = await startVisualizer();
  await openPage(v);
}, 120_000);

afterAll(async () => {
  await v?.close();
});

/** POST /containers/create on the daemon's Docker API socket: cheaper than a CLI process per container. */
function createContainer(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ Image: 'busybox', Cmd: ['true'] });
    const req = request({ socketPath: join(v.daemon.execRoot, 'docker.sock'), method: 'POST', path: `/containers/create?name=${name}`, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (res.statusCode === 201 ? resolve((JSON.parse(text) as { Id: string }).Id) : reject(new Error(`create ${name}: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('hundreds of actors', () => {
  it('renders a bounded number of rows for 200 containers and still selects any of them', async () => {
    const names = Array.from({ length: COUNT }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    const ids: string[] = [];
    for (let i = 0; i < names.length; i += 8) ids.push(...(await Promise.all(names.slice(i, i + 8).map(createContainer))));
    const header = v.page.locator('#actor-list .group', { hasText: /^container \(/ });
    await expect.poll(() => header.textContent(), { timeout: 60_000 }).toBe(`container (${COUNT})`);

    const list = v.page.locator('#actor-list');
    const domRows = () => v.page.locator('#actor-list .actor, #actor-list .group').count();
    const bound = async () => Math.ceil((await list.evaluate((e) => e.clientHeight)) / ROW_PX) + 16;
    expect(await domRows()).toBeLessThanOrEqual(await bound());
    expect(await list.evaluate((e) => e.scrollHeight)).toBeGreaterThanOrEqual(COUNT * ROW_PX);
    await v.shot('many-actors-top');

    // scrolled to the end: other actors are drawn, still a bounded number of them
    const firstShown = await v.page.locator('#actor-list .actor').first().getAttribute('data-actor');
    await list.evaluate((e) => { e.scrollTop = e.scrollHeight; });
    await expect.poll(() => v.page.locator('#actor-list .actor').first().getAttribute('data-actor')).not.toBe(firstShown);
    expect(await domRows()).toBeLessThanOrEqual(await bound());
    const created = new Set(ids.map((id) => `container/${id}`));
    const shownAtEnd = await v.page.$$eval('#actor-list .actor', (rows) => rows.map((r) => (r as HTMLElement).dataset.actor ?? ''));
    const pick = shownAtEnd.filter((a) => created.has(a)).at(-1)!;
    expect(pick).toBeDefined();
    await v.page.locator(`#actor-list .actor[data-actor="${pick}"]`).click();
    await expect.poll(() => v.page.locator('#actor-title').textContent()).toBe(`container ${pick}`);
    await expect.poll(v.activeStates, { timeout: 30_000 }).toContain('container.created');
    await expect.poll(() => v.page.locator(`#actor-list .actor[data-actor="${pick}"]`).getAttribute('class')).toContain('selected');
    await v.shot('many-actors-selected');

    // the filter finds one among hundreds
    const target = ids[123];
    await v.page.fill('#filter', target.slice(0, 16));
    await expect.poll(() => v.page.locator('#actor-list .actor').count()).toBe(1);
    expect(await v.page.locator('#actor-list .actor').getAttribute('data-actor')).toBe(`container/${target}`);
    await v.page.fill('#filter', '');
  }, 300_000);
});
