// The daemon on berth-runtime, runc and crun (issue 3): the same scenarios
// through the daemon observe the same behaviour on all three. crun refuses
// hybrid cgroup hosts, so there it runs through scripts/crun-hybrid.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';

const hybrid = existsSync('/sys/fs/cgroup/unified/cgroup.controllers') && existsSync('/sys/fs/cgroup/memory');
const RUNTIMES: Record<string, string> = {
  'berth-runtime': join(REPO, 'native/build/berth-runtime'),
  runc: 'runc',
  crun: hybrid ? join(REPO, 'scripts/crun-hybrid') : 'crun',
};

const daemons: TestDaemon[] = [];
afterAll(async () => {
  for (const d of daemons) await d.stop();
});

/** Everything a user can observe of the scenarios, with ids and times left out. */
async function observe(runtime: string): Promise<Record<string, unknown>> {
  const d = await startDaemon(['--runtime', runtime]);
  daemons.push(d);
  loadBusybox(d);
  const o: Record<string, unknown> = {};
  const fg = d.berth(['run', '--rm', '-e', 'GREETING=hi', '-w', '/tmp', '-u', '1000:1000', '--hostname', 'rt-test', 'busybox',
    'sh', '-c', 'echo $GREETING; pwd; id -u; id -g; hostname; echo to-stderr >&2; exit 3']);
  o.foreground = { code: fg.code, stdout: fg.stdout, stderr: fg.stderr };
  o.isolation = ok(d.berth(['run', '--rm', 'busybox', 'sh', '-c',
    'echo pid=$$; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; touch /sys/x 2>&1 | head -c 40; echo; ls /proc/kcore 2>&1 | head -c 20']));
  ok(d.berth(['run', '-d', '--name', 'rt-detached', 'busybox', 'sleep', '300']));
  o.exec = d.berth(['exec', 'rt-detached', 'sh', '-c', 'echo in-exec; exit 4']);
  ok(d.berth(['pause', 'rt-detached']));
  o.paused = inspectContainer(d, 'rt-detached').State.Status;
  const pid = inspectContainer(d, 'rt-detached').State.Pid as number;
  o.frozen = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^State:\s+(\S)/m)![1];
  ok(d.berth(['unpause', 'rt-detached']));
  o.unpaused = inspectContainer(d, 'rt-detached').State.Status;
  ok(d.berth(['kill', '-s', 'TERM', 'rt-detached'])); // pid 1 without a handler ignores it
  await new Promise((r) => setTimeout(r, 300));
  o.afterTerm = inspectContainer(d, 'rt-detached').State.Status;
  ok(d.berth(['kill', 'rt-detached']));
  ok(d.berth(['wait', 'rt-detached']));
  o.killed = { exitCode: inspectContainer(d, 'rt-detached').State.ExitCode };
  ok(d.berth(['start', 'rt-detached']));
  ok(d.berth(['stop', '-t', '1', 'rt-detached']));
  o.stopped = { exitCode: inspectContainer(d, 'rt-detached').State.ExitCode, status: inspectContainer(d, 'rt-detached').State.Status };
  ok(d.berth(['rm', 'rt-detached']));
  o.missingCommand = d.berth(['run', '--rm', 'busybox', '/no/such/thing']).code;
  return o;
}

describe('the daemon on berth-runtime, runc and crun', () => {
  it('behaves the same on all three runtimes', async () => {
    const seen: Record<string, Record<string, unknown>> = {};
    for (const [name, path] of Object.entries(RUNTIMES)) seen[name] = await observe(path);
    const reference = seen['berth-runtime'];
    expect(reference.foreground).toEqual({ code: 3, stdout: 'hi\n/tmp\n1000\n1000\nrt-test\n', stderr: 'to-stderr\n' });
    expect(reference.exec).toMatchObject({ code: 4, stdout: 'in-exec\n' });
    expect(reference).toMatchObject({ paused: 'paused', frozen: 'D', unpaused: 'running', afterTerm: 'running', killed: { exitCode: 137 }, stopped: { exitCode: 137, status: 'exited' }, missingCommand: 127 });
    expect(reference.isolation).toMatch(/^pid=1\nCapEff:\s+00000000a80425fb\nNoNewPrivs:\s+1\n/);
    expect(seen.runc).toEqual(reference);
    expect(seen.crun).toEqual(reference);
  }, 240_000);
});
