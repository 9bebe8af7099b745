// The daemon fixture leaves the host as it found it: after a daemon that made
// a user network's bridge has stopped (berthd keeps its bridges when it stops,
// as dockerd does), the bridge and the temporary directory are gone; a daemon
// that refuses to start leaves no directory either.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';

const linkExists = (name: string) => spawnSync('ip', ['link', 'show', name]).status === 0;

describe('daemon fixture cleanup', () => {
  it('removes the bridges of networks the daemon made, once it has stopped', async () => {
    const d = await startDaemon();
    loadBusybox(d);
    ok(d.berth(['network', 'create', '--subnet', '10.251.9.0/24', 'tidy']));
    const bridge = JSON.parse(ok(d.berth(['network', 'inspect', 'tidy'])))[0].Options['com.docker.network.bridge.name'] as string;
    ok(d.berth(['run', '--rm', '--network', 'tidy', 'busybox', 'true']));
    expect(linkExists(bridge)).toBe(true);
    await d.stop();
    expect(linkExists(bridge)).toBe(false);
    expect(existsSync(d.dir)).toBe(false);
  });

  it('a daemon that refuses to start leaves no temporary directory', async () => {
    const before = new Set(spawnSync('sh', ['-c', 'ls -d /tmp/berth-t-* 2>/dev/null'], { encoding: 'utf8' }).stdout.split('\n'));
    const err = await startDaemon(['--no-such-flag']).then(async (d) => { await d.stop(); return ''; }, (e: Error) => e.message);
    expect(err).toMatch(/exited/);
    const after = spawnSync('sh', ['-c', 'ls -d /tmp/berth-t-* 2>/dev/null'], { encoding: 'utf8' }).stdout.split('\n');
    expect(after.filter((p) => !before.has(p))).toEqual([]);
  });
});
