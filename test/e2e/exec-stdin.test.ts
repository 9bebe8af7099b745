// exec into a running container, and stdin for run -i / exec -i.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok, loadBusybox } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;


beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
  ok(d.berth(['run', '-d', '--name', 'host', '-e', 'FROM_RUN=1', 'busybox', 'sleep', '300']));
});

afterAll(async () => {
  await d?.stop();
});

describe('exec', () => {
  it('runs in the container namespaces with its environment, and returns the exit code', () => {
    const r = d.berth(['exec', 'host', 'sh', '-c', 'echo $FROM_RUN; hostname; cat /proc/1/cmdline | tr "\\0" " "; exit 5']);
    expect(r.code).toBe(5);
    const [env, hostname, pid1] = r.stdout.split('\n');
    expect(env).toBe('1');
    expect(hostname).toMatch(/^[0-9a-f]{12}$/);
    expect(pid1).toBe('sleep 300 ');
  });

  it('takes -e, -w and -u', () => {
    expect(ok(d.berth(['exec', '-e', 'X=y', '-w', '/tmp', '-u', '65534', 'host', 'sh', '-c', 'echo $X $(pwd) $(id -u)']))).toBe('y /tmp 65534\n');
  });

  it('passes stdin with -i', () => {
    expect(ok(d.berth(['exec', '-i', 'host', 'sh', '-c', 'tr a-z A-Z'], { input: 'hello\n' }))).toBe('HELLO\n');
  });

  it('fails clearly for a missing command and a stopped container', () => {
    const r = d.berth(['exec', 'host', 'no-such-cmd']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/no-such-cmd/);
    ok(d.berth(['create', '--name', 'idle', 'busybox', 'true']));
    const s = d.berth(['exec', 'idle', 'true']);
    expect(s.code).not.toBe(0);
    expect(s.stderr).toMatch(/is not running/);
  });
});

describe('stdin', () => {
  it('run -i feeds the container stdin and closes it at EOF', () => {
    expect(ok(d.berth(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'wc -l'], { input: 'a\nb\nc\n' })).trim()).toBe('3');
  });

  it('without -i the container stdin is empty', () => {
    expect(ok(d.berth(['run', '--rm', 'busybox', 'sh', '-c', 'cat; echo done'], { input: 'ignored\n' }))).toBe('done\n');
  });
});
