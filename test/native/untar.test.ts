// The addon's layer extraction (native/addon/untar*.c) on archives built byte
// by byte: every entry type with its metadata, PAX and GNU long names,
// xattrs, overlay whiteouts, replacement rules, chunking, gzip in one call.
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipCreate, gunzipEnd, lgetxattr, untarCreate, untarEnd, untarFinish, untarGunzip } from '../../src/native/addon.js';
import { archive, entry, gnuLong, pax } from './tar-builder.js';
import { extract, sandboxesPerTest, sha } from './untar-fixture.js';

const box = sandboxesPerTest();

const kinds = archive(
  entry({ name: './', type: '5', mode: 0o755, mtime: 1_500_000_000 }),
  entry({ name: 'usr/', type: '5', mode: 0o750, uid: 1, gid: 2, mtime: 1_500_000_001 }),
  entry({ name: 'usr/bin/su', mode: 0o4755, data: 'su-binary' }),
  entry({ name: 'usr/bin/wall', mode: 0o2755, gid: 5, data: 'wall' }),
  entry({ name: 'home/user/notes', mode: 0o640, uid: 1000, gid: 1000, data: 'hello', mtime: 1_234_567_890 }),
  entry({ name: 'shared/', type: '5', mode: 0o1777 }),
  entry({ name: 'etc/localtime', type: '2', linkname: '/usr/share/zoneinfo/UTC' }),
  entry({ name: 'usr/bin/su-again', type: '1', linkname: 'usr/bin/su' }),
  entry({ name: 'run/fifo', type: '6', mode: 0o600 }),
  entry({ name: 'dev/null', type: '3', mode: 0o666, devmajor: 1, devminor: 3 }),
  entry({ name: 'dev/loop0', type: '4', mode: 0o660, devmajor: 7, devminor: 0 }),
);

describe('native untar: entries', () => {
  it.each(['openat2', 'walk'] as const)('creates every entry type with ownership, special mode bits, mtimes, links and devices (%s)', (resolve) => {
    const { root } = box();
    const r = extract(root, kinds, 64 * 1024, resolve);
    expect(r.diffId).toBe(sha(kinds));
    expect(r.size).toBe(kinds.length);
    expect(r.contentSize).toBe('su-binary'.length + 'wall'.length + 'hello'.length);
    const st = (p: string) => lstatSync(join(root, p));
    expect(st('usr/bin/su').mode & 0o7777).toBe(0o4755);
    expect(st('usr/bin/wall').mode & 0o7777).toBe(0o2755);
    expect(st('usr/bin/wall').gid).toBe(5);
    expect(st('shared').mode & 0o7777).toBe(0o1777);
    expect([st('usr').uid, st('usr').gid, st('usr').mode & 0o7777]).toEqual([1, 2, 0o750]);
    expect([st('home/user/notes').uid, st('home/user/notes').gid]).toEqual([1000, 1000]);
    expect(st('home/user/notes').mtimeMs).toBe(1_234_567_890_000);
    expect(readFileSync(join(root, 'home/user/notes'), 'utf8')).toBe('hello');
    expect(readlinkSync(join(root, 'etc/localtime'))).toBe('/usr/share/zoneinfo/UTC');
    expect(st('usr/bin/su-again').ino).toBe(st('usr/bin/su').ino);
    expect(st('usr/bin/su').nlink).toBe(2);
    expect(st('run/fifo').isFIFO()).toBe(true);
    expect(st('dev/null').isCharacterDevice()).toBe(true);
    expect(st('dev/null').rdev).toBe(statSync('/dev/null').rdev);
    expect(st('dev/loop0').isBlockDevice()).toBe(true);
    expect(st('dev/loop0').mode & 0o777).toBe(0o660);
    // directory mtimes are set after their children were written
    expect(st('usr').mtimeMs).toBe(1_500_000_001_000);
    expect(statSync(root).mtimeMs).toBe(1_500_000_000_000);
    expect(st('home').mode & 0o777).toBe(0o755); // created implicitly
  });

  it('gives the same tree and diffID fed in 1-byte, 7-byte and whole chunks', () => {
    for (const size of [1, 7, kinds.length]) {
      const { root } = box();
      expect(extract(root, kinds, size).diffId).toBe(sha(kinds));
      expect(readFileSync(join(root, 'usr/bin/su'), 'utf8')).toBe('su-binary');
      expect(lstatSync(join(root, 'dev/null')).isCharacterDevice()).toBe(true);
    }
  });

  it('inflates gzip and extracts in the same call (untarGunzip), across concatenated members', () => {
    const { root } = box();
    const gz = Buffer.concat([gzipSync(kinds.subarray(0, 3000)), gzipSync(kinds.subarray(3000))]);
    const h = untarCreate(root);
    const g = gunzipCreate();
    let more = 1;
    for (let o = 0; o < gz.length; o += 100) more = untarGunzip(h, g, gz.subarray(o, o + 100));
    expect(more).toBe(0);
    const r = untarFinish(h);
    untarEnd(h);
    gunzipEnd(g);
    expect(r.diffId).toBe(sha(kinds));
    expect(readFileSync(join(root, 'home/user/notes'), 'utf8')).toBe('hello');
  });

  it('hashes the tar it inflates into its hashing ring, across the ring\'s wrap-around (untarGunzip, 10 MB)', () => {
    const { root } = box();
    const files = Array.from({ length: 40 }, (_, i) => entry({ name: `data/f${i}`, data: randomBytes(100_000 + i * 5_000) }));
    const text = entry({ name: 'data/text', data: 'all work and no play '.repeat(250_000) });
    const tar = archive(...files, text);
    const gz = gzipSync(tar);
    const h = untarCreate(root);
    const g = gunzipCreate(true);
    for (let o = 0, i = 0; o < gz.length; i++) {
      const n = [65_536, 1, 300_001, 4096][i % 4];
      untarGunzip(h, g, gz.subarray(o, o + n));
      o += n;
    }
    const r = untarFinish(h);
    untarEnd(h);
    gunzipEnd(g);
    expect(r.size).toBe(tar.length);
    expect(r.diffId).toBe(sha(tar));
    expect(readFileSync(join(root, 'data/f39')).length).toBe(100_000 + 39 * 5_000);
    expect(readFileSync(join(root, 'data/text'), 'utf8')).toBe('all work and no play '.repeat(250_000));
  });
});

