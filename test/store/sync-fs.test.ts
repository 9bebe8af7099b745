// Group commit of filesystem flushes (src/util/sync-fs.ts), on the real addon.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { startWriteback, syncFilesystem } from '../../src/util/sync-fs.js';

const dir = mkdtempSync('/tmp/berth-syncfs-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('syncFilesystem', () => {
  it('serves callers that queue during a flush with one shared later flush', async () => {
    const first = syncFilesystem(dir);
    const queued = [syncFilesystem(dir), syncFilesystem(dir), syncFilesystem(dir)];
    expect(queued[1]).toBe(queued[0]); // not yet started: one flush for all three
    expect(queued[2]).toBe(queued[0]);
    expect(queued[0]).not.toBe(first); // the running flush may predate their writes: they get the next
    await Promise.all([first, ...queued]);
    await expect(syncFilesystem(dir)).resolves.toBeUndefined();
  });

  it('fails with io_error naming the directory', async () => {
    const missing = join(dir, 'missing');
    const e = await syncFilesystem(missing).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(BerthError);
    expect((e as BerthError).code).toBe('io_error');
    expect((e as BerthError).message).toContain(missing);
  });
});

/** Sectors written to the block device holding `path` so far (/sys/dev/block/MAJ:MIN/stat, field 7). */
function sectorsWritten(path: string): number {
  const dev = statSync(path).dev;
  const major = Math.floor(dev / 256) & 0xfff; // Linux's new_encode_dev, as node reports st_dev
  const minor = (dev & 0xff) | ((Math.floor(dev / 4096) & 0xfff00));
  return Number(readFileSync(`/sys/dev/block/${major}:${minor}/stat`, 'utf8').trim().split(/\s+/)[6]);
}

describe('startWriteback', () => {
  it('writes dirty data to the disk without a caller waiting; one at a time per directory', async () => {
    writeFileSync(join(dir, 'dirty'), Buffer.alloc(16 << 20, 7)); // buffered: in the page cache only
    const before = sectorsWritten(dir);
    const p = startWriteback(dir);
    expect(startWriteback(dir)).toBe(p); // the running one
    await p;
    expect(sectorsWritten(dir) - before).toBeGreaterThanOrEqual((16 << 20) / 512); // at least the file reached the disk
    await expect(startWriteback(join(dir, 'missing'))).resolves.toBeUndefined(); // never rejects: nobody waits for it
  });
});
