// The container lifecycle beyond run: create/start/wait, restart policies,
// kill, pause, rename, inspect, logs options, ps filters, events, top,
// stats and prune — real daemon, real containers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok, loadBusybox, inspectContainer } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;


async function until(what: string, check: () => boolean, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const inspect = (name: string) => inspectContainer(d, name);

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

describe('container lifecycle', () => {
  it('create, start, wait, and inspect with Docker field names', () => {
    const id = ok(d.berth(['create', '--name', 'c1', '-l', 'team=a', 'busybox', 'sh', '-c', 'echo out; exit 4'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(inspect('c1').State.Status).toBe('created');
    ok(d.berth(['start', 'c1']));
    expect(ok(d.berth(['wait', 'c1'])).trim()).toBe('4');
    const doc = inspect('c1');
    expect(doc.Id).toBe(id);
    expect(doc.Name).toBe('/c1');
    expect(doc.State).toMatchObject({ Status: 'exited', Running: false, ExitCode: 4 });
    expect(doc.Config.Labels).toEqual({ team: 'a' });
    expect(doc.Config.Cmd).toEqual(['sh', '-c', 'echo out; exit 4']);
    const rerun = d.berth(['start', '-a', 'c1']);
    expect(rerun.stdout).toBe('out\n');
    expect(rerun.code).toBe(4);
    ok(d.berth(['rm', 'c1']));
  });

  it('restarts on failure up to the limit, with a growing restart count', async () => {
    ok(d.berth(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1']));
    await until('two restarts', () => {
      const doc = inspect('flaky');
      return doc.RestartCount === 2 && doc.State.Status === 'exited';
    });
    expect(inspect('flaky').HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    ok(d.berth(['rm', 'flaky']));
  });

  it('always restarts until stopped; a stopped container stays stopped', async () => {
    ok(d.berth(['run', '-d', '--name', 'phoenix', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.2']));
    await until('a restart', () => inspect('phoenix').RestartCount >= 1);
    ok(d.berth(['stop', '-t', '1', 'phoenix']));
    const count = inspect('phoenix').RestartCount;
    await new Promise((r) => setTimeout(r, 800));
    expect(inspect('phoenix').State.Status).toBe('exited');
    expect(inspect('phoenix').RestartCount).toBe(count);
    ok(d.berth(['rm', 'phoenix']));
  });

  it('rejects a bad restart policy and --rm with --restart', () => {
    const bad = d.berth(['run', '--restart', 'sometimes', 'busybox', 'true']);
    expect(bad.code).toBe(125);
    const both = d.berth(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
    expect(both.code).toBe(125);
    expect(both.stderr).toMatch(/Conflicting options/);
  });

  it('kill sends the signal; pause and unpause freeze the container', async () => {
    ok(d.berth(['run', '-d', '--name', 'kk', 'busybox', 'sh', '-c', 'trap "exit 42" USR1; while :; do sleep 0.1; done']));
    await new Promise((r) => setTimeout(r, 300));
    ok(d.berth(['pause', 'kk']));
    expect(inspect('kk').State).toMatchObject({ Status: 'paused', Paused: true });
    expect(d.berth(['stop', 'kk']).code).not.toBe(0);
    ok(d.berth(['unpause', 'kk']));
    expect(inspect('kk').State.Status).toBe('running');
    ok(d.berth(['kill', '-s', 'USR1', 'kk']));
    expect(ok(d.berth(['wait', 'kk'])).trim()).toBe('42');
    ok(d.berth(['rm', 'kk']));
  });

  it('rename moves the name; the old one is free again', () => {
    ok(d.berth(['create', '--name', 'old', 'busybox', 'true']));
    ok(d.berth(['rename', 'old', 'new']));
    expect(inspect('new').Name).toBe('/new');
    expect(d.berth(['inspect', 'old']).code).toBe(1);
    ok(d.berth(['create', '--name', 'old', 'busybox', 'true']));
    ok(d.berth(['rm', 'old', 'new']));
  });

  it('logs with --tail, -t and --follow', async () => {
    // "late" is printed only once the test says so (an exec creates /go), so a slow machine cannot reorder it.
    ok(d.berth(['run', '-d', '--name', 'chatty', 'busybox', 'sh', '-c',
      'for i in 1 2 3 4 5; do echo line$i; done; until [ -e /go ]; do sleep 0.05; done; echo late']));
    const follow = d.berthAsync(['logs', '-f', 'chatty']);
    await expect.poll(() => d.berth(['logs', '--tail', '2', 'chatty']).stdout, { timeout: 20_000 }).toBe('line4\nline5\n');
    expect(ok(d.berth(['logs', '-t', '--tail', '1', 'chatty']))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line5\n$/);
    ok(d.berth(['exec', 'chatty', 'touch', '/go']));
    const f = await follow;
    expect(f.stdout).toBe('line1\nline2\nline3\nline4\nline5\nlate\n');
    ok(d.berth(['rm', 'chatty']));
  });

  it('ps filters by status, name, label and exit code; -n and -q', () => {
    ok(d.berth(['run', '--name', 'f0', '-l', 'k=v', 'busybox', 'true']));
    ok(d.berth(['run', '-d', '--name', 'f1', 'busybox', 'sleep', '30']));
    expect(d.berth(['run', '--name', 'f2', 'busybox', 'sh', '-c', 'exit 3']).code).toBe(3);
    const names = (args: string[]) => ok(d.berth(['ps', ...args, '--format', '{{.Names}}'])).trim().split('\n').filter(Boolean).sort();
    expect(names(['--filter', 'status=running'])).toEqual(['f1']);
    expect(names(['-a', '--filter', 'label=k=v'])).toEqual(['f0']);
    expect(names(['-a', '--filter', 'exited=3'])).toEqual(['f2']);
    expect(names(['-a', '--filter', 'name=f'])).toEqual(['f0', 'f1', 'f2']);
    expect(names(['-n', '1'])).toEqual(['f2']);
    expect(d.berth(['ps', '--filter', 'colour=red']).code).toBe(1);
    ok(d.berth(['rm', '-f', 'f0', 'f1', 'f2']));
  });

  it('top lists the processes and stats reads the cgroups', () => {
    ok(d.berth(['run', '-d', '--name', 'busy', 'busybox', 'sh', '-c', 'sleep 60 & sleep 61']));
    const top = ok(d.berth(['top', 'busy']));
    expect(top).toMatch(/PID/);
    expect(top).toMatch(/sleep 60/);
    expect(top).toMatch(/sleep 61/);
    const stats = ok(d.berth(['stats', '--no-stream', 'busy']));
    expect(stats).toMatch(/CPU %/);
    expect(stats).toMatch(/busy/);
    expect(stats.trim().split('\n')[1].trim().split(/\s+/).pop()).toBe('2');
    ok(d.berth(['rm', '-f', 'busy']));
  });

  it('events replays the journal as Docker events', () => {
    const since = new Date(Date.now() - 1000).toISOString();
    ok(d.berth(['run', '--name', 'ev', 'busybox', 'true']));
    ok(d.berth(['rm', 'ev']));
    const out = ok(d.berth(['events', '--since', since, '--until', new Date(Date.now() + 200).toISOString(), '--filter', 'container=ev']));
    const actions = out.trim().split('\n').map((l) => l.split(' ')[2]);
    expect(actions).toEqual(['create', 'start', 'die', 'destroy']);
    expect(out).toMatch(/name=ev/);
  });

  it('container prune removes stopped containers only', () => {
    ok(d.berth(['run', '--name', 'p1', 'busybox', 'true']));
    ok(d.berth(['run', '-d', '--name', 'p2', 'busybox', 'sleep', '30']));
    const out = ok(d.berth(['container', 'prune', '-f']));
    expect(out).toMatch(/Deleted Containers:/);
    const left = ok(d.berth(['ps', '-a', '--format', '{{.Names}}'])).trim().split('\n');
    expect(left).toContain('p2');
    expect(left).not.toContain('p1');
    ok(d.berth(['rm', '-f', 'p2']));
  });
});
