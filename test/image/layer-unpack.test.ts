import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { LayerWriter, unpackLayer } from '../../src/image/layer-unpack.js';
import { lgetxattr } from '../../src/native/addon.js';
import { buildBusyboxOciLayout } from '../fixtures/busybox-image.js';
import { makeTar, MTIME, TAR, TAR_GZIP, writeLayer } from './layer-fixtures.js';
import { rejection } from '../fixtures/stand-ins.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'berth-unpack-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const leftovers = (parent: string) => readdirSync(parent).filter((n) => n.includes('.tmp-'));

describe('unpackLayer: busybox', () => {
  it('unpacks the busybox layer with modes, symlinks and the config diffID', async () => {
    const layout = join(dir, 'layout');
    const img = await buildBusyboxOciLayout(layout);
    const config = JSON.parse(readFileSync(join(layout, 'blobs/sha256', img.config.digest.slice(7)), 'utf8'));
    const target = join(dir, 'rootfs');
    const r = await unpackLayer({ blobPath: join(layout, 'blobs/sha256', img.layer.digest.slice(7)), mediaType: img.layer.mediaType, target, expectedDiffId: config.rootfs.diff_ids[0] });
    expect(r.diffId).toBe(img.diffId);
    expect(r.size % 512).toBe(0);
    expect(r.contentSize).toBe(statSync('/bin/busybox').size + readFileSync(join(target, 'etc/passwd')).length + readFileSync(join(target, 'etc/group')).length);
    const bb = lstatSync(join(target, 'bin/busybox'));
    expect(bb.isFile()).toBe(true);
    expect(bb.mode & 0o7777).toBe(0o755);
    expect(bb.mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(readFileSync(join(target, 'bin/busybox')).equals(readFileSync('/bin/busybox'))).toBe(true);
    expect(lstatSync(join(target, 'bin/sh')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(target, 'bin/sh'))).toBe('busybox');
    expect(lstatSync(join(target, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(lstatSync(join(target, 'root')).mode & 0o7777).toBe(0o700);
    expect(lstatSync(join(target, 'bin')).mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(readFileSync(join(target, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('a wrong expected diffID is a digest_mismatch and leaves nothing', async () => {
    const blob = await writeLayer(dir, 'l.tar.gz', [{ name: 'a', content: 'x' }], true);
    const e = await rejection(unpackLayer({ blobPath: blob, mediaType: TAR_GZIP, target: join(dir, 'out'), expectedDiffId: `sha256:${'0'.repeat(64)}` }));
    expect(e.code).toBe('digest_mismatch');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('unpackLayer: entry kinds', () => {
  it('keeps ownership, special mode bits, absolute symlinks, hard links, fifos and devices', async () => {
    const entries = [
      { name: './', type: 'directory' as const, mode: 0o755 },
      { name: 'usr/', type: 'directory' as const, mode: 0o755, uid: 1, gid: 2 },
      { name: 'usr/bin/su', mode: 0o4755, uid: 0, gid: 0, content: 'su' },
      { name: 'usr/bin/wall', mode: 0o2755, uid: 0, gid: 5, content: 'wall' },
      { name: 'home/user/notes', mode: 0o640, uid: 1000, gid: 1000, content: 'hello' },
      { name: 'shared', type: 'directory' as const, mode: 0o1777 },
      { name: 'etc/localtime', type: 'symlink' as const, linkname: '/usr/share/zoneinfo/UTC' },
      { name: 'usr/bin/su-again', type: 'link' as const, linkname: 'usr/bin/su' },
      { name: 'run/fifo', type: 'fifo' as const, mode: 0o600 },
      { name: 'dev/null', type: 'character-device' as const, mode: 0o666, devmajor: 1, devminor: 3 },
      { name: 'dev/loop9', type: 'block-device' as const, mode: 0o660, devmajor: 7, devminor: 9 },
      { name: 'replaced', content: 'first' },
      { name: 'replaced', content: 'second' },
    ];
    const tarBytes = await makeTar(entries);
    const blob = join(dir, 'l.tar');
    writeFileSync(blob, tarBytes);
    const target = join(dir, 'out');
    mkdirSync(target); // an existing empty directory is accepted
    const r = await unpackLayer({ blobPath: blob, mediaType: TAR, target });
    expect(r.diffId).toBe(sha(tarBytes));
    expect(r.size).toBe(tarBytes.length);
    const st = (p: string) => lstatSync(join(target, p));
    expect(st('usr/bin/su').mode & 0o7777).toBe(0o4755);
    expect(st('usr/bin/wall').mode & 0o7777).toBe(0o2755);
    expect(st('usr/bin/wall').gid).toBe(5);
    expect(st('home/user/notes')).toMatchObject({ uid: 1000, gid: 1000 });
    expect(st('home/user/notes').mode & 0o7777).toBe(0o640);
    expect(st('home/user/notes').mtime.getTime()).toBe(MTIME.getTime());
    expect(st('usr')).toMatchObject({ uid: 1, gid: 2 });
    expect(st('usr').mtime.getTime()).toBe(MTIME.getTime());
    expect(st('shared').mode & 0o7777).toBe(0o1777);
    expect(readlinkSync(join(target, 'etc/localtime'))).toBe('/usr/share/zoneinfo/UTC');
    expect(st('usr/bin/su-again').ino).toBe(st('usr/bin/su').ino);
    expect(st('run/fifo').isFIFO()).toBe(true);
    expect(st('dev/null').isCharacterDevice()).toBe(true);
    expect(statSync('/dev/null').rdev).toBe(st('dev/null').rdev);
    expect(st('dev/loop9').isBlockDevice()).toBe(true);
    expect(readFileSync(join(target, 'replaced'), 'utf8')).toBe('second');
    expect(leftovers(dir)).toEqual([]);
  });

  it('converts .wh.NAME to a 0/0 character device', async () => {
    const blob = await writeLayer(dir, 'wh.tar', [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.motd' },
      { name: '.wh.opt' },
    ]);
    const target = join(dir, 'out');
    await unpackLayer({ blobPath: blob, mediaType: TAR, target });
    for (const p of ['etc/motd', 'opt']) {
      const s = lstatSync(join(target, p));
      expect(s.isCharacterDevice()).toBe(true);
      expect(s.rdev).toBe(0);
    }
    expect(existsSync(join(target, 'etc/.wh.motd'))).toBe(false);
  });

  it('converts .wh..wh..opq to trusted.overlay.opaque=y on its directory (before or after the directory entry)', async () => {
    const blob = await writeLayer(dir, 'opq.tar', [
      { name: 'var/cache/.wh..wh..opq' },
      { name: 'var/cache/', type: 'directory', mode: 0o750 },
      { name: 'var/cache/fresh', content: 'new' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/.wh..wh..opq' },
      { name: 'opt/.wh..wh.plnk' },
    ]);
    const target = join(dir, 'out');
    await unpackLayer({ blobPath: blob, mediaType: TAR, target });
    for (const d of ['var/cache', 'opt']) expect(lgetxattr(join(target, d), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(lgetxattr(join(target, 'var'), 'trusted.overlay.opaque')).toBeNull();
    expect(lstatSync(join(target, 'var/cache')).mode & 0o7777).toBe(0o750);
    expect(readdirSync(join(target, 'var/cache'))).toEqual(['fresh']);
    expect(readdirSync(join(target, 'opt'))).toEqual([]);
  });

  it('applies pax SCHILY.xattr.* records with lsetxattr', async () => {
    const blob = await writeLayer(dir, 'x.tar', [
      { name: 'bin/tool', content: 'x', pax: { 'SCHILY.xattr.user.berth': 'hello', 'SCHILY.xattr.trusted.berth': 'root-only' } },
      { name: 'lnk', type: 'symlink', linkname: 'bin/tool', pax: { 'SCHILY.xattr.trusted.onlink': 'l' } },
    ]);
    const target = join(dir, 'out');
    await unpackLayer({ blobPath: blob, mediaType: TAR, target });
    expect(lgetxattr(join(target, 'bin/tool'), 'user.berth')?.toString()).toBe('hello');
    expect(lgetxattr(join(target, 'bin/tool'), 'trusted.berth')?.toString()).toBe('root-only');
    expect(lgetxattr(join(target, 'lnk'), 'trusted.onlink')?.toString()).toBe('l');
    expect(lgetxattr(join(target, 'bin/tool'), 'trusted.onlink')).toBeNull();
  });

  it('refuses a target that is not empty, zstd, unknown media types and corrupt gzip', async () => {
    const blob = await writeLayer(dir, 'l.tar', [{ name: 'a', content: 'x' }]);
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full/file'), 'x');
    expect((await rejection(unpackLayer({ blobPath: blob, mediaType: TAR, target: join(dir, 'full') }))).code).toBe('conflict');
    const z = await rejection(unpackLayer({ blobPath: blob, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', target: join(dir, 'z') }));
    expect(z.message).toMatch(/not valid zstd data/);
    expect((await rejection(unpackLayer({ blobPath: blob, mediaType: 'text/plain', target: join(dir, 'u') }))).message).toMatch(/unknown layer media type/);
    const g = await rejection(unpackLayer({ blobPath: blob, mediaType: TAR_GZIP, target: join(dir, 'g') }));
    expect(g.code).toBe('invalid_argument');
    expect(g.message).toMatch(/not valid gzip/);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('LayerWriter', () => {
  const chunked = (b: Buffer, sizes: number[]): Buffer[] => {
    const out: Buffer[] = [];
    for (let off = 0, i = 0; off < b.length; i++) {
      const n = sizes[i % sizes.length]!;
      out.push(b.subarray(off, off + n));
      off += n;
    }
    return out;
  };

  it('unpacks a gzip layer fed in uneven chunks, each taken synchronously, and checks the diffID', async () => {
    const content = Buffer.alloc(300_000, 'berth ');
    const tarBytes = await makeTar([{ name: 'd', type: 'directory' }, { name: 'd/big', content }, { name: 'd/small', content: 'x' }]);
    const gz = gzipSync(tarBytes);
    const target = join(dir, 'out');
    const w = LayerWriter.open({ blobPath: 'blob', mediaType: TAR_GZIP, target, expectedDiffId: sha(tarBytes) });
    expect(leftovers(dir)).toHaveLength(1); // the temp directory, until finish
    for (const c of chunked(gz, [1, 7, 4096, 100_000, 3])) expect(w.write(c)).toBeUndefined();
    const r = await w.finish();
    expect(r.diffId).toBe(sha(tarBytes));
    expect(r.size).toBe(tarBytes.length);
    expect(readFileSync(join(target, 'd/big')).equals(content)).toBe(true);
    expect(readFileSync(join(target, 'd/small'), 'utf8')).toBe('x');
    expect(leftovers(dir)).toEqual([]);
  });

  it('abort removes what was unpacked; a wrong diffID or an unsafe entry leaves nothing either', async () => {
    const tarBytes = await makeTar([{ name: 'a', content: 'x' }]);
    const aborted = LayerWriter.open({ blobPath: 'blob', mediaType: TAR, target: join(dir, 'a') });
    aborted.write(tarBytes.subarray(0, 1024));
    await aborted.abort();
    expect(existsSync(join(dir, 'a'))).toBe(false);

    const wrong = LayerWriter.open({ blobPath: 'blob', mediaType: TAR, target: join(dir, 'w'), expectedDiffId: `sha256:${'0'.repeat(64)}` });
    wrong.write(tarBytes);
    expect((await rejection(wrong.finish())).code).toBe('digest_mismatch');
    expect(existsSync(join(dir, 'w'))).toBe(false);

    const evil = await makeTar([{ name: '../escape', content: 'x' }]);
    const unsafe = LayerWriter.open({ blobPath: 'blob', mediaType: TAR, target: join(dir, 'u') });
    let thrown: unknown;
    try {
      unsafe.write(evil); // the extraction's thread finds the entry: reported by the next write, or by finish
      await unsafe.finish();
    } catch (err) {
      thrown = err;
    }
    expect((thrown as { code?: string }).code).toBe('unsafe_layer');
    await unsafe.abort();
    expect(existsSync(join(dir, 'u'))).toBe(false);
    expect(existsSync(join(dir, '..', 'escape'))).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });
});
