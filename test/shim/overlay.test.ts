// --rootfs-overlay: the shim mounts overlay at BUNDLE/rootfs for the
// container's life and unmounts it when the container is gone.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';
import { AttachConn, FRAME, Sandbox, eventually, isMounted, mountFsType, processAlive } from './helpers.js';

let box: Sandbox;

afterEach(async () => {
  await box?.cleanup();
});

function overlayDirs() {
  const lower = makeBusyboxRootfs(join(box.dir, 'lower'));
  const extra = join(box.dir, 'lower2');
  mkdirSync(join(extra, 'etc'), { recursive: true });
  const upper = join(box.dir, 'upper');
  const work = join(box.dir, 'work');
  mkdirSync(upper);
  mkdirSync(work);
  return { opts: `lowerdir=${extra}:${lower},upperdir=${upper},workdir=${work}`, upper };
}

describe('berth-shim --rootfs-overlay', () => {
  it('mounts the overlay for the container and unmounts it after the exit', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'echo written > /tmp/proof; cat /etc/passwd | head -1'], { rootfs: false });
    const { opts, upper } = overlayDirs();
    const rootfs = join(box.bundle, 'rootfs');
    box.trackMount(rootfs);
    const reply = await box.runShim(['--rootfs-overlay', opts]);
    expect(reply.json.ok, reply.stdout).toBe(true);
    expect(mountFsType(rootfs)).toBe('overlay');

    const c = await AttachConn.open(join(box.state, 'attach.sock'));
    c.send(FRAME.START);
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(c.stream(FRAME.STDOUT)).toBe('root:x:0:0:root:/root:/bin/sh\n');
    await c.waitClosed();
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');

    expect(isMounted(rootfs)).toBe(false);
    expect(readFileSync(join(upper, 'tmp/proof'), 'utf8')).toBe('written\n');
  });

  it('unmounts the overlay when create fails', async () => {
    box = new Sandbox();
    box.makeBundle(['nope'], { rootfs: false });
    const { opts } = overlayDirs();
    const rootfs = join(box.bundle, 'rootfs');
    box.trackMount(rootfs);
    const reply = await box.runShim(['--rootfs-overlay', opts]);
    expect(reply.json.ok).toBe(false);
    expect(reply.json.error).toMatch(/nope/);
    expect(isMounted(rootfs)).toBe(false);
    expect(existsSync(rootfs)).toBe(true);
  });

  it('reports a bad overlay option as a mount error', async () => {
    box = new Sandbox();
    box.makeBundle(['true'], { rootfs: false });
    const reply = await box.runShim(['--rootfs-overlay', `lowerdir=${join(box.dir, 'missing')}`]);
    expect(reply.code).toBe(1);
    expect(reply.json.ok).toBe(false);
    expect(reply.json.error).toMatch(/mount overlay on .*rootfs/);
    expect(isMounted(join(box.bundle, 'rootfs'))).toBe(false);
  });
});
