// Malicious layers: each must fail with unsafe_layer naming the entry, write
// nothing outside the target, and leave no temp directory behind.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { unpackLayer } from '../../src/image/layer-unpack.js';
import { TAR, TAR_GZIP, writeLayer, type TarEntry } from './layer-fixtures.js';

let sandbox: string; // holds only the layer blob dir and the target's parent
let parent: string;
let blobs: string;
const marker = `berth-evil-${randomBytes(4).toString('hex')}`;
const passwdBefore = readFileSync('/etc/passwd');

beforeEach(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-unsafe-'));
  parent = join(sandbox, 'a', 'b');
  blobs = join(sandbox, 'blobs');
  mkdirSync(parent, { recursive: true });
  mkdirSync(blobs);
});
afterEach(() => {
  rmSync(sandbox, { recursive: true, force: true });
  rmSync(join('/tmp', marker), { force: true });
});

async function expectUnsafe(entries: TarEntry[], entryName: string, gzip = false): Promise<BerthError> {
  const blob = await writeLayer(blobs, 'layer', entries, gzip);
  const target = join(parent, 'rootfs');
  let caught: unknown;
  try {
    await unpackLayer({ blobPath: blob, mediaType: gzip ? TAR_GZIP : TAR, target });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BerthError);
  const e = caught as BerthError;
  expect(e.code).toBe('unsafe_layer');
  expect(e.message).toContain(`"${entryName}`);
  // nothing written: not the target, no temp dir, nothing next to them or above them
  expect(readdirSync(parent)).toEqual([]);
  expect(readdirSync(join(sandbox, 'a'))).toEqual(['b']);
  expect(readdirSync(sandbox).sort()).toEqual(['a', 'blobs']);
  expect(readdirSync(blobs)).toEqual(['layer']);
  expect(existsSync(join('/tmp', marker))).toBe(false);
  expect(readFileSync('/etc/passwd').equals(passwdBefore)).toBe(true);
  return e;
}

describe('unsafe layers are rejected with unsafe_layer', () => {
  it('../evil', async () => {
    const e = await expectUnsafe([{ name: 'ok', content: 'fine' }, { name: '../evil', content: 'x' }], '../evil');
    expect(e.message).toMatch(/escape/);
  });

  it('a deeper ../../../evil hidden behind a directory', async () => {
    await expectUnsafe([{ name: 'd/', type: 'directory' }, { name: 'd/../../../evil', content: 'x' }], 'd/../../../evil', true);
  });

  it('/abs (absolute name)', async () => {
    const e = await expectUnsafe([{ name: `/tmp/${marker}`, content: 'x' }], `/tmp/${marker}`);
    expect(e.message).toMatch(/absolute/);
  });

  it('symlink link -> / followed by link/tmp/x', async () => {
    const e = await expectUnsafe([{ name: 'link', type: 'symlink', linkname: '/' }, { name: `link/tmp/${marker}`, content: 'x' }], `link/tmp/${marker}`);
    expect(e.message).toMatch(/through the symlink link/);
  });

  it('symlink up -> ../.. then a write through it', async () => {
    await expectUnsafe([{ name: 'up', type: 'symlink', linkname: '../..' }, { name: 'up/evil', content: 'x' }], 'up/evil');
  });

  it('a directory replaced by a symlink, then written through', async () => {
    await expectUnsafe([
      { name: 'etc/', type: 'directory' },
      { name: 'etc', type: 'symlink', linkname: '/tmp' },
      { name: `etc/${marker}`, content: 'x' },
    ], `etc/${marker}`);
  });

  it('a symlinked directory used for a whiteout', async () => {
    await expectUnsafe([{ name: 'tmpdir', type: 'symlink', linkname: '/tmp' }, { name: `tmpdir/.wh.${marker}` }], `tmpdir/.wh.${marker}`);
  });

  it('hard link to ../../etc/passwd', async () => {
    const e = await expectUnsafe([{ name: 'pw', type: 'link', linkname: '../../etc/passwd' }], 'pw');
    expect(e.message).toMatch(/hard link to "\.\.\/\.\.\/etc\/passwd"/);
  });

  it('hard link through a symlink (s -> /etc, h => s/passwd)', async () => {
    await expectUnsafe([{ name: 's', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 's/passwd' }], 'h');
  });

  it('hard link to a file that is not in the layer', async () => {
    const e = await expectUnsafe([{ name: 'h', type: 'link', linkname: 'etc/shadow' }], 'h');
    expect(e.message).toMatch(/does not exist in the layer/);
  });
});
