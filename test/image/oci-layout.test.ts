import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unpackLayer } from '../../src/image/layer-unpack.js';
import { parseImageConfig, parseImageManifest } from '../../src/image/manifest.js';
import { OCI_MANIFEST } from '../../src/image/media-types.js';
import { readOciArchive } from '../../src/image/oci-layout.js';
import { ContentStore } from '../../src/store/content-store.js';
import { buildBusyboxOciArchive, buildBusyboxOciLayout, packTar } from '../fixtures/busybox-image.js';
import { rejection } from '../fixtures/stand-ins.js';

let dir: string;
let store: ContentStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-layout-'));
  store = new ContentStore(join(dir, 'store'));
});
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

/** Checks that manifest `digest` is complete in the store and its layer unpacks to the config's diffID. */
async function expectUsableImage(digest: string): Promise<void> {
  const manifest = parseImageManifest(await store.readBytes(digest));
  const config = parseImageConfig(await store.readBytes(manifest.config.digest));
  expect(config.config?.Cmd).toEqual(['sh']);
  const target = join(dir, `rootfs-${digest.slice(7, 15)}`);
  const r = await unpackLayer({ blobPath: store.path(manifest.layers[0]!.digest), mediaType: manifest.layers[0]!.mediaType, target, expectedDiffId: config.rootfs.diff_ids[0] });
  expect(r.diffId).toBe(config.rootfs.diff_ids[0]);
  expect(readlinkSync(join(target, 'bin/sh'))).toBe('busybox');
}

describe('readOciArchive', () => {
  it('round-trips the busybox builder archive (scripts/busybox-oci.mjs)', async () => {
    const file = join(dir, 'busybox.tar');
    const built = await buildBusyboxOciArchive(file, { tag: '1.0' });
    const archive = await readOciArchive(createReadStream(file), store);
    expect(archive.format).toBe('oci-layout');
    expect(archive.manifests).toEqual([{
      digest: built.manifest.digest, mediaType: OCI_MANIFEST, size: built.manifest.size,
      name: 'docker.io/library/busybox:1.0', refName: '1.0', imageName: 'docker.io/library/busybox:1.0',
      platform: { architecture: 'amd64', os: 'linux' },
    }]);
    expect((await store.list()).sort()).toEqual([built.manifest.digest, built.config.digest, built.layer.digest].sort());
    await expectUsableImage(built.manifest.digest);
  });

  it('the CLI writes the same archive as the function', async () => {
    const a = join(dir, 'a.tar');
    const b = join(dir, 'b.tar');
    execFileSync('node', [join(import.meta.dirname, '../../scripts/busybox-oci.mjs'), '--out', a, '--tag', 'latest']);
    await buildBusyboxOciArchive(b, { tag: 'latest' });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('reads an oci-archive written by skopeo (bare tag ref.name gives no name)', async () => {
    const layout = join(dir, 'layout');
    const built = await buildBusyboxOciLayout(layout, { tag: 'latest' });
    const file = join(dir, 'skopeo.tar');
    execFileSync('skopeo', ['copy', '--quiet', `oci:${layout}:latest`, `oci-archive:${file}:latest`]);
    const archive = await readOciArchive(createReadStream(file), store);
    expect(archive.manifests).toHaveLength(1);
    expect(archive.manifests[0]).toMatchObject({ digest: built.manifest.digest, refName: 'latest' });
    expect(archive.manifests[0]!.name).toBeUndefined();
    await expectUsableImage(built.manifest.digest);
  });

  it('reads a legacy docker save archive (skopeo docker-archive:) and names it by RepoTags', async () => {
    const layout = join(dir, 'layout');
    const built = await buildBusyboxOciLayout(layout);
    const file = join(dir, 'docker.tar');
    execFileSync('skopeo', ['copy', '--quiet', `oci:${layout}:latest`, `docker-archive:${file}:busybox:saved`]);
    const archive = await readOciArchive(createReadStream(file), store);
    expect(archive.format).toBe('docker-save');
    expect(archive.manifests).toHaveLength(1);
    expect(archive.manifests[0]!.name).toBe('docker.io/library/busybox:saved');
    const manifest = parseImageManifest(await store.readBytes(archive.manifests[0]!.digest));
    expect(manifest.layers[0]!.digest).toBe(built.diffId); // docker save stores uncompressed layers
    await expectUsableImage(archive.manifests[0]!.digest);
  });

  it('a corrupt blob fails with digest_mismatch and stores nothing', async () => {
    const layout = join(dir, 'layout');
    const built = await buildBusyboxOciLayout(layout);
    const blobPath = join(layout, 'blobs/sha256', built.config.digest.slice(7));
    writeFileSync(blobPath, readFileSync(blobPath, 'utf8').replace('"sh"', '"xx"'));
    const tarBytes = await packLayout(layout);
    const e = await rejection(readOciArchive(Readable.from([tarBytes]), store));
    expect(e.code).toBe('digest_mismatch');
    expect(e.message).toContain(built.config.digest);
    expect(await store.list()).not.toContain(built.config.digest);
  });

  it('an archive missing a layer is incomplete and leaves nothing behind', async () => {
    const layout = join(dir, 'layout');
    const built = await buildBusyboxOciLayout(layout);
    rmSync(join(layout, 'blobs/sha256', built.layer.digest.slice(7)));
    const e = await rejection(readOciArchive(Readable.from([await packLayout(layout)]), store));
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toMatch(new RegExp(`incomplete: layer of manifest ${built.manifest.digest}: ${built.layer.digest}`));
    expect(await store.list()).toEqual([]);
  });

  it('a tar that is no image archive is refused, and so is garbage', async () => {
    const notImage = await packTar([{ name: 'hello.txt', mode: 0o644, content: Buffer.from('hi') }]);
    const e = await rejection(readOciArchive(Readable.from([notImage]), store));
    expect(e.message).toMatch(/neither an OCI image layout .* nor a docker save archive/);
    expect(await store.list()).toEqual([]);
    const g = await rejection(readOciArchive(Readable.from([Buffer.alloc(2048, 0x41)]), store));
    expect(g.code).toBe('invalid_argument');
  });
});

async function packLayout(layout: string): Promise<Buffer> {
  const { readdirSync } = await import('node:fs');
  const entries = [
    { name: 'oci-layout', mode: 0o644, content: readFileSync(join(layout, 'oci-layout')) },
    { name: 'index.json', mode: 0o644, content: readFileSync(join(layout, 'index.json')) },
  ];
  for (const hex of readdirSync(join(layout, 'blobs/sha256'))) {
    entries.push({ name: `./blobs/sha256/${hex}`, mode: 0o644, content: readFileSync(join(layout, 'blobs/sha256', hex)) });
  }
  return packTar(entries);
}
