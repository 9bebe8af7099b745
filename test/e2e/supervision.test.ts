// Worker supervision (issue 8): a crashed actor-host thread is replaced and
// its actors are rebuilt from the journal without restarting the daemon;
// requests in flight on it get an error, never a hang; a crashed worker pool
// is replaced too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon(['--enable-fault-injection']);
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

const crashBothHosts = () => {
  ok(d.berth(['debug', 'fault', 'actor-host', '0']));
  ok(d.berth(['debug', 'fault', 'actor-host', '1']));
};

describe('actor-host supervision', () => {
  it('containers keep running and stay manageable across host crashes', async () => {
    const names = ['sv-a', 'sv-b', 'sv-c', 'sv-d'];
    for (const n of names) ok(d.berth(['run', '-d', '--name', n, 'busybox', 'sleep', '300']));
    const pids = names.map((n) => inspectContainer(d, n).State.Pid as number);
    crashBothHosts();
    // The container process of sv-d dies while its actor is being rebuilt.
    process.kill(pids[3], 'SIGKILL');
    for (const [i, n] of names.slice(0, 3).entries()) {
      expect(inspectContainer(d, n).State).toMatchObject({ Status: 'running', Pid: pids[i] });
    }
    await expect.poll(() => inspectContainer(d, 'sv-d').State.Status, { timeout: 20_000 }).toBe('exited');
    expect(inspectContainer(d, 'sv-d').State.ExitCode).toBe(137);
    expect(ok(d.berth(['exec', 'sv-a', 'echo', 'after the crash']))).toBe('after the crash\n');
    ok(d.berth(['stop', '-t', '1', 'sv-b']));
    expect(inspectContainer(d, 'sv-b').State.Status).toBe('exited');
    ok(d.berth(['rm', '-f', ...names]));
    await expect.poll(() => d.log(), { timeout: 10_000 }).toMatch(/actor host 0 restarted; its actors are restored/);
    await expect.poll(() => d.log(), { timeout: 10_000 }).toMatch(/actor host 1 restarted; its actors are restored/);
  });

  it('a request in flight on a crashed host gets an error instead of hanging', async () => {
    ok(d.berth(['run', '-d', '--name', 'sv-wait', 'busybox', 'sleep', '300']));
    const waiting = d.berthAsync(['wait', 'sv-wait']);
    await new Promise((r) => setTimeout(r, 500));
    crashBothHosts();
    const r = await waiting;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/actor host \d crashed while handling this request .*retry/);
    // and the daemon still serves the container
    expect(inspectContainer(d, 'sv-wait').State.Status).toBe('running');
    ok(d.berth(['rm', '-f', 'sv-wait']));
  });

  it('the worker pool is replaced after its threads die', () => {
    ok(d.berth(['rmi', 'busybox']));
    expect(ok(d.berth(['debug', 'fault', 'pool']))).toMatch(/pool thread\(s\) terminated/);
    loadBusybox(d);
    expect(ok(d.berth(['run', '--rm', 'busybox', 'echo', 'pool ok']))).toBe('pool ok\n');
  });

  it('bad fault requests are refused clearly', () => {
    expect(d.berth(['debug', 'fault', 'actor-host', '7']).stderr).toContain('there is no actor host 7');
    expect(d.berth(['debug', 'fault', 'disk']).stderr).toContain('unknown fault target "disk"');
  });
});

describe('without --enable-fault-injection', () => {
  it('the daemon refuses fault injection', async () => {
    const plain = await startDaemon();
    try {
      const r = plain.berth(['debug', 'fault', 'actor-host']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('start berthd with --enable-fault-injection');
    } finally {
      await plain.stop();
    }
  });
});
