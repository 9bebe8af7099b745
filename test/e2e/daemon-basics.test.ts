// The daemon's surface besides `run`: its socket, version/info, loading the
// seed image, pulling each manifest kind, and clear errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusyboxMultiPlatform, pushBusyboxSchema2 } from '../fixtures/busybox-image.js';

let registry: TestRegistry;
let daemon: TestDaemon;

beforeAll(async () => {
  registry = await startRegistry();
  await pushBusyboxSchema2(registry.host);
  await pushBusyboxMultiPlatform(registry.host);
  daemon = await startDaemon();
});

afterAll(async () => {
  await daemon?.stop();
  await registry?.stop();
});

function runtimeArgs(): string[] {
  return process.env.BERTH_TEST_RUNTIME ? ['--runtime', process.env.BERTH_TEST_RUNTIME] : [];
}

function ok(r: { code: number; stderr: string }): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
}

describe('berthd', () => {
  it('listens on a socket that only root (and its group) may use', () => {
    const st = statSync(daemon.socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
    expect(st.uid).toBe(0);
  });

  it('keeps unpacked layers in a top directory (chattr +T) on ext4, so each layer gets a block group of its own', () => {
    const layers = join(daemon.root, 'layers');
    expect(statSync(layers).isDirectory()).toBe(true);
    const fsType = execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', layers], { encoding: 'utf8' }).trim();
    // elsewhere (tmpfs, overlayfs) there is no such flag and the daemon starts without it
    if (fsType === 'ext4') expect(execFileSync('lsattr', ['-d', layers], { encoding: 'utf8' }).split(' ')[0]).toContain('T');
  });

  it('answers version and info', () => {
    const v = daemon.berth(['version']);
    ok(v);
    expect(v.stdout).toMatch(/Client:/);
    expect(v.stdout).toMatch(/Server:/);
    const info = daemon.berth(['info']);
    ok(info);
    expect(info.stdout).toMatch(/Cgroup Layout: (v1|v2|hybrid)/);
    expect(info.stdout).toMatch(/Actor Hosts: 2/);
  });

  it('refuses a second daemon on the same socket', () => {
    let out = '';
    try {
      execFileSync(process.execPath, [join(REPO, 'dist/src/daemon/main.js'), '--root', join(daemon.dir, 'root2'), '--socket', daemon.socket, ...runtimeArgs()], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = String((e as { stderr: string }).stderr);
    }
    expect(out).toMatch(/another daemon is already listening/);
  });

  it('refuses a second daemon on the same root', () => {
    let out = '';
    try {
      execFileSync(process.execPath, [join(REPO, 'dist/src/daemon/main.js'), '--root', daemon.root, '--socket', join(daemon.dir, 'other.sock'), ...runtimeArgs()], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = String((e as { stderr: string }).stderr);
    }
    expect(out).toMatch(/another daemon \(pid \d+\) is using/);
  });

  it('rejects an unknown flag with a clear message', () => {
    let out = '';
    try {
      execFileSync(process.execPath, [join(REPO, 'dist/src/daemon/main.js'), '--no-such-flag'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      out = String((e as { stderr: string }).stderr);
    }
    expect(out).toBe('berthd: unknown flag --no-such-flag; see berthd --help\n');
  });
});

describe('images', () => {
  it('loads the seed image from an OCI archive, as set-up does, and runs it', () => {
    const archive = join(daemon.dir, 'busybox.tar');
    execFileSync(process.execPath, [join(REPO, 'scripts/busybox-oci.mjs'), '--out', archive]);
    const load = daemon.berth(['load', '-i', archive]);
    ok(load);
    expect(load.stdout).toBe('Loaded image: busybox:latest\n');
    const run = daemon.berth(['run', '--rm', 'busybox', 'echo', 'hello']);
    ok(run);
    expect(run.stdout).toBe('hello\n');
  });

  it('pulls a Docker schema2 image', () => {
    const r = daemon.berth(['pull', `${registry.host}/busybox-v2s2`]);
    ok(r);
    ok(daemon.berth(['run', '--rm', `${registry.host}/busybox-v2s2`, 'true']));
  });

  it('resolves a multi-platform index to linux/amd64', () => {
    ok(daemon.berth(['pull', `${registry.host}/busybox-multi`]));
    const r = daemon.berth(['run', '--rm', `${registry.host}/busybox-multi`, 'uname', '-m']);
    ok(r);
    expect(r.stdout).toBe('x86_64\n');
  });

  it('says clearly when an image does not exist in the registry', () => {
    const r = daemon.berth(['pull', `${registry.host}/no-such-image`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-such-image/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const run = daemon.berth(['run', '--rm', `${registry.host}/no-such-image`, 'true']);
    expect(run.code).toBe(125);
  });

  it('says clearly when a registry is unreachable', () => {
    const r = daemon.berth(['pull', '127.0.0.1:1/busybox']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1/);
  });

  it('rejects a malformed reference', () => {
    const r = daemon.berth(['pull', 'UPPER/Case:bad tag']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid reference format|invalid/i);
  });

  it('rejects a duplicate container name', () => {
    ok(daemon.berth(['run', '--name', 'twin', 'busybox', 'true']));
    const r = daemon.berth(['run', '--name', 'twin', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/The container name "\/twin" is already in use/);
    ok(daemon.berth(['rm', 'twin']));
  });

  it('says which container does not exist', () => {
    const r = daemon.berth(['stop', 'nope-nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No such container: nope-nope/);
  });
});
