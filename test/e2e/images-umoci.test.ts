// Berth's unpacked layer against an independent implementation: the same
// image pulled from a registry by berth, and by skopeo (copy to an OCI
// layout) + umoci (unpack to a bundle), gives the same file tree: paths,
// types, modes, owners, sizes, symlink targets, device numbers and xattrs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox, type BusyboxLayout } from '../fixtures/busybox-image.js';

const TREE_SCRIPT = resolve(import.meta.dirname, '../image/tree-manifest.py');

let d: TestDaemon;
let registry: TestRegistry;
let work: string;
let pushed: BusyboxLayout;

function tree(dir: string): Record<string, unknown> {
  return JSON.parse(execFileSync('python3', [TREE_SCRIPT, dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as Record<string, unknown>;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-umoci-'));
  registry = await startRegistry();
  pushed = await pushBusybox(registry.host);
  d = await startDaemon();
});

afterAll(async () => {
  await d?.stop();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('berth vs skopeo + umoci', () => {
  it('unpacks the busybox image to the same file tree', () => {
    const pull = d.berth(['pull', `${registry.host}/busybox`]);
    expect(pull.code).toBe(0);
    const layout = join(work, 'oci');
    execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/busybox:latest`, `oci:${layout}:latest`]);
    const bundle = join(work, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:latest`, bundle], { stdio: 'pipe' });
    // one layer: its chain id is its diff id
    const berthTree = tree(join(d.root, 'layers', pushed.diffId.slice(7)));
    const umociTree = tree(join(bundle, 'rootfs'));
    expect(Object.keys(berthTree).length).toBeGreaterThan(100);
    expect(Object.keys(berthTree).sort()).toEqual(Object.keys(umociTree).sort());
    expect(berthTree).toEqual(umociTree);
  });
});
