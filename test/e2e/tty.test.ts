// run -it on a real pseudo-terminal against a real daemon: a shell prompt,
// the container's tty and window size, a resize, and detaching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI_JS, REPO, startDaemon, type TestDaemon } from '../fixtures/daemon.js';

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