describe('native untar: names and records', () => {
  it('reads PAX path/linkpath/uid/gid/mtime (with nanoseconds) and size', () => {
    const { root } = box();
    const long = `${'d'.repeat(120)}/${'e'.repeat(150)}/file`;
    const tar = archive(
      pax([['path', long], ['uid', '70000'], ['gid', '70001'], ['mtime', '1600000000.123456789']]),
      entry({ name: 'short-ignored', data: 'long name' }),
      pax([['linkpath', long]]),
      entry({ name: 'hl', type: '1', linkname: 'x' }),
    );
    extract(root, tar);
    const st = lstatSync(join(root, long), { bigint: true });
    expect(readFileSync(join(root, long), 'utf8')).toBe('long name');
    expect([st.uid, st.gid]).toEqual([70000n, 70001n]);
    expect(st.mtimeNs).toBe(1_600_000_000_123_456_789n);
    expect(lstatSync(join(root, 'hl')).ino).toBe(Number(st.ino));
  });

  it('reads GNU long names and links, and the ustar prefix', () => {
    const { root } = box();
    const long = `${'g'.repeat(200)}/target`;
    const tar = archive(
      gnuLong('L', long),
      entry({ name: 'truncated', data: 'gnu' }),
      gnuLong('K', `/${long}`),
      entry({ name: 'abs-hardlink', type: '1', linkname: 'ignored' }),
      entry({ name: 'name', prefix: 'pre/fix', data: 'prefixed' }),
    );
    extract(root, tar);
    expect(readFileSync(join(root, long), 'utf8')).toBe('gnu');
    expect(lstatSync(join(root, 'abs-hardlink')).ino).toBe(lstatSync(join(root, long)).ino);
    expect(readFileSync(join(root, 'pre/fix/name'), 'utf8')).toBe('prefixed');
  });

  it('sets xattrs from SCHILY.xattr records, binary security.capability included, after chown', () => {
    const { root } = box();
    const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex'); // cap_net_bind_service, permitted+effective
    const tar = archive(
      pax([['SCHILY.xattr.security.capability', cap], ['SCHILY.xattr.user.note', 'hi']]),
      entry({ name: 'bin/ping', mode: 0o755, uid: 1000, data: 'ping' }),
      pax([['SCHILY.xattr.user.dir', 'yes']]),
      entry({ name: 'etc/', type: '5' }),
    );
    extract(root, tar);
    expect(lgetxattr(join(root, 'bin/ping'), 'security.capability')?.equals(cap)).toBe(true);
    expect(lgetxattr(join(root, 'bin/ping'), 'user.note')?.toString()).toBe('hi');
    expect(lstatSync(join(root, 'bin/ping')).uid).toBe(1000);
    expect(lgetxattr(join(root, 'etc'), 'user.dir')?.toString()).toBe('yes');
  });

  it('turns whiteouts into 0/0 devices and opaque markers into trusted.overlay.opaque, skipping aufs bookkeeping', () => {
    const { root } = box();
    const tar = archive(
      entry({ name: 'etc/', type: '5' }),
      entry({ name: 'etc/.wh.removed' }),
      entry({ name: 'var/cache/.wh..wh..opq' }),
      entry({ name: '.wh..wh.plnk/', type: '5' }),
      entry({ name: '.wh.top' }),
    );
    extract(root, tar);
    const wh = lstatSync(join(root, 'etc/removed'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(lstatSync(join(root, 'top')).isCharacterDevice()).toBe(true);
    expect(lgetxattr(join(root, 'var/cache'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(() => lstatSync(join(root, '.wh..wh.plnk'))).toThrow(/ENOENT/);
    expect(() => lstatSync(join(root, 'etc/.wh.removed'))).toThrow(/ENOENT/);
  });

  it.each(['openat2', 'walk'] as const)('a later entry replaces an earlier one; a directory over a directory is kept (%s)', (resolve) => {
    const { root } = box();
    const tar = archive(
      entry({ name: 'a', data: 'file first' }),
      entry({ name: 'a/', type: '5' }),
      entry({ name: 'a/inner', data: 'in a' }),
      entry({ name: 'a/', type: '5', mode: 0o700 }),
      entry({ name: 'b/', type: '5' }),
      entry({ name: 'b/child', data: 'gone' }),
      entry({ name: 'b', data: 'file last' }),
      entry({ name: 'l', type: '2', linkname: '/etc' }),
      entry({ name: 'l/', type: '5' }),
      entry({ name: 'l/x', data: 'inside' }),
    );
    extract(root, tar, 64 * 1024, resolve);
    expect(readFileSync(join(root, 'a/inner'), 'utf8')).toBe('in a');
    expect(lstatSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(root, 'b'), 'utf8')).toBe('file last');
    expect(lstatSync(join(root, 'l')).isDirectory()).toBe(true);
    expect(readFileSync(join(root, 'l/x'), 'utf8')).toBe('inside');
  });
});
