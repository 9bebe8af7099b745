// berth_native.node through src/native/addon.ts: real syscalls in a temp dir (as root).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as addon from '../../src/native/addon.js';
import { constants, lgetxattr, lsetxattr, mknod, mount, umount2 } from '../../src/native/addon.js';

let dir: string;
const mounted: string[] = [];

function mountInfo(path: string): string[] | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[4] === path) return f;
  }
  return undefined;
}

function thrown(fn: () => unknown): addon.NativeError {
  try {
    fn();
  } catch (e) {
    return e as addon.NativeError;
  }
  throw new Error('expected an exception');
}

beforeEach(() => {
  dir = mkdtempSync('/tmp/berth-addon-test-');
});

afterEach(() => {
  for (const m of mounted.splice(0).reverse()) {
    if (mountInfo(m)) execFileSync('umount', ['-l', m]);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('berth_native addon', () => {
  it('loads from the package root and exposes the constants', () => {
    expect(addon.addonPath()).toBe(resolve(import.meta.dirname, '../../native/build/berth_native.node'));
    expect({ ...constants }).toEqual({
      MS_RDONLY: addon.MS_RDONLY, MS_NOSUID: addon.MS_NOSUID, MS_NODEV: addon.MS_NODEV, MS_NOEXEC: addon.MS_NOEXEC,
      MS_REMOUNT: addon.MS_REMOUNT, MS_BIND: addon.MS_BIND, MS_REC: addon.MS_REC, MS_PRIVATE: addon.MS_PRIVATE,
      MS_SLAVE: addon.MS_SLAVE, MS_SHARED: addon.MS_SHARED, MNT_FORCE: addon.MNT_FORCE, MNT_DETACH: addon.MNT_DETACH,
      S_IFCHR: addon.S_IFCHR, S_IFBLK: addon.S_IFBLK, S_IFIFO: addon.S_IFIFO,
    });
    expect(constants.MS_BIND).toBe(4096);
    expect(constants.S_IFCHR).toBe(0o020000);
  });

  it('mknod creates a character device 0/0 (an overlay whiteout), another device and a fifo', () => {
    const whiteout = join(dir, 'whiteout');
    mknod(whiteout, constants.S_IFCHR | 0o600, 0, 0);
    const st = statSync(whiteout);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(0);
    expect(st.mode & 0o7777).toBe(0o600);

    const null2 = join(dir, 'null');
    mknod(null2, constants.S_IFCHR | 0o666, 1, 3);
    const nst = statSync(null2);
    expect(nst.isCharacterDevice()).toBe(true);
    expect(nst.rdev).toBe(statSync('/dev/null').rdev);

    const fifo = join(dir, 'fifo');
    mknod(fifo, constants.S_IFIFO | 0o644, 0, 0);
    expect(statSync(fifo).isFIFO()).toBe(true);

    const e = thrown(() => mknod(fifo, constants.S_IFIFO | 0o644, 0, 0));
    expect(e.code).toBe('EEXIST');
  });

  it('lsetxattr/lgetxattr round-trip trusted.overlay.opaque and do not follow symlinks', () => {
    const d = join(dir, 'opaque');
    mkdirSync(d);
    expect(lgetxattr(d, 'trusted.overlay.opaque')).toBeNull();
    lsetxattr(d, 'trusted.overlay.opaque', Buffer.from('y'));
    const v = lgetxattr(d, 'trusted.overlay.opaque');
    expect(Buffer.isBuffer(v)).toBe(true);
    expect(v!.toString()).toBe('y');
    // Replacing works, and binary values survive.
    lsetxattr(d, 'trusted.overlay.opaque', Buffer.from([0, 1, 2, 255]));
    expect([...lgetxattr(d, 'trusted.overlay.opaque')!]).toEqual([0, 1, 2, 255]);
    // An empty value is a value, not "absent".
    lsetxattr(d, 'trusted.berth.empty', Buffer.alloc(0));
    expect(lgetxattr(d, 'trusted.berth.empty')).toEqual(Buffer.alloc(0));

    const target = join(dir, 'target');
    writeFileSync(target, 'x');
    const link = join(dir, 'link');
    symlinkSync('target', link);
    lsetxattr(link, 'trusted.berth.link', Buffer.from('on-link'));
    expect(lgetxattr(link, 'trusted.berth.link')!.toString()).toBe('on-link');
    expect(lgetxattr(target, 'trusted.berth.link')).toBeNull();
  });

  it('mounts a tmpfs, bind-mounts it, changes propagation and unmounts with umount2', () => {
    const t = join(dir, 'tmpfs');
    mkdirSync(t);
    mount('tmpfs', t, 'tmpfs', 0, 'size=1m,mode=0700');
    mounted.push(t);
    const info = mountInfo(t)!;
    expect(info).toBeDefined();
    expect(info[info.indexOf('-') + 1]).toBe('tmpfs');
    expect(statSync(t).mode & 0o777).toBe(0o700);
    writeFileSync(join(t, 'file'), 'on tmpfs');

    const b = join(dir, 'bind');
    mkdirSync(b);
    mount(t, b, null, constants.MS_BIND | constants.MS_REC, null);
    mounted.push(b);
    expect(readFileSync(join(b, 'file'), 'utf8')).toBe('on tmpfs');
    mount(null, b, null, constants.MS_PRIVATE, null);
    mount(null, b, null, constants.MS_REMOUNT | constants.MS_BIND | constants.MS_RDONLY, null);
    expect(thrown(() => writeFileSync(join(b, 'other'), 'x')).code).toBe('EROFS');

    umount2(b, constants.MNT_DETACH);
    expect(mountInfo(b)).toBeUndefined();
    umount2(t, 0);
    expect(mountInfo(t)).toBeUndefined();
    expect(existsSync(join(t, 'file'))).toBe(false);
  });

  it('throws errno errors naming the path', () => {
    const missing = join(dir, 'missing', 'x');
    let e = thrown(() => mknod(missing, constants.S_IFIFO | 0o600, 0, 0));
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('ENOENT');
    expect(e.errno).toBe(-2);
    expect(e.syscall).toBe('mknod');
    expect(e.path).toBe(missing);
    expect(e.message).toBe(`ENOENT: No such file or directory, mknod '${missing}'`);

    e = thrown(() => lgetxattr(missing, 'trusted.overlay.opaque'));
    expect([e.code, e.syscall, e.path]).toEqual(['ENOENT', 'lgetxattr', missing]);
    e = thrown(() => lsetxattr(missing, 'trusted.overlay.opaque', Buffer.from('y')));
    expect([e.code, e.syscall, e.path]).toEqual(['ENOENT', 'lsetxattr', missing]);
    e = thrown(() => mount('tmpfs', missing, 'tmpfs', 0, null));
    expect([e.code, e.syscall, e.path]).toEqual(['ENOENT', 'mount', missing]);
    e = thrown(() => umount2(dir, 0));
    expect([e.code, e.syscall, e.path]).toEqual(['EINVAL', 'umount2', dir]);
    expect(e.message).toContain(dir);
    e = thrown(() => mount('none', dir, 'no-such-fs', 0, null));
    expect(e.code).toBe('ENODEV');
  });

  it('rejects arguments of the wrong type with a TypeError', () => {
    const bad = addon as unknown as Record<string, (...a: unknown[]) => unknown>;
    let e = thrown(() => bad.mknod(42, 0, 0, 0));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(e.message).toBe('path must be a string');
    e = thrown(() => bad.lsetxattr(join(dir, 'x'), 'trusted.a', 'not a buffer'));
    expect(e).toBeInstanceOf(TypeError);
    e = thrown(() => bad.mount(null, null, null, 0, null));
    expect(e.message).toBe('target must be a string');
    e = thrown(() => bad.umount2(dir, 1.5));
    expect(e.message).toBe('flags must be an integer');
    e = thrown(() => bad.mknod('a\0b', 0, 0, 0));
    expect(e.message).toBe('path must not contain NUL bytes');
  });
});

describe('syncfs', () => {
  it('flushes the filesystem of a path off the thread, and rejects with an errno error naming a missing path', async () => {
    writeFileSync(join(dir, 'f'), 'data');
    await expect(addon.syncfs(dir)).resolves.toBeUndefined();
    const missing = join(dir, 'nope');
    const e = (await addon.syncfs(missing).then(() => undefined, (x: unknown) => x)) as addon.NativeError;
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('ENOENT');
    expect(e.syscall).toBe('syncfs');
    expect(e.path).toBe(missing);
  });

  it('does not wait for libuv\'s thread pool: it settles while every pool thread is blocked', async () => {
    // each open of a FIFO without a writer blocks one of libuv's threads until a writer comes
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const fifos = Array.from({ length: poolSize }, (_, i) => join(dir, `fifo${i}`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    const blocked = fifos.map((f) => open(f, 'r'));
    try {
      const inTime = await Promise.race([addon.syncfs(dir).then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
      expect(inTime).toBe(true);
    } finally {
      for (const f of fifos) closeSync(openSync(f, 'w')); // the blocked opens return
      for (const h of await Promise.all(blocked)) await h.close();
    }
  });

  it('serves requests from several threads at once; a missing path among them fails alone', async () => {
    const addonPath = resolve('native/build/berth_native.node');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const m = { exports: {} };
      process.dlopen(m, workerData.addonPath);
      const calls = [0, 1, 2, 3].map(() => m.exports.syncfs(workerData.dir).then(() => 'ok', (e) => e.code));
      calls.push(m.exports.syncfs(workerData.dir + '/missing').then(() => 'ok', (e) => e.code));
      Promise.all(calls).then((r) => parentPort.postMessage(r));`;
    const runs = [0, 1, 2].map(
      () => new Promise((res, rej) => new Worker(code, { eval: true, workerData: { addonPath, dir } }).once('message', res).once('error', rej)),
    );
    const mine = [addon.syncfs(dir), addon.syncfs(dir)];
    expect(await Promise.all(runs)).toEqual([0, 1, 2].map(() => ['ok', 'ok', 'ok', 'ok', 'ENOENT']));
    await expect(Promise.all(mine)).resolves.toEqual([undefined, undefined]);
  });
});

describe('writeOutFile', () => {
  /** A memory file holding `data`; the caller closes it. */
  function memoryFile(data: Buffer): number {
    const fd = addon.memfdCreate('write-out-test');
    writeFileSync(fd, data);
    return fd;
  }
  /** The nice value of each of this process's threads. */
  function threadNices(): number[] {
    return readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
  }

  it('copies the whole file into a 0644 file at the path (one there is emptied first), from a thread at the lowest priority', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 1234);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    const fd = memoryFile(data);
    const target = join(dir, 'blob');
    writeFileSync(target, 'x'.repeat(5 * 1024 * 1024), { mode: 0o600 });
    const done = addon.writeOutFile(fd, target);
    addon.closeFd(fd); // the copy reads its own duplicate
    await expect(done).resolves.toBeUndefined();
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(statSync(target).mode & 0o7777).toBe(0o644); // a file that was there is emptied and given the mode too
    const fresh = join(dir, 'fresh');
    const fd2 = memoryFile(data.subarray(0, 1000));
    await addon.writeOutFile(fd2, fresh);
    addon.closeFd(fd2);
    expect(readFileSync(fresh).equals(data.subarray(0, 1000))).toBe(true);
    expect(statSync(fresh).mode & 0o7777).toBe(0o644);
    expect(threadNices()).toContain(19);
  });

  it('writes several at once, each whole; a bad destination fails alone with an errno error naming it', async () => {
    const parts = [0, 1, 2, 3].map((i) => Buffer.alloc(700_000 + i, 65 + i));
    const fds = parts.map(memoryFile);
    const missing = join(dir, 'no-such-dir', 'blob');
    const results = await Promise.all([
      ...fds.map((fd, i) => addon.writeOutFile(fd, join(dir, `part${i}`)).then(() => 'ok')),
      addon.writeOutFile(fds[0]!, missing).then(() => 'ok', (e: addon.NativeError) => `${e.code} ${e.syscall} ${e.path}`),
    ]);
    for (const fd of fds) addon.closeFd(fd);
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', `ENOENT open ${missing}`]);
    parts.forEach((p, i) => expect(readFileSync(join(dir, `part${i}`)).equals(p)).toBe(true));
  });

  it('refuses a descriptor that is not open, and a file it cannot read', async () => {
    const fd = addon.memfdCreate('closed');
    addon.closeFd(fd);
    expect(() => addon.writeOutFile(fd, join(dir, 'x'))).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const writeOnly = openSync(join(dir, 'w'), 'w');
    try {
      const e = (await addon.writeOutFile(writeOnly, join(dir, 'y')).then(() => undefined, (x: unknown) => x)) as addon.NativeError;
      expect(e.code).toBe('EBADF');
      expect(e.path).toBe(join(dir, 'y'));
    } finally {
      closeSync(writeOnly);
    }
  });
});

describe('markTopDir', () => {
  const lsattrFlags = (path: string) => execFileSync('lsattr', ['-d', path], { encoding: 'utf8' }).split(' ')[0];

  it('gives a directory on ext4 the top-directory flag (chattr +T); elsewhere it says it could not', () => {
    const ext4 = mountFsType(dir) === 'ext4';
    expect(addon.markTopDir(dir)).toBe(ext4);
    if (ext4) {
      expect(lsattrFlags(dir)).toContain('T');
      expect(addon.markTopDir(dir)).toBe(true); // already marked
    }
    // a filesystem without the flag: tmpfs
    const t = join(dir, 'tmpfs');
    mkdirSync(t);
    mount('tmpfs', t, 'tmpfs', 0, 'size=1m');
    mounted.push(t);
    expect(addon.markTopDir(t)).toBe(false);
  });

  it('throws errno errors for a missing path or a file', () => {
    const missing = join(dir, 'missing');
    expect(thrown(() => addon.markTopDir(missing)).code).toBe('ENOENT');
    writeFileSync(join(dir, 'file'), '');
    expect(thrown(() => addon.markTopDir(join(dir, 'file'))).code).toBe('ENOTDIR');
  });
});

/** The filesystem type of the mount holding `path`. */
function mountFsType(path: string): string {
  return execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', path], { encoding: 'utf8' }).trim();
}

describe('mallocTune', () => {
  it('sets glibc malloc retention (true) and refuses sizes out of range', () => {
    expect(addon.mallocTune(64 << 20, 16 << 20, 32 << 20)).toBe(true);
    expect(thrown(() => addon.mallocTune(-1, 0, 0)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => addon.mallocTune(0, 0, 64 << 20)).code).toBe('ERR_OUT_OF_RANGE');
    // glibc's defaults again (dynamic thresholds stay off for the rest of this process: harmless in a test)
    expect(addon.mallocTune(128 << 10, 0, 128 << 10)).toBe(true);
  });
});

describe('memory files and the memory budget', () => {
  it('memfdCreate gives a file outside every filesystem, reopenable by /proc/self/fd; closeFd closes it', () => {
    const fd = addon.memfdCreate('berth-blob-test');
    expect(fd).toBeGreaterThan(2);
    writeFileSync(`/proc/self/fd/${fd}`, 'held in memory');
    expect(readFileSync(`/proc/self/fd/${fd}`, 'utf8')).toBe('held in memory');
    expect(statSync(`/proc/self/fd/${fd}`).nlink).toBe(0); // no name in any directory
    addon.closeFd(fd);
    expect(existsSync(`/proc/self/fd/${fd}`)).toBe(false);
    expect(thrown(() => addon.closeFd(-1)).code).toBe('ERR_OUT_OF_RANGE');
    expect(thrown(() => addon.memfdCreate(1 as unknown as string)).code).toBe('ERR_INVALID_ARG_TYPE');
  });

  it('memBudgetTake takes only within the limit, one count for every thread; memBudgetGive gives back', async () => {
    expect(addon.memBudgetTake(600, 1000)).toBe(true);
    expect(addon.memBudgetTake(600, 1000)).toBe(false); // 1200 > 1000
    const addonPath = resolve('native/build/berth_native.node');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const m = { exports: {} };
      process.dlopen(m, workerData.addonPath);
      parentPort.postMessage([m.exports.memBudgetTake(400, 1000), m.exports.memBudgetTake(1, 1000)]);`;
    const seen = await new Promise((res, rej) => new Worker(code, { eval: true, workerData: { addonPath } }).once('message', res).once('error', rej));
    expect(seen).toEqual([true, false]); // the worker sees this thread's 600
    expect(addon.memBudgetGive(1000)).toBe(0);
    expect(addon.memBudgetTake(1000, 1000)).toBe(true);
    expect(addon.memBudgetGive(1000)).toBe(0);
    expect(thrown(() => addon.memBudgetTake(-1, 10)).code).toBe('ERR_OUT_OF_RANGE');
  });
});
