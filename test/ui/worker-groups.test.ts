// The visualizer groups live actors by the actor-host worker thread they run
// on, and follows the supervisor when it replaces a crashed host: the host's
// actors move to the new thread's group, the other host's stay where they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../fixtures/e2e-helpers.js';
import { openPage, startVisualizer, type Visualizer } from './page-fixture.js';

let v: Visualizer;

beforeAll(async () => {
  v = await startVisualizer(['--enable-fault-injection', '--actor-hosts', '2']);
  await openPage(v);
}, 120_000);

afterAll(async () => {
  await v?.close();
});

/** What the page believes about the hosts: index → { thread, up }. */
async function pageHosts(): Promise<Map<number, { thread: number; up: boolean }>> {
  const text = (await v.page.locator('body').getAttribute('data-hosts')) ?? '';
  return new Map(text.split(' ').filter(Boolean).map((x) => {
    const [i, t, up] = x.split(':');
    return [Number(i), { thread: Number(t), up: up === 'up' }];
  }));
}

const row = (id: string) => v.page.locator(`#actor-list .actor[data-actor="container/${id}"]`);
const rowInfo = async (id: string) => ({ host: Number(await row(id).getAttribute('data-host')), thread: Number(await row(id).getAttribute('data-thread')), group: await row(id).getAttribute('data-group') });

describe('grouping by worker thread', () => {
  it('shows each container under its host thread, and on the replacement thread after that host crashed', async () => {
    const ids = ['wg-a', 'wg-b', 'wg-c', 'wg-d', 'wg-e', 'wg-f'].map((n) => ok(v.daemon.berth(['run', '-d', '--name', n, 'busybox', 'sleep', '300'])).trim());
    await v.page.selectOption('#group-by', 'worker');
    const before = await pageHosts();
    expect([...before.keys()].sort()).toEqual([0, 1]);
    expect(before.get(0)!.thread).not.toBe(before.get(1)!.thread);
    const placed = new Map<string, { host: number; thread: number }>();
    for (const id of ids) {
      await expect.poll(() => row(id).getAttribute('data-state'), { timeout: 30_000 }).toMatch(/^running/);
      const r = await rowInfo(id);
      expect(r.thread).toBe(before.get(r.host)!.thread);
      expect(r.group).toBe(`actor host ${r.host} · thread ${r.thread}`);
      placed.set(id, r);
    }
    const groups = await v.page.$$eval('#actor-list .group', (gs) => gs.map((g) => g.textContent ?? ''));
    for (const r of placed.values()) expect(groups).toContainEqual(expect.stringMatching(new RegExp(`^actor host ${r.host} · thread ${r.thread} \\(\\d+\\)$`)));
    // the busybox load's pull ended: it lives on no host
    expect(groups).toContainEqual(expect.stringMatching(/^ended \(on no host\) \(\d+\)$/));
    await v.shot('workers-before-crash');

    const victim = ids[0];
    const crashed = placed.get(victim)!.host;
    const other = 1 - crashed;
    ok(v.daemon.berth(['debug', 'fault', 'actor-host', String(crashed)]));
    await expect.poll(async () => {
      const h = (await pageHosts()).get(crashed);
      return h !== undefined && h.up && h.thread !== before.get(crashed)!.thread;
    }, { timeout: 30_000 }).toBe(true);
    const after = await pageHosts();
    expect(after.get(crashed)!.thread).not.toBe(before.get(crashed)!.thread);
    expect(after.get(other)!.thread).toBe(before.get(other)!.thread);
    for (const [id, was] of placed) {
      const now = await rowInfo(id);
      expect(now.host).toBe(was.host);
      expect(now.thread).toBe(after.get(was.host)!.thread);
      expect(now.group).toBe(`actor host ${was.host} · thread ${now.thread}`);
    }
    // the rebuilt actor answers on its new thread, and its row follows it there
    ok(v.daemon.berth(['stop', '-t', '1', 'wg-a']));
    await expect.poll(() => row(victim).getAttribute('data-state'), { timeout: 30_000 }).toBe('exited');
    expect((await rowInfo(victim)).thread).toBe(after.get(crashed)!.thread);
    await v.shot('workers-after-crash');

    await v.page.selectOption('#group-by', 'both');
    await expect.poll(() => row(victim).getAttribute('data-group')).toBe(`actor host ${crashed} · thread ${after.get(crashed)!.thread} › container`);
    // the choice outlives a reload; the page starts from the daemon's current hosts
    await openPage(v);
    expect(await v.page.inputValue('#group-by')).toBe('both');
    await expect.poll(() => row(victim).getAttribute('data-group')).toBe(`actor host ${crashed} · thread ${after.get(crashed)!.thread} › container`);
    await v.page.selectOption('#group-by', 'kind');
    await expect.poll(() => row(victim).getAttribute('data-group')).toBe('container');
    ok(v.daemon.berth(['rm', '-f', ...ids]));
  }, 180_000);
});
