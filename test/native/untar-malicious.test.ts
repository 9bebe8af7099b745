// Hostile archives against the addon's extraction: each is refused with a
// clear error (BERTH_UNSAFE_LAYER or BERTH_BAD_TAR) and nothing is written
// outside the layer directory — with openat2, and with the O_NOFOLLOW walk
// alone (as on a kernel without openat2).
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archive, END, entry, header, pax } from './tar-builder.js';
import { extract, sandbox } from './untar-fixture.js';

const boxes: string[] = [];
afterEach(() => {
  for (const b of boxes.splice(0)) rmSync(b, { recursive: true, force: true });
});

/** Extracts `tar` (built with the sandbox's paths), with openat2 and with the walk alone; checks the error and that nothing reached outside. */
function refused(build: (s: { root: string; outside: string }) => Buffer, code: string, message: RegExp): void {
  for (const resolve of ['openat2', 'walk'] as const) {
    const s = sandbox();
    boxes.push(s.base);
    let caught: (Error & { code?: string }) | undefined;
    try {
      extract(s.root, build(s), 64 * 1024, resolve);
    } catch (err) {
      caught = err as Error & { code?: string };
    }
    expect(caught?.code, resolve).toBe(code);
    expect(caught?.message, resolve).toMatch(message);
    expect(readdirSync(s.outside), resolve).toEqual([]);
    expect(readdirSync(s.base).sort(), resolve).toEqual(['layer', 'outside']);
  }
}

