// system df (summary, -v, --format), container prune with filters and
// system prune (-a), end to end with a real daemon and containers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

interface DfRow { Type: string; TotalCount: string; Active: string; Size: string; Reclaimable: string }

function dfRows(): DfRow[] {
  return ok(d.berth(['system', 'df', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as DfRow);
}

function names(): string[] {
  return ok(d.berth(['ps', '-a', '--format', '{{.Names}}'])).trim().split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

describe('system df', () => {
  it('counts images, containers, volumes and build cache with sizes and reclaimable space', () => {
    ok(d.berth(['run', '-d', '--name', 'up', 'busybox', 'sh', '-c', 'head -c 300000 /dev/zero > /big; exec sleep 1000']));
    ok(d.berth(['run', '--name', 'down', 'busybox', 'sh', '-c', 'head -c 200000 /dev/zero > /big']));
    for (let i = 0; i < 100 && !ok(d.berth(['diff', 'up'])).includes('A /big'); i++) execWait();
    const rows = dfRows();
    expect(rows.map((r) => r.Type)).toEqual(['Images', 'Containers', 'Local Volumes', 'Build Cache']);
    expect(rows[0]).toMatchObject({ TotalCount: '1', Active: '1', Reclaimable: '0B (0%)' });
    expect(rows[0].Size).toMatch(/^2\.\d+MB$/);
    expect(rows[1]).toMatchObject({ TotalCount: '2', Active: '1', Size: '500kB', Reclaimable: '200kB (40%)' });
    expect(rows[2]).toMatchObject({ TotalCount: '0', Size: '0B' });
    expect(rows[3]).toMatchObject({ TotalCount: '0', Size: '0B' });
    const table = ok(d.berth(['system', 'df']));
    expect(table.split('\n')[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    const verbose = ok(d.berth(['system', 'df', '-v']));
    expect(verbose).toContain('Images space usage:');
    expect(verbose).toMatch(/busybox\s+latest\s+[0-9a-f]{12}/);
    expect(verbose).toMatch(/\s300kB\s.*\sup\n/);
    expect(verbose).toContain('Build cache usage: 0B');
  });
});

function execWait(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
}

describe('container prune', () => {
  it('keeps running containers and honours label and until filters', () => {
    ok(d.berth(['run', '--name', 'keep-me', '--label', 'keep=yes', 'busybox', 'true']));
    ok(d.berth(['run', '--name', 'old', 'busybox', 'true']));
    expect(ok(d.berth(['container', 'prune', '-f', '--filter', 'until=1h']))).toBe('Total reclaimed space: 0B\n');
    const out = ok(d.berth(['container', 'prune', '-f', '--filter', 'label!=keep=yes']));
    expect(out).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nTotal reclaimed space: 200(\.\d+)?kB\n$/);
    expect(names()).toEqual(['keep-me', 'up']);
    const bad = d.berth(['container', 'prune', '-f', '--filter', 'colour=red']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid filter 'colour'/);
  });
});

describe('system prune', () => {
  it('asks first, then removes stopped containers and dangling images; -a removes unused images', () => {
    const no = d.berth(['system', 'prune'], { input: 'n\n' });
    expect(no.stdout).toContain('WARNING! This will remove:');
    expect(names()).toEqual(['keep-me', 'up']);
    const commitId = ok(d.berth(['commit', 'up'])).trim(); // a dangling image
    const out = ok(d.berth(['system', 'prune', '-f']));
    expect(out).toContain('Deleted Containers:\n');
    expect(out).toContain(`deleted: ${commitId}`);
    expect(out).toMatch(/Total reclaimed space: [\d.]+[kM]?B\n$/);
    expect(names()).toEqual(['up']);
    ok(d.berth(['rm', '-f', 'up']));
    const all = ok(d.berth(['system', 'prune', '-a', '-f']));
    expect(all).toContain('untagged: busybox:latest');
    expect(ok(d.berth(['images', '-q']))).toBe('');
    expect(dfRows()[0]).toMatchObject({ TotalCount: '0', Size: '0B' });
  });
});
