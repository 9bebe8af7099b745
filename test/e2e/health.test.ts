// Health checks on real containers: probes run through the exec path; the
// results show in inspect (State.Health), ps (status text, health filter)
// and events (health_status), and survive a daemon SIGKILL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { join } from 'node:path';
import { ok, loadBusybox, inspectContainer } from '../fixtures/e2e-helpers.js';
import { buildBusyboxOciArchive } from '../fixtures/busybox-image.js';

let d: TestDaemon;
const inspect = (name: string) => inspectContainer(d, name);
const FAST = ['--health-interval', '200ms', '--health-timeout', '2s'];

/** Polls State.Health until `want` or about 60 s: the machine is busy, so no timing is asserted. */
async function healthOf(name: string, want: string): Promise<Record<string, any>> {
  let h = inspect(name).State.Health;
  for (let i = 0; i < 600 && h?.Status !== want; i++) {
    await new Promise((r) => setTimeout(r, 100));
    h = inspect(name).State.Health;
  }
  return h;
}

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

describe('health checks', () => {
  it('a passing check makes the container healthy: inspect, ps status and filter, events', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    ok(d.berth(['run', '-d', '--name', 'good', ...FAST, '--health-cmd', 'echo fine', 'busybox', 'sleep', '300']));
    const h = await healthOf('good', 'healthy');
    expect(h.Status).toBe('healthy');
    expect(h.FailingStreak).toBe(0);
    expect(h.Log.length).toBeGreaterThan(0);
    expect(h.Log.length).toBeLessThanOrEqual(5);
    expect(h.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    expect(inspect('good').Config.Healthcheck).toMatchObject({ Test: ['CMD', '/bin/sh', '-c', 'echo fine'], Interval: 200_000_000, Retries: 3 });
    expect(ok(d.berth(['ps', '--format', '{{.Names}} {{.Status}}']))).toMatch(/good Up .* \(healthy\)/);
    expect(ok(d.berth(['ps', '-q', '--filter', 'health=healthy'])).trim()).not.toBe('');
    expect(ok(d.berth(['ps', '--format', '{{.Names}}', '--filter', 'health=unhealthy']))).not.toMatch(/good/);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(ok(d.berth(['events', '--since', since, '--until', until, '--filter', 'container=good']))).toMatch(/health_status: healthy/);
    ok(d.berth(['rm', '-f', 'good']));
  });

  it('a failing check goes unhealthy after the retries; a timeout counts as a failure', async () => {
    ok(d.berth(['run', '-d', '--name', 'bad', ...FAST, '--health-retries', '2', '--health-cmd', 'echo broken; exit 3', 'busybox', 'sleep', '300']));
    ok(d.berth(['run', '-d', '--name', 'slow', '--health-interval', '200ms', '--health-timeout', '300ms', '--health-retries', '1', '--health-cmd', 'sleep 30', 'busybox', 'sleep', '300']));
    const bad = await healthOf('bad', 'unhealthy');
    expect(bad.Status).toBe('unhealthy');
    expect(bad.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(bad.Log.at(-1)).toMatchObject({ ExitCode: 3, Output: 'broken\n' });
    expect(ok(d.berth(['ps', '--format', '{{.Names}} {{.Status}}', '--filter', 'health=unhealthy']))).toMatch(/bad Up .* \(unhealthy\)/);
    const slow = await healthOf('slow', 'unhealthy');
    expect(slow.Status).toBe('unhealthy');
    expect(slow.Log.at(-1).ExitCode).toBe(-1);
    expect(slow.Log.at(-1).Output).toMatch(/timeout/);
    ok(d.berth(['rm', '-f', 'bad', 'slow']));
  });

  it('kills a probe past its timeout with SIGKILL, so one that ignores SIGINT does not pile up', async () => {
    const probe = 'trap "" INT TERM; while :; do sleep 1; done';
    ok(d.berth(['run', '-d', '--name', 'stubborn', '--health-interval', '200ms', '--health-timeout', '300ms', '--health-retries', '100', '--health-cmd', probe, 'busybox', 'sleep', '300']));
    const timedOut = () => (inspect('stubborn').State.Health?.Log ?? []).filter((l: { ExitCode: number }) => l.ExitCode === -1).length;
    while (timedOut() < 3) await new Promise((r) => setTimeout(r, 200));
    // Each timed-out probe was a shell ignoring SIGINT: had it been sent only that, 3 or more would still loop.
    const shells = ok(d.berth(['exec', 'stubborn', 'ps', '-o', 'pid,args'])).split('\n').filter((l) => l.includes('trap'));
    expect(shells.length).toBeLessThanOrEqual(1); // at most the probe running now
    ok(d.berth(['rm', '-f', 'stubborn']));
  });

  it('--no-healthcheck and no check at all leave Health out; ps filter health=none finds them', async () => {
    ok(d.berth(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '300']));
    ok(d.berth(['run', '-d', '--name', 'off', '--no-healthcheck', 'busybox', 'sleep', '300']));
    expect(inspect('plain').State.Health).toBeUndefined();
    expect(inspect('off').State.Health).toBeUndefined();
    expect(inspect('off').Config.Healthcheck).toBeUndefined();
    const none = ok(d.berth(['ps', '--format', '{{.Names}}', '--filter', 'health=none']));
    expect(none).toMatch(/plain/);
    expect(none).toMatch(/off/);
    ok(d.berth(['rm', '-f', 'plain', 'off']));
  });

  it('bad durations and retries are rejected with a clear error and exit 125', () => {
    for (const args of [
      ['--health-interval', 'soon'],
      ['--health-timeout', '10'],
      ['--health-start-period', '-1s'],
      ['--health-retries', 'x'],
      ['--no-healthcheck', '--health-cmd', 'true'],
    ]) {
      const r = d.berth(['run', '-d', ...args, 'busybox', 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/health/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const r = d.berth(['run', '-d', '--health-interval', 'soon', 'busybox', 'true']);
    expect(r.stderr).toMatch(/30s, 1m30s or 500ms/);
  });

  it("an image's HEALTHCHECK runs; flags override it field by field; NONE and --no-healthcheck disable it", async () => {
    const ms = 1_000_000;
    const image = (name: string, Healthcheck: object) => {
      const file = join(d.dir, `${name}.tar`);
      return buildBusyboxOciArchive(file, { name, runConfig: { Healthcheck } }).then(() => ok(d.berth(['load', '-i', file])));
    };
    await image('hc-image', { Test: ['CMD', 'sh', '-c', 'exit 1'], Interval: 200 * ms, Timeout: 2000 * ms, Retries: 1 });
    await image('hc-none', { Test: ['NONE'] });
    expect(JSON.parse(ok(d.berth(['image', 'inspect', 'hc-image'])))[0].Config.Healthcheck).toMatchObject({ Test: ['CMD', 'sh', '-c', 'exit 1'], Retries: 1 });
    ok(d.berth(['run', '-d', '--name', 'img-bad', 'hc-image', 'sleep', '300']));
    ok(d.berth(['run', '-d', '--name', 'img-ok', '--health-cmd', 'true', 'hc-image', 'sleep', '300']));
    ok(d.berth(['run', '-d', '--name', 'img-off', '--no-healthcheck', 'hc-image', 'sleep', '300']));
    ok(d.berth(['run', '-d', '--name', 'img-none', 'hc-none', 'sleep', '300']));
    expect((await healthOf('img-bad', 'unhealthy')).Status).toBe('unhealthy');
    expect((await healthOf('img-ok', 'healthy')).Status).toBe('healthy');
    expect(inspect('img-ok').Config.Healthcheck).toMatchObject({ Interval: 200 * ms, Retries: 1 });
    expect(inspect('img-off').State.Health).toBeUndefined();
    expect(inspect('img-none').State.Health).toBeUndefined();
    ok(d.berth(['rm', '-f', 'img-bad', 'img-ok', 'img-off', 'img-none']));
  });

  it('the check resumes after a daemon SIGKILL and keeps the Health it had', async () => {
    ok(d.berth(['run', '-d', '--name', 'flip', ...FAST, '--health-cmd', 'test ! -e /tmp/sick', 'busybox', 'sleep', '300']));
    const before = await healthOf('flip', 'healthy');
    expect(before.Status).toBe('healthy');
    await d.kill('SIGKILL');
    await d.restart();
    expect(inspect('flip').State.Health.Status).toBe('healthy');
    expect(inspect('flip').State.Health.Log.length).toBeGreaterThan(0);
    ok(d.berth(['exec', 'flip', 'touch', '/tmp/sick']));
    const after = await healthOf('flip', 'unhealthy');
    expect(after.Status).toBe('unhealthy');
    ok(d.berth(['rm', '-f', 'flip']));
  });
});
