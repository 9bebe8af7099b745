// tag, rmi, image prune and the image GC, end to end: a real daemon, images
// loaded from OCI archives, containers that use them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { buildBusyboxOciArchive } from '../fixtures/busybox-image.js';
import { buildTinyImageArchive, type TinyImage } from '../image/tiny-image.js';
import { chainIds } from '../../src/store/chain-id.js';
import { openMetadataDb } from '../../src/store/db.js';

let d: TestDaemon;
let work: string;
let tinyA: TinyImage;
let tinyB: TinyImage;

function ok(args: string[], input?: string): string {
  const r = d.berth(args, input === undefined ? {} : { input });
  expect(r.stderr, `berth ${args.join(' ')}`).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

function layerDir(diffIds: string[], i: number): string {
  return join(d.root, 'layers', chainIds(diffIds)[i].slice(7));
}

function blobExists(digest: string): boolean {
  return existsSync(join(d.root, 'content', 'blobs', 'sha256', digest.slice(7)));
}

function load(opts: Parameters<typeof buildTinyImageArchive>[1], file: string): Promise<TinyImage> {
  return buildTinyImageArchive(join(work, file), opts).then((img) => {
    ok(['load', '-i', join(work, file)]);
    return img;
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-images-rm-'));
  d = await startDaemon();
  await buildBusyboxOciArchive(join(work, 'busybox.tar'));
  ok(['load', '-i', join(work, 'busybox.tar')]);
  tinyA = await load({ name: 'docker.io/library/tiny:a', file: { path: 'a.txt', content: 'A' } }, 'a.tar');
  tinyB = await load({ name: 'docker.io/library/tiny:b', file: { path: 'b.txt', content: 'B' } }, 'b.tar');
});

afterAll(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('tag', () => {
  it('adds a tag, then moves it to another image atomically', () => {
    ok(['tag', 'tiny:a', 'tiny:moved']);
    expect(ok(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '--filter', 'reference=tiny:moved'])).toBe(`tiny:moved ${tinyA.id.slice(7, 19)}\n`);
    ok(['image', 'tag', tinyB.id.slice(7, 19), 'tiny:moved']);
    const rows = ok(['images', '--no-trunc', '--format', '{{.Tag}}={{.ID}}', '--filter', 'reference=tiny']).trim().split('\n').sort();
    expect(rows).toEqual([`a=${tinyA.id}`, `b=${tinyB.id}`, `moved=${tinyB.id}`]);
  });

  it('refuses bad input with a clear message', () => {
    let r = d.berth(['tag', 'nosuch:image', 'x:y']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('berth: Error response from daemon: No such image: nosuch:image\n');
    r = d.berth(['tag', 'tiny:a', 'Bad/Name']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid reference format');
    r = d.berth(['tag', 'tiny:a', `tiny@sha256:${'0'.repeat(64)}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to create a tag with a digest reference');
  });
});

describe('rmi', () => {
  it('untags only while the image has other tags; by id with several tags it needs -f', () => {
    expect(ok(['rmi', 'tiny:moved'])).toBe('Untagged: tiny:moved\n');
    ok(['tag', 'tiny:b', 'tiny:other']);
    const r = d.berth(['rmi', tinyB.id.slice(7, 19)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`berth: Error response from daemon: conflict: unable to delete ${tinyB.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories\n`);
    expect(ok(['rmi', 'tiny:other'])).toBe('Untagged: tiny:other\n');
  });

  it('refuses while a container uses the image; -f on a tag only untags', () => {
    ok(['run', '--name', 'user-a', 'tiny:a', 'cat', '/a.txt']);
    const short = tinyA.id.slice(7, 19);
    let r = d.berth(['rmi', 'tiny:a']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^berth: Error response from daemon: conflict: unable to remove repository reference "tiny:a" \\(must force\\) - container [0-9a-f]{12} is using its referenced image ${short}\\n$`));
    r = d.berth(['rmi', '-f', short]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`conflict: unable to delete ${short} \\(cannot be forced\\) - image is being used by stopped container [0-9a-f]{12}`));
    expect(ok(['rmi', '-f', 'tiny:a'])).toBe('Untagged: tiny:a\n');
    expect(ok(['images', '-q', '--no-trunc', '--filter', 'dangling=true'])).toBe(`${tinyA.id}\n`);
    expect(existsSync(layerDir(tinyA.diffIds, 1))).toBe(true);
    // dangling, but in use: prune keeps it
    expect(ok(['image', 'prune', '-f'])).toBe('Total reclaimed space: 0B\n');
    expect(existsSync(layerDir(tinyA.diffIds, 1))).toBe(true);
    ok(['rm', 'user-a']);
    const pruned = ok(['image', 'prune', '-f']);
    expect(pruned).toMatch(new RegExp(`^Deleted Images:\\ndeleted: ${tinyA.id}\\n\\nTotal reclaimed space: \\d+(\\.\\d+)?k?B\\n$`));
    expect(existsSync(layerDir(tinyA.diffIds, 1))).toBe(false);
    expect(blobExists(tinyA.id)).toBe(false);
    expect(blobExists(tinyA.manifestDigest)).toBe(false);
    // the busybox layer is shared with other images and stays
    expect(existsSync(layerDir(tinyA.diffIds, 0))).toBe(true);
  });

  it('deletes an image with its last tag, then collects its layer and blobs', () => {
    expect(ok(['rmi', 'tiny:b'])).toBe(`Untagged: tiny:b\nDeleted: ${tinyB.id}\n`);
    expect(existsSync(layerDir(tinyB.diffIds, 1))).toBe(false);
    expect(blobExists(tinyB.id)).toBe(false);
    expect(ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).toBe('busybox:latest\n');
    expect(ok(['run', '--rm', 'busybox', 'echo', 'still runs'])).toBe('still runs\n');
  });

  it('reports each missing image and goes on with the others', async () => {
    const img = await load({ name: 'docker.io/library/tiny:c', file: { path: 'c.txt', content: 'C' } }, 'c.tar');
    const r = d.berth(['rmi', 'nosuch', 'tiny:c']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('berth: Error response from daemon: No such image: nosuch\n');
    expect(r.stdout).toBe(`Untagged: tiny:c\nDeleted: ${img.id}\n`);
  });
});

describe('image prune', () => {
  it('asks first: no on stdin keeps everything, yes prunes', async () => {
    const img = await load({ name: 'docker.io/library/tiny:d', file: { path: 'd.txt', content: 'D' } }, 'd.tar');
    let out = ok(['image', 'prune', '-a'], 'n\n');
    expect(out).toContain('WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] ');
    expect(out).not.toContain('Deleted');
    expect(ok(['images', '-q'])).toContain(img.id.slice(7, 19));
    out = ok(['image', 'prune', '-a'], 'y\n');
    expect(out).toContain(`deleted: ${img.id}`);
    expect(out).toContain('untagged: tiny:d');
    expect(out).toContain('untagged: busybox:latest');
    expect(ok(['images', '-q'])).toBe('');
    expect(readdirSync(join(d.root, 'layers'))).toEqual([]);
    expect(readdirSync(join(d.root, 'content', 'blobs', 'sha256'))).toEqual([]);
  });
});

describe('garbage collection', () => {
  it('a restart finishes a GC that a crash interrupted', async () => {
    await buildBusyboxOciArchive(join(work, 'busybox.tar'));
    ok(['load', '-i', join(work, 'busybox.tar')]);
    const live = readdirSync(join(d.root, 'layers'));
    expect(live.length).toBe(1);
    await d.kill('SIGKILL');
    // What a GC leaves when it dies after its metadata transaction: a layer
    // directory without a record, one renamed for deletion, an orphan blob.
    const stray = join(d.root, 'layers', 'ab'.repeat(32));
    mkdirSync(join(stray, 'etc'), { recursive: true });
    writeFileSync(join(stray, 'etc', 'f'), 'x');
    mkdirSync(join(d.root, 'layers', `.gc-${'cd'.repeat(32)}-0001`, 'x'), { recursive: true });
    const orphan = join(d.root, 'content', 'blobs', 'sha256', 'ef'.repeat(32));
    writeFileSync(orphan, 'orphan');
    const db = openMetadataDb(d.root);
    await db.meta.put('gc.pending', true);
    await db.root.close();
    await d.restart();
    expect(readdirSync(join(d.root, 'layers'))).toEqual(live);
    expect(existsSync(orphan)).toBe(false);
    expect(ok(['run', '--rm', 'busybox', 'echo', 'ok'])).toBe('ok\n');
  });
});