describe('native untar refuses entries that escape', () => {
  it('../ in a name, also hidden behind a directory', () => {
    refused(() => archive(entry({ name: '../outside/evil', data: 'x' })), 'BERTH_UNSAFE_LAYER', /"\.\.\/outside\/evil" uses "\.\." to escape/);
    refused(() => archive(entry({ name: 'd/', type: '5' }), entry({ name: 'd/../../outside/evil', data: 'x' })), 'BERTH_UNSAFE_LAYER', /escape the layer root/);
  });

  it('an absolute name', () => {
    refused(({ outside }) => archive(entry({ name: `${outside}/evil`, data: 'x' })), 'BERTH_UNSAFE_LAYER', /has an absolute path/);
  });

  it('a symlink to outside, then a write through it (absolute and relative targets)', () => {
    refused(({ outside }) => archive(entry({ name: 'l', type: '2', linkname: outside }), entry({ name: 'l/evil', data: 'x' })), 'BERTH_UNSAFE_LAYER', /would be written through the symlink l/);
    refused(() => archive(entry({ name: 'up', type: '2', linkname: '../outside' }), entry({ name: 'up/evil', data: 'x' })), 'BERTH_UNSAFE_LAYER', /through the symlink up/);
    refused(() => archive(entry({ name: 'up', type: '2', linkname: '../outside' }), entry({ name: 'up/sub/', type: '5' })), 'BERTH_UNSAFE_LAYER', /through the symlink up/);
  });

  it('a directory replaced by a symlink, then written through; a whiteout through a symlink', () => {
    refused(({ outside }) => archive(entry({ name: 'etc/', type: '5' }), entry({ name: 'etc', type: '2', linkname: outside }), entry({ name: 'etc/evil', data: 'x' })), 'BERTH_UNSAFE_LAYER', /through the symlink etc/);
    refused(({ outside }) => archive(entry({ name: 't', type: '2', linkname: outside }), entry({ name: 't/.wh.evil' })), 'BERTH_UNSAFE_LAYER', /through the symlink t/);
    refused(({ outside }) => archive(entry({ name: 't', type: '2', linkname: outside }), entry({ name: 't/.wh..wh..opq' })), 'BERTH_UNSAFE_LAYER', /through the symlink t/);
  });

  it('hard links to outside, through a symlink, to a directory, to nothing', () => {
    refused(() => archive(entry({ name: 'pw', type: '1', linkname: '../outside/f' })), 'BERTH_UNSAFE_LAYER', /"pw" \(hard link to "\.\.\/outside\/f" uses "\.\." to escape/);
    refused(({ outside }) => archive(entry({ name: 's', type: '2', linkname: outside }), entry({ name: 'h', type: '1', linkname: 's/f' })), 'BERTH_UNSAFE_LAYER', /through the symlink s/);
    refused(() => archive(entry({ name: 'd/', type: '5' }), entry({ name: 'h', type: '1', linkname: 'd' })), 'BERTH_UNSAFE_LAYER', /points at a directory/);
    refused(() => archive(entry({ name: 'h', type: '1', linkname: 'etc/shadow' })), 'BERTH_UNSAFE_LAYER', /does not exist in the layer/);
    refused(() => archive(entry({ name: 'h', type: '1', linkname: './' })), 'BERTH_UNSAFE_LAYER', /points at the layer root/);
  });

  it('a hard link to a symlink that points outside links the symlink itself, not its target', () => {
    const s = sandbox();
    boxes.push(s.base);
    extract(s.root, archive(entry({ name: 's', type: '2', linkname: '/etc/passwd' }), entry({ name: 'h', type: '1', linkname: 's' })));
    expect(readdirSync(s.root).sort()).toEqual(['h', 's']);
    expect(lstatSync(join(s.root, 'h')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(s.root, 'h')).ino).toBe(lstatSync(join(s.root, 's')).ino);
  });

  it('a NUL in a PAX path, a whiteout without a name, a file in place of the root', () => {
    refused(() => archive(pax([['path', 'a\0b']]), entry({ name: 'x', data: '' })), 'BERTH_UNSAFE_LAYER', /NUL byte/);
    refused(() => archive(entry({ name: 'dir/.wh.' })), 'BERTH_UNSAFE_LAYER', /whiteout without a valid name/);
    refused(() => archive(entry({ name: '.', type: '2', linkname: '/' })), 'BERTH_UNSAFE_LAYER', /"\." is a tar type '2' entry in place of the layer root/);
  });
});

describe('native untar refuses broken archives', () => {
  it('absurd sizes: a base-256 size, a PAX size, a huge PAX header', () => {
    const huge = Buffer.alloc(12);
    huge[0] = 0x80;
    huge[4] = 0x40; // 2^62 bytes
    refused(() => archive(entry({ name: 'big', rawSize: huge })), 'BERTH_BAD_TAR', /"big" claims an absurd size/);
    refused(() => archive(pax([['size', '99999999999999999']]), entry({ name: 'big2' })), 'BERTH_BAD_TAR', /absurd size/);
    refused(() => Buffer.concat([header({ name: 'PaxHeader', type: 'x', size: 64 * 1024 * 1024 }), END]), 'BERTH_BAD_TAR', /PAX header claims 67108864 bytes/);
    const neg = Buffer.alloc(12, 0xff);
    refused(() => archive(entry({ name: 'neg', rawSize: neg })), 'BERTH_BAD_TAR', /negative size/);
  });

  it('a truncated archive (inside data, inside a header), a bad checksum, garbage', () => {
    const whole = archive(entry({ name: 'f', data: 'x'.repeat(2000) }));
    refused(() => whole.subarray(0, 1000), 'BERTH_BAD_TAR', /truncated: it ends in the middle of entry "f"/);
    refused(() => whole.subarray(0, 300), 'BERTH_BAD_TAR', /truncated: it ends in the middle of a header/);
    refused(() => archive(entry({ name: 'f', data: 'x', badChecksum: true })), 'BERTH_BAD_TAR', /wrong checksum/);
    refused(() => Buffer.from('this is not a tar archive at all '.repeat(40)), 'BERTH_BAD_TAR', /not a tar archive|wrong checksum|invalid/);
    refused(() => archive(entry({ name: 'v', type: 'V' })), 'BERTH_BAD_TAR', /tar type 'V', which Berth cannot unpack/);
  });
});
