// run -it on a real pseudo-terminal against a real daemon: a shell prompt,
// the container's tty and window size, a resize, and detaching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI_JS, REPO, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { connect } from '../../cli/client.js';
import type { BerthError } from '../../src/errors.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
  const archive = join(d.dir, 'busybox.tar');
  execFileSync(process.execPath, [join(REPO, 'scripts/busybox-oci.mjs'), '--out', archive]);
  expect(d.berth(['load', '-i', archive]).code).toBe(0);
});

afterAll(async () => {
  await d?.stop();
});

describe('run -it', () => {
  it('gives a terminal, follows resizes, detaches with ctrl-p ctrl-q and restores the terminal', () => {
    const out = execFileSync('python3', [join(import.meta.dirname, 'tty-driver.py'), process.execPath, CLI_JS, `unix://${d.socket}`, 'shell'], { encoding: 'utf8', timeout: 60_000 });
    const report = JSON.parse(out) as { code?: number; screen: string; restored?: boolean; error?: string };
    expect(report.error, report.screen).toBeUndefined();
    expect(report.screen).toMatch(/\/dev\/pts\/0/);
    expect(report.screen).toMatch(/24 80/);
    expect(report.screen).toMatch(/40 100/);
    expect(report.code).toBe(0);
    expect(report.restored).toBe(true);
    const ps = d.berth(['ps', '--format', '{{.Names}} {{.Status}}']);
    expect(ps.stdout).toMatch(/^shell Up/m);
    expect(d.berth(['rm', '-f', 'shell']).code).toBe(0);
  });
});

describe('exec -it', () => {
  it('gives the exec its own terminal and resizes that terminal, not the container\'s', () => {
    expect(d.berth(['run', '-d', '-t', '--name', 'host', 'busybox', 'sleep', '600']).code).toBe(0);
    const out = execFileSync('python3', [join(import.meta.dirname, 'tty-driver.py'), process.execPath, CLI_JS, `unix://${d.socket}`, 'host', 'exec'], { encoding: 'utf8', timeout: 60_000 });
    const report = JSON.parse(out) as { code?: number; screen: string; restored?: boolean; error?: string };
    expect(report.error, report.screen).toBeUndefined();
    expect(report.screen).toMatch(/\/dev\/pts\/[1-9]/); // pts/0 is the container's
    expect(report.screen).toMatch(/24 80/);
    expect(report.screen).toMatch(/40 100/);
    expect(report.code).toBe(0);
    expect(report.restored).toBe(true);
    // the container's own terminal kept its size
    const own = d.berth(['exec', 'host', 'sh', '-c', 'stty size < /dev/pts/0 2>&1']);
    expect(own.code).toBe(0);
    expect(own.stdout).not.toMatch(/40 100/);
    expect(d.berth(['rm', '-f', 'host']).code).toBe(0);
  });

  it('refuses to resize an exec that does not exist, or a malformed exec id, with a clear error', async () => {
    expect(d.berth(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '600']).code).toBe(0);
    const client = await connect(`unix://${d.socket}`);
    try {
      const gone = await client.call('container.resize', { id: 'plain', execId: 'ab'.repeat(16), rows: 10, cols: 10 }).catch((e: BerthError) => e);
      expect(gone).toMatchObject({ code: 'not_found', message: expect.stringContaining('no such exec') });
      const bad = await client.call('container.resize', { id: 'plain', execId: '../../etc', rows: 10, cols: 10 }).catch((e: BerthError) => e);
      expect(bad).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('invalid exec id') });
      // an exec is resized only through the container it runs in
      expect(d.berth(['run', '-d', '--name', 'other', 'busybox', 'sleep', '600']).code).toBe(0);
      const { execId } = (await client.call('container.exec', { id: 'plain', cmd: ['sleep', '600'], tty: true, detach: true })) as { execId: string };
      const foreign = await client.call('container.resize', { id: 'other', execId, rows: 10, cols: 10 }).catch((e: BerthError) => e);
      expect(foreign).toMatchObject({ code: 'not_found', message: expect.stringContaining('belongs to another container') });
      expect(await client.call('container.resize', { id: 'plain', execId, rows: 33, cols: 77 })).toBeNull();
      expect(d.berth(['exec', 'plain', 'sh', '-c', 'for p in /dev/pts/[0-9]*; do stty size < $p; done']).stdout).toMatch(/33 77/);
    } finally {
      client.close();
    }
    expect(d.berth(['rm', '-f', 'plain', 'other']).code).toBe(0);
  });
});
