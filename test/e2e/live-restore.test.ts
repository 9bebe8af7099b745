// Live restore: containers keep running, logging and being waited on while
// the daemon is killed; the restarted daemon finds them in the same state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok, loadBusybox, inspectContainer } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;


const inspect = (name: string) => inspectContainer(d, name);

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return false;
  }
}

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

describe('live restore', () => {
  it('a running container survives a daemon SIGKILL and is still managed afterwards', async () => {
    ok(d.berth(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.1; done']));
    const pid = inspect('survivor').State.Pid as number;
    expect(alive(pid)).toBe(true);
    await d.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    expect(alive(pid)).toBe(true);
    await d.restart();
    const doc = inspect('survivor');
    expect(doc.State).toMatchObject({ Status: 'running', Pid: pid });
    await new Promise((r) => setTimeout(r, 300));
    const ticks = ok(d.berth(['logs', 'survivor'])).trim().split('\n');
    // no gap and no duplicate across the daemon's absence
    ticks.forEach((t, i) => expect(t).toBe(`tick${i + 1}`));
    expect(ticks.length).toBeGreaterThan(5);
    const out = ok(d.berth(['exec', 'survivor', 'echo', 'still here']));
    expect(out).toBe('still here\n');
    ok(d.berth(['stop', '-t', '1', 'survivor']));
    expect(alive(pid)).toBe(false);
    expect(inspect('survivor').State.Status).toBe('exited');
    ok(d.berth(['rm', 'survivor']));
  });

  it('an unless-stopped container is restarted with the daemon unless it was stopped; always is', async () => {
    ok(d.berth(['run', '-d', '--name', 'us', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']));
    ok(d.berth(['run', '-d', '--name', 'al', '--restart', 'always', 'busybox', 'sleep', '300']));
    ok(d.berth(['stop', '-t', '0', 'us']));
    ok(d.berth(['stop', '-t', '0', 'al']));
    await d.restart();
    let al = inspect('al');
    for (let i = 0; i < 50 && al.State.Status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      al = inspect('al');
    }
    expect(al.State.Status).toBe('running');
    expect(inspect('us').State.Status).toBe('exited');
    ok(d.berth(['rm', '-f', 'us', 'al']));
  });
});
