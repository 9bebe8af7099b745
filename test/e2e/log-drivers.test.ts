// Log drivers through the daemon: json-file, rotation, none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok, loadBusybox, inspectContainer } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;


const inspect = (name: string) => inspectContainer(d, name);

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

describe('log drivers', () => {
  it('json-file writes Docker lines and logs reads them back', () => {
    const run = d.berth(['run', '--name', 'jf', '--log-driver', 'json-file', 'busybox', 'sh', '-c', 'echo one; echo two >&2']);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, 'one\n', 'two\n']);
    const doc = inspect('jf');
    expect(doc.HostConfig.LogConfig.Type).toBe('json-file');
    const lines = readFileSync(doc.LogPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.log, l.stream])).toEqual([['one\n', 'stdout'], ['two\n', 'stderr']]);
    expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    const r = d.berth(['logs', 'jf']);
    expect(r.stdout).toBe('one\n');
    expect(r.stderr).toBe('two\n');
    ok(d.berth(['rm', 'jf']));
  });

  it('rotates with max-size and max-file', () => {
    ok(d.berth(['run', '--name', 'rot', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done']));
    const log = inspect('rot').LogPath as string;
    const dir = log.slice(0, log.lastIndexOf('/'));
    const files = readdirSync(dir).filter((f) => f.startsWith('container.log')).sort();
    expect(files).toEqual(['container.log', 'container.log.1']);
    const tail = ok(d.berth(['logs', '--tail', '1', 'rot']));
    expect(tail).toBe('line-1999\n');
    ok(d.berth(['rm', 'rot']));
  });

  it('none keeps no log and says so', () => {
    ok(d.berth(['run', '--name', 'quiet', '--log-driver', 'none', 'busybox', 'echo', 'x']));
    const r = d.berth(['logs', 'quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not support reading/);
    ok(d.berth(['rm', 'quiet']));
  });

  it('rejects an unknown driver and option', () => {
    expect(d.berth(['run', '--log-driver', 'syslog', 'busybox', 'true']).code).toBe(125);
    expect(d.berth(['run', '--log-opt', 'colour=red', 'busybox', 'true']).code).toBe(125);
  });
});
